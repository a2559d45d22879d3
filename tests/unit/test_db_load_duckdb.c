/* test_db_load_duckdb.c - DuckDB loads across chunk boundaries: every type, nulls, rollback, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "db.h"

#include <duckdb.h>

#include <float.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The loader appends whole chunks of duckdb_vector_size() rows and keeps a ring of up to 64
 * of them; these tests load row counts around those sizes and read every value back. */
#define RING_CHUNKS 64

static int64_t chunk_rows(void) { return (int64_t)duckdb_vector_size(); }

/* ---- the expected values, computed from the row number alone ---- */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

enum { NCOLS = 6, MAX_STR = 64 };
static const char *const k_names[NCOLS] = {"id", "b", "i", "f", "s", "ts"};
static const rt_type k_types[NCOLS] = {RT_INT, RT_BOOL, RT_INT, RT_FLOAT, RT_STRING, RT_TIMESTAMP};

/* String of row k (NUL-terminated in buf[MAX_STR]); lengths 0..39 bytes, so empty, inlined
 * (up to 12 bytes), exactly 12 and 13, and long ones; every fifth starts with two-byte and
 * three-byte UTF-8 characters. */
static size_t string_of(int64_t k, char *buf)
{
    size_t len = (size_t)((k * 7) % 40), n = 0;
    if (k % 5 == 0 && len >= 5) {
        memcpy(buf, "\xc3\xa9\xe2\x9c\x93", 5); /* é ✓ */
        n = 5;
    }
    for (; n < len; n++)
        buf[n] = (char)('a' + (k + (int64_t)n) % 26);
    buf[n] = '\0';
    return n;
}

static double float_of(int64_t k)
{
    static const double special[] = {-0.0, INFINITY, -INFINITY, DBL_MAX, 5e-324, DBL_MIN, 0.1};
    if (k % 97 == 1)
        return special[(k / 97) % 7];
    return (double)(int64_t)(mix64((uint64_t)k) >> 11) * 0x1p-20 - 1e9;
}

/* Whether column j of row k is null: a different period per column, and column b null for a
 * whole chunk (rows chunk_rows() .. 2 * chunk_rows() - 1). */
static bool null_at(int64_t k, int j)
{
    static const int period[NCOLS] = {0, 7, 11, 13, 17, 19};
    if (j == 0)
        return false;
    if (j == 1 && k >= chunk_rows() && k < 2 * chunk_rows())
        return true;
    return k % period[j] == (period[j] / 2);
}

/* Fills row[NCOLS] with row k; strings point into sbuf[MAX_STR]. */
static void row_of(int64_t k, rt_slot *row, char *sbuf)
{
    memset(row, 0, NCOLS * sizeof *row);
    row[0].v.i = k;
    row[1].v.i = (k / 3) % 2;
    row[2].v.i = (int64_t)mix64((uint64_t)k * 31 + 7);
    row[3].v.f = float_of(k);
    row[4].len = (uint32_t)string_of(k, sbuf);
    row[4].v.s = sbuf;
    row[5].v.i = INT64_C(1700000000000000) + k * 1000003 - (k % 3 == 0 ? (INT64_C(1) << 40) : 0);
    for (int j = 0; j < NCOLS; j++)
        row[j].null = null_at(k, j);
}

/* ---- fixtures and helpers ---- */

static int setup(void **state)
{
    char err[1024] = "";
    db_conn *c = db_open("duckdb::memory:", err, sizeof err);
    if (!c)
        fail_msg("open: %s", err);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    db_close(*state);
    return 0;
}

static void must_exec(db_conn *c, const char *sql)
{
    char err[1024];
    if (db_exec(c, sql, err, sizeof err) != 0)
        fail_msg("exec %s: %s", sql, err);
}

static int keep_first(void *ctx, const rt_slot *row)
{
    *(rt_slot *)ctx = row[0];
    return 0;
}

