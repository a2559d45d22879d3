/* test_parquet.c - Parquet events through the event reader: exact conversions, rejected rows, globs, bad files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "parquet.h"
#include "rt_reader.h"

#include <duckdb.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[64];

/* A path in the test's directory. */
static const char *path_of(const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "%s/%s", g_dir, name);
    return p;
}

/* Runs SQL in a fresh in-memory DuckDB ("@" in it stands for the test directory). */
static void duck(const char *sql)
{
    char text[4096];
    size_t n = 0;
    for (const char *s = sql; *s && n + 64 < sizeof text; s++) {
        if (*s == '@')
            n += (size_t)snprintf(text + n, sizeof text - n, "%s", g_dir);
        else
            text[n++] = *s;
    }
    text[n] = '\0';
    duckdb_database db;
    duckdb_connection con;
    assert_int_equal(duckdb_open(NULL, &db), DuckDBSuccess);
    assert_int_equal(duckdb_connect(db, &con), DuckDBSuccess);
    duckdb_result res;
    if (duckdb_query(con, text, &res) == DuckDBError)
        fail_msg("%s: %s", text, duckdb_result_error(&res));
    duckdb_destroy_result(&res);
    duckdb_disconnect(&con);
    duckdb_close(&db);
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/featc_pq_XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    parquet_install();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd);
}

/* Collects the reasons of rejected rows. */
typedef struct rejects {
    int n;
    uint64_t line[16];
    char reason[16][256];
} rejects;

static void on_reject(void *ctx, uint64_t line, const char *reason)
{
    rejects *r = ctx;
    if (r->n < 16) {
        r->line[r->n] = line;
        snprintf(r->reason[r->n], sizeof r->reason[0], "%s", reason);
    }
    r->n++;
}

/* Reads every accepted record of file with schema sc into out (nfields each, up to max
 * records; strings copied into sbuf). Returns the count. */
static int read_all(const char *file, const rt_schema *sc, rt_slot *out, int max, char (*sbuf)[64], rejects *rj)
{
    char err[512] = "";
    rt_reader *r = rt_reader_open(file, sc, NULL, err, sizeof err);
    if (!r)
        fail_msg("open %s: %s", file, err);
    rt_reader_on_reject(r, on_reject, rj);
    int n = 0, got;
    rt_slot *rec = calloc((size_t)sc->nfields, sizeof *rec);
    while ((got = rt_reader_next(r, rec)) == 1) {
        assert_true(n < max);
        for (int f = 0; f < sc->nfields; f++) {
            out[n * sc->nfields + f] = rec[f];
            if (sc->fields[f].type == RT_STRING && !rec[f].null) {
                assert_true(rec[f].len < 64);
                memcpy(sbuf[n * sc->nfields + f], rec[f].v.s, rec[f].len);
                out[n * sc->nfields + f].v.s = sbuf[n * sc->nfields + f];
            }
        }
        n++;
    }
    if (got < 0)
        fail_msg("read %s: %s", file, rt_reader_error(r));
    free(rec);
    rt_reader_close(r);
    return n;
}

/* Opens file with schema sc, expecting failure; returns the message. */
static const char *open_error(const char *file, const rt_schema *sc)
{
    static char err[512];
    err[0] = '\0';
    rt_reader *r = rt_reader_open(file, sc, NULL, err, sizeof err);
    assert_null(r);
    return err;
}

static const rt_field k_ts_fields[] = {
    {"id", RT_INT, true},
    {"t", RT_TIMESTAMP, false},
};

/* Every timestamp type DuckDB writes to Parquet becomes exact microseconds UTC; an offset is
 * applied; nanoseconds that are not whole microseconds, infinity and a null time reject the
 * row. */
