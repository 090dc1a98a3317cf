// object.c - memory, the container list, the None/NotImplemented/Ellipsis types, and the
// abstract operations of object.h: the generic protocols (attributes, calls, operators,
// comparisons, containers, iteration) that dispatch through type slots.
//
// The dispatch rules are CPython's (Objects/abstract.c, Objects/object.c), because mini must
// give the same answers and the same error messages: a binary operator tries the left
// operand's slot, then the right's, with a right operand whose type is a proper subclass of
// the left's going first; comparisons reflect (a < b tries b > a); == falls back to identity.

#include "object.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vm.h"

// ---------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------

static bool too_big(size_t size) { return MINI_MAX_ALLOC != 0 && size > MINI_MAX_ALLOC; }

void *mini_malloc(size_t size) {
    if (too_big(size)) {
        mini_raise_memory();
        return NULL;
    }
    void *p = malloc(size ? size : 1);
    if (!p)
        mini_raise_memory();
    return p;
}

void *mini_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) {
        mini_raise_memory();
        return NULL;
    }
    if (too_big(n * size)) {
        mini_raise_memory();
        return NULL;
    }
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        mini_raise_memory();
    return p;
}

void *mini_realloc(void *p, size_t size) {
    if (too_big(size)) {
        mini_raise_memory();
        return NULL;
    }
    void *q = realloc(p, size ? size : 1);
    if (!q)
        mini_raise_memory();
    return q;
}

void mini_free(void *p) { free(p); }

// A type becomes ready the first time one of its objects is made, so that private types
// (iterators, views, wrappers) need no registration. The core types are readied in order by
// runtime_init(), before `initialized` is set; until then this check stays out of the way.
static inline void ensure_ready(MiniType *type) {
    if (!(type->flags & MINI_TPFLAG_READY) && mini_runtime.initialized)
        type_ready(type);
}

// How many freed floats each thread keeps for reuse (vm.h; the eval loop pushes too).
#define FLOAT_FREE_MAX MINI_FLOAT_FREE_MAX

MiniObject *mini_alloc(MiniType *type, size_t size) {
    if (type == &mini_float_type && size == sizeof(MiniFloat)) {
        ThreadState *ts = mini_ts;
        MiniObject *o = ts->float_free;
        if (o) {
            ts->float_free = (MiniObject *)o->type;
            ts->float_free_count--;
            o->refcnt = 1;
            o->type = type;
            return o;
        }
    }
    ensure_ready(type);
    MiniObject *o = mini_malloc(size);
    if (!o)
        return NULL;
    memset(o, 0, size);
    o->refcnt = 1;
    o->type = type;
    return o;
}

MiniObject *mini_gc_alloc(MiniType *type, size_t size) {
    ensure_ready(type);
    if (size > SIZE_MAX - sizeof(GcHead)) {
        mini_raise_memory();
        return NULL;
    }
    VM *vm = mini_ts->vm;
    // The cycle collector runs from here, before the new object exists (runtime/gc.c).
    if (vm->gc_count >= vm->gc_trigger)
        gc_collect_on_threshold(vm);
    GcHead *g = mini_calloc(1, sizeof(GcHead) + size);
    if (!g)
        return NULL;
    // Link at the end of the VM's circular list of containers: the young end (gc.c).
    g->prev = vm->gc_list.prev;
    g->next = &vm->gc_list;
    vm->gc_list.prev->next = g;
    vm->gc_list.prev = g;
    if (vm->gc_young == &vm->gc_list)
        vm->gc_young = g;
    vm->gc_count++;
    MiniObject *o = MINI_GC_OBJ(g);
    o->refcnt = 1;
    o->type = type;
    return o;
}

void mini_gc_untrack(MiniObject *o) {
    GcHead *g = MINI_GC_HEAD(o);
    if (g->next) {
        // The first young container leaving: the young generation now starts after it.
        ThreadState *ts = mini_ts;
        if (ts && ts->vm->gc_young == g)
            ts->vm->gc_young = g->next;
        g->prev->next = g->next;
        g->next->prev = g->prev;
        g->next = g->prev = NULL;
    }
}

void mini_make_immortal_vm(MiniObject *o) {
    if (!MINI_IS_PTR(o) || o->refcnt >= MINI_IMMORTAL)
        return;
    mini_make_immortal(o);
    ThreadState *ts = mini_ts;
    if (!ts)
        return;
    VM *vm = ts->vm;
    if (vm->nimmortals == vm->immortals_cap) {
        size_t cap = vm->immortals_cap ? vm->immortals_cap * 2 : 256;
        MiniObject **n = realloc(vm->immortals, cap * sizeof(MiniObject *));
        if (!n)
            return; // It only lives on until the process ends; nothing to raise.
        vm->immortals = n;
        vm->immortals_cap = cap;
    }
    vm->immortals[vm->nimmortals++] = o;
}

void mini_vm_free_immortals(VM *vm) {
    // Last made, first freed: a container goes before what it holds, and the release of its
    // references (a no-op on immortals) still finds those objects in place.
    while (vm->nimmortals > 0) {
        MiniObject *o = vm->immortals[--vm->nimmortals];
        if (o->type == &mini_str_type && ((MiniStr *)o)->interned)
            continue; // the process-wide table of interned strings holds it now
        mini_dealloc(o);
    }
    free(vm->immortals);
    vm->immortals = NULL;
    vm->immortals_cap = 0;
}

