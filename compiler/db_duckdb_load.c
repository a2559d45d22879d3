/* db_duckdb_load.c - DuckDB bulk loads: rows copied into data chunks, appended a chunk at a time. */
#include "db_duckdb.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows are not appended one value at a time (each call checks and converts its value) but
 * written straight into a DuckDB data chunk of the table's column types; a full chunk
 * (duckdb_vector_size() rows) goes to the appender in one duckdb_append_data_chunk. */
typedef struct duck_loader {
    db_loader base;
    duckdb_appender app;
    idx_t cap;             /* rows per chunk */
    duckdb_data_chunk cur; /* the chunk being filled */
    idx_t n;               /* rows in cur */
    int64_t first;         /* load-wide 1-based number of cur's first row */
    duckdb_vector *vec;    /* per column: cur's vectors */
    void **data;           /* per column: their data */
    uint64_t **valid;      /* per column: their validity mask, NULL until a null is written */
} duck_loader;

/* Writes 'loading table "T"<what>: DuckDB: <appender error>' to (err, errlen). */
static void duck_appender_message(duck_loader *l, const char *what, char *err, size_t errlen)
{
    duckdb_error_data ed = duckdb_appender_error_data(l->app);
    char msg[768];
    db_duck_errf(msg, sizeof msg, ed ? duckdb_error_data_message(ed) : "the appender failed");
    db_errf(err, errlen, "loading table \"%s\"%s: %s", l->base.table, what, msg);
    if (ed)
        duckdb_destroy_error_data(&ed);
}

/* Points l's per-column pointers at the vectors of l->cur (after creating or resetting it). */
static void duck_chunk_bind(duck_loader *l)
{
    for (int j = 0; j < l->base.ncols; j++) {
        l->vec[j] = duckdb_data_chunk_get_vector(l->cur, (idx_t)j);
        l->data[j] = duckdb_vector_get_data(l->vec[j]);
        l->valid[j] = NULL;
    }
    l->n = 0;
}

/* Creates the chunk, with the column types the appender reports for the new table. */
static void duck_chunks_init(duck_loader *l)
{
    int nc = l->base.ncols;
    duckdb_logical_type *types = calloc((size_t)nc, sizeof *types);
    l->vec = calloc((size_t)nc, sizeof *l->vec);
    l->data = calloc((size_t)nc, sizeof *l->data);
    l->valid = calloc((size_t)nc, sizeof *l->valid);
    if (!types || !l->vec || !l->data || !l->valid)
        abort();
    assert(duckdb_appender_column_count(l->app) == (idx_t)nc);
    for (int j = 0; j < nc; j++)
        types[j] = duckdb_appender_column_type(l->app, (idx_t)j);
    l->cap = duckdb_vector_size();
    l->cur = duckdb_create_data_chunk(types, (idx_t)nc);
    for (int j = 0; j < nc; j++)
        duckdb_destroy_logical_type(&types[j]);
    free(types);
    if (!l->cur)
        abort();
    duck_chunk_bind(l);
}

static void duck_chunks_free(duck_loader *l)
{
    if (l->cur)
        duckdb_destroy_data_chunk(&l->cur);
    free(l->vec);
    free(l->data);
    free(l->valid);
}

/* Appends the n rows of cur and empties it. Returns 0, or -1 with the message in l->base.err
 * naming the table and the rows of the chunk. */
static int duck_flush(duck_loader *l)
{
    if (l->n == 0)
        return 0;
    duckdb_data_chunk_set_size(l->cur, l->n);
    int rc = 0;
    if (duckdb_append_data_chunk(l->app, l->cur) == DuckDBError) {
        char where[96];
        snprintf(where, sizeof where, ", rows %lld to %lld", (long long)l->first,
                 (long long)(l->first + (int64_t)l->n - 1));
        duck_appender_message(l, where, l->base.err, sizeof l->base.err);
        rc = -1;
    }
    duckdb_data_chunk_reset(l->cur);
    duck_chunk_bind(l);
    return rc;
}

