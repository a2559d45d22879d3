/* test_rt_fn_math.c - arithmetic operators, coalesce/least/greatest and numeric built-ins. */
#include "test_rt_fn_util.h"

#include <float.h>

static void test_int_add_sub(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_op_add_int, I(1), I(2)), 3);
    CHECK_INT(CALL(rt_op_add_int, I(INT64_MAX), I(INT64_MIN)), -1);
    CHECK_NULL(CALL(rt_op_add_int, I(INT64_MAX), I(1)));
    CHECK_NULL(CALL(rt_op_add_int, I(INT64_MIN), I(-1)));
    CHECK_NULL(CALL(rt_op_add_int, NUL(), I(1)));
    CHECK_NULL(CALL(rt_op_add_int, I(1), NUL()));
    CHECK_INT(CALL(rt_op_sub_int, I(5), I(7)), -2);
    CHECK_INT(CALL(rt_op_sub_int, I(-1), I(INT64_MIN)), INT64_MAX);
    CHECK_NULL(CALL(rt_op_sub_int, I(INT64_MIN), I(1)));
    CHECK_NULL(CALL(rt_op_sub_int, I(0), I(INT64_MIN)));
    CHECK_NULL(CALL(rt_op_sub_int, NUL(), NUL()));
}

static void test_int_mul_neg(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_op_mul_int, I(-6), I(7)), -42);
    /* 3037000499^2 = 9223372030926249001 fits; 3037000500^2 = 9223372037000250000 does not. */
    CHECK_INT(CALL(rt_op_mul_int, I(3037000499), I(3037000499)), INT64_C(9223372030926249001));
    CHECK_NULL(CALL(rt_op_mul_int, I(3037000500), I(3037000500)));
    CHECK_NULL(CALL(rt_op_mul_int, I(INT64_MIN), I(-1)));
    CHECK_INT(CALL(rt_op_mul_int, I(INT64_MIN), I(1)), INT64_MIN);
    CHECK_INT(CALL(rt_op_mul_int, I(-1), I(INT64_MAX)), -INT64_MAX);
    CHECK_NULL(CALL(rt_op_mul_int, I(0), NUL()));
    CHECK_NULL(CALL(rt_op_neg_int, I(INT64_MIN)));
    CHECK_INT(CALL(rt_op_neg_int, I(INT64_MAX)), -INT64_MAX);
    CHECK_INT(CALL(rt_op_neg_int, I(0)), 0);
    CHECK_INT(CALL(rt_op_neg_int, I(-5)), 5);
    CHECK_NULL(CALL(rt_op_neg_int, NUL()));
}

static void test_int_mod(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_op_mod_int, I(7), I(3)), 1);
    CHECK_INT(CALL(rt_op_mod_int, I(-7), I(3)), -1);
    CHECK_INT(CALL(rt_op_mod_int, I(7), I(-3)), 1);
    CHECK_INT(CALL(rt_op_mod_int, I(-7), I(-3)), -1);
    CHECK_INT(CALL(rt_op_mod_int, I(6), I(3)), 0);
    CHECK_NULL(CALL(rt_op_mod_int, I(7), I(0)));
    CHECK_NULL(CALL(rt_op_mod_int, I(0), I(0)));
    CHECK_INT(CALL(rt_op_mod_int, I(INT64_MIN), I(-1)), 0);
    CHECK_INT(CALL(rt_op_mod_int, I(INT64_MIN), I(1)), 0);
    CHECK_INT(CALL(rt_op_mod_int, I(INT64_MIN), I(INT64_MAX)), -1);
    CHECK_INT(CALL(rt_op_mod_int, I(INT64_MAX), I(INT64_MIN)), INT64_MAX);
    CHECK_INT(CALL(rt_op_mod_int, I(INT64_MAX), I(-1)), 0);
    CHECK_NULL(CALL(rt_op_mod_int, NUL(), I(0)));
    CHECK_NULL(CALL(rt_op_mod_int, I(5), NUL()));
}

