/* backfill_spine_table.c - a spine that is a table of the database (--spine table:NAME), made into the query's spine in SQL. */
#include "backfill.h"

#include "sql/sqlgen.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows skipped and listed one by one at most; the rest are counted. */
#define SPINE_LISTED 10

const char *backfill_table_arg(const char *arg)
{
    return arg && strncmp(arg, BACKFILL_TABLE_ARG, strlen(BACKFILL_TABLE_ARG)) == 0 ? arg + strlen(BACKFILL_TABLE_ARG)
                                                                                     : NULL;
}

/* A column the service needs from the spine table: the key or request field it is, its
 * type, and the table's column that holds it. */
typedef struct need {
    const char *name;
    rt_type type;
    bool not_null; /* a `not null` request field */
    bool is_key;   /* a key (a request field that is also a key is one column, a key) */
    int col;       /* in the table */
} need;

/* The needed columns: ts, the keys, the request fields that are not keys. Fills need[] and
 * returns how many, or -1 with a message (a column missing or of a type that cannot hold
 * the value). */
static int needed_columns(db_conn *c, const plan *p, const plan_service *svc, const char *name,
                          const db_columns *cols, need *nd, char *err, size_t errlen)
{
    db_dialect d = db_conn_dialect(c);
    const plan_source *req = svc->request_source >= 0 ? &p->sources[svc->request_source] : NULL;
    int n = 0;
    nd[n++] = (need){SQLGEN_TIME_COLUMN, RT_TIMESTAMP, true, false, -1};
    for (int k = 0; k < svc->nkeys; k++)
        nd[n++] = (need){svc->keys[k].name, (rt_type)svc->keys[k].type, false, true, -1};
    for (int f = 0; req && f < req->nfields; f++) {
        bool is_key = false;
        for (int k = 0; k < svc->nkeys; k++)
            is_key |= svc->key_request_field[k] == f;
        if (is_key)
            for (int k = 0; k < n; k++)
                if (nd[k].is_key && strcmp(nd[k].name, req->fields[f].name) == 0)
                    nd[k].not_null |= req->fields[f].not_null;
        if (!is_key)
            nd[n++] = (need){req->fields[f].name, (rt_type)req->fields[f].type, req->fields[f].not_null, false, -1};
    }
    for (int i = 0; i < n; i++) {
        nd[i].col = db_columns_find(cols, d, nd[i].name);
        if (nd[i].col < 0) {
            snprintf(err, errlen, "the spine table \"%s\" has no column \"%s\" (%s)", name, nd[i].name,
                     i == 0 ? "the query time" : nd[i].is_key ? "a key of the service" : "a request field");
            return -1;
        }
        if (!db_coltype_fits(d, cols->cols[nd[i].col].type, nd[i].type)) {
            const char *tname = db_rt_type_name(nd[i].type);
            snprintf(err, errlen, "column \"%s\" of the spine table \"%s\" is %s, which cannot hold a%s %s", nd[i].name,
                     name, cols->cols[nd[i].col].type_name, tname[0] == 'i' ? "n" : "", tname);
            return -1;
        }
    }
    if (db_columns_find(cols, d, SQLGEN_ROW_COLUMN) >= 0) {
        snprintf(err, errlen, "the spine table \"%s\" may not have a column named \"%s\" (it numbers the rows)", name,
                 SQLGEN_ROW_COLUMN);
        return -1;
    }
    for (int o = 0; o < svc->noutputs; o++)
        if (db_columns_find(cols, d, svc->outputs[o].column) >= 0) {
            snprintf(err, errlen, "the spine table \"%s\" has a column named like the output \"%s\"", name,
                     svc->outputs[o].column);
            return -1;
        }
    return n;
}

/* Appends needed column i as the query reads it: timestamps as epoch microseconds. */
static void need_sql(db_dialect d, const db_columns *cols, const need *nd, strbuf *out)
{
    strbuf q = STRBUF_INIT;
    strbuf_append(&q, "t.");
    db_quote_ident(d, cols->cols[nd->col].name, &q);
    db_timestamp_sql(d, nd->type == RT_TIMESTAMP ? cols->cols[nd->col].type : DB_COL_OTHER, strbuf_cstr(&q), out);
    strbuf_free(&q);
}

/* Appends the condition a row needs to be answered: a ts, and every `not null` request
 * field (over the columns as read, q.*). */
