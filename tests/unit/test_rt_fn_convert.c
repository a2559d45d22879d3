/* test_rt_fn_convert.c - to_float, to_int and to_string on every accepted argument type. */
#include "test_rt_fn_util.h"

static void test_to_float_int(void **state) {
    (void)state;
    CHECK_FLOAT(CALL(rt_fn_to_float_int, I(3)), 3.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_int, I(-7)), -7.0);
    /* 2^53 + 1 is halfway between 2^53 and 2^53 + 2: ties to even gives 2^53 */
    CHECK_FLOAT(CALL(rt_fn_to_float_int, I(9007199254740993)), 9007199254740992.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_int, I(9007199254740995)), 9007199254740996.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_int, I(INT64_MAX)), 9223372036854775808.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_int, I(INT64_MIN)), -9223372036854775808.0);
    CHECK_NULL(CALL(rt_fn_to_float_int, NUL()));
}

static void test_to_float_string_valid(void **state) {
    (void)state;
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("1.5")), 1.5);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S(".5")), 0.5);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("5.")), 5.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("-5")), -5.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("+1.5e3")), 1500.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("1E-2")), 0.01);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("-.5e-1")), -0.05);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("5.e+1")), 50.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("0.1")), 0.1);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("-0")), -0.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("007")), 7.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("1e-400")), 0.0);          /* underflow keeps 0 */
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("4.9e-324")), 5e-324);     /* subnormal */
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("1.7976931348623157e308")), 1.7976931348623157e308);
    /* correct rounding: 2^53 + 1 ties to even (down); a hair above the tie rounds up */
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("9007199254740993")), 9007199254740992.0);
    CHECK_FLOAT(CALL(rt_fn_to_float_string, S("9007199254740993.0000000000000001")), 9007199254740994.0);
    /* longer than the on-stack copy: goes through scratch */
    CHECK_FLOAT(CALL(rt_fn_to_float_string,
                     S("0.10000000000000000000000000000000000000000000000000000000000000000000000000000")),
                0.1);
    /* not NUL-terminated: only len bytes count */
    rt_slot part = {.v.s = "2.5e1xyz", .len = 5};
    CHECK_FLOAT(CALL(rt_fn_to_float_string, part), 25.0);
}

static void test_to_float_string_invalid(void **state) {
    (void)state;
    static const char *const bad[] = {
        "", ".", "+", "-", "+.", "e5", ".e5", "1e", "1e+", "1e-", "1.5e3.0", " 5", "5 ", "\t5",
        "inf", "-inf", "infinity", "nan", "NaN", "0x10", "0x1p3", "1,5", "--1", "+-1", "1.5.2",
        "1e5e5", "1d5", "5f", "١", "1_000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rt_slot r = CALL(rt_fn_to_float_string, S(bad[i]));
        if (!r.null)
            print_error("to_float(\"%s\") should be null\n", bad[i]);
        CHECK_NULL(r);
    }
    CHECK_NULL(CALL(rt_fn_to_float_string, S("1e400")));   /* overflows to infinity */
    CHECK_NULL(CALL(rt_fn_to_float_string, S("-1e400")));
    CHECK_NULL(CALL(rt_fn_to_float_string, NUL()));
    rt_slot nul_inside = {.v.s = "1\0" "5", .len = 3};
    CHECK_NULL(CALL(rt_fn_to_float_string, nul_inside));
}

static void test_to_int(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_fn_to_int_float, F(2.9)), 2);
    CHECK_INT(CALL(rt_fn_to_int_float, F(-2.9)), -2);
    CHECK_INT(CALL(rt_fn_to_int_float, F(-0.5)), 0);
    CHECK_INT(CALL(rt_fn_to_int_float, F(-9223372036854775808.0)), INT64_MIN);
    /* the largest double below 2^63 is 2^63 - 1024 */
    CHECK_INT(CALL(rt_fn_to_int_float, F(9223372036854774784.0)), INT64_C(9223372036854774784));
    CHECK_NULL(CALL(rt_fn_to_int_float, F(9223372036854775808.0))); /* 2^63 */
    CHECK_NULL(CALL(rt_fn_to_int_float, F(-9223372036854777856.0))); /* next below -2^63 */
    CHECK_NULL(CALL(rt_fn_to_int_float, F(1e300)));
    CHECK_NULL(CALL(rt_fn_to_int_float, NUL()));
    CHECK_INT(CALL(rt_fn_to_int_bool, B(true)), 1);
    CHECK_INT(CALL(rt_fn_to_int_bool, B(false)), 0);
    CHECK_NULL(CALL(rt_fn_to_int_bool, NUL()));
}

