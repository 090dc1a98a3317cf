// list.c - the list type: a growable array of references.
//
// A MiniList owns `items`, a malloc'd array of `cap` slots of which the first `size` hold
// references. Growth over-allocates by about 1/8 (CPython's rule) so that appends are
// amortised O(1); shrinking below half the capacity gives memory back.
//
// Any call into mini code (an __eq__, a __repr__, a key function, an iterator) may change the
// list being worked on. So loops re-read the size at each step, hold a reference to the item
// they are looking at, and never keep a pointer into `items` across such a call.
//
// sort() finds runs as CPython's timsort does and merges them stably, comparing with `<`
// only. While it runs the list is emptied (its items are moved out), so a key function or
// __lt__ that looks at the list sees []; if the list was changed meanwhile the sort raises
// "list modified during sort", as CPython does.

#include <string.h>

#include "container.h"

static MiniType listreviter_type;

// While a list is being sorted its items array is this marker, with size and capacity 0:
// the list looks empty, and any change - even append-then-clear, or a bare clear - replaces
// the marker, which is how the sort tells the list was modified (CPython's allocated = -1).
// It is never written to (capacity 0) and never freed.
static MiniObject *const sorting_marker[1] = {NULL};
#define SORTING ((MiniObject **)sorting_marker)

// Frees an items array (the sort's marker is not one).
static void free_items(MiniObject **items) {
    if (items != SORTING)
        mini_free(items);
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

// Sets the size of [l] to [newsize], growing or shrinking the array when needed. New slots
// are not initialised (the caller fills them); the caller has already released the items of
// slots beyond a smaller size. 0, or -1 with MemoryError.
static int list_resize(MiniList *l, size_t newsize) {
    if (newsize <= l->cap && newsize >= l->cap / 2) {
        l->size = newsize;
        return 0;
    }
    if (newsize > CONTAINER_MAX_ITEMS) {
        mini_raise_memory();
        return -1;
    }
    size_t newcap = (newsize + (newsize >> 3) + 6) & ~(size_t)3;
    // A big jump (extend by many items) gets no slack beyond rounding.
    if (newsize > l->size && newsize - l->size > newcap - newsize)
        newcap = (newsize + 3) & ~(size_t)3;
    if (newcap > CONTAINER_MAX_ITEMS)
        newcap = newsize;
    if (newsize == 0) {
        free_items(l->items);
        l->items = NULL;
        l->size = l->cap = 0;
        return 0;
    }
    MiniObject **items =
        mini_realloc(l->items == SORTING ? NULL : l->items, newcap * sizeof(MiniObject *));
    if (!items)
        return -1;
    l->items = items;
    l->cap = newcap;
    l->size = newsize;
    return 0;
}

MiniObject *list_new(size_t n) {
    if (n > CONTAINER_MAX_ITEMS)
        return mini_raise_memory();
    MiniList *l = (MiniList *)mini_gc_alloc(&mini_list_type, sizeof(MiniList));
    if (!l)
        return NULL;
    if (n > 0) {
        l->items = mini_calloc(n, sizeof(MiniObject *));
        if (!l->items) {
            mini_object_free((MiniObject *)l);
            return NULL;
        }
    }
    l->size = l->cap = n;
    return (MiniObject *)l;
}

MiniObject *list_from_array(MiniObject *const *items, size_t n) {
    MiniObject *l = list_new(n);
    if (!l)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        MINI_INCREF(items[i]);
        LIST_ITEMS(l)[i] = items[i];
    }
    return l;
}

int list_append(MiniObject *list, MiniObject *item) {
    MiniList *l = (MiniList *)list;
    size_t n = l->size;
    if (n < l->cap) {
        MINI_INCREF(item);
        l->items[n] = item;
        l->size = n + 1;
        return 0;
    }
    if (list_resize(l, n + 1) < 0)
        return -1;
    MINI_INCREF(item);
    l->items[n] = item;
    return 0;
}

int list_extend(MiniObject *list, MiniObject *iterable) {
    MiniList *l = (MiniList *)list;
    if (MINI_IS_PTR(iterable) &&
        (iterable->type == &mini_list_type || iterable->type == &mini_tuple_type)) {
        bool is_list = iterable->type == &mini_list_type;
        size_t n = is_list ? LIST_SIZE(iterable) : TUPLE_SIZE(iterable);
        if (n == 0)
            return 0;
        size_t m = l->size;
        if (n > CONTAINER_MAX_ITEMS - m) {
            mini_raise_memory();
            return -1;
        }
        if (list_resize(l, m + n) < 0)
            return -1;
        // Read the source only now: for l.extend(l) the resize may have moved it.
        MiniObject **src = is_list ? LIST_ITEMS(iterable) : TUPLE_ITEMS(iterable);
        for (size_t i = 0; i < n; i++) {
            MINI_INCREF(src[i]);
            l->items[m + i] = src[i];
        }
        return 0;
    }
    MiniObject *it = mini_iter(iterable);
    if (!it)
        return -1;
    for (;;) {
        MiniObject *item = mini_next(it);
        if (!item)
            break;
        int rc = list_append(list, item);
        MINI_DECREF(item);
        if (rc < 0) {
            MINI_DECREF(it);
            return -1;
        }
    }
    MINI_DECREF(it);
    return mini_error_occurred() ? -1 : 0;
}

MiniObject *list_as_tuple(MiniObject *list) {
    return tuple_from_array(LIST_ITEMS(list), LIST_SIZE(list));
}

