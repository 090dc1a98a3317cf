// test_str.c - str: UTF-8 storage indexed by code point, interning, building and decoding.
#include "unit.h"

START_TEST(length_counts_code_points) {
    MiniObject *s = str_from_cstr("привет");
    ck_assert_uint_eq(STR_LEN(s), 6);
    ck_assert_uint_eq(STR_SIZE(s), 12);
    MiniObject *c = str_getchar(s, 2);
    ck_assert_str_eq(unit_text(c), "и");
    MINI_DECREF(c);
    MINI_DECREF(s);
}
END_TEST

START_TEST(interning_gives_one_object) {
    MiniObject *a = mini_intern("some_name");
    MiniObject *b = mini_intern_n("some_name_x", 9);
    ck_assert_ptr_eq(a, b);
    MiniObject *c = str_from_cstr("some_name");
    ck_assert_ptr_ne(c, a);
    ck_assert_ptr_eq(str_intern(c), a);
    ck_assert(str_eq(a, c));
    ck_assert_int_eq(str_hash(a), str_hash(c));
    MINI_DECREF(c);
}
END_TEST

START_TEST(concat_and_join) {
    MiniObject *a = str_from_cstr("ab"), *b = str_from_cstr("вг");
    MiniObject *ab = str_concat(a, b);
    ck_assert_str_eq(unit_text(ab), "abвг");
    ck_assert_uint_eq(STR_LEN(ab), 4);
    MiniObject *items = list_new(0);
    list_append(items, a);
    list_append(items, b);
    MiniObject *sep = str_from_cstr(", ");
    MiniObject *j = str_join(sep, items);
    ck_assert_str_eq(unit_text(j), "ab, вг");
    MINI_DECREF(j);
    MINI_DECREF(sep);
    MINI_DECREF(items);
    MINI_DECREF(ab);
    MINI_DECREF(a);
    MINI_DECREF(b);
}
END_TEST

START_TEST(strbuf_builds_text) {
    StrBuf b;
    strbuf_init(&b);
    strbuf_adds(&b, "x=");
    strbuf_addf(&b, "%d", 42);
    strbuf_addc(&b, '!');
    MiniObject *s = strbuf_finish(&b);
    ck_assert_str_eq(unit_text(s), "x=42!");
    MINI_DECREF(s);
}
END_TEST

START_TEST(invalid_utf8_is_an_error) {
    ck_assert_ptr_null(str_decode_utf8("a\xff", 2));
    ck_assert_str_eq(unit_error_name(), "UnicodeDecodeError");
}
END_TEST

START_TEST(repr_chooses_quotes) {
    MiniObject *s = str_from_cstr("it's");
    MiniObject *r = mini_repr(s);
    ck_assert_str_eq(unit_text(r), "\"it's\"");
    MINI_DECREF(r);
    MINI_DECREF(s);
    s = str_from_cstr("a\nb");
    r = mini_repr(s);
    ck_assert_str_eq(unit_text(r), "'a\\nb'");
    MINI_DECREF(r);
    MINI_DECREF(s);
}
END_TEST

static Suite *str_suite(void) {
    Suite *s = suite_create("str");
    TCase *tc = unit_tcase("core");
    tcase_add_test(tc, length_counts_code_points);
    tcase_add_test(tc, interning_gives_one_object);
    tcase_add_test(tc, concat_and_join);
    tcase_add_test(tc, strbuf_builds_text);
    tcase_add_test(tc, invalid_utf8_is_an_error);
    tcase_add_test(tc, repr_chooses_quotes);
    suite_add_tcase(s, tc);
    return s;
}

UNIT_MAIN(str_suite)
