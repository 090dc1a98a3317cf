// function.c - the callable objects of mini: functions written in mini, bound methods, cells,
// builtin functions, and the two descriptors that expose builtin types' methods and computed
// attributes (method_descriptor, getset_descriptor).
//
// A function is a code object plus what the `def` statement evaluated: globals, defaults,
// keyword defaults, closure cells and annotations. Calling one goes to eval_call_function;
// the eval loop recognises functions itself and calls them without C recursion. A function is a
// non-data descriptor: reading it through an instance makes a bound method, which remembers
// the instance and prepends it on call.
//
// Builtin functions and descriptors point at MiniMethodDef / MiniGetSetDef tables that live in
// static memory for the life of the process.

#include <stddef.h>
#include <string.h>

#include "../vm/eval_internal.h"
#include "class_internal.h"
#include "generator.h"
#include "object.h"

#ifndef CO_DOCSTRING
#define CO_DOCSTRING 0x200 // consts[0] is the docstring (set by the compiler)
#endif

// CPython's _Py_HashPointer: the address rotated so that the alignment zeros do not cluster.
static int64_t hash_pointer(const void *p) {
    uintptr_t y = (uintptr_t)p;
    y = (y >> 4) | (y << (8 * sizeof(void *) - 4));
    int64_t h = (int64_t)y;
    return h == -1 ? -2 : h;
}

// A new reference to [o], or to None when [o] is NULL.
static MiniObject *or_none(MiniObject *o) { return mini_newref(o ? o : MINI_NONE); }

// ---------------------------------------------------------------------------------------------
// function
// ---------------------------------------------------------------------------------------------

#define FUNC(o) ((MiniFunction *)(o))

// Makes a function for [code] running in [globals] (borrowed). [qualname] may be NULL (then
// the code's). New reference or NULL.
MiniObject *function_new(CodeObject *code, MiniObject *globals, MiniObject *qualname) {
    MiniFunction *fn = (MiniFunction *)mini_gc_alloc(&mini_function_type, sizeof(MiniFunction));
    if (!fn)
        return NULL;
    fn->code = code;
    fn->globals = mini_newref(globals);
    fn->builtins = mini_newref(eval_builtins_for(globals));
    fn->name = mini_newref(code->name);
    fn->qualname = mini_newref(qualname ? qualname : code->qualname);
    MiniObject *module = dict_check(globals) ? dict_get_str(globals, MINI_ID(__name__)) : NULL;
    if (!module && mini_error_occurred()) {
        MINI_DECREF(fn);
        return NULL;
    }
    fn->module = module ? mini_newref(module) : NULL;
    if ((code->flags & CO_DOCSTRING) && TUPLE_SIZE(code->consts) > 0)
        fn->doc = mini_newref(TUPLE_GET(code->consts, 0));
    return (MiniObject *)fn;
}

static int function_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniFunction *fn = FUNC(self);
    MINI_VISIT(fn->globals);
    MINI_VISIT(fn->builtins);
    MINI_VISIT(fn->name);
    MINI_VISIT(fn->qualname);
    MINI_VISIT(fn->module);
    MINI_VISIT(fn->defaults);
    MINI_VISIT(fn->kwdefaults);
    MINI_VISIT(fn->closure);
    MINI_VISIT(fn->doc);
    MINI_VISIT(fn->dict);
    MINI_VISIT(fn->annotations);
    return 0;
}

static int function_clear(MiniObject *self) {
    MiniFunction *fn = FUNC(self);
    MINI_CLEAR(fn->globals);
    MINI_CLEAR(fn->builtins);
    MINI_CLEAR(fn->module);
    MINI_CLEAR(fn->defaults);
    MINI_CLEAR(fn->kwdefaults);
    MINI_CLEAR(fn->closure);
    MINI_CLEAR(fn->doc);
    MINI_CLEAR(fn->dict);
    MINI_CLEAR(fn->annotations);
    return 0;
}

static void function_dealloc(MiniObject *self) {
    function_clear(self);
    MINI_CLEAR(FUNC(self)->name);
    MINI_CLEAR(FUNC(self)->qualname);
    mini_object_free(self);
}

