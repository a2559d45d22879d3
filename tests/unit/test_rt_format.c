/* test_rt_format.c - shortest float text, integer text and CSV field quoting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_format.h"

#define CHECK_FMT_FLOAT(x, want)                                                                   \
    do {                                                                                           \
        char b_[RT_FLOAT_BUF];                                                                     \
        size_t n_ = rt_format_float((x), b_);                                                      \
        assert_string_equal(b_, (want));                                                           \
        assert_int_equal(n_, strlen(want));                                                        \
    } while (0)

static void test_float_simple(void **state) {
    (void)state;
    CHECK_FMT_FLOAT(3.0, "3");
    CHECK_FMT_FLOAT(-3.0, "-3");
    CHECK_FMT_FLOAT(0.0, "0");
    CHECK_FMT_FLOAT(-0.0, "-0");
    CHECK_FMT_FLOAT(0.1, "0.1");
    CHECK_FMT_FLOAT(-2.5, "-2.5");
    CHECK_FMT_FLOAT(100.0, "100");
    CHECK_FMT_FLOAT(123.456, "123.456");
    CHECK_FMT_FLOAT(12345.678, "12345.678");
    CHECK_FMT_FLOAT(0.30000000000000004, "0.30000000000000004");
    CHECK_FMT_FLOAT(1.0 / 3, "0.3333333333333333");
    CHECK_FMT_FLOAT(2.0 / 3, "0.6666666666666666");
}

static void test_float_ranges(void **state) {
    (void)state;
    /* positional for decimal exponents -4 .. 16 */
    CHECK_FMT_FLOAT(0.0001, "0.0001");
    CHECK_FMT_FLOAT(-0.00012, "-0.00012");
    CHECK_FMT_FLOAT(1e16, "10000000000000000");
    CHECK_FMT_FLOAT(9007199254740992.0, "9007199254740992");
    /* 1e15 + 0.3 is stored as 1000000000000000.25; .2 is the shortest that reads back */
    CHECK_FMT_FLOAT(1e15 + 0.3, "1000000000000000.2");
    /* scientific outside */
    CHECK_FMT_FLOAT(0.00001, "1e-05");
    CHECK_FMT_FLOAT(9.999e-5, "9.999e-05");
    CHECK_FMT_FLOAT(1.5e-7, "1.5e-07");
    CHECK_FMT_FLOAT(1e17, "1e+17");
    CHECK_FMT_FLOAT(1e20, "1e+20");
    CHECK_FMT_FLOAT(123456789012345680.0, "1.2345678901234568e+17");
    CHECK_FMT_FLOAT(1e100, "1e+100");
    CHECK_FMT_FLOAT(-1.5e300, "-1.5e+300");
    CHECK_FMT_FLOAT(DBL_MAX, "1.7976931348623157e+308");
    CHECK_FMT_FLOAT(-DBL_MAX, "-1.7976931348623157e+308");
    CHECK_FMT_FLOAT(DBL_MIN, "2.2250738585072014e-308");
    CHECK_FMT_FLOAT(5e-324, "5e-324");
    /* never results, but not to crash */
    CHECK_FMT_FLOAT(INFINITY, "inf");
    CHECK_FMT_FLOAT(-INFINITY, "-inf");
    CHECK_FMT_FLOAT(NAN, "nan");
}

/* Every output reads back to the same double and has no more digits than needed: checked
 * on a deterministic spread of bit patterns. */
static void test_float_round_trip(void **state) {
    (void)state;
    uint64_t bits = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 200000; i++) {
        bits ^= bits << 13;
        bits ^= bits >> 7;
        bits ^= bits << 17;
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        char buf[RT_FLOAT_BUF];
        size_t n = rt_format_float(x, buf);
        assert_int_equal(n, strlen(buf));
        assert_true(n < RT_FLOAT_BUF);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &x, sizeof x) != 0) {
            print_error("%s does not read back as %.17g\n", buf, x);
            fail();
        }
        /* count significant digits and compare with the brute-force minimum */
        int digits = 0;
        bool leading = true;
        const char *p = buf;
        for (; *p && *p != 'e'; p++) {
            if (*p < '0' || *p > '9')
                continue;
            if (*p == '0' && leading)
                continue;
            leading = false;
            digits++;
        }
        /* trailing zeros of an integer written positionally are not significant */
        if (!strchr(buf, 'e') && !strchr(buf, '.'))
            for (const char *q = p - 1; q >= buf && *q == '0' && digits > 1; q--)
                digits--;
        int min = 1;
        for (; min < 17; min++) {
            char tmp[40];
            snprintf(tmp, sizeof tmp, "%.*e", min - 1, x);
            if (strtod(tmp, NULL) == x)
                break;
        }
        if (digits > min && !(x == 0 && digits <= 1)) {
            print_error("%s has %d digits, %d suffice\n", buf, digits, min);
            fail();
        }
    }
}

static void test_int(void **state) {
    (void)state;
    char buf[RT_INT_BUF];
    assert_int_equal(rt_format_int(0, buf), 1);
    assert_string_equal(buf, "0");
    assert_int_equal(rt_format_int(-7, buf), 2);
    assert_string_equal(buf, "-7");
    assert_int_equal(rt_format_int(1000, buf), 4);
    assert_string_equal(buf, "1000");
    assert_int_equal(rt_format_int(INT64_MAX, buf), 19);
    assert_string_equal(buf, "9223372036854775807");
    assert_int_equal(rt_format_int(INT64_MIN, buf), 20);
    assert_string_equal(buf, "-9223372036854775808");
}

