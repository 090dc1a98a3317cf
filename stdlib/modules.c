// modules.c - the table of modules written in C, and loading one on first import.
//
// `import math` finds "math" here when it is not in sys.modules yet, calls its init function
// once, and stores the module in sys.modules, as CPython does for its built-in modules.

#include "stdlib.h"

#include "../runtime/weakref.h"

#include <string.h>

typedef struct {
    const char *name;
    MiniObject *(*init)(VM *vm); // new reference
} BuiltinModule;

static const BuiltinModule builtin_modules[] = {
    {"math", math_init},
    {"time", time_init},
    {"_random", random_init},
    {"os", os_init},
    {"dis", dis_init},
    {"gc", gc_init},
    {"_thread", thread_init},
    {"_signal", signal_init},
    {"_socket", socket_init},
    {"select", select_init},
    {"_multiprocessing", multiprocessing_init},
    {"_weakref", weakref_module_init},
    {NULL, NULL},
};

MiniObject *stdlib_import_builtin(MiniObject *name) {
    VM *vm = mini_ts->vm;
    for (const BuiltinModule *m = builtin_modules; m->name; m++) {
        if (strcmp(m->name, STR_DATA(name)) != 0)
            continue;
        MiniObject *mod = m->init(vm);
        if (!mod)
            return NULL;
        int r = dict_set(vm->modules, name, mod);
        MINI_DECREF(mod);
        return r < 0 ? NULL : dict_get(vm->modules, name);
    }
    return NULL;
}
