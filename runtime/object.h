// object.h - mini's object model: the value representation, the object header, type objects
// with their slots, reference counting, and the abstract operations every other file uses.
//
// Design
// ------
// A mini value is a `MiniObject *`, but not every such pointer points at memory. The low two
// bits are a tag:
//
//     ...xxx1   a small int: the value is the pointer shifted right by one (63 bits, signed)
//     ...xx10   a special constant: None, False, True (see MINI_NONE and friends)
//     ...xx00   a real pointer to a heap or static object with a MiniObject header
//
// Immediates (small ints, None, bools) carry no refcount and are never freed; MINI_INCREF and
// MINI_DECREF skip them after one bit test. Ints that do not fit 63 bits are MiniBigInt heap
// objects wrapping a GMP mpz_t; an int value has exactly one representation (a value that fits
// is always a small int), so equality of two small ints is pointer equality.
//
// Every heap object starts with MiniObject { refcnt, type }. Objects that can never die -
// builtin types, code objects, constants, interned strings, builtin functions - are *immortal*:
// their refcnt is at least MINI_IMMORTAL and INCREF/DECREF leave it alone, so threads that
// share them (later, with --no-gil) write nothing to shared cache lines.
//
// Container objects (anything that can take part in a reference cycle: list, dict, tuple, set,
// function, class instances, ...) are allocated with mini_gc_alloc(), which puts a GcHead in
// front of the object and links it into the VM's list of containers. That list lets the cycle
// collector and VM teardown reach every container. Their type has MINI_TPFLAG_GC and a
// `traverse` slot.
//
// Ownership and errors (the rules of the whole code base)
// -------------------------------------------------------
// - Every function returning MiniObject * says whether the result is a new reference or
//   borrowed. Unless said otherwise: results are NEW references, arguments are BORROWED.
// - An error is a pending exception on the current thread state (mini_raise*) plus a NULL
//   (pointer results), -1 (int/ssize_t results) or false (bool results). No longjmp anywhere.
// - iternext returns NULL *without* a pending exception when the iterator is exhausted.
//
// The GIL protects every object in this file: refcounts, container contents, the GC list.
// docs/gil.md lists what --no-gil must protect instead.

#ifndef MINI_OBJECT_H
#define MINI_OBJECT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mini_config.h"

typedef struct MiniObject MiniObject;
typedef struct MiniType MiniType;

struct MiniObject {
    intptr_t refcnt;
    MiniType *type;
};

// A refcount at or above this is immortal. Decrements from a huge value never reach zero.
#define MINI_IMMORTAL ((intptr_t)1 << 60)

// ---------------------------------------------------------------------------------------------
// Tagged immediates
// ---------------------------------------------------------------------------------------------

#define MINI_TAG_MASK ((uintptr_t)3)
#define MINI_IS_PTR(o) ((((uintptr_t)(o)) & MINI_TAG_MASK) == 0)
#define MINI_IS_SMALLINT(o) (((uintptr_t)(o)) & 1)
#define MINI_SMALLINT_VALUE(o) (((intptr_t)(o)) >> 1)
#define MINI_FROM_SMALLINT(v) ((MiniObject *)(((uintptr_t)(intptr_t)(v) << 1) | 1))
#define MINI_SMALLINT_MAX (INTPTR_MAX >> 1)
#define MINI_SMALLINT_MIN (INTPTR_MIN >> 1)
#define MINI_FITS_SMALLINT(v) ((v) >= MINI_SMALLINT_MIN && (v) <= MINI_SMALLINT_MAX)

// Special constants: tag 10, index in bits 2 and up.
#define MINI_SPECIAL(i) ((MiniObject *)(((uintptr_t)(i) << 2) | 2))
#define MINI_IS_SPECIAL(o) ((((uintptr_t)(o)) & MINI_TAG_MASK) == 2)
#define MINI_SPECIAL_INDEX(o) (((uintptr_t)(o)) >> 2)
#define MINI_NONE MINI_SPECIAL(0)
#define MINI_FALSE MINI_SPECIAL(1)
#define MINI_TRUE MINI_SPECIAL(2)
#define MINI_SPECIAL_COUNT 3
#define MINI_BOOL(c) ((c) ? MINI_TRUE : MINI_FALSE)
#define MINI_IS_BOOL(o) ((o) == MINI_TRUE || (o) == MINI_FALSE)

// NotImplemented and Ellipsis are ordinary immortal static objects (runtime/object.c).
extern MiniObject mini_NotImplemented_obj, mini_Ellipsis_obj;
#define MINI_NOTIMPL (&mini_NotImplemented_obj)
#define MINI_ELLIPSIS (&mini_Ellipsis_obj)

extern MiniType *const mini_special_types[MINI_SPECIAL_COUNT];
extern MiniType mini_int_type;

// The type of any value, immediates included. Borrowed.
static inline MiniType *mini_type(MiniObject *o) {
    uintptr_t b = (uintptr_t)o;
    if (b & 1)
        return &mini_int_type;
    if (b & 2)
        return mini_special_types[b >> 2];
    return o->type;
}
#define MINI_TYPE(o) mini_type((MiniObject *)(o))

// ---------------------------------------------------------------------------------------------
// Reference counting
// ---------------------------------------------------------------------------------------------

void mini_dealloc(MiniObject *o); // calls type->dealloc; object.c

static inline void mini_incref(MiniObject *o) {
    if (MINI_IS_PTR(o) && o->refcnt < MINI_IMMORTAL)
        o->refcnt++;
}
static inline void mini_decref(MiniObject *o) {
    if (MINI_IS_PTR(o) && o->refcnt < MINI_IMMORTAL && --o->refcnt == 0)
        mini_dealloc(o);
}
#define MINI_INCREF(o) mini_incref((MiniObject *)(o))
#define MINI_DECREF(o) mini_decref((MiniObject *)(o))
// The X forms accept NULL; each evaluates its argument exactly once.
#define MINI_XINCREF(o)                                                                          \
    do {                                                                                         \
        MiniObject *_xo = (MiniObject *)(o);                                                     \
        if (_xo)                                                                                 \
            mini_incref(_xo);                                                                    \
    } while (0)
#define MINI_XDECREF(o)                                                                          \
    do {                                                                                         \
        MiniObject *_xo = (MiniObject *)(o);                                                     \
        if (_xo)                                                                                 \
            mini_decref(_xo);                                                                    \
    } while (0)
#define MINI_CLEAR(p)                                                                            \
    do {                                                                                         \
        MiniObject *_tmp = (MiniObject *)(p);                                                    \
        if (_tmp) {                                                                              \
            (p) = NULL;                                                                          \
            MINI_DECREF(_tmp);                                                                   \
        }                                                                                        \
    } while (0)
// Replace the reference in [p] by [v] (a new reference the caller hands over).
#define MINI_SETREF(p, v)                                                                        \
    do {                                                                                         \
        MiniObject *_old = (MiniObject *)(p);                                                    \
        (p) = (v);                                                                               \
        MINI_XDECREF(_old);                                                                      \
    } while (0)

// Returns a new reference to [o] (for `return mini_newref(MINI_NONE);`).
static inline MiniObject *mini_newref(MiniObject *o) {
    mini_incref(o);
    return o;
}
// Makes [o] immortal: it will never be freed (until VM teardown frees the process).
static inline void mini_make_immortal(MiniObject *o) {
    if (MINI_IS_PTR(o))
        o->refcnt = MINI_IMMORTAL + (MINI_IMMORTAL >> 1);
}

// ---------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------

// malloc/realloc/free with the heap cap. On failure they raise MemoryError and return NULL.
void *mini_malloc(size_t size);
void *mini_calloc(size_t n, size_t size);
void *mini_realloc(void *p, size_t size);
void mini_free(void *p);

