/* test_rt_http_json.c - the server's JSON output: floats as rt_format_float writes them, string escapes, records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_format.h"
#include "rt_http.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Fails unless rt_json_value writes x exactly as rt_format_float does. */
static void check_float(double x)
{
    char want[RT_FLOAT_BUF];
    rt_format_float(x, want);
    rt_jbuf b = {0};
    rt_slot v = {.v.f = x};
    rt_json_value(&b, &v, RT_FLOAT);
    assert_false(b.oom);
    if (strcmp(b.p, want) != 0)
        fail_msg("%a: rt_json_value wrote %s, rt_format_float %s", x, b.p, want);
    free(b.p);
}

/* Short decimals (what amounts and averages look like), whole numbers, arbitrary bit
 * patterns, and the edges of the fast form's range, against the reference formatter. */
static void test_floats_match_format(void **state)
{
    (void)state;
    static const double special[] = {0.0,    -0.0,   1.0,    -1.0,   0.1,     0.2,     0.3,  1e-4,  -1e-4, 1e15,
                                     -1e15,  1e14,   1e-5,   0.5,    123.456, 2.5e-3,  1e16, 1e17,  1e22,  DBL_MIN,
                                     DBL_MAX, 5e-324, 1.0 / 3, 2.0 / 3, 100.0 / 7, 999999999999999.0};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        check_float(special[i]);
        check_float(nextafter(special[i], INFINITY));
        check_float(nextafter(special[i], -INFINITY));
    }
    check_float(NAN);
    check_float(INFINITY);
    check_float(-INFINITY);
    uint64_t seed = 42;
    for (int i = 0; i < 300000; i++) {
        uint64_t r = next_rand(&seed);
        int k = (int)(r % 17);
        double m = (double)(next_rand(&seed) % 100000000000000000ULL) / 100.0;
        check_float((r >> 8 & 1 ? -1 : 1) * (double)(int64_t)(m) / pow(10, k)); /* a short decimal */
        check_float((double)(int64_t)(next_rand(&seed) >> (r % 64)));        /* a whole number */
        uint64_t bits = next_rand(&seed);
        double any;
        memcpy(&any, &bits, sizeof any); /* any double, nan and inf included */
        check_float(any);
        check_float((double)(next_rand(&seed) % 100000) / 100.0 / ((double)(next_rand(&seed) % 1000) + 1.0));
    }
}

static void check_string(const char *in, size_t n, const char *want)
{
    rt_jbuf b = {0};
    rt_json_string(&b, in, n);
    assert_string_equal(b.p, want);
    assert_int_equal(b.len, strlen(want));
    free(b.p);
}

/* Quotes and backslashes escaped, control characters as short or \u escapes, UTF-8 kept,
 * bytes that are not UTF-8 replaced. */
static void test_strings(void **state)
{
    (void)state;
    check_string("", 0, "\"\"");
    check_string("plain text", 10, "\"plain text\"");
    check_string("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    check_string("\n\t\r\b\f\x01\x1f", 7, "\"\\n\\t\\r\\b\\f\\u0001\\u001f\"");
    check_string("caf\xc3\xa9 \xe2\x82\xac", 9, "\"caf\xc3\xa9 \xe2\x82\xac\"");
    check_string("x\xff" "y\xc3", 4, "\"x\\ufffdy\\ufffd\"");
    check_string("nul\0in", 6, "\"nul\\u0000in\"");
}

/* Values of every type, and a record as one line with exact epoch seconds. */
static void test_values_and_records(void **state)
{
    (void)state;
    rt_jbuf b = {0};
    rt_slot vals[] = {{.null = 1}, {.v.i = 1}, {.v.i = INT64_MIN}, {.v.f = 2.5}, {.v.s = "q\"", .len = 2},
                      {.v.i = 1500000}};
    rt_type types[] = {RT_INT, RT_BOOL, RT_INT, RT_FLOAT, RT_STRING, RT_TIMESTAMP};
    for (int i = 0; i < 6; i++) {
        rt_json_value(&b, &vals[i], types[i]);
        rt_jbuf_put(&b, " ", 1);
    }
    assert_string_equal(b.p, "null true -9223372036854775808 2.5 \"q\\\"\" \"1970-01-01T00:00:01.500000Z\" ");
    free(b.p);

    rt_field fields[] = {{"id", RT_INT, false}, {"ts", RT_TIMESTAMP, false}, {"v", RT_FLOAT, false}};
    rt_schema schema = {.name = "s", .nfields = 3, .fields = fields, .time_field = 1};
    rt_slot rec[] = {{.v.i = -7}, {.v.i = -1500001}, {.null = 1}};
    b = (rt_jbuf){0};
    rt_json_record(&b, &schema, rec);
    assert_string_equal(b.p, "{\"id\":-7,\"ts\":-1.500001,\"v\":null}\n");
    free(b.p);
}

/* Depth counts brackets outside strings, escapes included; unbalanced text is judged by
 * its deepest point. */
static void test_depth_within(void **state)
{
    (void)state;
    assert_true(rt_json_depth_within("{\"a\":[1,{\"b\":[]}]}", 19, 4));
    assert_false(rt_json_depth_within("{\"a\":[1,{\"b\":[]}]}", 19, 3));
    const char quoted[] = "{\"a\":\"[[[[\\\"[[[[\"}";
    assert_true(rt_json_depth_within(quoted, strlen(quoted), 1));
    assert_true(rt_json_depth_within("[][][][]", 8, 1));
    assert_false(rt_json_depth_within("]]]][[", 6, 1));
    assert_true(rt_json_depth_within("", 0, 0));
    size_t n = 400000;
    char *deep = malloc(n);
    memset(deep, '[', n);
    assert_false(rt_json_depth_within(deep, n, 1000));
    assert_true(rt_json_depth_within(deep, 1000, 1000));
    free(deep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floats_match_format),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_values_and_records),
        cmocka_unit_test(test_depth_within),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
