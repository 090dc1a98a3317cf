// weakref.c - weak references: the type weakref.ReferenceType (what `weakref.ref` is), the
// per-object lists of weak references, clearing them when an object dies, and the _weakref
// module that stdlib/lib/weakref.py builds on. CPython's Objects/weakrefobject.c is the model.
//
// Design
// ------
// Which objects can be weakly referenced is a property of their type: a nonzero
// `weaklistoffset` says where in the object the head of its list of weak references is (see
// weakref.h for the list itself). The builtin types that CPython makes weakly referenceable
// set it - type, function, bound method, builtin function, set, frozenset, generator, module,
// _thread.lock and RLock - except code objects (immortal in mini, with no room for it); a
// class adds the field to its instances' layout when CPython's would have `__weakref__`
// (class.c).
//
// When an object dies its references are cleared first, and only then are their callbacks
// called, each with its (now dead) reference: a callback can never reach the dying object.
// Three places do it, as in CPython: mini_dealloc (object.c) for instances of builtin types,
// before their dealloc runs; subtype_dealloc (class.c) for instances of classes, after
// __del__ (which may resurrect the object, and then its references stay alive); and the cycle
// collector (gc.c, handle_weakrefs), which clears the references to every piece of garbage
// before any finalizer runs and calls only the callbacks of references that are themselves
// reachable.
//
// Ownership: a reference owns its callback and nothing else; the list holds the references
// without counting them (a reference unlinks itself when it dies). All of it is protected by
// the GIL.

#include "weakref.h"

#include <stdlib.h>

#include "../vm/vm.h"

#define WR(o) ((MiniWeakref *)(o))

MiniObject **weakref_list_ptr(MiniObject *o) {
    if (!MINI_IS_PTR(o))
        return NULL;
    MiniType *t = o->type;
    size_t off = t->weaklistoffset;
    if (!off)
        return NULL;
    // A class derived from str or bytes keeps the fields it adds after the inline text.
    if (t->flags & MINI_TPFLAG_VARSIZE_FIELDS)
        return varsize_field_ptr(o, off);
    return (MiniObject **)((char *)o + off);
}

void weakref_clear_ref(MiniObject *self) {
    MiniWeakref *wr = WR(self);
    if (!wr->object)
        return;
    MiniObject **list = weakref_list_ptr(wr->object);
    if (list && *list == self)
        *list = (MiniObject *)wr->next;
    if (wr->prev)
        wr->prev->next = wr->next;
    if (wr->next)
        wr->next->prev = wr->prev;
    wr->prev = wr->next = NULL;
    wr->object = NULL;
}

// Calls [callback]([wr]); an error is reported as CPython's handle_callback does.
static void call_callback(MiniObject *wr, MiniObject *callback) {
    MiniObject *r = mini_call_n(callback, 1, wr);
    if (r)
        MINI_DECREF(r);
    else
        exception_write_unraisable(callback);
}

void weakref_clear_all(MiniObject *o) {
    MiniObject **list = weakref_list_ptr(o);
    if (!list || !*list)
        return;
    MiniObject *saved = mini_error_fetch();
    size_t count = 0;
    for (MiniWeakref *wr = WR(*list); wr; wr = wr->next)
        count++;
    // Every reference is cleared before the first callback runs. The references that are
    // still alive and have a callback are kept (counted) with it in [pending], in list order.
    MiniObject **pending = malloc(2 * count * sizeof(MiniObject *));
    size_t n = 0;
    while (*list) {
        MiniWeakref *wr = WR(*list);
        MiniObject *callback = wr->callback;
        wr->callback = NULL;
        weakref_clear_ref((MiniObject *)wr);
        if (!callback)
            continue;
        if (pending && wr->ob.refcnt > 0) {
            MINI_INCREF(wr);
            pending[n++] = (MiniObject *)wr;
            pending[n++] = callback;
        } else {
            MINI_DECREF(callback);
        }
    }
    for (size_t i = 0; i < n; i += 2) {
        call_callback(pending[i], pending[i + 1]);
        MINI_DECREF(pending[i + 1]);
        MINI_DECREF(pending[i]);
    }
    free(pending);
    if (saved)
        mini_error_restore(saved);
}

// The reference [list] starts with when it is a plain `weakref.ref(x)` without callback, the
// one that ref(x) hands out again (CPython's get_basic_refs, without proxies). Borrowed.
static MiniWeakref *basic_ref(MiniObject *list) {
    MiniWeakref *head = WR(list);
    if (head && !head->callback && head->ob.type == &mini_weakref_type)
        return head;
    return NULL;
}

static void insert_after(MiniWeakref *wr, MiniWeakref *prev) {
    wr->prev = prev;
    wr->next = prev->next;
    if (prev->next)
        prev->next->prev = wr;
    prev->next = wr;
}

