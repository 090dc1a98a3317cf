// tuple.c - the tuple type: an immutable array of references stored inline after the header.
//
// A tuple of n items is one allocation: the MiniTuple header and n pointers. Tuples are
// containers (they may take part in cycles through a list they hold), so they are GC objects.
// The empty tuple is a single immortal static object shared by the whole process; tuple_new(0)
// and every operation that yields () return it.
//
// Instances of a heap subclass of tuple keep their __dict__ pointer after the items (see
// tuple_dict_ptr in object.h), so they are allocated with room for it.
//
// The hash is CPython 3.8+'s xxHash-based tuplehash, so hash((1, 2)) equals python3's, and it
// is cached in the object once computed: a tuple's items never change.

#include <string.h>

#include "container.h"

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

// hash(()) in CPython: the xxHash accumulator with no lanes and a length of 0.
#define EMPTY_TUPLE_HASH ((int64_t)5740354900026072187LL)

// The storage of the empty tuple: a GcHead (never linked; untracking it is a no-op) followed
// by a header laid out exactly as MiniTuple with no items. It is immortal, so nothing ever
// writes to it: its hash is filled in here.
static struct {
    GcHead gc;
    struct {
        MiniObject ob;
        size_t size;
        int64_t hash;
    } tuple;
} empty_tuple = {{NULL, NULL, 0}, {{MINI_IMMORTAL, &mini_tuple_type}, 0, EMPTY_TUPLE_HASH}};

#define EMPTY_TUPLE ((MiniObject *)&empty_tuple.tuple)

MiniObject *tuple_empty(void) { return EMPTY_TUPLE; }

MiniObject *tuple_new(size_t n) {
    if (n == 0)
        return EMPTY_TUPLE;
    if (n > (CONTAINER_MAX_BYTES - sizeof(MiniTuple)) / sizeof(MiniObject *))
        return mini_raise_memory();
    MiniTuple *t =
        (MiniTuple *)mini_gc_alloc(&mini_tuple_type, sizeof(MiniTuple) + n * sizeof(MiniObject *));
    if (!t)
        return NULL;
    t->size = n;
    t->hash = -1;
    return (MiniObject *)t;
}

MiniObject *tuple_from_array(MiniObject *const *items, size_t n) {
    MiniObject *t = tuple_new(n);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        MINI_INCREF(items[i]);
        TUPLE_ITEMS(t)[i] = items[i];
    }
    return t;
}

MiniObject *tuple_pack(size_t n, ...) {
    MiniObject *t = tuple_new(n);
    if (!t)
        return NULL;
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        MiniObject *o = va_arg(ap, MiniObject *);
        MINI_INCREF(o);
        TUPLE_ITEMS(t)[i] = o;
    }
    va_end(ap);
    return t;
}

// A tuple of [type] (tuple or a subclass) holding new references to items[0..n). New reference.
static MiniObject *tuple_of_type(MiniType *type, MiniObject *const *items, size_t n) {
    if (type == &mini_tuple_type)
        return tuple_from_array(items, n);
    if (n > (CONTAINER_MAX_BYTES - type->basicsize) / sizeof(MiniObject *))
        return mini_raise_memory();
    MiniObject *t = mini_type_alloc(type, n * sizeof(MiniObject *));
    if (!t)
        return NULL;
    ((MiniTuple *)t)->size = n;
    ((MiniTuple *)t)->hash = -1;
    for (size_t i = 0; i < n; i++) {
        MINI_INCREF(items[i]);
        TUPLE_ITEMS(t)[i] = items[i];
    }
    return t;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

static void tuple_dealloc(MiniObject *self) {
    bool exact = self->type == &mini_tuple_type;
    if (exact && !container_trash_begin(self))
        return;
    MiniTuple *t = (MiniTuple *)self;
    // Slots may still be NULL when a caller failed half-way through filling a new tuple.
    // The items go last to first, as in CPython: the order in which their __del__ methods
    // and weak reference callbacks run shows.
    for (size_t i = t->size; i-- > 0;)
        MINI_XDECREF(t->items[i]);
    mini_object_free(self);
    if (exact)
        container_trash_end();
}

static int tuple_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniTuple *t = (MiniTuple *)self;
    for (size_t i = 0; i < t->size; i++)
        MINI_VISIT(t->items[i]);
    return 0;
}

// ---------------------------------------------------------------------------------------------
// repr, hash, comparison
// ---------------------------------------------------------------------------------------------

