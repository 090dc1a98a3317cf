// module.c - the module type: a namespace dict with a name.
//
// A module's attributes are its dict: `m.x` reads m.__dict__['x']. Modules written in C are
// made by module_new_builtin from a table of MiniMethodDef, each bound to the module.

#include "object.h"

#include <stddef.h>

#include "../vm/vm.h"

MiniObject *module_new(MiniObject *name) {
    MiniModule *m = (MiniModule *)mini_type_alloc(&mini_module_type, 0);
    if (!m)
        return NULL;
    m->name = mini_newref(name);
    m->dict = dict_new();
    if (!m->dict || dict_set(m->dict, MINI_ID(__name__), name) < 0 ||
        dict_set(m->dict, MINI_ID(__doc__), MINI_NONE) < 0 ||
        dict_set(m->dict, MINI_ID(__package__), MINI_NONE) < 0 ||
        dict_set(m->dict, MINI_ID(__loader__), MINI_NONE) < 0 ||
        dict_set(m->dict, MINI_ID(__spec__), MINI_NONE) < 0) {
        MINI_DECREF(m);
        return NULL;
    }
    return (MiniObject *)m;
}

MiniObject *module_new_builtin(const char *name, const MiniMethodDef *defs) {
    MiniObject *n = mini_intern(name);
    if (!n)
        return NULL;
    MiniObject *m = module_new(n);
    if (!m)
        return NULL;
    for (const MiniMethodDef *d = defs; d && d->name; d++) {
        MiniObject *f = builtin_function_new(d, NULL, n);
        if (!f || dict_set_cstr(((MiniModule *)m)->dict, d->name, f) < 0) {
            MINI_XDECREF(f);
            MINI_DECREF(m);
            return NULL;
        }
        MINI_DECREF(f);
    }
    return m;
}

static void module_dealloc(MiniObject *self) {
    MiniModule *m = (MiniModule *)self;
    mini_gc_untrack(self);
    MINI_CLEAR(m->dict);
    MINI_CLEAR(m->name);
    mini_object_free(self);
}

static int module_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniModule *m = (MiniModule *)self;
    MINI_VISIT(m->dict);
    return 0;
}

static int module_clear(MiniObject *self) {
    MINI_CLEAR(((MiniModule *)self)->dict);
    return 0;
}

// `m.x`: the module dict first, then the type's attributes (__dict__, __class__, ...), then
// the module's own __getattr__ if it has one. New reference.
static MiniObject *module_getattr(MiniObject *self, MiniObject *name) {
    MiniModule *m = (MiniModule *)self;
    if (m->dict) {
        MiniObject *v = dict_get(m->dict, name);
        if (v)
            return mini_newref(v);
        if (mini_error_occurred())
            return NULL;
    }
    MiniObject *r = mini_generic_getattr_opt(self, name);
    if (r || mini_error_occurred())
        return r;
    // PEP 562: a module-level __getattr__(name) answers for the names the module lacks (what
    // concurrent.futures uses to import ThreadPoolExecutor lazily), also for `from m import x`.
    MiniObject *hook = m->dict ? dict_get(m->dict, MINI_ID(__getattr__)) : NULL;
    if (hook) {
        // The hook may delete itself from the module's dict while it runs: hold it.
        MINI_INCREF(hook);
        r = mini_call_n(hook, 1, name);
        MINI_DECREF(hook);
        return r;
    }
    if (mini_error_occurred())
        return NULL;
    MiniObject *mname = m->dict ? dict_get(m->dict, MINI_ID(__name__)) : NULL;
    if (mname && str_check(mname) && m->initializing)
        return mini_raise(mini_exc_AttributeError,
                          "partially initialized module '%S' has no attribute '%S' (most likely "
                          "due to a circular import)",
                          mname, name);
    if (mname && str_check(mname))
        return mini_raise(mini_exc_AttributeError, "module '%S' has no attribute '%S'", mname,
                          name);
    return mini_raise(mini_exc_AttributeError, "module has no attribute '%S'", name);
}

static int module_setattr(MiniObject *self, MiniObject *name, MiniObject *value) {
    MiniModule *m = (MiniModule *)self;
    if (!m->dict) {
        m->dict = dict_new();
        if (!m->dict)
            return -1;
    }
    if (value)
        return dict_set(m->dict, name, value);
    int r = dict_discard(m->dict, name);
    if (r == 0) {
        mini_raise(mini_exc_AttributeError, "module '%S' has no attribute '%S'", m->name, name);
        return -1;
    }
    return r < 0 ? -1 : 0;
}

static MiniObject *module_repr(MiniObject *self) {
    MiniModule *m = (MiniModule *)self;
    MiniObject *name = m->dict ? dict_get(m->dict, MINI_ID(__name__)) : NULL;
    MiniObject *file = m->dict ? dict_get(m->dict, MINI_ID(__file__)) : NULL;
    if (!name)
        name = m->name;
    if (file && str_check(file))
        return str_from_format("<module %R from %R>", name, file);
    // Modules made in C have no __file__.
    return str_from_format("<module %R (built-in)>", name);
}

static MiniObject *module_get_dict(MiniObject *self) {
    MiniModule *m = (MiniModule *)self;
    if (!m->dict) {
        m->dict = dict_new();
        if (!m->dict)
            return NULL;
    }
    return mini_newref(m->dict);
}

static const MiniGetSetDef module_getset[] = {
    {"__dict__", module_get_dict, NULL, "the module's namespace"},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_module_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "module",
    .basicsize = sizeof(MiniModule),
    .weaklistoffset = offsetof(MiniModule, weaklist),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = module_dealloc,
    .traverse = module_traverse,
    .clear = module_clear,
    .repr = module_repr,
    .getattr = module_getattr,
    .setattr = module_setattr,
    .getset = module_getset,
    .doc = "Create a module object.",
};
