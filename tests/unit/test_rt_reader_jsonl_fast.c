/* test_rt_reader_jsonl_fast.c - the JSON Lines decoder's shortcuts give exactly what the general path gives, on random lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_decimal.h"
#include "rt_jsonl.h"
#include "rt_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;
static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
static int pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

/* ---- numbers: every number text in an int, float and timestamp field against the
 * conversions the general path is defined by ---- */

/* A random number-like text: mostly valid JSON numbers of every length, with leading
 * zeros, fractions, exponents and signs; sometimes broken. */
static size_t random_number(char *buf)
{
    size_t n = 0;
    if (pick(3) == 0)
        buf[n++] = '-';
    if (pick(30) == 0)
        buf[n++] = '+'; /* not JSON */
    int nd = 1 + (pick(4) == 0 ? pick(25) : pick(13));
    for (int i = 0; i < nd; i++)
        buf[n++] = (char)('0' + (i == 0 && pick(4) == 0 ? 0 : pick(10)));
    if (pick(2) == 0) {
        buf[n++] = '.';
        int nf = pick(5) == 0 ? 0 : 1 + (pick(4) == 0 ? pick(25) : pick(8));
        for (int i = 0; i < nf; i++)
            buf[n++] = (char)('0' + pick(10));
    }
    if (pick(6) == 0) {
        buf[n++] = pick(2) ? 'e' : 'E';
        if (pick(2))
            buf[n++] = pick(2) ? '-' : '+';
        int ne = pick(8) == 0 ? 0 : 1 + pick(3);
        for (int i = 0; i < ne; i++)
            buf[n++] = (char)('0' + pick(10));
    }
    if (pick(20) == 0)
        buf[n++] = "x.-_9"[pick(5)]; /* trailing junk */
    buf[n] = '\0';
    return n;
}

/* True when s[0..n) is a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return false;
    if (i < n && s[i] == '.') {
        size_t k = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == k)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t k = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == k)
            return false;
    }
    return i == n;
}

static void test_numbers(void **st)
{
    (void)st;
    rng = 1;
    static const rt_field fields[3] = {{"i", RT_INT, false}, {"f", RT_FLOAT, false}, {"t", RT_TIMESTAMP, false}};
    rt_schema sc = {.name = "n", .nfields = 3, .fields = fields, .time_field = -1};
    rt_jsonl *d = rt_jsonl_new(&sc);
    assert_non_null(d);
    long fast_shapes = 0;
    for (int iter = 0; iter < 200000; iter++) {
        char num[128], line[200], reason[256];
        size_t nn = random_number(num);
        int field = pick(3);
        int len = snprintf(line, sizeof line, "{\"%s\":%s}", fields[field].name, num);
        rt_slot rec[3];
        /* an exact-size copy: a read past the line's end is caught under ASan */
        char *exact = malloc((size_t)len);
        assert_non_null(exact);
        memcpy(exact, line, (size_t)len);
        rt_jsonl_status stt = rt_jsonl_decode(d, exact, (size_t)len, rec, reason, sizeof reason);
        free(exact);
        if (!json_number(num, nn)) {
            assert_int_equal(stt, RT_JSONL_REJECT); /* never a value from a non-number */
            continue;
        }
        bool ok;
        rt_slot want = {.null = 1};
        switch (fields[field].type) {
        case RT_INT:
            ok = rt_decimal_scaled(num, nn, 0, RT_DEC_EXACT, &want.v.i) == RT_DEC_OK;
            break;
        case RT_FLOAT:
            ok = rt_decimal_to_double(num, nn, &want.v.f);
            break;
        default:
            ok = rt_time_parse(num, nn, &want.v.i);
            break;
        }
        fast_shapes += nn < 20 && !strpbrk(num, "eE");
        assert_int_equal(stt, ok ? RT_JSONL_OK : RT_JSONL_REJECT);
        if (!ok)
            continue;
        assert_false(rec[field].null);
        if (rec[field].v.i != want.v.i) /* bit for bit, -0.0 included */
            fail_msg("%s as %d: got %llx want %llx", num, field, (unsigned long long)rec[field].v.i,
                     (unsigned long long)want.v.i);
    }
    assert_true(fast_shapes > 50000);
    rt_jsonl_free(d);
}

/* A number followed by a byte that is no digit, among them bytes whose + 6 carries into the
 * next byte (0xFA..0xFF), NUL and the digit neighbours '/' and ':': never a value. */
