// float.c - the float type: IEEE doubles with Python's semantics: the shortest round-trip
// repr, floor division and modulo with the divisor's sign, exact comparison with ints,
// CPython's numeric hash, float() parsing and float.__format__.
//
// Notes about the implementation
// ------------------------------
// CPython turns doubles into text with David Gay's dtoa. mini gets the same digits from the C
// library instead: glibc's printf("%.*e") and printf("%.*f") round correctly (from the exact
// binary value, half to even), and strtod reads correctly, so
//   - "mode 0" (shortest repr) tries 15, 16 then 17 significant digits and keeps the first
//     that reads back as the same double;
//   - "mode 2" (n significant digits) is "%.{n-1}e";
//   - "mode 3" (n digits after the point) is "%.{n}f".
// float_digits() returns those digits with dtoa's conventions (no trailing zeros, a decimal
// point position), and layout_digits() is CPython's format_float_short(), which places them
// for repr, 'e', 'f', 'g' and the no-type format. All of this assumes the C locale for
// LC_NUMERIC (main may set LC_CTYPE only).
//
// round(x, n) is computed exactly with GMP rationals and read back with strtod, which gives
// the same result as CPython's dtoa-based double_round.
//
// Ownership: every function here that returns a MiniObject * returns a new reference, or NULL
// with an exception pending (binary slots return a new reference to NotImplemented for
// operands they do not handle); arguments are borrowed. char * results come from mini_malloc
// and the caller frees them with mini_free.

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../vm/vm.h"
#include "format.h"
#include "int.h"

#define FLOAT_VAL(o) (((MiniFloat *)(o))->value)
#define HASH_MODULUS (((uint64_t)1 << 61) - 1)
#define HASH_BITS 61

// ---------------------------------------------------------------------------------------------
// Basics
// ---------------------------------------------------------------------------------------------

MiniObject *float_new(double v) {
    MiniFloat *f = (MiniFloat *)mini_alloc(&mini_float_type, sizeof(MiniFloat));
    if (!f)
        return NULL;
    f->value = v;
    return (MiniObject *)f;
}

// The value of [o] as an operand of float arithmetic: 1 with *out set, 0 when [o] is not a
// number float arithmetic accepts (the slot returns NotImplemented), -1 on error (an int too
// large for a double).
static int to_double(MiniObject *o, double *out) {
    if (MINI_IS_SMALLINT(o)) {
        *out = (double)MINI_SMALLINT_VALUE(o);
        return 1;
    }
    if (MINI_IS_PTR(o) && float_check(o)) {
        *out = FLOAT_VAL(o);
        return 1;
    }
    if (int_check(o))
        return int_to_double(o, out) ? 1 : -1;
    return 0;
}

double float_as_double(MiniObject *o) {
    double d;
    int r = to_double(o, &d);
    if (r > 0)
        return d;
    if (r < 0)
        return -1.0;
    MiniType *t = mini_type(o);
    if (t->nb_float) {
        MiniObject *f = t->nb_float(o);
        if (!f)
            return -1.0;
        if (!float_check(f)) {
            mini_raise(mini_exc_TypeError, "%s.__float__ returned non-float (type %s)", t->name,
                       mini_type_name(f));
            MINI_DECREF(f);
            return -1.0;
        }
        d = FLOAT_VAL(f);
        MINI_DECREF(f);
        return d;
    }
    if (t->nb_index) {
        MiniObject *i = t->nb_index(o);
        if (!i)
            return -1.0;
        if (!int_check(i)) {
            mini_raise(mini_exc_TypeError, "__index__ returned non-int (type %s)",
                       mini_type_name(i));
            MINI_DECREF(i);
            return -1.0;
        }
        bool ok = int_to_double(i, &d);
        MINI_DECREF(i);
        return ok ? d : -1.0;
    }
    mini_raise(mini_exc_TypeError, "must be real number, not %s", mini_type_name(o));
    return -1.0;
}

// The value as an exact float (float(self) for subclass instances). New reference.
static MiniObject *float_exact(MiniObject *o) {
    if (o->type == &mini_float_type)
        return mini_newref(o);
    return float_new(FLOAT_VAL(o));
}

// Raises [type] the way CPython's PyErr_SetFromErrno does for the math errors of **:
// OverflowError: (34, 'Numerical result out of range').
static MiniObject *raise_math_errno(MiniType *type, int err) {
    const char *text = err == ERANGE ? "Numerical result out of range"
                                     : "Numerical argument out of domain";
    MiniObject *msg = str_from_cstr(text);
    if (!msg)
        return NULL;
    MiniObject *args = tuple_pack(2, MINI_FROM_SMALLINT(err), msg);
    MINI_DECREF(msg);
    if (!args)
        return NULL;
    MiniObject *exc = exception_new(type, args);
    MINI_DECREF(args);
    if (!exc)
        return NULL;
    mini_raise_object(exc);
    MINI_DECREF(exc);
    return NULL;
}

// ---------------------------------------------------------------------------------------------
// Digits: the dtoa modes on top of printf and strtod
// ---------------------------------------------------------------------------------------------

// Strips the trailing zeros of the digit string [d] (keeping none: "" for zero digits).
static void strip_trailing_zeros(char *d) {
    size_t n = strlen(d);
    while (n > 0 && d[n - 1] == '0')
        n--;
    d[n] = '\0';
}

// Splits printf's "%.*e" text "D.DDDDe+XX" into the digit string (written to [digits]) and
// returns the decimal point position (exponent + 1).
static int split_e_text(const char *text, char *digits) {
    size_t n = 0;
    const char *p = text;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[n++] = *p;
    digits[n] = '\0';
    return atoi(p + 1) + 1;
}

// Increments the decimal digit string [d] (no carry out of the first digit: the caller only
// uses it for strings that do not consist of nines). Returns false on a full carry.
static bool increment_digits(char *d) {
    for (size_t i = strlen(d); i-- > 0;) {
        if (d[i] != '9') {
            d[i]++;
            return true;
        }
        d[i] = '0';
    }
    return false;
}

