// math.c - the math module: CPython 3.11's Modules/mathmodule.c for mini.
//
// Every function converts its arguments as CPython does (exact floats and ints directly, other
// objects through __float__ or __index__, "must be real number, not str" otherwise) and reports
// errors the way CPython's math_1 / math_2 / is_error do: a NaN out of a non-NaN argument is
// ValueError "math domain error", an infinity out of finite arguments is OverflowError "math
// range error" (or a domain error for functions that cannot overflow), and errno set by libm
// decides the rest. The special-case wrappers (m_atan2, m_remainder, m_log, m_tgamma, m_lgamma,
// vector_norm, fsum) are ports of CPython's, so that results agree to the last bit.
//
// Integer functions (factorial, isqrt, gcd, lcm, comb, perm, and log of huge ints) work on GMP
// integers through runtime/int.h, so they are exact and fast for big values.
//
// The math_* functions have the vectorcall signature (self is the module) and return a new
// reference, or NULL with an exception pending.

#include "stdlib.h"
#include "stdlib_args.h"

#include "../runtime/int.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

// ---------------------------------------------------------------------------------------------
// Argument conversion and error reporting
// ---------------------------------------------------------------------------------------------

// The value of a float argument, with the fast paths CPython's ASSIGN_DOUBLE takes for exact
// floats and small ints. False with TypeError (or OverflowError for a huge int) pending.
static inline bool get_double(MiniObject *o, double *out) {
    if (MINI_IS_SMALLINT(o)) {
        *out = (double)MINI_SMALLINT_VALUE(o);
        return true;
    }
    if (MINI_IS_PTR(o) && o->type == &mini_float_type) {
        *out = ((MiniFloat *)o)->value;
        return true;
    }
    double d = float_as_double(o);
    if (d == -1.0 && mini_error_occurred())
        return false;
    *out = d;
    return true;
}

// CPython's is_error: turns errno after a libm call into an exception. Returns true when an
// exception was raised, false when the result stands (an underflow to a tiny value is not an
// error).
static bool is_error(double x) {
    if (errno == EDOM) {
        mini_raise_str(mini_exc_ValueError, "math domain error");
        return true;
    }
    if (errno == ERANGE) {
        // Underflows give results near zero; only overflows (huge results) are errors.
        if (fabs(x) < 1.5)
            return false;
        mini_raise_str(mini_exc_OverflowError, "math range error");
        return true;
    }
    mini_raise_errno(errno, NULL);
    return true;
}

// Checks for "math.sqrt() takes exactly one argument (0 given)" and no keywords.
static bool check_one(const char *fname, size_t nargs, MiniObject *kwnames) {
    return one_arg(fname, nargs, kwnames);
}

// Checks for "atan2 expected 2 arguments, got 1" (Argument Clinic's positional-only words)
// and "math.atan2() takes no keyword arguments".
static bool check_two(const char *fname, size_t nargs, MiniObject *kwnames) {
    // CPython names the function with its module in this one message only.
    char qualname[32];
    snprintf(qualname, sizeof qualname, "math.%s", fname);
    if (!mini_no_kwargs(qualname, kwnames))
        return false;
    if (nargs != 2) {
        mini_raise(mini_exc_TypeError, "%s expected 2 arguments, got %zu", fname, nargs);
        return false;
    }
    return true;
}

// CPython's math_1: applies [func] to the float argument and checks the result. With
// [can_overflow], an infinite result from a finite argument is OverflowError, else ValueError.
// New reference.
static MiniObject *math_1(const char *fname, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames, double (*func)(double), bool can_overflow) {
    if (!check_one(fname, nargs, kwnames))
        return NULL;
    double x;
    if (!get_double(args[0], &x))
        return NULL;
    errno = 0;
    double r = func(x);
    if (isnan(r) && !isnan(x))
        return mini_raise_str(mini_exc_ValueError, "math domain error");
    if (isinf(r) && isfinite(x)) {
        if (can_overflow)
            return mini_raise_str(mini_exc_OverflowError, "math range error");
        return mini_raise_str(mini_exc_ValueError, "math domain error");
    }
    if (isfinite(r) && errno && is_error(r))
        return NULL;
    return float_new(r);
}

// CPython's math_1a: for functions that set errno themselves (gamma, lgamma). New reference.
static MiniObject *math_1a(const char *fname, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames, double (*func)(double)) {
    if (!check_one(fname, nargs, kwnames))
        return NULL;
    double x;
    if (!get_double(args[0], &x))
        return NULL;
    errno = 0;
    double r = func(x);
    if (errno && is_error(r))
        return NULL;
    return float_new(r);
}

// CPython's math_2: a function of two floats; NaN from non-NaN arguments is a domain error and
// infinity from finite ones a range error. New reference.
static MiniObject *math_2(const char *fname, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames, double (*func)(double, double)) {
    if (!check_two(fname, nargs, kwnames))
        return NULL;
    double x, y;
    if (!get_double(args[0], &x) || !get_double(args[1], &y))
        return NULL;
    errno = 0;
    double r = func(x, y);
    if (isnan(r)) {
        errno = (!isnan(x) && !isnan(y)) ? EDOM : 0;
    } else if (isinf(r)) {
        errno = (isfinite(x) && isfinite(y)) ? ERANGE : 0;
    }
    if (errno && is_error(r))
        return NULL;
    return float_new(r);
}

// ---------------------------------------------------------------------------------------------
// Special-case wrappers of libm (ports of CPython's m_* functions)
// ---------------------------------------------------------------------------------------------

static const double pi = 3.141592653589793238462643383279502884197;
static const double logpi = 1.144729885849400174143427351353058711647;

// atan2 with C99 Annex F's special values on every platform. Note the argument order (y, x).
static double m_atan2(double y, double x) {
    if (isnan(x) || isnan(y))
        return NAN;
    if (isinf(y)) {
        if (isinf(x)) {
            if (copysign(1., x) == 1.)
                return copysign(0.25 * pi, y); // atan2(+-inf, +inf) == +-pi/4
            return copysign(0.75 * pi, y);     // atan2(+-inf, -inf) == +-pi*3/4
        }
        return copysign(0.5 * pi, y); // atan2(+-inf, x) == +-pi/2 for finite x
    }
    if (isinf(x) || y == 0.) {
        if (copysign(1., x) == 1.)
            return copysign(0., y); // atan2(+-y, +inf) = atan2(+-0, +x) = +-0.
        return copysign(pi, y);     // atan2(+-y, -inf) = atan2(+-0., -x) = +-pi.
    }
    return atan2(y, x);
}

