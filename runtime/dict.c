// dict.c - the dict type: a compact, insertion-ordered hash table, as in CPython 3.6+.
//
// Layout
// ------
// A dict keeps two arrays in one allocation:
//
//     indices  1 << log2size slots of 1, 2, 4 or 8 bytes (the width grows with the table):
//              each slot is EMPTY (-1), DUMMY (-2, a deleted key) or the position of an entry
//     entries  `usable` (2/3 of the slots) records {hash, key, value} in insertion order
//
// Lookup probes `indices` with CPython's perturbed sequence (i = i*5 + perturb + 1) and
// compares the entry it points at: by identity, then hash, then == (for exact strs: bytes).
// Insertion appends an entry and points a free slot at it; deletion turns the slot into DUMMY
// and empties the entry, so the other entries keep their order. When the entries array is
// full the table is rebuilt for used*3 slots: that grows it, or compacts away deleted entries,
// and keeps the order. An empty dict allocates nothing until its first insertion.
//
// Calls into mini code (__eq__ and __hash__ of keys, __repr__ of values, ...) may change the
// dict. A lookup that sees the table change under its comparison starts again; loops over
// entries re-read the bounds every step and hold references to what they compare.
//
// Iterators snapshot the size: a size change is "dictionary changed size during iteration";
// the same size with other keys runs the iterator's count out early: "dictionary keys changed
// during iteration". The views (dict_keys, dict_values, dict_items) are live windows on the
// dict; keys and items views also behave as sets.
//
// The structs are in dict_internal.h: the eval loop's specialised instructions read entries
// directly (LOAD_ATTR_INSTANCE_VALUE, LOAD_GLOBAL_MODULE...).

#include <string.h>

#include "container.h"
#include "dict_internal.h"

#define DKIX_EMPTY (-1)
#define DKIX_DUMMY (-2)
#define DKIX_ERROR (-3)
#define PERTURB_SHIFT 5
#define DICT_MINSIZE 8

#define D(o) ((MiniDict *)(o))

static MiniType dictkeys_type, dictvalues_type, dictitems_type;
static MiniType dictiter_types[6];

// ---------------------------------------------------------------------------------------------
// The index table
// ---------------------------------------------------------------------------------------------

static inline ssize_t ix_get(const MiniDict *d, size_t i) {
    switch (d->ixwidth) {
    case 1: return ((const int8_t *)d->indices)[i];
    case 2: return ((const int16_t *)d->indices)[i];
    case 4: return ((const int32_t *)d->indices)[i];
    default: return (ssize_t)((const int64_t *)d->indices)[i];
    }
}

static inline void ix_set(MiniDict *d, size_t i, ssize_t ix) {
    switch (d->ixwidth) {
    case 1: ((int8_t *)d->indices)[i] = (int8_t)ix; break;
    case 2: ((int16_t *)d->indices)[i] = (int16_t)ix; break;
    case 4: ((int32_t *)d->indices)[i] = (int32_t)ix; break;
    default: ((int64_t *)d->indices)[i] = (int64_t)ix; break;
    }
}

static inline size_t dict_mask(const MiniDict *d) { return ((size_t)1 << d->log2size) - 1; }

