// strformat.c - the format-spec mini-language (format_spec_parse, format_pad, format_number),
// str.__format__, str.format / format_map, and printf-style `str % args`.
//
// The spec parser and the padding/grouping code follow CPython's Python/formatter_unicode.c
// step by step, because the int and float types hand their digits to format_number() and
// every corner (zero padding through the thousands separators, '=' alignment, the default
// alignments) must come out as python3 prints it. str.format follows
// Objects/stringlib/unicode_format.h (the markup scanner, field names with .attr and [key],
// automatic numbering, nested specs two levels deep), and `%` follows PyUnicode_Format
// (including its odd rules on which right operands count as a mapping).
//
// Ownership: every function here that returns a MiniObject * returns a new reference, or NULL
// with an exception pending (methods and slots included), unless its comment says otherwise;
// arguments are borrowed. The cached immortal objects may be returned without an INCREF, which
// is the same thing for an immortal.

#include "str_internal.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vm.h"

// ---------------------------------------------------------------------------------------------
// The format spec
// ---------------------------------------------------------------------------------------------

static bool is_align(uint32_t c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

// Parses a run of decimal digits at p[*i]; -1 if there is none. False with ValueError
// "Too many decimal digits in format string" on overflow.
static bool parse_number(const char *p, size_t n, size_t *i, ssize_t *out) {
    ssize_t v = -1;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        int d = p[*i] - '0';
        if (v < 0)
            v = 0;
        if (v > (SSIZE_MAX - d) / 10) {
            mini_raise_str(mini_exc_ValueError, "Too many decimal digits in format string");
            return false;
        }
        v = v * 10 + d;
        (*i)++;
    }
    *out = v;
    return true;
}

// The type a spec defaults to for the grouping check, by the type being formatted.
static char default_type(const char *type_name) {
    if (!strcmp(type_name, "str"))
        return 's';
    if (!strcmp(type_name, "int") || !strcmp(type_name, "bool"))
        return 'd';
    return 0;
}

bool format_spec_parse(MiniObject *spec, const char *type_name, FormatSpec *out) {
    out->fill = ' ';
    out->align = 0;
    out->sign = 0;
    out->alternate = false;
    out->zero_pad = false;
    out->width = -1;
    out->grouping = 0;
    out->precision = -1;
    out->type = 0;
    out->no_neg_zero = false;
    const char *p = STR_DATA(spec);
    size_t n = STR_SIZE(spec), i = 0;
    if (n == 0)
        return true;
    // [[fill]align]: the fill is any one code point, so look past it.
    bool fill_given = false;
    size_t first_len = utf8_seqlen((unsigned char)p[0]);
    if (first_len < n && is_align((unsigned char)p[first_len])) {
        size_t k;
        out->fill = utf8_decode((const unsigned char *)p, &k);
        out->align = p[first_len];
        fill_given = true;
        i = first_len + 1;
    } else if (is_align((unsigned char)p[0])) {
        out->align = p[0];
        i = 1;
    }
    if (i < n && (p[i] == '+' || p[i] == '-' || p[i] == ' '))
        out->sign = p[i++];
    if (i < n && p[i] == 'z') {
        out->no_neg_zero = true;
        i++;
    }
    if (i < n && p[i] == '#') {
        out->alternate = true;
        i++;
    }
    // A '0' before the width asks for zero padding unless a fill was given; numbers then
    // default to '=' alignment (format_number and format_pad apply that).
    if (!fill_given && i < n && p[i] == '0') {
        out->fill = '0';
        out->zero_pad = true;
        i++;
    }
    if (!parse_number(p, n, &i, &out->width))
        return false;
    if (i < n && p[i] == ',') {
        out->grouping = ',';
        i++;
    }
    if (i < n && p[i] == '_') {
        if (out->grouping) {
            mini_raise_str(mini_exc_ValueError, "Cannot specify both ',' and '_'.");
            return false;
        }
        out->grouping = '_';
        i++;
    }
    if (i < n && p[i] == ',') {
        if (out->grouping == '_')
            mini_raise_str(mini_exc_ValueError, "Cannot specify both ',' and '_'.");
        else
            mini_raise_str(mini_exc_ValueError, "Cannot specify ',' with ','.");
        return false;
    }
    if (i < n && p[i] == '.') {
        i++;
        if (!parse_number(p, n, &i, &out->precision))
            return false;
        if (out->precision < 0) {
            mini_raise_str(mini_exc_ValueError, "Format specifier missing precision");
            return false;
        }
    }
    // At most one character may remain: the type.
    if (n - i > 1 || (n - i == 1 && (unsigned char)p[i] >= 0x80)) {
        mini_raise(mini_exc_ValueError, "Invalid format specifier '%U' for object of type '%s'",
                   spec, type_name);
        return false;
    }
    if (i < n)
        out->type = p[i];
    if (out->grouping) {
        char t = out->type ? out->type : default_type(type_name);
        switch (t) {
        case 'd':
        case 'e':
        case 'f':
        case 'g':
        case 'E':
        case 'G':
        case '%':
        case 'F':
        case 0:
            break;
        case 'b':
        case 'o':
        case 'x':
        case 'X':
            if (out->grouping == '_')
                break;
            // fall through
        default:
            if (t > 32 && t < 127)
                mini_raise(mini_exc_ValueError, "Cannot specify '%c' with '%c'.", out->grouping, t);
            else
                mini_raise(mini_exc_ValueError, "Cannot specify '%c' with '\\x%x'.",
                           out->grouping, (unsigned)(unsigned char)t);
            return false;
        }
    }
    return true;
}

