/* test_db.c - the database layer on DuckDB, SQLite and PostgreSQL: loads, queries, quoting, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "db.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- fixtures ---- */

typedef struct fx {
    db_dialect d;
    db_conn *c;
    char ns[64];   /* PostgreSQL: this run's private schema (also the search_path) */
    char raw[96];  /* a schema name for schema-qualified tables, private to this run */
    char odd[128]; /* a hostile schema name, private to this run */
} fx;

/* The PostgreSQL URI: $FEATC_PG_URL, else what scripts/pg-start.sh prints. Fails the test
 * (never skips) when no server can be had. */
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
    if (access("scripts/pg-start.sh", R_OK) != 0)
        fail_msg("FEATC_PG_URL is unset and scripts/pg-start.sh is not here: run the tests from "
                 "the repository root or set FEATC_PG_URL");
    FILE *p = popen("bash scripts/pg-start.sh", "r");
    if (!p)
        fail_msg("cannot run scripts/pg-start.sh");
    char line[512] = "";
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    int status = pclose(p);
    line[strcspn(line, "\r\n")] = '\0';
    if (status != 0 || strncmp(line, "postgresql://", 13) != 0)
        fail_msg("scripts/pg-start.sh could not start PostgreSQL (exit %d, said \"%s\")",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, line);
    snprintf(url, sizeof url, "%s", line);
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
    static int serial;
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->d = d;
    char err[1024] = "";
    if (d == DB_DUCKDB)
        f->c = db_open("duckdb::memory:", err, sizeof err);
    else if (d == DB_SQLITE)
        f->c = db_open("sqlite::memory:", err, sizeof err);
    else
        f->c = db_open(pg_url(), err, sizeof err);
    if (!f->c)
        fail_msg("open: %s", err);
    assert_int_equal(db_conn_dialect(f->c), d);
    if (d == DB_POSTGRES) {
        /* Other test runs share the server: keep to schemas of our own. */
        snprintf(f->ns, sizeof f->ns, "featc_test_%ld_%d", (long)getpid(), ++serial);
        snprintf(f->raw, sizeof f->raw, "%s_raw", f->ns);
        snprintf(f->odd, sizeof f->odd, "%s_we\"ird", f->ns);
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE SCHEMA \"%s\"; SET search_path TO \"%s\"", f->ns, f->ns);
        must_exec(f->c, sql);
    } else {
        snprintf(f->raw, sizeof f->raw, "raw");
        snprintf(f->odd, sizeof f->odd, "we\"ird");
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
        strbuf sql = STRBUF_INIT;
        const char *schemas[] = {f->ns, f->raw, f->odd};
        for (int i = 0; i < 3; i++) {
            strbuf_append(&sql, "DROP SCHEMA IF EXISTS ");
            db_quote_ident(DB_POSTGRES, schemas[i], &sql);
            strbuf_append(&sql, " CASCADE;");
        }
        must_exec(f->c, sql.data);
        strbuf_free(&sql);
    }
    db_close(f->c);
    free(f);
    return 0;
}

/* ---- helpers ---- */

/* Rows collected from a query (string bytes copied by collect_typed). */
typedef struct rows {
    int ncols;
    int n, cap;
    rt_slot *v; /* n * ncols */
} rows;

static int collect(void *ctx, const rt_slot *row)
{
    rows *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = realloc(r->v, (size_t)r->cap * (size_t)r->ncols * sizeof *r->v);
        assert_non_null(r->v);
    }
    memcpy(&r->v[(size_t)r->n * (size_t)r->ncols], row, (size_t)r->ncols * sizeof *row);
    r->n++;
    return 0;
}

/* Runs a query into r, copying string columns (types needed to know which they are). */
typedef struct rows_ctx {
    rows *r;
    const rt_type *types;
} rows_ctx;

static int collect_typed(void *ctx, const rt_slot *row)
{
    rows_ctx *rc = ctx;
    collect(rc->r, row);
    rt_slot *dst = &rc->r->v[(size_t)(rc->r->n - 1) * (size_t)rc->r->ncols];
    for (int j = 0; j < rc->r->ncols; j++)
        if (rc->types[j] == RT_STRING && !row[j].null) {
            char *s = malloc(row[j].len + 1);
            assert_non_null(s);
            memcpy(s, row[j].len ? row[j].v.s : "", row[j].len);
            s[row[j].len] = '\0';
            dst[j].v.s = s;
        }
    return 0;
}

static void rows_free(rows *r, const rt_type *types)
{
    for (int i = 0; i < r->n; i++)
        for (int j = 0; j < r->ncols; j++) {
            rt_slot *s = &r->v[(size_t)i * (size_t)r->ncols + (size_t)j];
            if (types[j] == RT_STRING && !s->null)
                free((char *)s->v.s);
        }
    free(r->v);
    memset(r, 0, sizeof *r);
}

static int query_rows(db_conn *c, const char *sql, int ncols, const rt_type *types, rows *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->ncols = ncols;
    rows_ctx ctx = {out, types};
    return db_query(c, sql, ncols, types, collect_typed, &ctx, err, errlen);
}

static rt_slot s_null(void)
{
    rt_slot s;
    memset(&s, 0, sizeof s);
    s.null = 1;
    return s;
}

static rt_slot s_int(int64_t v)
{
    rt_slot s;
    memset(&s, 0, sizeof s);
    s.v.i = v;
    return s;
}

static rt_slot s_float(double v)
{
    rt_slot s;
    memset(&s, 0, sizeof s);
    s.v.f = v;
    return s;
}

static rt_slot s_str(const char *v)
{
    rt_slot s;
    memset(&s, 0, sizeof s);
    s.v.s = v;
    s.len = (uint32_t)strlen(v);
    return s;
}

/* Loads rows (n rows of ncols slots) into table, asserting success. */
static void must_load(db_conn *c, const char *table, int ncols, const char *const *names,
                      const rt_type *types, int n, const rt_slot *data)
{
    char err[1024] = "";
    db_loader *l = db_load_begin(c, table, ncols, names, types, err, sizeof err);
    if (!l)
        fail_msg("load_begin %s: %s", table, err);
    for (int i = 0; i < n; i++)
        assert_int_equal(db_load_row(l, &data[(size_t)i * (size_t)ncols]), 0);
    if (db_load_end(l, err, sizeof err) != 0)
        fail_msg("load_end %s: %s", table, err);
}

static int64_t count_rows(db_conn *c, const char *table)
{
    strbuf sql = STRBUF_INIT;
    strbuf_append(&sql, "SELECT count(*) FROM ");
    db_quote_table(db_conn_dialect(c), table, &sql);
    rt_type t = RT_INT;
    rows r;
    char err[1024];
    if (query_rows(c, sql.data, 1, &t, &r, err, sizeof err) != 0)
        fail_msg("count %s: %s", table, err);
    assert_int_equal(r.n, 1);
    int64_t n = r.v[0].v.i;
    rows_free(&r, &t);
    strbuf_free(&sql);
    return n;
}

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* ---- round trip of every type ---- */

static const char *const k_strings[] = {
    "",
    "plain",
    "it's",
    "a,b,\"c\"",
    "line\nbreak",
    "tab\there",
    "back\\slash \\N \\\\ \\.",
    "cr\rlf\r\n",
    "'; DROP TABLE t; --",
    "unicode: h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x89",
    "  leading and trailing  ",
    "NULL",
};
#define N_STRINGS ((int)(sizeof k_strings / sizeof k_strings[0]))

