// dis.c - the dis module: dis.dis(x) prints the bytecode of a function, a method, a code
// object, every method of a class, or a str of source, in the layout of `mini --dis`
// (vm/dis.c does the formatting; this file only finds the code objects and prints).
//
// As in CPython, a class disassembles each of its functions (plain functions, classmethods,
// staticmethods) in name order, each under a "Disassembly of NAME:" header and followed by
// a blank line.

#include "stdlib.h"

#include <string.h>

#include "../compiler/compiler.h"

// Writes [text] (a str) to [file], or to sys.stdout when [file] is NULL or None. 0, or -1
// with an exception.
static int write_out(MiniObject *file, MiniObject *text) {
    if (file && file != MINI_NONE)
        return file_write_str(file, text);
    VM *vm = mini_ts->vm;
    MiniObject *out = vm->sys_module ? mini_getattr_opt(vm->sys_module, MINI_ID(stdout)) : NULL;
    if (!out) {
        if (!mini_error_occurred())
            mini_raise_str(mini_exc_RuntimeError, "lost sys.stdout");
        return -1;
    }
    int r = file_write_str(out, text);
    MINI_DECREF(out);
    return r;
}

// Prints the disassembly of [code] and of the code objects nested in it. 0, or -1.
static int print_code(CodeObject *code, MiniObject *file) {
    MiniObject *text = dis_code(code, true);
    if (!text)
        return -1;
    int r = write_out(file, text);
    MINI_DECREF(text);
    return r;
}

// The code object behind [x] when it is a function, bound method, classmethod, staticmethod
// or code object; NULL (without an exception) when it has none. Borrowed: it lives as long
// as [x].
static CodeObject *code_of(MiniObject *x) {
    for (int depth = 0; depth < 4 && MINI_IS_PTR(x); depth++) {
        MiniType *t = mini_type(x);
        if (t == &mini_code_type)
            return (CodeObject *)x;
        if (t == &mini_function_type)
            return ((MiniFunction *)x)->code;
        if (t == &mini_method_type) {
            x = ((MiniMethod *)x)->func;
        } else if (t == &mini_classmethod_type || t == &mini_staticmethod_type) {
            MiniObject *f = mini_getattr_opt(x, MINI_ID(__func__));
            if (!f) {
                mini_error_clear();
                return NULL;
            }
            // The wrapper keeps the function alive, so the borrowed code stays valid.
            MINI_DECREF(f);
            x = f;
        } else {
            return NULL;
        }
    }
    return NULL;
}

// dis.dis(x): a class prints each of its methods, sorted by name. 0, or -1.
static int dis_class(MiniObject *cls, MiniObject *file) {
    MiniObject *keys = dict_keys_list(((MiniType *)cls)->dict);
    if (!keys)
        return -1;
    if (list_sort(keys, NULL, false) < 0) {
        MINI_DECREF(keys);
        return -1;
    }
    int r = 0;
    for (size_t i = 0; r == 0 && i < LIST_SIZE(keys); i++) {
        MiniObject *name = LIST_GET(keys, i);
        MiniObject *v = dict_get(((MiniType *)cls)->dict, name);
        CodeObject *code = v ? code_of(v) : NULL;
        if (!code)
            continue;
        MiniObject *head = str_from_format("Disassembly of %U:\n", name);
        r = head ? write_out(file, head) : -1;
        MINI_XDECREF(head);
        if (r == 0)
            r = print_code(code, file);
        if (r == 0) {
            MiniObject *nl = mini_intern("\n");
            r = nl ? write_out(file, nl) : -1;
        }
    }
    MINI_DECREF(keys);
    return r;
}

// dis.dis(x, *, file=None). New reference (None) or NULL.
static MiniObject *dis_dis(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"x", "$file", NULL};
    MiniObject *vals[2] = {NULL, NULL};
    if (!mini_parse_args("dis", args, nargs, kwnames, names, 0, vals))
        return NULL;
    MiniObject *x = vals[0], *file = vals[1];
    if (!x || x == MINI_NONE) {
        mini_raise_str(mini_exc_RuntimeError, "no last traceback to disassemble");
        return NULL;
    }
    int r;
    CodeObject *code = code_of(x);
    if (code) {
        r = print_code(code, file);
    } else if (mini_isinstance_type(x, &mini_type_type)) {
        r = dis_class(x, file);
    } else if (str_check(x)) {
        code = compile_source(STR_DATA(x), STR_SIZE(x), "<dis>", MODE_EXEC);
        r = code ? print_code(code, file) : -1;
    } else {
        mini_raise(mini_exc_TypeError, "don't know how to disassemble %s objects",
                   mini_type(x)->name);
        r = -1;
    }
    return r < 0 ? NULL : MINI_NONE;
}

static const MiniMethodDef dis_functions[] = {
    {"dis", dis_dis, 0, "Disassemble classes, methods, functions, or code."},
    {NULL, NULL, 0, NULL},
};

MiniObject *dis_init(VM *vm) {
    (void)vm;
    return module_new_builtin("dis", dis_functions);
}
