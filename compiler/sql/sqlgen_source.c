/* sqlgen_source.c - a source's events as the reader and the arrival rules leave them: valid, then not ahead, late or duplicate. */
#include "sqlgen_int.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

const char *sg_field_col(sg_gen *g, int i) { return sg_ident(g, sg_printf(g, "c%d", i)); }

sg_frag sg_source_leaf(sg_scope *sc, const plan_expr *x)
{
    assert(x->kind == PX_COLUMN);
    return sg_atom(sg_field_col(sc->g, x->index), 0);
}

void sg_gen_arrival(sg_gen *g, const sqlgen_options *o)
{
    g->order_columns = o ? o->order_columns : NULL;
    g->time_ordered = o ? o->time_ordered : NULL;
    g->keep_late = o && o->keep_late;
}

void sg_source_base(sg_gen *g, const plan_source *src, const char *stem, const char *extra_col, const char *extra_as)
{
    strbuf b = STRBUF_INIT;
    strbuf_append(&b, "SELECT ");
    for (int i = 0; i < src->nfields; i++)
        strbuf_appendf(&b, "%s%s AS %s", i ? ", " : "", sg_ident(g, src->fields[i].name), sg_field_col(g, i));
    if (extra_col)
        strbuf_appendf(&b, ", %s AS %s", sg_ident(g, extra_col), sg_ident(g, extra_as));
    strbuf_appendf(&b, " FROM %s", sg_table(g, src->sql_table));
    sg_add_cte(g, sg_printf(g, "%s_0", stem), strbuf_cstr(&b));
    strbuf_free(&b);
}

sg_frag sg_source_valid(sg_scope *sc, const plan_source *src)
{
    sg_gen *g = sc->g;
    int n = 0;
    sg_frag *parts = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)(src->nfields + src->nexpects + 1));
    for (int i = 0; i < src->nfields; i++)
        if (src->fields[i].not_null || i == src->time_field)
            parts[n++] = SG_T(sc, "$1 IS NOT NULL", sg_atom(sg_field_col(g, i), 0));
    for (int k = 0; k < src->nexpects; k++)
        parts[n++] = SG_T(sc, "($1) IS NOT FALSE", sg_expr(sc, src->expects[k].cond));
    if (n == 0)
        return g->d->lit_bool(g, true);
    sg_frag acc = parts[0];
    for (int i = 1; i < n; i++)
        acc = SG_T(sc, "$1 AND $2", acc, parts[i]);
    return acc;
}

/* The order column given for source s, or NULL. */
static const char *order_column(const sg_gen *g, int s) { return g->order_columns ? g->order_columns[s] : NULL; }

/* Which rules can refuse an event of source s. */
typedef struct rules {
    bool ahead, late, dup;
} rules;

static rules rules_of(const plan *p, int s, const char *order_col, bool time_ordered, bool keep_late)
{
    const plan_source *src = &p->sources[s];
    assert(src->kind != PS_REQUEST && src->time_field >= 0);
    rules r = {.dup = src->unique_field >= 0};
    if (!keep_late) {
        r.ahead = src->arrival_field >= 0 && src->max_ahead_us != PLAN_NO_MAX_AHEAD;
        /* rows in time order are never late (W is never above a row's time), and the
         * contract's order without an arrival field is time order */
        r.late = !time_ordered && (order_col != NULL || src->arrival_field >= 0);
    }
    return r;
}

static rules rules_for(const sg_gen *g, int s)
{
    return rules_of(g->p, s, order_column(g, s), g->time_ordered && g->time_ordered[s], g->keep_late);
}

bool sqlgen_arrival_applies(const plan *p, int source, const sqlgen_options *o)
{
    assert(source >= 0 && source < p->nsources);
    const char *col = o->order_columns ? o->order_columns[source] : NULL;
    rules r = rules_of(p, source, col, o->time_ordered && o->time_ordered[source], o->keep_late);
    return r.ahead || r.late || r.dup;
}

/* Appends field i as an ORDER BY item, nulls lowest (strings byte-wise). A `not null`
 * field may hold nulls too: rows are numbered before the invalid ones are left out. */
static void order_item(sg_gen *g, const plan_source *src, int i, strbuf *out)
{
    strbuf_appendf(out, "%s%s%s NULLS FIRST", out->len ? ", " : "", sg_field_col(g, i),
                   src->fields[i].type == FT_STRING ? g->d->collate : "");
}

/* The contract's arrival order for a table, as ORDER BY items: the arrival field, time
 * (unless skip_time), seq, then every other field in declaration order except skip. */
static const char *contract_order(sg_gen *g, const plan_source *src, bool skip_time, int skip)
{
    strbuf b = STRBUF_INIT;
    int lead[3] = {src->arrival_field, skip_time ? -1 : src->time_field, src->seq_field};
    for (int k = 0; k < 3; k++)
        if (lead[k] >= 0)
            order_item(g, src, lead[k], &b);
    for (int i = 0; i < src->nfields; i++)
        if (i != src->arrival_field && i != src->time_field && i != src->seq_field && i != skip)
            order_item(g, src, i, &b);
    const char *s = sg_printf(g, "%s", strbuf_cstr(&b));
    strbuf_free(&b);
    return s;
}

/* The rule for events ahead of their arrival: time > arrival + max_ahead, without the sum
 * leaving int64 (an arrival within max_ahead of the maximum is never exceeded). */
static sg_frag ahead_cond(sg_scope *sc, const plan_source *src)
{
    sg_gen *g = sc->g;
    int64_t d = src->max_ahead_us;
    assert(d >= 0);
    sg_frag t = sg_atom(sg_field_col(g, src->time_field), 0), a = sg_atom(sg_field_col(g, src->arrival_field), 0);
    return SG_T(sc, "($1 > CASE WHEN $2 <= $3 THEN $2 + $4 END) IS TRUE", t, a, sg_lit_int(g, INT64_MAX - d),
                sg_lit_int(g, d));
}

