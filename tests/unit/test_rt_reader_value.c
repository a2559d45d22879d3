/* test_rt_reader_value.c - field text conversion, decimal arithmetic and UTF-8 checks of the reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_decimal.h"
#include "rt_utf8.h"
#include "rt_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rt_slot conv_ok(rt_type t, const char *text) {
    rt_slot s;
    const char *why = NULL;
    if (!rt_value_from_text(t, text, strlen(text), false, &s, &why))
        fail_msg("%s \"%s\" refused: %s", rt_value_type_name(t), text, why);
    assert_false(s.null);
    return s;
}

static void conv_bad(rt_type t, const char *text, size_t n, const char *want_why) {
    rt_slot s;
    const char *why = NULL;
    if (rt_value_from_text(t, text, n, false, &s, &why))
        fail_msg("%s \"%s\" accepted", rt_value_type_name(t), text);
    assert_string_equal(why, want_why);
}

static void test_value_from_text(void **state) {
    (void)state;
    rt_slot s;
    const char *why;
    assert_true(rt_value_from_text(RT_INT, "junk", 4, true, &s, &why));
    assert_true(s.null);

    assert_int_equal(conv_ok(RT_INT, "42").v.i, 42);
    assert_int_equal(conv_ok(RT_INT, "-0").v.i, 0);
    assert_int_equal(conv_ok(RT_INT, "+007").v.i, 7);
    assert_int_equal(conv_ok(RT_INT, "9223372036854775807").v.i, INT64_MAX);
    assert_int_equal(conv_ok(RT_INT, "-9223372036854775808").v.i, INT64_MIN);
    conv_bad(RT_INT, "9223372036854775808", 19, "int out of range");
    conv_bad(RT_INT, "-9223372036854775809", 20, "int out of range");
    conv_bad(RT_INT, "1.0", 3, "expected int");
    conv_bad(RT_INT, "1e3", 3, "expected int");
    conv_bad(RT_INT, "", 0, "expected int");
    conv_bad(RT_INT, "-", 1, "expected int");
    conv_bad(RT_INT, " 1", 2, "expected int");
    conv_bad(RT_INT, "0x1", 3, "expected int");

    assert_true(conv_ok(RT_FLOAT, "1.5").v.f == 1.5);
    assert_true(conv_ok(RT_FLOAT, ".5").v.f == 0.5);
    assert_true(conv_ok(RT_FLOAT, "5.").v.f == 5.0);
    assert_true(conv_ok(RT_FLOAT, "+1e3").v.f == 1000.0);
    assert_true(conv_ok(RT_FLOAT, "0.1").v.f == 0.1);
    assert_true(conv_ok(RT_FLOAT, "1e-400").v.f == 0.0); /* underflow keeps the IEEE value */
    assert_true(conv_ok(RT_FLOAT, "4.9406564584124654e-324").v.f == 4.9406564584124654e-324);
    assert_true(conv_ok(RT_FLOAT, "1.7976931348623157e308").v.f == 1.7976931348623157e308);
    double nz = conv_ok(RT_FLOAT, "-0").v.f;
    assert_true(nz == 0.0 && signbit(nz));
    conv_bad(RT_FLOAT, "1e999", 5, "float out of range");
    conv_bad(RT_FLOAT, "1.8e308", 7, "float out of range");
    conv_bad(RT_FLOAT, "inf", 3, "expected float");
    conv_bad(RT_FLOAT, "nan", 3, "expected float");
    conv_bad(RT_FLOAT, "0x1p3", 5, "expected float");
    conv_bad(RT_FLOAT, ".", 1, "expected float");
    conv_bad(RT_FLOAT, "1e", 2, "expected float");
    conv_bad(RT_FLOAT, "1,5", 3, "expected float");
    conv_bad(RT_FLOAT, "", 0, "expected float");

    assert_int_equal(conv_ok(RT_BOOL, "true").v.i, 1);
    assert_int_equal(conv_ok(RT_BOOL, "false").v.i, 0);
    conv_bad(RT_BOOL, "True", 4, "expected bool");
    conv_bad(RT_BOOL, "1", 1, "expected bool");
    conv_bad(RT_BOOL, "t", 1, "expected bool");
    conv_bad(RT_BOOL, "truex", 5, "expected bool");

    assert_int_equal(conv_ok(RT_TIMESTAMP, "1970-01-01T00:00:01Z").v.i, 1000000);
    assert_int_equal(conv_ok(RT_TIMESTAMP, "-1.5").v.i, -1500000);
    conv_bad(RT_TIMESTAMP, "yesterday", 9, "expected timestamp");
    conv_bad(RT_TIMESTAMP, "", 0, "expected timestamp");

    s = conv_ok(RT_STRING, "h\xc3\xa9llo");
    assert_int_equal(s.len, 6);
    s = conv_ok(RT_STRING, "");
    assert_int_equal(s.len, 0);
    conv_bad(RT_STRING, "a\0b", 3, "NUL byte in string");
    conv_bad(RT_STRING, "\xc3", 1, "invalid UTF-8");
    conv_bad(RT_STRING, "\xed\xa0\x80", 3, "invalid UTF-8"); /* an encoded surrogate */
}

