// class.c - the class machinery: the types `type` and `object`, slot wrappers, the heap types
// that class statements create, super, property, staticmethod and classmethod.
//
// Design
// ------
// A type's behaviour lives in two places that must agree: the C *slots* of MiniType (what the
// VM calls: t->binop[BINOP_ADD], t->getitem, ...) and the *dunder entries* of its namespace
// dict (what mini code sees: int.__add__, A.__getitem__). The two directions are bridged here:
//
//   builtin types   type_ready() puts a "slot wrapper" (wrapper_descriptor) in the dict for
//                   every slot the type defines itself, so `int.__add__(1, 2)` calls the C slot.
//   heap types      a class statement defines dunders as mini functions; fixup_slots() points
//                   each slot at a generic "slot function" (slot_tp_repr, slot_binop_ADD, ...)
//                   that looks the dunder up along the mro and calls it. When the dunder found
//                   is a slot wrapper of a builtin base, the base's C slot is used directly, so
//                   `class A(list): pass` indexes as fast as a list and `A()` still tells
//                   object_new from a user __new__ (which the "takes no arguments" rules need).
//
// The table `slotdefs` below is the one list of (dunder, slot) pairs both directions use, in
// the spirit of CPython's typeobject.c.
//
// Heap types are MiniHeapType (a MiniType plus __slots__ layout and the list of direct
// subclasses, kept so that assigning a dunder to a class after creation updates the slots of
// every class below it). Each subclass list holds borrowed pointers: a class unlinks itself
// from its bases when it is cleared or freed. Instances of heap types are laid out as the solid
// base's instance, then the __slots__ members, then the __dict__ pointer (dictoffset) when the
// base had none. Builtin types with a variable-size tail (str, bytes, tuple) cannot have fixed
// fields appended, so their heap subclasses get neither a __dict__ nor __slots__.
//
// Every object type_ready() makes for a builtin type (dicts, tuples, descriptors) is immortal
// and untracked: builtin types are process-wide and outlive every VM.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class_internal.h"
#include "../vm/vm.h"

typedef struct {
    MiniType type;
    size_t slots_offset;   // offset of the first __slots__ member this class added
    size_t nslots;         // how many members this class added
    MiniType **subclasses; // direct heap subclasses (borrowed; see the design note)
    size_t nsubclasses, subclasses_cap;
    bool has_weakref; // this class or a base added the __weakref__ attribute
} MiniHeapType;

#define HEAP(t) ((MiniHeapType *)(t))
#define IS_HEAP(t) (((t)->flags & MINI_TPFLAG_HEAPTYPE) != 0)
#define SUBCLASS_FLAGS                                                                             \
    (MINI_TPFLAG_INT_SUBCLASS | MINI_TPFLAG_LIST_SUBCLASS | MINI_TPFLAG_TUPLE_SUBCLASS |           \
     MINI_TPFLAG_STR_SUBCLASS | MINI_TPFLAG_DICT_SUBCLASS | MINI_TPFLAG_EXC_SUBCLASS |             \
     MINI_TPFLAG_TYPE_SUBCLASS)

// The identifier at byte offset [off] of the pre-interned ids (see the slot table).
#define ID_AT(off) (*(MiniObject **)((char *)&mini_runtime.ids + (off)))
#define ID_OFF(n) offsetof(MiniIds, id_##n)

// The private types of this file (definitions further down).
static MiniType wrapper_descr_type, method_wrapper_type, member_descr_type, dict_descr_type,
    mappingproxy_type;

// Slot function types, for moving slots around generically.
typedef void (*GenericFn)(void);
typedef MiniObject *(*UnaryFn)(MiniObject *);
typedef MiniObject *(*BinaryFn)(MiniObject *, MiniObject *);
typedef MiniObject *(*TernaryFn)(MiniObject *, MiniObject *, MiniObject *);
typedef int64_t (*HashFn)(MiniObject *);
typedef MiniObject *(*RichCmpFn)(MiniObject *, MiniObject *, int);
typedef int (*SetAttrFn)(MiniObject *, MiniObject *, MiniObject *);
typedef MiniObject *(*NewFn)(MiniType *, MiniObject *const *, size_t, MiniObject *);
typedef int (*InitFn)(MiniObject *, MiniObject *const *, size_t, MiniObject *);
typedef void (*DelFn)(MiniObject *);
typedef int (*InquiryFn)(MiniObject *);
typedef ssize_t (*LenFn)(MiniObject *);
typedef int (*ObjObjFn)(MiniObject *, MiniObject *);

static MiniObject *object_new(MiniType *type, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames);
static int object_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                       MiniObject *kwnames);
static MiniObject *type_new(MiniType *metatype, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames);
static void subtype_dealloc(MiniObject *self);
static int subtype_traverse(MiniObject *self, MiniVisitProc visit, void *arg);
static int subtype_clear(MiniObject *self);
static MiniObject *staticmethod_wrap(MiniObject *func);
static MiniObject *classmethod_wrap(MiniObject *func);
static MiniObject *mappingproxy_new(MiniObject *mapping);
static MiniObject **instance_dict_ptr(MiniObject *o);
static int slot_tp_setattro(MiniObject *self, MiniObject *name, MiniObject *value);

// A slot wrapper (wrapper_descriptor), defined with the slot table below.
struct SlotDef;
typedef struct WrapperDescr WrapperDescr;
static bool is_wrapper(MiniObject *o) { return MINI_IS_PTR(o) && o->type == &wrapper_descr_type; }
// Runs slot wrapper [w] for [self], an instance of its owner. New reference or NULL.
static MiniObject *wrapper_call_bound(MiniObject *w, MiniObject *self, MiniObject *const *args,
                                      size_t nargs, MiniObject *kwnames);

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

static size_t kwcount(MiniObject *kwnames) { return kwnames ? TUPLE_SIZE(kwnames) : 0; }

static bool str_eq_cstr(MiniObject *s, const char *c) {
    size_t n = strlen(c);
    return str_check(s) && STR_SIZE(s) == n && memcmp(STR_DATA(s), c, n) == 0;
}

// Allocates an object of a builtin type that is not subclassable from here: through the GC
// list when the type is a container. New reference.
static MiniObject *alloc_object(MiniType *tp, size_t size) {
    return (tp->flags & MINI_TPFLAG_GC) ? mini_gc_alloc(tp, size) : mini_alloc(tp, size);
}

// Makes [o], created for a builtin type, immortal and invisible to the collector.
static void make_static(MiniObject *o) {
    if (!MINI_IS_PTR(o))
        return;
    mini_make_immortal(o);
    if (mini_type(o)->flags & MINI_TPFLAG_GC)
        mini_gc_untrack(o);
}

static bool is_dunder(MiniObject *name) {
    const char *s = STR_DATA(name);
    size_t n = STR_SIZE(name);
    return n > 4 && s[0] == '_' && s[1] == '_' && s[n - 1] == '_' && s[n - 2] == '_';
}

MiniObject *type_module_name(MiniType *t) {
    if (IS_HEAP(t)) {
        if (!t->dict)
            return NULL;
        return dict_get_str(t->dict, MINI_ID(__module__));
    }
    return t->module ? t->module : MINI_ID(builtins);
}

MiniObject *type_qualname(MiniType *t) {
    if (IS_HEAP(t) && t->qualname)
        return t->qualname;
    return t->name_obj ? t->name_obj : t->qualname;
}

MiniObject *instance_dict_get(MiniObject **slot) {
    if (!*slot && !(*slot = dict_new()))
        return NULL;
    return mini_newref(*slot);
}

int instance_dict_set(MiniObject **slot, MiniObject *value) {
    if (!value) {
        mini_raise_str(mini_exc_TypeError, "cannot delete __dict__");
        return -1;
    }
    if (!dict_check(value)) {
        mini_raise(mini_exc_TypeError, "__dict__ must be set to a dictionary, not a '%s'",
                   mini_type_name(value));
        return -1;
    }
    MINI_SETREF(*slot, mini_newref(value));
    return 0;
}

// Appends "module.qualname" of [t] to [b], leaving out the module "builtins".
static void add_type_fullname(StrBuf *b, MiniType *t) {
    MiniObject *mod = type_module_name(t);
    MiniObject *qual = type_qualname(t);
    if (mod && str_check(mod) && !str_eq_cstr(mod, "builtins") && qual) {
        strbuf_add_obj(b, mod);
        strbuf_addc(b, '.');
        strbuf_add_obj(b, qual);
    } else {
        strbuf_adds(b, t->name);
    }
}

// ---------------------------------------------------------------------------------------------
// Subtypes and lookup
// ---------------------------------------------------------------------------------------------

bool type_is_subtype(MiniType *t, MiniType *base) {
    if (t == base)
        return true;
    MiniObject *mro = t->mro;
    if (mro) {
        size_t n = TUPLE_SIZE(mro);
        for (size_t i = 0; i < n; i++)
            if ((MiniType *)TUPLE_GET(mro, i) == base)
                return true;
        return false;
    }
    // Not ready yet (or cleared by the collector): follow the solid base chain.
    for (MiniType *b = t->base; b; b = b->base)
        if (b == base)
            return true;
    return base == &mini_object_type;
}

MiniObject *type_lookup(MiniType *t, MiniObject *name) {
    MiniObject *mro = t->mro;
    if (mro) {
        size_t n = TUPLE_SIZE(mro);
        for (size_t i = 0; i < n; i++) {
            MiniType *b = (MiniType *)TUPLE_GET(mro, i);
            if (!b->dict)
                continue;
            MiniObject *v = dict_get_str(b->dict, name);
            if (v)
                return v;
        }
    } else {
        for (MiniType *b = t; b; b = b->base) {
            if (!b->dict)
                continue;
            MiniObject *v = dict_get_str(b->dict, name);
            if (v)
                return v;
        }
    }
    // (Looking a str key up never raises, so an exception pending now was pending before.)
    return NULL;
}

MiniObject *type_lookup_cstr(MiniType *t, const char *name) {
    MiniObject *key = mini_intern(name);
    if (!key) {
        mini_error_clear();
        return NULL;
    }
    return type_lookup(t, key);
}

// Calls the special method [name] of [self]'s type (looked up on the type, never on the
// instance, as CPython does) with [args]. Sets *found to whether the type has it; when it does
// not, returns NULL without an exception. New reference or NULL.
static MiniObject *call_special(MiniObject *self, MiniObject *name, MiniObject *const *args,
                                size_t nargs, MiniObject *kwnames, bool *found) {
    MiniType *tp = mini_type(self);
    MiniObject *f = type_lookup(tp, name);
    if (!f) {
        *found = false;
        return NULL;
    }
    *found = true;
    // Keep the method alive while it runs: it may delete itself from the class.
    MINI_INCREF(f);
    MiniObject *res;
    if (mini_type(f) == &mini_function_type) {
        // A plain function: call it unbound with self in front instead of making a method.
        size_t total = nargs + kwcount(kwnames);
        MiniObject *small[8];
        MiniObject **stack = small;
        if (total + 1 > 8) {
            stack = mini_malloc((total + 1) * sizeof(MiniObject *));
            if (!stack) {
                MINI_DECREF(f);
                return NULL;
            }
        }
        stack[0] = self;
        if (total)
            memcpy(stack + 1, args, total * sizeof(MiniObject *));
        res = mini_call(f, stack, nargs + 1, kwnames);
        if (stack != small)
            mini_free(stack);
    } else if (is_wrapper(f)) {
        // A builtin base's slot wrapper found in self's mro applies to self: call its body
        // without making a method-wrapper.
        // Counted as a recursion: a class can alias one dunder to another's wrapper
        // (__repr__ = object.__str__) and loop through C alone.
        if (!mini_enter_recursive_call(" while calling a Python object")) {
            MINI_DECREF(f);
            return NULL;
        }
        res = wrapper_call_bound(f, self, args, nargs, kwnames);
        mini_leave_recursive_call();
    } else if (mini_type(f)->descr_get) {
        MiniObject *bound = mini_type(f)->descr_get(f, self, (MiniObject *)tp);
        if (bound) {
            res = mini_call(bound, args, nargs, kwnames);
            MINI_DECREF(bound);
        } else {
            res = NULL;
        }
    } else {
        res = mini_call(f, args, nargs, kwnames);
    }
    MINI_DECREF(f);
    return res;
}

static MiniObject *call_special0(MiniObject *self, MiniObject *name, bool *found) {
    return call_special(self, name, NULL, 0, NULL, found);
}

static MiniObject *call_special1(MiniObject *self, MiniObject *name, MiniObject *a, bool *found) {
    return call_special(self, name, &a, 1, NULL, found);
}

// Like call_special0 but raises AttributeError when the method is missing.
static MiniObject *call_required0(MiniObject *self, MiniObject *name) {
    bool found;
    MiniObject *r = call_special0(self, name, &found);
    if (!found)
        return mini_raise(mini_exc_AttributeError, "%S", name);
    return r;
}

static MiniObject *call_required1(MiniObject *self, MiniObject *name, MiniObject *a) {
    bool found;
    MiniObject *r = call_special1(self, name, a, &found);
    if (!found)
        return mini_raise(mini_exc_AttributeError, "%S", name);
    return r;
}

// ---------------------------------------------------------------------------------------------
// The slot table
// ---------------------------------------------------------------------------------------------

typedef enum {
    SK_REPR,
    SK_STR,
    SK_HASH,
    SK_RICHCMP,
    SK_GETATTR,
    SK_SETATTR,
    SK_DESCR_GET,
    SK_DESCR_SET,
    SK_CALL,
    SK_ITER,
    SK_ITERNEXT,
    SK_INIT,
    SK_NEW,
    SK_DEL,
    SK_BINOP,
    SK_INPLACE,
    SK_NEG,
    SK_POS,
    SK_INVERT,
    SK_ABS,
    SK_BOOL,
    SK_INT,
    SK_FLOAT,
    SK_INDEX,
    SK_LEN,
    SK_GETITEM,
    SK_SETITEM,
    SK_CONTAINS,
} SlotKind;

struct SlotDef;
// A wrapper's body: calls [owner]'s C slot for [self] with the mini-level arguments.
typedef MiniObject *(*WrapFunc)(MiniType *owner, const struct SlotDef *d, MiniObject *self,
                                MiniObject *const *args, size_t nargs, MiniObject *kwnames);

typedef struct SlotDef {
    size_t name_off;   // the dunder: an offset into mini_runtime.ids
    uint8_t kind;      // SlotKind
    uint8_t op;        // MiniBinOp for SK_BINOP/SK_INPLACE, MiniCmpOp for SK_RICHCMP
    uint8_t reflected; // __radd__ and friends: the slot takes the operands swapped
    WrapFunc wrap;     // NULL: no wrapper (__getattr__, __new__)
} SlotDef;

static GenericFn slot_get(const MiniType *t, int kind, int op) {
    switch ((SlotKind)kind) {
    case SK_REPR: return (GenericFn)t->repr;
    case SK_STR: return (GenericFn)t->str;
    case SK_HASH: return (GenericFn)t->hash;
    case SK_RICHCMP: return (GenericFn)t->richcompare;
    case SK_GETATTR: return (GenericFn)t->getattr;
    case SK_SETATTR: return (GenericFn)t->setattr;
    case SK_DESCR_GET: return (GenericFn)t->descr_get;
    case SK_DESCR_SET: return (GenericFn)t->descr_set;
    case SK_CALL: return (GenericFn)t->call;
    case SK_ITER: return (GenericFn)t->iter;
    case SK_ITERNEXT: return (GenericFn)t->iternext;
    case SK_INIT: return (GenericFn)t->tp_init;
    case SK_NEW: return (GenericFn)t->tp_new;
    case SK_DEL: return (GenericFn)t->finalize;
    case SK_BINOP: return (GenericFn)t->binop[op];
    case SK_INPLACE: return (GenericFn)t->inplace[op];
    case SK_NEG: return (GenericFn)t->nb_neg;
    case SK_POS: return (GenericFn)t->nb_pos;
    case SK_INVERT: return (GenericFn)t->nb_invert;
    case SK_ABS: return (GenericFn)t->nb_abs;
    case SK_BOOL: return (GenericFn)t->nb_bool;
    case SK_INT: return (GenericFn)t->nb_int;
    case SK_FLOAT: return (GenericFn)t->nb_float;
    case SK_INDEX: return (GenericFn)t->nb_index;
    case SK_LEN: return (GenericFn)t->len;
    case SK_GETITEM: return (GenericFn)t->getitem;
    case SK_SETITEM: return (GenericFn)t->setitem;
    case SK_CONTAINS: return (GenericFn)t->contains;
    }
    return NULL;
}

static void slot_set(MiniType *t, int kind, int op, GenericFn f) {
    switch ((SlotKind)kind) {
    case SK_REPR: t->repr = (UnaryFn)f; break;
    case SK_STR: t->str = (UnaryFn)f; break;
    case SK_HASH: t->hash = (HashFn)f; break;
    case SK_RICHCMP: t->richcompare = (RichCmpFn)f; break;
    case SK_GETATTR: t->getattr = (BinaryFn)f; break;
    case SK_SETATTR: t->setattr = (SetAttrFn)f; break;
    case SK_DESCR_GET: t->descr_get = (TernaryFn)f; break;
    case SK_DESCR_SET: t->descr_set = (SetAttrFn)f; break;
    case SK_CALL: t->call = (MiniCallFunc)f; break;
    case SK_ITER: t->iter = (UnaryFn)f; break;
    case SK_ITERNEXT: t->iternext = (UnaryFn)f; break;
    case SK_INIT: t->tp_init = (InitFn)f; break;
    case SK_NEW: t->tp_new = (NewFn)f; break;
    case SK_DEL: t->finalize = (DelFn)f; break;
    case SK_BINOP: t->binop[op] = (BinaryFn)f; break;
    case SK_INPLACE: t->inplace[op] = (BinaryFn)f; break;
    case SK_NEG: t->nb_neg = (UnaryFn)f; break;
    case SK_POS: t->nb_pos = (UnaryFn)f; break;
    case SK_INVERT: t->nb_invert = (UnaryFn)f; break;
    case SK_ABS: t->nb_abs = (UnaryFn)f; break;
    case SK_BOOL: t->nb_bool = (InquiryFn)f; break;
    case SK_INT: t->nb_int = (UnaryFn)f; break;
    case SK_FLOAT: t->nb_float = (UnaryFn)f; break;
    case SK_INDEX: t->nb_index = (UnaryFn)f; break;
    case SK_LEN: t->len = (LenFn)f; break;
    case SK_GETITEM: t->getitem = (BinaryFn)f; break;
    case SK_SETITEM: t->setitem = (SetAttrFn)f; break;
    case SK_CONTAINS: t->contains = (ObjObjFn)f; break;
    }
}

// Two slot definitions feed the same C slot (__add__ and __radd__, __setitem__ and
// __delitem__, the six comparisons).
static bool same_slot(const SlotDef *a, const SlotDef *b) {
    if (a->kind != b->kind)
        return false;
    return (a->kind != SK_BINOP && a->kind != SK_INPLACE) || a->op == b->op;
}

// ---------------------------------------------------------------------------------------------
// Wrappers: the bodies of slot wrappers, with CPython's argument checks and messages
// ---------------------------------------------------------------------------------------------

static bool wrap_no_kw(const SlotDef *d, MiniObject *kwnames) {
    if (kwcount(kwnames)) {
        mini_raise(mini_exc_TypeError, "wrapper %S() takes no keyword arguments",
                   ID_AT(d->name_off));
        return false;
    }
    return true;
}

// CPython's check_num_args.
static bool wrap_nargs(const SlotDef *d, size_t nargs, MiniObject *kwnames, size_t n) {
    if (!wrap_no_kw(d, kwnames))
        return false;
    if (nargs != n) {
        mini_raise(mini_exc_TypeError, "expected %zu argument%s, got %zu", n, n == 1 ? "" : "s",
                   nargs);
        return false;
    }
    return true;
}

// CPython's PyArg_UnpackTuple with an empty name (hence the leading space).
static bool wrap_unpack(const SlotDef *d, size_t nargs, MiniObject *kwnames, size_t min,
                        size_t max) {
    if (!wrap_no_kw(d, kwnames))
        return false;
    if (nargs < min) {
        mini_raise(mini_exc_TypeError, " expected %s%zu argument%s, got %zu",
                   min == max ? "" : "at least ", min, min == 1 ? "" : "s", nargs);
        return false;
    }
    if (nargs > max) {
        mini_raise(mini_exc_TypeError, " expected %s%zu argument%s, got %zu",
                   min == max ? "" : "at most ", max, max == 1 ? "" : "s", nargs);
        return false;
    }
    return true;
}

