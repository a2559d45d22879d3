/* parquet_write.c - a result CSV written as a Parquet file with typed columns, through the private DuckDB. */
#include "parquet_int.h"

#include "db.h"
#include "rt_csv.h"
#include "rt_reject.h"
#include "rt_time.h"
#include "rt_value.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How one column of the result is written: parsed from its CSV text as type `as` into a
 * staging column of that type's DuckDB type, then cast to cast_to (a DuckDB type name)
 * when set. */
typedef struct out_col {
    rt_type as;
    char *cast_to;
    rt_type value; /* the featc type its values have (parquet_result_types) */
} out_col;

static const char *staging_type(rt_type t)
{
    switch (t) {
    case RT_BOOL: return "BOOLEAN";
    case RT_INT: return "BIGINT";
    case RT_FLOAT: return "DOUBLE";
    case RT_STRING: return "VARCHAR";
    case RT_TIMESTAMP: return "TIMESTAMP";
    }
    return "VARCHAR";
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        abort();
    return p;
}

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads a timestamp as featc writes it: the contract's forms (rt_time_parse), or
 * rt_time_format's form for years outside 0..9999, [+-]Y...-MM-DDTHH:MM:SS.ffffffZ. */
static bool parse_time(const char *s, size_t n, int64_t *out)
{
    if (rt_time_parse(s, n, out))
        return true;
    if (n < 28 || (s[0] != '+' && s[0] != '-'))
        return false;
    const char *tail = s + n - 27 + 4; /* "-MM-DDTHH:MM:SS.ffffffZ", after the year */
    int64_t year = 0;
    for (const char *p = s + 1; p < tail; p++) {
        if (*p < '0' || *p > '9' || year > 1000000)
            return false;
        year = year * 10 + (*p - '0');
    }
    if (s[0] == '-')
        year = -year;
    /* the rest, checked by the ISO parser on a stand-in year */
    char probe[32];
    memcpy(probe, "2000", 4);
    memcpy(probe + 4, tail, 23);
    int64_t shape;
    if (!rt_time_parse(probe, 27, &shape))
        return false;
    int64_t month = (tail[1] - '0') * 10 + (tail[2] - '0'), day = (tail[4] - '0') * 10 + (tail[5] - '0');
    int64_t in_day = shape - days_from_civil(2000, month, day) * 86400000000LL;
    __int128 us = (__int128)days_from_civil(year, month, day) * 86400000000LL + in_day;
    if (us < INT64_MIN || us > INT64_MAX)
        return false;
    *out = (int64_t)us;
    return true;
}

/* Appends one CSV field to the appender as column c. Returns 0, 1 when the text is not a
 * value of the column's type (message in err), or -1 when the appender failed. */
static int append_field(duckdb_appender app, const out_col *c, const rt_csv_field *f, const char *name,
                        uint64_t line, char *err, size_t errlen)
{
    if (!f->quoted && f->len == 0)
        return duckdb_append_null(app) == DuckDBSuccess ? 0 : -1;
    if (c->as == RT_STRING)
        return duckdb_append_varchar_length(app, f->text, f->len) == DuckDBSuccess ? 0 : -1;
    rt_slot v = {0};
    const char *why = NULL;
    bool ok = c->as == RT_TIMESTAMP ? parse_time(f->text, f->len, &v.v.i)
                                    : rt_value_from_text(c->as, f->text, f->len, false, &v, &why);
    if (!ok) {
        char excerpt[160] = "";
        rt_reject_excerpt(excerpt, sizeof excerpt, f->text, f->len, 64, true);
        snprintf(err, errlen, "line %llu, column '%s': %s is not a %s", (unsigned long long)line, name, excerpt,
                 rt_value_type_name(c->as));
        return 1;
    }
    duckdb_state st = DuckDBError;
    switch (c->as) {
    case RT_BOOL: st = duckdb_append_bool(app, v.v.i != 0); break;
    case RT_INT: st = duckdb_append_int64(app, v.v.i); break;
    case RT_FLOAT: st = duckdb_append_double(app, v.v.f); break;
    case RT_TIMESTAMP: st = duckdb_append_timestamp(app, (duckdb_timestamp){v.v.i}); break;
    case RT_STRING: break;
    }
    return st == DuckDBSuccess ? 0 : -1;
}

/* The message of a failed appender call. */
static void appender_error(duckdb_appender app, char *err, size_t errlen)
{
    duckdb_error_data ed = duckdb_appender_error_data(app);
    snprintf(err, errlen, "DuckDB: %s", ed ? duckdb_error_data_message(ed) : "the appender failed");
    if (ed)
        duckdb_destroy_error_data(&ed);
}