// The first slot for [hash] that holds no live entry (EMPTY or DUMMY): where a new key goes.
static size_t find_empty_slot(const MiniDict *d, int64_t hash) {
    size_t mask = dict_mask(d);
    size_t i = (size_t)hash & mask;
    size_t perturb = (size_t)hash;
    while (ix_get(d, i) >= 0) {
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
    return i;
}

// The slot that points at entry [index] (which has [hash]).
static size_t find_index_slot(const MiniDict *d, int64_t hash, ssize_t index) {
    size_t mask = dict_mask(d);
    size_t i = (size_t)hash & mask;
    size_t perturb = (size_t)hash;
    for (;;) {
        ssize_t ix = ix_get(d, i);
        if (ix == index || ix == DKIX_EMPTY)
            return i;
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
}

// Rebuilds the table with room for at least [minused] slots (a power of two, at least 8),
// moving the live entries to the front in their order. 0, or -1 with MemoryError.
static int dict_resize(MiniDict *d, size_t minused) {
    uint8_t log2 = 3;
    while (((size_t)1 << log2) < minused && log2 < 62)
        log2++;
    size_t size = (size_t)1 << log2;
    uint8_t width = log2 < 8 ? 1 : log2 < 16 ? 2 : log2 < 32 ? 4 : 8;
    size_t usable = (size << 1) / 3;
    if (size > CONTAINER_MAX_BYTES / 32) {
        mini_raise_memory();
        return -1;
    }
    char *block = mini_malloc(size * width + usable * sizeof(DictEntry));
    if (!block)
        return -1;
    // All-ones bytes are -1 (EMPTY) whatever the width.
    memset(block, 0xff, size * width);
    DictEntry *entries = (DictEntry *)(block + size * width);
    void *old_block = d->indices;
    DictEntry *old = d->entries;
    size_t n = 0;
    for (size_t i = 0; i < d->nentries; i++)
        if (old[i].key)
            entries[n++] = old[i];
    d->indices = block;
    d->entries = entries;
    d->log2size = log2;
    d->ixwidth = width;
    d->usable = usable;
    d->nentries = n;
    for (size_t i = 0; i < n; i++)
        ix_set(d, find_empty_slot(d, entries[i].hash), (ssize_t)i);
    mini_free(old_block);
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Hashing and lookup
// ---------------------------------------------------------------------------------------------

static inline bool str_exact(MiniObject *o) { return MINI_IS_PTR(o) && o->type == &mini_str_type; }

// The hash of a key; exact strs use their cached hash. -1 with an exception on error.
static inline int64_t key_hash(MiniObject *key) {
    if (str_exact(key)) {
        int64_t h = ((MiniStr *)key)->hash;
        return h != -1 ? h : str_hash(key);
    }
    return mini_hash(key);
}

// Finds [key]: returns the index of its entry (and its slot in *slot) or DKIX_EMPTY when it
// is absent, DKIX_ERROR when a comparison raised.
static ssize_t lookup(MiniDict *d, MiniObject *key, int64_t hash, size_t *slot) {
restart:
    if (!d->indices)
        return DKIX_EMPTY;
    size_t mask = dict_mask(d);
    size_t i = (size_t)hash & mask;
    size_t perturb = (size_t)hash;
    bool key_is_str = str_exact(key);
    for (;;) {
        ssize_t ix = ix_get(d, i);
        if (ix == DKIX_EMPTY)
            return DKIX_EMPTY;
        if (ix >= 0) {
            DictEntry *e = &d->entries[ix];
            MiniObject *start = e->key;
            if (start == key) {
                if (slot)
                    *slot = i;
                return ix;
            }
            if (e->hash == hash) {
                if (key_is_str && str_exact(start)) {
                    if (str_eq(start, key)) {
                        if (slot)
                            *slot = i;
                        return ix;
                    }
                } else {
                    // __eq__ may change the dict: compare, then make sure the entry is
                    // still the one compared against before believing the answer.
                    DictEntry *entries = d->entries;
                    MINI_INCREF(start);
                    int cmp = mini_richcompare_bool(start, key, CMP_EQ);
                    MINI_DECREF(start);
                    if (cmp < 0)
                        return DKIX_ERROR;
                    if (entries != d->entries || d->entries[ix].key != start ||
                        dict_mask(d) != mask)
                        goto restart;
                    if (cmp > 0) {
                        if (slot)
                            *slot = i;
                        return ix;
                    }
                }
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
}

// Sets d[key] = value with a known hash. Borrows both. 0 or -1.
static int insert(MiniDict *d, MiniObject *key, int64_t hash, MiniObject *value) {
    // Hold both while the lookup may run code that drops the caller's references.
    MINI_INCREF(key);
    MINI_INCREF(value);
    ssize_t ix = lookup(d, key, hash, NULL);
    if (ix == DKIX_ERROR) {
        MINI_DECREF(key);
        MINI_DECREF(value);
        return -1;
    }
    if (ix >= 0) {
        // An existing key keeps its place and its original key object.
        MiniObject *old = d->entries[ix].value;
        d->entries[ix].value = value;
        MINI_DECREF(old);
        MINI_DECREF(key);
        return 0;
    }
    if (d->nentries >= d->usable && dict_resize(d, d->used * 3) < 0) {
        MINI_DECREF(key);
        MINI_DECREF(value);
        return -1;
    }
    size_t slot = find_empty_slot(d, hash);
    ix_set(d, slot, (ssize_t)d->nentries);
    DictEntry *e = &d->entries[d->nentries];
    e->hash = hash;
    e->key = key;
    e->value = value;
    d->nentries++;
    d->used++;
    d->keyfilter |= dict_filter_bits(hash);
    d->keys_version = 0;
    return 0;
}

// Removes the entry [ix] found at [slot]; its key and value are released after the dict is
// consistent again.
static void delete_at(MiniDict *d, size_t slot, ssize_t ix) {
    DictEntry *e = &d->entries[ix];
    MiniObject *key = e->key, *value = e->value;
    ix_set(d, slot, DKIX_DUMMY);
    e->key = NULL;
    e->value = NULL;
    d->used--;
    d->keys_version = 0;
    MINI_DECREF(key);
    MINI_DECREF(value);
}

// ---------------------------------------------------------------------------------------------
// The C API (object.h)
// ---------------------------------------------------------------------------------------------

MiniObject *dict_new(void) { return mini_gc_alloc(&mini_dict_type, sizeof(MiniDict)); }

MiniObject *dict_get(MiniObject *d, MiniObject *key) {
    int64_t hash = key_hash(key);
    if (hash == -1)
        return NULL;
    ssize_t ix = lookup(D(d), key, hash, NULL);
    return ix >= 0 ? D(d)->entries[ix].value : NULL;
}

MiniObject *dict_get_str(MiniObject *d, MiniObject *key) {
    MiniDict *md = D(d);
    if (!md->indices)
        return NULL;
    if (!str_exact(key))
        return dict_get(d, key);
    int64_t hash = ((MiniStr *)key)->hash;
    if (hash == -1)
        hash = str_hash(key);
    if (dict_filter_excludes(md, dict_filter_bits(hash)))
        return NULL;
    // The fast path: interned names compare by pointer, other strs by their bytes. A key of
    // another type with the same hash sends the lookup down the general path.
    size_t mask = dict_mask(md);
    size_t i = (size_t)hash & mask;
    size_t perturb = (size_t)hash;
    for (;;) {
        ssize_t ix = ix_get(md, i);
        if (ix == DKIX_EMPTY)
            return NULL;
        if (ix >= 0) {
            DictEntry *e = &md->entries[ix];
            if (e->key == key)
                return e->value;
            if (e->hash == hash) {
                if (!str_exact(e->key) || !str_exact(key))
                    return dict_get(d, key);
                if (str_eq(e->key, key))
                    return e->value;
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
}

// The entry index of interned str [key], or -1: dict_get_str's probe, for the hinted forms.
static ssize_t find_str_entry(MiniDict *md, MiniObject *key) {
    if (!md->indices)
        return -1;
    int64_t hash = ((MiniStr *)key)->hash;
    if (hash == -1)
        hash = str_hash(key);
    if (dict_filter_excludes(md, dict_filter_bits(hash)))
        return -1;
    size_t mask = dict_mask(md);
    size_t i = (size_t)hash & mask;
    size_t perturb = (size_t)hash;
    for (;;) {
        ssize_t ix = ix_get(md, i);
        if (ix == DKIX_EMPTY)
            return -1;
        if (ix >= 0) {
            DictEntry *e = &md->entries[ix];
            if (e->key == key)
                return ix;
            if (e->hash == hash && str_exact(e->key) && str_eq(e->key, key))
                return ix;
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
}

ssize_t dict_find_str_index(MiniObject *d, MiniObject *key) {
    return find_str_entry(D(d), key);
}

uint32_t dict_keys_version(MiniObject *d) {
    MiniDict *md = D(d);
    if (md->keys_version == 0) {
        // Versions come from one counter per VM, so that no two dicts share one.
        VM *vm = mini_ts->vm;
        if (vm->dict_keys_versions == UINT32_MAX)
            return 0;
        md->keys_version = ++vm->dict_keys_versions;
    }
    return md->keys_version;
}

MiniObject *dict_get_str_hinted(MiniObject *d, MiniObject *key, uint32_t *hint) {
    MiniDict *md = D(d);
    uint32_t h = *hint;
    if (h < md->nentries && md->entries[h].key == key)
        return md->entries[h].value;
    // Only plain dicts of str keys take the fast probe; anything else asks the general path.
    if (!str_exact(key) || md->ob.type != &mini_dict_type)
        return dict_get(d, key);
    ssize_t ix = find_str_entry(md, key);
    if (ix < 0)
        return NULL;
    if ((size_t)ix < UINT32_MAX)
        *hint = (uint32_t)ix;
    return md->entries[ix].value;
}

int dict_set_str_hinted(MiniObject *d, MiniObject *key, MiniObject *value, uint32_t *hint) {
    MiniDict *md = D(d);
    uint32_t h = *hint;
    if (h < md->nentries && md->entries[h].key == key) {
        // The key is there: replace its value in place. The old value is released last, as
        // its __del__ may run code that changes this dict.
        MiniObject *old = md->entries[h].value;
        MINI_INCREF(value);
        md->entries[h].value = value;
        MINI_DECREF(old);
        return 0;
    }
    if (dict_set(d, key, value) < 0)
        return -1;
    if (str_exact(key) && md->ob.type == &mini_dict_type) {
        ssize_t ix = find_str_entry(md, key);
        if (ix >= 0 && (size_t)ix < UINT32_MAX)
            *hint = (uint32_t)ix;
    }
    return 0;
}

MiniObject *dict_get_cstr(MiniObject *d, const char *key) {
    MiniObject *k = mini_intern(key);
    if (!k)
        return NULL;
    return dict_get_str(d, k);
}

int dict_set(MiniObject *d, MiniObject *key, MiniObject *value) {
    int64_t hash = key_hash(key);
    if (hash == -1)
        return -1;
    return insert(D(d), key, hash, value);
}

int dict_set_cstr(MiniObject *d, const char *key, MiniObject *value) {
    MiniObject *k = mini_intern(key);
    if (!k)
        return -1;
    return dict_set(d, k, value);
}

int dict_discard(MiniObject *d, MiniObject *key) {
    int64_t hash = key_hash(key);
    if (hash == -1)
        return -1;
    size_t slot;
    ssize_t ix = lookup(D(d), key, hash, &slot);
    if (ix == DKIX_ERROR)
        return -1;
    if (ix < 0)
        return 0;
    delete_at(D(d), slot, ix);
    return 1;
}

int dict_del(MiniObject *d, MiniObject *key) {
    int r = dict_discard(d, key);
    if (r == 0) {
        container_key_error(key);
        return -1;
    }
    return r < 0 ? -1 : 0;
}

size_t dict_size(MiniObject *d) { return D(d)->used; }

bool dict_next(MiniObject *d, size_t *pos, MiniObject **key, MiniObject **value) {
    int64_t hash;
    return dict_next_with_hash(d, pos, key, value, &hash);
}

bool dict_next_with_hash(MiniObject *d, size_t *pos, MiniObject **key, MiniObject **value,
                         int64_t *hash) {
    MiniDict *md = D(d);
    size_t i = *pos;
    while (i < md->nentries && !md->entries[i].key)
        i++;
    if (i >= md->nentries) {
        *pos = i;
        return false;
    }
    DictEntry *e = &md->entries[i];
    if (key)
        *key = e->key;
    if (value)
        *value = e->value;
    if (hash)
        *hash = e->hash;
    *pos = i + 1;
    return true;
}

void dict_clear(MiniObject *d) {
    MiniDict *md = D(d);
    if (!md->indices)
        return;
    void *block = md->indices;
    DictEntry *entries = md->entries;
    size_t n = md->nentries;
    // Empty the dict first: releasing a value may run code that looks at it.
    md->indices = NULL;
    md->entries = NULL;
    md->used = md->nentries = md->usable = 0;
    md->log2size = md->ixwidth = 0;
    md->keyfilter = 0;
    md->keys_version = 0;
    for (size_t i = 0; i < n; i++) {
        if (entries[i].key) {
            MINI_DECREF(entries[i].key);
            MINI_DECREF(entries[i].value);
        }
    }
    mini_free(block);
}

MiniObject *dict_copy(MiniObject *d) {
    MiniDict *src = D(d);
    MiniObject *r = dict_new();
    if (!r || src->used == 0)
        return r;
    // Room for every entry up front: no rebuild while copying.
    if (dict_resize(D(r), (src->used * 3 + 1) / 2) < 0) {
        MINI_DECREF(r);
        return NULL;
    }
    MiniDict *dst = D(r);
    for (size_t i = 0; i < src->nentries; i++) {
        DictEntry *e = &src->entries[i];
        if (!e->key)
            continue;
        DictEntry *ne = &dst->entries[dst->nentries];
        ne->hash = e->hash;
        ne->key = mini_newref(e->key);
        ne->value = mini_newref(e->value);
        ix_set(dst, find_empty_slot(dst, e->hash), (ssize_t)dst->nentries);
        dst->nentries++;
        dst->used++;
    }
    dst->keyfilter = src->keyfilter;
    return r;
}

MiniObject *dict_keys_list(MiniObject *d) {
    MiniDict *md = D(d);
    MiniObject *l = list_new(md->used);
    if (!l)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < md->nentries && n < md->used; i++)
        if (md->entries[i].key)
            LIST_ITEMS(l)[n++] = mini_newref(md->entries[i].key);
    return l;
}

// Does [o] iterate as a plain dict does (so its entries can be read directly)?
static bool iterates_as_dict(MiniObject *o) {
    return dict_check(o) && mini_type(o)->iter == mini_dict_type.iter;
}

int dict_merge(MiniObject *d, MiniObject *other, bool override) {
    if (iterates_as_dict(other)) {
        MiniDict *src = D(other);
        if (src == D(d) || src->used == 0)
            return 0;
        if (D(d)->used == 0 && dict_resize(D(d), (src->used * 3 + 1) / 2) < 0)
            return -1;
        size_t used = src->used;
        for (size_t i = 0; i < src->nentries; i++) {
            DictEntry *e = &src->entries[i];
            if (!e->key)
                continue;
            MiniObject *key = mini_newref(e->key), *value = mini_newref(e->value);
            int64_t hash = e->hash;
            int rc = 0;
            if (override) {
                rc = insert(D(d), key, hash, value);
            } else {
                ssize_t ix = lookup(D(d), key, hash, NULL);
                if (ix == DKIX_ERROR)
                    rc = -1;
                else if (ix < 0)
                    rc = insert(D(d), key, hash, value);
            }
            MINI_DECREF(key);
            MINI_DECREF(value);
            if (rc < 0)
                return -1;
            if (src->used != used) {
                mini_raise_str(mini_exc_RuntimeError, "dict mutated during update");
                return -1;
            }
        }
        return 0;
    }
    // Any mapping: for k in other.keys(): d[k] = other[k].
    MiniObject *keys = mini_call_method(other, "keys", 0);
    if (!keys)
        return -1;
    MiniObject *it = mini_iter(keys);
    MINI_DECREF(keys);
    if (!it)
        return -1;
    for (;;) {
        MiniObject *key = mini_next(it);
        if (!key)
            break;
        int rc = 0;
        if (!override) {
            int64_t hash = key_hash(key);
            ssize_t ix = hash == -1 ? DKIX_ERROR : lookup(D(d), key, hash, NULL);
            if (ix == DKIX_ERROR)
                rc = -1;
            else if (ix >= 0) {
                MINI_DECREF(key);
                continue;
            }
        }
        if (rc == 0) {
            MiniObject *value = mini_getitem(other, key);
            rc = value ? dict_set(d, key, value) : -1;
            MINI_XDECREF(value);
        }
        MINI_DECREF(key);
        if (rc < 0) {
            MINI_DECREF(it);
            return -1;
        }
    }
    MINI_DECREF(it);
    return mini_error_occurred() ? -1 : 0;
}

// d.update(seq) for an iterable of pairs.
static int merge_from_pairs(MiniObject *d, MiniObject *seq) {
    MiniObject *it = mini_iter(seq);
    if (!it)
        return -1;
    for (size_t i = 0;; i++) {
        MiniObject *item = mini_next(it);
        if (!item)
            break;
        MiniObject *fast = container_seq_fast(item, "");
        MINI_DECREF(item);
        if (!fast) {
            if (mini_error_matches(mini_exc_TypeError)) {
                mini_error_clear();
                mini_raise(mini_exc_TypeError,
                           "cannot convert dictionary update sequence element #%zu to a "
                           "sequence",
                           i);
            }
            MINI_DECREF(it);
            return -1;
        }
        bool is_list = fast->type == &mini_list_type;
        size_t n = is_list ? LIST_SIZE(fast) : TUPLE_SIZE(fast);
        if (n != 2) {
            mini_raise(mini_exc_ValueError,
                       "dictionary update sequence element #%zu has length %zu; 2 is required",
                       i, n);
            MINI_DECREF(fast);
            MINI_DECREF(it);
            return -1;
        }
        MiniObject **items = is_list ? LIST_ITEMS(fast) : TUPLE_ITEMS(fast);
        int rc = dict_set(d, items[0], items[1]);
        MINI_DECREF(fast);
        if (rc < 0) {
            MINI_DECREF(it);
            return -1;
        }
    }
    MINI_DECREF(it);
    return mini_error_occurred() ? -1 : 0;
}

int dict_update(MiniObject *d, MiniObject *other) {
    if (iterates_as_dict(other))
        return dict_merge(d, other, true);
    // A mapping is anything with a keys attribute; anything else must give pairs.
    MiniObject *keys = mini_getattr_opt(other, MINI_ID(keys));
    if (keys) {
        MINI_DECREF(keys);
        return dict_merge(d, other, true);
    }
    if (mini_error_occurred())
        return -1;
    return merge_from_pairs(d, other);
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

static void dict_dealloc(MiniObject *self) {
    bool exact = self->type == &mini_dict_type;
    if (exact && !container_trash_begin(self))
        return;
    dict_clear(self);
    mini_object_free(self);
    if (exact)
        container_trash_end();
}

static int dict_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniDict *d = D(self);
    for (size_t i = 0; i < d->nentries; i++) {
        if (d->entries[i].key) {
            MINI_VISIT(d->entries[i].key);
            MINI_VISIT(d->entries[i].value);
        }
    }
    return 0;
}

static int dict_clear_refs(MiniObject *self) {
    dict_clear(self);
    // The cycle collector may clear a class's namespace before the class itself: the eval
    // loop's caches keep borrowed pointers to what namespaces hold, valid only while the type
    // epoch stays as it was.
    eval_types_changed();
    return 0;
}

static MiniObject *dict_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args, (void)nargs, (void)kwnames;
    return mini_type_alloc(type, 0);
}

// Adds the keyword arguments of a call (values after the [nargs] positional ones) to [d].
static int update_from_kwargs(MiniObject *d, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    for (size_t k = 0; k < nkw; k++)
        if (dict_set(d, TUPLE_GET(kwnames, k), args[nargs + k]) < 0)
            return -1;
    return 0;
}

// dict(mapping_or_pairs=(), **kwargs).
static int dict_tp_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                        MiniObject *kwnames) {
    if (!mini_check_nargs("dict", nargs, 0, 1))
        return -1;
    if (nargs == 1 && dict_update(self, args[0]) < 0)
        return -1;
    return update_from_kwargs(self, args, nargs, kwnames);
}

// ---------------------------------------------------------------------------------------------
// repr, comparison, mapping slots
// ---------------------------------------------------------------------------------------------

static MiniObject *dict_repr(MiniObject *self) {
    MiniDict *d = D(self);
    if (d->used == 0)
        return mini_intern("{}");
    int rc = mini_repr_enter(self);
    if (rc != 0)
        return rc > 0 ? mini_intern("{...}") : NULL;
    StrBuf b;
    strbuf_init(&b);
    strbuf_addc(&b, '{');
    bool first = true;
    // A __repr__ may change the dict: the bound and the entries are re-read every step.
    for (size_t i = 0; i < d->nentries; i++) {
        DictEntry *e = &d->entries[i];
        if (!e->key)
            continue;
        MiniObject *key = mini_newref(e->key), *value = mini_newref(e->value);
        if (!first)
            strbuf_add(&b, ", ", 2);
        first = false;
        MiniObject *r = mini_repr(key);
        if (r) {
            strbuf_add_obj(&b, r);
            MINI_DECREF(r);
            strbuf_add(&b, ": ", 2);
            r = mini_repr(value);
            if (r) {
                strbuf_add_obj(&b, r);
                MINI_DECREF(r);
            }
        }
        MINI_DECREF(key);
        MINI_DECREF(value);
        if (!r) {
            strbuf_free(&b);
            mini_repr_leave(self);
            return NULL;
        }
    }
    strbuf_addc(&b, '}');
    mini_repr_leave(self);
    return strbuf_finish(&b);
}

// a == b for two dicts: same size, and every key of a maps to an equal value in b.
static int dict_equal(MiniDict *a, MiniDict *b) {
    if (a->used != b->used)
        return 0;
    for (size_t i = 0; i < a->nentries; i++) {
        DictEntry *e = &a->entries[i];
        if (!e->key)
            continue;
        MiniObject *key = mini_newref(e->key), *aval = mini_newref(e->value);
        ssize_t ix = lookup(b, key, e->hash, NULL);
        if (ix < 0) {
            MINI_DECREF(key);
            MINI_DECREF(aval);
            return ix == DKIX_ERROR ? -1 : 0;
        }
        MiniObject *bval = mini_newref(b->entries[ix].value);
        int cmp = mini_eq(aval, bval);
        MINI_DECREF(key);
        MINI_DECREF(aval);
        MINI_DECREF(bval);
        if (cmp <= 0)
            return cmp;
    }
    return 1;
}

static MiniObject *dict_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!dict_check(a) || !dict_check(b) || (op != CMP_EQ && op != CMP_NE))
        return MINI_NOTIMPL;
    int eq = dict_equal(D(a), D(b));
    if (eq < 0)
        return NULL;
    return MINI_BOOL(op == CMP_EQ ? eq : !eq);
}

static ssize_t dict_len(MiniObject *self) { return (ssize_t)D(self)->used; }

// Calls type(d).__missing__(d, key) if a subclass defines it. Sets *found accordingly.
static MiniObject *call_missing(MiniObject *self, MiniObject *key, bool *found) {
    *found = false;
    if (self->type == &mini_dict_type)
        return NULL;
    MiniObject *missing = type_lookup(self->type, MINI_ID(__missing__));
    if (!missing)
        return NULL;
    *found = true;
    MiniType *mt = mini_type(missing);
    if (!mt->descr_get)
        return mini_call_n(missing, 2, self, key);
    MiniObject *bound = mt->descr_get(missing, self, (MiniObject *)self->type);
    if (!bound)
        return NULL;
    MiniObject *r = mini_call_n(bound, 1, key);
    MINI_DECREF(bound);
    return r;
}

static MiniObject *dict_subscript(MiniObject *self, MiniObject *key) {
    int64_t hash = key_hash(key);
    if (hash == -1)
        return NULL;
    ssize_t ix = lookup(D(self), key, hash, NULL);
    if (ix >= 0)
        return mini_newref(D(self)->entries[ix].value);
    if (ix == DKIX_ERROR)
        return NULL;
    bool found;
    MiniObject *r = call_missing(self, key, &found);
    if (found)
        return r;
    return container_key_error(key);
}

static int dict_ass_subscript(MiniObject *self, MiniObject *key, MiniObject *value) {
    if (value)
        return dict_set(self, key, value);
    return dict_del(self, key);
}

static int dict_contains(MiniObject *self, MiniObject *key) {
    int64_t hash = key_hash(key);
    if (hash == -1)
        return -1;
    ssize_t ix = lookup(D(self), key, hash, NULL);
    return ix == DKIX_ERROR ? -1 : ix >= 0;
}

// d | other: a new dict (a plain dict) with other's items over d's.
static MiniObject *dict_or(MiniObject *a, MiniObject *b) {
    if (!dict_check(a) || !dict_check(b))
        return MINI_NOTIMPL;
    MiniObject *r = dict_copy(a);
    if (r && dict_update(r, b) < 0)
        MINI_CLEAR(r);
    return r;
}

// d |= other: update with any mapping or iterable of pairs.
static MiniObject *dict_ior(MiniObject *a, MiniObject *b) {
    if (!dict_check(a))
        return MINI_NOTIMPL;
    if (dict_update(a, b) < 0)
        return NULL;
    return mini_newref(a);
}

// ---------------------------------------------------------------------------------------------
// Iterators
// ---------------------------------------------------------------------------------------------

enum { ITER_KEYS, ITER_VALUES, ITER_ITEMS };

typedef struct {
    MiniObject ob;
    MiniObject *dict; // NULL once exhausted
    size_t used;      // the dict's size when the iterator was made
    ssize_t pos;      // the next entry to look at (counting down when reversed)
    size_t len;       // how many items are still expected
    MiniObject *result; // items iterators reuse their (k, v) tuple when nobody else holds it
    bool size_error;  // the size changed: keep failing
} DictIter;

// The iterator kind and direction are in the type: dictiter_types[kind + 3 * reversed].
static MiniObject *dictiter_new(MiniObject *dict, int kind, bool reversed) {
    DictIter *it = (DictIter *)mini_gc_alloc(&dictiter_types[kind + (reversed ? 3 : 0)],
                                             sizeof(DictIter));
    if (!it)
        return NULL;
    it->dict = mini_newref(dict);
    it->used = D(dict)->used;
    it->len = D(dict)->used;
    it->pos = reversed ? (ssize_t)D(dict)->nentries - 1 : 0;
    return (MiniObject *)it;
}

static void dictiter_dealloc(MiniObject *self) {
    DictIter *it = (DictIter *)self;
    MINI_XDECREF(it->dict);
    MINI_XDECREF(it->result);
    mini_object_free(self);
}

static int dictiter_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    DictIter *it = (DictIter *)self;
    MINI_VISIT(it->dict);
    MINI_VISIT(it->result);
    return 0;
}

// The (key, value) pair to yield: the iterator's own tuple when only it holds that tuple.
static MiniObject *make_pair(DictIter *it, MiniObject *key, MiniObject *value) {
    MiniObject *r = it->result;
    if (r && r->refcnt == 1) {
        MiniObject *ok = TUPLE_GET(r, 0), *ov = TUPLE_GET(r, 1);
        TUPLE_ITEMS(r)[0] = mini_newref(key);
        TUPLE_ITEMS(r)[1] = mini_newref(value);
        ((MiniTuple *)r)->hash = -1;
        mini_gc_track(r); // (gc) the collector may have untracked it while it held atoms only
        MINI_DECREF(ok);
        MINI_DECREF(ov);
        return mini_newref(r);
    }
    r = tuple_pack(2, key, value);
    if (r && !it->result)
        it->result = mini_newref(r);
    return r;
}

static MiniObject *dictiter_next(MiniObject *self) {
    DictIter *it = (DictIter *)self;
    MiniDict *d = (MiniDict *)it->dict;
    if (!d)
        return NULL;
    if (it->size_error || d->used != it->used) {
        it->size_error = true;
        return mini_raise_str(mini_exc_RuntimeError, "dictionary changed size during iteration");
    }
    size_t t = (size_t)(self->type - dictiter_types);
    int kind = (int)(t % 3);
    bool reversed = t >= 3;
    ssize_t i = it->pos;
    DictEntry *e = NULL;
    if (reversed) {
        while (i >= 0 && (size_t)i < d->nentries && !d->entries[i].key)
            i--;
        if (i >= 0 && (size_t)i < d->nentries)
            e = &d->entries[i];
        it->pos = i - 1;
    } else {
        while ((size_t)i < d->nentries && !d->entries[i].key)
            i++;
        if ((size_t)i < d->nentries)
            e = &d->entries[i];
        it->pos = i + 1;
    }
    if (!e) {
        it->dict = NULL;
        MINI_DECREF(d);
        return NULL;
    }
    // Same size but more entries than expected: keys were deleted and others added.
    if (it->len == 0) {
        it->dict = NULL;
        MINI_DECREF(d);
        return mini_raise_str(mini_exc_RuntimeError, "dictionary keys changed during iteration");
    }
    it->len--;
    if (kind == ITER_KEYS)
        return mini_newref(e->key);
    if (kind == ITER_VALUES)
        return mini_newref(e->value);
    return make_pair(it, e->key, e->value);
}

static MiniObject *dictiter_length_hint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("dict_keyiterator.__length_hint__", nargs, kwnames))
        return NULL;
    DictIter *it = (DictIter *)self;
    size_t n = it->dict && D(it->dict)->used == it->used ? it->len : 0;
    return int_from_u64(n);
}

static const MiniMethodDef dictiter_methods[] = {
    {"__length_hint__", dictiter_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

#define DICTITER_TYPE(tname)                                                                     \
    {                                                                                            \
        .ob = {MINI_IMMORTAL, &mini_type_type}, .name = tname, .basicsize = sizeof(DictIter),   \
        .flags = MINI_TPFLAG_GC, .dealloc = dictiter_dealloc, .traverse = dictiter_traverse,    \
        .tp_new = container_no_new, .iter = container_self_iter, .iternext = dictiter_next,     \
        .methods = dictiter_methods,                                                            \
    }

static MiniType dictiter_types[6] = {
    DICTITER_TYPE("dict_keyiterator"),        DICTITER_TYPE("dict_valueiterator"),
    DICTITER_TYPE("dict_itemiterator"),       DICTITER_TYPE("dict_reversekeyiterator"),
    DICTITER_TYPE("dict_reversevalueiterator"), DICTITER_TYPE("dict_reverseitemiterator"),
};

static MiniObject *dict_iter(MiniObject *self) { return dictiter_new(self, ITER_KEYS, false); }

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *dict;
} DictView;

static MiniObject *view_new(MiniObject *dict, MiniType *type) {
    DictView *v = (DictView *)mini_gc_alloc(type, sizeof(DictView));
    if (!v)
        return NULL;
    v->dict = mini_newref(dict);
    return (MiniObject *)v;
}

static int view_kind(MiniObject *v) {
    MiniType *t = mini_type(v);
    return t == &dictkeys_type ? ITER_KEYS : t == &dictvalues_type ? ITER_VALUES : ITER_ITEMS;
}

// Keys and items views are set-like.
static bool is_set_view(MiniObject *o) {
    return MINI_IS_PTR(o) && (o->type == &dictkeys_type || o->type == &dictitems_type);
}

static bool is_anyset(MiniObject *o) {
    return MINI_IS_PTR(o) && (mini_isinstance_type(o, &mini_set_type) ||
                              mini_isinstance_type(o, &mini_frozenset_type));
}

static void view_dealloc(MiniObject *self) {
    MINI_XDECREF(((DictView *)self)->dict);
    mini_object_free(self);
}

static int view_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((DictView *)self)->dict);
    return 0;
}

static ssize_t view_len(MiniObject *self) { return (ssize_t)D(((DictView *)self)->dict)->used; }

static MiniObject *view_iter(MiniObject *self) {
    return dictiter_new(((DictView *)self)->dict, view_kind(self), false);
}

// "dict_keys(['a', 'b'])": the type name and the repr of the view as a list.
static MiniObject *view_repr(MiniObject *self) {
    int rc = mini_repr_enter(self);
    if (rc != 0)
        return rc > 0 ? mini_intern("...") : NULL;
    MiniObject *l = mini_sequence_list(self);
    MiniObject *r = l ? str_from_format("%s(%R)", mini_type_name(self), l) : NULL;
    MINI_XDECREF(l);
    mini_repr_leave(self);
    return r;
}

// (key, value) in d.items(): the key is looked up and the values compared.
static int items_contains(MiniObject *dict, MiniObject *item) {
    if (!tuple_check(item) || TUPLE_SIZE(item) != 2)
        return 0;
    MiniObject *key = TUPLE_GET(item, 0);
    int64_t hash = key_hash(key);
    if (hash == -1)
        return -1;
    ssize_t ix = lookup(D(dict), key, hash, NULL);
    if (ix < 0)
        return ix == DKIX_ERROR ? -1 : 0;
    MiniObject *found = mini_newref(D(dict)->entries[ix].value);
    int r = mini_eq(found, TUPLE_GET(item, 1));
    MINI_DECREF(found);
    return r;
}

static int view_contains(MiniObject *self, MiniObject *item) {
    MiniObject *dict = ((DictView *)self)->dict;
    switch (view_kind(self)) {
    case ITER_KEYS: return dict_contains(dict, item);
    case ITER_ITEMS: return items_contains(dict, item);
    default: {
        // Values have no index: compare one by one.
        MiniObject *it = view_iter(self);
        if (!it)
            return -1;
        int found = 0;
        for (;;) {
            MiniObject *v = mini_next(it);
            if (!v) {
                found = mini_error_occurred() ? -1 : 0;
                break;
            }
            found = mini_eq(v, item);
            MINI_DECREF(v);
            if (found != 0)
                break;
        }
        MINI_DECREF(it);
        return found;
    }
    }
}

// Is every item of [a] in [b]? 1, 0, -1.
static int all_contained_in(MiniObject *a, MiniObject *b) {
    MiniObject *it = mini_iter(a);
    if (!it)
        return -1;
    int ok = 1;
    for (;;) {
        MiniObject *x = mini_next(it);
        if (!x) {
            if (mini_error_occurred())
                ok = -1;
            break;
        }
        ok = mini_contains(b, x);
        MINI_DECREF(x);
        if (ok <= 0)
            break;
    }
    MINI_DECREF(it);
    return ok;
}

static MiniObject *view_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!is_set_view(a) || (!is_anyset(b) && !is_set_view(b)))
        return MINI_NOTIMPL;
    ssize_t la = mini_len(a), lb = mini_len(b);
    if (la < 0 || lb < 0)
        return NULL;
    int ok = 0;
    switch (op) {
    case CMP_EQ:
    case CMP_NE:
        if (la == lb)
            ok = all_contained_in(a, b);
        if (op == CMP_NE && ok >= 0)
            ok = !ok;
        break;
    case CMP_LT:
        if (la < lb)
            ok = all_contained_in(a, b);
        break;
    case CMP_LE:
        if (la <= lb)
            ok = all_contained_in(a, b);
        break;
    case CMP_GT:
        if (la > lb)
            ok = all_contained_in(b, a);
        break;
    default:
        if (la >= lb)
            ok = all_contained_in(b, a);
        break;
    }
    if (ok < 0)
        return NULL;
    return MINI_BOOL(ok);
}

