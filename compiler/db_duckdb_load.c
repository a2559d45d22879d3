/* db_duckdb_load.c - DuckDB bulk loads: rows copied into data chunks, appended a chunk at a time. */
#include "db_duckdb.h"

#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chunks in flight at most (see below); tests/unit/test_db_load_duckdb.c loads past it. */
#define DUCK_RING 64

/* Rows are not appended one value at a time (each call checks and converts its value) but
 * written straight into a DuckDB data chunk of the table's column types; a full chunk
 * (duckdb_vector_size() rows) goes to the appender in one duckdb_append_data_chunk.
 *
 * Those appends run on a second thread while the caller decodes and copies the next rows,
 * so parsing and appending overlap. Most appends only copy the chunk, but every ~200k rows
 * the appender flushes into the table (statistics, storage), which takes as long as decoding
 * tens of chunks: a ring of up to DUCK_RING chunks lets the caller go on filling meanwhile.
 * Chunks are made as the ring first needs them, so a load of a few rows makes one. The
 * thread starts when the first chunk is full (a one-chunk load never starts one) and only
 * when more than one CPU is available; from then until it is joined it is the only user of
 * the appender. Chunk i of the load lives in ring slot i % DUCK_RING.
 *
 * While the thread runs, DuckDB's own worker threads are set to one (and put back after the
 * load). The appender flushes through an INSERT plan, which with two workers splits each
 * flush in two halves smaller than a row group; DuckDB then appends each half to the table a
 * second time instead of merging it, and its worker competes with the decoding thread for
 * the second CPU. With one worker the flush runs whole on the appending thread: a third less
 * CPU for the load. */
typedef struct duck_loader {
    db_loader base;
    duckdb_appender app;
    idx_t cap;                           /* rows per chunk */
    duckdb_logical_type *types;          /* the table's column types, to make chunks */
    duckdb_data_chunk ring[DUCK_RING];   /* NULL until first needed */
    int64_t ring_first[DUCK_RING];       /* load-wide 1-based number of each chunk's first row */
    size_t slot;                         /* the chunk being filled: ring[slot] */
    duckdb_data_chunk cur;               /* ring[slot] */
    idx_t n;                             /* rows in cur */
    duckdb_vector *vec;                  /* per column: cur's vectors */
    void **data;                         /* per column: their data */
    uint64_t **valid;                    /* per column: their validity mask, NULL until a null */
    bool threaded;                       /* the thread runs */
    bool single;                         /* no thread: append in the caller's thread */
    int64_t duck_threads;                /* DuckDB's "threads" to put back, or 0 */
    pthread_t thread;
    /* mu guards what follows; cv signals any change of it */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t filled;                     /* chunks handed to the thread */
    uint64_t appended;                   /* chunks it has appended (<= filled) */
    bool stop;                           /* no more chunks: append what is left and end */
    bool abandon;                        /* rolling back: end without appending the rest */
    bool failed;                         /* an append failed and the thread ended; why: why */
    char why[1024];
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

/* Makes ring slot k the chunk to fill, empty (creating the chunk on first use), and points
 * the per-column pointers at it. The thread must be done with the slot. */
static void duck_take_slot(duck_loader *l, size_t k, int64_t first)
{
    if (!l->ring[k]) {
        l->ring[k] = duckdb_create_data_chunk(l->types, (idx_t)l->base.ncols);
        if (!l->ring[k])
            abort();
    } else {
        duckdb_data_chunk_reset(l->ring[k]);
    }
    l->slot = k;
    l->cur = l->ring[k];
    l->ring_first[k] = first;
    for (int j = 0; j < l->base.ncols; j++) {
        l->vec[j] = duckdb_data_chunk_get_vector(l->cur, (idx_t)j);
        l->data[j] = duckdb_vector_get_data(l->vec[j]);
        l->valid[j] = NULL;
    }
    l->n = 0;
}

/* Sets up the ring with the column types the appender reports for the new table. */
static void duck_ring_init(duck_loader *l)
{
    int nc = l->base.ncols;
    l->types = calloc((size_t)nc, sizeof *l->types);
    l->vec = calloc((size_t)nc, sizeof *l->vec);
    l->data = calloc((size_t)nc, sizeof *l->data);
    l->valid = calloc((size_t)nc, sizeof *l->valid);
    if (!l->types || !l->vec || !l->data || !l->valid)
        abort();
    assert(duckdb_appender_column_count(l->app) == (idx_t)nc);
    for (int j = 0; j < nc; j++)
        l->types[j] = duckdb_appender_column_type(l->app, (idx_t)j);
    l->cap = duckdb_vector_size();
    if (pthread_mutex_init(&l->mu, NULL) || pthread_cond_init(&l->cv, NULL))
        abort();
    cpu_set_t cpus;
    l->single = sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) < 2;
    duck_take_slot(l, 0, 1);
}

