/* test_rt_reader_csv.c - the event reader and the generic record reader on CSV: every rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_csv.h"
#include "rt_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *temp_file(const char *suffix, const char *data, size_t n) {
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/test_rt_csv_XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    return path;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* text with every occurrence of path replaced by "F" (malloc'd) */
static char *normalise(const char *text, const char *path) {
    size_t plen = strlen(path), k = 0;
    char *out = malloc(strlen(text) + 1);
    for (const char *p = text; *p;) {
        if (strncmp(p, path, plen) == 0) {
            out[k++] = 'F';
            p += plen;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    return out;
}

enum { C_ID, C_AMOUNT, C_N, C_OK, C_TS, C_NOTE, NF };

static const rt_field fields[NF] = {
    {"id", RT_STRING, true},  {"amount", RT_FLOAT, false}, {"n", RT_INT, false},
    {"ok", RT_BOOL, false},   {"ts", RT_TIMESTAMP, false}, {"note", RT_STRING, false},
};

static int amount_nonnegative(void *ctx, const rt_slot *rec) {
    (void)ctx;
    return !rec[C_AMOUNT].null && rec[C_AMOUNT].v.f < 0 ? 0 : -1;
}

static const char *const expect_texts[] = {"amount >= 0"};

static const rt_schema schema = {
    .name = "tx",
    .nfields = NF,
    .fields = fields,
    .time_field = C_TS,
    .expect = amount_nonnegative,
    .nexpects = 1,
    .expect_texts = expect_texts,
};

static void expect_str(const rt_slot *s, const char *want) {
    assert_false(s->null);
    assert_int_equal(s->len, strlen(want));
    assert_memory_equal(s->v.s, want, s->len);
}

static void next_ok(rt_reader *r, rt_slot *rec, uint64_t line, const char *id) {
    int got = rt_reader_next(r, rec);
    if (got != 1)
        fail_msg("expected a record with id '%s' at line %llu, got %d", id, (unsigned long long)line, got);
    if (rt_reader_line(r) != line)
        fail_msg("record '%s': line %llu, want %llu", id, (unsigned long long)rt_reader_line(r),
                 (unsigned long long)line);
    expect_str(&rec[C_ID], id);
}

/* Columns in another order than the schema, with an unknown one. */
static const char events[] =
    /*  1 */ "ts,id,extra,amount,n,ok,note\n"
    /*  2 */ "2024-01-01T00:00:00Z,a,zzz,1.5,5,true,x\n"
    /*  3 */ "1700000000,b,,,,,\n"
    /*  4 */ "0,c,,\"1,5\",,,\n"
    /*  5 */ "0,\"d\"\"q\",,2,,,\"multi\n"
    /*  6 */ "line, \"\"quoted\"\"\"\n"
    /*  7 */ "0,e,,2,,\n"
    /*  8 */ "0,f,,2,,,\"\"\n"
    /*  9 */ "0,g,,abc,,,\n"
    /* 10 */ "0,h,,.5,+3,false,\n"
    /* 11 */ "0,i,,1e999,,,\n"
    /* 12 */ "0,j,,,5.0,,\n"
    /* 13 */ "0,k,,,99999999999999999999,,\n"
    /* 14 */ "0,l,,,,TRUE,\n"
    /* 15 */ "0,,,1,,,\n"
    /* 16 */ "0,\"\",,1,,,\n"
    /* 17 */ ",m,,1,,,\n"
    /* 18 */ "0,n,,-1,,,\n"
    /* 19 */ "0,o,,1,,,ab\"c\n"
    /* 20 */ "0,p,,1,,,\"ab\"c\n"
    /* 21 */ "0,q,,1,,,crlf\r\n"
    /* 22 */ "0,r,,1,,,\xff\n"
    /* 23 */ "0,s,\xff,1,,,\n"
    /* 24 */ "\n"
    /* 25 */ "\r\n"
    /* 26 */ "0, t,,1,,,\n"
    /* 27 */ "0,u,,1, 5,,\n"
    /* 28 */ "0,v,,1,,,a\0b\n"
    /* 29 */ "\"2024-01-01 05:30:00+05:30\",w,,-0,-9223372036854775808,,\"\"\"\"\n"
    /* 30 */ "x,x,,,,,\n"
    /* 31 */ "0,y,,,,,\"\r\n"
    /* 32 */ "\"\r\n"
    /* 33 */ "0,z,,,,,last\n"
    /* 34 */ "0,\"unterminated,1,,,,\n"
    /* 35 */ "more";

static const char expected_log[] =
    "F:4: source 'tx': field 'amount': expected float, got \"1,5\"\n"
    "F:7: source 'tx': row has 6 fields, header has 7\n"
    "F:9: source 'tx': field 'amount': expected float, got \"abc\"\n"
    "F:11: source 'tx': field 'amount': float out of range, got \"1e999\"\n"
    "F:12: source 'tx': field 'n': expected int, got \"5.0\"\n"
    "F:13: source 'tx': field 'n': int out of range, got \"99999999999999999999\"\n"
    "F:14: source 'tx': field 'ok': expected bool, got \"TRUE\"\n"
    "F:15: source 'tx': field 'id' is null but declared not null\n"
    "F:17: source 'tx': event time field 'ts' is null\n"
    "F:18: source 'tx': expect amount >= 0 failed\n"
    "F:19: source 'tx': quote in an unquoted field (column 7)\n"
    "F:20: source 'tx': text after the closing quote (column 7)\n"
    "F:22: source 'tx': field 'note': invalid UTF-8, got \"\\xFF\"\n"
    "F:27: source 'tx': field 'n': expected int, got \" 5\"\n"
    "F:28: source 'tx': field 'note': NUL byte in string, got \"a\\x00b\"\n"
    "F:30: source 'tx': field 'ts': expected timestamp, got \"x\"\n"
    "F:34: source 'tx': unterminated quoted field (column 2)\n";

static void test_csv_rules(void **state) {
    (void)state;
    char *path = temp_file(".csv", events, sizeof events - 1);
    char *logpath = temp_file(".log", "", 0);
    char err[256];
    rt_reject_log *log = rt_reject_log_open(logpath, err, sizeof err);
    rt_reader *r = rt_reader_open(path, &schema, log, err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    rt_slot rec[NF];

    next_ok(r, rec, 2, "a");
    assert_true(rec[C_AMOUNT].v.f == 1.5);
    assert_int_equal(rec[C_N].v.i, 5);
    assert_int_equal(rec[C_OK].v.i, 1);
    assert_false(rec[C_OK].null);
    assert_int_equal(rec[C_TS].v.i, INT64_C(1704067200000000));
    expect_str(&rec[C_NOTE], "x");

    next_ok(r, rec, 3, "b");
    assert_int_equal(rec[C_TS].v.i, INT64_C(1700000000000000));
    assert_true(rec[C_AMOUNT].null && rec[C_N].null && rec[C_OK].null && rec[C_NOTE].null);

    next_ok(r, rec, 5, "d\"q");
    expect_str(&rec[C_NOTE], "multi\nline, \"quoted\"");
    assert_true(rec[C_AMOUNT].v.f == 2.0);

    next_ok(r, rec, 8, "f");
    expect_str(&rec[C_NOTE], ""); /* "" is the empty string, not null */

    next_ok(r, rec, 10, "h");
    assert_true(rec[C_AMOUNT].v.f == 0.5);
    assert_int_equal(rec[C_N].v.i, 3);
    assert_int_equal(rec[C_OK].v.i, 0);
    assert_false(rec[C_OK].null);

    next_ok(r, rec, 16, "");

    next_ok(r, rec, 21, "q");
    expect_str(&rec[C_NOTE], "crlf");

    next_ok(r, rec, 23, "s"); /* a bad byte in an unknown column does not matter */

    next_ok(r, rec, 26, " t"); /* no trimming */

    next_ok(r, rec, 29, "w");
    assert_int_equal(rec[C_TS].v.i, INT64_C(1704067200000000));
    assert_int_equal(rec[C_N].v.i, INT64_MIN);
    expect_str(&rec[C_NOTE], "\"");

    next_ok(r, rec, 31, "y");
    expect_str(&rec[C_NOTE], "\r\n");

    next_ok(r, rec, 33, "z");
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(rt_reader_next(r, rec), 0);

    const rt_reader_stats *st = rt_reader_stats_of(r);
    assert_int_equal(st->lines, 35);
    assert_int_equal(st->blank, 2);
    assert_int_equal(st->accepted, 12);
    assert_int_equal(st->rejected, 17);
    rt_reader_close(r);
    assert_true(rt_reject_log_close(log));
    char *text = slurp(logpath), *norm = normalise(text, path);
    assert_string_equal(norm, expected_log);
    free(norm);
    free(text);
    unlink(path);
    unlink(logpath);
    free(path);
    free(logpath);
}

/* Opens CSV text from memory; returns the reader or NULL with err. */
static rt_reader *open_csv(const char *text, char *err) {
    return rt_reader_open_mem(text, strlen(text), RT_EVENTS_CSV, "mem.csv", &schema, NULL, err, 256);
}

static void test_csv_header_errors(void **state) {
    (void)state;
    char err[256];
    assert_null(open_csv("id,ts,note,ts\n", err));
    assert_string_equal(err, "mem.csv: CSV header repeats column \"ts\" (column 4)");
    assert_null(open_csv("x,y,x\n", err));
    assert_string_equal(err, "mem.csv: CSV header repeats column \"x\" (column 3)");
    assert_null(open_csv("id,amount\n", err));
    assert_string_equal(err, "mem.csv: CSV header has no column 'ts' (the event time of source 'tx')");
    assert_null(open_csv("ts,amount\n", err));
    assert_string_equal(err, "mem.csv: CSV header has no column 'id' (a field declared not null of source 'tx')");
    assert_null(open_csv("id,\"ts\n", err));
    assert_string_equal(err, "mem.csv:1: bad CSV header: unterminated quoted field (column 2)");
    assert_null(open_csv("\n\nid,t\"s\n", err));
    assert_string_equal(err, "mem.csv:3: bad CSV header: quote in an unquoted field (column 2)");
    assert_null(open_csv("ID,TS\n", err)); /* names are case-sensitive */

    /* no header at all: no events, not an error */
    rt_slot rec[NF];
    const char *empties[] = {"", "\n", "\r\n\n", "\xEF\xBB\xBF"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        rt_reader *r = open_csv(empties[i], err);
        assert_non_null(r);
        assert_int_equal(rt_reader_next(r, rec), 0);
        rt_reader_close(r);
    }
    /* a header alone; a quoted header with a byte order mark before it */
    rt_reader *r = open_csv("id,ts", err);
    assert_non_null(r);
    assert_int_equal(rt_reader_next(r, rec), 0);
    rt_reader_close(r);
    r = open_csv("\xEF\xBB\xBF\"id\",\"t\"\"s\",ts\r\nA,x,0\r\n", err);
    assert_non_null(r);
    next_ok(r, rec, 2, "A");
    assert_int_equal(rt_reader_next(r, rec), 0);
    rt_reader_close(r);

    char *missing = "/nonexistent/x.csv";
    assert_null(rt_reader_open(missing, &schema, NULL, err, sizeof err));
    assert_string_equal(err, "cannot open '/nonexistent/x.csv': No such file or directory");
}

/* The generic record reader: fields, quoting flags, nulls, lines, raw text. */
static void test_csv_generic(void **state) {
    (void)state;
    static const char text[] = "a,b,c\n"
                               "1,,\"\"\n"
                               "\"x\ny\",\"q\"\"\",z\n"
                               "only-one\n"
                               "1,2,3,4,5\n";
    char err[128];
    rt_csv *c = rt_csv_open_mem(text, sizeof text - 1, "g.csv", 0, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(rt_csv_ncolumns(c), 3);
    assert_int_equal(rt_csv_duplicate_column(c), -1);
    const rt_csv_field *h = rt_csv_header(c);
    assert_int_equal(h[2].len, 1);
    assert_memory_equal(h[2].text, "c", 1);
    assert_int_equal(rt_csv_line(c), 1);

    const rt_csv_field *f;
    int n;
    assert_int_equal(rt_csv_next(c, &f, &n), RT_CSV_ROW);
    assert_int_equal(n, 3);
    assert_int_equal(rt_csv_line(c), 2);
    assert_true(f[0].len == 1 && f[0].text[0] == '1' && !f[0].quoted);
    assert_true(f[1].len == 0 && !f[1].quoted); /* null */
    assert_true(f[2].len == 0 && f[2].quoted);  /* empty string */
    size_t rawlen;
    const char *raw = rt_csv_raw(c, &rawlen);
    assert_int_equal(rawlen, 5);
    assert_memory_equal(raw, "1,,\"\"", 5);

    assert_int_equal(rt_csv_next(c, &f, &n), RT_CSV_ROW);
    assert_int_equal(rt_csv_line(c), 3);
    assert_int_equal(n, 3);
    assert_true(f[0].len == 3 && memcmp(f[0].text, "x\ny", 3) == 0 && f[0].quoted);
    assert_true(f[1].len == 2 && memcmp(f[1].text, "q\"", 2) == 0);

    assert_int_equal(rt_csv_next(c, &f, &n), RT_CSV_ROW);
    assert_int_equal(rt_csv_line(c), 5);
    assert_int_equal(n, 1);

    assert_int_equal(rt_csv_next(c, &f, &n), RT_CSV_ROW);
    assert_int_equal(n, 5); /* counted; only the first 3 are stored */
    assert_true(f[2].len == 1 && f[2].text[0] == '3');

    assert_int_equal(rt_csv_next(c, &f, &n), RT_CSV_END);
    assert_int_equal(rt_csv_lines_read(c), 6);
    rt_csv_close(c);

    c = rt_csv_open_mem("a,b,a", 5, "d.csv", 0, err, sizeof err);
    assert_int_equal(rt_csv_duplicate_column(c), 2);
    rt_csv_close(c);
}

/* Many columns: duplicate detection stays fast and exact. */
static void test_csv_wide_header(void **state) {
    (void)state;
    const int ncol = 50000;
    size_t cap = (size_t)ncol * 8 + 16, k = 0;
    char *text = malloc(cap);
    for (int i = 0; i < ncol; i++)
        k += (size_t)snprintf(text + k, cap - k, "%sc%d", i ? "," : "", i);
    char err[128];
    rt_csv *c = rt_csv_open_mem(text, k, "w.csv", 0, err, sizeof err);
    assert_int_equal(rt_csv_ncolumns(c), ncol);
    assert_int_equal(rt_csv_duplicate_column(c), -1);
    rt_csv_close(c);
    k += (size_t)snprintf(text + k, cap - k, ",c123");
    c = rt_csv_open_mem(text, k, "w.csv", 0, err, sizeof err);
    assert_int_equal(rt_csv_duplicate_column(c), ncol);
    rt_csv_close(c);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_rules),
        cmocka_unit_test(test_csv_header_errors),
        cmocka_unit_test(test_csv_generic),
        cmocka_unit_test(test_csv_wide_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
