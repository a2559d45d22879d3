/* test_rt_fn_time.c - timestamp arithmetic, seconds_between, hour_of_day and day_of_week. */
#include "test_rt_fn_util.h"

#define SEC INT64_C(1000000)
#define HOUR (3600 * SEC)
#define DAY (86400 * SEC)

static void test_ts_add_sub(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_op_ts_add, I(10 * SEC), I(30 * SEC)), 40 * SEC);
    CHECK_INT(CALL(rt_op_ts_add, I(0), I(-1)), -1);
    CHECK_NULL(CALL(rt_op_ts_add, I(INT64_MAX), I(1)));
    CHECK_NULL(CALL(rt_op_ts_add, NUL(), I(1)));
    CHECK_INT(CALL(rt_op_ts_sub, I(0), I(DAY)), -DAY);
    CHECK_NULL(CALL(rt_op_ts_sub, I(INT64_MIN), I(1)));
    CHECK_NULL(CALL(rt_op_ts_sub, I(0), NUL()));
}

static void test_seconds_between(void **state) {
    (void)state;
    CHECK_FLOAT(CALL(rt_fn_seconds_between, I(0), I(1500000)), 1.5);
    CHECK_FLOAT(CALL(rt_fn_seconds_between, I(1500000), I(0)), -1.5);
    CHECK_FLOAT(CALL(rt_fn_seconds_between, I(1), I(0)), -1e-6);
    CHECK_FLOAT(CALL(rt_fn_seconds_between, I(-DAY), I(DAY)), 172800.0);
    CHECK_FLOAT(CALL(rt_fn_seconds_between, I(5), I(5)), 0.0);
    /* INT64_MAX us converts to 2^63 exactly, then / 1e6 = 9223372036854.775808, whose
     * nearest double (ulp 2^-9) is 9223372036854.775390625. */
    CHECK_FLOAT(CALL(rt_fn_seconds_between, I(0), I(INT64_MAX)), 9223372036854.775390625);
    CHECK_NULL(CALL(rt_fn_seconds_between, I(INT64_MIN), I(INT64_MAX)));
    CHECK_NULL(CALL(rt_fn_seconds_between, I(INT64_MAX), I(INT64_MIN)));
    CHECK_NULL(CALL(rt_fn_seconds_between, I(-1), I(INT64_MAX)));
    CHECK_NULL(CALL(rt_fn_seconds_between, NUL(), I(0)));
    CHECK_NULL(CALL(rt_fn_seconds_between, I(0), NUL()));
}

static void test_hour_of_day(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_fn_hour_of_day, I(0)), 0);
    CHECK_INT(CALL(rt_fn_hour_of_day, I(-1)), 23);
    CHECK_INT(CALL(rt_fn_hour_of_day, I(HOUR)), 1);
    CHECK_INT(CALL(rt_fn_hour_of_day, I(HOUR - 1)), 0);
    CHECK_INT(CALL(rt_fn_hour_of_day, I(-HOUR)), 23);
    CHECK_INT(CALL(rt_fn_hour_of_day, I(-HOUR - 1)), 22);
    CHECK_INT(CALL(rt_fn_hour_of_day, I(365 * DAY + 13 * HOUR + 59 * 60 * SEC)), 13);
    CHECK_INT(CALL(rt_fn_hour_of_day, I(-DAY + 5 * HOUR)), 5);
    /* 1700000000 s is 2023-11-14T22:13:20Z */
    CHECK_INT(CALL(rt_fn_hour_of_day, I(1700000000 * SEC)), 22);
    /* the extremes are -290308-12-21T19:59:05.224192Z and 294247-01-10T04:00:54.775807Z */
    CHECK_INT(CALL(rt_fn_hour_of_day, I(INT64_MIN)), 19);
    CHECK_INT(CALL(rt_fn_hour_of_day, I(INT64_MAX)), 4);
    CHECK_NULL(CALL(rt_fn_hour_of_day, NUL()));
}

static void test_day_of_week(void **state) {
    (void)state;
    CHECK_INT(CALL(rt_fn_day_of_week, I(0)), 3);            /* 1970-01-01 Thursday */
    CHECK_INT(CALL(rt_fn_day_of_week, I(-1)), 2);           /* 1969-12-31 Wednesday */
    CHECK_INT(CALL(rt_fn_day_of_week, I(-DAY)), 2);
    CHECK_INT(CALL(rt_fn_day_of_week, I(-DAY - 1)), 1);
    CHECK_INT(CALL(rt_fn_day_of_week, I(4 * DAY)), 0);      /* 1970-01-05 Monday */
    CHECK_INT(CALL(rt_fn_day_of_week, I(4 * DAY - 1)), 6);  /* Sunday */
    CHECK_INT(CALL(rt_fn_day_of_week, I(19723 * DAY)), 0);  /* 2024-01-01 Monday */
    CHECK_INT(CALL(rt_fn_day_of_week, I(10957 * DAY + 12 * HOUR)), 5); /* 2000-01-01 Saturday */
    CHECK_INT(CALL(rt_fn_day_of_week, I(-25567 * DAY)), 0); /* 1900-01-01 Monday */
    CHECK_INT(CALL(rt_fn_day_of_week, I(INT64_MIN)), 6);
    CHECK_INT(CALL(rt_fn_day_of_week, I(INT64_MAX)), 6);
    CHECK_NULL(CALL(rt_fn_day_of_week, NUL()));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ts_add_sub),
        cmocka_unit_test(test_seconds_between),
        cmocka_unit_test(test_hour_of_day),
        cmocka_unit_test(test_day_of_week),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
