// iterobject.c - the iterator types of builtins: enumerate, zip, map, filter, reversed, the
// sequence iterator (iter() on an object with only __getitem__) and the callable iterator
// (iter(f, sentinel)).
//
// Each is an iterator whose __iter__ returns itself. They hold the iterators they draw from,
// so they are GC objects. enumerate and zip hand out a fresh tuple per step, except that
// when the caller has already dropped the previous one (the usual `for i, x in ...`) they
// refill that same tuple instead of allocating another, as CPython does.
//
// Their repr is object's: "<enumerate object at 0x...>". enumerate, zip, map, filter and
// reversed may be subclassed, so they allocate through mini_type_alloc().

#include <string.h>

#include "container.h"

// A result tuple of [n] items that the iterator may refill: its own cached one when only the
// iterator holds it (its old items are released; the caller stores new ones), else a new
// tuple (cached for next time when there was none). New reference.
static MiniObject *reusable_tuple(MiniObject **cache, size_t n) {
    MiniObject *r = *cache;
    if (r && r->refcnt == 1) {
        for (size_t i = 0; i < n; i++)
            MINI_CLEAR(TUPLE_ITEMS(r)[i]);
        ((MiniTuple *)r)->hash = -1;
        mini_gc_track(r); // (gc) the collector may have untracked it while it held atoms only
        return mini_newref(r);
    }
    r = tuple_new(n);
    if (r && !*cache && n > 0)
        *cache = mini_newref(r);
    return r;
}

// Calls [meth], found on the type of [self], as a method of [self] with no arguments.
static MiniObject *call_unbound(MiniObject *meth, MiniObject *self) {
    MiniType *mt = mini_type(meth);
    if (mt == &mini_function_type || mt == &mini_method_descr_type || !mt->descr_get)
        return mini_call(meth, &self, 1, NULL);
    MiniObject *bound = mt->descr_get(meth, self, (MiniObject *)mini_type(self));
    if (!bound)
        return NULL;
    MiniObject *r = mini_call(bound, NULL, 0, NULL);
    MINI_DECREF(bound);
    return r;
}

// ---------------------------------------------------------------------------------------------
// enumerate(iterable, start=0)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *it;
    int64_t index;          // the next count, while it fits
    MiniObject *long_index; // the next count as an int once it does not (else NULL)
    MiniObject *result;
} Enumerate;

// Is keyword [k] of the call named [name]? If not: TypeError, as CPython's enumerate says it.
static bool enumerate_keyword(MiniObject *kwnames, size_t k, const char *name) {
    MiniObject *kw = TUPLE_GET(kwnames, k);
    if (strcmp(STR_DATA(kw), name) == 0)
        return true;
    mini_raise(mini_exc_TypeError, "'%S' is an invalid keyword argument for enumerate()", kw);
    return false;
}

// enumerate(iterable, start=0), with the argument handling of CPython's enumerate_vectorcall
// (whose messages depend on how many arguments came by keyword).
static MiniObject *enumerate_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    MiniObject *iterable, *start = NULL;
    if (nargs + nkw == 2) {
        if (nkw == 1 && !enumerate_keyword(kwnames, 0, "start"))
            return NULL;
        if (nkw == 2 && strcmp(STR_DATA(TUPLE_GET(kwnames, 0)), "start") == 0) {
            if (!enumerate_keyword(kwnames, 1, "iterable"))
                return NULL;
            iterable = args[1];
            start = args[0];
        } else {
            if (nkw == 2 && (!enumerate_keyword(kwnames, 0, "iterable") ||
                             !enumerate_keyword(kwnames, 1, "start")))
                return NULL;
            iterable = args[0];
            start = args[1];
        }
    } else if (nargs + nkw == 1) {
        if (nkw == 1 && !enumerate_keyword(kwnames, 0, "iterable"))
            return NULL;
        iterable = args[0];
    } else if (nargs + nkw == 0) {
        return mini_raise_str(mini_exc_TypeError,
                              "enumerate() missing required argument 'iterable'");
    } else {
        return mini_raise(mini_exc_TypeError, "enumerate() takes at most 2 arguments (%zu given)",
                          nargs + nkw);
    }
    // CPython converts start before it asks the iterable for an iterator.
    int64_t index = 0;
    MiniObject *long_index = NULL;
    if (start) {
        MiniObject *s = mini_index(start);
        if (!s)
            return NULL;
        if (!int_as_i64(s, &index)) {
            mini_error_clear();
            long_index = mini_number_int(s);
        }
        MINI_DECREF(s);
        if (!long_index && mini_error_occurred())
            return NULL;
    }
    MiniObject *it = mini_iter(iterable);
    if (!it) {
        MINI_XDECREF(long_index);
        return NULL;
    }
    Enumerate *e = (Enumerate *)mini_type_alloc(type, 0);
    if (!e) {
        MINI_DECREF(it);
        MINI_XDECREF(long_index);
        return NULL;
    }
    e->it = it;
    e->index = index;
    e->long_index = long_index;
    return (MiniObject *)e;
}

