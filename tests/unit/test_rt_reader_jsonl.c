/* test_rt_reader_jsonl.c - the event reader on JSON Lines files: every accept and reject rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_abi.h"
#include "rt_reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ---- */

/* Writes n bytes to a new temporary file with the given suffix; returns its malloc'd path. */
static char *temp_file(const char *suffix, const char *data, size_t n) {
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/test_rt_reader_XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    return path;
}

/* The whole content of a file, NUL-terminated, malloc'd. */
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

enum { C_ID, C_AMOUNT, C_N, C_OK, C_TS, C_NOTE, NF };

static const rt_field fields[NF] = {
    {"id", RT_STRING, true},  {"amount", RT_FLOAT, false}, {"n", RT_INT, false},
    {"ok", RT_BOOL, false},   {"ts", RT_TIMESTAMP, false}, {"note", RT_STRING, false},
};

/* expect amount >= 0 (null passes) */
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

/* Reads an accepted record and checks its line number and id. */
static void next_ok(rt_reader *r, rt_slot *rec, uint64_t line, const char *id) {
    int got = rt_reader_next(r, rec);
    if (got != 1)
        fail_msg("expected a record with id %s at line %llu, got %d", id, (unsigned long long)line, got);
    assert_int_equal(rt_reader_line(r), line);
    expect_str(&rec[C_ID], id);
}

/* ---- the main accept/reject table ---- */

static const char events[] =
    /*  1 */ "{\"id\":\"a\",\"amount\":1.5,\"n\":5,\"ok\":true,\"ts\":\"2024-01-01T00:00:00Z\",\"note\":\"x\"}\n"
    /*  2 */ "\n"
    /*  3 */ "  \t \r\n"
    /*  4 */ "{\"id\":\"b\",\"ts\":1700000000}\n"
    /*  5 */ "{\"id\":\"c\",\"ts\":1700000000.5,\"n\":5.0}\n"
    /*  6 */ "{\"id\":\"d\",\"ts\":0,\"n\":5e2}\n"
    /*  7 */ "{\"id\":\"e\",\"ts\":0,\"n\":5.5}\n"
    /*  8 */ "{\"id\":\"f\",\"ts\":0,\"n\":9223372036854775808}\n"
    /*  9 */ "{\"id\":\"g\",\"ts\":0,\"n\":-9223372036854775808}\n"
    /* 10 */ "{\"id\":\"h\",\"ts\":0,\"amount\":\"1.5\"}\n"
    /* 11 */ "{\"id\":\"i\",\"ts\":0,\"ok\":1}\n"
    /* 12 */ "{\"id\":5,\"ts\":0}\n"
    /* 13 */ "{\"ts\":0}\n"
    /* 14 */ "{\"id\":null,\"ts\":0}\n"
    /* 15 */ "{\"id\":\"j\"}\n"
    /* 16 */ "{\"id\":\"k\",\"ts\":\"2024-02-30T00:00:00Z\"}\n"
    /* 17 */ "{\"id\":\"l\",\"ts\":\"1700000000\"}\n"
    /* 18 */ "{\"id\":\"m\",\"ts\":0,\"id\":\"m2\"}\n"
    /* 19 */ "{\"id\":\"n\",\"ts\":0,\"x\":1,\"x\":2}\n"
    /* 20 */ "[1,2]\n"
    /* 21 */ "{\"id\":\"o\",\"ts\":0\n"
    /* 22 */ "{\"id\":\"p\",\"ts\":0,}\n"
    /* 23 */ "{\"id\":\"q\xff\",\"ts\":0}\n"
    /* 24 */ "{\"id\":\"r\",\"ts\":0,\"extra\":{\"a\":[1,{\"b\":null}],\"c\":\"\xc3\xa9\"}}\n"
    /* 25 */ "{\"id\":\"s\",\"ts\":0,\"amount\":{\"v\":1}}\n"
    /* 26 */ "{\"id\":\"t\",\"ts\":0,\"note\":[1]}\n"
    /* 27 */ "{\"id\":\"u\",\"ts\":0,\"amount\":1e999}\n"
    /* 28 */ "{\"id\":\"v\",\"ts\":0,\"amount\":-0.0}\n"
    /* 29 */ "{\"id\":\"w\",\"ts\":1e300}\n"
    /* 30 */ "{\"id\":\"x\",\"ts\":0,\"note\":\"a\\u0000b\"}\n"
    /* 31 */ "{\"id\":\"y\",\"ts\":0,\"note\":\"\\ud83d\\ude00 \\u00e9\\n\\\"\\\\\\/\"}\n"
    /* 32 */ "{\"id\":\"z\",\"ts\":0,\"note\":\"\\ud83d\"}\n"
    /* 33 */ "{\"id\":\"aa\",\"ts\":0} x\n"
    /* 34 */ "{\"id\":\"ab\",\"ts\":0,\"n\":01}\n"
    /* 35 */ "{\"i\\u0064\":\"ac\",\"ts\":0}\n"
    /* 36 */ " {\"id\":\"ad\", \"ts\" : \"2024-01-01 05:30:00+05:30\",\"ok\":false}  \r\n"
    /* 37 */ "{\"id\":\"ae\",\"ts\":0,\"ok\":tru}\n"
    /* 38 */ "\"just a string\"\n"
    /* 39 */ "{\"id\":\"af\",\"ts\":0,\"n\":1e-400}\n"
    /* 40 */ "{\"id\":\"ag\",\"ts\":0,\"n\":-0}\n"
    /* 41 */ "{\"id\":\"ah\",\"ts\":0,\"n\":10e-1}\n"
    /* 42 */ "{\"id\":\"ai\",\0\"ts\":0}\n"
    /* 43 */ "{\"id\":\"aj\",\"ts\":0,\"note\":\"tab\there\"}\n"
    /* 44 */ "{\"id\":\"ak\",\"ts\":0,\"amount\":-1}\n"
    /* 45 */ "{\"ts\":0,\"n\":\"7\"}\n"
    /* 46 */ "{\"id\":\"al\",\"ts\":0,\"x\":1,\"n\":true,\"x\":2}\n"
    /* 47 */ "{\"id\":\"am\",\"ts\":0,\"ok\":\"true\"}\n"
    /* 48 */ "{}\n"
    /* 49 */ "{\"id\":\"an\",\"ts\":\"\\u0032024-01-01T00:00:00Z\",\"unknown\":[[[]]],\"n\":1E+2}\n"
    /* 50 */ "{\"id\":\"last\",\"ts\":0,\"note\":\"no newline at the end\"}";