// Allocates a non-container object of [type] with [size] bytes (header included), refcnt 1.
// New reference; NULL + MemoryError on failure.
MiniObject *mini_alloc(MiniType *type, size_t size);

// The header in front of every container object.
typedef struct GcHead {
    struct GcHead *next, *prev;
    intptr_t gc_refs; // scratch for the collector
} GcHead;
#define MINI_GC_HEAD(o) (((GcHead *)(o)) - 1)
#define MINI_GC_OBJ(g) ((MiniObject *)(((GcHead *)(g)) + 1))
// (Added by class.c.) A bit of GcHead.gc_refs: the container's finalizer (__del__) has run and
// must never run again, even if the object was resurrected (PEP 442). class.c sets it when an
// instance of a class with __del__ dies; the cycle collector must keep it when it uses gc_refs
// as scratch, and set it when it finalizes garbage itself.
#define MINI_GC_FINALIZED ((intptr_t)1 << 62)

// Allocates a container of [type] with [size] bytes (header included, GcHead not), refcnt 1,
// zero-filled, linked into the VM's container list. New reference.
MiniObject *mini_gc_alloc(MiniType *type, size_t size);
// Allocates an instance of [type] (builtin or heap subclass): type->basicsize + [extra] bytes,
// zero-filled, refcnt 1, through mini_gc_alloc when the type has MINI_TPFLAG_GC, else
// mini_alloc. A heap type gets a reference from each instance (released by class.c's
// subtype dealloc). Every tp_new of a subclassable builtin type allocates with this.
MiniObject *mini_type_alloc(MiniType *type, size_t extra);
// Unlinks a container from the VM's list (no-op if not tracked).
void mini_gc_untrack(MiniObject *o);
// Frees the memory of an object from mini_alloc/mini_gc_alloc/mini_type_alloc, after its
// dealloc released its contents; untracks containers (looks at MINI_TYPE(o)->flags).
void mini_object_free(MiniObject *o);

typedef int (*MiniVisitProc)(MiniObject *o, void *arg);
#define MINI_VISIT(o)                                                                            \
    do {                                                                                         \
        if (o) {                                                                                 \
            int _r = visit((MiniObject *)(o), arg);                                              \
            if (_r)                                                                              \
                return _r;                                                                       \
        }                                                                                        \
    } while (0)

// (Added by gc.c.) The cycle collector (runtime/gc.c; its design note says how it works).
// mini_dealloc() untracks a container before calling its dealloc, so a dealloc that
// resurrects the object (its __del__ stored it somewhere) must put it back with
// mini_gc_track(), which links it into the VM's list again (no-op if it is tracked).
void mini_gc_track(MiniObject *o);
struct VM;
// Runs a full collection now and returns how many unreachable objects it found (what
// gc.collect() returns); 0 when a collection is already running. Never raises: errors in
// finalizers are printed as unraisable.
size_t gc_collect(struct VM *vm);
// The same for generation 0 or 1 (the young containers only: mini has two generations,
// CPython's 0 and 2) or 2 (all of them), as gc.collect(generation) asks.
size_t gc_collect_generation(struct VM *vm, int generation);
// What mini_gc_alloc() calls when vm->gc_count reaches vm->gc_trigger: collects unless that
// is unsafe right now (a collection runs, an exception is pending, the VM is not ready).
void gc_collect_on_threshold(struct VM *vm);
// Recomputes vm->gc_trigger after the thresholds or gc.enable/disable changed.
void gc_update_trigger(struct VM *vm);
// vm_new() calls gc_vm_init() once the VM is made, which lets collections start; vm_free()
// calls gc_vm_fini() after the last objects of the program are released: a last collection,
// then no more.
void gc_vm_init(struct VM *vm);
void gc_vm_fini(struct VM *vm);
// Makes [o] immortal for the life of the running VM rather than of the process: code objects
// and their constants (vm/code.c, compiler/parser.c). vm_free() frees them at its very end,
// with mini_vm_free_immortals(), in the reverse order of these calls: a container must be made
// immortal after the objects it holds. A str that was interned meanwhile belongs to the
// process-wide table and stays. Without a VM (no thread state) it is mini_make_immortal().
void mini_make_immortal_vm(MiniObject *o);
void mini_vm_free_immortals(struct VM *vm);
// vm_free() calls it to tear the modules down as CPython's Py_FinalizeEx does: a collection
// while everything is intact, then every module leaves sys.modules (and __main__ the VM) and
// a collection reclaims the namespaces that are in cycles (their finalizers run with every
// name bound), then sys and builtins have their names set to None and a last collection runs.
void gc_finalize_modules(struct VM *vm);

// ---------------------------------------------------------------------------------------------
// Type objects
// ---------------------------------------------------------------------------------------------

// Binary operators, in the order the BINARY_OP opcode's argument uses. The in-place form of
// operator K is BINOP_INPLACE + K.
typedef enum {
    BINOP_ADD,
    BINOP_SUB,
    BINOP_MUL,
    BINOP_TRUEDIV,
    BINOP_FLOORDIV,
    BINOP_MOD,
    BINOP_POW,
    BINOP_LSHIFT,
    BINOP_RSHIFT,
    BINOP_AND,
    BINOP_OR,
    BINOP_XOR,
    BINOP_MATMUL,
    BINOP_COUNT,
    BINOP_INPLACE = 16,
} MiniBinOp;

// Comparison operators, in the order of the COMPARE_OP argument (same as CPython's).
typedef enum { CMP_LT, CMP_LE, CMP_EQ, CMP_NE, CMP_GT, CMP_GE } MiniCmpOp;

// Type flags.
#define MINI_TPFLAG_HEAPTYPE (1u << 0)  // created by a class statement or type(); mutable
#define MINI_TPFLAG_BASETYPE (1u << 1)  // may be subclassed
#define MINI_TPFLAG_GC (1u << 2)        // instances are containers (mini_gc_alloc)
#define MINI_TPFLAG_READY (1u << 3)     // type_ready() has run
#define MINI_TPFLAG_INT_SUBCLASS (1u << 8)
#define MINI_TPFLAG_LIST_SUBCLASS (1u << 9)
#define MINI_TPFLAG_TUPLE_SUBCLASS (1u << 10)
#define MINI_TPFLAG_STR_SUBCLASS (1u << 11)
#define MINI_TPFLAG_DICT_SUBCLASS (1u << 12)
#define MINI_TPFLAG_EXC_SUBCLASS (1u << 13) // BaseException and its subclasses
#define MINI_TPFLAG_TYPE_SUBCLASS (1u << 14)
#define MINI_TPFLAG_IS_ABSTRACT (1u << 15)
// A heap subclass of str or bytes: the fields it adds to the instance (__slots__ members, the
// __dict__ pointer) follow the inline text (see varsize_field_ptr), so only mini_dict_ptr()
// finds the __dict__.
#define MINI_TPFLAG_VARSIZE_FIELDS (1u << 16)

// The calling convention of every callable ("vectorcall"): [args] holds [nargs] positional
// arguments followed by len(kwnames) keyword argument values; [kwnames] is NULL or a tuple of
// str naming those keyword values. Arguments are borrowed. Returns a new reference or NULL.
typedef MiniObject *(*MiniCallFunc)(MiniObject *callable, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames);

// A method of a builtin type, listed in its `methods` table; `self` is the receiver.
typedef MiniObject *(*MiniCFunc)(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames);
typedef struct {
    const char *name;
    MiniCFunc func;
    int flags; // MINI_METH_* below
    const char *doc;
} MiniMethodDef;
#define MINI_METH_STATIC (1 << 0) // staticmethod: self is NULL
#define MINI_METH_CLASS (1 << 1)  // classmethod: self is the type