/* The one integer a query returns (asserting it is not null). */
static int64_t one_int(db_conn *c, const char *sql)
{
    rt_slot v;
    memset(&v, 0, sizeof v);
    v.null = 1;
    char err[1024];
    rt_type t = RT_INT;
    if (db_query(c, sql, 1, &t, keep_first, &v, err, sizeof err) != 0)
        fail_msg("%s: %s", sql, err);
    assert_false(v.null);
    return v.v.i;
}

static int64_t duck_threads(db_conn *c)
{
    return one_int(c, "SELECT CAST(current_setting('threads') AS BIGINT)");
}

/* Loads rows 0..n-1 into table, asserting success. */
static void load_rows(db_conn *c, const char *table, int64_t n)
{
    char err[1024] = "";
    db_loader *l = db_load_begin(c, table, NCOLS, k_names, k_types, err, sizeof err);
    if (!l)
        fail_msg("load_begin: %s", err);
    rt_slot row[NCOLS];
    char sbuf[MAX_STR];
    for (int64_t k = 0; k < n; k++) {
        row_of(k, row, sbuf);
        if (db_load_row(l, row) != 0) {
            db_load_end(l, err, sizeof err);
            fail_msg("row %lld: %s", (long long)k, err);
        }
    }
    if (db_load_end(l, err, sizeof err) != 0)
        fail_msg("load_end: %s", err);
}

/* Compares each row a query returns with row_of(its id); counts them in *seen. */
typedef struct check_ctx {
    int64_t seen;
} check_ctx;

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int check_row(void *ctx, const rt_slot *got)
{
    check_ctx *cc = ctx;
    int64_t k = got[0].v.i;
    if (got[0].null || k != cc->seen)
        fail_msg("row %lld: id %lld (null %d), expected %lld", (long long)cc->seen,
                 (long long)k, got[0].null, (long long)cc->seen);
    rt_slot want[NCOLS];
    char sbuf[MAX_STR];
    row_of(k, want, sbuf);
    for (int j = 1; j < NCOLS; j++) {
        if (got[j].null != want[j].null)
            fail_msg("row %lld column %s: null %d, expected %d", (long long)k, k_names[j],
                     got[j].null, want[j].null);
        if (want[j].null)
            continue;
        bool ok = true;
        switch (k_types[j]) {
        case RT_BOOL:
        case RT_INT:
        case RT_TIMESTAMP: ok = got[j].v.i == want[j].v.i; break;
        case RT_FLOAT: ok = same_bits(got[j].v.f, want[j].v.f); break;
        case RT_STRING:
            ok = got[j].len == want[j].len && memcmp(got[j].v.s, want[j].v.s, want[j].len) == 0;
            break;
        }
        if (!ok)
            fail_msg("row %lld column %s differs", (long long)k, k_names[j]);
    }
    cc->seen++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads table back and checks every value, the row count, and what DuckDB computes over the
 * strings and nulls (distinct strings, their bytes, an equality filter, nulls of b). */
static void check_table(db_conn *c, const char *table, int64_t n)
{
    char sql[256], err[1024];
    snprintf(sql, sizeof sql, "SELECT id, b, i, f, s, ts FROM %s ORDER BY id", table);
    check_ctx cc = {0};
    if (db_query(c, sql, NCOLS, k_types, check_row, &cc, err, sizeof err) != 0)
        fail_msg("%s: %s", sql, err);
    assert_int_equal(cc.seen, n);
    if (n == 0)
        return;

    /* brute force over the expected strings */
    char **strs = calloc((size_t)n, sizeof *strs);
    assert_non_null(strs);
    int64_t m = 0, same_as_row1 = 0, bytes = 0;
    char row1[MAX_STR];
    string_of(1, row1);
    for (int64_t k = 0; k < n; k++) {
        if (null_at(k, 4))
            continue;
        strs[m] = malloc(MAX_STR);
        assert_non_null(strs[m]);
        bytes += (int64_t)string_of(k, strs[m]);
        same_as_row1 += strcmp(strs[m], row1) == 0;
        m++;
    }
    qsort(strs, (size_t)m, sizeof *strs, cmp_str);
    int64_t distinct = 0;
    for (int64_t i = 0; i < m; i++)
        distinct += i == 0 || strcmp(strs[i], strs[i - 1]) != 0;
    for (int64_t i = 0; i < m; i++)
        free(strs[i]);
    free(strs);

    snprintf(sql, sizeof sql, "SELECT count(s) FROM %s", table);
    assert_int_equal(one_int(c, sql), m);
    snprintf(sql, sizeof sql, "SELECT count(DISTINCT s) FROM %s", table);
    assert_int_equal(one_int(c, sql), distinct);
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(strlen(s)), 0) FROM %s", table);
    assert_int_equal(one_int(c, sql), bytes);
    if (!null_at(1, 4)) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE s = '%s'", table, row1);
        assert_int_equal(one_int(c, sql), same_as_row1);
    }
    int64_t nulls_b = 0;
    for (int64_t k = 0; k < n; k++)
        nulls_b += null_at(k, 1);
    snprintf(sql, sizeof sql, "SELECT count(*) - count(b) FROM %s", table);
    assert_int_equal(one_int(c, sql), nulls_b);
}