// The shortest digits that read back as [v] (finite, > 0) into [digits] (at least 18 bytes);
// returns decpt. This is dtoa's mode 0.
static int shortest_digits(double v, char *digits) {
    char text[40];
    // For a normal double, if some k <= 15 digits read back, the correctly rounded 15 digits
    // are those k digits padded with zeros (half a 15-digit unit exceeds half an ulp), so
    // trying 15 first and stripping zeros finds them. Subnormals have fewer bits than that
    // argument needs: they try every length.
    for (int prec = v < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        snprintf(text, sizeof text, "%.*e", prec - 1, v);
        if (strtod(text, NULL) == v) {
            int decpt = split_e_text(text, digits);
            strip_trailing_zeros(digits);
            return decpt;
        }
        // A power of two has a lower neighbour twice as close as the upper one, so the
        // nearest 16-digit decimal may miss while the next one up reads back: dtoa takes it.
        int exp;
        if (prec == 16 && frexp(v, &exp) == 0.5) {
            char up[40];
            int decpt = split_e_text(text, up);
            if (increment_digits(up)) {
                char check[48];
                snprintf(check, sizeof check, "0.%se%d", up, decpt);
                if (strtod(check, NULL) == v) {
                    strcpy(digits, up);
                    strip_trailing_zeros(digits);
                    return decpt;
                }
            }
        }
    }
    return split_e_text(text, digits); // 17 digits always read back
}

// The decimal digits of |v| (finite) the way dtoa gives them to CPython: mode 0 the shortest
// round-trip digits, mode 2 [ndigits] (>= 1) significant digits, mode 3 the digits up to
// [ndigits] places after the point. Trailing zeros are dropped, and *decpt is the position of
// the decimal point: |v| ~ 0.DIGITS x 10**decpt. Zero gives "0" with decpt 1; a mode-3 value
// that rounds to zero gives "" with decpt -ndigits. Memory from mini_malloc, NULL on failure.
static char *float_digits(double v, int mode, int ndigits, int *decpt) {
    v = fabs(v);
    if (v == 0.0) {
        char *d = mini_malloc(2);
        if (d) {
            strcpy(d, "0");
            *decpt = 1;
        }
        return d;
    }
    if (mode == 0) {
        char *d = mini_malloc(24);
        if (d)
            *decpt = shortest_digits(v, d);
        return d;
    }
    const char *fmt = mode == 2 ? "%.*e" : "%.*f";
    int prec = mode == 2 ? ndigits - 1 : ndigits;
    int len = snprintf(NULL, 0, fmt, prec, v);
    char *text = mini_malloc((size_t)len + 1);
    char *digits = mini_malloc((size_t)len + 1);
    if (!text || !digits) {
        mini_free(text);
        mini_free(digits);
        return NULL;
    }
    snprintf(text, (size_t)len + 1, fmt, prec, v);
    if (mode == 2) {
        *decpt = split_e_text(text, digits);
        strip_trailing_zeros(digits);
        if (!digits[0])
            strcpy(digits, "0");
    } else {
        // "III.FFF": the point sits after the integer digits; leading zeros move it left.
        size_t n = 0;
        int point = -1;
        for (const char *p = text; *p; p++) {
            if (*p == '.')
                point = (int)n;
            else
                digits[n++] = *p;
        }
        digits[n] = '\0';
        if (point < 0)
            point = (int)n;
        size_t lead = 0;
        while (digits[lead] == '0')
            lead++;
        memmove(digits, digits + lead, n - lead + 1);
        point -= (int)lead;
        strip_trailing_zeros(digits);
        *decpt = digits[0] ? point : -ndigits;
    }
    mini_free(text);
    return digits;
}

// Places [digits] (decimal point at [decpt]) as CPython's format_float_short does for [code]
// ('e', 'f', 'g' or 'r') and [precision] (already adjusted: 'e' counts the leading digit).
// Returns the text without sign, from mini_malloc.
static char *layout_digits(const char *digits, int decpt, char code, int precision, bool alt,
                           bool add_dot_0, bool upper) {
    long dlen = (long)strlen(digits);
    long vdigits_end = dlen, d = decpt;
    bool use_exp = false;
    int exp = 0;
    switch (code) {
    case 'e':
        use_exp = true;
        vdigits_end = precision;
        break;
    case 'f':
        vdigits_end = d + precision;
        break;
    case 'g':
        if (d <= -4 || d > (add_dot_0 ? precision - 1 : precision))
            use_exp = true;
        if (alt)
            vdigits_end = precision;
        break;
    default: // 'r': exponent from 1e16 on, as CPython's repr
        if (d <= -4 || d > 16)
            use_exp = true;
        break;
    }
    if (use_exp) {
        exp = (int)d - 1;
        d = 1;
    }
    long vdigits_start = d <= 0 ? d - 1 : 0;
    if (!use_exp && add_dot_0)
        vdigits_end = vdigits_end > d ? vdigits_end : d + 1;
    else
        vdigits_end = vdigits_end > d ? vdigits_end : d;
    if (vdigits_end < dlen)
        vdigits_end = dlen;

    size_t size = (size_t)(vdigits_end - vdigits_start) + 2 + 16;
    char *buf = mini_malloc(size);
    if (!buf)
        return NULL;
    char *p = buf;
    if (d <= 0) {
        memset(p, '0', (size_t)(d - vdigits_start));
        p += d - vdigits_start;
        *p++ = '.';
        memset(p, '0', (size_t)-d);
        p += -d;
    } else {
        memset(p, '0', (size_t)-vdigits_start);
        p += -vdigits_start;
    }
    if (0 < d && d <= dlen) {
        memcpy(p, digits, (size_t)d);
        p += d;
        *p++ = '.';
        memcpy(p, digits + d, (size_t)(dlen - d));
        p += dlen - d;
    } else {
        memcpy(p, digits, (size_t)dlen);
        p += dlen;
    }
    if (dlen < d) {
        memset(p, '0', (size_t)(d - dlen));
        p += d - dlen;
        *p++ = '.';
        memset(p, '0', (size_t)(vdigits_end - d));
        p += vdigits_end - d;
    } else {
        memset(p, '0', (size_t)(vdigits_end - dlen));
        p += vdigits_end - dlen;
    }
    if (p[-1] == '.' && !alt)
        p--;
    if (use_exp) {
        *p++ = upper ? 'E' : 'e';
        p += snprintf(p, 16, "%+.02d", exp);
    }
    *p = '\0';
    return buf;
}

