/* test_rt_reader_rows.c - rows from an installed opener (Parquet) go through the reader's checks; spines too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_reader.h"
#include "rt_reject.h"
#include "rt_spine_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_ID, F_TS, F_AMOUNT, NF };

static const rt_field fields[NF] = {
    {"id", RT_INT, true},
    {"ts", RT_TIMESTAMP, false},
    {"amount", RT_FLOAT, false},
};

/* expect amount >= 0 */
static int amount_ok(void *ctx, const rt_slot *rec)
{
    (void)ctx;
    return !rec[F_AMOUNT].null && rec[F_AMOUNT].v.f < 0 ? 0 : -1;
}

static const char *const rule_texts[] = {"amount >= 0"};

static const rt_schema schema = {.name = "tx",
                                 .nfields = NF,
                                 .fields = fields,
                                 .time_field = F_TS,
                                 .expect = amount_ok,
                                 .nexpects = 1,
                                 .expect_texts = rule_texts};

/* The fake source's rows: id (0: null), ts (0: null), amount, and whether it cannot be
 * converted (2) or reading fails there (-1). */
typedef struct fake_row {
    int64_t id, ts;
    double amount;
    int status;
} fake_row;

static const fake_row k_rows[] = {
    {1, 10, 1.5, 1}, {0, 20, 1.0, 1}, {3, 0, 1.0, 1}, {4, 40, -2.0, 1}, {5, 50, 0, 2}, {6, 60, 3.0, 1},
};

typedef struct fake {
    int next;
    int n;
    bool closed;
} fake;

static fake g_fake;
static const rt_schema *g_opened_with;

static int fake_next(void *ctx, rt_slot *rec, uint64_t *row, char *reason, size_t reasonlen)
{
    fake *f = ctx;
    if (f->next >= f->n)
        return 0;
    const fake_row *r = &k_rows[f->next++];
    *row = (uint64_t)f->next;
    if (r->status == 2) {
        snprintf(reason, reasonlen, "field 'amount': expected a finite float, got nan");
        return 2;
    }
    rec[F_ID] = r->id ? (rt_slot){.v.i = r->id} : (rt_slot){.null = 1};
    rec[F_TS] = r->ts ? (rt_slot){.v.i = r->ts} : (rt_slot){.null = 1};
    rec[F_AMOUNT] = (rt_slot){.v.f = r->amount};
    return 1;
}

static void fake_close(void *ctx) { ((fake *)ctx)->closed = true; }

static bool fake_open(const char *path, const rt_schema *sc, rt_row_source *out, char *err, size_t errlen)
{
    if (strstr(path, "missing")) {
        snprintf(err, errlen, "%s: no column 'amount'", path);
        return false;
    }
    g_opened_with = sc;
    g_fake = (fake){.n = (int)(sizeof k_rows / sizeof k_rows[0])};
    *out = (rt_row_source){.ctx = &g_fake, .next = fake_next, .close = fake_close};
    return true;
}

static void on_reject(void *ctx, uint64_t line, const char *reason)
{
    char *log = ctx;
    size_t n = strlen(log);
    snprintf(log + n, 1024 - n, "%llu: %s\n", (unsigned long long)line, reason);
}

/* Rows are checked like decoded lines: not null, the event time, expect rules; a row the
 * source cannot convert is rejected with its reason; row numbers stand for lines. */
static void test_rows_are_checked(void **state)
{
    (void)state;
    rt_reader_set_row_opener(fake_open);
    char err[256];
    rt_reader *r = rt_reader_open("data/x.parquet", &schema, NULL, err, sizeof err);
    assert_non_null(r);
    assert_ptr_equal(g_opened_with, &schema);
    char log[1024] = "";
    rt_reader_on_reject(r, on_reject, log);
    rt_slot rec[NF];
    int64_t ids[8];
    int n = 0;
    while (rt_reader_next(r, rec) == 1) {
        ids[n++] = rec[F_ID].v.i;
        assert_true(rt_reader_line(r) == (uint64_t)ids[n - 1]);
    }
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 6);
    assert_string_equal(log, "2: field 'id' is null but declared not null\n"
                             "3: event time field 'ts' is null\n"
                             "4: expect amount >= 0 failed\n"
                             "5: field 'amount': expected a finite float, got nan\n");
    const rt_reader_stats *st = rt_reader_stats_of(r);
    assert_int_equal(st->accepted, 2);
    assert_int_equal(st->rejected, 4);
    assert_int_equal(st->lines, 6);
    rt_reader_close(r);
    assert_true(g_fake.closed);

    r = rt_reader_open("missing.parquet", &schema, NULL, err, sizeof err);
    assert_null(r);
    assert_string_equal(err, "missing.parquet: no column 'amount'");
    /* memory input is never Parquet */
    assert_null(rt_reader_open_mem("x", 1, RT_EVENTS_PARQUET, "m", &schema, NULL, err, sizeof err));
    rt_event_format f;
    assert_true(rt_event_format_from_path("a/*.parquet", &f) && f == RT_EVENTS_PARQUET);
}

