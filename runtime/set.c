// set.c - set and frozenset: an open-addressing hash table of keys, as in CPython.
//
// Layout
// ------
// A set owns a table of `mask + 1` entries {key, hash}: a slot is unused (key NULL, hash 0),
// active, or a dummy left by a deletion (key DUMMY, hash -1) that lookups probe past. Small
// sets use the 8-entry table inside the object; bigger ones a malloc'd table. The probe
// sequence is CPython's (a few linear probes, then the perturbed jump), and so is the resize
// policy, so a set of small ints iterates - and prints - in the same order as in python3.
// `fill` counts active and dummy slots, `used` active ones; the table grows when fill
// reaches 3/5 of it.
//
// A frozenset is the same structure that nobody changes after construction; its hash is
// CPython's (xor of shuffled entry hashes), cached in the object. An unhashable set given to
// `in`, remove() or discard() is looked up as the equal frozenset.
//
// As in dict.c, a comparison that runs mini code may change the table under a lookup: the
// lookup then starts again.

#include <string.h>

#include "container.h"

#define SET_MINSIZE 8
#define LINEAR_PROBES 9
#define PERTURB_SHIFT 5

typedef struct {
    MiniObject *key;
    int64_t hash;
} SetEntry;

typedef struct {
    MiniObject ob;
    size_t fill;     // active + dummy slots
    size_t used;     // active slots
    size_t mask;     // the table has mask + 1 slots
    SetEntry *table; // smalltable or a malloc'd table
    int64_t hash;    // frozenset: -1 until computed
    size_t finger;   // where pop() looks next
    MiniObject *weaklist; // the weak references to the set (weakref.c), NULL when none
    SetEntry smalltable[SET_MINSIZE];
} MiniSet;

#define S(o) ((MiniSet *)(o))

// The marker of a deleted slot: a unique address no real object has. It is never
// dereferenced, never counted.
static const MiniObject set_dummy = {MINI_IMMORTAL, NULL};
#define DUMMY ((MiniObject *)&set_dummy)

static MiniType setiter_type;

static inline bool is_anyset(MiniObject *o) {
    return MINI_IS_PTR(o) &&
           (o->type == &mini_set_type || o->type == &mini_frozenset_type ||
            type_is_subtype(o->type, &mini_set_type) ||
            type_is_subtype(o->type, &mini_frozenset_type));
}

static inline bool is_frozen(MiniObject *o) {
    return o->type == &mini_frozenset_type || type_is_subtype(o->type, &mini_frozenset_type);
}

