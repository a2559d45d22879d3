/* test_rt_fn_string.c - concat, byte-wise comparison and the string built-ins. */
#include "test_rt_fn_util.h"

static void test_concat(void **state) {
    (void)state;
    CHECK_STR(CALL(rt_op_concat, S("ab"), S("cd")), "abcd");
    CHECK_STR(CALL(rt_op_concat, S("h\xc3\xa9"), S("\xe6\x97\xa5")), "h\xc3\xa9\xe6\x97\xa5");
    rt_slot e = CALL(rt_op_concat, S(""), S(""));
    CHECK_STR(e, "");
    CHECK_STR(CALL(rt_op_concat, S(""), S("x")), "x");
    CHECK_NULL(CALL(rt_op_concat, NUL(), S("x")));
    CHECK_NULL(CALL(rt_op_concat, S("x"), NUL()));
    /* a zero-length string may have a NULL pointer */
    rt_slot empty = {0};
    CHECK_STR(CALL(rt_op_concat, empty, S("y")), "y");
    /* out aliasing an argument */
    rt_slot args[2] = {S("left"), S("right")};
    rt_op_concat(&test_scratch, &args[1], args);
    CHECK_STR(args[1], "leftright");
    /* results live in scratch, not in the arguments */
    char buf[4] = "abc";
    rt_slot r = CALL(rt_op_concat, S(buf), S("d"));
    buf[0] = 'X';
    CHECK_STR(r, "abcd");
}

static void test_compare_string(void **state) {
    (void)state;
    rt_slot a = S("a"), b = S("b"), ab = S("ab"), e = S(""), cap = S("B"), hi = S("\xff");
    rt_slot null_ptr_empty = {0};
    assert_true(rt_op_compare_string(&a, &b) < 0);
    assert_true(rt_op_compare_string(&b, &a) > 0);
    assert_true(rt_op_compare_string(&ab, &a) > 0);
    assert_true(rt_op_compare_string(&a, &ab) < 0);
    assert_int_equal(rt_op_compare_string(&a, &a), 0);
    assert_int_equal(rt_op_compare_string(&e, &null_ptr_empty), 0);
    assert_true(rt_op_compare_string(&e, &a) < 0);
    assert_true(rt_op_compare_string(&cap, &a) < 0);
    assert_true(rt_op_compare_string(&hi, &a) > 0);
    /* an embedded NUL is an ordinary byte */
    rt_slot n1 = {.v.s = "a\0b", .len = 3}, n2 = {.v.s = "a\0c", .len = 3};
    assert_true(rt_op_compare_string(&n1, &n2) < 0);
}

static void test_lower_upper(void **state) {
    (void)state;
    CHECK_STR(CALL(rt_fn_lower, S("HeLLo, W\xc3\x96rld \xc3\x84Z@[")), "hello, w\xc3\x96rld \xc3\x84z@[");
    CHECK_STR(CALL(rt_fn_upper, S("stra\xc3\x9f" "e \xc3\xa9 az`{")), "STRA\xc3\x9f" "E \xc3\xa9 AZ`{");
    CHECK_STR(CALL(rt_fn_lower, S("")), "");
    CHECK_STR(CALL(rt_fn_upper, S("123")), "123");
    CHECK_NULL(CALL(rt_fn_lower, NUL()));
    CHECK_NULL(CALL(rt_fn_upper, NUL()));
    /* the argument is not modified */
    char buf[] = "AbC";
    rt_slot r = CALL(rt_fn_lower, S(buf));
    CHECK_STR(r, "abc");
    assert_string_equal(buf, "AbC");
}

static void test_length(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_fn_length, S("")), 0);
    CHECK_INT(CALL(rt_fn_length, S("abc")), 3);
    CHECK_INT(CALL(rt_fn_length, S("h\xc3\xa9llo")), 5);
    CHECK_INT(CALL(rt_fn_length, S("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e")), 3);
    CHECK_INT(CALL(rt_fn_length, S("\xf0\x9f\x98\x80" "a")), 2);
    CHECK_NULL(CALL(rt_fn_length, NUL()));
}

