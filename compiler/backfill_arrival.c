/* backfill_arrival.c - the events a backfill's arrival rules refuse (ahead, late, duplicate), listed by SQL for the reject log. */
#include "backfill.h"

#include "sql/sqlgen.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    return q;
}

typedef struct refusal_ctx {
    const plan_source *src;
    backfill_refusals *out;
} refusal_ctx;

/* One row of sqlgen_arrival_query. */
static int on_refusal(void *ctx, const rt_slot *row)
{
    refusal_ctx *rc = ctx;
    backfill_refusals *l = rc->out;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    backfill_refusal *r = &l->items[l->n++];
    *r = (backfill_refusal){.line = (uint64_t)row[SQLGEN_ARRIVAL_LINE].v.i,
                            .kind = (rt_reject_kind)row[SQLGEN_ARRIVAL_KIND].v.i,
                            .time = row[SQLGEN_ARRIVAL_TIME].v.i,
                            .bound = row[SQLGEN_ARRIVAL_BOUND].null ? 0 : row[SQLGEN_ARRIVAL_BOUND].v.i};
    assert(r->kind == RT_REJECT_AHEAD || r->kind == RT_REJECT_LATE || r->kind == RT_REJECT_DUPLICATE);
    if (r->kind == RT_REJECT_DUPLICATE) {
        const rt_slot *u = &row[SQLGEN_ARRIVAL_UNIQUE];
        char text[300] = "";
        assert(rc->src->unique_field >= 0 && !u->null);
        if (rc->src->fields[rc->src->unique_field].type == FT_STRING)
            rt_reject_excerpt(text, sizeof text, u->v.s, u->len, 64, true);
        else
            snprintf(text, sizeof text, "%" PRId64, u->v.i);
        r->unique_text = strdup(text);
        if (!r->unique_text) {
            fputs("featc: out of memory\n", stderr);
            abort();
        }
    }
    return 0;
}

int backfill_arrival_list(db_conn *c, const plan *p, int source, const sqlgen_options *o, backfill_refusals *out)
{
    const plan_source *src = &p->sources[source];
    memset(out, 0, sizeof *out);
    if (!sqlgen_arrival_applies(p, source, o))
        return 0;
    char err[512];
    char *q = sqlgen_arrival_query(p, source, o, err, sizeof err);
    if (!q) {
        fprintf(stderr, "featc backfill: %s\n", err);
        return -1;
    }
    rt_type cols[5] = {RT_INT, RT_INT, RT_TIMESTAMP, RT_TIMESTAMP, RT_INT};
    int ncols = 4;
    if (src->unique_field >= 0)
        cols[ncols++] = src->fields[src->unique_field].type == FT_STRING ? RT_STRING : RT_INT;
    refusal_ctx rc = {.src = src, .out = out};
    int r = db_query(c, q, ncols, cols, on_refusal, &rc, err, sizeof err);
    free(q);
    if (r != 0) {
        fprintf(stderr, "featc backfill: applying the arrival rules of '%s': %s\n", src->name, err);
        backfill_refusals_free(out);
        return -1;
    }
    return 0;
}

void backfill_refusal_log(rt_reject_log *log, const plan_source *src, const char *file, const backfill_refusal *r)
{
    switch (r->kind) {
    case RT_REJECT_AHEAD:
        rt_reject_ahead(log, src->name, file, r->line, r->time, r->bound, src->max_ahead_us);
        break;
    case RT_REJECT_LATE:
        rt_reject_late(log, src->name, file, r->line, r->time, r->bound, src->lateness_us);
        break;
    case RT_REJECT_DUPLICATE:
        rt_reject_duplicate(log, src->name, file, r->line, src->fields[src->unique_field].name, r->unique_text,
                            r->time);
        break;
    default: assert(!"not an arrival rule");
    }
}

void backfill_refusals_free(backfill_refusals *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].unique_text);
    free(l->items);
    memset(l, 0, sizeof *l);
}
