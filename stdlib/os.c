// os.c - the os module (being written).
#include "stdlib.h"

MiniObject *os_init(VM *vm) {
    (void)vm;
    static const MiniMethodDef defs[] = {{NULL, NULL, 0, NULL}};
    return module_new_builtin("os", defs);
}
