// test_marshal.c - the serialized code objects of vm/marshal.c: the frozen modules embedded in
// the binary are exactly what compiling their sources gives, and every kind of constant comes
// back from bytes as it went in.
//
// MINI_STDLIB_DIR (set by tests/unit/meson.build) is the folder of the frozen modules' sources.
#include <math.h>
#include <stdio.h>

#include "unit.h"
#include "include/mini.h"
#include "vm/marshal.h"

// The serialized form of [o] (new bytes), which must exist.
static MiniObject *dumps(MiniObject *o) {
    MiniObject *b = marshal_dumps(o);
    ck_assert_msg(b != NULL, "marshal_dumps failed: %s", unit_error_name());
    return b;
}

static const uint8_t *bytes_data(MiniObject *b) { return (const uint8_t *)((MiniBytes *)b)->data; }
static size_t bytes_size(MiniObject *b) { return ((MiniBytes *)b)->size; }

static bool same_bytes(MiniObject *a, MiniObject *b) {
    return bytes_size(a) == bytes_size(b) && memcmp(bytes_data(a), bytes_data(b), bytes_size(a)) == 0;
}

// Serializes [o], loads the bytes and serializes the result again: the two forms must be the
// same. Returns the loaded value (immortal).
static MiniObject *round_trip(MiniObject *o) {
    MiniObject *b = dumps(o);
    MiniObject *back = marshal_loads(bytes_data(b), bytes_size(b));
    ck_assert_msg(back != NULL, "marshal_loads failed: %s", unit_error_name());
    MiniObject *again = dumps(back);
    ck_assert(same_bytes(b, again));
    MINI_DECREF(b);
    MINI_DECREF(again);
    return back;
}

// [o] round-trips to a value equal to it and of the same type.
static void check_equal_round_trip(MiniObject *o) {
    MiniObject *back = round_trip(o);
    ck_assert_ptr_eq(mini_type(back), mini_type(o));
    ck_assert_int_eq(mini_richcompare_bool(back, o, CMP_EQ), 1);
}

// The value of the Python expression [expr]. New reference.
static MiniObject *eval(const char *expr) {
    char src[4096];
    snprintf(src, sizeof src, "v = %s\n", expr);
    MiniObject *v = unit_run(src, "v");
    ck_assert_msg(v != NULL, "%s: %s", expr, unit_error_name());
    return v;
}

// ---------------------------------------------------------------------------------------------
// The frozen modules
// ---------------------------------------------------------------------------------------------

// The source of frozen module [fm], read from MINI_STDLIB_DIR. malloc'd, length in *len.
static char *frozen_source(const FrozenModule *fm, size_t *len) {
    const char *dir = getenv("MINI_STDLIB_DIR");
    ck_assert_msg(dir != NULL, "MINI_STDLIB_DIR is not set");
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/", dir);
    for (const char *p = fm->name; *p && n < (int)sizeof path - 1; p++)
        path[n++] = *p == '.' ? '/' : *p;
    path[n] = '\0';
    strncat(path, fm->is_package ? "/__init__.py" : ".py", sizeof path - strlen(path) - 1);
    char *src = mini_read_file(path, len);
    ck_assert_msg(src != NULL, "cannot read %s", path);
    return src;
}

START_TEST(frozen_modules_are_their_compiled_sources) {
    int count = 0;
    for (const FrozenModule *fm = mini_frozen_modules; fm->name; fm++, count++) {
        size_t len;
        char *src = frozen_source(fm, &len);
        char filename[256];
        snprintf(filename, sizeof filename, "<frozen %s>", fm->name);
        CodeObject *co = compile_source(src, len, filename, MODE_EXEC);
        free(src);
        ck_assert_msg(co != NULL, "%s: %s", fm->name, unit_error_name());
        MiniObject *blob = marshal_dump_code(co);
        ck_assert_ptr_nonnull(blob);
        ck_assert_msg(bytes_size(blob) == fm->size &&
                          memcmp(bytes_data(blob), fm->code, fm->size) == 0,
                      "the embedded code of %s is not its compiled source: rebuild", fm->name);
        MINI_DECREF(blob);
    }
    ck_assert_int_gt(count, 10);
}
END_TEST