// A computed attribute of a builtin type ("getset" descriptor).
typedef MiniObject *(*MiniGetter)(MiniObject *self);
typedef int (*MiniSetter)(MiniObject *self, MiniObject *value); // value NULL means delete
typedef struct {
    const char *name;
    MiniGetter get;
    MiniSetter set; // NULL: read-only ("attribute 'x' of 'T' objects is not writable")
    const char *doc;
} MiniGetSetDef;

struct MiniType {
    MiniObject ob; // ob.type is &mini_type_type (or a metaclass)
    const char *name; // tp_name: "int", "list", "MyClass" (heap types: points into name_obj)
    size_t basicsize; // bytes of an instance (header included, GcHead not)
    uint32_t flags;   // MINI_TPFLAG_*

    MiniType *base;   // the "solid" base (first base), NULL only for object
    MiniObject *bases; // tuple of types
    MiniObject *mro;   // tuple of types, self first
    MiniObject *dict;  // dict: the class namespace (methods wrapped as descriptors)
    MiniObject *name_obj, *qualname, *module; // str (module may be NULL for builtins)
    size_t dictoffset; // offset of the instance `__dict__` pointer, 0 if instances have none
    size_t weaklistoffset;

    // Lifecycle.
    void (*dealloc)(MiniObject *self);
    int (*traverse)(MiniObject *self, MiniVisitProc visit, void *arg); // GC types only
    int (*clear)(MiniObject *self); // drop references (cycle collector)
    // type(args) calls new then, if the result is an instance of the type, init.
    MiniObject *(*tp_new)(MiniType *type, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames);
    int (*tp_init)(MiniObject *self, MiniObject *const *args, size_t nargs, MiniObject *kwnames);
    void (*finalize)(MiniObject *self); // __del__

    // Conversion and identity.
    MiniObject *(*repr)(MiniObject *self); // new str
    MiniObject *(*str)(MiniObject *self);  // new str; NULL slot means repr
    int64_t (*hash)(MiniObject *self);     // -1 on error; NULL slot: unhashable
    MiniObject *(*richcompare)(MiniObject *a, MiniObject *b, int op); // may be NotImplemented

    // Attributes: name is a str (usually interned). setattr with value NULL deletes.
    MiniObject *(*getattr)(MiniObject *self, MiniObject *name);
    int (*setattr)(MiniObject *self, MiniObject *name, MiniObject *value);
    // Descriptor protocol (functions, properties, staticmethod, classmethod, getsets).
    MiniObject *(*descr_get)(MiniObject *descr, MiniObject *obj /*NULL via class*/,
                             MiniObject *type);
    int (*descr_set)(MiniObject *descr, MiniObject *obj, MiniObject *value /*NULL: delete*/);

    MiniCallFunc call;

    // Iteration.
    MiniObject *(*iter)(MiniObject *self);
    MiniObject *(*iternext)(MiniObject *self);

    // Numbers. Each binary slot is called as slot(a, b) when either a or b has this type, in
    // CPython's order (a's type first, unless b's type is a proper subclass that overrides);
    // it returns NotImplemented for operands it does not handle. The in-place slots may be
    // NULL (then the binary slot is used).
    MiniObject *(*binop[BINOP_COUNT])(MiniObject *a, MiniObject *b);
    MiniObject *(*inplace[BINOP_COUNT])(MiniObject *a, MiniObject *b);
    MiniObject *(*nb_pow3)(MiniObject *a, MiniObject *b, MiniObject *mod); // pow(a, b, mod)
    MiniObject *(*nb_neg)(MiniObject *self);
    MiniObject *(*nb_pos)(MiniObject *self);
    MiniObject *(*nb_invert)(MiniObject *self);
    MiniObject *(*nb_abs)(MiniObject *self);
    int (*nb_bool)(MiniObject *self); // 1, 0, or -1 on error
    MiniObject *(*nb_int)(MiniObject *self);   // __int__
    MiniObject *(*nb_float)(MiniObject *self); // __float__
    MiniObject *(*nb_index)(MiniObject *self); // __index__

    // Containers.
    ssize_t (*len)(MiniObject *self); // -1 on error
    MiniObject *(*getitem)(MiniObject *self, MiniObject *key);
    int (*setitem)(MiniObject *self, MiniObject *key, MiniObject *value /*NULL: delete*/);
    int (*contains)(MiniObject *self, MiniObject *item); // 1, 0, or -1 on error

    // Definitions turned into entries of `dict` by type_ready().
    const MiniMethodDef *methods;
    const MiniGetSetDef *getset;
    const char *doc;
    // (Added by weakref.c.) The weak references to this type object, as for any object whose
    // type has a weaklistoffset (the type of types points it here). NULL when there are none.
    MiniObject *weaklist;
};

// Prepares a static builtin type: fills bases/mro/dict from base, methods and getset, and
// inherits NULL slots from the base. Called once per process for each builtin type by
// runtime_init(). Returns false with an exception on failure.
bool type_ready(MiniType *type);

// True if [t] is [base] or a subclass of it (walks t->mro).
bool type_is_subtype(MiniType *t, MiniType *base);
// isinstance(o, t) for a type t, without __instancecheck__.
static inline bool mini_isinstance_type(MiniObject *o, MiniType *t) {
    MiniType *ot = mini_type(o);
    return ot == t || type_is_subtype(ot, t);
}
// Looks [name] up along the mro of [t]. Borrowed reference or NULL (no exception).
MiniObject *type_lookup(MiniType *t, MiniObject *name);
// Looks [name] (a C string) up along the mro of [t]. Borrowed or NULL (no exception).
MiniObject *type_lookup_cstr(MiniType *t, const char *name);

// ---------------------------------------------------------------------------------------------
// The builtin types (defined in runtime/<type>.c unless noted)
// ---------------------------------------------------------------------------------------------

extern MiniType mini_type_type;      // type (class.c)
extern MiniType mini_object_type;    // object (class.c)
extern MiniType mini_super_type;     // super (class.c)
extern MiniType mini_property_type;  // property (class.c)
extern MiniType mini_staticmethod_type, mini_classmethod_type; // (class.c)
extern MiniType mini_none_type;      // NoneType (object.c)
extern MiniType mini_notimpl_type;   // NotImplementedType (object.c)
extern MiniType mini_ellipsis_type;  // ellipsis (object.c)
extern MiniType mini_bool_type;      // bool (int.c)
extern MiniType mini_float_type;     // float (float.c)
extern MiniType mini_str_type;       // str (str.c)
extern MiniType mini_bytes_type;     // bytes (bytes.c)
extern MiniType mini_bytearray_type; // bytearray (bytes.c)
extern MiniType mini_list_type;      // list (list.c)
extern MiniType mini_tuple_type;     // tuple (tuple.c)
extern MiniType mini_dict_type;      // dict (dict.c)
extern MiniType mini_set_type, mini_frozenset_type; // (set.c)
extern MiniType mini_range_type;     // range (range.c)
extern MiniType mini_slice_type;     // slice (slice.c)
extern MiniType mini_function_type;  // function (function.c)
extern MiniType mini_method_type;    // bound method (function.c)
extern MiniType mini_cell_type;      // cell (function.c)
extern MiniType mini_builtin_function_type; // builtin_function_or_method (function.c)
extern MiniType mini_method_descr_type;     // method_descriptor (function.c)
extern MiniType mini_getset_descr_type;     // getset_descriptor (function.c)
extern MiniType mini_code_type;      // code (vm/code.c)
extern MiniType mini_generator_type; // generator (generator.c)
extern MiniType mini_coroutine_type; // coroutine (generator.c)
extern MiniType mini_coroutine_wrapper_type; // coroutine_wrapper: coro.__await__() (generator.c)
extern MiniType mini_module_type;    // module (module.c)
extern MiniType mini_base_exception_type; // BaseException (exception.c)
extern MiniType mini_traceback_type; // traceback (exception.c)

