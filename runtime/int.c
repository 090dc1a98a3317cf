// int.c - the int and bool types: tagged small ints with a GMP fallback, Python's integer
// semantics (arbitrary precision, floor division, CPython's numeric hash), int() parsing and
// int.__format__.
//
// Notes about the implementation
// ------------------------------
// Every operation first tries the case where both operands are small (63-bit immediates, or
// bools) with machine arithmetic, overflow-checked with __builtin_*_overflow, and falls back to
// GMP only when a value or a result does not fit. Results always go through int_from_i64 or
// int_from_mpz*, which return an immediate when the value fits, so an exact big int never holds
// a small value and small ints compare by pointer.
//
// GMP aborts the process when it cannot allocate memory. So every operation that can make a
// large result (*, **, <<, to_bytes, and str of a huge int) estimates the size of the result
// first and raises MemoryError beyond MINI_MAX_ALLOC bytes instead of asking GMP for it:
// `2 ** 10**12` and `1 << 10**12` fail at once, as in CPython.
//
// bool is a subclass of int whose only values are the immediates MINI_TRUE and MINI_FALSE;
// every int slot accepts them as 1 and 0. bool defines only repr, its constructor and the
// operators & | ^ (which give a bool when both operands are bools); it inherits the rest.
//
// Ownership: every function here that returns a MiniObject * returns a new reference, or NULL
// with an exception pending (binary slots return a new reference to NotImplemented for
// operands they do not handle); arguments are borrowed unless a comment says "takes over".

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vm.h"
#include "format.h"
#include "int.h"

_Static_assert(sizeof(long) == sizeof(int64_t), "GMP's long functions must hold an int64_t");

// The largest result, in bits, an operation may ask GMP to build (MINI_MAX_ALLOC bytes; a
// terabyte when the heap is uncapped, still far below what makes GMP abort on a 64-bit size).
#define MAX_RESULT_BITS                                                                          \
    ((uint64_t)(MINI_MAX_ALLOC ? (uint64_t)MINI_MAX_ALLOC : ((uint64_t)1 << 40)) * 8)

// CPython's hash modulus, the Mersenne prime 2**61 - 1 (sys.hash_info.modulus).
#define HASH_MODULUS (((uint64_t)1 << 61) - 1)

// ---------------------------------------------------------------------------------------------
// Values: reading any int form, building normalised results
// ---------------------------------------------------------------------------------------------

// The value of an int operand: a machine int when it fits a small int, otherwise a pointer to
// the GMP integer inside the object (borrowed from it).
typedef struct {
    bool small;
    int64_t v;
    mpz_srcptr z;
} IntVal;

static inline bool mpz_fits_small(mpz_srcptr z, int64_t *out) {
    if (!mpz_fits_slong_p(z))
        return false;
    long v = mpz_get_si(z);
    if (!MINI_FITS_SMALLINT(v))
        return false;
    *out = v;
    return true;
}

// Reads the value of [o] into [out]; false when [o] is not an int. Subclass instances holding a
// small value are read as small, so the fast paths cover them too.
static inline bool get_val(MiniObject *o, IntVal *out) {
    // Every field is set on every path, so optimisers see no uninitialised reads.
    out->v = 0;
    out->z = NULL;
    if (MINI_IS_SMALLINT(o)) {
        out->small = true;
        out->v = MINI_SMALLINT_VALUE(o);
        return true;
    }
    if (o == MINI_TRUE || o == MINI_FALSE) {
        out->small = true;
        out->v = o == MINI_TRUE;
        return true;
    }
    if (MINI_IS_PTR(o) && (o->type->flags & MINI_TPFLAG_INT_SUBCLASS)) {
        mpz_srcptr z = BIGINT_Z(o);
        if (o->type != &mini_int_type && mpz_fits_small(z, &out->v)) {
            out->small = true;
            return true;
        }
        out->small = false;
        out->z = z;
        return true;
    }
    out->small = true;
    return false;
}

static inline int val_sign(const IntVal *v) {
    if (v->small)
        return (v->v > 0) - (v->v < 0);
    return mpz_sgn(v->z);
}

// The number of bits of |v| (0 for zero), what int.bit_length() returns.
static uint64_t val_bits(const IntVal *v) {
    if (v->small) {
        uint64_t a = v->v < 0 ? -(uint64_t)v->v : (uint64_t)v->v;
        return a ? (uint64_t)(64 - __builtin_clzll(a)) : 0;
    }
    return mpz_sgn(v->z) ? mpz_sizeinbase(v->z, 2) : 0;
}

// A GMP view of an operand: small values are copied into [tmp], big ones are pointed at.
typedef struct {
    mpz_t tmp;
    mpz_srcptr p;
} Operand;

static void operand_init(Operand *op, const IntVal *v) {
    if (v->small) {
        mpz_init_set_si(op->tmp, v->v);
        op->p = op->tmp;
    } else {
        mpz_init(op->tmp);
        op->p = v->z;
    }
}

static void operand_clear(Operand *op) { mpz_clear(op->tmp); }

// A new exact big int object with its mpz initialised to zero. New reference.
static MiniBigInt *bigint_alloc(void) {
    MiniBigInt *b = (MiniBigInt *)mini_alloc(&mini_int_type, sizeof(MiniBigInt));
    if (b)
        mpz_init(b->z);
    return b;
}

MiniObject *int_from_mpz(mpz_srcptr z) {
    int64_t v;
    if (mpz_fits_small(z, &v))
        return MINI_FROM_SMALLINT(v);
    MiniBigInt *b = bigint_alloc();
    if (!b)
        return NULL;
    mpz_set(b->z, z);
    return (MiniObject *)b;
}

// Like int_from_mpz, but takes [z] over: its limbs move into the result, and [z] is cleared
// whatever happens, so callers need no cleanup. New reference.
static MiniObject *int_from_mpz_move(mpz_ptr z) {
    int64_t v;
    if (mpz_fits_small(z, &v)) {
        mpz_clear(z);
        return MINI_FROM_SMALLINT(v);
    }
    MiniBigInt *b = bigint_alloc();
    if (b)
        mpz_swap(b->z, z);
    mpz_clear(z);
    return (MiniObject *)b;
}

MiniObject *int_from_i64(int64_t v) {
    if (MINI_FITS_SMALLINT(v))
        return MINI_FROM_SMALLINT(v);
    MiniBigInt *b = bigint_alloc();
    if (!b)
        return NULL;
    mpz_set_si(b->z, v);
    return (MiniObject *)b;
}

MiniObject *int_from_u64(uint64_t v) {
    if (v <= (uint64_t)MINI_SMALLINT_MAX)
        return MINI_FROM_SMALLINT((int64_t)v);
    MiniBigInt *b = bigint_alloc();
    if (!b)
        return NULL;
    mpz_set_ui(b->z, v);
    return (MiniObject *)b;
}

void int_get_mpz(MiniObject *o, mpz_ptr out) {
    IntVal v;
    if (!get_val(o, &v))
        mpz_set_ui(out, 0);
    else if (v.small)
        mpz_set_si(out, v.v);
    else
        mpz_set(out, v.z);
}

// The value of int [o] as an exact int (int(o) for bools and subclass instances). New
// reference.
static MiniObject *int_exact(MiniObject *o) {
    if (MINI_IS_SMALLINT(o))
        return o;
    if (MINI_IS_BOOL(o))
        return MINI_FROM_SMALLINT(o == MINI_TRUE);
    if (o->type == &mini_int_type)
        return mini_newref(o);
    return int_from_mpz(BIGINT_Z(o));
}

static MiniObject *not_an_integer(MiniObject *o) {
    return mini_raise(mini_exc_TypeError, "'%s' object cannot be interpreted as an integer",
                      mini_type_name(o));
}

// Raises MemoryError and returns false when a result of [bits] bits is too big to build.
static bool check_result_bits(uint64_t bits) {
    if (bits > MAX_RESULT_BITS) {
        mini_raise_memory();
        return false;
    }
    return true;
}

// The VM's limit on decimal digits for int <-> str conversion (0: none).
static int max_str_digits(void) {
    return (mini_ts && mini_ts->vm) ? mini_ts->vm->int_max_str_digits : 0;
}

// ---------------------------------------------------------------------------------------------
// Conversions to and from C values
// ---------------------------------------------------------------------------------------------