static void enumerate_dealloc(MiniObject *self) {
    Enumerate *e = (Enumerate *)self;
    MINI_XDECREF(e->it);
    MINI_XDECREF(e->long_index);
    MINI_XDECREF(e->result);
    mini_object_free(self);
}

static int enumerate_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    Enumerate *e = (Enumerate *)self;
    MINI_VISIT(e->it);
    MINI_VISIT(e->long_index);
    MINI_VISIT(e->result);
    return 0;
}

static MiniObject *enumerate_next(MiniObject *self) {
    Enumerate *e = (Enumerate *)self;
    MiniObject *item = mini_next(e->it);
    if (!item)
        return NULL;
    MiniObject *count;
    if (!e->long_index && e->index < INT64_MAX) {
        count = int_from_i64(e->index++);
    } else {
        // Past int64 the count continues as a big int.
        if (!e->long_index && !(e->long_index = int_from_i64(e->index))) {
            MINI_DECREF(item);
            return NULL;
        }
        count = e->long_index;
        e->long_index = mini_binary_op(count, MINI_FROM_SMALLINT(1), BINOP_ADD);
        if (!e->long_index) {
            e->long_index = count;
            count = NULL;
        }
    }
    if (!count) {
        MINI_DECREF(item);
        return NULL;
    }
    MiniObject *r = reusable_tuple(&e->result, 2);
    if (!r) {
        MINI_DECREF(item);
        MINI_DECREF(count);
        return NULL;
    }
    TUPLE_ITEMS(r)[0] = count;
    TUPLE_ITEMS(r)[1] = item;
    return r;
}

static const MiniMethodDef enumerate_methods[] = {
    {"__class_getitem__", container_class_getitem, MINI_METH_CLASS, "See PEP 585"},
    {NULL, NULL, 0, NULL},
};

MiniType mini_enumerate_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "enumerate",
    .basicsize = sizeof(Enumerate),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = enumerate_dealloc,
    .traverse = enumerate_traverse,
    .tp_new = enumerate_tp_new,
    .iter = container_self_iter,
    .iternext = enumerate_next,
    .methods = enumerate_methods,
    .doc = "Return an enumerate object.",
};

// ---------------------------------------------------------------------------------------------
// zip(*iterables, strict=False)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *iters; // tuple of iterators
    MiniObject *result;
    bool strict;
} Zip;

static MiniObject *zip_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    bool strict = false;
    if (nkw > 1)
        return mini_raise(mini_exc_TypeError, "zip() takes at most 1 keyword argument (%zu given)",
                          nkw);
    if (nkw == 1) {
        MiniObject *name = TUPLE_GET(kwnames, 0);
        if (strcmp(STR_DATA(name), "strict") != 0)
            return mini_raise(mini_exc_TypeError, "'%S' is an invalid keyword argument for zip()",
                              name);
        int t = mini_truthy(args[nargs]);
        if (t < 0)
            return NULL;
        strict = t;
    }
    MiniObject *iters = tuple_new(nargs);
    if (!iters)
        return NULL;
    for (size_t i = 0; i < nargs; i++) {
        MiniObject *it = mini_iter(args[i]);
        if (!it) {
            MINI_DECREF(iters); // unfilled slots are NULL, which tuple_dealloc skips
            return NULL;
        }
        TUPLE_ITEMS(iters)[i] = it;
    }
    Zip *z = (Zip *)mini_type_alloc(type, 0);
    if (!z) {
        MINI_DECREF(iters);
        return NULL;
    }
    z->iters = iters;
    z->strict = strict;
    return (MiniObject *)z;
}

static void zip_dealloc(MiniObject *self) {
    Zip *z = (Zip *)self;
    MINI_XDECREF(z->iters);
    MINI_XDECREF(z->result);
    mini_object_free(self);
}

static int zip_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    Zip *z = (Zip *)self;
    MINI_VISIT(z->iters);
    MINI_VISIT(z->result);
    return 0;
}