// ---------------------------------------------------------------------------------------------
// Weak references (runtime/weakref.c)
// ---------------------------------------------------------------------------------------------

// An object can be weakly referenced when its type has a nonzero `weaklistoffset`: the offset
// of a `MiniObject *` field that heads the list of weak references to it (NULL when none; a
// zero-filled allocation is right). The type of a heap class adds that field when CPython's
// would have __weakref__. Before an object is freed its weak references are cleared and their
// callbacks run: mini_dealloc does it for builtin types, subtype_dealloc (class.c) after
// __del__ for instances of classes, the cycle collector for garbage (gc.c).
extern MiniType mini_weakref_type; // weakref.ReferenceType
// The address of [o]'s list of weak references, or NULL when [o] cannot have any. Borrowed.
MiniObject **weakref_list_ptr(MiniObject *o);
// Clears every weak reference to [o] and calls their callbacks (CPython's
// PyObject_ClearWeakRefs). Keeps a pending exception pending; a callback's error is reported
// as "Exception ignored in:" and swallowed.
void weakref_clear_all(MiniObject *o);

// ---------------------------------------------------------------------------------------------
// Abstract operations (object.c unless noted). All raise on error.
// ---------------------------------------------------------------------------------------------

MiniObject *mini_repr(MiniObject *o);  // new str
MiniObject *mini_str(MiniObject *o);   // new str
MiniObject *mini_ascii(MiniObject *o); // new str
int64_t mini_hash(MiniObject *o);      // -1 on error (TypeError: unhashable type: 'list')
// Rich comparison; returns a new reference (usually a bool) or NULL.
MiniObject *mini_richcompare(MiniObject *a, MiniObject *b, int op);
// Rich comparison reduced to truth: 1, 0, or -1 on error.
int mini_richcompare_bool(MiniObject *a, MiniObject *b, int op);
// a == b with the identity shortcut (as containers compare): 1, 0, -1.
int mini_eq(MiniObject *a, MiniObject *b);
int mini_truthy(MiniObject *o); // bool(o): 1, 0, -1

MiniObject *mini_getattr(MiniObject *o, MiniObject *name);
MiniObject *mini_getattr_cstr(MiniObject *o, const char *name);
// getattr without raising AttributeError: returns NULL with no exception when missing.
MiniObject *mini_getattr_opt(MiniObject *o, MiniObject *name);
int mini_setattr(MiniObject *o, MiniObject *name, MiniObject *value);
int mini_delattr(MiniObject *o, MiniObject *name);
// object.__getattribute__ / __setattr__ (data descriptors, instance dict, class attributes).
MiniObject *mini_generic_getattr(MiniObject *o, MiniObject *name);
// The same lookup returning NULL with no exception when the attribute is missing.
MiniObject *mini_generic_getattr_opt(MiniObject *o, MiniObject *name);
int mini_generic_setattr(MiniObject *o, MiniObject *name, MiniObject *value);
// The address of the instance __dict__ slot of [o], or NULL if it has none.
MiniObject **mini_dict_ptr(MiniObject *o);

// Calls [callable] (vectorcall convention above). New reference or NULL.
MiniObject *mini_call(MiniObject *callable, MiniObject *const *args, size_t nargs,
                      MiniObject *kwnames);
// Calls with a tuple of positional args and an optional dict of keywords.
MiniObject *mini_call_tuple_dict(MiniObject *callable, MiniObject *args, MiniObject *kwargs);
// Convenience: mini_call_n(f, 2, a, b).
MiniObject *mini_call_n(MiniObject *callable, size_t nargs, ...);
// Calls o.name(args...) (positional only).
MiniObject *mini_call_method(MiniObject *o, const char *name, size_t nargs, ...);
bool mini_callable(MiniObject *o);

MiniObject *mini_binary_op(MiniObject *a, MiniObject *b, int op); // op: MiniBinOp, + INPLACE
MiniObject *mini_pow3(MiniObject *a, MiniObject *b, MiniObject *mod); // mod may be None
MiniObject *mini_neg(MiniObject *o);
MiniObject *mini_pos(MiniObject *o);
MiniObject *mini_invert(MiniObject *o);
MiniObject *mini_abs(MiniObject *o);
MiniObject *mini_index(MiniObject *o); // operator.index: a new int, or TypeError
// The value of an index-like object as ssize_t; OverflowError if it does not fit
// ("cannot fit 'int' into an index-sized integer"). -1 with exception on error.
ssize_t mini_as_ssize(MiniObject *o);
MiniObject *mini_number_int(MiniObject *o);   // int(o) for a non-str o
MiniObject *mini_number_float(MiniObject *o); // float(o) for a non-str o

ssize_t mini_len(MiniObject *o); // TypeError: object of type 'int' has no len()
MiniObject *mini_getitem(MiniObject *o, MiniObject *key);
int mini_setitem(MiniObject *o, MiniObject *key, MiniObject *value);
int mini_delitem(MiniObject *o, MiniObject *key);
int mini_contains(MiniObject *container, MiniObject *item); // `item in container`

MiniObject *mini_iter(MiniObject *o); // iter(o): TypeError: 'int' object is not iterable
// next(it): a new reference, or NULL: exhausted when no exception is pending.
MiniObject *mini_next(MiniObject *it);
// list(iterable). New list.
MiniObject *mini_sequence_list(MiniObject *iterable);
// tuple(iterable). New tuple.
MiniObject *mini_sequence_tuple(MiniObject *iterable);
// Format(value, spec) as builtins.format: calls __format__. New str.
MiniObject *mini_format(MiniObject *value, MiniObject *spec);

// Guards for repr of self-containing containers ([[...]], {...}): enter returns 1 if [o] is
// already being repr'd on this thread (print "[...]"), 0 if not (then call leave), -1 error.
int mini_repr_enter(MiniObject *o);
void mini_repr_leave(MiniObject *o);

// The name of [o]'s type as C string, for messages ("'int' object is not callable").
static inline const char *mini_type_name(MiniObject *o) { return mini_type(o)->name; }

// ---------------------------------------------------------------------------------------------
// Identifiers and the process-wide runtime
// ---------------------------------------------------------------------------------------------

// Interned names C code uses (runtime/ids.def): MINI_ID(__init__) is the str "__init__".
typedef struct {
#define ID(name) MiniObject *id_##name;
#include "ids.def"
#undef ID
} MiniIds;

// The process-wide runtime (one per process, vm/vm.c): what exists before and beyond any VM,
// and what signal handlers and fork hooks need. Filled once by runtime_init().
typedef struct {
    bool initialized;
    MiniObject *interned; // dict str -> str of every interned (immortal) string
    MiniIds ids;
    // Immortal caches made by str_init() (str.c, bytes.c), shared by every VM, so that
    // indexing and iterating over ASCII text or bytes allocates nothing.
    MiniObject *empty_str;
    MiniObject *char_strs[128]; // the one-character ASCII strings
    MiniObject *empty_bytes;
    MiniObject *byte_bytes[256]; // the one-byte bytes objects
} MiniRuntime;
extern MiniRuntime mini_runtime;
#define MINI_ID(name) (mini_runtime.ids.id_##name)

