// range.c - the range type and its iterators.
//
// A range holds its start, stop and step as ints (exact ints: a bool or an int subclass
// given to range() is converted). Ranges may be huge - range(10**20) is fine - so every
// computation has a general path on int objects (the abstract operations of object.c) and a
// fast path on machine integers when all three fit a small int, which is nearly always.
//
// Iterating is the hot part: a range whose values fit int64 gets a MiniRangeIter (object.h),
// which the eval loop's FOR_ITER steps inline without calling anything; other ranges get a
// slower iterator over int objects.

#include <string.h>

#include "container.h"

#define R(o) ((MiniRange *)(o))

static MiniType longrangeiter_type;

// ---------------------------------------------------------------------------------------------
// Arithmetic helpers on int objects (new references, NULL on error)
// ---------------------------------------------------------------------------------------------

static MiniObject *add(MiniObject *a, MiniObject *b) { return mini_binary_op(a, b, BINOP_ADD); }
static MiniObject *sub(MiniObject *a, MiniObject *b) { return mini_binary_op(a, b, BINOP_SUB); }
static MiniObject *mul(MiniObject *a, MiniObject *b) { return mini_binary_op(a, b, BINOP_MUL); }
static MiniObject *floordiv(MiniObject *a, MiniObject *b) {
    return mini_binary_op(a, b, BINOP_FLOORDIV);
}

#define ZERO MINI_FROM_SMALLINT(0)
#define ONE MINI_FROM_SMALLINT(1)

static bool all_small(const MiniRange *r) {
    return MINI_IS_SMALLINT(r->start) && MINI_IS_SMALLINT(r->stop) && MINI_IS_SMALLINT(r->step);
}

// The number of values of lo..hi by step, on machine ints (no overflow for any int64 inputs).
static uint64_t len_u64(int64_t lo, int64_t hi, int64_t step) {
    if (step > 0 && lo < hi)
        return 1 + ((uint64_t)hi - 1 - (uint64_t)lo) / (uint64_t)step;
    if (step < 0 && lo > hi)
        return 1 + ((uint64_t)lo - 1 - (uint64_t)hi) / (0 - (uint64_t)step);
    return 0;
}

// len(range) as an int object. New reference.
static MiniObject *range_length_obj(const MiniRange *r) {
    if (all_small(r))
        return int_from_u64(len_u64(MINI_SMALLINT_VALUE(r->start), MINI_SMALLINT_VALUE(r->stop),
                                    MINI_SMALLINT_VALUE(r->step)));
    // (hi - lo - 1) // step + 1 when lo < hi, with lo, hi, step made positive-step.
    int pos = mini_richcompare_bool(r->step, ZERO, CMP_GT);
    if (pos < 0)
        return NULL;
    MiniObject *lo = pos ? r->start : r->stop, *hi = pos ? r->stop : r->start;
    int lt = mini_richcompare_bool(lo, hi, CMP_LT);
    if (lt <= 0)
        return lt < 0 ? NULL : ZERO;
    MiniObject *step = pos ? mini_newref(r->step) : mini_neg(r->step);
    if (!step)
        return NULL;
    MiniObject *diff = sub(hi, lo), *res = NULL;
    if (diff) {
        MiniObject *d1 = sub(diff, ONE);
        if (d1) {
            MiniObject *q = floordiv(d1, step);
            if (q) {
                res = add(q, ONE);
                MINI_DECREF(q);
            }
            MINI_DECREF(d1);
        }
        MINI_DECREF(diff);
    }
    MINI_DECREF(step);
    return res;
}

// An exact int for an index-like argument: bools and int subclasses become plain ints.
static MiniObject *exact_index(MiniObject *o) {
    MiniObject *i = mini_index(o);
    if (!i || int_check_exact(i))
        return i;
    MiniObject *plain = mini_number_int(i);
    MINI_DECREF(i);
    return plain;
}

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