// The hash of a key; exact strs use their cached hash. -1 with an exception.
static inline int64_t key_hash(MiniObject *key) {
    if (MINI_IS_PTR(key) && key->type == &mini_str_type) {
        int64_t h = ((MiniStr *)key)->hash;
        return h != -1 ? h : str_hash(key);
    }
    return mini_hash(key);
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

// Finds [key]: the active entry holding it, or the unused entry that ends its probe sequence
// (key NULL). NULL with an exception when a comparison raised.
static SetEntry *set_lookkey(MiniSet *so, MiniObject *key, int64_t hash) {
restart:;
    size_t mask = so->mask;
    size_t i = (size_t)hash & mask;
    size_t perturb = (size_t)hash;
    bool key_is_str = MINI_IS_PTR(key) && key->type == &mini_str_type;
    for (;;) {
        SetEntry *entry = &so->table[i];
        int probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0;
        do {
            if (entry->hash == 0 && entry->key == NULL)
                return entry;
            if (entry->hash == hash) {
                MiniObject *start = entry->key;
                if (start == key)
                    return entry;
                if (key_is_str && MINI_IS_PTR(start) && start->type == &mini_str_type) {
                    if (str_eq(start, key))
                        return entry;
                } else {
                    SetEntry *table = so->table;
                    MINI_INCREF(start);
                    int cmp = mini_richcompare_bool(start, key, CMP_EQ);
                    MINI_DECREF(start);
                    if (cmp < 0)
                        return NULL;
                    if (table != so->table || entry->key != start)
                        goto restart;
                    if (cmp > 0)
                        return entry;
                    mask = so->mask;
                }
            }
            entry++;
        } while (probes--);
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

// Puts [key] (a reference handed over) into a table known to have neither it nor dummies.
static void set_insert_clean(SetEntry *table, size_t mask, MiniObject *key, int64_t hash) {
    size_t perturb = (size_t)hash;
    size_t i = (size_t)hash & mask;
    for (;;) {
        SetEntry *entry = &table[i];
        if (entry->key == NULL)
            goto found;
        if (i + LINEAR_PROBES <= mask) {
            for (int j = 0; j < LINEAR_PROBES; j++) {
                entry++;
                if (entry->key == NULL)
                    goto found;
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
        continue;
    found:
        entry->key = key;
        entry->hash = hash;
        return;
    }
}

// Rebuilds the table with more than [minused] slots, dropping the dummies. 0 or -1.
static int set_table_resize(MiniSet *so, size_t minused) {
    size_t newsize = SET_MINSIZE;
    while (newsize <= minused) {
        if (newsize > CONTAINER_MAX_BYTES / sizeof(SetEntry) / 2) {
            mini_raise_memory();
            return -1;
        }
        newsize <<= 1;
    }
    SetEntry *oldtable = so->table;
    size_t oldmask = so->mask;
    bool old_malloced = oldtable != so->smalltable;
    SetEntry small_copy[SET_MINSIZE];
    SetEntry *newtable;
    if (newsize == SET_MINSIZE) {
        newtable = so->smalltable;
        if (newtable == oldtable) {
            if (so->fill == so->used)
                return 0; // no dummies: nothing to gain
            // Rebuild in place to purge the dummies: work from a copy.
            memcpy(small_copy, oldtable, sizeof(small_copy));
            oldtable = small_copy;
        }
    } else {
        newtable = mini_malloc(newsize * sizeof(SetEntry));
        if (!newtable)
            return -1;
    }
    memset(newtable, 0, newsize * sizeof(SetEntry));
    so->mask = newsize - 1;
    so->table = newtable;
    so->fill = so->used;
    for (SetEntry *e = oldtable; e <= oldtable + oldmask; e++)
        if (e->key != NULL && e->key != DUMMY)
            set_insert_clean(newtable, so->mask, e->key, e->hash);
    if (old_malloced)
        mini_free(oldtable);
    return 0;
}

// Adds [key] with [hash]. Borrows key. 0 or -1.
static int set_add_entry(MiniSet *so, MiniObject *key, int64_t hash) {
    // Held across the comparisons, which may drop the caller's reference.
    MINI_INCREF(key);
restart:;
    size_t mask = so->mask;
    size_t i = (size_t)hash & mask;
    size_t perturb = (size_t)hash;
    SetEntry *freeslot = NULL;
    SetEntry *entry;
    bool key_is_str = MINI_IS_PTR(key) && key->type == &mini_str_type;
    for (;;) {
        entry = &so->table[i];
        int probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0;
        do {
            if (entry->hash == 0 && entry->key == NULL)
                goto found_unused_or_dummy;
            if (entry->hash == hash) {
                MiniObject *start = entry->key;
                if (start == key)
                    goto found_active;
                if (key_is_str && MINI_IS_PTR(start) && start->type == &mini_str_type) {
                    if (str_eq(start, key))
                        goto found_active;
                } else {
                    SetEntry *table = so->table;
                    MINI_INCREF(start);
                    int cmp = mini_richcompare_bool(start, key, CMP_EQ);
                    MINI_DECREF(start);
                    if (cmp > 0)
                        goto found_active;
                    if (cmp < 0) {
                        MINI_DECREF(key);
                        return -1;
                    }
                    if (table != so->table || entry->key != start)
                        goto restart;
                    mask = so->mask;
                }
            } else if (entry->hash == -1 && entry->key == DUMMY) {
                freeslot = entry;
            }
            entry++;
        } while (probes--);
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
    }
found_unused_or_dummy:
    if (freeslot) {
        so->used++;
        freeslot->key = key;
        freeslot->hash = hash;
        return 0;
    }
    so->fill++;
    so->used++;
    entry->key = key;
    entry->hash = hash;
    if (so->fill * 5 < mask * 3)
        return 0;
    return set_table_resize(so, so->used > 50000 ? so->used * 2 : so->used * 4);
found_active:
    MINI_DECREF(key);
    return 0;
}

static int set_add_key(MiniSet *so, MiniObject *key) {
    int64_t hash = key_hash(key);
    if (hash == -1)
        return -1;
    return set_add_entry(so, key, hash);
}

// 1 if the key is there, 0 if not, -1 on error.
static int set_contains_entry(MiniSet *so, MiniObject *key, int64_t hash) {
    SetEntry *e = set_lookkey(so, key, hash);
    if (!e)
        return -1;
    return e->key != NULL;
}

static int set_contains_key(MiniSet *so, MiniObject *key) {
    int64_t hash = key_hash(key);
    if (hash == -1)
        return -1;
    return set_contains_entry(so, key, hash);
}

// Removes [key]: 1 if it was there, 0 if not, -1 on error.
static int set_discard_entry(MiniSet *so, MiniObject *key, int64_t hash) {
    SetEntry *e = set_lookkey(so, key, hash);
    if (!e)
        return -1;
    if (e->key == NULL)
        return 0;
    MiniObject *old = e->key;
    e->key = DUMMY;
    e->hash = -1;
    so->used--;
    MINI_DECREF(old);
    return 1;
}

static int set_discard_key(MiniSet *so, MiniObject *key) {
    int64_t hash = key_hash(key);
    if (hash == -1)
        return -1;
    return set_discard_entry(so, key, hash);
}

// Empties the set, releasing the keys once the set is consistent.
static void set_clear_internal(MiniSet *so) {
    SetEntry *table = so->table;
    size_t mask = so->mask, fill = so->fill;
    bool malloced = table != so->smalltable;
    SetEntry small_copy[SET_MINSIZE];
    if (!malloced && fill > 0) {
        memcpy(small_copy, table, sizeof(small_copy));
        table = small_copy;
    }
    memset(so->smalltable, 0, sizeof(so->smalltable));
    so->table = so->smalltable;
    so->mask = SET_MINSIZE - 1;
    so->fill = so->used = 0;
    so->hash = -1;
    if (fill > 0) {
        for (size_t i = 0; i <= mask; i++)
            if (table[i].key && table[i].key != DUMMY)
                MINI_DECREF(table[i].key);
    }
    if (malloced)
        mini_free(table);
}

// Steps through the active entries: `size_t pos = 0; SetEntry *e; while (set_next_entry(...))`.
static bool set_next_entry(MiniSet *so, size_t *pos, SetEntry **entry) {
    size_t i = *pos;
    while (i <= so->mask && (so->table[i].key == NULL || so->table[i].key == DUMMY))
        i++;
    *pos = i + 1;
    if (i > so->mask)
        return false;
    *entry = &so->table[i];
    return true;
}

// so |= other for two sets: one big resize up front, and a plain copy when possible.
static int set_merge(MiniSet *so, MiniSet *other) {
    if (other == so || other->used == 0)
        return 0;
    if ((so->fill + other->used) * 5 >= so->mask * 3 &&
        set_table_resize(so, (so->used + other->used) * 2) < 0)
        return -1;
    // Empty and the same size without dummies: copy slot by slot (the same order).
    if (so->fill == 0 && so->mask == other->mask && other->fill == other->used) {
        for (size_t i = 0; i <= other->mask; i++) {
            MiniObject *key = other->table[i].key;
            if (key) {
                so->table[i].key = mini_newref(key);
                so->table[i].hash = other->table[i].hash;
            }
        }
        so->fill = other->fill;
        so->used = other->used;
        return 0;
    }
    if (so->fill == 0) {
        so->fill = so->used = other->used;
        for (size_t i = 0; i <= other->mask; i++) {
            MiniObject *key = other->table[i].key;
            if (key && key != DUMMY)
                set_insert_clean(so->table, so->mask, mini_newref(key), other->table[i].hash);
        }
        return 0;
    }
    for (size_t i = 0; i <= other->mask; i++) {
        SetEntry *e = &other->table[i];
        if (e->key && e->key != DUMMY && set_add_entry(so, e->key, e->hash) < 0)
            return -1;
    }
    return 0;
}

// Calls [fn] (set_add_key, set_discard_key or set_contains_key) on [so] with each item of
// [iterable] in turn. Returns -1 on error, 1 as soon as [fn] returns [stop_at] (the walk ends
// there), 0 when every item was seen; a [stop_at] of -1 walks them all.
static int each_key(MiniSet *so, MiniObject *iterable, int (*fn)(MiniSet *, MiniObject *),
                    int stop_at) {
    MiniObject *it = mini_iter(iterable);
    if (!it)
        return -1;
    int r = 0;
    MiniObject *key;
    while ((key = mini_next(it))) {
        int rv = fn(so, key);
        MINI_DECREF(key);
        if (rv < 0 || rv == stop_at) {
            r = rv < 0 ? -1 : 1;
            break;
        }
    }
    MINI_DECREF(it);
    return r == 0 && mini_error_occurred() ? -1 : r;
}

// so |= other for any iterable.
static int set_update_internal(MiniSet *so, MiniObject *other) {
    if (is_anyset(other))
        return set_merge(so, S(other));
    if (MINI_IS_PTR(other) && other->type == &mini_dict_type) {
        size_t n = dict_size(other);
        if ((so->fill + n) * 5 >= so->mask * 3 && set_table_resize(so, (so->used + n) * 2) < 0)
            return -1;
        size_t pos = 0;
        MiniObject *key;
        int64_t hash;
        while (dict_next_with_hash(other, &pos, &key, NULL, &hash))
            if (set_add_entry(so, key, hash) < 0)
                return -1;
        return 0;
    }
    return each_key(so, other, set_add_key, -1);
}

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

// A new set or frozenset of [type] holding the items of [iterable] (NULL: empty).
static MiniObject *make_new_set(MiniType *type, MiniObject *iterable) {
    MiniSet *so = (MiniSet *)mini_type_alloc(type, 0);
    if (!so)
        return NULL;
    so->table = so->smalltable;
    so->mask = SET_MINSIZE - 1;
    so->hash = -1;
    if (iterable && set_update_internal(so, iterable) < 0) {
        MINI_DECREF(so);
        return NULL;
    }
    return (MiniObject *)so;
}

// Results of operations are plain sets or frozensets, whatever the subclass of the operand.
static MiniObject *make_new_set_basetype(MiniType *type, MiniObject *iterable) {
    if (type != &mini_set_type && type != &mini_frozenset_type)
        type = type_is_subtype(type, &mini_set_type) ? &mini_set_type : &mini_frozenset_type;
    return make_new_set(type, iterable);
}

static MiniObject *set_copy(MiniObject *so) {
    return make_new_set_basetype(so->type, so);
}

MiniObject *set_new(MiniObject *iterable) { return make_new_set(&mini_set_type, iterable); }

MiniObject *frozenset_new(MiniObject *iterable) {
    return make_new_set(&mini_frozenset_type, iterable);
}

int set_add(MiniObject *set, MiniObject *key) { return set_add_key(S(set), key); }

// [fn] (set_contains_key or set_discard_key) on [key], where an unhashable set [key] is
// taken as the equal frozenset (`{1} in s`, s.discard({1})): 1, 0, -1.
static int key_or_frozen(MiniSet *so, MiniObject *key, int (*fn)(MiniSet *, MiniObject *)) {
    int rv = fn(so, key);
    if (rv < 0 && MINI_IS_PTR(key) && mini_isinstance_type(key, &mini_set_type) &&
        mini_error_matches(mini_exc_TypeError)) {
        mini_error_clear();
        MiniObject *tmp = frozenset_new(key);
        if (!tmp)
            return -1;
        rv = fn(so, tmp);
        MINI_DECREF(tmp);
    }
    return rv;
}

// `key in set`, where an unhashable set is looked up as the equal frozenset.
static int contains_or_frozen(MiniSet *so, MiniObject *key) {
    return key_or_frozen(so, key, set_contains_key);
}

int set_contains(MiniObject *set, MiniObject *key) { return contains_or_frozen(S(set), key); }

bool set_next(MiniObject *set, size_t *pos, MiniObject **key) {
    SetEntry *e;
    if (!set_next_entry(S(set), pos, &e))
        return false;
    *key = e->key;
    return true;
}

size_t set_size(MiniObject *set) { return S(set)->used; }

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

static void set_dealloc(MiniObject *self) {
    bool exact = self->type == &mini_set_type || self->type == &mini_frozenset_type;
    if (exact && !container_trash_begin(self))
        return;
    set_clear_internal(S(self));
    mini_object_free(self);
    if (exact)
        container_trash_end();
}

static int set_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniSet *so = S(self);
    for (size_t i = 0; i <= so->mask; i++) {
        MiniObject *key = so->table[i].key;
        if (key && key != DUMMY)
            MINI_VISIT(key);
    }
    return 0;
}

static int set_clear_refs(MiniObject *self) {
    set_clear_internal(S(self));
    return 0;
}

// set.__new__ makes an empty set; set.__init__ fills it.
static MiniObject *set_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args, (void)nargs;
    if (type == &mini_set_type && !container_no_kw("set", kwnames))
        return NULL;
    return make_new_set(type, NULL);
}

static int set_tp_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                       MiniObject *kwnames) {
    if (!container_no_kw("set", kwnames) || !mini_check_nargs(self->type->name, nargs, 0, 1))
        return -1;
    if (S(self)->fill)
        set_clear_internal(S(self));
    S(self)->hash = -1;
    if (nargs == 0)
        return 0;
    return set_update_internal(S(self), args[0]);
}

// frozenset(iterable=()): a frozenset argument is returned as it is.
static MiniObject *frozenset_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if ((type == &mini_frozenset_type || type->tp_init == mini_frozenset_type.tp_init) &&
        !container_no_kw("frozenset", kwnames))
        return NULL;
    if (!mini_check_nargs(type->name, nargs, 0, 1))
        return NULL;
    MiniObject *iterable = nargs ? args[0] : NULL;
    if (type == &mini_frozenset_type && iterable && MINI_IS_PTR(iterable) &&
        iterable->type == &mini_frozenset_type)
        return mini_newref(iterable);
    return make_new_set(type, iterable);
}

// ---------------------------------------------------------------------------------------------
// repr, hash, comparison
// ---------------------------------------------------------------------------------------------

// "{1, 2}", "set()", "frozenset({1, 2})", "MySet({1})".
static MiniObject *set_repr(MiniObject *self) {
    const char *tname = self->type->name;
    int rc = mini_repr_enter(self);
    if (rc != 0)
        return rc > 0 ? str_from_format("%s(...)", tname) : NULL;
    if (S(self)->used == 0) {
        mini_repr_leave(self);
        return str_from_format("%s()", tname);
    }
    MiniObject *keys = mini_sequence_list(self);
    if (!keys) {
        mini_repr_leave(self);
        return NULL;
    }
    bool plain = self->type == &mini_set_type;
    StrBuf b;
    strbuf_init(&b);
    if (!plain) {
        strbuf_adds(&b, tname);
        strbuf_addc(&b, '(');
    }
    strbuf_addc(&b, '{');
    for (size_t i = 0; i < LIST_SIZE(keys); i++) {
        if (i > 0)
            strbuf_add(&b, ", ", 2);
        MiniObject *r = mini_repr(LIST_GET(keys, i));
        if (!r) {
            strbuf_free(&b);
            MINI_DECREF(keys);
            mini_repr_leave(self);
            return NULL;
        }
        strbuf_add_obj(&b, r);
        MINI_DECREF(r);
    }
    strbuf_addc(&b, '}');
    if (!plain)
        strbuf_addc(&b, ')');
    MINI_DECREF(keys);
    mini_repr_leave(self);
    return strbuf_finish(&b);
}

static uint64_t shuffle_bits(uint64_t h) {
    return ((h ^ 89869747UL) ^ (h << 16)) * 3644798167UL;
}

// CPython's frozenset hash: independent of the order of the entries.
static int64_t frozenset_hash(MiniObject *self) {
    MiniSet *so = S(self);
    if (so->hash != -1)
        return so->hash;
    uint64_t hash = 0;
    // Unused slots hash 0 and dummies -1: mixed in here and taken out again below, which is
    // cheaper than skipping them.
    for (size_t i = 0; i <= so->mask; i++)
        hash ^= shuffle_bits((uint64_t)so->table[i].hash);
    if ((so->mask + 1 - so->fill) & 1)
        hash ^= shuffle_bits(0);
    if ((so->fill - so->used) & 1)
        hash ^= shuffle_bits((uint64_t)-1);
    hash ^= ((uint64_t)so->used + 1) * 1927868237UL;
    hash ^= (hash >> 11) ^ (hash >> 25);
    hash = hash * 69069U + 907133923UL;
    if (hash == (uint64_t)-1)
        hash = 590923713UL;
    so->hash = (int64_t)hash;
    return so->hash;
}

// Is every key of [a] in [b] (two sets)? 1, 0, -1.
static int set_issubset_sets(MiniSet *a, MiniSet *b) {
    if (a->used > b->used)
        return 0;
    size_t pos = 0;
    SetEntry *e;
    while (set_next_entry(a, &pos, &e)) {
        MiniObject *key = mini_newref(e->key);
        int rv = set_contains_entry(b, key, e->hash);
        MINI_DECREF(key);
        if (rv <= 0)
            return rv;
    }
    return 1;
}

static MiniObject *set_richcompare(MiniObject *v, MiniObject *w, int op) {
    if (!is_anyset(v) || !is_anyset(w))
        return MINI_NOTIMPL;
    MiniSet *a = S(v), *b = S(w);
    int r;
    switch (op) {
    case CMP_EQ:
    case CMP_NE:
        if (a->used != b->used)
            r = 0;
        else if (a->hash != -1 && b->hash != -1 && a->hash != b->hash)
            r = 0;
        else
            r = set_issubset_sets(a, b);
        if (r >= 0 && op == CMP_NE)
            r = !r;
        break;
    case CMP_LE: r = set_issubset_sets(a, b); break;
    case CMP_GE: r = set_issubset_sets(b, a); break;
    case CMP_LT: r = a->used < b->used ? set_issubset_sets(a, b) : 0; break;
    default: r = a->used > b->used ? set_issubset_sets(b, a) : 0; break;
    }
    if (r < 0)
        return NULL;
    return MINI_BOOL(r);
}

// ---------------------------------------------------------------------------------------------
// The set algebra
// ---------------------------------------------------------------------------------------------

static MiniObject *set_intersection(MiniObject *so, MiniObject *other) {
    if (so == other)
        return set_copy(so);
    MiniObject *result = make_new_set_basetype(so->type, NULL);
    if (!result)
        return NULL;
    if (is_anyset(other)) {
        // Walk the smaller set, look up in the bigger one.
        MiniSet *big = S(so), *small = S(other);
        if (small->used > big->used) {
            MiniSet *t = big;
            big = small;
            small = t;
        }
        size_t pos = 0;
        SetEntry *e;
        while (set_next_entry(small, &pos, &e)) {
            MiniObject *key = mini_newref(e->key);
            int64_t hash = e->hash;
            int rv = set_contains_entry(big, key, hash);
            if (rv > 0)
                rv = set_add_entry(S(result), key, hash) < 0 ? -1 : 1;
            MINI_DECREF(key);
            if (rv < 0) {
                MINI_DECREF(result);
                return NULL;
            }
        }
        return result;
    }
    MiniObject *it = mini_iter(other);
    if (!it) {
        MINI_DECREF(result);
        return NULL;
    }
    for (;;) {
        MiniObject *key = mini_next(it);
        if (!key)
            break;
        int64_t hash = key_hash(key);
        int rv = hash == -1 ? -1 : set_contains_entry(S(so), key, hash);
        if (rv > 0)
            rv = set_add_entry(S(result), key, hash) < 0 ? -1 : 1;
        MINI_DECREF(key);
        if (rv < 0) {
            MINI_DECREF(it);
            MINI_DECREF(result);
            return NULL;
        }
    }
    MINI_DECREF(it);
    if (mini_error_occurred())
        MINI_CLEAR(result);
    return result;
}

// so -= other, in place.
static int set_difference_update_internal(MiniSet *so, MiniObject *other) {
    if ((MiniObject *)so == other) {
        set_clear_internal(so);
        return 0;
    }
    if (is_anyset(other)) {
        // A much bigger other set is first cut down to what the two have in common.
        MiniObject *o;
        if (S(other)->used / 8 > so->used)
            o = set_intersection((MiniObject *)so, other);
        else
            o = mini_newref(other);
        if (!o)
            return -1;
        size_t pos = 0;
        SetEntry *e;
        while (set_next_entry(S(o), &pos, &e)) {
            MiniObject *key = mini_newref(e->key);
            int rv = set_discard_entry(so, key, e->hash);
            MINI_DECREF(key);
            if (rv < 0) {
                MINI_DECREF(o);
                return -1;
            }
        }
        MINI_DECREF(o);
    } else if (each_key(so, other, set_discard_key, -1) < 0) {
        return -1;
    }
    // Many dummies slow lookups down: rebuild without them.
    if (so->fill - so->used <= so->mask / 4)
        return 0;
    return set_table_resize(so, so->used > 50000 ? so->used * 2 : so->used * 4);
}

static MiniObject *set_copy_and_difference(MiniObject *so, MiniObject *other) {
    MiniObject *result = set_copy(so);
    if (result && set_difference_update_internal(S(result), other) < 0)
        MINI_CLEAR(result);
    return result;
}

static MiniObject *set_difference(MiniObject *so, MiniObject *other) {
    size_t other_size;
    if (is_anyset(other))
        other_size = S(other)->used;
    else if (MINI_IS_PTR(other) && other->type == &mini_dict_type)
        other_size = dict_size(other);
    else
        return set_copy_and_difference(so, other);
    // Much bigger than the other: copying and removing is cheaper.
    if ((S(so)->used >> 2) > other_size)
        return set_copy_and_difference(so, other);
    MiniObject *result = make_new_set_basetype(so->type, NULL);
    if (!result)
        return NULL;
    size_t pos = 0;
    SetEntry *e;
    while (set_next_entry(S(so), &pos, &e)) {
        MiniObject *key = mini_newref(e->key);
        int64_t hash = e->hash;
        int rv;
        if (is_anyset(other))
            rv = set_contains_entry(S(other), key, hash);
        else
            rv = mini_contains(other, key);
        if (rv == 0)
            rv = set_add_entry(S(result), key, hash) < 0 ? -1 : 0;
        MINI_DECREF(key);
        if (rv < 0) {
            MINI_DECREF(result);
            return NULL;
        }
    }
    return result;
}

// so ^= other, in place.
static int set_symmetric_difference_update_internal(MiniSet *so, MiniObject *other) {
    if ((MiniObject *)so == other) {
        set_clear_internal(so);
        return 0;
    }
    MiniObject *o;
    if (is_anyset(other))
        o = mini_newref(other);
    else if (!(o = make_new_set_basetype(so->ob.type, other)))
        return -1;
    size_t pos = 0;
    SetEntry *e;
    while (set_next_entry(S(o), &pos, &e)) {
        MiniObject *key = mini_newref(e->key);
        int64_t hash = e->hash;
        int rv = set_discard_entry(so, key, hash);
        if (rv == 0)
            rv = set_add_entry(so, key, hash);
        MINI_DECREF(key);
        if (rv < 0) {
            MINI_DECREF(o);
            return -1;
        }
    }
    MINI_DECREF(o);
    return 0;
}

static MiniObject *set_symmetric_difference(MiniObject *so, MiniObject *other) {
    MiniObject *result = make_new_set_basetype(so->type, other);
    if (result && set_symmetric_difference_update_internal(S(result), so) < 0)
        MINI_CLEAR(result);
    return result;
}

// Makes [so] hold exactly the keys of [src] (a set), as intersection_update needs.
static int set_replace_contents(MiniSet *so, MiniObject *src) {
    set_clear_internal(so);
    return set_merge(so, S(src));
}

// ---------------------------------------------------------------------------------------------
// Operators: | & - ^ take two sets or frozensets; anything else is the dispatcher's error.
// ---------------------------------------------------------------------------------------------

static MiniObject *set_or(MiniObject *a, MiniObject *b) {
    if (!is_anyset(a) || !is_anyset(b))
        return MINI_NOTIMPL;
    MiniObject *result = set_copy(a);
    if (result && a != b && set_update_internal(S(result), b) < 0)
        MINI_CLEAR(result);
    return result;
}

static MiniObject *set_and(MiniObject *a, MiniObject *b) {
    if (!is_anyset(a) || !is_anyset(b))
        return MINI_NOTIMPL;
    return set_intersection(a, b);
}

static MiniObject *set_sub(MiniObject *a, MiniObject *b) {
    if (!is_anyset(a) || !is_anyset(b))
        return MINI_NOTIMPL;
    return set_difference(a, b);
}

static MiniObject *set_xor(MiniObject *a, MiniObject *b) {
    if (!is_anyset(a) || !is_anyset(b))
        return MINI_NOTIMPL;
    return set_symmetric_difference(a, b);
}

// The in-place forms exist only for (mutable) sets.
static bool inplace_ok(MiniObject *a, MiniObject *b) {
    return MINI_IS_PTR(a) && mini_isinstance_type(a, &mini_set_type) && is_anyset(b);
}

static MiniObject *set_ior(MiniObject *a, MiniObject *b) {
    if (!inplace_ok(a, b))
        return MINI_NOTIMPL;
    if (set_update_internal(S(a), b) < 0)
        return NULL;
    return mini_newref(a);
}

static MiniObject *set_iand(MiniObject *a, MiniObject *b) {
    if (!inplace_ok(a, b))
        return MINI_NOTIMPL;
    MiniObject *tmp = set_intersection(a, b);
    if (!tmp)
        return NULL;
    int rc = set_replace_contents(S(a), tmp);
    MINI_DECREF(tmp);
    if (rc < 0)
        return NULL;
    return mini_newref(a);
}

static MiniObject *set_isub(MiniObject *a, MiniObject *b) {
    if (!inplace_ok(a, b))
        return MINI_NOTIMPL;
    if (set_difference_update_internal(S(a), b) < 0)
        return NULL;
    return mini_newref(a);
}

static MiniObject *set_ixor(MiniObject *a, MiniObject *b) {
    if (!inplace_ok(a, b))
        return MINI_NOTIMPL;
    if (set_symmetric_difference_update_internal(S(a), b) < 0)
        return NULL;
    return mini_newref(a);
}

static ssize_t set_len(MiniObject *self) { return (ssize_t)S(self)->used; }

static int set_contains_slot(MiniObject *self, MiniObject *key) {
    return contains_or_frozen(S(self), key);
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

// "set.add" or "frozenset.copy": the qualified name CPython's messages use.
#define QUAL(self, m) (is_frozen(self) ? "frozenset." m : "set." m)

static MiniObject *set_m_add(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    if (!container_arg_one("set.add", nargs, kwnames))
        return NULL;
    if (set_add_key(S(self), args[0]) < 0)
        return NULL;
    return MINI_NONE;
}

// Removes [key], looking an unhashable set up as a frozenset: 1, 0, -1.
static int discard_or_frozen(MiniSet *so, MiniObject *key) {
    return key_or_frozen(so, key, set_discard_key);
}

static MiniObject *set_m_discard(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!container_arg_one("set.discard", nargs, kwnames))
        return NULL;
    if (discard_or_frozen(S(self), args[0]) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *set_m_remove(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (!container_arg_one("set.remove", nargs, kwnames))
        return NULL;
    int rv = discard_or_frozen(S(self), args[0]);
    if (rv < 0)
        return NULL;
    if (rv == 0)
        return container_key_error(args[0]);
    return MINI_NONE;
}

static MiniObject *set_m_pop(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("set.pop", nargs, kwnames))
        return NULL;
    MiniSet *so = S(self);
    if (so->used == 0) {
        MiniObject *msg = str_from_cstr("pop from an empty set");
        if (msg) {
            container_key_error(msg);
            MINI_DECREF(msg);
        }
        return NULL;
    }
    // Start where the last pop stopped, so that popping everything is linear.
    SetEntry *entry = so->table + (so->finger & so->mask);
    SetEntry *limit = so->table + so->mask;
    while (entry->key == NULL || entry->key == DUMMY) {
        entry++;
        if (entry > limit)
            entry = so->table;
    }
    MiniObject *key = entry->key;
    entry->key = DUMMY;
    entry->hash = -1;
    so->used--;
    so->finger = (size_t)(entry - so->table) + 1;
    return key; // the set's reference passes to the caller
}

static MiniObject *set_m_clear(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("set.clear", nargs, kwnames))
        return NULL;
    set_clear_internal(S(self));
    return MINI_NONE;
}

static MiniObject *set_m_copy(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none(QUAL(self, "copy"), nargs, kwnames))
        return NULL;
    // A frozenset is its own copy.
    if (self->type == &mini_frozenset_type)
        return mini_newref(self);
    return set_copy(self);
}