// ---------------------------------------------------------------------------------------------
// int (int.c). Small ints are immediates; big ones wrap GMP.
// ---------------------------------------------------------------------------------------------

MiniObject *int_from_i64(int64_t v);    // new reference (immediate when it fits)
MiniObject *int_from_u64(uint64_t v);
MiniObject *int_from_double(double d);  // truncates; OverflowError for inf, ValueError for nan
// Parses [s] (len bytes) in [base] (0 = from prefix) with Python's rules (underscores,
// whitespace, sign). ValueError "invalid literal for int() with base 10: 'x'".
MiniObject *int_from_string(const char *s, size_t len, int base);
static inline bool int_check(MiniObject *o) {
    return MINI_IS_SMALLINT(o) || MINI_IS_BOOL(o) ||
           (MINI_IS_PTR(o) && (o->type->flags & MINI_TPFLAG_INT_SUBCLASS));
}
static inline bool int_check_exact(MiniObject *o) {
    return MINI_IS_SMALLINT(o) || (MINI_IS_PTR(o) && o->type == &mini_int_type);
}
// The value as int64; false with OverflowError if it does not fit. Accepts bools.
bool int_as_i64(MiniObject *o, int64_t *out);
double int_as_double(MiniObject *o); // OverflowError "int too large to convert to float"; -1.0
int int_sign(MiniObject *o);
MiniObject *int_to_string(MiniObject *o, int base); // new str, base 2/8/10/16 with no prefix

// ---------------------------------------------------------------------------------------------
// float (float.c)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    double value;
} MiniFloat;
MiniObject *float_new(double v);
static inline bool float_check(MiniObject *o) {
    return MINI_IS_PTR(o) && mini_isinstance_type(o, &mini_float_type);
}
// float(o) value for int or float (or __float__/__index__); -1.0 with exception on error.
double float_as_double(MiniObject *o);
// repr of a double the way Python prints it: shortest round-trip ("0.1", "1e+20", "inf").
MiniObject *float_repr_double(double v);

// ---------------------------------------------------------------------------------------------
// str (str.c): immutable UTF-8, indexed by code point. `length` counts code points, `size`
// bytes; `data` is NUL-terminated. Strings made by mini_intern are immortal and unique.
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    int64_t hash;    // -1 until computed
    size_t length;   // code points
    size_t size;     // bytes
    uint8_t ascii;   // every byte < 0x80: index by byte
    uint8_t interned;
    char data[];
} MiniStr;

#define STR_DATA(o) (((MiniStr *)(o))->data)
#define STR_SIZE(o) (((MiniStr *)(o))->size)
#define STR_LEN(o) (((MiniStr *)(o))->length)
static inline bool str_check(MiniObject *o) {
    return MINI_IS_PTR(o) && (o->type == &mini_str_type ||
                              (o->type->flags & MINI_TPFLAG_STR_SUBCLASS));
}
MiniObject *str_new(const char *utf8, size_t size); // copies; input must be valid UTF-8
MiniObject *str_from_cstr(const char *s);
MiniObject *str_from_format(const char *fmt, ...); // printf-style, plus %S (str of obj), %R (repr)
// Decodes bytes as UTF-8 with strict errors (UnicodeDecodeError). New str.
MiniObject *str_decode_utf8(const char *bytes, size_t size);
// The interned, immortal str for [s]: one object per distinct text in the process.
MiniObject *mini_intern(const char *s);
MiniObject *mini_intern_n(const char *s, size_t size);
// Interns an existing str (returns the canonical immortal one; new reference semantics do not
// matter since it is immortal). Consumes nothing.
MiniObject *str_intern(MiniObject *s);
bool str_eq(MiniObject *a, MiniObject *b); // both str
int64_t str_hash(MiniObject *s);
MiniObject *str_concat(MiniObject *a, MiniObject *b);
// Joins a list/tuple of str with [sep]. New str.
MiniObject *str_join(MiniObject *sep, MiniObject *seq);
// The code point at index [i] (0 <= i < length) as a new 1-char str.
MiniObject *str_getchar(MiniObject *s, size_t i);
// Applies a format spec to a str (used by __format__). New str.
MiniObject *str_format_spec(MiniObject *s, MiniObject *spec);
// `fmt % args` for str. New str.
MiniObject *str_percent_format(MiniObject *fmt, MiniObject *args);
// Creates the str and bytes caches of mini_runtime (empty_str, char_strs, empty_bytes,
// byte_bytes) and the interned-string table mini_runtime.interned if it is still NULL.
// runtime_init() calls it first, before anything is interned. False with an exception.
bool str_init(void);
// str_from_format with a va_list (what mini_raise builds its message with). New str.
MiniObject *str_from_vformat(const char *fmt, va_list ap);
// The value 0-9 of a Unicode decimal digit (category Nd, e.g. '٣' is 3), or -1; and whether a
// code point is whitespace as str.isspace() says. For int() and float() of non-ASCII text.
int str_decimal_value(uint32_t cp);
bool str_is_space(uint32_t cp);

// A growable UTF-8 buffer for building strings in C.
typedef struct {
    char *data;
    size_t size, cap;
    bool failed; // an allocation failed (MemoryError is pending)
} StrBuf;
void strbuf_init(StrBuf *b);
void strbuf_add(StrBuf *b, const char *s, size_t n);
void strbuf_addc(StrBuf *b, char c);
void strbuf_adds(StrBuf *b, const char *s);
void strbuf_addf(StrBuf *b, const char *fmt, ...);
void strbuf_add_obj(StrBuf *b, MiniObject *str); // appends a str object's text
MiniObject *strbuf_finish(StrBuf *b); // new str (NULL if failed); frees the buffer
void strbuf_free(StrBuf *b);

// ---------------------------------------------------------------------------------------------
// bytes / bytearray (bytes.c)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    int64_t hash;
    size_t size;
    char data[]; // NUL-terminated for convenience
} MiniBytes;
typedef struct {
    MiniObject ob;
    size_t size, cap;
    char *data;
} MiniByteArray;
MiniObject *bytes_new(const char *data, size_t size);
// A new bytearray holding a copy of [size] bytes at [data] (NULL for zeros).
MiniObject *bytearray_new(const char *data, size_t size);
// The contents of a bytes-like object (bytes or bytearray, subclasses included): borrowed
// pointers valid while [o] lives and is not resized. False (no exception) for anything else.
bool bytes_buffer(MiniObject *o, const char **data, size_t *size);
// What a bytes-like [o] holds, as a bytes object that stays put while the GIL is released:
// [o] itself when it is bytes (new reference), a copy when it is a bytearray (another thread
// could resize it meanwhile; CPython forbids that while a buffer is exported). NULL with
// CPython's TypeError "a bytes-like object is required, not 'T'" for anything else.
MiniObject *bytes_stable(MiniObject *o);
static inline bool bytearray_check(MiniObject *o) {
    return MINI_IS_PTR(o) && mini_isinstance_type(o, &mini_bytearray_type);
}
static inline bool bytes_check(MiniObject *o) {
    return MINI_IS_PTR(o) && mini_isinstance_type(o, &mini_bytes_type);
}

// ---------------------------------------------------------------------------------------------
// tuple (tuple.c) and list (list.c)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    size_t size;
    int64_t hash; // -1 until computed (only used when every item is immortal? no: cached)
    MiniObject *items[];
} MiniTuple;
typedef struct {
    MiniObject ob;
    size_t size, cap;
    MiniObject **items;
} MiniList;