// Makes a range; takes over the three references (even on failure).
static MiniObject *make_range(MiniObject *start, MiniObject *stop, MiniObject *step) {
    MiniRange *r = (MiniRange *)mini_alloc(&mini_range_type, sizeof(MiniRange));
    if (!r) {
        MINI_DECREF(start);
        MINI_DECREF(stop);
        MINI_DECREF(step);
        return NULL;
    }
    r->start = start;
    r->stop = stop;
    r->step = step;
    return (MiniObject *)r;
}

// range(stop) or range(start, stop[, step]).
static MiniObject *range_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)type;
    if (!container_no_kw("range", kwnames) || !mini_check_nargs("range", nargs, 1, 3))
        return NULL;
    if (nargs == 1) {
        MiniObject *stop = exact_index(args[0]);
        if (!stop)
            return NULL;
        return make_range(ZERO, stop, ONE);
    }
    MiniObject *start = exact_index(args[0]);
    if (!start)
        return NULL;
    MiniObject *stop = exact_index(args[1]);
    if (!stop) {
        MINI_DECREF(start);
        return NULL;
    }
    MiniObject *step = ONE;
    if (nargs == 3) {
        step = exact_index(args[2]);
        if (!step || step == ZERO) {
            if (step == ZERO)
                mini_raise_str(mini_exc_ValueError, "range() arg 3 must not be zero");
            MINI_DECREF(start);
            MINI_DECREF(stop);
            return NULL;
        }
    }
    return make_range(start, stop, step);
}

static void range_dealloc(MiniObject *self) {
    MINI_DECREF(R(self)->start);
    MINI_DECREF(R(self)->stop);
    MINI_DECREF(R(self)->step);
    mini_object_free(self);
}

// ---------------------------------------------------------------------------------------------
// repr, hash, comparison, length
// ---------------------------------------------------------------------------------------------

static MiniObject *range_repr(MiniObject *self) {
    MiniRange *r = R(self);
    if (r->step == ONE)
        return str_from_format("range(%R, %R)", r->start, r->stop);
    return str_from_format("range(%R, %R, %R)", r->start, r->stop, r->step);
}

// Two ranges are equal when they give the same values: same length, and for a non-empty
// one the same start, and for a longer one the same step.
static int range_equals(MiniRange *a, MiniRange *b) {
    if (a == b)
        return 1;
    MiniObject *la = range_length_obj(a);
    if (!la)
        return -1;
    MiniObject *lb = range_length_obj(b);
    if (!lb) {
        MINI_DECREF(la);
        return -1;
    }
    int r = mini_eq(la, lb);
    if (r == 1) {
        if (la == ZERO)
            r = 1;
        else if ((r = mini_eq(a->start, b->start)) == 1 && la != ONE)
            r = mini_eq(a->step, b->step);
    }
    MINI_DECREF(la);
    MINI_DECREF(lb);
    return r;
}

static MiniObject *range_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!MINI_IS_PTR(b) || b->type != &mini_range_type || !MINI_IS_PTR(a) ||
        a->type != &mini_range_type || (op != CMP_EQ && op != CMP_NE))
        return MINI_NOTIMPL;
    int r = range_equals(R(a), R(b));
    if (r < 0)
        return NULL;
    return MINI_BOOL(op == CMP_EQ ? r : !r);
}

// Equal ranges hash alike: the hash of (len, start, step), with None for what does not
// matter (start and step of an empty range, the step of a one-value range).
static int64_t range_hash(MiniObject *self) {
    MiniRange *r = R(self);
    MiniObject *len = range_length_obj(r);
    if (!len)
        return -1;
    MiniObject *t;
    if (len == ZERO)
        t = tuple_pack(3, len, MINI_NONE, MINI_NONE);
    else if (len == ONE)
        t = tuple_pack(3, len, r->start, MINI_NONE);
    else
        t = tuple_pack(3, len, r->start, r->step);
    MINI_DECREF(len);
    if (!t)
        return -1;
    int64_t h = mini_hash(t);
    MINI_DECREF(t);
    return h;
}