static const int64_t k_ints[] = {0, 1, -1, INT64_MIN, INT64_MAX, (INT64_C(1) << 53) + 1,
                                 -1234567890123};
#define N_INTS ((int)(sizeof k_ints / sizeof k_ints[0]))

static const int64_t k_times[] = {0, -1, INT64_MIN, INT64_MAX, INT64_C(1700000000123456),
                                  INT64_C(-62135596800000000)};
#define N_TIMES ((int)(sizeof k_times / sizeof k_times[0]))

enum { RT_COLS = 6, RT_ROWS = 120 };

/* The value table: row k, column j; deterministic, with nulls sprinkled in every column. */
static void roundtrip_data(rt_slot *data, const double *floats, int nfloats, const char *longstr)
{
    for (int k = 0; k < RT_ROWS; k++) {
        rt_slot *r = &data[k * RT_COLS];
        r[0] = s_int(k);
        r[1] = k % 3 == 2 ? s_null() : s_int(k % 2);
        r[2] = k % 5 == 4 ? s_null() : s_int(k_ints[k % N_INTS]);
        r[3] = k % 6 == 5 ? s_null() : s_float(floats[k % nfloats]);
        r[4] = k % 7 == 6 ? s_null() : s_str(k == 50 ? longstr : k_strings[k % N_STRINGS]);
        r[5] = k % 4 == 3 ? s_null() : s_int(k_times[k % N_TIMES]);
        if (k == RT_ROWS - 1)
            for (int j = 1; j < RT_COLS; j++)
                r[j] = s_null();
    }
}

static void test_roundtrip(void **state)
{
    fx *f = *state;
    const double floats[] = {0.1,     1e308,   -0.0,        5e-324,        -1.5,
                             DBL_MAX, DBL_MIN, 1.0 / 3.0,   2.5e-310,      9007199254740993.0,
                             INFINITY, -INFINITY, 123456789.125, -2.2250738585072014e-308};
    const int nfloats = (int)(sizeof floats / sizeof floats[0]);
    char *longstr = malloc(100001);
    assert_non_null(longstr);
    for (int i = 0; i < 100000; i++)
        longstr[i] = "abc\t\n\\'\"x"[i % 10];
    longstr[100000] = '\0';
    rt_slot *data = calloc(RT_ROWS * RT_COLS, sizeof *data);
    assert_non_null(data);
    roundtrip_data(data, floats, nfloats, longstr);
    const char *names[RT_COLS] = {"id", "b", "i", "f", "s", "ts"};
    const rt_type types[RT_COLS] = {RT_INT, RT_BOOL, RT_INT, RT_FLOAT, RT_STRING, RT_TIMESTAMP};
    must_load(f->c, "every_type", RT_COLS, names, types, RT_ROWS, data);

    rows r;
    char err[1024];
    int rc = query_rows(f->c, "SELECT id, b, i, f, s, ts FROM every_type ORDER BY id", RT_COLS,
                        types, &r, err, sizeof err);
    if (rc)
        fail_msg("query: %s", err);
    assert_int_equal(r.n, RT_ROWS);
    for (int k = 0; k < RT_ROWS; k++) {
        const rt_slot *want = &data[k * RT_COLS], *got = &r.v[k * RT_COLS];
        for (int j = 0; j < RT_COLS; j++) {
            if (want[j].null != got[j].null)
                fail_msg("row %d column %s: null %d, expected %d", k, names[j], got[j].null,
                         want[j].null);
            if (want[j].null)
                continue;
            switch (types[j]) {
            case RT_BOOL:
            case RT_INT:
            case RT_TIMESTAMP:
                if (want[j].v.i != got[j].v.i)
                    fail_msg("row %d column %s: %lld, expected %lld", k, names[j],
                             (long long)got[j].v.i, (long long)want[j].v.i);
                break;
            case RT_FLOAT: {
                double w = want[j].v.f;
                /* SQLite stores whole-number REALs as integers on disk, which drops the sign
                 * of -0.0 (documented in docs/databases.md); the value is still equal. */
                if (f->d == DB_SQLITE && w == 0 && signbit(w))
                    w = 0.0;
                if (!same_bits(w, got[j].v.f))
                    fail_msg("row %d column f: %.17g, expected %.17g", k, got[j].v.f, w);
                break;
            }
            case RT_STRING:
                if (got[j].len != want[j].len || memcmp(got[j].v.s, want[j].v.s, want[j].len))
                    fail_msg("row %d column s: \"%.60s\" (%u bytes), expected \"%.60s\" (%u bytes)",
                             k, got[j].v.s, got[j].len, want[j].v.s, want[j].len);
                break;
            }
        }
    }
    rows_free(&r, types);

    /* The catalog sees the columns with the types the loader chose. */
    db_columns cols;
    assert_int_equal(db_table_columns(f->c, "every_type", &cols, err, sizeof err), 1);
    assert_int_equal(cols.n, RT_COLS);
    for (int j = 0; j < RT_COLS; j++) {
        assert_string_equal(cols.cols[j].name, names[j]);
        assert_true(db_coltype_fits(f->d, cols.cols[j].type, types[j]));
    }
    db_coltype want_b = f->d == DB_SQLITE ? DB_COL_INT : DB_COL_BOOL;
    assert_int_equal(cols.cols[1].type, want_b);
    assert_int_equal(cols.cols[3].type, DB_COL_FLOAT);
    assert_int_equal(cols.cols[4].type, DB_COL_STRING);
    db_columns_free(&cols);
    free(data);
    free(longstr);
}