static void insert_head(MiniWeakref *wr, MiniObject **list) {
    MiniWeakref *next = WR(*list);
    wr->prev = NULL;
    wr->next = next;
    if (next)
        next->prev = wr;
    *list = (MiniObject *)wr;
}

// ref.__new__(type, ob, callback=None). New reference (the existing basic reference when
// there is one and no callback is asked for).
static MiniObject *weakref_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    if (type == &mini_weakref_type && !mini_no_kwargs("ref", kwnames))
        return NULL;
    if (nargs < 1)
        return mini_raise(mini_exc_TypeError, "__new__ expected at least 1 argument, got %zu",
                          nargs);
    if (nargs > 2)
        return mini_raise(mini_exc_TypeError, "__new__ expected at most 2 arguments, got %zu",
                          nargs);
    MiniObject *ob = args[0];
    MiniObject *callback = nargs > 1 && args[1] != MINI_NONE ? args[1] : NULL;
    MiniObject **list = weakref_list_ptr(ob);
    if (!list)
        return mini_raise(mini_exc_TypeError, "cannot create weak reference to '%s' object",
                          mini_type_name(ob));
    bool plain = !callback && type == &mini_weakref_type;
    MiniWeakref *basic = basic_ref(*list);
    if (plain && basic)
        return mini_newref((MiniObject *)basic);
    // The allocation may run a collection, which may change the list: look again after it.
    MiniWeakref *wr = (MiniWeakref *)mini_type_alloc(type, 0);
    if (!wr)
        return NULL;
    wr->object = ob;
    wr->callback = callback;
    MINI_XINCREF(callback);
    wr->hash = -1;
    basic = basic_ref(*list);
    if (plain || !basic)
        insert_head(wr, list);
    else
        insert_after(wr, basic);
    return (MiniObject *)wr;
}

// ref.__init__(ob, callback=None): checks the arguments again, as CPython's does.
static int weakref_tp_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    (void)args;
    (void)kwnames;
    if (nargs < 1) {
        mini_raise(mini_exc_TypeError, "__init__ expected at least 1 argument, got %zu", nargs);
        return -1;
    }
    if (nargs > 2) {
        mini_raise(mini_exc_TypeError, "__init__ expected at most 2 arguments, got %zu", nargs);
        return -1;
    }
    return 0;
}

static void weakref_dealloc(MiniObject *self) {
    weakref_clear_ref(self);
    MINI_CLEAR(WR(self)->callback);
    mini_object_free(self);
}

static int weakref_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(WR(self)->callback);
    return 0;
}

static int weakref_clear(MiniObject *self) {
    weakref_clear_ref(self);
    MINI_CLEAR(WR(self)->callback);
    return 0;
}

// r(): the referent (new reference) or None once it died.
static MiniObject *weakref_call(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("weakref", kwnames))
        return NULL;
    if (nargs != 0)
        return mini_raise(mini_exc_TypeError, "weakref expected 0 arguments, got %zu", nargs);
    MiniObject *o = WR(self)->object;
    return mini_newref(o ? o : MINI_NONE);
}

// The referent's hash, remembered so that a dead reference keeps it (a weak dict can still
// find and remove its key then).
static int64_t weakref_hash(MiniObject *self) {
    MiniWeakref *wr = WR(self);
    if (wr->hash != -1)
        return wr->hash;
    MiniObject *o = wr->object;
    if (!o) {
        mini_raise_str(mini_exc_TypeError, "weak object has gone away");
        return -1;
    }
    MINI_INCREF(o);
    wr->hash = mini_hash(o);
    MINI_DECREF(o);
    return wr->hash;
}

// Two live references are equal when their referents are; a dead one equals only itself.
static MiniObject *weakref_richcompare(MiniObject *a, MiniObject *b, int op) {
    if ((op != CMP_EQ && op != CMP_NE) || !weakref_check(a) || !weakref_check(b))
        return mini_newref(MINI_NOTIMPL);
    MiniObject *x = WR(a)->object, *y = WR(b)->object;
    if (!x || !y) {
        bool eq = a == b;
        return mini_newref(MINI_BOOL(op == CMP_EQ ? eq : !eq));
    }
    MINI_INCREF(x);
    MINI_INCREF(y);
    MiniObject *r = mini_richcompare(x, y, op);
    MINI_DECREF(x);
    MINI_DECREF(y);
    return r;
}

// repr(r): "<weakref at 0x...; to 'A' at 0x... (name)>" or "<weakref at 0x...; dead>", in
// CPython's words. New str.
static MiniObject *weakref_repr(MiniObject *self) {
    MiniObject *o = WR(self)->object;
    if (!o)
        return str_from_format("<weakref at %p; dead>", (void *)self);
    MINI_INCREF(o);
    MiniObject *name = mini_getattr_opt(o, MINI_ID(__name__));
    MiniObject *r = NULL;
    if (!name && mini_error_occurred())
        goto done;
    if (name && str_check(name))
        r = str_from_format("<weakref at %p; to '%s' at %p (%U)>", (void *)self,
                            mini_type_name(o), (void *)o, name);
    else
        r = str_from_format("<weakref at %p; to '%s' at %p>", (void *)self, mini_type_name(o),
                            (void *)o);
done:
    MINI_XDECREF(name);
    MINI_DECREF(o);
    return r;
}

