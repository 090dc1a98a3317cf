// unit.h - what every Check suite of tests/unit shares: a VM made before each test (Check
// runs each test in its own process, so every test starts from a fresh interpreter) and a
// main() that runs one suite and reports like every Check runner.

#ifndef MINI_UNIT_H
#define MINI_UNIT_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compiler.h"
#include "runtime/object.h"
#include "stdlib/stdlib.h"
#include "vm/vm.h"

static VM *unit_vm;

static void unit_setup(void) {
    char *argv[] = {"unit", NULL};
    unit_vm = vm_new(1, argv);
    ck_assert_ptr_nonnull(unit_vm);
}

static void unit_teardown(void) {
    vm_free(unit_vm);
    unit_vm = NULL;
}

// The text of a str object, for ck_assert_str_eq.
static inline const char *unit_text(MiniObject *s) {
    ck_assert_ptr_nonnull(s);
    ck_assert(str_check(s));
    return STR_DATA(s);
}

// Runs [src] as a module and returns the value bound to [name] in it (new reference), or NULL
// with the exception pending when the program raised.
static inline MiniObject *unit_run(const char *src, const char *name) {
    CodeObject *code = compile_source(src, strlen(src), "<unit>", MODE_EXEC);
    if (!code)
        return NULL;
    MiniObject *globals = dict_new();
    ck_assert_ptr_nonnull(globals);
    dict_set(globals, MINI_ID(__builtins__), unit_vm->builtins_module);
    dict_set(globals, MINI_ID(__name__), MINI_ID(__main__));
    MiniObject *res = eval_code(code, globals, globals);
    if (!res) {
        MINI_DECREF(globals);
        return NULL;
    }
    MINI_DECREF(res);
    MiniObject *v = dict_get_cstr(globals, name);
    if (v)
        MINI_INCREF(v);
    MINI_DECREF(globals);
    return v;
}

// The class name of the pending exception (and clears it), or "" when none is pending.
static inline const char *unit_error_name(void) {
    MiniObject *exc = mini_error_fetch();
    if (!exc)
        return "";
    const char *name = mini_type_name(exc);
    MINI_DECREF(exc);
    return name;
}

#define UNIT_MAIN(make_suite)                                                                    \
    int main(void) {                                                                             \
        SRunner *sr = srunner_create(make_suite());                                              \
        srunner_run_all(sr, CK_NORMAL);                                                          \
        int failed = srunner_ntests_failed(sr);                                                  \
        srunner_free(sr);                                                                        \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                             \
    }

// A test case whose tests each get a fresh VM.
static inline TCase *unit_tcase(const char *name) {
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    return tc;
}

#endif // MINI_UNIT_H
