/* test_rt_reader_big.c - the event reader on huge lines, length limits, binary junk, and yajl as an oracle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_input.h"
#include "rt_jsonl.h"
#include "rt_reader.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

static char *temp_file(const char *suffix, const char *data, size_t n) {
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/test_rt_big_XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, data + done, n - done);
        assert_true(w > 0);
        done += (size_t)w;
    }
    close(fd);
    return path;
}

static const rt_field fields[] = {{"id", RT_STRING, true}, {"ts", RT_TIMESTAMP, true}, {"note", RT_STRING, false}};
static const rt_schema schema = {.name = "big", .nfields = 3, .fields = fields, .time_field = 1};

/* A growing text buffer for building inputs. */
typedef struct text {
    char *s;
    size_t n;
    size_t cap;
} text;

static void add(text *t, const char *s, size_t n) {
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

static void adds(text *t, const char *s) {
    add(t, s, strlen(s));
}

static void add_repeat(text *t, char c, size_t n, size_t newline_every) {
    for (size_t i = 0; i < n; i++) {
        char ch = newline_every && i % newline_every == newline_every - 1 ? '\n' : c;
        add(t, &ch, 1);
    }
}

typedef struct rejects {
    int n;
    uint64_t line[16];
    char reason[16][96];
} rejects;

static void on_reject(void *ctx, uint64_t line, const char *reason) {
    rejects *r = ctx;
    if (r->n < 16) {
        r->line[r->n] = line;
        snprintf(r->reason[r->n], sizeof r->reason[0], "%s", reason);
    }
    r->n++;
}

static void expect_next(rt_reader *r, rt_slot *rec, uint64_t line, const char *id) {
    assert_int_equal(rt_reader_next(r, rec), 1);
    assert_int_equal(rt_reader_line(r), line);
    assert_int_equal(rec[0].len, strlen(id));
    assert_memory_equal(rec[0].v.s, id, rec[0].len);
}

#define TEN_MB ((size_t)10 << 20)

/* Bytes of heap in use (small blocks and mapped ones). */
static size_t heap_in_use(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* Whether heap_in_use sees allocations (not under a sanitizer's own allocator). */
static bool heap_measurable(void) {
    size_t before = heap_in_use();
    char *volatile p = malloc((size_t)4 << 20);
    bool seen = heap_in_use() >= before + ((size_t)4 << 20);
    free(p);
    return seen;
}

static void test_ten_megabyte_jsonl_line(void **state) {
    (void)state;
    text t = {0};
    adds(&t, "{\"id\":\"a\",\"ts\":0}\n{\"id\":\"b\",\"ts\":1,\"note\":\"");
    add_repeat(&t, 'x', TEN_MB, 0);
    adds(&t, "\\n\"}\n{\"id\":\"c\",\"ts\":2}\n");
    char *path = temp_file(".jsonl", t.s, t.n);
    char err[256];
    size_t before = heap_in_use();
    rt_reader *r = rt_reader_open(path, &schema, NULL, err, sizeof err);
    rt_slot rec[3];
    expect_next(r, rec, 1, "a");
    expect_next(r, rec, 2, "b");
    bool measurable = heap_measurable();
    assert_true(!measurable || heap_in_use() > before + 2 * TEN_MB); /* the line and its decoded copy */
    assert_int_equal(rec[2].len, TEN_MB + 1);
    for (size_t i = 0; i < TEN_MB; i++)
        if (rec[2].v.s[i] != 'x')
            fail_msg("byte %zu of the long string is %d", i, rec[2].v.s[i]);
    assert_int_equal(rec[2].v.s[TEN_MB], '\n');
    expect_next(r, rec, 3, "c");
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_true(!measurable || heap_in_use() < before + ((size_t)2 << 20)); /* memory given back */
    rt_reader_close(r);
    unlink(path);
    free(path);
    free(t.s);
}

static void test_ten_megabyte_csv_record(void **state) {
    (void)state;
    text t = {0};
    adds(&t, "id,ts,note\na,0,\n\"b\nb\",1,\"");
    add_repeat(&t, 'y', TEN_MB, 1000); /* 10485 line breaks inside the quotes */
    adds(&t, "\"\nc,2,\n");
    char *path = temp_file(".csv", t.s, t.n);
    char err[256];
    size_t before = heap_in_use();
    rt_reader *r = rt_reader_open(path, &schema, NULL, err, sizeof err);
    rt_slot rec[3];
    expect_next(r, rec, 2, "a");
    expect_next(r, rec, 3, "b\nb");
    assert_int_equal(rec[2].len, TEN_MB);
    expect_next(r, rec, 3 + 1 + TEN_MB / 1000 + 1, "c");
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_true(!heap_measurable() || heap_in_use() < before + ((size_t)2 << 20));
    rt_reader_close(r);
    unlink(path);
    free(path);
    free(t.s);
}

/* Lines over the limit are rejected, from files (whole or streamed past) and memory. */
static void test_record_limit(void **state) {
    (void)state;
    text t = {0};
    adds(&t, "{\"id\":\"a\",\"ts\":0}\n{\"id\":\"b\",\"ts\":0,\"note\":\"");
    add_repeat(&t, 'z', 200, 0);
    adds(&t, "\"}\n{\"id\":\"c\",\"ts\":0}\n{\"id\":\"d\",\"ts\":0,\"note\":\"");
    add_repeat(&t, 'z', 5u << 20, 0);
    adds(&t, "\"}\n{\"id\":\"e\",\"ts\":0}\n");
    add_repeat(&t, 'q', 300, 0); /* the last line, without a line break */
    char *path = temp_file(".jsonl", t.s, t.n);
    for (int mem = 0; mem < 2; mem++) {
        char err[256];
        rt_reader *r = mem ? rt_reader_open_mem(t.s, t.n, RT_EVENTS_JSONL, "m", &schema, NULL, err, sizeof err)
                           : rt_reader_open(path, &schema, NULL, err, sizeof err);
        rt_reader_set_max_record(r, 100);
        rejects rj = {0};
        rt_reader_on_reject(r, on_reject, &rj);
        rt_slot rec[3];
        expect_next(r, rec, 1, "a");
        expect_next(r, rec, 3, "c");
        expect_next(r, rec, 5, "e");
        assert_int_equal(rt_reader_next(r, rec), 0);
        assert_int_equal(rj.n, 3);
        assert_int_equal(rj.line[0], 2);
        assert_int_equal(rj.line[1], 4);
        assert_int_equal(rj.line[2], 6);
        assert_string_equal(rj.reason[1], "line longer than 100 bytes");
        assert_int_equal(rt_reader_stats_of(r)->lines, 6);
        rt_reader_close(r);
    }
    unlink(path);
    free(path);

    /* CSV: a long quoted record over several lines, then a long one streamed past */
    t.n = 0;
    adds(&t, "id,ts,note\nA,0,\"");
    add_repeat(&t, 'w', 1500, 500); /* 1505 bytes over four lines */
    adds(&t, "\"\nB,0,\"");
    add_repeat(&t, 'w', 3u << 20, 1u << 20); /* 3 MiB over four lines */
    adds(&t, "\"\nC,0,x\n");
    path = temp_file(".csv", t.s, t.n);
    char err[256];
    rt_reader *r = rt_reader_open(path, &schema, NULL, err, sizeof err);
    rt_reader_set_max_record(r, 1000);
    rejects rj = {0};
    rt_reader_on_reject(r, on_reject, &rj);
    rt_slot rec[3];
    expect_next(r, rec, 10, "C");
    assert_int_equal(rt_reader_next(r, rec), 0);
    assert_int_equal(rj.n, 2);
    assert_int_equal(rj.line[0], 2);
    assert_int_equal(rj.line[1], 6);
    assert_string_equal(rj.reason[1], "record longer than 1000 bytes");
    rt_reader_close(r);
    unlink(path);
    free(path);
    free(t.s);
}

/* NUL bytes, invalid UTF-8 and random junk: counted, never a crash or a leak. */
/* An input with a limit never grows its buffer past it while a reader consumes what is
 * over its record bound: a line far over the bound costs the bound, not the line. */
static void test_input_limit(void **state) {
    (void)state;
    text t = {0};
    add_repeat(&t, 'x', 9u << 20, 0); /* 9 MiB without a line break */
    char *path = temp_file(".jsonl", t.s, t.n);
    rt_input in;
    char err[256];
    assert_true(rt_input_open_file(&in, path, err, sizeof err));
    size_t bound = (size_t)1 << 20, seen = 0, most = 0;
    in.limit = bound + RT_INPUT_CHUNK;
    for (;;) {
        if (in.end - in.pos > bound) {
            seen += in.end - in.pos;
            rt_input_consume(&in, in.end - in.pos);
        }
        int r = rt_input_more(&in);
        assert_true(r >= 0);
        most = in.cap > most ? in.cap : most;
        if (r == 0)
            break;
    }
    seen += in.end - in.pos;
    assert_int_equal(seen, t.n);
    assert_true(most <= bound + RT_INPUT_CHUNK);
    rt_input_close(&in);
    unlink(path);
    free(path);
    free(t.s);
}

static void test_junk(void **state) {
    (void)state;
    static const char alphabet[] = "{}[]\":,0123456789.-+eEtrufalsn \\\t\r\n\0\xff\xc3\xa9idtsnote";
    srand(2024);
    text t = {0};
    adds(&t, "id,ts,note\n"); /* a header for the CSV reading; junk for JSON */
    for (int line = 0; line < 20000; line++) {
        int kind = rand() % 4;
        if (kind == 0)
            adds(&t, "{\"id\":\"");
        else if (kind == 1)
            adds(&t, "id,ts,note\n");
        int len = rand() % 60;
        for (int i = 0; i < len; i++) {
            char c = alphabet[rand() % (sizeof alphabet - 1)];
            add(&t, &c, 1);
        }
        if (kind == 0)
            adds(&t, "\",\"ts\":0}");
        adds(&t, "\n");
    }
    for (int fmt = 0; fmt < 2; fmt++) {
        char err[256];
        rt_reader *r = rt_reader_open_mem(t.s, t.n, fmt ? RT_EVENTS_CSV : RT_EVENTS_JSONL, "junk", &schema, NULL,
                                          err, sizeof err);
        assert_non_null(r);
        rt_slot rec[3];
        int m, accepted = 0;
        while ((m = rt_reader_next(r, rec)) == 1) {
            accepted++;
            assert_false(rec[0].null);
            assert_false(rec[1].null);
        }
        assert_int_equal(m, 0);
        const rt_reader_stats *st = rt_reader_stats_of(r);
        assert_int_equal(st->accepted, (uint64_t)accepted);
        if (!fmt)
            assert_int_equal(st->accepted + st->rejected + st->blank, st->lines);
        rt_reader_close(r);
    }
    free(t.s);
}

/* Whether our decoder finds the line to be JSON at all (whatever its content). */
static int our_verdict(rt_jsonl *d, const char *line, size_t n) {
    char reason[256];
    rt_slot rec[1];
    rt_jsonl_status st = rt_jsonl_decode(d, line, n, rec, reason, sizeof reason);
    if (st == RT_JSONL_BLANK)
        return -1;
    if (st == RT_JSONL_OK)
        return 1;
    return strncmp(reason, "invalid JSON", 12) != 0;
}

/* yajl's verdict: one JSON value and nothing but whitespace after it. yajl misses trailing
 * text that is an unfinished token ("8 \"x" passes), so it is told to allow trailing
 * text and the rest after the value is checked here. */
static int yajl_verdict(const char *line, size_t n) {
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    yajl_config(h, yajl_allow_trailing_garbage, 1);
    int ok = yajl_parse(h, (const unsigned char *)line, n) == yajl_status_ok;
    size_t end = ok ? yajl_get_bytes_consumed(h) : 0;
    ok = ok && yajl_complete_parse(h) == yajl_status_ok;
    for (size_t i = end; ok && i < n; i++)
        ok = line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n';
    yajl_free(h);
    return ok;
}

/* Syntax verdicts agree with yajl (which checks RFC 8259 and UTF-8 the same way) on
 * mutations of valid lines. Lone surrogate escapes, which yajl lets through, and '/',
 * which could start the comments yajl can be asked to allow, are not generated. */
static void test_syntax_matches_yajl(void **state) {
    (void)state;
    static const char *const seeds[] = {
        "{\"id\":\"a\",\"ts\":0,\"note\":\"x y\"}",
        "{\"a\":[1,2.5,-3e4,{\"b\":null}],\"c\":{\"e\":true,\"f\":false},\"g\":\"\\u00e9\\n\"}",
        "{\"n\":-0.0e+1,\"s\":\"\xc3\xa9\\\\\\\"\",\"t\":[[],{},[{}]]}",
        "{}",
        "[1,\"x\",{\"a\":1}]",
        "{\"k\" : 12 , \"l\" :\t\"v\" }",
    };
    static const char alphabet[] = "{}[]\":,0123456789.-+eEtrufalsn \\\t\rbu\xc3\xa9\xff";
    rt_field none[1] = {{"zzz", RT_INT, false}};
    rt_schema sc = {.name = "s", .nfields = 1, .fields = none, .time_field = -1};
    rt_jsonl *d = rt_jsonl_new(&sc);
    srand(31337);
    char line[256];
    int compared = 0, valid = 0;
    for (int iter = 0; iter < 300000; iter++) {
        const char *seed = seeds[rand() % (int)(sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(seed);
        memcpy(line, seed, n);
        int muts = 1 + rand() % 3;
        for (int m = 0; m < muts; m++) {
            size_t pos = n ? (size_t)rand() % n : 0;
            int op = rand() % 3;
            char c = alphabet[rand() % (sizeof alphabet - 1)];
            if (op == 0 && n > 0) { /* delete */
                memmove(line + pos, line + pos + 1, n - pos - 1);
                n--;
            } else if (op == 1 && n + 1 < sizeof line) { /* insert */
                memmove(line + pos + 1, line + pos, n - pos);
                line[pos] = c;
                n++;
            } else if (n > 0) { /* replace */
                line[pos] = c;
            }
        }
        line[n] = '\0';
        int ours = our_verdict(d, line, n);
        if (ours < 0)
            continue;
        int theirs = yajl_verdict(line, n);
        if (ours != theirs)
            fail_msg("verdicts differ (ours %d, yajl %d) on: %s", ours, theirs, line);
        compared++;
        valid += theirs;
    }
    rt_jsonl_free(d);
    /* the mutations must exercise both sides */
    assert_true(compared > 250000);
    assert_true(valid > 20000 && valid < compared - 20000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_megabyte_jsonl_line),
        cmocka_unit_test(test_ten_megabyte_csv_record),
        cmocka_unit_test(test_record_limit),
        cmocka_unit_test(test_input_limit),
        cmocka_unit_test(test_junk),
        cmocka_unit_test(test_syntax_matches_yajl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