static ssize_t range_len(MiniObject *self) {
    MiniObject *len = range_length_obj(R(self));
    if (!len)
        return -1;
    int64_t n;
    bool ok = int_as_i64(len, &n);
    MINI_DECREF(len);
    if (!ok) {
        mini_error_clear();
        mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C ssize_t");
        return -1;
    }
    return (ssize_t)n;
}

static int range_bool(MiniObject *self) {
    MiniRange *r = R(self);
    if (all_small(r))
        return len_u64(MINI_SMALLINT_VALUE(r->start), MINI_SMALLINT_VALUE(r->stop),
                       MINI_SMALLINT_VALUE(r->step)) != 0;
    MiniObject *len = range_length_obj(r);
    if (!len)
        return -1;
    int t = mini_truthy(len);
    MINI_DECREF(len);
    return t;
}

// ---------------------------------------------------------------------------------------------
// Items and slices
// ---------------------------------------------------------------------------------------------

// start + i * step. New reference.
static MiniObject *compute_item(MiniRange *r, MiniObject *i) {
    if (all_small(r) && MINI_IS_SMALLINT(i))
        // The result lies between start and stop, so the arithmetic cannot overflow.
        return int_from_i64(MINI_SMALLINT_VALUE(r->start) +
                            MINI_SMALLINT_VALUE(i) * MINI_SMALLINT_VALUE(r->step));
    MiniObject *prod = mul(i, r->step);
    if (!prod)
        return NULL;
    MiniObject *res = add(r->start, prod);
    MINI_DECREF(prod);
    return res;
}

// r[i] for an int i (negative counts from the end).
static MiniObject *range_item(MiniRange *r, MiniObject *index) {
    if (all_small(r) && MINI_IS_SMALLINT(index)) {
        int64_t start = MINI_SMALLINT_VALUE(r->start), step = MINI_SMALLINT_VALUE(r->step);
        uint64_t n = len_u64(start, MINI_SMALLINT_VALUE(r->stop), step);
        int64_t i = MINI_SMALLINT_VALUE(index);
        if (i < 0)
            i += (int64_t)n;
        if (i < 0 || (uint64_t)i >= n)
            return mini_raise_str(mini_exc_IndexError, "range object index out of range");
        return int_from_i64(start + i * step);
    }
    MiniObject *i = exact_index(index);
    if (!i)
        return NULL;
    MiniObject *len = range_length_obj(r);
    if (!len) {
        MINI_DECREF(i);
        return NULL;
    }
    int neg = mini_richcompare_bool(i, ZERO, CMP_LT);
    if (neg > 0) {
        MiniObject *j = add(i, len);
        MINI_DECREF(i);
        i = j;
    }
    int ok = neg < 0 || !i ? -1 : mini_richcompare_bool(i, ZERO, CMP_GE);
    if (ok > 0)
        ok = mini_richcompare_bool(i, len, CMP_LT);
    MINI_DECREF(len);
    MiniObject *res = NULL;
    if (ok == 0)
        mini_raise_str(mini_exc_IndexError, "range object index out of range");
    else if (ok > 0)
        res = compute_item(r, i);
    MINI_XDECREF(i);
    return res;
}

// r[slice]: another range. The slice is resolved on int objects (CPython's
// _PySlice_GetLongIndices), so it works for ranges longer than any machine int.
static MiniObject *range_slice(MiniRange *r, MiniObject *slice) {
    MiniObject *len = range_length_obj(r);
    if (!len)
        return NULL;
    MiniObject *start, *stop, *step;
    bool ok = container_slice_long_indices(slice, len, &start, &stop, &step);
    MINI_DECREF(len);
    if (!ok)
        return NULL;
    MiniObject *res = NULL;
    MiniObject *nstart = compute_item(r, start);
    MiniObject *nstop = nstart ? compute_item(r, stop) : NULL;
    MiniObject *nstep = nstop ? mul(r->step, step) : NULL;
    if (nstep) {
        res = make_range(nstart, nstop, nstep);
    } else {
        MINI_XDECREF(nstart);
        MINI_XDECREF(nstop);
    }
    MINI_DECREF(start);
    MINI_DECREF(stop);
    MINI_DECREF(step);
    return res;
}