static bool name_is_str(MiniObject *name) {
    if (!str_check(name)) {
        mini_raise(mini_exc_TypeError, "attribute name must be string, not '%s'",
                   mini_type_name(name));
        return false;
    }
    return true;
}

static MiniObject *wrap_unary(MiniType *owner, const SlotDef *d, MiniObject *self,
                              MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!wrap_nargs(d, nargs, kwnames, 0))
        return NULL;
    return ((UnaryFn)slot_get(owner, d->kind, d->op))(self);
}

static MiniObject *wrap_hash(MiniType *owner, const SlotDef *d, MiniObject *self,
                             MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!wrap_nargs(d, nargs, kwnames, 0))
        return NULL;
    int64_t h = owner->hash(self);
    if (h == -1 && mini_error_occurred())
        return NULL;
    return int_from_i64(h);
}

static MiniObject *wrap_richcmp(MiniType *owner, const SlotDef *d, MiniObject *self,
                                MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_nargs(d, nargs, kwnames, 1))
        return NULL;
    return owner->richcompare(self, args[0], d->op);
}

static MiniObject *wrap_binop(MiniType *owner, const SlotDef *d, MiniObject *self,
                              MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_nargs(d, nargs, kwnames, 1))
        return NULL;
    BinaryFn f = (BinaryFn)slot_get(owner, d->kind, d->op);
    return d->reflected ? f(args[0], self) : f(self, args[0]);
}

// __pow__(value, mod=None) and __rpow__(value, mod=None).
static MiniObject *wrap_pow(MiniType *owner, const SlotDef *d, MiniObject *self,
                            MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_unpack(d, nargs, kwnames, 1, 2))
        return NULL;
    MiniObject *a = d->reflected ? args[0] : self;
    MiniObject *b = d->reflected ? self : args[0];
    if (nargs == 2 && args[1] != MINI_NONE) {
        if (!owner->nb_pow3)
            return mini_newref(MINI_NOTIMPL);
        return owner->nb_pow3(a, b, args[1]);
    }
    return owner->binop[BINOP_POW](a, b);
}

static MiniObject *wrap_inquiry(MiniType *owner, const SlotDef *d, MiniObject *self,
                                MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!wrap_nargs(d, nargs, kwnames, 0))
        return NULL;
    int r = owner->nb_bool(self);
    if (r < 0)
        return NULL;
    return MINI_BOOL(r);
}

static MiniObject *wrap_len(MiniType *owner, const SlotDef *d, MiniObject *self,
                            MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!wrap_nargs(d, nargs, kwnames, 0))
        return NULL;
    ssize_t n = owner->len(self);
    if (n < 0)
        return NULL;
    return int_from_i64(n);
}

static MiniObject *wrap_setitem(MiniType *owner, const SlotDef *d, MiniObject *self,
                                MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_unpack(d, nargs, kwnames, 2, 2))
        return NULL;
    if (owner->setitem(self, args[0], args[1]) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *wrap_delitem(MiniType *owner, const SlotDef *d, MiniObject *self,
                                MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_nargs(d, nargs, kwnames, 1))
        return NULL;
    if (owner->setitem(self, args[0], NULL) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *wrap_contains(MiniType *owner, const SlotDef *d, MiniObject *self,
                                 MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_nargs(d, nargs, kwnames, 1))
        return NULL;
    int r = owner->contains(self, args[0]);
    if (r < 0)
        return NULL;
    return MINI_BOOL(r);
}

static MiniObject *wrap_next(MiniType *owner, const SlotDef *d, MiniObject *self,
                             MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!wrap_nargs(d, nargs, kwnames, 0))
        return NULL;
    MiniObject *r = owner->iternext(self);
    if (!r && !mini_error_occurred())
        mini_raise_object((MiniObject *)mini_exc_StopIteration);
    return r;
}

static MiniObject *wrap_call(MiniType *owner, const SlotDef *d, MiniObject *self,
                             MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)d;
    return owner->call(self, args, nargs, kwnames);
}

static MiniObject *wrap_init(MiniType *owner, const SlotDef *d, MiniObject *self,
                             MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)d;
    if (owner->tp_init(self, args, nargs, kwnames) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *wrap_del(MiniType *owner, const SlotDef *d, MiniObject *self,
                            MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!wrap_nargs(d, nargs, kwnames, 0))
        return NULL;
    owner->finalize(self);
    if (mini_error_occurred())
        return NULL;
    return MINI_NONE;
}

static MiniObject *wrap_getattr(MiniType *owner, const SlotDef *d, MiniObject *self,
                                MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_nargs(d, nargs, kwnames, 1) || !name_is_str(args[0]))
        return NULL;
    return owner->getattr(self, args[0]);
}

// The attribute slots of the classes with MINI_TPFLAG_VARSIZE_FIELDS (str and bytes
// subclasses) in place of the generic ones. The VM inlines mini_generic_getattr and
// mini_generic_setattr, reading the instance dict at type->dictoffset, which is not where
// these instances keep it; a different slot sends it the long way, through mini_dict_ptr.
static MiniObject *varsize_getattr(MiniObject *self, MiniObject *name) {
    return mini_generic_getattr(self, name);
}
static int varsize_setattr(MiniObject *self, MiniObject *name, MiniObject *value) {
    return mini_generic_setattr(self, name, value);
}

// Refuses object.__setattr__(int, ...) and the like: a builtin's own setattr must not be
// skipped by calling a base's (CPython's hackcheck). True when [owner]'s slot may run.
static bool setattr_applies(MiniType *owner, MiniObject *self, const char *what) {
    MiniType *t = mini_type(self);
    // Classes written in mini have no C-level setattr of their own (varsize_setattr is the
    // generic one under another name).
    while (t && (t->setattr == slot_tp_setattro || t->setattr == varsize_setattr))
        t = t->base;
    if (t && t->setattr != owner->setattr) {
        mini_raise(mini_exc_TypeError, "can't apply this %s to %s object", what,
                   mini_type_name(self));
        return false;
    }
    return true;
}

static MiniObject *wrap_setattr(MiniType *owner, const SlotDef *d, MiniObject *self,
                                MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_unpack(d, nargs, kwnames, 2, 2) || !name_is_str(args[0]) ||
        !setattr_applies(owner, self, "__setattr__"))
        return NULL;
    if (owner->setattr(self, args[0], args[1]) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *wrap_delattr(MiniType *owner, const SlotDef *d, MiniObject *self,
                                MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_unpack(d, nargs, kwnames, 1, 1) || !name_is_str(args[0]) ||
        !setattr_applies(owner, self, "__delattr__"))
        return NULL;
    if (owner->setattr(self, args[0], NULL) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *wrap_descr_get(MiniType *owner, const SlotDef *d, MiniObject *self,
                                  MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_unpack(d, nargs, kwnames, 1, 2))
        return NULL;
    MiniObject *obj = args[0] == MINI_NONE ? NULL : args[0];
    MiniObject *type = nargs > 1 && args[1] != MINI_NONE ? args[1] : NULL;
    if (!obj && !type)
        return mini_raise_str(mini_exc_TypeError, "__get__(None, None) is invalid");
    return owner->descr_get(self, obj, type);
}

static MiniObject *wrap_descr_set(MiniType *owner, const SlotDef *d, MiniObject *self,
                                  MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_unpack(d, nargs, kwnames, 2, 2))
        return NULL;
    if (owner->descr_set(self, args[0], args[1]) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *wrap_descr_delete(MiniType *owner, const SlotDef *d, MiniObject *self,
                                     MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!wrap_nargs(d, nargs, kwnames, 1))
        return NULL;
    if (owner->descr_set(self, args[0], NULL) < 0)
        return NULL;
    return MINI_NONE;
}

#define SD(n, kind, op, refl, wrap)                                                                \
    { ID_OFF(n), kind, op, refl, wrap }
#define BINSD(n, rn, in, op)                                                                       \
    SD(n, SK_BINOP, op, 0, wrap_binop), SD(rn, SK_BINOP, op, 1, wrap_binop),                       \
        SD(in, SK_INPLACE, op, 0, wrap_binop)

// Every (dunder, slot) pair. Entries feeding the same slot are adjacent (fixup_slots relies on
// it), and a group's first entry names the slot in CPython's order of precedence.
static const SlotDef slotdefs[] = {
    SD(__repr__, SK_REPR, 0, 0, wrap_unary),
    SD(__str__, SK_STR, 0, 0, wrap_unary),
    SD(__hash__, SK_HASH, 0, 0, wrap_hash),
    SD(__lt__, SK_RICHCMP, CMP_LT, 0, wrap_richcmp),
    SD(__le__, SK_RICHCMP, CMP_LE, 0, wrap_richcmp),
    SD(__eq__, SK_RICHCMP, CMP_EQ, 0, wrap_richcmp),
    SD(__ne__, SK_RICHCMP, CMP_NE, 0, wrap_richcmp),
    SD(__gt__, SK_RICHCMP, CMP_GT, 0, wrap_richcmp),
    SD(__ge__, SK_RICHCMP, CMP_GE, 0, wrap_richcmp),
    SD(__getattribute__, SK_GETATTR, 0, 0, wrap_getattr),
    SD(__getattr__, SK_GETATTR, 0, 0, NULL),
    SD(__setattr__, SK_SETATTR, 0, 0, wrap_setattr),
    SD(__delattr__, SK_SETATTR, 0, 0, wrap_delattr),
    SD(__get__, SK_DESCR_GET, 0, 0, wrap_descr_get),
    SD(__set__, SK_DESCR_SET, 0, 0, wrap_descr_set),
    SD(__delete__, SK_DESCR_SET, 0, 0, wrap_descr_delete),
    SD(__call__, SK_CALL, 0, 0, wrap_call),
    SD(__iter__, SK_ITER, 0, 0, wrap_unary),
    SD(__next__, SK_ITERNEXT, 0, 0, wrap_next),
    SD(__init__, SK_INIT, 0, 0, wrap_init),
    SD(__new__, SK_NEW, 0, 0, NULL),
    SD(__del__, SK_DEL, 0, 0, wrap_del),
    BINSD(__add__, __radd__, __iadd__, BINOP_ADD),
    BINSD(__sub__, __rsub__, __isub__, BINOP_SUB),
    BINSD(__mul__, __rmul__, __imul__, BINOP_MUL),
    BINSD(__truediv__, __rtruediv__, __itruediv__, BINOP_TRUEDIV),
    BINSD(__floordiv__, __rfloordiv__, __ifloordiv__, BINOP_FLOORDIV),
    BINSD(__mod__, __rmod__, __imod__, BINOP_MOD),
    SD(__pow__, SK_BINOP, BINOP_POW, 0, wrap_pow),
    SD(__rpow__, SK_BINOP, BINOP_POW, 1, wrap_pow),
    SD(__ipow__, SK_INPLACE, BINOP_POW, 0, wrap_binop),
    BINSD(__lshift__, __rlshift__, __ilshift__, BINOP_LSHIFT),
    BINSD(__rshift__, __rrshift__, __irshift__, BINOP_RSHIFT),
    BINSD(__and__, __rand__, __iand__, BINOP_AND),
    BINSD(__or__, __ror__, __ior__, BINOP_OR),
    BINSD(__xor__, __rxor__, __ixor__, BINOP_XOR),
    BINSD(__matmul__, __rmatmul__, __imatmul__, BINOP_MATMUL),
    SD(__neg__, SK_NEG, 0, 0, wrap_unary),
    SD(__pos__, SK_POS, 0, 0, wrap_unary),
    SD(__invert__, SK_INVERT, 0, 0, wrap_unary),
    SD(__abs__, SK_ABS, 0, 0, wrap_unary),
    SD(__bool__, SK_BOOL, 0, 0, wrap_inquiry),
    SD(__int__, SK_INT, 0, 0, wrap_unary),
    SD(__float__, SK_FLOAT, 0, 0, wrap_unary),
    SD(__index__, SK_INDEX, 0, 0, wrap_unary),
    SD(__len__, SK_LEN, 0, 0, wrap_len),
    SD(__getitem__, SK_GETITEM, 0, 0, wrap_binop),
    SD(__setitem__, SK_SETITEM, 0, 0, wrap_setitem),
    SD(__delitem__, SK_SETITEM, 0, 0, wrap_delitem),
    SD(__contains__, SK_CONTAINS, 0, 0, wrap_contains),
};
#define NSLOTDEFS (sizeof(slotdefs) / sizeof(slotdefs[0]))

// The names of the binary operators, indexed by MiniBinOp: forward, reflected, in-place.
static const size_t binop_names[BINOP_COUNT][3] = {
    {ID_OFF(__add__), ID_OFF(__radd__), ID_OFF(__iadd__)},
    {ID_OFF(__sub__), ID_OFF(__rsub__), ID_OFF(__isub__)},
    {ID_OFF(__mul__), ID_OFF(__rmul__), ID_OFF(__imul__)},
    {ID_OFF(__truediv__), ID_OFF(__rtruediv__), ID_OFF(__itruediv__)},
    {ID_OFF(__floordiv__), ID_OFF(__rfloordiv__), ID_OFF(__ifloordiv__)},
    {ID_OFF(__mod__), ID_OFF(__rmod__), ID_OFF(__imod__)},
    {ID_OFF(__pow__), ID_OFF(__rpow__), ID_OFF(__ipow__)},
    {ID_OFF(__lshift__), ID_OFF(__rlshift__), ID_OFF(__ilshift__)},
    {ID_OFF(__rshift__), ID_OFF(__rrshift__), ID_OFF(__irshift__)},
    {ID_OFF(__and__), ID_OFF(__rand__), ID_OFF(__iand__)},
    {ID_OFF(__or__), ID_OFF(__ror__), ID_OFF(__ior__)},
    {ID_OFF(__xor__), ID_OFF(__rxor__), ID_OFF(__ixor__)},
    {ID_OFF(__matmul__), ID_OFF(__rmatmul__), ID_OFF(__imatmul__)},
};

// The names of the comparisons, indexed by MiniCmpOp.
static const size_t cmp_names[6] = {ID_OFF(__lt__), ID_OFF(__le__), ID_OFF(__eq__),
                                    ID_OFF(__ne__), ID_OFF(__gt__), ID_OFF(__ge__)};

// ---------------------------------------------------------------------------------------------
// wrapper_descriptor and method-wrapper
// ---------------------------------------------------------------------------------------------

struct WrapperDescr {
    MiniObject ob;
    const SlotDef *def;
    MiniType *owner; // a builtin type (immortal)
};

typedef struct {
    MiniObject ob;
    WrapperDescr *descr; // immortal
    MiniObject *self;    // owned
} MethodWrapper;

static MiniObject *wrapper_call_bound(MiniObject *w, MiniObject *self, MiniObject *const *args,
                                      size_t nargs, MiniObject *kwnames) {
    WrapperDescr *d = (WrapperDescr *)w;
    return d->def->wrap(d->owner, d->def, self, args, nargs, kwnames);
}

static MiniObject *wrapper_descr_new(const SlotDef *def, MiniType *owner) {
    WrapperDescr *w = (WrapperDescr *)alloc_object(&wrapper_descr_type, sizeof(WrapperDescr));
    if (!w)
        return NULL;
    w->def = def;
    w->owner = owner;
    return (MiniObject *)w;
}

static MiniObject *wrapperdescr_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    WrapperDescr *w = (WrapperDescr *)callable;
    MiniObject *name = ID_AT(w->def->name_off);
    if (nargs < 1)
        return mini_raise(mini_exc_TypeError, "descriptor '%S' of '%s' object needs an argument",
                          name, w->owner->name);
    MiniObject *self = args[0];
    if (!mini_isinstance_type(self, w->owner))
        return mini_raise(mini_exc_TypeError,
                          "descriptor '%S' requires a '%s' object but received a '%s'", name,
                          w->owner->name, mini_type_name(self));
    return w->def->wrap(w->owner, w->def, self, args + 1, nargs - 1, kwnames);
}

static MiniObject *wrapperdescr_get(MiniObject *descr, MiniObject *obj, MiniObject *type) {
    (void)type;
    WrapperDescr *w = (WrapperDescr *)descr;
    if (!obj)
        return mini_newref(descr);
    if (!mini_isinstance_type(obj, w->owner))
        return mini_raise(mini_exc_TypeError,
                          "descriptor '%S' for '%s' objects doesn't apply to a '%s' object",
                          ID_AT(w->def->name_off), w->owner->name, mini_type_name(obj));
    MethodWrapper *m = (MethodWrapper *)mini_gc_alloc(&method_wrapper_type, sizeof(MethodWrapper));
    if (!m)
        return NULL;
    m->descr = w;
    m->self = mini_newref(obj);
    return (MiniObject *)m;
}

static MiniObject *wrapperdescr_repr(MiniObject *self) {
    WrapperDescr *w = (WrapperDescr *)self;
    return str_from_format("<slot wrapper '%s' of '%s' objects>", STR_DATA(ID_AT(w->def->name_off)),
                           w->owner->name);
}

static MiniObject *wrapperdescr_name(MiniObject *self) {
    return mini_newref(ID_AT(((WrapperDescr *)self)->def->name_off));
}

static MiniObject *wrapperdescr_qualname(MiniObject *self) {
    WrapperDescr *w = (WrapperDescr *)self;
    return str_from_format("%s.%s", w->owner->name, STR_DATA(ID_AT(w->def->name_off)));
}

static MiniObject *wrapperdescr_objclass(MiniObject *self) {
    return mini_newref((MiniObject *)((WrapperDescr *)self)->owner);
}

static MiniObject *descr_doc_none(MiniObject *self) {
    (void)self;
    return MINI_NONE;
}

static const MiniGetSetDef wrapperdescr_getset[] = {
    {"__name__", wrapperdescr_name, NULL, NULL},
    {"__qualname__", wrapperdescr_qualname, NULL, NULL},
    {"__objclass__", wrapperdescr_objclass, NULL, NULL},
    {"__doc__", descr_doc_none, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static MiniType wrapper_descr_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "wrapper_descriptor",
    .basicsize = sizeof(WrapperDescr),
    .dealloc = mini_object_free,
    .repr = wrapperdescr_repr,
    .call = wrapperdescr_call,
    .descr_get = wrapperdescr_get,
    .getset = wrapperdescr_getset,
};

static void methodwrapper_dealloc(MiniObject *self) {
    MINI_CLEAR(((MethodWrapper *)self)->self);
    mini_object_free(self);
}

static int methodwrapper_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((MethodWrapper *)self)->self);
    return 0;
}

static MiniObject *methodwrapper_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    MethodWrapper *m = (MethodWrapper *)callable;
    return m->descr->def->wrap(m->descr->owner, m->descr->def, m->self, args, nargs, kwnames);
}

static MiniObject *methodwrapper_repr(MiniObject *self) {
    MethodWrapper *m = (MethodWrapper *)self;
    return str_from_format("<method-wrapper '%s' of %s object at %p>",
                           STR_DATA(ID_AT(m->descr->def->name_off)), mini_type_name(m->self),
                           (void *)m->self);
}

static MiniObject *methodwrapper_name(MiniObject *self) {
    return mini_newref(ID_AT(((MethodWrapper *)self)->descr->def->name_off));
}

static MiniObject *methodwrapper_qualname(MiniObject *self) {
    return wrapperdescr_qualname((MiniObject *)((MethodWrapper *)self)->descr);
}

static MiniObject *methodwrapper_self(MiniObject *self) {
    return mini_newref(((MethodWrapper *)self)->self);
}

static MiniObject *methodwrapper_richcompare(MiniObject *a, MiniObject *b, int op) {
    if ((op != CMP_EQ && op != CMP_NE) || mini_type(b) != &method_wrapper_type)
        return mini_newref(MINI_NOTIMPL);
    MethodWrapper *x = (MethodWrapper *)a, *y = (MethodWrapper *)b;
    bool eq = x->descr == y->descr && x->self == y->self;
    return MINI_BOOL(op == CMP_EQ ? eq : !eq);
}

static int64_t methodwrapper_hash(MiniObject *self) {
    MethodWrapper *m = (MethodWrapper *)self;
    int64_t h = (int64_t)(((uintptr_t)m->descr >> 4) ^ ((uintptr_t)m->self * 1000003u));
    return h == -1 ? -2 : h;
}

