/* test_llgen_call.c - built-in functions and string operators called from generated code. */
#include "test_llgen.h"

#define I FT_INT
#define F FT_FLOAT
#define S FT_STRING
#define BO FT_BOOL
#define TS FT_TIMESTAMP

/* Request fields: 0 string, 1 int, 2 float, 3 timestamp, 4 bool. */
static const ftype req_types[] = {S, I, F, TS, BO};

static plan_expr *rq(arena *a, int i) { return tx_leaf(a, PX_REQUEST, req_types[i], i); }

static void test_string_functions(void **state)
{
    (void)state;
    th h;
    th_init(&h, 5, req_types);
    arena *a = &h.a;
    int lower = th_add(&h, tx_call(a, PF_LOWER, S, 1, rq(a, 0)));
    int upper = th_add(&h, tx_call(a, PF_UPPER, S, 1, rq(a, 0)));
    int length = th_add(&h, tx_call(a, PF_LENGTH, I, 1, rq(a, 0)));
    int substr = th_add(&h, tx_call(a, PF_SUBSTR, S, 3, rq(a, 0), tx_int(a, 2), tx_int(a, 3)));
    int substr_bad = th_add(&h, tx_call(a, PF_SUBSTR, S, 3, rq(a, 0), rq(a, 1), tx_int(a, 1)));
    int starts = th_add(&h, tx_call(a, PF_STARTS_WITH, BO, 2, rq(a, 0), tx_str(a, "Ab")));
    int contains = th_add(&h, tx_call(a, PF_CONTAINS, BO, 2, rq(a, 0), tx_str(a, "%")));
    int concat = th_add(&h, tx_op(a, PX_CONCAT, S, 2, tx_str(a, "ab"), tx_str(a, "cd")));
    int concat2 = th_add(&h, tx_op(a, PX_CONCAT, S, 2, tx_call(a, PF_LOWER, S, 1, rq(a, 0)), tx_str(a, "|")));
    int concat_null = th_add(&h, tx_op(a, PX_CONCAT, S, 2, rq(a, 0), tx_null(a, S)));
    int cmp_lower = th_add(&h, tx_cmp(a, PC_EQ, S, tx_call(a, PF_LOWER, S, 1, rq(a, 0)), tx_str(a, "abc%é")));
    th_build(&h);

    rt_slot req[5] = {sl_str("AbC%é"), sl_int(0), sl_flt(0), sl_int(0), sl_bool(false)};
    th_run(&h, req, 0);
    assert_str_slot(h.out[lower], "abc%é"); /* ASCII letters only */
    assert_str_slot(h.out[upper], "ABC%é");
    assert_int_slot(h.out[length], 5); /* code points */
    assert_str_slot(h.out[substr], "bC%");
    assert_slot_null(h.out[substr_bad]); /* start < 1 */
    assert_bool_slot(h.out[starts], true);
    assert_bool_slot(h.out[contains], true);
    assert_str_slot(h.out[concat], "abcd");
    assert_str_slot(h.out[concat2], "abc%é|");
    assert_slot_null(h.out[concat_null]);
    assert_bool_slot(h.out[cmp_lower], true);

    req[0] = sl_null();
    req[1] = sl_int(1);
    th_run(&h, req, 0);
    int all[] = {lower, upper, length, substr, substr_bad, starts, contains, concat2, concat_null, cmp_lower};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_slot_null(h.out[all[i]]);
    assert_str_slot(h.out[concat], "abcd");
    th_free(&h);
}