// With strict=True, argument [i] (0-based) ran out first: the others must all be exhausted
// too, and if i > 0 the ones before it were not. Raises the ValueError and returns NULL, or
// returns NULL with no exception when every iterator ended together.
static MiniObject *zip_strict_check(Zip *z, size_t i) {
    if (mini_error_occurred())
        return NULL; // a real error from next(), not exhaustion
    if (i > 0)
        return mini_raise(mini_exc_ValueError, "zip() argument %zu is shorter than argument%s%zu",
                          i + 1, i == 1 ? " " : "s 1-", i);
    size_t n = TUPLE_SIZE(z->iters);
    for (i = 1; i < n; i++) {
        MiniObject *item = mini_next(TUPLE_GET(z->iters, i));
        if (item) {
            MINI_DECREF(item);
            return mini_raise(mini_exc_ValueError,
                              "zip() argument %zu is longer than argument%s%zu", i + 1,
                              i == 1 ? " " : "s 1-", i);
        }
        if (mini_error_occurred())
            return NULL;
    }
    return NULL;
}

static MiniObject *zip_next(MiniObject *self) {
    Zip *z = (Zip *)self;
    size_t n = TUPLE_SIZE(z->iters);
    if (n == 0)
        return NULL;
    MiniObject *r = reusable_tuple(&z->result, n);
    if (!r)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        MiniObject *item = mini_next(TUPLE_GET(z->iters, i));
        if (!item) {
            MINI_DECREF(r);
            if (z->strict)
                return zip_strict_check(z, i);
            return NULL;
        }
        TUPLE_ITEMS(r)[i] = item;
    }
    return r;
}

MiniType mini_zip_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "zip",
    .basicsize = sizeof(Zip),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = zip_dealloc,
    .traverse = zip_traverse,
    .tp_new = zip_tp_new,
    .iter = container_self_iter,
    .iternext = zip_next,
    .doc = "zip(*iterables, strict=False) --> Yield tuples until an input is exhausted.",
};

// ---------------------------------------------------------------------------------------------
// map(func, *iterables)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *func;
    MiniObject *iters; // tuple of iterators
} Map;

static MiniObject *map_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    if ((type == &mini_map_type || type->tp_init == mini_map_type.tp_init) &&
        !container_no_kw("map", kwnames))
        return NULL;
    if (nargs < 2)
        return mini_raise_str(mini_exc_TypeError, "map() must have at least two arguments.");
    MiniObject *iters = tuple_new(nargs - 1);
    if (!iters)
        return NULL;
    for (size_t i = 1; i < nargs; i++) {
        MiniObject *it = mini_iter(args[i]);
        if (!it) {
            MINI_DECREF(iters);
            return NULL;
        }
        TUPLE_ITEMS(iters)[i - 1] = it;
    }
    Map *m = (Map *)mini_type_alloc(type, 0);
    if (!m) {
        MINI_DECREF(iters);
        return NULL;
    }
    m->func = mini_newref(args[0]);
    m->iters = iters;
    return (MiniObject *)m;
}

static void map_dealloc(MiniObject *self) {
    Map *m = (Map *)self;
    MINI_XDECREF(m->func);
    MINI_XDECREF(m->iters);
    mini_object_free(self);
}

static int map_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    Map *m = (Map *)self;
    MINI_VISIT(m->func);
    MINI_VISIT(m->iters);
    return 0;
}

static MiniObject *map_next(MiniObject *self) {
    Map *m = (Map *)self;
    size_t n = TUPLE_SIZE(m->iters);
    MiniObject *small[8];
    MiniObject **stack = n <= 8 ? small : mini_malloc(n * sizeof(MiniObject *));
    if (!stack)
        return NULL;
    size_t got = 0;
    MiniObject *result = NULL;
    for (; got < n; got++) {
        stack[got] = mini_next(TUPLE_GET(m->iters, got));
        if (!stack[got])
            break;
    }
    if (got == n)
        result = mini_call(m->func, stack, n, NULL);
    for (size_t i = 0; i < got; i++)
        MINI_DECREF(stack[i]);
    if (stack != small)
        mini_free(stack);
    return result;
}

MiniType mini_map_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "map",
    .basicsize = sizeof(Map),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = map_dealloc,
    .traverse = map_traverse,
    .tp_new = map_tp_new,
    .iter = container_self_iter,
    .iternext = map_next,
    .doc = "map(func, *iterables) --> map object",
};

// ---------------------------------------------------------------------------------------------
// filter(function or None, iterable)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *func; // None: keep the truthy items
    MiniObject *it;
} Filter;

static MiniObject *filter_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if ((type == &mini_filter_type || type->tp_init == mini_filter_type.tp_init) &&
        !container_no_kw("filter", kwnames))
        return NULL;
    if (!mini_check_nargs("filter", nargs, 2, 2))
        return NULL;
    MiniObject *it = mini_iter(args[1]);
    if (!it)
        return NULL;
    Filter *f = (Filter *)mini_type_alloc(type, 0);
    if (!f) {
        MINI_DECREF(it);
        return NULL;
    }
    f->func = mini_newref(args[0]);
    f->it = it;
    return (MiniObject *)f;
}

