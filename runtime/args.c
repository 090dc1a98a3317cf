// args.c - argument parsing for functions written in C.
//
// Builtins receive the vectorcall arguments (args, nargs, kwnames). mini_parse_args maps them
// onto a list of parameter names the way CPython's Argument Clinic does, with Clinic's error
// messages, so `sorted([], foo=1)` and friends fail exactly as in CPython.

#include "object.h"

#include <limits.h>
#include <string.h>

// A parameter name as written in the names list, with its '$' or '/' marker removed.
static const char *param_name(const char *spec) {
    return (spec[0] == '$' || spec[0] == '/') ? spec + 1 : spec;
}

bool mini_parse_args(const char *fname, MiniObject *const *args, size_t nargs,
                     MiniObject *kwnames, const char *const *names, size_t nreq,
                     MiniObject **out) {
    size_t nparams = 0, maxpos = 0;
    while (names[nparams]) {
        if (names[nparams][0] != '$')
            maxpos = nparams + 1;
        nparams++;
    }
    if (nargs > maxpos) {
        if (maxpos == 0)
            mini_raise(mini_exc_TypeError, "%s() takes no positional arguments", fname);
        else
            mini_raise(mini_exc_TypeError, "%s() takes %s %zu positional argument%s (%zu given)",
                       fname, nreq < maxpos ? "at most" : "exactly", maxpos,
                       maxpos == 1 ? "" : "s", nargs);
        return false;
    }
    for (size_t i = 0; i < nargs; i++)
        out[i] = args[i];
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    for (size_t k = 0; k < nkw; k++) {
        MiniObject *key = TUPLE_GET(kwnames, k);
        const char *kname = STR_DATA(key);
        size_t idx = nparams;
        for (size_t i = 0; i < nparams; i++) {
            if (names[i][0] != '/' && strcmp(param_name(names[i]), kname) == 0) {
                idx = i;
                break;
            }
        }
        if (idx == nparams) {
            mini_raise(mini_exc_TypeError, "'%s' is an invalid keyword argument for %s()", kname,
                       fname);
            return false;
        }
        if (idx < nargs) {
            mini_raise(mini_exc_TypeError,
                       "argument for %s() given by name ('%s') and position (%zu)", fname, kname,
                       idx + 1);
            return false;
        }
        out[idx] = args[nargs + k];
    }
    for (size_t i = nargs; i < nreq; i++) {
        bool given = false;
        for (size_t k = 0; k < nkw && !given; k++)
            given = names[i][0] != '/' &&
                    strcmp(param_name(names[i]), STR_DATA(TUPLE_GET(kwnames, k))) == 0;
        if (!given) {
            if (names[i][0] == '$')
                mini_raise(mini_exc_TypeError, "%s() missing required keyword-only argument '%s'",
                           fname, param_name(names[i]));
            else
                mini_raise(mini_exc_TypeError, "%s() missing required argument '%s' (pos %zu)",
                           fname, param_name(names[i]), i + 1);
            return false;
        }
    }
    return true;
}

bool mini_no_kwargs(const char *fname, MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames)) {
        mini_raise(mini_exc_TypeError, "%s() takes no keyword arguments", fname);
        return false;
    }
    return true;
}

bool mini_check_nargs(const char *fname, size_t nargs, size_t min, size_t max) {
    if (nargs < min) {
        mini_raise(mini_exc_TypeError, "%s expected %s%zu argument%s, got %zu", fname,
                   min == max ? "" : "at least ", min, min == 1 ? "" : "s", nargs);
        return false;
    }
    if (nargs > max) {
        mini_raise(mini_exc_TypeError, "%s expected %s%zu argument%s, got %zu", fname,
                   min == max ? "" : "at most ", max, max == 1 ? "" : "s", nargs);
        return false;
    }
    return true;
}

// Both C int converters: an index-like [o] as an int. [signed_style] gives the messages of
// PyArg_Parse's "i" (a C long first, then the int range), else those of _PyLong_AsInt.
static bool arg_int(MiniObject *o, int *out, bool signed_style) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (ok && v >= INT_MIN && v <= INT_MAX) {
        *out = (int)v;
        return true;
    }
    mini_error_clear();
    if (!signed_style)
        mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C int");
    else if (!ok)
        mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C long");
    else
        mini_raise_str(mini_exc_OverflowError, v < 0 ? "signed integer is less than minimum"
                                                     : "signed integer is greater than maximum");
    return false;
}

bool mini_arg_int(MiniObject *o, int *out) { return arg_int(o, out, false); }

bool mini_arg_int_signed(MiniObject *o, int *out) { return arg_int(o, out, true); }

bool mini_arg_ssize(MiniObject *o, ssize_t *out) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (!ok) {
        mini_error_clear();
        mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C ssize_t");
        return false;
    }
    *out = (ssize_t)v;
    return true;
}
