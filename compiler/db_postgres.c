/* db_postgres.c - the PostgreSQL back end: libpq session, single-row-mode queries, binary COPY loads. */
#include "db_backend.h"
#include "db_postgres_signal.h"

#include <postgresql/libpq-fe.h> /* Debian keeps libpq's headers under postgresql/ */

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Built-in type OIDs (fixed in pg_type.dat since PostgreSQL 7; the server headers that
 * name them are not part of libpq). */
enum {
    PQ_BOOL = 16,
    PQ_NAME = 19,
    PQ_INT8 = 20,
    PQ_INT2 = 21,
    PQ_INT4 = 23,
    PQ_TEXT = 25,
    PQ_FLOAT4 = 700,
    PQ_FLOAT8 = 701,
    PQ_UNKNOWN = 705,
    PQ_VARCHAR = 1043,
    PQ_NUMERIC = 1700,
};

/* COPY buffers are sent to the server whenever they grow past this. */
enum { PQ_COPY_CHUNK = 1 << 20 };

typedef struct pq_db {
    db_conn base;
    PGconn *pg;
} pq_db;

typedef struct pq_loader {
    db_loader base;
    strbuf buf; /* binary COPY data not yet sent */
} pq_loader;

static const db_ops pq_ops;

static pq_db *as_pq(db_conn *c)
{
    assert(c->dialect == DB_POSTGRES);
    return (pq_db *)c;
}

static void pq_ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "schema already exists, skipping" and the like are not news */
}

/* Formats the message of a failed result: the primary message, plus where it happened. */
static void pq_result_error(PGresult *res, PGconn *pg, char *err, size_t errlen)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary) {
        const char *m = res ? PQresultErrorMessage(res) : "";
        db_errf(err, errlen, "PostgreSQL: %s", *m ? m : PQerrorMessage(pg));
        return;
    }
    const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
    if (context)
        db_errf(err, errlen, "PostgreSQL: %s (%s)", primary, context);
    else
        db_errf(err, errlen, "PostgreSQL: %s", primary);
}

/* Reads and discards every pending result (after an error, a cancel or a COPY). */
static void pq_drain(PGconn *pg)
{
    PGresult *res;
    while ((res = PQgetResult(pg)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        PQclear(res);
        if (st == PGRES_COPY_IN)
            PQputCopyEnd(pg, "featc does not send COPY data here");
        else if (st == PGRES_COPY_OUT) {
            char *buf = NULL;
            while (PQgetCopyData(pg, &buf, 0) > 0)
                PQfreemem(buf);
        }
        if (PQstatus(pg) == CONNECTION_BAD)
            break;
    }
}

static int pq_exec(db_conn *base, const char *sql, char *err, size_t errlen)
{
    PGconn *pg = as_pq(base)->pg;
    db_pq_guard guard;
    db_pq_guard_begin(pg, &guard);
    PGresult *res = PQexec(pg, sql);
    db_pq_guard_end(&guard);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
        db_errf(err, errlen, "PostgreSQL: COPY to or from the client is not supported here");
        rc = -1;
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        pq_result_error(res, pg, err, errlen);
        rc = -1;
    }
    PQclear(res);
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
        if (st == PGRES_COPY_IN)
            PQputCopyEnd(pg, "featc does not send COPY data here");
        else {
            char *buf = NULL;
            while (PQgetCopyData(pg, &buf, 0) > 0)
                PQfreemem(buf);
        }
        pq_drain(pg);
    }
    return rc;
}

/* Copies libpq's message msg to out[cap] on one line, with every occurrence of secret
 * (when not empty) and, with hide_quoted, every double-quoted part replaced by "***":
 * libpq quotes the pieces of the URI it works with (a piece it cannot parse, a host name),
 * and with an unescaped '@' or a bad escape in a password such a piece holds a part of
 * it. The host and port stay visible in the masked URL the caller prints. */