static void test_float_ops(void **state) {
    (void)state;
    CHECK_FLOAT(CALL(rt_op_add_float, F(0.1), F(0.2)), 0.30000000000000004);
    CHECK_FLOAT(CALL(rt_op_mul_float, F(3), F(0.1)), 0.30000000000000004);
    /* 1e17 + 1 rounds back to 1e17 (ulp 16), so the difference is 0. */
    CHECK_FLOAT(CALL(rt_op_sub_float, CALL(rt_op_add_float, F(1e17), F(1)), F(1e17)), 0.0);
    CHECK_NULL(CALL(rt_op_add_float, F(DBL_MAX), F(DBL_MAX)));
    CHECK_NULL(CALL(rt_op_sub_float, F(-DBL_MAX), F(DBL_MAX)));
    CHECK_NULL(CALL(rt_op_mul_float, F(1e308), F(10)));
    CHECK_FLOAT(CALL(rt_op_mul_float, F(1e-320), F(1e-10)), 0.0); /* underflow keeps 0 */
    CHECK_NULL(CALL(rt_op_add_float, NUL(), F(1)));
    CHECK_NULL(CALL(rt_op_mul_float, F(1), NUL()));
    CHECK_FLOAT(CALL(rt_op_div_float, F(7), F(2)), 3.5);
    CHECK_FLOAT(CALL(rt_op_div_float, F(1), F(3)), 0.3333333333333333);
    CHECK_FLOAT(CALL(rt_op_div_float, F(-0.0), F(5)), -0.0);
    CHECK_NULL(CALL(rt_op_div_float, F(1), F(0.0)));
    CHECK_NULL(CALL(rt_op_div_float, F(1), F(-0.0)));
    CHECK_NULL(CALL(rt_op_div_float, F(0), F(0)));
    CHECK_NULL(CALL(rt_op_div_float, F(1e308), F(1e-10)));
    CHECK_NULL(CALL(rt_op_div_float, NUL(), F(2)));
    CHECK_FLOAT(CALL(rt_op_neg_float, F(0.0)), -0.0);
    CHECK_FLOAT(CALL(rt_op_neg_float, F(-2.5)), 2.5);
    CHECK_NULL(CALL(rt_op_neg_float, NUL()));
}

static void test_coalesce(void **state) {
    (void)state;
    CHECK_INT(CALLV(rt_fn_coalesce, NUL(), I(2), I(3)), 2);
    CHECK_INT(CALLV(rt_fn_coalesce, I(0), NUL()), 0);
    CHECK_NULL(CALLV(rt_fn_coalesce, NUL(), NUL()));
    CHECK_NULL(CALLV(rt_fn_coalesce, NUL()));
    rt_slot s = S("x");
    rt_slot r = CALLV(rt_fn_coalesce, NUL(), s);
    CHECK_STR(r, "x");
    assert_ptr_equal(r.v.s, s.v.s);
    /* out may be one of the arguments */
    rt_slot args[2] = {NUL(), F(1.5)};
    rt_fn_coalesce(NULL, &args[0], args, 2);
    CHECK_FLOAT(args[0], 1.5);
}

static void test_least_greatest(void **state) {
    (void)state;
    CHECK_INT(CALLV(rt_fn_least_int, I(3), I(1), I(2)), 1);
    CHECK_INT(CALLV(rt_fn_greatest_int, I(3), I(1), I(2)), 3);
    CHECK_INT(CALLV(rt_fn_least_int, I(INT64_MIN), I(INT64_MAX)), INT64_MIN);
    CHECK_INT(CALLV(rt_fn_greatest_int, I(7)), 7);
    CHECK_NULL(CALLV(rt_fn_least_int, I(3), NUL(), I(2)));
    CHECK_NULL(CALLV(rt_fn_greatest_int, NUL(), I(3)));
    CHECK_FLOAT(CALLV(rt_fn_least_float, F(2.5), F(-1.5)), -1.5);
    CHECK_FLOAT(CALLV(rt_fn_greatest_float, F(2.5), F(-1.5)), 2.5);
    /* equal arguments: the earliest wins */
    CHECK_FLOAT(CALLV(rt_fn_least_float, F(0.0), F(-0.0)), 0.0);
    CHECK_FLOAT(CALLV(rt_fn_least_float, F(-0.0), F(0.0)), -0.0);
    CHECK_FLOAT(CALLV(rt_fn_greatest_float, F(-0.0), F(0.0)), -0.0);
    CHECK_NULL(CALLV(rt_fn_greatest_float, F(1), NUL()));
    CHECK_STR(CALLV(rt_fn_least_string, S("ab"), S("abc"), S("b")), "ab");
    CHECK_STR(CALLV(rt_fn_greatest_string, S("b"), S("ab"), S("abc")), "b");
    CHECK_STR(CALLV(rt_fn_least_string, S("abc"), S("ab")), "ab");
    CHECK_STR(CALLV(rt_fn_least_string, S("a"), S("B")), "B");        /* 'B' 0x42 < 'a' 0x61 */
    CHECK_STR(CALLV(rt_fn_greatest_string, S("z"), S("\xc3\xa9")), "\xc3\xa9"); /* bytes unsigned */
    CHECK_STR(CALLV(rt_fn_least_string, S(""), S("a")), "");
    CHECK_NULL(CALLV(rt_fn_least_string, S("a"), NUL()));
    CHECK_INT(CALLV(rt_fn_least_timestamp, I(3), I(-5)), -5);
    CHECK_INT(CALLV(rt_fn_greatest_timestamp, I(3), I(-5)), 3);
    CHECK_NULL(CALLV(rt_fn_greatest_timestamp, I(3), NUL()));
    CHECK_BOOL(CALLV(rt_fn_least_bool, B(true), B(false)), false);
    CHECK_BOOL(CALLV(rt_fn_greatest_bool, B(false), B(true), B(false)), true);
    CHECK_NULL(CALLV(rt_fn_least_bool, B(true), NUL()));
}