static MiniObject *set_m_update(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (!container_no_kw("set.update", kwnames))
        return NULL;
    for (size_t i = 0; i < nargs; i++)
        if (set_update_internal(S(self), args[i]) < 0)
            return NULL;
    return MINI_NONE;
}

static MiniObject *set_m_union(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (!container_no_kw(QUAL(self, "union"), kwnames))
        return NULL;
    MiniObject *result = set_copy(self);
    if (!result)
        return NULL;
    for (size_t i = 0; i < nargs; i++) {
        if (args[i] == self)
            continue;
        if (set_update_internal(S(result), args[i]) < 0) {
            MINI_DECREF(result);
            return NULL;
        }
    }
    return result;
}

// The intersection of self with every argument (a copy of self when there is none).
static MiniObject *intersection_multi(MiniObject *self, MiniObject *const *args, size_t nargs) {
    MiniObject *result = mini_newref(self);
    if (nargs == 0) {
        MINI_DECREF(result);
        return set_copy(self);
    }
    for (size_t i = 0; i < nargs; i++) {
        MiniObject *tmp = set_intersection(result, args[i]);
        MINI_DECREF(result);
        if (!tmp)
            return NULL;
        result = tmp;
    }
    return result;
}

static MiniObject *set_m_intersection(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    if (!container_no_kw(QUAL(self, "intersection"), kwnames))
        return NULL;
    return intersection_multi(self, args, nargs);
}

