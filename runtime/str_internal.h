// str_internal.h - what runtime/str.c, runtime/strformat.c and runtime/bytes.c share and nobody
// else needs: UTF-8 coding, the Unicode character database lookups, raw str allocation, the
// codecs, and the argument checks that reproduce CPython's several wordings.
//
// Strings are UTF-8 throughout. A code point takes 1 to 4 bytes; lone surrogates (which
// CPython allows in a str) are kept as their 3-byte generalised UTF-8 form so that chr(0xd800)
// round-trips, and are rejected only when encoding to bytes.

#ifndef MINI_STR_INTERNAL_H
#define MINI_STR_INTERNAL_H

#include "object.h"
#include "format.h"

#include <stdarg.h>

// ---------------------------------------------------------------------------------------------
// UTF-8
// ---------------------------------------------------------------------------------------------

// Decodes the code point at [p] (known to be valid UTF-8) and stores its byte length in [n].
static inline uint32_t utf8_decode(const unsigned char *p, size_t *n) {
    unsigned char c = p[0];
    if (c < 0x80) {
        *n = 1;
        return c;
    }
    if (c < 0xe0) {
        *n = 2;
        return ((uint32_t)(c & 0x1f) << 6) | (p[1] & 0x3f);
    }
    if (c < 0xf0) {
        *n = 3;
        return ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    }
    *n = 4;
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
           ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

// The byte length of the UTF-8 sequence that starts with byte [c].
static inline size_t utf8_seqlen(unsigned char c) {
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

// Writes [cp] as UTF-8 into [out] (room for 4 bytes) and returns the byte count.
static inline size_t utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

// The number of code points in [size] bytes of valid UTF-8.
static inline size_t utf8_count(const char *s, size_t size) {
    size_t n = 0;
    for (size_t i = 0; i < size; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

// ---------------------------------------------------------------------------------------------
// The Unicode character database (str.c over the generated runtime/unicode_db.h)
// ---------------------------------------------------------------------------------------------

#define UC_PRINTABLE 0x1
#define UC_ALPHA 0x2
#define UC_DECIMAL 0x4
#define UC_DIGIT 0x8
#define UC_NUMERIC 0x10
#define UC_UPPER 0x20
#define UC_LOWER 0x40
#define UC_TITLE 0x80
#define UC_CASED 0x100
#define UC_CASE_IGNORABLE 0x200
#define UC_XID_START 0x400
#define UC_XID_CONTINUE 0x800
#define UC_SPACE 0x1000

// The UC_* flags of code point [cp].
uint16_t str_uc_flags(uint32_t cp);

// The kinds of case mapping, for str_uc_case.
typedef enum { UC_MAP_LOWER, UC_MAP_UPPER, UC_MAP_TITLE, UC_MAP_FOLD } UcMapping;
// Writes the full [kind] mapping of [cp] as UTF-8 into [out] (room for 18 bytes: at most three
// code points) and returns its byte count.
size_t str_uc_case(uint32_t cp, UcMapping kind, char *out);

// ---------------------------------------------------------------------------------------------
// Raw strings (str.c)
// ---------------------------------------------------------------------------------------------

// A fresh exact str of [size] bytes and [length] code points whose text the caller writes
// (the terminating NUL is already set). Never a cached object. New reference.
MiniObject *str_alloc(size_t size, size_t length, bool ascii);
// A str of the given text with its length already known (saves the count). New reference.
MiniObject *str_new_known(const char *utf8, size_t size, size_t length);
// The byte offset of code point [i] (0 <= i <= length) of str [s].
size_t str_byte_offset(MiniObject *s, size_t i);
// The hash of [n] bytes: str and bytes of equal ASCII contents hash alike. Never -1.
int64_t str_hash_bytes(const char *p, size_t n);
// str.format(*args, **kwargs) and str.format_map(mapping) (strformat.c): [mapping] is the
// format_map argument, or NULL for format, whose keywords come from [kwnames]. New str.
MiniObject *strformat_format(MiniObject *fmt, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames, MiniObject *mapping);
// `fmt % args` for bytes and bytearray (strformat.c): printf-style formatting with bytes'
// rules (%b and %s take bytes-like objects or __bytes__, %r is %a, %c takes a byte). A new
// object of fmt's kind (bytes, or bytearray for a bytearray format).
MiniObject *bytes_percent_format(MiniObject *fmt, MiniObject *args);
// The printf engine behind str_from_format, strbuf_addf and mini_raise (see object.h).
void strbuf_vaddf(StrBuf *b, const char *fmt, va_list ap);
// Appends repr(text) with CPython's quoting to [b]; [quote] is '\'' or '"', or 0 to choose
// as CPython does.
void str_repr_into(StrBuf *b, const char *s, size_t size, char quote);
// Appends ascii(text): like repr but with every non-ASCII code point escaped.
void str_ascii_into(StrBuf *b, const char *s, size_t size);

// ---------------------------------------------------------------------------------------------
// Codecs (str.c): utf-8, ascii, latin-1 with the error handlers strict, replace, ignore
// (and backslashreplace / surrogateescape where cheap).
// ---------------------------------------------------------------------------------------------

// Decodes [size] bytes with [encoding] and [errors] (str objects or NULL for the defaults).
// New str; UnicodeDecodeError / LookupError on failure.
MiniObject *str_decode(const char *data, size_t size, MiniObject *encoding, MiniObject *errors);
// Encodes str [s]. New bytes; UnicodeEncodeError / LookupError on failure.
MiniObject *str_encode(MiniObject *s, MiniObject *encoding, MiniObject *errors);

// ---------------------------------------------------------------------------------------------
// CPython's argument-count wordings (str.c). [tname] is "str", "bytes" ...; [fname] the method.
// ---------------------------------------------------------------------------------------------

typedef enum {
    ARGS_NONE,    // "str.upper() takes no arguments (1 given)"
    ARGS_ONE,     // "str.join() takes exactly one argument (0 given)"
    ARGS_CLINIC,  // "center expected at least 1 argument, got 0"
    ARGS_TUPLE,   // "find() takes at least 1 argument (0 given)"
} ArgsStyle;

// Checks min <= nargs <= max and the absence of keywords, raising TypeError in [style]'s
// words. False on error.
bool str_check_args(ArgsStyle style, const char *tname, const char *fname, size_t nargs,
                    MiniObject *kwnames, size_t min, size_t max);
// Parses positional-or-keyword arguments named by [names] (count [n]) into [out] (borrowed;
// untouched when absent) with Argument Clinic's messages ("'x' is an invalid keyword argument
// for split()", "split() takes at most 2 arguments (3 given)"). False on error.
bool str_parse_kwargs(const char *fname, MiniObject *const *args, size_t nargs,
                      MiniObject *kwnames, const char *const *names, size_t n,
                      MiniObject **out);
// Converts an optional start/end argument (None, NULL or an index) and clamps it against
// [len] as CPython's ADJUST_INDICES does. False with TypeError "slice indices must be integers
// or None or have an __index__ method".
bool str_slice_index(MiniObject *o, ssize_t *out);
// Argument Clinic's conversion of an index argument to a C int: through __index__ (TypeError
// "'str' object cannot be interpreted as an integer"), then OverflowError "Python int too large
// to convert to C int" out of range (mini_arg_ssize, object.h, does it for ssize_t). False with
// the exception.
bool str_arg_int(MiniObject *o, int *out);
// How Argument Clinic names a bad argument's type in "must be str, not X": "None" for None
// (not "NoneType"), else the type's name.
static inline const char *clinic_type_name(MiniObject *o) {
    return o == MINI_NONE ? "None" : mini_type_name(o);
}
void str_adjust_indices(ssize_t *start, ssize_t *end, ssize_t len);

#endif // MINI_STR_INTERNAL_H
