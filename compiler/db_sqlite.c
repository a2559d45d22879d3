/* db_sqlite.c - the SQLite back end: sqlite3 connection, stepped queries, one-transaction INSERT loads. */
#include "db_backend.h"

#include <sqlite3.h>

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lite_conn {
    db_conn base;
    sqlite3 *db;
} lite_conn;

typedef struct lite_loader {
    db_loader base;
    sqlite3_stmt *ins;
} lite_loader;

static const db_ops lite_ops;

static lite_conn *as_lite(db_conn *c)
{
    assert(c->dialect == DB_SQLITE);
    return (lite_conn *)c;
}

db_conn *db_sqlite_open(const char *path, const char *label, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, 5000);
        /* Opening is lazy: read the schema now so a file that is not a database fails here. */
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        db_errf(err, errlen, "cannot open SQLite database \"%s\": %s", path,
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    lite_conn *c = calloc(1, sizeof *c);
    char *lab = strdup(label);
    if (!c || !lab)
        abort();
    c->base.ops = &lite_ops;
    c->base.dialect = DB_SQLITE;
    c->base.label = lab;
    c->db = db;
    return &c->base;
}

static void lite_close(db_conn *base)
{
    lite_conn *c = as_lite(base);
    sqlite3_close(c->db);
    free(c->base.label);
    free(c);
}

static int lite_exec(db_conn *base, const char *sql, char *err, size_t errlen)
{
    lite_conn *c = as_lite(base);
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        db_errf(err, errlen, "SQLite: %s", msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static const char *lite_type_name(int t)
{
    switch (t) {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a real";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "a blob";
    default: return "null";
    }
}

/* Converts column j of the current row of st to want. Returns 0 or -1 with a message. */
static int lite_convert(sqlite3_stmt *st, int j, rt_type want, int64_t rowno, rt_slot *out,
                        char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int t = sqlite3_column_type(st, j);
    if (t == SQLITE_NULL) {
        out->null = 1;
        return 0;
    }
    switch (want) {
    case RT_STRING:
        if (t == SQLITE_TEXT) {
            out->v.s = (const char *)sqlite3_column_text(st, j);
            out->len = (uint32_t)sqlite3_column_bytes(st, j);
            return 0;
        }
        break;
    case RT_INT:
    case RT_TIMESTAMP:
        if (t == SQLITE_INTEGER) {
            out->v.i = sqlite3_column_int64(st, j);
            return 0;
        }
        break;
    case RT_FLOAT:
        if (t == SQLITE_FLOAT) {
            out->v.f = sqlite3_column_double(st, j);
            return 0;
        }
        if (t == SQLITE_INTEGER) {
            out->v.f = (double)sqlite3_column_int64(st, j);
            return 0;
        }
        break;
    case RT_BOOL:
        if (t == SQLITE_INTEGER) {
            sqlite3_int64 v = sqlite3_column_int64(st, j);
            if (v == 0 || v == 1) {
                out->v.i = v;
                return 0;
            }
            db_errf(err, errlen,
                    "SQLite: result row %lld, column %s: %lld where a bool (0 or 1) is expected",
                    (long long)rowno, sqlite3_column_name(st, j), (long long)v);
            return -1;
        }
        break;
    }
    db_errf(err, errlen, "SQLite: result row %lld, column %s: %s cannot be read as %s",
            (long long)rowno, sqlite3_column_name(st, j), lite_type_name(t), db_rt_type_name(want));
    return -1;
}

/* Prepares sql, which must be exactly one statement. */
static int lite_prepare_one(sqlite3 *db, const char *sql, sqlite3_stmt **out, char *err,
                            size_t errlen)
{
    const char *tail = NULL;
    *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, out, &tail) != SQLITE_OK) {
        db_errf(err, errlen, "SQLite: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (!*out) {
        db_errf(err, errlen, "SQLite: the query is empty");
        return -1;
    }
    sqlite3_stmt *next = NULL;
    int rc = sqlite3_prepare_v2(db, tail, -1, &next, NULL);
    if (rc != SQLITE_OK || next) { /* anything but whitespace and comments after it */
        sqlite3_finalize(next);
        sqlite3_finalize(*out);
        *out = NULL;
        db_errf(err, errlen, "SQLite: a query must be a single statement");
        return -1;
    }
    return 0;
}

static int lite_query(db_conn *base, const char *sql, int ncols, const rt_type *types,
                      db_row_fn cb, void *ctx, char *err, size_t errlen)
{
    lite_conn *c = as_lite(base);
    sqlite3_stmt *st = NULL;
    if (lite_prepare_one(c->db, sql, &st, err, errlen))
        return -1;
    int have = sqlite3_column_count(st);
    if (have != ncols) {
        db_errf(err, errlen, "SQLite: the query returns %d columns, expected %d", have, ncols);
        sqlite3_finalize(st);
        return -1;
    }
    rt_slot *row = calloc((size_t)ncols, sizeof *row);
    if (!row)
        abort();
    int rc = 0;
    int64_t rowno = 0;
    for (;;) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            db_errf(err, errlen, "SQLite: %s", sqlite3_errmsg(c->db));
            rc = -1;
            break;
        }
        rowno++;
        for (int j = 0; j < ncols && rc == 0; j++)
            rc = lite_convert(st, j, types[j], rowno, &row[j], err, errlen);
        if (rc)
            break;
        if (cb(ctx, row) != 0) {
            db_errf(err, errlen, "query stopped by its row handler at row %lld", (long long)rowno);
            rc = 1;
            break;
        }
    }
    free(row);
    sqlite3_finalize(st);
    return rc;
}