static void test_numeric_functions(void **state)
{
    (void)state;
    th h;
    th_init(&h, 5, req_types);
    arena *a = &h.a;
    int coalesce = th_add(&h, tx_call(a, PF_COALESCE, I, 3, tx_null(a, I), rq(a, 1), tx_int(a, 3)));
    int coalesce_null = th_add(&h, tx_call(a, PF_COALESCE, I, 2, tx_null(a, FT_NULL), tx_null(a, I)));
    int least = th_add(&h, tx_call(a, PF_LEAST, I, 3, tx_int(a, 3), rq(a, 1), tx_int(a, 2)));
    int greatest = th_add(&h, tx_call(a, PF_GREATEST, F, 2, rq(a, 2), tx_flt(a, 1.5)));
    int greatest_s = th_add(&h, tx_call(a, PF_GREATEST, S, 2, rq(a, 0), tx_str(a, "B")));
    int abs_i = th_add(&h, tx_call(a, PF_ABS, I, 1, rq(a, 1)));
    int abs_f = th_add(&h, tx_call(a, PF_ABS, F, 1, rq(a, 2)));
    int floor_i = th_add(&h, tx_call(a, PF_FLOOR, I, 1, rq(a, 1)));
    int ceil_i = th_add(&h, tx_call(a, PF_CEIL, I, 1, rq(a, 1)));
    int round_i = th_add(&h, tx_call(a, PF_ROUND, I, 1, rq(a, 1)));
    int floor_f = th_add(&h, tx_call(a, PF_FLOOR, F, 1, rq(a, 2)));
    int ceil_f = th_add(&h, tx_call(a, PF_CEIL, F, 1, rq(a, 2)));
    int round_f = th_add(&h, tx_call(a, PF_ROUND, F, 1, rq(a, 2)));
    int round_2 = th_add(&h, tx_call(a, PF_ROUND, F, 2, tx_flt(a, 0.285), tx_int(a, 2)));
    int sqrt_ = th_add(&h, tx_call(a, PF_SQRT, F, 1, rq(a, 2)));
    int ln = th_add(&h, tx_call(a, PF_LN, F, 1, tx_flt(a, 0.0)));
    int exp_ = th_add(&h, tx_call(a, PF_EXP, F, 1, tx_flt(a, -1000.0)));
    int pow_ = th_add(&h, tx_call(a, PF_POW, F, 2, tx_flt(a, 2.0), tx_float_of(a, tx_int(a, 10))));
    int pow_inf = th_add(&h, tx_call(a, PF_POW, F, 2, tx_flt(a, 0.0), tx_flt(a, -1.0)));
    th_build(&h);

    rt_slot req[5] = {sl_str("a"), sl_int(INT64_MIN), sl_flt(-2.5), sl_int(0), sl_bool(false)};
    th_run(&h, req, 0);
    assert_int_slot(h.out[coalesce], INT64_MIN);
    assert_slot_null(h.out[coalesce_null]);
    assert_int_slot(h.out[least], INT64_MIN);
    assert_flt_slot(h.out[greatest], 1.5);
    assert_str_slot(h.out[greatest_s], "a"); /* byte-wise: 'a' > 'B' */
    assert_slot_null(h.out[abs_i]);         /* abs(INT64_MIN) */
    assert_flt_slot(h.out[abs_f], 2.5);
    assert_int_slot(h.out[floor_i], INT64_MIN);
    assert_int_slot(h.out[ceil_i], INT64_MIN);
    assert_int_slot(h.out[round_i], INT64_MIN);
    assert_flt_slot(h.out[floor_f], -3.0);
    assert_flt_slot(h.out[ceil_f], -2.0);
    assert_flt_slot(h.out[round_f], -3.0); /* half away from zero */
    assert_flt_slot(h.out[round_2], 0.28);
    assert_slot_null(h.out[sqrt_]);
    assert_slot_null(h.out[ln]);
    assert_flt_slot(h.out[exp_], 0.0);
    assert_flt_slot(h.out[pow_], 1024.0);
    assert_slot_null(h.out[pow_inf]);

    req[1] = sl_null();
    req[2] = sl_flt(6.25);
    th_run(&h, req, 0);
    assert_int_slot(h.out[coalesce], 3);
    assert_slot_null(h.out[least]); /* any null argument */
    assert_flt_slot(h.out[greatest], 6.25);
    assert_slot_null(h.out[abs_i]);
    assert_slot_null(h.out[floor_i]);
    assert_flt_slot(h.out[sqrt_], 2.5);
    assert_flt_slot(h.out[round_f], 6.0);
    th_free(&h);
}