static MiniObject *range_getitem(MiniObject *self, MiniObject *key) {
    if (MINI_IS_PTR(key) && key->type == &mini_slice_type)
        return range_slice(R(self), key);
    if (container_is_index(key))
        return range_item(R(self), key);
    return mini_raise(mini_exc_TypeError, "range indices must be integers or slices, not %s",
                      mini_type_name(key));
}

// ---------------------------------------------------------------------------------------------
// Membership
// ---------------------------------------------------------------------------------------------

// `ob in r` for an int ob, in O(1): within the bounds and on the stride.
static int contains_int(MiniRange *r, MiniObject *ob) {
    if (all_small(r) && MINI_IS_SMALLINT(ob)) {
        int64_t start = MINI_SMALLINT_VALUE(r->start), stop = MINI_SMALLINT_VALUE(r->stop);
        int64_t step = MINI_SMALLINT_VALUE(r->step), x = MINI_SMALLINT_VALUE(ob);
        if (step > 0 ? (x < start || x >= stop) : (x > start || x <= stop))
            return 0;
        return (x - start) % step == 0;
    }
    int pos = mini_richcompare_bool(r->step, ZERO, CMP_GT);
    if (pos < 0)
        return -1;
    int c2 = pos ? mini_richcompare_bool(r->start, ob, CMP_LE)
                 : mini_richcompare_bool(ob, r->start, CMP_LE);
    if (c2 <= 0)
        return c2;
    int c3 = pos ? mini_richcompare_bool(ob, r->stop, CMP_LT)
                 : mini_richcompare_bool(r->stop, ob, CMP_LT);
    if (c3 <= 0)
        return c3;
    MiniObject *d = sub(ob, r->start);
    if (!d)
        return -1;
    MiniObject *m = mini_binary_op(d, r->step, BINOP_MOD);
    MINI_DECREF(d);
    if (!m)
        return -1;
    int res = mini_eq(m, ZERO);
    MINI_DECREF(m);
    return res;
}

static bool exact_int_or_bool(MiniObject *o) { return int_check_exact(o) || MINI_IS_BOOL(o); }

// Walks the range comparing with ==: how other objects (2.0, a Fraction) are found. Counts
// matches when [count], else stops at the first and stores its position in *index.
static int search(MiniObject *self, MiniObject *ob, bool count, int64_t *out) {
    MiniObject *it = mini_iter(self);
    if (!it)
        return -1;
    int64_t n = 0, i = 0;
    int found = 0;
    for (;; i++) {
        MiniObject *x = mini_next(it);
        if (!x)
            break;
        int k = mini_eq(x, ob);
        MINI_DECREF(x);
        if (k < 0) {
            MINI_DECREF(it);
            return -1;
        }
        if (k) {
            n++;
            if (!count) {
                found = 1;
                break;
            }
        }
    }
    MINI_DECREF(it);
    if (mini_error_occurred())
        return -1;
    *out = count ? n : i;
    return count ? 1 : found;
}

static int range_contains(MiniObject *self, MiniObject *ob) {
    if (exact_int_or_bool(ob))
        return contains_int(R(self), ob);
    int64_t pos;
    return search(self, ob, false, &pos);
}

static MiniObject *range_m_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!container_arg_one("range.count", nargs, kwnames))
        return NULL;
    if (exact_int_or_bool(args[0])) {
        int r = contains_int(R(self), args[0]);
        return r < 0 ? NULL : MINI_FROM_SMALLINT(r);
    }
    int64_t n;
    if (search(self, args[0], true, &n) < 0)
        return NULL;
    return int_from_i64(n);
}

static MiniObject *range_m_index(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!container_arg_one("range.index", nargs, kwnames))
        return NULL;
    MiniObject *ob = args[0];
    if (exact_int_or_bool(ob)) {
        int r = contains_int(R(self), ob);
        if (r < 0)
            return NULL;
        if (!r)
            return mini_raise(mini_exc_ValueError, "%R is not in range", ob);
        MiniObject *d = sub(ob, R(self)->start);
        if (!d)
            return NULL;
        MiniObject *q = floordiv(d, R(self)->step);
        MINI_DECREF(d);
        return q;
    }
    int64_t pos;
    int r = search(self, ob, false, &pos);
    if (r < 0)
        return NULL;
    if (!r)
        return mini_raise_str(mini_exc_ValueError, "sequence.index(x): x not in sequence");
    return int_from_i64(pos);
}