/* Loading a table again replaces it, even with other columns. */
static void test_reload_replaces(void **state)
{
    fx *f = *state;
    const char *n1[] = {"a", "b"};
    const rt_type t1[] = {RT_INT, RT_STRING};
    rt_slot d1[] = {s_int(1), s_str("x"), s_int(2), s_str("y")};
    must_load(f->c, "again", 2, n1, t1, 2, d1);
    assert_int_equal(count_rows(f->c, "again"), 2);
    const char *n2[] = {"z"};
    const rt_type t2[] = {RT_FLOAT};
    rt_slot d2[] = {s_float(2.5)};
    must_load(f->c, "again", 1, n2, t2, 1, d2);
    rows r;
    char err[1024];
    assert_int_equal(query_rows(f->c, "SELECT z FROM again", 1, t2, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 1);
    assert_true(r.v[0].v.f == 2.5);
    rows_free(&r, t2);
    db_columns cols;
    assert_int_equal(db_table_columns(f->c, "again", &cols, err, sizeof err), 1);
    assert_int_equal(cols.n, 1);
    assert_string_equal(cols.cols[0].name, "z");
    db_columns_free(&cols);
}

/* An aborted or failed load leaves the previous table untouched. */
static void test_abort_and_failed_load(void **state)
{
    fx *f = *state;
    const char *names[] = {"k", "s"};
    const rt_type types[] = {RT_INT, RT_STRING};
    rt_slot d[] = {s_int(1), s_str("one"), s_int(2), s_str("two"), s_int(3), s_str("three")};
    must_load(f->c, "keep", 2, names, types, 3, d);

    char err[1024] = "";
    db_loader *l = db_load_begin(f->c, "keep", 2, names, types, err, sizeof err);
    assert_non_null(l);
    /* no other statement may interleave with the load's transaction */
    assert_int_equal(db_exec(f->c, "SELECT 1", err, sizeof err), -1);
    assert_non_null(strstr(err, "load is in progress"));
    assert_int_equal(db_load_row(l, d), 0);
    db_load_abort(l);
    assert_int_equal(count_rows(f->c, "keep"), 3);

    /* a NUL byte fails the load with a clear message and rolls it back */
    l = db_load_begin(f->c, "keep", 2, names, types, err, sizeof err);
    assert_non_null(l);
    assert_int_equal(db_load_row(l, d), 0);
    rt_slot bad[2] = {s_int(9), s_null()};
    bad[1].null = 0;
    bad[1].v.s = "a\0b";
    bad[1].len = 3;
    assert_int_equal(db_load_row(l, bad), -1);
    assert_int_equal(db_load_row(l, d), -1); /* stays failed */
    assert_int_equal(db_load_end(l, err, sizeof err), -1);
    assert_string_equal(err, "loading table \"keep\", row 2, column \"s\": the string contains a "
                             "NUL byte, which cannot be stored");
    assert_int_equal(count_rows(f->c, "keep"), 3);

    /* invalid UTF-8 is refused the same way in every dialect */
    l = db_load_begin(f->c, "keep", 2, names, types, err, sizeof err);
    assert_non_null(l);
    rt_slot bad2[2] = {s_int(9), s_str("caf\xe9")};
    assert_int_equal(db_load_row(l, bad2), -1);
    assert_int_equal(db_load_end(l, err, sizeof err), -1);
    assert_string_equal(err, "loading table \"keep\", row 1, column \"s\": the string is not "
                             "valid UTF-8");
    assert_int_equal(count_rows(f->c, "keep"), 3);

    /* the connection works normally after all that */
    must_exec(f->c, "CREATE TABLE after_abort (x INTEGER)");
}

/* Loads refuse to run inside a caller's transaction, and bad names before touching anything. */
static void test_load_misuse(void **state)
{
    fx *f = *state;
    const char *names[] = {"x"};
    const rt_type types[] = {RT_INT};
    char err[1024] = "";
    must_exec(f->c, "BEGIN");
    assert_null(db_load_begin(f->c, "in_tx", 1, names, types, err, sizeof err));
    assert_non_null(strstr(err, "transaction"));
    must_exec(f->c, "ROLLBACK");

    if (f->d == DB_SQLITE) { /* one identifier: dots are fine, but an empty name is not */
        assert_null(db_load_begin(f->c, "", 1, names, types, err, sizeof err));
        assert_string_equal(err, "invalid table name \"\": empty name or name part");
    } else {
        assert_null(db_load_begin(f->c, "a..b", 1, names, types, err, sizeof err));
        assert_string_equal(err, "invalid table name \"a..b\": empty name or name part");
        assert_null(db_load_begin(f->c, ".b", 1, names, types, err, sizeof err));
        assert_null(db_load_begin(f->c, "a.", 1, names, types, err, sizeof err));
    }
    const char *empty[] = {""};
    assert_null(db_load_begin(f->c, "t_empty_col", 1, empty, types, err, sizeof err));
    assert_string_equal(err, "invalid column name \"\": empty name or name part");
    assert_null(db_load_begin(f->c, "t_no_cols", 0, names, types, err, sizeof err));
    assert_string_equal(err, "loading table \"t_no_cols\": no columns given");
    const rt_type badtype[] = {(rt_type)99};
    assert_null(db_load_begin(f->c, "t_bad_type", 1, names, badtype, err, sizeof err));
    assert_non_null(strstr(err, "invalid type code 99"));
    if (f->d != DB_SQLITE) {
        assert_null(db_load_begin(f->c, "a.b.c", 1, names, types, err, sizeof err));
        assert_string_equal(err, "invalid table name \"a.b.c\": expected TABLE or SCHEMA.TABLE");
    }
    if (f->d == DB_POSTGRES) { /* PostgreSQL would truncate it to 63 bytes silently */
        char longname[80];
        memset(longname, 'n', 64);
        longname[64] = '\0';
        assert_null(db_load_begin(f->c, longname, 1, names, types, err, sizeof err));
        assert_non_null(strstr(err, "too long for PostgreSQL"));
        longname[63] = '\0';
        rt_slot one = s_int(1);
        must_load(f->c, longname, 1, names, types, 1, &one);
        assert_int_equal(count_rows(f->c, longname), 1);
    }
    /* a duplicate column is the database's error, reported as such */
    const char *dup[] = {"x", "x"};
    const rt_type t2[] = {RT_INT, RT_INT};
    assert_null(db_load_begin(f->c, "t_dup", 2, dup, t2, err, sizeof err));
    assert_non_null(strstr(err, "loading table \"t_dup\": "));
    assert_non_null(strstr(err, db_dialect_name(f->d)));
    /* and nothing was left half-open */
    must_exec(f->c, "CREATE TABLE after_misuse (x INTEGER)");
}

/* A schema-qualified table: DuckDB and PostgreSQL create the schema; SQLite keeps one name. */
static void test_schema_qualified(void **state)
{
    fx *f = *state;
    char table[160];
    snprintf(table, sizeof table, "%s.transactions", f->raw);
    const char *names[] = {"amount"};
    const rt_type types[] = {RT_FLOAT};
    rt_slot d[] = {s_float(1.25), s_float(-2)};
    must_load(f->c, table, 1, names, types, 2, d);
    assert_int_equal(count_rows(f->c, table), 2);
    char err[1024];
    const rt_type want[] = {RT_FLOAT};
    assert_int_equal(db_check_table(f->c, table, 1, names, want, err, sizeof err), 0);
    db_columns cols;
    /* unqualified, it is another table (one that does not exist) */
    assert_int_equal(db_table_columns(f->c, "transactions", &cols, err, sizeof err), 0);
    if (f->d == DB_SQLITE) {
        /* one table whose name contains a dot */
        rows r;
        const rt_type tn = RT_STRING;
        assert_int_equal(query_rows(f->c, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name LIKE 'raw%'",
                                    1, &tn, &r, err, sizeof err),
                         0);
        assert_int_equal(r.n, 1);
        assert_string_equal(r.v[0].v.s, "raw.transactions");
        rows_free(&r, &tn);
    }
}

/* ---- quoting ---- */

static char *quoted_ident(db_dialect d, const char *s)
{
    strbuf b = STRBUF_INIT;
    db_quote_ident(d, s, &b);
    return strbuf_detach(&b);
}

static char *quoted_table(db_dialect d, const char *s)
{
    strbuf b = STRBUF_INIT;
    db_quote_table(d, s, &b);
    return strbuf_detach(&b);
}

static char *quoted_string(db_dialect d, const char *s)
{
    strbuf b = STRBUF_INIT;
    if (db_quote_string(d, s, strlen(s), &b) != 0) {
        strbuf_free(&b);
        return NULL;
    }
    return strbuf_detach(&b);
}

#define ASSERT_QUOTE(fn, d, in, want)                                                             \
    do {                                                                                          \
        char *q_ = fn(d, in);                                                                     \
        assert_non_null(q_);                                                                      \
        assert_string_equal(q_, want);                                                            \
        free(q_);                                                                                 \
    } while (0)

/* The exact text of quoted names and literals, worked out by hand. */
static void test_quote_text(void **state)
{
    (void)state;
    for (int d = DB_DUCKDB; d <= DB_POSTGRES; d++) {
        ASSERT_QUOTE(quoted_ident, (db_dialect)d, "a\"b", "\"a\"\"b\"");
        ASSERT_QUOTE(quoted_ident, (db_dialect)d, "x\"; DROP TABLE t; --",
                     "\"x\"\"; DROP TABLE t; --\"");
        ASSERT_QUOTE(quoted_ident, (db_dialect)d, "raw.tx", "\"raw.tx\"");
        ASSERT_QUOTE(quoted_ident, (db_dialect)d, "", "\"\"");
    }
    ASSERT_QUOTE(quoted_table, DB_DUCKDB, "raw.tx", "\"raw\".\"tx\"");
    ASSERT_QUOTE(quoted_table, DB_POSTGRES, "r\"w.t\"x", "\"r\"\"w\".\"t\"\"x\"");
    ASSERT_QUOTE(quoted_table, DB_SQLITE, "raw.tx", "\"raw.tx\"");
    ASSERT_QUOTE(quoted_table, DB_POSTGRES, "tx", "\"tx\"");

    ASSERT_QUOTE(quoted_string, DB_DUCKDB, "it's", "'it''s'");
    ASSERT_QUOTE(quoted_string, DB_SQLITE, "it's", "'it''s'");
    ASSERT_QUOTE(quoted_string, DB_POSTGRES, "it's", "E'it''s'");
    ASSERT_QUOTE(quoted_string, DB_DUCKDB, "a\\b", "'a\\b'");
    ASSERT_QUOTE(quoted_string, DB_SQLITE, "a\\b", "'a\\b'");
    ASSERT_QUOTE(quoted_string, DB_POSTGRES, "a\\b", "E'a\\\\b'");
    ASSERT_QUOTE(quoted_string, DB_POSTGRES, "\\'", "E'\\\\'''");
    ASSERT_QUOTE(quoted_string, DB_SQLITE, "", "''");
    for (int d = DB_DUCKDB; d <= DB_POSTGRES; d++) {
        strbuf b = STRBUF_INIT;
        strbuf_append(&b, "keep");
        assert_int_equal(db_quote_string((db_dialect)d, "a\0b", 3, &b), -1);
        assert_int_equal(db_quote_string((db_dialect)d, "\xc0\xaf", 2, &b), -1); /* overlong '/' */
        assert_int_equal(db_quote_string((db_dialect)d, "\xed\xa0\x80", 3, &b), -1); /* surrogate */
        assert_int_equal(db_quote_string((db_dialect)d, "\xf4\x90\x80\x80", 4, &b), -1);
        assert_int_equal(db_quote_string((db_dialect)d, "\xe2\x9c", 2, &b), -1); /* cut short */
        assert_string_equal(strbuf_cstr(&b), "keep"); /* nothing appended on refusal */
        assert_int_equal(db_quote_string((db_dialect)d, "\xf0\x9f\x8e\x89", 4, &b), 0);
        strbuf_free(&b);
    }
}

static const char *const k_hostile_literals[] = {
    "it's",
    "'; DROP TABLE sentinel; --",
    "\\'; DROP TABLE sentinel; --",
    "\\",
    "\\\\",
    "'",
    "''",
    "\\x41\\n",
    "E'x'",
    "$$; DROP TABLE sentinel; $$",
    "multi\nline\r\n\ttab",
    "\"double\"",
    "h\xc3\xa9 \xf0\x9f\x8e\x89",
    "",
};

/* Each hostile literal, quoted and selected, comes back byte for byte. */
static void check_literals(fx *f)
{
    char err[1024];
    for (size_t i = 0; i < sizeof k_hostile_literals / sizeof k_hostile_literals[0]; i++) {
        const char *s = k_hostile_literals[i];
        strbuf sql = STRBUF_INIT;
        strbuf_append(&sql, "SELECT ");
        assert_int_equal(db_quote_string(f->d, s, strlen(s), &sql), 0);
        strbuf_append(&sql, " AS v");
        rows r;
        rt_type t = RT_STRING;
        if (query_rows(f->c, sql.data, 1, &t, &r, err, sizeof err) != 0)
            fail_msg("%s: %s", sql.data, err);
        assert_int_equal(r.n, 1);
        assert_false(r.v[0].null);
        if (strcmp(r.v[0].v.s, s) != 0)
            fail_msg("literal %zu: got \"%s\" for \"%s\" via %s", i, r.v[0].v.s, s, sql.data);
        rows_free(&r, &t);
        strbuf_free(&sql);
    }
}

static void test_quote_injection(void **state)
{
    fx *f = *state;
    const char *sn[] = {"v"};
    const rt_type st[] = {RT_INT};
    rt_slot one = s_int(7);
    must_load(f->c, "sentinel", 1, sn, st, 1, &one);

    check_literals(f);
    if (f->d == DB_POSTGRES) { /* E'' literals mean the same under the old string syntax */
        must_exec(f->c, "SET standard_conforming_strings = off");
        check_literals(f);
        must_exec(f->c, "SET standard_conforming_strings = on");
    }

    /* hostile table and column names: created, read back, nothing else touched */
    const char *hostile_table = "x\"; DROP TABLE sentinel; --";
    const char *names[] = {"a\"b", "x\"; DROP TABLE sentinel; --", "select", "Mixed Case",
                           "dotted.name"};
    const rt_type types[] = {RT_INT, RT_STRING, RT_BOOL, RT_FLOAT, RT_INT};
    rt_slot row[] = {s_int(1), s_str("v'1"), s_int(1), s_float(0.5), s_int(-3)};
    must_load(f->c, hostile_table, 5, names, types, 1, row);

    char err[1024];
    db_columns cols;
    assert_int_equal(db_table_columns(f->c, hostile_table, &cols, err, sizeof err), 1);
    assert_int_equal(cols.n, 5);
    for (int j = 0; j < 5; j++)
        assert_string_equal(cols.cols[j].name, names[j]);
    db_columns_free(&cols);

    strbuf sql = STRBUF_INIT;
    strbuf_append(&sql, "SELECT ");
    for (int j = 4; j >= 0; j--) {
        db_quote_ident(f->d, names[j], &sql);
        strbuf_append(&sql, j ? ", " : " FROM ");
    }
    db_quote_table(f->d, hostile_table, &sql);
    const rt_type rtypes[] = {RT_INT, RT_FLOAT, RT_BOOL, RT_STRING, RT_INT};
    rows r;
    if (query_rows(f->c, sql.data, 5, rtypes, &r, err, sizeof err) != 0)
        fail_msg("%s: %s", sql.data, err);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.v[0].v.i, -3);
    assert_true(r.v[1].v.f == 0.5);
    assert_int_equal(r.v[2].v.i, 1);
    assert_string_equal(r.v[3].v.s, "v'1");
    assert_int_equal(r.v[4].v.i, 1);
    rows_free(&r, rtypes);
    strbuf_free(&sql);

    /* a hostile schema name too (SQLite: one odd table name) */
    char odd_table[200];
    snprintf(odd_table, sizeof odd_table, "%s.t\"b", f->odd);
    must_load(f->c, odd_table, 1, sn, st, 1, &one);
    assert_int_equal(count_rows(f->c, odd_table), 1);

    assert_int_equal(count_rows(f->c, "sentinel"), 1);
}

