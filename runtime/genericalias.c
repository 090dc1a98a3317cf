// genericalias.c - types.GenericAlias: what `list[int]` and `dict[str, list[int]]` evaluate
// to (PEP 585), so that annotations written in modern style run.
//
// A generic alias records the class it was made from (`__origin__`) and the subscript
// (`__args__`, always a tuple). It prints as "dict[str, list[int]]", compares by those two,
// calls the origin class when called (`list[int]('ab')` is a list), and hands any other
// attribute lookup to the origin. The container types give themselves a __class_getitem__
// classmethod that makes one (container_class_getitem, container.h).

#include "container.h"

typedef struct {
    MiniObject ob;
    MiniObject *origin;
    MiniObject *args; // tuple
} GenericAlias;

#define GA(o) ((GenericAlias *)(o))

static MiniType genericalias_type;

MiniObject *container_class_getitem(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    const char *qn = MINI_IS_PTR(cls) && (cls->type->flags & MINI_TPFLAG_TYPE_SUBCLASS)
                         ? ((MiniType *)cls)->name
                         : "type";
    if (kwnames && TUPLE_SIZE(kwnames)) {
        mini_raise(mini_exc_TypeError, "%s.__class_getitem__() takes no keyword arguments", qn);
        return NULL;
    }
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError,
                          "%s.__class_getitem__() takes exactly one argument (%zu given)", qn,
                          nargs);
    MiniObject *item = args[0];
    MiniObject *tuple = tuple_check(item) ? mini_newref(item) : tuple_pack(1, item);
    if (!tuple)
        return NULL;
    GenericAlias *ga = (GenericAlias *)mini_gc_alloc(&genericalias_type, sizeof(GenericAlias));
    if (!ga) {
        MINI_DECREF(tuple);
        return NULL;
    }
    ga->origin = mini_newref(cls);
    ga->args = tuple;
    return (MiniObject *)ga;
}

static void ga_dealloc(MiniObject *self) {
    MINI_XDECREF(GA(self)->origin);
    MINI_XDECREF(GA(self)->args);
    mini_object_free(self);
}

static int ga_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(GA(self)->origin);
    MINI_VISIT(GA(self)->args);
    return 0;
}

// Appends how one part of an alias prints: "..." for Ellipsis, a nested alias as itself, a
// class or function by its qualified name ("int", "__main__.A"), anything else by repr.
static bool repr_item(StrBuf *b, MiniObject *p) {
    if (p == MINI_ELLIPSIS) {
        strbuf_add(b, "...", 3);
        return true;
    }
    MiniObject *qualname = NULL, *module = NULL, *r = NULL;
    if (!(MINI_IS_PTR(p) && p->type == &genericalias_type)) {
        qualname = mini_getattr_opt(p, MINI_ID(__qualname__));
        if (qualname && str_check(qualname))
            module = mini_getattr_opt(p, MINI_ID(__module__));
        if (mini_error_occurred()) {
            MINI_XDECREF(qualname);
            MINI_XDECREF(module);
            return false;
        }
    }
    if (qualname && str_check(qualname) && module && str_check(module)) {
        if (!str_eq(module, MINI_ID(builtins))) {
            strbuf_add_obj(b, module);
            strbuf_addc(b, '.');
        }
        strbuf_add_obj(b, qualname);
    } else {
        r = mini_repr(p);
        if (r)
            strbuf_add_obj(b, r);
    }
    bool ok = !mini_error_occurred();
    MINI_XDECREF(qualname);
    MINI_XDECREF(module);
    MINI_XDECREF(r);
    return ok;
}

static MiniObject *ga_repr(MiniObject *self) {
    StrBuf b;
    strbuf_init(&b);
    bool ok = repr_item(&b, GA(self)->origin);
    strbuf_addc(&b, '[');
    MiniObject *args = GA(self)->args;
    if (TUPLE_SIZE(args) == 0)
        strbuf_add(&b, "()", 2);
    for (size_t i = 0; ok && i < TUPLE_SIZE(args); i++) {
        if (i > 0)
            strbuf_add(&b, ", ", 2);
        ok = repr_item(&b, TUPLE_GET(args, i));
    }
    strbuf_addc(&b, ']');
    if (!ok) {
        strbuf_free(&b);
        return NULL;
    }
    return strbuf_finish(&b);
}

static MiniObject *ga_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!MINI_IS_PTR(a) || !MINI_IS_PTR(b) || a->type != &genericalias_type ||
        b->type != &genericalias_type || (op != CMP_EQ && op != CMP_NE))
        return MINI_NOTIMPL;
    int eq = mini_eq(GA(a)->origin, GA(b)->origin);
    if (eq > 0)
        eq = mini_eq(GA(a)->args, GA(b)->args);
    if (eq < 0)
        return NULL;
    return MINI_BOOL(op == CMP_EQ ? eq : !eq);
}

static int64_t ga_hash(MiniObject *self) {
    int64_t h0 = mini_hash(GA(self)->origin);
    if (h0 == -1)
        return -1;
    int64_t h1 = mini_hash(GA(self)->args);
    if (h1 == -1)
        return -1;
    int64_t h = h0 ^ h1;
    return h == -1 ? -2 : h;
}

// list[int](...) is list(...).
static MiniObject *ga_call(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    return mini_call(GA(self)->origin, args, nargs, kwnames);
}

// Attributes the alias lacks come from the origin: list[int].__name__ is 'list'.
static MiniObject *ga_getattr(MiniObject *self, MiniObject *name) {
    MiniObject *r = mini_generic_getattr_opt(self, name);
    if (r || mini_error_occurred())
        return r;
    return mini_getattr(GA(self)->origin, name);
}

static MiniObject *ga_get_origin(MiniObject *self) { return mini_newref(GA(self)->origin); }
static MiniObject *ga_get_args(MiniObject *self) { return mini_newref(GA(self)->args); }
static MiniObject *ga_get_parameters(MiniObject *self) {
    (void)self;
    return tuple_empty();
}

static const MiniGetSetDef ga_getset[] = {
    {"__origin__", ga_get_origin, NULL, NULL},
    {"__args__", ga_get_args, NULL, NULL},
    {"__parameters__", ga_get_parameters, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static MiniType genericalias_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "types.GenericAlias",
    .basicsize = sizeof(GenericAlias),
    .flags = MINI_TPFLAG_GC,
    .dealloc = ga_dealloc,
    .traverse = ga_traverse,
    .tp_new = container_no_new,
    .repr = ga_repr,
    .hash = ga_hash,
    .richcompare = ga_richcompare,
    .getattr = ga_getattr,
    .call = ga_call,
    .getset = ga_getset,
    .doc = "Represent a PEP 585 generic type",
};