static MiniObject *tuple_repr(MiniObject *self) {
    size_t n = TUPLE_SIZE(self);
    if (n == 0)
        return mini_intern("()");
    // A tuple can contain itself through a list: ([...],) holding the tuple prints "(...)".
    int rc = mini_repr_enter(self);
    if (rc != 0)
        return rc > 0 ? mini_intern("(...)") : NULL;
    StrBuf b;
    strbuf_init(&b);
    strbuf_addc(&b, '(');
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strbuf_add(&b, ", ", 2);
        MiniObject *r = mini_repr(TUPLE_GET(self, i));
        if (!r) {
            strbuf_free(&b);
            mini_repr_leave(self);
            return NULL;
        }
        strbuf_add_obj(&b, r);
        MINI_DECREF(r);
    }
    if (n == 1)
        strbuf_addc(&b, ',');
    strbuf_addc(&b, ')');
    mini_repr_leave(self);
    return strbuf_finish(&b);
}

#define XXPRIME_1 ((uint64_t)11400714785074694791ULL)
#define XXPRIME_2 ((uint64_t)14029467366897019727ULL)
#define XXPRIME_5 ((uint64_t)2870177450012600261ULL)
#define XXROTATE(x) (((x) << 31) | ((x) >> 33))

static int64_t tuple_hash(MiniObject *self) {
    MiniTuple *t = (MiniTuple *)self;
    if (t->hash != -1)
        return t->hash;
    // Tuples nested a hundred thousand deep would hash a hundred thousand C frames deep.
    if (!mini_enter_recursive_call(" while hashing a tuple"))
        return -1;
    uint64_t acc = XXPRIME_5;
    for (size_t i = 0; i < t->size; i++) {
        int64_t h = mini_hash(t->items[i]);
        if (h == -1) {
            mini_leave_recursive_call();
            return -1;
        }
        acc += (uint64_t)h * XXPRIME_2;
        acc = XXROTATE(acc);
        acc *= XXPRIME_1;
    }
    mini_leave_recursive_call();
    // The length is mixed in so that hash(()) keeps its historical value.
    acc += (uint64_t)t->size ^ (XXPRIME_5 ^ 3527539UL);
    if (acc == (uint64_t)-1)
        acc = 1546275796;
    t->hash = (int64_t)acc;
    return t->hash;
}

// Lexicographic comparison: find the first pair of items that differ (by ==), then compare
// that pair with [op]; if none differ, compare the lengths.
static MiniObject *tuple_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!tuple_check(a) || !tuple_check(b))
        return MINI_NOTIMPL;
    size_t na = TUPLE_SIZE(a), nb = TUPLE_SIZE(b);
    if ((op == CMP_EQ || op == CMP_NE) && na != nb)
        return MINI_BOOL(op == CMP_NE);
    size_t i;
    for (i = 0; i < na && i < nb; i++) {
        int k = mini_eq(TUPLE_GET(a, i), TUPLE_GET(b, i));
        if (k < 0)
            return NULL;
        if (!k)
            break;
    }
    if (i >= na || i >= nb)
        return container_compare_sizes(na, nb, op);
    if (op == CMP_EQ)
        return MINI_FALSE;
    if (op == CMP_NE)
        return MINI_TRUE;
    return mini_richcompare(TUPLE_GET(a, i), TUPLE_GET(b, i), op);
}

// ---------------------------------------------------------------------------------------------
// Sequence operations
// ---------------------------------------------------------------------------------------------

static ssize_t tuple_len(MiniObject *self) { return (ssize_t)TUPLE_SIZE(self); }

static MiniObject *tuple_add(MiniObject *a, MiniObject *b) {
    if (!tuple_check(a) || !tuple_check(b))
        return MINI_NOTIMPL;
    size_t na = TUPLE_SIZE(a), nb = TUPLE_SIZE(b);
    if (nb == 0 && a->type == &mini_tuple_type)
        return mini_newref(a);
    if (na == 0 && b->type == &mini_tuple_type)
        return mini_newref(b);
    if (na > CONTAINER_MAX_ITEMS - nb)
        return mini_raise_memory();
    MiniObject *t = tuple_new(na + nb);
    if (!t)
        return NULL;
    for (size_t i = 0; i < na; i++)
        TUPLE_ITEMS(t)[i] = mini_newref(TUPLE_GET(a, i));
    for (size_t i = 0; i < nb; i++)
        TUPLE_ITEMS(t)[na + i] = mini_newref(TUPLE_GET(b, i));
    return t;
}