// ---------------------------------------------------------------------------------------------
// Iterators
// ---------------------------------------------------------------------------------------------

MiniObject *range_new_i64(int64_t start, int64_t stop, int64_t step) {
    MiniRangeIter *it = (MiniRangeIter *)mini_alloc(&mini_rangeiter_type, sizeof(MiniRangeIter));
    if (!it)
        return NULL;
    it->next = start;
    it->step = step;
    it->remaining = len_u64(start, stop, step);
    return (MiniObject *)it;
}

static MiniObject *rangeiter_next(MiniObject *self) {
    int64_t v;
    if (!range_iter_next_i64(self, &v))
        return NULL;
    return int_from_i64(v);
}

static MiniObject *rangeiter_length_hint(MiniObject *self, MiniObject *const *args,
                                         size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("range_iterator.__length_hint__", nargs, kwnames))
        return NULL;
    return int_from_u64(((MiniRangeIter *)self)->remaining);
}

static const MiniMethodDef rangeiter_methods[] = {
    {"__length_hint__", rangeiter_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_rangeiter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "range_iterator",
    .basicsize = sizeof(MiniRangeIter),
    .tp_new = container_no_new,
    .iter = container_self_iter,
    .iternext = rangeiter_next,
    .methods = rangeiter_methods,
};

// The iterator for ranges beyond int64: the next value and how many remain, as int objects.
typedef struct {
    MiniObject ob;
    MiniObject *next, *step, *remaining;
} LongRangeIter;

// Takes over the three references (even on failure).
static MiniObject *longrangeiter_new(MiniObject *start, MiniObject *step, MiniObject *len) {
    LongRangeIter *it = (LongRangeIter *)mini_alloc(&longrangeiter_type, sizeof(LongRangeIter));
    if (!it) {
        MINI_DECREF(start);
        MINI_DECREF(step);
        MINI_DECREF(len);
        return NULL;
    }
    it->next = start;
    it->step = step;
    it->remaining = len;
    return (MiniObject *)it;
}

static void longrangeiter_dealloc(MiniObject *self) {
    LongRangeIter *it = (LongRangeIter *)self;
    MINI_DECREF(it->next);
    MINI_DECREF(it->step);
    MINI_DECREF(it->remaining);
    mini_object_free(self);
}

static MiniObject *longrangeiter_next(MiniObject *self) {
    LongRangeIter *it = (LongRangeIter *)self;
    int more = mini_richcompare_bool(it->remaining, ZERO, CMP_GT);
    if (more <= 0)
        return NULL;
    MiniObject *rem = sub(it->remaining, ONE);
    if (!rem)
        return NULL;
    MiniObject *nxt = add(it->next, it->step);
    if (!nxt) {
        MINI_DECREF(rem);
        return NULL;
    }
    MiniObject *value = it->next;
    it->next = nxt;
    MINI_SETREF(it->remaining, rem);
    return value; // the iterator's reference passes to the caller
}

static MiniObject *longrangeiter_length_hint(MiniObject *self, MiniObject *const *args,
                                             size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("longrange_iterator.__length_hint__", nargs, kwnames))
        return NULL;
    return mini_newref(((LongRangeIter *)self)->remaining);
}

