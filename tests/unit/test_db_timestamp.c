/* test_db_timestamp.c - engine timestamp columns of DuckDB and PostgreSQL read as exact epoch microseconds, and back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct fx {
    db_dialect d;
    db_conn *c;
    char ns[64]; /* PostgreSQL: this run's private schema */
} fx;

/* $FEATC_PG_URL, else what scripts/pg-start.sh prints (fails, never skips, without one). */
static const char *pg_url(void)
{
    static char url[512];
    if (url[0])
        return url;
    const char *env = getenv("FEATC_PG_URL");
    if (env && *env) {
        snprintf(url, sizeof url, "%s", env);
        return url;
    }
    FILE *p = popen("bash scripts/pg-start.sh", "r");
    if (!p)
        fail_msg("cannot run scripts/pg-start.sh");
    if (!fgets(url, sizeof url, p))
        url[0] = '\0';
    int status = pclose(p);
    url[strcspn(url, "\r\n")] = '\0';
    if (status != 0 || strncmp(url, "postgresql://", 13) != 0)
        fail_msg("scripts/pg-start.sh could not start PostgreSQL (said \"%s\")", url);
    return url;
}

static void must_exec(db_conn *c, const char *sql)
{
    char err[1024];
    if (db_exec(c, sql, err, sizeof err) != 0)
        fail_msg("exec %s: %s", sql, err);
}

static int setup_for(void **state, db_dialect d)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->d = d;
    char err[1024];
    f->c = db_open(d == DB_DUCKDB ? "duckdb::memory:" : d == DB_SQLITE ? "sqlite::memory:" : pg_url(), err,
                   sizeof err);
    if (!f->c)
        fail_msg("open: %s", err);
    if (d == DB_POSTGRES) {
        snprintf(f->ns, sizeof f->ns, "featc_ts_test_%ld", (long)getpid());
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE SCHEMA \"%s\"; SET search_path TO \"%s\"", f->ns, f->ns);
        must_exec(f->c, sql);
    }
    *state = f;
    return 0;
}

static int setup_duckdb(void **state) { return setup_for(state, DB_DUCKDB); }
static int setup_sqlite(void **state) { return setup_for(state, DB_SQLITE); }
static int setup_postgres(void **state) { return setup_for(state, DB_POSTGRES); }

static int teardown(void **state)
{
    fx *f = *state;
    if (f->d == DB_POSTGRES) {
        char sql[160];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS \"%s\" CASCADE", f->ns);
        must_exec(f->c, sql);
    }
    db_close(f->c);
    free(f);
    return 0;
}

/* Collects one int column of a query. */
typedef struct ints {
    int n;
    int64_t v[32];
    bool null[32];
} ints;

static int keep_int(void *ctx, const rt_slot *row)
{
    ints *r = ctx;
    assert_true(r->n < 32);
    r->null[r->n] = row[0].null;
    r->v[r->n++] = row[0].v.i;
    return 0;
}

/* Reads column col of table t (kind from the catalog) through db_timestamp_sql, by id. */
static void read_column(fx *f, const char *col, ints *out)
{
    char err[1024];
    db_columns cols;
    assert_int_equal(db_table_columns(f->c, "t", &cols, err, sizeof err), 1);
    int k = db_columns_find(&cols, f->d, col);
    assert_true(k >= 0);
    assert_true(db_coltype_fits(f->d, cols.cols[k].type, RT_TIMESTAMP));
    strbuf sql = STRBUF_INIT, q = STRBUF_INIT;
    db_quote_ident(f->d, col, &q);
    strbuf_append(&sql, "SELECT ");
    db_timestamp_sql(f->d, cols.cols[k].type, strbuf_cstr(&q), &sql);
    strbuf_append(&sql, " FROM t ORDER BY id");
    db_columns_free(&cols);
    memset(out, 0, sizeof *out);
    rt_type it = RT_TIMESTAMP;
    if (db_query(f->c, strbuf_cstr(&sql), 1, &it, keep_int, out, err, sizeof err) != 0)
        fail_msg("%s: %s", strbuf_cstr(&sql), err);
    strbuf_free(&sql);
    strbuf_free(&q);
}

#define US_2024 INT64_C(1709296496123456) /* 2024-03-01 12:34:56.123456 UTC */

/* Timestamps with and without a time zone, before 1970, at the ends of the years
 * 1..9999, infinite and null, all read exactly. */
