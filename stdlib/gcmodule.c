// gcmodule.c - the gc module: the Python face of the cycle collector (runtime/gc.c).
//
// The names, arguments, error messages and docstrings are CPython's. mini has two generations
// where CPython has three (runtime/gc.c): the generation arguments are checked as CPython
// checks them (0, 1 or 2); 0 and 1 mean the young containers, 2 all of them. get_count() gives
// (allocations minus deallocations of containers since the last collection, young collections
// since the last full one, 0); get_threshold()/set_threshold() keep three numbers, of which
// the first drives automatic collections. freeze()/unfreeze() are not provided.
//
// The module's state is the VM's (vm->gc_*); the lists gc.garbage and gc.callbacks are made
// with the module and owned by the VM as well, so the collector finds them without importing.

#include "stdlib.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

// CPython's gc.DEBUG_* flags.
#define DEBUG_STATS 1
#define DEBUG_COLLECTABLE 2
#define DEBUG_UNCOLLECTABLE 4
#define DEBUG_SAVEALL 32
#define DEBUG_LEAK (DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL)

#define NUM_GENERATIONS 3

// ---------------------------------------------------------------------------------------------
// Argument checks, worded as CPython's for each kind of function
// ---------------------------------------------------------------------------------------------

// METH_NOARGS: "gc.enable() takes no arguments (1 given)".
static bool no_args(const char *name, size_t nargs, MiniObject *kwnames) {
    char qual[64];
    snprintf(qual, sizeof qual, "gc.%s", name);
    if (!mini_no_kwargs(qual, kwnames))
        return false;
    if (nargs) {
        mini_raise(mini_exc_TypeError, "%s() takes no arguments (%zu given)", qual, nargs);
        return false;
    }
    return true;
}

// METH_O: "gc.is_tracked() takes exactly one argument (0 given)".
static bool one_arg(const char *name, size_t nargs, MiniObject *kwnames) {
    char qual[64];
    snprintf(qual, sizeof qual, "gc.%s", name);
    if (!mini_no_kwargs(qual, kwnames))
        return false;
    if (nargs != 1) {
        mini_raise(mini_exc_TypeError, "%s() takes exactly one argument (%zu given)", qual,
                   nargs);
        return false;
    }
    return true;
}

// Converts [o] to a C int through __index__. [tuple_style] picks the wording of an int out of
// range: PyArg_ParseTuple's ("signed integer is greater than maximum") or Argument Clinic's
// ("Python int too large to convert to C int"). False with an exception.
static bool int_arg(MiniObject *o, bool tuple_style, int *out) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    if (!ok && mini_error_matches(mini_exc_OverflowError)) {
        mini_error_clear();
        v = int_sign(i) < 0 ? INT64_MIN : INT64_MAX;
        ok = true;
    }
    MINI_DECREF(i);
    if (!ok)
        return false;
    if (v > INT_MAX || v < INT_MIN) {
        if (!tuple_style)
            mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C int");
        else if (v > INT_MAX)
            mini_raise_str(mini_exc_OverflowError, "signed integer is greater than maximum");
        else
            mini_raise_str(mini_exc_OverflowError, "signed integer is less than minimum");
        return false;
    }
    *out = (int)v;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Collection and its switches
// ---------------------------------------------------------------------------------------------

// gc.collect(generation=2): the number of unreachable objects found. New reference.
static MiniObject *gc_m_collect(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    if (nargs + nkw > 1)
        return mini_raise(mini_exc_TypeError, "collect() takes at most 1 argument (%zu given)",
                          nargs + nkw);
    MiniObject *gen = NULL;
    if (nargs)
        gen = args[0];
    else if (nkw) {
        if (strcmp(STR_DATA(TUPLE_GET(kwnames, 0)), "generation") != 0)
            return mini_raise(mini_exc_TypeError, "'%S' is an invalid keyword argument for "
                              "collect()", TUPLE_GET(kwnames, 0));
        gen = args[0];
    }
    int g = NUM_GENERATIONS - 1;
    if (gen && !int_arg(gen, false, &g))
        return NULL;
    if (g < 0 || g >= NUM_GENERATIONS)
        return mini_raise_str(mini_exc_ValueError, "invalid generation");
    return int_from_u64(gc_collect_generation(mini_ts->vm, g));
}

