// slice.c - the slice type, and the resolution of a slice against a sequence length that
// every sequence type uses (CPython's PySlice_Unpack + PySlice_AdjustIndices).
//
// A slice holds any three objects (None when omitted): slice('a', 'b') is legal; only using it
// on a sequence requires ints (or objects with __index__). Bounds beyond the ssize_t range are
// clamped, not errors: [1, 2, 3][:10**100] is the whole list. Slices are unhashable in 3.11.

#include "container.h"

#define SL(o) ((MiniSlice *)(o))

MiniObject *slice_new(MiniObject *start, MiniObject *stop, MiniObject *step) {
    MiniSlice *s = (MiniSlice *)mini_gc_alloc(&mini_slice_type, sizeof(MiniSlice));
    if (!s)
        return NULL;
    s->start = mini_newref(start ? start : MINI_NONE);
    s->stop = mini_newref(stop ? stop : MINI_NONE);
    s->step = mini_newref(step ? step : MINI_NONE);
    return (MiniObject *)s;
}

bool container_slice_index(MiniObject *o, ssize_t *out, bool allow_none) {
    if (MINI_IS_SMALLINT(o)) {
        *out = (ssize_t)MINI_SMALLINT_VALUE(o);
        return true;
    }
    if (allow_none && o == MINI_NONE)
        return true;
    if (!container_is_index(o)) {
        mini_raise_str(mini_exc_TypeError,
                       allow_none
                           ? "slice indices must be integers or None or have an __index__ method"
                           : "slice indices must be integers or have an __index__ method");
        return false;
    }
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    if (int_as_i64(i, &v)) {
        *out = (ssize_t)v;
    } else if (mini_error_matches(mini_exc_OverflowError)) {
        // Too big for a machine int: as far as any sequence is concerned, infinitely far.
        mini_error_clear();
        *out = int_sign(i) < 0 ? PTRDIFF_MIN : PTRDIFF_MAX;
    } else {
        MINI_DECREF(i);
        return false;
    }
    MINI_DECREF(i);
    return true;
}

ssize_t slice_indices(MiniObject *slice, ssize_t length, ssize_t *start, ssize_t *stop,
                      ssize_t *step) {
    MiniSlice *s = SL(slice);
    // Unpack: None becomes the default for the step's direction.
    if (s->step == MINI_NONE) {
        *step = 1;
    } else {
        if (!container_slice_index(s->step, step, true))
            return -1;
        if (*step == 0) {
            mini_raise_str(mini_exc_ValueError, "slice step cannot be zero");
            return -1;
        }
        // -step must be representable for the code that reverses a slice.
        if (*step < -PTRDIFF_MAX)
            *step = -PTRDIFF_MAX;
    }
    if (s->start == MINI_NONE)
        *start = *step < 0 ? PTRDIFF_MAX : 0;
    else if (!container_slice_index(s->start, start, true))
        return -1;
    if (s->stop == MINI_NONE)
        *stop = *step < 0 ? PTRDIFF_MIN : PTRDIFF_MAX;
    else if (!container_slice_index(s->stop, stop, true))
        return -1;

    // Adjust to the length: negative bounds count from the end, then clamp.
    if (*start < 0) {
        *start += length;
        if (*start < 0)
            *start = *step < 0 ? -1 : 0;
    } else if (*start >= length) {
        *start = *step < 0 ? length - 1 : length;
    }
    if (*stop < 0) {
        *stop += length;
        if (*stop < 0)
            *stop = *step < 0 ? -1 : 0;
    } else if (*stop >= length) {
        *stop = *step < 0 ? length - 1 : length;
    }
    if (*step < 0) {
        if (*stop < *start)
            return (*start - *stop - 1) / (-*step) + 1;
    } else if (*start < *stop) {
        return (*stop - *start - 1) / *step + 1;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Resolution on int objects, for lengths beyond ssize_t (range(10**20)[::2], slice.indices)
// ---------------------------------------------------------------------------------------------

#define ZERO MINI_FROM_SMALLINT(0)

// A slice bound as an exact int: TypeError for objects without __index__. New reference.
static MiniObject *long_bound(MiniObject *v) {
    if (!container_is_index(v))
        return mini_raise_str(mini_exc_TypeError,
                              "slice indices must be integers or None or have an __index__ method");
    MiniObject *x = mini_index(v);
    if (!x || int_check_exact(x))
        return x;
    // A bool or an int subclass from __index__ computes as a plain int.
    MiniObject *plain = mini_number_int(x);
    MINI_DECREF(x);
    return plain;
}

// The bound [v] (None: [dflt]) counted from the end when negative and clamped into
// [lower, upper]. New reference.
static MiniObject *clamp_bound(MiniObject *v, MiniObject *dflt, MiniObject *length,
                               MiniObject *lower, MiniObject *upper) {
    if (v == MINI_NONE)
        return mini_newref(dflt);
    MiniObject *x = long_bound(v);
    if (!x)
        return NULL;
    int neg = mini_richcompare_bool(x, ZERO, CMP_LT);
    if (neg < 0) {
        MINI_DECREF(x);
        return NULL;
    }
    if (neg) {
        MiniObject *y = mini_binary_op(x, length, BINOP_ADD);
        MINI_DECREF(x);
        if (!y)
            return NULL;
        x = y;
    }
    MiniObject *limit = neg ? lower : upper;
    int out = mini_richcompare_bool(x, limit, neg ? CMP_LT : CMP_GT);
    if (out != 0) {
        MINI_DECREF(x);
        return out < 0 ? NULL : mini_newref(limit);
    }
    return x;
}

bool container_slice_long_indices(MiniObject *slice, MiniObject *length, MiniObject **start,
                                  MiniObject **stop, MiniObject **step) {
    MiniSlice *s = SL(slice);
    MiniObject *st = MINI_FROM_SMALLINT(1);
    if (s->step != MINI_NONE) {
        st = long_bound(s->step);
        if (!st)
            return false;
        if (st == ZERO) {
            mini_raise_str(mini_exc_ValueError, "slice step cannot be zero");
            return false;
        }
    }
    int neg = mini_richcompare_bool(st, ZERO, CMP_LT);
    if (neg < 0) {
        MINI_DECREF(st);
        return false;
    }
    // A negative step walks from length - 1 down to -1, a positive one from 0 up to length.
    MiniObject *lower = neg ? MINI_FROM_SMALLINT(-1) : ZERO;
    MiniObject *upper = neg ? mini_binary_op(length, lower, BINOP_ADD) : mini_newref(length);
    if (!upper) {
        MINI_DECREF(st);
        return false;
    }
    MiniObject *a = clamp_bound(s->start, neg ? upper : lower, length, lower, upper);
    MiniObject *b = a ? clamp_bound(s->stop, neg ? lower : upper, length, lower, upper) : NULL;
    MINI_DECREF(upper);
    if (!b) {
        MINI_XDECREF(a);
        MINI_DECREF(st);
        return false;
    }
    *start = a;
    *stop = b;
    *step = st;
    return true;
}

// ---------------------------------------------------------------------------------------------
// The type
// ---------------------------------------------------------------------------------------------

// slice(stop) or slice(start, stop[, step]).
static MiniObject *slice_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)type;
    if (!container_no_kw("slice", kwnames) || !mini_check_nargs("slice", nargs, 1, 3))
        return NULL;
    if (nargs == 1)
        return slice_new(NULL, args[0], NULL);
    return slice_new(args[0], args[1], nargs == 3 ? args[2] : NULL);
}

