// container.h - private helpers shared by the container types (list.c, tuple.c, dict.c,
// set.c, range.c, slice.c, iterobject.c). Nothing outside those files includes it.
//
// Three things live here:
//   - argument checks worded exactly as CPython words them for the methods of these types
//     ("list.append() takes exactly one argument (0 given)", "insert expected 2 arguments,
//     got 1"), which differ from method to method in CPython and so cannot all come from
//     the generic parser in args.c;
//   - index conversion with CPython's rules for sequences (an index that does not fit is an
//     IndexError for `l[i]` but is clamped for slice bounds);
//   - the "trashcan": deallocating a list nested a million deep would recurse a million C
//     frames deep. Past a small depth, deallocs of the exact builtin containers are put off on
//     a per-thread chain and run by the outermost dealloc in a loop, as CPython does.

#ifndef MINI_CONTAINER_H
#define MINI_CONTAINER_H

#include "../vm/vm.h"
#include "object.h"

// ---------------------------------------------------------------------------------------------
// Sizes, iterators, errors
// ---------------------------------------------------------------------------------------------

// The most bytes one array of a container may take, and so the most items: beyond this a
// growth raises MemoryError before asking malloc (`[0] * 10**12` fails at once).
#define CONTAINER_MAX_BYTES ((size_t)(MINI_MAX_ALLOC ? MINI_MAX_ALLOC : (size_t)PTRDIFF_MAX))
#define CONTAINER_MAX_ITEMS (CONTAINER_MAX_BYTES / sizeof(MiniObject *))

// The __iter__ of an iterator: itself. New reference.
static inline MiniObject *container_self_iter(MiniObject *self) { return mini_newref(self); }

// The tp_new of types that scripts cannot instantiate (iterators, views): without it such a
// type would inherit object's and `type(iter([]))()` would make an iterator with NULL fields.
static inline MiniObject *container_no_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                           MiniObject *kwnames) {
    (void)args, (void)nargs, (void)kwnames;
    return mini_raise(mini_exc_TypeError, "cannot create '%s' instances", type->name);
}

// Raises KeyError with [key] as its only argument (so that str(e) is repr(key), even for a
// tuple key). Returns NULL.
static inline MiniObject *container_key_error(MiniObject *key) {
    MiniObject *args = tuple_pack(1, key);
    if (!args)
        return NULL;
    MiniObject *exc = exception_new(mini_exc_KeyError, args);
    MINI_DECREF(args);
    if (!exc)
        return NULL;
    mini_raise_object(exc);
    MINI_DECREF(exc);
    return NULL;
}

// The result of comparing two lengths with [op] (how sequences compare once every item
// matched). An immediate bool.
static inline MiniObject *container_compare_sizes(size_t a, size_t b, int op) {
    switch (op) {
    case CMP_LT: return MINI_BOOL(a < b);
    case CMP_LE: return MINI_BOOL(a <= b);
    case CMP_EQ: return MINI_BOOL(a == b);
    case CMP_NE: return MINI_BOOL(a != b);
    case CMP_GT: return MINI_BOOL(a > b);
    default: return MINI_BOOL(a >= b);
    }
}

// ---------------------------------------------------------------------------------------------
// Argument checks
// ---------------------------------------------------------------------------------------------

// Rejects keyword arguments: "[fname]() takes no keyword arguments".
static inline bool container_no_kw(const char *fname, MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames)) {
        mini_raise(mini_exc_TypeError, "%s() takes no keyword arguments", fname);
        return false;
    }
    return true;
}

// A method taking exactly one argument (CPython's METH_O), [qualname] like "list.append".
static inline bool container_arg_one(const char *qualname, size_t nargs, MiniObject *kwnames) {
    if (!container_no_kw(qualname, kwnames))
        return false;
    if (nargs != 1) {
        mini_raise(mini_exc_TypeError, "%s() takes exactly one argument (%zu given)", qualname,
                   nargs);
        return false;
    }
    return true;
}

// A method taking no argument (CPython's METH_NOARGS).
static inline bool container_arg_none(const char *qualname, size_t nargs, MiniObject *kwnames) {
    if (!container_no_kw(qualname, kwnames))
        return false;
    if (nargs != 0) {
        mini_raise(mini_exc_TypeError, "%s() takes no arguments (%zu given)", qualname, nargs);
        return false;
    }
    return true;
}

// A method with positional-only parameters, min..max of them: keyword arguments are refused
// with [qualname] ("list.insert() takes no keyword arguments"), a wrong count is reported
// with the bare [name] ("insert expected 2 arguments, got 1").
static inline bool container_arg_range(const char *qualname, const char *name, size_t nargs,
                                       MiniObject *kwnames, size_t min, size_t max) {
    if (!container_no_kw(qualname, kwnames))
        return false;
    return mini_check_nargs(name, nargs, min, max);
}

// ---------------------------------------------------------------------------------------------
// Indexes
// ---------------------------------------------------------------------------------------------