// repr(f): `<function A.f at 0x...>`. New str.
static MiniObject *function_repr(MiniObject *self) {
    return str_from_format("<function %U at %p>", FUNC(self)->qualname, (void *)self);
}

// f.__get__(obj, type): the function itself through the class, a bound method through an
// instance. New reference.
static MiniObject *function_descr_get(MiniObject *descr, MiniObject *obj, MiniObject *type) {
    (void)type;
    if (!obj)
        return mini_newref(descr);
    return method_new(descr, obj);
}

// The attributes of functions, for the getset table below: each getter returns a new
// reference; each setter returns 0, or -1 with CPython's TypeError (value NULL: delete).
static MiniObject *function_get_name(MiniObject *self) { return mini_newref(FUNC(self)->name); }
static int function_set_name(MiniObject *self, MiniObject *value) {
    if (!value || !str_check(value)) {
        mini_raise_str(mini_exc_TypeError, "__name__ must be set to a string object");
        return -1;
    }
    MINI_SETREF(FUNC(self)->name, mini_newref(value));
    return 0;
}

static MiniObject *function_get_qualname(MiniObject *self) {
    return mini_newref(FUNC(self)->qualname);
}
static int function_set_qualname(MiniObject *self, MiniObject *value) {
    if (!value || !str_check(value)) {
        mini_raise_str(mini_exc_TypeError, "__qualname__ must be set to a string object");
        return -1;
    }
    MINI_SETREF(FUNC(self)->qualname, mini_newref(value));
    return 0;
}

// __doc__ and __module__ are plain slots: deleting them leaves None.
static MiniObject *function_get_doc(MiniObject *self) { return or_none(FUNC(self)->doc); }
static int function_set_doc(MiniObject *self, MiniObject *value) {
    MINI_SETREF(FUNC(self)->doc, value ? mini_newref(value) : NULL);
    return 0;
}
static MiniObject *function_get_module(MiniObject *self) { return or_none(FUNC(self)->module); }
static int function_set_module(MiniObject *self, MiniObject *value) {
    MINI_SETREF(FUNC(self)->module, value ? mini_newref(value) : NULL);
    return 0;
}

static MiniObject *function_get_defaults(MiniObject *self) {
    return or_none(FUNC(self)->defaults);
}
static int function_set_defaults(MiniObject *self, MiniObject *value) {
    if (value == MINI_NONE)
        value = NULL;
    if (value && !tuple_check(value)) {
        mini_raise_str(mini_exc_TypeError, "__defaults__ must be set to a tuple object");
        return -1;
    }
    MINI_SETREF(FUNC(self)->defaults, value ? mini_newref(value) : NULL);
    return 0;
}

static MiniObject *function_get_kwdefaults(MiniObject *self) {
    return or_none(FUNC(self)->kwdefaults);
}
static int function_set_kwdefaults(MiniObject *self, MiniObject *value) {
    if (value == MINI_NONE)
        value = NULL;
    if (value && !dict_check(value)) {
        mini_raise_str(mini_exc_TypeError, "__kwdefaults__ must be set to a dict object");
        return -1;
    }
    MINI_SETREF(FUNC(self)->kwdefaults, value ? mini_newref(value) : NULL);
    return 0;
}

static MiniObject *function_get_code(MiniObject *self) {
    return mini_newref((MiniObject *)FUNC(self)->code);
}
static int function_set_code(MiniObject *self, MiniObject *value) {
    if (!value || !MINI_IS_PTR(value) || value->type != &mini_code_type) {
        mini_raise_str(mini_exc_TypeError, "__code__ must be set to a code object");
        return -1;
    }
    CodeObject *co = (CodeObject *)value;
    MiniFunction *fn = FUNC(self);
    size_t nclosure = fn->closure ? TUPLE_SIZE(fn->closure) : 0;
    if ((size_t)co->nfrees != nclosure) {
        mini_raise(mini_exc_ValueError,
                   "%U() requires a code object with %zu free vars, not %d", fn->name, nclosure,
                   co->nfrees);
        return -1;
    }
    fn->code = co; // Code objects are immortal: no reference to count.
    return 0;
}

