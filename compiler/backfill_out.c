/* backfill_out.c - where a backfill's result goes: a CSV file, a Parquet file, or a table of the database. */
#include "backfill.h"

#include "db_backend.h"
#include "parquet.h"
#include "rt_csv.h"
#include "rt_format.h"
#include "rt_value.h"
#include "sql/sqlgen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The table a file spine's result is staged in before it becomes the --out table. */
#define BACKFILL_RESULT_STAGING "featc_backfill_result"

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* Appends "[CREATE SCHEMA IF NOT EXISTS s;] DROP TABLE IF EXISTS t; CREATE TABLE t AS ". */
static void replace_table_sql(db_dialect d, const char *table, strbuf *sql)
{
    char *schema = NULL;
    db_split_table(table, &schema);
    if (schema && d != DB_SQLITE) {
        strbuf_append(sql, "CREATE SCHEMA IF NOT EXISTS ");
        db_quote_ident(d, schema, sql);
        strbuf_append(sql, ";\n");
    }
    free(schema);
    strbuf_append(sql, "DROP TABLE IF EXISTS ");
    db_quote_table(d, table, sql);
    strbuf_append(sql, ";\nCREATE TABLE ");
    db_quote_table(d, table, sql);
    strbuf_append(sql, " AS ");
}

/* Appends value expr of type t as the result table stores it: ints as BIGINT, floats as
 * doubles, timestamps in the engine's timestamp type (SQLite: epoch microseconds). */
static void result_value_sql(db_dialect d, rt_type t, const char *expr, strbuf *sql)
{
    if (t == RT_TIMESTAMP)
        db_timestamp_from_us_sql(d, expr, sql);
    else
        strbuf_appendf(sql, "CAST(%s AS %s)", expr, db_sql_type(d, t));
}

/* Runs the statements that replace table, in one transaction. Returns 0 or -1 (message on
 * stderr). */
static int run_replacing(db_conn *c, const char *table, const char *body)
{
    char err[1024];
    if (db_exec(c, "BEGIN", err, sizeof err) != 0 || db_exec(c, body, err, sizeof err) != 0 ||
        db_exec(c, "COMMIT", err, sizeof err) != 0) {
        fprintf(stderr, "featc backfill: writing table \"%s\": %s\n", table, err);
        db_exec(c, "ROLLBACK", NULL, 0);
        return -1;
    }
    return 0;
}

/* ---- a file spine's result (a CSV written by backfill_write) into a table ---- */

/* Loads the CSV at csv_path, columns typed as types, into table through a staging table,
 * timestamps converted to the engine's type. Returns 0 or -1 (message on stderr). */