MiniObject *int_from_double(double d) {
    if (isnan(d))
        return mini_raise_str(mini_exc_ValueError, "cannot convert float NaN to integer");
    if (isinf(d))
        return mini_raise_str(mini_exc_OverflowError, "cannot convert float infinity to integer");
    // Doubles below 2**62 in magnitude truncate exactly into a small int.
    if (d > -4611686018427387904.0 && d < 4611686018427387904.0)
        return MINI_FROM_SMALLINT((int64_t)d);
    mpz_t z;
    mpz_init_set_d(z, d); // truncates; exact since d is integral at this size
    return int_from_mpz_move(z);
}

bool int_as_i64(MiniObject *o, int64_t *out) {
    IntVal v;
    if (!get_val(o, &v)) {
        not_an_integer(o);
        return false;
    }
    if (v.small) {
        *out = v.v;
        return true;
    }
    if (mpz_fits_slong_p(v.z)) {
        *out = mpz_get_si(v.z);
        return true;
    }
    mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C long");
    return false;
}

int int_sign(MiniObject *o) {
    IntVal v;
    if (!get_val(o, &v))
        return 0;
    return val_sign(&v);
}

// Rounds [x] (an integer of [x_bits] bits, 0 < x < 2**62) to the precision of a double
// (53 bits, fewer when x * 2**shift is subnormal), half to even, with [inexact] telling whether
// nonzero bits were already dropped below x; returns x * 2**shift, or sets *overflow. This is
// the rounding step of CPython's long_true_divide.
static double round_scaled(uint64_t x, int x_bits, int64_t shift, bool inexact, bool *overflow) {
    *overflow = false;
    int64_t keep_from = x_bits > DBL_MIN_EXP - shift ? x_bits : DBL_MIN_EXP - shift;
    int64_t extra_bits = keep_from - DBL_MANT_DIG;
    if (extra_bits > 0 && extra_bits < 62) {
        uint64_t mask = (uint64_t)1 << (extra_bits - 1);
        uint64_t low = x | (inexact ? 1 : 0);
        if ((low & mask) && (low & (3 * mask - 1)))
            x += mask;
        x &= ~(2 * mask - 1);
    } else if (extra_bits >= 62) {
        x = 0;
    }
    double dx = (double)x; // exact: at most 53 significant bits remain
    if (shift + x_bits >= DBL_MAX_EXP &&
        (shift + x_bits > DBL_MAX_EXP || dx == ldexp(1.0, x_bits))) {
        *overflow = true;
        return 0.0;
    }
    return ldexp(dx, (int)shift);
}

static bool int_overflow_to_float(void) {
    mini_raise_str(mini_exc_OverflowError, "int too large to convert to float");
    return false;
}

bool int_to_double(MiniObject *o, double *out) {
    IntVal v;
    if (!get_val(o, &v)) {
        mini_raise(mini_exc_TypeError, "must be real number, not %s", mini_type_name(o));
        return false;
    }
    if (v.small) {
        *out = (double)v.v; // the FPU rounds half to even, as CPython does
        return true;
    }
    size_t bits = mpz_sizeinbase(v.z, 2);
    if (bits > DBL_MAX_EXP)
        return int_overflow_to_float();
    if (bits <= 62) {
        *out = (double)mpz_get_si(v.z);
        return true;
    }
    // Keep the top 55 bits, fold the rest into a sticky bit, then round to 53 bits.
    size_t shift = bits - (DBL_MANT_DIG + 2);
    mpz_t t;
    mpz_init(t);
    mpz_abs(t, v.z);
    bool inexact = mpz_scan1(t, 0) < shift;
    mpz_tdiv_q_2exp(t, t, shift);
    uint64_t x = mpz_get_ui(t);
    mpz_clear(t);
    bool overflow;
    double d = round_scaled(x, DBL_MANT_DIG + 2, (int64_t)shift, inexact, &overflow);
    if (overflow)
        return int_overflow_to_float();
    *out = mpz_sgn(v.z) < 0 ? -d : d;
    return true;
}

double int_as_double(MiniObject *o) {
    double d;
    return int_to_double(o, &d) ? d : -1.0;
}

int int_compare_double(MiniObject *i, double d) {
    IntVal v;
    if (!get_val(i, &v))
        return 0;
    if (isinf(d))
        return d > 0 ? -1 : 1;
    // Below 2**53 the int converts exactly.
    if (v.small && v.v >= -(INT64_C(1) << 53) && v.v <= (INT64_C(1) << 53)) {
        double x = (double)v.v;
        return (x > d) - (x < d);
    }
    Operand a;
    operand_init(&a, &v);
    int c = mpz_cmp_d(a.p, d); // exact comparison
    operand_clear(&a);
    return (c > 0) - (c < 0);
}

// ---------------------------------------------------------------------------------------------
// str <-> int
// ---------------------------------------------------------------------------------------------

// The byte length of the Unicode space encoded at [p] (before [end]), 0 if there is none there.
static size_t unicode_space_at(const unsigned char *p, const unsigned char *end) {
    size_t n = (size_t)(end - p);
    if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
        return 2;
    if (n >= 3) {
        if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) // U+1680
            return 3;
        if (p[0] == 0xe2 && p[1] == 0x80 &&
            ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 ||
             p[2] == 0xaf)) // U+2000..200A, U+2028, U+2029, U+202F
            return 3;
        if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) // U+205F
            return 3;
        if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) // U+3000
            return 3;
    }
    return 0;
}

// Only " \t\n\v\f\r" count, even in text: CPython parses numbers with Py_ISSPACE after
// turning the non-ASCII spaces into ' ', so "12\x1c" is not a number though \x1c.isspace().
static inline bool ascii_space(unsigned char c, bool unicode) {
    (void)unicode;
    return c == ' ' || (c >= '\t' && c <= '\r');
}

void num_strip_space(const char **start, const char **end, bool unicode) {
    const unsigned char *p = (const unsigned char *)*start, *e = (const unsigned char *)*end;
    for (;;) {
        if (p < e && ascii_space(*p, unicode)) {
            p++;
            continue;
        }
        size_t n = unicode ? unicode_space_at(p, e) : 0;
        if (!n)
            break;
        p += n;
    }
    for (;;) {
        if (e > p && ascii_space(e[-1], unicode)) {
            e--;
            continue;
        }
        if (unicode && e - p >= 2 && unicode_space_at(e - 2, e) == 2) {
            e -= 2;
            continue;
        }
        if (unicode && e - p >= 3 && unicode_space_at(e - 3, e) == 3) {
            e -= 3;
            continue;
        }
        break;
    }
    *start = (const char *)p;
    *end = (const char *)e;
}

MiniObject *num_repr_truncated(MiniObject *o, size_t max) {
    MiniObject *r = mini_repr(o);
    if (!r || STR_LEN(r) <= max)
        return r;
    const unsigned char *s = (const unsigned char *)STR_DATA(r);
    size_t i = 0, count = 0;
    while (i < STR_SIZE(r) && count < max) {
        i++;
        while (i < STR_SIZE(r) && (s[i] & 0xc0) == 0x80)
            i++;
        count++;
    }
    MiniObject *t = str_new((const char *)s, i);
    MINI_DECREF(r);
    return t;
}

static MiniObject *invalid_literal(const char *s, size_t len, int base, MiniObject *orig) {
    // CPython shows the text of a bytearray (or bytes subclass) as a plain bytes object.
    MiniObject *src = !orig ? str_new(s, len) : str_check(orig) ? mini_newref(orig) : bytes_new(s, len);
    if (!src)
        return NULL;
    MiniObject *r = num_repr_truncated(src, 200);
    MINI_DECREF(src);
    if (!r)
        return NULL;
    mini_raise(mini_exc_ValueError, "invalid literal for int() with base %d: %s", base,
               STR_DATA(r));
    MINI_DECREF(r);
    return NULL;
}