MiniObject *container_seq_fast(MiniObject *o, const char *msg) {
    if (MINI_IS_PTR(o) && (o->type == &mini_list_type || o->type == &mini_tuple_type))
        return mini_newref(o);
    MiniObject *it = mini_iter(o);
    if (!it) {
        if (mini_error_matches(mini_exc_TypeError)) {
            mini_error_clear();
            mini_raise_str(mini_exc_TypeError, msg);
        }
        return NULL;
    }
    MiniObject *l = list_new(0);
    if (l && list_extend(l, it) < 0)
        MINI_CLEAR(l);
    MINI_DECREF(it);
    return l;
}

// Empties [l], releasing its items after the list is already consistent (a released item's
// __del__ may look at the list).
static void clear_items(MiniList *l) {
    MiniObject **items = l->items;
    size_t n = l->size;
    l->items = NULL;
    l->size = l->cap = 0;
    while (n > 0) {
        n--;
        MINI_XDECREF(items[n]);
    }
    free_items(items);
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

static void list_dealloc(MiniObject *self) {
    bool exact = self->type == &mini_list_type;
    if (exact && !container_trash_begin(self))
        return;
    clear_items((MiniList *)self);
    mini_object_free(self);
    if (exact)
        container_trash_end();
}

static int list_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniList *l = (MiniList *)self;
    for (size_t i = 0; i < l->size; i++)
        MINI_VISIT(l->items[i]);
    return 0;
}

static int list_clear_refs(MiniObject *self) {
    clear_items((MiniList *)self);
    return 0;
}

// list.__new__: an empty list of [type]; __init__ fills it.
static MiniObject *list_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args, (void)nargs, (void)kwnames;
    return mini_type_alloc(type, 0);
}

// list.__init__(iterable=()): re-initialises, so the list is emptied first.
static int list_tp_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                        MiniObject *kwnames) {
    if (!container_no_kw("list", kwnames) || !mini_check_nargs("list", nargs, 0, 1))
        return -1;
    if (LIST_SIZE(self) > 0 || LIST_ITEMS(self))
        clear_items((MiniList *)self);
    if (nargs == 1)
        return list_extend(self, args[0]);
    return 0;
}

// ---------------------------------------------------------------------------------------------
// repr and comparison
// ---------------------------------------------------------------------------------------------

static MiniObject *list_repr(MiniObject *self) {
    if (LIST_SIZE(self) == 0)
        return mini_intern("[]");
    int rc = mini_repr_enter(self);
    if (rc != 0)
        return rc > 0 ? mini_intern("[...]") : NULL;
    StrBuf b;
    strbuf_init(&b);
    strbuf_addc(&b, '[');
    // An item's __repr__ may shrink the list: the bound is re-read every time.
    for (size_t i = 0; i < LIST_SIZE(self); i++) {
        if (i > 0)
            strbuf_add(&b, ", ", 2);
        MiniObject *item = mini_newref(LIST_GET(self, i));
        MiniObject *r = mini_repr(item);
        MINI_DECREF(item);
        if (!r) {
            strbuf_free(&b);
            mini_repr_leave(self);
            return NULL;
        }
        strbuf_add_obj(&b, r);
        MINI_DECREF(r);
    }
    strbuf_addc(&b, ']');
    mini_repr_leave(self);
    return strbuf_finish(&b);
}

static MiniObject *list_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!list_check(a) || !list_check(b))
        return MINI_NOTIMPL;
    if ((op == CMP_EQ || op == CMP_NE) && LIST_SIZE(a) != LIST_SIZE(b))
        return MINI_BOOL(op == CMP_NE);
    size_t i;
    for (i = 0; i < LIST_SIZE(a) && i < LIST_SIZE(b); i++) {
        MiniObject *x = LIST_GET(a, i), *y = LIST_GET(b, i);
        if (x == y)
            continue;
        MINI_INCREF(x);
        MINI_INCREF(y);
        int k = mini_eq(x, y);
        MINI_DECREF(x);
        MINI_DECREF(y);
        if (k < 0)
            return NULL;
        if (!k)
            break;
    }
    // The comparisons may have shrunk either list: check the index again.
    if (i >= LIST_SIZE(a) || i >= LIST_SIZE(b))
        return container_compare_sizes(LIST_SIZE(a), LIST_SIZE(b), op);
    if (op == CMP_EQ)
        return MINI_FALSE;
    if (op == CMP_NE)
        return MINI_TRUE;
    MiniObject *x = mini_newref(LIST_GET(a, i)), *y = mini_newref(LIST_GET(b, i));
    MiniObject *res = mini_richcompare(x, y, op);
    MINI_DECREF(x);
    MINI_DECREF(y);
    return res;
}

// ---------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------

static ssize_t list_len(MiniObject *self) { return (ssize_t)LIST_SIZE(self); }

static MiniObject *list_add(MiniObject *a, MiniObject *b) {
    if (!list_check(a) || !list_check(b))
        return MINI_NOTIMPL;
    size_t na = LIST_SIZE(a), nb = LIST_SIZE(b);
    if (na > CONTAINER_MAX_ITEMS - nb)
        return mini_raise_memory();
    MiniObject *l = list_new(na + nb);
    if (!l)
        return NULL;
    for (size_t i = 0; i < na; i++)
        LIST_ITEMS(l)[i] = mini_newref(LIST_GET(a, i));
    for (size_t i = 0; i < nb; i++)
        LIST_ITEMS(l)[na + i] = mini_newref(LIST_GET(b, i));
    return l;
}

// Fills [dst] with [n] copies of the [size] items at [src], each with a new reference.
static void repeat_into(MiniObject **dst, MiniObject *const *src, size_t size, size_t n) {
    for (size_t r = 0; r < n; r++) {
        for (size_t i = 0; i < size; i++) {
            MINI_INCREF(src[i]);
            *dst++ = src[i];
        }
    }
}

