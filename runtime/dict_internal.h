// dict_internal.h - the layout of a dict, for runtime/dict.c and for the eval loop's
// specialised instructions (vm/eval.c), which read an instance's or a module's entries
// directly: an attribute read that the specialiser has seen before is a bounds check, one
// key comparison and one load.
//
// A dict keeps two arrays in one allocation:
//
//     indices  1 << log2size slots of 1, 2, 4 or 8 bytes (the width grows with the table):
//              each slot is EMPTY (-1), DUMMY (-2, a deleted key) or the position of an entry
//     entries  `usable` (2/3 of the slots) records {hash, key, value} in insertion order
//
// An entry whose key is NULL was deleted. Only dict.c writes to a dict; everyone else reads.
//
// Keys versions. A specialised LOAD_GLOBAL that found its name in the builtins must know the
// module's globals still do not have it. dict_keys_version() gives the dict a number, unique in
// the VM, that stays as it is until a key is added to or removed from the dict (values may
// change): two equal versions mean the same dict with the same set of keys.

#ifndef MINI_DICT_INTERNAL_H
#define MINI_DICT_INTERNAL_H

#include "object.h"

typedef struct {
    int64_t hash;
    MiniObject *key; // NULL: a deleted entry
    MiniObject *value;
} DictEntry;

typedef struct {
    MiniObject ob;
    size_t used;      // live entries
    size_t nentries;  // entries[0..nentries) are live or deleted
    size_t usable;    // the capacity of entries
    uint8_t log2size; // indices has 1 << log2size slots (0 when nothing is allocated)
    uint8_t ixwidth;  // bytes per slot of indices
    // The keys version (see above), or 0 when none was asked for since the keys last changed.
    uint32_t keys_version;
    void *indices;    // the start of the allocation; NULL for a dict never filled
    DictEntry *entries;
    // A one-word Bloom filter of the hashes of every key inserted since the dict was last
    // emptied: each key sets two bits (dict_filter_bits), and a str lookup that finds one of
    // its two bits clear misses without probing. It matters for the eval loop's "does the
    // instance dict shadow this method?" check, which almost always misses: with two bits a
    // dict of five attributes lets about one method name in fifty through to a probe, where
    // one bit let one in thirteen. Deleting keys leaves bits set, which only costs a probe.
    uint64_t keyfilter;
} MiniDict;

// The two bits of a dict's keyfilter that a key with [hash] sets (they may coincide).
static inline uint64_t dict_filter_bits(int64_t hash) {
    return ((uint64_t)1 << (((uint64_t)hash >> 8) & 63)) |
           ((uint64_t)1 << (((uint64_t)hash >> 14) & 63));
}

// True when [d]'s keyfilter shows that no key with the filter bits [bits] is in it.
static inline bool dict_filter_excludes(const MiniDict *d, uint64_t bits) {
    return (d->keyfilter & bits) != bits;
}

// The value stored under the interned str [key] at entry [ix] of [d], if that entry holds
// exactly that key object; else NULL. The eval loop's check of a cached entry index: a stale
// index is harmless. Borrowed.
static inline MiniObject *dict_entry_value_if(MiniObject *d, size_t ix, MiniObject *key) {
    MiniDict *md = (MiniDict *)d;
    if (ix < md->nentries && md->entries[ix].key == key)
        return md->entries[ix].value;
    return NULL;
}

// The entry index of the interned str [key] in the plain dict [d], or -1 when absent. Runs no
// code and raises nothing (a key of another type that compares equal is not found).
ssize_t dict_find_str_index(MiniObject *d, MiniObject *key);

// The keys version of [d] (see above), assigning a fresh one if it has none; 0 when the VM
// ran out of versions (the caller then does not specialise).
uint32_t dict_keys_version(MiniObject *d);

#endif // MINI_DICT_INTERNAL_H