static const MiniMethodDef longrangeiter_methods[] = {
    {"__length_hint__", longrangeiter_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

static MiniType longrangeiter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "longrange_iterator",
    .basicsize = sizeof(LongRangeIter),
    .dealloc = longrangeiter_dealloc,
    .tp_new = container_no_new,
    .iter = container_self_iter,
    .iternext = longrangeiter_next,
    .methods = longrangeiter_methods,
};

// The three bounds as int64, or false (no exception) when one does not fit.
static bool bounds_i64(const MiniRange *r, int64_t *start, int64_t *stop, int64_t *step) {
    if (all_small(r)) {
        *start = MINI_SMALLINT_VALUE(r->start);
        *stop = MINI_SMALLINT_VALUE(r->stop);
        *step = MINI_SMALLINT_VALUE(r->step);
        return true;
    }
    if (int_as_i64(r->start, start) && int_as_i64(r->stop, stop) && int_as_i64(r->step, step))
        return true;
    mini_error_clear();
    return false;
}

static MiniObject *range_iter(MiniObject *self) {
    MiniRange *r = R(self);
    int64_t start, stop, step;
    if (bounds_i64(r, &start, &stop, &step))
        return range_new_i64(start, stop, step);
    MiniObject *len = range_length_obj(r);
    if (!len)
        return NULL;
    return longrangeiter_new(mini_newref(r->start), mini_newref(r->step), len);
}

// reversed(range): from the last value down by -step.
static MiniObject *range_m_reversed(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("range.__reversed__", nargs, kwnames))
        return NULL;
    MiniRange *r = R(self);
    int64_t start, stop, step;
    if (bounds_i64(r, &start, &stop, &step) && step != INT64_MIN) {
        uint64_t n = len_u64(start, stop, step);
        MiniRangeIter *it =
            (MiniRangeIter *)mini_alloc(&mini_rangeiter_type, sizeof(MiniRangeIter));
        if (!it)
            return NULL;
        // The last value lies between start and stop: computing it cannot overflow.
        it->next = n ? (int64_t)((uint64_t)start + (n - 1) * (uint64_t)step) : start;
        it->step = -step;
        it->remaining = n;
        return (MiniObject *)it;
    }
    MiniObject *len = range_length_obj(r);
    if (!len)
        return NULL;
    MiniObject *lastidx = sub(len, ONE);
    MiniObject *last = lastidx ? compute_item(r, lastidx) : NULL;
    MINI_XDECREF(lastidx);
    MiniObject *negstep = last ? mini_neg(r->step) : NULL;
    if (!negstep) {
        MINI_XDECREF(last);
        MINI_DECREF(len);
        return NULL;
    }
    return longrangeiter_new(last, negstep, len);
}

// ---------------------------------------------------------------------------------------------
// The type
// ---------------------------------------------------------------------------------------------

static MiniObject *range_get_start(MiniObject *self) { return mini_newref(R(self)->start); }
static MiniObject *range_get_stop(MiniObject *self) { return mini_newref(R(self)->stop); }
static MiniObject *range_get_step(MiniObject *self) { return mini_newref(R(self)->step); }

// CPython's range attributes are read-only members, which say just this when assigned.
static int range_readonly(MiniObject *self, MiniObject *value) {
    (void)self, (void)value;
    mini_raise_str(mini_exc_AttributeError, "readonly attribute");
    return -1;
}

static const MiniGetSetDef range_getset[] = {
    {"start", range_get_start, range_readonly, NULL},
    {"stop", range_get_stop, range_readonly, NULL},
    {"step", range_get_step, range_readonly, NULL},
    {NULL, NULL, NULL, NULL},
};

static const MiniMethodDef range_methods[] = {
    {"count", range_m_count, 0,
     "rangeobject.count(value) -> integer -- return number of occurrences of value"},
    {"index", range_m_index, 0, "rangeobject.index(value) -> integer -- return index of value."},
    {"__reversed__", range_m_reversed, 0, "Return a reverse iterator."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_range_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "range",
    .basicsize = sizeof(MiniRange),
    .dealloc = range_dealloc,
    .tp_new = range_tp_new,
    .repr = range_repr,
    .hash = range_hash,
    .richcompare = range_richcompare,
    .iter = range_iter,
    .nb_bool = range_bool,
    .len = range_len,
    .getitem = range_getitem,
    .contains = range_contains,
    .methods = range_methods,
    .getset = range_getset,
    .doc = "range(stop) -> range object\nrange(start, stop[, step]) -> range object",
};