static void test_abs_floor_ceil(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_fn_abs_int, I(-5)), 5);
    CHECK_INT(CALL(rt_fn_abs_int, I(5)), 5);
    CHECK_INT(CALL(rt_fn_abs_int, I(INT64_MAX)), INT64_MAX);
    CHECK_INT(CALL(rt_fn_abs_int, I(-INT64_MAX)), INT64_MAX);
    CHECK_NULL(CALL(rt_fn_abs_int, I(INT64_MIN)));
    CHECK_NULL(CALL(rt_fn_abs_int, NUL()));
    CHECK_FLOAT(CALL(rt_fn_abs_float, F(-1.5)), 1.5);
    CHECK_FLOAT(CALL(rt_fn_abs_float, F(-0.0)), 0.0);
    CHECK_NULL(CALL(rt_fn_abs_float, NUL()));
    CHECK_FLOAT(CALL(rt_fn_floor_float, F(2.7)), 2.0);
    CHECK_FLOAT(CALL(rt_fn_floor_float, F(-0.5)), -1.0);
    CHECK_FLOAT(CALL(rt_fn_floor_float, F(-3.0)), -3.0);
    CHECK_FLOAT(CALL(rt_fn_floor_float, F(1e300)), 1e300);
    CHECK_NULL(CALL(rt_fn_floor_float, NUL()));
    CHECK_FLOAT(CALL(rt_fn_ceil_float, F(2.1)), 3.0);
    CHECK_FLOAT(CALL(rt_fn_ceil_float, F(-0.5)), -0.0); /* IEEE: ceil(-0.5) is -0 */
    CHECK_FLOAT(CALL(rt_fn_ceil_float, F(4.0)), 4.0);
    CHECK_NULL(CALL(rt_fn_ceil_float, NUL()));
}

static void test_round(void **state) {
    (void)state;
    CHECK_FLOAT(CALL(rt_fn_round_float, F(2.5), I(0)), 3.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(-2.5), I(0)), -3.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(0.5), I(0)), 1.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(-0.5), I(0)), -1.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(1.4), I(0)), 1.0);
    /* 0.285 is 0.28499999999999997557...; times 100 rounds to 28.499999999999996447 (the
     * double below 28.5, ulp 2^-48), + 0.5 = 28.999999999999996447 exactly, floor 28. */
    CHECK_FLOAT(CALL(rt_fn_round_float, F(0.285), I(2)), 0.28);
    /* 2.675 is 2.67499999999999982236...; times 100 is 1.8e-14 below 267.5, less than half
     * an ulp (2^-45), so it rounds to 267.5; + 0.5 = 268: the formula gives 2.68. */
    CHECK_FLOAT(CALL(rt_fn_round_float, F(2.675), I(2)), 2.68);
    /* 1.005 is 1.00499999999999989342...; times 100 rounds to 100.49999999999998579
     * (the double below 100.5), + 0.5 stays below 101: 1.0. */
    CHECK_FLOAT(CALL(rt_fn_round_float, F(1.005), I(2)), 1.0);
    /* 0.49999999999999994 = 0.5 - 2^-54; + 0.5 = 1 - 2^-54 is a tie between 1 - 2^-53 and
     * 1, which goes to the even 1.0: floor gives 1. */
    CHECK_FLOAT(CALL(rt_fn_round_float, F(0.49999999999999994), I(0)), 1.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(123.456), I(1)), 123.5);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(-123.456), I(2)), -123.46);
    /* 2^52 - 0.5 is below the threshold: + 0.5 = 2^52. */
    CHECK_FLOAT(CALL(rt_fn_round_float, F(4503599627370495.5), I(0)), 4503599627370496.0);
    /* at or above 2^52 after scaling: x itself */
    CHECK_FLOAT(CALL(rt_fn_round_float, F(4503599627370497.0), I(0)), 4503599627370497.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(-4503599627370497.0), I(0)), -4503599627370497.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(4.503599627370496), I(15)), 4.503599627370496);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(1e300), I(15)), 1e300);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(-1.7976931348623157e308), I(15)), -1.7976931348623157e308);
    /* sign(x) * 0 keeps the sign of x for a nonzero x; sign(+-0) = 0 gives +0 */
    CHECK_FLOAT(CALL(rt_fn_round_float, F(-0.3), I(0)), -0.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(-0.0), I(3)), 0.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(0.0), I(3)), 0.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(5e-324), I(15)), 0.0);
    CHECK_FLOAT(CALL(rt_fn_round_float, F(7.0), I(15)), 7.0);
    CHECK_NULL(CALL(rt_fn_round_float, F(1.5), I(16)));
    CHECK_NULL(CALL(rt_fn_round_float, F(1.5), I(-1)));
    CHECK_NULL(CALL(rt_fn_round_float, NUL(), I(0)));
    CHECK_NULL(CALL(rt_fn_round_float, F(1.5), NUL()));
}