/* The rule for late events: time < W - lateness, W the watermark column w (null before the
 * first event); without the difference leaving int64 (below the minimum nothing is late). */
static const char *late_cond(sg_gen *g, const plan_source *src, const char *w)
{
    int64_t l = src->lateness_us;
    assert(l >= 0);
    const char *t = sg_field_col(g, src->time_field);
    if (l == 0)
        return sg_printf(g, "((%s < %s) IS TRUE)", t, w);
    return sg_printf(g, "((%s < CASE WHEN %s >= %s THEN %s - %s END) IS TRUE)", t, w, sg_lit_int(g, INT64_MIN + l).sql,
                     w, sg_lit_int(g, l).sql);
}

void sg_source_decide(sg_gen *g, int s, bool number_rows, sg_decided *out)
{
    const plan *p = g->p;
    const plan_source *src = &p->sources[s];
    const char *col = order_column(g, s);
    rules r = rules_for(g, s);
    memset(out, 0, sizeof *out);
    const char *stem = sg_printf(g, "__a%d", s);
    sg_source_base(g, src, stem, col, col ? "a_o" : NULL);
    sg_rel rel;
    sg_rel_init(&rel, g, stem, "h");
    sg_scope sc = {.g = g, .rel = &rel, .leaf = sg_source_leaf};
    sg_rel_column(&rel, sg_source_valid(&sc, src), "a_ok");
    if (r.ahead)
        sg_rel_column(&rel, ahead_cond(&sc, src), "a_ah");
    bool by_row = col != NULL;
    if (!col && number_rows) {
        const char *num = sg_printf(g, "row_number() OVER (ORDER BY %s)", contract_order(g, src, false, -1));
        sg_rel_column(&rel, (sg_frag){.sql = num, .level = 0, .depth = 1}, "a_o");
        by_row = true;
    }
    out->valid = sg_rel_finish(&rel);

    const char *a_o = sg_ident(g, "a_o"), *t = sg_field_col(g, src->time_field);
    strbuf b = STRBUF_INIT;
    strbuf_append(&b, "SELECT *");
    if (r.late) {
        /* W before a row: the largest time among the earlier rows that are valid and not
         * ahead. Late and duplicate rows never raise it (their time is below it), so it is
         * the watermark of the accepted events. In the contract's order (arrival, time)
         * decides: rows of equal arrival before a row are no later than it. */
        assert(by_row || src->arrival_field >= 0);
        const char *ord = by_row ? a_o : sg_printf(g, "%s, %s", sg_field_col(g, src->arrival_field), t);
        strbuf_appendf(&b, ", max(%s) OVER (ORDER BY %s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS %s", t,
                       ord, sg_ident(g, "a_w"));
        out->bound = sg_ident(g, "a_w");
        out->late = late_cond(g, src, out->bound);
    }
    if (r.dup) {
        /* Among rows of equal (unique, time) the first in arrival order is accepted or
         * late; if it is late so is every later one (W only grows), so a later row that
         * is not late repeats an accepted event. */
        const char *u = sg_field_col(g, src->unique_field);
        const char *coll = src->fields[src->unique_field].type == FT_STRING ? g->d->collate : "";
        const char *ord = by_row ? a_o : contract_order(g, src, true, src->unique_field);
        strbuf_appendf(&b, ", row_number() OVER (PARTITION BY %s%s, %s%s%s) AS %s", u, coll, t, *ord ? " ORDER BY " : "",
                       ord, sg_ident(g, "a_n"));
        out->dup = sg_printf(g, "(%s IS NOT NULL AND %s > 1)", u, sg_ident(g, "a_n"));
    }
    strbuf_appendf(&b, " FROM %s WHERE %s", sg_ident(g, out->valid), sg_ident(g, "a_ok"));
    if (r.ahead) {
        strbuf_appendf(&b, " AND NOT %s", sg_ident(g, "a_ah"));
        out->ahead = sg_printf(g, "%s AND %s", sg_ident(g, "a_ok"), sg_ident(g, "a_ah"));
    }
    out->decided = sg_printf(g, "%s_d", stem);
    sg_add_cte(g, out->decided, strbuf_cstr(&b));
    strbuf_free(&b);
}

const char *sg_source_cte(sg_gen *g, int s)
{
    const plan *p = g->p;
    assert(s >= 0 && s < p->nsources);
    if (!g->source_cte)
        g->source_cte = arena_alloc(&g->mem, sizeof(char *) * (size_t)(p->nsources + 1));
    if (g->source_cte[s])
        return g->source_cte[s];
    sg_decided d;
    sg_source_decide(g, s, false, &d);
    const char *name = d.decided;
    if (d.late || d.dup) {
        const plan_source *src = &p->sources[s];
        strbuf b = STRBUF_INIT;
        strbuf_append(&b, "SELECT ");
        for (int i = 0; i < src->nfields; i++)
            strbuf_appendf(&b, "%s%s", i ? ", " : "", sg_field_col(g, i));
        strbuf_appendf(&b, " FROM %s WHERE ", sg_ident(g, d.decided));
        if (d.late)
            strbuf_appendf(&b, "NOT %s%s", d.late, d.dup ? " AND " : "");
        if (d.dup)
            strbuf_appendf(&b, "NOT %s", d.dup);
        name = sg_printf(g, "__a%d", s);
        sg_add_cte(g, name, strbuf_cstr(&b));
        strbuf_free(&b);
    }
    g->source_cte[s] = name;
    return name;
}