static inline int digit_value(unsigned char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

// Parses [s] ([len] bytes) as an int in [base] with Python's rules. [orig] is the str, bytes or
// bytearray the text came from, shown in the error message (NULL: the text itself as a str).
// New reference.
static MiniObject *parse_int(const char *s, size_t len, int base, MiniObject *orig) {
    if ((base != 0 && base < 2) || base > 36)
        return mini_raise_str(mini_exc_ValueError, "int() base must be >= 2 and <= 36, or 0");
    const char *p = s, *end = s + len;
    num_strip_space(&p, &end, orig == NULL || str_check(orig));
    bool negative = false;
    if (p < end && (*p == '+' || *p == '-')) {
        negative = *p == '-';
        p++;
    }
    int b = base;
    bool prefixed = false;
    if (end - p >= 2 && p[0] == '0') {
        char c = (char)(p[1] | 0x20);
        int pb = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
        if (pb && (b == 0 || b == pb)) {
            b = pb;
            p += 2;
            prefixed = true;
        }
    }
    if (b == 0)
        b = 10;

    // Copy the digits without underscores, checking each one on the way.
    char stack_buf[128];
    size_t cap = (size_t)(end - p) + 1;
    char *clean = cap <= sizeof stack_buf ? stack_buf : mini_malloc(cap);
    if (!clean)
        return NULL;
    size_t ndigits = 0;
    bool after_underscore = false, ok = true;
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '_') {
            if (after_underscore || (ndigits == 0 && !prefixed)) {
                ok = false;
                break;
            }
            after_underscore = true;
            continue;
        }
        if (digit_value(c) >= b) {
            ok = false;
            break;
        }
        clean[ndigits++] = (char)c;
        after_underscore = false;
    }
    clean[ndigits] = '\0';
    if (ndigits == 0 || after_underscore)
        ok = false;
    // Without a prefix, base 0 refuses leading zeros ("010") except in zero itself ("00").
    if (ok && base == 0 && !prefixed && clean[0] == '0') {
        for (size_t i = 0; i < ndigits; i++)
            if (clean[i] != '0')
                ok = false;
    }
    MiniObject *result = NULL;
    if (!ok) {
        invalid_literal(s, len, base, orig);
        goto done;
    }
    int limit = max_str_digits();
    if (limit > 0 && (b & (b - 1)) != 0 && ndigits > (size_t)limit) {
        mini_raise(mini_exc_ValueError,
                   "Exceeds the limit (%d digits) for integer string conversion: value has %zu "
                   "digits; use sys.set_int_max_str_digits() to increase the limit",
                   limit, ndigits);
        goto done;
    }
    // Machine arithmetic while the value fits 64 bits, GMP beyond.
    uint64_t acc = 0;
    bool fits = true;
    for (size_t i = 0; i < ndigits && fits; i++) {
        if (__builtin_mul_overflow(acc, (uint64_t)b, &acc) ||
            __builtin_add_overflow(acc, (uint64_t)digit_value((unsigned char)clean[i]), &acc))
            fits = false;
    }
    if (fits && acc <= (uint64_t)MINI_SMALLINT_MAX) {
        result = MINI_FROM_SMALLINT(negative ? -(int64_t)acc : (int64_t)acc);
    } else {
        mpz_t z;
        mpz_init(z);
        mpz_set_str(z, clean, b);
        if (negative)
            mpz_neg(z, z);
        result = int_from_mpz_move(z);
    }
done:
    if (clean != stack_buf)
        mini_free(clean);
    return result;
}

MiniObject *int_from_string(const char *s, size_t len, int base) {
    return parse_int(s, len, base, NULL);
}