// IEEE 754 remainder, computed exactly as CPython does (it does not trust the platform's).
static double m_remainder(double x, double y) {
    if (isfinite(x) && isfinite(y)) {
        if (y == 0.0)
            return NAN;
        double absx = fabs(x), absy = fabs(y);
        double m = fmod(absx, absy);
        double c = absy - m, r;
        if (m < c)
            r = m;
        else if (m > c)
            r = -c;
        else
            // Half way: pick the even multiple. fmod is exact, so this is too.
            r = m - 2.0 * fmod(0.5 * (absx - m), absy);
        return copysign(1.0, x) * r;
    }
    if (isnan(x))
        return x;
    if (isnan(y))
        return y;
    if (isinf(x))
        return NAN;
    return x; // y is infinite, x finite
}

// The logarithms with the errno CPython expects: EDOM for zero and negative arguments.
static double m_log(double x) {
    if (isfinite(x)) {
        if (x > 0.0)
            return log(x);
        errno = EDOM;
        return x == 0.0 ? -HUGE_VAL : NAN;
    }
    if (isnan(x) || x > 0.0)
        return x;
    errno = EDOM;
    return NAN;
}

static double m_log2(double x) {
    if (!isfinite(x)) {
        if (isnan(x) || x > 0.0)
            return x;
        errno = EDOM;
        return NAN;
    }
    if (x > 0.0)
        return log2(x);
    errno = EDOM;
    return x == 0.0 ? -HUGE_VAL : NAN;
}

static double m_log10(double x) {
    if (isfinite(x)) {
        if (x > 0.0)
            return log10(x);
        errno = EDOM;
        return x == 0.0 ? -HUGE_VAL : NAN;
    }
    if (isnan(x) || x > 0.0)
        return x;
    errno = EDOM;
    return NAN;
}

// sin(pi * x) for finite x, accurate near the integers (the reflection formula needs that).
static double m_sinpi(double x) {
    double y = fmod(fabs(x), 2.0);
    int n = (int)round(2.0 * y);
    double r;
    switch (n) {
    case 0:
        r = sin(pi * y);
        break;
    case 1:
        r = cos(pi * (y - 0.5));
        break;
    case 2:
        // -sin(pi*(y-1.0)) would give -0.0 instead of 0.0 when y == 1.0.
        r = sin(pi * (1.0 - y));
        break;
    case 3:
        r = -cos(pi * (y - 1.5));
        break;
    default:
        r = sin(pi * (y - 2.0));
        break;
    }
    return copysign(1.0, x) * r;
}

// The Lanczos approximation (N=13, g=6.024680040776729583740234375) that CPython uses for
// gamma and lgamma, as a rational function.
#define LANCZOS_N 13
static const double lanczos_g = 6.024680040776729583740234375;
static const double lanczos_g_minus_half = 5.524680040776729583740234375;
static const double lanczos_num_coeffs[LANCZOS_N] = {
    23531376880.410759688572007674451636754734846804940,
    42919803642.649098768957899047001988850926355848959,
    35711959237.355668049440185451547166705960488635843,
    17921034426.037209699919755754458931112671403265390,
    6039542586.3520280050642916443072979210699388420708,
    1439720407.3117216736632230727949123939715485786772,
    248874557.86205415651146038641322942321632125127801,
    31426415.585400194380614231628318205362874684987640,
    2876370.6289353724412254090516208496135991145378768,
    186056.26539522349504029498971604569928220784236328,
    8071.6720023658162106380029022722506138218516325024,
    210.82427775157934587250973392071336271166969580291,
    2.5066282746310002701649081771338373386264310793408};
// The denominator is x*(x+1)*...*(x+LANCZOS_N-2).
static const double lanczos_den_coeffs[LANCZOS_N] = {
    0.0,       39916800.0, 120543840.0, 150917976.0, 105258076.0, 45995730.0, 13339535.0,
    2637558.0, 357423.0,   32670.0,     1925.0,      66.0,        1.0};
// gamma(1) .. gamma(23), exact.
#define NGAMMA_INTEGRAL 23
static const double gamma_integral[NGAMMA_INTEGRAL] = {
    1.0,
    1.0,
    2.0,
    6.0,
    24.0,
    120.0,
    720.0,
    5040.0,
    40320.0,
    362880.0,
    3628800.0,
    39916800.0,
    479001600.0,
    6227020800.0,
    87178291200.0,
    1307674368000.0,
    20922789888000.0,
    355687428096000.0,
    6402373705728000.0,
    121645100408832000.0,
    2432902008176640000.0,
    51090942171709440000.0,
    1124000727777607680000.0,
};

// Lanczos' sum L_g(x) for positive x.
static double lanczos_sum(double x) {
    double num = 0.0, den = 0.0;
    // For large x the obvious evaluation risks overflow, so it is done in 1/x instead.
    if (x < 5.0) {
        for (int i = LANCZOS_N; --i >= 0;) {
            num = num * x + lanczos_num_coeffs[i];
            den = den * x + lanczos_den_coeffs[i];
        }
    } else {
        for (int i = 0; i < LANCZOS_N; i++) {
            num = num / x + lanczos_num_coeffs[i];
            den = den / x + lanczos_den_coeffs[i];
        }
    }
    return num / den;
}