// The set an operator on views starts from: set(view) for the left operand, whatever it is
// (`[1, 2] - d.keys()` works too).
static MiniObject *view_to_set(MiniObject *o) {
    if (MINI_IS_PTR(o) && o->type == &dictkeys_type &&
        ((DictView *)o)->dict->type == &mini_dict_type)
        return set_new(((DictView *)o)->dict);
    return set_new(o);
}

// Applies set method [method] to set(a) with argument b. New reference.
static MiniObject *view_setop(MiniObject *a, MiniObject *b, const char *method) {
    MiniObject *r = view_to_set(a);
    if (!r)
        return NULL;
    MiniObject *tmp = mini_call_method(r, method, 1, b);
    if (!tmp) {
        MINI_DECREF(r);
        return NULL;
    }
    MINI_DECREF(tmp);
    return r;
}

static MiniObject *view_sub(MiniObject *a, MiniObject *b) {
    return view_setop(a, b, "difference_update");
}

static MiniObject *view_or(MiniObject *a, MiniObject *b) { return view_setop(a, b, "update"); }

static MiniObject *view_xor(MiniObject *a, MiniObject *b) {
    return view_setop(a, b, "symmetric_difference_update");
}

// view & other: the items of [other] that are in the view, as a set.
static MiniObject *view_and(MiniObject *a, MiniObject *b) {
    // The view may be either operand; & is symmetric.
    if (!is_set_view(a)) {
        MiniObject *t = a;
        a = b;
        b = t;
    }
    if (!is_set_view(a))
        return MINI_NOTIMPL;
    ssize_t la = view_len(a);
    if (MINI_IS_PTR(b) && b->type == &mini_set_type && (size_t)la <= set_size(b))
        return mini_call_method(b, "intersection", 1, a);
    if (is_set_view(b) && view_len(b) > la) {
        MiniObject *t = a;
        a = b;
        b = t;
    }
    MiniObject *r = set_new(NULL);
    if (!r)
        return NULL;
    MiniObject *it = mini_iter(b);
    if (!it) {
        MINI_DECREF(r);
        return NULL;
    }
    for (;;) {
        MiniObject *x = mini_next(it);
        if (!x)
            break;
        int k = view_contains(a, x);
        if (k > 0)
            k = set_add(r, x) < 0 ? -1 : 1;
        MINI_DECREF(x);
        if (k < 0) {
            MINI_DECREF(it);
            MINI_DECREF(r);
            return NULL;
        }
    }
    MINI_DECREF(it);
    if (mini_error_occurred())
        MINI_CLEAR(r);
    return r;
}