// Appends [n] copies of code point [fill].
static void add_fill(StrBuf *b, uint32_t fill, size_t n) {
    char fb[4];
    size_t fn = utf8_encode(fill, fb);
    if (fn == 1) {
        for (size_t i = 0; i < n && !b->failed; i++)
            strbuf_addc(b, fb[0]);
        return;
    }
    for (size_t i = 0; i < n && !b->failed; i++)
        strbuf_add(b, fb, fn);
}

// Refuses widths whose padding could not be allocated, before any allocation is tried.
static bool width_ok(ssize_t width) {
    if (width > (ssize_t)(MINI_MAX_ALLOC / 4)) {
        mini_raise_memory();
        return false;
    }
    return true;
}

MiniObject *format_pad(const FormatSpec *spec, const char *s, size_t size, size_t length,
                       char default_align) {
    if (spec->width < 0 || (size_t)spec->width <= length)
        return str_new_known(s, size, length);
    if (!width_ok(spec->width))
        return NULL;
    char align = spec->align;
    if (!align)
        align = (spec->zero_pad && default_align == '>') ? '=' : default_align;
    size_t total = (size_t)spec->width - length, left;
    if (align == '<')
        left = 0;
    else if (align == '^')
        left = total / 2;
    else
        left = total;
    StrBuf b;
    strbuf_init(&b);
    add_fill(&b, spec->fill, left);
    strbuf_add(&b, s, size);
    add_fill(&b, spec->fill, total - left);
    return strbuf_finish(&b);
}

// Writes [digits] (ndigits of them) grouped by [sep] every [group] digits and zero-filled to
// [min_width], exactly as CPython's _PyUnicode_InsertThousandsGrouping. The result is built
// right to left into [out] (room for the returned count, which a NULL out just computes).
static size_t group_digits(const char *digits, size_t ndigits, ssize_t min_width, char sep,
                           size_t group, char *out, size_t outsize) {
    size_t count = 0;
    ssize_t remaining = (ssize_t)ndigits;
    bool use_sep = false;
    size_t pos = outsize; // write position, moving left
    const char *dend = digits + ndigits;
#define PUT(c)                                                                                   \
    do {                                                                                         \
        if (out)                                                                                 \
            out[--pos] = (c);                                                                    \
    } while (0)
    // Emits a separator (when due), then n_chars digits from the right, then n_zeros zeros.
#define EMIT(n_zeros, n_chars)                                                                   \
    do {                                                                                         \
        if (use_sep && sep) {                                                                    \
            PUT(sep);                                                                            \
            count++;                                                                             \
        }                                                                                        \
        for (ssize_t _k = 0; _k < (n_chars); _k++)                                               \
            PUT(*--dend);                                                                        \
        for (ssize_t _k = 0; _k < (n_zeros); _k++)                                               \
            PUT('0');                                                                            \
        count += (size_t)(n_zeros) + (size_t)(n_chars);                                          \
    } while (0)
    bool broken = false;
    if (sep) {
        while (true) {
            ssize_t l = (ssize_t)group;
            ssize_t cap = remaining > min_width ? remaining : min_width;
            if (cap < 1)
                cap = 1;
            if (l > cap)
                l = cap;
            ssize_t n_zeros = l - remaining > 0 ? l - remaining : 0;
            ssize_t n_chars = remaining < l ? remaining : l;
            if (n_chars < 0)
                n_chars = 0;
            EMIT(n_zeros, n_chars);
            use_sep = true;
            remaining -= n_chars;
            min_width -= l;
            if (remaining <= 0 && min_width <= 0) {
                broken = true;
                break;
            }
            min_width -= 1; // the separator's width
        }
    }
    if (!broken) {
        ssize_t l = remaining > min_width ? remaining : min_width;
        if (l < 1)
            l = 1;
        ssize_t n_zeros = l - remaining > 0 ? l - remaining : 0;
        ssize_t n_chars = remaining < l ? remaining : l;
        if (n_chars < 0)
            n_chars = 0;
        EMIT(n_zeros, n_chars);
    }
#undef EMIT
#undef PUT
    return count;
}

MiniObject *format_number(const FormatSpec *spec, bool negative, const char *prefix,
                          const char *digits, const char *rest) {
    if (!width_ok(spec->width))
        return NULL;
    char sign = 0;
    if (negative)
        sign = '-';
    else if (spec->sign == '+' || spec->sign == ' ')
        sign = spec->sign;
    size_t nprefix = strlen(prefix), ndigits = strlen(digits), nrest = strlen(rest);
    char align = spec->align ? spec->align : (spec->zero_pad ? '=' : '>');
    ssize_t width = spec->width;
    ssize_t non_digit = (sign ? 1 : 0) + (ssize_t)nprefix + (ssize_t)nrest;
    ssize_t min_width = (spec->fill == '0' && align == '=' && width >= 0) ? width - non_digit : 0;
    char sep = spec->grouping;
    size_t group = 3;
    if (sep == '_' && (spec->type == 'b' || spec->type == 'o' || spec->type == 'x' ||
                       spec->type == 'X'))
        group = 4;
    size_t ngrouped =
        ndigits ? group_digits(digits, ndigits, min_width, sep, group, NULL, 0) : 0;
    char *grouped = mini_malloc(ngrouped + 1);
    if (!grouped)
        return NULL;
    if (ndigits)
        group_digits(digits, ndigits, min_width, sep, group, grouped, ngrouped);
    ssize_t padding = width - (non_digit + (ssize_t)ngrouped);
    size_t lpad = 0, spad = 0, rpad = 0;
    if (padding > 0) {
        switch (align) {
        case '<':
            rpad = (size_t)padding;
            break;
        case '^':
            lpad = (size_t)padding / 2;
            rpad = (size_t)padding - lpad;
            break;
        case '=':
            spad = (size_t)padding;
            break;
        default:
            lpad = (size_t)padding;
            break;
        }
    }
    StrBuf b;
    strbuf_init(&b);
    add_fill(&b, spec->fill, lpad);
    if (sign)
        strbuf_addc(&b, sign);
    strbuf_add(&b, prefix, nprefix);
    add_fill(&b, spec->fill, spad);
    strbuf_add(&b, grouped, ngrouped);
    strbuf_add(&b, rest, nrest);
    add_fill(&b, spec->fill, rpad);
    mini_free(grouped);
    return strbuf_finish(&b);
}