static const MiniGetSetDef methodwrapper_getset[] = {
    {"__name__", methodwrapper_name, NULL, NULL},
    {"__qualname__", methodwrapper_qualname, NULL, NULL},
    {"__self__", methodwrapper_self, NULL, NULL},
    {"__doc__", descr_doc_none, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static MiniType method_wrapper_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "method-wrapper",
    .basicsize = sizeof(MethodWrapper),
    .flags = MINI_TPFLAG_GC,
    .dealloc = methodwrapper_dealloc,
    .traverse = methodwrapper_traverse,
    .repr = methodwrapper_repr,
    .hash = methodwrapper_hash,
    .richcompare = methodwrapper_richcompare,
    .call = methodwrapper_call,
    .getset = methodwrapper_getset,
};

// The builtin `__new__` every builtin type with a tp_new gets in its dict: a builtin function
// bound to the type, called as T.__new__(subtype, *args). CPython's tp_new_wrapper.
static MiniObject *tp_new_wrapper(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames);
static const MiniMethodDef tp_new_def = {"__new__", tp_new_wrapper, 0,
                                         "Create and return a new object."};

static bool is_tp_new_builtin(MiniObject *o) {
    return MINI_IS_PTR(o) && o->type == &mini_builtin_function_type &&
           ((MiniBuiltinFunction *)o)->def == &tp_new_def &&
           ((MiniBuiltinFunction *)o)->self != NULL;
}

static MiniObject *slot_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames);

static MiniObject *tp_new_wrapper(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    MiniType *type = (MiniType *)self;
    if (nargs < 1)
        return mini_raise(mini_exc_TypeError, "%s.__new__(): not enough arguments", type->name);
    MiniObject *arg0 = args[0];
    if (!type_check(arg0))
        return mini_raise(mini_exc_TypeError, "%s.__new__(X): X is not a type object (%s)",
                          type->name, mini_type_name(arg0));
    MiniType *subtype = (MiniType *)arg0;
    if (!type_is_subtype(subtype, type))
        return mini_raise(mini_exc_TypeError, "%s.__new__(%s): %s is not a subtype of %s",
                          type->name, subtype->name, subtype->name, type->name);
    // Refuse things like object.__new__(dict), which would skip dict's own allocation: the
    // nearest base not using a mini __new__ must be this very type's constructor.
    MiniType *staticbase = subtype;
    while (staticbase && staticbase->tp_new == slot_tp_new)
        staticbase = staticbase->base;
    if (staticbase && staticbase->tp_new != type->tp_new)
        return mini_raise(mini_exc_TypeError, "%s.__new__(%s) is not safe, use %s.__new__()",
                          type->name, subtype->name, staticbase->name);
    return type->tp_new(subtype, args + 1, nargs - 1, kwnames);
}

// ---------------------------------------------------------------------------------------------
// member_descriptor (a __slots__ entry) and the __dict__ descriptor of heap types
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *name; // str
    MiniType *owner;  // owned: the class that declared it
    size_t offset;    // of the value in the instance (member_descriptor only)
} MemberDescr;

static MiniObject *memberdescr_new(MiniType *kind, MiniObject *name, MiniType *owner,
                                   size_t offset) {
    MemberDescr *m = (MemberDescr *)mini_gc_alloc(kind, sizeof(MemberDescr));
    if (!m)
        return NULL;
    m->name = mini_newref(name);
    m->owner = (MiniType *)mini_newref((MiniObject *)owner);
    m->offset = offset;
    return (MiniObject *)m;
}

static void memberdescr_dealloc(MiniObject *self) {
    MemberDescr *m = (MemberDescr *)self;
    MINI_CLEAR(m->name);
    MINI_CLEAR(m->owner);
    mini_object_free(self);
}

static int memberdescr_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((MemberDescr *)self)->owner);
    return 0;
}

// The address of the __slots__ member at [offset] of the instance [o] (further on in a str or
// bytes subclass instance, past the inline text).
static MiniObject **member_ptr(MiniObject *o, size_t offset) {
    if (o->type->flags & MINI_TPFLAG_VARSIZE_FIELDS)
        return varsize_field_ptr(o, offset);
    return (MiniObject **)((char *)o + offset);
}

static bool memberdescr_check(MemberDescr *m, MiniObject *obj) {
    if (!mini_isinstance_type(obj, m->owner)) {
        mini_raise(mini_exc_TypeError,
                   "descriptor '%S' for '%s' objects doesn't apply to a '%s' object", m->name,
                   m->owner->name, mini_type_name(obj));
        return false;
    }
    return true;
}

static MiniObject *memberdescr_get(MiniObject *descr, MiniObject *obj, MiniObject *type) {
    (void)type;
    MemberDescr *m = (MemberDescr *)descr;
    if (!obj)
        return mini_newref(descr);
    if (!memberdescr_check(m, obj))
        return NULL;
    MiniObject *v = *member_ptr(obj, m->offset);
    if (!v)
        return mini_raise(mini_exc_AttributeError, "'%s' object has no attribute '%S'",
                          mini_type_name(obj), m->name);
    return mini_newref(v);
}

static int memberdescr_set(MiniObject *descr, MiniObject *obj, MiniObject *value) {
    MemberDescr *m = (MemberDescr *)descr;
    if (!memberdescr_check(m, obj))
        return -1;
    MiniObject **slot = member_ptr(obj, m->offset);
    if (!value && !*slot) {
        mini_raise(mini_exc_AttributeError, "%S", m->name);
        return -1;
    }
    MINI_XINCREF(value);
    MINI_SETREF(*slot, value);
    return 0;
}

static MiniObject *memberdescr_repr(MiniObject *self) {
    MemberDescr *m = (MemberDescr *)self;
    return str_from_format("<member '%s' of '%s' objects>", STR_DATA(m->name), m->owner->name);
}

static MiniObject *memberdescr_name(MiniObject *self) {
    return mini_newref(((MemberDescr *)self)->name);
}

static MiniObject *memberdescr_objclass(MiniObject *self) {
    return mini_newref((MiniObject *)((MemberDescr *)self)->owner);
}

static const MiniGetSetDef memberdescr_getset[] = {
    {"__name__", memberdescr_name, NULL, NULL},
    {"__qualname__", memberdescr_name, NULL, NULL},
    {"__objclass__", memberdescr_objclass, NULL, NULL},
    {"__doc__", descr_doc_none, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static MiniType member_descr_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "member_descriptor",
    .basicsize = sizeof(MemberDescr),
    .flags = MINI_TPFLAG_GC,
    .dealloc = memberdescr_dealloc,
    .traverse = memberdescr_traverse,
    .repr = memberdescr_repr,
    .descr_get = memberdescr_get,
    .descr_set = memberdescr_set,
    .getset = memberdescr_getset,
};

// The `__dict__` attribute of instances of a heap type that added the dict slot.
// The `__weakref__` attribute uses the same type with offset 1: it shows the first weak
// reference to the instance (weakref.c), or None.
#define WEAKREF_DESCR 1

static MiniObject *dictdescr_get(MiniObject *descr, MiniObject *obj, MiniObject *type) {
    (void)type;
    MemberDescr *m = (MemberDescr *)descr;
    if (!obj)
        return mini_newref(descr);
    if (!memberdescr_check(m, obj))
        return NULL;
    if (m->offset == WEAKREF_DESCR) {
        // The first weak reference to the object, as CPython's __weakref__ shows.
        MiniObject **wl = weakref_list_ptr(obj);
        return mini_newref(wl && *wl ? *wl : MINI_NONE);
    }
    MiniObject **dp = instance_dict_ptr(obj);
    if (!dp)
        return mini_raise(mini_exc_AttributeError, "This object has no __dict__");
    if (!*dp) {
        *dp = dict_new();
        if (!*dp)
            return NULL;
    }
    return mini_newref(*dp);
}

static int dictdescr_set(MiniObject *descr, MiniObject *obj, MiniObject *value) {
    MemberDescr *m = (MemberDescr *)descr;
    if (!memberdescr_check(m, obj))
        return -1;
    if (m->offset == WEAKREF_DESCR) {
        mini_raise(mini_exc_AttributeError,
                   "attribute '__weakref__' of '%s' objects is not writable", m->owner->name);
        return -1;
    }
    MiniObject **dp = instance_dict_ptr(obj);
    if (!dp) {
        mini_raise(mini_exc_AttributeError, "This object has no __dict__");
        return -1;
    }
    if (value && !dict_check(value)) {
        mini_raise(mini_exc_TypeError, "__dict__ must be set to a dictionary, not a '%s'",
                   mini_type_name(value));
        return -1;
    }
    MINI_XINCREF(value);
    MINI_SETREF(*dp, value);
    return 0;
}

static MiniObject *dictdescr_repr(MiniObject *self) {
    MemberDescr *m = (MemberDescr *)self;
    return str_from_format("<attribute '%s' of '%s' objects>", STR_DATA(m->name), m->owner->name);
}

static MiniType dict_descr_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "getset_descriptor",
    .basicsize = sizeof(MemberDescr),
    .flags = MINI_TPFLAG_GC,
    .dealloc = memberdescr_dealloc,
    .traverse = memberdescr_traverse,
    .repr = dictdescr_repr,
    .descr_get = dictdescr_get,
    .descr_set = dictdescr_set,
    .getset = memberdescr_getset,
};

// ---------------------------------------------------------------------------------------------
// mappingproxy: the read-only view a class's __dict__ returns
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *mapping;
} MappingProxy;

static MiniObject *mappingproxy_new(MiniObject *mapping) {
    MappingProxy *p = (MappingProxy *)mini_gc_alloc(&mappingproxy_type, sizeof(MappingProxy));
    if (!p)
        return NULL;
    p->mapping = mini_newref(mapping);
    return (MiniObject *)p;
}

static void mappingproxy_dealloc(MiniObject *self) {
    MINI_CLEAR(((MappingProxy *)self)->mapping);
    mini_object_free(self);
}

static int mappingproxy_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((MappingProxy *)self)->mapping);
    return 0;
}

static MiniObject *mappingproxy_getitem(MiniObject *self, MiniObject *key) {
    return mini_getitem(((MappingProxy *)self)->mapping, key);
}

static int mappingproxy_contains(MiniObject *self, MiniObject *key) {
    return mini_contains(((MappingProxy *)self)->mapping, key);
}

static ssize_t mappingproxy_len(MiniObject *self) {
    return mini_len(((MappingProxy *)self)->mapping);
}

static MiniObject *mappingproxy_iter(MiniObject *self) {
    return mini_iter(((MappingProxy *)self)->mapping);
}

static MiniObject *mappingproxy_repr(MiniObject *self) {
    MiniObject *inner = mini_repr(((MappingProxy *)self)->mapping);
    if (!inner)
        return NULL;
    MiniObject *r = str_from_format("mappingproxy(%s)", STR_DATA(inner));
    MINI_DECREF(inner);
    return r;
}

static MiniObject *mappingproxy_str(MiniObject *self) {
    return mini_str(((MappingProxy *)self)->mapping);
}

static MiniObject *mappingproxy_richcompare(MiniObject *a, MiniObject *b, int op) {
    return mini_richcompare(((MappingProxy *)a)->mapping, b, op);
}

static MiniObject *proxy_forward(MiniObject *self, const char *name, MiniObject *const *args,
                                 size_t nargs, MiniObject *kwnames) {
    if (!mini_no_kwargs(name, kwnames))
        return NULL;
    MiniObject *m = mini_getattr_cstr(((MappingProxy *)self)->mapping, name);
    if (!m)
        return NULL;
    MiniObject *r = mini_call(m, args, nargs, NULL);
    MINI_DECREF(m);
    return r;
}

static MiniObject *mappingproxy_keys(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (!mini_check_nargs("keys", nargs, 0, 0))
        return NULL;
    return proxy_forward(self, "keys", args, nargs, kwnames);
}

static MiniObject *mappingproxy_values(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    if (!mini_check_nargs("values", nargs, 0, 0))
        return NULL;
    return proxy_forward(self, "values", args, nargs, kwnames);
}

static MiniObject *mappingproxy_items(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    if (!mini_check_nargs("items", nargs, 0, 0))
        return NULL;
    return proxy_forward(self, "items", args, nargs, kwnames);
}

static MiniObject *mappingproxy_get(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!mini_check_nargs("get", nargs, 1, 2))
        return NULL;
    return proxy_forward(self, "get", args, nargs, kwnames);
}

static MiniObject *mappingproxy_copy(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (!mini_check_nargs("copy", nargs, 0, 0))
        return NULL;
    return proxy_forward(self, "copy", args, nargs, kwnames);
}

// mappingproxy(mapping): types.MappingProxyType in CPython.
static MiniObject *mappingproxy_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)type;
    static const char *const names[] = {"mapping", NULL};
    MiniObject *m = NULL;
    if (nargs == 0 && !kwcount(kwnames))
        return mini_raise_str(mini_exc_TypeError,
                              "mappingproxy() missing required argument 'mapping' (pos 1)");
    if (!mini_parse_args("mappingproxy", args, nargs, kwnames, names, 1, &m))
        return NULL;
    MiniType *mt = mini_type(m);
    if (!mt->getitem || list_check(m) || tuple_check(m))
        return mini_raise(mini_exc_TypeError, "mappingproxy() argument must be a mapping, not %s",
                          mt->name);
    return mappingproxy_new(m);
}

static const MiniMethodDef mappingproxy_methods[] = {
    {"keys", mappingproxy_keys, 0, "D.keys() -> a set-like object providing a view on D's keys"},
    {"values", mappingproxy_values, 0, "D.values() -> an object providing a view on D's values"},
    {"items", mappingproxy_items, 0,
     "D.items() -> a set-like object providing a view on D's items"},
    {"get", mappingproxy_get, 0,
     "Return the value for key if key is in the mapping, else default."},
    {"copy", mappingproxy_copy, 0, "D.copy() -> a shallow copy of D"},
    {NULL, NULL, 0, NULL},
};

static MiniType mappingproxy_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "mappingproxy",
    .basicsize = sizeof(MappingProxy),
    .flags = MINI_TPFLAG_GC,
    .dealloc = mappingproxy_dealloc,
    .tp_new = mappingproxy_tp_new,
    .traverse = mappingproxy_traverse,
    .repr = mappingproxy_repr,
    .str = mappingproxy_str,
    .richcompare = mappingproxy_richcompare,
    .iter = mappingproxy_iter,
    .len = mappingproxy_len,
    .getitem = mappingproxy_getitem,
    .contains = mappingproxy_contains,
    .methods = mappingproxy_methods,
};

// ---------------------------------------------------------------------------------------------
// type_ready: builtin types
// ---------------------------------------------------------------------------------------------

// Puts [value] (a new reference, consumed) in [dict] under [key], made static. With
// [if_absent], keeps an entry already there. False on failure.
static bool dict_put_static(MiniObject *dict, MiniObject *key, MiniObject *value, bool if_absent) {
    if (!value)
        return false;
    if (if_absent && dict_get_str(dict, key)) {
        MINI_DECREF(value);
        return true;
    }
    make_static(value);
    int r = dict_set(dict, key, value);
    MINI_DECREF(value);
    return r == 0;
}

static MiniObject *method_descr_make(const MiniMethodDef *def, MiniType *owner) {
    MiniMethodDescr *d =
        (MiniMethodDescr *)alloc_object(&mini_method_descr_type, sizeof(MiniMethodDescr));
    if (!d)
        return NULL;
    d->def = def;
    d->owner = owner;
    return (MiniObject *)d;
}

static MiniObject *getset_descr_make(const MiniGetSetDef *def, MiniType *owner) {
    MiniGetSetDescr *d =
        (MiniGetSetDescr *)alloc_object(&mini_getset_descr_type, sizeof(MiniGetSetDescr));
    if (!d)
        return NULL;
    d->def = def;
    d->owner = owner;
    return (MiniObject *)d;
}

// Fills the namespace of builtin type [t] from its method and getset tables and its own
// slots (before inheritance, so only the slots it defines itself get wrappers).
static bool fill_builtin_dict(MiniType *t) {
    MiniObject *dict = t->dict;
    for (const MiniMethodDef *m = t->methods; m && m->name; m++) {
        // method_descriptor binds MINI_METH_CLASS methods to the class and gives
        // MINI_METH_STATIC ones no receiver itself (function.c).
        MiniObject *key = mini_intern(m->name);
        if (!key || !dict_put_static(dict, key, method_descr_make(m, t), false))
            return false;
    }
    for (const MiniGetSetDef *g = t->getset; g && g->name; g++) {
        MiniObject *key = mini_intern(g->name);
        if (!key || !dict_put_static(dict, key, getset_descr_make(g, t), false))
            return false;
    }
    for (size_t i = 0; i < NSLOTDEFS; i++) {
        const SlotDef *d = &slotdefs[i];
        if (!d->wrap || !slot_get(t, d->kind, d->op))
            continue;
        if (!dict_put_static(dict, ID_AT(d->name_off), wrapper_descr_new(d, t), true))
            return false;
    }
    if (t->tp_new &&
        !dict_put_static(dict, MINI_ID(__new__),
                         builtin_function_new(&tp_new_def, (MiniObject *)t, NULL), true))
        return false;
    // A type that compares but does not hash is unhashable, and says so in its dict.
    if (!t->hash && t->richcompare && !dict_put_static(dict, MINI_ID(__hash__), MINI_NONE, true))
        return false;
    MiniObject *doc = t->doc ? str_from_cstr(t->doc) : MINI_NONE;
    return dict_put_static(dict, MINI_ID(__doc__), doc, true);
}

static void inherit_slots(MiniType *t, MiniType *b) {
#define INHERIT(f)                                                                                 \
    if (!t->f)                                                                                     \
    t->f = b->f
    INHERIT(basicsize);
    INHERIT(dictoffset);
    INHERIT(weaklistoffset);
    INHERIT(dealloc);
    if ((t->flags & MINI_TPFLAG_GC) && !t->traverse && !t->clear) {
        t->traverse = b->traverse;
        t->clear = b->clear;
    }
    INHERIT(tp_init);
    INHERIT(finalize);
    INHERIT(repr);
    INHERIT(str);
    // Equality and hashing go together: a type that defines either keeps its own pair.
    if (!t->hash && !t->richcompare) {
        t->hash = b->hash;
        t->richcompare = b->richcompare;
    }
    INHERIT(getattr);
    INHERIT(setattr);
    INHERIT(descr_get);
    INHERIT(descr_set);
    INHERIT(call);
    INHERIT(iter);
    INHERIT(iternext);
    for (int i = 0; i < BINOP_COUNT; i++) {
        INHERIT(binop[i]);
        INHERIT(inplace[i]);
    }
    INHERIT(nb_pow3);
    INHERIT(nb_neg);
    INHERIT(nb_pos);
    INHERIT(nb_invert);
    INHERIT(nb_abs);
    INHERIT(nb_bool);
    INHERIT(nb_int);
    INHERIT(nb_float);
    INHERIT(nb_index);
    INHERIT(len);
    INHERIT(getitem);
    INHERIT(setitem);
    INHERIT(contains);
#undef INHERIT
}

static bool ready_builtin_types(void);