static void test_timestamps(void **state)
{
    (void)state;
    duck("COPY (SELECT * FROM (VALUES "
         "(1, TIMESTAMP '2024-03-01 12:34:56.123456'), "
         "(2, TIMESTAMP '1969-12-31 23:59:59.999999'), "
         "(3, NULL), "
         "(4, TIMESTAMP 'infinity'), "
         "(5, TIMESTAMP '0001-01-01 00:00:00')) v(id, t)) TO '@/ts.parquet' (FORMAT PARQUET)");
    duck("COPY (SELECT * FROM (VALUES "
         "(1, TIMESTAMPTZ '2024-03-01 14:34:56.5+02:00'), "
         "(2, TIMESTAMPTZ '2024-03-01 12:34:56.5-05:30')) v(id, t)) TO '@/tz.parquet' (FORMAT PARQUET)");
    duck("COPY (SELECT * FROM (VALUES "
         "(1, TIMESTAMP_NS '2024-03-01 12:34:56.123456000'), "
         "(2, TIMESTAMP_NS '2024-03-01 12:34:56.123456789'), "
         "(3, TIMESTAMP_NS '1969-12-31 23:59:59.999999001')) v(id, t)) TO '@/ns.parquet' (FORMAT PARQUET)");
    duck("COPY (SELECT 1 AS id, TIMESTAMP_MS '2024-03-01 12:34:56.789' AS t) TO '@/ms.parquet' (FORMAT PARQUET)");
    rt_schema sc = {.name = "ev", .nfields = 2, .fields = k_ts_fields, .time_field = 1};
    rt_slot out[16 * 2];
    char sbuf[32][64];

    rejects rj = {0};
    int n = read_all(path_of("ts.parquet"), &sc, out, 16, sbuf, &rj);
    assert_int_equal(n, 3);
    assert_int_equal(out[1].v.i, 1709296496123456LL);
    assert_int_equal(out[3].v.i, -1);
    assert_int_equal(out[5].v.i, -62135596800000000LL);
    assert_int_equal(rj.n, 2);
    assert_int_equal(rj.line[0], 3);
    assert_string_equal(rj.reason[0], "event time field 't' is null");
    assert_int_equal(rj.line[1], 4);
    assert_string_equal(rj.reason[1], "field 't': timestamp is infinite, got infinity");

    memset(&rj, 0, sizeof rj);
    n = read_all(path_of("tz.parquet"), &sc, out, 16, sbuf, &rj);
    assert_int_equal(n, 2);
    assert_int_equal(out[1].v.i, 1709296496500000LL);            /* 12:34:56.5 UTC */
    assert_int_equal(out[3].v.i, 1709296496500000LL + 19800000000LL); /* 18:04:56.5 UTC */

    memset(&rj, 0, sizeof rj);
    n = read_all(path_of("ns.parquet"), &sc, out, 16, sbuf, &rj);
    assert_int_equal(n, 1);
    assert_int_equal(out[1].v.i, 1709296496123456LL);
    assert_int_equal(rj.n, 2);
    assert_string_equal(rj.reason[0], "field 't': timestamp has a fraction of a microsecond (featc keeps "
                                      "microseconds), got 2024-03-01T12:34:56.123456789Z");
    assert_string_equal(rj.reason[1], "field 't': timestamp has a fraction of a microsecond (featc keeps "
                                      "microseconds), got 1969-12-31T23:59:59.999999001Z");

    memset(&rj, 0, sizeof rj);
    n = read_all(path_of("ms.parquet"), &sc, out, 16, sbuf, &rj);
    assert_int_equal(n, 1);
    assert_int_equal(out[1].v.i, 1709296496789000LL);
}

/* Integers of every width into int, exactly or refused when out of range; ints, decimals
 * and floats into float by IEEE rules; strings, enums, bools. */