#define TUPLE_SIZE(o) (((MiniTuple *)(o))->size)
#define TUPLE_ITEMS(o) (((MiniTuple *)(o))->items)
#define TUPLE_GET(o, i) (((MiniTuple *)(o))->items[i])
#define LIST_SIZE(o) (((MiniList *)(o))->size)
#define LIST_ITEMS(o) (((MiniList *)(o))->items)
#define LIST_GET(o, i) (((MiniList *)(o))->items[i])
static inline bool tuple_check(MiniObject *o) {
    return MINI_IS_PTR(o) && (o->type == &mini_tuple_type ||
                              (o->type->flags & MINI_TPFLAG_TUPLE_SUBCLASS));
}
static inline bool list_check(MiniObject *o) {
    return MINI_IS_PTR(o) && (o->type == &mini_list_type ||
                              (o->type->flags & MINI_TPFLAG_LIST_SUBCLASS));
}

// A new tuple of [n] items, all NULL: the caller fills every slot (TUPLE_ITEMS) before use.
MiniObject *tuple_new(size_t n);
// A new tuple holding new references to items[0..n).
MiniObject *tuple_from_array(MiniObject *const *items, size_t n);
MiniObject *tuple_pack(size_t n, ...); // borrowed args
MiniObject *tuple_empty(void);         // the immortal ()

MiniObject *list_new(size_t n); // n NULL items the caller fills (LIST_ITEMS)
MiniObject *list_from_array(MiniObject *const *items, size_t n);
int list_append(MiniObject *list, MiniObject *item); // borrows item; 0 or -1
int list_extend(MiniObject *list, MiniObject *iterable);
int list_sort(MiniObject *list, MiniObject *key /*NULL*/, bool reverse);
MiniObject *list_as_tuple(MiniObject *list);

// The list iterator (list.c), exposed so that the eval loop's FOR_ITER can step it inline.
// [seq] is the list, NULL once the iterator is exhausted; [index] the next position.
typedef struct {
    MiniObject ob;
    MiniObject *seq;
    size_t index;
} MiniListIter;
extern MiniType mini_listiter_type;
static inline bool listiter_check(MiniObject *o) {
    return MINI_IS_PTR(o) && o->type == &mini_listiter_type;
}
// The next item of a list iterator: a new reference, or NULL (never an exception) when it is
// exhausted. The list may have shrunk meanwhile: the index is checked against its size.
static inline MiniObject *listiter_next_fast(MiniObject *it) {
    MiniListIter *li = (MiniListIter *)it;
    MiniObject *seq = li->seq;
    if (!seq)
        return NULL;
    if (li->index < LIST_SIZE(seq)) {
        MiniObject *item = LIST_GET(seq, li->index);
        li->index++;
        mini_incref(item);
        return item;
    }
    li->seq = NULL;
    mini_decref(seq);
    return NULL;
}

// The __dict__ slot of an instance of a heap subclass of tuple. A tuple's items are stored
// inline and their number varies, so such an instance keeps its __dict__ pointer after the
// items: at type->dictoffset (the end of the tuple header, where class.c puts it) plus the
// size of the items. mini_dict_ptr() must use this for types with MINI_TPFLAG_TUPLE_SUBCLASS.
static inline MiniObject **tuple_dict_ptr(MiniObject *o) {
    return (MiniObject **)((char *)o + o->type->dictoffset +
                           TUPLE_SIZE(o) * sizeof(MiniObject *));
}

// The room an instance of a heap subclass of str or bytes takes beyond its type's basicsize
// for [size] bytes of inline text: the text and its NUL, rounded up to a pointer's alignment
// so that the __dict__ pointer after it (varsize_dict_ptr) is aligned.
#define MINI_VARSIZE_TEXT_ROOM(size)                                                              \
    (((size) + 1 + sizeof(MiniObject *) - 1) & ~(sizeof(MiniObject *) - 1))
// The field that class.c laid out at [offset] (a __slots__ member, or the __dict__ pointer at
// dictoffset) in an instance of a type with MINI_TPFLAG_VARSIZE_FIELDS (a heap subclass of str
// or bytes). The text is inline and of varying size, so the fields follow it: the offsets
// count from the end of the str or bytes header, and the text takes MINI_VARSIZE_TEXT_ROOM of
// its size on top. str.c and bytes.c allocate such instances with that much room beyond
// basicsize.
static inline MiniObject **varsize_field_ptr(MiniObject *o, size_t offset) {
    size_t size = (o->type->flags & MINI_TPFLAG_STR_SUBCLASS) ? STR_SIZE(o)
                                                                : ((MiniBytes *)o)->size;
    return (MiniObject **)((char *)o + offset + MINI_VARSIZE_TEXT_ROOM(size));
}
// The __dict__ slot of such an instance; mini_dict_ptr() must use this for these types.
static inline MiniObject **varsize_dict_ptr(MiniObject *o) {
    return varsize_field_ptr(o, o->type->dictoffset);
}

// ---------------------------------------------------------------------------------------------
// dict (dict.c): insertion-ordered hash table. Keys are compared by hash then by identity then
// by __eq__. The `*_str` variants take an interned str key and are the fast path for globals
// and attributes.
// ---------------------------------------------------------------------------------------------

static inline bool dict_check(MiniObject *o) {
    return MINI_IS_PTR(o) && (o->type == &mini_dict_type ||
                              (o->type->flags & MINI_TPFLAG_DICT_SUBCLASS));
}
MiniObject *dict_new(void);
// Borrowed reference or NULL. NULL without exception: not found. With exception: hashing or
// comparing failed.
MiniObject *dict_get(MiniObject *d, MiniObject *key);
MiniObject *dict_get_str(MiniObject *d, MiniObject *key); // key is a str
MiniObject *dict_get_cstr(MiniObject *d, const char *key);
// The inline-cache forms of dict_get_str/dict_set for an interned str [key]: [*hint] is the
// entry index where this code last found the key (any value; UINT32_MAX when unknown). A hint
// is checked by comparing the entry's key pointer, so a stale one is harmless; on a miss the
// ordinary lookup runs and *hint is updated. get: borrowed or NULL (not found; never raises).
// set: 0 or -1.
MiniObject *dict_get_str_hinted(MiniObject *d, MiniObject *key, uint32_t *hint);
int dict_set_str_hinted(MiniObject *d, MiniObject *key, MiniObject *value, uint32_t *hint);
int dict_set(MiniObject *d, MiniObject *key, MiniObject *value); // borrows both; 0 / -1
int dict_set_cstr(MiniObject *d, const char *key, MiniObject *value);
int dict_del(MiniObject *d, MiniObject *key); // KeyError if missing; 0 / -1
// Removes key if present: 1 removed, 0 absent, -1 error.
int dict_discard(MiniObject *d, MiniObject *key);
size_t dict_size(MiniObject *d);
// Iterates: `size_t pos = 0; MiniObject *k, *v; while (dict_next(d, &pos, &k, &v)) ...`
// with borrowed k and v. The dict must not change size meanwhile.
bool dict_next(MiniObject *d, size_t *pos, MiniObject **key, MiniObject **value);
int dict_update(MiniObject *d, MiniObject *other); // dict.update(other): mapping or pairs
int dict_merge(MiniObject *d, MiniObject *other, bool override);
MiniObject *dict_copy(MiniObject *d);
MiniObject *dict_keys_list(MiniObject *d);
void dict_clear(MiniObject *d);

// ---------------------------------------------------------------------------------------------
// set / frozenset (set.c)
// ---------------------------------------------------------------------------------------------

MiniObject *set_new(MiniObject *iterable /*NULL*/);
MiniObject *frozenset_new(MiniObject *iterable /*NULL*/);
int set_add(MiniObject *set, MiniObject *key);
int set_contains(MiniObject *set, MiniObject *key);
bool set_next(MiniObject *set, size_t *pos, MiniObject **key); // borrowed key
size_t set_size(MiniObject *set);