bool type_ready(MiniType *t) {
    if (t->flags & MINI_TPFLAG_READY)
        return true;
    // Set first: readying the base may come back here through the private types.
    t->flags |= MINI_TPFLAG_READY;
    if (!t->ob.type)
        t->ob.type = &mini_type_type;
    if (t->ob.refcnt < MINI_IMMORTAL)
        t->ob.refcnt = MINI_IMMORTAL;
    if (t != &mini_object_type && !t->base)
        t->base = &mini_object_type;
    MiniType *base = t->base;
    if (base && !type_ready(base))
        goto fail;

    // The flags the *_check() helpers of object.h test, for the types that own them.
    if (t == &mini_int_type)
        t->flags |= MINI_TPFLAG_INT_SUBCLASS;
    else if (t == &mini_list_type)
        t->flags |= MINI_TPFLAG_LIST_SUBCLASS;
    else if (t == &mini_tuple_type)
        t->flags |= MINI_TPFLAG_TUPLE_SUBCLASS;
    else if (t == &mini_str_type)
        t->flags |= MINI_TPFLAG_STR_SUBCLASS;
    else if (t == &mini_dict_type)
        t->flags |= MINI_TPFLAG_DICT_SUBCLASS;
    else if (t == &mini_base_exception_type)
        t->flags |= MINI_TPFLAG_EXC_SUBCLASS;
    else if (t == &mini_type_type)
        t->flags |= MINI_TPFLAG_TYPE_SUBCLASS;
    if (base)
        t->flags |= base->flags & SUBCLASS_FLAGS;

    // Names: a dotted tp_name ("collections.deque") carries its module.
    const char *dot = strrchr(t->name, '.');
    if (dot) {
        t->module = mini_intern_n(t->name, (size_t)(dot - t->name));
        t->name_obj = mini_intern(dot + 1);
    } else {
        t->module = MINI_ID(builtins);
        t->name_obj = mini_intern(t->name);
    }
    if (!t->name_obj || !t->module)
        goto fail;
    if (!t->qualname)
        t->qualname = t->name_obj;

    t->bases = base ? tuple_pack(1, (MiniObject *)base) : tuple_empty();
    if (!t->bases)
        goto fail;
    make_static(t->bases);
    size_t nbase = base ? TUPLE_SIZE(base->mro) : 0;
    t->mro = tuple_new(nbase + 1);
    if (!t->mro)
        goto fail;
    TUPLE_ITEMS(t->mro)[0] = (MiniObject *)t;
    for (size_t i = 0; i < nbase; i++)
        TUPLE_ITEMS(t->mro)[i + 1] = TUPLE_GET(base->mro, i);
    make_static(t->mro);

    t->dict = dict_new();
    if (!t->dict)
        goto fail;
    make_static(t->dict);
    if (!fill_builtin_dict(t))
        goto fail;

    if (base) {
        // A builtin type deriving straight from object without a constructor of its own
        // cannot be instantiated from mini ("cannot create 'generator' instances").
        if (!t->tp_new && base != &mini_object_type)
            t->tp_new = base->tp_new;
        inherit_slots(t, base);
    }
    if (t == &mini_object_type && !ready_builtin_types())
        goto fail;
    return true;
fail:
    t->flags &= ~MINI_TPFLAG_READY;
    return false;
}

// ---------------------------------------------------------------------------------------------
// Slot functions: the C slots of heap types, calling the class's dunders
// ---------------------------------------------------------------------------------------------

// (mini_repr and mini_str check that the results are strings, with CPython's messages.)
static MiniObject *slot_tp_repr(MiniObject *self) {
    return call_required0(self, MINI_ID(__repr__));
}

static MiniObject *slot_tp_str(MiniObject *self) { return call_required0(self, MINI_ID(__str__)); }

static int64_t slot_tp_hash(MiniObject *self) {
    MiniObject *r = call_required0(self, MINI_ID(__hash__));
    if (!r)
        return -1;
    if (!int_check(r)) {
        MINI_DECREF(r);
        mini_raise_str(mini_exc_TypeError, "__hash__ method should return an integer");
        return -1;
    }
    // A result that fits a machine word is the hash itself; a bigger int hashes as the int
    // value does (CPython's slot_tp_hash).
    int64_t h;
    if (!int_as_i64(r, &h)) {
        mini_error_clear();
        MiniObject *v = mini_number_int(r);
        h = v ? mini_hash(v) : -1;
        MINI_XDECREF(v);
        if (h == -1 && mini_error_occurred()) {
            MINI_DECREF(r);
            return -1;
        }
    }
    MINI_DECREF(r);
    return h == -1 ? -2 : h;
}

static MiniObject *slot_tp_richcompare(MiniObject *self, MiniObject *other, int op) {
    bool found;
    MiniObject *r = call_special1(self, ID_AT(cmp_names[op]), other, &found);
    if (!found)
        return mini_newref(MINI_NOTIMPL);
    return r;
}

// getattr for classes with __getattribute__ or __getattr__: the first, then the second when
// the first raised AttributeError.
static MiniObject *slot_tp_getattr_hook(MiniObject *self, MiniObject *name) {
    MiniType *tp = mini_type(self);
    MiniObject *getattr = type_lookup(tp, MINI_ID(__getattr__));
    MiniObject *ga = type_lookup(tp, MINI_ID(__getattribute__));
    MiniObject *res;
    if (!ga) {
        res = mini_generic_getattr(self, name);
    } else if (is_wrapper(ga) && ((WrapperDescr *)ga)->def->kind == SK_GETATTR) {
        res = ((WrapperDescr *)ga)->owner->getattr(self, name);
    } else {
        bool found;
        res = call_special1(self, MINI_ID(__getattribute__), name, &found);
    }
    if (!res && getattr && mini_error_matches(mini_exc_AttributeError)) {
        mini_error_clear();
        bool found;
        res = call_special1(self, MINI_ID(__getattr__), name, &found);
        if (!found)
            return mini_raise(mini_exc_AttributeError, "'%s' object has no attribute '%S'",
                              tp->name, name);
    }
    return res;
}

static int slot_tp_setattro(MiniObject *self, MiniObject *name, MiniObject *value) {
    MiniObject *r;
    if (value) {
        MiniObject *args[2] = {name, value};
        bool found;
        r = call_special(self, MINI_ID(__setattr__), args, 2, NULL, &found);
        if (!found)
            return mini_generic_setattr(self, name, value);
    } else {
        r = call_required1(self, MINI_ID(__delattr__), name);
    }
    if (!r)
        return -1;
    MINI_DECREF(r);
    return 0;
}

static MiniObject *slot_tp_descr_get(MiniObject *self, MiniObject *obj, MiniObject *type) {
    MiniObject *args[2] = {obj ? obj : MINI_NONE, type ? type : MINI_NONE};
    bool found;
    MiniObject *r = call_special(self, MINI_ID(__get__), args, 2, NULL, &found);
    if (!found)
        return mini_newref(self);
    return r;
}

static int slot_tp_descr_set(MiniObject *self, MiniObject *obj, MiniObject *value) {
    MiniObject *r;
    if (value) {
        MiniObject *args[2] = {obj, value};
        bool found;
        r = call_special(self, MINI_ID(__set__), args, 2, NULL, &found);
        if (!found)
            return mini_raise(mini_exc_AttributeError, "__set__"), -1;
    } else {
        r = call_required1(self, MINI_ID(__delete__), obj);
    }
    if (!r)
        return -1;
    MINI_DECREF(r);
    return 0;
}

static MiniObject *slot_tp_call(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    bool found;
    MiniObject *r = call_special(self, MINI_ID(__call__), args, nargs, kwnames, &found);
    if (!found)
        return mini_raise(mini_exc_TypeError, "'%s' object is not callable", mini_type_name(self));
    return r;
}

static MiniObject *slot_tp_iter(MiniObject *self) {
    MiniObject *f = type_lookup(mini_type(self), MINI_ID(__iter__));
    if (!f || f == MINI_NONE)
        return mini_raise(mini_exc_TypeError, "'%s' object is not iterable", mini_type_name(self));
    MiniObject *r = call_required0(self, MINI_ID(__iter__));
    if (r && !mini_type(r)->iternext) {
        mini_raise(mini_exc_TypeError, "iter() returned non-iterator of type '%s'",
                   mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

static MiniObject *slot_tp_iternext(MiniObject *self) {
    MiniObject *r = call_required0(self, MINI_ID(__next__));
    if (!r && mini_error_matches(mini_exc_StopIteration))
        mini_error_clear();
    return r;
}

static int slot_tp_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                        MiniObject *kwnames) {
    bool found;
    MiniObject *r = call_special(self, MINI_ID(__init__), args, nargs, kwnames, &found);
    if (!found)
        return 0;
    if (!r)
        return -1;
    if (r != MINI_NONE) {
        mini_raise(mini_exc_TypeError, "__init__() should return None, not '%s'",
                   mini_type_name(r));
        MINI_DECREF(r);
        return -1;
    }
    return 0;
}

static MiniObject *slot_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    MiniObject *func = mini_getattr((MiniObject *)type, MINI_ID(__new__));
    if (!func)
        return NULL;
    size_t total = nargs + kwcount(kwnames);
    MiniObject *small[8];
    MiniObject **stack = small;
    if (total + 1 > 8) {
        stack = mini_malloc((total + 1) * sizeof(MiniObject *));
        if (!stack) {
            MINI_DECREF(func);
            return NULL;
        }
    }
    stack[0] = (MiniObject *)type;
    if (total)
        memcpy(stack + 1, args, total * sizeof(MiniObject *));
    MiniObject *r = mini_call(func, stack, nargs + 1, kwnames);
    if (stack != small)
        mini_free(stack);
    MINI_DECREF(func);
    return r;
}

static void slot_tp_finalize(MiniObject *self) {
    // __del__ runs at arbitrary points: keep whatever exception is in flight.
    MiniObject *saved = mini_error_fetch();
    MiniObject *del = type_lookup(mini_type(self), MINI_ID(__del__));
    if (del) {
        MINI_INCREF(del);
        bool found;
        MiniObject *r = call_special0(self, MINI_ID(__del__), &found);
        if (r)
            MINI_DECREF(r);
        else if (found)
            exception_write_unraisable(del);
        MINI_DECREF(del);
    }
    mini_error_restore(saved);
}

// The binary operator slots, with CPython's SLOT1BINFULL rules: the slot is called as
// slot(a, b) when either operand's type has it. [self]'s __op__ runs first, unless [other]'s
// type is a proper subclass overriding __rop__; NotImplemented when neither applies.
static MiniObject *binop_dispatch(MiniObject *self, MiniObject *other, int op, BinaryFn testfunc) {
    MiniType *ta = mini_type(self), *tb = mini_type(other);
    MiniObject *name = ID_AT(binop_names[op][0]), *rname = ID_AT(binop_names[op][1]);
    bool do_other = ta != tb && tb->binop[op] == testfunc;
    bool found;
    if (ta->binop[op] == testfunc) {
        if (do_other && type_is_subtype(tb, ta)) {
            MiniObject *rb = type_lookup(tb, rname);
            if (rb && rb != type_lookup(ta, rname)) {
                MiniObject *r = call_special1(other, rname, self, &found);
                if (!found || r != MINI_NOTIMPL)
                    return found ? r : mini_newref(MINI_NOTIMPL);
                MINI_DECREF(r);
                do_other = false;
            }
        }
        MiniObject *r = call_special1(self, name, other, &found);
        if (!found)
            r = mini_newref(MINI_NOTIMPL);
        if (!r || r != MINI_NOTIMPL || ta == tb)
            return r;
        MINI_DECREF(r);
    }
    if (do_other) {
        MiniObject *r = call_special1(other, rname, self, &found);
        return found ? r : mini_newref(MINI_NOTIMPL);
    }
    return mini_newref(MINI_NOTIMPL);
}

static MiniObject *inplace_dispatch(MiniObject *self, MiniObject *other, int op) {
    bool found;
    MiniObject *r = call_special1(self, ID_AT(binop_names[op][2]), other, &found);
    return found ? r : mini_newref(MINI_NOTIMPL);
}

#define BINOP_SLOTS(NAME, OP)                                                                      \
    static MiniObject *slot_binop_##NAME(MiniObject *a, MiniObject *b) {                           \
        return binop_dispatch(a, b, OP, slot_binop_##NAME);                                        \
    }                                                                                              \
    static MiniObject *slot_inplace_##NAME(MiniObject *a, MiniObject *b) {                         \
        return inplace_dispatch(a, b, OP);                                                         \
    }
BINOP_SLOTS(ADD, BINOP_ADD)
BINOP_SLOTS(SUB, BINOP_SUB)
BINOP_SLOTS(MUL, BINOP_MUL)
BINOP_SLOTS(TRUEDIV, BINOP_TRUEDIV)
BINOP_SLOTS(FLOORDIV, BINOP_FLOORDIV)
BINOP_SLOTS(MOD, BINOP_MOD)
BINOP_SLOTS(POW, BINOP_POW)
BINOP_SLOTS(LSHIFT, BINOP_LSHIFT)
BINOP_SLOTS(RSHIFT, BINOP_RSHIFT)
BINOP_SLOTS(AND, BINOP_AND)
BINOP_SLOTS(OR, BINOP_OR)
BINOP_SLOTS(XOR, BINOP_XOR)
BINOP_SLOTS(MATMUL, BINOP_MATMUL)

static const BinaryFn binop_slots[BINOP_COUNT] = {
    slot_binop_ADD, slot_binop_SUB, slot_binop_MUL,    slot_binop_TRUEDIV, slot_binop_FLOORDIV,
    slot_binop_MOD, slot_binop_POW, slot_binop_LSHIFT, slot_binop_RSHIFT,  slot_binop_AND,
    slot_binop_OR,  slot_binop_XOR, slot_binop_MATMUL,
};
static const BinaryFn inplace_slots[BINOP_COUNT] = {
    slot_inplace_ADD,      slot_inplace_SUB, slot_inplace_MUL, slot_inplace_TRUEDIV,
    slot_inplace_FLOORDIV, slot_inplace_MOD, slot_inplace_POW, slot_inplace_LSHIFT,
    slot_inplace_RSHIFT,   slot_inplace_AND, slot_inplace_OR,  slot_inplace_XOR,
    slot_inplace_MATMUL,
};

// pow(a, b, mod): three-argument power never uses __rpow__.
static MiniObject *slot_nb_pow3(MiniObject *self, MiniObject *other, MiniObject *mod) {
    if (mod == MINI_NONE)
        return slot_binop_POW(self, other);
    if (mini_type(self)->binop[BINOP_POW] == slot_binop_POW) {
        MiniObject *args[2] = {other, mod};
        bool found;
        MiniObject *r = call_special(self, MINI_ID(__pow__), args, 2, NULL, &found);
        if (found)
            return r;
    }
    return mini_newref(MINI_NOTIMPL);
}

static MiniObject *slot_nb_neg(MiniObject *self) { return call_required0(self, MINI_ID(__neg__)); }
static MiniObject *slot_nb_pos(MiniObject *self) { return call_required0(self, MINI_ID(__pos__)); }
static MiniObject *slot_nb_invert(MiniObject *self) {
    return call_required0(self, MINI_ID(__invert__));
}
static MiniObject *slot_nb_abs(MiniObject *self) { return call_required0(self, MINI_ID(__abs__)); }