/* Without an opener, Parquet files are refused with a message that says who reads them. */
static void test_no_opener(void **state)
{
    (void)state;
    rt_reader_set_row_opener(NULL);
    char err[256];
    assert_null(rt_reader_open("x.parquet", &schema, NULL, err, sizeof err));
    assert_non_null(strstr(err, "Parquet events are read by featc"));
    assert_null(rt_reader_open("x.txt", &schema, NULL, err, sizeof err));
    assert_non_null(strstr(err, "must end in .jsonl, .ndjson or .csv"));
}

/* ---- spines ---- */

static const rt_csv_field k_header[] = {{"ts", 2, true}, {"k", 1, true}, {"label", 5, true}};
static rt_csv_field g_row[3];
static int g_spine_next;
static rt_spine_want g_want[4];
static int g_nwant;

static int spine_next(void *ctx, const rt_csv_field **f, uint64_t *row, char *err, size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    static const char *const ts[] = {"2024-01-01T00:00:00.000000Z", "", "bad"};
    if (g_spine_next >= 3)
        return 0;
    int i = g_spine_next++;
    g_row[0] = (rt_csv_field){ts[i], strlen(ts[i]), false};
    g_row[1] = (rt_csv_field){"7", 1, false};
    g_row[2] = (rt_csv_field){"", 0, true};
    *f = g_row;
    *row = (uint64_t)i + 1;
    return 1;
}

static void spine_close(void *ctx) { (void)ctx; }

static bool spine_open(const char *path, const rt_spine_want *want, int nwant, rt_spine_source *out, char *err,
                       size_t errlen)
{
    (void)path;
    (void)err;
    (void)errlen;
    g_nwant = nwant;
    for (int i = 0; i < nwant && i < 4; i++)
        g_want[i] = want[i];
    g_spine_next = 0;
    *out = (rt_spine_source){.ncolumns = 3, .header = k_header, .next = spine_next, .close = spine_close};
    return true;
}

/* A spine from an opener is checked as a CSV spine: the needed columns with their types are
 * asked for, rows with an empty or bad ts are skipped and reported by row number. */
static void test_spine_source(void **state)
{
    (void)state;
    rt_prog_key key = {.name = "k", .type = RT_INT};
    rt_prog_service svc = {.name = "s", .nkeys = 1, .keys = &key, .request_source = -1};
    rt_program p = {.nservices = 1, .services = &svc};
    rt_spine_set_opener(spine_open);
    char err[256];
    char *text = NULL;
    size_t len = 0;
    FILE *report = open_memstream(&text, &len);
    rt_spine_reader *r = rt_spine_open(&p, 0, "q.parquet", report, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(g_nwant, 2);
    assert_string_equal(g_want[0].name, "ts");
    assert_int_equal(g_want[0].type, RT_TIMESTAMP);
    assert_string_equal(g_want[1].name, "k");
    assert_int_equal(g_want[1].type, RT_INT);
    assert_int_equal(rt_spine_ncolumns(r), 3);
    rt_spine_row row;
    assert_int_equal(rt_spine_next(r, &row, err, sizeof err), RT_SPINE_ROW);
    assert_int_equal(row.line, 1);
    assert_int_equal(row.ts, 1704067200000000LL);
    assert_int_equal(row.keys[0].v.i, 7);
    assert_true(row.fields[2].quoted && row.fields[2].len == 0);
    assert_int_equal(rt_spine_next(r, &row, err, sizeof err), RT_SPINE_END);
    assert_int_equal(rt_spine_reader_skipped(r), 2);
    rt_spine_close(r);
    fclose(report);
    assert_string_equal(text, "q.parquet:2: skipped spine row: column 'ts': the query time is empty\n"
                              "q.parquet:3: skipped spine row: column 'ts': expected timestamp: \"bad\"\n");
    free(text);
    rt_spine_set_opener(NULL);
    assert_null(rt_spine_open(&p, 0, "q.parquet", NULL, err, sizeof err));
    assert_non_null(strstr(err, "Parquet spines are read by featc"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_are_checked),
        cmocka_unit_test(test_no_opener),
        cmocka_unit_test(test_spine_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