static int readonly_attribute(MiniObject *self, MiniObject *value) {
    (void)self;
    (void)value;
    mini_raise_str(mini_exc_AttributeError, "readonly attribute");
    return -1;
}

static MiniObject *function_get_globals(MiniObject *self) {
    return mini_newref(FUNC(self)->globals);
}
static MiniObject *function_get_builtins(MiniObject *self) {
    return mini_newref(FUNC(self)->builtins);
}
static MiniObject *function_get_closure(MiniObject *self) { return or_none(FUNC(self)->closure); }

static MiniObject *function_get_dict(MiniObject *self) {
    return instance_dict_get(&FUNC(self)->dict);
}
static int function_set_dict(MiniObject *self, MiniObject *value) {
    return instance_dict_set(&FUNC(self)->dict, value);
}

static MiniObject *function_get_annotations(MiniObject *self) {
    MiniFunction *fn = FUNC(self);
    if (!fn->annotations && !(fn->annotations = dict_new()))
        return NULL;
    return mini_newref(fn->annotations);
}
static int function_set_annotations(MiniObject *self, MiniObject *value) {
    if (value == MINI_NONE)
        value = NULL;
    if (value && !dict_check(value)) {
        mini_raise_str(mini_exc_TypeError, "__annotations__ must be set to a dict object");
        return -1;
    }
    MINI_SETREF(FUNC(self)->annotations, value ? mini_newref(value) : NULL);
    return 0;
}

static const MiniGetSetDef function_getset[] = {
    {"__name__", function_get_name, function_set_name, NULL},
    {"__qualname__", function_get_qualname, function_set_qualname, NULL},
    {"__doc__", function_get_doc, function_set_doc, NULL},
    {"__module__", function_get_module, function_set_module, NULL},
    {"__defaults__", function_get_defaults, function_set_defaults, NULL},
    {"__kwdefaults__", function_get_kwdefaults, function_set_kwdefaults, NULL},
    {"__code__", function_get_code, function_set_code, NULL},
    {"__globals__", function_get_globals, readonly_attribute, NULL},
    {"__builtins__", function_get_builtins, readonly_attribute, NULL},
    {"__closure__", function_get_closure, readonly_attribute, NULL},
    {"__dict__", function_get_dict, function_set_dict, NULL},
    {"__annotations__", function_get_annotations, function_set_annotations, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_function_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "function",
    .basicsize = sizeof(MiniFunction),
    .weaklistoffset = offsetof(MiniFunction, weaklist),
    .flags = MINI_TPFLAG_GC,
    .dictoffset = offsetof(MiniFunction, dict),
    .dealloc = function_dealloc,
    .traverse = function_traverse,
    .clear = function_clear,
    .repr = function_repr,
    .descr_get = function_descr_get,
    .call = eval_call_function,
    .getset = function_getset,
    .doc = "Create a function object.",
};

// ---------------------------------------------------------------------------------------------
// method (a function bound to an object)
// ---------------------------------------------------------------------------------------------

#define METH(o) ((MiniMethod *)(o))

// Binds [func] to [self] (both borrowed). New reference or NULL.
MiniObject *method_new(MiniObject *func, MiniObject *self) {
    MiniMethod *m = (MiniMethod *)mini_gc_alloc(&mini_method_type, sizeof(MiniMethod));
    if (!m)
        return NULL;
    m->func = mini_newref(func);
    m->self = mini_newref(self);
    return (MiniObject *)m;
}

static int method_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(METH(self)->func);
    MINI_VISIT(METH(self)->self);
    return 0;
}

static int method_clear(MiniObject *self) {
    MINI_CLEAR(METH(self)->func);
    MINI_CLEAR(METH(self)->self);
    return 0;
}

static void method_dealloc(MiniObject *self) {
    method_clear(self);
    mini_object_free(self);
}

