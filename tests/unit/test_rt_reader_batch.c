/* test_rt_reader_batch.c - rt_reader_next_batch gives the records rt_reader_next gives, with every string of a batch still valid at its end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng;
static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

enum { F_ID, F_N, F_NOTE, F_TS, NF };
static const rt_field fields[NF] = {
    {"id", RT_STRING, true}, {"n", RT_INT, false}, {"note", RT_STRING, false}, {"ts", RT_TIMESTAMP, true}};
static const rt_schema schema = {.name = "b", .nfields = NF, .fields = fields, .time_field = F_TS};

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if ((size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = t->cap * 2 + (size_t)k + 64;
        t->s = realloc(t->s, t->cap);
    }
}

/* Random events, a few of them invalid; strings with escapes (JSON) or quotes (CSV) and
 * sometimes long, so a file is read in several buffers. */
static text make_events(bool csv)
{
    text t = {malloc(64), 0, 64};
    if (csv)
        put(&t, "id,n,note,ts\n");
    for (int i = 0; i < 6000; i++) {
        int kind = (int)(rnd() % 20);
        int len = rnd() % 50 == 0 ? 3000 + (int)(rnd() % 3000) : (int)(rnd() % 12);
        char note[6100];
        for (int k = 0; k < len; k++)
            note[k] = (char)('a' + (k + i) % 26);
        note[len] = '\0';
        if (csv) {
            if (kind == 0)
                put(&t, "x%d,notanint,,%d\n", i, i); /* rejected */
            else
                put(&t, "\"id \"\"%d\"\"\",%d,%s,%d\n", i, i, note, i);
        } else {
            if (kind == 0)
                put(&t, "{\"id\":\"x%d\",\"n\":\"bad\",\"ts\":%d}\n", i, i); /* rejected */
            else if (kind == 1)
                put(&t, "\n"); /* blank */
            else if (kind == 2)
                put(&t, "{\"id\":\"e\\u00e9\\n%d\",\"note\":\"%s\",\"ts\":%d}\n", i, note, i);
            else
                put(&t, "{\"id\":\"id%d\",\"n\":%d,\"note\":\"%s\",\"ts\":%d}\n", i, i, note, i);
        }
    }
    return t;
}

typedef struct copy {
    rt_slot v[NF];
    char *s[NF];
    uint64_t line;
} copy;

static rt_reader *open_reader(const text *t, bool csv, bool file, char **path)
{
    char err[256];
    *path = NULL;
    if (!file)
        return rt_reader_open_mem(t->s, t->n, csv ? RT_EVENTS_CSV : RT_EVENTS_JSONL, "mem", &schema, NULL, err,
                                  sizeof err);
    *path = malloc(64);
    snprintf(*path, 64, "/tmp/test_rt_reader_batch_XXXXXX%s", csv ? ".csv" : ".jsonl");
    int fd = mkstemps(*path, csv ? 4 : 6);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, t->s, t->n), (ssize_t)t->n);
    close(fd);
    rt_reader *r = rt_reader_open(*path, &schema, NULL, err, sizeof err);
    assert_non_null(r);
    return r;
}

static void run(bool csv, bool file)
{
    text t = make_events(csv);
    char *pa, *pb;
    rt_reader *a = open_reader(&t, csv, file, &pa), *b = open_reader(&t, csv, file, &pb);
    /* one at a time, each record copied out */
    size_t cap = 16, n = 0;
    copy *want = malloc(cap * sizeof *want);
    rt_slot rec[NF];
    while (rt_reader_next(a, rec) == 1) {
        if (n == cap)
            want = realloc(want, (cap *= 2) * sizeof *want);
        copy *c = &want[n++];
        memcpy(c->v, rec, sizeof rec);
        for (int f = 0; f < NF; f++) {
            c->s[f] = NULL;
            if (fields[f].type == RT_STRING && !rec[f].null) {
                c->s[f] = malloc(rec[f].len + 1);
                memcpy(c->s[f], rec[f].v.s, rec[f].len);
            }
        }
        c->line = rt_reader_line(a);
    }
    assert_true(n > 5000);
    /* in batches of random sizes, checked after each whole batch */
    static rt_slot recs[300 * NF];
    uint64_t lines[300];
    size_t got = 0;
    for (;;) {
        int max = 1 + (int)(rnd() % 300);
        int k = rt_reader_next_batch(b, recs, max, lines);
        assert_true(k >= 0 && k <= max);
        if (k == 0)
            break;
        for (int i = 0; i < k; i++) {
            assert_true(got < n);
            const copy *c = &want[got++];
            const rt_slot *r = recs + (size_t)i * NF;
            assert_int_equal(lines[i], c->line);
            for (int f = 0; f < NF; f++) {
                assert_int_equal(r[f].null, c->v[f].null);
                if (r[f].null)
                    continue;
                if (fields[f].type == RT_STRING) {
                    assert_int_equal(r[f].len, c->v[f].len);
                    assert_memory_equal(r[f].v.s, c->s[f], r[f].len);
                } else {
                    assert_true(r[f].v.i == c->v[f].v.i);
                }
            }
        }
    }
    assert_int_equal(got, n);
    const rt_reader_stats *sa = rt_reader_stats_of(a), *sb = rt_reader_stats_of(b);
    assert_int_equal(sa->accepted, sb->accepted);
    assert_int_equal(sa->rejected, sb->rejected);
    assert_int_equal(sa->lines, sb->lines);
    assert_true(sb->rejected > 100);
    rt_reader_close(a);
    rt_reader_close(b);
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < NF; f++)
            free(want[i].s[f]);
    free(want);
    if (pa) {
        unlink(pa);
        unlink(pb);
    }
    free(pa);
    free(pb);
    free(t.s);
}

static void test_jsonl_file(void **st)
{
    (void)st;
    rng = 1;
    run(false, true);
}

static void test_jsonl_memory(void **st)
{
    (void)st;
    rng = 2;
    run(false, false);
}

static void test_csv_file(void **st)
{
    (void)st;
    rng = 3;
    run(true, true);
}

static void test_csv_memory(void **st)
{
    (void)st;
    rng = 4;
    run(true, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_file),
        cmocka_unit_test(test_jsonl_memory),
        cmocka_unit_test(test_csv_file),
        cmocka_unit_test(test_csv_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