// The repeat count of `seq * count`: an index, negative counting as 0. False on error.
static bool repeat_count(MiniObject *count, size_t *out) {
    ssize_t n = mini_as_ssize(count);
    if (n == -1 && mini_error_occurred())
        return false;
    *out = n < 0 ? 0 : (size_t)n;
    return true;
}

// list * n and n * list. A count that is not an index is left to the dispatcher.
static MiniObject *list_mul(MiniObject *a, MiniObject *b) {
    MiniObject *seq, *count;
    if (list_check(a) && container_is_index(b)) {
        // CPython repeats a sequence only after the count's own * declined: [1] * x with an
        // x defining __rmul__ (and __index__) calls x.__rmul__.
        MiniObject *r = container_count_mul(a, b, list_mul);
        if (r != MINI_NOTIMPL)
            return r;
        seq = a, count = b;
    } else if (list_check(b) && container_is_index(a)) {
        seq = b, count = a;
    } else {
        return MINI_NOTIMPL;
    }
    size_t n;
    if (!repeat_count(count, &n))
        return NULL;
    size_t size = LIST_SIZE(seq);
    if (n == 0 || size == 0)
        return list_new(0);
    // Check the size before allocating anything: [0] * 10**12 is a MemoryError at once.
    if (size > CONTAINER_MAX_ITEMS / n)
        return mini_raise_memory();
    MiniObject *l = list_new(size * n);
    if (!l)
        return NULL;
    repeat_into(LIST_ITEMS(l), LIST_ITEMS(seq), size, n);
    return l;
}

// l += iterable: extends with any iterable, in place.
static MiniObject *list_inplace_add(MiniObject *a, MiniObject *b) {
    if (!list_check(a))
        return MINI_NOTIMPL;
    if (list_extend(a, b) < 0)
        return NULL;
    return mini_newref(a);
}

static MiniObject *list_inplace_mul(MiniObject *a, MiniObject *b) {
    if (!list_check(a) || !container_is_index(b))
        return MINI_NOTIMPL;
    size_t n;
    if (!repeat_count(b, &n))
        return NULL;
    MiniList *l = (MiniList *)a;
    size_t size = l->size;
    if (size == 0 || n == 1)
        return mini_newref(a);
    if (n == 0) {
        clear_items(l);
        return mini_newref(a);
    }
    if (size > CONTAINER_MAX_ITEMS / n)
        return mini_raise_memory();
    if (list_resize(l, size * n) < 0)
        return NULL;
    repeat_into(l->items + size, l->items, size, n - 1);
    return mini_newref(a);
}

// ---------------------------------------------------------------------------------------------
// Items and slices
// ---------------------------------------------------------------------------------------------

static bool is_slice(MiniObject *o) { return MINI_IS_PTR(o) && o->type == &mini_slice_type; }

// The items [lo, hi) of [l] as a new list (0 <= lo <= hi <= size).
static MiniObject *list_slice(MiniList *l, size_t lo, size_t hi) {
    return list_from_array(l->items + lo, hi - lo);
}

static MiniObject *list_getitem(MiniObject *self, MiniObject *key) {
    MiniList *l = (MiniList *)self;
    if (container_is_index(key)) {
        ssize_t i;
        if (!container_item_index(key, &i))
            return NULL;
        if (i < 0)
            i += (ssize_t)l->size;
        if (i < 0 || (size_t)i >= l->size)
            return mini_raise_str(mini_exc_IndexError, "list index out of range");
        return mini_newref(l->items[i]);
    }
    if (is_slice(key)) {
        ssize_t start, stop, step;
        ssize_t n = slice_indices(key, (ssize_t)l->size, &start, &stop, &step);
        if (n < 0)
            return NULL;
        if (step == 1)
            return list_slice(l, (size_t)start, (size_t)start + (size_t)n);
        MiniObject *res = list_new((size_t)n);
        if (!res)
            return NULL;
        // Unsigned steps: past the last item the position may overflow; it is never used.
        size_t j = (size_t)start;
        for (ssize_t i = 0; i < n; i++, j += (size_t)step)
            LIST_ITEMS(res)[i] = mini_newref(l->items[j]);
        return res;
    }
    return mini_raise(mini_exc_TypeError, "list indices must be integers or slices, not %s",
                      mini_type_name(key));
}