/* ---- catalog errors ---- */

static void test_missing_table_and_column(void **state)
{
    fx *f = *state;
    char err[1024], want[1024];
    const char *label = db_conn_label(f->c);
    const char *names[] = {"id", "amount", "note"};
    const rt_type types[] = {RT_INT, RT_FLOAT, RT_STRING};
    rt_slot d[] = {s_int(1), s_float(2), s_str("n")};
    must_load(f->c, "transactions", 3, names, types, 1, d);

    assert_int_equal(db_check_table(f->c, "transactions", 3, names, types, err, sizeof err), 0);
    assert_int_equal(db_check_table(f->c, "transactions", 3, names, NULL, err, sizeof err), 0);

    assert_int_equal(db_check_table(f->c, "raw_nowhere.transactions", 1, names, NULL, err,
                                    sizeof err),
                     -1);
    snprintf(want, sizeof want, "table \"raw_nowhere.transactions\" not found in %s", label);
    assert_string_equal(err, want);
    db_columns cols;
    assert_int_equal(db_table_columns(f->c, "no_such_table", &cols, err, sizeof err), 0);
    assert_int_equal(cols.n, 0);
    snprintf(want, sizeof want, "table \"no_such_table\" not found in %s", label);
    assert_string_equal(err, want);

    const char *typo[] = {"id", "amont"};
    assert_int_equal(db_check_table(f->c, "transactions", 2, typo, NULL, err, sizeof err), -1);
    snprintf(want, sizeof want, "column \"amont\" missing from table \"transactions\" in %s",
             label);
    assert_string_equal(err, want);

    const char *amount[] = {"amount"};
    const rt_type as_string[] = {RT_STRING};
    assert_int_equal(db_check_table(f->c, "transactions", 1, amount, as_string, err, sizeof err),
                     -1);
    const char *tname = f->d == DB_DUCKDB ? "DOUBLE" : f->d == DB_SQLITE ? "REAL"
                                                                          : "double precision";
    snprintf(want, sizeof want,
             "column \"amount\" of table \"transactions\" is %s, which cannot hold a string",
             tname);
    assert_string_equal(err, want);
    const char *note[] = {"note"};
    const rt_type as_int[] = {RT_INT};
    assert_int_equal(db_check_table(f->c, "transactions", 1, note, as_int, err, sizeof err), -1);
    assert_non_null(strstr(err, "which cannot hold an int"));

    const char *id[] = {"id"};
    const rt_type as_ts[] = {RT_TIMESTAMP};
    assert_int_equal(db_check_table(f->c, "transactions", 1, id, as_ts, err, sizeof err), 0);
    assert_int_equal(db_check_table(f->c, "transactions", 1, note, as_ts, err, sizeof err), -1);
    snprintf(want, sizeof want,
             "column \"note\" of table \"transactions\" is %s, which cannot hold a timestamp (%s)",
             f->d == DB_DUCKDB ? "VARCHAR" : f->d == DB_SQLITE ? "TEXT" : "text",
             f->d == DB_DUCKDB ? "timestamps are read from TIMESTAMP, TIMESTAMP WITH TIME ZONE or BIGINT epoch "
                                 "microseconds"
             : f->d == DB_SQLITE ? "SQLite has no timestamp type: timestamps are read from INTEGER epoch microseconds"
                                 : "timestamps are read from timestamp, timestamptz or bigint epoch microseconds");
    assert_string_equal(err, want);

    /* quoted names: case matters in PostgreSQL only */
    const char *upper[] = {"AMOUNT"};
    int rc = db_check_table(f->c, "transactions", 1, upper, NULL, err, sizeof err);
    assert_int_equal(rc, f->d == DB_POSTGRES ? -1 : 0);
}