START_TEST(frozen_modules_reserialize_to_the_same_bytes) {
    for (const FrozenModule *fm = mini_frozen_modules; fm->name; fm++) {
        CodeObject *co = marshal_load_code(fm->code, fm->size);
        ck_assert_msg(co != NULL, "%s: %s", fm->name, unit_error_name());
        char filename[256];
        snprintf(filename, sizeof filename, "<frozen %s>", fm->name);
        ck_assert_str_eq(unit_text(co->filename), filename);
        MiniObject *blob = marshal_dump_code(co);
        ck_assert_ptr_nonnull(blob);
        ck_assert_msg(bytes_size(blob) == fm->size &&
                          memcmp(bytes_data(blob), fm->code, fm->size) == 0,
                      "%s does not reserialize to its own bytes", fm->name);
        MINI_DECREF(blob);
    }
}
END_TEST

START_TEST(damaged_and_stale_blobs_are_refused) {
    const FrozenModule *fm = &mini_frozen_modules[0];
    ck_assert_ptr_nonnull(fm->name);
    // Cut short anywhere: a ValueError, never a crash.
    for (size_t n = 0; n < fm->size; n += 1 + n / 4) {
        ck_assert_ptr_null(marshal_load_code(fm->code, n));
        ck_assert_str_eq(unit_error_name(), "ValueError");
    }
    // Another opcode list.
    uint8_t *copy = malloc(fm->size);
    memcpy(copy, fm->code, fm->size);
    copy[3] ^= 1;
    ck_assert_ptr_null(marshal_load_code(copy, fm->size));
    ck_assert_str_eq(unit_error_name(), "ValueError");
    free(copy);
    static const uint8_t unknown[] = {'?'};
    ck_assert_ptr_null(marshal_loads(unknown, sizeof unknown));
    ck_assert_str_eq(unit_error_name(), "ValueError");
}
END_TEST

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

START_TEST(singletons_and_small_ints) {
    MiniObject *values[] = {MINI_NONE, MINI_TRUE, MINI_FALSE, MINI_ELLIPSIS,
                            MINI_FROM_SMALLINT(0), MINI_FROM_SMALLINT(-1),
                            MINI_FROM_SMALLINT(MINI_SMALLINT_MAX),
                            MINI_FROM_SMALLINT(MINI_SMALLINT_MIN)};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        ck_assert_ptr_eq(round_trip(values[i]), values[i]);
}
END_TEST

START_TEST(big_ints) {
    const char *exprs[] = {"2**62", "-2**62 - 1", "2**63", "-2**63 - 1", "2**64", "3**200",
                           "-(7**321)", "int('9' * 400)"};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        MiniObject *v = eval(exprs[i]);
        check_equal_round_trip(v);
        MINI_DECREF(v);
    }
}
END_TEST

START_TEST(floats_keep_their_bits) {
    double values[] = {0.0, -0.0, 1.5, -2.25e-308, 5e-324, 1e308, INFINITY, -INFINITY, NAN,
                       -NAN, 0.1};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        MiniObject *f = float_new(values[i]);
        MiniObject *back = round_trip(f);
        ck_assert_ptr_eq(mini_type(back), &mini_float_type);
        double d = ((MiniFloat *)back)->value;
        ck_assert_int_eq(memcmp(&d, &values[i], sizeof d), 0);
        MINI_DECREF(f);
    }
    MiniObject *nz = round_trip(eval("-0.0"));
    ck_assert(signbit(((MiniFloat *)nz)->value));
}
END_TEST