static MiniObject *set_m_intersection_update(MiniObject *self, MiniObject *const *args,
                                             size_t nargs, MiniObject *kwnames) {
    if (!container_no_kw("set.intersection_update", kwnames))
        return NULL;
    MiniObject *tmp = intersection_multi(self, args, nargs);
    if (!tmp)
        return NULL;
    int rc = set_replace_contents(S(self), tmp);
    MINI_DECREF(tmp);
    if (rc < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *set_m_difference(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!container_no_kw(QUAL(self, "difference"), kwnames))
        return NULL;
    if (nargs == 0)
        return set_copy(self);
    MiniObject *result = set_difference(self, args[0]);
    for (size_t i = 1; result && i < nargs; i++)
        if (set_difference_update_internal(S(result), args[i]) < 0)
            MINI_CLEAR(result);
    return result;
}

static MiniObject *set_m_difference_update(MiniObject *self, MiniObject *const *args,
                                           size_t nargs, MiniObject *kwnames) {
    if (!container_no_kw("set.difference_update", kwnames))
        return NULL;
    for (size_t i = 0; i < nargs; i++)
        if (set_difference_update_internal(S(self), args[i]) < 0)
            return NULL;
    return MINI_NONE;
}

static MiniObject *set_m_symmetric_difference(MiniObject *self, MiniObject *const *args,
                                              size_t nargs, MiniObject *kwnames) {
    if (!container_arg_one(QUAL(self, "symmetric_difference"), nargs, kwnames))
        return NULL;
    return set_symmetric_difference(self, args[0]);
}

static MiniObject *set_m_symmetric_difference_update(MiniObject *self, MiniObject *const *args,
                                                     size_t nargs, MiniObject *kwnames) {
    if (!container_arg_one("set.symmetric_difference_update", nargs, kwnames))
        return NULL;
    if (set_symmetric_difference_update_internal(S(self), args[0]) < 0)
        return NULL;
    return MINI_NONE;
}

static MiniObject *set_m_issubset(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    if (!container_arg_one(QUAL(self, "issubset"), nargs, kwnames))
        return NULL;
    MiniObject *other = args[0];
    int r;
    if (is_anyset(other)) {
        r = set_issubset_sets(S(self), S(other));
    } else {
        // Any iterable: self is a subset when intersecting loses nothing.
        MiniObject *tmp = set_intersection(self, other);
        if (!tmp)
            return NULL;
        r = S(tmp)->used == S(self)->used;
        MINI_DECREF(tmp);
    }
    if (r < 0)
        return NULL;
    return MINI_BOOL(r);
}

static MiniObject *set_m_issuperset(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!container_arg_one(QUAL(self, "issuperset"), nargs, kwnames))
        return NULL;
    MiniObject *other = args[0];
    if (is_anyset(other)) {
        int r = set_issubset_sets(S(other), S(self));
        return r < 0 ? NULL : MINI_BOOL(r);
    }
    // A superset of other unless some item of other is missing.
    int missing = each_key(S(self), other, set_contains_key, 0);
    return missing < 0 ? NULL : MINI_BOOL(!missing);
}