MiniObject *str_format_spec(MiniObject *s, MiniObject *spec) {
    FormatSpec f;
    if (!format_spec_parse(spec, "str", &f))
        return NULL;
    if (f.type && f.type != 's') {
        if (f.type > 32 && f.type < 127)
            return mini_raise(mini_exc_ValueError,
                              "Unknown format code '%c' for object of type 'str'", f.type);
        return mini_raise(mini_exc_ValueError,
                          "Unknown format code '\\x%x' for object of type 'str'",
                          (unsigned)(unsigned char)f.type);
    }
    if (f.sign == ' ')
        return mini_raise_str(mini_exc_ValueError, "Space not allowed in string format specifier");
    if (f.sign)
        return mini_raise_str(mini_exc_ValueError, "Sign not allowed in string format specifier");
    if (f.no_neg_zero)
        return mini_raise_str(mini_exc_ValueError,
                              "Negative zero coercion (z) not allowed in string format specifier");
    if (f.alternate)
        return mini_raise_str(mini_exc_ValueError,
                              "Alternate form (#) not allowed in string format specifier");
    if (f.align == '=')
        return mini_raise_str(mini_exc_ValueError,
                              "'=' alignment not allowed in string format specifier");
    size_t size = STR_SIZE(s), length = STR_LEN(s);
    if (f.precision >= 0 && (size_t)f.precision < length) {
        size = str_byte_offset(s, (size_t)f.precision);
        length = (size_t)f.precision;
    }
    if ((f.width < 0 || (size_t)f.width <= length) && size == STR_SIZE(s) &&
        s->type == &mini_str_type)
        return mini_newref(s);
    return format_pad(&f, STR_DATA(s), size, length, '<');
}

// ---------------------------------------------------------------------------------------------
// str.format and str.format_map
// ---------------------------------------------------------------------------------------------

typedef enum { NUMBERING_NONE, NUMBERING_AUTO, NUMBERING_MANUAL } Numbering;

typedef struct {
    MiniObject *const *args; // positional arguments
    size_t nargs;
    MiniObject *kwnames;      // keyword names (format) or NULL
    MiniObject *mapping;      // format_map's mapping, or NULL
    Numbering numbering;
    size_t next_auto;
} FormatCtx;

// A slice [start, end) of the format string's bytes.
typedef struct {
    const char *p;
    size_t start, end;
} Sub;

// Parses the decimal number s[start, end). Returns -1 if it is not all digits, -2 with
// ValueError when it is too big.
static ssize_t sub_index(const char *p, size_t start, size_t end) {
    if (start >= end)
        return -1;
    ssize_t v = 0;
    for (size_t i = start; i < end; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        int d = p[i] - '0';
        if (v > (SSIZE_MAX - d) / 10) {
            mini_raise_str(mini_exc_ValueError, "Too many decimal digits in format string");
            return -2;
        }
        v = v * 10 + d;
    }
    return v;
}

// The object a field's first name part designates: a positional argument (by [index], or
// automatic numbering when [index] is -1 and the name is empty) or a keyword. New reference.
static MiniObject *lookup_arg(FormatCtx *ctx, const char *p, size_t start, size_t end) {
    ssize_t index = sub_index(p, start, end);
    if (index == -2)
        return NULL;
    bool empty = start == end;
    if (empty || index >= 0) {
        if (empty) {
            if (ctx->numbering == NUMBERING_MANUAL)
                return mini_raise_str(mini_exc_ValueError,
                                      "cannot switch from manual field specification to "
                                      "automatic field numbering");
            ctx->numbering = NUMBERING_AUTO;
            index = (ssize_t)ctx->next_auto++;
        } else {
            if (ctx->numbering == NUMBERING_AUTO)
                return mini_raise_str(mini_exc_ValueError,
                                      "cannot switch from automatic field numbering to manual "
                                      "field specification");
            ctx->numbering = NUMBERING_MANUAL;
        }
        if (ctx->mapping)
            return mini_raise_str(mini_exc_ValueError, "Format string contains positional fields");
        if ((size_t)index >= ctx->nargs)
            return mini_raise(mini_exc_IndexError,
                              "Replacement index %zd out of range for positional args tuple",
                              index);
        return mini_newref(ctx->args[index]);
    }
    MiniObject *key = str_new(p + start, end - start);
    if (!key)
        return NULL;
    MiniObject *r = NULL;
    if (ctx->mapping) {
        r = mini_getitem(ctx->mapping, key);
    } else {
        size_t nkw = ctx->kwnames ? TUPLE_SIZE(ctx->kwnames) : 0;
        for (size_t k = 0; k < nkw; k++)
            if (str_eq(TUPLE_GET(ctx->kwnames, k), key)) {
                r = mini_newref(ctx->args[ctx->nargs + k]);
                break;
            }
        if (!r) {
            // KeyError carries the missing name.
            MiniObject *exc = mini_call((MiniObject *)mini_exc_KeyError, &key, 1, NULL);
            if (exc) {
                mini_raise_object(exc);
                MINI_DECREF(exc);
            }
        }
    }
    MINI_DECREF(key);
    return r;
}