// a[lo:hi] = v (v NULL: del a[lo:hi]), CPython's list_ass_slice. The bounds are clamped
// after [v] was turned into a sequence, since that may run code that changes the list.
static int list_ass_slice(MiniList *a, ssize_t lo, ssize_t hi, MiniObject *v) {
    MiniObject *seq = NULL;
    size_t n = 0;
    MiniObject **vitems = NULL;
    if (v) {
        // a[i:j] = a must copy a first: its items move under our feet otherwise.
        seq = (MiniObject *)a == v ? list_slice(a, 0, a->size)
                                   : container_seq_fast(v, "can only assign an iterable");
        if (!seq)
            return -1;
        bool is_list = seq->type == &mini_list_type;
        n = is_list ? LIST_SIZE(seq) : TUPLE_SIZE(seq);
        vitems = is_list ? LIST_ITEMS(seq) : TUPLE_ITEMS(seq);
    }
    size_t size = a->size;
    size_t ilow = lo < 0 ? 0 : (size_t)lo > size ? size : (size_t)lo;
    size_t ihigh = hi < (ssize_t)ilow ? ilow : (size_t)hi > size ? size : (size_t)hi;
    size_t norig = ihigh - ilow;
    if (size - norig + n == 0) {
        MINI_XDECREF(seq);
        clear_items(a);
        return 0;
    }
    if (n > CONTAINER_MAX_ITEMS - (size - norig)) {
        MINI_XDECREF(seq);
        mini_raise_memory();
        return -1;
    }
    // The items being replaced are released last, when the list is consistent again. A few
    // (del a[i] is one) fit on the stack.
    MiniObject *recycle_small[8];
    MiniObject **recycle = recycle_small;
    if (norig > 8) {
        recycle = mini_malloc(norig * sizeof(MiniObject *));
        if (!recycle) {
            MINI_XDECREF(seq);
            return -1;
        }
    }
    if (norig > 0)
        memcpy(recycle, a->items + ilow, norig * sizeof(MiniObject *));
    if (n < norig) {
        size_t d = norig - n;
        memmove(a->items + ihigh - d, a->items + ihigh, (size - ihigh) * sizeof(MiniObject *));
        // Shrinking never fails for lack of memory: if realloc does, the array stays as big.
        if (list_resize(a, size - d) < 0) {
            mini_error_clear();
            a->size = size - d;
        }
    } else if (n > norig) {
        size_t d = n - norig;
        if (list_resize(a, size + d) < 0) {
            if (recycle != recycle_small)
                mini_free(recycle);
            MINI_XDECREF(seq);
            return -1;
        }
        memmove(a->items + ihigh + d, a->items + ihigh, (size - ihigh) * sizeof(MiniObject *));
    }
    for (size_t k = 0; k < n; k++) {
        MINI_INCREF(vitems[k]);
        a->items[ilow + k] = vitems[k];
    }
    for (size_t k = norig; k > 0; k--)
        MINI_XDECREF(recycle[k - 1]);
    if (recycle != recycle_small)
        mini_free(recycle);
    MINI_XDECREF(seq);
    return 0;
}

// del a[start:stop:step] for a step other than 1 (normalised to a positive step first).
static int list_del_extended(MiniList *l, ssize_t start, ssize_t step, ssize_t count) {
    if (count <= 0)
        return 0;
    if (step < 0) {
        start = start + step * (count - 1);
        step = -step;
    }
    MiniObject **garbage = mini_malloc((size_t)count * sizeof(MiniObject *));
    if (!garbage)
        return -1;
    // Walk the removed positions, sliding the kept items between them down.
    size_t size = l->size, out = (size_t)start;
    for (size_t cur = (size_t)start, i = 0; cur < size; cur++) {
        if (i < (size_t)count && cur == (size_t)start + i * (size_t)step) {
            garbage[i++] = l->items[cur];
        } else {
            l->items[out++] = l->items[cur];
        }
    }
    l->size = out;
    if (list_resize(l, out) < 0)
        mini_error_clear();
    for (ssize_t i = 0; i < count; i++)
        MINI_DECREF(garbage[i]);
    mini_free(garbage);
    return 0;
}

static int list_setitem(MiniObject *self, MiniObject *key, MiniObject *value) {
    MiniList *l = (MiniList *)self;
    if (container_is_index(key)) {
        ssize_t i;
        if (!container_item_index(key, &i))
            return -1;
        if (i < 0)
            i += (ssize_t)l->size;
        if (i < 0 || (size_t)i >= l->size) {
            mini_raise_str(mini_exc_IndexError, "list assignment index out of range");
            return -1;
        }
        if (!value)
            return list_ass_slice(l, i, i + 1, NULL);
        MiniObject *old = l->items[i];
        MINI_INCREF(value);
        l->items[i] = value;
        MINI_DECREF(old);
        return 0;
    }
    if (!is_slice(key)) {
        mini_raise(mini_exc_TypeError, "list indices must be integers or slices, not %s",
                   mini_type_name(key));
        return -1;
    }
    ssize_t start, stop, step;
    ssize_t n = slice_indices(key, (ssize_t)l->size, &start, &stop, &step);
    if (n < 0)
        return -1;
    if (step == 1)
        return list_ass_slice(l, start, stop, value);
    if (!value)
        return list_del_extended(l, start, step, n);
    // a[::-1] = a needs a copy of a first.
    MiniObject *seq = self == value
                          ? list_slice(l, 0, l->size)
                          : container_seq_fast(value, "must assign iterable to extended slice");
    if (!seq)
        return -1;
    // Making the sequence may have run code that resized the list: resolve the slice again.
    n = slice_indices(key, (ssize_t)l->size, &start, &stop, &step);
    bool is_list = seq->type == &mini_list_type;
    size_t len = is_list ? LIST_SIZE(seq) : TUPLE_SIZE(seq);
    MiniObject **src = is_list ? LIST_ITEMS(seq) : TUPLE_ITEMS(seq);
    if (n < 0) {
        MINI_DECREF(seq);
        return -1;
    }
    if (len != (size_t)n) {
        mini_raise(mini_exc_ValueError,
                   "attempt to assign sequence of size %zu to extended slice of size %zd", len,
                   n);
        MINI_DECREF(seq);
        return -1;
    }
    if (n == 0) {
        MINI_DECREF(seq);
        return 0;
    }
    MiniObject **garbage = mini_malloc((size_t)n * sizeof(MiniObject *));
    if (!garbage) {
        MINI_DECREF(seq);
        return -1;
    }
    size_t cur = (size_t)start;
    for (ssize_t i = 0; i < n; i++, cur += (size_t)step) {
        garbage[i] = l->items[cur];
        MINI_INCREF(src[i]);
        l->items[cur] = src[i];
    }
    for (ssize_t i = 0; i < n; i++)
        MINI_DECREF(garbage[i]);
    mini_free(garbage);
    MINI_DECREF(seq);
    return 0;
}