static MiniObject *view_isdisjoint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    const char *qn = mini_type(self) == &dictkeys_type ? "dict_keys.isdisjoint"
                                                       : "dict_items.isdisjoint";
    if (!container_arg_one(qn, nargs, kwnames))
        return NULL;
    MiniObject *a = self, *b = args[0];
    if (a == b)
        return MINI_BOOL(view_len(a) == 0);
    // Iterate over the smaller side when the other answers `in` cheaply.
    if (is_anyset(b) || is_set_view(b)) {
        ssize_t lb = mini_len(b);
        if (lb < 0)
            return NULL;
        if (lb > view_len(a)) {
            MiniObject *t = a;
            a = b;
            b = t;
        }
    }
    MiniObject *it = mini_iter(b);
    if (!it)
        return NULL;
    for (;;) {
        MiniObject *x = mini_next(it);
        if (!x)
            break;
        int k = mini_contains(a, x);
        MINI_DECREF(x);
        if (k != 0) {
            MINI_DECREF(it);
            return k < 0 ? NULL : MINI_FALSE;
        }
    }
    MINI_DECREF(it);
    return mini_error_occurred() ? NULL : MINI_TRUE;
}

static MiniObject *view_reversed(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    const char *qn = view_kind(self) == ITER_KEYS     ? "dict_keys.__reversed__"
                     : view_kind(self) == ITER_VALUES ? "dict_values.__reversed__"
                                                      : "dict_items.__reversed__";
    if (!container_arg_none(qn, nargs, kwnames))
        return NULL;
    return dictiter_new(((DictView *)self)->dict, view_kind(self), true);
}