// Resolves a whole field name: the first part, then each .attr and [key]. New reference.
static MiniObject *get_field(FormatCtx *ctx, Sub name) {
    const char *p = name.p;
    size_t i = name.start, end = name.end;
    while (i < end && p[i] != '.' && p[i] != '[')
        i++;
    MiniObject *obj = lookup_arg(ctx, p, name.start, i);
    if (!obj)
        return NULL;
    while (i < end) {
        char c = p[i++];
        size_t s = i;
        MiniObject *next;
        if (c == '.') {
            while (i < end && p[i] != '.' && p[i] != '[')
                i++;
            if (i == s) {
                MINI_DECREF(obj);
                return mini_raise_str(mini_exc_ValueError, "Empty attribute in format string");
            }
            MiniObject *attr = str_new(p + s, i - s);
            if (!attr) {
                MINI_DECREF(obj);
                return NULL;
            }
            next = mini_getattr(obj, attr);
            MINI_DECREF(attr);
        } else {
            while (i < end && p[i] != ']')
                i++;
            if (i >= end) {
                MINI_DECREF(obj);
                return mini_raise_str(mini_exc_ValueError, "Missing ']' in format string");
            }
            if (i == s) {
                MINI_DECREF(obj);
                return mini_raise_str(mini_exc_ValueError, "Empty attribute in format string");
            }
            size_t kend = i++;
            if (i < end && p[i] != '.' && p[i] != '[') {
                MINI_DECREF(obj);
                return mini_raise_str(mini_exc_ValueError,
                                      "Only '.' or '[' may follow ']' in format field specifier");
            }
            ssize_t index = sub_index(p, s, kend);
            MiniObject *key;
            if (index == -2) {
                MINI_DECREF(obj);
                return NULL;
            }
            key = index >= 0 ? int_from_i64(index) : str_new(p + s, kend - s);
            if (!key) {
                MINI_DECREF(obj);
                return NULL;
            }
            next = mini_getitem(obj, key);
            MINI_DECREF(key);
        }
        MINI_DECREF(obj);
        if (!next)
            return NULL;
        obj = next;
    }
    return obj;
}

static bool render(FormatCtx *ctx, StrBuf *out, const char *p, size_t start, size_t end,
                   int depth);

// Formats one replacement field into [out].
static bool render_field(FormatCtx *ctx, StrBuf *out, Sub name, uint32_t conversion, Sub spec,
                         bool spec_nested, int depth) {
    MiniObject *obj = get_field(ctx, name);
    if (!obj)
        return false;
    if (conversion) {
        MiniObject *conv;
        switch (conversion) {
        case 'r':
            conv = mini_repr(obj);
            break;
        case 's':
            conv = mini_str(obj);
            break;
        case 'a':
            conv = mini_ascii(obj);
            break;
        default:
            MINI_DECREF(obj);
            if (conversion > 32 && conversion < 127)
                mini_raise(mini_exc_ValueError, "Unknown conversion specifier %c",
                           (int)conversion);
            else
                mini_raise(mini_exc_ValueError, "Unknown conversion specifier \\x%x",
                           (unsigned)conversion);
            return false;
        }
        MINI_DECREF(obj);
        if (!conv)
            return false;
        obj = conv;
    }
    MiniObject *spec_str;
    if (spec_nested) {
        StrBuf sb;
        strbuf_init(&sb);
        if (!render(ctx, &sb, spec.p, spec.start, spec.end, depth - 1)) {
            strbuf_free(&sb);
            MINI_DECREF(obj);
            return false;
        }
        spec_str = strbuf_finish(&sb);
    } else {
        spec_str = str_new(spec.p + spec.start, spec.end - spec.start);
    }
    if (!spec_str) {
        MINI_DECREF(obj);
        return false;
    }
    MiniObject *r = mini_format(obj, spec_str);
    MINI_DECREF(spec_str);
    MINI_DECREF(obj);
    if (!r)
        return false;
    strbuf_add_obj(out, r);
    MINI_DECREF(r);
    return !out->failed;
}