static MiniObject *set_m_isdisjoint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!container_arg_one(QUAL(self, "isdisjoint"), nargs, kwnames))
        return NULL;
    MiniObject *other = args[0];
    if (other == self)
        return MINI_BOOL(S(self)->used == 0);
    if (is_anyset(other)) {
        MiniSet *big = S(self), *small = S(other);
        if (small->used > big->used) {
            MiniSet *t = big;
            big = small;
            small = t;
        }
        size_t pos = 0;
        SetEntry *e;
        while (set_next_entry(small, &pos, &e)) {
            MiniObject *key = mini_newref(e->key);
            int rv = set_contains_entry(big, key, e->hash);
            MINI_DECREF(key);
            if (rv != 0)
                return rv < 0 ? NULL : MINI_FALSE;
        }
        return MINI_TRUE;
    }
    // Disjoint unless some item of other is found.
    int found = each_key(S(self), other, set_contains_key, 1);
    return found < 0 ? NULL : MINI_BOOL(!found);
}

static const MiniMethodDef set_methods[] = {
    {"add", set_m_add, 0, "Add an element to a set."},
    {"discard", set_m_discard, 0, "Remove an element from a set if it is a member."},
    {"remove", set_m_remove, 0, "Remove an element from a set; it must be a member."},
    {"pop", set_m_pop, 0, "Remove and return an arbitrary set element."},
    {"clear", set_m_clear, 0, "Remove all elements from this set."},
    {"copy", set_m_copy, 0, "Return a shallow copy of a set."},
    {"update", set_m_update, 0, "Update a set with the union of itself and others."},
    {"intersection_update", set_m_intersection_update, 0,
     "Update a set with the intersection of itself and another."},
    {"difference_update", set_m_difference_update, 0,
     "Remove all elements of another set from this set."},
    {"symmetric_difference_update", set_m_symmetric_difference_update, 0,
     "Update a set with the symmetric difference of itself and another."},
    {"union", set_m_union, 0, "Return the union of sets as a new set."},
    {"intersection", set_m_intersection, 0, "Return the intersection of two sets as a new set."},
    {"difference", set_m_difference, 0, "Return the difference of two or more sets as a new set."},
    {"symmetric_difference", set_m_symmetric_difference, 0,
     "Return the symmetric difference of two sets as a new set."},
    {"issubset", set_m_issubset, 0, "Report whether another set contains this set."},
    {"issuperset", set_m_issuperset, 0, "Report whether this set contains another set."},
    {"isdisjoint", set_m_isdisjoint, 0, "Return True if two sets have a null intersection."},
    {"__class_getitem__", container_class_getitem, MINI_METH_CLASS, "See PEP 585"},
    {NULL, NULL, 0, NULL},
};

