// weakref.h - the layout of a weak reference, for the files that handle weak references
// beyond their own type: the cycle collector (gc.c) and class.c.
//
// Design
// ------
// A weak reference refers to its object without counting: `object` is a borrowed pointer,
// valid while the reference is linked into the object's list of weak references (the
// `MiniObject *` field at the object's type->weaklistoffset; see weakref_list_ptr in
// object.h). The list is doubly linked through `prev`/`next`, newest callback-less reference
// first, as CPython keeps it, so that `weakref.ref(x)` without a callback can hand back the
// one it made before. Before the object is freed, every reference on its list is cleared
// (`object` becomes NULL, the reference leaves the list) and the callbacks of those that are
// still alive run, newest first. A weak reference is a container: its callback may close a
// cycle through it. The GIL protects the lists and the references (docs/gil.md §9).

#ifndef MINI_WEAKREF_H
#define MINI_WEAKREF_H

#include "object.h"

typedef struct MiniWeakref {
    MiniObject ob;
    MiniObject *object;   // the referent, not counted; NULL once cleared
    MiniObject *callback; // owned, or NULL
    int64_t hash;         // -1 until hash() computed it
    struct MiniWeakref *prev, *next; // neighbours in the referent's list
} MiniWeakref;

static inline bool weakref_check(MiniObject *o) {
    return MINI_IS_PTR(o) && mini_isinstance_type(o, &mini_weakref_type);
}

// Unlinks [wr] from its referent's list and forgets the referent, keeping the callback
// (CPython's _PyWeakref_ClearRef, what the cycle collector needs). No-op when already clear.
void weakref_clear_ref(MiniObject *wr);

// The _weakref module (its init function for stdlib/modules.c). New reference.
struct VM;
MiniObject *weakref_module_init(struct VM *vm);

#endif // MINI_WEAKREF_H