/* Frees what duck_ring_init and duck_take_slot made (the thread must have been joined). */
static void duck_ring_free(duck_loader *l)
{
    assert(!l->threaded);
    for (size_t k = 0; k < DUCK_RING; k++)
        if (l->ring[k])
            duckdb_destroy_data_chunk(&l->ring[k]);
    for (int j = 0; j < l->base.ncols; j++)
        duckdb_destroy_logical_type(&l->types[j]);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l->types);
    free(l->vec);
    free(l->data);
    free(l->valid);
}

/* Appends chunk (whose first row is number first) to l->app. Returns 0, or -1 with a message
 * naming the table and the chunk's rows in (err, errlen). */
static int duck_append(duck_loader *l, duckdb_data_chunk chunk, int64_t first, char *err,
                       size_t errlen)
{
    if (duckdb_append_data_chunk(l->app, chunk) == DuckDBSuccess)
        return 0;
    char where[96];
    snprintf(where, sizeof where, ", while appending rows %lld to %lld", (long long)first,
             (long long)(first + (int64_t)duckdb_data_chunk_get_size(chunk) - 1));
    duck_appender_message(l, where, err, errlen);
    return -1;
}

/* The appending thread: appends the handed-over chunks in order until told to stop (then
 * after the last one) or until an append fails. */
static void *duck_append_thread(void *arg)
{
    duck_loader *l = arg;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (l->appended == l->filled && !l->stop)
            pthread_cond_wait(&l->cv, &l->mu);
        if (l->appended == l->filled || l->abandon)
            break;
        size_t k = (size_t)(l->appended % DUCK_RING);
        duckdb_data_chunk chunk = l->ring[k];
        int64_t first = l->ring_first[k];
        pthread_mutex_unlock(&l->mu);
        char msg[sizeof l->why];
        int rc = duck_append(l, chunk, first, msg, sizeof msg);
        pthread_mutex_lock(&l->mu);
        l->appended++;
        if (rc) {
            l->failed = true;
            snprintf(l->why, sizeof l->why, "%s", msg);
        }
        pthread_cond_broadcast(&l->cv);
        if (rc)
            break;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

/* DuckDB's "threads" setting, or -1 when it cannot be read. */
static int64_t duck_get_threads(db_duck_conn *c)
{
    duckdb_result res;
    int64_t n = -1;
    if (duckdb_query(c->con, "SELECT CAST(current_setting('threads') AS BIGINT)", &res) ==
        DuckDBSuccess) {
        duckdb_data_chunk ch = duckdb_fetch_chunk(res);
        if (ch && duckdb_data_chunk_get_size(ch) == 1) {
            duckdb_vector v = duckdb_data_chunk_get_vector(ch, 0);
            uint64_t *valid = duckdb_vector_get_validity(v);
            if (!valid || duckdb_validity_row_is_valid(valid, 0))
                n = ((const int64_t *)duckdb_vector_get_data(v))[0];
        }
        if (ch)
            duckdb_destroy_data_chunk(&ch);
    }
    duckdb_destroy_result(&res);
    return n;
}

/* Sets DuckDB's "threads" to n (a failure only costs speed, so it is not reported). */
static void duck_set_threads(db_conn *c, int64_t n)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SET threads = %lld", (long long)n);
    db_duck_exec(c, sql, NULL, 0);
}

/* Starts the appending thread, with DuckDB down to one worker while it runs; on failure the
 * load goes on without it. */
static void duck_start_thread(duck_loader *l)
{
    int64_t n = duck_get_threads(db_duck_of(l->base.conn));
    if (n > 1) {
        duck_set_threads(l->base.conn, 1);
        l->duck_threads = n;
    }
    if (pthread_create(&l->thread, NULL, duck_append_thread, l) == 0)
        l->threaded = true;
    else
        l->single = true;
}