static MiniObject *slot_nb_int(MiniObject *self) {
    MiniObject *r = call_required0(self, MINI_ID(__int__));
    if (r && !int_check(r)) {
        mini_raise(mini_exc_TypeError, "__int__ returned non-int (type %s)", mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

static MiniObject *slot_nb_index(MiniObject *self) {
    MiniObject *r = call_required0(self, MINI_ID(__index__));
    if (r && !int_check(r)) {
        mini_raise(mini_exc_TypeError, "__index__ returned non-int (type %s)", mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

static MiniObject *slot_nb_float(MiniObject *self) {
    MiniObject *r = call_required0(self, MINI_ID(__float__));
    if (r && !float_check(r)) {
        mini_raise(mini_exc_TypeError, "%s.__float__ returned non-float (type %s)",
                   mini_type_name(self), mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

static int slot_nb_bool(MiniObject *self) {
    MiniObject *r = call_required0(self, MINI_ID(__bool__));
    if (!r)
        return -1;
    if (!MINI_IS_BOOL(r)) {
        mini_raise(mini_exc_TypeError, "__bool__ should return bool, returned %s",
                   mini_type_name(r));
        MINI_DECREF(r);
        return -1;
    }
    return r == MINI_TRUE;
}

static ssize_t slot_sq_len(MiniObject *self) {
    MiniObject *r = call_required0(self, MINI_ID(__len__));
    if (!r)
        return -1;
    MiniObject *i = mini_index(r);
    MINI_DECREF(r);
    if (!i)
        return -1;
    if (int_sign(i) < 0) {
        MINI_DECREF(i);
        mini_raise_str(mini_exc_ValueError, "__len__() should return >= 0");
        return -1;
    }
    ssize_t n = mini_as_ssize(i);
    MINI_DECREF(i);
    return n;
}

// bool() of a class with __len__ but no __bool__.
static int slot_nb_bool_len(MiniObject *self) {
    ssize_t n = slot_sq_len(self);
    return n < 0 ? -1 : n != 0;
}

static MiniObject *slot_getitem(MiniObject *self, MiniObject *key) {
    return call_required1(self, MINI_ID(__getitem__), key);
}

static int slot_setitem(MiniObject *self, MiniObject *key, MiniObject *value) {
    MiniObject *r;
    if (value) {
        MiniObject *args[2] = {key, value};
        bool found;
        r = call_special(self, MINI_ID(__setitem__), args, 2, NULL, &found);
        if (!found)
            mini_raise_str(mini_exc_AttributeError, "__setitem__");
    } else {
        r = call_required1(self, MINI_ID(__delitem__), key);
    }
    if (!r)
        return -1;
    MINI_DECREF(r);
    return 0;
}

static int slot_contains(MiniObject *self, MiniObject *item) {
    MiniObject *r = call_required1(self, MINI_ID(__contains__), item);
    if (!r)
        return -1;
    int t = mini_truthy(r);
    MINI_DECREF(r);
    return t;
}

// The slot function a heap type uses for slot [kind]/[op] when a dunder is written in mini.
static GenericFn generic_slot(int kind, int op) {
    switch ((SlotKind)kind) {
    case SK_REPR: return (GenericFn)slot_tp_repr;
    case SK_STR: return (GenericFn)slot_tp_str;
    case SK_HASH: return (GenericFn)slot_tp_hash;
    case SK_RICHCMP: return (GenericFn)slot_tp_richcompare;
    case SK_GETATTR: return (GenericFn)slot_tp_getattr_hook;
    case SK_SETATTR: return (GenericFn)slot_tp_setattro;
    case SK_DESCR_GET: return (GenericFn)slot_tp_descr_get;
    case SK_DESCR_SET: return (GenericFn)slot_tp_descr_set;
    case SK_CALL: return (GenericFn)slot_tp_call;
    case SK_ITER: return (GenericFn)slot_tp_iter;
    case SK_ITERNEXT: return (GenericFn)slot_tp_iternext;
    case SK_INIT: return (GenericFn)slot_tp_init;
    case SK_NEW: return (GenericFn)slot_tp_new;
    case SK_DEL: return (GenericFn)slot_tp_finalize;
    case SK_BINOP: return (GenericFn)binop_slots[op];
    case SK_INPLACE: return (GenericFn)inplace_slots[op];
    case SK_NEG: return (GenericFn)slot_nb_neg;
    case SK_POS: return (GenericFn)slot_nb_pos;
    case SK_INVERT: return (GenericFn)slot_nb_invert;
    case SK_ABS: return (GenericFn)slot_nb_abs;
    case SK_BOOL: return (GenericFn)slot_nb_bool;
    case SK_INT: return (GenericFn)slot_nb_int;
    case SK_FLOAT: return (GenericFn)slot_nb_float;
    case SK_INDEX: return (GenericFn)slot_nb_index;
    case SK_LEN: return (GenericFn)slot_sq_len;
    case SK_GETITEM: return (GenericFn)slot_getitem;
    case SK_SETITEM: return (GenericFn)slot_setitem;
    case SK_CONTAINS: return (GenericFn)slot_contains;
    }
    return NULL;
}

// Sets the slot fed by slotdefs[lo..hi) on heap type [t] from what its mro holds: NULL when
// no dunder is found (or __hash__ is None), the builtin base's own C slot when every dunder
// found is that base's slot wrapper, else the generic slot function.
static void resolve_slot(MiniType *t, size_t lo, size_t hi) {
    const SlotDef *g = &slotdefs[lo];
    GenericFn specific = NULL;
    bool generic = false, any = false, unhashable = false;
    for (size_t i = lo; i < hi; i++) {
        const SlotDef *d = &slotdefs[i];
        MiniObject *descr = type_lookup(t, ID_AT(d->name_off));
        if (!descr)
            continue;
        any = true;
        if (d->kind == SK_HASH && descr == MINI_NONE) {
            unhashable = true;
            continue;
        }
        GenericFn fn = NULL;
        // Only a wrapper under its own name stands for its slot: __eq__ = object.__ne__ must
        // still run __ne__ when == is used.
        if (is_wrapper(descr) && ((WrapperDescr *)descr)->def == d)
            fn = slot_get(((WrapperDescr *)descr)->owner, d->kind, d->op);
        else if (d->kind == SK_NEW && is_tp_new_builtin(descr))
            fn = (GenericFn)((MiniType *)((MiniBuiltinFunction *)descr)->self)->tp_new;
        if (!fn) {
            generic = true;
            continue;
        }
        if (!specific)
            specific = fn;
        else if (specific != fn)
            generic = true;
    }
    GenericFn result;
    if (unhashable || !any)
        result = NULL;
    else if (generic)
        result = generic_slot(g->kind, g->op);
    else
        result = specific;
    slot_set(t, g->kind, g->op, result);
}

// Points every slot of heap type [t] at what its namespace and mro say.
static void fixup_slots(MiniType *t) {
    size_t i = 0;
    while (i < NSLOTDEFS) {
        size_t j = i + 1;
        while (j < NSLOTDEFS && same_slot(&slotdefs[j], &slotdefs[i]))
            j++;
        resolve_slot(t, i, j);
        i = j;
    }
    // Three-argument pow follows __pow__.
    t->nb_pow3 = NULL;
    if (t->binop[BINOP_POW] == slot_binop_POW) {
        t->nb_pow3 = slot_nb_pow3;
    } else if (t->binop[BINOP_POW]) {
        MiniObject *p = type_lookup(t, MINI_ID(__pow__));
        if (!p || !is_wrapper(p))
            p = type_lookup(t, MINI_ID(__rpow__));
        if (p && is_wrapper(p))
            t->nb_pow3 = ((WrapperDescr *)p)->owner->nb_pow3;
    }
    // bool() falls back on __len__ when no class in the mro says __bool__.
    if (!t->nb_bool && t->len == slot_sq_len)
        t->nb_bool = slot_nb_bool_len;
    if (t->flags & MINI_TPFLAG_VARSIZE_FIELDS) {
        if (!t->getattr || t->getattr == mini_generic_getattr)
            t->getattr = varsize_getattr;
        if (!t->setattr || t->setattr == mini_generic_setattr)
            t->setattr = varsize_setattr;
    }
    t->dealloc = subtype_dealloc;
    t->traverse = subtype_traverse;
    t->clear = subtype_clear;
}

static void add_subclass(MiniType *base, MiniType *sub) {
    if (!IS_HEAP(base))
        return;
    MiniHeapType *h = HEAP(base);
    if (h->nsubclasses == h->subclasses_cap) {
        size_t cap = h->subclasses_cap ? h->subclasses_cap * 2 : 4;
        MiniType **n = realloc(h->subclasses, cap * sizeof(MiniType *));
        if (!n)
            return; // Only slot updates through this class are lost; nothing to raise.
        h->subclasses = n;
        h->subclasses_cap = cap;
    }
    h->subclasses[h->nsubclasses++] = sub;
}

static void remove_subclass(MiniType *base, MiniType *sub) {
    if (!IS_HEAP(base))
        return;
    MiniHeapType *h = HEAP(base);
    for (size_t i = 0; i < h->nsubclasses; i++) {
        if (h->subclasses[i] == sub) {
            memmove(h->subclasses + i, h->subclasses + i + 1,
                    (h->nsubclasses - i - 1) * sizeof(MiniType *));
            h->nsubclasses--;
            return;
        }
    }
}

static void unlink_from_bases(MiniType *t) {
    if (!t->bases)
        return;
    size_t n = TUPLE_SIZE(t->bases);
    for (size_t i = 0; i < n; i++)
        remove_subclass((MiniType *)TUPLE_GET(t->bases, i), t);
}

// Recomputes the slots of [t] and of every class below it, after a dunder of [t] changed.
static void update_subtree(MiniType *t, int depth) {
    if (!IS_HEAP(t) || depth > 1000)
        return;
    fixup_slots(t);
    MiniHeapType *h = HEAP(t);
    for (size_t i = 0; i < h->nsubclasses; i++)
        update_subtree(h->subclasses[i], depth + 1);
}

// ---------------------------------------------------------------------------------------------
// Instances of heap types
// ---------------------------------------------------------------------------------------------

// The nearest builtin type in [t]'s base chain: the one whose dealloc/traverse/clear
// handle the instance's builtin layout.
static MiniType *static_base(MiniType *t) {
    while (t && IS_HEAP(t))
        t = t->base;
    return t ? t : &mini_object_type;
}

// The address of [o]'s instance __dict__ pointer, or NULL if its type has none. A tuple
// subclass keeps it after the items (see tuple_dict_ptr in object.h).
static MiniObject **instance_dict_ptr(MiniObject *o) {
    if (!MINI_IS_PTR(o) || !o->type->dictoffset)
        return NULL;
    if (o->type->flags & MINI_TPFLAG_TUPLE_SUBCLASS)
        return tuple_dict_ptr(o);
    if (o->type->flags & MINI_TPFLAG_VARSIZE_FIELDS)
        return varsize_dict_ptr(o);
    return (MiniObject **)((char *)o + o->type->dictoffset);
}

// The __dict__ pointer a heap type added to the instance layout, or NULL if the layout's
// builtin base manages the dict itself (exceptions, functions) or there is none.
static MiniObject **added_dict_ptr(MiniObject *self, MiniType *type, MiniType *sbase) {
    if (type->dictoffset && !sbase->dictoffset)
        return instance_dict_ptr(self);
    return NULL;
}

static void subtype_dealloc(MiniObject *self) {
    MiniType *type = mini_type(self);
    // Instances of heap types are containers (every heap type is GC), so the GcHead holds
    // the "finalized" mark: __del__ runs once per object, resurrected or not.
    if (type->finalize && !(MINI_GC_HEAD(self)->gc_refs & MINI_GC_FINALIZED)) {
        MINI_GC_HEAD(self)->gc_refs |= MINI_GC_FINALIZED;
        // Revive the object while __del__ runs; __del__ may store it somewhere. It is a live
        // container again meanwhile (mini_dealloc untracked it), as in CPython.
        self->refcnt = 1;
        mini_gc_track(self);
        type->finalize(self);
        if (--self->refcnt != 0)
            return;
        mini_gc_untrack(self);
        type = mini_type(self);
    }
    // Weak references die after __del__ (which may resurrect the object, and then they live
    // on) and before anything of the object is torn down, as in CPython's subtype_dealloc.
    if (type->weaklistoffset)
        weakref_clear_all(self);
    MiniType *sbase = static_base(type);
    for (MiniType *t = type; t && IS_HEAP(t); t = t->base) {
        MiniHeapType *h = HEAP(t);
        for (size_t i = 0; i < h->nslots; i++)
            MINI_CLEAR(*member_ptr(self, h->slots_offset + i * sizeof(MiniObject *)));
    }
    MiniObject **dp = added_dict_ptr(self, type, sbase);
    if (dp)
        MINI_CLEAR(*dp);
    // The builtin base frees the memory; the type must outlive that call.
    sbase->dealloc(self);
    MINI_DECREF(type);
}

static int subtype_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniType *type = mini_type(self);
    MiniType *sbase = static_base(type);
    for (MiniType *t = type; t && IS_HEAP(t); t = t->base) {
        MiniHeapType *h = HEAP(t);
        for (size_t i = 0; i < h->nslots; i++)
            MINI_VISIT(*member_ptr(self, h->slots_offset + i * sizeof(MiniObject *)));
    }
    MiniObject **dp = added_dict_ptr(self, type, sbase);
    if (dp)
        MINI_VISIT(*dp);
    MINI_VISIT(type);
    if (sbase->traverse)
        return sbase->traverse(self, visit, arg);
    return 0;
}

static int subtype_clear(MiniObject *self) {
    MiniType *type = mini_type(self);
    MiniType *sbase = static_base(type);
    for (MiniType *t = type; t && IS_HEAP(t); t = t->base) {
        MiniHeapType *h = HEAP(t);
        for (size_t i = 0; i < h->nslots; i++)
            MINI_CLEAR(*member_ptr(self, h->slots_offset + i * sizeof(MiniObject *)));
    }
    MiniObject **dp = added_dict_ptr(self, type, sbase);
    if (dp)
        MINI_CLEAR(*dp);
    if (sbase->clear)
        return sbase->clear(self);
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Creating classes: type(name, bases, dict)
// ---------------------------------------------------------------------------------------------

// Builtin types whose instances end in their inline text, so that a subclass keeps the fields
// it adds after the text (MINI_TPFLAG_VARSIZE_FIELDS, varsize_field_ptr in object.h), as a
// tuple subclass keeps its __dict__ pointer after the items (tuple_dict_ptr).
static bool text_layout(MiniType *t) {
    return type_is_subtype(t, &mini_str_type) || type_is_subtype(t, &mini_bytes_type);
}

// Builtin types that CPython lays out with a variable size (a nonzero tp_itemsize): no
// __slots__ members and no __weakref__ for them. CPython's str is not one of them.
static bool varsize_layout(MiniType *t) {
    return type_is_subtype(t, &mini_bytes_type) || type_is_subtype(t, &mini_tuple_type) ||
           type_is_subtype(t, &mini_int_type);
}

static bool extra_ivars(MiniType *t, MiniType *b) {
    size_t ts = t->basicsize;
    // The weak reference list and the __dict__ pointer a class adds at the end do not count.
    if (IS_HEAP(t) && t->weaklistoffset && !b->weaklistoffset &&
        t->weaklistoffset + sizeof(MiniObject *) == ts)
        ts -= sizeof(MiniObject *);
    if (IS_HEAP(t) && t->dictoffset && !b->dictoffset && t->dictoffset + sizeof(MiniObject *) == ts)
        ts -= sizeof(MiniObject *);
    return ts != b->basicsize;
}

// The type whose instance layout [t]'s instances start with.
static MiniType *solid_base(MiniType *t) {
    MiniType *base = t->base ? solid_base(t->base) : &mini_object_type;
    return extra_ivars(t, base) ? t : base;
}

// The base whose layout the new class extends: the bases' solid layouts must form a chain.
static MiniType *best_base(MiniObject *bases) {
    MiniType *base = NULL, *winner = NULL;
    size_t n = TUPLE_SIZE(bases);
    for (size_t i = 0; i < n; i++) {
        MiniObject *b = TUPLE_GET(bases, i);
        if (!type_check(b)) {
            mini_raise_str(mini_exc_TypeError, "bases must be types");
            return NULL;
        }
        MiniType *bt = (MiniType *)b;
        if (!(bt->flags & MINI_TPFLAG_READY) && !type_ready(bt))
            return NULL;
        if (!(bt->flags & MINI_TPFLAG_BASETYPE)) {
            mini_raise(mini_exc_TypeError, "type '%s' is not an acceptable base type", bt->name);
            return NULL;
        }
        MiniType *candidate = solid_base(bt);
        if (!winner) {
            winner = candidate;
            base = bt;
        } else if (type_is_subtype(winner, candidate)) {
            // The layout so far already extends this one.
        } else if (type_is_subtype(candidate, winner)) {
            winner = candidate;
            base = bt;
        } else {
            mini_raise_str(mini_exc_TypeError, "multiple bases have instance lay-out conflict");
            return NULL;
        }
    }
    return base;
}

// The most derived metaclass among [metatype] and the types of [bases].
static MiniType *calculate_metaclass(MiniType *metatype, MiniObject *bases) {
    MiniType *winner = metatype;
    size_t n = TUPLE_SIZE(bases);
    for (size_t i = 0; i < n; i++) {
        MiniType *tmp = mini_type(TUPLE_GET(bases, i));
        if (type_is_subtype(winner, tmp))
            continue;
        if (type_is_subtype(tmp, winner)) {
            winner = tmp;
            continue;
        }
        mini_raise_str(mini_exc_TypeError,
                       "metaclass conflict: the metaclass of a derived class must be a "
                       "(non-strict) subclass of the metaclasses of all its bases");
        return NULL;
    }
    return winner;
}

static const char *class_name_cstr(MiniType *t) {
    return t->name_obj && str_check(t->name_obj) ? STR_DATA(t->name_obj) : t->name;
}

// C3 linearisation: [t] followed by the merge of its bases' mros and the bases themselves.
// New tuple, or NULL with TypeError.
static MiniObject *compute_mro(MiniType *t) {
    MiniObject *bases = t->bases;
    size_t n = TUPLE_SIZE(bases);
    if (n == 1) {
        MiniObject *bm = ((MiniType *)TUPLE_GET(bases, 0))->mro;
        size_t k = TUPLE_SIZE(bm);
        MiniObject *r = tuple_new(k + 1);
        if (!r)
            return NULL;
        TUPLE_ITEMS(r)[0] = mini_newref((MiniObject *)t);
        for (size_t i = 0; i < k; i++)
            TUPLE_ITEMS(r)[i + 1] = mini_newref(TUPLE_GET(bm, i));
        return r;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (TUPLE_GET(bases, i) == TUPLE_GET(bases, j)) {
                mini_raise(mini_exc_TypeError, "duplicate base class %s",
                           class_name_cstr((MiniType *)TUPLE_GET(bases, i)));
                return NULL;
            }
    size_t nlists = n + 1, total = 1;
    MiniObject **lists = malloc(nlists * sizeof(MiniObject *));
    size_t *remain = calloc(nlists, sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        total += TUPLE_SIZE(((MiniType *)TUPLE_GET(bases, i))->mro);
    MiniObject **acc = malloc((total + n) * sizeof(MiniObject *));
    MiniObject *result = NULL;
    if (!lists || !remain || !acc) {
        mini_raise_memory();
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        lists[i] = ((MiniType *)TUPLE_GET(bases, i))->mro;
    lists[n] = bases;
    size_t nacc = 0;
    acc[nacc++] = (MiniObject *)t;
    for (;;) {
        size_t empty = 0;
        bool picked = false;
        for (size_t i = 0; i < nlists && !picked; i++) {
            if (remain[i] >= TUPLE_SIZE(lists[i])) {
                empty++;
                continue;
            }
            MiniObject *cand = TUPLE_GET(lists[i], remain[i]);
            bool in_tail = false;
            for (size_t j = 0; j < nlists && !in_tail; j++) {
                size_t sz = TUPLE_SIZE(lists[j]);
                for (size_t k = remain[j] + 1; k < sz; k++)
                    if (TUPLE_GET(lists[j], k) == cand) {
                        in_tail = true;
                        break;
                    }
            }
            if (in_tail)
                continue;
            acc[nacc++] = cand;
            for (size_t j = 0; j < nlists; j++)
                if (remain[j] < TUPLE_SIZE(lists[j]) && TUPLE_GET(lists[j], remain[j]) == cand)
                    remain[j]++;
            picked = true;
        }
        if (picked)
            continue;
        if (empty == nlists)
            break;
        // No head can go next: name the distinct heads, in order, as CPython does.
        StrBuf b;
        strbuf_init(&b);
        strbuf_adds(&b, "Cannot create a consistent method resolution\norder (MRO) for bases");
        MiniObject *seen[64];
        size_t nseen = 0;
        for (size_t i = 0; i < nlists; i++) {
            if (remain[i] >= TUPLE_SIZE(lists[i]))
                continue;
            MiniObject *head = TUPLE_GET(lists[i], remain[i]);
            bool dup = false;
            for (size_t k = 0; k < nseen; k++)
                dup = dup || seen[k] == head;
            if (dup || nseen == 64)
                continue;
            seen[nseen++] = head;
        }
        for (size_t k = 0; k < nseen; k++) {
            strbuf_adds(&b, k ? ", " : " ");
            strbuf_adds(&b, class_name_cstr((MiniType *)seen[k]));
        }
        MiniObject *msg = strbuf_finish(&b);
        if (msg) {
            mini_raise(mini_exc_TypeError, "%S", msg);
            MINI_DECREF(msg);
        }
        goto done;
    }
    result = tuple_from_array(acc, nacc);
done:
    free(lists);
    free(remain);
    free(acc);
    return result;
}

static bool valid_identifier(MiniObject *s) {
    const unsigned char *p = (const unsigned char *)STR_DATA(s);
    size_t n = STR_SIZE(s);
    if (n == 0 || (p[0] >= '0' && p[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (!(c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

// "__x" in class "_A" becomes "_A__x", as the compiler mangles private names.
static MiniObject *mangle_name(MiniObject *classname, MiniObject *name) {
    const char *s = STR_DATA(name);
    size_t n = STR_SIZE(name);
    if (n < 2 || s[0] != '_' || s[1] != '_' || (n >= 4 && s[n - 1] == '_' && s[n - 2] == '_'))
        return mini_newref(name);
    const char *c = STR_DATA(classname);
    while (*c == '_')
        c++;
    if (!*c)
        return mini_newref(name);
    return str_from_format("_%s%s", c, s);
}

static int cmp_str_ptr(const void *a, const void *b) {
    MiniObject *x = *(MiniObject *const *)a, *y = *(MiniObject *const *)b;
    size_t n = STR_SIZE(x) < STR_SIZE(y) ? STR_SIZE(x) : STR_SIZE(y);
    int c = memcmp(STR_DATA(x), STR_DATA(y), n);
    if (c)
        return c;
    return STR_SIZE(x) < STR_SIZE(y) ? -1 : STR_SIZE(x) > STR_SIZE(y);
}

// Reads __slots__ from the namespace [dict] of class [name] with solid base [base]. Sets
// *slots_out to a new tuple of the mangled, sorted member names (NULL when the class has no
// __slots__) and *add_dict to whether instances get a __dict__. False with an exception.
static bool parse_slots(MiniObject *name, MiniType *base, MiniObject *dict, MiniObject **slots_out,
                        bool *add_dict, bool *add_weak) {
    *slots_out = NULL;
    bool varsize = varsize_layout(base);
    // Instances of type, set, frozenset, module... are weakly referenceable already.
    bool weak_ok = !varsize && !(IS_HEAP(base) && HEAP(base)->has_weakref) &&
                   !base->weaklistoffset;
    MiniObject *slots = dict_get_str(dict, MINI_ID(__slots__));
    if (!slots) {
        *add_dict = !base->dictoffset;
        *add_weak = weak_ok;
        return true;
    }
    MiniObject *seq = str_check(slots) ? tuple_pack(1, slots) : mini_sequence_tuple(slots);
    if (!seq)
        return false;
    size_t n = TUPLE_SIZE(seq), count = 0;
    bool want_dict = false, want_weak = false, ok = false;
    MiniObject **names = malloc((n ? n : 1) * sizeof(MiniObject *));
    if (!names) {
        MINI_DECREF(seq);
        mini_raise_memory();
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        MiniObject *s = TUPLE_GET(seq, i);
        if (!str_check(s)) {
            mini_raise(mini_exc_TypeError, "__slots__ items must be strings, not '%s'",
                       mini_type_name(s));
            goto done;
        }
        if (!valid_identifier(s)) {
            mini_raise_str(mini_exc_TypeError, "__slots__ must be identifiers");
            goto done;
        }
        if (str_eq_cstr(s, "__dict__")) {
            if (base->dictoffset || want_dict) {
                mini_raise_str(mini_exc_TypeError, "__dict__ slot disallowed: we already got one");
                goto done;
            }
            want_dict = true;
            continue;
        }
        if (str_eq_cstr(s, "__weakref__")) {
            if (want_weak || !weak_ok) {
                mini_raise_str(mini_exc_TypeError,
                               "__weakref__ slot disallowed: either we already got one, or "
                               "__itemsize__ != 0");
                goto done;
            }
            want_weak = true;
            continue;
        }
        MiniObject *m = mangle_name(name, s);
        if (!m)
            goto done;
        if (dict_get_str(dict, m)) {
            mini_raise(mini_exc_ValueError, "%R in __slots__ conflicts with class variable", s);
            MINI_DECREF(m);
            goto done;
        }
        names[count++] = m;
    }
    if (count && varsize) {
        mini_raise(mini_exc_TypeError, "nonempty __slots__ not supported for subtype of '%s'",
                   base->name);
        goto done;
    }
    // CPython lays the members out in sorted order.
    qsort(names, count, sizeof(MiniObject *), cmp_str_ptr);
    *slots_out = tuple_from_array(names, count);
    *add_dict = want_dict && !base->dictoffset;
    *add_weak = want_weak;
    ok = *slots_out != NULL;
done:
    for (size_t i = 0; i < count; i++)
        MINI_DECREF(names[i]);
    free(names);
    MINI_DECREF(seq);
    return ok;
}

// Calls value.__set_name__(type, key) for every attribute of the new class [t] that has one.
static bool call_set_names(MiniType *t) {
    MiniObject *keys = dict_keys_list(t->dict);
    if (!keys)
        return false;
    bool ok = true;
    for (size_t i = 0; i < LIST_SIZE(keys) && ok; i++) {
        MiniObject *key = LIST_GET(keys, i);
        MiniObject *value = dict_get(t->dict, key);
        if (!value) {
            if (mini_error_occurred())
                ok = false;
            continue;
        }
        if (!type_lookup(mini_type(value), MINI_ID(__set_name__)))
            continue;
        MINI_INCREF(value);
        MiniObject *args[2] = {(MiniObject *)t, key};
        bool found;
        MiniObject *r = call_special(value, MINI_ID(__set_name__), args, 2, NULL, &found);
        if (r) {
            MINI_DECREF(r);
        } else if (found) {
            // 3.11 wraps the error: RuntimeError from the original.
            MiniObject *cause = mini_error_fetch();
            mini_raise(mini_exc_RuntimeError,
                       "Error calling __set_name__ on '%s' instance %R in '%s'",
                       mini_type_name(value), key, t->name);
            MiniObject *exc = mini_error_fetch();
            if (exc && exception_check(exc) && cause) {
                MiniBaseException *e = (MiniBaseException *)exc;
                MINI_SETREF(e->cause, mini_newref(cause));
                e->suppress_context = true;
                if (!e->context)
                    e->context = mini_newref(cause);
            }
            MINI_XDECREF(cause);
            mini_error_restore(exc);
            ok = false;
        }
        MINI_DECREF(value);
    }
    MINI_DECREF(keys);
    return ok;
}

// super(t, t).__init_subclass__(**kwds) for the new class [t].
static bool call_init_subclass(MiniType *t, MiniObject *const *kwvalues, MiniObject *kwnames) {
    MiniObject *mro = t->mro;
    size_t n = TUPLE_SIZE(mro);
    for (size_t i = 1; i < n; i++) {
        MiniType *b = (MiniType *)TUPLE_GET(mro, i);
        MiniObject *f = b->dict ? dict_get_str(b->dict, MINI_ID(__init_subclass__)) : NULL;
        if (!f)
            continue;
        MiniObject *bound;
        if (mini_type(f)->descr_get)
            bound = mini_type(f)->descr_get(f, NULL, (MiniObject *)t);
        else
            bound = mini_newref(f);
        if (!bound)
            return false;
        MiniObject *r = mini_call(bound, kwvalues, 0, kwnames);
        MINI_DECREF(bound);
        if (!r)
            return false;
        MINI_DECREF(r);
        return true;
    }
    return true;
}

// Wraps a plain function stored under [name] in staticmethod or classmethod.
static bool wrap_implicit(MiniObject *dict, MiniObject *name, MiniObject *(*wrap)(MiniObject *)) {
    MiniObject *f = dict_get_str(dict, name);
    if (!f || mini_type(f) != &mini_function_type)
        return true;
    MiniObject *w = wrap(f);
    if (!w)
        return false;
    int r = dict_set(dict, name, w);
    MINI_DECREF(w);
    return r == 0;
}

static MiniObject *type_new_impl(MiniType *metatype, MiniObject *name, MiniObject *bases,
                                 MiniType *base, MiniObject *orig_dict, MiniObject *const *kwvalues,
                                 MiniObject *kwnames) {
    MiniObject *dict = dict_copy(orig_dict);
    if (!dict)
        return NULL;
    MiniObject *slots = NULL;
    bool add_dict, add_weak;
    if (!parse_slots(name, base, dict, &slots, &add_dict, &add_weak)) {
        MINI_DECREF(dict);
        return NULL;
    }
    MiniType *t = (MiniType *)mini_type_alloc(metatype, 0);
    if (!t) {
        MINI_DECREF(dict);
        MINI_XDECREF(slots);
        return NULL;
    }
    MiniHeapType *h = HEAP(t);
    t->dict = dict;
    t->bases = mini_newref(bases);
    t->base = (MiniType *)mini_newref((MiniObject *)base);
    t->name_obj = mini_newref(name);
    t->name = STR_DATA(name);
    uint32_t flags = MINI_TPFLAG_HEAPTYPE | MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC;
    for (size_t i = 0; i < TUPLE_SIZE(bases); i++)
        flags |= ((MiniType *)TUPLE_GET(bases, i))->flags & SUBCLASS_FLAGS;
    t->flags = flags;

    // __module__ defaults to the caller's module.
    if (!dict_get_str(dict, MINI_ID(__module__))) {
        Frame *f = mini_ts ? mini_ts->frame : NULL;
        MiniObject *mod = f && f->globals ? dict_get_str(f->globals, MINI_ID(__name__)) : NULL;
        if (mod && dict_set(dict, MINI_ID(__module__), mod) < 0)
            goto fail;
    }
    MiniObject *qual = dict_get_str(dict, MINI_ID(__qualname__));
    if (qual) {
        if (!str_check(qual)) {
            mini_raise(mini_exc_TypeError, "type __qualname__ must be a str, not %s",
                       mini_type_name(qual));
            goto fail;
        }
        t->qualname = mini_newref(qual);
        if (dict_del(dict, MINI_ID(__qualname__)) < 0)
            goto fail;
    } else {
        t->qualname = mini_newref(name);
    }
    if (!wrap_implicit(dict, MINI_ID(__new__), staticmethod_wrap) ||
        !wrap_implicit(dict, MINI_ID(__init_subclass__), classmethod_wrap) ||
        !wrap_implicit(dict, MINI_ID(__class_getitem__), classmethod_wrap))
        goto fail;

    // Layout: the base's instance, then the __slots__ members, then the __dict__ pointer.
    t->basicsize = base->basicsize;
    t->dictoffset = base->dictoffset;
    h->slots_offset = base->basicsize;
    h->nslots = slots ? TUPLE_SIZE(slots) : 0;
    for (size_t i = 0; i < h->nslots; i++) {
        MiniObject *m = memberdescr_new(&member_descr_type, TUPLE_GET(slots, i), t, t->basicsize);
        if (!m || dict_set(dict, TUPLE_GET(slots, i), m) < 0) {
            MINI_XDECREF(m);
            goto fail;
        }
        MINI_DECREF(m);
        t->basicsize += sizeof(MiniObject *);
    }
    if (add_dict) {
        t->dictoffset = t->basicsize;
        t->basicsize += sizeof(MiniObject *);
        MiniObject *d = memberdescr_new(&dict_descr_type, MINI_ID(__dict__), t, 0);
        if (!d || dict_set(dict, MINI_ID(__dict__), d) < 0) {
            MINI_XDECREF(d);
            goto fail;
        }
        MINI_DECREF(d);
    }
    // Then the head of the list of weak references (weakref.c), as in CPython's layout.
    t->weaklistoffset = base->weaklistoffset;
    if (add_weak) {
        t->weaklistoffset = t->basicsize;
        t->basicsize += sizeof(MiniObject *);
    }
    // A str or bytes subclass keeps its fields after the inline text instead.
    if (text_layout(base))
        t->flags |= MINI_TPFLAG_VARSIZE_FIELDS;
    for (size_t i = 0; i < TUPLE_SIZE(bases); i++) {
        MiniType *b = (MiniType *)TUPLE_GET(bases, i);
        if (IS_HEAP(b) && HEAP(b)->has_weakref)
            h->has_weakref = true;
    }
    if (add_weak && !h->has_weakref) {
        h->has_weakref = true;
        MiniObject *key = mini_intern("__weakref__");
        MiniObject *d = key ? memberdescr_new(&dict_descr_type, key, t, WEAKREF_DESCR) : NULL;
        if (!d || dict_set(dict, key, d) < 0) {
            MINI_XDECREF(d);
            goto fail;
        }
        MINI_DECREF(d);
    }
    if (!dict_get_str(dict, MINI_ID(__doc__)) && dict_set(dict, MINI_ID(__doc__), MINI_NONE) < 0)
        goto fail;
    // A class that defines equality but not hashing is unhashable.
    if (dict_get_str(dict, MINI_ID(__eq__)) && !dict_get_str(dict, MINI_ID(__hash__)) &&
        dict_set(dict, MINI_ID(__hash__), MINI_NONE) < 0)
        goto fail;

    t->mro = compute_mro(t);
    if (!t->mro)
        goto fail;
    t->flags |= MINI_TPFLAG_READY;
    fixup_slots(t);
    for (size_t i = 0; i < TUPLE_SIZE(bases); i++)
        add_subclass((MiniType *)TUPLE_GET(bases, i), t);

    MiniObject *cell = dict_get_str(dict, MINI_ID(__classcell__));
    if (cell) {
        if (mini_type(cell) != &mini_cell_type) {
            mini_raise(mini_exc_TypeError, "__classcell__ must be a nonlocal cell, not %R",
                       (MiniObject *)mini_type(cell));
            goto fail;
        }
        MINI_SETREF(((MiniCell *)cell)->ref, mini_newref((MiniObject *)t));
        if (dict_del(dict, MINI_ID(__classcell__)) < 0)
            goto fail;
    }
    MINI_XDECREF(slots);
    slots = NULL;
    if (!call_set_names(t) || !call_init_subclass(t, kwvalues, kwnames))
        goto fail;
    return (MiniObject *)t;
fail:
    MINI_XDECREF(slots);
    MINI_DECREF(t);
    return NULL;
}

static MiniObject *type_new(MiniType *metatype, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    if (nargs != 3)
        return mini_raise(mini_exc_TypeError,
                          "type.__new__() takes exactly 3 arguments (%zu given)", nargs);
    MiniObject *name = args[0], *bases = args[1], *dict = args[2];
    if (!str_check(name))
        return mini_raise(mini_exc_TypeError, "type.__new__() argument 1 must be str, not %s",
                          mini_type_name(name));
    if (!tuple_check(bases))
        return mini_raise(mini_exc_TypeError, "type.__new__() argument 2 must be tuple, not %s",
                          mini_type_name(bases));
    if (!dict_check(dict))
        return mini_raise(mini_exc_TypeError, "type.__new__() argument 3 must be dict, not %s",
                          mini_type_name(dict));
    MiniObject *real_bases;
    MiniType *base;
    if (TUPLE_SIZE(bases) == 0) {
        base = &mini_object_type;
        real_bases = tuple_pack(1, (MiniObject *)base);
        if (!real_bases)
            return NULL;
    } else {
        MiniType *winner = calculate_metaclass(metatype, bases);
        if (!winner)
            return NULL;
        if (winner != metatype) {
            if (winner->tp_new != type_new)
                return winner->tp_new(winner, args, nargs, kwnames);
            metatype = winner;
        }
        base = best_base(bases);
        if (!base)
            return NULL;
        real_bases = mini_newref(bases);
    }
    MiniObject *r = type_new_impl(metatype, name, real_bases, base, dict, args + 3, kwnames);
    MINI_DECREF(real_bases);
    return r;
}

// ---------------------------------------------------------------------------------------------
// The type `type`
// ---------------------------------------------------------------------------------------------

static MiniObject *type_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    MiniType *type = (MiniType *)callable;
    if (type == &mini_type_type) {
        if (nargs == 1 && !kwcount(kwnames))
            return mini_newref((MiniObject *)mini_type(args[0]));
        if (nargs != 3)
            return mini_raise_str(mini_exc_TypeError, "type() takes 1 or 3 arguments");
    }
    if (!type->tp_new)
        return mini_raise(mini_exc_TypeError, "cannot create '%s' instances", type->name);
    MiniObject *obj = type->tp_new(type, args, nargs, kwnames);
    if (!obj)
        return NULL;
    // A __new__ returning something else than an instance skips __init__.
    if (!mini_isinstance_type(obj, type))
        return obj;
    MiniType *ot = mini_type(obj);
    if (ot->tp_init && ot->tp_init(obj, args, nargs, kwnames) < 0) {
        MINI_DECREF(obj);
        return NULL;
    }
    return obj;
}

static int type_init(MiniObject *self, MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (nargs == 1 && kwcount(kwnames)) {
        mini_raise_str(mini_exc_TypeError, "type.__init__() takes no keyword arguments");
        return -1;
    }
    if (nargs != 1 && nargs != 3) {
        mini_raise_str(mini_exc_TypeError, "type.__init__() takes 1 or 3 arguments");
        return -1;
    }
    return 0;
}

static MiniObject *type_repr(MiniObject *self) {
    StrBuf b;
    strbuf_init(&b);
    strbuf_adds(&b, "<class '");
    add_type_fullname(&b, (MiniType *)self);
    strbuf_adds(&b, "'>");
    return strbuf_finish(&b);
}

static bool is_data_descr(MiniObject *o) { return mini_type(o)->descr_set != NULL; }

// Attribute lookup on a class: data descriptors of the metaclass, then the class's own mro
// (binding with obj NULL), then the rest of the metaclass.
static MiniObject *type_getattro(MiniObject *self, MiniObject *name) {
    MiniType *type = (MiniType *)self, *meta = mini_type(self);
    if (!name_is_str(name))
        return NULL;
    MiniObject *meta_attr = type_lookup(meta, name);
    if (meta_attr) {
        MINI_INCREF(meta_attr);
        if (mini_type(meta_attr)->descr_get && is_data_descr(meta_attr)) {
            MiniObject *r = mini_type(meta_attr)->descr_get(meta_attr, self, (MiniObject *)meta);
            MINI_DECREF(meta_attr);
            return r;
        }
    }
    MiniObject *attr = type_lookup(type, name);
    if (attr) {
        MINI_XDECREF(meta_attr);
        if (mini_type(attr)->descr_get) {
            MINI_INCREF(attr);
            MiniObject *r = mini_type(attr)->descr_get(attr, NULL, self);
            MINI_DECREF(attr);
            return r;
        }
        return mini_newref(attr);
    }
    if (meta_attr) {
        MiniObject *r;
        if (mini_type(meta_attr)->descr_get)
            r = mini_type(meta_attr)->descr_get(meta_attr, self, (MiniObject *)meta);
        else
            r = mini_newref(meta_attr);
        MINI_DECREF(meta_attr);
        return r;
    }
    mini_raise(mini_exc_AttributeError, "type object '%s' has no attribute '%S'", type->name, name);
    exception_set_attribute_error_context(self, name);
    return NULL;
}

static int type_setattro(MiniObject *self, MiniObject *name, MiniObject *value) {
    MiniType *type = (MiniType *)self;
    if (!name_is_str(name))
        return -1;
    if (!IS_HEAP(type)) {
        mini_raise(mini_exc_TypeError, "cannot set %R attribute of immutable type '%s'", name,
                   type->name);
        return -1;
    }
    MiniObject *meta_attr = type_lookup(mini_type(self), name);
    if (meta_attr && is_data_descr(meta_attr)) {
        MINI_INCREF(meta_attr);
        int r = mini_type(meta_attr)->descr_set(meta_attr, self, value);
        MINI_DECREF(meta_attr);
        eval_types_changed(); // __doc__ and __module__ live in the namespace
        return r;
    }
    if (!type->dict) {
        mini_raise_str(mini_exc_TypeError, "class has no namespace");
        return -1;
    }
    MiniObject *key = str_intern(name);
    if (value) {
        if (dict_set(type->dict, key, value) < 0)
            return -1;
    } else {
        int r = dict_discard(type->dict, key);
        if (r < 0)
            return -1;
        if (r == 0) {
            mini_raise(mini_exc_AttributeError, "type object '%s' has no attribute '%S'",
                       type->name, name);
            return -1;
        }
    }
    // The eval loop caches class attribute lookups: they may all be stale now.
    eval_types_changed();
    if (is_dunder(key))
        update_subtree(type, 0);
    return 0;
}

static void type_dealloc(MiniObject *self) {
    MiniType *t = (MiniType *)self;
    // Builtin types are immortal and never get here. A new class may reuse this address:
    // drop the eval loop's cached lookups.
    eval_types_changed();
    unlink_from_bases(t);
    MINI_CLEAR(t->dict);
    MINI_CLEAR(t->bases);
    MINI_CLEAR(t->mro);
    MINI_CLEAR(t->name_obj);
    MINI_CLEAR(t->qualname);
    MINI_CLEAR(t->module);
    MINI_CLEAR(t->base);
    MiniHeapType *h = HEAP(t);
    free(h->subclasses);
    h->subclasses = NULL;
    h->nsubclasses = h->subclasses_cap = 0;
    mini_object_free(self);
}

static int type_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniType *t = (MiniType *)self;
    if (!IS_HEAP(t))
        return 0;
    MINI_VISIT(t->dict);
    MINI_VISIT(t->bases);
    MINI_VISIT(t->mro);
    MINI_VISIT(t->base);
    MINI_VISIT(t->name_obj);
    MINI_VISIT(t->qualname);
    MINI_VISIT(t->module);
    return 0;
}

static int type_clear(MiniObject *self) {
    MiniType *t = (MiniType *)self;
    if (!IS_HEAP(t))
        return 0;
    // The namespace and the mro are where the cycles run (methods, the mro naming the class
    // itself); bases stay so the class can still leave its bases' subclass lists.
    MINI_CLEAR(t->dict);
    MINI_CLEAR(t->mro);
    eval_types_changed();
    return 0;
}

static MiniObject *type_get_name(MiniObject *self) {
    MiniType *t = (MiniType *)self;
    if (t->name_obj)
        return mini_newref(t->name_obj);
    return str_from_cstr(t->name);
}

static bool check_heap_set(MiniType *t, const char *attr, MiniObject *value) {
    if (!IS_HEAP(t)) {
        mini_raise(mini_exc_TypeError, "cannot set '%s' attribute of immutable type '%s'", attr,
                   t->name);
        return false;
    }
    if (!value) {
        mini_raise(mini_exc_TypeError, "cannot delete '%s' attribute of immutable type '%s'", attr,
                   t->name);
        return false;
    }
    return true;
}

static int type_set_name(MiniObject *self, MiniObject *value) {
    MiniType *t = (MiniType *)self;
    if (!check_heap_set(t, "__name__", value))
        return -1;
    if (!str_check(value)) {
        mini_raise(mini_exc_TypeError, "can only assign string to %s.__name__, not '%s'", t->name,
                   mini_type_name(value));
        return -1;
    }
    if (memchr(STR_DATA(value), 0, STR_SIZE(value))) {
        mini_raise_str(mini_exc_ValueError, "type name must not contain null characters");
        return -1;
    }
    MINI_SETREF(t->name_obj, mini_newref(value));
    t->name = STR_DATA(value);
    return 0;
}

static MiniObject *type_get_qualname(MiniObject *self) {
    return mini_newref(type_qualname((MiniType *)self));
}

static int type_set_qualname(MiniObject *self, MiniObject *value) {
    MiniType *t = (MiniType *)self;
    if (!check_heap_set(t, "__qualname__", value))
        return -1;
    if (!str_check(value)) {
        mini_raise(mini_exc_TypeError, "can only assign string to %s.__qualname__, not '%s'",
                   t->name, mini_type_name(value));
        return -1;
    }
    MINI_SETREF(t->qualname, mini_newref(value));
    return 0;
}

static MiniObject *type_get_module(MiniObject *self) {
    MiniObject *m = type_module_name((MiniType *)self);
    if (!m)
        return mini_raise_str(mini_exc_AttributeError, "__module__");
    return mini_newref(m);
}

static int type_set_module(MiniObject *self, MiniObject *value) {
    MiniType *t = (MiniType *)self;
    if (!check_heap_set(t, "__module__", value))
        return -1;
    return dict_set(t->dict, MINI_ID(__module__), value);
}

static MiniObject *type_get_bases(MiniObject *self) {
    MiniType *t = (MiniType *)self;
    return mini_newref(t->bases ? t->bases : tuple_empty());
}

static MiniObject *type_get_base(MiniObject *self) {
    MiniType *t = (MiniType *)self;
    return mini_newref(t->base ? (MiniObject *)t->base : MINI_NONE);
}

static MiniObject *type_get_mro(MiniObject *self) {
    MiniType *t = (MiniType *)self;
    return mini_newref(t->mro ? t->mro : MINI_NONE);
}

static MiniObject *type_get_dict(MiniObject *self) {
    MiniType *t = (MiniType *)self;
    if (!t->dict)
        return mini_raise_str(mini_exc_AttributeError, "__dict__");
    return mappingproxy_new(t->dict);
}

// A class's docstring: a builtin type's own, else the namespace's __doc__ (bound when it is a
// descriptor, as for property subclasses).
static MiniObject *type_get_doc(MiniObject *self) {
    MiniType *t = (MiniType *)self;
    if (!IS_HEAP(t) && t->doc)
        return str_from_cstr(t->doc);
    MiniObject *d = t->dict ? dict_get_str(t->dict, MINI_ID(__doc__)) : NULL;
    if (!d)
        return MINI_NONE;
    if (mini_type(d)->descr_get)
        return mini_type(d)->descr_get(d, NULL, self);
    return mini_newref(d);
}

static int type_set_doc(MiniObject *self, MiniObject *value) {
    MiniType *t = (MiniType *)self;
    if (!check_heap_set(t, "__doc__", value))
        return -1;
    return dict_set(t->dict, MINI_ID(__doc__), value);
}

static MiniObject *type_get_basicsize(MiniObject *self) {
    return int_from_u64(((MiniType *)self)->basicsize);
}

static const MiniGetSetDef type_getset[] = {
    {"__name__", type_get_name, type_set_name, NULL},
    {"__qualname__", type_get_qualname, type_set_qualname, NULL},
    {"__module__", type_get_module, type_set_module, NULL},
    {"__bases__", type_get_bases, NULL, NULL},
    {"__base__", type_get_base, NULL, NULL},
    {"__mro__", type_get_mro, NULL, NULL},
    {"__dict__", type_get_dict, NULL, NULL},
    {"__doc__", type_get_doc, type_set_doc, NULL},
    {"__basicsize__", type_get_basicsize, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static MiniObject *type_mro_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("mro", kwnames) || !mini_check_nargs("mro", nargs, 0, 0))
        return NULL;
    MiniType *t = (MiniType *)self;
    if (!t->mro)
        return list_new(0);
    return list_from_array(TUPLE_ITEMS(t->mro), TUPLE_SIZE(t->mro));
}

static MiniObject *type_subclasses_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                          MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("__subclasses__", kwnames) ||
        !mini_check_nargs("__subclasses__", nargs, 0, 0))
        return NULL;
    MiniType *t = (MiniType *)self;
    MiniObject *list = list_new(0);
    if (!list)
        return NULL;
    if (IS_HEAP(t)) {
        MiniHeapType *h = HEAP(t);
        for (size_t i = 0; i < h->nsubclasses; i++)
            if (list_append(list, (MiniObject *)h->subclasses[i]) < 0)
                goto fail;
        return list;
    }
    // Builtin types keep no list (they outlive every class). Their builtin subclasses come
    // from the known builtin types; the heap classes naming this one as a base are found
    // among the VM's containers.
    MiniType *builtin[] = {
#define X(name, base) mini_exc_##name,
        MINI_EXCEPTIONS(X)
#undef X
            & mini_bool_type,
    };
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (builtin[i]->base == t && builtin[i] != t &&
            list_append(list, (MiniObject *)builtin[i]) < 0)
            goto fail;
    if (mini_ts && mini_ts->vm) {
        GcHead *head = &mini_ts->vm->gc_list;
        for (GcHead *g = head->next; g && g != head; g = g->next) {
            MiniObject *o = MINI_GC_OBJ(g);
            if (o == list || !type_check(o) || !IS_HEAP((MiniType *)o) || !((MiniType *)o)->bases)
                continue;
            MiniObject *bases = ((MiniType *)o)->bases;
            for (size_t i = 0; i < TUPLE_SIZE(bases); i++)
                if ((MiniType *)TUPLE_GET(bases, i) == t) {
                    if (list_append(list, o) < 0)
                        goto fail;
                    break;
                }
        }
    }
    return list;
fail:
    MINI_DECREF(list);
    return NULL;
}

static MiniObject *type_instancecheck(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    if (!mini_no_kwargs("__instancecheck__", kwnames) ||
        !mini_check_nargs("__instancecheck__", nargs, 1, 1))
        return NULL;
    MiniType *t = (MiniType *)self;
    if (mini_isinstance_type(args[0], t))
        return MINI_TRUE;
    // An object may claim another class through __class__ (proxies do).
    MiniObject *cls = mini_getattr_opt(args[0], MINI_ID(__class__));
    if (!cls)
        return mini_error_occurred() ? NULL : MINI_FALSE;
    bool r = cls != (MiniObject *)mini_type(args[0]) && type_check(cls) &&
             type_is_subtype((MiniType *)cls, t);
    MINI_DECREF(cls);
    return MINI_BOOL(r);
}

static MiniObject *type_subclasscheck(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    if (!mini_no_kwargs("__subclasscheck__", kwnames) ||
        !mini_check_nargs("__subclasscheck__", nargs, 1, 1))
        return NULL;
    if (!type_check(args[0]))
        return mini_raise_str(mini_exc_TypeError, "issubclass() arg 1 must be a class");
    return MINI_BOOL(type_is_subtype((MiniType *)args[0], (MiniType *)self));
}

static MiniObject *type_prepare(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    (void)args;
    (void)nargs;
    (void)kwnames;
    return dict_new();
}

// Merges the names of [t]'s namespace and of its bases' into [names].
static bool merge_class_names(MiniObject *names, MiniType *t) {
    MiniObject *mro = t->mro;
    size_t n = mro ? TUPLE_SIZE(mro) : 0;
    for (size_t i = 0; i < n; i++) {
        MiniType *b = (MiniType *)TUPLE_GET(mro, i);
        if (b->dict && dict_merge(names, b->dict, true) < 0)
            return false;
    }
    return true;
}

static MiniObject *type_dir(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("__dir__", kwnames) || !mini_check_nargs("__dir__", nargs, 0, 0))
        return NULL;
    MiniObject *names = dict_new();
    if (!names)
        return NULL;
    MiniObject *r = merge_class_names(names, (MiniType *)self) ? dict_keys_list(names) : NULL;
    MINI_DECREF(names);
    return r;
}

// object.__sizeof__ and type.__sizeof__ (the same code, two descriptors as in CPython).
// New reference.
static MiniObject *object_sizeof(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("__sizeof__", kwnames) || !mini_check_nargs("__sizeof__", nargs, 0, 0))
        return NULL;
    return int_from_u64(mini_type(self)->basicsize);
}

static const MiniMethodDef type_methods[] = {
    {"mro", type_mro_method, 0, "Return a type's method resolution order."},
    {"__subclasses__", type_subclasses_method, 0, "Return a list of immediate subclasses."},
    {"__instancecheck__", type_instancecheck, 0, "Check if an object is an instance."},
    {"__subclasscheck__", type_subclasscheck, 0, "Check if a class is a subclass."},
    {"__prepare__", type_prepare, MINI_METH_CLASS, "Create the namespace for the class statement"},
    {"__dir__", type_dir, 0, "Specialized __dir__ implementation for types."},
    {"__sizeof__", object_sizeof, 0, "Return memory consumption of the type object."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_type_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "type",
    .basicsize = sizeof(MiniHeapType),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC | MINI_TPFLAG_TYPE_SUBCLASS,
    .dictoffset = offsetof(MiniType, dict),
    .weaklistoffset = offsetof(MiniType, weaklist),
    .dealloc = type_dealloc,
    .traverse = type_traverse,
    .clear = type_clear,
    .tp_new = type_new,
    .tp_init = type_init,
    .repr = type_repr,
    .getattr = type_getattro,
    .setattr = type_setattro,
    .call = type_call,
    .methods = type_methods,
    .getset = type_getset,
    .doc = "type(object) -> the object's type\ntype(name, bases, dict, **kwds) -> a new type",
};

// ---------------------------------------------------------------------------------------------
// The type `object`
// ---------------------------------------------------------------------------------------------

static bool excess_args(size_t nargs, MiniObject *kwnames) {
    return nargs > 0 || kwcount(kwnames) > 0;
}

static MiniObject *object_new(MiniType *type, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    if (excess_args(nargs, kwnames)) {
        if (type->tp_new != object_new)
            return mini_raise_str(mini_exc_TypeError,
                                  "object.__new__() takes exactly one argument (the type to "
                                  "instantiate)");
        if (type->tp_init == object_init)
            return mini_raise(mini_exc_TypeError, "%s() takes no arguments", type->name);
    }
    return mini_type_alloc(type, 0);
}

static int object_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                       MiniObject *kwnames) {
    (void)args;
    MiniType *type = mini_type(self);
    if (excess_args(nargs, kwnames)) {
        if (type->tp_init != object_init) {
            mini_raise_str(mini_exc_TypeError, "object.__init__() takes exactly one argument "
                                               "(the instance to initialize)");
            return -1;
        }
        if (type->tp_new == object_new) {
            mini_raise(mini_exc_TypeError,
                       "%s.__init__() takes exactly one argument (the instance to initialize)",
                       type->name);
            return -1;
        }
    }
    return 0;
}

static void object_dealloc(MiniObject *self) { mini_object_free(self); }

static MiniObject *object_repr(MiniObject *self) {
    StrBuf b;
    strbuf_init(&b);
    strbuf_addc(&b, '<');
    add_type_fullname(&b, mini_type(self));
    strbuf_addf(&b, " object at %p>", (void *)self);
    return strbuf_finish(&b);
}

static MiniObject *object_str(MiniObject *self) {
    MiniType *t = mini_type(self);
    return t->repr ? t->repr(self) : object_repr(self);
}

static int64_t object_hash(MiniObject *self) {
    // CPython's _Py_HashPointer: the low bits of an address are always zero.
    uintptr_t y = (uintptr_t)self;
    y = (y >> 4) | (y << (8 * sizeof(void *) - 4));
    int64_t h = (int64_t)y;
    return h == -1 ? -2 : h;
}

static MiniObject *object_richcompare(MiniObject *self, MiniObject *other, int op) {
    switch (op) {
    case CMP_EQ: return mini_newref(self == other ? MINI_TRUE : MINI_NOTIMPL);
    case CMP_NE: {
        // __ne__ inverts __eq__ unless that says NotImplemented.
        MiniType *t = mini_type(self);
        if (!t->richcompare)
            return mini_newref(MINI_NOTIMPL);
        MiniObject *r = t->richcompare(self, other, CMP_EQ);
        if (!r || r == MINI_NOTIMPL)
            return r;
        int truth = mini_truthy(r);
        MINI_DECREF(r);
        if (truth < 0)
            return NULL;
        return MINI_BOOL(!truth);
    }
    default: return mini_newref(MINI_NOTIMPL);
    }
}

static MiniObject *object_get_class(MiniObject *self) {
    return mini_newref((MiniObject *)mini_type(self));
}

static bool same_layout(MiniType *a, MiniType *b) {
    return solid_base(a) == solid_base(b) && a->basicsize == b->basicsize &&
           a->dictoffset == b->dictoffset && a->weaklistoffset == b->weaklistoffset &&
           static_base(a) == static_base(b);
}

static int object_set_class(MiniObject *self, MiniObject *value) {
    if (!value) {
        mini_raise_str(mini_exc_TypeError, "can't delete __class__ attribute");
        return -1;
    }
    if (!type_check(value)) {
        mini_raise(mini_exc_TypeError, "__class__ must be set to a class, not '%s' object",
                   mini_type_name(value));
        return -1;
    }
    MiniType *newto = (MiniType *)value, *oldto = mini_type(self);
    if (!MINI_IS_PTR(self) || !IS_HEAP(newto) || !IS_HEAP(oldto)) {
        mini_raise_str(mini_exc_TypeError, "__class__ assignment only supported for mutable "
                                           "types or ModuleType subclasses");
        return -1;
    }
    if (!same_layout(newto, oldto)) {
        mini_raise(mini_exc_TypeError, "__class__ assignment: '%s' object layout differs from '%s'",
                   newto->name, oldto->name);
        return -1;
    }
    MINI_INCREF(newto);
    self->type = newto;
    MINI_DECREF(oldto);
    return 0;
}

static const MiniGetSetDef object_getset[] = {
    {"__class__", object_get_class, object_set_class, "the object's class"},
    {NULL, NULL, NULL, NULL},
};

static MiniObject *object_format(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!mini_no_kwargs("__format__", kwnames) || !mini_check_nargs("__format__", nargs, 1, 1))
        return NULL;
    MiniObject *spec = args[0];
    if (!str_check(spec))
        return mini_raise(mini_exc_TypeError, "__format__() argument must be str, not %s",
                          mini_type_name(spec));
    if (STR_LEN(spec) > 0)
        return mini_raise(mini_exc_TypeError, "unsupported format string passed to %s.__format__",
                          mini_type_name(self));
    return mini_str(self);
}

static MiniObject *object_dir(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("__dir__", kwnames) || !mini_check_nargs("__dir__", nargs, 0, 0))
        return NULL;
    MiniObject *names = dict_new();
    if (!names)
        return NULL;
    MiniObject **dp = instance_dict_ptr(self);
    MiniObject *r = NULL;
    if (dp && *dp && dict_check(*dp) && dict_merge(names, *dp, true) < 0)
        goto done;
    MiniObject *cls = mini_getattr_opt(self, MINI_ID(__class__));
    if (!cls && mini_error_occurred())
        goto done;
    if (!cls || !type_check(cls)) {
        MINI_XDECREF(cls);
        cls = mini_newref((MiniObject *)mini_type(self));
    }
    bool ok = merge_class_names(names, (MiniType *)cls);
    MINI_DECREF(cls);
    if (ok)
        r = dict_keys_list(names);
done:
    MINI_DECREF(names);
    return r;
}

static MiniObject *object_init_subclass(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)args;
    const char *name = type_check(self) ? ((MiniType *)self)->name : "object";
    if (kwcount(kwnames))
        return mini_raise(mini_exc_TypeError, "%s.__init_subclass__() takes no keyword arguments",
                          name);
    if (nargs)
        return mini_raise(mini_exc_TypeError,
                          "%s.__init_subclass__() takes no arguments (%zu given)", name, nargs);
    return MINI_NONE;
}

static MiniObject *object_subclasshook(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self;
    (void)args;
    (void)nargs;
    (void)kwnames;
    return mini_newref(MINI_NOTIMPL);
}

static const MiniMethodDef object_methods[] = {
    {"__format__", object_format, 0, "Default object formatter."},
    {"__dir__", object_dir, 0, "Default dir() implementation."},
    {"__init_subclass__", object_init_subclass, MINI_METH_CLASS,
     "This method is called when a class is subclassed."},
    {"__subclasshook__", object_subclasshook, MINI_METH_CLASS,
     "Abstract classes can override this to customize issubclass()."},
    {"__sizeof__", object_sizeof, 0, "Size of object in memory, in bytes."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_object_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "object",
    .basicsize = sizeof(MiniObject),
    .flags = MINI_TPFLAG_BASETYPE,
    .dealloc = object_dealloc,
    .tp_new = object_new,
    .tp_init = object_init,
    .repr = object_repr,
    .str = object_str,
    .hash = object_hash,
    .richcompare = object_richcompare,
    .getattr = mini_generic_getattr,
    .setattr = mini_generic_setattr,
    .methods = object_methods,
    .getset = object_getset,
    .doc = "The base class of the class hierarchy.\n\nWhen called, it accepts no arguments and "
           "returns a new featureless\ninstance that has no instance attributes and cannot be "
           "given any.\n",
};

// ---------------------------------------------------------------------------------------------
// super
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniType *type;     // the class after which lookup starts (owned)
    MiniObject *obj;    // the instance or class bound, or NULL (owned)
    MiniType *obj_type; // the class whose mro is searched, or NULL (owned)
} MiniSuper;

// The tp_new of super, property, staticmethod and classmethod: an instance with every field
// NULL, which their tp_init fills, so that the arguments are checked only once. New reference.
static MiniObject *blank_new(MiniType *type, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    return mini_type_alloc(type, 0);
}

static void super_release(MiniSuper *s) {
    MINI_CLEAR(s->type);
    MINI_CLEAR(s->obj);
    MINI_CLEAR(s->obj_type);
}

static void super_dealloc(MiniObject *self) {
    super_release((MiniSuper *)self);
    mini_object_free(self);
}

static int super_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniSuper *s = (MiniSuper *)self;
    MINI_VISIT(s->type);
    MINI_VISIT(s->obj);
    MINI_VISIT(s->obj_type);
    return 0;
}

static int super_clear(MiniObject *self) {
    super_release((MiniSuper *)self);
    return 0;
}

// The class whose mro super(type, obj) searches: obj itself when it is a subclass of type
// (class-mode super, in classmethods and __new__), else obj's class. Borrowed or NULL.
static MiniType *supercheck(MiniType *type, MiniObject *obj) {
    if (type_check(obj) && type_is_subtype((MiniType *)obj, type))
        return (MiniType *)obj;
    if (type_is_subtype(mini_type(obj), type))
        return mini_type(obj);
    MiniObject *cls = mini_getattr_opt(obj, MINI_ID(__class__));
    if (cls) {
        bool ok = type_check(cls) && cls != (MiniObject *)mini_type(obj) &&
                  type_is_subtype((MiniType *)cls, type);
        MINI_DECREF(cls);
        if (ok)
            return (MiniType *)cls;
    } else if (mini_error_occurred()) {
        return NULL;
    }
    mini_raise_str(mini_exc_TypeError,
                   "super(type, obj): obj must be an instance or subtype of type");
    return NULL;
}

// Zero-argument super(): the calling method's first argument and its __class__ cell.
static bool super_from_frame(MiniObject **type_out, MiniObject **obj_out) {
    Frame *f = mini_ts ? mini_ts->frame : NULL;
    if (!f) {
        mini_raise_str(mini_exc_RuntimeError, "super(): no current frame");
        return false;
    }
    CodeObject *co = f->code;
    if (co->argcount == 0) {
        mini_raise_str(mini_exc_RuntimeError, "super(): no arguments");
        return false;
    }
    MiniObject *first = f->localsplus[0];
    // When the first argument is captured by an inner function it lives in a cell.
    if (co->cell2arg) {
        for (int i = 0; i < co->ncells; i++) {
            if (co->cell2arg[i] != 0)
                continue;
            MiniObject *cell = f->localsplus[co->nlocals + i];
            if (cell && mini_type(cell) == &mini_cell_type)
                first = ((MiniCell *)cell)->ref;
            break;
        }
    }
    if (!first) {
        mini_raise_str(mini_exc_RuntimeError, "super(): arg[0] deleted");
        return false;
    }
    for (int i = 0; i < co->nfrees; i++) {
        if (!str_eq(TUPLE_GET(co->freevars, i), MINI_ID(__class__)))
            continue;
        MiniObject *cell = f->localsplus[co->nlocals + co->ncells + i];
        if (!cell || mini_type(cell) != &mini_cell_type) {
            mini_raise_str(mini_exc_RuntimeError, "super(): bad __class__ cell");
            return false;
        }
        MiniObject *cls = ((MiniCell *)cell)->ref;
        if (!cls) {
            mini_raise_str(mini_exc_RuntimeError, "super(): empty __class__ cell");
            return false;
        }
        if (!type_check(cls)) {
            mini_raise(mini_exc_RuntimeError, "super(): __class__ is not a type (%s)",
                       mini_type_name(cls));
            return false;
        }
        *type_out = cls;
        *obj_out = first;
        return true;
    }
    mini_raise_str(mini_exc_RuntimeError, "super(): __class__ cell not found");
    return false;
}

static int super_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                      MiniObject *kwnames) {
    MiniSuper *s = (MiniSuper *)self;
    if (kwcount(kwnames)) {
        mini_raise_str(mini_exc_TypeError, "super() takes no keyword arguments");
        return -1;
    }
    if (nargs > 2) {
        mini_raise(mini_exc_TypeError, "super() expected at most 2 arguments, got %zu", nargs);
        return -1;
    }
    MiniObject *type, *obj = NULL;
    if (nargs == 0) {
        if (!super_from_frame(&type, &obj))
            return -1;
    } else {
        type = args[0];
        if (nargs == 2)
            obj = args[1];
    }
    if (!type_check(type)) {
        mini_raise(mini_exc_TypeError, "super() argument 1 must be a type, not %s",
                   mini_type_name(type));
        return -1;
    }
    if (obj == MINI_NONE)
        obj = NULL;
    MiniType *obj_type = NULL;
    if (obj) {
        obj_type = supercheck((MiniType *)type, obj);
        if (!obj_type)
            return -1;
    }
    super_release(s);
    s->type = (MiniType *)mini_newref(type);
    s->obj = obj ? mini_newref(obj) : NULL;
    s->obj_type = obj_type ? (MiniType *)mini_newref((MiniObject *)obj_type) : NULL;
    return 0;
}

static MiniObject *super_getattro(MiniObject *self, MiniObject *name) {
    MiniSuper *s = (MiniSuper *)self;
    MiniType *start = s->obj_type;
    // __class__ is the super object's own class, not a lookup in obj's mro.
    if (start && str_check(name) && !str_eq(name, MINI_ID(__class__)) && start->mro) {
        MiniObject *mro = start->mro;
        size_t n = TUPLE_SIZE(mro), i = 0;
        while (i + 1 < n && (MiniType *)TUPLE_GET(mro, i) != s->type)
            i++;
        for (i++; i < n; i++) {
            MiniType *b = (MiniType *)TUPLE_GET(mro, i);
            MiniObject *res = b->dict ? dict_get_str(b->dict, name) : NULL;
            if (!res)
                continue;
            MiniType *rt = mini_type(res);
            if (!rt->descr_get)
                return mini_newref(res);
            MINI_INCREF(res);
            // Class-mode super binds with no instance, so classmethods see the class.
            MiniObject *r = rt->descr_get(res, s->obj == (MiniObject *)start ? NULL : s->obj,
                                          (MiniObject *)start);
            MINI_DECREF(res);
            return r;
        }
        if (mini_error_occurred())
            return NULL;
    }
    MiniObject *r = mini_generic_getattr(self, name);
    if (!r)
        exception_set_attribute_error_context(self, name);
    return r;
}

static MiniObject *super_repr(MiniObject *self) {
    MiniSuper *s = (MiniSuper *)self;
    const char *tn = s->type ? s->type->name : "NULL";
    if (s->obj_type)
        return str_from_format("<super: <class '%s'>, <%s object>>", tn, s->obj_type->name);
    return str_from_format("<super: <class '%s'>, NULL>", tn);
}

static MiniObject *super_descr_get(MiniObject *self, MiniObject *obj, MiniObject *type) {
    (void)type;
    MiniSuper *s = (MiniSuper *)self;
    if (!obj || obj == MINI_NONE || s->obj)
        return mini_newref(self);
    MiniObject *args[2] = {(MiniObject *)s->type, obj};
    return mini_call((MiniObject *)mini_type(self), args, 2, NULL);
}

static MiniObject *super_get_thisclass(MiniObject *self) {
    MiniSuper *s = (MiniSuper *)self;
    return mini_newref(s->type ? (MiniObject *)s->type : MINI_NONE);
}

static MiniObject *super_get_self(MiniObject *self) {
    MiniSuper *s = (MiniSuper *)self;
    return mini_newref(s->obj ? s->obj : MINI_NONE);
}

static MiniObject *super_get_self_class(MiniObject *self) {
    MiniSuper *s = (MiniSuper *)self;
    return mini_newref(s->obj_type ? (MiniObject *)s->obj_type : MINI_NONE);
}

static const MiniGetSetDef super_getset[] = {
    {"__thisclass__", super_get_thisclass, NULL, "the class invoking super()"},
    {"__self__", super_get_self, NULL, "the instance invoking super(); may be None"},
    {"__self_class__", super_get_self_class, NULL,
     "the type of the instance invoking super(); may be None"},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_super_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "super",
    .basicsize = sizeof(MiniSuper),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = super_dealloc,
    .traverse = super_traverse,
    .clear = super_clear,
    .tp_new = blank_new,
    .tp_init = super_init,
    .repr = super_repr,
    .getattr = super_getattro,
    .descr_get = super_descr_get,
    .getset = super_getset,
    .doc = "super() -> same as super(__class__, <first argument>)\n"
           "super(type) -> unbound super object\n"
           "super(type, obj) -> bound super object; requires isinstance(obj, type)\n"
           "super(type, type2) -> bound super object; requires issubclass(type2, type)",
};

// ---------------------------------------------------------------------------------------------
// property
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *fget, *fset, *fdel; // NULL when absent
    MiniObject *doc;                // NULL when absent
    MiniObject *name;               // from __set_name__, or NULL
    bool getter_doc;                // doc was taken from fget.__doc__
} MiniProperty;

static void property_release(MiniProperty *p) {
    MINI_CLEAR(p->fget);
    MINI_CLEAR(p->fset);
    MINI_CLEAR(p->fdel);
    MINI_CLEAR(p->doc);
    MINI_CLEAR(p->name);
}

static void property_dealloc(MiniObject *self) {
    property_release((MiniProperty *)self);
    mini_object_free(self);
}

static int property_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniProperty *p = (MiniProperty *)self;
    MINI_VISIT(p->fget);
    MINI_VISIT(p->fset);
    MINI_VISIT(p->fdel);
    MINI_VISIT(p->doc);
    MINI_VISIT(p->name);
    return 0;
}

static int property_clear(MiniObject *self) {
    property_release((MiniProperty *)self);
    return 0;
}

static MiniObject *none_to_null(MiniObject *o) { return o == MINI_NONE ? NULL : o; }

static int property_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                         MiniObject *kwnames) {
    static const char *const names[] = {"fget", "fset", "fdel", "doc", NULL};
    MiniObject *out[4] = {NULL, NULL, NULL, NULL};
    if (!mini_parse_args("property", args, nargs, kwnames, names, 0, out))
        return -1;
    MiniProperty *p = (MiniProperty *)self;
    MiniObject *fget = out[0] ? none_to_null(out[0]) : NULL;
    MiniObject *fset = out[1] ? none_to_null(out[1]) : NULL;
    MiniObject *fdel = out[2] ? none_to_null(out[2]) : NULL;
    MiniObject *doc = out[3] ? none_to_null(out[3]) : NULL;
    property_release(p);
    p->fget = fget ? mini_newref(fget) : NULL;
    p->fset = fset ? mini_newref(fset) : NULL;
    p->fdel = fdel ? mini_newref(fdel) : NULL;
    p->getter_doc = false;
    MiniObject *prop_doc = doc ? mini_newref(doc) : NULL;
    if (!prop_doc && fget) {
        // No docstring given: use the getter's.
        prop_doc = mini_getattr_opt(fget, MINI_ID(__doc__));
        if (!prop_doc && mini_error_occurred())
            return -1;
        if (prop_doc == MINI_NONE)
            prop_doc = NULL;
        if (prop_doc)
            p->getter_doc = true;
    }
    if (mini_type(self) == &mini_property_type) {
        p->doc = prop_doc;
        return 0;
    }
    // A subclass's class dict has its own __doc__, which would hide ours: keep the docstring
    // on the instance instead.
    int r = mini_setattr(self, MINI_ID(__doc__), prop_doc ? prop_doc : MINI_NONE);
    MINI_XDECREF(prop_doc);
    return r;
}

// Raises the AttributeError of a property missing [what] ("getter", "setter", "deleter").
static void property_error(MiniProperty *p, MiniObject *obj, const char *what) {
    MiniObject *qual = obj ? type_qualname(mini_type(obj)) : NULL;
    if (p->name && qual)
        mini_raise(mini_exc_AttributeError, "property %R of %R object has no %s", p->name, qual,
                   what);
    else if (qual)
        mini_raise(mini_exc_AttributeError, "property of %R object has no %s", qual, what);
    else
        mini_raise(mini_exc_AttributeError, "property has no %s", what);
}

static MiniObject *property_descr_get(MiniObject *self, MiniObject *obj, MiniObject *type) {
    (void)type;
    MiniProperty *p = (MiniProperty *)self;
    if (!obj || obj == MINI_NONE)
        return mini_newref(self);
    if (!p->fget) {
        property_error(p, obj, "getter");
        return NULL;
    }
    return mini_call(p->fget, &obj, 1, NULL);
}

static int property_descr_set(MiniObject *self, MiniObject *obj, MiniObject *value) {
    MiniProperty *p = (MiniProperty *)self;
    MiniObject *func = value ? p->fset : p->fdel;
    if (!func) {
        property_error(p, obj, value ? "setter" : "deleter");
        return -1;
    }
    MiniObject *args[2] = {obj, value};
    MiniObject *r = mini_call(func, args, value ? 2 : 1, NULL);
    if (!r)
        return -1;
    MINI_DECREF(r);
    return 0;
}

// A copy of property [self] with one accessor replaced: what @x.setter returns.
static MiniObject *property_copy(MiniObject *self, MiniObject *get, MiniObject *set,
                                 MiniObject *del) {
    MiniProperty *p = (MiniProperty *)self;
    if (!get || get == MINI_NONE)
        get = p->fget ? p->fget : MINI_NONE;
    if (!set || set == MINI_NONE)
        set = p->fset ? p->fset : MINI_NONE;
    if (!del || del == MINI_NONE)
        del = p->fdel ? p->fdel : MINI_NONE;
    MiniObject *doc;
    if (p->getter_doc && get != MINI_NONE)
        doc = MINI_NONE; // let __init__ take the new getter's docstring
    else
        doc = p->doc ? p->doc : MINI_NONE;
    MiniObject *args[4] = {get, set, del, doc};
    MiniObject *r = mini_call((MiniObject *)mini_type(self), args, 4, NULL);
    if (r && mini_isinstance_type(r, &mini_property_type)) {
        MiniProperty *np = (MiniProperty *)r;
        MINI_XINCREF(p->name);
        MINI_SETREF(np->name, p->name);
    }
    return r;
}

static MiniObject *property_getter(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    if (!mini_no_kwargs("getter", kwnames) || !mini_check_nargs("getter", nargs, 1, 1))
        return NULL;
    return property_copy(self, args[0], NULL, NULL);
}

static MiniObject *property_setter(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    if (!mini_no_kwargs("setter", kwnames) || !mini_check_nargs("setter", nargs, 1, 1))
        return NULL;
    return property_copy(self, NULL, args[0], NULL);
}

static MiniObject *property_deleter(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!mini_no_kwargs("deleter", kwnames) || !mini_check_nargs("deleter", nargs, 1, 1))
        return NULL;
    return property_copy(self, NULL, NULL, args[0]);
}

static MiniObject *property_set_name(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (!mini_no_kwargs("__set_name__", kwnames))
        return NULL;
    if (nargs != 2)
        return mini_raise(mini_exc_TypeError,
                          "__set_name__() takes 2 positional arguments but %zu were given", nargs);
    MiniProperty *p = (MiniProperty *)self;
    MINI_SETREF(p->name, mini_newref(args[1]));
    return MINI_NONE;
}

static const MiniMethodDef property_methods[] = {
    {"getter", property_getter, 0,
     "Descriptor to obtain a copy of the property with a different getter."},
    {"setter", property_setter, 0,
     "Descriptor to obtain a copy of the property with a different setter."},
    {"deleter", property_deleter, 0,
     "Descriptor to obtain a copy of the property with a different deleter."},
    {"__set_name__", property_set_name, 0, "Method to set name of a property."},
    {NULL, NULL, 0, NULL},
};

static MiniObject *opt_none(MiniObject *o) { return mini_newref(o ? o : MINI_NONE); }
static MiniObject *property_get_fget(MiniObject *self) {
    return opt_none(((MiniProperty *)self)->fget);
}
static MiniObject *property_get_fset(MiniObject *self) {
    return opt_none(((MiniProperty *)self)->fset);
}
static MiniObject *property_get_fdel(MiniObject *self) {
    return opt_none(((MiniProperty *)self)->fdel);
}
static MiniObject *property_get_doc(MiniObject *self) {
    return opt_none(((MiniProperty *)self)->doc);
}

static int property_set_doc(MiniObject *self, MiniObject *value) {
    MiniProperty *p = (MiniProperty *)self;
    MINI_XINCREF(value);
    MINI_SETREF(p->doc, value);
    return 0;
}

// True if [f] has a true __isabstractmethod__: -1 on error.
static int is_abstract(MiniObject *f) {
    if (!f)
        return 0;
    MiniObject *v = mini_getattr_opt(f, mini_intern("__isabstractmethod__"));
    if (!v)
        return mini_error_occurred() ? -1 : 0;
    int r = mini_truthy(v);
    MINI_DECREF(v);
    return r;
}

static MiniObject *property_get_isabstract(MiniObject *self) {
    MiniProperty *p = (MiniProperty *)self;
    MiniObject *fs[3] = {p->fget, p->fset, p->fdel};
    for (int i = 0; i < 3; i++) {
        int r = is_abstract(fs[i]);
        if (r < 0)
            return NULL;
        if (r)
            return MINI_TRUE;
    }
    return MINI_FALSE;
}

static const MiniGetSetDef property_getset[] = {
    {"fget", property_get_fget, NULL, NULL},
    {"fset", property_get_fset, NULL, NULL},
    {"fdel", property_get_fdel, NULL, NULL},
    {"__doc__", property_get_doc, property_set_doc, NULL},
    {"__isabstractmethod__", property_get_isabstract, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_property_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "property",
    .basicsize = sizeof(MiniProperty),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = property_dealloc,
    .traverse = property_traverse,
    .clear = property_clear,
    .tp_new = blank_new,
    .tp_init = property_init,
    .descr_get = property_descr_get,
    .descr_set = property_descr_set,
    .methods = property_methods,
    .getset = property_getset,
    .doc = "Property attribute.",
};

// ---------------------------------------------------------------------------------------------
// staticmethod and classmethod
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *func; // owned; NULL until __init__
} MiniFuncWrapper;

static void funcwrapper_dealloc(MiniObject *self) {
    MINI_CLEAR(((MiniFuncWrapper *)self)->func);
    mini_object_free(self);
}

static int funcwrapper_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((MiniFuncWrapper *)self)->func);
    return 0;
}

static int funcwrapper_clear(MiniObject *self) {
    MINI_CLEAR(((MiniFuncWrapper *)self)->func);
    return 0;
}

static int funcwrapper_init_common(const char *name, MiniObject *self, MiniObject *const *args,
                                   size_t nargs, MiniObject *kwnames) {
    if (kwcount(kwnames)) {
        mini_raise(mini_exc_TypeError, "%s() takes no keyword arguments", name);
        return -1;
    }
    if (nargs != 1) {
        mini_raise(mini_exc_TypeError, "%s expected 1 argument, got %zu", name, nargs);
        return -1;
    }
    MINI_SETREF(((MiniFuncWrapper *)self)->func, mini_newref(args[0]));
    return 0;
}

static int staticmethod_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    return funcwrapper_init_common("staticmethod", self, args, nargs, kwnames);
}

