/* backfill_load.c - one events file into its table: the shared reader, a line column for arrival order, and the invalid events found on the way. */
#include "backfill.h"

#include "rt_reader.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void invalid_add(backfill_invalid *l, uint64_t line, const char *reason)
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
    l->items[l->n++] = (backfill_invalid_event){line, copy};
}

static void on_reader_reject(void *ctx, uint64_t line, const char *reason) { invalid_add(ctx, line, reason); }

static int by_line(const void *a, const void *b)
{
    const backfill_invalid_event *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

typedef struct expect_ctx {
    const plan_source *src;
    backfill_invalid *invalid;
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
    invalid_add(e->invalid, (uint64_t)row[0].v.i, reason);
    return 0;
}

int backfill_load_events(db_conn *c, const plan *p, int source, const char *path, backfill_loaded *out)
{
    const plan_source *src = &p->sources[source];
    memset(out, 0, sizeof *out);
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
    int rc = -1;
    db_loader *ld = NULL;
    rt_reader *rd = rt_reader_open(path, &schema, NULL, err, sizeof err);
    if (!rd) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    rt_reader_on_reject(rd, on_reader_reject, &out->invalid);
    if (db_check_table_name(db_conn_dialect(c), src->sql_table, err, sizeof err) != 0 ||
        !(ld = db_load_begin(c, src->sql_table, n + 1, names, types, err, sizeof err))) {
        fprintf(stderr, "featc backfill: source '%s': %s\n", src->name, err);
        goto out;
    }
    uint64_t count = 0;
    int64_t latest = INT64_MIN;
    bool in_order = true;
    int got;
    while ((got = rt_reader_next(rd, row)) == 1) {
        /* the reader refuses a null time, so every row loaded has one */
        assert(!row[src->time_field].null);
        int64_t t = row[src->time_field].v.i;
        in_order &= t >= latest;
        latest = t > latest ? t : latest;
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
        expect_ctx ec = {.src = src, .invalid = &out->invalid};
        uint64_t before = out->invalid.n;
        static const rt_type cols[2] = {RT_INT, RT_INT};
        int qr = db_query(c, q, 2, cols, on_expect_row, &ec, err, sizeof err);
        free(q);
        if (qr != 0) {
            fprintf(stderr, "featc backfill: checking the expect rules of '%s': %s\n", src->name, err);
            goto out;
        }
        count -= out->invalid.n - before;
    }
    if (out->invalid.n > 1)
        qsort(out->invalid.items, out->invalid.n, sizeof *out->invalid.items, by_line);
    out->valid = count;
    out->in_time_order = in_order;
    rc = 0;
out:
    db_load_abort(ld);
    rt_reader_close(rd);
    if (rc != 0)
        backfill_loaded_free(out);
    free(fields);
    free(names);
    free(types);
    free(row);
    return rc;
}

void backfill_loaded_free(backfill_loaded *l)
{
    for (size_t i = 0; i < l->invalid.n; i++)
        free(l->invalid.items[i].reason);
    free(l->invalid.items);
    memset(l, 0, sizeof *l);
}