static const MiniMethodDef frozenset_methods[] = {
    {"copy", set_m_copy, 0, "Return a shallow copy of a set."},
    {"union", set_m_union, 0, "Return the union of sets as a new set."},
    {"intersection", set_m_intersection, 0, "Return the intersection of two sets as a new set."},
    {"difference", set_m_difference, 0, "Return the difference of two or more sets as a new set."},
    {"symmetric_difference", set_m_symmetric_difference, 0,
     "Return the symmetric difference of two sets as a new set."},
    {"issubset", set_m_issubset, 0, "Report whether another set contains this set."},
    {"issuperset", set_m_issuperset, 0, "Report whether this set contains another set."},
    {"isdisjoint", set_m_isdisjoint, 0, "Return True if two sets have a null intersection."},
    {"__class_getitem__", container_class_getitem, MINI_METH_CLASS, "See PEP 585"},
    {NULL, NULL, 0, NULL},
};

// ---------------------------------------------------------------------------------------------
// The iterator
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *set; // NULL once exhausted
    size_t used;     // the set's size when the iterator was made
    size_t pos;
    size_t len;      // how many keys are still expected
    bool size_error; // the size changed: keep failing
} SetIter;

static MiniObject *set_iter(MiniObject *self) {
    SetIter *it = (SetIter *)mini_gc_alloc(&setiter_type, sizeof(SetIter));
    if (!it)
        return NULL;
    it->set = mini_newref(self);
    it->used = S(self)->used;
    it->len = S(self)->used;
    it->pos = 0;
    return (MiniObject *)it;
}