// r.__callback__: the callback, or None (also once the object died). New reference.
static MiniObject *weakref_get_callback(MiniObject *self) {
    MiniObject *cb = WR(self)->callback;
    return mini_newref(cb ? cb : MINI_NONE);
}

static const MiniGetSetDef weakref_getset[] = {
    {"__callback__", weakref_get_callback, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_weakref_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "weakref.ReferenceType",
    .basicsize = sizeof(MiniWeakref),
    .flags = MINI_TPFLAG_GC | MINI_TPFLAG_BASETYPE,
    .dealloc = weakref_dealloc,
    .traverse = weakref_traverse,
    .clear = weakref_clear,
    .tp_new = weakref_tp_new,
    .tp_init = weakref_tp_init,
    .repr = weakref_repr,
    .hash = weakref_hash,
    .richcompare = weakref_richcompare,
    .call = weakref_call,
    .getset = weakref_getset,
};

// ---------------------------------------------------------------------------------------------
// The _weakref module
// ---------------------------------------------------------------------------------------------

// getweakrefcount(obj): how many weak references [obj] has (0 when it can have none). New
// reference (an int).
static MiniObject *mod_getweakrefcount(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("getweakrefcount", kwnames) ||
        !mini_check_nargs("getweakrefcount", nargs, 1, 1))
        return NULL;
    MiniObject **list = weakref_list_ptr(args[0]);
    int64_t n = 0;
    for (MiniWeakref *wr = list ? WR(*list) : NULL; wr; wr = wr->next)
        n++;
    return MINI_FROM_SMALLINT(n);
}

// getweakrefs(obj): a new list of the weak references to [obj], in list order.
static MiniObject *mod_getweakrefs(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("getweakrefs", kwnames) || !mini_check_nargs("getweakrefs", nargs, 1, 1))
        return NULL;
    MiniObject *result = list_new(0);
    if (!result)
        return NULL;
    MiniObject **list = weakref_list_ptr(args[0]);
    // Appending cannot run a collection that changes the list: lists of references are only
    // changed by code that runs mini code or frees objects, and list_append does neither.
    for (MiniWeakref *wr = list ? WR(*list) : NULL; wr; wr = wr->next) {
        if (list_append(result, (MiniObject *)wr) < 0) {
            MINI_DECREF(result);
            return NULL;
        }
    }
    return result;
}

// _remove_dead_weakref(dict, key): deletes dict[key] if it is a dead weak reference; a missing
// key is fine (another thread's callback may have removed it already). Returns None (new
// reference).
static MiniObject *mod_remove_dead_weakref(MiniObject *self, MiniObject *const *args,
                                           size_t nargs, MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("_remove_dead_weakref", kwnames) ||
        !mini_check_nargs("_remove_dead_weakref", nargs, 2, 2))
        return NULL;
    MiniObject *d = args[0], *key = args[1];
    if (!dict_check(d))
        return mini_raise(mini_exc_TypeError,
                          "_remove_dead_weakref() argument 1 must be dict, not %s",
                          mini_type_name(d));
    MiniObject *v = dict_get(d, key);
    if (!v)
        return mini_error_occurred() ? NULL : mini_newref(MINI_NONE);
    if (!weakref_check(v))
        return mini_raise_str(mini_exc_TypeError, "not a weakref");
    if (!WR(v)->object && dict_discard(d, key) < 0)
        return NULL;
    return mini_newref(MINI_NONE);
}

static const MiniMethodDef weakref_functions[] = {
    {"getweakrefcount", mod_getweakrefcount, 0,
     "Return the number of weak references to 'object'."},
    {"getweakrefs", mod_getweakrefs, 0,
     "Return a list of all weak reference objects pointing to 'object'."},
    {"_remove_dead_weakref", mod_remove_dead_weakref, 0,
     "Atomically remove key from dict if it points to a dead weakref."},
    {NULL, NULL, 0, NULL},
};

MiniObject *weakref_module_init(struct VM *vm) {
    (void)vm;
    if (!(mini_weakref_type.flags & MINI_TPFLAG_READY) && !type_ready(&mini_weakref_type))
        return NULL;
    MiniObject *m = module_new_builtin("_weakref", weakref_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    if (dict_set_cstr(d, "ref", (MiniObject *)&mini_weakref_type) < 0 ||
        dict_set_cstr(d, "ReferenceType", (MiniObject *)&mini_weakref_type) < 0) {
        MINI_DECREF(m);
        return NULL;
    }
    return m;
}