/* Exact-mode scaling: ints from JSON numbers. */
static void test_decimal_exact(void **state) {
    (void)state;
    int64_t v;
    assert_int_equal(rt_decimal_scaled("5.000", 5, 0, RT_DEC_EXACT, &v), RT_DEC_OK);
    assert_int_equal(v, 5);
    assert_int_equal(rt_decimal_scaled("500e-2", 6, 0, RT_DEC_EXACT, &v), RT_DEC_OK);
    assert_int_equal(v, 5);
    assert_int_equal(rt_decimal_scaled("0.5e1", 5, 0, RT_DEC_EXACT, &v), RT_DEC_OK);
    assert_int_equal(v, 5);
    assert_int_equal(rt_decimal_scaled("5.5", 3, 0, RT_DEC_EXACT, &v), RT_DEC_INEXACT);
    assert_int_equal(rt_decimal_scaled("0.0000001", 9, 0, RT_DEC_EXACT, &v), RT_DEC_INEXACT);
    assert_int_equal(rt_decimal_scaled("9.223372036854775807e18", 23, 0, RT_DEC_EXACT, &v), RT_DEC_OK);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(rt_decimal_scaled("9.223372036854775808e18", 23, 0, RT_DEC_EXACT, &v), RT_DEC_RANGE);
    assert_int_equal(rt_decimal_scaled("1e19", 4, 0, RT_DEC_EXACT, &v), RT_DEC_RANGE);
    assert_int_equal(rt_decimal_scaled("18446744073709551616", 20, 0, RT_DEC_EXACT, &v), RT_DEC_RANGE);
    assert_int_equal(rt_decimal_scaled("-0.0e5", 6, 0, RT_DEC_EXACT, &v), RT_DEC_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rt_decimal_scaled("12", 2, 3, RT_DEC_EXACT, &v), RT_DEC_OK);
    assert_int_equal(v, 12000);
    assert_int_equal(rt_decimal_scaled("12x", 3, 0, RT_DEC_EXACT, &v), RT_DEC_SYNTAX);
    /* a long run of zeros after the point is still exact */
    char big[5000];
    memset(big, '0', sizeof big);
    big[0] = '7';
    big[1] = '.';
    assert_int_equal(rt_decimal_scaled(big, sizeof big, 0, RT_DEC_EXACT, &v), RT_DEC_OK);
    assert_int_equal(v, 7);
    big[sizeof big - 1] = '1';
    assert_int_equal(rt_decimal_scaled(big, sizeof big, 0, RT_DEC_EXACT, &v), RT_DEC_INEXACT);
}

/* The double conversion against glibc's strtod on random texts of many shapes. */
static void test_decimal_to_double_vs_strtod(void **state) {
    (void)state;
    srand(4242);
    char s[128];
    for (int iter = 0; iter < 400000; iter++) {
        int k = 0;
        if (rand() % 3 == 0)
            s[k++] = "+-"[rand() % 2];
        int ni = rand() % 22, nf = rand() % 22;
        if (ni + nf == 0)
            ni = 1;
        for (int i = 0; i < ni; i++)
            s[k++] = (char)('0' + (rand() % 4 == 0 ? 0 : rand() % 10));
        if (nf > 0 || rand() % 4 == 0) {
            s[k++] = '.';
            for (int i = 0; i < nf; i++)
                s[k++] = (char)('0' + rand() % 10);
        }
        if (rand() % 2) {
            k += snprintf(s + k, sizeof s - (size_t)k, "e%d", rand() % 700 - 350);
        }
        s[k] = '\0';
        double want = strtod(s, NULL);
        double got = 12345;
        bool ok = rt_decimal_to_double(s, (size_t)k, &got);
        if (isinf(want)) {
            if (ok)
                fail_msg("\"%s\": expected overflow, got %.17g", s, got);
            continue;
        }
        if (!ok || memcmp(&got, &want, sizeof got) != 0)
            fail_msg("\"%s\": got %.17g want %.17g", s, got, want);
    }
    /* halfway cases that need more than 17 digits */
    const char *hard[] = {"9007199254740993", "9007199254740993.0000000000000000000001",
                          "2.2250738585072011e-308", "1.00000000000000011102230246251565404236316680908203125",
                          "1.00000000000000011102230246251565404236316680908203124",
                          "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999999999999999999999999999999999999999999999999999999999999999"};
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) {
        double want = strtod(hard[i], NULL), got;
        assert_true(rt_decimal_to_double(hard[i], strlen(hard[i]), &got));
        assert_memory_equal(&got, &want, sizeof got);
    }
}