static MiniObject *gc_m_enable(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("enable", nargs, kwnames))
        return NULL;
    VM *vm = mini_ts->vm;
    vm->gc_enabled = true;
    gc_update_trigger(vm);
    return MINI_NONE;
}

static MiniObject *gc_m_disable(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("disable", nargs, kwnames))
        return NULL;
    VM *vm = mini_ts->vm;
    vm->gc_enabled = false;
    gc_update_trigger(vm);
    return MINI_NONE;
}

static MiniObject *gc_m_isenabled(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("isenabled", nargs, kwnames))
        return NULL;
    return MINI_BOOL(mini_ts->vm->gc_enabled);
}

// gc.get_count(): (containers allocated minus freed since the last collection, young
// collections since the last full one, 0).
static MiniObject *gc_m_get_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("get_count", nargs, kwnames))
        return NULL;
    VM *vm = mini_ts->vm;
    MiniObject *n = int_from_u64(vm->gc_count);
    MiniObject *y = int_from_u64(vm->gc_young_collections);
    MiniObject *r = n && y ? tuple_pack(3, n, y, MINI_FROM_SMALLINT(0)) : NULL;
    MINI_XDECREF(n);
    MINI_XDECREF(y);
    return r;
}

static MiniObject *gc_m_get_threshold(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("get_threshold", nargs, kwnames))
        return NULL;
    long *t = mini_ts->vm->gc_threshold;
    return tuple_pack(3, MINI_FROM_SMALLINT(t[0]), MINI_FROM_SMALLINT(t[1]),
                      MINI_FROM_SMALLINT(t[2]));
}

// gc.set_threshold(threshold0, [threshold1, threshold2]): a threshold0 of 0 (or less) turns
// automatic collection off.
static MiniObject *gc_m_set_threshold(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("set_threshold", kwnames))
        return NULL;
    if (nargs < 1)
        return mini_raise(mini_exc_TypeError,
                          "set_threshold() takes at least 1 argument (%zu given)", nargs);
    if (nargs > NUM_GENERATIONS)
        return mini_raise(mini_exc_TypeError,
                          "set_threshold() takes at most 3 arguments (%zu given)", nargs);
    VM *vm = mini_ts->vm;
    int t[NUM_GENERATIONS];
    for (size_t i = 0; i < NUM_GENERATIONS; i++)
        t[i] = (int)vm->gc_threshold[i];
    for (size_t i = 0; i < nargs; i++)
        if (!int_arg(args[i], true, &t[i]))
            return NULL;
    for (size_t i = 0; i < NUM_GENERATIONS; i++)
        vm->gc_threshold[i] = t[i];
    gc_update_trigger(vm);
    return MINI_NONE;
}

static MiniObject *gc_m_get_debug(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("get_debug", nargs, kwnames))
        return NULL;
    return MINI_FROM_SMALLINT(mini_ts->vm->gc_debug);
}

// gc.set_debug(flags): DEBUG_STATS prints a line per collection on stderr; DEBUG_SAVEALL puts
// the garbage in gc.garbage instead of freeing it. The other flags are kept but print nothing.
static MiniObject *gc_m_set_debug(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    if (!one_arg("set_debug", nargs, kwnames))
        return NULL;
    int flags;
    if (!int_arg(args[0], false, &flags))
        return NULL;
    mini_ts->vm->gc_debug = flags;
    return MINI_NONE;
}