/* Copies every row of the CSV into staging table r (columns c0.. of the staging types). */
static bool load_rows(pq_db *d, rt_csv *csv, const out_col *cols, int ncols, char *err, size_t errlen)
{
    duckdb_appender app = NULL;
    if (duckdb_appender_create(d->con, NULL, "r", &app) == DuckDBError) {
        appender_error(app, err, errlen);
        duckdb_appender_destroy(&app);
        return false;
    }
    const rt_csv_field *h = rt_csv_header(csv);
    bool ok = true;
    for (;;) {
        const rt_csv_field *f;
        int nf;
        rt_csv_status st = rt_csv_next(csv, &f, &nf);
        if (st == RT_CSV_END)
            break;
        uint64_t line = rt_csv_line(csv);
        if (st != RT_CSV_ROW || nf != ncols) {
            snprintf(err, errlen, "line %llu: %s", (unsigned long long)line,
                     st == RT_CSV_ROW ? "another number of fields than the header" : rt_csv_problem(csv));
            ok = false;
            break;
        }
        for (int j = 0; ok && j < ncols; j++) {
            char name[80] = "";
            snprintf(name, sizeof name, "%.*s", (int)(h[j].len > 64 ? 64 : h[j].len), h[j].text);
            int a = append_field(app, &cols[j], &f[j], name, line, err, errlen);
            if (a < 0)
                appender_error(app, err, errlen);
            ok = a == 0;
        }
        if (ok && duckdb_appender_end_row(app) == DuckDBError) {
            appender_error(app, err, errlen);
            ok = false;
        }
        if (!ok)
            break;
    }
    if (ok && duckdb_appender_close(app) == DuckDBError) {
        appender_error(app, err, errlen);
        ok = false;
    }
    duckdb_appender_destroy(&app);
    return ok;
}

/* Writes the CSV at csv_path to out_path as Parquet, column j written as cols[j] says. */
static int write_parquet(const char *csv_path, const char *out_path, const out_col *cols, int ncols, char *err,
                         size_t errlen)
{
    char msg[768] = "";
    pq_db d;
    rt_csv *csv = rt_csv_open(csv_path, 0, msg, sizeof msg);
    if (!csv) {
        snprintf(err, errlen, "%s", msg);
        return -1;
    }
    if (rt_csv_ncolumns(csv) != ncols) {
        snprintf(err, errlen, "%s: %d columns where %d were expected", csv_path, rt_csv_ncolumns(csv), ncols);
        rt_csv_close(csv);
        return -1;
    }
    if (!pq_db_open(&d, err, errlen)) {
        rt_csv_close(csv);
        return -1;
    }
    int rc = -1;
    const rt_csv_field *h = rt_csv_header(csv);
    strbuf create = STRBUF_INIT, copy = STRBUF_INIT, tmp = STRBUF_INIT;
    strbuf_append(&create, "CREATE TABLE r (");
    strbuf_append(&copy, "COPY (SELECT ");
    for (int j = 0; j < ncols; j++) {
        strbuf_appendf(&create, "%sc%d %s", j ? ", " : "", j, staging_type(cols[j].as));
        char *name = strndup(h[j].text, h[j].len);
        if (!name)
            abort();
        if (cols[j].cast_to)
            strbuf_appendf(&copy, "%sCAST(c%d AS %s) AS ", j ? ", " : "", j, cols[j].cast_to);
        else
            strbuf_appendf(&copy, "%sc%d AS ", j ? ", " : "", j);
        db_quote_ident(DB_DUCKDB, name, &copy);
        free(name);
    }
    strbuf_append(&create, ")");
    strbuf_appendf(&tmp, "%s.tmp", out_path);
    strbuf_append(&copy, " FROM r) TO ");
    if (pq_quote_path(strbuf_cstr(&tmp), &copy) != 0) {
        snprintf(err, errlen, "%s: the path is not valid UTF-8, which DuckDB cannot write", out_path);
        goto out;
    }
    strbuf_append(&copy, " (FORMAT PARQUET)");
    if (pq_db_exec(&d, strbuf_cstr(&create), msg, sizeof msg) != 0 ||
        !load_rows(&d, csv, cols, ncols, msg, sizeof msg)) {
        snprintf(err, errlen, "writing %s: %s", out_path, msg);
        goto out;
    }
    if (pq_db_exec(&d, strbuf_cstr(&copy), msg, sizeof msg) != 0) {
        snprintf(err, errlen, "writing %s: %s", out_path, msg);
        remove(strbuf_cstr(&tmp));
        goto out;
    }
    if (rename(strbuf_cstr(&tmp), out_path) != 0) {
        snprintf(err, errlen, "cannot move '%s' to '%s': %s", strbuf_cstr(&tmp), out_path, strerror(errno));
        remove(strbuf_cstr(&tmp));
        goto out;
    }
    rc = 0;
out:
    strbuf_free(&create);
    strbuf_free(&copy);
    strbuf_free(&tmp);
    pq_db_close(&d);
    rt_csv_close(csv);
    return rc;
}

