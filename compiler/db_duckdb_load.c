/* db_duckdb_load.c - DuckDB bulk loads through the appender, in one transaction. */
#include "db_duckdb.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct duck_loader {
    db_loader base;
    duckdb_appender app;
} duck_loader;

static void duck_appender_message(duck_loader *l, const char *what)
{
    duckdb_error_data ed = duckdb_appender_error_data(l->app);
    char msg[768];
    db_duck_errf(msg, sizeof msg, ed ? duckdb_error_data_message(ed) : "the appender failed");
    db_errf(l->base.err, sizeof l->base.err, "loading table \"%s\"%s: %s", l->base.table, what,
            msg);
    if (ed)
        duckdb_destroy_error_data(&ed);
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
    return &l->base;
}

int db_duck_load_row(db_loader *base, const rt_slot *row)
{
    duck_loader *l = (duck_loader *)base;
    for (int i = 0; i < base->ncols; i++) {
        const rt_slot *v = &row[i];
        duckdb_state st;
        if (v->null)
            st = duckdb_append_null(l->app);
        else
            switch (base->types[i]) {
            case RT_BOOL: st = duckdb_append_bool(l->app, v->v.i != 0); break;
            case RT_INT:
            case RT_TIMESTAMP: st = duckdb_append_int64(l->app, v->v.i); break;
            case RT_FLOAT: st = duckdb_append_double(l->app, v->v.f); break;
            case RT_STRING:
                st = duckdb_append_varchar_length(l->app, v->len ? v->v.s : "", v->len);
                break;
            default: assert(!"invalid type"); st = DuckDBError;
            }
        if (st == DuckDBError) {
            char where[160];
            snprintf(where, sizeof where, ", row %lld, column \"%.100s\"",
                     (long long)base->rows + 1, base->names[i]);
            duck_appender_message(l, where);
            return -1;
        }
    }
    if (duckdb_appender_end_row(l->app) == DuckDBError) {
        char where[64];
        snprintf(where, sizeof where, ", row %lld", (long long)base->rows + 1);
        duck_appender_message(l, where);
        return -1;
    }
    return 0;
}

int db_duck_load_finish(db_loader *base, bool commit, char *err, size_t errlen)
{
    duck_loader *l = (duck_loader *)base;
    int rc = 0;
    if (commit && duckdb_appender_close(l->app) == DuckDBError) {
        duck_appender_message(l, "");
        db_errf(err, errlen, "%s", base->err);
        rc = -1;
    }
    duckdb_appender_destroy(&l->app);
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