static double m_tgamma(double x) {
    if (!isfinite(x)) {
        if (isnan(x) || x > 0.0)
            return x; // tgamma(nan) = nan, tgamma(inf) = inf
        errno = EDOM;
        return NAN; // tgamma(-inf) = nan, invalid
    }
    if (x == 0.0) {
        errno = EDOM;
        return copysign(HUGE_VAL, x);
    }
    if (x == floor(x)) {
        if (x < 0.0) {
            errno = EDOM; // the poles at the negative integers
            return NAN;
        }
        if (x <= NGAMMA_INTEGRAL)
            return gamma_integral[(int)x - 1];
    }
    double absx = fabs(x);
    if (absx < 1e-20) {
        double r = 1.0 / x; // tgamma(x) ~ 1/x near 0
        if (isinf(r))
            errno = ERANGE;
        return r;
    }
    // gamma overflows for x > 200 and underflows to +-0.0 for x < -200.
    if (absx > 200.0) {
        if (x < 0.0)
            return 0.0 / m_sinpi(x);
        errno = ERANGE;
        return HUGE_VAL;
    }
    double y = absx + lanczos_g_minus_half, z, r;
    // The rounding error of y, which the pow and exp below would magnify; corrected for below.
    if (absx > lanczos_g_minus_half) {
        double q = y - absx;
        z = q - lanczos_g_minus_half;
    } else {
        double q = y - lanczos_g_minus_half;
        z = q - absx;
    }
    z = z * lanczos_g / y;
    if (x < 0.0) {
        r = -pi / m_sinpi(absx) / absx * exp(y) / lanczos_sum(absx);
        r -= z * r;
        if (absx < 140.0) {
            r /= pow(y, absx - 0.5);
        } else {
            double sqrtpow = pow(y, absx / 2.0 - 0.25);
            r /= sqrtpow;
            r /= sqrtpow;
        }
    } else {
        r = lanczos_sum(absx) / exp(y);
        r += z * r;
        if (absx < 140.0) {
            r *= pow(y, absx - 0.5);
        } else {
            double sqrtpow = pow(y, absx / 2.0 - 0.25);
            r *= sqrtpow;
            r *= sqrtpow;
        }
    }
    if (isinf(r))
        errno = ERANGE;
    return r;
}

// log(abs(gamma(x))).
static double m_lgamma(double x) {
    if (!isfinite(x)) {
        if (isnan(x))
            return x;
        return HUGE_VAL; // lgamma(+-inf) = +inf
    }
    if (x == floor(x) && x <= 2.0) {
        if (x <= 0.0) {
            errno = EDOM; // the poles at the integers <= 0
            return HUGE_VAL;
        }
        return 0.0; // lgamma(1) = lgamma(2) = 0.0
    }
    double absx = fabs(x);
    if (absx < 1e-20)
        return -log(absx);
    double r = log(lanczos_sum(absx)) - lanczos_g;
    r += (absx - 0.5) * (log(absx + lanczos_g - 0.5) - 1);
    if (x < 0.0)
        // The reflection formula gives the value for negative x.
        r = logpi - log(fabs(m_sinpi(absx))) - log(absx) - r;
    if (isinf(r))
        errno = ERANGE;
    return r;
}

// ---------------------------------------------------------------------------------------------
// Functions of one float
// ---------------------------------------------------------------------------------------------