static void test_substr(void **state) {
    (void)state;
    rt_slot hello = S("h\xc3\xa9llo"); /* héllo */
    CHECK_STR(CALL(rt_fn_substr, hello, I(2), I(3)), "\xc3\xa9ll");
    CHECK_STR(CALL(rt_fn_substr, hello, I(1), I(1)), "h");
    CHECK_STR(CALL(rt_fn_substr, hello, I(2), I(1)), "\xc3\xa9");
    CHECK_STR(CALL(rt_fn_substr, hello, I(1), I(0)), "");
    CHECK_STR(CALL(rt_fn_substr, hello, I(4), I(100)), "lo");
    CHECK_STR(CALL(rt_fn_substr, hello, I(5), I(1)), "o");
    CHECK_STR(CALL(rt_fn_substr, hello, I(6), I(1)), "");
    CHECK_STR(CALL(rt_fn_substr, hello, I(100), I(1)), "");
    CHECK_STR(CALL(rt_fn_substr, hello, I(1), I(INT64_MAX)), "h\xc3\xa9llo");
    CHECK_STR(CALL(rt_fn_substr, hello, I(INT64_MAX), I(INT64_MAX)), "");
    CHECK_STR(CALL(rt_fn_substr, S("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), I(2), I(1)), "\xe6\x9c\xac");
    CHECK_STR(CALL(rt_fn_substr, S("\xf0\x9f\x98\x80" "a"), I(1), I(1)), "\xf0\x9f\x98\x80");
    CHECK_STR(CALL(rt_fn_substr, S("\xf0\x9f\x98\x80" "a"), I(2), I(5)), "a");
    CHECK_STR(CALL(rt_fn_substr, S(""), I(1), I(1)), "");
    CHECK_NULL(CALL(rt_fn_substr, hello, I(0), I(2)));
    CHECK_NULL(CALL(rt_fn_substr, hello, I(INT64_MIN), I(2)));
    CHECK_NULL(CALL(rt_fn_substr, hello, I(1), I(-1)));
    CHECK_NULL(CALL(rt_fn_substr, NUL(), I(1), I(1)));
    CHECK_NULL(CALL(rt_fn_substr, hello, NUL(), I(1)));
    CHECK_NULL(CALL(rt_fn_substr, hello, I(1), NUL()));
    /* the result points into the argument */
    rt_slot r = CALL(rt_fn_substr, hello, I(3), I(2));
    assert_ptr_equal(r.v.s, hello.v.s + 3);
    /* malformed UTF-8 does not crash and stays consistent with length: a stray
     * continuation byte at the start belongs to the first code point */
    rt_slot bad = S("\x80" "ab");
    CHECK_INT(CALL(rt_fn_length, bad), 2);
    CHECK_STR(CALL(rt_fn_substr, bad, I(1), I(1)), "\x80" "a");
    CHECK_STR(CALL(rt_fn_substr, bad, I(2), I(1)), "b");
    rt_slot trunc = S("a\xc3");
    CHECK_STR(CALL(rt_fn_substr, trunc, I(2), I(5)), "\xc3");
}

static void test_starts_with_contains(void **state) {
    (void)state;
    CHECK_BOOL(CALL(rt_fn_starts_with, S("hello"), S("he")), true);
    CHECK_BOOL(CALL(rt_fn_starts_with, S("hello"), S("hello")), true);
    CHECK_BOOL(CALL(rt_fn_starts_with, S("he"), S("hello")), false);
    CHECK_BOOL(CALL(rt_fn_starts_with, S("Hello"), S("he")), false);
    CHECK_BOOL(CALL(rt_fn_starts_with, S("abc"), S("")), true);
    CHECK_BOOL(CALL(rt_fn_starts_with, S(""), S("")), true);
    CHECK_BOOL(CALL(rt_fn_starts_with, S("%abc"), S("%")), true);
    CHECK_BOOL(CALL(rt_fn_starts_with, S("abc"), S("%")), false);
    CHECK_BOOL(CALL(rt_fn_starts_with, S("abc"), S("_")), false);
    CHECK_NULL(CALL(rt_fn_starts_with, NUL(), S("a")));
    CHECK_NULL(CALL(rt_fn_starts_with, S("a"), NUL()));
    CHECK_BOOL(CALL(rt_fn_contains, S("hello"), S("ll")), true);
    CHECK_BOOL(CALL(rt_fn_contains, S("hello"), S("lo")), true);
    CHECK_BOOL(CALL(rt_fn_contains, S("hello"), S("")), true);
    CHECK_BOOL(CALL(rt_fn_contains, S(""), S("")), true);
    CHECK_BOOL(CALL(rt_fn_contains, S(""), S("a")), false);
    CHECK_BOOL(CALL(rt_fn_contains, S("hello"), S("L")), false);
    CHECK_BOOL(CALL(rt_fn_contains, S("ab"), S("abc")), false);
    CHECK_BOOL(CALL(rt_fn_contains, S("a_c"), S("_")), true);
    CHECK_BOOL(CALL(rt_fn_contains, S("abc"), S("_")), false);
    CHECK_BOOL(CALL(rt_fn_contains, S("abc"), S("a%")), false);
    CHECK_BOOL(CALL(rt_fn_contains, S("x\xc3\xa9y"), S("\xc3\xa9")), true);
    CHECK_NULL(CALL(rt_fn_contains, NUL(), S("a")));
    CHECK_NULL(CALL(rt_fn_contains, S("a"), NUL()));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concat),      cmocka_unit_test(test_compare_string),
        cmocka_unit_test(test_lower_upper), cmocka_unit_test(test_length),
        cmocka_unit_test(test_substr),      cmocka_unit_test(test_starts_with_contains),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rt_scratch_free(&test_scratch);
    return rc;
}