// gc.get_stats(): mini's young collections count as generation 0's, its full ones as
// generation 2's.
static MiniObject *gc_m_get_stats(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("get_stats", nargs, kwnames))
        return NULL;
    VM *vm = mini_ts->vm;
    MiniObject *list = list_new(0);
    if (!list)
        return NULL;
    for (int gen = 0; gen < NUM_GENERATIONS; gen++) {
        MiniObject *d = dict_new();
        MiniObject *c = int_from_u64(vm->gc_collections[gen]);
        MiniObject *n = int_from_u64(vm->gc_collected[gen]);
        bool ok = d && c && n && dict_set_cstr(d, "collections", c) == 0 &&
                  dict_set_cstr(d, "collected", n) == 0 &&
                  dict_set_cstr(d, "uncollectable", MINI_FROM_SMALLINT(0)) == 0 &&
                  list_append(list, d) == 0;
        MINI_XDECREF(d);
        MINI_XDECREF(c);
        MINI_XDECREF(n);
        if (!ok) {
            MINI_DECREF(list);
            return NULL;
        }
    }
    return list;
}

// ---------------------------------------------------------------------------------------------
// Looking at the heap
// ---------------------------------------------------------------------------------------------

// The GcHead of [o] when it is a container allocated with one (immortal objects may be static
// and have none), else NULL.
static GcHead *head_of(MiniObject *o) {
    if (!MINI_IS_PTR(o) || o->refcnt >= MINI_IMMORTAL || !(o->type->flags & MINI_TPFLAG_GC))
        return NULL;
    return MINI_GC_HEAD(o);
}

// Can [o] be handed to mini code? A tuple or list that C code is still filling has NULL items
// (nothing runs meanwhile, except from a nested collection's finalizer): leave those out.
static bool is_complete(MiniObject *o) {
    MiniObject *const *items;
    size_t n;
    if (tuple_check(o)) {
        items = TUPLE_ITEMS(o);
        n = TUPLE_SIZE(o);
    } else if (list_check(o)) {
        items = LIST_ITEMS(o);
        n = LIST_SIZE(o);
    } else {
        return true;
    }
    for (size_t i = 0; i < n; i++)
        if (!items[i])
            return false;
    return true;
}

static MiniObject *gc_m_is_tracked(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!one_arg("is_tracked", nargs, kwnames))
        return NULL;
    GcHead *g = head_of(args[0]);
    return MINI_BOOL(g && g->next);
}

static MiniObject *gc_m_is_finalized(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    (void)self;
    if (!one_arg("is_finalized", nargs, kwnames))
        return NULL;
    GcHead *g = head_of(args[0]);
    return MINI_BOOL(g && (g->gc_refs & MINI_GC_FINALIZED));
}

// gc.get_objects(generation=None): every tracked container but the list returned, or those of
// one generation (0: the young ones; 1: none, mini has no middle generation; 2: the old ones).
// New list.
static MiniObject *gc_m_get_objects(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"generation", NULL};
    MiniObject *gen = MINI_NONE;
    int g = -1;
    if (!mini_parse_args("get_objects", args, nargs, kwnames, names, 0, &gen))
        return NULL;
    if (gen != MINI_NONE) {
        if (!int_check(gen))
            return mini_raise(mini_exc_TypeError, "argument should be integer or None, not '%s'",
                              mini_type_name(gen));
        if (!int_arg(gen, false, &g))
            return NULL;
        if (g >= NUM_GENERATIONS)
            return mini_raise(mini_exc_ValueError, "generation parameter must be less than the "
                              "number of available generations (%i)", NUM_GENERATIONS);
        if (g < -1)
            return mini_raise_str(mini_exc_ValueError, "generation parameter cannot be negative");
    }
    MiniObject *list = list_new(0);
    if (!list)
        return NULL;
    // Appending to a list allocates no container, so the heap does not change under the walk.
    VM *vm = mini_ts->vm;
    GcHead *heap = &vm->gc_list;
    GcHead *from = g == 0 ? vm->gc_young : heap->next;
    GcHead *to = g == 1 ? from : g == 2 ? vm->gc_young : heap;
    for (GcHead *h = from; h != to; h = h->next) {
        MiniObject *o = MINI_GC_OBJ(h);
        if (o == list || o->refcnt >= MINI_IMMORTAL || !is_complete(o))
            continue;
        if (list_append(list, o) < 0) {
            MINI_DECREF(list);
            return NULL;
        }
    }
    return list;
}

