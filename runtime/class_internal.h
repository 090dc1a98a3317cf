// class_internal.h - what class.c and exception.c share and nobody else needs.
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

#endif // MINI_CLASS_INTERNAL_H