static void test_read_exactly(void **state)
{
    fx *f = *state;
    if (f->d == DB_DUCKDB) {
        /* a session zone far from UTC: an instant does not depend on it */
        must_exec(f->c, "SET TimeZone = 'America/New_York'");
        must_exec(f->c, "CREATE TABLE t (id INTEGER, a TIMESTAMP, b TIMESTAMP WITH TIME ZONE, s TIMESTAMP_S, "
                        "ms TIMESTAMP_MS, ns TIMESTAMP_NS)");
        must_exec(f->c, "INSERT INTO t VALUES "
                        "(1, '2024-03-01 12:34:56.123456', '2024-03-01 14:34:56.123456+02', '2024-03-01 12:34:56', "
                        "   '2024-03-01 12:34:56.123', '2024-03-01 12:34:56.123456'), "
                        "(2, '1969-12-31 23:59:59.999999', '1969-12-31 19:59:59.999999-04', '1969-12-31 23:59:59', "
                        "   '1969-12-31 23:59:59.999', '1969-12-31 23:59:59.999999001'), "
                        "(3, '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', NULL, NULL, NULL), "
                        "(4, '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00', NULL, NULL, NULL), "
                        "(5, 'infinity', '-infinity', NULL, NULL, NULL), "
                        "(6, NULL, NULL, NULL, NULL, NULL)");
    } else if (f->d == DB_POSTGRES) {
        must_exec(f->c, "CREATE TABLE t (id integer, a timestamp, b timestamptz, s timestamp(0), "
                        "ms timestamp(3) with time zone, ns timestamp)");
        must_exec(f->c, "INSERT INTO t VALUES "
                        "(1, '2024-03-01 12:34:56.123456', '2024-03-01 14:34:56.123456+02', '2024-03-01 12:34:56', "
                        "   '2024-03-01 12:34:56.123+00', '2024-03-01 12:34:56.123456'), "
                        "(2, '1969-12-31 23:59:59.999999', '1969-12-31 19:59:59.999999-04', '1969-12-31 23:59:59', "
                        "   '1969-12-31 23:59:59.999+00', NULL), "
                        "(3, '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', NULL, NULL, NULL), "
                        "(4, '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00', NULL, NULL, NULL), "
                        "(5, 'infinity', '-infinity', NULL, NULL, NULL), "
                        "(6, NULL, NULL, NULL, NULL, NULL)");
    } else {
        /* SQLite has no timestamp type: an INTEGER column of microseconds is read as it is */
        must_exec(f->c, "CREATE TABLE t (id INTEGER, a INTEGER)");
        must_exec(f->c, "INSERT INTO t VALUES (1, 1709296496123456), (2, -1), (3, NULL)");
        ints r;
        read_column(f, "a", &r);
        assert_int_equal(r.n, 3);
        assert_int_equal(r.v[0], US_2024);
        assert_int_equal(r.v[1], -1);
        assert_true(r.null[2]);
        char err[512];
        must_exec(f->c, "CREATE TABLE d (ts DATETIME)");
        const char *ts[] = {"ts"};
        const rt_type as_ts[] = {RT_TIMESTAMP};
        assert_int_equal(db_check_table(f->c, "d", 1, ts, as_ts, err, sizeof err), -1);
        assert_non_null(strstr(err, "SQLite has no timestamp type"));
        return;
    }
    static const int64_t want_a[] = {US_2024, -1, INT64_C(-62135596800000000), INT64_C(253402300799999999)};
    ints r;
    for (int c = 0; c < 2; c++) {
        read_column(f, c ? "b" : "a", &r);
        assert_int_equal(r.n, 6);
        for (int i = 0; i < 4; i++)
            if (r.null[i] || r.v[i] != want_a[i])
                fail_msg("column %s row %d: %lld, expected %lld", c ? "b" : "a", i + 1, (long long)r.v[i],
                         (long long)want_a[i]);
        assert_true(r.null[4]); /* infinity */
        assert_true(r.null[5]);
    }
    read_column(f, "s", &r);
    assert_int_equal(r.v[0], US_2024 - 123456);
    assert_int_equal(r.v[1], -1000000);
    read_column(f, "ms", &r);
    assert_int_equal(r.v[0], US_2024 - 456);
    assert_int_equal(r.v[1], -1000);
    read_column(f, "ns", &r);
    assert_int_equal(r.v[0], US_2024);
    assert_true(r.null[1]); /* DuckDB: between two microseconds; PostgreSQL: null */
}

/* Epoch microseconds into the engine's timestamp and back give the same number. */
static void test_round_trip(void **state)
{
    fx *f = *state;
    static const int64_t us[] = {0, 1, -1, US_2024, INT64_C(-62135596800000000), INT64_C(253402300799999999),
                                 INT64_C(-86400000001), INT64_C(86399999999)};
    int n = (int)(sizeof us / sizeof us[0]);
    strbuf sql = STRBUF_INIT, conv = STRBUF_INIT;
    db_timestamp_from_us_sql(f->d, "x", &conv);
    strbuf_append(&sql, "SELECT ");
    db_timestamp_sql(f->d, f->d == DB_SQLITE ? DB_COL_INT : DB_COL_TIMESTAMP, "y", &sql);
    strbuf_appendf(&sql, " FROM (SELECT i, %s AS y FROM (", strbuf_cstr(&conv));
    for (int i = 0; i < n; i++)
        strbuf_appendf(&sql, "%sSELECT %d AS i, CAST(%lld AS BIGINT) AS x", i ? " UNION ALL " : "", i,
                       (long long)us[i]);
    strbuf_append(&sql, ") AS v) AS w ORDER BY i");
    ints r = {0};
    char err[1024];
    rt_type it = RT_TIMESTAMP;
    if (db_query(f->c, strbuf_cstr(&sql), 1, &it, keep_int, &r, err, sizeof err) != 0)
        fail_msg("%s: %s", strbuf_cstr(&sql), err);
    assert_int_equal(r.n, n);
    for (int i = 0; i < n; i++)
        if (r.null[i] || r.v[i] != us[i])
            fail_msg("%lld came back as %lld", (long long)us[i], (long long)r.v[i]);
    strbuf_free(&sql);
    strbuf_free(&conv);
}

#define PER_DB(fn)                                                                                \
    {#fn " (DuckDB)", fn, setup_duckdb, teardown, NULL},                                          \
        {#fn " (SQLite)", fn, setup_sqlite, teardown, NULL},                                      \
        {#fn " (PostgreSQL)", fn, setup_postgres, teardown, NULL}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PER_DB(test_read_exactly),
        PER_DB(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