static void test_to_int_string(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_fn_to_int_string, S("42")), 42);
    CHECK_INT(CALL(rt_fn_to_int_string, S("-42")), -42);
    CHECK_INT(CALL(rt_fn_to_int_string, S("+42")), 42);
    CHECK_INT(CALL(rt_fn_to_int_string, S("007")), 7);
    CHECK_INT(CALL(rt_fn_to_int_string, S("-0")), 0);
    CHECK_INT(CALL(rt_fn_to_int_string, S("9223372036854775807")), INT64_MAX);
    CHECK_INT(CALL(rt_fn_to_int_string, S("-9223372036854775808")), INT64_MIN);
    CHECK_INT(CALL(rt_fn_to_int_string, S("0000000000000000000000000000001")), 1);
    CHECK_NULL(CALL(rt_fn_to_int_string, S("9223372036854775808")));
    CHECK_NULL(CALL(rt_fn_to_int_string, S("-9223372036854775809")));
    CHECK_NULL(CALL(rt_fn_to_int_string, S("99999999999999999999999")));
    static const char *const bad[] = {"", "-", "+", "1.0", "1.", " 1", "1 ", "1e3", "12a", "0x1", "--1", "1,000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rt_slot r = CALL(rt_fn_to_int_string, S(bad[i]));
        if (!r.null)
            print_error("to_int(\"%s\") should be null\n", bad[i]);
        CHECK_NULL(r);
    }
    CHECK_NULL(CALL(rt_fn_to_int_string, NUL()));
    rt_slot part = {.v.s = "123456", .len = 3};
    CHECK_INT(CALL(rt_fn_to_int_string, part), 123);
}

static void test_to_string(void **state) {
    (void)state;
    CHECK_STR(CALL(rt_fn_to_string_int, I(0)), "0");
    CHECK_STR(CALL(rt_fn_to_string_int, I(-1)), "-1");
    CHECK_STR(CALL(rt_fn_to_string_int, I(1234567890)), "1234567890");
    CHECK_STR(CALL(rt_fn_to_string_int, I(INT64_MAX)), "9223372036854775807");
    CHECK_STR(CALL(rt_fn_to_string_int, I(INT64_MIN)), "-9223372036854775808");
    CHECK_NULL(CALL(rt_fn_to_string_int, NUL()));
    CHECK_STR(CALL(rt_fn_to_string_bool, B(true)), "true");
    CHECK_STR(CALL(rt_fn_to_string_bool, B(false)), "false");
    CHECK_NULL(CALL(rt_fn_to_string_bool, NUL()));
    rt_slot s = S("h\xc3\xa9");
    rt_slot r = CALL(rt_fn_to_string_string, s);
    CHECK_STR(r, "h\xc3\xa9");
    assert_ptr_equal(r.v.s, s.v.s);
    CHECK_NULL(CALL(rt_fn_to_string_string, NUL()));
}

static void test_to_string_timestamp(void **state) {
    (void)state;
    CHECK_STR(CALL(rt_fn_to_string_timestamp, I(0)), "1970-01-01T00:00:00.000000Z");
    CHECK_STR(CALL(rt_fn_to_string_timestamp, I(-1)), "1969-12-31T23:59:59.999999Z");
    CHECK_STR(CALL(rt_fn_to_string_timestamp, I(INT64_C(1700000000123456))), "2023-11-14T22:13:20.123456Z");
    CHECK_NULL(CALL(rt_fn_to_string_timestamp, NUL()));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_float_int),
        cmocka_unit_test(test_to_float_string_valid),
        cmocka_unit_test(test_to_float_string_invalid),
        cmocka_unit_test(test_to_int),
        cmocka_unit_test(test_to_int_string),
        cmocka_unit_test(test_to_string),
        cmocka_unit_test(test_to_string_timestamp),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rt_scratch_free(&test_scratch);
    return rc;
}