static const char expected_log[] =
    "F:7: source 'tx': field 'n': expected int, got number 5.5\n"
    "F:8: source 'tx': field 'n': int out of range, got number 9223372036854775808\n"
    "F:10: source 'tx': field 'amount': expected float, got string \"1.5\"\n"
    "F:11: source 'tx': field 'ok': expected bool, got number 1\n"
    "F:12: source 'tx': field 'id': expected string, got number 5\n"
    "F:13: source 'tx': field 'id' is null but declared not null\n"
    "F:14: source 'tx': field 'id' is null but declared not null\n"
    "F:15: source 'tx': event time field 'ts' is null\n"
    "F:16: source 'tx': field 'ts': expected timestamp, got string \"2024-02-30T00:00:00Z\"\n"
    "F:18: source 'tx': duplicate key \"id\"\n"
    "F:19: source 'tx': duplicate key \"x\"\n"
    "F:20: source 'tx': not a JSON object (got array)\n"
    "F:21: source 'tx': invalid JSON at column 17: unexpected end of line\n"
    "F:22: source 'tx': invalid JSON at column 18: expected a string key\n"
    "F:23: source 'tx': invalid JSON at column 9: invalid UTF-8 in string\n"
    "F:25: source 'tx': field 'amount': expected float, got object\n"
    "F:26: source 'tx': field 'note': expected string, got array\n"
    "F:27: source 'tx': field 'amount': float out of range, got number 1e999\n"
    "F:29: source 'tx': field 'ts': timestamp out of range, got number 1e300\n"
    "F:30: source 'tx': field 'note': NUL byte in string, got string \"a\\u0000b\"\n"
    "F:32: source 'tx': invalid JSON at column 26: unpaired surrogate in \\u escape\n"
    "F:33: source 'tx': invalid JSON at column 20: unexpected text after the object\n"
    "F:34: source 'tx': invalid JSON at column 23: invalid number\n"
    "F:37: source 'tx': invalid JSON at column 24: invalid literal\n"
    "F:38: source 'tx': not a JSON object (got string)\n"
    "F:39: source 'tx': field 'n': expected int, got number 1e-400\n"
    "F:42: source 'tx': invalid JSON at column 12: expected a string key\n"
    "F:43: source 'tx': invalid JSON at column 30: control character in string\n"
    "F:44: source 'tx': expect amount >= 0 failed\n"
    "F:45: source 'tx': field 'n': expected int, got string \"7\"\n"
    "F:46: source 'tx': duplicate key \"x\"\n"
    "F:47: source 'tx': field 'ok': expected bool, got string \"true\"\n"
    "F:48: source 'tx': field 'id' is null but declared not null\n";

