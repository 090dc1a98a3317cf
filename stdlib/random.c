// random.c - the random module (being written).
#include "stdlib.h"

MiniObject *random_init(VM *vm) {
    (void)vm;
    static const MiniMethodDef defs[] = {{NULL, NULL, 0, NULL}};
    return module_new_builtin("random", defs);
}