// Calls the function with the bound object prepended to the arguments. New reference.
static MiniObject *method_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    MiniMethod *m = METH(callable);
    size_t total = nargs + (kwnames ? TUPLE_SIZE(kwnames) : 0);
    MiniObject *small[8];
    MiniObject **stack = small;
    if (total + 1 > sizeof small / sizeof small[0]) {
        stack = mini_malloc((total + 1) * sizeof(MiniObject *));
        if (!stack)
            return NULL;
    }
    stack[0] = m->self;
    if (total)
        memcpy(stack + 1, args, total * sizeof(MiniObject *));
    MiniObject *res = mini_call(m->func, stack, nargs + 1, kwnames);
    if (stack != small)
        mini_free(stack);
    return res;
}

// repr: `<bound method A.f of <__main__.A object at 0x...>>`. New str.
static MiniObject *method_repr(MiniObject *self) {
    MiniMethod *m = METH(self);
    MiniObject *name = mini_getattr_opt(m->func, MINI_ID(__qualname__));
    if (!name && !mini_error_occurred())
        name = mini_getattr_opt(m->func, MINI_ID(__name__));
    if (!name && mini_error_occurred())
        return NULL;
    if (name && !str_check(name))
        MINI_CLEAR(name);
    MiniObject *res;
    if (name)
        res = str_from_format("<bound method %U of %R>", name, m->self);
    else
        res = str_from_format("<bound method ? of %R>", m->self);
    MINI_XDECREF(name);
    return res;
}

// m1 == m2: the same object (by identity) bound to equal functions.
// Returns a new reference (a bool or NotImplemented), or NULL.
static MiniObject *method_richcompare(MiniObject *a, MiniObject *b, int op) {
    if ((op != CMP_EQ && op != CMP_NE) || !MINI_IS_PTR(b) || b->type != &mini_method_type)
        return MINI_NOTIMPL;
    int eq = 0;
    if (METH(a)->self == METH(b)->self) {
        eq = mini_eq(METH(a)->func, METH(b)->func);
        if (eq < 0)
            return NULL;
    }
    return MINI_BOOL(op == CMP_EQ ? eq : !eq);
}

static int64_t method_hash(MiniObject *self) {
    int64_t y = mini_hash(METH(self)->func);
    if (y == -1)
        return -1;
    int64_t h = hash_pointer(METH(self)->self) ^ y;
    return h == -1 ? -2 : h;
}

// Attribute lookup: the method type's own attributes first (__self__, __func__, __call__ ...),
// then the function's (__name__, __doc__, function attributes). New reference.
static MiniObject *method_getattr(MiniObject *self, MiniObject *name) {
    if (name != MINI_ID(__doc__) && !str_eq(name, MINI_ID(__doc__))) {
        MiniObject *descr = type_lookup(&mini_method_type, name);
        if (descr) {
            MiniType *dt = mini_type(descr);
            if (dt->descr_get)
                return dt->descr_get(descr, self, (MiniObject *)&mini_method_type);
            return mini_newref(descr);
        }
    }
    return mini_getattr(METH(self)->func, name);
}

// A bound method is already bound: reading it through a class leaves it as it is.
// New reference.
static MiniObject *bound_method_descr_get(MiniObject *descr, MiniObject *obj, MiniObject *type) {
    (void)obj;
    (void)type;
    return mini_newref(descr);
}

// The getters below return new references.
static MiniObject *method_get_self(MiniObject *self) { return mini_newref(METH(self)->self); }
static MiniObject *method_get_func(MiniObject *self) { return mini_newref(METH(self)->func); }

// method(function, instance), CPython's types.MethodType: what WeakMethod (weakref.py) calls
// to rebuild the bound method. New reference.
static MiniObject *method_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)type;
    if (!mini_no_kwargs("method", kwnames))
        return NULL;
    if (nargs != 2)
        return mini_raise(mini_exc_TypeError, "method expected 2 arguments, got %zu", nargs);
    if (!mini_callable(args[0]))
        return mini_raise_str(mini_exc_TypeError, "first argument must be callable");
    if (args[1] == MINI_NONE)
        return mini_raise_str(mini_exc_TypeError, "instance must not be None");
    return method_new(args[0], args[1]);
}