// The text of [v] without its sign, as CPython's PyOS_double_to_string makes it for [code]
// (e E f F g G, or r for repr) and [precision]; *negative tells the sign (never for NaN, and
// not for a value that rounds to zero when [no_neg_0]). Memory from mini_malloc.
static char *double_to_text(double v, char code, int precision, bool alt, bool add_dot_0,
                            bool no_neg_0, bool *negative) {
    bool upper = false;
    int mode;
    switch (code) {
    case 'E':
        upper = true;
        code = 'e';
        // fall through
    case 'e':
        mode = 2;
        precision++;
        break;
    case 'F':
        upper = true;
        code = 'f';
        // fall through
    case 'f':
        mode = 3;
        break;
    case 'G':
        upper = true;
        code = 'g';
        // fall through
    case 'g':
        mode = 2;
        if (precision == 0)
            precision = 1;
        break;
    default:
        mode = 0;
        code = 'r';
        break;
    }
    *negative = !isnan(v) && signbit(v);
    if (!isfinite(v)) {
        const char *s = isnan(v) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        char *buf = mini_malloc(4);
        if (buf)
            strcpy(buf, s);
        return buf;
    }
    int decpt;
    char *digits = float_digits(v, mode, precision, &decpt);
    if (!digits)
        return NULL;
    if (no_neg_0 && *negative && (!digits[0] || strcmp(digits, "0") == 0))
        *negative = false;
    char *text = layout_digits(digits, decpt, code, precision, alt, add_dot_0, upper);
    mini_free(digits);
    return text;
}

MiniObject *float_repr_double(double v) {
    bool negative;
    char *text = double_to_text(v, 'r', 0, false, true, false, &negative);
    if (!text)
        return NULL;
    MiniObject *r;
    if (negative) {
        StrBuf sb;
        strbuf_init(&sb);
        strbuf_addc(&sb, '-');
        strbuf_adds(&sb, text);
        r = strbuf_finish(&sb);
    } else {
        r = str_new(text, strlen(text));
    }
    mini_free(text);
    return r;
}

static MiniObject *float_repr(MiniObject *o) { return float_repr_double(FLOAT_VAL(o)); }

// ---------------------------------------------------------------------------------------------
// __format__
// ---------------------------------------------------------------------------------------------

bool num_spec_has_z(MiniObject *spec) {
    const unsigned char *s = (const unsigned char *)STR_DATA(spec);
    size_t n = STR_SIZE(spec), i = 0;
    static const char aligns[] = "<>=^";
    // [[fill]align]: the fill is one code point, possibly several bytes.
    size_t clen = 1;
    if (n > 0 && s[0] >= 0xc0)
        clen = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (n > clen && memchr(aligns, s[clen], 4))
        i = clen + 1;
    else if (n > 0 && memchr(aligns, s[0], 4))
        i = 1;
    if (i < n && (s[i] == '+' || s[i] == '-' || s[i] == ' '))
        i++;
    return i < n && s[i] == 'z';
}

MiniObject *float_format_parsed(double v, const FormatSpec *spec, bool no_neg_0,
                                const char *type_name) {
    // format_spec_parse has refused the separators that no type allows ("Cannot specify ','
    // with 'x'."); the rest, like ',d', fall to the unknown code below, as in CPython.
    char type = spec->type;
    switch (type) {
    case 0: case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'n': case '%':
        break;
    default:
        return num_unknown_format_code(type, type_name);
    }
    if (spec->precision > INT_MAX)
        return mini_raise_str(mini_exc_ValueError, "precision too big");
    int precision = (int)spec->precision;
    int default_precision = 6;
    bool add_dot_0 = false, pct = false;
    char code = type;
    if (type == 0) {
        // No type: repr when no precision is given, else like 'g' but keeping a digit after
        // the point.
        add_dot_0 = true;
        code = 'r';
        default_precision = 0;
    }
    if (type == 'n')
        code = 'g';
    if (type == '%') {
        code = 'f';
        v *= 100;
        pct = true;
    }
    if (precision < 0)
        precision = default_precision;
    else if (code == 'r')
        code = 'g';
    bool negative;
    char *text = double_to_text(v, code, precision, spec->alternate, add_dot_0, no_neg_0,
                                &negative);
    if (!text)
        return NULL;
    // The integer digits get the grouping; the rest (".5", "e+10", "inf") is copied.
    size_t ndig = strspn(text, "0123456789");
    size_t tlen = strlen(text);
    char *digits = mini_malloc(ndig + 1);
    char *rest = mini_malloc(tlen - ndig + 2);
    MiniObject *r = NULL;
    if (digits && rest) {
        memcpy(digits, text, ndig);
        digits[ndig] = '\0';
        memcpy(rest, text + ndig, tlen - ndig);
        rest[tlen - ndig] = '\0';
        if (pct)
            strcat(rest, "%");
        r = format_number(spec, negative, "", digits, rest);
    }
    mini_free(digits);
    mini_free(rest);
    mini_free(text);
    return r;
}

static MiniObject *float_format_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames) > 0)
        return mini_raise_str(mini_exc_TypeError,
                              "float.__format__() takes no keyword arguments");
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError,
                          "float.__format__() takes exactly one argument (%zu given)", nargs);
    MiniObject *spec = args[0];
    if (!str_check(spec))
        return mini_raise(mini_exc_TypeError, "__format__() argument must be str, not %s",
                          num_clinic_type_name(spec));
    if (STR_SIZE(spec) == 0)
        return mini_str(self);
    const char *type_name = mini_type_name(self);
    FormatSpec fs;
    if (!format_spec_parse(spec, type_name, &fs))
        return NULL;
    return float_format_parsed(FLOAT_VAL(self), &fs, num_spec_has_z(spec), type_name);
}

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