static int csv_to_table(db_conn *c, const char *csv_path, const rt_type *types, const char *table)
{
    char err[1024];
    db_dialect d = db_conn_dialect(c);
    rt_csv *csv = rt_csv_open(csv_path, 0, err, sizeof err);
    if (!csv) {
        fprintf(stderr, "featc backfill: %s\n", err);
        return -1;
    }
    int n = rt_csv_ncolumns(csv);
    const rt_csv_field *h = rt_csv_header(csv);
    char **names = xcalloc((size_t)n, sizeof *names);
    rt_slot *row = xcalloc((size_t)n, sizeof *row);
    for (int j = 0; j < n; j++)
        if (!(names[j] = strndup(h[j].text, h[j].len)))
            abort();
    int rc = -1;
    db_loader *ld = db_load_begin(c, BACKFILL_RESULT_STAGING, n, (const char *const *)names, types, err, sizeof err);
    if (!ld) {
        fprintf(stderr, "featc backfill: writing table \"%s\": %s\n", table, err);
        goto out;
    }
    for (;;) {
        const rt_csv_field *f;
        int nf;
        rt_csv_status st = rt_csv_next(csv, &f, &nf);
        if (st == RT_CSV_END)
            break;
        if (st != RT_CSV_ROW || nf != n) {
            fprintf(stderr, "featc backfill: reading back the result, line %" PRIu64 ": %s\n", rt_csv_line(csv),
                    st == RT_CSV_ROW ? "wrong number of fields" : rt_csv_problem(csv));
            goto out;
        }
        for (int j = 0; j < n; j++) {
            const char *why = NULL;
            bool null = !f[j].quoted && f[j].len == 0;
            if (!rt_value_from_text(types[j], f[j].text, f[j].len, null, &row[j], &why)) {
                fprintf(stderr, "featc backfill: reading back the result, line %" PRIu64 ", column '%s': %s\n",
                        rt_csv_line(csv), names[j], why);
                goto out;
            }
        }
        if (db_load_row(ld, row) != 0)
            break; /* db_load_end reports it */
    }
    int end = db_load_end(ld, err, sizeof err);
    ld = NULL;
    if (end != 0) {
        fprintf(stderr, "featc backfill: writing table \"%s\": %s\n", table, err);
        goto out;
    }
    strbuf sql = STRBUF_INIT;
    replace_table_sql(d, table, &sql);
    strbuf_append(&sql, "SELECT ");
    for (int j = 0; j < n; j++) {
        strbuf col = STRBUF_INIT;
        db_quote_ident(d, names[j], &col);
        if (j)
            strbuf_append(&sql, ", ");
        result_value_sql(d, types[j], strbuf_cstr(&col), &sql);
        strbuf_appendf(&sql, " AS %s", strbuf_cstr(&col));
        strbuf_free(&col);
    }
    strbuf_append(&sql, " FROM ");
    db_quote_table(d, BACKFILL_RESULT_STAGING, &sql);
    strbuf_append(&sql, ";\nDROP TABLE ");
    db_quote_table(d, BACKFILL_RESULT_STAGING, &sql);
    rc = run_replacing(c, table, strbuf_cstr(&sql));
    strbuf_free(&sql);
out:
    db_load_abort(ld);
    if (rc != 0) {
        strbuf drop = STRBUF_INIT;
        strbuf_append(&drop, "DROP TABLE IF EXISTS ");
        db_quote_table(d, BACKFILL_RESULT_STAGING, &drop);
        db_exec(c, strbuf_cstr(&drop), NULL, 0);
        strbuf_free(&drop);
    }
    rt_csv_close(csv);
    for (int j = 0; j < n; j++)
        free(names[j]);
    free(names);
    free(row);
    return rc;
}

/* ---- a table spine's result ---- */

/* Appends "WITH featc_result(_row, outputs...) AS (query) ": the query's columns named. */
static void result_cte_sql(db_dialect d, const plan_service *svc, const char *query, strbuf *sql)
{
    strbuf_append(sql, "WITH featc_result(");
    db_quote_ident(d, SQLGEN_ROW_COLUMN, sql);
    for (int o = 0; o < svc->noutputs; o++) {
        strbuf_append(sql, ", ");
        db_quote_ident(d, svc->outputs[o].column, sql);
    }
    strbuf_appendf(sql, ") AS (\n%s)\n", query);
}

/* Appends "FROM spine AS s JOIN featc_result AS c ON c._row = s._row ORDER BY s._row". */
static void joined_sql(db_dialect d, const char *spine_table, strbuf *sql)
{
    strbuf row = STRBUF_INIT;
    db_quote_ident(d, SQLGEN_ROW_COLUMN, &row);
    strbuf_append(sql, " FROM ");
    db_quote_table(d, spine_table, sql);
    strbuf_appendf(sql, " AS s JOIN featc_result AS c ON c.%s = s.%s ORDER BY s.%s", strbuf_cstr(&row),
                   strbuf_cstr(&row), strbuf_cstr(&row));
    strbuf_free(&row);
}

/* The result of a table spine as a new table: the spine's columns as they are, then the
 * outputs, all in SQL. */