static int classmethod_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    return funcwrapper_init_common("classmethod", self, args, nargs, kwnames);
}

static MiniObject *funcwrapper_make(MiniType *type, MiniObject *func) {
    MiniFuncWrapper *w = (MiniFuncWrapper *)mini_type_alloc(type, 0);
    if (!w)
        return NULL;
    w->func = mini_newref(func);
    return (MiniObject *)w;
}

static MiniObject *staticmethod_wrap(MiniObject *func) {
    return funcwrapper_make(&mini_staticmethod_type, func);
}

static MiniObject *classmethod_wrap(MiniObject *func) {
    return funcwrapper_make(&mini_classmethod_type, func);
}

static MiniObject *funcwrapper_func(MiniFuncWrapper *w, const char *name) {
    if (!w->func)
        return mini_raise(mini_exc_RuntimeError, "uninitialized %s object", name);
    return w->func;
}

static MiniObject *staticmethod_get(MiniObject *self, MiniObject *obj, MiniObject *type) {
    (void)obj;
    (void)type;
    MiniObject *f = funcwrapper_func((MiniFuncWrapper *)self, "staticmethod");
    return f ? mini_newref(f) : NULL;
}

static MiniObject *staticmethod_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    MiniObject *f = funcwrapper_func((MiniFuncWrapper *)callable, "staticmethod");
    return f ? mini_call(f, args, nargs, kwnames) : NULL;
}