// Renders p[start, end) into [out]; [depth] bounds the nesting of specs.
static bool render(FormatCtx *ctx, StrBuf *out, const char *p, size_t start, size_t end,
                   int depth) {
    if (depth <= 0) {
        mini_raise_str(mini_exc_ValueError, "Max string recursion exceeded");
        return false;
    }
    size_t i = start;
    while (i < end) {
        // Literal text up to the next brace.
        size_t lit = i;
        while (i < end && p[i] != '{' && p[i] != '}')
            i++;
        strbuf_add(out, p + lit, i - lit);
        if (i >= end)
            break;
        char c = p[i++];
        bool at_end = i >= end;
        if (c == '}') {
            if (at_end || p[i] != '}') {
                mini_raise_str(mini_exc_ValueError, "Single '}' encountered in format string");
                return false;
            }
            strbuf_addc(out, '}');
            i++;
            continue;
        }
        if (at_end) {
            mini_raise_str(mini_exc_ValueError, "Single '{' encountered in format string");
            return false;
        }
        if (p[i] == '{') {
            strbuf_addc(out, '{');
            i++;
            continue;
        }
        // A field: the name runs to '}', ':' or '!' (skipping over [...]).
        Sub name = {p, i, i};
        char t = 0;
        while (i < end) {
            t = p[i++];
            if (t == '{') {
                mini_raise_str(mini_exc_ValueError, "unexpected '{' in field name");
                return false;
            }
            if (t == '[') {
                while (i < end && p[i] != ']')
                    i++;
                continue;
            }
            if (t == '}' || t == ':' || t == '!')
                break;
        }
        if (t != '}' && t != ':' && t != '!') {
            mini_raise_str(mini_exc_ValueError, "expected '}' before end of string");
            return false;
        }
        name.end = i - 1;
        uint32_t conversion = 0;
        Sub spec = {p, i, i};
        bool nested = false;
        if (t == '!' || t == ':') {
            bool done = false;
            if (t == '!') {
                if (i >= end) {
                    mini_raise_str(mini_exc_ValueError,
                                   "end of string while looking for conversion specifier");
                    return false;
                }
                size_t n;
                conversion = utf8_decode((const unsigned char *)p + i, &n);
                i += n;
                if (i < end) {
                    char d = p[i++];
                    if (d == '}')
                        done = true;
                    else if (d != ':') {
                        mini_raise_str(mini_exc_ValueError,
                                       "expected ':' after conversion specifier");
                        return false;
                    }
                }
            }
            if (!done) {
                spec.start = spec.end = i;
                int count = 1;
                bool closed = false;
                while (i < end) {
                    char d = p[i++];
                    if (d == '{') {
                        nested = true;
                        count++;
                    } else if (d == '}') {
                        if (--count == 0) {
                            spec.end = i - 1;
                            closed = true;
                            break;
                        }
                    }
                }
                if (!closed) {
                    mini_raise_str(mini_exc_ValueError, "unmatched '{' in format spec");
                    return false;
                }
            }
        }
        if (!render_field(ctx, out, name, conversion, spec, nested, depth))
            return false;
    }
    return !out->failed;
}

MiniObject *strformat_format(MiniObject *fmt, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames, MiniObject *mapping) {
    FormatCtx ctx = {args, nargs, kwnames, mapping, NUMBERING_NONE, 0};
    StrBuf b;
    strbuf_init(&b);
    if (!render(&ctx, &b, STR_DATA(fmt), 0, STR_SIZE(fmt), 2)) {
        strbuf_free(&b);
        return NULL;
    }
    return strbuf_finish(&b);
}

// ---------------------------------------------------------------------------------------------
// printf-style formatting: fmt % args
// ---------------------------------------------------------------------------------------------

#define F_LJUST 1
#define F_SIGN 2
#define F_BLANK 4
#define F_ALT 8
#define F_ZERO 16

typedef struct {
    MiniObject *args;   // the right operand, or the value looked up by the last %(key)
    MiniObject *owned;  // args when it is a value we own (from a %(key) lookup)
    MiniObject *dict;   // the mapping, if the right operand counts as one
    ssize_t arglen, argidx;
} PercentCtx;

// The next argument (borrowed), or NULL with "not enough arguments for format string".
static MiniObject *next_arg(PercentCtx *c) {
    if (c->argidx < c->arglen) {
        c->argidx++;
        if (c->arglen < 0)
            return c->args;
        return TUPLE_GET(c->args, c->argidx - 1);
    }
    mini_raise_str(mini_exc_TypeError, "not enough arguments for format string");
    return NULL;
}

// Pads [body] (sign and digits already in it) to [width]: left-justified with spaces, or
// right-justified with spaces, or with zeros after the sign and prefix when F_ZERO applies.
static void pad_into(StrBuf *out, const char *body, size_t size, size_t length, ssize_t width,
                     int flags, size_t sign_prefix_len) {
    size_t pad = (width > 0 && (size_t)width > length) ? (size_t)width - length : 0;
    if (flags & F_LJUST) {
        strbuf_add(out, body, size);
        add_fill(out, ' ', pad);
    } else if (flags & F_ZERO) {
        strbuf_add(out, body, sign_prefix_len);
        add_fill(out, '0', pad);
        strbuf_add(out, body + sign_prefix_len, size - sign_prefix_len);
    } else {
        add_fill(out, ' ', pad);
        strbuf_add(out, body, size);
    }
}

// Is [o] a number for %d (int, float or anything with __int__/__index__/__float__)?
static bool is_number(MiniObject *o) {
    MiniType *t = mini_type(o);
    return int_check(o) || float_check(o) || t->nb_int || t->nb_index || t->nb_float;
}