static void setiter_dealloc(MiniObject *self) {
    MINI_XDECREF(((SetIter *)self)->set);
    mini_object_free(self);
}

static int setiter_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((SetIter *)self)->set);
    return 0;
}

static MiniObject *setiter_next(MiniObject *self) {
    SetIter *it = (SetIter *)self;
    MiniObject *set = it->set;
    if (!set)
        return NULL;
    if (it->size_error || S(set)->used != it->used) {
        it->size_error = true;
        return mini_raise_str(mini_exc_RuntimeError, "Set changed size during iteration");
    }
    SetEntry *e;
    if (!set_next_entry(S(set), &it->pos, &e)) {
        it->set = NULL;
        MINI_DECREF(set);
        return NULL;
    }
    if (it->len > 0)
        it->len--;
    return mini_newref(e->key);
}

static MiniObject *setiter_length_hint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)args;
    if (!container_arg_none("set_iterator.__length_hint__", nargs, kwnames))
        return NULL;
    SetIter *it = (SetIter *)self;
    size_t n = it->set && S(it->set)->used == it->used ? it->len : 0;
    return int_from_u64(n);
}

static const MiniMethodDef setiter_methods[] = {
    {"__length_hint__", setiter_length_hint, 0,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

static MiniType setiter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "set_iterator",
    .basicsize = sizeof(SetIter),
    .flags = MINI_TPFLAG_GC,
    .dealloc = setiter_dealloc,
    .traverse = setiter_traverse,
    .tp_new = container_no_new,
    .iter = container_self_iter,
    .iternext = setiter_next,
    .methods = setiter_methods,
};

// ---------------------------------------------------------------------------------------------
// The types
// ---------------------------------------------------------------------------------------------

MiniType mini_set_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "set",
    .basicsize = sizeof(MiniSet),
    .weaklistoffset = offsetof(MiniSet, weaklist),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = set_dealloc,
    .traverse = set_traverse,
    .clear = set_clear_refs,
    .tp_new = set_tp_new,
    .tp_init = set_tp_init,
    .repr = set_repr,
    .richcompare = set_richcompare,
    .iter = set_iter,
    .binop = {[BINOP_SUB] = set_sub, [BINOP_AND] = set_and, [BINOP_OR] = set_or,
              [BINOP_XOR] = set_xor},
    .inplace = {[BINOP_SUB] = set_isub, [BINOP_AND] = set_iand, [BINOP_OR] = set_ior,
                [BINOP_XOR] = set_ixor},
    .len = set_len,
    .contains = set_contains_slot,
    .methods = set_methods,
    .doc = "set() -> new empty set object",
};

MiniType mini_frozenset_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "frozenset",
    .basicsize = sizeof(MiniSet),
    .weaklistoffset = offsetof(MiniSet, weaklist),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC,
    .dealloc = set_dealloc,
    .traverse = set_traverse,
    .clear = set_clear_refs,
    .tp_new = frozenset_tp_new,
    .repr = set_repr,
    .hash = frozenset_hash,
    .richcompare = set_richcompare,
    .iter = set_iter,
    .binop = {[BINOP_SUB] = set_sub, [BINOP_AND] = set_and, [BINOP_OR] = set_or,
              [BINOP_XOR] = set_xor},
    .len = set_len,
    .contains = set_contains_slot,
    .methods = frozenset_methods,
    .doc = "frozenset() -> empty frozenset object",
};