static void test_conversions_and_time(void **state)
{
    (void)state;
    th h;
    th_init(&h, 5, req_types);
    arena *a = &h.a;
    int tf_s = th_add(&h, tx_call(a, PF_TO_FLOAT, F, 1, rq(a, 0)));
    int tf_i = th_add(&h, tx_call(a, PF_TO_FLOAT, F, 1, rq(a, 1)));
    int ti_f = th_add(&h, tx_call(a, PF_TO_INT, I, 1, rq(a, 2)));
    int ti_s = th_add(&h, tx_call(a, PF_TO_INT, I, 1, rq(a, 0)));
    int ti_b = th_add(&h, tx_call(a, PF_TO_INT, I, 1, rq(a, 4)));
    int ts_i = th_add(&h, tx_call(a, PF_TO_STRING, S, 1, rq(a, 1)));
    int ts_b = th_add(&h, tx_call(a, PF_TO_STRING, S, 1, rq(a, 4)));
    int ts_s = th_add(&h, tx_call(a, PF_TO_STRING, S, 1, rq(a, 0)));
    int hour = th_add(&h, tx_call(a, PF_HOUR_OF_DAY, I, 1, rq(a, 3)));
    int dow = th_add(&h, tx_call(a, PF_DAY_OF_WEEK, I, 1, rq(a, 3)));
    int secs = th_add(&h, tx_call(a, PF_SECONDS_BETWEEN, F, 2, rq(a, 3), tx_node(a, PX_NOW, TS)));
    int geo = th_add(&h, tx_call(a, PF_GEOHASH, S, 3, tx_flt(a, 57.64911), tx_flt(a, 10.40744), tx_int(a, 11)));
    int hav = th_add(&h, tx_call(a, PF_HAVERSINE_KM, F, 4, tx_flt(a, 0.0), tx_flt(a, 0.0), tx_flt(a, 0.0),
                                 tx_float_of(a, rq(a, 1))));
    th_build(&h);

    rt_slot req[5] = {sl_str("12"), sl_int(1), sl_flt(-2.9), sl_int(-1), sl_bool(true)};
    th_run(&h, req, 2500000);
    assert_flt_slot(h.out[tf_s], 12.0);
    assert_flt_slot(h.out[tf_i], 1.0);
    assert_int_slot(h.out[ti_f], -2);
    assert_int_slot(h.out[ti_s], 12);
    assert_int_slot(h.out[ti_b], 1);
    assert_str_slot(h.out[ts_i], "1");
    assert_str_slot(h.out[ts_b], "true");
    assert_str_slot(h.out[ts_s], "12");
    assert_int_slot(h.out[hour], 23); /* one microsecond before 1970: floor division */
    assert_int_slot(h.out[dow], 2);   /* Wednesday 1969-12-31 */
    assert_flt_slot(h.out[secs], 2.500001);
    assert_str_slot(h.out[geo], "u4pruydqqvj");
    /* one degree of longitude on the equator: (2 * R) * asin(sin(0.5 degree)) */
    assert_flt_slot(h.out[hav], (2.0 * 6371.0088) * asin(sqrt(sin(0.5 * (M_PI / 180.0)) * sin(0.5 * (M_PI / 180.0)))));

    req[0] = sl_str("1x");
    req[2] = sl_flt(1e19);
    req[3] = sl_int(INT64_C(86400000000) * 4 + INT64_C(3600000000) * 5);
    th_run(&h, req, INT64_MIN);
    assert_slot_null(h.out[tf_s]);
    assert_slot_null(h.out[ti_f]); /* out of range */
    assert_slot_null(h.out[ti_s]);
    assert_int_slot(h.out[hour], 5);
    assert_int_slot(h.out[dow], 0); /* Monday 1970-01-05 */
    assert_slot_null(h.out[secs]);  /* the difference overflows */
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_functions),
        cmocka_unit_test(test_numeric_functions),
        cmocka_unit_test(test_conversions_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