// Reads both operands of a binary slot as doubles, or returns NotImplemented / NULL.
#define FLOAT_OPERANDS(a, b, x, y)                                                               \
    double x, y;                                                                                 \
    do {                                                                                         \
        int _ra = to_double(a, &x);                                                              \
        if (_ra <= 0)                                                                            \
            return _ra < 0 ? NULL : mini_newref(MINI_NOTIMPL);                                   \
        int _rb = to_double(b, &y);                                                              \
        if (_rb <= 0)                                                                            \
            return _rb < 0 ? NULL : mini_newref(MINI_NOTIMPL);                                   \
    } while (0)

static MiniObject *float_add(MiniObject *a, MiniObject *b) {
    FLOAT_OPERANDS(a, b, x, y);
    return float_new(x + y);
}

static MiniObject *float_sub(MiniObject *a, MiniObject *b) {
    FLOAT_OPERANDS(a, b, x, y);
    return float_new(x - y);
}

static MiniObject *float_mul(MiniObject *a, MiniObject *b) {
    FLOAT_OPERANDS(a, b, x, y);
    return float_new(x * y);
}

static MiniObject *float_truediv(MiniObject *a, MiniObject *b) {
    FLOAT_OPERANDS(a, b, x, y);
    if (y == 0.0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "float division by zero");
    return float_new(x / y);
}

// CPython's _float_div_mod: fmod-based, the remainder takes the divisor's sign, and the
// quotient is the floor, corrected for fmod's rounding.
static void float_divmod_values(double vx, double wx, double *floordiv, double *mod) {
    double m = fmod(vx, wx);
    double div = (vx - m) / wx;
    if (m) {
        if ((wx < 0) != (m < 0)) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = copysign(0.0, wx);
    }
    double fd;
    if (div) {
        fd = floor(div);
        if (div - fd > 0.5)
            fd += 1.0;
    } else {
        fd = copysign(0.0, vx / wx);
    }
    *floordiv = fd;
    *mod = m;
}

static MiniObject *float_floordiv(MiniObject *a, MiniObject *b) {
    FLOAT_OPERANDS(a, b, x, y);
    if (y == 0.0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "float floor division by zero");
    double q, r;
    float_divmod_values(x, y, &q, &r);
    return float_new(q);
}

static MiniObject *float_mod(MiniObject *a, MiniObject *b) {
    FLOAT_OPERANDS(a, b, x, y);
    if (y == 0.0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "float modulo");
    double m = fmod(x, y);
    if (m) {
        if ((y < 0) != (m < 0))
            m += y;
    } else {
        m = copysign(0.0, y);
    }
    return float_new(m);
}

static MiniObject *divmod_doubles(double x, double y) {
    if (y == 0.0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "float divmod()");
    double q, r;
    float_divmod_values(x, y, &q, &r);
    MiniObject *fq = float_new(q), *fr = float_new(r);
    MiniObject *t = (fq && fr) ? tuple_pack(2, fq, fr) : NULL;
    MINI_XDECREF(fq);
    MINI_XDECREF(fr);
    return t;
}

static inline bool is_odd_integer(double x) { return fmod(fabs(x), 2.0) == 1.0; }

// CPython's float_pow, except that a negative base with a fractional exponent, which CPython
// answers with a complex number, raises ValueError since mini has no complex type.
MiniObject *float_pow_doubles(double iv, double iw) {
    if (iw == 0)
        return float_new(1.0); // x**0 is 1, even 0**0 and nan**0
    if (isnan(iv))
        return float_new(iv);
    if (isnan(iw))
        return float_new(iv == 1.0 ? 1.0 : iw);
    if (isinf(iw)) {
        iv = fabs(iv);
        if (iv == 1.0)
            return float_new(1.0);
        if ((iw > 0.0) == (iv > 1.0))
            return float_new(fabs(iw));
        return float_new(0.0);
    }
    if (isinf(iv)) {
        bool odd = is_odd_integer(iw);
        if (iw > 0.0)
            return float_new(odd ? iv : fabs(iv));
        return float_new(odd ? copysign(0.0, iv) : 0.0);
    }
    if (iv == 0.0) {
        if (iw < 0.0)
            return mini_raise_str(mini_exc_ZeroDivisionError,
                                  "0.0 cannot be raised to a negative power");
        return float_new(is_odd_integer(iw) ? iv : 0.0);
    }
    bool negate = false;
    if (iv < 0.0) {
        if (iw != floor(iw))
            return mini_raise_str(mini_exc_ValueError,
                                  "negative number cannot be raised to a fractional power");
        iv = -iv;
        negate = is_odd_integer(iw);
    }
    if (iv == 1.0)
        return float_new(negate ? -1.0 : 1.0);
    errno = 0;
    double ix = pow(iv, iw);
    int err = errno;
    if (err == 0 && isinf(ix))
        err = ERANGE; // overflow
    else if (err == ERANGE && ix == 0.0)
        err = 0; // underflow to zero is fine
    if (negate)
        ix = -ix;
    if (err)
        return raise_math_errno(err == ERANGE ? mini_exc_OverflowError : mini_exc_ValueError,
                                err);
    return float_new(ix);
}

static MiniObject *float_pow(MiniObject *a, MiniObject *b) {
    FLOAT_OPERANDS(a, b, x, y);
    return float_pow_doubles(x, y);
}

static MiniObject *float_pow3(MiniObject *a, MiniObject *b, MiniObject *m) {
    // As in CPython, a modulus is refused before the operands are even looked at, so
    // pow('x', 2, 1.5) reaches here (through the float) and gets this message too.
    if (m != MINI_NONE)
        return mini_raise_str(mini_exc_TypeError,
                              "pow() 3rd argument not allowed unless all arguments are integers");
    FLOAT_OPERANDS(a, b, x, y);
    return float_pow_doubles(x, y);
}

static MiniObject *float_neg(MiniObject *o) { return float_new(-FLOAT_VAL(o)); }
static MiniObject *float_pos(MiniObject *o) { return float_exact(o); }
static MiniObject *float_abs(MiniObject *o) { return float_new(fabs(FLOAT_VAL(o))); }
static int float_bool(MiniObject *o) { return FLOAT_VAL(o) != 0.0; }
static MiniObject *float_int(MiniObject *o) { return int_from_double(FLOAT_VAL(o)); }