static void accepted_sql(db_dialect d, const need *nd, int n, strbuf *out)
{
    for (int i = 0; i < n; i++) {
        if (!nd[i].not_null)
            continue;
        strbuf_append(out, i ? " AND q." : "q.");
        db_quote_ident(d, nd[i].name, out);
        strbuf_append(out, " IS NOT NULL");
    }
}

/* One skipped row, as the report query returns it. */
typedef struct skip_ctx {
    const char *name;
    const need *nd;
    int n;
    uint64_t count;
} skip_ctx;

static int on_skipped(void *ctx, const rt_slot *row)
{
    skip_ctx *s = ctx;
    if (s->count++ >= SPINE_LISTED)
        return 0;
    int64_t why = row[0].v.i;
    fprintf(stderr, "featc backfill: table \"%s\": skipped spine row (", s->name);
    for (int i = 0; i < s->n; i++)
        if (i == 0 || s->nd[i].is_key)
            fprintf(stderr, "%s%s=%.*s", i ? ", " : "", s->nd[i].name, row[1 + i].null ? 4 : (int)row[1 + i].len,
                    row[1 + i].null ? "null" : row[1 + i].v.s);
    if (why == 0)
        fputs("): column 'ts': the query time is null\n", stderr);
    else if (why == -1)
        fputs("): column 'ts': not a time featc can read (infinite, or between two microseconds)\n", stderr);
    else
        fprintf(stderr, "): column '%s': null in a not null field\n", s->nd[why].name);
    return 0;
}

/* Reports the rows of the table that cannot be answered: a null or unreadable ts, a null
 * `not null` request field. Returns how many, or -1 with a message. */
static int64_t report_skipped(db_conn *c, const char *name, const db_columns *cols, const need *nd, int n,
                              char *err, size_t errlen)
{
    db_dialect d = db_conn_dialect(c);
    strbuf sql = STRBUF_INIT;
    /* each row with its ts as stored and as read, its needed columns as text, and why */
    strbuf_append(&sql, "SELECT why");
    for (int i = 0; i < n; i++)
        strbuf_appendf(&sql, ", raw%d", i);
    strbuf_append(&sql, " FROM (SELECT CASE WHEN rts IS NULL THEN 0 WHEN ts_us IS NULL THEN -1");
    for (int i = 1; i < n; i++)
        if (nd[i].not_null)
            strbuf_appendf(&sql, " WHEN v%d IS NULL THEN %d", i, i);
    strbuf_append(&sql, " END AS why");
    for (int i = 0; i < n; i++)
        strbuf_appendf(&sql, ", raw%d", i);
    strbuf_append(&sql, " FROM (SELECT t.");
    db_quote_ident(d, cols->cols[nd[0].col].name, &sql);
    strbuf_append(&sql, " AS rts, ");
    need_sql(d, cols, &nd[0], &sql);
    strbuf_append(&sql, " AS ts_us");
    for (int i = 0; i < n; i++) {
        strbuf_appendf(&sql, ", t.");
        db_quote_ident(d, cols->cols[nd[i].col].name, &sql);
        strbuf_appendf(&sql, " AS v%d, CAST(t.", i);
        db_quote_ident(d, cols->cols[nd[i].col].name, &sql);
        strbuf_appendf(&sql, " AS TEXT) AS raw%d", i);
    }
    strbuf_append(&sql, " FROM ");
    db_quote_table(d, name, &sql);
    strbuf_append(&sql, " AS t) AS r) AS w WHERE why IS NOT NULL");
    rt_type *types = calloc((size_t)n + 2, sizeof *types);
    if (!types)
        abort();
    types[0] = RT_INT;
    for (int i = 0; i < n; i++)
        types[1 + i] = RT_STRING;
    skip_ctx s = {.name = name, .nd = nd, .n = n};
    int rc = db_query(c, strbuf_cstr(&sql), n + 1, types, on_skipped, &s, err, errlen);
    free(types);
    strbuf_free(&sql);
    if (rc != 0)
        return -1;
    if (s.count > SPINE_LISTED)
        fprintf(stderr, "featc backfill: table \"%s\": %" PRIu64 " more spine rows skipped\n", name,
                s.count - SPINE_LISTED);
    return (int64_t)s.count;
}

