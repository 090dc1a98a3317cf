// test_compiler.c - the code generator: instructions it emits, scopes it resolves, and the
// errors it raises.
#include "unit.h"

static CodeObject *compile(const char *src) {
    return compile_source(src, strlen(src), "<unit>", MODE_EXEC);
}

static bool has_op(CodeObject *co, Opcode op) {
    for (size_t i = 0; i < co->ncode; i++)
        if (INSTR_OP(co->code[i]) == op)
            return true;
    return false;
}

// The first code object among [co]'s constants.
static CodeObject *inner_code(CodeObject *co) {
    for (size_t i = 0; i < TUPLE_SIZE(co->consts); i++) {
        MiniObject *c = TUPLE_GET(co->consts, i);
        if (MINI_IS_PTR(c) && c->type == &mini_code_type)
            return (CodeObject *)c;
    }
    return NULL;
}

START_TEST(every_code_object_starts_with_resume) {
    CodeObject *co = compile("def f():\n    return 1\n");
    ck_assert_ptr_nonnull(co);
    ck_assert_int_eq(INSTR_OP(co->code[0]), OP_RESUME);
    CodeObject *f = inner_code(co);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(INSTR_OP(f->code[0]), OP_RESUME);
}
END_TEST

START_TEST(loops_jump_backward_at_check_points) {
    CodeObject *co = compile("while x:\n    x -= 1\nfor i in y:\n    pass\n");
    ck_assert_ptr_nonnull(co);
    int backward = 0;
    for (size_t i = 0; i < co->ncode; i++) {
        uint32_t w = co->code[i];
        if (INSTR_OP(w) == OP_JUMP_BACKWARD) {
            backward++;
            ck_assert_uint_le(INSTR_ARG(w), i); // it really goes backward
        }
        if (INSTR_OP(w) == OP_JUMP_FORWARD)
            ck_assert_uint_gt(INSTR_ARG(w), i);
    }
    ck_assert_int_ge(backward, 2);
}
END_TEST

START_TEST(scopes_make_fast_cell_and_free_variables) {
    CodeObject *co = compile("def outer(a):\n"
                             "    b = 1\n"
                             "    def inner():\n"
                             "        return a + b + c\n"
                             "    return inner\n");
    ck_assert_ptr_nonnull(co);
    CodeObject *outer = inner_code(co);
    ck_assert_int_eq(outer->argcount, 1);
    ck_assert_int_eq(outer->ncells, 2); // a and b are captured
    CodeObject *inner = inner_code(outer);
    ck_assert_int_eq(inner->nfrees, 2);
    ck_assert(has_op(inner, OP_LOAD_DEREF));
    ck_assert(has_op(inner, OP_LOAD_GLOBAL)); // c
    ck_assert(!has_op(inner, OP_LOAD_NAME));
}
END_TEST

START_TEST(generators_are_flagged) {
    CodeObject *co = compile("def g():\n    yield 1\n");
    CodeObject *g = inner_code(co);
    ck_assert(g->flags & CO_GENERATOR);
}
END_TEST

START_TEST(return_outside_function_is_a_syntax_error) {
    ck_assert_ptr_null(compile("return 5\n"));
    MiniObject *exc = mini_error_fetch();
    ck_assert_str_eq(mini_type_name(exc), "SyntaxError");
    MiniObject *msg = mini_getattr(exc, MINI_ID(msg));
    ck_assert_str_eq(unit_text(msg), "'return' outside function");
    MINI_DECREF(msg);
    MINI_DECREF(exc);
}
END_TEST

START_TEST(nonlocal_without_binding_is_a_syntax_error) {
    ck_assert_ptr_null(compile("def f():\n    nonlocal q\n"));
    ck_assert_str_eq(unit_error_name(), "SyntaxError");
}
END_TEST

static Suite *compiler_suite(void) {
    Suite *s = suite_create("compiler");
    TCase *tc = unit_tcase("codegen");
    tcase_add_test(tc, every_code_object_starts_with_resume);
    tcase_add_test(tc, loops_jump_backward_at_check_points);
    tcase_add_test(tc, scopes_make_fast_cell_and_free_variables);
    tcase_add_test(tc, generators_are_flagged);
    tcase_add_test(tc, return_outside_function_is_a_syntax_error);
    tcase_add_test(tc, nonlocal_without_binding_is_a_syntax_error);
    suite_add_tcase(s, tc);
    return s;
}

UNIT_MAIN(compiler_suite)