static void test_number_then_junk(void **st)
{
    (void)st;
    rng = 4;
    static const rt_field fields[3] = {{"i", RT_INT, false}, {"f", RT_FLOAT, false}, {"t", RT_TIMESTAMP, false}};
    rt_schema sc = {.name = "n", .nfields = 3, .fields = fields, .time_field = -1};
    rt_jsonl *d = rt_jsonl_new(&sc);
    assert_non_null(d);
    static const unsigned char junk[] = {0xFA, 0xFB, 0xFF, 0x80, 0x00, '/', ':', 0x2F, 0x3A, '-', '+'};
    for (int iter = 0; iter < 50000; iter++) {
        char line[64], reason[256];
        int digits = 1 + pick(20);
        size_t n = (size_t)snprintf(line, sizeof line, "{\"%s\":", fields[iter % 3].name);
        line[n++] = (char)('1' + pick(9));
        for (int i = 1; i < digits; i++)
            line[n++] = (char)('0' + pick(10));
        if (pick(2)) {
            line[n++] = '.';
            for (int i = pick(9); i >= 0; i--)
                line[n++] = (char)('0' + pick(10));
        }
        line[n++] = (char)junk[pick((int)sizeof junk)];
        for (int i = pick(3); i > 0; i--)
            line[n++] = (char)('0' + pick(10)); /* digits after the junk */
        line[n++] = '}';
        char *exact = malloc(n);
        assert_non_null(exact);
        memcpy(exact, line, n);
        rt_slot rec[3];
        assert_int_equal(rt_jsonl_decode(d, exact, n, rec, reason, sizeof reason), RT_JSONL_REJECT);
        free(exact);
    }
    rt_jsonl_free(d);
}

/* ---- keys: the same random lines decoded with the schema's fields in different orders
 * (the decoder matches the key it expects next byte for byte, and scans the others) must
 * give the same status, reason and values ---- */

static const char *const names[] = {"account_id", "amount", "kind", "ts", "a", "\xc3\xa9t\xc3\xa9", "x y"};
#define NNAMES 7

static size_t random_line(char *buf, size_t cap)
{
    size_t n = 0;
#define PUT(...) (n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__))
    if (pick(40) == 0)
        PUT(" ");
    PUT("{");
    int nkeys = pick(7);
    for (int k = 0; k < nkeys; k++) {
        if (k)
            PUT(pick(30) ? "," : " ");
        int which = pick(NNAMES + 2);
        const char *name = which < NNAMES ? names[which] : which == NNAMES ? "unknown" : "acc\\u006funt_id";
        if (pick(25) == 0)
            PUT("\"%s", name); /* unterminated key */
        else
            PUT("\"%s\"", name);
        PUT(pick(40) ? ":" : " ");
        switch (pick(9)) {
        case 0: PUT("%d", pick(100000) - 500); break;
        case 1: PUT("%d.%02d", pick(10000), pick(100)); break;
        case 2: PUT("\"card\""); break;
        case 3: PUT("\"2026-01-0%dT10:00:00Z\"", 1 + pick(9)); break;
        case 4: PUT("null"); break;
        case 5: PUT(pick(2) ? "true" : "false"); break;
        case 6: PUT("[1,{\"a\":2}]"); break;
        case 7: PUT("\"ca\\\"rd\""); break;
        default: PUT("%d.%06d", 1767225600 + pick(1000), pick(1000000)); break;
        }
    }
    PUT(pick(30) ? "}" : "");
    if (pick(40) == 0)
        PUT(" x");
#undef PUT
    return n;
}