char *num_ascii_text(MiniObject *s, size_t *len) {
    const unsigned char *p = (const unsigned char *)STR_DATA(s), *end = p + STR_SIZE(s);
    // Every code point becomes one byte, so the UTF-8 size is room enough.
    char *out = mini_malloc(STR_SIZE(s) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    while (p < end) {
        unsigned char c = *p;
        uint32_t cp;
        size_t k;
        if (c < 0x80) {
            cp = c;
            k = 1;
        } else if (c < 0xe0) {
            cp = ((uint32_t)(c & 0x1f) << 6) | (p[1] & 0x3f);
            k = 2;
        } else if (c < 0xf0) {
            cp = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
            k = 3;
        } else {
            cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
                 ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
            k = 4;
        }
        p += k;
        if (cp < 127) {
            out[n++] = (char)cp;
        } else if (str_is_space(cp)) {
            out[n++] = ' ';
        } else {
            int d = str_decimal_value(cp);
            if (d < 0) {
                out[n++] = '?';
                break;
            }
            out[n++] = (char)('0' + d);
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

// int(s, base) for the str [s]: non-ASCII text is made ASCII first, as CPython does, while the
// error message still shows [s] itself. New reference.
static MiniObject *parse_int_str(MiniObject *s, int base) {
    if (((MiniStr *)s)->ascii)
        return parse_int(STR_DATA(s), STR_SIZE(s), base, s);
    size_t n;
    char *text = num_ascii_text(s, &n);
    if (!text)
        return NULL;
    MiniObject *r = parse_int(text, n, base, s);
    mini_free(text);
    return r;
}

static MiniObject *str_digits_limit_error(int limit) {
    return mini_raise(mini_exc_ValueError,
                      "Exceeds the limit (%d digits) for integer string conversion; use "
                      "sys.set_int_max_str_digits() to increase the limit",
                      limit);
}

// The digits of |v| in [base] (2..36), lowercase, NUL-terminated, in memory from mini_malloc.
// Checks the str-digits limit for base 10. NULL with an exception on failure.
static char *abs_digits(const IntVal *v, int base, size_t *len_out) {
    if (v->small) {
        char *buf = mini_malloc(72);
        if (!buf)
            return NULL;
        uint64_t a = v->v < 0 ? -(uint64_t)v->v : (uint64_t)v->v;
        char tmp[72];
        size_t n = 0;
        do {
            tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[a % (uint64_t)base];
            a /= (uint64_t)base;
        } while (a);
        for (size_t i = 0; i < n; i++)
            buf[i] = tmp[n - 1 - i];
        buf[n] = '\0';
        *len_out = n;
        return buf;
    }
    int limit = max_str_digits();
    size_t estimate = mpz_sizeinbase(v->z, base); // exact or one too big
    if (base == 10 && limit > 0 && estimate - 1 > (size_t)limit) {
        str_digits_limit_error(limit);
        return NULL;
    }
    char *buf = mini_malloc(estimate + 2);
    if (!buf)
        return NULL;
    mpz_t a;
    mpz_init(a);
    mpz_abs(a, v->z);
    mpz_get_str(buf, base, a);
    mpz_clear(a);
    size_t n = strlen(buf);
    if (base == 10 && limit > 0 && n > (size_t)limit) {
        mini_free(buf);
        str_digits_limit_error(limit);
        return NULL;
    }
    *len_out = n;
    return buf;
}

MiniObject *int_to_string(MiniObject *o, int base) {
    IntVal v;
    if (!get_val(o, &v))
        return not_an_integer(o);
    if (v.small && base == 10) {
        // Written backwards by hand: snprintf's format parsing costs more than the digits.
        char buf[32];
        char *p = buf + sizeof buf;
        uint64_t u = v.v < 0 ? -(uint64_t)v.v : (uint64_t)v.v;
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v.v < 0)
            *--p = '-';
        return str_new(p, (size_t)(buf + sizeof buf - p));
    }
    size_t n;
    char *digits = abs_digits(&v, base, &n);
    if (!digits)
        return NULL;
    MiniObject *r;
    if (val_sign(&v) < 0) {
        StrBuf sb;
        strbuf_init(&sb);
        strbuf_addc(&sb, '-');
        strbuf_add(&sb, digits, n);
        r = strbuf_finish(&sb);
    } else {
        r = str_new(digits, n);
    }
    mini_free(digits);
    return r;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

#define GET_OPERANDS(a, b, x, y)                                                                 \
    IntVal x, y;                                                                                 \
    if (!get_val(a, &x) || !get_val(b, &y))                                                      \
    return mini_newref(MINI_NOTIMPL)

// The slow path of + - * // % & | ^ on two ints, at least one of them big (divisors are
// already known to be nonzero). New reference.
static MiniObject *big_arith(const IntVal *x, const IntVal *y, int op) {
    if (op == BINOP_MUL && !check_result_bits(val_bits(x) + val_bits(y)))
        return NULL;
    Operand a, b;
    operand_init(&a, x);
    operand_init(&b, y);
    mpz_t r;
    mpz_init(r);
    switch (op) {
    case BINOP_ADD:
        mpz_add(r, a.p, b.p);
        break;
    case BINOP_SUB:
        mpz_sub(r, a.p, b.p);
        break;
    case BINOP_MUL:
        if (y->small)
            mpz_mul_si(r, a.p, y->v);
        else if (x->small)
            mpz_mul_si(r, b.p, x->v);
        else
            mpz_mul(r, a.p, b.p);
        break;
    case BINOP_FLOORDIV:
        mpz_fdiv_q(r, a.p, b.p); // floor rounding, as Python's //
        break;
    case BINOP_MOD:
        mpz_fdiv_r(r, a.p, b.p); // the remainder takes the divisor's sign
        break;
    case BINOP_AND:
        mpz_and(r, a.p, b.p); // GMP's bit operations use two's complement, as Python's
        break;
    case BINOP_OR:
        mpz_ior(r, a.p, b.p);
        break;
    case BINOP_XOR:
        mpz_xor(r, a.p, b.p);
        break;
    default:
        break;
    }
    operand_clear(&a);
    operand_clear(&b);
    return int_from_mpz_move(r);
}

static MiniObject *int_add(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (x.small && y.small)
        return int_from_i64(x.v + y.v); // 63-bit values cannot overflow 64 bits
    return big_arith(&x, &y, BINOP_ADD);
}

static MiniObject *int_sub(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (x.small && y.small)
        return int_from_i64(x.v - y.v);
    return big_arith(&x, &y, BINOP_SUB);
}

static MiniObject *int_mul(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    int64_t r;
    if (x.small && y.small && !__builtin_mul_overflow(x.v, y.v, &r))
        return int_from_i64(r);
    return big_arith(&x, &y, BINOP_MUL);
}

// Floor division and modulo of small ints: C truncates toward zero, Python floors.
static inline void small_divmod(int64_t a, int64_t b, int64_t *q, int64_t *r) {
    int64_t qq = a / b, rr = a % b;
    if (rr != 0 && ((rr < 0) != (b < 0))) {
        qq -= 1;
        rr += b;
    }
    *q = qq;
    *r = rr;
}

static MiniObject *int_floordiv(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (val_sign(&y) == 0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "integer division or modulo by zero");
    if (x.small && y.small) {
        int64_t q, r;
        small_divmod(x.v, y.v, &q, &r);
        return int_from_i64(q);
    }
    return big_arith(&x, &y, BINOP_FLOORDIV);
}

static MiniObject *int_mod(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (val_sign(&y) == 0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "integer modulo by zero");
    if (x.small && y.small) {
        int64_t q, r;
        small_divmod(x.v, y.v, &q, &r);
        return int_from_i64(r);
    }
    return big_arith(&x, &y, BINOP_MOD);
}

// divmod(a, b) for two ints. New tuple.
static MiniObject *divmod_vals(const IntVal *x, const IntVal *y) {
    if (val_sign(y) == 0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "integer division or modulo by zero");
    MiniObject *q, *r;
    if (x->small && y->small) {
        int64_t qq, rr;
        small_divmod(x->v, y->v, &qq, &rr);
        q = int_from_i64(qq);
        r = int_from_i64(rr);
    } else {
        q = big_arith(x, y, BINOP_FLOORDIV);
        r = big_arith(x, y, BINOP_MOD);
    }
    MiniObject *t = (q && r) ? tuple_pack(2, q, r) : NULL;
    MINI_XDECREF(q);
    MINI_XDECREF(r);
    return t;
}

// a / b for ints, correctly rounded (CPython's long_true_divide): the quotient is computed
// exactly to DBL_MANT_DIG + 2 or 3 bits plus a sticky bit, then rounded half to even once.
static MiniObject *true_divide(const IntVal *x, const IntVal *y) {
    if (val_sign(y) == 0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "division by zero");
    bool negative = (val_sign(x) < 0) != (val_sign(y) < 0);
    // Both operands below 2**53 convert exactly, and one IEEE division rounds correctly.
    if (x->small && y->small && x->v >= -(INT64_C(1) << 53) && x->v <= (INT64_C(1) << 53) &&
        y->v >= -(INT64_C(1) << 53) && y->v <= (INT64_C(1) << 53))
        return float_new((double)x->v / (double)y->v);
    if (val_sign(x) == 0)
        return float_new(negative ? -0.0 : 0.0);
    Operand a, b;
    operand_init(&a, x);
    operand_init(&b, y);
    mpz_t n, d, q, r;
    mpz_inits(n, d, q, r, NULL);
    mpz_abs(n, a.p);
    mpz_abs(d, b.p);
    operand_clear(&a);
    operand_clear(&b);
    int64_t diff = (int64_t)mpz_sizeinbase(n, 2) - (int64_t)mpz_sizeinbase(d, 2);
    double result = 0.0;
    bool overflow = false;
    if (diff > DBL_MAX_EXP) {
        overflow = true;
    } else if (diff >= DBL_MIN_EXP - DBL_MANT_DIG - 1) {
        int64_t shift = (diff > DBL_MIN_EXP ? diff : DBL_MIN_EXP) - DBL_MANT_DIG - 2;
        if (shift < 0)
            mpz_mul_2exp(n, n, (mp_bitcnt_t)-shift);
        else
            mpz_mul_2exp(d, d, (mp_bitcnt_t)shift);
        mpz_tdiv_qr(q, r, n, d);
        uint64_t xq = mpz_get_ui(q);
        int x_bits = xq ? 64 - __builtin_clzll(xq) : 0;
        result = round_scaled(xq, x_bits, shift, mpz_sgn(r) != 0, &overflow);
    } // else: the quotient underflows to zero
    mpz_clears(n, d, q, r, NULL);
    if (overflow)
        return mini_raise_str(mini_exc_OverflowError,
                              "integer division result too large for a float");
    return float_new(negative ? -result : result);
}

static MiniObject *int_truediv(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    return true_divide(&x, &y);
}

// base ** exp with exp >= 0 (the ints [x] and [y]). New reference.
static MiniObject *pow_nonneg(const IntVal *x, const IntVal *y) {
    if (val_sign(y) == 0)
        return MINI_FROM_SMALLINT(1);
    if (x->small && (x->v == 0 || x->v == 1))
        return MINI_FROM_SMALLINT(x->v);
    if (x->small && x->v == -1) {
        bool odd = y->small ? (y->v & 1) : mpz_odd_p(y->z);
        return MINI_FROM_SMALLINT(odd ? -1 : 1);
    }
    // |base| >= 2 here, so the result has at least exp bits.
    if (!y->small)
        return mini_raise_memory();
    uint64_t e = (uint64_t)y->v;
    uint64_t bits = val_bits(x);
    if (e > MAX_RESULT_BITS / bits)
        return mini_raise_memory();
    if (x->small) {
        // Square-and-multiply in machine ints until something overflows.
        int64_t result = 1, base = x->v;
        uint64_t k = e;
        bool overflow = false;
        for (;;) {
            if ((k & 1) && __builtin_mul_overflow(result, base, &result)) {
                overflow = true;
                break;
            }
            k >>= 1;
            if (!k)
                break;
            if (__builtin_mul_overflow(base, base, &base)) {
                overflow = true;
                break;
            }
        }
        if (!overflow)
            return int_from_i64(result);
    }
    Operand a;
    operand_init(&a, x);
    mpz_t r;
    mpz_init(r);
    mpz_pow_ui(r, a.p, e);
    operand_clear(&a);
    return int_from_mpz_move(r);
}

static MiniObject *int_pow(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (val_sign(&y) < 0) {
        // A negative exponent makes a float: CPython hands both to float's **.
        double da, db;
        if (!int_to_double(a, &da) || !int_to_double(b, &db))
            return NULL;
        return float_pow_doubles(da, db);
    }
    return pow_nonneg(&x, &y);
}

// pow(a, b, m) for ints: modular exponentiation; a negative b uses the inverse of a mod m.
static MiniObject *int_pow3(MiniObject *a, MiniObject *b, MiniObject *m) {
    if (m == MINI_NONE)
        return int_pow(a, b);
    IntVal x, y, z;
    if (!get_val(a, &x) || !get_val(b, &y) || !get_val(m, &z))
        return mini_newref(MINI_NOTIMPL);
    if (val_sign(&z) == 0)
        return mini_raise_str(mini_exc_ValueError, "pow() 3rd argument cannot be 0");
    Operand oa, ob, om;
    operand_init(&oa, &x);
    operand_init(&ob, &y);
    operand_init(&om, &z);
    mpz_t mod, base, e, r;
    mpz_inits(mod, base, e, r, NULL);
    mpz_abs(mod, om.p);
    MiniObject *result = NULL;
    if (mpz_cmp_ui(mod, 1) == 0) {
        result = MINI_FROM_SMALLINT(0);
        goto done;
    }
    if (mpz_sgn(ob.p) < 0) {
        if (!mpz_invert(base, oa.p, mod)) {
            mini_raise_str(mini_exc_ValueError, "base is not invertible for the given modulus");
            goto done;
        }
        mpz_neg(e, ob.p);
    } else {
        mpz_mod(base, oa.p, mod);
        mpz_set(e, ob.p);
    }
    mpz_powm(r, base, e, mod);
    // GMP gives a result in [0, |m|); Python's takes the sign of m, as % does.
    if (mpz_sgn(om.p) < 0 && mpz_sgn(r) != 0)
        mpz_sub(r, r, mod);
    result = int_from_mpz(r);
done:
    mpz_clears(mod, base, e, r, NULL);
    operand_clear(&oa);
    operand_clear(&ob);
    operand_clear(&om);
    return result;
}

static MiniObject *int_lshift(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (val_sign(&y) < 0)
        return mini_raise_str(mini_exc_ValueError, "negative shift count");
    if (val_sign(&x) == 0)
        return MINI_FROM_SMALLINT(0);
    // CPython splits the count into 30-bit words (clipped to SSIZE_MAX / 4 when there are
    // more) and raises OverflowError when the result would need more 30-bit digits than a
    // ssize_t can size; anything smaller but still too big to build is a MemoryError.
    const uint64_t max_words = (uint64_t)INT64_MAX / 4;
    const uint64_t max_digits = ((uint64_t)INT64_MAX - 24) / 4;
    uint64_t words, rem;
    if (y.small) {
        words = (uint64_t)y.v / 30;
        rem = (uint64_t)y.v % 30;
    } else {
        mpz_t q;
        mpz_init(q);
        rem = mpz_fdiv_q_ui(q, y.z, 30);
        words = mpz_cmp_ui(q, (unsigned long)max_words) >= 0 ? max_words : mpz_get_ui(q);
        mpz_clear(q);
    }
    if (words > max_words)
        words = max_words;
    uint64_t old_digits = (val_bits(&x) + 29) / 30;
    if (old_digits + words + (rem != 0) > max_digits)
        return mini_raise_str(mini_exc_OverflowError, "too many digits in integer");
    if (!y.small)
        return mini_raise_memory();
    uint64_t s = (uint64_t)y.v;
    if (x.small && s < 63) {
        int64_t r = (int64_t)((uint64_t)x.v << s);
        if ((r >> s) == x.v)
            return int_from_i64(r);
    }
    if (!check_result_bits(val_bits(&x) + s))
        return NULL;
    Operand o;
    operand_init(&o, &x);
    mpz_t r;
    mpz_init(r);
    mpz_mul_2exp(r, o.p, s);
    operand_clear(&o);
    return int_from_mpz_move(r);
}

static MiniObject *int_rshift(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (val_sign(&y) < 0)
        return mini_raise_str(mini_exc_ValueError, "negative shift count");
    int sx = val_sign(&x);
    if (!y.small)
        return MINI_FROM_SMALLINT(sx < 0 ? -1 : 0);
    uint64_t s = (uint64_t)y.v;
    if (x.small)
        return MINI_FROM_SMALLINT(s >= 63 ? (x.v < 0 ? -1 : 0) : (x.v >> s));
    mpz_t r;
    mpz_init(r);
    mpz_fdiv_q_2exp(r, x.z, s); // floor, so negative values round toward -inf
    return int_from_mpz_move(r);
}

static MiniObject *int_and(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (x.small && y.small)
        return MINI_FROM_SMALLINT(x.v & y.v);
    return big_arith(&x, &y, BINOP_AND);
}

static MiniObject *int_or(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (x.small && y.small)
        return MINI_FROM_SMALLINT(x.v | y.v);
    return big_arith(&x, &y, BINOP_OR);
}

static MiniObject *int_xor(MiniObject *a, MiniObject *b) {
    GET_OPERANDS(a, b, x, y);
    if (x.small && y.small)
        return MINI_FROM_SMALLINT(x.v ^ y.v);
    return big_arith(&x, &y, BINOP_XOR);
}

// Unary operators. The slots are only called with ints, so get_val cannot fail.

static MiniObject *int_neg(MiniObject *o) {
    IntVal v;
    if (!get_val(o, &v))
        return mini_newref(MINI_NOTIMPL);
    if (v.small)
        return int_from_i64(-v.v);
    mpz_t r;
    mpz_init(r);
    mpz_neg(r, v.z);
    return int_from_mpz_move(r);
}

static MiniObject *int_pos(MiniObject *o) { return int_exact(o); }

static MiniObject *int_invert(MiniObject *o) {
    IntVal v;
    if (!get_val(o, &v))
        return mini_newref(MINI_NOTIMPL);
    if (v.small)
        return MINI_FROM_SMALLINT(~v.v);
    mpz_t r;
    mpz_init(r);
    mpz_com(r, v.z);
    return int_from_mpz_move(r);
}

static MiniObject *int_abs(MiniObject *o) {
    IntVal v;
    if (!get_val(o, &v))
        return mini_newref(MINI_NOTIMPL);
    if (v.small)
        return int_from_i64(v.v < 0 ? -v.v : v.v);
    mpz_t r;
    mpz_init(r);
    mpz_abs(r, v.z);
    return int_from_mpz_move(r);
}

static int int_bool(MiniObject *o) {
    IntVal v;
    if (!get_val(o, &v))
        return 1;
    return val_sign(&v) != 0;
}

static MiniObject *int_float(MiniObject *o) {
    double d;
    if (!int_to_double(o, &d))
        return NULL;
    return float_new(d);
}

// ---------------------------------------------------------------------------------------------
// Comparison, hash, repr
// ---------------------------------------------------------------------------------------------

static inline bool cmp_holds(int c, int op) {
    switch (op) {
    case CMP_LT:
        return c < 0;
    case CMP_LE:
        return c <= 0;
    case CMP_EQ:
        return c == 0;
    case CMP_NE:
        return c != 0;
    case CMP_GT:
        return c > 0;
    default:
        return c >= 0;
    }
}

static MiniObject *int_richcompare(MiniObject *a, MiniObject *b, int op) {
    GET_OPERANDS(a, b, x, y);
    int c;
    if (x.small && y.small) {
        c = (x.v > y.v) - (x.v < y.v);
    } else if (x.small) {
        c = mpz_cmp_si(y.z, x.v);
        c = (c < 0) - (c > 0);
    } else if (y.small) {
        c = mpz_cmp_si(x.z, y.v);
        c = (c > 0) - (c < 0);
    } else {
        c = mpz_cmp(x.z, y.z);
        c = (c > 0) - (c < 0);
    }
    return MINI_BOOL(cmp_holds(c, op));
}

// CPython's hash of an int: the value modulo 2**61 - 1 with the sign kept, and -1 (the error
// value) replaced by -2. Equal ints and floats hash alike (see float.c).
static int64_t int_hash(MiniObject *o) {
    IntVal v;
    if (!get_val(o, &v))
        return -1;
    uint64_t h;
    int sign = val_sign(&v);
    if (v.small)
        h = (v.v < 0 ? -(uint64_t)v.v : (uint64_t)v.v) % HASH_MODULUS;
    else
        h = mpz_tdiv_ui(v.z, HASH_MODULUS); // |z| mod the modulus
    int64_t r = sign < 0 ? -(int64_t)h : (int64_t)h;
    return r == -1 ? -2 : r;
}

static MiniObject *int_repr(MiniObject *o) { return int_to_string(o, 10); }

static void int_dealloc(MiniObject *o) {
    mpz_clear(BIGINT_Z(o));
    mini_object_free(o);
}

// ---------------------------------------------------------------------------------------------
// int(): the constructor
// ---------------------------------------------------------------------------------------------

// Checks that an int produced by __int__/__index__/__trunc__ is an int and makes it exact.
// Takes [r] over. New reference.
static MiniObject *exact_result(MiniObject *r, const char *dunder) {
    if (!r || int_check_exact(r))
        return r;
    if (!int_check(r)) {
        mini_raise(mini_exc_TypeError, "%s returned non-int (type %s)", dunder,
                   mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    MiniObject *e = int_exact(r);
    MINI_DECREF(r);
    return e;
}

// The data of a bytes or bytearray object; false if [o] is neither.
static bool bytes_data(MiniObject *o, const char **data, size_t *size) {
    if (!MINI_IS_PTR(o))
        return false;
    if (bytes_check(o)) {
        *data = ((MiniBytes *)o)->data;
        *size = ((MiniBytes *)o)->size;
        return true;
    }
    if (mini_isinstance_type(o, &mini_bytearray_type)) {
        *data = ((MiniByteArray *)o)->data;
        *size = ((MiniByteArray *)o)->size;
        if (!*data)
            *data = "";
        return true;
    }
    return false;
}

// int(o) with no base (CPython's PyNumber_Long). New reference.
static MiniObject *int_from_object(MiniObject *o) {
    if (int_check_exact(o))
        return mini_newref(o);
    MiniType *t = mini_type(o);
    if (t->nb_int)
        return exact_result(t->nb_int(o), "__int__");
    if (t->nb_index)
        return exact_result(t->nb_index(o), "__index__");
    if (type_lookup(t, MINI_ID(__trunc__))) {
        MiniObject *r = mini_call_method(o, "__trunc__", 0);
        if (!r || int_check(r))
            return exact_result(r, "__trunc__");
        // __trunc__ may return any Integral: CPython then asks it for __index__.
        if (!mini_type(r)->nb_index) {
            mini_raise(mini_exc_TypeError, "__trunc__ returned non-Integral (type %s)",
                       mini_type_name(r));
            MINI_DECREF(r);
            return NULL;
        }
        MiniObject *i = exact_result(mini_type(r)->nb_index(r), "__index__");
        MINI_DECREF(r);
        return i;
    }
    if (str_check(o))
        return parse_int_str(o, 10);
    const char *data;
    size_t size;
    if (bytes_data(o, &data, &size))
        return parse_int(data, size, 10, o);
    return mini_raise(mini_exc_TypeError,
                      "int() argument must be a string, a bytes-like object or a real number, "
                      "not '%s'",
                      mini_type_name(o));
}

// The value int(x, base) computes; [x] and [base] may be NULL when not given.
static MiniObject *int_value_from_args(MiniObject *x, MiniObject *obase) {
    if (!x) {
        if (obase)
            return mini_raise_str(mini_exc_TypeError, "int() missing string argument");
        return MINI_FROM_SMALLINT(0);
    }
    if (!obase)
        return int_from_object(x);
    MiniObject *ib = mini_index(obase);
    if (!ib)
        return NULL;
    int64_t b64;
    int base;
    if (int_as_i64(ib, &b64)) {
        base = (b64 < -1 || b64 > 36) ? -1 : (int)b64;
    } else {
        mini_error_clear(); // a huge base is simply out of range
        base = -1;
    }
    MINI_DECREF(ib);
    if ((base != 0 && base < 2) || base > 36)
        return mini_raise_str(mini_exc_ValueError, "int() base must be >= 2 and <= 36, or 0");
    if (str_check(x))
        return parse_int_str(x, base);
    const char *data;
    size_t size;
    if (bytes_data(x, &data, &size))
        return parse_int(data, size, base, x);
    return mini_raise_str(mini_exc_TypeError, "int() can't convert non-string with explicit base");
}

// An instance of the int subclass [type] holding the value of the int [value], which it takes
// over. New reference.
static MiniObject *int_subtype_new(MiniType *type, MiniObject *value) {
    MiniBigInt *o = (MiniBigInt *)mini_type_alloc(type, 0);
    if (!o) {
        MINI_DECREF(value);
        return NULL;
    }
    mpz_init(o->z);
    int_get_mpz(value, o->z);
    MINI_DECREF(value);
    return (MiniObject *)o;
}

static MiniObject *int_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    // The common int("123"): an exact ASCII str of a few plain decimal digits (optional sign,
    // surrounding spaces) is read directly; anything else (underscores, other digits, many
    // digits, bad text) takes the full parser below with its errors.
    if (type == &mini_int_type && nargs == 1 && nkw == 0 && MINI_IS_PTR(args[0]) &&
        args[0]->type == &mini_str_type && ((MiniStr *)args[0])->ascii) {
        const char *p = STR_DATA(args[0]), *end = p + STR_SIZE(args[0]);
        while (p < end && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
            p++;
        while (end > p && (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r')))
            end--;
        bool neg = p < end && *p == '-';
        if (p < end && (*p == '-' || *p == '+'))
            p++;
        if (end > p && end - p <= 18 && (*p != '0' || end - p == 1)) {
            int64_t v = 0;
            const char *q = p;
            while (q < end && *q >= '0' && *q <= '9')
                v = v * 10 + (*q++ - '0');
            if (q == end)
                return int_from_i64(neg ? -v : v);
        }
    }
    if (nargs + nkw > 2)
        return mini_raise(mini_exc_TypeError, "int() takes at most 2 arguments (%zu given)",
                          nargs + nkw);
    static const char *const names[] = {"/x", "base", NULL};
    MiniObject *out[2] = {NULL, NULL};
    if (!mini_parse_args("int", args, nargs, kwnames, names, 0, out))
        return NULL;
    MiniObject *value = int_value_from_args(out[0], out[1]);
    if (!value || type == &mini_int_type)
        return value;
    return int_subtype_new(type, value);
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

// Checks that the method [qualname] ("int.bit_length") got no arguments, in CPython's words.
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

static MiniObject *int_bit_length(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.bit_length", nargs, kwnames))
        return NULL;
    IntVal v;
    get_val(self, &v);
    return int_from_u64(val_bits(&v));
}

static MiniObject *int_bit_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.bit_count", nargs, kwnames))
        return NULL;
    IntVal v;
    get_val(self, &v);
    if (v.small)
        return MINI_FROM_SMALLINT(
            __builtin_popcountll(v.v < 0 ? -(uint64_t)v.v : (uint64_t)v.v));
    mpz_t a;
    mpz_init(a);
    mpz_abs(a, v.z);
    uint64_t n = mpz_popcount(a);
    mpz_clear(a);
    return int_from_u64(n);
}

// Reads a byteorder argument ("big" when [o] is NULL): 1 for big, 0 for little, -1 on error.
static int parse_byteorder(const char *fname, MiniObject *o) {
    if (!o)
        return 1;
    if (!str_check(o)) {
        mini_raise(mini_exc_TypeError, "%s() argument 'byteorder' must be str, not %s", fname,
                   num_clinic_type_name(o));
        return -1;
    }
    if (strcmp(STR_DATA(o), "big") == 0 && STR_SIZE(o) == 3)
        return 1;
    if (strcmp(STR_DATA(o), "little") == 0 && STR_SIZE(o) == 6)
        return 0;
    mini_raise_str(mini_exc_ValueError, "byteorder must be either 'little' or 'big'");
    return -1;
}

static MiniObject *int_to_bytes(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    static const char *const names[] = {"length", "byteorder", "$signed", NULL};
    MiniObject *out[3] = {NULL, NULL, NULL};
    if (!mini_parse_args("to_bytes", args, nargs, kwnames, names, 0, out))
        return NULL;
    ssize_t length = 1;
    if (out[0]) {
        // Argument Clinic's ssize_t conversion, with its overflow message.
        MiniObject *li = mini_index(out[0]);
        if (!li)
            return NULL;
        int64_t lv;
        bool ok = int_as_i64(li, &lv);
        MINI_DECREF(li);
        if (!ok) {
            mini_error_clear();
            return mini_raise_str(mini_exc_OverflowError,
                                  "Python int too large to convert to C ssize_t");
        }
        length = (ssize_t)lv;
        if (length < 0)
            return mini_raise_str(mini_exc_ValueError, "length argument must be non-negative");
    }
    int big = parse_byteorder("to_bytes", out[1]);
    if (big < 0)
        return NULL;
    int is_signed = out[2] ? mini_truthy(out[2]) : 0;
    if (is_signed < 0)
        return NULL;
    if (!check_result_bits((uint64_t)length * 8))
        return NULL;

    mpz_t v;
    mpz_init(v);
    int_get_mpz(self, v);
    MiniObject *result = NULL;
    uint64_t nbits = (uint64_t)length * 8;
    int sign = mpz_sgn(v);
    if (sign < 0 && !is_signed) {
        mini_raise_str(mini_exc_OverflowError, "can't convert negative int to unsigned");
        goto done;
    }
    // The magnitude to fit: v itself, or -v - 1 for negatives in two's complement.
    mpz_t m;
    mpz_init(m);
    if (sign < 0) {
        mpz_neg(m, v);
        mpz_sub_ui(m, m, 1);
    } else {
        mpz_set(m, v);
    }
    uint64_t need = mpz_sgn(m) ? mpz_sizeinbase(m, 2) : 0;
    mpz_clear(m);
    // Signed: |m| must fit nbits - 1 bits (CPython lets 0 and -1 fit in zero bytes).
    bool fits = is_signed ? (need == 0 || (nbits > 0 && need <= nbits - 1)) : need <= nbits;
    if (!fits) {
        mini_raise_str(mini_exc_OverflowError, "int too big to convert");
        goto done;
    }
    if (sign < 0) {
        mpz_t two;
        mpz_init(two);
        mpz_setbit(two, nbits);
        mpz_add(v, v, two);
        mpz_clear(two);
    }
    unsigned char *buf = mini_calloc((size_t)length + 1, 1);
    if (!buf)
        goto done;
    size_t nbytes = mpz_sgn(v) ? (mpz_sizeinbase(v, 2) + 7) / 8 : 0;
    if (nbytes)
        mpz_export(buf + (length - (ssize_t)nbytes), NULL, 1, 1, 1, 0, v);
    if (!big) {
        for (ssize_t i = 0, j = length - 1; i < j; i++, j--) {
            unsigned char c = buf[i];
            buf[i] = buf[j];
            buf[j] = c;
        }
    }
    result = bytes_new((const char *)buf, (size_t)length);
    mini_free(buf);
done:
    mpz_clear(v);
    return result;
}

static MiniObject *int_from_bytes(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    static const char *const names[] = {"bytes", "byteorder", "$signed", NULL};
    MiniObject *out[3] = {NULL, NULL, NULL};
    if (!mini_parse_args("from_bytes", args, nargs, kwnames, names, 1, out))
        return NULL;
    int big = parse_byteorder("from_bytes", out[1]);
    if (big < 0)
        return NULL;
    int is_signed = out[2] ? mini_truthy(out[2]) : 0;
    if (is_signed < 0)
        return NULL;
    MiniObject *src = out[0], *conv = NULL;
    const char *data;
    size_t size;
    if (!bytes_data(src, &data, &size)) {
        // Anything else goes through bytes(), as CPython's PyObject_Bytes does, except the
        // types bytes() would read differently.
        if (str_check(src) || int_check(src))
            return mini_raise(mini_exc_TypeError, "cannot convert '%s' object to bytes",
                              mini_type_name(src));
        conv = mini_call((MiniObject *)&mini_bytes_type, &src, 1, NULL);
        if (!conv)
            return NULL;
        if (!bytes_data(conv, &data, &size)) {
            MINI_DECREF(conv);
            return mini_raise(mini_exc_TypeError, "cannot convert '%s' object to bytes",
                              mini_type_name(src));
        }
    }
    mpz_t v;
    mpz_init(v);
    if (size)
        mpz_import(v, size, big ? 1 : -1, 1, 0, 0, data);
    if (is_signed && size) {
        unsigned char top = (unsigned char)(big ? data[0] : data[size - 1]);
        if (top & 0x80) {
            mpz_t two;
            mpz_init(two);
            mpz_setbit(two, (mp_bitcnt_t)size * 8);
            mpz_sub(v, v, two);
            mpz_clear(two);
        }
    }
    MINI_XDECREF(conv);
    MiniObject *result = int_from_mpz_move(v);
    if (result && cls != (MiniObject *)&mini_int_type) {
        MiniObject *r = mini_call(cls, &result, 1, NULL);
        MINI_DECREF(result);
        result = r;
    }
    return result;
}

static MiniObject *int_as_integer_ratio(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.as_integer_ratio", nargs, kwnames))
        return NULL;
    MiniObject *n = int_exact(self);
    if (!n)
        return NULL;
    MiniObject *t = tuple_pack(2, n, MINI_FROM_SMALLINT(1));
    MINI_DECREF(n);
    return t;
}

static MiniObject *int_conjugate(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.conjugate", nargs, kwnames))
        return NULL;
    return int_exact(self);
}

static MiniObject *int_getnewargs(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.__getnewargs__", nargs, kwnames))
        return NULL;
    MiniObject *v = int_exact(self);
    if (!v)
        return NULL;
    MiniObject *t = tuple_pack(1, v);
    MINI_DECREF(v);
    return t;
}

// CPython's size of the int: a 24-byte header and at least one 30-bit digit of 4 bytes.
static MiniObject *int_sizeof(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.__sizeof__", nargs, kwnames))
        return NULL;
    IntVal v;
    get_val(self, &v);
    uint64_t digits = (val_bits(&v) + 29) / 30;
    return int_from_u64(24 + 4 * (digits ? digits : 1));
}

static MiniObject *int_trunc(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.__trunc__", nargs, kwnames))
        return NULL;
    return int_exact(self);
}

static MiniObject *int_floor(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.__floor__", nargs, kwnames))
        return NULL;
    return int_exact(self);
}

static MiniObject *int_ceil(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)args;
    if (!no_args("int.__ceil__", nargs, kwnames))
        return NULL;
    return int_exact(self);
}

// round(self, ndigits): a negative ndigits rounds to a multiple of 10**-ndigits, ties to the
// even multiple (CPython's _PyLong_Round).
static MiniObject *int_round(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames) > 0)
        return mini_raise_str(mini_exc_TypeError, "int.__round__() takes no keyword arguments");
    if (nargs > 1)
        return mini_raise(mini_exc_TypeError, "__round__ expected at most 1 argument, got %zu",
                          nargs);
    if (nargs == 0)
        return int_exact(self);
    MiniObject *nd = mini_index(args[0]);
    if (!nd)
        return NULL;
    IntVal n, v;
    get_val(nd, &n);
    get_val(self, &v);
    if (val_sign(&n) >= 0) {
        MINI_DECREF(nd);
        return int_exact(self);
    }
    // 10**k exceeds 2*|self| once k passes the number of digits: the result is then 0.
    uint64_t digits_bound = val_bits(&v) * 30103 / 100000 + 2;
    bool tiny = !n.small || (uint64_t)(-n.v) > digits_bound;
    uint64_t k = tiny ? 0 : (uint64_t)(-n.v);
    MINI_DECREF(nd);
    if (tiny)
        return MINI_FROM_SMALLINT(0);
    Operand a;
    operand_init(&a, &v);
    mpz_t p, q, r;
    mpz_inits(p, q, r, NULL);
    mpz_ui_pow_ui(p, 10, k);
    mpz_fdiv_qr(q, r, a.p, p);
    mpz_mul_2exp(r, r, 1);
    int c = mpz_cmp(r, p);
    if (c > 0 || (c == 0 && mpz_odd_p(q)))
        mpz_add_ui(q, q, 1);
    mpz_mul(q, q, p);
    mpz_clears(p, r, NULL);
    operand_clear(&a);
    return int_from_mpz_move(q);
}

static MiniObject *int_divmod_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (!mini_no_kwargs("__divmod__", kwnames) || !mini_check_nargs("__divmod__", nargs, 1, 1))
        return NULL;
    GET_OPERANDS(self, args[0], x, y);
    return divmod_vals(&x, &y);
}

static MiniObject *int_rdivmod_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    if (!mini_no_kwargs("__rdivmod__", kwnames) ||
        !mini_check_nargs("__rdivmod__", nargs, 1, 1))
        return NULL;
    GET_OPERANDS(args[0], self, x, y);
    return divmod_vals(&x, &y);
}

// ---------------------------------------------------------------------------------------------
// __format__
// ---------------------------------------------------------------------------------------------

// Encodes the code point [c] (< 0x110000) as UTF-8 into [out]; returns the byte count.
static size_t utf8_encode(uint32_t c, char *out) {
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

MiniObject *num_unknown_format_code(char type, const char *type_name) {
    if (type > 32 && type < 127)
        return mini_raise(mini_exc_ValueError, "Unknown format code '%c' for object of type '%s'",
                          type, type_name);
    return mini_raise(mini_exc_ValueError, "Unknown format code '\\x%x' for object of type '%s'",
                      (unsigned)(unsigned char)type, type_name);
}

MiniObject *num_bad_grouping(char grouping, char type) {
    if (type > 32 && type < 127)
        return mini_raise(mini_exc_ValueError, "Cannot specify '%c' with '%c'.", grouping, type);
    return mini_raise(mini_exc_ValueError, "Cannot specify '%c' with '\\x%x'.", grouping,
                      (unsigned)(unsigned char)type);
}

// format(self, spec) for a non-empty spec. New str.
static MiniObject *int_format(MiniObject *self, MiniObject *spec) {
    const char *type_name = mini_type_name(self);
    FormatSpec fs;
    if (!format_spec_parse(spec, type_name, &fs))
        return NULL;
    bool no_neg_0 = num_spec_has_z(spec);
    char type = fs.type ? fs.type : 'd';
    if (fs.grouping) {
        switch (type) {
        case 'd': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%':
            break;
        case 'b': case 'o': case 'x': case 'X':
            if (fs.grouping == '_')
                break;
            return num_bad_grouping(fs.grouping, type);
        default:
            return num_bad_grouping(fs.grouping, type);
        }
    }
    switch (type) {
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%': {
        double d;
        if (!int_to_double(self, &d))
            return NULL;
        return float_format_parsed(d, &fs, no_neg_0, type_name);
    }
    case 'b': case 'c': case 'd': case 'o': case 'x': case 'X': case 'n':
        break;
    default:
        return num_unknown_format_code(type, type_name);
    }
    if (fs.precision != -1)
        return mini_raise_str(mini_exc_ValueError,
                              "Precision not allowed in integer format specifier");
    if (no_neg_0)
        return mini_raise_str(mini_exc_ValueError,
                              "Negative zero coercion (z) not allowed in integer format specifier");
    IntVal v;
    get_val(self, &v);
    if (type == 'c') {
        if (fs.sign)
            return mini_raise_str(mini_exc_ValueError,
                                  "Sign not allowed with integer format specifier 'c'");
        if (fs.alternate)
            return mini_raise_str(mini_exc_ValueError,
                                  "Alternate form (#) not allowed with integer format specifier "
                                  "'c'");
        if (!v.small && !mpz_fits_slong_p(v.z))
            return mini_raise_str(mini_exc_OverflowError,
                                  "Python int too large to convert to C long");
        if (!v.small || v.v < 0 || v.v > 0x10ffff)
            return mini_raise_str(mini_exc_OverflowError, "%c arg not in range(0x110000)");
        char ch[5];
        size_t n = utf8_encode((uint32_t)v.v, ch);
        ch[n] = '\0';
        // The character is "remainder" text to the padding rules, as in CPython; non-ASCII
        // text is padded by code points through format_pad.
        // (A NUL would end format_number's C strings early: pad it as text.)
        if (n == 1 && ch[0] != '\0')
            return format_number(&fs, false, "", "", ch);
        return format_pad(&fs, ch, n, 1, '>');
    }
    int base = type == 'b' ? 2 : type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
    size_t len;
    char *digits = abs_digits(&v, base, &len);
    if (!digits)
        return NULL;
    const char *prefix = "";
    if (type == 'X') {
        for (size_t i = 0; i < len; i++)
            if (digits[i] >= 'a' && digits[i] <= 'f')
                digits[i] = (char)(digits[i] - 'a' + 'A');
    }
    if (fs.alternate) {
        prefix = type == 'b'   ? "0b"
                 : type == 'o' ? "0o"
                 : type == 'x' ? "0x"
                 : type == 'X' ? "0X"
                               : "";
    }
    MiniObject *r = format_number(&fs, val_sign(&v) < 0, prefix, digits, "");
    mini_free(digits);
    return r;
}

static MiniObject *int_format_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames) > 0)
        return mini_raise_str(mini_exc_TypeError, "int.__format__() takes no keyword arguments");
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError,
                          "int.__format__() takes exactly one argument (%zu given)", nargs);
    MiniObject *spec = args[0];
    if (!str_check(spec))
        return mini_raise(mini_exc_TypeError, "__format__() argument must be str, not %s",
                          num_clinic_type_name(spec));
    if (STR_SIZE(spec) == 0)
        return mini_str(self);
    return int_format(self, spec);
}

