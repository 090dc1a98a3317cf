// test_int.c - the int type: immediates, promotion to GMP, parsing, Python's arithmetic.
#include "unit.h"

START_TEST(small_ints_are_immediates) {
    MiniObject *a = int_from_i64(42);
    ck_assert(MINI_IS_SMALLINT(a));
    ck_assert_int_eq(MINI_SMALLINT_VALUE(a), 42);
    ck_assert_ptr_eq(mini_type(a), &mini_int_type);
    // Equal small ints are the same pointer: no allocation, no refcount.
    ck_assert_ptr_eq(int_from_i64(42), a);
}
END_TEST

START_TEST(overflow_promotes_to_big) {
    MiniObject *max = int_from_i64(MINI_SMALLINT_MAX);
    MiniObject *one = int_from_i64(1);
    MiniObject *sum = mini_binary_op(max, one, BINOP_ADD);
    ck_assert_ptr_nonnull(sum);
    ck_assert(MINI_IS_PTR(sum));
    ck_assert(int_check(sum));
    MiniObject *back = mini_binary_op(sum, one, BINOP_SUB);
    ck_assert(MINI_IS_SMALLINT(back)); // normalised back to an immediate
    ck_assert_int_eq(MINI_SMALLINT_VALUE(back), MINI_SMALLINT_MAX);
    MINI_DECREF(sum);
}
END_TEST

START_TEST(power_is_exact) {
    MiniObject *r = mini_binary_op(int_from_i64(2), int_from_i64(100), BINOP_POW);
    MiniObject *s = mini_str(r);
    ck_assert_str_eq(unit_text(s), "1267650600228229401496703205376");
    MINI_DECREF(s);
    MINI_DECREF(r);
}
END_TEST

START_TEST(floor_division_and_modulo_follow_python) {
    struct { int64_t a, b, q, m; } cases[] = {
        {7, 2, 3, 1}, {-7, 2, -4, 1}, {7, -2, -4, -1}, {-7, -2, 3, -1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        MiniObject *a = int_from_i64(cases[i].a), *b = int_from_i64(cases[i].b);
        MiniObject *q = mini_binary_op(a, b, BINOP_FLOORDIV);
        MiniObject *m = mini_binary_op(a, b, BINOP_MOD);
        int64_t qv, mv;
        ck_assert(int_as_i64(q, &qv) && int_as_i64(m, &mv));
        ck_assert_int_eq(qv, cases[i].q);
        ck_assert_int_eq(mv, cases[i].m);
    }
}
END_TEST

START_TEST(division_by_zero_raises) {
    ck_assert_ptr_null(mini_binary_op(int_from_i64(1), int_from_i64(0), BINOP_FLOORDIV));
    ck_assert_str_eq(unit_error_name(), "ZeroDivisionError");
}
END_TEST

START_TEST(parsing_bases_and_errors) {
    int64_t v;
    MiniObject *x = int_from_string("0x_ff", 5, 0);
    ck_assert(x && int_as_i64(x, &v));
    ck_assert_int_eq(v, 255);
    x = int_from_string(" -1_000 ", 8, 10);
    ck_assert(x && int_as_i64(x, &v));
    ck_assert_int_eq(v, -1000);
    ck_assert_ptr_null(int_from_string("12a", 3, 10));
    ck_assert_str_eq(unit_error_name(), "ValueError");
}
END_TEST

START_TEST(hash_matches_cpython) {
    ck_assert_int_eq(mini_hash(int_from_i64(-1)), -2);
    ck_assert_int_eq(mini_hash(int_from_i64(12345)), 12345);
    MiniObject *f = float_new(1.0);
    ck_assert_int_eq(mini_hash(f), mini_hash(int_from_i64(1)));
    MINI_DECREF(f);
}
END_TEST

static Suite *int_suite(void) {
    Suite *s = suite_create("int");
    TCase *tc = unit_tcase("core");
    tcase_add_test(tc, small_ints_are_immediates);
    tcase_add_test(tc, overflow_promotes_to_big);
    tcase_add_test(tc, power_is_exact);
    tcase_add_test(tc, floor_division_and_modulo_follow_python);
    tcase_add_test(tc, division_by_zero_raises);
    tcase_add_test(tc, parsing_bases_and_errors);
    tcase_add_test(tc, hash_matches_cpython);
    suite_add_tcase(s, tc);
    return s;
}

UNIT_MAIN(int_suite)