// Formats an integer conversion (d i u x X o) of [v] into [out].
static bool format_int_conv(StrBuf *out, MiniObject *v, char conv, int flags, ssize_t width,
                            ssize_t prec) {
    MiniObject *iv;
    if (conv == 'x' || conv == 'X' || conv == 'o') {
        if (!int_check(v) && !mini_type(v)->nb_index) {
            mini_raise(mini_exc_TypeError, "%%%c format: an integer is required, not %s", conv,
                       mini_type_name(v));
            return false;
        }
        iv = mini_index(v);
    } else {
        if (!is_number(v)) {
            mini_raise(mini_exc_TypeError, "%%%c format: a real number is required, not %s",
                       conv, mini_type_name(v));
            return false;
        }
        iv = int_check(v) ? mini_index(v) : mini_number_int(v);
    }
    if (!iv)
        return false;
    int base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X') ? 16 : 10;
    MiniObject *digits = int_to_string(iv, base);
    bool negative = int_sign(iv) < 0;
    MINI_DECREF(iv);
    if (!digits)
        return false;
    const char *d = STR_DATA(digits);
    size_t nd = STR_SIZE(digits);
    if (nd && d[0] == '-') {
        d++;
        nd--;
    }
    StrBuf body;
    strbuf_init(&body);
    if (negative)
        strbuf_addc(&body, '-');
    else if (flags & F_SIGN)
        strbuf_addc(&body, '+');
    else if (flags & F_BLANK)
        strbuf_addc(&body, ' ');
    if (flags & F_ALT) {
        if (conv == 'o')
            strbuf_adds(&body, "0o");
        else if (conv == 'x')
            strbuf_adds(&body, "0x");
        else if (conv == 'X')
            strbuf_adds(&body, "0X");
    }
    size_t lead = body.size;
    // The precision is a minimum number of digits.
    for (ssize_t i = (ssize_t)nd; i < prec; i++)
        strbuf_addc(&body, '0');
    for (size_t i = 0; i < nd; i++) {
        char ch = d[i];
        if (conv == 'X' && ch >= 'a' && ch <= 'f')
            ch = (char)(ch - 32);
        strbuf_addc(&body, ch);
    }
    MINI_DECREF(digits);
    if (body.failed) {
        strbuf_free(&body);
        return false;
    }
    pad_into(out, body.data, body.size, body.size, width, flags, lead);
    strbuf_free(&body);
    return !out->failed;
}