// ---------------------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------------------

static MiniObject *int_get_self(MiniObject *self) { return int_exact(self); }
static MiniObject *int_get_zero(MiniObject *self) {
    (void)self;
    return MINI_FROM_SMALLINT(0);
}
static MiniObject *int_get_one(MiniObject *self) {
    (void)self;
    return MINI_FROM_SMALLINT(1);
}

static const MiniMethodDef int_methods[] = {
    {"bit_length", int_bit_length, 0, "Number of bits necessary to represent self in binary."},
    {"bit_count", int_bit_count, 0, "Number of ones in the binary representation of abs(self)."},
    {"to_bytes", int_to_bytes, 0, "Return an array of bytes representing an integer."},
    {"from_bytes", int_from_bytes, MINI_METH_CLASS,
     "Return the integer represented by the given array of bytes."},
    {"as_integer_ratio", int_as_integer_ratio, 0,
     "Return integer ratio: a pair of integers whose ratio equals the original int."},
    {"conjugate", int_conjugate, 0, "Returns self, the complex conjugate of any int."},
    {"__round__", int_round, 0, "Rounding an Integral returns itself."},
    {"__trunc__", int_trunc, 0, "Truncating an Integral returns itself."},
    {"__floor__", int_floor, 0, "Flooring an Integral returns itself."},
    {"__ceil__", int_ceil, 0, "Ceiling of an Integral returns itself."},
    {"__format__", int_format_method, 0, "Convert to a string according to format_spec."},
    {"__divmod__", int_divmod_method, 0, "Return divmod(self, value)."},
    {"__rdivmod__", int_rdivmod_method, 0, "Return divmod(value, self)."},
    {"__getnewargs__", int_getnewargs, 0, NULL},
    {"__sizeof__", int_sizeof, 0, "Returns size in memory, in bytes."},
    {NULL, NULL, 0, NULL},
};