START_TEST(strs_and_their_interning) {
#define TEXT(lit) {lit, sizeof lit - 1}
    static const struct {
        const char *s;
        size_t n;
    } texts[] = {TEXT(""), TEXT("a"), TEXT("é"), TEXT("hello, world"), TEXT("naïve café"),
                 TEXT("日本語テキスト"),
                 TEXT("\xf0\x9d\x84\x9e clef and \xf0\x9f\x98\x80 smile (astral)"),
                 TEXT("nul\0inside")};
#undef TEXT
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        MiniObject *s = str_new(texts[i].s, texts[i].n);
        MiniObject *back = round_trip(s);
        ck_assert_ptr_eq(mini_type(back), &mini_str_type);
        ck_assert_uint_eq(STR_SIZE(back), texts[i].n);
        ck_assert_uint_eq(STR_LEN(back), STR_LEN(s));
        ck_assert_int_eq(memcmp(STR_DATA(back), texts[i].s, texts[i].n), 0);
        ck_assert_int_eq(((MiniStr *)back)->interned, ((MiniStr *)s)->interned);
        MINI_DECREF(s);
    }
    // An interned str comes back as the interned object itself; any other str as a new one.
    MiniObject *name = mini_intern("some_identifier");
    ck_assert_ptr_eq(round_trip(name), name);
    MiniObject *plain = str_from_cstr("some_identifier");
    MiniObject *back = round_trip(plain);
    ck_assert_ptr_ne(back, name);
    ck_assert(!((MiniStr *)back)->interned);
    MINI_DECREF(plain);
}
END_TEST

START_TEST(bytes_with_nuls) {
    MiniObject *values[] = {bytes_new("", 0), bytes_new("\0", 1), bytes_new("a\0b\0\0c\xff", 7)};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        check_equal_round_trip(values[i]);
        MINI_DECREF(values[i]);
    }
}
END_TEST

START_TEST(nested_tuples_keep_their_sharing) {
    MiniObject *v = eval("((), (1, (2.5, -0.0, ('x', b'y\\0', None, ...))), 2**80, True)");
    check_equal_round_trip(v);
    MINI_DECREF(v);
    // One object written twice comes back as one object.
    MiniObject *s = str_from_cstr("shared text");
    MiniObject *t = tuple_pack(3, s, s, MINI_NONE);
    MiniObject *back = round_trip(t);
    ck_assert_ptr_eq(TUPLE_GET(back, 0), TUPLE_GET(back, 1));
    ck_assert_ptr_ne(TUPLE_GET(back, 0), s);
    MINI_DECREF(t);
    MINI_DECREF(s);
}
END_TEST

START_TEST(values_of_other_types_are_refused) {
    MiniObject *values[] = {eval("[1]"), eval("{1: 2}"), eval("frozenset({1})"),
                            eval("bytearray(b'x')")};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        ck_assert_ptr_null(marshal_dumps(values[i]));
        ck_assert_str_eq(unit_error_name(), "ValueError");
        MINI_DECREF(values[i]);
    }
}
END_TEST

// ---------------------------------------------------------------------------------------------
// Code objects
// ---------------------------------------------------------------------------------------------

static const char closures_src[] =
    "'''doc'''\n"
    "def counter(start, *, step=1):\n"
    "    total = start\n"
    "    def bump(n=1, /, *args, **kw):\n"
    "        nonlocal total\n"
    "        total += n * step\n"
    "        return total\n"
    "    return bump\n"
    "class C:\n"
    "    def m(self):\n"
    "        return __class__.__name__ + str([x * 2 for x in range(3)])\n"
    "def gen():\n"
    "    yield from (1, 2)\n"
    "b = counter(10, step=3)\n"
    "for i in range(20):\n"
    "    b()\n"
    "v = (b(2), C().m(), list(gen()), 12345678901234567890123, -0.0, 'é\\U0001d11e', b'\\0',\n"
    "     f(x=1) if (f := lambda **k: k) else None)\n";