// ---------------------------------------------------------------------------------------------
// Comparison and hash
// ---------------------------------------------------------------------------------------------

// Compares [a] and [b], at least one a float, the other a float or an int. Ints compare
// exactly (2**53 + 1 != 2.0**53), and NaN is unordered: only != holds.
static MiniObject *float_richcompare(MiniObject *a, MiniObject *b, int op) {
    bool af = MINI_IS_PTR(a) && float_check(a), bf = MINI_IS_PTR(b) && float_check(b);
    int c;
    if (af && bf) {
        double x = FLOAT_VAL(a), y = FLOAT_VAL(b);
        if (isnan(x) || isnan(y))
            return MINI_BOOL(op == CMP_NE);
        c = (x > y) - (x < y);
    } else if (af && int_check(b)) {
        double x = FLOAT_VAL(a);
        if (isnan(x))
            return MINI_BOOL(op == CMP_NE);
        c = -int_compare_double(b, x);
    } else if (bf && int_check(a)) {
        double y = FLOAT_VAL(b);
        if (isnan(y))
            return MINI_BOOL(op == CMP_NE);
        c = int_compare_double(a, y);
    } else {
        return mini_newref(MINI_NOTIMPL);
    }
    switch (op) {
    case CMP_LT:
        return MINI_BOOL(c < 0);
    case CMP_LE:
        return MINI_BOOL(c <= 0);
    case CMP_EQ:
        return MINI_BOOL(c == 0);
    case CMP_NE:
        return MINI_BOOL(c != 0);
    case CMP_GT:
        return MINI_BOOL(c > 0);
    default:
        return MINI_BOOL(c >= 0);
    }
}

// CPython's _Py_HashDouble: the value reduced modulo 2**61 - 1 exactly, so a float equal to an
// int hashes like it (hash(1.0) == hash(1), hash(0.5) == 2**60). NaN hashes by identity.
static int64_t float_hash(MiniObject *o) {
    double v = FLOAT_VAL(o);
    if (isinf(v))
        return v > 0 ? 314159 : -314159;
    if (isnan(v)) {
        uintptr_t p = (uintptr_t)o;
        int64_t h = (int64_t)((p >> 4) | (p << (8 * sizeof(uintptr_t) - 4)));
        return h == -1 ? -2 : h;
    }
    int e;
    double m = frexp(v, &e);
    int sign = 1;
    if (m < 0) {
        sign = -1;
        m = -m;
    }
    uint64_t x = 0;
    while (m) {
        x = ((x << 28) & HASH_MODULUS) | x >> (HASH_BITS - 28);
        m *= 268435456.0; // 2**28
        e -= 28;
        uint64_t y = (uint64_t)m;
        m -= (double)y;
        x += y;
        if (x >= HASH_MODULUS)
            x -= HASH_MODULUS;
    }
    e = e >= 0 ? e % HASH_BITS : HASH_BITS - 1 - ((-1 - e) % HASH_BITS);
    x = ((x << e) & HASH_MODULUS) | x >> (HASH_BITS - e);
    int64_t h = (int64_t)x * sign;
    return h == -1 ? -2 : h;
}

static void float_dealloc(MiniObject *o) { mini_object_free(o); }

// ---------------------------------------------------------------------------------------------
// float(): parsing and the constructor
// ---------------------------------------------------------------------------------------------

// Copies a run of decimal digits, allowing single underscores between two digits, from [*pp]
// to [*qq]; returns how many digits it copied.
static size_t copy_digits(const char **pp, const char *end, char **qq) {
    const char *p = *pp;
    char *q = *qq;
    size_t n = 0;
    while (p < end) {
        if (*p >= '0' && *p <= '9') {
            *q++ = *p++;
            n++;
        } else if (*p == '_' && n > 0 && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
            p++;
        } else {
            break;
        }
    }
    *pp = p;
    *qq = q;
    return n;
}

// Parses Python's float syntax in [s, end) (whitespace already stripped): a sign, then
// "inf", "infinity" or "nan" in any case, or a decimal number with optional fraction and
// exponent and underscores between digits. False when the text is not a float.
static bool parse_float_text(const char *s, const char *end, double *out) {
    const char *p = s;
    bool negative = false;
    if (p < end && (*p == '+' || *p == '-')) {
        negative = *p == '-';
        p++;
    }
    size_t rest = (size_t)(end - p);
    if ((rest == 3 && strncasecmp(p, "inf", 3) == 0) ||
        (rest == 8 && strncasecmp(p, "infinity", 8) == 0)) {
        *out = negative ? -INFINITY : INFINITY;
        return true;
    }
    if (rest == 3 && strncasecmp(p, "nan", 3) == 0) {
        *out = negative ? -NAN : NAN;
        return true;
    }
    char stack_buf[128];
    char *buf = rest + 2 <= sizeof stack_buf ? stack_buf : malloc(rest + 2);
    if (!buf)
        return false;
    char *q = buf;
    bool ok = true;
    size_t n = copy_digits(&p, end, &q);
    if (p < end && *p == '.') {
        *q++ = *p++;
        n += copy_digits(&p, end, &q);
    }
    if (n == 0)
        ok = false;
    if (ok && p < end && (*p == 'e' || *p == 'E')) {
        *q++ = *p++;
        if (p < end && (*p == '+' || *p == '-'))
            *q++ = *p++;
        if (copy_digits(&p, end, &q) == 0)
            ok = false;
    }
    if (p != end)
        ok = false;
    *q = '\0';
    if (ok) {
        double d = strtod(buf, NULL); // overflow gives inf, as float('1e500') does
        *out = negative ? -d : d;
    }
    if (buf != stack_buf)
        free(buf);
    return ok;
}

// float(x) for a str, bytes or bytearray [orig] holding [s] ([n] bytes). New reference.
static MiniObject *float_from_text(const char *s, size_t n, MiniObject *orig) {
    const char *b = s, *e = s + n;
    num_strip_space(&b, &e, str_check(orig));
    double d;
    if (!parse_float_text(b, e, &d)) {
        MiniObject *r = mini_repr(orig);
        if (!r)
            return NULL;
        mini_raise(mini_exc_ValueError, "could not convert string to float: %s", STR_DATA(r));
        MINI_DECREF(r);
        return NULL;
    }
    return float_new(d);
}