/* How a column of a Parquet spine is written back: as featc reads it (pq_text's forms),
 * then cast to its own type where that is not the staging type. */
static out_col spine_parquet_col(const pq_column *c, const char *type_text)
{
    switch (c->id) {
    case DUCKDB_TYPE_BOOLEAN: return (out_col){RT_BOOL, NULL, RT_BOOL};
    case DUCKDB_TYPE_BIGINT: return (out_col){RT_INT, NULL, RT_INT};
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER: return (out_col){RT_STRING, xstrdup(type_text), RT_INT};
    case DUCKDB_TYPE_DOUBLE: return (out_col){RT_FLOAT, NULL, RT_FLOAT};
    case DUCKDB_TYPE_FLOAT: return (out_col){RT_FLOAT, xstrdup("FLOAT"), RT_FLOAT};
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_ENUM: return (out_col){RT_STRING, NULL, RT_STRING};
    case DUCKDB_TYPE_TIMESTAMP: return (out_col){RT_TIMESTAMP, NULL, RT_TIMESTAMP};
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS: return (out_col){RT_TIMESTAMP, xstrdup(type_text), RT_TIMESTAMP};
    default: return (out_col){RT_STRING, xstrdup(type_text), RT_STRING}; /* DuckDB's own text, cast back */
    }
}

/* Collects DESCRIBE's (name, type text) rows. */
static bool describe_types(pq_db *d, const char *file, int n, char **types, char *err, size_t errlen)
{
    strbuf sql = STRBUF_INIT;
    strbuf_append(&sql, "SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet(");
    pq_quote_path(file, &sql);
    strbuf_append(&sql, "))");
    duckdb_result res;
    bool ok = duckdb_query(d->con, strbuf_cstr(&sql), &res) == DuckDBSuccess;
    strbuf_free(&sql);
    if (!ok) {
        snprintf(err, errlen, "%s: %s", file, duckdb_result_error(&res));
        duckdb_destroy_result(&res);
        return false;
    }
    int k = 0;
    duckdb_data_chunk ch;
    while ((ch = duckdb_fetch_chunk(res)) != NULL) {
        idx_t rows = duckdb_data_chunk_get_size(ch);
        duckdb_string_t *v = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 0));
        for (idx_t r = 0; r < rows && k < n; r++, k++)
            types[k] = strndup(duckdb_string_t_data(&v[r]), duckdb_string_t_length(v[r]));
        duckdb_destroy_data_chunk(&ch);
    }
    duckdb_destroy_result(&res);
    for (int j = 0; j < k; j++)
        if (!types[j])
            abort();
    if (k != n) {
        snprintf(err, errlen, "%s: DESCRIBE gave %d columns where the file has %d", file, k, n);
        return false;
    }
    return true;
}

/* The spine's columns as a Parquet spine has them: its first file's names and types. */
static int spine_parquet_columns(const char *spine_path, pq_column **cols, char ***types, char *err, size_t errlen)
{
    char **files = NULL;
    int nfiles = pq_expand(spine_path, &files, err, errlen);
    if (nfiles < 0)
        return -1;
    pq_db d;
    int n = -1;
    if (pq_db_open(&d, err, errlen)) {
        n = pq_describe(&d, files[0], cols, err, errlen);
        if (n >= 0) {
            *types = calloc((size_t)n + 1, sizeof **types);
            if (!*types)
                abort();
            if (!describe_types(&d, files[0], n, *types, err, errlen)) {
                for (int j = 0; j < n; j++)
                    free((*types)[j]);
                free(*types);
                pq_columns_free(*cols, n);
                *cols = NULL;
                n = -1;
            }
        }
        pq_db_close(&d);
    }
    pq_files_free(files, nfiles);
    return n;
}

/* How each column of a result with header h[ncols] is written: outputs as their types, the
 * spine's columns as the spine had them. Fills cols; returns 0, or -1 with a message. */