static void slice_dealloc(MiniObject *self) {
    MINI_DECREF(SL(self)->start);
    MINI_DECREF(SL(self)->stop);
    MINI_DECREF(SL(self)->step);
    mini_object_free(self);
}

static int slice_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(SL(self)->start);
    MINI_VISIT(SL(self)->stop);
    MINI_VISIT(SL(self)->step);
    return 0;
}

static MiniObject *slice_repr(MiniObject *self) {
    return str_from_format("slice(%R, %R, %R)", SL(self)->start, SL(self)->stop, SL(self)->step);
}

// Slices compare as the tuples (start, stop, step).
static MiniObject *slice_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!MINI_IS_PTR(a) || !MINI_IS_PTR(b) || a->type != &mini_slice_type ||
        b->type != &mini_slice_type)
        return MINI_NOTIMPL;
    if (a == b && (op == CMP_EQ || op == CMP_NE))
        return MINI_BOOL(op == CMP_EQ);
    MiniObject *ta = tuple_pack(3, SL(a)->start, SL(a)->stop, SL(a)->step);
    if (!ta)
        return NULL;
    MiniObject *tb = tuple_pack(3, SL(b)->start, SL(b)->stop, SL(b)->step);
    if (!tb) {
        MINI_DECREF(ta);
        return NULL;
    }
    MiniObject *r = mini_richcompare(ta, tb, op);
    MINI_DECREF(ta);
    MINI_DECREF(tb);
    return r;
}

// slice.indices(length) -> (start, stop, step) resolved for a sequence of that length, on
// int objects: slice(None, None, 10**20).indices(5) keeps its huge step.
static MiniObject *slice_m_indices(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    if (!container_arg_one("slice.indices", nargs, kwnames))
        return NULL;
    MiniObject *length = mini_index(args[0]);
    if (!length)
        return NULL;
    if (int_sign(length) < 0) {
        MINI_DECREF(length);
        return mini_raise_str(mini_exc_ValueError, "length should not be negative");
    }
    MiniObject *start, *stop, *step;
    bool ok = container_slice_long_indices(self, length, &start, &stop, &step);
    MINI_DECREF(length);
    if (!ok)
        return NULL;
    MiniObject *t = tuple_new(3);
    if (!t) {
        MINI_DECREF(start);
        MINI_DECREF(stop);
        MINI_DECREF(step);
        return NULL;
    }
    TUPLE_ITEMS(t)[0] = start;
    TUPLE_ITEMS(t)[1] = stop;
    TUPLE_ITEMS(t)[2] = step;
    return t;
}

static const MiniMethodDef slice_methods[] = {
    {"indices", slice_m_indices, 0, "S.indices(len) -> (start, stop, stride)"},
    {NULL, NULL, 0, NULL},
};

static MiniObject *slice_get_start(MiniObject *self) { return mini_newref(SL(self)->start); }
static MiniObject *slice_get_stop(MiniObject *self) { return mini_newref(SL(self)->stop); }
static MiniObject *slice_get_step(MiniObject *self) { return mini_newref(SL(self)->step); }

// CPython's slice attributes are read-only members, which say just this when assigned.
static int slice_readonly(MiniObject *self, MiniObject *value) {
    (void)self, (void)value;
    mini_raise_str(mini_exc_AttributeError, "readonly attribute");
    return -1;
}

static const MiniGetSetDef slice_getset[] = {
    {"start", slice_get_start, slice_readonly, NULL},
    {"stop", slice_get_stop, slice_readonly, NULL},
    {"step", slice_get_step, slice_readonly, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_slice_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "slice",
    .basicsize = sizeof(MiniSlice),
    .flags = MINI_TPFLAG_GC,
    .dealloc = slice_dealloc,
    .traverse = slice_traverse,
    .tp_new = slice_tp_new,
    .repr = slice_repr,
    .richcompare = slice_richcompare,
    .methods = slice_methods,
    .getset = slice_getset,
    .doc = "slice(stop)\nslice(start, stop[, step])",
};