static void test_jsonl_rules(void **state) {
    (void)state;
    char *path = temp_file(".jsonl", events, sizeof events - 1);
    char *logpath = temp_file(".log", "", 0);
    char err[256];
    rt_reject_log *log = rt_reject_log_open(logpath, err, sizeof err);
    assert_non_null(log);
    rt_reader *r = rt_reader_open(path, &schema, log, err, sizeof err);
    assert_non_null(r);
    rt_slot rec[NF];

    next_ok(r, rec, 1, "a");
    assert_false(rec[C_AMOUNT].null);
    assert_true(rec[C_AMOUNT].v.f == 1.5);
    assert_int_equal(rec[C_N].v.i, 5);
    assert_false(rec[C_OK].null);
    assert_int_equal(rec[C_OK].v.i, 1);
    assert_int_equal(rec[C_TS].v.i, INT64_C(1704067200000000));
    expect_str(&rec[C_NOTE], "x");

    next_ok(r, rec, 4, "b");
    assert_int_equal(rec[C_TS].v.i, INT64_C(1700000000000000));
    assert_true(rec[C_AMOUNT].null && rec[C_N].null && rec[C_OK].null && rec[C_NOTE].null);

    next_ok(r, rec, 5, "c");
    assert_int_equal(rec[C_TS].v.i, INT64_C(1700000000500000));
    assert_int_equal(rec[C_N].v.i, 5);

    next_ok(r, rec, 6, "d");
    assert_int_equal(rec[C_N].v.i, 500);
    assert_int_equal(rec[C_TS].v.i, 0);
    assert_false(rec[C_TS].null);

    next_ok(r, rec, 9, "g");
    assert_int_equal(rec[C_N].v.i, INT64_MIN);

    next_ok(r, rec, 17, "l");
    assert_int_equal(rec[C_TS].v.i, INT64_C(1700000000000000));

    next_ok(r, rec, 24, "r");
    assert_true(rec[C_AMOUNT].null);

    next_ok(r, rec, 28, "v");
    assert_true(rec[C_AMOUNT].v.f == 0.0 && signbit(rec[C_AMOUNT].v.f));

    next_ok(r, rec, 31, "y");
    expect_str(&rec[C_NOTE], "\xf0\x9f\x98\x80 \xc3\xa9\n\"\\/");

    next_ok(r, rec, 35, "ac");

    next_ok(r, rec, 36, "ad");
    assert_int_equal(rec[C_TS].v.i, INT64_C(1704067200000000));
    assert_int_equal(rec[C_OK].v.i, 0);
    assert_false(rec[C_OK].null);

    next_ok(r, rec, 40, "ag");
    assert_int_equal(rec[C_N].v.i, 0);

    next_ok(r, rec, 41, "ah");
    assert_int_equal(rec[C_N].v.i, 1);

    next_ok(r, rec, 49, "an");
    assert_int_equal(rec[C_TS].v.i, INT64_C(1704067200000000));
    assert_int_equal(rec[C_N].v.i, 100);

    next_ok(r, rec, 50, "last");
    expect_str(&rec[C_NOTE], "no newline at the end");

    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(rt_reader_next(r, rec), 0);

    const rt_reader_stats *st = rt_reader_stats_of(r);
    assert_int_equal(st->lines, 50);
    assert_int_equal(st->blank, 2);
    assert_int_equal(st->accepted, 15);
    assert_int_equal(st->rejected, 33);
    rt_reader_close(r);
    assert_int_equal(rt_reject_count(log, "tx"), 33);
    assert_int_equal(rt_reject_total(log), 33);
    assert_int_equal(rt_reject_late_total(log), 0);
    assert_true(rt_reject_log_close(log));

    /* the log names the file by its path: compare with the path replaced by F */
    char *text = slurp(logpath);
    size_t plen = strlen(path), want_len = 0;
    char *norm = malloc(strlen(text) + 1);
    for (const char *p = text; *p;) {
        if (strncmp(p, path, plen) == 0) {
            norm[want_len++] = 'F';
            p += plen;
        } else {
            norm[want_len++] = *p++;
        }
    }
    norm[want_len] = '\0';
    assert_string_equal(norm, expected_log);
    free(norm);
    free(text);
    unlink(path);
    unlink(logpath);
    free(path);
    free(logpath);
}