static int list_contains(MiniObject *self, MiniObject *item) {
    for (size_t i = 0; i < LIST_SIZE(self); i++) {
        MiniObject *x = mini_newref(LIST_GET(self, i));
        int k = mini_eq(x, item);
        MINI_DECREF(x);
        if (k != 0)
            return k;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Sorting. The runs are found as CPython's timsort finds them: a natural run (ascending, or
// strictly descending and then reversed) extended to `minrun` items by binary insertion. So
// for lists under 64 items - one run - mini makes exactly CPython's comparisons in CPython's
// order, and a sort that fails half-way leaves the list as CPython would. The runs are then
// merged pairwise with a stable merge (no galloping). Every comparison is `<`; when one fails
// the arrays are left a permutation of what they were, so no reference is lost or doubled. The
// values (when a key function was given) move alongside the keys.
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject **keys;
    MiniObject **values; // NULL when the keys are the values
    MiniObject **tmpk, **tmpv;
    int (*lt)(MiniObject *a, MiniObject *b); // 1 if a < b, 0 if not, -1 on error
} SortState;

static int lt_generic(MiniObject *a, MiniObject *b) {
    return mini_richcompare_bool(a, b, CMP_LT);
}

static int lt_smallint(MiniObject *a, MiniObject *b) {
    return MINI_SMALLINT_VALUE(a) < MINI_SMALLINT_VALUE(b);
}

static int lt_float(MiniObject *a, MiniObject *b) {
    return ((MiniFloat *)a)->value < ((MiniFloat *)b)->value;
}

// UTF-8 byte order is code point order, so exact strs compare with memcmp.
static int lt_str(MiniObject *a, MiniObject *b) {
    size_t na = STR_SIZE(a), nb = STR_SIZE(b);
    int c = memcmp(STR_DATA(a), STR_DATA(b), na < nb ? na : nb);
    return c < 0 || (c == 0 && na < nb);
}

// Picks the cheapest correct `<` for the keys: when they all are small ints, exact floats or
// exact strs, no comparison can run mini code or fail.
static int (*choose_lt(MiniObject *const *keys, size_t n))(MiniObject *, MiniObject *) {
    bool ints = true, floats = true, strs = true;
    for (size_t i = 0; i < n && (ints || floats || strs); i++) {
        MiniObject *k = keys[i];
        ints = ints && MINI_IS_SMALLINT(k);
        floats = floats && MINI_IS_PTR(k) && k->type == &mini_float_type;
        strs = strs && MINI_IS_PTR(k) && k->type == &mini_str_type;
    }
    return ints ? lt_smallint : floats ? lt_float : strs ? lt_str : lt_generic;
}

// Swaps items i and j of the keys (and values).
static void swap_items(SortState *s, size_t i, size_t j) {
    MiniObject *t = s->keys[i];
    s->keys[i] = s->keys[j];
    s->keys[j] = t;
    if (s->values) {
        t = s->values[i];
        s->values[i] = s->values[j];
        s->values[j] = t;
    }
}

// The length of the run starting at [lo] (CPython's count_run): the longest ascending
// prefix, or the longest strictly descending one (*descending set). -1 on error.
static ssize_t count_run(SortState *s, size_t lo, size_t hi, bool *descending) {
    *descending = false;
    if (lo + 1 == hi)
        return 1;
    size_t i = lo + 1;
    int c = s->lt(s->keys[i], s->keys[i - 1]);
    if (c < 0)
        return -1;
    if (c) {
        *descending = true;
        for (i++; i < hi; i++) {
            c = s->lt(s->keys[i], s->keys[i - 1]);
            if (c < 0)
                return -1;
            if (!c)
                break;
        }
    } else {
        for (i++; i < hi; i++) {
            c = s->lt(s->keys[i], s->keys[i - 1]);
            if (c < 0)
                return -1;
            if (c)
                break;
        }
    }
    return (ssize_t)(i - lo);
}

// Sorts [lo, hi) by binary insertion, [lo, start) being sorted already (CPython's
// binarysort): stable, and nothing moves until the place of the new item is known.
static int binary_sort(SortState *s, size_t lo, size_t hi, size_t start) {
    if (lo == start)
        start++;
    for (; start < hi; start++) {
        MiniObject *pivot = s->keys[start];
        size_t l = lo, r = start;
        do {
            size_t p = l + ((r - l) >> 1);
            int c = s->lt(pivot, s->keys[p]);
            if (c < 0)
                return -1;
            if (c)
                r = p;
            else
                l = p + 1;
        } while (l < r);
        memmove(s->keys + l + 1, s->keys + l, (start - l) * sizeof(MiniObject *));
        s->keys[l] = pivot;
        if (s->values) {
            MiniObject *v = s->values[start];
            memmove(s->values + l + 1, s->values + l, (start - l) * sizeof(MiniObject *));
            s->values[l] = v;
        }
    }
    return 0;
}

// CPython's merge_compute_minrun: n itself below 64, else a length in [32, 64] such that
// n / minrun is a power of two or close to one.
static size_t compute_minrun(size_t n) {
    size_t r = 0;
    while (n >= 64) {
        r |= n & 1;
        n >>= 1;
    }
    return n + r;
}

// Merges the sorted runs [lo, mid) and [mid, hi). The left run is copied aside and merged
// back; on a failed comparison the rest of it is copied into the gap, which it fills exactly.
static int merge_runs(SortState *s, size_t lo, size_t mid, size_t hi) {
    // Already in order (the common case for sorted input): nothing to do.
    int c = s->lt(s->keys[mid], s->keys[mid - 1]);
    if (c <= 0)
        return c;
    size_t nl = mid - lo;
    memcpy(s->tmpk, s->keys + lo, nl * sizeof(MiniObject *));
    if (s->values)
        memcpy(s->tmpv, s->values + lo, nl * sizeof(MiniObject *));
    size_t i = 0, j = mid, k = lo;
    int rc = 0;
    while (i < nl && j < hi) {
        // Take from the right only when strictly smaller: that keeps the sort stable.
        c = s->lt(s->keys[j], s->tmpk[i]);
        if (c < 0) {
            rc = -1;
            break;
        }
        if (c) {
            s->keys[k] = s->keys[j];
            if (s->values)
                s->values[k] = s->values[j];
            j++;
        } else {
            s->keys[k] = s->tmpk[i];
            if (s->values)
                s->values[k] = s->tmpv[i];
            i++;
        }
        k++;
    }
    memcpy(s->keys + k, s->tmpk + i, (nl - i) * sizeof(MiniObject *));
    if (s->values)
        memcpy(s->values + k, s->tmpv + i, (nl - i) * sizeof(MiniObject *));
    return rc;
}

static int merge_sort(SortState *s, size_t n) {
    if (n < 2)
        return 0;
    size_t minrun = compute_minrun(n);
    // Every run but the last has at least minrun items.
    size_t *runs = mini_malloc((n / minrun + 2) * sizeof(size_t));
    if (!runs)
        return -1;
    size_t nruns = 0;
    for (size_t lo = 0; lo < n;) {
        bool descending;
        ssize_t len = count_run(s, lo, n, &descending);
        if (len < 0) {
            mini_free(runs);
            return -1;
        }
        if (descending)
            for (size_t i = lo, j = lo + (size_t)len - 1; i < j; i++, j--)
                swap_items(s, i, j);
        if ((size_t)len < minrun) {
            size_t force = n - lo < minrun ? n - lo : minrun;
            if (binary_sort(s, lo, lo + force, lo + (size_t)len) < 0) {
                mini_free(runs);
                return -1;
            }
            len = (ssize_t)force;
        }
        runs[nruns++] = lo;
        lo += (size_t)len;
    }
    runs[nruns] = n;
    // Merge neighbouring runs pairwise until one is left.
    while (nruns > 1) {
        size_t out = 0;
        for (size_t i = 0; i < nruns; i += 2) {
            if (i + 1 < nruns && merge_runs(s, runs[i], runs[i + 1], runs[i + 2]) < 0) {
                mini_free(runs);
                return -1;
            }
            runs[out++] = runs[i];
        }
        runs[out] = n;
        nruns = out;
    }
    mini_free(runs);
    return 0;
}

static void reverse_array(MiniObject **a, size_t n) {
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        MiniObject *t = a[i];
        a[i] = a[j - 1];
        a[j - 1] = t;
    }
}