// Formats a float conversion (e E f F g G) of [v] into [out].
// bytes formatting ([bytes_mode]) words every failure to get a float the same way.
static bool format_float_conv(StrBuf *out, MiniObject *v, char conv, int flags, ssize_t width,
                              ssize_t prec, bool bytes_mode) {
    if (!bytes_mode && !float_check(v) && !int_check(v) && !mini_type(v)->nb_float &&
        !mini_type(v)->nb_index) {
        mini_raise(mini_exc_TypeError, "must be real number, not %s", mini_type_name(v));
        return false;
    }
    double x = float_as_double(v);
    if (x == -1.0 && mini_error_occurred()) {
        if (bytes_mode) {
            mini_error_clear();
            mini_raise(mini_exc_TypeError, "float argument required, not %s", mini_type_name(v));
        }
        return false;
    }
    if (prec < 0)
        prec = 6;
    if (prec > 10000)
        prec = 10000;
    bool upper = conv == 'E' || conv == 'F' || conv == 'G';
    StrBuf body;
    strbuf_init(&body);
    bool negative = signbit(x) && !isnan(x);
    if (negative)
        strbuf_addc(&body, '-');
    else if (flags & F_SIGN)
        strbuf_addc(&body, '+');
    else if (flags & F_BLANK)
        strbuf_addc(&body, ' ');
    size_t lead = body.size;
    if (isinf(x) || isnan(x)) {
        strbuf_adds(&body, isnan(x) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"));
    } else {
        char cfmt[16];
        snprintf(cfmt, sizeof cfmt, "%%%s.*%c", (flags & F_ALT) ? "#" : "", conv);
        int n = snprintf(NULL, 0, cfmt, (int)prec, fabs(x));
        char *buf = n >= 0 ? mini_malloc((size_t)n + 1) : NULL;
        if (!buf) {
            strbuf_free(&body);
            return false;
        }
        snprintf(buf, (size_t)n + 1, cfmt, (int)prec, fabs(x));
        strbuf_add(&body, buf, (size_t)n);
        mini_free(buf);
    }
    if (body.failed) {
        strbuf_free(&body);
        return false;
    }
    pad_into(out, body.data, body.size, body.size, width, flags, lead);
    strbuf_free(&body);
    return !out->failed;
}

// The operand of %s / %b in bytes formatting, as CPython's format_obj: bytes and bytearray
// themselves, else what __bytes__ returns. Stores the bytes in [d], [n] (valid while the
// returned object lives). New reference, or NULL with TypeError.
static MiniObject *bytes_operand(MiniObject *v, const char **d, size_t *n) {
    if (MINI_IS_PTR(v) && (bytes_check(v) || bytearray_check(v))) {
        bytes_buffer(v, d, n);
        return mini_newref(v);
    }
    if (MINI_IS_PTR(v) && type_lookup_cstr(mini_type(v), "__bytes__")) {
        MiniObject *r = mini_call_method(v, "__bytes__", 0);
        if (!r)
            return NULL;
        if (!bytes_check(r)) {
            mini_raise(mini_exc_TypeError, "__bytes__ returned non-bytes (type %s)",
                       mini_type_name(r));
            MINI_DECREF(r);
            return NULL;
        }
        bytes_buffer(r, d, n);
        return r;
    }
    return mini_raise(mini_exc_TypeError,
                      "%%b requires a bytes-like object, or an object that implements __bytes__, "
                      "not '%s'",
                      mini_type_name(v));
}

// The byte of %c in bytes formatting (CPython's byte_converter). False with an exception.
static bool bytes_char_operand(MiniObject *v, char *out) {
    const char *d;
    size_t n;
    if (MINI_IS_PTR(v) && (bytes_check(v) || bytearray_check(v)) && bytes_buffer(v, &d, &n) &&
        n == 1) {
        *out = d[0];
        return true;
    }
    if (!int_check(v) && !mini_type(v)->nb_index) {
        mini_raise_str(mini_exc_TypeError, "%c requires an integer in range(256) or a single byte");
        return false;
    }
    MiniObject *iv = mini_index(v);
    if (!iv)
        return false;
    int64_t x;
    bool ok = int_as_i64(iv, &x);
    MINI_DECREF(iv);
    if (!ok || x < 0 || x > 255) {
        mini_error_clear();
        mini_raise_str(mini_exc_OverflowError, "%c arg not in range(256)");
        return false;
    }
    *out = (char)x;
    return true;
}

// printf-style formatting of the format text [p] ([n] bytes) with [args] into [out]: text
// for str % args, or bytes for bytes % args when [bytes_mode] (CPython's PyUnicode_Format
// and _PyBytes_FormatEx, which differ in the operand rules of %s %r %a %c and in a few
// messages). False with an exception.
static bool percent_format(const char *p, size_t n, MiniObject *args, bool bytes_mode,
                           StrBuf *out) {
    PercentCtx c = {args, NULL, NULL, -1, -2};
    if (tuple_check(args)) {
        c.arglen = (ssize_t)TUPLE_SIZE(args);
        c.argidx = 0;
    }
    // CPython treats any subscriptable right operand except a tuple or str (or, for bytes,
    // bytes and bytearray) as a mapping.
    if (mini_type(args)->getitem && !tuple_check(args) && !str_check(args) &&
        !(bytes_mode && (bytes_check(args) || bytearray_check(args))))
        c.dict = args;
    size_t i = 0;
    while (i < n) {
        const char *pct = memchr(p + i, '%', n - i);
        if (!pct) {
            strbuf_add(out, p + i, n - i);
            break;
        }
        strbuf_add(out, p + i, (size_t)(pct - (p + i)));
        i = (size_t)(pct - p) + 1;
        if (i < n && p[i] == '%') {
            strbuf_addc(out, '%');
            i++;
            continue;
        }
        // %(key)
        if (i < n && p[i] == '(') {
            if (!c.dict) {
                mini_raise_str(mini_exc_TypeError, "format requires a mapping");
                goto error;
            }
            size_t ks = ++i;
            int depth = 1;
            while (i < n && depth > 0) {
                if (p[i] == '(')
                    depth++;
                else if (p[i] == ')')
                    depth--;
                i++;
            }
            if (depth > 0) {
                mini_raise_str(mini_exc_ValueError, "incomplete format key");
                goto error;
            }
            MiniObject *key = bytes_mode ? bytes_new(p + ks, i - 1 - ks) : str_new(p + ks, i - 1 - ks);
            if (!key)
                goto error;
            MiniObject *v = mini_getitem(c.dict, key);
            MINI_DECREF(key);
            if (!v)
                goto error;
            MINI_XDECREF(c.owned);
            c.owned = v;
            c.args = v;
            c.arglen = -1;
            c.argidx = -2;
        }
        int flags = 0;
        while (i < n) {
            char f = p[i];
            if (f == '-')
                flags |= F_LJUST;
            else if (f == '+')
                flags |= F_SIGN;
            else if (f == ' ')
                flags |= F_BLANK;
            else if (f == '#')
                flags |= F_ALT;
            else if (f == '0')
                flags |= F_ZERO;
            else
                break;
            i++;
        }
        ssize_t width = -1, prec = -1;
        if (i < n && p[i] == '*') {
            MiniObject *w = next_arg(&c);
            if (!w)
                goto error;
            if (!int_check(w)) {
                mini_raise_str(mini_exc_TypeError, "* wants int");
                goto error;
            }
            int64_t wv;
            if (!int_as_i64(w, &wv)) {
                mini_error_clear();
                mini_raise_str(mini_exc_OverflowError,
                               "Python int too large to convert to C ssize_t");
                goto error;
            }
            if (wv < 0) {
                flags |= F_LJUST;
                wv = -wv;
            }
            width = (ssize_t)wv;
            i++;
        } else {
            while (i < n && p[i] >= '0' && p[i] <= '9') {
                if (width < 0)
                    width = 0;
                if (width > (SSIZE_MAX - 9) / 10) {
                    mini_raise_str(mini_exc_ValueError, "width too big");
                    goto error;
                }
                width = width * 10 + (p[i++] - '0');
            }
        }
        if (i < n && p[i] == '.') {
            i++;
            prec = 0;
            if (i < n && p[i] == '*') {
                MiniObject *w = next_arg(&c);
                if (!w)
                    goto error;
                if (!int_check(w)) {
                    mini_raise_str(mini_exc_TypeError, "* wants int");
                    goto error;
                }
                int64_t pv;
                if (!int_as_i64(w, &pv) || pv > INT_MAX || pv < INT_MIN) {
                    mini_error_clear();
                    mini_raise_str(mini_exc_OverflowError,
                                   "Python int too large to convert to C int");
                    goto error;
                }
                prec = pv < 0 ? 0 : (ssize_t)pv;
                i++;
            } else {
                while (i < n && p[i] >= '0' && p[i] <= '9') {
                    if (prec > (SSIZE_MAX - 9) / 10) {
                        mini_raise_str(mini_exc_ValueError, "precision too big");
                        goto error;
                    }
                    prec = prec * 10 + (p[i++] - '0');
                }
            }
        }
        // One length modifier (as in "%ld" or "%hi") is accepted and ignored.
        if (i < n && (p[i] == 'h' || p[i] == 'l' || p[i] == 'L'))
            i++;
        if (i >= n) {
            mini_raise_str(mini_exc_ValueError, "incomplete format");
            goto error;
        }
        if (width > (ssize_t)MINI_MAX_ALLOC) {
            mini_raise_memory();
            goto error;
        }
        size_t cl = 1;
        uint32_t conv = (unsigned char)p[i];
        size_t conv_index = i;
        if (!bytes_mode) {
            conv = utf8_decode((const unsigned char *)p + i, &cl);
            conv_index = utf8_count(p, i);
        }
        i += cl;
        MiniObject *v = next_arg(&c);
        if (!v)
            goto error;
        switch (conv) {
        case 's':
        case 'b':
            if (bytes_mode) {
                const char *d;
                size_t size;
                MiniObject *held = bytes_operand(v, &d, &size);
                if (!held)
                    goto error;
                if (prec >= 0 && (size_t)prec < size)
                    size = (size_t)prec;
                pad_into(out, d, size, size, width, flags & F_LJUST, 0);
                MINI_DECREF(held);
                break;
            }
            if (conv == 'b')
                goto unsupported;
            // fall through
        case 'r':
        case 'a': {
            // bytes take %r as %a: the text is ASCII either way.
            MiniObject *s = conv == 's'                  ? mini_str(v)
                            : conv == 'r' && !bytes_mode ? mini_repr(v)
                                                         : mini_ascii(v);
            if (!s)
                goto error;
            size_t size = STR_SIZE(s), len = STR_LEN(s);
            if (prec >= 0 && (size_t)prec < len) {
                size = str_byte_offset(s, (size_t)prec);
                len = (size_t)prec;
            }
            pad_into(out, STR_DATA(s), size, len, width, flags & F_LJUST, 0);
            MINI_DECREF(s);
            break;
        }
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            // bytes formatting names %i as %d in its messages.
            if (!format_int_conv(out, v, bytes_mode && conv == 'i' ? 'd' : (char)conv,
                                 (flags & F_LJUST) ? flags & ~F_ZERO : flags, width, prec))
                goto error;
            break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
            if (!format_float_conv(out, v, (char)conv, (flags & F_LJUST) ? flags & ~F_ZERO : flags,
                                   width, prec, bytes_mode))
                goto error;
            break;
        case 'c': {
            if (bytes_mode) {
                char ch;
                if (!bytes_char_operand(v, &ch))
                    goto error;
                pad_into(out, &ch, 1, 1, width, flags & F_LJUST, 0);
                break;
            }
            uint32_t ch;
            if (str_check(v)) {
                if (STR_LEN(v) != 1) {
                    mini_raise_str(mini_exc_TypeError, "%c requires int or char");
                    goto error;
                }
                size_t k;
                ch = utf8_decode((const unsigned char *)STR_DATA(v), &k);
            } else if (int_check(v) || mini_type(v)->nb_index) {
                MiniObject *iv = mini_index(v);
                if (!iv)
                    goto error;
                int64_t x;
                bool ok = int_as_i64(iv, &x);
                MINI_DECREF(iv);
                if (!ok || x < 0 || x > 0x10ffff) {
                    mini_error_clear();
                    mini_raise_str(mini_exc_OverflowError, "%c arg not in range(0x110000)");
                    goto error;
                }
                ch = (uint32_t)x;
            } else {
                mini_raise_str(mini_exc_TypeError, "%c requires int or char");
                goto error;
            }
            char buf[4];
            size_t bl = utf8_encode(ch, buf);
            pad_into(out, buf, bl, 1, width, flags & F_LJUST, 0);
            break;
        }
        default:
        unsupported:
            // CPython reads a bytes format character as a signed char, so one from 0x80 up
            // makes its message itself fail this way.
            if (bytes_mode && conv >= 0x80) {
                mini_raise_str(mini_exc_OverflowError,
                               "character argument not in range(0x110000)");
                goto error;
            }
            mini_raise(mini_exc_ValueError, "unsupported format character '%c' (0x%x) at index %zu",
                       (conv >= 32 && conv <= 126) ? (int)conv : '?', (unsigned)conv, conv_index);
            goto error;
        }
        if (out->failed)
            goto error;
    }
    if (c.argidx < c.arglen && !c.dict) {
        mini_raise(mini_exc_TypeError, "not all arguments converted during %s formatting",
                   bytes_mode ? "bytes" : "string");
        goto error;
    }
    MINI_XDECREF(c.owned);
    return !out->failed;
error:
    MINI_XDECREF(c.owned);
    return false;
}

MiniObject *str_percent_format(MiniObject *fmt, MiniObject *args) {
    StrBuf out;
    strbuf_init(&out);
    if (!percent_format(STR_DATA(fmt), STR_SIZE(fmt), args, false, &out)) {
        strbuf_free(&out);
        return NULL;
    }
    return strbuf_finish(&out);
}

MiniObject *bytes_percent_format(MiniObject *fmt, MiniObject *args) {
    const char *p;
    size_t n;
    if (!bytes_buffer(fmt, &p, &n))
        return mini_raise_str(mini_exc_SystemError, "bytes_percent_format: not bytes");
    StrBuf out;
    strbuf_init(&out);
    if (!percent_format(p, n, args, true, &out)) {
        strbuf_free(&out);
        return NULL;
    }
    const char *d = out.data ? out.data : "";
    MiniObject *r = bytearray_check(fmt) ? bytearray_new(d, out.size) : bytes_new(d, out.size);
    strbuf_free(&out);
    return r;
}