static void test_values(void **state)
{
    (void)state;
    duck("CREATE TYPE mood AS ENUM ('calm', 'busy'); "
         "COPY (SELECT * FROM (VALUES "
         "(1, 9007199254740993::BIGINT, 0.1::DECIMAL(10,2), 'calm'::mood, true, 'a'), "
         "(2, (-9223372036854775808)::BIGINT, -1.25::DECIMAL(10,2), 'busy'::mood, false, ''), "
         "(3, NULL, NULL, NULL, NULL, NULL)) v(k, i, d, e, b, s)) TO '@/num.parquet' (FORMAT PARQUET)");
    duck("COPY (SELECT * FROM (VALUES "
         "(1, 18446744073709551615::UBIGINT, 2.50::DECIMAL(10,2), 'x'), "
         "(2, 9223372036854775807::UBIGINT, 3.00::DECIMAL(10,2), 'y'), "
         "(3, 5::UBIGINT, 2.50::DECIMAL(10,2), 'z')) v(k, i, f, s)) TO '@/wide.parquet' (FORMAT PARQUET)");

    /* num.parquet: i BIGINT into float (rounded to even), d DECIMAL into float, e ENUM into string */
    static const rt_field f1[] = {
        {"k", RT_INT, true}, {"i", RT_FLOAT, false}, {"d", RT_FLOAT, false},
        {"e", RT_STRING, false}, {"b", RT_BOOL, false}, {"s", RT_STRING, false},
    };
    rt_schema sc1 = {.name = "ev", .nfields = 6, .fields = f1, .time_field = -1};
    rt_slot out[16 * 6];
    char sbuf[96][64];
    rejects rj = {0};
    int n = read_all(path_of("num.parquet"), &sc1, out, 16, sbuf, &rj);
    assert_int_equal(n, 3);
    assert_true(out[1].v.f == 9007199254740992.0);
    assert_true(out[2].v.f == 0.1);
    assert_int_equal(out[3].len, 4);
    assert_memory_equal(out[3].v.s, "calm", 4);
    assert_int_equal(out[4].v.i, 1);
    assert_true(out[7].v.f == -9223372036854775808.0);
    assert_true(out[8].v.f == -1.25);
    assert_int_equal(out[10].v.i, 0);
    assert_false(out[11].null);
    assert_int_equal(out[11].len, 0);
    for (int f = 1; f < 6; f++)
        assert_true(out[12 + f].null);

    /* wide.parquet: UBIGINT and DECIMAL into int, exactly or refused */
    static const rt_field f2[] = {
        {"k", RT_INT, true}, {"i", RT_INT, false}, {"f", RT_INT, false}, {"s", RT_STRING, false},
    };
    rt_schema sc2 = {.name = "ev", .nfields = 4, .fields = f2, .time_field = -1};
    memset(&rj, 0, sizeof rj);
    n = read_all(path_of("wide.parquet"), &sc2, out, 16, sbuf, &rj);
    assert_int_equal(n, 1);
    assert_int_equal(out[1].v.i, INT64_MAX);
    assert_int_equal(out[2].v.i, 3);
    assert_int_equal(rj.n, 2);
    assert_string_equal(rj.reason[0], "field 'i': int out of range, got 18446744073709551615");
    assert_int_equal(rj.line[1], 3);
    assert_string_equal(rj.reason[1], "field 'f': expected int, got 2.50");
}

/* A DECIMAL that is whole goes into an int; a NaN double is refused for a float field. */
static void test_decimal_int_and_nan(void **state)
{
    (void)state;
    duck("COPY (SELECT * FROM (VALUES (1, 3.00::DECIMAL(10,2), 1.5::DOUBLE), (2, 4.50::DECIMAL(10,2), 'NaN'::DOUBLE))"
         " v(k, d, x)) TO '@/dec.parquet' (FORMAT PARQUET)");
    static const rt_field f[] = {{"k", RT_INT, true}, {"d", RT_INT, false}, {"x", RT_FLOAT, false}};
    rt_schema sc = {.name = "ev", .nfields = 3, .fields = f, .time_field = -1};
    rt_slot out[8 * 3];
    char sbuf[24][64];
    rejects rj = {0};
    int n = read_all(path_of("dec.parquet"), &sc, out, 8, sbuf, &rj);
    assert_int_equal(n, 1);
    assert_int_equal(out[1].v.i, 3);
    assert_true(out[2].v.f == 1.5);
    assert_int_equal(rj.n, 1);
    assert_string_equal(rj.reason[0], "field 'd': expected int, got 4.50");
    /* the first field that does not convert is the reason: 'd' before 'x' (NaN) */
    duck("COPY (SELECT 1 AS k, 2::DECIMAL(4,0) AS d, 'NaN'::DOUBLE AS x) TO '@/nan.parquet' (FORMAT PARQUET)");
    memset(&rj, 0, sizeof rj);
    n = read_all(path_of("nan.parquet"), &sc, out, 8, sbuf, &rj);
    assert_int_equal(n, 0);
    assert_string_equal(rj.reason[0], "field 'x': expected a finite float, got nan");
}