static void filter_dealloc(MiniObject *self) {
    Filter *f = (Filter *)self;
    MINI_XDECREF(f->func);
    MINI_XDECREF(f->it);
    mini_object_free(self);
}

static int filter_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    Filter *f = (Filter *)self;
    MINI_VISIT(f->func);
    MINI_VISIT(f->it);
    return 0;
}

static MiniObject *filter_next(MiniObject *self) {
    Filter *f = (Filter *)self;
    // filter(None, ...) and filter(bool, ...) test the items themselves.
    bool truth_only = f->func == MINI_NONE || f->func == (MiniObject *)&mini_bool_type;
    for (;;) {
        MiniObject *item = mini_next(f->it);
        if (!item)
            return NULL;
        int ok;
        if (truth_only) {
            ok = mini_truthy(item);
        } else {
            MiniObject *r = mini_call(f->func, &item, 1, NULL);
            ok = r ? mini_truthy(r) : -1;
            MINI_XDECREF(r);
        }
        if (ok > 0)
            return item;
        MINI_DECREF(item);
        if (ok < 0)
            return NULL;
    }
}

MiniType mini_filter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "filter",
    .basicsize = sizeof(Filter),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = filter_dealloc,
    .traverse = filter_traverse,
    .tp_new = filter_tp_new,
    .iter = container_self_iter,
    .iternext = filter_next,
    .doc = "filter(function or None, iterable) --> filter object",
};

// ---------------------------------------------------------------------------------------------
// reversed(sequence)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *seq;   // NULL once exhausted
    ssize_t index;     // the next position, counting down
} Reversed;

// reversed(seq): seq.__reversed__() when the type has it (None there means "not reversible"),
// else a walk down from len(seq) - 1 through __getitem__.
static MiniObject *reversed_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    if ((type == &mini_reversed_type || type->tp_init == mini_reversed_type.tp_init) &&
        !container_no_kw("reversed", kwnames))
        return NULL;
    if (!mini_check_nargs("reversed", nargs, 1, 1))
        return NULL;
    MiniObject *seq = args[0];
    MiniObject *meth = type_lookup(mini_type(seq), MINI_ID(__reversed__));
    if (meth == MINI_NONE)
        return mini_raise(mini_exc_TypeError, "'%s' object is not reversible",
                          mini_type_name(seq));
    if (meth)
        return call_unbound(meth, seq);
    if (!mini_type(seq)->getitem || dict_check(seq))
        return mini_raise(mini_exc_TypeError, "'%s' object is not reversible",
                          mini_type_name(seq));
    ssize_t n = mini_len(seq);
    if (n < 0)
        return NULL;
    Reversed *r = (Reversed *)mini_type_alloc(type, 0);
    if (!r)
        return NULL;
    r->seq = mini_newref(seq);
    r->index = n - 1;
    return (MiniObject *)r;
}

static void reversed_dealloc(MiniObject *self) {
    MINI_XDECREF(((Reversed *)self)->seq);
    mini_object_free(self);
}

static int reversed_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((Reversed *)self)->seq);
    return 0;
}

static MiniObject *reversed_next(MiniObject *self) {
    Reversed *r = (Reversed *)self;
    if (r->seq && r->index >= 0) {
        MiniObject *i = int_from_i64(r->index);
        MiniObject *item = i ? mini_getitem(r->seq, i) : NULL;
        MINI_XDECREF(i);
        if (item) {
            r->index--;
            return item;
        }
        // An IndexError or StopIteration from __getitem__ ends the iteration quietly.
        if (!mini_error_matches(mini_exc_IndexError) &&
            !mini_error_matches(mini_exc_StopIteration))
            return NULL;
        mini_error_clear();
    }
    r->index = -1;
    MINI_CLEAR(r->seq);
    return NULL;
}

static MiniObject *reversed_length_hint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("reversed.__length_hint__", nargs, kwnames))
        return NULL;
    Reversed *r = (Reversed *)self;
    if (!r->seq)
        return MINI_FROM_SMALLINT(0);
    ssize_t n = mini_len(r->seq);
    if (n < 0)
        return NULL;
    return int_from_i64(n < r->index + 1 ? 0 : r->index + 1);
}

