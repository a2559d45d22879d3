/* parquet_scan.c - reads the rows of a Parquet file or glob in file order, a DuckDB chunk at a time. */
#include "parquet_int.h"

#include "db_duckdb.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pq_scan {
    pq_db db;
    pq_select_fn select;
    void *ctx;
    char **files;
    int nfiles;
    int file;           /* the file being read: files[file] */
    duckdb_result res;  /* its streaming result, while has_res */
    bool has_res;
    int ncols;          /* columns of the result */
    pq_column *cols;    /* their types (after the select list's casts) */
    duckdb_data_chunk chunk;
    idx_t chunk_rows, index;
    const void **data;
    const uint64_t **valid;
    uint64_t row;       /* rows handed out, over all files */
};

/* "FILE: what DuckDB said" into (err, errlen). */
static void file_error(const char *file, const char *msg, char *err, size_t errlen)
{
    char duck[768];
    db_duck_errf(duck, sizeof duck, msg);
    snprintf(err, errlen, "%s: cannot read it as Parquet: %s", file, duck);
}

/* Prepares "SELECT <select> FROM read_parquet('file')"; NULL with a message. */
static duckdb_prepared_statement prepare(pq_db *d, const char *file, const char *select, char *err, size_t errlen)
{
    strbuf sql = STRBUF_INIT;
    strbuf_appendf(&sql, "SELECT %s FROM read_parquet(", select);
    if (pq_quote_path(file, &sql) != 0) {
        strbuf_free(&sql);
        snprintf(err, errlen, "%s: the path is not valid UTF-8, which DuckDB cannot open", file);
        return NULL;
    }
    strbuf_append(&sql, ")");
    duckdb_prepared_statement st = NULL;
    if (duckdb_prepare(d->con, strbuf_cstr(&sql), &st) == DuckDBError) {
        file_error(file, duckdb_prepare_error(st), err, errlen);
        duckdb_destroy_prepare(&st);
        st = NULL;
    }
    strbuf_free(&sql);
    return st;
}

/* The columns of a prepared statement's result. */
static int statement_columns(duckdb_prepared_statement st, pq_column **cols)
{
    int n = (int)duckdb_prepared_statement_column_count(st);
    *cols = calloc((size_t)n + 1, sizeof **cols);
    if (!*cols)
        abort();
    for (int j = 0; j < n; j++) {
        duckdb_logical_type t = duckdb_prepared_statement_column_logical_type(st, (idx_t)j);
        const char *name = duckdb_prepared_statement_column_name(st, (idx_t)j); /* ours to free */
        pq_column_init(&(*cols)[j], name, t);
        duckdb_free((void *)name);
        duckdb_destroy_logical_type(&t);
    }
    return n;
}

int pq_describe(pq_db *d, const char *file, pq_column **cols, char *err, size_t errlen)
{
    *cols = NULL;
    duckdb_prepared_statement st = prepare(d, file, "*", err, errlen);
    if (!st)
        return -1;
    int n = statement_columns(st, cols);
    duckdb_destroy_prepare(&st);
    return n;
}

int pq_find_column(const pq_column *cols, int n, const char *name, const char **near)
{
    *near = NULL;
    for (int j = 0; j < n; j++) {
        if (strcmp(cols[j].name, name) == 0)
            return j;
        if (!*near && strcasecmp(cols[j].name, name) == 0)
            *near = cols[j].name;
    }
    return -1;
}

/* Ends the current file's result. */
static void end_file(pq_scan *s)
{
    if (s->chunk)
        duckdb_destroy_data_chunk(&s->chunk);
    s->chunk = NULL;
    s->chunk_rows = s->index = 0;
    if (s->has_res)
        duckdb_destroy_result(&s->res);
    s->has_res = false;
    pq_columns_free(s->cols, s->ncols);
    s->cols = NULL;
    s->ncols = 0;
    free(s->data);
    free(s->valid);
    s->data = NULL;
    s->valid = NULL;
}