// tuple * n and n * tuple. Anything but an index as the count is left to the dispatcher,
// which says "can't multiply sequence by non-int of type 'float'".
static MiniObject *tuple_mul(MiniObject *a, MiniObject *b) {
    MiniObject *seq, *count;
    if (tuple_check(a) && container_is_index(b)) {
        // As for lists: the count's own * (from __rmul__) comes first.
        MiniObject *r = container_count_mul(a, b, tuple_mul);
        if (r != MINI_NOTIMPL)
            return r;
        seq = a, count = b;
    } else if (tuple_check(b) && container_is_index(a)) {
        seq = b, count = a;
    } else {
        return MINI_NOTIMPL;
    }
    ssize_t n = mini_as_ssize(count);
    if (n == -1 && mini_error_occurred())
        return NULL;
    size_t size = TUPLE_SIZE(seq);
    if (n <= 0 || size == 0)
        return EMPTY_TUPLE;
    if (n == 1 && seq->type == &mini_tuple_type)
        return mini_newref(seq);
    if (size > CONTAINER_MAX_ITEMS / (size_t)n)
        return mini_raise_memory();
    MiniObject *t = tuple_new(size * (size_t)n);
    if (!t)
        return NULL;
    MiniObject **dst = TUPLE_ITEMS(t);
    for (ssize_t r = 0; r < n; r++) {
        for (size_t i = 0; i < size; i++) {
            MiniObject *o = TUPLE_GET(seq, i);
            MINI_INCREF(o);
            *dst++ = o;
        }
    }
    return t;
}

static MiniObject *tuple_getitem(MiniObject *self, MiniObject *key) {
    size_t size = TUPLE_SIZE(self);
    if (container_is_index(key)) {
        ssize_t i;
        if (!container_item_index(key, &i))
            return NULL;
        if (i < 0)
            i += (ssize_t)size;
        if (i < 0 || (size_t)i >= size)
            return mini_raise_str(mini_exc_IndexError, "tuple index out of range");
        return mini_newref(TUPLE_GET(self, i));
    }
    if (MINI_IS_PTR(key) && key->type == &mini_slice_type) {
        ssize_t start, stop, step;
        ssize_t n = slice_indices(key, (ssize_t)size, &start, &stop, &step);
        if (n < 0)
            return NULL;
        if (step == 1 && (size_t)n == size && self->type == &mini_tuple_type)
            return mini_newref(self);
        if (step == 1)
            return tuple_from_array(TUPLE_ITEMS(self) + start, (size_t)n);
        MiniObject *t = tuple_new((size_t)n);
        if (!t)
            return NULL;
        // Unsigned steps: past the last item the position may overflow; it is never used.
        size_t j = (size_t)start;
        for (ssize_t i = 0; i < n; i++, j += (size_t)step)
            TUPLE_ITEMS(t)[i] = mini_newref(TUPLE_GET(self, j));
        return t;
    }
    return mini_raise(mini_exc_TypeError, "tuple indices must be integers or slices, not %s",
                      mini_type_name(key));
}

