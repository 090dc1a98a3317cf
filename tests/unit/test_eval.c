// test_eval.c - the eval loop: stackless calls, exceptions crossing frames, generators,
// recursion limits.
#include "unit.h"

static int64_t run_int(const char *src, const char *name) {
    MiniObject *v = unit_run(src, name);
    ck_assert_msg(v != NULL, "program raised %s", unit_error_name());
    int64_t out;
    ck_assert(int_as_i64(v, &out));
    MINI_DECREF(v);
    return out;
}

START_TEST(arithmetic_and_loops) {
    ck_assert_int_eq(run_int("t = 0\nfor i in range(101):\n    t += i\n", "t"), 5050);
    ck_assert_int_eq(run_int("n = 10\nwhile n > 3:\n    n -= 2\n", "n"), 2);
}
END_TEST

START_TEST(calls_do_not_grow_the_c_stack) {
    // 20000 nested mini calls would overflow a recursive C evaluator's stack; mini keeps its
    // frames on the heap, so only the recursion limit matters.
    const char *src = "import sys\n"
                      "sys.setrecursionlimit(30000)\n"
                      "def depth(n):\n"
                      "    return 0 if n == 0 else 1 + depth(n - 1)\n"
                      "r = depth(20000)\n";
    ck_assert_int_eq(run_int(src, "r"), 20000);
}
END_TEST

START_TEST(runaway_recursion_raises_recursion_error) {
    ck_assert_ptr_null(unit_run("def f():\n    return f()\nf()\n", "x"));
    ck_assert_str_eq(unit_error_name(), "RecursionError");
}
END_TEST

START_TEST(exceptions_unwind_through_frames) {
    const char *src = "def inner():\n    raise KeyError('k')\n"
                      "def outer():\n    try:\n        inner()\n    except LookupError:\n"
                      "        return 7\n    finally:\n        pass\n"
                      "r = outer()\n";
    ck_assert_int_eq(run_int(src, "r"), 7);
}
END_TEST

START_TEST(finally_runs_on_return_and_break) {
    const char *src = "log = []\n"
                      "def f():\n    try:\n        return 1\n    finally:\n        log.append(1)\n"
                      "for i in range(3):\n    try:\n        break\n    finally:\n"
                      "        log.append(2)\n"
                      "f()\nr = len(log) * 10 + log[0]\n";
    ck_assert_int_eq(run_int(src, "r"), 22);
}
END_TEST

START_TEST(generators_suspend_and_resume) {
    const char *src = "def g():\n    x = yield 1\n    yield x * 2\n"
                      "it = g()\na = next(it)\nb = it.send(21)\nr = a + b\n";
    ck_assert_int_eq(run_int(src, "r"), 43);
}
END_TEST

START_TEST(uncaught_error_is_pending_with_traceback) {
    ck_assert_ptr_null(unit_run("def f():\n    1 / 0\nf()\n", "x"));
    MiniObject *exc = mini_error_fetch();
    ck_assert_str_eq(mini_type_name(exc), "ZeroDivisionError");
    MiniBaseException *be = (MiniBaseException *)exc;
    ck_assert_ptr_nonnull(be->traceback);
    ck_assert_ptr_nonnull(((MiniTraceback *)be->traceback)->next); // module frame + f's frame
    MINI_DECREF(exc);
}
END_TEST

static Suite *eval_suite(void) {
    Suite *s = suite_create("eval");
    TCase *tc = unit_tcase("loop");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, arithmetic_and_loops);
    tcase_add_test(tc, calls_do_not_grow_the_c_stack);
    tcase_add_test(tc, runaway_recursion_raises_recursion_error);
    tcase_add_test(tc, exceptions_unwind_through_frames);
    tcase_add_test(tc, finally_runs_on_return_and_break);
    tcase_add_test(tc, generators_suspend_and_resume);
    tcase_add_test(tc, uncaught_error_is_pending_with_traceback);
    suite_add_tcase(s, tc);
    return s;
}

UNIT_MAIN(eval_suite)