static MiniObject *classmethod_get(MiniObject *self, MiniObject *obj, MiniObject *type) {
    MiniObject *f = funcwrapper_func((MiniFuncWrapper *)self, "classmethod");
    if (!f)
        return NULL;
    if (!type)
        type = (MiniObject *)mini_type(obj);
    // As 3.11 does, chain through the wrapped object's own __get__ (classmethod(property)).
    MiniType *ft = mini_type(f);
    if (ft->descr_get && ft != &mini_function_type)
        return ft->descr_get(f, type, type);
    return method_new(f, type);
}

static MiniObject *funcwrapper_repr(const char *kind, MiniObject *self) {
    MiniFuncWrapper *w = (MiniFuncWrapper *)self;
    if (!w->func)
        return str_from_format("<%s object at %p>", kind, (void *)self);
    MiniObject *r = mini_repr(w->func);
    if (!r)
        return NULL;
    MiniObject *s = str_from_format("<%s(%s)>", kind, STR_DATA(r));
    MINI_DECREF(r);
    return s;
}

static MiniObject *staticmethod_repr(MiniObject *self) {
    return funcwrapper_repr("staticmethod", self);
}

static MiniObject *classmethod_repr(MiniObject *self) {
    return funcwrapper_repr("classmethod", self);
}