START_TEST(nested_code_with_closures_runs_the_same) {
    CodeObject *co = compile_source(closures_src, strlen(closures_src), "<closures>", MODE_EXEC);
    ck_assert_ptr_nonnull(co);
    MiniObject *blob = marshal_dump_code(co);
    ck_assert_ptr_nonnull(blob);
    CodeObject *back = marshal_load_code(bytes_data(blob), bytes_size(blob));
    ck_assert_msg(back != NULL, "%s", unit_error_name());
    ck_assert_ptr_ne(back, co);
    // Every code object comes back with its names interned and one shared file name.
    ck_assert_str_eq(unit_text(back->filename), "<closures>");
    for (size_t i = 0; i < TUPLE_SIZE(back->names); i++)
        ck_assert(((MiniStr *)TUPLE_GET(back->names, i))->interned);
    CodeObject *inner = NULL;
    for (size_t i = 0; i < TUPLE_SIZE(back->consts); i++)
        if (mini_type(TUPLE_GET(back->consts, i)) == &mini_code_type)
            inner = (CodeObject *)TUPLE_GET(back->consts, i);
    ck_assert_ptr_nonnull(inner);
    ck_assert_ptr_eq(inner->filename, back->filename);

    // Run both: the same value. Running quickens the loop's code (20 turns), and quickened
    // code still serializes to what the compiler wrote.
    MiniObject *results[2];
    CodeObject *codes[2] = {co, back};
    for (int k = 0; k < 2; k++) {
        MiniObject *g = dict_new();
        dict_set(g, MINI_ID(__builtins__), unit_vm->builtins_module);
        dict_set(g, MINI_ID(__name__), MINI_ID(__main__));
        MiniObject *res = eval_code(codes[k], g, g);
        ck_assert_msg(res != NULL, "%s", unit_error_name());
        MINI_DECREF(res);
        results[k] = mini_newref(dict_get_cstr(g, "v"));
        MINI_DECREF(g);
    }
    ck_assert_int_eq(mini_richcompare_bool(results[0], results[1], CMP_EQ), 1);
    MiniObject *r = mini_repr(results[1]);
    ck_assert_str_eq(unit_text(r), "(76, 'C[0, 2, 4]', [1, 2], 12345678901234567890123, -0.0, "
                                   "'é\xf0\x9d\x84\x9e', b'\\x00', {'x': 1})");
    MINI_DECREF(r);
    ck_assert_ptr_nonnull(back->caches); // the module body's loop quickened it
    MiniObject *again = marshal_dump_code(back);
    ck_assert(same_bytes(blob, again));
    MINI_DECREF(again);
    MINI_DECREF(results[0]);
    MINI_DECREF(results[1]);
    MINI_DECREF(blob);
}
END_TEST

START_TEST(line_numbers_survive) {
    const char *src = "x = 1\n\n\ndef f():\n    return (1 +\n            undefined)\n";
    CodeObject *co = compile_source(src, strlen(src), "<lines>", MODE_EXEC);
    ck_assert_ptr_nonnull(co);
    CodeObject *back = (CodeObject *)round_trip((MiniObject *)co);
    ck_assert_uint_eq(back->ncode, co->ncode);
    ck_assert_int_eq(back->firstlineno, co->firstlineno);
    for (size_t i = 0; i < co->ncode; i++) {
        ck_assert_uint_eq(back->code[i], co->code[i]);
        ck_assert_uint_eq(back->lines[i], co->lines[i]);
    }
}
END_TEST

static Suite *marshal_suite(void) {
    Suite *s = suite_create("marshal");
    TCase *tc = unit_tcase("frozen");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, frozen_modules_are_their_compiled_sources);
    tcase_add_test(tc, frozen_modules_reserialize_to_the_same_bytes);
    tcase_add_test(tc, damaged_and_stale_blobs_are_refused);
    suite_add_tcase(s, tc);
    tc = unit_tcase("constants");
    tcase_add_test(tc, singletons_and_small_ints);
    tcase_add_test(tc, big_ints);
    tcase_add_test(tc, floats_keep_their_bits);
    tcase_add_test(tc, strs_and_their_interning);
    tcase_add_test(tc, bytes_with_nuls);
    tcase_add_test(tc, nested_tuples_keep_their_sharing);
    tcase_add_test(tc, values_of_other_types_are_refused);
    suite_add_tcase(s, tc);
    tc = unit_tcase("code");
    tcase_add_test(tc, nested_code_with_closures_runs_the_same);
    tcase_add_test(tc, line_numbers_survive);
    suite_add_tcase(s, tc);
    return s;
}

UNIT_MAIN(marshal_suite)