// ---------------------------------------------------------------------------------------------
// range, slice (range.c, slice.c)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *start, *stop, *step; // ints (usually immediates)
} MiniRange;
typedef struct {
    MiniObject ob;
    MiniObject *start, *stop, *step; // any objects, None when omitted
} MiniSlice;
MiniObject *slice_new(MiniObject *start, MiniObject *stop, MiniObject *step);
// Resolves a slice against a sequence of [length]: fills start/stop/step and returns the
// number of items selected; -1 with exception (ValueError: slice step cannot be zero).
ssize_t slice_indices(MiniObject *slice, ssize_t length, ssize_t *start, ssize_t *stop,
                      ssize_t *step);
// The iterator types of builtins (iterobject.c).
extern MiniType mini_enumerate_type, mini_zip_type, mini_map_type, mini_filter_type,
    mini_reversed_type, mini_seqiter_type, mini_calliter_type;
// iter(seq) for an object with __getitem__ but no __iter__. New reference.
MiniObject *seqiter_new(MiniObject *seq);
// iter(callable, sentinel). New reference.
MiniObject *calliter_new(MiniObject *callable, MiniObject *sentinel);
// An iterator over a range of machine ints: what FOR_ITER uses on range() (range.c).
MiniObject *range_new_i64(int64_t start, int64_t stop, int64_t step);
// That iterator, exposed so that the eval loop's FOR_ITER can step it inline: [next] is the
// value to yield next, [remaining] how many values are left. (A range whose bounds do not fit
// int64 iterates with a slower iterator of another type, so rangeiter_check is false for it.)
typedef struct {
    MiniObject ob;
    int64_t next, step;
    uint64_t remaining;
} MiniRangeIter;
extern MiniType mini_rangeiter_type;
static inline bool rangeiter_check(MiniObject *o) {
    return MINI_IS_PTR(o) && o->type == &mini_rangeiter_type;
}
// Stores the next value of a range iterator in *out and returns true, or returns false when it
// is exhausted. Never raises.
static inline bool range_iter_next_i64(MiniObject *it, int64_t *out) {
    MiniRangeIter *r = (MiniRangeIter *)it;
    if (r->remaining == 0)
        return false;
    *out = r->next;
    // Past the last value the sum may wrap; it is never read then.
    r->next = (int64_t)((uint64_t)r->next + (uint64_t)r->step);
    r->remaining--;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Functions, methods, cells (function.c)
// ---------------------------------------------------------------------------------------------

typedef struct CodeObject CodeObject;

typedef struct {
    MiniObject ob;
    CodeObject *code;
    MiniObject *globals;     // dict
    MiniObject *builtins;    // dict
    MiniObject *name;        // str
    MiniObject *qualname;    // str
    MiniObject *module;      // the value of globals['__name__'] at creation
    MiniObject *defaults;    // tuple or NULL
    MiniObject *kwdefaults;  // dict or NULL
    MiniObject *closure;     // tuple of cells or NULL
    MiniObject *doc;         // or NULL (None)
    MiniObject *dict;        // function attributes, created on demand
    MiniObject *annotations; // dict or NULL
    MiniObject *weaklist;    // the weak references to it (weakref.c), NULL when none
} MiniFunction;

typedef struct {
    MiniObject ob;
    MiniObject *func;
    MiniObject *self;
    MiniObject *weaklist; // the weak references to it (weakref.c), NULL when none
} MiniMethod;

typedef struct {
    MiniObject ob;
    MiniObject *ref; // NULL when empty
} MiniCell;

// A builtin function, or a builtin method bound to `self` (a module or an instance).
typedef struct {
    MiniObject ob;
    const MiniMethodDef *def;
    MiniObject *self; // NULL for static functions
    MiniObject *module_name; // str or NULL
    MiniObject *weaklist;    // the weak references to it (weakref.c), NULL when none
} MiniBuiltinFunction;

// A method of a builtin type, before binding (what `list.append` is).
typedef struct {
    MiniObject ob;
    const MiniMethodDef *def;
    MiniType *owner;
} MiniMethodDescr;

typedef struct {
    MiniObject ob;
    const MiniGetSetDef *def;
    MiniType *owner;
} MiniGetSetDescr;

MiniObject *function_new(CodeObject *code, MiniObject *globals, MiniObject *qualname);
MiniObject *method_new(MiniObject *func, MiniObject *self);
MiniObject *cell_new(MiniObject *ref /*borrowed, may be NULL*/);
// A builtin function object for [def] bound to [self] (NULL for none). Immortal defs only.
MiniObject *builtin_function_new(const MiniMethodDef *def, MiniObject *self,
                                 MiniObject *module_name);

// ---------------------------------------------------------------------------------------------
// Argument parsing for builtins (args.c)
// ---------------------------------------------------------------------------------------------

// Parses vectorcall arguments into [out] (borrowed references) by a list of parameter names:
//   fname  - the function's name, for messages ("sorted() takes ...")
//   names  - NULL-terminated: "x", "key", ... A name starting with '$' is keyword-only;
//            one starting with '/' is positional-only (the '/' is not part of the name).
//   nreq   - how many leading parameters are required
// Missing optional parameters are left as they were in out[] (so initialise them to NULL or
// defaults). Raises TypeError with CPython's wording and returns false on mismatch.
bool mini_parse_args(const char *fname, MiniObject *const *args, size_t nargs,
                     MiniObject *kwnames, const char *const *names, size_t nreq,
                     MiniObject **out);
// Raises TypeError "f() takes no keyword arguments" if kwnames is non-empty.
bool mini_no_kwargs(const char *fname, MiniObject *kwnames);
// Checks min <= nargs <= max; TypeError in CPython's words otherwise.
bool mini_check_nargs(const char *fname, size_t nargs, size_t min, size_t max);
// An index-like argument (int or __index__) as a ssize_t; OverflowError "Python int too large
// to convert to C ssize_t" when it does not fit. False with an exception pending.
bool mini_arg_ssize(MiniObject *o, ssize_t *out);
// An index-like argument as a C int, the way CPython's argument clinic converts `int`
// parameters: OverflowError "Python int too large to convert to C int". False with an
// exception pending.
bool mini_arg_int(MiniObject *o, int *out);
// The same for PyArg_Parse's "i" format and the pid_t converter, whose OverflowError says
// "signed integer is greater than maximum" (or "less than minimum"), and "Python int too large
// to convert to C long" past 64 bits.
bool mini_arg_int_signed(MiniObject *o, int *out);

// ---------------------------------------------------------------------------------------------
// Exceptions (exception.c). An exception instance is a MiniBaseException; the class tells its
// kind. The current thread state holds the one being raised (see vm/vm.h).
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *dict;        // instance attributes
    MiniObject *args;        // tuple
    MiniObject *traceback;   // MiniTraceback or NULL
    MiniObject *context;     // __context__ or NULL
    MiniObject *cause;       // __cause__ or NULL
    bool suppress_context;   // __suppress_context__
    MiniObject *extra[6];    // per-class fields (StopIteration.value, SyntaxError.filename...)
} MiniBaseException;

// A traceback entry: one frame's code and line, linked from the outermost frame inwards.
typedef struct MiniTraceback {
    MiniObject ob;
    struct MiniTraceback *next;
    CodeObject *code;
    int lineno;
} MiniTraceback;