// view.mapping: a read-only proxy of the viewed dict. The mappingproxy type belongs to
// class.c (a class's __dict__ is one); it is reached through dict.__dict__ and called.
static MiniObject *view_get_mapping(MiniObject *self) {
    MiniObject *sample = mini_getattr((MiniObject *)&mini_dict_type, MINI_ID(__dict__));
    if (!sample)
        return NULL;
    MiniObject *proxy_type = (MiniObject *)mini_type(sample);
    MiniObject *r = mini_call_n(proxy_type, 1, ((DictView *)self)->dict);
    MINI_DECREF(sample);
    return r;
}

static const MiniGetSetDef view_getset[] = {
    {"mapping", view_get_mapping, NULL, "dictionary that this view refers to"},
    {NULL, NULL, NULL, NULL},
};

static const MiniMethodDef setview_methods[] = {
    {"isdisjoint", view_isdisjoint, 0,
     "Return True if the view and the given iterable have a null intersection."},
    {"__reversed__", view_reversed, 0, "Return a reverse iterator over the dict keys."},
    {NULL, NULL, 0, NULL},
};

static const MiniMethodDef values_methods[] = {
    {"__reversed__", view_reversed, 0, "Return a reverse iterator over the dict values."},
    {NULL, NULL, 0, NULL},
};