static int count_row(void *ctx, const rt_slot *row)
{
    *(int64_t *)ctx = row[0].v.i;
    return 0;
}

int backfill_spine_from_table(db_conn *c, const plan *p, const plan_service *svc, const char *name,
                              const char *table, backfill_spine *sp)
{
    memset(sp, 0, sizeof *sp);
    db_dialect d = db_conn_dialect(c);
    char err[1024];
    db_columns cols;
    int found = db_table_columns(c, name, &cols, err, sizeof err);
    if (found != 1) {
        fprintf(stderr, "featc backfill: --spine table:%s: %s\n", name, err);
        return -1;
    }
    int nreq = svc->request_source >= 0 ? p->sources[svc->request_source].nfields : 0;
    need *nd = calloc((size_t)(1 + svc->nkeys + nreq), sizeof *nd);
    if (!nd)
        abort();
    int rc = -1;
    int n = needed_columns(c, p, svc, name, &cols, nd, err, sizeof err);
    if (n < 0) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    /* _row numbers the rows in the order of their query time, keys and request fields (a
     * table has no order of its own); the needed columns are read as the query reads them
     * and every column of the table is kept as it is, as featc_c0, featc_c1, ... */
    strbuf sql = STRBUF_INIT, order = STRBUF_INIT;
    for (int i = 0; i < n; i++) {
        strbuf_append(&order, i ? ", q." : "q.");
        db_quote_ident(d, nd[i].name, &order);
        if (d == DB_POSTGRES && nd[i].type == RT_STRING)
            strbuf_append(&order, " COLLATE \"C\"");
        strbuf_append(&order, " NULLS FIRST");
    }
    strbuf_append(&sql, "DROP TABLE IF EXISTS ");
    db_quote_table(d, table, &sql);
    strbuf_append(&sql, ";\nCREATE TABLE ");
    db_quote_table(d, table, &sql);
    strbuf_appendf(&sql, " AS SELECT CAST(row_number() OVER (ORDER BY %s) - 1 AS BIGINT) AS ", strbuf_cstr(&order));
    db_quote_ident(d, SQLGEN_ROW_COLUMN, &sql);
    strbuf_append(&sql, ", q.* FROM (SELECT ");
    for (int i = 0; i < n; i++) {
        need_sql(d, &cols, &nd[i], &sql);
        strbuf_append(&sql, " AS ");
        db_quote_ident(d, nd[i].name, &sql);
        strbuf_append(&sql, ", ");
    }
    for (int j = 0; j < cols.n; j++) {
        strbuf_append(&sql, j ? ", t." : "t.");
        db_quote_ident(d, cols.cols[j].name, &sql);
        strbuf_appendf(&sql, " AS featc_c%d", j);
    }
    strbuf_append(&sql, " FROM ");
    db_quote_table(d, name, &sql);
    strbuf_append(&sql, " AS t) AS q WHERE ");
    accepted_sql(d, nd, n, &sql);
    strbuf_free(&order);
    int ex = db_exec(c, strbuf_cstr(&sql), err, sizeof err);
    strbuf_free(&sql);
    if (ex != 0) {
        fprintf(stderr, "featc backfill: --spine table:%s: %s\n", name, err);
        goto out;
    }
    int64_t rows = 0, skipped = report_skipped(c, name, &cols, nd, n, err, sizeof err);
    strbuf cnt = STRBUF_INIT;
    strbuf_append(&cnt, "SELECT count(*) FROM ");
    db_quote_table(d, table, &cnt);
    rt_type it = RT_INT;
    ex = skipped < 0 ? -1 : db_query(c, strbuf_cstr(&cnt), 1, &it, count_row, &rows, err, sizeof err);
    strbuf_free(&cnt);
    if (ex != 0) {
        fprintf(stderr, "featc backfill: --spine table:%s: %s\n", name, err);
        goto out;
    }
    sp->nrows = (uint64_t)rows;
    sp->bad = (uint64_t)skipped;
    rc = 0;
out:
    free(nd);
    db_columns_free(&cols);
    return rc;
}

int backfill_spine_in(db_conn *c, const plan *p, const plan_service *svc, const char *spine, const char *table,
                      backfill_spine *sp)
{
    const char *name = backfill_table_arg(spine);
    return name ? backfill_spine_from_table(c, p, svc, name, table, sp)
                : backfill_load_spine(c, p, svc, spine, table, sp);
}