// The data of a bytes or bytearray object; false if [o] is neither.
static bool bytes_like(MiniObject *o, const char **data, size_t *size) {
    if (!MINI_IS_PTR(o))
        return false;
    if (bytes_check(o)) {
        *data = ((MiniBytes *)o)->data;
        *size = ((MiniBytes *)o)->size;
        return true;
    }
    if (mini_isinstance_type(o, &mini_bytearray_type)) {
        *data = ((MiniByteArray *)o)->data ? ((MiniByteArray *)o)->data : "";
        *size = ((MiniByteArray *)o)->size;
        return true;
    }
    return false;
}

static MiniObject *float_pos(MiniObject *o);

// float(x) as an exact float (CPython's PyNumber_Float). New reference.
static MiniObject *float_from_object(MiniObject *x) {
    if (MINI_IS_PTR(x) && x->type == &mini_float_type)
        return mini_newref(x);
    if (str_check(x)) {
        if (((MiniStr *)x)->ascii)
            return float_from_text(STR_DATA(x), STR_SIZE(x), x);
        // Unicode digits and spaces count, as in CPython: parse an ASCII rendering.
        size_t n;
        char *text = num_ascii_text(x, &n);
        if (!text)
            return NULL;
        MiniObject *r = float_from_text(text, n, x);
        mini_free(text);
        return r;
    }
    const char *data;
    size_t size;
    if (bytes_like(x, &data, &size))
        return float_from_text(data, size, x);
    MiniType *t = mini_type(x);
    if (t->nb_float == float_pos) // a float subclass that keeps float's __float__
        return float_new(FLOAT_VAL(x));
    if (t->nb_float) {
        MiniObject *f = t->nb_float(x);
        if (!f || (MINI_IS_PTR(f) && f->type == &mini_float_type))
            return f;
        if (!float_check(f)) {
            mini_raise(mini_exc_TypeError, "%s.__float__ returned non-float (type %s)", t->name,
                       mini_type_name(f));
            MINI_DECREF(f);
            return NULL;
        }
        MiniObject *r = float_new(FLOAT_VAL(f));
        MINI_DECREF(f);
        return r;
    }
    if (t->nb_index) {
        double d = float_as_double(x);
        if (d == -1.0 && mini_error_occurred())
            return NULL;
        return float_new(d);
    }
    return mini_raise(mini_exc_TypeError,
                      "float() argument must be a string or a real number, not '%s'", t->name);
}

static MiniObject *float_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames) > 0)
        return mini_raise_str(mini_exc_TypeError, "float() takes no keyword arguments");
    if (nargs > 1)
        return mini_raise(mini_exc_TypeError, "float expected at most 1 argument, got %zu",
                          nargs);
    MiniObject *value = nargs ? float_from_object(args[0]) : float_new(0.0);
    if (!value || type == &mini_float_type)
        return value;
    MiniFloat *f = (MiniFloat *)mini_type_alloc(type, 0);
    if (f)
        f->value = FLOAT_VAL(value);
    MINI_DECREF(value);
    return (MiniObject *)f;
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

static bool no_args(const char *qualname, size_t nargs, MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames) > 0) {
        mini_raise(mini_exc_TypeError, "%s() takes no keyword arguments", qualname);
        return false;
    }
    if (nargs) {
        mini_raise(mini_exc_TypeError, "%s() takes no arguments (%zu given)", qualname, nargs);
        return false;
    }
    return true;
}

static MiniObject *float_is_integer(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)args;
    if (!no_args("float.is_integer", nargs, kwnames))
        return NULL;
    double x = FLOAT_VAL(self);
    return MINI_BOOL(isfinite(x) && floor(x) == x);
}

static MiniObject *float_as_integer_ratio(MiniObject *self, MiniObject *const *args,
                                          size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!no_args("float.as_integer_ratio", nargs, kwnames))
        return NULL;
    double x = FLOAT_VAL(self);
    if (isinf(x))
        return mini_raise_str(mini_exc_OverflowError,
                              "cannot convert Infinity to integer ratio");
    if (isnan(x))
        return mini_raise_str(mini_exc_ValueError, "cannot convert NaN to integer ratio");
    int e;
    double m = frexp(x, &e);
    for (int i = 0; i < 300 && m != floor(m); i++) {
        m *= 2.0;
        e--;
    }
    mpz_t num, den;
    mpz_init_set_d(num, m);
    mpz_init_set_ui(den, 1);
    if (e > 0)
        mpz_mul_2exp(num, num, (mp_bitcnt_t)e);
    else
        mpz_mul_2exp(den, den, (mp_bitcnt_t)-e);
    MiniObject *n = int_from_mpz(num), *d = int_from_mpz(den);
    mpz_clears(num, den, NULL);
    MiniObject *t = (n && d) ? tuple_pack(2, n, d) : NULL;
    MINI_XDECREF(n);
    MINI_XDECREF(d);
    return t;
}

// float.hex(): "0x1.8000000000000p+1", exactly as CPython spells it.
static MiniObject *float_hex(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    if (!no_args("float.hex", nargs, kwnames))
        return NULL;
    double x = FLOAT_VAL(self);
    if (!isfinite(x))
        return float_repr_double(x);
    if (x == 0.0)
        return str_from_cstr(signbit(x) ? "-0x0.0p+0" : "0x0.0p+0");
    int e;
    double m = frexp(fabs(x), &e);
    int shift = 1 - (DBL_MIN_EXP - e > 0 ? DBL_MIN_EXP - e : 0);
    m = ldexp(m, shift);
    e -= shift;
    char s[32];
    int si = 0;
    static const char hexdigits[] = "0123456789abcdef";
    s[si++] = hexdigits[(int)m];
    m -= (int)m;
    s[si++] = '.';
    for (int i = 0; i < (DBL_MANT_DIG - 1) / 4; i++) {
        m *= 16.0;
        s[si++] = hexdigits[(int)m];
        m -= (int)m;
    }
    s[si] = '\0';
    char esign = '+';
    if (e < 0) {
        esign = '-';
        e = -e;
    }
    return str_from_format("%s0x%sp%c%d", x < 0.0 ? "-" : "", s, esign, e);
}