/* Tables made outside featc: the catalog reports their own types. */
static void test_foreign_table_types(void **state)
{
    fx *f = *state;
    char err[1024];
    const char *sql = f->d == DB_POSTGRES
        ? "CREATE TABLE ext (a integer, b real, c varchar(20), d numeric(10,2), e timestamptz, "
          "f boolean, g character(3))"
        : f->d == DB_DUCKDB
        ? "CREATE TABLE ext (a INTEGER, b FLOAT, c VARCHAR, d DECIMAL(10,2), e TIMESTAMP, "
          "f BOOLEAN, g BLOB)"
        : "CREATE TABLE ext (a INT, b DOUBLE PRECISION, c VARCHAR(20), d NUMERIC, e DATETIME, "
          "f BOOLEAN, g BLOB)";
    must_exec(f->c, sql);
    db_columns cols;
    assert_int_equal(db_table_columns(f->c, "ext", &cols, err, sizeof err), 1);
    assert_int_equal(cols.n, 7);
    /* an engine timestamp is read through db_timestamp_sql; SQLite has none (DATETIME is NUMERIC) */
    const db_coltype want[] = {DB_COL_INT, DB_COL_FLOAT, DB_COL_STRING, DB_COL_OTHER,
                               f->d == DB_SQLITE ? DB_COL_OTHER : DB_COL_TIMESTAMP, DB_COL_BOOL, DB_COL_OTHER};
    for (int j = 0; j < 7; j++)
        if (cols.cols[j].type != want[j])
            fail_msg("column %s (%s): kind %d, expected %d", cols.cols[j].name,
                     cols.cols[j].type_name, cols.cols[j].type, want[j]);
    assert_true(db_coltype_fits(f->d, cols.cols[0].type, RT_TIMESTAMP));
    assert_false(db_coltype_fits(f->d, cols.cols[0].type, RT_FLOAT));
    assert_int_equal(db_coltype_fits(f->d, cols.cols[0].type, RT_BOOL), f->d == DB_SQLITE);
    db_columns_free(&cols);
}

/* ---- query conversions and errors ---- */

typedef struct one_value {
    rt_slot v;
    char s[256];
} one_value;

static int keep_one(void *ctx, const rt_slot *row)
{
    one_value *o = ctx;
    o->v = row[0];
    if (!row[0].null && row[0].len < sizeof o->s) {
        memcpy(o->s, row[0].len ? row[0].v.s : "", row[0].len);
        o->s[row[0].len] = '\0';
    }
    return 0;
}

/* Runs a one-value query as type t; returns db_query's result. */
static int one(fx *f, const char *sql, rt_type t, one_value *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    return db_query(f->c, sql, 1, &t, keep_one, out, err, errlen);
}

static int64_t one_int(fx *f, const char *sql)
{
    one_value o;
    char err[1024];
    if (one(f, sql, RT_INT, &o, err, sizeof err) != 0)
        fail_msg("%s: %s", sql, err);
    assert_false(o.v.null);
    return o.v.v.i;
}

static double one_float(fx *f, const char *sql)
{
    one_value o;
    char err[1024];
    if (one(f, sql, RT_FLOAT, &o, err, sizeof err) != 0)
        fail_msg("%s: %s", sql, err);
    assert_false(o.v.null);
    return o.v.v.f;
}

