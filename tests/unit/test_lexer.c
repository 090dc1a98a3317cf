// test_lexer.c - the tokenizer: indentation tokens, keywords, numbers and strings, errors.
#include "unit.h"

#include "compiler/lexer.h"

// Tokenizes [src] and returns the kinds in [out]; the count, or -1 on a tokenizer error.
static int kinds(const char *src, TokKind *out, int max, Lexer *lx, Arena *arena) {
    arena_init(arena);
    ck_assert(lexer_init(lx, arena, src, strlen(src), "<unit>"));
    int n = 0;
    Token t;
    while (n < max) {
        if (!lexer_next(lx, &t))
            return -1;
        out[n++] = t.kind;
        if (t.kind == TOK_ENDMARKER)
            break;
    }
    return n;
}

START_TEST(indentation_makes_indent_and_dedent) {
    Arena arena;
    Lexer lx;
    TokKind k[32];
    int n = kinds("if x:\n    y = 1\nz\n", k, 32, &lx, &arena);
    TokKind want[] = {TOK_IF, TOK_NAME, TOK_COLON, TOK_NEWLINE, TOK_INDENT, TOK_NAME,
                      TOK_EQUAL, TOK_NUMBER, TOK_NEWLINE, TOK_DEDENT, TOK_NAME, TOK_NEWLINE,
                      TOK_ENDMARKER};
    ck_assert_int_eq(n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(k[i], want[i]);
    arena_free(&arena);
}
END_TEST

START_TEST(brackets_join_lines_and_operators_are_longest_match) {
    Arena arena;
    Lexer lx;
    TokKind k[32];
    int n = kinds("a = (1,\n     2) ** 3 // 4\n", k, 32, &lx, &arena);
    TokKind want[] = {TOK_NAME, TOK_EQUAL, TOK_LPAR, TOK_NUMBER, TOK_COMMA, TOK_NUMBER,
                      TOK_RPAR, TOK_DOUBLESTAR, TOK_NUMBER, TOK_DOUBLESLASH, TOK_NUMBER,
                      TOK_NEWLINE, TOK_ENDMARKER};
    ck_assert_int_eq(n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(k[i], want[i]);
    arena_free(&arena);
}
END_TEST

START_TEST(strings_are_whole_tokens) {
    Arena arena;
    Lexer lx;
    arena_init(&arena);
    const char *src = "s = rb'x\\'y' f\"{a}\"\n";
    ck_assert(lexer_init(&lx, &arena, src, strlen(src), "<unit>"));
    Token t;
    ck_assert(lexer_next(&lx, &t) && t.kind == TOK_NAME);
    ck_assert(lexer_next(&lx, &t) && t.kind == TOK_EQUAL);
    ck_assert(lexer_next(&lx, &t) && t.kind == TOK_STRING);
    ck_assert_int_eq((int)t.len, 8);
    ck_assert(lexer_next(&lx, &t) && t.kind == TOK_STRING);
    ck_assert_int_eq((int)t.len, 6);
    arena_free(&arena);
}
END_TEST

START_TEST(bad_dedent_is_reported) {
    Arena arena;
    Lexer lx;
    TokKind k[32];
    int n = kinds("if x:\n    y\n  z\n", k, 32, &lx, &arena);
    ck_assert_int_eq(n, -1);
    ck_assert_int_eq(lx.err.kind, LEXERR_DEDENT);
    ck_assert_int_eq(lx.err.lineno, 3);
    arena_free(&arena);
}
END_TEST

static Suite *lexer_suite(void) {
    Suite *s = suite_create("lexer");
    TCase *tc = unit_tcase("tokens");
    tcase_add_test(tc, indentation_makes_indent_and_dedent);
    tcase_add_test(tc, brackets_join_lines_and_operators_are_longest_match);
    tcase_add_test(tc, strings_are_whole_tokens);
    tcase_add_test(tc, bad_dedent_is_reported);
    suite_add_tcase(s, tc);
    return s;
}

UNIT_MAIN(lexer_suite)