static const MiniGetSetDef int_getset[] = {
    {"real", int_get_self, NULL, "the real part of a complex number"},
    {"imag", int_get_zero, NULL, "the imaginary part of a complex number"},
    {"numerator", int_get_self, NULL, "the numerator of a rational number in lowest terms"},
    {"denominator", int_get_one, NULL, "the denominator of a rational number in lowest terms"},
    {NULL, NULL, NULL, NULL},
};

// int's str slot stays NULL, as in CPython: str() of an int then goes through repr, so a
// subclass that overrides __repr__ changes str() too.
MiniType mini_int_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "int",
    .basicsize = sizeof(MiniBigInt),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_INT_SUBCLASS,
    .dealloc = int_dealloc,
    .tp_new = int_tp_new,
    .repr = int_repr,
    .hash = int_hash,
    .richcompare = int_richcompare,
    .binop =
        {
            [BINOP_ADD] = int_add,
            [BINOP_SUB] = int_sub,
            [BINOP_MUL] = int_mul,
            [BINOP_TRUEDIV] = int_truediv,
            [BINOP_FLOORDIV] = int_floordiv,
            [BINOP_MOD] = int_mod,
            [BINOP_POW] = int_pow,
            [BINOP_LSHIFT] = int_lshift,
            [BINOP_RSHIFT] = int_rshift,
            [BINOP_AND] = int_and,
            [BINOP_OR] = int_or,
            [BINOP_XOR] = int_xor,
        },
    .nb_pow3 = int_pow3,
    .nb_neg = int_neg,
    .nb_pos = int_pos,
    .nb_invert = int_invert,
    .nb_abs = int_abs,
    .nb_bool = int_bool,
    .nb_int = int_pos,
    .nb_float = int_float,
    .nb_index = int_pos,
    .methods = int_methods,
    .getset = int_getset,
    .doc = "int([x]) -> integer\nint(x, base=10) -> integer\n\nConvert a number or string to an "
           "integer, or return 0 if no arguments are given.",
};

