// stdlib_args.h - argument checks that builtins.c and sys.c share, with the words CPython's
// METH_NOARGS and METH_O functions use ("len() takes exactly one argument (0 given)"), which
// differ from mini_check_nargs's ("expected 1 argument, got 0").
//
// Private to stdlib/: the helpers are static inline so that each module keeps its own copy
// and nothing is added to the shared headers.

#ifndef MINI_STDLIB_ARGS_H
#define MINI_STDLIB_ARGS_H

#include "../runtime/object.h"

// "len() takes exactly one argument (0 given)" / "len() takes no keyword arguments".
// False with TypeError pending.
static inline bool one_arg(const char *fname, size_t nargs, MiniObject *kwnames) {
    if (!mini_no_kwargs(fname, kwnames))
        return false;
    if (nargs != 1) {
        mini_raise(mini_exc_TypeError, "%s() takes exactly one argument (%zu given)", fname,
                   nargs);
        return false;
    }
    return true;
}

// "globals() takes no arguments (1 given)" / "globals() takes no keyword arguments".
// False with TypeError pending.
static inline bool no_args(const char *fname, size_t nargs, MiniObject *kwnames) {
    if (!mini_no_kwargs(fname, kwnames))
        return false;
    if (nargs) {
        mini_raise(mini_exc_TypeError, "%s() takes no arguments (%zu given)", fname, nargs);
        return false;
    }
    return true;
}

#endif // MINI_STDLIB_ARGS_H
