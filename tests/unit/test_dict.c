// test_dict.c - dict: insertion order through deletes and resizes, numeric key equality,
// the interned-string fast path, errors.
#include "unit.h"

START_TEST(keeps_insertion_order_through_deletes_and_growth) {
    MiniObject *d = dict_new();
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(dict_set(d, int_from_i64(i), int_from_i64(i * i)), 0);
    for (int i = 0; i < 1000; i += 2)
        ck_assert_int_eq(dict_del(d, int_from_i64(i)), 0);
    ck_assert_uint_eq(dict_size(d), 500);
    size_t pos = 0;
    MiniObject *k, *v;
    int64_t expect = 1;
    while (dict_next(d, &pos, &k, &v)) {
        int64_t kv, vv;
        ck_assert(int_as_i64(k, &kv) && int_as_i64(v, &vv));
        ck_assert_int_eq(kv, expect);
        ck_assert_int_eq(vv, expect * expect);
        expect += 2;
    }
    ck_assert_int_eq(expect, 1001);
    MINI_DECREF(d);
}
END_TEST

START_TEST(equal_numbers_are_one_key) {
    MiniObject *d = dict_new();
    MiniObject *one_f = float_new(1.0);
    MiniObject *s = str_from_cstr("int");
    dict_set(d, int_from_i64(1), s); // dict_set borrows: the test keeps its own reference
    MINI_DECREF(s);
    dict_set(d, one_f, MINI_NONE);
    dict_set(d, MINI_TRUE, MINI_FALSE);
    ck_assert_uint_eq(dict_size(d), 1);
    ck_assert_ptr_eq(dict_get(d, int_from_i64(1)), MINI_FALSE);
    MINI_DECREF(one_f);
    MINI_DECREF(d);
}
END_TEST

START_TEST(string_keys_fast_path) {
    MiniObject *d = dict_new();
    MiniObject *key = mini_intern("alpha");
    dict_set_cstr(d, "alpha", int_from_i64(7));
    ck_assert_ptr_eq(dict_get_str(d, key), int_from_i64(7));
    MiniObject *copy = str_from_cstr("alpha"); // equal but not interned
    ck_assert_ptr_eq(dict_get(d, copy), int_from_i64(7));
    MINI_DECREF(copy);
    ck_assert_ptr_null(dict_get_cstr(d, "beta"));
    ck_assert(!mini_error_occurred());
    MINI_DECREF(d);
}
END_TEST

START_TEST(missing_key_and_unhashable_key) {
    MiniObject *d = dict_new();
    ck_assert_int_eq(dict_del(d, int_from_i64(3)), -1);
    ck_assert_str_eq(unit_error_name(), "KeyError");
    MiniObject *l = list_new(0);
    ck_assert_int_eq(dict_set(d, l, MINI_NONE), -1);
    ck_assert_str_eq(unit_error_name(), "TypeError");
    MINI_DECREF(l);
    MINI_DECREF(d);
}
END_TEST

static Suite *dict_suite(void) {
    Suite *s = suite_create("dict");
    TCase *tc = unit_tcase("core");
    tcase_add_test(tc, keeps_insertion_order_through_deletes_and_growth);
    tcase_add_test(tc, equal_numbers_are_one_key);
    tcase_add_test(tc, string_keys_fast_path);
    tcase_add_test(tc, missing_key_and_unhashable_key);
    suite_add_tcase(s, tc);
    return s;
}

UNIT_MAIN(dict_suite)