/* Writes with f into a memory stream and returns the text (caller frees). */
static char *csv_value(const rt_slot *v, rt_type t) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    assert_true(rt_format_csv_value(f, v, t));
    assert_int_equal(fclose(f), 0);
    return text;
}

static char *csv_text(const char *s, size_t n) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    assert_true(rt_format_csv_text(f, s, n));
    assert_int_equal(fclose(f), 0);
    return text;
}

#define CHECK_CSV_TEXT(in, want)                                                                   \
    do {                                                                                           \
        char *t_ = csv_text((in), strlen(in));                                                     \
        assert_string_equal(t_, (want));                                                           \
        free(t_);                                                                                  \
    } while (0)

static void test_csv_text(void **state) {
    (void)state;
    CHECK_CSV_TEXT("", "\"\"");
    CHECK_CSV_TEXT("abc", "abc");
    CHECK_CSV_TEXT("mid space", "mid space");
    CHECK_CSV_TEXT("h\xc3\xa9", "h\xc3\xa9");
    CHECK_CSV_TEXT("a,b", "\"a,b\"");
    CHECK_CSV_TEXT("say \"hi\"", "\"say \"\"hi\"\"\"");
    CHECK_CSV_TEXT("\"", "\"\"\"\"");
    CHECK_CSV_TEXT("\"\"", "\"\"\"\"\"\"");
    CHECK_CSV_TEXT("a\nb", "\"a\nb\"");
    CHECK_CSV_TEXT("a\rb", "\"a\rb\"");
    CHECK_CSV_TEXT(" lead", "\" lead\"");
    CHECK_CSV_TEXT("trail ", "\"trail \"");
    CHECK_CSV_TEXT("\ttab", "\"\ttab\"");
    CHECK_CSV_TEXT("tab\t", "\"tab\t\"");
    CHECK_CSV_TEXT(" ", "\" \"");
    CHECK_CSV_TEXT("x\"y", "\"x\"\"y\"");
    /* only n bytes are written */
    char *t = csv_text("abc,def", 3);
    assert_string_equal(t, "abc");
    free(t);
}

#define CHECK_CSV_VALUE(slot, type, want)                                                          \
    do {                                                                                           \
        rt_slot s_ = (slot);                                                                       \
        char *t_ = csv_value(&s_, (type));                                                         \
        assert_string_equal(t_, (want));                                                           \
        free(t_);                                                                                  \
    } while (0)

static rt_slot slot_i(int64_t i) {
    rt_slot s = {0};
    s.v.i = i;
    return s;
}
static rt_slot slot_f(double f) {
    rt_slot s = {0};
    s.v.f = f;
    return s;
}
static rt_slot slot_s(const char *str) {
    rt_slot s = {0};
    s.v.s = str;
    s.len = (uint32_t)strlen(str);
    return s;
}

static void test_csv_value(void **state) {
    (void)state;
    rt_slot null = {0};
    null.null = 1;
    CHECK_CSV_VALUE(null, RT_STRING, "");
    CHECK_CSV_VALUE(null, RT_INT, "");
    CHECK_CSV_VALUE(null, RT_FLOAT, "");
    CHECK_CSV_VALUE(null, RT_BOOL, "");
    CHECK_CSV_VALUE(null, RT_TIMESTAMP, "");
    CHECK_CSV_VALUE(slot_s(""), RT_STRING, "\"\"");
    CHECK_CSV_VALUE(slot_s("a,b"), RT_STRING, "\"a,b\"");
    CHECK_CSV_VALUE(slot_s("plain"), RT_STRING, "plain");
    CHECK_CSV_VALUE(slot_i(1), RT_BOOL, "true");
    CHECK_CSV_VALUE(slot_i(0), RT_BOOL, "false");
    CHECK_CSV_VALUE(slot_i(-42), RT_INT, "-42");
    CHECK_CSV_VALUE(slot_i(INT64_MIN), RT_INT, "-9223372036854775808");
    CHECK_CSV_VALUE(slot_f(0.1), RT_FLOAT, "0.1");
    CHECK_CSV_VALUE(slot_f(1e20), RT_FLOAT, "1e+20");
    CHECK_CSV_VALUE(slot_f(-0.0), RT_FLOAT, "-0");
    CHECK_CSV_VALUE(slot_i(0), RT_TIMESTAMP, "1970-01-01T00:00:00.000000Z");
    CHECK_CSV_VALUE(slot_i(-1), RT_TIMESTAMP, "1969-12-31T23:59:59.999999Z");
    CHECK_CSV_VALUE(slot_i(INT64_C(1700000000123456)), RT_TIMESTAMP, "2023-11-14T22:13:20.123456Z");
}

/* A stream that refuses writes makes the writers report failure. */
static void test_csv_write_failure(void **state) {
    (void)state;
    FILE *f = fopen("/dev/null", "r");
    assert_non_null(f);
    assert_false(rt_format_csv_text(f, "abc", 3));
    assert_false(rt_format_csv_text(f, "a,b", 3));
    assert_false(rt_format_csv_text(f, "", 0));
    rt_slot v = slot_i(5);
    assert_false(rt_format_csv_value(f, &v, RT_INT));
    v = slot_f(2.5);
    assert_false(rt_format_csv_value(f, &v, RT_FLOAT));
    fclose(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_simple),   cmocka_unit_test(test_float_ranges),
        cmocka_unit_test(test_float_round_trip), cmocka_unit_test(test_int),
        cmocka_unit_test(test_csv_text),       cmocka_unit_test(test_csv_value),
        cmocka_unit_test(test_csv_write_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