static MiniObject *funcwrapper_get_func(MiniObject *self) {
    return opt_none(((MiniFuncWrapper *)self)->func);
}

static MiniObject *funcwrapper_get_isabstract(MiniObject *self) {
    int r = is_abstract(((MiniFuncWrapper *)self)->func);
    return r < 0 ? NULL : MINI_BOOL(r);
}

// __name__, __qualname__ and __doc__ come from the wrapped function (functools.wraps would
// copy them; 3.10+ staticmethod does).
static MiniObject *funcwrapper_forward(MiniObject *self, MiniObject *name) {
    MiniObject *f = ((MiniFuncWrapper *)self)->func;
    if (!f)
        return mini_raise(mini_exc_AttributeError, "%S", name);
    return mini_getattr(f, name);
}

static MiniObject *funcwrapper_get_name(MiniObject *self) {
    return funcwrapper_forward(self, MINI_ID(__name__));
}

static MiniObject *funcwrapper_get_qualname(MiniObject *self) {
    return funcwrapper_forward(self, MINI_ID(__qualname__));
}

static MiniObject *funcwrapper_get_doc(MiniObject *self) {
    MiniObject *f = ((MiniFuncWrapper *)self)->func;
    if (!f)
        return MINI_NONE;
    MiniObject *d = mini_getattr_opt(f, MINI_ID(__doc__));
    if (!d && !mini_error_occurred())
        return MINI_NONE;
    return d;
}

static const MiniGetSetDef funcwrapper_getset[] = {
    {"__func__", funcwrapper_get_func, NULL, NULL},
    {"__wrapped__", funcwrapper_get_func, NULL, NULL},
    {"__isabstractmethod__", funcwrapper_get_isabstract, NULL, NULL},
    {"__name__", funcwrapper_get_name, NULL, NULL},
    {"__qualname__", funcwrapper_get_qualname, NULL, NULL},
    {"__doc__", funcwrapper_get_doc, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_staticmethod_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "staticmethod",
    .basicsize = sizeof(MiniFuncWrapper),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = funcwrapper_dealloc,
    .traverse = funcwrapper_traverse,
    .clear = funcwrapper_clear,
    .tp_new = blank_new,
    .tp_init = staticmethod_init,
    .repr = staticmethod_repr,
    .call = staticmethod_call,
    .descr_get = staticmethod_get,
    .getset = funcwrapper_getset,
    .doc = "staticmethod(function) -> method\n\nConvert a function to be a static method.",
};

MiniType mini_classmethod_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "classmethod",
    .basicsize = sizeof(MiniFuncWrapper),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = funcwrapper_dealloc,
    .traverse = funcwrapper_traverse,
    .clear = funcwrapper_clear,
    .tp_new = blank_new,
    .tp_init = classmethod_init,
    .repr = classmethod_repr,
    .descr_get = classmethod_get,
    .getset = funcwrapper_getset,
    .doc = "classmethod(function) -> method\n\nConvert a function to be a class method.",
};

// ---------------------------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------------------------

// Readies the types of this file and the exception classes, right after `object` itself.
static bool ready_builtin_types(void) {
    static MiniType *const types[] = {
        &mini_type_type,        &mini_super_type,    &mini_property_type,  &mini_staticmethod_type,
        &mini_classmethod_type, &wrapper_descr_type, &method_wrapper_type, &member_descr_type,
        &dict_descr_type,       &mappingproxy_type,
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!type_ready(types[i]))
            return false;
    return exception_types_ready();
}
