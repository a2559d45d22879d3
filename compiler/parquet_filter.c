/* parquet_filter.c - a Parquet file (or glob) copied without some of its rows, for parity's second round. */
#include "parquet_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number of rows of one file, or -1 with a message. */
static int64_t count_rows(pq_db *d, const char *file, char *err, size_t errlen)
{
    strbuf sql = STRBUF_INIT;
    strbuf_append(&sql, "SELECT count(*)::BIGINT FROM read_parquet(");
    pq_quote_path(file, &sql);
    strbuf_append(&sql, ")");
    duckdb_result res;
    int64_t n = -1;
    if (duckdb_query(d->con, strbuf_cstr(&sql), &res) == DuckDBError) {
        snprintf(err, errlen, "%s: cannot read it as Parquet: %s", file, duckdb_result_error(&res));
    } else {
        duckdb_data_chunk ch = duckdb_fetch_chunk(res);
        if (ch && duckdb_data_chunk_get_size(ch) == 1)
            n = ((const int64_t *)duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 0)))[0];
        if (ch)
            duckdb_destroy_data_chunk(&ch);
        if (n < 0)
            snprintf(err, errlen, "%s: cannot count its rows", file);
    }
    duckdb_destroy_result(&res);
    strbuf_free(&sql);
    return n;
}

/* Loads the row numbers to leave out into table dropped(r). */
static int load_drop(pq_db *d, const uint64_t *drop, int ndrop, char *err, size_t errlen)
{
    if (pq_db_exec(d, "CREATE TABLE dropped (r BIGINT)", err, errlen) != 0)
        return -1;
    duckdb_appender app = NULL;
    if (duckdb_appender_create(d->con, NULL, "dropped", &app) == DuckDBError) {
        duckdb_appender_destroy(&app);
        snprintf(err, errlen, "DuckDB: cannot append the rows to leave out");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < ndrop && rc == 0; i++)
        if (duckdb_append_int64(app, (int64_t)drop[i]) == DuckDBError || duckdb_appender_end_row(app) == DuckDBError)
            rc = -1;
    if (duckdb_appender_destroy(&app) == DuckDBError)
        rc = -1;
    if (rc)
        snprintf(err, errlen, "DuckDB: cannot append the rows to leave out");
    return rc;
}

int parquet_copy_without(const char *path, const char *out_path, const uint64_t *drop, int ndrop, char *err,
                         size_t errlen)
{
    char **files = NULL;
    int nfiles = pq_expand(path, &files, err, errlen);
    if (nfiles < 0)
        return -1;
    pq_db d;
    if (!pq_db_open(&d, err, errlen)) {
        pq_files_free(files, nfiles);
        return -1;
    }
    int rc = load_drop(&d, drop, ndrop, err, errlen);
    int64_t before = 0; /* rows of the files before this one: numbers run on over a glob */
    for (int i = 0; i < nfiles && rc == 0; i++) {
        strbuf sql = STRBUF_INIT;
        strbuf_append(&sql, i ? "INSERT INTO keep BY NAME " : "CREATE TABLE keep AS ");
        strbuf_appendf(&sql, "SELECT * EXCLUDE (file_row_number), file_row_number + %lld AS featc_row "
                             "FROM read_parquet(", (long long)before + 1);
        pq_quote_path(files[i], &sql);
        strbuf_append(&sql, ", file_row_number = true) WHERE featc_row NOT IN (SELECT r FROM dropped)");
        char msg[768];
        if (pq_db_exec(&d, strbuf_cstr(&sql), msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s: %s", files[i], msg);
            rc = -1;
        }
        strbuf_free(&sql);
        int64_t n = rc == 0 ? count_rows(&d, files[i], err, errlen) : -1;
        if (n < 0)
            rc = -1;
        before += n;
    }
    if (rc == 0) {
        strbuf sql = STRBUF_INIT;
        strbuf_append(&sql, "COPY (SELECT * EXCLUDE (featc_row) FROM keep ORDER BY featc_row) TO ");
        if (pq_quote_path(out_path, &sql) != 0) {
            snprintf(err, errlen, "%s: the path is not valid UTF-8", out_path);
            rc = -1;
        } else {
            strbuf_append(&sql, " (FORMAT PARQUET)");
            char msg[768];
            if (pq_db_exec(&d, strbuf_cstr(&sql), msg, sizeof msg) != 0) {
                snprintf(err, errlen, "writing %s: %s", out_path, msg);
                rc = -1;
            }
        }
        strbuf_free(&sql);
    }
    pq_db_close(&d);
    pq_files_free(files, nfiles);
    return rc;
}