static void pq_masked(const char *msg, const char *secret, bool hide_quoted, char *out, size_t cap)
{
    size_t n = 0, slen = secret ? strlen(secret) : 0;
    assert(cap > 0);
    for (const char *p = msg; *p && n + 6 < cap;) {
        if (slen && strncmp(p, secret, slen) == 0) {
            memcpy(out + n, "***", 3);
            n += 3;
            p += slen;
        } else if (hide_quoted && *p == '"' && strchr(p + 1, '"')) {
            memcpy(out + n, "\"***\"", 5); /* fits: the loop leaves 4 bytes and the NUL */
            n += 5;
            p = strchr(p + 1, '"') + 1;
        } else {
            out[n++] = *p == '\n' || *p == '\r' ? ' ' : *p;
            p++;
        }
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

db_conn *db_postgres_open(const char *uri, const char *label, char *err, size_t errlen)
{
    /* Parsed first, so that a malformed URI is explained without echoing it and the
     * password is known, to be masked in whatever libpq says later. */
    char *perr = NULL, msg_buf[512];
    PQconninfoOption *opts = PQconninfoParse(uri, &perr);
    if (!opts) {
        pq_masked(perr ? perr : "out of memory", NULL, true, msg_buf, sizeof msg_buf);
        db_errf(err, errlen, "cannot connect to PostgreSQL at %s: malformed URI: %s", label, msg_buf);
        PQfreemem(perr);
        return NULL;
    }
    char *password = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && !(password = strdup(o->val)))
            abort();
    PQconninfoFree(opts);
    /* Later entries override what the URI says; earlier ones are defaults it may override. */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding", NULL};
    const char *vals[] = {"10", "featc", uri, "UTF8", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg) {
        db_errf(err, errlen, "cannot connect to PostgreSQL at %s: out of memory", label);
        free(password);
        return NULL;
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        pq_masked(PQerrorMessage(pg), password, true, msg_buf, sizeof msg_buf);
        db_errf(err, errlen, "cannot connect to PostgreSQL at %s: %s", label, msg_buf);
        PQfinish(pg);
        free(password);
        return NULL;
    }
    PQsetNoticeProcessor(pg, pq_ignore_notice, NULL);
    pq_db *c = calloc(1, sizeof *c);
    char *lab = strdup(label);
    if (!c || !lab)
        abort();
    c->base.ops = &pq_ops;
    c->base.dialect = DB_POSTGRES;
    c->base.label = lab;
    c->pg = pg;
    /* UTC for anything time-zone dependent; shortest exact float text; string literals
     * without backslash escapes (ours use E'' anyway). JIT off where the server has it:
     * the backfill queries are wide, and compiling their expressions costs more than it
     * saves (100k events of bench/bench.feat: 4.6 s with JIT, 2.0 s without). work_mem
     * raised to 256 MB unless the client chose it (options=-c work_mem=... in the URL) or
     * the server already allows more: window aggregates keep a key's rows in a tuple store,
     * and one that spills to disk made the 3M-event benchmark several times slower (its
     * window CTE: over 200 s with 4 MB, 48 s with 256 MB). */
    char msg[512];
    if (PQsetClientEncoding(pg, "UTF8") != 0 ||
        pq_exec(&c->base,
                "SET TimeZone = 'UTC'; SET extra_float_digits = 3; SET DateStyle = 'ISO, YMD'; "
                "SET standard_conforming_strings = on; SET client_min_messages = warning; "
                "SELECT set_config('jit', 'off', false) FROM pg_settings WHERE name = 'jit'; "
                "SELECT set_config('work_mem', '256MB', false) FROM pg_settings WHERE name = 'work_mem' "
                "AND source <> 'client' AND setting::bigint < 262144",
                msg, sizeof msg)) {
        pq_masked(PQstatus(pg) == CONNECTION_OK ? msg : PQerrorMessage(pg), password, true, msg_buf,
                  sizeof msg_buf);
        db_errf(err, errlen, "cannot set up the PostgreSQL session at %s: %s", label, msg_buf);
        PQfinish(pg);
        free(password);
        free(c->base.label);
        free(c);
        return NULL;
    }
    free(password);
    return &c->base;
}

static void pq_close(db_conn *base)
{
    pq_db *c = as_pq(base);
    PQfinish(c->pg);
    free(c->base.label);
    free(c);
}

/* ---- queries ---- */

static bool pq_is_int(Oid t) { return t == PQ_INT2 || t == PQ_INT4 || t == PQ_INT8; }

static bool pq_compatible(Oid t, rt_type want)
{
    switch (want) {
    case RT_BOOL: return t == PQ_BOOL || pq_is_int(t);
    case RT_INT:
    case RT_TIMESTAMP: return pq_is_int(t) || t == PQ_NUMERIC;
    case RT_FLOAT: return t == PQ_FLOAT4 || t == PQ_FLOAT8 || pq_is_int(t) || t == PQ_NUMERIC;
    case RT_STRING: return t == PQ_TEXT || t == PQ_VARCHAR || t == PQ_UNKNOWN || t == PQ_NAME;
    }
    return false;
}

/* Name of a type OID for messages (asks the server, which knows every type). */
static void pq_type_name(PGconn *pg, Oid t, char *out, size_t outlen)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_catalog.format_type(%u, NULL)", (unsigned)t);
    snprintf(out, outlen, "type %u", (unsigned)t);
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* Converts the text value of (res, 0, j) to want. Returns 0 or -1 with a message. */
static int pq_convert(PGresult *res, int j, rt_type want, int64_t rowno, rt_slot *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (PQgetisnull(res, 0, j)) {
        out->null = 1;
        return 0;
    }
    const char *s = PQgetvalue(res, 0, j);
    size_t n = (size_t)PQgetlength(res, 0, j);
    Oid t = PQftype(res, j);
    const char *problem = "an unreadable value";
    switch (want) {
    case RT_STRING:
        out->v.s = s;
        out->len = (uint32_t)n;
        return 0;
    case RT_BOOL:
        if (t == PQ_BOOL) {
            out->v.i = s[0] == 't';
            return 0;
        } else {
            int64_t v;
            if (db_parse_exact_int(s, n, &v) == 0 && (v == 0 || v == 1)) {
                out->v.i = v;
                return 0;
            }
            problem = "an integer other than 0 or 1 where a bool is expected";
        }
        break;
    case RT_INT:
    case RT_TIMESTAMP:
        if (db_parse_exact_int(s, n, &out->v.i) == 0)
            return 0;
        problem = "a value that is not an integer in the 64-bit range";
        break;
    case RT_FLOAT:
        if (t == PQ_FLOAT4) { /* the text is the shortest form of a float, not of a double */
            char *end = NULL;
            float f = strtof(s, &end);
            if (end == s + n && n > 0) {
                out->v.f = f;
                return 0;
            }
        } else if (db_parse_double(s, n, &out->v.f) == 0) {
            return 0;
        }
        problem = "a value that is not a number";
        break;
    }
    db_errf(err, errlen, "PostgreSQL: result row %lld, column %s: %s (\"%.40s\")",
            (long long)rowno, PQfname(res, j), problem, s);
    return -1;
}

/* A result column whose type cannot give what the caller wants; named after the query ends
 * (looking the type name up is a query of its own). */
typedef struct pq_mismatch {
    int col; /* 0-based, or -1 */
    Oid type;
    char name[96];
} pq_mismatch;

/* Checks the shape of the result against what the caller expects. */
static int pq_check_shape(PGresult *res, int ncols, const rt_type *types, pq_mismatch *bad,
                          char *err, size_t errlen)
{
    int have = PQnfields(res);
    if (have != ncols) {
        db_errf(err, errlen, "PostgreSQL: the query returns %d columns, expected %d", have, ncols);
        return -1;
    }
    for (int j = 0; j < ncols; j++) {
        Oid t = PQftype(res, j);
        if (!pq_compatible(t, types[j])) {
            bad->col = j;
            bad->type = t;
            snprintf(bad->name, sizeof bad->name, "%s", PQfname(res, j));
            return -1;
        }
    }
    return 0;
}

static void pq_cancel(PGconn *pg)
{
    PGcancel *cancel = PQgetCancel(pg);
    if (cancel) {
        char buf[256];
        PQcancel(cancel, buf, sizeof buf);
        PQfreeCancel(cancel);
    }
}

static int pq_query(db_conn *base, const char *sql, int ncols, const rt_type *types, db_row_fn cb,
                    void *ctx, char *err, size_t errlen)
{
    PGconn *pg = as_pq(base)->pg;
    /* The extended protocol runs exactly one statement; text results, one row at a time. */
    if (!PQsendQueryParams(pg, sql, 0, NULL, NULL, NULL, NULL, 0)) {
        db_errf(err, errlen, "PostgreSQL: %s", PQerrorMessage(pg));
        return -1;
    }
    PQsetSingleRowMode(pg);
    db_pq_guard guard;
    db_pq_guard_begin(pg, &guard);
    rt_slot *row = calloc((size_t)ncols, sizeof *row);
    if (!row)
        abort();
    int rc = 0;
    bool checked = false;
    pq_mismatch bad = {-1, 0, ""};
    int64_t rowno = 0;
    PGresult *res;
    while ((res = PQgetResult(pg)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (rc != 0) {
            /* already failed or stopped: discard the rest */
        } else if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
            if (!checked) {
                rc = pq_check_shape(res, ncols, types, &bad, err, errlen);
                checked = true;
            }
            if (rc == 0 && PQntuples(res) == 1) {
                rowno++;
                for (int j = 0; j < ncols && rc == 0; j++)
                    rc = pq_convert(res, j, types[j], rowno, &row[j], err, errlen);
                if (rc == 0 && cb(ctx, row) != 0) {
                    db_errf(err, errlen, "query stopped by its row handler at row %lld",
                            (long long)rowno);
                    rc = 1;
                }
            }
            if (rc != 0 && st == PGRES_SINGLE_TUPLE)
                pq_cancel(pg);
        } else if (st == PGRES_EMPTY_QUERY) {
            db_errf(err, errlen, "PostgreSQL: the query is empty");
            rc = -1;
        } else if (st == PGRES_COMMAND_OK) {
            db_errf(err, errlen, "PostgreSQL: the statement returns no rows");
            rc = -1;
        } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
            db_errf(err, errlen, "PostgreSQL: COPY to or from the client is not supported here");
            rc = -1;
        } else {
            pq_result_error(res, pg, err, errlen);
            rc = -1;
        }
        PQclear(res);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
            pq_drain(pg);
            break;
        }
    }
    db_pq_guard_end(&guard);
    free(row);
    if (bad.col >= 0) {
        char type[128];
        pq_type_name(pg, bad.type, type, sizeof type);
        db_errf(err, errlen, "PostgreSQL: result column %d (%s) is %s, which cannot be read as %s",
                bad.col + 1, bad.name, type, db_rt_type_name(types[bad.col]));
    }
    return rc;
}