void mini_gc_track(MiniObject *o) {
    GcHead *g = MINI_GC_HEAD(o);
    if (g->next)
        return;
    VM *vm = mini_ts->vm;
    // A running collection may have left its marks on the object: only "finalized" stays.
    g->gc_refs &= MINI_GC_FINALIZED;
    g->prev = vm->gc_list.prev;
    g->next = &vm->gc_list;
    vm->gc_list.prev->next = g;
    vm->gc_list.prev = g;
    if (vm->gc_young == &vm->gc_list)
        vm->gc_young = g;
}

MiniObject *mini_type_alloc(MiniType *type, size_t extra) {
    size_t size = type->basicsize + extra;
    if (extra > SIZE_MAX - type->basicsize) {
        mini_raise_memory();
        return NULL;
    }
    MiniObject *o = (type->flags & MINI_TPFLAG_GC) ? mini_gc_alloc(type, size)
                                                   : mini_alloc(type, size);
    if (o && (type->flags & MINI_TPFLAG_HEAPTYPE))
        MINI_INCREF(type);
    return o;
}

void mini_object_free(MiniObject *o) {
    if (o->type == &mini_float_type) {
        ThreadState *ts = mini_ts;
        if (ts && ts->float_free_count < FLOAT_FREE_MAX) {
            o->type = (MiniType *)ts->float_free; // the free list's link
            ts->float_free = o;
            ts->float_free_count++;
            return;
        }
    }
    if (mini_type(o)->flags & MINI_TPFLAG_GC) {
        mini_gc_untrack(o);
        // The collector counts allocations minus deallocations of containers.
        ThreadState *ts = mini_ts;
        if (ts && ts->vm->gc_count > 0)
            ts->vm->gc_count--;
        free(MINI_GC_HEAD(o));
    } else {
        free(o);
    }
}

void mini_dealloc(MiniObject *o) {
    MiniType *t = o->type;
    // Floats go straight back to the free list: the hottest deallocation of numeric code.
    if (t == &mini_float_type) {
        mini_object_free(o);
        return;
    }
    // A container leaves the collector's list before its dealloc starts releasing what it
    // holds: that may run __del__ methods and so a collection, which must never traverse a
    // half-freed object (or, for the trashcan's deferred ones, read the link kept in the
    // refcount). A dealloc that resurrects the object tracks it again (mini_gc_track).
    if (t->flags & MINI_TPFLAG_GC)
        mini_gc_untrack(o);
    // Weak references die before the object does, and their callbacks run now (CPython's
    // PyObject_ClearWeakRefs at the top of each dealloc). Instances of classes are left to
    // subtype_dealloc, which must run __del__ first: it may resurrect the object.
    if (t->weaklistoffset && !(t->flags & MINI_TPFLAG_HEAPTYPE))
        weakref_clear_all(o);
    if (t->dealloc)
        t->dealloc(o);
    else
        mini_object_free(o);
}

// ---------------------------------------------------------------------------------------------
// None, NotImplemented, Ellipsis
// ---------------------------------------------------------------------------------------------

// Interned strings are immortal, so returning one needs no INCREF.
static MiniObject *none_repr(MiniObject *self) {
    (void)self;
    return mini_intern("None");
}
static int none_bool(MiniObject *self) {
    (void)self;
    return 0;
}
static int64_t constant_hash(MiniObject *self) {
    // Stable across runs, as CPython 3.12 does for None.
    return (int64_t)(((uintptr_t)self) >> 2) ^ 0x5bd1e995;
}
static MiniObject *none_new(MiniType *type, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)args;
    if (nargs || (kwnames && TUPLE_SIZE(kwnames)))
        return mini_raise(mini_exc_TypeError, "%s takes no arguments", type->name);
    if (type == &mini_none_type)
        return MINI_NONE;
    if (type == &mini_notimpl_type)
        return MINI_NOTIMPL;
    return MINI_ELLIPSIS;
}

MiniType mini_none_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "NoneType",
    .basicsize = sizeof(MiniObject),
    .repr = none_repr,
    .hash = constant_hash,
    .nb_bool = none_bool,
    .tp_new = none_new,
};

static MiniObject *notimpl_repr(MiniObject *self) {
    (void)self;
    return mini_intern("NotImplemented");
}
MiniType mini_notimpl_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "NotImplementedType",
    .basicsize = sizeof(MiniObject),
    .repr = notimpl_repr,
    .hash = constant_hash,
    .tp_new = none_new,
};

static MiniObject *ellipsis_repr(MiniObject *self) {
    (void)self;
    return mini_intern("Ellipsis");
}
MiniType mini_ellipsis_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "ellipsis",
    .basicsize = sizeof(MiniObject),
    .repr = ellipsis_repr,
    .hash = constant_hash,
    .tp_new = none_new,
};

MiniObject mini_NotImplemented_obj = {MINI_IMMORTAL, &mini_notimpl_type};
MiniObject mini_Ellipsis_obj = {MINI_IMMORTAL, &mini_ellipsis_type};