#define SETVIEW_TYPE(tname)                                                                      \
    {                                                                                            \
        .ob = {MINI_IMMORTAL, &mini_type_type}, .name = tname, .basicsize = sizeof(DictView),   \
        .flags = MINI_TPFLAG_GC, .dealloc = view_dealloc, .traverse = view_traverse,            \
        .repr = view_repr, .richcompare = view_richcompare, .iter = view_iter,                  \
        .binop = {[BINOP_SUB] = view_sub, [BINOP_AND] = view_and, [BINOP_OR] = view_or,          \
                  [BINOP_XOR] = view_xor},                                                       \
        .len = view_len, .contains = view_contains, .methods = setview_methods,                 \
        .getset = view_getset,                                                                  \
    }

static MiniType dictkeys_type = SETVIEW_TYPE("dict_keys");
static MiniType dictitems_type = SETVIEW_TYPE("dict_items");
static MiniType dictvalues_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "dict_values",
    .basicsize = sizeof(DictView),
    .flags = MINI_TPFLAG_GC,
    .dealloc = view_dealloc,
    .traverse = view_traverse,
    .repr = view_repr,
    .iter = view_iter,
    .len = view_len,
    .contains = view_contains,
    .methods = values_methods,
    .getset = view_getset,
};

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

static MiniObject *dict_m_keys(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("dict.keys", nargs, kwnames))
        return NULL;
    return view_new(self, &dictkeys_type);
}