typedef struct {
    MiniObject *list;  // where the referents go
    bool failed;
} ReferentsArg;

static int visit_append(MiniObject *o, void *arg) {
    ReferentsArg *ra = arg;
    if (list_append(ra->list, o) < 0) {
        ra->failed = true;
        return 1;
    }
    return 0;
}

// gc.get_referents(*objs): what the containers among [objs] refer to. New list.
static MiniObject *gc_m_get_referents(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("get_referents", kwnames))
        return NULL;
    ReferentsArg ra = {list_new(0), false};
    if (!ra.list)
        return NULL;
    for (size_t i = 0; i < nargs; i++) {
        MiniObject *o = args[i];
        if (!MINI_IS_PTR(o) || !(o->type->flags & MINI_TPFLAG_GC) || !o->type->traverse)
            continue;
        o->type->traverse(o, visit_append, &ra);
        if (ra.failed) {
            MINI_DECREF(ra.list);
            return NULL;
        }
    }
    return ra.list;
}

typedef struct {
    MiniObject *const *objs;
    size_t n;
} ReferrersArg;

static int visit_is_referent(MiniObject *o, void *arg) {
    ReferrersArg *ra = arg;
    for (size_t i = 0; i < ra->n; i++)
        if (ra->objs[i] == o)
            return 1;
    return 0;
}

// gc.get_referrers(*objs): the tracked containers that refer to any of [objs]. New list.
static MiniObject *gc_m_get_referrers(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("get_referrers", kwnames))
        return NULL;
    MiniObject *list = list_new(0);
    if (!list)
        return NULL;
    ReferrersArg ra = {args, nargs};
    GcHead *heap = &mini_ts->vm->gc_list;
    for (GcHead *g = heap->next; g != heap; g = g->next) {
        MiniObject *o = MINI_GC_OBJ(g);
        if (o == list || o->refcnt >= MINI_IMMORTAL || !o->type->traverse || !is_complete(o))
            continue;
        if (o->type->traverse(o, visit_is_referent, &ra) && list_append(list, o) < 0) {
            MINI_DECREF(list);
            return NULL;
        }
    }
    return list;
}

static const MiniMethodDef gc_functions[] = {
    {"collect", gc_m_collect, 0,
     "Run the garbage collector.\n\nWith no arguments, run a full collection.  The optional "
     "argument\nmay be an integer specifying which generation to collect.  A ValueError\nis "
     "raised if the generation number is invalid.\n\nThe number of unreachable objects is "
     "returned."},
    {"disable", gc_m_disable, 0, "Disable automatic garbage collection."},
    {"enable", gc_m_enable, 0, "Enable automatic garbage collection."},
    {"isenabled", gc_m_isenabled, 0, "Returns true if automatic garbage collection is enabled."},
    {"get_count", gc_m_get_count, 0, "Return a three-tuple of the current collection counts."},
    {"get_debug", gc_m_get_debug, 0, "Get the garbage collection debugging flags."},
    {"set_debug", gc_m_set_debug, 0,
     "Set the garbage collection debugging flags.\n\n  flags\n    An integer that can have the "
     "following bits turned on:\n      DEBUG_STATS - Print statistics during collection.\n      "
     "DEBUG_COLLECTABLE - Print collectable objects found.\n      DEBUG_UNCOLLECTABLE - Print "
     "unreachable but uncollectable objects\n        found.\n      DEBUG_SAVEALL - Save "
     "objects to gc.garbage rather than freeing them.\n      DEBUG_LEAK - Debug leaking "
     "programs (everything but STATS).\n\nDebugging information is written to sys.stderr."},
    {"get_threshold", gc_m_get_threshold, 0, "Return the current collection thresholds."},
    {"set_threshold", gc_m_set_threshold, 0,
     "set_threshold(threshold0, [threshold1, threshold2]) -> None\n\nSets the collection "
     "thresholds.  Setting threshold0 to zero disables\ncollection.\n"},
    {"get_stats", gc_m_get_stats, 0,
     "Return a list of dictionaries containing per-generation statistics."},
    {"get_objects", gc_m_get_objects, 0,
     "Return a list of objects tracked by the collector (excluding the list returned).\n\n  "
     "generation\n    Generation to extract the objects from.\n\nIf generation is not None, "
     "return only the objects tracked by the collector\nthat are in that generation."},
    {"get_referents", gc_m_get_referents, 0,
     "get_referents(*objs) -> list\nReturn the list of objects that are directly referred to "
     "by objs."},
    {"get_referrers", gc_m_get_referrers, 0,
     "get_referrers(*objs) -> list\nReturn the list of objects that directly refer to any of "
     "objs."},
    {"is_tracked", gc_m_is_tracked, 0,
     "Returns true if the object is tracked by the garbage collector.\n\nSimple atomic objects "
     "will return false."},
    {"is_finalized", gc_m_is_finalized, 0,
     "Returns true if the object has been already finalized by the GC."},
    {NULL, NULL, 0, NULL},
};