// Indexed by MINI_SPECIAL_INDEX: None, False, True.
MiniType *const mini_special_types[MINI_SPECIAL_COUNT] = {&mini_none_type, &mini_bool_type,
                                                          &mini_bool_type};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// Looks a special method up on the type of [self] and calls it with [self] prepended, as
// CPython's lookup_maybe_method + call. Sets *found to false (and returns NULL with no
// exception) when the type has no such attribute. New reference.
static MiniObject *call_special(MiniObject *self, MiniObject *name, MiniObject *const *args,
                                size_t nargs, bool *found) {
    MiniObject *meth = type_lookup(mini_type(self), name);
    *found = meth != NULL;
    if (!meth)
        return NULL;
    MiniObject *stack[8];
    if (nargs + 1 > 8)
        return mini_raise_str(mini_exc_SystemError, "too many arguments to a special method");
    MiniType *mt = mini_type(meth);
    if (mt == &mini_function_type || mt == &mini_method_descr_type) {
        // The common case: an unbound function takes self as its first argument.
        stack[0] = self;
        for (size_t i = 0; i < nargs; i++)
            stack[i + 1] = args[i];
        return mini_call(meth, stack, nargs + 1, NULL);
    }
    MiniObject *bound = meth;
    if (mt->descr_get) {
        bound = mt->descr_get(meth, self, (MiniObject *)mini_type(self));
        if (!bound)
            return NULL;
    } else {
        MINI_INCREF(bound);
    }
    MiniObject *res = mini_call(bound, args, nargs, NULL);
    MINI_DECREF(bound);
    return res;
}

// ---------------------------------------------------------------------------------------------
// repr, str, ascii, hash
// ---------------------------------------------------------------------------------------------

