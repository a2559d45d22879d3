/* test_rt_time.c - timestamp parsing and formatting against hand-computed and brute-force values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse(const char *s, int64_t *out) {
    return rt_time_parse(s, strlen(s), out);
}

static void expect_us(const char *s, int64_t want) {
    int64_t got = INT64_C(0x5a5a5a5a);
    if (!parse(s, &got))
        fail_msg("rt_time_parse rejected \"%s\"", s);
    if (got != want)
        fail_msg("\"%s\": got %lld, want %lld", s, (long long)got, (long long)want);
}

static void expect_bad(const char *s) {
    int64_t got = 12345;
    if (parse(s, &got))
        fail_msg("rt_time_parse accepted \"%s\" as %lld", s, (long long)got);
    assert_int_equal(got, 12345); /* left alone */
}

static void expect_fmt(int64_t us, const char *want) {
    char buf[RT_TIME_BUF];
    size_t n = rt_time_format(us, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_iso_hand_values(void **state) {
    (void)state;
    expect_us("1970-01-01T00:00:00Z", 0);
    expect_us("1970-01-01T00:00:00", 0);
    expect_us("1970-01-01 00:00:00", 0);
    expect_us("1969-12-31T23:59:59.999999Z", -1);
    expect_us("1970-01-01T00:00:00.5Z", 500000);
    expect_us("1970-01-01T00:00:00.000001Z", 1);
    expect_us("1970-01-01T00:00:01.10Z", 1100000);
    /* 2000-01-01 is day 10957; Jan (31) + Feb 1..28 (28) later: day 11016 */
    expect_us("2000-02-29T00:00:00Z", INT64_C(951782400) * 1000000);
    expect_us("2000-03-01T00:00:00Z", INT64_C(951868800) * 1000000);
    /* 2024-01-01T00:00:00Z is 1704067200 s */
    expect_us("2024-01-01T00:00:00Z", INT64_C(1704067200) * 1000000);
    expect_us("2024-01-01T05:30:00+05:30", INT64_C(1704067200) * 1000000);
    expect_us("2024-01-01T00:00:00-01:00", INT64_C(1704070800) * 1000000);
    expect_us("2023-12-31T23:00:00-01:00", INT64_C(1704067200) * 1000000);
    expect_us("2024-01-01T00:00:00+23:59", (INT64_C(1704067200) - 23 * 3600 - 59 * 60) * 1000000);
    expect_us("2024-01-01T00:00:00+00:00", INT64_C(1704067200) * 1000000);
    expect_us("2024-01-01T00:00:00-00:00", INT64_C(1704067200) * 1000000);
    expect_us("0000-01-01T00:00:00Z", INT64_C(-62167219200) * 1000000);
    expect_us("9999-12-31T23:59:59.999999Z", INT64_C(253402300799999999));
    expect_us("2023-11-14T22:13:20Z", INT64_C(1700000000) * 1000000);
}

static void test_iso_rejects(void **state) {
    (void)state;
    expect_bad("");
    expect_bad("1900-02-29T00:00:00Z"); /* 1900 is not a leap year */
    expect_bad("2023-02-29T00:00:00Z");
    expect_bad("2024-04-31T00:00:00Z");
    expect_bad("2024-13-01T00:00:00Z");
    expect_bad("2024-00-01T00:00:00Z");
    expect_bad("2024-01-00T00:00:00Z");
    expect_bad("2024-01-32T00:00:00Z");
    expect_bad("2024-01-01T24:00:00Z");
    expect_bad("2024-01-01T23:60:00Z");
    expect_bad("2024-01-01T23:59:60Z"); /* no leap seconds */
    expect_bad("2024-01-01T00:00:00.1234567Z"); /* seven fraction digits */
    expect_bad("2024-01-01T00:00:00.Z");
    expect_bad("2024-01-01T00:00:00.");
    expect_bad("2024-01-01T00:00:00+24:00");
    expect_bad("2024-01-01T00:00:00+05:60");
    expect_bad("2024-01-01T00:00:00+0530");
    expect_bad("2024-01-01T00:00:00+05");
    expect_bad("2024-01-01T00:00:00z");
    expect_bad("2024-01-01t00:00:00Z");
    expect_bad("2024-01-01T00:00:00ZZ");
    expect_bad("2024-01-01T00:00:00Z ");
    expect_bad(" 2024-01-01T00:00:00Z");
    expect_bad("2024-01-01");
    expect_bad("2024-01-01T00:00");
    expect_bad("2024-1-01T00:00:00Z");
    expect_bad("2024-01-01T0:00:00Z");
    expect_bad("2024/01/01T00:00:00Z");
    expect_bad("+2024-01-01T00:00:00Z");
    expect_bad("12024-01-01T00:00:00Z");
    expect_bad("2024-01-01T00:00:00+05:30:00");
}

static void test_nul_inside(void **state) {
    (void)state;
    int64_t v;
    assert_false(rt_time_parse("2024-01-01T00:00:00Z\0", 21, &v));
    assert_false(rt_time_parse("17\0", 3, &v));
    assert_true(rt_time_parse("17\0", 2, &v));
    assert_int_equal(v, 17000000);
}

static void test_epoch_hand_values(void **state) {
    (void)state;
    expect_us("0", 0);
    expect_us("1700000000", INT64_C(1700000000000000));
    expect_us("1700000000.5", INT64_C(1700000000500000));
    expect_us("-1.25", -1250000);
    expect_us("1.7e9", INT64_C(1700000000000000));
    expect_us("1.7E+9", INT64_C(1700000000000000));
    expect_us("17e-1", 1700000);
    expect_us("+2", 2000000);
    expect_us(".5", 500000);
    expect_us("5.", 5000000);
    expect_us("0.0000005", 0);  /* tie: to even 0 */
    expect_us("0.0000015", 2);  /* tie: to even 2 */
    expect_us("0.0000025", 2);  /* tie: to even 2 */
    expect_us("0.00000251", 3); /* above the tie */
    expect_us("0.0000024999999999999", 2);
    expect_us("-0.0000005", 0);
    expect_us("-0.0000015", -2);
    expect_us("-0.0000016", -2);
    expect_us("-0.0000014", -1);
    expect_us("1e-6", 1);
    expect_us("1e-7", 0);
    expect_us("6e-7", 1);
    expect_us("5e-7", 0);
    expect_us("0.00000050000000000000000000000001", 1);
    expect_us("000000000000000000000000001", 1000000);
    expect_us("0e999999999999999999999999", 0);
    expect_us("1e-999999999999999999999999", 0);
    expect_us("-0", 0);
    expect_us("9223372036854.775807", INT64_MAX);
    expect_us("9223372036854.7758074", INT64_MAX);
    expect_us("-9223372036854.775808", INT64_MIN);
    expect_us("-9223372036854.7758085", INT64_MIN); /* ...808.5 ties to even 808 */
    expect_us("-92233720368547758.08e-4", INT64_MIN);
}

static void test_epoch_rejects(void **state) {
    (void)state;
    expect_bad("9223372036854.775808");
    expect_bad("9223372036854.7758075"); /* ...807.5 ties to even 808: too big */
    expect_bad("-9223372036854.7758095");
    expect_bad("-9223372036854.775809");
    expect_bad("1e13");
    expect_bad("1e999999999999999999999");
    expect_bad("99999999999999999999999999");
    expect_bad(".");
    expect_bad("+");
    expect_bad("-");
    expect_bad("1e");
    expect_bad("1e+");
    expect_bad("e5");
    expect_bad("1.2.3");
    expect_bad("0x10");
    expect_bad("inf");
    expect_bad("nan");
    expect_bad("1e5e5");
    expect_bad("--1");
    expect_bad("1 ");
    expect_bad(" 1");
    expect_bad("1,5");
    expect_bad("1_000");
}

static void test_format_hand_values(void **state) {
    (void)state;
    expect_fmt(0, "1970-01-01T00:00:00.000000Z");
    expect_fmt(-1, "1969-12-31T23:59:59.999999Z");
    expect_fmt(1, "1970-01-01T00:00:00.000001Z");
    expect_fmt(INT64_C(951782400) * 1000000 + 123456, "2000-02-29T00:00:00.123456Z");
    expect_fmt(INT64_C(1700000000500000), "2023-11-14T22:13:20.500000Z");
    expect_fmt(INT64_C(-62167219200) * 1000000, "0000-01-01T00:00:00.000000Z");
    expect_fmt(INT64_C(-62167219200) * 1000000 - 1, "-0001-12-31T23:59:59.999999Z");
    expect_fmt(INT64_C(253402300799999999), "9999-12-31T23:59:59.999999Z");
    expect_fmt(INT64_C(253402300800000000), "+10000-01-01T00:00:00.000000Z");
    expect_fmt(INT64_MAX, "+294247-01-10T04:00:54.775807Z");
    expect_fmt(INT64_MIN, "-290308-12-21T19:59:05.224192Z");
    expect_fmt(-INT64_C(86400000000), "1969-12-31T00:00:00.000000Z");
    expect_fmt(-INT64_C(86400000001), "1969-12-30T23:59:59.999999Z");
}

/* Walks every day of years 0000..9999 with a naive calendar and checks the parse of each
 * midnight, the rejection of the day after each month's last, and the formatting. */
static void test_every_day_brute_force(void **state) {
    (void)state;
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t day = -719528; /* 0000-01-01, from the hand value above */
    char s[64], f[RT_TIME_BUF];
    for (int y = 0; y <= 9999; y++) {
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int last = dim[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= last; d++) {
                snprintf(s, sizeof s, "%04d-%02d-%02dT12:34:56.789Z", y, m, d);
                int64_t want = day * 86400000000 + ((12 * 60 + 34) * 60 + 56) * INT64_C(1000000) + 789000;
                int64_t got;
                if (!parse(s, &got) || got != want)
                    fail_msg("%s: want %lld", s, (long long)want);
                rt_time_format(want, f);
                snprintf(s, sizeof s, "%04d-%02d-%02dT12:34:56.789000Z", y, m, d);
                if (strcmp(f, s) != 0)
                    fail_msg("format %lld: got %s want %s", (long long)want, f, s);
                day++;
            }
            snprintf(s, sizeof s, "%04d-%02d-%02dT00:00:00Z", y, m, last + 1);
            expect_bad(s);
        }
    }
    assert_int_equal(day, INT64_C(253402300800) / 86400); /* 10000-01-01 */
}

/* Expected epoch conversion by 128-bit integer arithmetic on the digits. */
static int64_t brute_epoch(bool neg, const char *digits, int nfrac, int exp10, bool *ok) {
    __int128 num = 0;
    for (const char *p = digits; *p; p++)
        num = num * 10 + (*p - '0');
    int k = 6 + exp10 - nfrac;
    if (k >= 0) {
        for (int i = 0; i < k; i++)
            num *= 10;
    } else {
        __int128 div = 1;
        for (int i = 0; i < -k; i++)
            div *= 10;
        __int128 q = num / div, r = num % div;
        if (2 * r > div || (2 * r == div && (q & 1)))
            q++;
        num = q;
    }
    if (neg)
        num = -num;
    *ok = num >= INT64_MIN && num <= INT64_MAX;
    return *ok ? (int64_t)num : 0;
}

static void test_epoch_random_brute_force(void **state) {
    (void)state;
    srand(12345);
    char s[96], digits[64];
    for (int iter = 0; iter < 300000; iter++) {
        bool neg = rand() % 2;
        int ni = rand() % 15, nf = rand() % 13;
        if (ni + nf == 0)
            ni = 1;
        int nd = 0;
        for (int i = 0; i < ni + nf; i++) {
            /* plenty of fives and zeros to hit ties */
            int r = rand() % 4;
            digits[nd++] = (char)('0' + (r == 0 ? 0 : r == 1 ? 5 : rand() % 10));
        }
        digits[nd] = '\0';
        int exp10 = rand() % 3 == 0 ? rand() % 9 - 4 : 0;
        int len = snprintf(s, sizeof s, "%s%.*s", neg ? "-" : "", ni, digits);
        if (nf > 0 || ni == 0)
            len += snprintf(s + len, sizeof s - (size_t)len, ".%s", digits + ni);
        if (exp10 != 0 || rand() % 5 == 0)
            snprintf(s + len, sizeof s - (size_t)len, "e%d", exp10);
        bool ok;
        int64_t want = brute_epoch(neg, digits, nf, exp10, &ok);
        int64_t got = 777;
        bool parsed = parse(s, &got);
        if (parsed != ok || (ok && got != want))
            fail_msg("\"%s\": got %d/%lld want %d/%lld", s, parsed, (long long)got, ok, (long long)want);
    }
}

static void test_format_parse_round_trip(void **state) {
    (void)state;
    srand(777);
    char buf[RT_TIME_BUF];
    const int64_t lo = INT64_C(-62167219200000000), hi = INT64_C(253402300799999999);
    for (int i = 0; i < 200000; i++) {
        uint64_t r = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
        int64_t us = lo + (int64_t)(r % (uint64_t)(hi - lo + 1));
        size_t n = rt_time_format(us, buf);
        assert_int_equal(n, 27);
        int64_t back;
        if (!rt_time_parse(buf, n, &back) || back != us)
            fail_msg("round trip of %lld via %s", (long long)us, buf);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_hand_values),
        cmocka_unit_test(test_iso_rejects),
        cmocka_unit_test(test_nul_inside),
        cmocka_unit_test(test_epoch_hand_values),
        cmocka_unit_test(test_epoch_rejects),
        cmocka_unit_test(test_format_hand_values),
        cmocka_unit_test(test_every_day_brute_force),
        cmocka_unit_test(test_epoch_random_brute_force),
        cmocka_unit_test(test_format_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