/* ---- memory input, reject callback, no log ---- */

typedef struct seen_rejects {
    int n;
    uint64_t lines[8];
    char reasons[8][128];
} seen_rejects;

static void on_reject(void *ctx, uint64_t line, const char *reason) {
    seen_rejects *s = ctx;
    assert_true(s->n < 8);
    s->lines[s->n] = line;
    snprintf(s->reasons[s->n], sizeof s->reasons[0], "%s", reason);
    s->n++;
}

static void test_jsonl_memory(void **state) {
    (void)state;
    static const char body[] = "{\"id\":\"a\",\"ts\":\"1970-01-01T00:00:01Z\"}\n"
                               "{\"id\":\"b\"}\n"
                               "{\"id\":\"c\",\"ts\":2}";
    char err[256];
    rt_reader *r =
        rt_reader_open_mem(body, sizeof body - 1, RT_EVENTS_JSONL, "<request>", &schema, NULL, err, sizeof err);
    assert_non_null(r);
    seen_rejects seen = {0};
    rt_reader_on_reject(r, on_reject, &seen);
    rt_slot rec[NF];
    next_ok(r, rec, 1, "a");
    assert_int_equal(rec[C_TS].v.i, 1000000);
    /* strings point into the caller's memory */
    assert_true(rec[C_ID].v.s > body && rec[C_ID].v.s < body + sizeof body);
    next_ok(r, rec, 3, "c");
    assert_int_equal(rec[C_TS].v.i, 2000000);
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.lines[0], 2);
    assert_string_equal(seen.reasons[0], "event time field 'ts' is null");
    rt_reader_close(r);

    /* an empty buffer and a blank one: no events */
    r = rt_reader_open_mem("", 0, RT_EVENTS_JSONL, "<empty>", &schema, NULL, err, sizeof err);
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(rt_reader_stats_of(r)->lines, 0);
    rt_reader_close(r);
    r = rt_reader_open_mem("\n\n \n", 4, RT_EVENTS_JSONL, "<blank>", &schema, NULL, err, sizeof err);
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(rt_reader_stats_of(r)->lines, 3);
    assert_int_equal(rt_reader_stats_of(r)->blank, 3);
    rt_reader_close(r);
}