// ---------------------------------------------------------------------------------------------
// bool
// ---------------------------------------------------------------------------------------------

static MiniObject *bool_repr(MiniObject *o) {
    return mini_intern(o == MINI_TRUE ? "True" : "False");
}

static MiniObject *bool_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)type;
    if (kwnames && TUPLE_SIZE(kwnames) > 0)
        return mini_raise_str(mini_exc_TypeError, "bool() takes no keyword arguments");
    if (nargs > 1)
        return mini_raise(mini_exc_TypeError, "bool expected at most 1 argument, got %zu", nargs);
    if (nargs == 0)
        return MINI_FALSE;
    int t = mini_truthy(args[0]);
    if (t < 0)
        return NULL;
    return MINI_BOOL(t);
}

static MiniObject *bool_and(MiniObject *a, MiniObject *b) {
    if (MINI_IS_BOOL(a) && MINI_IS_BOOL(b))
        return MINI_BOOL(a == MINI_TRUE && b == MINI_TRUE);
    return int_and(a, b);
}

static MiniObject *bool_or(MiniObject *a, MiniObject *b) {
    if (MINI_IS_BOOL(a) && MINI_IS_BOOL(b))
        return MINI_BOOL(a == MINI_TRUE || b == MINI_TRUE);
    return int_or(a, b);
}

static MiniObject *bool_xor(MiniObject *a, MiniObject *b) {
    if (MINI_IS_BOOL(a) && MINI_IS_BOOL(b))
        return MINI_BOOL(a != b);
    return int_xor(a, b);
}

// bool is final (no MINI_TPFLAG_BASETYPE): "type 'bool' is not an acceptable base type".
MiniType mini_bool_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "bool",
    .basicsize = sizeof(MiniBigInt),
    .flags = MINI_TPFLAG_INT_SUBCLASS,
    .base = &mini_int_type,
    .tp_new = bool_tp_new,
    .repr = bool_repr,
    .binop =
        {
            [BINOP_AND] = bool_and,
            [BINOP_OR] = bool_or,
            [BINOP_XOR] = bool_xor,
        },
    .doc = "bool(x) -> bool\n\nReturns True when the argument x is true, False otherwise.",
};