// The builtin exception classes. Each is a static type, immortal, subclassable.
#define MINI_EXCEPTIONS(X)                                                                       \
    X(BaseException, BaseException)                                                              \
    X(SystemExit, BaseException)                                                                 \
    X(KeyboardInterrupt, BaseException)                                                          \
    X(GeneratorExit, BaseException)                                                              \
    X(Exception, BaseException)                                                                  \
    X(StopIteration, Exception)                                                                  \
    X(StopAsyncIteration, Exception)                                                             \
    X(ArithmeticError, Exception)                                                                \
    X(FloatingPointError, ArithmeticError)                                                       \
    X(OverflowError, ArithmeticError)                                                            \
    X(ZeroDivisionError, ArithmeticError)                                                        \
    X(AssertionError, Exception)                                                                 \
    X(AttributeError, Exception)                                                                 \
    X(BufferError, Exception)                                                                    \
    X(EOFError, Exception)                                                                       \
    X(ImportError, Exception)                                                                    \
    X(ModuleNotFoundError, ImportError)                                                          \
    X(LookupError, Exception)                                                                    \
    X(IndexError, LookupError)                                                                   \
    X(KeyError, LookupError)                                                                     \
    X(MemoryError, Exception)                                                                    \
    X(NameError, Exception)                                                                      \
    X(UnboundLocalError, NameError)                                                              \
    X(OSError, Exception)                                                                        \
    X(BlockingIOError, OSError)                                                                  \
    X(ChildProcessError, OSError)                                                                \
    X(ConnectionError, OSError)                                                                  \
    X(BrokenPipeError, ConnectionError)                                                          \
    X(ConnectionAbortedError, ConnectionError)                                                   \
    X(ConnectionRefusedError, ConnectionError)                                                   \
    X(ConnectionResetError, ConnectionError)                                                     \
    X(FileExistsError, OSError)                                                                  \
    X(FileNotFoundError, OSError)                                                                \
    X(InterruptedError, OSError)                                                                 \
    X(IsADirectoryError, OSError)                                                                \
    X(NotADirectoryError, OSError)                                                               \
    X(PermissionError, OSError)                                                                  \
    X(ProcessLookupError, OSError)                                                               \
    X(TimeoutError, OSError)                                                                     \
    X(ReferenceError, Exception)                                                                 \
    X(RuntimeError, Exception)                                                                   \
    X(NotImplementedError, RuntimeError)                                                         \
    X(RecursionError, RuntimeError)                                                              \
    X(SyntaxError, Exception)                                                                    \
    X(IndentationError, SyntaxError)                                                             \
    X(TabError, IndentationError)                                                                \
    X(SystemError, Exception)                                                                    \
    X(TypeError, Exception)                                                                      \
    X(ValueError, Exception)                                                                     \
    X(UnicodeError, ValueError)                                                                  \
    X(UnicodeDecodeError, UnicodeError)                                                          \
    X(UnicodeEncodeError, UnicodeError)                                                          \
    X(UnicodeTranslateError, UnicodeError)                                                       \
    X(Warning, Exception)                                                                        \
    X(DeprecationWarning, Warning)                                                               \
    X(RuntimeWarning, Warning)                                                                   \
    X(UserWarning, Warning)

// mini_exc_TypeError etc.: pointers to the static exception types.
#define X(name, base) extern MiniType *const mini_exc_##name;
MINI_EXCEPTIONS(X)
#undef X

static inline bool exception_check(MiniObject *o) {
    return MINI_IS_PTR(o) && (o->type->flags & MINI_TPFLAG_EXC_SUBCLASS);
}

// Raising. All return NULL so that `return mini_raise(...)` works in pointer functions.
// [fmt] is printf-style plus %S (str() of a MiniObject *) and %R (repr()).
MiniObject *mini_raise(MiniType *type, const char *fmt, ...);
MiniObject *mini_raise_str(MiniType *type, const char *msg);
// Raises [exc], an exception instance or class (instantiated with no args). Borrows it.
MiniObject *mini_raise_object(MiniObject *exc);
// Raises OSError (or the matching subclass: FileNotFoundError for ENOENT ...) from errno, with
// an optional filename: "[Errno 2] No such file or directory: 'x'".
MiniObject *mini_raise_errno(int err, MiniObject *filename /*NULL*/);
MiniObject *mini_raise_memory(void); // MemoryError
// Is an exception pending, and does it match [type]? (PyErr_ExceptionMatches)
bool mini_error_matches(MiniType *type);
bool mini_error_occurred(void);
void mini_error_clear(void);
// Takes the pending exception out of the thread state (new reference), leaving none pending.
MiniObject *mini_error_fetch(void);
// Makes [exc] (a new reference the caller hands over) the pending exception.
void mini_error_restore(MiniObject *exc);
// Creates an instance of exception [type] with [args] (a tuple). New reference.
MiniObject *exception_new(MiniType *type, MiniObject *args);
// isinstance-style match of an exception instance against a class or a tuple of classes.
int exception_matches(MiniObject *exc, MiniObject *cls_or_tuple);
// Prints "Traceback (most recent call last):" ... and the exception, with chained causes and
// contexts, to the stream sys.stderr (or fd 2). Used for uncaught exceptions.
void exception_print(MiniObject *exc);
// Adds a traceback entry for ([code], [lineno]) in front of exc's traceback.
void exception_add_traceback(MiniObject *exc, CodeObject *code, int lineno);
// Raises SyntaxError (or [type]: IndentationError, TabError) with its location: [lineno] is
// 1-based, [offset] the 1-based column of the caret, [text] the source line (may be NULL).
MiniObject *mini_raise_syntax_error(MiniType *type, const char *filename, int lineno,
                                    int offset, const char *text, const char *fmt, ...);
// StopIteration's value (borrowed, None when absent).
MiniObject *stopiteration_value(MiniObject *exc); // borrowed
// (Added by exception.c.) Sets where the pending SyntaxError's location ends - [end_lineno]
// 1-based, [end_offset] the 1-based column just past it - so that it prints CPython's ^^^^
// range under the source line instead of one caret. No-op when no SyntaxError is pending.
void mini_syntax_error_set_end(int end_lineno, int end_offset);
// (Added by exception.c.) Prints "Exception ignored in: <repr of what>" and the pending
// exception to sys.stderr, then clears it: for errors nobody can catch (__del__, callbacks).
void exception_write_unraisable(MiniObject *what);
// The same with another first line, "<msg>: <repr of what>" ("Exception ignored in thread
// started by").
void exception_write_unraisable_msg(const char *msg, MiniObject *what);
// (Added by exception.c.) CPython's set_attribute_error_context: when the pending exception is
// an AttributeError, records the object and attribute name whose lookup failed (its .obj and
// .name), which the printout uses for "Did you mean: 'x'?". mini_getattr and the eval loop's
// attribute loads call it after a failed lookup, as CPython's PyObject_GetAttr does.
void exception_set_attribute_error_context(MiniObject *obj, MiniObject *name);

// ---------------------------------------------------------------------------------------------
// Generators (generator.c) and modules (module.c)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *name; // str
    MiniObject *dict; // dict: the module namespace
    // (vm/import.c) The ident of the thread running the module's body, 0 once it has run:
    // "partially initialized module" in error messages, and another thread importing it
    // waits until it is done (CPython's module locks).
    unsigned long initializing;
    MiniObject *weaklist; // the weak references to it (weakref.c), NULL when none
} MiniModule;
// True while the module's body is still running (a circular import sees it so).
static inline bool module_is_initializing(MiniObject *m) {
    return MINI_IS_PTR(m) && m->type == &mini_module_type && ((MiniModule *)m)->initializing;
}
MiniObject *module_new(MiniObject *name);
// Creates a module with builtin functions [defs] (NULL-name terminated). New reference.
MiniObject *module_new_builtin(const char *name, const MiniMethodDef *defs);

#endif // MINI_OBJECT_H