/* A byte order mark before the first line is skipped; elsewhere it is an error. */
static void test_jsonl_bom(void **state) {
    (void)state;
    static const char body[] = "\xEF\xBB\xBF{\"id\":\"a\",\"ts\":0}\n\xEF\xBB\xBF{\"id\":\"b\",\"ts\":0}\n";
    char err[256];
    rt_reader *r =
        rt_reader_open_mem(body, sizeof body - 1, RT_EVENTS_JSONL, "<bom>", &schema, NULL, err, sizeof err);
    seen_rejects seen = {0};
    rt_reader_on_reject(r, on_reject, &seen);
    rt_slot rec[NF];
    next_ok(r, rec, 1, "a");
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.reasons[0], "invalid JSON at column 1: unexpected character");
    rt_reader_close(r);
}

/* Schemas without a time field or expect rules; expect rules without texts. */
static int always_second_rule(void *ctx, const rt_slot *rec) {
    (void)rec;
    ++*(int *)ctx;
    return 1;
}

static void test_jsonl_schema_variants(void **state) {
    (void)state;
    static const rt_field f1[] = {{"k", RT_STRING, false}};
    rt_schema req = {.name = "req", .nfields = 1, .fields = f1, .time_field = -1};
    char err[256];
    static const char body[] = "{}\n{\"k\":\"v\"}\n";
    rt_reader *r = rt_reader_open_mem(body, sizeof body - 1, RT_EVENTS_JSONL, "m", &req, NULL, err, sizeof err);
    rt_slot rec[1];
    assert_int_equal(rt_reader_next(r, rec), 1);
    assert_true(rec[0].null);
    assert_int_equal(rt_reader_next(r, rec), 1);
    expect_str(&rec[0], "v");
    assert_int_equal(rt_reader_next(r, rec), 0);
    rt_reader_close(r);

    int calls = 0;
    rt_schema ex = {.name = "ex", .nfields = 1, .fields = f1, .time_field = -1, .expect = always_second_rule,
                    .expect_ctx = &calls, .nexpects = 2};
    seen_rejects seen = {0};
    r = rt_reader_open_mem(body, sizeof body - 1, RT_EVENTS_JSONL, "m", &ex, NULL, err, sizeof err);
    rt_reader_on_reject(r, on_reject, &seen);
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(calls, 2);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.reasons[1], "expect rule 2 failed");
    rt_reader_close(r);
}

/* One JSON document from memory (an HTTP body), pretty-printed over several lines. */
static void test_json_document(void **state) {
    (void)state;
    static const char doc[] = "{\n  \"id\": \"a\",\n  \"ts\": \"2024-01-01T00:00:00Z\"\n}\n";
    char err[256];
    rt_slot rec[NF];
    rt_reader *r = rt_reader_open_mem(doc, sizeof doc - 1, RT_EVENTS_JSON, "<body>", &schema, NULL, err, sizeof err);
    next_ok(r, rec, 1, "a");
    assert_int_equal(rec[C_TS].v.i, INT64_C(1704067200000000));
    assert_int_equal(rt_reader_next(r, rec), 0);
    rt_reader_close(r);

    static const char bad[] = "{\n  \"id\": \"a\",\n  \"ts\": 0,\n}";
    seen_rejects seen = {0};
    r = rt_reader_open_mem(bad, sizeof bad - 1, RT_EVENTS_JSON, "<body>", &schema, NULL, err, sizeof err);
    rt_reader_on_reject(r, on_reject, &seen);
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.reasons[0], "invalid JSON at line 4, column 1: expected a string key");
    rt_reader_close(r);

    /* two objects are not one document */
    static const char two[] = "{\"id\":\"a\",\"ts\":0}\n{\"id\":\"b\",\"ts\":0}\n";
    seen.n = 0;
    r = rt_reader_open_mem(two, sizeof two - 1, RT_EVENTS_JSON, "<body>", &schema, NULL, err, sizeof err);
    rt_reader_on_reject(r, on_reject, &seen);
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_string_equal(seen.reasons[0], "invalid JSON at line 2, column 1: unexpected text after the object");
    rt_reader_close(r);

    r = rt_reader_open_mem("", 0, RT_EVENTS_JSON, "<body>", &schema, NULL, err, sizeof err);
    assert_int_equal(rt_reader_next(r, rec), 0);
    rt_reader_close(r);
}