static int table_spine_to_table(db_conn *c, const plan_service *svc, const char *query, const db_columns *cols,
                                const char *spine_table, const char *table)
{
    db_dialect d = db_conn_dialect(c);
    strbuf sql = STRBUF_INIT;
    replace_table_sql(d, table, &sql);
    result_cte_sql(d, svc, query, &sql);
    strbuf_append(&sql, "SELECT ");
    for (int j = 0; j < cols->n; j++) {
        strbuf_appendf(&sql, "%ss.featc_c%d AS ", j ? ", " : "", j);
        db_quote_ident(d, cols->cols[j].name, &sql);
    }
    for (int o = 0; o < svc->noutputs; o++) {
        strbuf col = STRBUF_INIT;
        strbuf_append(&col, "c.");
        db_quote_ident(d, svc->outputs[o].column, &col);
        strbuf_append(&sql, ", ");
        result_value_sql(d, (rt_type)svc->outputs[o].type, strbuf_cstr(&col), &sql);
        strbuf_append(&sql, " AS ");
        db_quote_ident(d, svc->outputs[o].column, &sql);
        strbuf_free(&col);
    }
    joined_sql(d, spine_table, &sql);
    int rc = run_replacing(c, table, strbuf_cstr(&sql));
    strbuf_free(&sql);
    return rc;
}

/* Writing state: each row of a table spine's result as CSV. */
typedef struct csv_writer {
    FILE *out;
    int ncols;
    const rt_type *types;
} csv_writer;

static int on_row(void *ctx, const rt_slot *row)
{
    csv_writer *w = ctx;
    bool ok = true;
    for (int j = 0; ok && j < w->ncols; j++)
        ok = (j == 0 || putc(',', w->out) != EOF) && rt_format_csv_value(w->out, &row[j], w->types[j]);
    return ok && putc('\n', w->out) != EOF ? 0 : 1;
}

/* The result of a table spine as CSV at path: the spine's columns as featc values (a type
 * featc has no name for as the engine's text), then the outputs. types gets each column's
 * type (cols->n + outputs). Returns 0 or -1 (message on stderr). */
static int table_spine_to_csv(db_conn *c, const plan_service *svc, const char *query, const db_columns *cols,
                              const char *spine_table, const char *path, rt_type *types)
{
    db_dialect d = db_conn_dialect(c);
    char err[1024];
    strbuf sql = STRBUF_INIT;
    result_cte_sql(d, svc, query, &sql);
    strbuf_append(&sql, "SELECT ");
    for (int j = 0; j < cols->n; j++) {
        char expr[32];
        snprintf(expr, sizeof expr, "s.featc_c%d", j);
        db_coltype k = cols->cols[j].type;
        types[j] = k == DB_COL_BOOL ? RT_BOOL : k == DB_COL_INT ? RT_INT : k == DB_COL_FLOAT ? RT_FLOAT
                 : k == DB_COL_TIMESTAMP || k == DB_COL_TIMESTAMP_NS ? RT_TIMESTAMP : RT_STRING;
        if (j)
            strbuf_append(&sql, ", ");
        if (types[j] == RT_TIMESTAMP)
            db_timestamp_sql(d, k, expr, &sql);
        else if (k == DB_COL_OTHER)
            strbuf_appendf(&sql, "CAST(%s AS TEXT)", expr);
        else
            strbuf_append(&sql, expr);
    }
    for (int o = 0; o < svc->noutputs; o++) {
        types[cols->n + o] = (rt_type)svc->outputs[o].type;
        strbuf_append(&sql, ", c.");
        db_quote_ident(d, svc->outputs[o].column, &sql);
    }
    joined_sql(d, spine_table, &sql);
    strbuf tmp = STRBUF_INIT;
    strbuf_appendf(&tmp, "%s.tmp", path);
    csv_writer w = {.ncols = cols->n + svc->noutputs, .types = types};
    int rc = -1;
    if (!(w.out = fopen(strbuf_cstr(&tmp), "w"))) {
        fprintf(stderr, "featc backfill: cannot write '%s': %s\n", strbuf_cstr(&tmp), strerror(errno));
        goto out;
    }
    bool ok = true;
    for (int j = 0; ok && j < cols->n; j++)
        ok = (j == 0 || putc(',', w.out) != EOF) &&
             rt_format_csv_text(w.out, cols->cols[j].name, strlen(cols->cols[j].name));
    for (int o = 0; ok && o < svc->noutputs; o++)
        ok = putc(',', w.out) != EOF &&
             rt_format_csv_text(w.out, svc->outputs[o].column, strlen(svc->outputs[o].column));
    ok = ok && putc('\n', w.out) != EOF;
    int q = ok ? db_query(c, strbuf_cstr(&sql), w.ncols, types, on_row, &w, err, sizeof err) : 1;
    if (fclose(w.out) != 0)
        ok = false;
    if (q != 0 || !ok) {
        fprintf(stderr, "featc backfill: %s\n", q < 0 ? err : "writing the result failed");
        remove(strbuf_cstr(&tmp));
        goto out;
    }
    if (rename(strbuf_cstr(&tmp), path) != 0) {
        fprintf(stderr, "featc backfill: cannot move '%s' to '%s': %s\n", strbuf_cstr(&tmp), path, strerror(errno));
        remove(strbuf_cstr(&tmp));
        goto out;
    }
    rc = 0;
out:
    strbuf_free(&tmp);
    strbuf_free(&sql);
    return rc;
}