/* Starts reading files[k]: its columns, the select list, then a streaming result. */
static bool start_file(pq_scan *s, int k, char *err, size_t errlen)
{
    end_file(s);
    s->file = k;
    const char *file = s->files[k];
    pq_column *cols = NULL;
    int n = pq_describe(&s->db, file, &cols, err, errlen);
    if (n < 0)
        return false;
    strbuf sel = STRBUF_INIT;
    bool chosen = s->select(s->ctx, file, n, cols, &sel, err, errlen);
    pq_columns_free(cols, n);
    if (!chosen) {
        strbuf_free(&sel);
        return false;
    }
    duckdb_prepared_statement st = prepare(&s->db, file, strbuf_cstr(&sel), err, errlen);
    strbuf_free(&sel);
    if (!st)
        return false;
    s->ncols = statement_columns(st, &s->cols);
    duckdb_pending_result pending = NULL;
    bool ok = duckdb_pending_prepared_streaming(st, &pending) == DuckDBSuccess;
    if (ok && duckdb_execute_pending(pending, &s->res) == DuckDBSuccess) {
        s->has_res = true;
    } else {
        if (ok) {
            file_error(file, duckdb_result_error(&s->res), err, errlen);
            duckdb_destroy_result(&s->res);
        } else {
            file_error(file, duckdb_pending_error(pending), err, errlen);
        }
    }
    duckdb_destroy_pending(&pending);
    duckdb_destroy_prepare(&st);
    if (!s->has_res)
        return false;
    s->data = calloc((size_t)s->ncols + 1, sizeof *s->data);
    s->valid = calloc((size_t)s->ncols + 1, sizeof *s->valid);
    if (!s->data || !s->valid)
        abort();
    return true;
}

pq_scan *pq_scan_open(const char *path, pq_select_fn select, void *ctx, char *err, size_t errlen)
{
    pq_scan *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->select = select;
    s->ctx = ctx;
    s->nfiles = pq_expand(path, &s->files, err, errlen);
    if (s->nfiles < 0) {
        s->nfiles = 0;
        pq_scan_close(s);
        return NULL;
    }
    if (!pq_db_open(&s->db, err, errlen) || !start_file(s, 0, err, errlen)) {
        pq_scan_close(s);
        return NULL;
    }
    return s;
}

/* Fetches the current file's next non-empty chunk: 1, 0 when the file has no more, -1. */
static int next_chunk(pq_scan *s, char *err, size_t errlen)
{
    for (;;) {
        if (s->chunk)
            duckdb_destroy_data_chunk(&s->chunk);
        s->chunk = duckdb_fetch_chunk(s->res);
        s->index = 0;
        s->chunk_rows = 0;
        if (!s->chunk) {
            const char *msg = duckdb_result_error(&s->res);
            if (msg && *msg) {
                file_error(s->files[s->file], msg, err, errlen);
                return -1;
            }
            return 0;
        }
        s->chunk_rows = duckdb_data_chunk_get_size(s->chunk);
        if (s->chunk_rows == 0)
            continue;
        assert(duckdb_data_chunk_get_column_count(s->chunk) == (idx_t)s->ncols);
        for (int j = 0; j < s->ncols; j++) {
            duckdb_vector v = duckdb_data_chunk_get_vector(s->chunk, (idx_t)j);
            s->data[j] = duckdb_vector_get_data(v);
            s->valid[j] = duckdb_vector_get_validity(v);
        }
        return 1;
    }
}

int pq_scan_next(pq_scan *s, char *err, size_t errlen)
{
    if (s->chunk && s->index + 1 < s->chunk_rows) {
        s->index++;
        s->row++;
        return 1;
    }
    for (;;) {
        if (!s->has_res)
            return 0;
        int m = next_chunk(s, err, errlen);
        if (m < 0)
            return -1;
        if (m > 0) {
            s->row++;
            return 1;
        }
        if (s->file + 1 >= s->nfiles) {
            end_file(s);
            return 0;
        }
        if (!start_file(s, s->file + 1, err, errlen))
            return -1;
    }
}

uint64_t pq_scan_row(const pq_scan *s) { return s->row; }

const char *pq_scan_file(const pq_scan *s) { return s->files[s->file]; }

const pq_column *pq_scan_column(const pq_scan *s, int j)
{
    assert(j >= 0 && j < s->ncols);
    return &s->cols[j];
}

const void *pq_scan_data(const pq_scan *s, int j)
{
    assert(s->chunk && j >= 0 && j < s->ncols);
    return s->data[j];
}

const uint64_t *pq_scan_validity(const pq_scan *s, int j)
{
    assert(s->chunk && j >= 0 && j < s->ncols);
    return s->valid[j];
}

idx_t pq_scan_index(const pq_scan *s) { return s->index; }

void pq_scan_close(pq_scan *s)
{
    if (!s)
        return;
    end_file(s);
    pq_db_close(&s->db);
    pq_files_free(s->files, s->nfiles);
    free(s);
}