static int tuple_contains(MiniObject *self, MiniObject *item) {
    for (size_t i = 0; i < TUPLE_SIZE(self); i++) {
        int k = mini_eq(TUPLE_GET(self, i), item);
        if (k != 0)
            return k;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

static MiniObject *tuple_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (!container_arg_one("tuple.count", nargs, kwnames))
        return NULL;
    int64_t count = 0;
    for (size_t i = 0; i < TUPLE_SIZE(self); i++) {
        int k = mini_eq(TUPLE_GET(self, i), args[0]);
        if (k < 0)
            return NULL;
        count += k;
    }
    return int_from_i64(count);
}

// index(value, start=0, stop=sys.maxsize): bounds are clamped like slice bounds.
static MiniObject *tuple_index(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (!container_arg_range("tuple.index", "index", nargs, kwnames, 1, 3))
        return NULL;
    ssize_t size = (ssize_t)TUPLE_SIZE(self);
    ssize_t start = 0, stop = PTRDIFF_MAX;
    if (nargs > 1 && !container_slice_index(args[1], &start, false))
        return NULL;
    if (nargs > 2 && !container_slice_index(args[2], &stop, false))
        return NULL;
    if (start < 0) {
        start += size;
        if (start < 0)
            start = 0;
    }
    if (stop < 0) {
        stop += size;
        if (stop < 0)
            stop = 0;
    }
    for (ssize_t i = start; i < stop && i < size; i++) {
        int k = mini_eq(TUPLE_GET(self, i), args[0]);
        if (k < 0)
            return NULL;
        if (k)
            return int_from_i64(i);
    }
    return mini_raise_str(mini_exc_ValueError, "tuple.index(x): x not in tuple");
}

static const MiniMethodDef tuple_methods[] = {
    {"count", tuple_count, 0, "Return number of occurrences of value."},
    {"index", tuple_index, 0, "Return first index of value."},
    {"__class_getitem__", container_class_getitem, MINI_METH_CLASS, "See PEP 585"},
    {NULL, NULL, 0, NULL},
};

// tuple(iterable=()): an exact tuple argument is returned as it is.
static MiniObject *tuple_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    // A subclass with its own __init__ may take keyword arguments: they are its business.
    if ((type == &mini_tuple_type || type->tp_init == mini_tuple_type.tp_init) &&
        !container_no_kw("tuple", kwnames))
        return NULL;
    if (!mini_check_nargs("tuple", nargs, 0, 1))
        return NULL;
    if (type == &mini_tuple_type)
        return nargs == 0 ? EMPTY_TUPLE : mini_sequence_tuple(args[0]);
    MiniObject *tmp = nargs == 0 ? EMPTY_TUPLE : mini_sequence_tuple(args[0]);
    if (!tmp)
        return NULL;
    MiniObject *t = tuple_of_type(type, TUPLE_ITEMS(tmp), TUPLE_SIZE(tmp));
    MINI_DECREF(tmp);
    return t;
}

// ---------------------------------------------------------------------------------------------
// The tuple iterator
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *seq; // NULL once exhausted
    size_t index;
} TupleIter;

static MiniType tupleiter_type;

static MiniObject *tuple_iter(MiniObject *self) {
    TupleIter *it = (TupleIter *)mini_gc_alloc(&tupleiter_type, sizeof(TupleIter));
    if (!it)
        return NULL;
    it->seq = mini_newref(self);
    it->index = 0;
    return (MiniObject *)it;
}

static void tupleiter_dealloc(MiniObject *self) {
    MINI_XDECREF(((TupleIter *)self)->seq);
    mini_object_free(self);
}

static int tupleiter_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((TupleIter *)self)->seq);
    return 0;
}

static MiniObject *tupleiter_next(MiniObject *self) {
    TupleIter *it = (TupleIter *)self;
    MiniObject *seq = it->seq;
    if (!seq)
        return NULL;
    if (it->index < TUPLE_SIZE(seq))
        return mini_newref(TUPLE_GET(seq, it->index++));
    it->seq = NULL;
    MINI_DECREF(seq);
    return NULL;
}

static MiniObject *tupleiter_length_hint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                         MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("tuple_iterator.__length_hint__", nargs, kwnames))
        return NULL;
    TupleIter *it = (TupleIter *)self;
    size_t n = it->seq && it->index < TUPLE_SIZE(it->seq) ? TUPLE_SIZE(it->seq) - it->index : 0;
    return int_from_u64(n);
}

static const MiniMethodDef tupleiter_methods[] = {
    {"__length_hint__", tupleiter_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

static MiniType tupleiter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "tuple_iterator",
    .basicsize = sizeof(TupleIter),
    .flags = MINI_TPFLAG_GC,
    .dealloc = tupleiter_dealloc,
    .traverse = tupleiter_traverse,
    .tp_new = container_no_new,
    .iter = container_self_iter,
    .iternext = tupleiter_next,
    .methods = tupleiter_methods,
};

// ---------------------------------------------------------------------------------------------
// The type
// ---------------------------------------------------------------------------------------------

MiniType mini_tuple_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "tuple",
    .basicsize = sizeof(MiniTuple),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC | MINI_TPFLAG_TUPLE_SUBCLASS,
    .dealloc = tuple_dealloc,
    .traverse = tuple_traverse,
    .tp_new = tuple_tp_new,
    .repr = tuple_repr,
    .hash = tuple_hash,
    .richcompare = tuple_richcompare,
    .iter = tuple_iter,
    .binop = {[BINOP_ADD] = tuple_add, [BINOP_MUL] = tuple_mul},
    .len = tuple_len,
    .getitem = tuple_getitem,
    .contains = tuple_contains,
    .methods = tuple_methods,
    .doc = "Built-in immutable sequence.",
};
