// math.c - the math module (being written).
#include "stdlib.h"

MiniObject *math_init(VM *vm) {
    (void)vm;
    static const MiniMethodDef defs[] = {{NULL, NULL, 0, NULL}};
    return module_new_builtin("math", defs);
}