static MiniObject *dict_m_values(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("dict.values", nargs, kwnames))
        return NULL;
    return view_new(self, &dictvalues_type);
}

static MiniObject *dict_m_items(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("dict.items", nargs, kwnames))
        return NULL;
    return view_new(self, &dictitems_type);
}

static MiniObject *dict_m_get(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    if (!container_arg_range("dict.get", "get", nargs, kwnames, 1, 2))
        return NULL;
    MiniObject *v = dict_get(self, args[0]);
    if (v)
        return mini_newref(v);
    if (mini_error_occurred())
        return NULL;
    return mini_newref(nargs > 1 ? args[1] : MINI_NONE);
}

static MiniObject *dict_m_setdefault(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (!container_arg_range("dict.setdefault", "setdefault", nargs, kwnames, 1, 2))
        return NULL;
    MiniObject *key = args[0], *dflt = nargs > 1 ? args[1] : MINI_NONE;
    int64_t hash = key_hash(key);
    if (hash == -1)
        return NULL;
    ssize_t ix = lookup(D(self), key, hash, NULL);
    if (ix >= 0)
        return mini_newref(D(self)->entries[ix].value);
    if (ix == DKIX_ERROR || insert(D(self), key, hash, dflt) < 0)
        return NULL;
    return mini_newref(dflt);
}