MiniObject *mini_repr(MiniObject *o) {
    MiniType *t = mini_type(o);
    if (!t->repr)
        return str_from_format("<%s object at %p>", t->name, (void *)o);
    if (!mini_enter_recursive_call(" while getting the repr of an object"))
        return NULL;
    MiniObject *r = t->repr(o);
    mini_leave_recursive_call();
    if (r && !str_check(r)) {
        mini_raise(mini_exc_TypeError, "__repr__ returned non-string (type %s)",
                   mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

MiniObject *mini_str(MiniObject *o) {
    if (MINI_IS_PTR(o) && o->type == &mini_str_type)
        return mini_newref(o);
    MiniType *t = mini_type(o);
    if (!t->str)
        return mini_repr(o);
    if (!mini_enter_recursive_call(" while getting the str of an object"))
        return NULL;
    MiniObject *r = t->str(o);
    mini_leave_recursive_call();
    if (r && !str_check(r)) {
        mini_raise(mini_exc_TypeError, "__str__ returned non-string (type %s)",
                   mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

// Decodes one UTF-8 sequence at [p] (valid UTF-8 is guaranteed for str objects).
static uint32_t utf8_decode(const unsigned char *p, size_t *len) {
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    if ((p[0] & 0xe0) == 0xc0) {
        *len = 2;
        return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    }
    if ((p[0] & 0xf0) == 0xe0) {
        *len = 3;
        return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    }
    *len = 4;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
           ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

MiniObject *mini_ascii(MiniObject *o) {
    MiniObject *r = mini_repr(o);
    if (!r || ((MiniStr *)r)->ascii)
        return r;
    StrBuf b;
    strbuf_init(&b);
    const unsigned char *p = (const unsigned char *)STR_DATA(r);
    const unsigned char *end = p + STR_SIZE(r);
    while (p < end) {
        size_t n;
        uint32_t c = utf8_decode(p, &n);
        if (c < 0x80)
            strbuf_addc(&b, (char)c);
        else if (c < 0x100)
            strbuf_addf(&b, "\\x%02x", c);
        else if (c < 0x10000)
            strbuf_addf(&b, "\\u%04x", c);
        else
            strbuf_addf(&b, "\\U%08x", c);
        p += n;
    }
    MINI_DECREF(r);
    return strbuf_finish(&b);
}

int64_t mini_hash(MiniObject *o) {
    MiniType *t = mini_type(o);
    if (!t->hash) {
        mini_raise(mini_exc_TypeError, "unhashable type: '%s'", t->name);
        return -1;
    }
    return t->hash(o);
}

// ---------------------------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------------------------

static const int swapped_op[] = {CMP_GT, CMP_GE, CMP_EQ, CMP_NE, CMP_LT, CMP_LE};
static const char *const cmp_symbol[] = {"<", "<=", "==", "!=", ">", ">="};

static MiniObject *do_richcompare(MiniObject *a, MiniObject *b, int op) {
    MiniType *ta = mini_type(a), *tb = mini_type(b);
    MiniObject *res;
    bool checked_reverse = false;
    if (ta != tb && tb->richcompare && type_is_subtype(tb, ta)) {
        checked_reverse = true;
        res = tb->richcompare(b, a, swapped_op[op]);
        if (res != MINI_NOTIMPL)
            return res;
    }
    if (ta->richcompare) {
        res = ta->richcompare(a, b, op);
        if (res != MINI_NOTIMPL)
            return res;
    }
    if (!checked_reverse && tb->richcompare) {
        res = tb->richcompare(b, a, swapped_op[op]);
        if (res != MINI_NOTIMPL)
            return res;
    }
    switch (op) {
    case CMP_EQ:
        return MINI_BOOL(a == b);
    case CMP_NE:
        return MINI_BOOL(a != b);
    default:
        return mini_raise(mini_exc_TypeError,
                          "'%s' not supported between instances of '%s' and '%s'",
                          cmp_symbol[op], ta->name, tb->name);
    }
}

MiniObject *mini_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (MINI_IS_SMALLINT(a) && MINI_IS_SMALLINT(b)) {
        intptr_t x = MINI_SMALLINT_VALUE(a), y = MINI_SMALLINT_VALUE(b);
        switch (op) {
        case CMP_LT: return MINI_BOOL(x < y);
        case CMP_LE: return MINI_BOOL(x <= y);
        case CMP_EQ: return MINI_BOOL(x == y);
        case CMP_NE: return MINI_BOOL(x != y);
        case CMP_GT: return MINI_BOOL(x > y);
        default: return MINI_BOOL(x >= y);
        }
    }
    if (!mini_enter_recursive_call(" in comparison"))
        return NULL;
    MiniObject *res = do_richcompare(a, b, op);
    mini_leave_recursive_call();
    return res;
}

int mini_richcompare_bool(MiniObject *a, MiniObject *b, int op) {
    if (a == b) {
        if (op == CMP_EQ)
            return 1;
        if (op == CMP_NE)
            return 0;
    }
    MiniObject *res = mini_richcompare(a, b, op);
    if (!res)
        return -1;
    int r;
    if (res == MINI_TRUE)
        r = 1;
    else if (res == MINI_FALSE)
        r = 0;
    else
        r = mini_truthy(res);
    MINI_DECREF(res);
    return r;
}

int mini_eq(MiniObject *a, MiniObject *b) {
    if (a == b)
        return 1;
    return mini_richcompare_bool(a, b, CMP_EQ);
}

int mini_truthy(MiniObject *o) {
    if (o == MINI_TRUE)
        return 1;
    if (o == MINI_FALSE || o == MINI_NONE)
        return 0;
    if (MINI_IS_SMALLINT(o))
        return MINI_SMALLINT_VALUE(o) != 0;
    MiniType *t = mini_type(o);
    if (t->nb_bool)
        return t->nb_bool(o);
    if (t->len) {
        ssize_t n = t->len(o);
        return n < 0 ? -1 : n > 0;
    }
    return 1;
}

// ---------------------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------------------

MiniObject **mini_dict_ptr(MiniObject *o) {
    if (!MINI_IS_PTR(o))
        return NULL;
    size_t off = o->type->dictoffset;
    if (!off)
        return NULL;
    // A tuple keeps its items inline, so a tuple subclass keeps its __dict__ after them.
    if (o->type->flags & MINI_TPFLAG_TUPLE_SUBCLASS)
        return tuple_dict_ptr(o);
    // The same for str and bytes subclasses, whose text is inline.
    if (o->type->flags & MINI_TPFLAG_VARSIZE_FIELDS)
        return varsize_dict_ptr(o);
    return (MiniObject **)((char *)o + off);
}

// The generic lookup, optionally without raising AttributeError (for hasattr and friends).
static MiniObject *generic_getattr(MiniObject *o, MiniObject *name, bool suppress) {
    MiniType *tp = mini_type(o);
    MiniObject *descr = type_lookup(tp, name);
    MiniObject *(*get)(MiniObject *, MiniObject *, MiniObject *) = NULL;
    if (descr) {
        MiniType *dt = mini_type(descr);
        get = dt->descr_get;
        if (get && dt->descr_set) { // A data descriptor wins over the instance dict.
            MiniObject *r = get(descr, o, (MiniObject *)tp);
            // An empty __slots__ member raises AttributeError: "missing" for hasattr.
            if (!r && suppress && mini_error_matches(mini_exc_AttributeError))
                mini_error_clear();
            return r;
        }
    }
    MiniObject **dictptr = mini_dict_ptr(o);
    if (dictptr && *dictptr) {
        MiniObject *v = dict_get(*dictptr, name);
        if (v)
            return mini_newref(v);
        if (mini_error_occurred())
            return NULL;
    }
    if (descr) {
        if (!get)
            return mini_newref(descr);
        MiniObject *r = get(descr, o, (MiniObject *)tp);
        if (!r && suppress && mini_error_matches(mini_exc_AttributeError))
            mini_error_clear();
        return r;
    }
    if (suppress)
        return NULL;
    mini_raise(mini_exc_AttributeError, "'%s' object has no attribute '%S'", tp->name, name);
    // Records .obj and .name, from which the traceback printer suggests "Did you mean ...?".
    exception_set_attribute_error_context(o, name);
    return NULL;
}

MiniObject *mini_generic_getattr(MiniObject *o, MiniObject *name) {
    return generic_getattr(o, name, false);
}

MiniObject *mini_generic_getattr_opt(MiniObject *o, MiniObject *name) {
    return generic_getattr(o, name, true);
}

MiniObject *mini_getattr(MiniObject *o, MiniObject *name) {
    if (!str_check(name))
        return mini_raise(mini_exc_TypeError, "attribute name must be string, not '%s'",
                          mini_type_name(name));
    MiniType *tp = mini_type(o);
    if (tp->getattr)
        return tp->getattr(o, name);
    return generic_getattr(o, name, false);
}

MiniObject *mini_getattr_cstr(MiniObject *o, const char *name) {
    MiniObject *n = mini_intern(name);
    if (!n)
        return NULL;
    return mini_getattr(o, n);
}

MiniObject *mini_getattr_opt(MiniObject *o, MiniObject *name) {
    MiniType *tp = mini_type(o);
    if (!tp->getattr || tp->getattr == mini_generic_getattr)
        return generic_getattr(o, name, true);
    MiniObject *r = mini_getattr(o, name);
    if (!r && mini_error_matches(mini_exc_AttributeError))
        mini_error_clear();
    return r;
}

int mini_generic_setattr(MiniObject *o, MiniObject *name, MiniObject *value) {
    MiniType *tp = mini_type(o);
    MiniObject *descr = type_lookup(tp, name);
    if (descr) {
        MiniType *dt = mini_type(descr);
        if (dt->descr_set)
            return dt->descr_set(descr, o, value);
    }
    MiniObject **dictptr = mini_dict_ptr(o);
    if (!dictptr) {
        if (descr)
            mini_raise(mini_exc_AttributeError, "'%s' object attribute '%S' is read-only",
                       tp->name, name);
        else
            mini_raise(mini_exc_AttributeError, "'%s' object has no attribute '%S'", tp->name,
                       name);
        return -1;
    }
    if (!*dictptr) {
        if (!value) {
            mini_raise(mini_exc_AttributeError, "'%s' object has no attribute '%S'", tp->name,
                       name);
            return -1;
        }
        *dictptr = dict_new();
        if (!*dictptr)
            return -1;
    }
    if (value)
        return dict_set(*dictptr, name, value);
    int r = dict_discard(*dictptr, name);
    if (r < 0)
        return -1;
    if (r == 0) {
        mini_raise(mini_exc_AttributeError, "'%s' object has no attribute '%S'", tp->name, name);
        return -1;
    }
    return 0;
}

int mini_setattr(MiniObject *o, MiniObject *name, MiniObject *value) {
    if (!str_check(name)) {
        mini_raise(mini_exc_TypeError, "attribute name must be string, not '%s'",
                   mini_type_name(name));
        return -1;
    }
    MiniType *tp = mini_type(o);
    if (tp->setattr)
        return tp->setattr(o, name, value);
    return mini_generic_setattr(o, name, value);
}

int mini_delattr(MiniObject *o, MiniObject *name) { return mini_setattr(o, name, NULL); }

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

MiniObject *mini_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                      MiniObject *kwnames) {
    MiniType *t = mini_type(callable);
    if (!t->call)
        return mini_raise(mini_exc_TypeError, "'%s' object is not callable", t->name);
    if (kwnames && TUPLE_SIZE(kwnames) == 0)
        kwnames = NULL;
    return t->call(callable, args, nargs, kwnames);
}

MiniObject *mini_call_tuple_dict(MiniObject *callable, MiniObject *args, MiniObject *kwargs) {
    size_t npos = args ? TUPLE_SIZE(args) : 0;
    size_t nkw = kwargs ? dict_size(kwargs) : 0;
    if (nkw == 0)
        return mini_call(callable, args ? TUPLE_ITEMS(args) : NULL, npos, NULL);
    MiniObject **stack = mini_malloc((npos + nkw) * sizeof(MiniObject *));
    if (!stack)
        return NULL;
    MiniObject *kwnames = tuple_new(nkw);
    if (!kwnames) {
        mini_free(stack);
        return NULL;
    }
    for (size_t i = 0; i < npos; i++)
        stack[i] = TUPLE_GET(args, i);
    size_t pos = 0, i = 0;
    MiniObject *k, *v;
    while (dict_next(kwargs, &pos, &k, &v)) {
        if (!str_check(k)) {
            // The tuple's unfilled slots must not be released as objects.
            for (size_t j = i; j < nkw; j++)
                TUPLE_ITEMS(kwnames)[j] = MINI_NONE;
            MINI_DECREF(kwnames);
            mini_free(stack);
            return mini_raise_str(mini_exc_TypeError, "keywords must be strings");
        }
        TUPLE_ITEMS(kwnames)[i] = mini_newref(k);
        stack[npos + i] = v;
        i++;
    }
    MiniObject *res = mini_call(callable, stack, npos, kwnames);
    MINI_DECREF(kwnames);
    mini_free(stack);
    return res;
}

MiniObject *mini_call_n(MiniObject *callable, size_t nargs, ...) {
    MiniObject *stack[16];
    if (nargs > 16)
        return mini_raise_str(mini_exc_SystemError, "mini_call_n: too many arguments");
    va_list ap;
    va_start(ap, nargs);
    for (size_t i = 0; i < nargs; i++)
        stack[i] = va_arg(ap, MiniObject *);
    va_end(ap);
    return mini_call(callable, stack, nargs, NULL);
}

MiniObject *mini_call_method(MiniObject *o, const char *name, size_t nargs, ...) {
    MiniObject *stack[16];
    if (nargs > 16)
        return mini_raise_str(mini_exc_SystemError, "mini_call_method: too many arguments");
    va_list ap;
    va_start(ap, nargs);
    for (size_t i = 0; i < nargs; i++)
        stack[i] = va_arg(ap, MiniObject *);
    va_end(ap);
    MiniObject *meth = mini_getattr_cstr(o, name);
    if (!meth)
        return NULL;
    MiniObject *res = mini_call(meth, stack, nargs, NULL);
    MINI_DECREF(meth);
    return res;
}

bool mini_callable(MiniObject *o) { return mini_type(o)->call != NULL; }

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

static const char *const binop_symbol[BINOP_COUNT] = {
    "+", "-", "*", "/", "//", "%", "** or pow()", "<<", ">>", "&", "|", "^", "@"};
static const char *const inplace_symbol[BINOP_COUNT] = {
    "+=", "-=", "*=", "/=", "//=", "%=", "**=", "<<=", ">>=", "&=", "|=", "^=", "@="};

// Tries a's slot and b's slot in CPython's order. Returns NotImplemented if neither applies.
static MiniObject *binary_op1(MiniObject *a, MiniObject *b, int k) {
    MiniType *ta = mini_type(a), *tb = mini_type(b);
    MiniObject *(*sa)(MiniObject *, MiniObject *) = ta->binop[k];
    MiniObject *(*sb)(MiniObject *, MiniObject *) = ta != tb ? tb->binop[k] : NULL;
    if (sb == sa)
        sb = NULL;
    MiniObject *res;
    if (sa) {
        if (sb && type_is_subtype(tb, ta)) {
            res = sb(a, b);
            if (res != MINI_NOTIMPL)
                return res;
            sb = NULL;
        }
        res = sa(a, b);
        if (res != MINI_NOTIMPL)
            return res;
    }
    if (sb)
        return sb(a, b);
    return MINI_NOTIMPL;
}

static bool is_sequence_for_concat(MiniObject *o) {
    return str_check(o) || list_check(o) || tuple_check(o);
}

static MiniObject *binop_type_error(MiniObject *a, MiniObject *b, int op) {
    int k = op & 15;
    bool inplace = op >= BINOP_INPLACE;
    if (k == BINOP_ADD && is_sequence_for_concat(a))
        return mini_raise(mini_exc_TypeError, "can only concatenate %s (not \"%s\") to %s",
                          mini_type_name(a), mini_type_name(b), mini_type_name(a));
    if (k == BINOP_ADD && bytes_check(a))
        return mini_raise(mini_exc_TypeError, "can't concat %s to %s", mini_type_name(b),
                          mini_type_name(a));
    if (k == BINOP_MUL) {
        MiniObject *seq = NULL, *other = NULL;
        if (is_sequence_for_concat(a) || bytes_check(a) || bytearray_check(a))
            seq = a, other = b;
        else if (is_sequence_for_concat(b) || bytes_check(b) || bytearray_check(b))
            seq = b, other = a;
        if (seq && !mini_type(other)->nb_index)
            return mini_raise(mini_exc_TypeError, "can't multiply sequence by non-int of type '%s'",
                              mini_type_name(other));
    }
    return mini_raise(mini_exc_TypeError, "unsupported operand type(s) for %s: '%s' and '%s'",
                      inplace ? inplace_symbol[k] : binop_symbol[k], mini_type_name(a),
                      mini_type_name(b));
}

MiniObject *mini_binary_op(MiniObject *a, MiniObject *b, int op) {
    int k = op & 15;
    if (k >= BINOP_COUNT)
        return mini_raise_str(mini_exc_SystemError, "bad binary operator");
    MiniObject *res;
    if (op >= BINOP_INPLACE) {
        MiniObject *(*slot)(MiniObject *, MiniObject *) = mini_type(a)->inplace[k];
        if (slot) {
            res = slot(a, b);
            if (res != MINI_NOTIMPL)
                return res;
        }
    }
    res = binary_op1(a, b, k);
    if (res != MINI_NOTIMPL)
        return res;
    return binop_type_error(a, b, op);
}

MiniObject *mini_pow3(MiniObject *a, MiniObject *b, MiniObject *mod) {
    if (mod == MINI_NONE)
        return mini_binary_op(a, b, BINOP_POW);
    MiniType *ta = mini_type(a), *tb = mini_type(b), *tc = mini_type(mod);
    MiniObject *res;
    if (ta->nb_pow3) {
        res = ta->nb_pow3(a, b, mod);
        if (res != MINI_NOTIMPL)
            return res;
    }
    if (tb != ta && tb->nb_pow3) {
        res = tb->nb_pow3(a, b, mod);
        if (res != MINI_NOTIMPL)
            return res;
    }
    if (tc != ta && tc != tb && tc->nb_pow3) {
        res = tc->nb_pow3(a, b, mod);
        if (res != MINI_NOTIMPL)
            return res;
    }
    return mini_raise(mini_exc_TypeError, "unsupported operand type(s) for ** or pow(): '%s', '%s', '%s'",
                      ta->name, tb->name, tc->name);
}

#define UNARY_OP(fn, slot, sym)                                                                  \
    MiniObject *fn(MiniObject *o) {                                                              \
        MiniType *t = mini_type(o);                                                              \
        if (t->slot)                                                                             \
            return t->slot(o);                                                                   \
        return mini_raise(mini_exc_TypeError, "bad operand type for " sym ": '%s'", t->name);   \
    }
UNARY_OP(mini_neg, nb_neg, "unary -")
UNARY_OP(mini_pos, nb_pos, "unary +")
UNARY_OP(mini_invert, nb_invert, "unary ~")
UNARY_OP(mini_abs, nb_abs, "abs()")
#undef UNARY_OP

MiniObject *mini_index(MiniObject *o) {
    if (int_check(o))
        return mini_newref(o);
    MiniType *t = mini_type(o);
    if (!t->nb_index)
        return mini_raise(mini_exc_TypeError,
                          "'%s' object cannot be interpreted as an integer", t->name);
    MiniObject *r = t->nb_index(o);
    if (r && !int_check(r)) {
        mini_raise(mini_exc_TypeError, "__index__ returned non-int (type %s)", mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

ssize_t mini_as_ssize(MiniObject *o) {
    if (MINI_IS_SMALLINT(o))
        return (ssize_t)MINI_SMALLINT_VALUE(o);
    MiniObject *i = mini_index(o);
    if (!i)
        return -1;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (!ok) {
        if (mini_error_matches(mini_exc_OverflowError)) {
            mini_error_clear();
            mini_raise(mini_exc_OverflowError, "cannot fit '%s' into an index-sized integer",
                       mini_type_name(o));
        }
        return -1;
    }
    return (ssize_t)v;
}

MiniObject *mini_number_int(MiniObject *o) {
    if (int_check_exact(o))
        return mini_newref(o);
    if (MINI_IS_BOOL(o))
        return MINI_FROM_SMALLINT(o == MINI_TRUE);
    MiniType *t = mini_type(o);
    MiniObject *r = NULL;
    if (t->nb_int) {
        r = t->nb_int(o);
        if (r && !int_check(r)) {
            mini_raise(mini_exc_TypeError, "__int__ returned non-int (type %s)",
                       mini_type_name(r));
            MINI_DECREF(r);
            return NULL;
        }
    } else if (t->nb_index) {
        r = mini_index(o);
    } else {
        bool found;
        r = call_special(o, MINI_ID(__trunc__), NULL, 0, &found);
        if (!found)
            return mini_raise(mini_exc_TypeError,
                              "int() argument must be a string, a bytes-like object or a real "
                              "number, not '%s'",
                              t->name);
        if (r && !int_check(r)) {
            MiniObject *i = mini_index(r);
            MINI_DECREF(r);
            r = i;
        }
    }
    // A subclass of int returned by __int__ becomes a plain int.
    if (r && MINI_IS_PTR(r) && r->type != &mini_int_type) {
        MiniObject *plain = NULL;
        int64_t v;
        if (int_as_i64(r, &v))
            plain = int_from_i64(v);
        else {
            mini_error_clear();
            MiniObject *s = int_to_string(r, 16);
            if (s)
                plain = int_from_string(STR_DATA(s), STR_SIZE(s), 16);
            MINI_XDECREF(s);
        }
        MINI_DECREF(r);
        r = plain;
    }
    return r;
}

MiniObject *mini_number_float(MiniObject *o) {
    if (MINI_IS_PTR(o) && o->type == &mini_float_type)
        return mini_newref(o);
    MiniType *t = mini_type(o);
    if (t->nb_float) {
        MiniObject *r = t->nb_float(o);
        if (r && !float_check(r)) {
            mini_raise(mini_exc_TypeError, "%s.__float__ returned non-float (type %s)", t->name,
                       mini_type_name(r));
            MINI_DECREF(r);
            return NULL;
        }
        if (r && r->type != &mini_float_type) {
            MiniObject *plain = float_new(((MiniFloat *)r)->value);
            MINI_DECREF(r);
            r = plain;
        }
        return r;
    }
    if (int_check(o) || t->nb_index) {
        MiniObject *i = mini_index(o);
        if (!i)
            return NULL;
        double d = int_as_double(i);
        MINI_DECREF(i);
        if (d == -1.0 && mini_error_occurred())
            return NULL;
        return float_new(d);
    }
    return mini_raise(mini_exc_TypeError, "float() argument must be a string or a real number, not '%s'",
                      t->name);
}

// ---------------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------------

ssize_t mini_len(MiniObject *o) {
    MiniType *t = mini_type(o);
    if (!t->len) {
        mini_raise(mini_exc_TypeError, "object of type '%s' has no len()", t->name);
        return -1;
    }
    return t->len(o);
}

MiniObject *mini_getitem(MiniObject *o, MiniObject *key) {
    MiniType *t = mini_type(o);
    if (t->getitem)
        return t->getitem(o, key);
    if (MINI_IS_PTR(o) && (t->flags & MINI_TPFLAG_TYPE_SUBCLASS)) {
        // list[int] and friends: __class_getitem__ on the class itself.
        MiniObject *cg = mini_getattr_opt(o, MINI_ID(__class_getitem__));
        if (cg) {
            MiniObject *r = mini_call_n(cg, 1, key);
            MINI_DECREF(cg);
            return r;
        }
        if (mini_error_occurred())
            return NULL;
        return mini_raise(mini_exc_TypeError, "type '%s' is not subscriptable",
                          ((MiniType *)o)->name);
    }
    return mini_raise(mini_exc_TypeError, "'%s' object is not subscriptable", t->name);
}

int mini_setitem(MiniObject *o, MiniObject *key, MiniObject *value) {
    MiniType *t = mini_type(o);
    if (!t->setitem) {
        mini_raise(mini_exc_TypeError, "'%s' object does not support item assignment", t->name);
        return -1;
    }
    return t->setitem(o, key, value);
}

int mini_delitem(MiniObject *o, MiniObject *key) {
    MiniType *t = mini_type(o);
    if (!t->setitem) {
        mini_raise(mini_exc_TypeError, "'%s' object doesn't support item deletion", t->name);
        return -1;
    }
    return t->setitem(o, key, NULL);
}

int mini_contains(MiniObject *container, MiniObject *item) {
    MiniType *t = mini_type(container);
    if (t->contains)
        return t->contains(container, item);
    if (!t->iter && !t->getitem) {
        mini_raise(mini_exc_TypeError, "argument of type '%s' is not iterable", t->name);
        return -1;
    }
    MiniObject *it = mini_iter(container);
    if (!it)
        return -1;
    int found = 0;
    for (;;) {
        MiniObject *x = mini_next(it);
        if (!x) {
            found = mini_error_occurred() ? -1 : 0;
            break;
        }
        int eq = mini_eq(x, item);
        MINI_DECREF(x);
        if (eq != 0) {
            found = eq;
            break;
        }
    }
    MINI_DECREF(it);
    return found;
}

MiniObject *mini_iter(MiniObject *o) {
    MiniType *t = mini_type(o);
    if (t->iter) {
        MiniObject *it = t->iter(o);
        if (it && !mini_type(it)->iternext) {
            mini_raise(mini_exc_TypeError, "iter() returned non-iterator of type '%s'",
                       mini_type_name(it));
            MINI_DECREF(it);
            return NULL;
        }
        return it;
    }
    if (t->getitem && !dict_check(o))
        return seqiter_new(o);
    return mini_raise(mini_exc_TypeError, "'%s' object is not iterable", t->name);
}

MiniObject *mini_next(MiniObject *it) {
    MiniType *t = mini_type(it);
    if (!t->iternext)
        return mini_raise(mini_exc_TypeError, "'%s' object is not an iterator", t->name);
    return t->iternext(it);
}

MiniObject *mini_sequence_list(MiniObject *iterable) {
    MiniObject *l = list_new(0);
    if (!l)
        return NULL;
    if (list_extend(l, iterable) < 0) {
        MINI_DECREF(l);
        return NULL;
    }
    return l;
}

MiniObject *mini_sequence_tuple(MiniObject *iterable) {
    if (MINI_IS_PTR(iterable) && iterable->type == &mini_tuple_type)
        return mini_newref(iterable);
    if (list_check(iterable))
        return tuple_from_array(LIST_ITEMS(iterable), LIST_SIZE(iterable));
    MiniObject *l = mini_sequence_list(iterable);
    if (!l)
        return NULL;
    MiniObject *t = list_as_tuple(l);
    MINI_DECREF(l);
    return t;
}

MiniObject *mini_format(MiniObject *value, MiniObject *spec) {
    bool empty = !spec || STR_SIZE(spec) == 0;
    if (empty) {
        if (MINI_IS_PTR(value) && value->type == &mini_str_type)
            return mini_newref(value);
        if (MINI_IS_SMALLINT(value))
            return mini_str(value);
    }
    MiniObject *spec_obj = spec ? spec : mini_intern("");
    bool found;
    MiniObject *r = call_special(value, MINI_ID(__format__), &spec_obj, 1, &found);
    if (!found)
        return mini_raise(mini_exc_TypeError, "Type %s doesn't define __format__",
                          mini_type_name(value));
    if (r && !str_check(r)) {
        mini_raise(mini_exc_TypeError, "__format__ must return a str, not %s", mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Recursive repr guard
// ---------------------------------------------------------------------------------------------

int mini_repr_enter(MiniObject *o) {
    ThreadState *ts = mini_ts;
    if (!ts->repr_active) {
        ts->repr_active = list_new(0);
        if (!ts->repr_active)
            return -1;
    }
    MiniObject *l = ts->repr_active;
    for (size_t i = 0; i < LIST_SIZE(l); i++)
        if (LIST_GET(l, i) == o)
            return 1;
    // The list holds borrowed pointers: it only answers "is this object being printed".
    if (list_append(l, MINI_NONE) < 0)
        return -1;
    LIST_ITEMS(l)[LIST_SIZE(l) - 1] = o;
    return 0;
}

void mini_repr_leave(MiniObject *o) {
    MiniObject *l = mini_ts->repr_active;
    if (!l)
        return;
    for (size_t i = LIST_SIZE(l); i > 0; i--) {
        if (LIST_GET(l, i - 1) == o) {
            // Shift the rest down; the slot held a borrowed pointer, so nothing to release.
            memmove(&LIST_ITEMS(l)[i - 1], &LIST_ITEMS(l)[i],
                    (LIST_SIZE(l) - i) * sizeof(MiniObject *));
            ((MiniList *)l)->size--;
            return;
        }
    }
}