// seq * count where the count is not a plain int: CPython tries the count's own
// multiplication (a class with __index__ and __rmul__) before repeating the sequence. Returns
// what count's type made of it, or NotImplemented when it has no say ([self_mul] is the
// sequence type's own slot, which must not be called back).
static inline MiniObject *container_count_mul(MiniObject *seq, MiniObject *count,
                                              MiniObject *(*self_mul)(MiniObject *, MiniObject *)) {
    if (MINI_IS_SMALLINT(count) || MINI_IS_BOOL(count))
        return MINI_NOTIMPL;
    MiniObject *(*slot)(MiniObject *, MiniObject *) = mini_type(count)->binop[BINOP_MUL];
    if (!slot || slot == self_mul || slot == mini_int_type.binop[BINOP_MUL])
        return MINI_NOTIMPL;
    return slot(seq, count);
}

// Can [o] be used as an index (has __index__)?
static inline bool container_is_index(MiniObject *o) {
    return MINI_IS_SMALLINT(o) || mini_type(o)->nb_index != NULL;
}

// Converts an index object for item access (PyNumber_AsSsize_t(o, IndexError)): a value that
// does not fit is IndexError "cannot fit 'int' into an index-sized integer". False on error.
static inline bool container_item_index(MiniObject *o, ssize_t *out) {
    if (MINI_IS_SMALLINT(o)) {
        *out = (ssize_t)MINI_SMALLINT_VALUE(o);
        return true;
    }
    ssize_t v = mini_as_ssize(o);
    if (v == -1 && mini_error_occurred()) {
        if (mini_error_matches(mini_exc_OverflowError)) {
            mini_error_clear();
            mini_raise(mini_exc_IndexError, "cannot fit '%s' into an index-sized integer",
                       mini_type_name(o));
        }
        return false;
    }
    *out = v;
    return true;
}

// Converts an argument CPython reads as a C ssize_t (the index of list.insert and list.pop):
// through __index__, with OverflowError "Python int too large to convert to C ssize_t" when it
// does not fit. False on error.
static inline bool container_ssize_arg(MiniObject *o, ssize_t *out) {
    if (MINI_IS_SMALLINT(o)) {
        *out = (ssize_t)MINI_SMALLINT_VALUE(o);
        return true;
    }
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (!ok) {
        if (mini_error_matches(mini_exc_OverflowError)) {
            mini_error_clear();
            mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C ssize_t");
        }
        return false;
    }
    *out = (ssize_t)v;
    return true;
}

// Converts a slice bound (CPython's _PyEval_SliceIndex): None leaves *out untouched when
// [allow_none], an int that does not fit is clamped to the ssize_t range, anything without
// __index__ is a TypeError worded as CPython words it for slices (allow_none) or for
// index(x, start, end) (not allow_none). False on error.
bool container_slice_index(MiniObject *o, ssize_t *out, bool allow_none);

// Resolves [slice] against a sequence of [length] (a non-negative int) on int objects, with
// no machine-size limits (CPython's _PySlice_GetLongIndices): new references to the start,
// stop and step in *start, *stop, *step. False with an exception on error.
bool container_slice_long_indices(MiniObject *slice, MiniObject *length, MiniObject **start,
                                  MiniObject **stop, MiniObject **step);

// Turns any iterable into a list or tuple (a new reference): list and tuple arguments are
// returned as they are, anything else is copied into a new list. When the object is not
// iterable the TypeError says [msg] (PySequence_Fast).
MiniObject *container_seq_fast(MiniObject *o, const char *msg);

// dict_next that also gives the stored hash of the key, so that set.c can copy a dict's keys
// without hashing them again (dict.c).
bool dict_next_with_hash(MiniObject *d, size_t *pos, MiniObject **key, MiniObject **value,
                         int64_t *hash);

// The __class_getitem__ classmethod of the generic builtin classes: list[int] makes a
// types.GenericAlias (genericalias.c). [cls] is the class.
MiniObject *container_class_getitem(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames);

// ---------------------------------------------------------------------------------------------
// The trashcan: bounded C recursion when deallocating nested containers
// ---------------------------------------------------------------------------------------------

// How many container deallocs may nest on the C stack before the next ones are put off.
#define CONTAINER_TRASH_DEPTH 50

// Call first in the dealloc of an exact builtin container type. False means the dealloc was
// put off (the object is chained on the thread state): return at once. True means go on and
// call container_trash_end() when done.
static inline bool container_trash_begin(MiniObject *o) {
    ThreadState *ts = mini_ts;
    if (!ts)
        return true;
    if (ts->trash_depth >= CONTAINER_TRASH_DEPTH) {
        // The refcount is zero and nobody may look at it again: it holds the chain link.
        o->refcnt = (intptr_t)ts->trash_later;
        ts->trash_later = o;
        return false;
    }
    ts->trash_depth++;
    return true;
}

// Ends a dealloc begun by container_trash_begin(). The outermost one runs the deallocs that
// were put off; it keeps the depth at one meanwhile so that those do not drain the chain
// again from deeper in the C stack.
static inline void container_trash_end(void) {
    ThreadState *ts = mini_ts;
    if (!ts)
        return;
    if (ts->trash_depth == 1 && ts->trash_later) {
        while (ts->trash_later) {
            MiniObject *o = ts->trash_later;
            ts->trash_later = (MiniObject *)o->refcnt;
            o->refcnt = 0;
            mini_dealloc(o);
        }
    }
    ts->trash_depth--;
}

#endif // MINI_CONTAINER_H