#define FUNC1(name, func, can_overflow)                                                          \
    static MiniObject *math_##name(MiniObject *self, MiniObject *const *args, size_t nargs,      \
                                   MiniObject *kwnames) {                                        \
        (void)self;                                                                              \
        return math_1("math." #name, args, nargs, kwnames, func, can_overflow);                  \
    }

FUNC1(acos, acos, false)
FUNC1(acosh, acosh, false)
FUNC1(asin, asin, false)
FUNC1(asinh, asinh, false)
FUNC1(atan, atan, false)
FUNC1(atanh, atanh, false)
FUNC1(cbrt, cbrt, false)
FUNC1(cos, cos, false)
FUNC1(cosh, cosh, true)
FUNC1(erf, erf, false)
FUNC1(erfc, erfc, false)
FUNC1(exp, exp, true)
FUNC1(exp2, exp2, true)
FUNC1(expm1, expm1, true)
FUNC1(fabs, fabs, false)
FUNC1(log1p, log1p, false)
FUNC1(sin, sin, false)
FUNC1(sinh, sinh, true)
FUNC1(sqrt, sqrt, false)
FUNC1(tan, tan, false)
FUNC1(tanh, tanh, false)

static MiniObject *math_gamma(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    return math_1a("math.gamma", args, nargs, kwnames, m_tgamma);
}

static MiniObject *math_lgamma(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return math_1a("math.lgamma", args, nargs, kwnames, m_lgamma);
}

static MiniObject *math_degrees(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    double x;
    if (!check_one("math.degrees", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    return float_new(x * (180.0 / pi));
}

static MiniObject *math_radians(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    double x;
    if (!check_one("math.radians", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    return float_new(x * (pi / 180.0));
}

static MiniObject *math_isnan(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    double x;
    if (!check_one("math.isnan", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    return MINI_BOOL(isnan(x));
}

static MiniObject *math_isinf(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    double x;
    if (!check_one("math.isinf", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    return MINI_BOOL(isinf(x));
}

static MiniObject *math_isfinite(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    double x;
    if (!check_one("math.isfinite", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    return MINI_BOOL(isfinite(x));
}

static MiniObject *math_ulp(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    double x;
    if (!check_one("math.ulp", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    if (isnan(x))
        return float_new(x);
    x = fabs(x);
    if (isinf(x))
        return float_new(x);
    double x2 = nextafter(x, INFINITY);
    if (isinf(x2)) {
        // The largest float: measure the gap below it instead.
        x2 = nextafter(x, -INFINITY);
        return float_new(x - x2);
    }
    return float_new(x2 - x);
}

static MiniObject *math_frexp(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    double x;
    if (!check_one("math.frexp", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    int e = 0;
    // frexp's result for nan, inf and zero is unspecified: they come back as they are.
    if (isfinite(x) && x != 0.0)
        x = frexp(x, &e);
    MiniObject *m = float_new(x);
    if (!m)
        return NULL;
    MiniObject *r = tuple_pack(2, m, MINI_FROM_SMALLINT(e));
    MINI_DECREF(m);
    return r;
}

static MiniObject *math_modf(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    double x, y;
    if (!check_one("math.modf", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    if (isinf(x)) {
        y = x;
        x = copysign(0.0, x);
    } else if (isnan(x)) {
        y = x;
    } else {
        x = modf(x, &y);
    }
    MiniObject *frac = float_new(x);
    if (!frac)
        return NULL;
    MiniObject *whole = float_new(y);
    if (!whole) {
        MINI_DECREF(frac);
        return NULL;
    }
    MiniObject *r = tuple_pack(2, frac, whole);
    MINI_DECREF(frac);
    MINI_DECREF(whole);
    return r;
}

// ---------------------------------------------------------------------------------------------
// floor, ceil, trunc: ints through __floor__ / __ceil__ / __trunc__
// ---------------------------------------------------------------------------------------------

// Calls the special method [name] of [o] looked up on its type, as _PyObject_LookupSpecial
// does. Sets *found to false (and returns NULL, no exception) when the type lacks it. New
// reference.
static MiniObject *call_special(MiniObject *o, MiniObject *name, bool *found) {
    MiniType *t = mini_type(o);
    MiniObject *attr = type_lookup(t, name);
    *found = attr != NULL;
    if (!attr)
        return NULL;
    MiniType *at = mini_type(attr);
    MiniObject *bound;
    if (at->descr_get) {
        bound = at->descr_get(attr, o, (MiniObject *)t);
        if (!bound)
            return NULL;
    } else {
        bound = mini_newref(attr);
    }
    MiniObject *r = mini_call(bound, NULL, 0, NULL);
    MINI_DECREF(bound);
    return r;
}

// floor or ceil: exact floats and ints directly, other objects by their special method or
// else by their float value.
static MiniObject *floor_or_ceil(const char *fname, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames, MiniObject *name, double (*func)(double)) {
    if (!check_one(fname, nargs, kwnames))
        return NULL;
    MiniObject *x = args[0];
    if (MINI_IS_PTR(x) && x->type == &mini_float_type)
        return int_from_double(func(((MiniFloat *)x)->value));
    if (int_check_exact(x))
        return mini_newref(x);
    bool found;
    MiniObject *r = call_special(x, name, &found);
    if (found)
        return r;
    double d;
    if (!get_double(x, &d))
        return NULL;
    return int_from_double(func(d));
}

static MiniObject *math_floor(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    return floor_or_ceil("math.floor", args, nargs, kwnames, MINI_ID(__floor__), floor);
}

static MiniObject *math_ceil(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    return floor_or_ceil("math.ceil", args, nargs, kwnames, MINI_ID(__ceil__), ceil);
}

static MiniObject *math_trunc(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!check_one("math.trunc", nargs, kwnames))
        return NULL;
    MiniObject *x = args[0];
    if (MINI_IS_PTR(x) && x->type == &mini_float_type)
        return int_from_double(((MiniFloat *)x)->value);
    if (int_check_exact(x))
        return mini_newref(x);
    bool found;
    MiniObject *r = call_special(x, MINI_ID(__trunc__), &found);
    if (!found && !mini_error_occurred())
        mini_raise(mini_exc_TypeError, "type %s doesn't define __trunc__ method",
                   mini_type_name(x));
    return r;
}

// ---------------------------------------------------------------------------------------------
// Functions of two floats
// ---------------------------------------------------------------------------------------------

static MiniObject *math_atan2(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    return math_2("atan2", args, nargs, kwnames, m_atan2);
}

static MiniObject *math_copysign(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    return math_2("copysign", args, nargs, kwnames, copysign);
}

static MiniObject *math_remainder(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    return math_2("remainder", args, nargs, kwnames, m_remainder);
}

static MiniObject *math_nextafter(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    double x, y;
    if (!check_two("nextafter", nargs, kwnames) || !get_double(args[0], &x) ||
        !get_double(args[1], &y))
        return NULL;
    return float_new(nextafter(x, y));
}

static MiniObject *math_fmod(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    double x, y;
    if (!check_two("fmod", nargs, kwnames) || !get_double(args[0], &x) ||
        !get_double(args[1], &y))
        return NULL;
    // fmod(x, +-inf) returns x for finite x.
    if (isinf(y) && isfinite(x))
        return float_new(x);
    errno = 0;
    double r = fmod(x, y);
    if (isnan(r))
        errno = (!isnan(x) && !isnan(y)) ? EDOM : 0;
    if (errno && is_error(r))
        return NULL;
    return float_new(r);
}

static MiniObject *math_pow(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    double x, y, r;
    if (!check_two("pow", nargs, kwnames) || !get_double(args[0], &x) ||
        !get_double(args[1], &y))
        return NULL;
    // Infinities and NaNs get C99 Annex F's results on every platform.
    errno = 0;
    if (!isfinite(x) || !isfinite(y)) {
        if (isnan(x)) {
            r = y == 0.0 ? 1.0 : x; // NaN**0 = 1
        } else if (isnan(y)) {
            r = x == 1.0 ? 1.0 : y; // 1**NaN = 1
        } else if (isinf(x)) {
            bool odd_y = isfinite(y) && fmod(fabs(y), 2.0) == 1.0;
            if (y > 0.)
                r = odd_y ? x : fabs(x);
            else if (y == 0.)
                r = 1.;
            else // y < 0.
                r = odd_y ? copysign(0., x) : 0.;
        } else { // y is infinite
            if (fabs(x) == 1.0)
                r = 1.;
            else if (y > 0. && fabs(x) > 1.0)
                r = y;
            else if (y < 0. && fabs(x) < 1.0)
                r = -y; // result is +inf
            else
                r = 0.;
        }
    } else {
        r = pow(x, y);
        if (!isfinite(r)) {
            if (isnan(r))
                errno = EDOM; // a negative number to a non-integer power
            else if (x == 0.)
                errno = EDOM; // 0 to a negative power
            else
                errno = ERANGE;
        }
    }
    if (errno && is_error(r))
        return NULL;
    return float_new(r);
}

static MiniObject *math_ldexp(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    double x, r;
    if (!check_two("ldexp", nargs, kwnames) || !get_double(args[0], &x))
        return NULL;
    MiniObject *i = args[1];
    if (!int_check(i))
        return mini_raise_str(mini_exc_TypeError, "Expected an int as second argument to ldexp.");
    // An exponent too large for a long acts as the largest or smallest one.
    int64_t exp;
    if (!int_as_i64(i, &exp)) {
        mini_error_clear();
        exp = int_sign(i) < 0 ? INT64_MIN : INT64_MAX;
    }
    if (x == 0. || !isfinite(x)) {
        r = x; // NaNs, zeros and infinities are returned unchanged
        errno = 0;
    } else if (exp > INT_MAX) {
        r = copysign(HUGE_VAL, x); // overflow
        errno = ERANGE;
    } else if (exp < INT_MIN) {
        r = copysign(0., x); // underflow to +-0
        errno = 0;
    } else {
        errno = 0;
        r = ldexp(x, (int)exp);
        if (isinf(r))
            errno = ERANGE;
    }
    if (errno && is_error(r))
        return NULL;
    return float_new(r);
}

static MiniObject *math_isclose(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"a", "b", "$rel_tol", "$abs_tol", NULL};
    MiniObject *out[4] = {NULL, NULL, NULL, NULL};
    if (!mini_parse_args("isclose", args, nargs, kwnames, names, 2, out))
        return NULL;
    double a, b, rel_tol = 1e-09, abs_tol = 0.0;
    if (!get_double(out[0], &a) || !get_double(out[1], &b))
        return NULL;
    if (out[2] && !get_double(out[2], &rel_tol))
        return NULL;
    if (out[3] && !get_double(out[3], &abs_tol))
        return NULL;
    if (rel_tol < 0.0 || abs_tol < 0.0)
        return mini_raise_str(mini_exc_ValueError, "tolerances must be non-negative");
    // Equal values (infinities included) are close; otherwise infinities never are.
    if (a == b)
        return MINI_TRUE;
    if (isinf(a) || isinf(b))
        return MINI_FALSE;
    double diff = fabs(b - a);
    return MINI_BOOL(diff <= fabs(rel_tol * b) || diff <= fabs(rel_tol * a) || diff <= abs_tol);
}

// ---------------------------------------------------------------------------------------------
// Logarithms (exact for huge ints)
// ---------------------------------------------------------------------------------------------

// frexp of a huge int: *m in [0.5, 1) correctly rounded (half-even) and the binary exponent,
// as CPython's _PyLong_Frexp.
static double bigint_frexp(MiniObject *i, int64_t *e) {
    mpz_t z, q;
    mpz_init(z);
    mpz_init(q);
    int_get_mpz(i, z);
    mpz_abs(z, z);
    size_t nbits = mpz_sizeinbase(z, 2);
    double m;
    if (nbits <= 55) {
        m = ldexp((double)mpz_get_ui(z), -(int)nbits);
    } else {
        // Keep 55 bits and fold the rest into a sticky low bit, so that converting the 55-bit
        // integer to double rounds exactly as the whole value would.
        mp_bitcnt_t shift = nbits - 55;
        mpz_tdiv_q_2exp(q, z, shift);
        uint64_t top = mpz_get_ui(q);
        if (mpz_scan1(z, 0) < shift)
            top |= 1;
        m = ldexp((double)top, -55);
    }
    *e = (int64_t)nbits;
    if (m == 1.0) {
        m = 0.5;
        (*e)++;
    }
    mpz_clear(z);
    mpz_clear(q);
    return m;
}

// CPython's loghelper: [func] of the argument, which may be an int too large for a float.
// False with an exception pending.
static bool loghelper(MiniObject *arg, double (*func)(double), double *out) {
    if (int_check(arg)) {
        if (int_sign(arg) <= 0) {
            mini_raise_str(mini_exc_ValueError, "math domain error");
            return false;
        }
        double x;
        if (int_to_double(arg, &x)) {
            *out = func(x);
            return true;
        }
        if (!mini_error_matches(mini_exc_OverflowError))
            return false;
        // Too large for a float: log(m * 2**e) = log(m) + log(2) * e.
        mini_error_clear();
        int64_t e;
        x = bigint_frexp(arg, &e);
        *out = func(x) + func(2.0) * (double)e;
        return true;
    }
    double x;
    if (!get_double(arg, &x))
        return false;
    errno = 0;
    double r = func(x);
    if (isnan(r) && !isnan(x)) {
        mini_raise_str(mini_exc_ValueError, "math domain error");
        return false;
    }
    if (isinf(r) && isfinite(x)) {
        mini_raise_str(mini_exc_ValueError, "math domain error");
        return false;
    }
    if (isfinite(r) && errno && is_error(r))
        return false;
    *out = r;
    return true;
}

static MiniObject *math_log(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("log", kwnames))
        return NULL;
    if (nargs < 1 || nargs > 2)
        return mini_raise_str(mini_exc_TypeError, "math.log requires 1 to 2 arguments");
    double num, den;
    if (!loghelper(args[0], m_log, &num))
        return NULL;
    if (nargs == 1)
        return float_new(num);
    if (!loghelper(args[1], m_log, &den))
        return NULL;
    if (den == 0.0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "float division by zero");
    return float_new(num / den);
}

static MiniObject *math_log2(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    double r;
    if (!check_one("math.log2", nargs, kwnames) || !loghelper(args[0], m_log2, &r))
        return NULL;
    return float_new(r);
}

static MiniObject *math_log10(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    double r;
    if (!check_one("math.log10", nargs, kwnames) || !loghelper(args[0], m_log10, &r))
        return NULL;
    return float_new(r);
}

// ---------------------------------------------------------------------------------------------
// fsum, hypot, dist, prod
// ---------------------------------------------------------------------------------------------

// Full-precision summation of floats by Shewchuk's algorithm: the partial sums are kept as a
// list of non-overlapping floats, so the result is the exact sum correctly rounded. A port of
// CPython's math_fsum, special values and error messages included.
static MiniObject *math_fsum(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    if (!check_one("math.fsum", nargs, kwnames))
        return NULL;
    MiniObject *iter = mini_iter(args[0]);
    if (!iter)
        return NULL;
    double ps[32], *p = ps;
    size_t n = 0, m = 32;
    double special_sum = 0.0, inf_sum = 0.0;
    double x, y, t, hi, yr, lo = 0.0;
    MiniObject *result = NULL;
    for (;;) {
        MiniObject *item = mini_next(iter);
        if (!item) {
            if (mini_error_occurred())
                goto done;
            break;
        }
        bool ok = get_double(item, &x);
        MINI_DECREF(item);
        if (!ok)
            goto done;
        double xsave = x;
        size_t i = 0;
        for (size_t j = 0; j < n; j++) { // for y in partials
            y = p[j];
            if (fabs(x) < fabs(y)) {
                t = x;
                x = y;
                y = t;
            }
            hi = x + y;
            yr = hi - x;
            lo = y - yr;
            if (lo != 0.0)
                p[i++] = lo;
            x = hi;
        }
        n = i; // ps[i:] = [x]
        if (x != 0.0) {
            if (!isfinite(x)) {
                // A non-finite x comes from an intermediate overflow or from a nan or inf
                // among the summands.
                if (isfinite(xsave)) {
                    mini_raise_str(mini_exc_OverflowError, "intermediate overflow in fsum");
                    goto done;
                }
                if (isinf(xsave))
                    inf_sum += xsave;
                special_sum += xsave;
                n = 0; // reset the partials
            } else {
                if (n >= m) {
                    size_t newm = m * 2;
                    double *np;
                    if (p == ps) {
                        np = mini_malloc(newm * sizeof(double));
                        if (np)
                            memcpy(np, ps, n * sizeof(double));
                    } else {
                        np = mini_realloc(p, newm * sizeof(double));
                    }
                    if (!np)
                        goto done;
                    p = np;
                    m = newm;
                }
                p[n++] = x;
            }
        }
    }
    if (special_sum != 0.0) {
        if (isnan(inf_sum))
            mini_raise_str(mini_exc_ValueError, "-inf + inf in fsum");
        else
            result = float_new(special_sum);
        goto done;
    }
    hi = 0.0;
    if (n > 0) {
        hi = p[--n];
        // Sum the partials from the top, stopping when the sum becomes inexact.
        while (n > 0) {
            x = hi;
            y = p[--n];
            hi = x + y;
            yr = hi - x;
            lo = y - yr;
            if (lo != 0.0)
                break;
        }
        // Make half-even rounding work across multiple partials: when the next partial has the
        // same sign as the rounding error, the error is not exactly half an ulp.
        if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
            y = lo * 2.0;
            x = hi + y;
            yr = x - hi;
            if (y == yr)
                hi = x;
        }
    }
    result = float_new(hi);
done:
    if (p != ps)
        mini_free(p);
    MINI_DECREF(iter);
    return result;
}

// The Euclidean norm of the [n] non-negative finite values [vec], whose largest is [max], as
// CPython 3.11's vector_norm: the squares are summed in extended precision (each value split
// into halves) and the square root gets a differential correction, so that the result is
// almost always correctly rounded.
static double vector_norm(size_t n, double *vec, double max, bool found_nan) {
    const double T27 = 134217729.0; // ldexp(1.0, 27) + 1.0
    double x, scale, oldcsum, csum = 1.0, frac1 = 0.0, frac2 = 0.0, frac3 = 0.0;
    double t, hi, lo, h;
    int max_e;
    if (isinf(max))
        return max;
    if (found_nan)
        return NAN;
    if (max == 0.0 || n <= 1)
        return max;
    frexp(max, &max_e);
    if (max_e >= -1023) {
        scale = ldexp(1.0, -max_e);
        for (size_t i = 0; i < n; i++) {
            x = vec[i] * scale; // lossless scaling into [0, 1)
            t = x * T27;
            hi = t - (t - x);
            lo = x - hi;
            x = hi * hi;
            oldcsum = csum;
            csum += x;
            frac1 += (oldcsum - csum) + x;
            x = 2.0 * hi * lo;
            oldcsum = csum;
            csum += x;
            frac2 += (oldcsum - csum) + x;
            frac3 += lo * lo;
        }
        h = sqrt(csum - 1.0 + (frac1 + frac2 + frac3));
        x = h;
        t = x * T27;
        hi = t - (t - x);
        lo = x - hi;
        x = -hi * hi;
        oldcsum = csum;
        csum += x;
        frac1 += (oldcsum - csum) + x;
        x = -2.0 * hi * lo;
        oldcsum = csum;
        csum += x;
        frac2 += (oldcsum - csum) + x;
        x = -lo * lo;
        oldcsum = csum;
        csum += x;
        frac3 += (oldcsum - csum) + x;
        x = csum - 1.0 + (frac1 + frac2 + frac3);
        return (h + x / (2.0 * h)) / scale;
    }
    // When max_e < -1023, ldexp(1.0, -max_e) overflows: divide by max instead.
    for (size_t i = 0; i < n; i++) {
        x = vec[i] / max;
        x = x * x;
        oldcsum = csum;
        csum += x;
        frac1 += (oldcsum - csum) + x;
    }
    return max * sqrt(csum - 1.0 + frac1);
}

static MiniObject *math_hypot(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("math.hypot", kwnames))
        return NULL;
    double small[16];
    double *coords = nargs <= 16 ? small : mini_malloc(nargs * sizeof(double));
    if (!coords)
        return NULL;
    double max = 0.0;
    bool found_nan = false;
    for (size_t i = 0; i < nargs; i++) {
        double x;
        if (!get_double(args[i], &x)) {
            if (coords != small)
                mini_free(coords);
            return NULL;
        }
        x = fabs(x);
        coords[i] = x;
        found_nan |= isnan(x);
        if (x > max)
            max = x;
    }
    double r = vector_norm(nargs, coords, max, found_nan);
    if (coords != small)
        mini_free(coords);
    return float_new(r);
}

static MiniObject *math_dist(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    if (!check_two("dist", nargs, kwnames))
        return NULL;
    MiniObject *p = tuple_check(args[0]) ? mini_newref(args[0]) : mini_sequence_tuple(args[0]);
    if (!p)
        return NULL;
    MiniObject *q = tuple_check(args[1]) ? mini_newref(args[1]) : mini_sequence_tuple(args[1]);
    if (!q) {
        MINI_DECREF(p);
        return NULL;
    }
    MiniObject *result = NULL;
    double small[16], *diffs = small;
    size_t n = TUPLE_SIZE(p);
    if (n != TUPLE_SIZE(q)) {
        mini_raise_str(mini_exc_ValueError, "both points must have the same number of dimensions");
        goto done;
    }
    if (n > 16 && !(diffs = mini_malloc(n * sizeof(double))))
        goto done;
    double max = 0.0;
    bool found_nan = false;
    for (size_t i = 0; i < n; i++) {
        double px, qx;
        if (!get_double(TUPLE_GET(p, i), &px) || !get_double(TUPLE_GET(q, i), &qx))
            goto done;
        double x = fabs(px - qx);
        diffs[i] = x;
        found_nan |= isnan(x);
        if (x > max)
            max = x;
    }
    result = float_new(vector_norm(n, diffs, max, found_nan));
done:
    if (diffs != small)
        mini_free(diffs);
    MINI_DECREF(p);
    MINI_DECREF(q);
    return result;
}

static MiniObject *math_prod(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError,
                          "prod() takes exactly 1 positional argument (%zu given)", nargs);
    static const char *const names[] = {"/iterable", "$start", NULL};
    MiniObject *out[2] = {NULL, NULL};
    if (!mini_parse_args("prod", args, nargs, kwnames, names, 1, out))
        return NULL;
    MiniObject *iter = mini_iter(out[0]);
    if (!iter)
        return NULL;
    MiniObject *acc = mini_newref(out[1] ? out[1] : MINI_FROM_SMALLINT(1));
    for (;;) {
        MiniObject *item = mini_next(iter);
        if (!item) {
            if (mini_error_occurred())
                MINI_CLEAR(acc);
            break;
        }
        MiniObject *r = mini_binary_op(acc, item, BINOP_MUL);
        MINI_DECREF(item);
        MINI_SETREF(acc, r);
        if (!acc)
            break;
    }
    MINI_DECREF(iter);
    return acc;
}

// ---------------------------------------------------------------------------------------------
// Integer functions
// ---------------------------------------------------------------------------------------------

// The int value of [o] (through __index__) in [z]. False with TypeError pending.
static bool index_mpz(MiniObject *o, mpz_ptr z) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int_get_mpz(i, z);
    MINI_DECREF(i);
    return true;
}

static MiniObject *factorial_of(MiniObject *arg) {
    MiniObject *i = mini_index(arg);
    if (!i)
        return NULL;
    int64_t n;
    bool fits = int_as_i64(i, &n);
    if (!fits) {
        mini_error_clear();
        n = int_sign(i) < 0 ? -1 : INT64_MAX;
        if (n > 0) {
            MINI_DECREF(i);
            return mini_raise(mini_exc_OverflowError,
                              "factorial() argument should not exceed %ld", LONG_MAX);
        }
    }
    MINI_DECREF(i);
    if (n < 0)
        return mini_raise_str(mini_exc_ValueError, "factorial() not defined for negative values");
    if (n <= 20) {
        // 20! is the largest factorial that fits a small int.
        int64_t r = 1;
        for (int64_t k = 2; k <= n; k++)
            r *= k;
        return int_from_i64(r);
    }
    mpz_t z;
    mpz_init(z);
    mpz_fac_ui(z, (unsigned long)n);
    MiniObject *r = int_from_mpz(z);
    mpz_clear(z);
    return r;
}

static MiniObject *math_factorial(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    if (!check_one("math.factorial", nargs, kwnames))
        return NULL;
    return factorial_of(args[0]);
}

static MiniObject *math_isqrt(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!check_one("math.isqrt", nargs, kwnames))
        return NULL;
    mpz_t z;
    mpz_init(z);
    MiniObject *r = NULL;
    if (index_mpz(args[0], z)) {
        if (mpz_sgn(z) < 0) {
            mini_raise_str(mini_exc_ValueError, "isqrt() argument must be nonnegative");
        } else {
            mpz_sqrt(z, z);
            r = int_from_mpz(z);
        }
    }
    mpz_clear(z);
    return r;
}

// gcd (when [lcm] is false) or lcm of any number of ints.
static MiniObject *gcd_or_lcm(const char *fname, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames, bool lcm) {
    if (!mini_no_kwargs(fname, kwnames))
        return NULL;
    mpz_t acc, x;
    mpz_init_set_ui(acc, lcm ? 1 : 0);
    mpz_init(x);
    MiniObject *r = NULL;
    for (size_t i = 0; i < nargs; i++) {
        if (!index_mpz(args[i], x))
            goto done;
        if (lcm)
            mpz_lcm(acc, acc, x);
        else
            mpz_gcd(acc, acc, x);
    }
    r = int_from_mpz(acc);
done:
    mpz_clear(acc);
    mpz_clear(x);
    return r;
}

static MiniObject *math_gcd(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    return gcd_or_lcm("math.gcd", args, nargs, kwnames, false);
}

static MiniObject *math_lcm(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    return gcd_or_lcm("math.lcm", args, nargs, kwnames, true);
}

// comb(n, k) (when [perm] is false) or perm(n, k): n and k are already non-None.
static MiniObject *comb_or_perm(MiniObject *nobj, MiniObject *kobj, bool perm) {
    mpz_t n, k, t;
    mpz_init(n);
    mpz_init(k);
    mpz_init(t);
    MiniObject *r = NULL;
    if (!index_mpz(nobj, n) || !index_mpz(kobj, k))
        goto done;
    if (mpz_sgn(n) < 0) {
        mini_raise_str(mini_exc_ValueError, "n must be a non-negative integer");
        goto done;
    }
    if (mpz_sgn(k) < 0) {
        mini_raise_str(mini_exc_ValueError, "k must be a non-negative integer");
        goto done;
    }
    if (mpz_cmp(k, n) > 0) {
        r = MINI_FROM_SMALLINT(0);
        goto done;
    }
    if (!perm) {
        // comb(n, k) == comb(n, n - k): use the smaller one.
        mpz_sub(t, n, k);
        if (mpz_cmp(k, t) > 0)
            mpz_set(k, t);
    }
    if (!mpz_fits_slong_p(k)) {
        mini_raise(mini_exc_OverflowError, "%s must not exceed %lld",
                   perm ? "k" : "min(n - k, k)", LLONG_MAX);
        goto done;
    }
    unsigned long kk = mpz_get_ui(k);
    mpz_bin_ui(t, n, kk);
    if (perm) {
        // perm(n, k) == comb(n, k) * k!
        mpz_fac_ui(k, kk);
        mpz_mul(t, t, k);
    }
    r = int_from_mpz(t);
done:
    mpz_clear(n);
    mpz_clear(k);
    mpz_clear(t);
    return r;
}

static MiniObject *math_comb(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    if (!check_two("comb", nargs, kwnames))
        return NULL;
    return comb_or_perm(args[0], args[1], false);
}

static MiniObject *math_perm(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("math.perm", kwnames))
        return NULL;
    if (nargs < 1)
        return mini_raise(mini_exc_TypeError, "perm expected at least 1 argument, got %zu",
                          nargs);
    if (nargs > 2)
        return mini_raise(mini_exc_TypeError, "perm expected at most 2 arguments, got %zu",
                          nargs);
    if (nargs == 1 || args[1] == MINI_NONE)
        return factorial_of(args[0]);
    return comb_or_perm(args[0], args[1], true);
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

MiniObject *math_init(VM *vm) {
    (void)vm;
    static const MiniMethodDef defs[] = {
        {"acos", math_acos, 0, "Return the arc cosine (measured in radians) of x."},
        {"acosh", math_acosh, 0, "Return the inverse hyperbolic cosine of x."},
        {"asin", math_asin, 0, "Return the arc sine (measured in radians) of x."},
        {"asinh", math_asinh, 0, "Return the inverse hyperbolic sine of x."},
        {"atan", math_atan, 0, "Return the arc tangent (measured in radians) of x."},
        {"atan2", math_atan2, 0, "Return the arc tangent (measured in radians) of y/x."},
        {"atanh", math_atanh, 0, "Return the inverse hyperbolic tangent of x."},
        {"cbrt", math_cbrt, 0, "Return the cube root of x."},
        {"ceil", math_ceil, 0, "Return the ceiling of x as an Integral."},
        {"comb", math_comb, 0, "Number of ways to choose k items from n items."},
        {"copysign", math_copysign, 0, "Return a float with the magnitude of x and sign of y."},
        {"cos", math_cos, 0, "Return the cosine of x (measured in radians)."},
        {"cosh", math_cosh, 0, "Return the hyperbolic cosine of x."},
        {"degrees", math_degrees, 0, "Convert angle x from radians to degrees."},
        {"dist", math_dist, 0, "Return the Euclidean distance between two points p and q."},
        {"erf", math_erf, 0, "Error function at x."},
        {"erfc", math_erfc, 0, "Complementary error function at x."},
        {"exp", math_exp, 0, "Return e raised to the power of x."},
        {"exp2", math_exp2, 0, "Return 2 raised to the power of x."},
        {"expm1", math_expm1, 0, "Return exp(x)-1."},
        {"fabs", math_fabs, 0, "Return the absolute value of the float x."},
        {"factorial", math_factorial, 0, "Find x!."},
        {"floor", math_floor, 0, "Return the floor of x as an Integral."},
        {"fmod", math_fmod, 0, "Return fmod(x, y), according to platform C."},
        {"frexp", math_frexp, 0, "Return the mantissa and exponent of x, as pair (m, e)."},
        {"fsum", math_fsum, 0, "Return an accurate floating point sum of values."},
        {"gamma", math_gamma, 0, "Gamma function at x."},
        {"gcd", math_gcd, 0, "Greatest Common Divisor."},
        {"hypot", math_hypot, 0, "Multidimensional Euclidean distance from the origin."},
        {"isclose", math_isclose, 0, "Determine whether two floating point numbers are close."},
        {"isfinite", math_isfinite, 0, "Return True if x is neither an infinity nor a NaN."},
        {"isinf", math_isinf, 0, "Return True if x is a positive or negative infinity."},
        {"isnan", math_isnan, 0, "Return True if x is a NaN (not a number)."},
        {"isqrt", math_isqrt, 0, "Return the integer part of the square root of the input."},
        {"lcm", math_lcm, 0, "Least Common Multiple."},
        {"ldexp", math_ldexp, 0, "Return x * (2**i)."},
        {"lgamma", math_lgamma, 0, "Natural logarithm of absolute value of Gamma function."},
        {"log", math_log, 0, "log(x, [base=math.e])"},
        {"log10", math_log10, 0, "Return the base 10 logarithm of x."},
        {"log1p", math_log1p, 0, "Return the natural logarithm of 1+x (base e)."},
        {"log2", math_log2, 0, "Return the base 2 logarithm of x."},
        {"modf", math_modf, 0, "Return the fractional and integer parts of x."},
        {"nextafter", math_nextafter, 0, "Return the next floating-point value after x."},
        {"perm", math_perm, 0, "Number of ways to choose k items from n items in order."},
        {"pow", math_pow, 0, "Return x**y (x to the power of y)."},
        {"prod", math_prod, 0, "Calculate the product of all the elements in the input."},
        {"radians", math_radians, 0, "Convert angle x from degrees to radians."},
        {"remainder", math_remainder, 0, "Difference between x and the closest multiple of y."},
        {"sin", math_sin, 0, "Return the sine of x (measured in radians)."},
        {"sinh", math_sinh, 0, "Return the hyperbolic sine of x."},
        {"sqrt", math_sqrt, 0, "Return the square root of x."},
        {"tan", math_tan, 0, "Return the tangent of x (measured in radians)."},
        {"tanh", math_tanh, 0, "Return the hyperbolic tangent of x."},
        {"trunc", math_trunc, 0, "Truncates the Real x to the nearest Integral toward 0."},
        {"ulp", math_ulp, 0, "Return the value of the least significant bit of the float x."},
        {NULL, NULL, 0, NULL},
    };
    MiniObject *mod = module_new_builtin("math", defs);
    if (!mod)
        return NULL;
    MiniObject *dict = ((MiniModule *)mod)->dict;
    static const struct {
        const char *name;
        double value;
    } consts[] = {
        {"pi", 3.141592653589793238462643383279502884197},
        {"e", 2.718281828459045235360287471352662497757},
        {"tau", 6.283185307179586476925286766559005768394},
        {"inf", INFINITY},
        {"nan", NAN},
    };
    for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++) {
        MiniObject *v = float_new(consts[i].value);
        if (!v || dict_set_cstr(dict, consts[i].name, v) < 0) {
            MINI_XDECREF(v);
            MINI_DECREF(mod);
            return NULL;
        }
        MINI_DECREF(v);
    }
    return mod;
}
