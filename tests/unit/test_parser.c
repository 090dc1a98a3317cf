// test_parser.c - the parser: AST shapes for precedence and statements, SyntaxError details.
#include "unit.h"

static Module *parse(Arena *arena, const char *src) {
    arena_init(arena);
    return parse_source(arena, src, strlen(src), "<unit>", MODE_EXEC);
}

START_TEST(precedence_of_binary_operators) {
    Arena arena;
    Module *m = parse(&arena, "x = 1 + 2 * 3 ** 2\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->body.count, 1);
    Stmt *s = m->body.items[0];
    ck_assert_int_eq(s->kind, STMT_ASSIGN);
    Expr *e = s->u.assign.value;
    ck_assert_int_eq(e->kind, EXPR_BINOP);
    ck_assert_int_eq(e->u.binop.op, BINOP_ADD);
    Expr *r = e->u.binop.right;
    ck_assert_int_eq(r->u.binop.op, BINOP_MUL);
    ck_assert_int_eq(r->u.binop.right->u.binop.op, BINOP_POW);
    arena_free(&arena);
}
END_TEST

START_TEST(compound_statements) {
    Arena arena;
    Module *m = parse(&arena,
                      "def f(a, b=1, *c, d, **e):\n"
                      "    for i in a:\n"
                      "        pass\n"
                      "    else:\n"
                      "        return [x for x in c if x]\n"
                      "class A(B, metaclass=M):\n"
                      "    pass\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->body.count, 2);
    Stmt *f = m->body.items[0];
    ck_assert_int_eq(f->kind, STMT_FUNCTIONDEF);
    ck_assert_str_eq(f->u.functiondef.name, "f");
    Arguments *a = f->u.functiondef.args;
    ck_assert_uint_eq(a->args.count, 2);
    ck_assert_uint_eq(a->defaults.count, 1);
    ck_assert_ptr_nonnull(a->vararg);
    ck_assert_uint_eq(a->kwonlyargs.count, 1);
    ck_assert_ptr_nonnull(a->kwarg);
    Stmt *loop = f->u.functiondef.body.items[0];
    ck_assert_int_eq(loop->kind, STMT_FOR);
    ck_assert_uint_eq(loop->u.for_.orelse.count, 1);
    Stmt *c = m->body.items[1];
    ck_assert_int_eq(c->kind, STMT_CLASSDEF);
    ck_assert_uint_eq(c->u.classdef.bases.count, 1);
    ck_assert_uint_eq(c->u.classdef.keywords.count, 1);
    arena_free(&arena);
}
END_TEST

START_TEST(syntax_error_has_location) {
    Arena arena;
    ck_assert_ptr_null(parse(&arena, "x = 1\nif x\n    pass\n"));
    MiniObject *exc = mini_error_fetch();
    ck_assert_ptr_nonnull(exc);
    ck_assert_str_eq(mini_type_name(exc), "SyntaxError");
    MiniObject *lineno = mini_getattr(exc, MINI_ID(lineno));
    MiniObject *msg = mini_getattr(exc, MINI_ID(msg));
    ck_assert_ptr_eq(lineno, int_from_i64(2));
    ck_assert_str_eq(unit_text(msg), "expected ':'");
    MINI_DECREF(msg);
    MINI_DECREF(exc);
    arena_free(&arena);
}
END_TEST

START_TEST(deep_nesting_is_an_error_not_a_crash) {
    Arena arena;
    char src[2000];
    size_t n = 0;
    for (int i = 0; i < 500; i++)
        src[n++] = '(';
    src[n++] = '1';
    for (int i = 0; i < 500; i++)
        src[n++] = ')';
    src[n++] = '\n';
    src[n] = 0;
    ck_assert_ptr_null(parse(&arena, src));
    ck_assert_str_eq(unit_error_name(), "SyntaxError");
    arena_free(&arena);
}
END_TEST

static Suite *parser_suite(void) {
    Suite *s = suite_create("parser");
    TCase *tc = unit_tcase("ast");
    tcase_add_test(tc, precedence_of_binary_operators);
    tcase_add_test(tc, compound_statements);
    tcase_add_test(tc, syntax_error_has_location);
    tcase_add_test(tc, deep_nesting_is_an_error_not_a_crash);
    suite_add_tcase(s, tc);
    return s;
}

UNIT_MAIN(parser_suite)