static const MiniGetSetDef method_getset[] = {
    {"__self__", method_get_self, NULL, NULL},
    {"__func__", method_get_func, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_method_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "method",
    .basicsize = sizeof(MiniMethod),
    .weaklistoffset = offsetof(MiniMethod, weaklist),
    .flags = MINI_TPFLAG_GC,
    .dealloc = method_dealloc,
    .traverse = method_traverse,
    .clear = method_clear,
    .tp_new = method_tp_new,
    .repr = method_repr,
    .hash = method_hash,
    .richcompare = method_richcompare,
    .getattr = method_getattr,
    .descr_get = bound_method_descr_get,
    .call = method_call,
    .getset = method_getset,
};

// ---------------------------------------------------------------------------------------------
// cell
// ---------------------------------------------------------------------------------------------

#define CELL(o) ((MiniCell *)(o))

// A cell holding [ref] (borrowed; NULL for an empty cell). New reference or NULL.
MiniObject *cell_new(MiniObject *ref) {
    MiniCell *c = (MiniCell *)mini_gc_alloc(&mini_cell_type, sizeof(MiniCell));
    if (!c)
        return NULL;
    c->ref = ref;
    MINI_XINCREF(ref);
    return (MiniObject *)c;
}

static int cell_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(CELL(self)->ref);
    return 0;
}

static int cell_clear(MiniObject *self) {
    MINI_CLEAR(CELL(self)->ref);
    return 0;
}

static void cell_dealloc(MiniObject *self) {
    cell_clear(self);
    mini_object_free(self);
}

// repr: `<cell at 0x...: int object at 0x...>` or `<cell at 0x...: empty>`. New str.
static MiniObject *cell_repr(MiniObject *self) {
    MiniObject *ref = CELL(self)->ref;
    if (!ref)
        return str_from_format("<cell at %p: empty>", (void *)self);
    return str_from_format("<cell at %p: %s object at %p>", (void *)self, mini_type_name(ref),
                           (void *)ref);
}

// Cells compare by their contents; an empty cell sorts before a full one.
// New reference (a bool or NotImplemented), or NULL.
static MiniObject *cell_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!MINI_IS_PTR(b) || b->type != &mini_cell_type)
        return MINI_NOTIMPL;
    MiniObject *x = CELL(a)->ref, *y = CELL(b)->ref;
    if (x && y)
        return mini_richcompare(x, y, op);
    int c = (x != NULL) - (y != NULL);
    bool r;
    switch (op) {
    case CMP_LT: r = c < 0; break;
    case CMP_LE: r = c <= 0; break;
    case CMP_EQ: r = c == 0; break;
    case CMP_NE: r = c != 0; break;
    case CMP_GT: r = c > 0; break;
    default: r = c >= 0; break;
    }
    return MINI_BOOL(r);
}

// cell_contents: a new reference, or ValueError for an empty cell.
static MiniObject *cell_get_contents(MiniObject *self) {
    if (!CELL(self)->ref)
        return mini_raise_str(mini_exc_ValueError, "Cell is empty");
    return mini_newref(CELL(self)->ref);
}

static int cell_set_contents(MiniObject *self, MiniObject *value) {
    MINI_XINCREF(value);
    MINI_SETREF(CELL(self)->ref, value);
    return 0;
}

static const MiniGetSetDef cell_getset[] = {
    {"cell_contents", cell_get_contents, cell_set_contents, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_cell_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "cell",
    .basicsize = sizeof(MiniCell),
    .flags = MINI_TPFLAG_GC,
    .dealloc = cell_dealloc,
    .traverse = cell_traverse,
    .clear = cell_clear,
    .repr = cell_repr,
    .richcompare = cell_richcompare,
    .getset = cell_getset,
};

// ---------------------------------------------------------------------------------------------
// builtin_function_or_method
// ---------------------------------------------------------------------------------------------

#define BFUNC(o) ((MiniBuiltinFunction *)(o))

// A builtin function for [def] bound to [self] (NULL: none), from module [module_name]
// (NULL: none). New reference or NULL.
MiniObject *builtin_function_new(const MiniMethodDef *def, MiniObject *self,
                                 MiniObject *module_name) {
    MiniBuiltinFunction *f = (MiniBuiltinFunction *)mini_gc_alloc(&mini_builtin_function_type,
                                                                  sizeof(MiniBuiltinFunction));
    if (!f)
        return NULL;
    f->def = def;
    f->self = self;
    MINI_XINCREF(self);
    f->module_name = module_name;
    MINI_XINCREF(module_name);
    return (MiniObject *)f;
}

static int builtin_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(BFUNC(self)->self);
    MINI_VISIT(BFUNC(self)->module_name);
    return 0;
}