/* A rule written over several lines is named on one line. */
static int always_first_rule(void *ctx, const rt_slot *rec) {
    (void)ctx;
    (void)rec;
    return 0;
}

static void test_expect_text_one_line(void **state) {
    (void)state;
    static const rt_field f1[] = {{"k", RT_INT, false}};
    static const char *const texts[] = {"  (k > 0\n     and k < 10)\t"};
    rt_schema sc = {.name = "s", .nfields = 1, .fields = f1, .time_field = -1, .expect = always_first_rule,
                    .nexpects = 1, .expect_texts = texts};
    char err[256];
    seen_rejects seen = {0};
    rt_reader *r = rt_reader_open_mem("{\"k\":1}", 7, RT_EVENTS_JSONL, "m", &sc, NULL, err, sizeof err);
    rt_reader_on_reject(r, on_reject, &seen);
    rt_slot rec[1];
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_string_equal(seen.reasons[0], "expect (k > 0 and k < 10) failed");
    rt_reader_close(r);
}

/* A generated-code expect function plugged in through rt_expect_abi. */
static int32_t k_is_positive(const rt_slot *rec) {
    return !rec[0].null && rec[0].v.i <= 0 ? 0 : -1;
}

static void test_expect_abi(void **state) {
    (void)state;
    static const rt_field f1[] = {{"k", RT_INT, false}};
    static const char *const texts[] = {"k > 0"};
    rt_expect_fn fn = k_is_positive;
    rt_schema sc = {.name = "s", .nfields = 1, .fields = f1, .time_field = -1, .expect = rt_expect_abi,
                    .expect_ctx = &fn, .nexpects = 1, .expect_texts = texts};
    static const char body[] = "{\"k\":1}\n{\"k\":0}\n{}\n";
    char err[256];
    seen_rejects seen = {0};
    rt_reader *r = rt_reader_open_mem(body, sizeof body - 1, RT_EVENTS_JSONL, "m", &sc, NULL, err, sizeof err);
    rt_reader_on_reject(r, on_reject, &seen);
    rt_slot rec[1];
    assert_int_equal(rt_reader_next(r, rec), 1);
    assert_int_equal(rec[0].v.i, 1);
    assert_int_equal(rt_reader_next(r, rec), 1); /* null passes */
    assert_true(rec[0].null);
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.lines[0], 2);
    assert_string_equal(seen.reasons[0], "expect k > 0 failed");
    rt_reader_close(r);
}

static void test_open_errors(void **state) {
    (void)state;
    char err[256];
    assert_null(rt_reader_open("/tmp/events.txt", &schema, NULL, err, sizeof err));
    assert_string_equal(err,
                        "/tmp/events.txt: unknown events format: the file name must end in .jsonl, .ndjson or .csv");
    assert_null(rt_reader_open("/nonexistent/dir/x.jsonl", &schema, NULL, err, sizeof err));
    assert_string_equal(err, "cannot open '/nonexistent/dir/x.jsonl': No such file or directory");
    assert_null(rt_reader_open("/tmp/.ndjson/", &schema, NULL, err, sizeof err));
    rt_event_format f;
    assert_true(rt_event_format_from_path("a/b.ndjson", &f) && f == RT_EVENTS_JSONL);
    assert_true(rt_event_format_from_path("b.csv", &f) && f == RT_EVENTS_CSV);
    assert_false(rt_event_format_from_path("b.CSV", &f));
    assert_false(rt_event_format_from_path("a.csv/b", &f));
    assert_false(rt_event_format_from_path("jsonl", &f));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_rules),
        cmocka_unit_test(test_jsonl_memory),
        cmocka_unit_test(test_jsonl_bom),
        cmocka_unit_test(test_jsonl_schema_variants),
        cmocka_unit_test(test_json_document),
        cmocka_unit_test(test_expect_text_one_line),
        cmocka_unit_test(test_expect_abi),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