// Sorts [items] (n of them) in place by [key] (NULL: the items themselves). 0 or -1.
static int sort_array(MiniObject **items, size_t n, MiniObject *key, bool reverse) {
    if (n < 2 && !key)
        return 0;
    MiniObject **keys = items;
    int rc = 0;
    if (key) {
        keys = mini_malloc(n * sizeof(MiniObject *));
        if (!keys)
            return -1;
        for (size_t i = 0; i < n; i++) {
            keys[i] = mini_call(key, &items[i], 1, NULL);
            if (!keys[i]) {
                while (i > 0)
                    MINI_DECREF(keys[--i]);
                mini_free(keys);
                return -1;
            }
        }
    }
    // Reversing before and after a stable ascending sort keeps equal items in their original
    // order in a descending sort, as CPython does.
    if (reverse) {
        reverse_array(items, n);
        if (key)
            reverse_array(keys, n);
    }
    // The left run of the last merge may hold most of the items: the scratch space holds n.
    SortState s = {keys, key ? items : NULL, NULL, NULL, NULL};
    s.tmpk = mini_malloc((n + 1) * sizeof(MiniObject *) * (key ? 2 : 1));
    if (!s.tmpk) {
        rc = -1;
    } else {
        s.tmpv = key ? s.tmpk + n + 1 : NULL;
        s.lt = choose_lt(keys, n);
        rc = merge_sort(&s, n);
        mini_free(s.tmpk);
    }
    if (reverse) {
        reverse_array(items, n);
        if (key)
            reverse_array(keys, n);
    }
    if (key) {
        for (size_t i = 0; i < n; i++)
            MINI_DECREF(keys[i]);
        mini_free(keys);
    }
    return rc;
}