static int builtin_clear(MiniObject *self) {
    MINI_CLEAR(BFUNC(self)->self);
    MINI_CLEAR(BFUNC(self)->module_name);
    return 0;
}

static void builtin_dealloc(MiniObject *self) {
    builtin_clear(self);
    mini_object_free(self);
}

// Calls the C function with the bound self (NULL for plain functions). New reference.
static MiniObject *builtin_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    MiniBuiltinFunction *f = BFUNC(callable);
    return f->def->func(f->self, args, nargs, kwnames);
}

// Is [self] what a plain function is bound to (nothing, or its module)?
static bool bound_to_module(MiniObject *self) {
    return !self || (MINI_IS_PTR(self) && mini_isinstance_type(self, &mini_module_type));
}

// repr: `<built-in function len>` or `<built-in method append of list object at 0x...>`.
static MiniObject *builtin_repr(MiniObject *self) {
    MiniBuiltinFunction *f = BFUNC(self);
    if (bound_to_module(f->self))
        return str_from_format("<built-in function %s>", f->def->name);
    return str_from_format("<built-in method %s of %s object at %p>", f->def->name,
                           mini_type_name(f->self), (void *)f->self);
}

// Equal when bound to the same object and running the same C function. New reference.
static MiniObject *builtin_richcompare(MiniObject *a, MiniObject *b, int op) {
    if ((op != CMP_EQ && op != CMP_NE) || !MINI_IS_PTR(b) ||
        b->type != &mini_builtin_function_type)
        return MINI_NOTIMPL;
    bool eq = BFUNC(a)->self == BFUNC(b)->self && BFUNC(a)->def->func == BFUNC(b)->def->func;
    return MINI_BOOL(op == CMP_EQ ? eq : !eq);
}

static int64_t builtin_hash(MiniObject *self) {
    int64_t h = hash_pointer(BFUNC(self)->self) ^ hash_pointer((const void *)BFUNC(self)->def);
    return h == -1 ? -2 : h;
}

// The getters below return new references.
static MiniObject *builtin_get_name(MiniObject *self) {
    return str_from_cstr(BFUNC(self)->def->name);
}

// __qualname__: "len" for functions, "list.append" / "dict.fromkeys" for methods.
static MiniObject *builtin_get_qualname(MiniObject *self) {
    MiniBuiltinFunction *f = BFUNC(self);
    if (bound_to_module(f->self))
        return str_from_cstr(f->def->name);
    MiniType *owner = MINI_IS_PTR(f->self) && mini_isinstance_type(f->self, &mini_type_type)
                          ? (MiniType *)f->self
                          : mini_type(f->self);
    if (owner->qualname)
        return str_from_format("%U.%s", owner->qualname, f->def->name);
    return str_from_format("%s.%s", owner->name, f->def->name);
}

static MiniObject *builtin_get_self(MiniObject *self) { return or_none(BFUNC(self)->self); }
static MiniObject *builtin_get_module(MiniObject *self) {
    return or_none(BFUNC(self)->module_name);
}
static MiniObject *builtin_get_doc(MiniObject *self) {
    const char *doc = BFUNC(self)->def->doc;
    return doc ? str_from_cstr(doc) : mini_newref(MINI_NONE);
}