/* ---- tests ---- */

/* Row counts around the chunk size, up to more chunks than the ring holds. */
static void test_row_counts(void **state)
{
    db_conn *c = *state;
    int64_t cr = chunk_rows();
    const int64_t counts[] = {0, 1, cr - 1, cr, cr + 1, 2 * cr, 5000,
                              (RING_CHUNKS + 3) * cr + 5};
    int64_t threads = duck_threads(c);
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        load_rows(c, "t", counts[i]);
        check_table(c, "t", counts[i]);
        assert_int_equal(duck_threads(c), threads); /* put back after the load */
    }
}

/* The same with one CPU: no appending thread, one chunk reused for every append (so nulls and
 * strings of one chunk must not leak into the next). */
static void test_one_cpu(void **state)
{
    db_conn *c = *state;
    cpu_set_t saved, one;
    assert_int_equal(sched_getaffinity(0, sizeof saved, &saved), 0);
    CPU_ZERO(&one);
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &saved)) {
            CPU_SET(i, &one);
            break;
        }
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    int64_t n = 3 * chunk_rows() + 77;
    load_rows(c, "t1", n);
    assert_int_equal(sched_setaffinity(0, sizeof saved, &saved), 0);
    check_table(c, "t1", n);
}

/* Schema-qualified tables load the same way. */
static void test_schema_table(void **state)
{
    db_conn *c = *state;
    load_rows(c, "raw.events", 5000);
    check_table(c, "raw.events", 5000);
}

/* Aborting, at any point of a big load, leaves the previous table as it was. */
static void test_abort_rolls_back(void **state)
{
    db_conn *c = *state;
    load_rows(c, "keep", 3);
    int64_t threads = duck_threads(c);
    const int64_t stops[] = {0, 10, chunk_rows() + 1, (RING_CHUNKS + 5) * chunk_rows()};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        char err[1024];
        db_loader *l = db_load_begin(c, "keep", NCOLS, k_names, k_types, err, sizeof err);
        assert_non_null(l);
        rt_slot row[NCOLS];
        char sbuf[MAX_STR];
        for (int64_t k = 0; k < stops[i]; k++) {
            row_of(k + 1000, row, sbuf);
            assert_int_equal(db_load_row(l, row), 0);
        }
        db_load_abort(l);
        check_table(c, "keep", 3);
        assert_int_equal(duck_threads(c), threads);
    }
    /* a table that did not exist before does not exist after */
    char err[1024];
    db_loader *l = db_load_begin(c, "never", NCOLS, k_names, k_types, err, sizeof err);
    assert_non_null(l);
    rt_slot row[NCOLS];
    char sbuf[MAX_STR];
    for (int64_t k = 0; k < 3 * chunk_rows(); k++) {
        row_of(k, row, sbuf);
        assert_int_equal(db_load_row(l, row), 0);
    }
    db_load_abort(l);
    db_columns cols;
    assert_int_equal(db_table_columns(c, "never", &cols, err, sizeof err), 0);
    must_exec(c, "CREATE TABLE after_abort (x INTEGER)");
}