static void test_keys_any_order(void **st)
{
    (void)st;
    rng = 2;
    const rt_type types[NNAMES] = {RT_INT, RT_FLOAT, RT_STRING, RT_TIMESTAMP, RT_INT, RT_STRING, RT_BOOL};
    rt_field orders[3][NNAMES];
    int perm[3][NNAMES];
    for (int o = 0; o < 3; o++) {
        for (int i = 0; i < NNAMES; i++)
            perm[o][i] = i;
        for (int i = NNAMES - 1; o > 0 && i > 0; i--) { /* order 0 as listed, then shuffled */
            int k = pick(i + 1), t = perm[o][i];
            perm[o][i] = perm[o][k];
            perm[o][k] = t;
        }
        for (int i = 0; i < NNAMES; i++)
            orders[o][i] = (rt_field){names[perm[o][i]], types[perm[o][i]], false};
    }
    rt_schema sc[3];
    rt_jsonl *d[3];
    for (int o = 0; o < 3; o++) {
        sc[o] = (rt_schema){.name = "k", .nfields = NNAMES, .fields = orders[o], .time_field = -1};
        d[o] = rt_jsonl_new(&sc[o]);
        assert_non_null(d[o]);
    }
    long ok_lines = 0;
    for (int iter = 0; iter < 100000; iter++) {
        char line[1024];
        size_t n = random_line(line, sizeof line);
        rt_slot rec[3][NNAMES];
        char reason[3][256];
        rt_jsonl_status stt[3];
        for (int o = 0; o < 3; o++) {
            reason[o][0] = '\0';
            stt[o] = rt_jsonl_decode(d[o], line, n, rec[o], reason[o], sizeof reason[o]);
        }
        for (int o = 1; o < 3; o++) {
            assert_int_equal(stt[o], stt[0]);
            if (stt[0] == RT_JSONL_REJECT)
                assert_string_equal(reason[o], reason[0]);
            if (stt[0] != RT_JSONL_OK)
                continue;
            for (int i = 0; i < NNAMES; i++) { /* field perm[o][i] of order o is field perm[0]... */
                const rt_slot *a = &rec[o][i], *b = &rec[0][perm[o][i]];
                assert_int_equal(a->null, b->null);
                if (a->null)
                    continue;
                if (orders[o][i].type == RT_STRING) {
                    assert_int_equal(a->len, b->len);
                    assert_memory_equal(a->v.s, b->v.s, a->len);
                } else {
                    assert_true(a->v.i == b->v.i);
                }
            }
        }
        ok_lines += stt[0] == RT_JSONL_OK;
    }
    assert_true(ok_lines > 5000);
    for (int o = 0; o < 3; o++)
        rt_jsonl_free(d[o]);
}

/* Whole lines: a line, the same line with a trailing space and the same line with a
 * leading space (the shortcut takes neither: it wants '{' first and '}' last) give the same
 * status and the same values, and the same reason where no position moved. */
static void test_whole_lines(void **st)
{
    (void)st;
    rng = 3;
    const rt_type types[NNAMES] = {RT_INT, RT_FLOAT, RT_STRING, RT_TIMESTAMP, RT_INT, RT_STRING, RT_BOOL};
    rt_field fields[NNAMES];
    for (int i = 0; i < NNAMES; i++)
        fields[i] = (rt_field){names[i], types[i], false};
    rt_schema sc = {.name = "w", .nfields = NNAMES, .fields = fields, .time_field = -1};
    rt_jsonl *d = rt_jsonl_new(&sc), *e = rt_jsonl_new(&sc), *g = rt_jsonl_new(&sc);
    long ok_lines = 0;
    for (int iter = 0; iter < 200000; iter++) {
        char buf[1024], *line = buf + 1;
        size_t n = random_line(line, sizeof buf - 2);
        rt_slot a[NNAMES], b[NNAMES], c[NNAMES];
        char ra[256], rb[256], rc[256];
        rt_jsonl_status sa = rt_jsonl_decode(d, line, n, a, ra, sizeof ra);
        buf[0] = ' ';
        rt_jsonl_status sc2 = rt_jsonl_decode(g, buf, n + 1, c, rc, sizeof rc);
        line[n] = ' ';
        rt_jsonl_status sb = rt_jsonl_decode(e, line, n + 1, b, rb, sizeof rb);
        assert_int_equal(sa, sb);
        assert_int_equal(sa, sc2);
        if (sa == RT_JSONL_OK)
            for (int i = 0; i < NNAMES; i++) {
                assert_int_equal(a[i].null, c[i].null);
                assert_true(a[i].null || types[i] == RT_STRING || a[i].v.i == c[i].v.i);
            }
        char at_end[48]; /* an error found at the end of the line moves with the space */
        snprintf(at_end, sizeof at_end, "column %zu:", n + 1);
        if (sa == RT_JSONL_REJECT && !strstr(ra, at_end))
            assert_string_equal(ra, rb);
        if (sa != RT_JSONL_OK)
            continue;
        ok_lines++;
        for (int i = 0; i < NNAMES; i++) {
            assert_int_equal(a[i].null, b[i].null);
            if (a[i].null)
                continue;
            if (types[i] == RT_STRING) {
                assert_int_equal(a[i].len, b[i].len);
                assert_memory_equal(a[i].v.s, b[i].v.s, a[i].len);
            } else {
                assert_true(a[i].v.i == b[i].v.i);
            }
        }
    }
    assert_true(ok_lines > 20000);
    rt_jsonl_free(d);
    rt_jsonl_free(e);
    rt_jsonl_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_number_then_junk),
        cmocka_unit_test(test_keys_any_order),
        cmocka_unit_test(test_whole_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