static void expect_error(fx *f, const char *sql, rt_type t, const char *part)
{
    one_value o;
    char err[1024] = "";
    int rc = one(f, sql, t, &o, err, sizeof err);
    if (rc != -1 || !strstr(err, part))
        fail_msg("%s as %s: rc %d, message \"%s\", expected one containing \"%s\"", sql,
                 db_rt_type_name(t), rc, err, part);
}

static int stop_at_two(void *ctx, const rt_slot *row)
{
    (void)row;
    return ++*(int *)ctx == 2;
}

static void test_query_conversions(void **state)
{
    fx *f = *state;
    char err[1024];
    one_value o;

    /* ints to floats, correctly rounded */
    assert_true(same_bits(one_float(f, "SELECT 3"), 3.0));
    assert_true(same_bits(one_float(f, "SELECT 9007199254740993"), 9007199254740992.0));
    assert_true(same_bits(one_float(f, "SELECT 9223372036854775807"), 9223372036854775808.0));
    /* bools: booleans, or 0/1 integers */
    assert_int_equal(one(f, "SELECT 1 = 1", RT_BOOL, &o, err, sizeof err), 0);
    assert_int_equal(o.v.v.i, 1);
    assert_int_equal(one(f, "SELECT 0", RT_BOOL, &o, err, sizeof err), 0);
    assert_int_equal(o.v.v.i, 0);
    expect_error(f, "SELECT 2", RT_BOOL, "0 or 1");
    /* typed NULLs (an untyped NULL has the engine's default type, which is checked too) */
    for (rt_type t = RT_BOOL; t <= RT_TIMESTAMP; t++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT CAST(NULL AS %s)", f->d == DB_SQLITE ? "INTEGER"
                                                             : t == RT_STRING ? "VARCHAR"
                                                             : t == RT_FLOAT  ? "DOUBLE PRECISION"
                                                             : t == RT_BOOL   ? "BOOLEAN"
                                                                              : "BIGINT");
        if (one(f, sql, t, &o, err, sizeof err) != 0)
            fail_msg("%s as %s: %s", sql, db_rt_type_name(t), err);
        assert_true(o.v.null);
    }
    assert_int_equal(one(f, "SELECT NULL", f->d == DB_POSTGRES ? RT_STRING : RT_INT, &o, err,
                         sizeof err),
                     0);
    assert_true(o.v.null);
    /* sums of bigints come back as HUGEINT (DuckDB) or NUMERIC (PostgreSQL): exact */
    must_exec(f->c, "CREATE TABLE big_ints (v BIGINT)");
    must_exec(f->c, "INSERT INTO big_ints VALUES (9223372036854775000), (-1), (808)");
    assert_true(one_int(f, "SELECT sum(v) FROM big_ints") == INT64_MAX);
    must_exec(f->c, "DELETE FROM big_ints");
    must_exec(f->c, "INSERT INTO big_ints VALUES (-9223372036854775000), (-808)");
    assert_true(one_int(f, "SELECT sum(v) FROM big_ints") == INT64_MIN);
    if (f->d != DB_SQLITE) { /* SQLite's sum() errors on overflow itself */
        must_exec(f->c, "INSERT INTO big_ints VALUES (-1)");
        expect_error(f, "SELECT sum(v) FROM big_ints", RT_INT, "64-bit");
        assert_true(same_bits(one_float(f, "SELECT sum(v) FROM big_ints"),
                              -9223372036854775809.0));
    }
    /* strings are not numbers, numbers not strings */
    expect_error(f, "SELECT 'abc'", RT_INT, "");
    expect_error(f, "SELECT 42", RT_STRING, "");
    if (f->d == DB_SQLITE) {
        expect_error(f, "SELECT 1.5", RT_INT, "a real cannot be read as int");
        expect_error(f, "SELECT 9223372036854775808", RT_INT, "real");
        assert_true(same_bits(one_float(f, "SELECT 0.1"), 0.1));
    } else {
        /* decimals: exact to int when whole, correctly rounded to float */
        const char *dec = f->d == DB_DUCKDB ? "SELECT CAST(3.00 AS DECIMAL(10,2))"
                                            : "SELECT CAST(3.00 AS NUMERIC(10,2))";
        assert_int_equal(one_int(f, dec), 3);
        expect_error(f, "SELECT 1.50", RT_INT, f->d == DB_DUCKDB ? "fraction" : "not an integer");
        assert_true(same_bits(one_float(f, "SELECT 0.1"), 0.1));
        assert_true(same_bits(one_float(f, "SELECT 1.50"), 1.5));
        assert_true(same_bits(one_float(f, "SELECT -123456789012345678.9"),
                              -123456789012345678.9));
        expect_error(f, "SELECT 9223372036854775808", RT_INT, "64-bit");
        assert_int_equal(one_int(f, "SELECT -9223372036854775808"), INT64_MIN);
    }
    if (f->d == DB_DUCKDB) {
        const char *huge = "SELECT CAST(170141183460469231731687303715884105727 AS HUGEINT)";
        expect_error(f, huge, RT_INT, "64-bit");
        assert_true(same_bits(one_float(f, huge), ldexp(1, 127)));
        assert_true(same_bits(one_float(f, "SELECT CAST(0.1 AS FLOAT)"), (double)0.1f));
        assert_true(same_bits(one_float(f, "SELECT CAST(0.1 AS DECIMAL(38,37))"), 0.1));
        assert_int_equal(one_int(f, "SELECT CAST(-5 AS TINYINT)"), -5);
        assert_int_equal(one_int(f, "SELECT CAST(4000000000 AS UINTEGER)"), 4000000000);
        expect_error(f, "SELECT CAST(18446744073709551615 AS UBIGINT)", RT_INT, "64-bit");
        expect_error(f, "SELECT DATE '2024-01-01'", RT_INT, "DATE, which cannot be read as int");
    }
    if (f->d == DB_POSTGRES) {
        assert_true(same_bits(one_float(f, "SELECT 0.1::real"), (double)0.1f));
        assert_true(same_bits(one_float(f, "SELECT 5e-324::float8"), 5e-324));
        assert_true(same_bits(one_float(f, "SELECT '-0'::float8"), -0.0));
        assert_true(same_bits(one_float(f, "SELECT 'Infinity'::float8"), INFINITY));
        assert_int_equal(one_int(f, "SELECT (-32768)::int2"), -32768);
        /* found on the first of many rows: the rest are cancelled, the session stays usable */
        expect_error(f, "SELECT now() AS t FROM generate_series(1, 100000)", RT_TIMESTAMP,
                     "result column 1 (t) is timestamp with time zone, which cannot be read as "
                     "timestamp");
        assert_int_equal(one_int(f, "SELECT 11"), 11);
        expect_error(f, "SELECT CASE WHEN g < 50000 THEN g % 2 ELSE 2 END AS v FROM "
                        "generate_series(0, 99999) g",
                     RT_BOOL, "result row 50001, column v: an integer other than 0 or 1");
        assert_int_equal(one_int(f, "SELECT 12"), 12);
        expect_error(f, "CREATE TABLE pg_not_query (x int)", RT_INT, "returns no rows");
    }
    /* one statement may end in a semicolon and comments */
    assert_int_equal(one_int(f, "SELECT 5; "), 5);
    assert_int_equal(one_int(f, "SELECT 6 -- six\n"), 6);
    expect_error(f, "", RT_INT, db_dialect_name(f->d));
    /* shape and statement errors */
    int64_t ignored = 0;
    rt_type two[2] = {RT_INT, RT_INT};
    int rc = db_query(f->c, "SELECT 1", 2, two, stop_at_two, &ignored, err, sizeof err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "returns 1 columns, expected 2"));
    expect_error(f, "SELEC 1", RT_INT, db_dialect_name(f->d));
    expect_error(f, "SELECT 1; SELECT 2", RT_INT, db_dialect_name(f->d));
    expect_error(f, "SELECT x FROM no_such_table_q", RT_INT, "no_such_table_q");
    /* the row handler can stop a query */
    must_exec(f->c, "CREATE TABLE five (v BIGINT)");
    must_exec(f->c, "INSERT INTO five VALUES (1), (2), (3), (4), (5)");
    int seen = 0;
    rt_type t = RT_INT;
    rc = db_query(f->c, "SELECT v FROM five", 1, &t, stop_at_two, &seen, err, sizeof err);
    assert_int_equal(rc, 1);
    assert_int_equal(seen, 2);
    assert_int_equal(one_int(f, "SELECT count(*) FROM five"), 5); /* connection still usable */
    /* bad arguments */
    rc = db_query(f->c, "SELECT 1", 0, &t, stop_at_two, &seen, err, sizeof err);
    assert_int_equal(rc, -1);
    rt_type bad = (rt_type)0;
    rc = db_query(f->c, "SELECT 1", 1, &bad, stop_at_two, &seen, err, sizeof err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "invalid type code 0"));
    /* exec reports errors with the dialect's name */
    assert_int_equal(db_exec(f->c, "CREATE TABLE five (v BIGINT)", err, sizeof err), -1);
    assert_non_null(strstr(err, db_dialect_name(f->d)));
    assert_null(strchr(err, '\n'));
}

