// format.h - the format-spec mini-language shared by str, int and float __format__,
// f-strings, format() and str.format (runtime/strformat.c).
//
// A spec is [[fill]align][sign][z][#][0][width][grouping][.precision][type], exactly as in
// CPython's "Format Specification Mini-Language". Parsing and the final padding/grouping are
// done here once; each type turns its value into digits and hands them to format_number().

#ifndef MINI_FORMAT_H
#define MINI_FORMAT_H

#include "object.h"

typedef struct {
    uint32_t fill;      // fill code point; ' ' when absent
    char align;         // '<', '>', '^', '=' or 0 when absent
    char sign;          // '+', '-', ' ' or 0 when absent
    bool alternate;     // '#'
    bool zero_pad;      // '0' before the width
    ssize_t width;      // -1 when absent
    char grouping;      // ',' or '_' or 0
    ssize_t precision;  // -1 when absent
    char type;          // the presentation type, or 0 when absent
    bool no_neg_zero;   // 'z' (3.11): format negative zero as positive (floats only)
} FormatSpec;

// Parses the spec text of str [spec] into [out]. Raises ValueError "Invalid format specifier
// '...' for object of type 'T'" (type_name names T) and returns false when malformed.
bool format_spec_parse(MiniObject *spec, const char *type_name, FormatSpec *out);

// Pads the UTF-8 text [s] ([size] bytes, [length] code points) to spec->width with fill and
// alignment; [default_align] applies when spec->align is 0 ('<' for str, '>' for numbers).
// New str.
MiniObject *format_pad(const FormatSpec *spec, const char *s, size_t size, size_t length,
                       char default_align);

// Builds a formatted number: sign (from [negative] and spec->sign), [prefix] ("0x", "0b" or
// ""), the integer digits [digits] (ASCII, no sign) with spec->grouping applied (every 3
// digits, or every 4 for the '_' grouping of types b, o, x, X), then [rest] (ASCII: ".25",
// "e+10", "%" or ""), padded to spec->width: '=' alignment and the '0' flag put the padding
// between sign/prefix and digits (zero padding is grouped too, as CPython does). New str.
MiniObject *format_number(const FormatSpec *spec, bool negative, const char *prefix,
                          const char *digits, const char *rest);

#endif // MINI_FORMAT_H