static const MiniGetSetDef builtin_getset[] = {
    {"__name__", builtin_get_name, NULL, NULL},
    {"__qualname__", builtin_get_qualname, NULL, NULL},
    {"__self__", builtin_get_self, NULL, NULL},
    {"__module__", builtin_get_module, NULL, NULL},
    {"__doc__", builtin_get_doc, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_builtin_function_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "builtin_function_or_method",
    .basicsize = sizeof(MiniBuiltinFunction),
    .weaklistoffset = offsetof(MiniBuiltinFunction, weaklist),
    .flags = MINI_TPFLAG_GC,
    .dealloc = builtin_dealloc,
    .traverse = builtin_traverse,
    .clear = builtin_clear,
    .repr = builtin_repr,
    .hash = builtin_hash,
    .richcompare = builtin_richcompare,
    .call = builtin_call,
    .getset = builtin_getset,
};

// ---------------------------------------------------------------------------------------------
// method_descriptor (a builtin type's method, unbound)
// ---------------------------------------------------------------------------------------------

#define MDESCR(o) ((MiniMethodDescr *)(o))

// Raises "descriptor 'append' for 'list' objects doesn't apply to a 'int' object" unless
// [obj] is an instance of [owner].
static bool descr_check(const char *name, MiniType *owner, MiniObject *obj) {
    if (mini_isinstance_type(obj, owner))
        return true;
    mini_raise(mini_exc_TypeError,
               "descriptor '%s' for '%s' objects doesn't apply to a '%s' object", name,
               owner->name, mini_type_name(obj));
    return false;
}

// descr.__get__(obj, type): a bound builtin method (bound to the type for classmethods).
// New reference.
static MiniObject *method_descr_get(MiniObject *descr, MiniObject *obj, MiniObject *type) {
    MiniMethodDescr *d = MDESCR(descr);
    int flags = d->def->flags;
    if (flags & MINI_METH_STATIC)
        return builtin_function_new(d->def, NULL, NULL);
    if (flags & MINI_METH_CLASS) {
        if (!type)
            type = (MiniObject *)mini_type(obj);
        if (!MINI_IS_PTR(type) || !mini_isinstance_type(type, &mini_type_type) ||
            !type_is_subtype((MiniType *)type, d->owner))
            return mini_raise(mini_exc_TypeError,
                              "descriptor '%s' for type '%s' needs a subtype of '%s'",
                              d->def->name, d->owner->name, d->owner->name);
        return builtin_function_new(d->def, type, NULL);
    }
    if (!obj)
        return mini_newref(descr);
    if (!descr_check(d->def->name, d->owner, obj))
        return NULL;
    return builtin_function_new(d->def, obj, NULL);
}

// list.append(l, 1): the first argument is the receiver. New reference.
static MiniObject *method_descr_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    MiniMethodDescr *d = MDESCR(callable);
    int flags = d->def->flags;
    if (flags & MINI_METH_STATIC)
        return d->def->func(NULL, args, nargs, kwnames);
    if (nargs < 1) {
        if (flags & MINI_METH_CLASS)
            return mini_raise(mini_exc_TypeError,
                              "descriptor '%s' of '%s' object needs an argument", d->def->name,
                              d->owner->name);
        return mini_raise(mini_exc_TypeError, "unbound method %s.%s() needs an argument",
                          d->owner->name, d->def->name);
    }
    if (flags & MINI_METH_CLASS) {
        MiniObject *t = args[0];
        if (!MINI_IS_PTR(t) || !mini_isinstance_type(t, &mini_type_type))
            return mini_raise(mini_exc_TypeError,
                              "descriptor '%s' for type '%s' needs a type, not a '%s' as arg 2",
                              d->def->name, d->owner->name, mini_type_name(t));
        if (!type_is_subtype((MiniType *)t, d->owner))
            return mini_raise(mini_exc_TypeError,
                              "descriptor '%s' requires a subtype of '%s' but received '%s'",
                              d->def->name, d->owner->name, ((MiniType *)t)->name);
    } else if (!descr_check(d->def->name, d->owner, args[0])) {
        return NULL;
    }
    return d->def->func(args[0], args + 1, nargs - 1, kwnames);
}

// repr: `<method 'append' of 'list' objects>`. New str.
static MiniObject *method_descr_repr(MiniObject *self) {
    return str_from_format("<method '%s' of '%s' objects>", MDESCR(self)->def->name,
                           MDESCR(self)->owner->name);
}