static int result_columns(const plan *p, const plan_service *svc, const char *spine_path, int ncols,
                          const rt_csv_field *h, out_col *cols, char *err, size_t errlen)
{
    pq_column *sp = NULL;
    char **sp_types = NULL;
    int nsp = 0;
    if (parquet_path(spine_path) && (nsp = spine_parquet_columns(spine_path, &sp, &sp_types, err, errlen)) < 0)
        return -1;
    const plan_source *req = svc->request_source >= 0 ? &p->sources[svc->request_source] : NULL;
    for (int j = 0; j < ncols; j++) {
        char *name = strndup(h[j].text, h[j].len);
        if (!name)
            abort();
        cols[j] = (out_col){RT_STRING, NULL, RT_STRING};
        bool done = false;
        for (int o = 0; o < svc->noutputs && !done; o++)
            if (strcmp(svc->outputs[o].column, name) == 0) {
                cols[j].as = (rt_type)svc->outputs[o].type;
                done = true;
            }
        const char *near;
        int k = done || !nsp ? -1 : pq_find_column(sp, nsp, name, &near);
        if (k >= 0) {
            cols[j] = spine_parquet_col(&sp[k], sp_types[k]);
            done = true;
        }
        if (!done && !nsp && strcmp(name, "ts") == 0) {
            cols[j].as = RT_TIMESTAMP;
            done = true;
        }
        for (int kk = 0; !done && !nsp && kk < svc->nkeys; kk++)
            if (strcmp(svc->keys[kk].name, name) == 0) {
                cols[j].as = (rt_type)svc->keys[kk].type;
                done = true;
            }
        for (int f = 0; !done && !nsp && req && f < req->nfields; f++)
            if (strcmp(req->fields[f].name, name) == 0) {
                cols[j].as = (rt_type)req->fields[f].type;
                done = true;
            }
        free(name);
    }
    for (int j = 0; j < ncols; j++)
        if (!cols[j].cast_to)
            cols[j].value = cols[j].as;
    for (int j = 0; j < nsp; j++)
        free(sp_types[j]);
    free(sp_types);
    pq_columns_free(sp, nsp);
    return 0;
}

/* Reads the header of the CSV at csv_path and how each column is written; NULL with a
 * message, else cols (malloc'd, *ncols of them; free with free_cols). */
static out_col *csv_result_columns(const plan *p, const plan_service *svc, const char *spine_path,
                                   const char *csv_path, int *ncols, char *err, size_t errlen)
{
    rt_csv *csv = rt_csv_open(csv_path, 0, err, errlen);
    if (!csv)
        return NULL;
    *ncols = rt_csv_ncolumns(csv);
    out_col *cols = calloc((size_t)*ncols + 1, sizeof *cols);
    if (!cols)
        abort();
    if (result_columns(p, svc, spine_path, *ncols, rt_csv_header(csv), cols, err, errlen) != 0) {
        free(cols);
        cols = NULL;
    }
    rt_csv_close(csv);
    return cols;
}

static void free_cols(out_col *cols, int n)
{
    for (int j = 0; cols && j < n; j++)
        free(cols[j].cast_to);
    free(cols);
}

int parquet_write_result(const plan *p, const plan_service *svc, const char *spine_path, const char *csv_path,
                         const char *out_path, char *err, size_t errlen)
{
    int ncols = 0;
    out_col *cols = csv_result_columns(p, svc, spine_path, csv_path, &ncols, err, errlen);
    if (!cols)
        return -1;
    int rc = write_parquet(csv_path, out_path, cols, ncols, err, errlen);
    free_cols(cols, ncols);
    return rc;
}

int parquet_result_types(const plan *p, const plan_service *svc, const char *spine_path, const char *csv_path,
                         int ncols, rt_type *types, char *err, size_t errlen)
{
    int n = 0;
    out_col *cols = csv_result_columns(p, svc, spine_path, csv_path, &n, err, errlen);
    if (!cols)
        return -1;
    int rc = 0;
    if (n != ncols) {
        snprintf(err, errlen, "%s: %d columns where %d were expected", csv_path, n, ncols);
        rc = -1;
    }
    for (int j = 0; rc == 0 && j < n; j++)
        types[j] = cols[j].value;
    free_cols(cols, n);
    return rc;
}

int parquet_write_csv(const char *csv_path, const char *out_path, int ncols, const rt_type *types, char *err,
                      size_t errlen)
{
    out_col *cols = calloc((size_t)ncols + 1, sizeof *cols);
    if (!cols)
        abort();
    for (int j = 0; j < ncols; j++)
        cols[j] = (out_col){types[j], NULL, types[j]};
    int rc = write_parquet(csv_path, out_path, cols, ncols, err, errlen);
    free_cols(cols, ncols);
    return rc;
}
