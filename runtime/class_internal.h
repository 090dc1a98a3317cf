// class_internal.h - what class.c shares with exception.c and function.c and nobody else needs.
//
// class.c readies every builtin type it owns when type_ready() first runs on `object`, and asks
// exception.c to ready the exception classes at the same moment, so the whole class machinery
// is usable whatever order runtime_init() readies the public types in.

#ifndef MINI_CLASS_INTERNAL_H
#define MINI_CLASS_INTERNAL_H

#include "object.h"

// Readies BaseException, every class of MINI_EXCEPTIONS and the traceback type (exception.c).
// Idempotent. False with an exception pending on failure.
bool exception_types_ready(void);

// True if [o] is a type object (an instance of `type` or of a metaclass).
static inline bool type_check(MiniObject *o) {
    return MINI_IS_PTR(o) && (o->type->flags & MINI_TPFLAG_TYPE_SUBCLASS);
}

// The value of type [t]'s __module__: the str in a heap type's namespace, "builtins" for a
// builtin type. Borrowed; NULL (no exception) when a heap type has none.
MiniObject *type_module_name(MiniType *t);
// The __qualname__ of [t]. Borrowed.
MiniObject *type_qualname(MiniType *t);

// The __dict__ getter and setter of builtin objects that keep their attribute dict in a field
// (exceptions, functions): *[slot] is that field, NULL until first read. The getter returns a
// new reference (NULL on failure); the setter refuses deletion and non-dicts as CPython does,
// returning -1 with TypeError set, else 0.
MiniObject *instance_dict_get(MiniObject **slot);
int instance_dict_set(MiniObject **slot, MiniObject *value);

#endif // MINI_CLASS_INTERNAL_H