static const MiniMethodDef reversed_methods[] = {
    {"__length_hint__", reversed_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_reversed_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "reversed",
    .basicsize = sizeof(Reversed),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = reversed_dealloc,
    .traverse = reversed_traverse,
    .tp_new = reversed_tp_new,
    .iter = container_self_iter,
    .iternext = reversed_next,
    .methods = reversed_methods,
    .doc = "Return a reverse iterator over the values of the given sequence.",
};

// ---------------------------------------------------------------------------------------------
// The sequence iterator: iter(o) for an o with __getitem__ and no __iter__
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *seq; // NULL once exhausted
    int64_t index;
} SeqIter;

MiniObject *seqiter_new(MiniObject *seq) {
    SeqIter *it = (SeqIter *)mini_gc_alloc(&mini_seqiter_type, sizeof(SeqIter));
    if (!it)
        return NULL;
    it->seq = mini_newref(seq);
    it->index = 0;
    return (MiniObject *)it;
}

static void seqiter_dealloc(MiniObject *self) {
    MINI_XDECREF(((SeqIter *)self)->seq);
    mini_object_free(self);
}

static int seqiter_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((SeqIter *)self)->seq);
    return 0;
}

static MiniObject *seqiter_next(MiniObject *self) {
    SeqIter *it = (SeqIter *)self;
    if (!it->seq)
        return NULL;
    MiniObject *i = int_from_i64(it->index);
    if (!i)
        return NULL;
    MiniObject *item = mini_getitem(it->seq, i);
    MINI_DECREF(i);
    if (item) {
        it->index++;
        return item;
    }
    // IndexError (or StopIteration) is how such a sequence says it has ended.
    if (mini_error_matches(mini_exc_IndexError) || mini_error_matches(mini_exc_StopIteration)) {
        mini_error_clear();
        MINI_CLEAR(it->seq);
    }
    return NULL;
}

static MiniObject *seqiter_length_hint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("iterator.__length_hint__", nargs, kwnames))
        return NULL;
    SeqIter *it = (SeqIter *)self;
    if (!it->seq || !mini_type(it->seq)->len)
        return MINI_FROM_SMALLINT(0);
    ssize_t n = mini_len(it->seq);
    if (n < 0)
        return NULL;
    return int_from_i64(n > it->index ? n - it->index : 0);
}

static const MiniMethodDef seqiter_methods[] = {
    {"__length_hint__", seqiter_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_seqiter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "iterator",
    .basicsize = sizeof(SeqIter),
    .flags = MINI_TPFLAG_GC,
    .dealloc = seqiter_dealloc,
    .traverse = seqiter_traverse,
    .tp_new = container_no_new,
    .iter = container_self_iter,
    .iternext = seqiter_next,
    .methods = seqiter_methods,
};

// ---------------------------------------------------------------------------------------------
// The callable iterator: iter(callable, sentinel)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *func;     // NULL once exhausted
    MiniObject *sentinel;
} CallIter;

MiniObject *calliter_new(MiniObject *callable, MiniObject *sentinel) {
    CallIter *it = (CallIter *)mini_gc_alloc(&mini_calliter_type, sizeof(CallIter));
    if (!it)
        return NULL;
    it->func = mini_newref(callable);
    it->sentinel = mini_newref(sentinel);
    return (MiniObject *)it;
}

static void calliter_dealloc(MiniObject *self) {
    CallIter *it = (CallIter *)self;
    MINI_XDECREF(it->func);
    MINI_XDECREF(it->sentinel);
    mini_object_free(self);
}

static int calliter_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    CallIter *it = (CallIter *)self;
    MINI_VISIT(it->func);
    MINI_VISIT(it->sentinel);
    return 0;
}

static MiniObject *calliter_next(MiniObject *self) {
    CallIter *it = (CallIter *)self;
    if (!it->func)
        return NULL;
    MiniObject *result = mini_call(it->func, NULL, 0, NULL);
    if (!result) {
        // The callable may end the iteration by raising StopIteration.
        if (mini_error_matches(mini_exc_StopIteration)) {
            mini_error_clear();
            MINI_CLEAR(it->func);
            MINI_CLEAR(it->sentinel);
        }
        return NULL;
    }
    int ok = mini_eq(it->sentinel, result);
    if (ok == 0)
        return result;
    MINI_DECREF(result);
    if (ok > 0) {
        MINI_CLEAR(it->func);
        MINI_CLEAR(it->sentinel);
    }
    return NULL;
}

MiniType mini_calliter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "callable_iterator",
    .basicsize = sizeof(CallIter),
    .flags = MINI_TPFLAG_GC,
    .dealloc = calliter_dealloc,
    .traverse = calliter_traverse,
    .tp_new = container_no_new,
    .iter = container_self_iter,
    .iternext = calliter_next,
};