static inline bool hex_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// float.fromhex(s): the syntax is checked here, then the C library reads the C99 hex float
// (correctly rounded, half to even).
static MiniObject *float_fromhex(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames) > 0)
        return mini_raise_str(mini_exc_TypeError, "float.fromhex() takes no keyword arguments");
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError,
                          "float.fromhex() takes exactly one argument (%zu given)", nargs);
    MiniObject *arg = args[0];
    if (!str_check(arg))
        return mini_raise_str(mini_exc_TypeError, "bad argument type for built-in operation");
    const char *p = STR_DATA(arg), *end = p + STR_SIZE(arg);
    while (p < end && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
        p++;
    while (end > p && (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r')))
        end--;
    double result = 0.0;
    bool ok = true;
    const char *q = p;
    bool negative = false;
    if (q < end && (*q == '+' || *q == '-')) {
        negative = *q == '-';
        q++;
    }
    size_t rest = (size_t)(end - q);
    if ((rest == 3 && strncasecmp(q, "inf", 3) == 0) ||
        (rest == 8 && strncasecmp(q, "infinity", 8) == 0)) {
        result = negative ? -INFINITY : INFINITY;
    } else if (rest == 3 && strncasecmp(q, "nan", 3) == 0) {
        result = negative ? -NAN : NAN;
    } else {
        // [0x] hexdigits [. hexdigits] [p [sign] digits], rebuilt for strtod.
        size_t cap = rest + 8;
        char *buf = mini_malloc(cap);
        if (!buf)
            return NULL;
        char *w = buf;
        *w++ = '0';
        *w++ = 'x';
        if (end - q >= 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
            q += 2;
        size_t ndigits = 0;
        while (q < end && hex_digit(*q)) {
            *w++ = *q++;
            ndigits++;
        }
        if (q < end && *q == '.') {
            *w++ = *q++;
            while (q < end && hex_digit(*q)) {
                *w++ = *q++;
                ndigits++;
            }
        }
        if (ndigits == 0)
            ok = false;
        *w++ = 'p';
        if (ok && q < end && (*q == 'p' || *q == 'P')) {
            q++;
            if (q < end && (*q == '+' || *q == '-'))
                *w++ = *q++;
            if (q >= end || !(*q >= '0' && *q <= '9'))
                ok = false;
            while (q < end && *q >= '0' && *q <= '9')
                *w++ = *q++;
        } else {
            *w++ = '0';
        }
        *w = '\0';
        if (q != end)
            ok = false;
        if (ok) {
            result = strtod(buf, NULL);
            if (negative)
                result = -result;
        }
        mini_free(buf);
        if (ok && isinf(result))
            return mini_raise_str(mini_exc_OverflowError,
                                  "hexadecimal value too large to represent as a float");
    }
    if (!ok)
        return mini_raise_str(mini_exc_ValueError, "invalid hexadecimal floating-point string");
    MiniObject *f = float_new(result);
    if (f && cls != (MiniObject *)&mini_float_type) {
        MiniObject *r = mini_call(cls, &f, 1, NULL);
        MINI_DECREF(f);
        f = r;
    }
    return f;
}

static MiniObject *float_conjugate(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)args;
    if (!no_args("float.conjugate", nargs, kwnames))
        return NULL;
    return float_exact(self);
}

static MiniObject *float_getnewargs(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)args;
    if (!no_args("float.__getnewargs__", nargs, kwnames))
        return NULL;
    MiniObject *v = float_exact(self);
    if (!v)
        return NULL;
    MiniObject *t = tuple_pack(1, v);
    MINI_DECREF(v);
    return t;
}

// float.__getformat__(typestr): how C's double and float are stored (IEEE, little-endian on
// every machine mini supports).
static MiniObject *float_getformat(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)cls;
    if (kwnames && TUPLE_SIZE(kwnames) > 0)
        return mini_raise_str(mini_exc_TypeError, "float.__getformat__() takes no keyword arguments");
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError,
                          "float.__getformat__() takes exactly one argument (%zu given)", nargs);
    MiniObject *s = args[0];
    if (!str_check(s))
        return mini_raise(mini_exc_TypeError, "__getformat__() argument must be str, not %s",
                          num_clinic_type_name(s));
    if (strcmp(STR_DATA(s), "double") != 0 && strcmp(STR_DATA(s), "float") != 0)
        return mini_raise_str(mini_exc_ValueError,
                              "__getformat__() argument 1 must be 'double' or 'float'");
    return str_from_cstr("IEEE, little-endian");
}

static MiniObject *float_trunc(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!no_args("float.__trunc__", nargs, kwnames))
        return NULL;
    return int_from_double(FLOAT_VAL(self));
}

static MiniObject *float_floor(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!no_args("float.__floor__", nargs, kwnames))
        return NULL;
    return int_from_double(floor(FLOAT_VAL(self)));
}

static MiniObject *float_ceil(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    if (!no_args("float.__ceil__", nargs, kwnames))
        return NULL;
    return int_from_double(ceil(FLOAT_VAL(self)));
}