/* Appends the n rows of cur: hands cur to the thread (started here unless last, the load's
 * final chunk) or, without one, appends it here. Unless last, then makes an empty chunk
 * cur, waiting while the thread still holds every slot of the ring. Returns 0, or -1 with
 * the message in l->base.err (possibly about an earlier chunk the thread failed to append). */
static int duck_flush(duck_loader *l, bool last)
{
    if (l->n == 0)
        return 0;
    duckdb_data_chunk_set_size(l->cur, l->n);
    int64_t next_first = l->ring_first[l->slot] + (int64_t)l->n;
    l->n = 0;
    if (!l->threaded && !l->single && !last)
        duck_start_thread(l);
    if (!l->threaded) {
        int rc = duck_append(l, l->cur, l->ring_first[l->slot], l->base.err, sizeof l->base.err);
        if (!last)
            duck_take_slot(l, l->slot, next_first);
        return rc;
    }
    pthread_mutex_lock(&l->mu);
    assert(l->filled % DUCK_RING == l->slot);
    if (!l->failed) {
        l->filled++;
        pthread_cond_broadcast(&l->cv);
    }
    while (!last && l->filled - l->appended >= DUCK_RING && !l->failed)
        pthread_cond_wait(&l->cv, &l->mu);
    int rc = 0;
    if (l->failed) {
        db_errf(l->base.err, sizeof l->base.err, "%s", l->why);
        rc = -1;
    }
    size_t next = (size_t)(l->filled % DUCK_RING);
    pthread_mutex_unlock(&l->mu);
    if (rc == 0 && !last)
        duck_take_slot(l, next, next_first);
    return rc;
}

/* Ends and joins the thread: after it has appended every chunk handed over (drain), or as
 * soon as its current append is done (a rollback). Returns 0, or -1 with the message in
 * l->base.err when one of its appends failed. */
static int duck_join(duck_loader *l, bool drain)
{
    if (!l->threaded)
        return 0;
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    l->abandon = !drain;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    l->threaded = false;
    if (!l->failed)
        return 0;
    db_errf(l->base.err, sizeof l->base.err, "%s", l->why);
    return -1;
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
    duck_ring_init(l);
    return &l->base;
}

/* Copies one row into the chunk (strings into the chunk's own heap), appending the chunk when
 * it is full. */
int db_duck_load_row(db_loader *base, const rt_slot *row)
{
    duck_loader *l = (duck_loader *)base;
    idx_t r = l->n;
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
        case RT_STRING: {
            /* up to 12 bytes live inside the string_t (zero-padded: DuckDB compares the whole
             * struct); longer ones are copied into the chunk's string heap */
            duckdb_string_t *dst = &((duckdb_string_t *)d)[r];
            if (v->len <= sizeof dst->value.inlined.inlined) {
                memset(dst, 0, sizeof *dst);
                dst->value.inlined.length = v->len;
                if (v->len)
                    memcpy(dst->value.inlined.inlined, v->v.s, v->len);
            } else {
                duckdb_vector_assign_string_element_len(l->vec[j], r, v->v.s, v->len);
            }
            break;
        }
        default: assert(!"invalid type"); break;
        }
    }
    l->n = r + 1;
    return l->n == l->cap ? duck_flush(l, false) : 0;
}

/* Appends what is left, closes the appender and commits; or rolls everything back. Frees l. */
int db_duck_load_finish(db_loader *base, bool commit, char *err, size_t errlen)
{
    duck_loader *l = (duck_loader *)base;
    int rc = 0;
    if (commit)
        rc = duck_flush(l, true);
    if (duck_join(l, commit && rc == 0) != 0)
        rc = -1;
    if (commit && rc)
        db_errf(err, errlen, "%s", base->err);
    if (commit && rc == 0 && duckdb_appender_close(l->app) == DuckDBError) {
        duck_appender_message(l, "", err, errlen);
        rc = -1;
    }
    duckdb_appender_destroy(&l->app);
    duck_ring_free(l);
    if (commit && rc == 0) {
        char msg[1024];
        if (db_duck_exec(base->conn, "COMMIT", msg, sizeof msg)) {
            db_errf(err, errlen, "loading table \"%s\": %s", base->table, msg);
            rc = -1;
        }
    }
    if (!commit || rc)
        db_duck_exec(base->conn, "ROLLBACK", NULL, 0);
    if (l->duck_threads)
        duck_set_threads(base->conn, l->duck_threads);
    db_loader_release(base);
    free(l);
    return rc;
}