static MiniObject *dict_m_pop(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    if (!container_arg_range("dict.pop", "pop", nargs, kwnames, 1, 2))
        return NULL;
    MiniObject *key = args[0];
    int64_t hash = key_hash(key);
    if (hash == -1)
        return NULL;
    size_t slot;
    ssize_t ix = lookup(D(self), key, hash, &slot);
    if (ix == DKIX_ERROR)
        return NULL;
    if (ix < 0) {
        if (nargs > 1)
            return mini_newref(args[1]);
        return container_key_error(key);
    }
    MiniObject *value = mini_newref(D(self)->entries[ix].value);
    delete_at(D(self), slot, ix);
    return value;
}

// popitem(): the last inserted pair (LIFO).
static MiniObject *dict_m_popitem(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("dict.popitem", nargs, kwnames))
        return NULL;
    MiniDict *d = D(self);
    if (d->used == 0) {
        MiniObject *msg = str_from_cstr("popitem(): dictionary is empty");
        if (msg) {
            container_key_error(msg);
            MINI_DECREF(msg);
        }
        return NULL;
    }
    ssize_t i = (ssize_t)d->nentries - 1;
    while (i >= 0 && !d->entries[i].key)
        i--;
    DictEntry *e = &d->entries[i];
    MiniObject *res = tuple_new(2);
    if (!res)
        return NULL;
    size_t slot = find_index_slot(d, e->hash, i);
    ix_set(d, slot, DKIX_DUMMY);
    // The entry's references move into the tuple.
    TUPLE_ITEMS(res)[0] = e->key;
    TUPLE_ITEMS(res)[1] = e->value;
    e->key = e->value = NULL;
    d->used--;
    d->keys_version = 0;
    // The entries after the popped one are all deleted: reuse their room.
    d->nentries = (size_t)i;
    return res;
}

static MiniObject *dict_m_update(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!mini_check_nargs("update", nargs, 0, 1))
        return NULL;
    if (nargs == 1 && dict_update(self, args[0]) < 0)
        return NULL;
    if (update_from_kwargs(self, args, nargs, kwnames) < 0)
        return NULL;
    return MINI_NONE;
}

// dict.fromkeys(iterable, value=None), a classmethod: self is the class.
static MiniObject *dict_m_fromkeys(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    if (!container_arg_range("dict.fromkeys", "fromkeys", nargs, kwnames, 1, 2))
        return NULL;
    MiniObject *value = nargs > 1 ? args[1] : MINI_NONE;
    MiniObject *d = mini_call(cls, NULL, 0, NULL);
    if (!d)
        return NULL;
    bool plain = MINI_IS_PTR(d) && d->type == &mini_dict_type;
    MiniObject *it = mini_iter(args[0]);
    if (!it) {
        MINI_DECREF(d);
        return NULL;
    }
    for (;;) {
        MiniObject *key = mini_next(it);
        if (!key)
            break;
        int rc = plain ? dict_set(d, key, value) : mini_setitem(d, key, value);
        MINI_DECREF(key);
        if (rc < 0) {
            MINI_DECREF(it);
            MINI_DECREF(d);
            return NULL;
        }
    }
    MINI_DECREF(it);
    if (mini_error_occurred())
        MINI_CLEAR(d);
    return d;
}

static MiniObject *dict_m_copy(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("dict.copy", nargs, kwnames))
        return NULL;
    return dict_copy(self);
}

static MiniObject *dict_m_clear(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("dict.clear", nargs, kwnames))
        return NULL;
    dict_clear(self);
    return MINI_NONE;
}

static MiniObject *dict_m_reversed(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("dict.__reversed__", nargs, kwnames))
        return NULL;
    return dictiter_new(self, ITER_KEYS, true);
}

static const MiniMethodDef dict_methods[] = {
    {"keys", dict_m_keys, 0, "D.keys() -> a set-like object providing a view on D's keys"},
    {"values", dict_m_values, 0, "D.values() -> an object providing a view on D's values"},
    {"items", dict_m_items, 0, "D.items() -> a set-like object providing a view on D's items"},
    {"get", dict_m_get, 0, "Return the value for key if key is in the dictionary, else default."},
    {"setdefault", dict_m_setdefault, 0,
     "Insert key with a value of default if key is not in the dictionary."},
    {"pop", dict_m_pop, 0,
     "D.pop(k[,d]) -> v, remove specified key and return the corresponding value."},
    {"popitem", dict_m_popitem, 0, "Remove and return a (key, value) pair as a 2-tuple."},
    {"update", dict_m_update, 0,
     "D.update([E, ]**F) -> None.  Update D from dict/iterable E and F."},
    {"fromkeys", dict_m_fromkeys, MINI_METH_CLASS,
     "Create a new dictionary with keys from iterable and values set to value."},
    {"copy", dict_m_copy, 0, "D.copy() -> a shallow copy of D"},
    {"clear", dict_m_clear, 0, "D.clear() -> None.  Remove all items from D."},
    {"__reversed__", dict_m_reversed, 0, "Return a reverse iterator over the dict keys."},
    {"__class_getitem__", container_class_getitem, MINI_METH_CLASS, "See PEP 585"},
    {NULL, NULL, 0, NULL},
};

// ---------------------------------------------------------------------------------------------
// The type
// ---------------------------------------------------------------------------------------------

MiniType mini_dict_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "dict",
    .basicsize = sizeof(MiniDict),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC | MINI_TPFLAG_DICT_SUBCLASS,
    .dealloc = dict_dealloc,
    .traverse = dict_traverse,
    .clear = dict_clear_refs,
    .tp_new = dict_tp_new,
    .tp_init = dict_tp_init,
    .repr = dict_repr,
    .richcompare = dict_richcompare,
    .iter = dict_iter,
    .binop = {[BINOP_OR] = dict_or},
    .inplace = {[BINOP_OR] = dict_ior},
    .len = dict_len,
    .getitem = dict_subscript,
    .setitem = dict_ass_subscript,
    .contains = dict_contains,
    .methods = dict_methods,
    .doc = "dict() -> new empty dictionary",
};
