// time.c - the time module (being written).
#include "stdlib.h"

MiniObject *time_init(VM *vm) {
    (void)vm;
    static const MiniMethodDef defs[] = {{NULL, NULL, 0, NULL}};
    return module_new_builtin("time", defs);
}