// The getters below return new references.
static MiniObject *method_descr_get_name(MiniObject *self) {
    return str_from_cstr(MDESCR(self)->def->name);
}
static MiniObject *method_descr_get_qualname(MiniObject *self) {
    return str_from_format("%s.%s", MDESCR(self)->owner->name, MDESCR(self)->def->name);
}
static MiniObject *method_descr_get_objclass(MiniObject *self) {
    return mini_newref((MiniObject *)MDESCR(self)->owner);
}
static MiniObject *method_descr_get_doc(MiniObject *self) {
    const char *doc = MDESCR(self)->def->doc;
    return doc ? str_from_cstr(doc) : mini_newref(MINI_NONE);
}

static const MiniGetSetDef method_descr_getset[] = {
    {"__name__", method_descr_get_name, NULL, NULL},
    {"__qualname__", method_descr_get_qualname, NULL, NULL},
    {"__objclass__", method_descr_get_objclass, NULL, NULL},
    {"__doc__", method_descr_get_doc, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

// Descriptors are made once per builtin type by type_ready and are immortal: no GC header.
MiniType mini_method_descr_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "method_descriptor",
    .basicsize = sizeof(MiniMethodDescr),
    .repr = method_descr_repr,
    .descr_get = method_descr_get,
    .call = method_descr_call,
    .getset = method_descr_getset,
};

// ---------------------------------------------------------------------------------------------
// getset_descriptor (a builtin type's computed attribute)
// ---------------------------------------------------------------------------------------------

#define GSDESCR(o) ((MiniGetSetDescr *)(o))

// descr.__get__(obj, type): the attribute's value for an instance, the descriptor itself
// through the class. New reference.
static MiniObject *getset_descr_get(MiniObject *descr, MiniObject *obj, MiniObject *type) {
    (void)type;
    MiniGetSetDescr *d = GSDESCR(descr);
    if (!obj)
        return mini_newref(descr);
    if (!descr_check(d->def->name, d->owner, obj))
        return NULL;
    if (!d->def->get)
        return mini_raise(mini_exc_AttributeError, "attribute '%s' of '%s' objects is not readable",
                          d->def->name, d->owner->name);
    return d->def->get(obj);
}

// descr.__set__(obj, value) and __delete__ (value NULL). 0 or -1.
static int getset_descr_set(MiniObject *descr, MiniObject *obj, MiniObject *value) {
    MiniGetSetDescr *d = GSDESCR(descr);
    if (!descr_check(d->def->name, d->owner, obj))
        return -1;
    if (!d->def->set) {
        mini_raise(mini_exc_AttributeError, "attribute '%s' of '%s' objects is not writable",
                   d->def->name, d->owner->name);
        return -1;
    }
    return d->def->set(obj, value);
}

// repr: `<attribute '__name__' of 'function' objects>`. New str.
static MiniObject *getset_descr_repr(MiniObject *self) {
    return str_from_format("<attribute '%s' of '%s' objects>", GSDESCR(self)->def->name,
                           GSDESCR(self)->owner->name);
}

// The getters below return new references.
static MiniObject *getset_descr_get_name(MiniObject *self) {
    return str_from_cstr(GSDESCR(self)->def->name);
}
static MiniObject *getset_descr_get_qualname(MiniObject *self) {
    return str_from_format("%s.%s", GSDESCR(self)->owner->name, GSDESCR(self)->def->name);
}
static MiniObject *getset_descr_get_objclass(MiniObject *self) {
    return mini_newref((MiniObject *)GSDESCR(self)->owner);
}
static MiniObject *getset_descr_get_doc(MiniObject *self) {
    const char *doc = GSDESCR(self)->def->doc;
    return doc ? str_from_cstr(doc) : mini_newref(MINI_NONE);
}

static const MiniGetSetDef getset_descr_getset[] = {
    {"__name__", getset_descr_get_name, NULL, NULL},
    {"__qualname__", getset_descr_get_qualname, NULL, NULL},
    {"__objclass__", getset_descr_get_objclass, NULL, NULL},
    {"__doc__", getset_descr_get_doc, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_getset_descr_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "getset_descriptor",
    .basicsize = sizeof(MiniGetSetDescr),
    .repr = getset_descr_repr,
    .descr_get = getset_descr_get,
    .descr_set = getset_descr_set,
    .getset = getset_descr_getset,
};
