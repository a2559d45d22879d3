/* backfill.c - the backfill pipeline: open the database, load events, load the spine, query, write. */
#include "backfill.h"

#include "driver.h"
#include "rt_reader.h"
#include "sql/sqlgen.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The spine table backfill creates (and drops again); an unlikely name for a user table. */
#define BACKFILL_SPINE_TABLE "featc_backfill_spine"
#define BACKFILL_LINE_COLUMN "_line"

/* A rejected event, kept until the load is over so the log comes out in line order. */
typedef struct reject_item {
    uint64_t line;
    char *reason;
} reject_item;

typedef struct reject_list {
    reject_item *items;
    size_t n, cap;
} reject_list;

static void reject_add(reject_list *l, uint64_t line, const char *reason)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->items = realloc(l->items, l->cap * sizeof *l->items);
        if (!l->items) {
            fputs("featc: out of memory\n", stderr);
            abort();
        }
    }
    char *copy = strdup(reason);
    if (!copy) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    l->items[l->n++] = (reject_item){line, copy};
}

static void on_reader_reject(void *ctx, uint64_t line, const char *reason) { reject_add(ctx, line, reason); }

static int by_line(const void *a, const void *b)
{
    const reject_item *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

typedef struct expect_ctx {
    const plan_source *src;
    reject_list *rejects;
} expect_ctx;

/* One row of the reject query: (line, reason code). */
static int on_expect_row(void *ctx, const rt_slot *row)
{
    expect_ctx *e = ctx;
    int64_t code = row[1].v.i;
    char reason[512];
    if (code >= 0 && code < e->src->nexpects)
        snprintf(reason, sizeof reason, "expect %s failed", e->src->expects[code].text);
    else if (code < 0 && -code - 1 < e->src->nfields)
        snprintf(reason, sizeof reason, "field '%s' is null but declared not null", e->src->fields[-code - 1].name);
    else
        snprintf(reason, sizeof reason, "rejected (rule %" PRId64 ")", code);
    reject_add(e->rejects, (uint64_t)row[0].v.i, reason);
    return 0;
}

int backfill_load_events(db_conn *c, const plan *p, int source, const char *path, rt_reject_log *log,
                         uint64_t *loaded)
{
    const plan_source *src = &p->sources[source];
    char err[512];
    int n = src->nfields;
    rt_field *fields = calloc((size_t)n + 1, sizeof *fields);
    const char **names = calloc((size_t)n + 2, sizeof *names);
    rt_type *types = calloc((size_t)n + 2, sizeof *types);
    rt_slot *row = calloc((size_t)n + 2, sizeof *row);
    if (!fields || !names || !types || !row) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    for (int i = 0; i < n; i++) {
        fields[i] = (rt_field){.name = src->fields[i].name, .type = (rt_type)src->fields[i].type,
                               .not_null = src->fields[i].not_null};
        names[i] = src->fields[i].name;
        types[i] = (rt_type)src->fields[i].type;
    }
    names[n] = BACKFILL_LINE_COLUMN;
    types[n] = RT_INT;
    /* expect rules are checked with SQL after loading (see sqlgen_reject_query) */
    rt_schema schema = {.name = src->name, .nfields = n, .fields = fields, .time_field = src->time_field};
    reject_list rejects = {0};
    int rc = -1;
    db_loader *ld = NULL;
    rt_reader *rd = rt_reader_open(path, &schema, NULL, err, sizeof err);
    if (!rd) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    rt_reader_on_reject(rd, on_reader_reject, &rejects);
    if (db_check_table_name(db_conn_dialect(c), src->sql_table, err, sizeof err) != 0 ||
        !(ld = db_load_begin(c, src->sql_table, n + 1, names, types, err, sizeof err))) {
        fprintf(stderr, "featc backfill: source '%s': %s\n", src->name, err);
        goto out;
    }
    uint64_t count = 0;
    int got;
    while ((got = rt_reader_next(rd, row)) == 1) {
        row[n] = (rt_slot){.v.i = (int64_t)rt_reader_line(rd)};
        if (db_load_row(ld, row) != 0)
            break;
        count++;
    }
    if (got < 0) {
        fprintf(stderr, "featc backfill: %s\n", rt_reader_error(rd));
        db_load_abort(ld);
        ld = NULL;
        goto out;
    }
    int end = db_load_end(ld, err, sizeof err);
    ld = NULL;
    if (end != 0) {
        fprintf(stderr, "featc backfill: loading %s into table '%s': %s\n", path, src->sql_table, err);
        goto out;
    }
    /* rows the reader accepted but an expect rule rejects: found by SQL, reported too */
    if (src->nexpects > 0) {
        char *q = sqlgen_reject_query(p, source, db_conn_dialect(c), BACKFILL_LINE_COLUMN, err, sizeof err);
        if (!q) {
            fprintf(stderr, "featc backfill: source '%s': %s\n", src->name, err);
            goto out;
        }
        expect_ctx ec = {.src = src, .rejects = &rejects};
        uint64_t before = rejects.n;
        static const rt_type cols[2] = {RT_INT, RT_INT};
        int qr = db_query(c, q, 2, cols, on_expect_row, &ec, err, sizeof err);
        free(q);
        if (qr != 0) {
            fprintf(stderr, "featc backfill: checking the expect rules of '%s': %s\n", src->name, err);
            goto out;
        }
        count -= rejects.n - before;
    }
    if (rejects.n > 1)
        qsort(rejects.items, rejects.n, sizeof *rejects.items, by_line);
    for (size_t i = 0; i < rejects.n; i++)
        rt_reject(log, src->name, path, rejects.items[i].line, rejects.items[i].reason);
    *loaded = count;
    rc = 0;
out:
    db_load_abort(ld);
    rt_reader_close(rd);
    for (size_t i = 0; i < rejects.n; i++)
        free(rejects.items[i].reason);
    free(rejects.items);
    free(fields);
    free(names);
    free(types);
    free(row);
    return rc;
}

static int find_source(const plan *p, const char *name)
{
    for (int i = 0; i < p->nsources; i++)
        if (strcmp(p->sources[i].name, name) == 0)
            return i;
    return -1;
}

/* Checks that the table of every source the service reads exists with its fields. */
static int check_tables(db_conn *c, const plan *p, const plan_service *svc, const bool *loaded)
{
    for (int i = 0; i < svc->nviews; i++) {
        int s = p->views[svc->views[i].view].source;
        if (loaded[s])
            continue;
        const plan_source *src = &p->sources[s];
        const char **names = calloc((size_t)src->nfields + 1, sizeof *names);
        rt_type *types = calloc((size_t)src->nfields + 1, sizeof *types);
        if (!names || !types) {
            fputs("featc: out of memory\n", stderr);
            abort();
        }
        for (int k = 0; k < src->nfields; k++) {
            names[k] = src->fields[k].name;
            types[k] = (rt_type)src->fields[k].type;
        }
        char err[512];
        int r = db_check_table(c, src->sql_table, src->nfields, names, types, err, sizeof err);
        free(names);
        free(types);
        if (r != 0) {
            fprintf(stderr, "featc backfill: source '%s' (no --events given): %s\n", src->name, err);
            return -1;
        }
    }
    return 0;
}

int backfill_run(const plan *p, const plan_service *svc, const backfill_options *o)
{
    char err[512];
    int rc = EXIT_INVALID;
    bool *loaded = calloc((size_t)p->nsources + 1, sizeof *loaded);
    if (!loaded) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    backfill_spine sp = {0};
    rt_reject_log *log = NULL;
    char *query = NULL;
    bool spine_made = false;
    db_conn *c = NULL;
    for (int i = 0; i < o->nevents; i++) {
        int s = find_source(p, o->events[i].source);
        if (s < 0 || p->sources[s].kind == PS_REQUEST) {
            fprintf(stderr, "featc backfill: --events %s=%s: no stream or table source '%s'\n", o->events[i].source,
                    o->events[i].path, o->events[i].source);
            goto out;
        }
        if (loaded[s]) {
            fprintf(stderr, "featc backfill: --events %s given twice\n", o->events[i].source);
            goto out;
        }
        loaded[s] = true;
    }
    memset(loaded, 0, sizeof *loaded * (size_t)p->nsources);
    sqlgen_options so = {.shape = o->simple_shape ? SQLGEN_SIMPLE : SQLGEN_AUTO, .spine_columns = false,
                         .spine_table = BACKFILL_SPINE_TABLE};
    if (!(c = db_open(o->db_url, err, sizeof err))) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    so.dialect = db_conn_dialect(c);
    /* generate first: a query that cannot be written is reported before any loading */
    if (!(query = sqlgen_query(p, svc, &so, err, sizeof err))) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    if (!(log = rt_reject_log_open(o->rejects ? o->rejects : "-", err, sizeof err))) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    for (int i = 0; i < o->nevents; i++) {
        int s = find_source(p, o->events[i].source);
        uint64_t n = 0;
        if (backfill_load_events(c, p, s, o->events[i].path, log, &n) != 0)
            goto out;
        loaded[s] = true;
        uint64_t bad = rt_reject_count(log, p->sources[s].name);
        fprintf(stderr, "featc backfill: source '%s': %" PRIu64 " events loaded, %" PRIu64 " rejected\n",
                p->sources[s].name, n, bad);
    }
    if (check_tables(c, p, svc, loaded) != 0 || backfill_table_views(c, p, svc, loaded, &so, &query) != 0)
        goto out;
    spine_made = true;
    if (backfill_spine_in(c, p, svc, o->spine, BACKFILL_SPINE_TABLE, &sp) != 0)
        goto out;
    if (backfill_output(c, p, svc, query, &sp, o->spine, BACKFILL_SPINE_TABLE, o->out) != 0)
        goto out;
    fprintf(stderr, "featc backfill: %" PRIu64 " spine rows written to %s", sp.nrows, o->out);
    if (sp.bad)
        fprintf(stderr, ", %" PRIu64 " bad spine rows skipped", sp.bad);
    fputc('\n', stderr);
    rc = EXIT_VALID;
out:
    if (c && spine_made) {
        strbuf drop = STRBUF_INIT;
        strbuf_append(&drop, "DROP TABLE IF EXISTS ");
        db_quote_table(db_conn_dialect(c), BACKFILL_SPINE_TABLE, &drop);
        db_exec(c, strbuf_cstr(&drop), err, sizeof err);
        strbuf_free(&drop);
    }
    if (log && !rt_reject_log_close(log)) {
        fprintf(stderr, "featc backfill: writing the reject log failed\n");
        rc = EXIT_INVALID;
    }
    backfill_spine_free(&sp);
    free(query);
    db_close(c);
    free(loaded);
    return rc;
}