/* A glob reads its files in name order, numbering rows across them. */
static void test_glob(void **state)
{
    (void)state;
    duck("COPY (SELECT * FROM (VALUES (3, TIMESTAMP '2024-01-01 00:00:03'), (4, NULL)) v(id, t)) "
         "TO '@/part-b.parquet' (FORMAT PARQUET)");
    duck("COPY (SELECT * FROM (VALUES (1, TIMESTAMP '2024-01-01 00:00:01'), (2, TIMESTAMP '2024-01-01 00:00:02')) "
         "v(id, t)) TO '@/part-a.parquet' (FORMAT PARQUET)");
    rt_schema sc = {.name = "ev", .nfields = 2, .fields = k_ts_fields, .time_field = 1};
    rt_slot out[8 * 2];
    char sbuf[16][64];
    rejects rj = {0};
    int n = read_all(path_of("part-*.parquet"), &sc, out, 8, sbuf, &rj);
    assert_int_equal(n, 3);
    assert_int_equal(out[0].v.i, 1);
    assert_int_equal(out[2].v.i, 2);
    assert_int_equal(out[4].v.i, 3);
    assert_int_equal(rj.n, 1);
    assert_int_equal(rj.line[0], 4);
    const char *err = open_error(path_of("nothing-*.parquet"), &sc);
    assert_non_null(strstr(err, "no file matches"));
}

/* Missing and mistyped columns and corrupt files fail at open, naming file and column. */
static void test_open_errors(void **state)
{
    (void)state;
    duck("COPY (SELECT 1 AS id, DATE '2024-01-01' AS t, 1.5::DOUBLE AS n, 'x' AS T2) TO '@/bad.parquet' "
         "(FORMAT PARQUET)");
    rt_schema sc = {.name = "ev", .nfields = 2, .fields = k_ts_fields, .time_field = 1};
    const char *err = open_error(path_of("bad.parquet"), &sc);
    assert_non_null(strstr(err, "bad.parquet: column 't' is DATE, which cannot hold field 't' (timestamp)"));
    assert_non_null(strstr(err, "no time of day"));

    static const rt_field f_int[] = {{"id", RT_INT, true}, {"n", RT_INT, false}};
    rt_schema sc_int = {.name = "ev", .nfields = 2, .fields = f_int, .time_field = -1};
    err = open_error(path_of("bad.parquet"), &sc_int);
    assert_non_null(strstr(err, "column 'n' is DOUBLE, which cannot hold field 'n' (int)"));

    static const rt_field f_miss[] = {{"id", RT_INT, true}, {"t2", RT_STRING, false}};
    rt_schema sc_miss = {.name = "ev", .nfields = 2, .fields = f_miss, .time_field = -1};
    err = open_error(path_of("bad.parquet"), &sc_miss);
    assert_non_null(strstr(err, "bad.parquet: no column 't2' for field 't2' of source 'ev' (there is 'T2'"));

    static const rt_field f_id[] = {{"id", RT_TIMESTAMP, true}};
    rt_schema sc_id = {.name = "ev", .nfields = 1, .fields = f_id, .time_field = 0};
    err = open_error(path_of("bad.parquet"), &sc_id);
    assert_non_null(strstr(err, "column 'id' is INTEGER, which cannot hold field 'id' (timestamp)"));

    FILE *f = fopen(path_of("corrupt.parquet"), "w");
    assert_non_null(f);
    fputs("PAR1 this is not really a parquet file", f);
    fclose(f);
    err = open_error(path_of("corrupt.parquet"), &sc);
    assert_non_null(strstr(err, "corrupt.parquet: cannot read it as Parquet"));

    err = open_error(path_of("absent.parquet"), &sc);
    assert_non_null(strstr(err, "cannot open"));
    assert_non_null(strstr(err, "absent.parquet"));
}

/* Without an installed opener (a built runtime) Parquet files are refused plainly. */
static void test_without_opener(void **state)
{
    (void)state;
    rt_reader_set_row_opener(NULL);
    rt_schema sc = {.name = "ev", .nfields = 2, .fields = k_ts_fields, .time_field = 1};
    const char *err = open_error(path_of("ts.parquet"), &sc);
    assert_non_null(strstr(err, "Parquet events are read by featc"));
    parquet_install();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_decimal_int_and_nan),
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_without_opener),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