int list_sort(MiniObject *list, MiniObject *key, bool reverse) {
    MiniList *l = (MiniList *)list;
    if (key == MINI_NONE)
        key = NULL;
    // Move the items out: during the sort the list is empty to anyone who looks.
    MiniObject **items = l->items;
    size_t n = l->size, cap = l->cap;
    l->items = SORTING;
    l->size = l->cap = 0;
    int rc = sort_array(items, n, key, reverse);
    MiniObject **changed = l->items;
    size_t nchanged = l->size;
    bool modified = changed != SORTING;
    l->items = items;
    l->size = n;
    l->cap = cap;
    // Whatever was put in the list meanwhile is dropped, as CPython drops it.
    if (modified && changed) {
        while (nchanged > 0) {
            nchanged--;
            MINI_XDECREF(changed[nchanged]);
        }
        mini_free(changed);
    }
    if (modified && rc == 0) {
        mini_raise_str(mini_exc_ValueError, "list modified during sort");
        return -1;
    }
    return rc;
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

static MiniObject *list_m_append(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!container_arg_one("list.append", nargs, kwnames))
        return NULL;
    if (list_append(self, args[0]) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *list_m_extend(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!container_arg_one("list.extend", nargs, kwnames))
        return NULL;
    if (list_extend(self, args[0]) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *list_m_insert(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!container_arg_range("list.insert", "insert", nargs, kwnames, 2, 2))
        return NULL;
    ssize_t i;
    if (!container_ssize_arg(args[0], &i))
        return NULL;
    MiniList *l = (MiniList *)self;
    size_t n = l->size;
    if (i < 0) {
        i += (ssize_t)n;
        if (i < 0)
            i = 0;
    }
    if ((size_t)i > n)
        i = (ssize_t)n;
    if (list_resize(l, n + 1) < 0)
        return NULL;
    memmove(l->items + i + 1, l->items + i, (n - (size_t)i) * sizeof(MiniObject *));
    MINI_INCREF(args[1]);
    l->items[i] = args[1];
    return MINI_NONE;
}

static MiniObject *list_m_pop(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    if (!container_arg_range("list.pop", "pop", nargs, kwnames, 0, 1))
        return NULL;
    ssize_t i = -1;
    if (nargs == 1 && !container_ssize_arg(args[0], &i))
        return NULL;
    MiniList *l = (MiniList *)self;
    if (l->size == 0)
        return mini_raise_str(mini_exc_IndexError, "pop from empty list");
    if (i < 0)
        i += (ssize_t)l->size;
    if (i < 0 || (size_t)i >= l->size)
        return mini_raise_str(mini_exc_IndexError, "pop index out of range");
    MiniObject *item = l->items[i];
    memmove(l->items + i, l->items + i + 1, (l->size - (size_t)i - 1) * sizeof(MiniObject *));
    if (list_resize(l, l->size - 1) < 0) {
        mini_error_clear();
        l->size--;
    }
    return item; // the list's reference passes to the caller
}

static MiniObject *list_m_remove(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!container_arg_one("list.remove", nargs, kwnames))
        return NULL;
    MiniList *l = (MiniList *)self;
    for (size_t i = 0; i < l->size; i++) {
        MiniObject *x = mini_newref(l->items[i]);
        int k = mini_eq(x, args[0]);
        MINI_DECREF(x);
        if (k < 0)
            return NULL;
        if (k) {
            if (list_ass_slice(l, (ssize_t)i, (ssize_t)i + 1, NULL) < 0)
                return NULL;
            return MINI_NONE;
        }
    }
    return mini_raise_str(mini_exc_ValueError, "list.remove(x): x not in list");
}

static MiniObject *list_m_index(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (!container_arg_range("list.index", "index", nargs, kwnames, 1, 3))
        return NULL;
    ssize_t start = 0, stop = PTRDIFF_MAX;
    if (nargs > 1 && !container_slice_index(args[1], &start, false))
        return NULL;
    if (nargs > 2 && !container_slice_index(args[2], &stop, false))
        return NULL;
    ssize_t size = (ssize_t)LIST_SIZE(self);
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
    for (ssize_t i = start; i < stop && (size_t)i < LIST_SIZE(self); i++) {
        MiniObject *x = mini_newref(LIST_GET(self, i));
        int k = mini_eq(x, args[0]);
        MINI_DECREF(x);
        if (k < 0)
            return NULL;
        if (k)
            return int_from_i64(i);
    }
    return mini_raise(mini_exc_ValueError, "%R is not in list", args[0]);
}

static MiniObject *list_m_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (!container_arg_one("list.count", nargs, kwnames))
        return NULL;
    int64_t count = 0;
    for (size_t i = 0; i < LIST_SIZE(self); i++) {
        MiniObject *x = mini_newref(LIST_GET(self, i));
        int k = mini_eq(x, args[0]);
        MINI_DECREF(x);
        if (k < 0)
            return NULL;
        count += k;
    }
    return int_from_i64(count);
}

// sort(*, key=None, reverse=False), with CPython's messages for wrong arguments.
static MiniObject *list_m_sort(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    if (nargs + nkw > 2)
        return mini_raise(mini_exc_TypeError, "sort() takes at most 2 arguments (%zu given)",
                          nargs + nkw);
    if (nargs > 0)
        return mini_raise_str(mini_exc_TypeError, "sort() takes no positional arguments");
    MiniObject *key = NULL, *rev = NULL;
    for (size_t k = 0; k < nkw; k++) {
        MiniObject *name = TUPLE_GET(kwnames, k);
        if (name == MINI_ID(key) || strcmp(STR_DATA(name), "key") == 0)
            key = args[k];
        else if (name == MINI_ID(reverse) || strcmp(STR_DATA(name), "reverse") == 0)
            rev = args[k];
        else
            return mini_raise(mini_exc_TypeError, "'%S' is an invalid keyword argument for sort()",
                              name);
    }
    bool reverse = false;
    if (rev) {
        MiniObject *r = mini_index(rev);
        if (!r)
            return NULL;
        reverse = int_sign(r) != 0;
        MINI_DECREF(r);
    }
    if (list_sort(self, key, reverse) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *list_m_reverse(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("list.reverse", nargs, kwnames))
        return NULL;
    reverse_array(LIST_ITEMS(self), LIST_SIZE(self));
    return MINI_NONE;
}

static MiniObject *list_m_copy(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("list.copy", nargs, kwnames))
        return NULL;
    return list_from_array(LIST_ITEMS(self), LIST_SIZE(self));
}

static MiniObject *list_m_clear(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("list.clear", nargs, kwnames))
        return NULL;
    clear_items((MiniList *)self);
    return MINI_NONE;
}

typedef struct {
    MiniObject ob;
    MiniObject *seq; // NULL once exhausted
    ssize_t index;   // the next position, counting down
} ListRevIter;