static void test_sqrt_ln_exp_pow(void **state) {
    (void)state;
    CHECK_FLOAT(CALL(rt_fn_sqrt, F(4)), 2.0);
    CHECK_FLOAT(CALL(rt_fn_sqrt, F(2)), 1.4142135623730951); /* IEEE sqrt is correctly rounded */
    CHECK_FLOAT(CALL(rt_fn_sqrt, F(-0.0)), -0.0);
    CHECK_NULL(CALL(rt_fn_sqrt, F(-1)));
    CHECK_NULL(CALL(rt_fn_sqrt, F(-5e-324)));
    CHECK_NULL(CALL(rt_fn_sqrt, NUL()));
    CHECK_FLOAT(CALL(rt_fn_ln, F(1)), 0.0);
    CHECK_FLOAT_NEAR(CALL(rt_fn_ln, F(10)), 2.302585092994046, 1e-15);
    CHECK_FLOAT_NEAR(CALL(rt_fn_ln, F(5e-324)), -744.44007192138126, 1e-15);
    CHECK_NULL(CALL(rt_fn_ln, F(0)));
    CHECK_NULL(CALL(rt_fn_ln, F(-0.0)));
    CHECK_NULL(CALL(rt_fn_ln, F(-1)));
    CHECK_NULL(CALL(rt_fn_ln, NUL()));
    CHECK_FLOAT(CALL(rt_fn_exp, F(0)), 1.0);
    CHECK_FLOAT(CALL(rt_fn_exp, F(-1000)), 0.0);
    CHECK_FLOAT_NEAR(CALL(rt_fn_exp, F(1)), 2.718281828459045, 1e-15);
    CHECK_FLOAT_NEAR(CALL(rt_fn_exp, F(709)), 8.218407461554972e307, 1e-14);
    CHECK_NULL(CALL(rt_fn_exp, F(710))); /* e^710 > DBL_MAX (about e^709.78) */
    CHECK_NULL(CALL(rt_fn_exp, F(1000)));
    CHECK_NULL(CALL(rt_fn_exp, NUL()));
    CHECK_FLOAT(CALL(rt_fn_pow, F(2), F(10)), 1024.0);
    CHECK_FLOAT(CALL(rt_fn_pow, F(-2), F(3)), -8.0);
    CHECK_FLOAT(CALL(rt_fn_pow, F(0), F(0)), 1.0);
    CHECK_FLOAT(CALL(rt_fn_pow, F(2), F(-1074)), 5e-324);
    CHECK_FLOAT(CALL(rt_fn_pow, F(2), F(-1080)), 0.0);
    CHECK_FLOAT(CALL(rt_fn_pow, F(4), F(0.5)), 2.0);
    CHECK_NULL(CALL(rt_fn_pow, F(0), F(-1)));
    CHECK_NULL(CALL(rt_fn_pow, F(-0.0), F(-1)));
    CHECK_NULL(CALL(rt_fn_pow, F(-8), F(1.0 / 3)));
    CHECK_NULL(CALL(rt_fn_pow, F(2), F(1024)));
    CHECK_NULL(CALL(rt_fn_pow, NUL(), F(1)));
    CHECK_NULL(CALL(rt_fn_pow, F(1), NUL()));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_add_sub),  cmocka_unit_test(test_int_mul_neg),
        cmocka_unit_test(test_int_mod),      cmocka_unit_test(test_float_ops),
        cmocka_unit_test(test_coalesce),     cmocka_unit_test(test_least_greatest),
        cmocka_unit_test(test_abs_floor_ceil), cmocka_unit_test(test_round),
        cmocka_unit_test(test_sqrt_ln_exp_pow),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rt_scratch_free(&test_scratch);
    return rc;
}