// Stores [value] (a new reference, NULL on failure) as [name] in [d]. 0 or -1.
static int put(MiniObject *d, const char *name, MiniObject *value) {
    if (!value)
        return -1;
    int r = dict_set_cstr(d, name, value);
    MINI_DECREF(value);
    return r;
}

MiniObject *gc_init(VM *vm) {
    MiniObject *m = module_new_builtin("gc", gc_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    // The lists outlive a re-import of the module: the VM keeps them.
    if (!vm->gc_garbage && !(vm->gc_garbage = list_new(0)))
        goto error;
    if (!vm->gc_callbacks && !(vm->gc_callbacks = list_new(0)))
        goto error;
    if (dict_set_cstr(d, "garbage", vm->gc_garbage) < 0 ||
        dict_set_cstr(d, "callbacks", vm->gc_callbacks) < 0 ||
        put(d, "DEBUG_STATS", int_from_i64(DEBUG_STATS)) < 0 ||
        put(d, "DEBUG_COLLECTABLE", int_from_i64(DEBUG_COLLECTABLE)) < 0 ||
        put(d, "DEBUG_UNCOLLECTABLE", int_from_i64(DEBUG_UNCOLLECTABLE)) < 0 ||
        put(d, "DEBUG_SAVEALL", int_from_i64(DEBUG_SAVEALL)) < 0 ||
        put(d, "DEBUG_LEAK", int_from_i64(DEBUG_LEAK)) < 0 ||
        put(d, "__doc__",
            str_from_cstr(
                "This module provides access to the garbage collector for reference cycles.\n\n"
                "enable() -- Enable automatic garbage collection.\n"
                "disable() -- Disable automatic garbage collection.\n"
                "isenabled() -- Returns true if automatic collection is enabled.\n"
                "collect() -- Do a full collection right now.\n"
                "get_count() -- Return the current collection counts.\n"
                "get_stats() -- Return list of dictionaries containing per-generation stats.\n"
                "set_debug() -- Set debugging flags.\n"
                "get_debug() -- Get debugging flags.\n"
                "set_threshold() -- Set the collection thresholds.\n"
                "get_threshold() -- Return the current the collection thresholds.\n"
                "get_objects() -- Return a list of all objects tracked by the collector.\n"
                "is_tracked() -- Returns true if a given object is tracked.\n"
                "is_finalized() -- Returns true if a given object has been already finalized.\n"
                "get_referrers() -- Return the list of objects that refer to an object.\n"
                "get_referents() -- Return the list of objects that an object refers to.\n")) < 0)
        goto error;
    return m;

error:
    MINI_DECREF(m);
    return NULL;
}