static MiniObject *list_m_reversed(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("list.__reversed__", nargs, kwnames))
        return NULL;
    ListRevIter *it = (ListRevIter *)mini_gc_alloc(&listreviter_type, sizeof(ListRevIter));
    if (!it)
        return NULL;
    it->seq = mini_newref(self);
    it->index = (ssize_t)LIST_SIZE(self) - 1;
    return (MiniObject *)it;
}

static const MiniMethodDef list_methods[] = {
    {"append", list_m_append, 0, "Append object to the end of the list."},
    {"extend", list_m_extend, 0, "Extend list by appending elements from the iterable."},
    {"insert", list_m_insert, 0, "Insert object before index."},
    {"pop", list_m_pop, 0, "Remove and return item at index (default last)."},
    {"remove", list_m_remove, 0, "Remove first occurrence of value."},
    {"index", list_m_index, 0, "Return first index of value."},
    {"count", list_m_count, 0, "Return number of occurrences of value."},
    {"sort", list_m_sort, 0, "Sort the list in ascending order and return None."},
    {"reverse", list_m_reverse, 0, "Reverse *IN PLACE*."},
    {"copy", list_m_copy, 0, "Return a shallow copy of the list."},
    {"clear", list_m_clear, 0, "Remove all items from list."},
    {"__reversed__", list_m_reversed, 0, "Return a reverse iterator over the list."},
    {"__class_getitem__", container_class_getitem, MINI_METH_CLASS, "See PEP 585"},
    {NULL, NULL, 0, NULL},
};

// ---------------------------------------------------------------------------------------------
// Iterators
// ---------------------------------------------------------------------------------------------

static MiniObject *list_iter(MiniObject *self) {
    MiniListIter *it = (MiniListIter *)mini_gc_alloc(&mini_listiter_type, sizeof(MiniListIter));
    if (!it)
        return NULL;
    it->seq = mini_newref(self);
    it->index = 0;
    return (MiniObject *)it;
}

static void listiter_dealloc(MiniObject *self) {
    MINI_XDECREF(((MiniListIter *)self)->seq);
    mini_object_free(self);
}

static int listiter_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((MiniListIter *)self)->seq);
    return 0;
}

static MiniObject *listiter_next(MiniObject *self) { return listiter_next_fast(self); }

static MiniObject *listiter_length_hint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("list_iterator.__length_hint__", nargs, kwnames))
        return NULL;
    MiniListIter *it = (MiniListIter *)self;
    size_t n = it->seq && it->index < LIST_SIZE(it->seq) ? LIST_SIZE(it->seq) - it->index : 0;
    return int_from_u64(n);
}

static const MiniMethodDef listiter_methods[] = {
    {"__length_hint__", listiter_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_listiter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "list_iterator",
    .basicsize = sizeof(MiniListIter),
    .flags = MINI_TPFLAG_GC,
    .dealloc = listiter_dealloc,
    .traverse = listiter_traverse,
    .tp_new = container_no_new,
    .iter = container_self_iter,
    .iternext = listiter_next,
    .methods = listiter_methods,
};

static void listreviter_dealloc(MiniObject *self) {
    MINI_XDECREF(((ListRevIter *)self)->seq);
    mini_object_free(self);
}

static int listreviter_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((ListRevIter *)self)->seq);
    return 0;
}

static MiniObject *listreviter_next(MiniObject *self) {
    ListRevIter *it = (ListRevIter *)self;
    MiniObject *seq = it->seq;
    if (!seq)
        return NULL;
    // The list may have shrunk since the iterator was made: such positions end the iteration.
    if (it->index >= 0 && (size_t)it->index < LIST_SIZE(seq))
        return mini_newref(LIST_GET(seq, it->index--));
    it->index = -1;
    it->seq = NULL;
    MINI_DECREF(seq);
    return NULL;
}

static MiniObject *listreviter_length_hint(MiniObject *self, MiniObject *const *args,
                                           size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("list_reverseiterator.__length_hint__", nargs, kwnames))
        return NULL;
    ListRevIter *it = (ListRevIter *)self;
    size_t n = 0;
    if (it->seq && it->index >= 0 && (size_t)it->index < LIST_SIZE(it->seq))
        n = (size_t)it->index + 1;
    return int_from_u64(n);
}

static const MiniMethodDef listreviter_methods[] = {
    {"__length_hint__", listreviter_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

static MiniType listreviter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "list_reverseiterator",
    .basicsize = sizeof(ListRevIter),
    .flags = MINI_TPFLAG_GC,
    .dealloc = listreviter_dealloc,
    .traverse = listreviter_traverse,
    .tp_new = container_no_new,
    .iter = container_self_iter,
    .iternext = listreviter_next,
    .methods = listreviter_methods,
};

// ---------------------------------------------------------------------------------------------
// The type
// ---------------------------------------------------------------------------------------------

MiniType mini_list_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "list",
    .basicsize = sizeof(MiniList),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC | MINI_TPFLAG_LIST_SUBCLASS,
    .dealloc = list_dealloc,
    .traverse = list_traverse,
    .clear = list_clear_refs,
    .tp_new = list_tp_new,
    .tp_init = list_tp_init,
    .repr = list_repr,
    .richcompare = list_richcompare,
    .iter = list_iter,
    .binop = {[BINOP_ADD] = list_add, [BINOP_MUL] = list_mul},
    .inplace = {[BINOP_ADD] = list_inplace_add, [BINOP_MUL] = list_inplace_mul},
    .len = list_len,
    .getitem = list_getitem,
    .setitem = list_setitem,
    .contains = list_contains,
    .methods = list_methods,
    .doc = "Built-in mutable sequence.",
};