/* Reference UTF-8 encoder from the code point definition. */
static int encode(unsigned cp, unsigned char *o) {
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Every 1-, 2- and 3-byte string is valid exactly when it encodes one scalar value (or
 * several ASCII ones); 4-byte forms are checked for every scalar and random others. */
static void test_utf8_exhaustive(void **state) {
    (void)state;
    unsigned char *valid3 = calloc(1 << 24, 1), *valid2 = calloc(1 << 16, 1), b[4];
    for (unsigned cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        int n = encode(cp, b);
        if (n == 2)
            valid2[b[0] << 8 | b[1]] = 1;
        if (n == 3)
            valid3[b[0] << 16 | b[1] << 8 | b[2]] = 1;
        if (n == 4) {
            assert_int_equal(rt_utf8_char(b, 4), 4);
            assert_true(rt_utf8_valid((const char *)b, 4));
        }
    }
    for (unsigned x = 0; x < 1u << 16; x++) {
        b[0] = (unsigned char)(x >> 8);
        b[1] = (unsigned char)x;
        bool want = valid2[x] || (b[0] < 0x80 && b[1] < 0x80);
        if (rt_utf8_valid((const char *)b, 2) != want)
            fail_msg("%02x %02x", b[0], b[1]);
    }
    for (unsigned x = 0; x < 1u << 24; x++) {
        b[0] = (unsigned char)(x >> 16);
        b[1] = (unsigned char)(x >> 8);
        b[2] = (unsigned char)x;
        bool want = valid3[x] || (b[0] < 0x80 && valid2[b[1] << 8 | b[2]]) ||
                    (valid2[b[0] << 8 | b[1]] && b[2] < 0x80) || (b[0] < 0x80 && b[1] < 0x80 && b[2] < 0x80);
        if (rt_utf8_valid((const char *)b, 3) != want)
            fail_msg("%02x %02x %02x", b[0], b[1], b[2]);
    }
    /* 4-byte leads with random tails: valid iff the decoded value is a 4-byte scalar */
    srand(99);
    for (int i = 0; i < 1000000; i++) {
        b[0] = (unsigned char)(0xF0 + rand() % 16);
        for (int k = 1; k < 4; k++)
            b[k] = (unsigned char)(rand() % 2 ? 0x80 + rand() % 64 : rand() % 256);
        bool structure = b[0] <= 0xF7 && (b[1] & 0xC0) == 0x80 && (b[2] & 0xC0) == 0x80 && (b[3] & 0xC0) == 0x80;
        unsigned cp = (unsigned)(b[0] & 7) << 18 | (unsigned)(b[1] & 63) << 12 | (unsigned)(b[2] & 63) << 6 | (b[3] & 63);
        bool want = structure && cp >= 0x10000 && cp <= 0x10FFFF;
        if ((rt_utf8_char(b, 4) == 4) != want)
            fail_msg("%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
    }
    /* truncated sequences and long ASCII runs around a bad byte */
    assert_int_equal(rt_utf8_char((const unsigned char *)"\xf0\x9f\x98", 3), 0);
    char run[100];
    memset(run, 'a', sizeof run);
    assert_true(rt_utf8_valid(run, sizeof run));
    run[77] = (char)0x80;
    assert_false(rt_utf8_valid(run, sizeof run));
    free(valid3);
    free(valid2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_from_text),
        cmocka_unit_test(test_decimal_exact),
        cmocka_unit_test(test_decimal_to_double_vs_strtod),
        cmocka_unit_test(test_utf8_exhaustive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