/* ---- loading ---- */

static db_loader *lite_load_begin(db_conn *base, const char *table, int ncols,
                                  const char *const *names, const rt_type *types, char *err,
                                  size_t errlen)
{
    lite_conn *c = as_lite(base);
    if (!sqlite3_get_autocommit(c->db)) {
        db_errf(err, errlen, "loading table \"%s\": the connection is inside a transaction", table);
        return NULL;
    }
    strbuf sql = STRBUF_INIT;
    strbuf_append(&sql, "BEGIN IMMEDIATE;\nDROP TABLE IF EXISTS ");
    db_quote_table(DB_SQLITE, table, &sql);
    strbuf_append(&sql, ";\n");
    db_create_table_sql(DB_SQLITE, table, ncols, names, types, &sql);
    char msg[1024];
    int rc = lite_exec(base, sql.data, msg, sizeof msg);
    sqlite3_stmt *ins = NULL;
    if (rc == 0) {
        strbuf_reset(&sql);
        strbuf_append(&sql, "INSERT INTO ");
        db_quote_table(DB_SQLITE, table, &sql);
        strbuf_append(&sql, " VALUES (");
        for (int i = 0; i < ncols; i++)
            strbuf_append(&sql, i ? ", ?" : "?");
        strbuf_append(&sql, ")");
        rc = lite_prepare_one(c->db, sql.data, &ins, msg, sizeof msg);
    }
    strbuf_free(&sql);
    if (rc) {
        db_errf(err, errlen, "loading table \"%s\": %s", table, msg);
        if (!sqlite3_get_autocommit(c->db))
            lite_exec(base, "ROLLBACK", NULL, 0);
        return NULL;
    }
    lite_loader *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    db_loader_init(&l->base, base, table, ncols, names, types);
    l->ins = ins;
    return &l->base;
}

static int lite_load_row(db_loader *base, const rt_slot *row)
{
    lite_loader *l = (lite_loader *)base;
    sqlite3 *db = sqlite3_db_handle(l->ins);
    for (int i = 0; i < base->ncols; i++) {
        const rt_slot *v = &row[i];
        int k = i + 1, rc;
        if (v->null)
            rc = sqlite3_bind_null(l->ins, k);
        else
            switch (base->types[i]) {
            case RT_BOOL: rc = sqlite3_bind_int64(l->ins, k, v->v.i != 0); break;
            case RT_INT:
            case RT_TIMESTAMP: rc = sqlite3_bind_int64(l->ins, k, v->v.i); break;
            case RT_FLOAT: rc = sqlite3_bind_double(l->ins, k, v->v.f); break;
            case RT_STRING:
                rc = v->len > INT_MAX ? SQLITE_TOOBIG
                                      : sqlite3_bind_text(l->ins, k, v->len ? v->v.s : "",
                                                          (int)v->len, SQLITE_STATIC);
                break;
            default: assert(!"invalid type"); rc = SQLITE_MISUSE;
            }
        if (rc != SQLITE_OK) {
            db_errf(base->err, sizeof base->err,
                    "loading table \"%s\", row %lld, column \"%s\": SQLite: %s", base->table,
                    (long long)base->rows + 1, base->names[i], sqlite3_errstr(rc));
            sqlite3_reset(l->ins);
            return -1;
        }
    }
    int rc = sqlite3_step(l->ins);
    if (rc != SQLITE_DONE) {
        db_errf(base->err, sizeof base->err, "loading table \"%s\", row %lld: SQLite: %s",
                base->table, (long long)base->rows + 1, sqlite3_errmsg(db));
        sqlite3_reset(l->ins);
        return -1;
    }
    sqlite3_reset(l->ins);
    return 0;
}

static int lite_load_finish(db_loader *base, bool commit, char *err, size_t errlen)
{
    lite_loader *l = (lite_loader *)base;
    sqlite3_finalize(l->ins);
    int rc = 0;
    if (commit) {
        char msg[1024];
        if (lite_exec(base->conn, "COMMIT", msg, sizeof msg)) {
            db_errf(err, errlen, "loading table \"%s\": %s", base->table, msg);
            rc = -1;
        }
    }
    if ((!commit || rc) && !sqlite3_get_autocommit(as_lite(base->conn)->db))
        lite_exec(base->conn, "ROLLBACK", NULL, 0);
    db_loader_release(base);
    free(l);
    return rc;
}

static const db_ops lite_ops = {
    .close = lite_close,
    .exec = lite_exec,
    .query = lite_query,
    .load_begin = lite_load_begin,
    .load_row = lite_load_row,
    .load_finish = lite_load_finish,
};