db_loader *db_duck_load_begin(db_conn *base, const char *table, int ncols, const char *const *names,
                              const rt_type *types, char *err, size_t errlen)
{
    db_duck_conn *c = db_duck_of(base);
    strbuf sql = STRBUF_INIT;
    char *schema = NULL;
    const char *name = db_split_table(table, &schema);
    char msg[1024];
    /* BEGIN alone first: when it fails (a transaction is open) there is nothing to undo. */
    if (db_duck_exec(base, "BEGIN TRANSACTION", msg, sizeof msg)) {
        db_errf(err, errlen, "loading table \"%s\": %s", table, msg);
        free(schema);
        return NULL;
    }
    if (schema) {
        strbuf_append(&sql, "CREATE SCHEMA IF NOT EXISTS ");
        db_quote_ident(DB_DUCKDB, schema, &sql);
        strbuf_append(&sql, ";\n");
    }
    strbuf_append(&sql, "DROP TABLE IF EXISTS ");
    db_quote_table(DB_DUCKDB, table, &sql);
    strbuf_append(&sql, ";\n");
    db_create_table_sql(DB_DUCKDB, table, ncols, names, types, &sql);
    int rc = db_duck_exec(base, sql.data, msg, sizeof msg);
    strbuf_free(&sql);
    duckdb_appender app = NULL;
    if (rc == 0 && duckdb_appender_create_ext(c->con, NULL, schema, name, &app) == DuckDBError) {
        duckdb_error_data ed = duckdb_appender_error_data(app);
        db_duck_errf(msg, sizeof msg, ed ? duckdb_error_data_message(ed) : "cannot create an appender");
        if (ed)
            duckdb_destroy_error_data(&ed);
        duckdb_appender_destroy(&app);
        rc = -1;
    }
    free(schema);
    if (rc) {
        db_errf(err, errlen, "loading table \"%s\": %s", table, msg);
        db_duck_exec(base, "ROLLBACK", NULL, 0);
        return NULL;
    }
    duck_loader *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    db_loader_init(&l->base, base, table, ncols, names, types);
    l->app = app;
    duck_chunks_init(l);
    return &l->base;
}

/* Copies one row into the chunk (strings into the chunk's own heap), appending the chunk when
 * it is full. */
int db_duck_load_row(db_loader *base, const rt_slot *row)
{
    duck_loader *l = (duck_loader *)base;
    idx_t r = l->n;
    if (r == 0)
        l->first = base->rows + 1;
    for (int j = 0; j < base->ncols; j++) {
        const rt_slot *v = &row[j];
        void *d = l->data[j];
        rt_type t = base->types[j];
        if (v->null) {
            if (!l->valid[j]) {
                duckdb_vector_ensure_validity_writable(l->vec[j]);
                l->valid[j] = duckdb_vector_get_validity(l->vec[j]);
            }
            l->valid[j][r >> 6] &= ~((uint64_t)1 << (r & 63));
            /* the slot under a null is never read; keep it defined all the same */
            if (t == RT_STRING)
                memset(&((duckdb_string_t *)d)[r], 0, sizeof(duckdb_string_t));
            else if (t == RT_BOOL)
                ((bool *)d)[r] = false;
            else
                ((int64_t *)d)[r] = 0;
            continue;
        }
        switch (t) {
        case RT_BOOL: ((bool *)d)[r] = v->v.i != 0; break;
        case RT_INT:
        case RT_TIMESTAMP: ((int64_t *)d)[r] = v->v.i; break;
        case RT_FLOAT: ((double *)d)[r] = v->v.f; break;
        case RT_STRING:
            duckdb_vector_assign_string_element_len(l->vec[j], r, v->len ? v->v.s : "", v->len);
            break;
        default: assert(!"invalid type"); break;
        }
    }
    l->n = r + 1;
    return l->n == l->cap ? duck_flush(l) : 0;
}

/* Appends what is left, closes the appender and commits; or rolls everything back. Frees l. */
int db_duck_load_finish(db_loader *base, bool commit, char *err, size_t errlen)
{
    duck_loader *l = (duck_loader *)base;
    int rc = 0;
    if (commit && duck_flush(l) != 0) {
        db_errf(err, errlen, "%s", base->err);
        rc = -1;
    }
    if (commit && rc == 0 && duckdb_appender_close(l->app) == DuckDBError) {
        duck_appender_message(l, "", err, errlen);
        rc = -1;
    }
    duckdb_appender_destroy(&l->app);
    duck_chunks_free(l);
    if (commit && rc == 0) {
        char msg[1024];
        if (db_duck_exec(base->conn, "COMMIT", msg, sizeof msg)) {
            db_errf(err, errlen, "loading table \"%s\": %s", base->table, msg);
            rc = -1;
        }
    }
    if (!commit || rc)
        db_duck_exec(base->conn, "ROLLBACK", NULL, 0);
    db_loader_release(base);
    free(l);
    return rc;
}