// round(x, ndigits) as a float: x * 10**ndigits is rounded half to even exactly (x is a dyadic
// rational, so GMP integers hold it), and the decimal result is read back by strtod, which
// rounds correctly, as CPython's dtoa-based double_round does.
static MiniObject *round_to_digits(double x, int64_t ndigits) {
    // Past these bounds rounding changes nothing, or everything rounds to zero.
    const int64_t ndigits_max = (int64_t)((DBL_MANT_DIG - DBL_MIN_EXP) * 0.30103);
    const int64_t ndigits_min = -(int64_t)((DBL_MAX_EXP + 1) * 0.30103);
    if (!isfinite(x) || x == 0.0 || ndigits > ndigits_max)
        return float_new(x);
    if (ndigits < ndigits_min)
        return float_new(0.0 * x);
    int e;
    double m = frexp(fabs(x), &e);
    mpz_t num, den, p, q, r;
    mpz_inits(num, den, p, q, r, NULL);
    mpz_set_d(num, ldexp(m, DBL_MANT_DIG)); // an integer below 2**53
    e -= DBL_MANT_DIG;
    mpz_set_ui(den, 1);
    if (e > 0)
        mpz_mul_2exp(num, num, (mp_bitcnt_t)e);
    else
        mpz_mul_2exp(den, den, (mp_bitcnt_t)-e);
    mpz_ui_pow_ui(p, 10, (unsigned long)(ndigits >= 0 ? ndigits : -ndigits));
    if (ndigits >= 0)
        mpz_mul(num, num, p);
    else
        mpz_mul(den, den, p);
    mpz_fdiv_qr(q, r, num, den);
    mpz_mul_2exp(r, r, 1);
    int c = mpz_cmp(r, den);
    if (c > 0 || (c == 0 && mpz_odd_p(q)))
        mpz_add_ui(q, q, 1);
    size_t len = mpz_sizeinbase(q, 10) + 32;
    char *buf = mini_malloc(len);
    double result = 0.0;
    if (buf) {
        mpz_get_str(buf, 10, q);
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, "e%lld", (long long)-ndigits);
        result = strtod(buf, NULL);
        mini_free(buf);
    }
    mpz_clears(num, den, p, q, r, NULL);
    if (!buf)
        return NULL;
    if (isinf(result))
        return mini_raise_str(mini_exc_OverflowError, "rounded value too large to represent");
    return float_new(copysign(result, x));
}

static MiniObject *float_round(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames) > 0)
        return mini_raise_str(mini_exc_TypeError, "float.__round__() takes no keyword arguments");
    if (nargs > 1)
        return mini_raise(mini_exc_TypeError, "__round__ expected at most 1 argument, got %zu",
                          nargs);
    double x = FLOAT_VAL(self);
    if (nargs == 0 || args[0] == MINI_NONE) {
        // Round half to even, to an int.
        double rounded = round(x);
        if (fabs(x - rounded) == 0.5)
            rounded = 2.0 * round(x / 2.0);
        return int_from_double(rounded);
    }
    MiniObject *nd = mini_index(args[0]);
    if (!nd)
        return NULL;
    int64_t n;
    if (!int_as_i64(nd, &n)) {
        // Huge ndigits clamp, as CPython's PyNumber_AsSsize_t(o, NULL) does.
        mini_error_clear();
        n = int_sign(nd) < 0 ? INT64_MIN : INT64_MAX;
    }
    MINI_DECREF(nd);
    return round_to_digits(x, n);
}

static MiniObject *float_divmod_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    if (!mini_no_kwargs("__divmod__", kwnames) || !mini_check_nargs("__divmod__", nargs, 1, 1))
        return NULL;
    FLOAT_OPERANDS(self, args[0], x, y);
    return divmod_doubles(x, y);
}

static MiniObject *float_rdivmod_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    if (!mini_no_kwargs("__rdivmod__", kwnames) ||
        !mini_check_nargs("__rdivmod__", nargs, 1, 1))
        return NULL;
    FLOAT_OPERANDS(args[0], self, x, y);
    return divmod_doubles(x, y);
}

static MiniObject *float_get_real(MiniObject *self) { return float_exact(self); }
static MiniObject *float_get_imag(MiniObject *self) {
    (void)self;
    return float_new(0.0);
}

static const MiniMethodDef float_methods[] = {
    {"is_integer", float_is_integer, 0, "Return True if the float is an integer."},
    {"as_integer_ratio", float_as_integer_ratio, 0,
     "Return integer ratio: a pair of integers whose ratio is exactly equal to the float."},
    {"hex", float_hex, 0, "Return a hexadecimal representation of a floating-point number."},
    {"fromhex", float_fromhex, MINI_METH_CLASS,
     "Create a floating-point number from a hexadecimal string."},
    {"conjugate", float_conjugate, 0, "Return self, the complex conjugate of any float."},
    {"__round__", float_round, 0, "Return the Integral closest to x, rounding half toward even."},
    {"__trunc__", float_trunc, 0, "Return the Integral closest to x between 0 and x."},
    {"__floor__", float_floor, 0, "Return the floor as an Integral."},
    {"__ceil__", float_ceil, 0, "Return the ceiling as an Integral."},
    {"__format__", float_format_method, 0, "Formats the float according to format_spec."},
    {"__divmod__", float_divmod_method, 0, "Return divmod(self, value)."},
    {"__rdivmod__", float_rdivmod_method, 0, "Return divmod(value, self)."},
    {"__getnewargs__", float_getnewargs, 0, NULL},
    {"__getformat__", float_getformat, MINI_METH_CLASS,
     "You probably don't want to use this function."},
    {NULL, NULL, 0, NULL},
};

static const MiniGetSetDef float_getset[] = {
    {"real", float_get_real, NULL, "the real part of a complex number"},
    {"imag", float_get_imag, NULL, "the imaginary part of a complex number"},
    {NULL, NULL, NULL, NULL},
};

// As for int, the str slot stays NULL so that str() follows a subclass's __repr__.
MiniType mini_float_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "float",
    .basicsize = sizeof(MiniFloat),
    .flags = MINI_TPFLAG_BASETYPE,
    .dealloc = float_dealloc,
    .tp_new = float_tp_new,
    .repr = float_repr,
    .hash = float_hash,
    .richcompare = float_richcompare,
    .binop =
        {
            [BINOP_ADD] = float_add,
            [BINOP_SUB] = float_sub,
            [BINOP_MUL] = float_mul,
            [BINOP_TRUEDIV] = float_truediv,
            [BINOP_FLOORDIV] = float_floordiv,
            [BINOP_MOD] = float_mod,
            [BINOP_POW] = float_pow,
        },
    .nb_pow3 = float_pow3,
    .nb_neg = float_neg,
    .nb_pos = float_pos,
    .nb_abs = float_abs,
    .nb_bool = float_bool,
    .nb_int = float_int,
    .nb_float = float_pos,
    .methods = float_methods,
    .getset = float_getset,
    .doc = "Convert a string or number to a floating point number, if possible.",
};