/* A bad string after several chunks have gone to the appender fails the load at its row, and
 * nothing of it stays. */
static void test_bad_row_late(void **state)
{
    db_conn *c = *state;
    load_rows(c, "keep", 3);
    int64_t bad = 3 * chunk_rows() + 5;
    char err[1024];
    db_loader *l = db_load_begin(c, "keep", NCOLS, k_names, k_types, err, sizeof err);
    assert_non_null(l);
    rt_slot row[NCOLS];
    char sbuf[MAX_STR];
    for (int64_t k = 0; k < bad; k++) {
        row_of(k, row, sbuf);
        assert_int_equal(db_load_row(l, row), 0);
    }
    row_of(bad, row, sbuf);
    row[4].null = 0;
    row[4].v.s = "caf\xe9 au lait, long enough";
    row[4].len = (uint32_t)strlen(row[4].v.s);
    assert_int_equal(db_load_row(l, row), -1);
    assert_int_equal(db_load_end(l, err, sizeof err), -1);
    char want[256];
    snprintf(want, sizeof want,
             "loading table \"keep\", row %lld, column \"s\": the string is not valid UTF-8",
             (long long)bad + 1);
    assert_string_equal(err, want);
    check_table(c, "keep", 3);
}

/* When DuckDB cannot take a chunk (here: out of memory), the load fails with a message naming
 * the table and the rows of that chunk, and is rolled back. */
static void test_append_fails(void **state)
{
    db_conn *c = *state;
    load_rows(c, "keep", 3);
    int64_t threads = duck_threads(c);
    must_exec(c, "SET memory_limit = '1MB'");
    const char *names[] = {"k", "s"};
    const rt_type types[] = {RT_INT, RT_STRING};
    char err[1024] = "";
    db_loader *l = db_load_begin(c, "keep", 2, names, types, err, sizeof err);
    assert_non_null(l);
    char big[200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    int64_t k = 0, failed_at = -1;
    for (; k < 400000 && failed_at < 0; k++) {
        rt_slot row[2];
        memset(row, 0, sizeof row);
        row[0].v.i = k;
        row[1].v.s = big;
        row[1].len = (uint32_t)strlen(big);
        if (db_load_row(l, row) != 0)
            failed_at = k;
    }
    int end = db_load_end(l, err, sizeof err);
    must_exec(c, "SET memory_limit = '1GB'");
    if (failed_at < 0 && end == 0)
        fail_msg("400000 rows of 199 bytes loaded under a 1MB memory limit");
    assert_int_equal(end, -1);
    if (strncmp(err, "loading table \"keep\", while appending rows ", 43) != 0)
        fail_msg("failed at row %lld: %s", (long long)failed_at, err);
    assert_non_null(strstr(err, ": DuckDB: "));
    assert_null(strchr(err, '\n'));
    long long first = 0, last = 0;
    assert_int_equal(sscanf(err, "loading table \"keep\", while appending rows %lld to %lld", &first, &last), 2);
    assert_true(first >= 1 && last - first + 1 <= chunk_rows() && (first - 1) % chunk_rows() == 0);
    check_table(c, "keep", 3);
    assert_int_equal(duck_threads(c), threads);
    load_rows(c, "after", 5000); /* the connection loads normally again */
    check_table(c, "after", 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_row_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_cpu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_row_late, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