/* ---- 200k rows ---- */

enum { BIG_ROWS = 200000 };

static void test_big_load(void **state)
{
    fx *f = *state;
    const char *names[] = {"id", "v", "s", "ts", "b"};
    const rt_type types[] = {RT_INT, RT_FLOAT, RT_STRING, RT_TIMESTAMP, RT_BOOL};
    char err[1024] = "";
    db_loader *l = db_load_begin(f->c, "big", 5, names, types, err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    int64_t want_sum = 0, want_trues = 0;
    for (int i = 0; i < BIG_ROWS; i++) {
        char s[32];
        snprintf(s, sizeof s, "s%07d,\t'%d'", i, i % 13);
        rt_slot row[5] = {s_int(i), s_float(i * 0.25 - 1000.5), s_str(s),
                          s_int(INT64_C(1600000000000000) + (int64_t)i * 1000003), s_int(i % 3 == 0)};
        if (i % 1000 == 999)
            row[2] = s_null();
        want_sum += i;
        want_trues += i % 3 == 0;
        assert_int_equal(db_load_row(l, row), 0);
    }
    if (db_load_end(l, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(count_rows(f->c, "big"), BIG_ROWS);
    assert_true(one_int(f, "SELECT sum(id) FROM big") == want_sum);
    assert_int_equal(one_int(f, "SELECT count(s) FROM big"), BIG_ROWS - BIG_ROWS / 1000);
    const char *trues = f->d == DB_SQLITE ? "SELECT count(*) FROM big WHERE b = 1"
                                          : "SELECT count(*) FROM big WHERE b";
    assert_true(one_int(f, trues) == want_trues);

    /* stream every row back and check it */
    rows r;
    if (query_rows(f->c, "SELECT id, v, s, ts, b FROM big ORDER BY id", 5, types, &r, err,
                   sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(r.n, BIG_ROWS);
    for (int i = 0; i < BIG_ROWS; i++) {
        const rt_slot *g = &r.v[(size_t)i * 5];
        char s[32];
        snprintf(s, sizeof s, "s%07d,\t'%d'", i, i % 13);
        if (g[0].v.i != i || !same_bits(g[1].v.f, i * 0.25 - 1000.5) ||
            g[3].v.i != INT64_C(1600000000000000) + (int64_t)i * 1000003 || g[4].v.i != (i % 3 == 0) ||
            (i % 1000 == 999 ? !g[2].null : (g[2].null || strcmp(g[2].v.s, s) != 0)))
            fail_msg("row %d differs", i);
    }
    rows_free(&r, types);
}

/* ---- opening ---- */

static void expect_open_error(const char *url, const char *part, const char *absent)
{
    char err[1024] = "";
    db_conn *c = db_open(url, err, sizeof err);
    if (c) {
        db_close(c);
        fail_msg("db_open(\"%s\") succeeded", url);
    }
    if (!strstr(err, part))
        fail_msg("db_open(\"%s\"): \"%s\" does not mention \"%s\"", url, err, part);
    if (absent && strstr(err, absent))
        fail_msg("db_open(\"%s\"): \"%s\" reveals \"%s\"", url, err, absent);
    assert_null(strchr(err, '\n'));
}

static void test_open_errors(void **state)
{
    (void)state;
    expect_open_error("mysql://u:hunter2@h/db",
                      "unsupported database URL \"mysql://u:***@h/db\": expected duckdb:PATH, "
                      "sqlite:PATH or a postgresql:// URI",
                      "hunter2");
    expect_open_error("data.db", "unsupported database URL \"data.db\"", NULL);
    expect_open_error("sqlite:", "database URL \"sqlite:\" has no file path", NULL);
    expect_open_error("duckdb://", "database URL \"duckdb://\" has no file path", NULL);
    expect_open_error("sqlite:/nonexistent-featc-dir/x.db",
                      "cannot open SQLite database \"/nonexistent-featc-dir/x.db\": ", NULL);
    expect_open_error("duckdb:/nonexistent-featc-dir/x.duckdb",
                      "cannot open DuckDB database \"/nonexistent-featc-dir/x.duckdb\": ", NULL);
    char path[64];
    snprintf(path, sizeof path, "/tmp/featc-test-db-%ld.txt", (long)getpid());
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("this is a text file, not a database\n", fp);
    fclose(fp);
    char url[640];
    snprintf(url, sizeof url, "sqlite:%s", path);
    expect_open_error(url, "not a database", NULL);
    snprintf(url, sizeof url, "duckdb:%s", path);
    expect_open_error(url, "cannot open DuckDB database", NULL);
    unlink(path);
    /* PostgreSQL: nothing listens on port 1; the password never shows */
    expect_open_error("postgresql://u:hunter2@127.0.0.1:1/x?connect_timeout=5",
                      "cannot connect to PostgreSQL at postgresql://u:***@127.0.0.1:1/x", "hunter2");
    expect_open_error("postgres://127.0.0.1:1/x?password=hunter2&connect_timeout=5",
                      "postgres://127.0.0.1:1/x?password=***&connect_timeout=5", "hunter2");
    expect_open_error("postgresql://127.0.0.1:notaport/x", "port", NULL);
    /* Odd URLs: libpq's own messages quote pieces of a URI it cannot parse, and a password
     * may hold '@', '/' or bad percent escapes; none of it reaches a message. */
    static const char *const odd[][2] = {
        {"postgresql://u:hun%zzter2@127.0.0.1:1/x", "ter2"},
        {"postgresql://u:hunter2@[::1/x", "hunter2"},
        {"postgresql://u:hunter2@[::1", "hunter2"},
        {"postgresql://u:hun@ter2@127.0.0.1:1/x?connect_timeout=5", "ter2"},
        {"postgresql://u:hun/ter2@127.0.0.1:1/x?connect_timeout=5", "ter2"},
        {"postgresql://u:hunter2@127.0.0.1:1/x?sslmode=bogus", "hunter2"},
        {"postgresql://127.0.0.1:1/x?password=hunter2&bogus=1", "hunter2"},
        {"postgresql://127.0.0.1:1/x?PASSWORD=hunter2&connect_timeout=5", "hunter2"},
        {"postgresql://127.0.0.1:1/x?password=hun%zzter2", "ter2"},
        {"host=127.0.0.1 port=1 password=hunter2", "hunter2"},
        {"host=127.0.0.1 password = 'hun ter2' port=1", "ter2"},
        {"postgresql://u:%68unter2@127.0.0.1:1/x?connect_timeout=5", "unter2"},
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        expect_open_error(odd[i][0], "", odd[i][1]);
    expect_open_error("postgresql://%zz", "cannot connect to PostgreSQL", NULL);
}

static void test_open_forms(void **state)
{
    (void)state;
    char err[1024] = "";
    db_conn *c = db_open(NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(db_conn_dialect(c), DB_DUCKDB);
    assert_string_equal(db_conn_label(c), "duckdb::memory:");
    db_close(c);
    c = db_open("", err, sizeof err);
    assert_non_null(c);
    assert_int_equal(db_conn_dialect(c), DB_DUCKDB);
    db_close(c);

    /* files persist; "sqlite://" + absolute path is that path */
    char path[64], url[96];
    const char *names[] = {"x"};
    const rt_type types[] = {RT_INT};
    rt_slot v = s_int(41);
    for (int d = 0; d < 2; d++) {
        snprintf(path, sizeof path, "/tmp/featc-test-db-%ld.%s", (long)getpid(),
                 d ? "sqlite" : "duckdb");
        unlink(path);
        snprintf(url, sizeof url, "%s://%s", d ? "sqlite" : "duckdb", path);
        c = db_open(url, err, sizeof err);
        if (!c)
            fail_msg("%s: %s", url, err);
        assert_int_equal(db_conn_dialect(c), d ? DB_SQLITE : DB_DUCKDB);
        must_load(c, "kept", 1, names, types, 1, &v);
        db_close(c);
        assert_int_equal(access(path, F_OK), 0);
        snprintf(url, sizeof url, "%s:%s", d ? "sqlite" : "duckdb", path);
        c = db_open(url, err, sizeof err);
        assert_non_null(c);
        assert_int_equal(count_rows(c, "kept"), 1);
        db_close(c);
        unlink(path);
        char wal[80];
        snprintf(wal, sizeof wal, "%s.wal", path);
        unlink(wal);
    }
    c = db_open(pg_url(), err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(db_conn_dialect(c), DB_POSTGRES);
    /* the session is set up for exact answers */
    rt_type t = RT_STRING;
    rows r;
    assert_int_equal(query_rows(c, "SELECT current_setting('TimeZone') || ' ' || "
                                   "current_setting('extra_float_digits') || ' ' || "
                                   "current_setting('client_encoding')",
                                1, &t, &r, err, sizeof err),
                     0);
    assert_string_equal(r.v[0].v.s, "UTC 3 UTF8");
    rows_free(&r, &t);
    /* and for wide window queries: no JIT, 256 MB per sort (the server default is 4 MB) */
    assert_int_equal(query_rows(c, "SELECT current_setting('jit') || ' ' || current_setting('work_mem')", 1, &t, &r,
                                err, sizeof err),
                     0);
    assert_string_equal(r.v[0].v.s, "off 256MB");
    rows_free(&r, &t);
    db_close(c);
    /* a work_mem the client chose in the URL is kept */
    snprintf(url, sizeof url, "%s%soptions=-c%%20work_mem%%3D8MB", pg_url(), strchr(pg_url(), '?') ? "&" : "?");
    c = db_open(url, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    assert_int_equal(query_rows(c, "SELECT current_setting('work_mem')", 1, &t, &r, err, sizeof err), 0);
    assert_string_equal(r.v[0].v.s, "8MB");
    rows_free(&r, &t);
    db_close(c);
}

/* The number of statements running on the server whose text holds tag, other than ours. */
static int64_t running_with_tag(db_conn *c, const char *tag)
{
    char sql[512], err[1024];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
             "AND position('%s' in query) > 0",
             tag);
    rt_type t = RT_INT;
    rows r;
    if (query_rows(c, sql, 1, &t, &r, err, sizeof err) != 0)
        fail_msg("%s", err);
    int64_t n = r.v[0].v.i;
    rows_free(&r, &t);
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A featc stopped by SIGTERM while PostgreSQL runs its query cancels the statement on the
 * server: without that the server would go on for the full 60 s (and keep its locks). */
static void test_pg_signal_cancels(void **state)
{
    (void)state;
    char err[1024], tag[64];
    snprintf(tag, sizeof tag, "featc_cancel_probe_%ld", (long)getpid());
    db_conn *watch = db_open(pg_url(), err, sizeof err);
    if (!watch)
        fail_msg("%s", err);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        db_conn *c = db_open(pg_url(), err, sizeof err);
        if (!c)
            _exit(3);
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_sleep(60) AS s /* %s */", tag);
        rt_type t = RT_INT;
        rows r;
        query_rows(c, sql, 1, &t, &r, err, sizeof err);
        _exit(4); /* only reached if the signal did not end the process */
    }
    int waited = 0;
    while (running_with_tag(watch, tag) == 0 && waited < 100) {
        sleep_ms(50);
        waited++;
    }
    assert_int_equal(running_with_tag(watch, tag), 1);
    assert_int_equal(kill(child, SIGTERM), 0);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    waited = 0;
    while (running_with_tag(watch, tag) != 0 && waited < 100) {
        sleep_ms(50);
        waited++;
    }
    assert_int_equal(running_with_tag(watch, tag), 0);
    db_close(watch);
}

#define PER_DB(fn)                                                                                \
    {#fn " (DuckDB)", fn, setup_duckdb, teardown, NULL},                                          \
        {#fn " (SQLite)", fn, setup_sqlite, teardown, NULL},                                      \
        {#fn " (PostgreSQL)", fn, setup_postgres, teardown, NULL}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_text),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_open_forms),
        cmocka_unit_test(test_pg_signal_cancels),
        PER_DB(test_roundtrip),
        PER_DB(test_reload_replaces),
        PER_DB(test_abort_and_failed_load),
        PER_DB(test_load_misuse),
        PER_DB(test_schema_qualified),
        PER_DB(test_quote_injection),
        PER_DB(test_missing_table_and_column),
        PER_DB(test_foreign_table_types),
        PER_DB(test_query_conversions),
        PER_DB(test_big_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