/* A CSV path beside out (out.tmp.csv), or a new temporary file when out is a table. */
static void scratch_csv(const char *out, strbuf *path)
{
    if (!backfill_table_arg(out)) {
        strbuf_appendf(path, "%s.tmp.csv", out);
        return;
    }
    const char *dir = getenv("TMPDIR");
    strbuf_appendf(path, "%s/featc-result-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path->data);
    if (fd >= 0)
        close(fd);
}

int backfill_output(db_conn *c, const plan *p, const plan_service *svc, const char *query, const backfill_spine *sp,
                    const char *spine_path, const char *spine_table, const char *out)
{
    const char *out_table = backfill_table_arg(out), *spine_name = backfill_table_arg(spine_path);
    char err[1024];
    if (out_table && db_check_table_name(db_conn_dialect(c), out_table, err, sizeof err) != 0) {
        fprintf(stderr, "featc backfill: --out %s: %s\n", out, err);
        return -1;
    }
    if (!spine_name && !out_table && !parquet_path(out))
        return backfill_write(c, svc, query, sp, out);
    db_columns cols = {0};
    if (spine_name && db_table_columns(c, spine_name, &cols, err, sizeof err) != 1) {
        fprintf(stderr, "featc backfill: --spine %s: %s\n", spine_path, err);
        return -1;
    }
    if (spine_name && out_table) {
        int rc = table_spine_to_table(c, svc, query, &cols, spine_table, out_table);
        db_columns_free(&cols);
        return rc;
    }
    strbuf tmp = STRBUF_INIT;
    bool direct = spine_name && !parquet_path(out); /* a table spine to a CSV file */
    if (direct)
        strbuf_append(&tmp, out);
    else
        scratch_csv(out, &tmp);
    int ncols = spine_name ? cols.n + svc->noutputs : 0;
    rt_type *types = NULL;
    int rc;
    if (spine_name) {
        types = xcalloc((size_t)ncols, sizeof *types);
        rc = table_spine_to_csv(c, svc, query, &cols, spine_table, strbuf_cstr(&tmp), types);
    } else {
        rc = backfill_write(c, svc, query, sp, strbuf_cstr(&tmp));
        if (rc == 0) {
            rt_csv *csv = rt_csv_open(strbuf_cstr(&tmp), 0, err, sizeof err);
            ncols = csv ? rt_csv_ncolumns(csv) : 0;
            rt_csv_close(csv);
            types = xcalloc((size_t)ncols, sizeof *types);
            rc = csv ? parquet_result_types(p, svc, spine_path, strbuf_cstr(&tmp), ncols, types, err, sizeof err) : -1;
            if (rc != 0)
                fprintf(stderr, "featc backfill: %s\n", err);
        }
    }
    if (rc == 0 && !direct) {
        if (out_table)
            rc = csv_to_table(c, strbuf_cstr(&tmp), types, out_table);
        else if (spine_name)
            rc = parquet_write_csv(strbuf_cstr(&tmp), out, ncols, types, err, sizeof err);
        else
            rc = parquet_write_result(p, svc, spine_path, strbuf_cstr(&tmp), out, err, sizeof err);
        if (rc != 0 && !out_table)
            fprintf(stderr, "featc backfill: %s\n", err);
    }
    if (!direct)
        remove(strbuf_cstr(&tmp));
    strbuf_free(&tmp);
    free(types);
    db_columns_free(&cols);
    return rc;
}