/* ---- loading (COPY ... FROM STDIN (FORMAT binary)) ---- */

static void put_be16(strbuf *b, uint16_t v)
{
    char p[2] = {(char)(v >> 8), (char)v};
    strbuf_append_n(b, p, 2);
}

static void put_be32(strbuf *b, uint32_t v)
{
    char p[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    strbuf_append_n(b, p, 4);
}

static void put_be64(strbuf *b, uint64_t v)
{
    put_be32(b, (uint32_t)(v >> 32));
    put_be32(b, (uint32_t)v);
}

/* Sends the buffered COPY data. */
static int pq_flush(pq_loader *l, PGconn *pg)
{
    if (l->buf.len == 0)
        return 0;
    if (PQputCopyData(pg, l->buf.data, (int)l->buf.len) != 1) {
        db_errf(l->base.err, sizeof l->base.err, "loading table \"%s\": PostgreSQL: %s",
                l->base.table, PQerrorMessage(pg));
        return -1;
    }
    strbuf_reset(&l->buf);
    return 0;
}

static db_loader *pq_load_begin(db_conn *base, const char *table, int ncols,
                                const char *const *names, const rt_type *types, char *err,
                                size_t errlen)
{
    PGconn *pg = as_pq(base)->pg;
    if (PQtransactionStatus(pg) != PQTRANS_IDLE) {
        db_errf(err, errlen, "loading table \"%s\": the connection is inside a transaction", table);
        return NULL;
    }
    strbuf sql = STRBUF_INIT;
    char *schema = NULL;
    db_split_table(table, &schema);
    strbuf_append(&sql, "BEGIN;\n");
    if (schema) {
        strbuf_append(&sql, "CREATE SCHEMA IF NOT EXISTS ");
        db_quote_ident(DB_POSTGRES, schema, &sql);
        strbuf_append(&sql, ";\n");
        free(schema);
    }
    strbuf_append(&sql, "DROP TABLE IF EXISTS ");
    db_quote_table(DB_POSTGRES, table, &sql);
    strbuf_append(&sql, ";\n");
    db_create_table_sql(DB_POSTGRES, table, ncols, names, types, &sql);
    char msg[1024];
    int rc = pq_exec(base, sql.data, msg, sizeof msg);
    if (rc == 0) {
        strbuf_reset(&sql);
        strbuf_append(&sql, "COPY ");
        db_quote_table(DB_POSTGRES, table, &sql);
        strbuf_append(&sql, " (");
        for (int i = 0; i < ncols; i++) {
            if (i)
                strbuf_append(&sql, ", ");
            db_quote_ident(DB_POSTGRES, names[i], &sql);
        }
        strbuf_append(&sql, ") FROM STDIN (FORMAT binary)");
        PGresult *res = PQexec(pg, sql.data);
        if (PQresultStatus(res) != PGRES_COPY_IN) {
            pq_result_error(res, pg, msg, sizeof msg);
            rc = -1;
        }
        PQclear(res);
    }
    strbuf_free(&sql);
    if (rc) {
        db_errf(err, errlen, "loading table \"%s\": %s", table, msg);
        pq_drain(pg);
        if (PQtransactionStatus(pg) != PQTRANS_IDLE)
            pq_exec(base, "ROLLBACK", NULL, 0);
        return NULL;
    }
    pq_loader *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    db_loader_init(&l->base, base, table, ncols, names, types);
    /* signature, flags (no OIDs), header extension length */
    strbuf_append_n(&l->buf, "PGCOPY\n\377\r\n\0", 11);
    put_be32(&l->buf, 0);
    put_be32(&l->buf, 0);
    return &l->base;
}

static int pq_load_row(db_loader *base, const rt_slot *row)
{
    pq_loader *l = (pq_loader *)base;
    strbuf *b = &l->buf;
    put_be16(b, (uint16_t)base->ncols);
    for (int i = 0; i < base->ncols; i++) {
        const rt_slot *v = &row[i];
        if (v->null) {
            put_be32(b, UINT32_MAX); /* -1: NULL */
            continue;
        }
        switch (base->types[i]) {
        case RT_BOOL:
            put_be32(b, 1);
            strbuf_append_char(b, v->v.i ? 1 : 0);
            break;
        case RT_INT:
        case RT_TIMESTAMP:
            put_be32(b, 8);
            put_be64(b, (uint64_t)v->v.i);
            break;
        case RT_FLOAT: {
            uint64_t bits;
            memcpy(&bits, &v->v.f, sizeof bits);
            put_be32(b, 8);
            put_be64(b, bits);
            break;
        }
        case RT_STRING:
            if (v->len > INT32_MAX) {
                db_errf(base->err, sizeof base->err,
                        "loading table \"%s\", row %lld, column \"%s\": string too long",
                        base->table, (long long)base->rows + 1, base->names[i]);
                return -1;
            }
            put_be32(b, v->len);
            strbuf_append_n(b, v->v.s, v->len);
            break;
        default: assert(!"invalid type");
        }
    }
    if (b->len >= PQ_COPY_CHUNK)
        return pq_flush(l, as_pq(base->conn)->pg);
    return 0;
}

static int pq_load_finish(db_loader *base, bool commit, char *err, size_t errlen)
{
    pq_loader *l = (pq_loader *)base;
    PGconn *pg = as_pq(base->conn)->pg;
    int rc = 0;
    if (commit) {
        put_be16(&l->buf, UINT16_MAX); /* -1: end of data */
        rc = pq_flush(l, pg);
        if (rc)
            db_errf(err, errlen, "%s", base->err);
    }
    if (PQputCopyEnd(pg, commit && rc == 0 ? NULL : "load aborted") != 1 && rc == 0 && commit) {
        db_errf(err, errlen, "loading table \"%s\": PostgreSQL: %s", base->table,
                PQerrorMessage(pg));
        rc = -1;
    }
    PGresult *res;
    while ((res = PQgetResult(pg)) != NULL) {
        if (commit && rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
            char msg[1024];
            pq_result_error(res, pg, msg, sizeof msg);
            db_errf(err, errlen, "loading table \"%s\": %s", base->table, msg);
            rc = -1;
        }
        PQclear(res);
        if (PQstatus(pg) == CONNECTION_BAD)
            break;
    }
    if (commit && rc == 0) {
        /* COMMIT of a failed transaction "succeeds" as ROLLBACK: check the command tag. */
        res = PQexec(pg, "COMMIT");
        if (PQresultStatus(res) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(res), "COMMIT") != 0) {
            char msg[1024];
            pq_result_error(res, pg, msg, sizeof msg);
            db_errf(err, errlen, "loading table \"%s\": commit failed: %s", base->table, msg);
            rc = -1;
        }
        PQclear(res);
    }
    if (PQtransactionStatus(pg) != PQTRANS_IDLE)
        pq_exec(base->conn, "ROLLBACK", NULL, 0);
    strbuf_free(&l->buf);
    db_loader_release(base);
    free(l);
    return rc;
}

static const db_ops pq_ops = {
    .close = pq_close,
    .exec = pq_exec,
    .query = pq_query,
    .load_begin = pq_load_begin,
    .load_row = pq_load_row,
    .load_finish = pq_load_finish,
};
