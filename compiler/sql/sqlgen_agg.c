/* sqlgen_agg.c - window bounds and the simple shape: one correlated subquery per feature. */
#include "sqlgen_int.h"

#include <assert.h>
#include <string.h>

typedef struct sg_bound {
    int64_t size, hop;
    sg_frag low;
} sg_bound;

sg_frag sg_low_expr(sg_scope *sc, sg_frag t, int64_t size_us, int64_t hop_us)
{
    sg_gen *g = sc->g;
    assert(size_us > 0 && hop_us >= 0);
    sg_frag min = sg_lit_int(g, INT64_MIN);
    sg_frag low = sg_hoist(sc, SG_T(sc, "CASE WHEN $1 < $2 THEN $3 ELSE $1 - $4 END", t,
                                    sg_lit_int(g, INT64_MIN + size_us), min, sg_lit_int(g, size_us)));
    /* floor(low / H) * H is in range unless low lies below the lowest multiple of H in
     * range, INT64_MIN / H * H (C division truncates toward zero) */
    if (hop_us > 0)
        low = sg_hoist(sc, SG_T(sc, "CASE WHEN $1 < $2 THEN $3 ELSE $1 - $4 END", low,
                                sg_lit_int(g, INT64_MIN / hop_us * hop_us), min, sg_floor_mod(sc, low, hop_us)));
    return low;
}

sg_frag sg_window_low(sg_query *q, int64_t size_us, int64_t hop_us)
{
    for (int i = 0; i < q->bounds.len; i++) {
        sg_bound *b = q->bounds.items[i];
        if (b->size == size_us && b->hop == hop_us)
            return b->low;
    }
    sg_gen *g = q->g;
    sg_frag low = sg_low_expr(&q->sc, q->t, size_us, hop_us);
    sg_bound *b = arena_alloc(&g->mem, sizeof *b);
    *b = (sg_bound){.size = size_us, .hop = hop_us, .low = low};
    ptrvec_push(&g->mem, &q->bounds, b);
    return low;
}

const char *sg_sum_parts_text(sg_gen *g, const sg_sum_parts *sp)
{
    assert(sp->n > 0 && sp->n <= SG_SUM_MAX_PARTS);
    sg_scope inl = {.g = g, .rel = NULL};
    sg_frag args[SG_SUM_MAX_PARTS];
    for (int k = 0; k < sp->n; k++)
        args[k] = sg_atom(sg_printf(g, "%s(%s)", sp->fn[k], sp->arg[k]), 0);
    return sg_tpl(&inl, sp->combine, sp->n, args).sql;
}

sg_frag sg_feature_finish(sg_query *q, const plan_feature *ft, sg_frag value, sg_frag chosen_ts)
{
    sg_scope *sc = &q->sc;
    if (ft->ttl_us > 0) {
        assert(chosen_ts.sql);
        value = SG_T(sc, "CASE WHEN $1 >= $2 THEN $3 END", chosen_ts, sg_window_low(q, ft->ttl_us, 0), value);
    }
    if (ft->has_default)
        value = SG_T(sc, "COALESCE($1, $2)", value, sg_lit(q->g, &ft->dflt));
    return value;
}

/* Text of a subquery over the view's rows in the window of feature f of service view sv,
 * for the current spine row: "FROM "__vN" AS e WHERE ..." and its level. */
typedef struct sg_from {
    const char *text;
    int level;
    const char *x; /* the input column, e."e_i<f>" (NULL for count()) */
} sg_from;

static int max_level(int a, int b) { return a > b ? a : b; }

static sg_from window_from(sg_query *q, int sv, int f, bool input_not_null)
{
    sg_gen *g = q->g;
    const plan_service_view *psv = &q->svc->views[sv];
    const plan_view *v = &g->p->views[psv->view];
    const plan_feature *ft = &v->features[f];
    const plan_entity *ent = &g->p->entities[v->entity];
    strbuf b = STRBUF_INIT;
    int level = q->t.level;
    strbuf_appendf(&b, "FROM %s AS e WHERE ", sg_ident(g, q->view_rel[sv]));
    for (int k = 0; k < ent->nkeys; k++) {
        sg_frag key = q->keys[psv->key_map[k]];
        strbuf_appendf(&b, "e.%s = %s AND ", sg_ident(g, sg_printf(g, "e_k%d", k)), key.sql);
        level = max_level(level, key.level);
    }
    strbuf_appendf(&b, "e.%s < %s", sg_ident(g, "e_ts"), q->t.sql);
    if (ft->window.kind != PW_LIFETIME) {
        sg_frag low = sg_window_low(q, ft->window.size_us, ft->window.kind == PW_HOP ? ft->window.hop_us : 0);
        strbuf_appendf(&b, " AND e.%s >= %s", sg_ident(g, "e_ts"), low.sql);
        level = max_level(level, low.level);
    }
    if (ft->filter)
        strbuf_appendf(&b, " AND e.%s", sg_ident(g, sg_printf(g, "e_w%d", f)));
    const char *x = ft->input ? sg_printf(g, "e.%s", sg_ident(g, sg_printf(g, "e_i%d", f))) : NULL;
    if (x && input_not_null)
        strbuf_appendf(&b, " AND %s IS NOT NULL", x);
    sg_from r = {.text = arena_strndup(&g->mem, strbuf_cstr(&b), b.len), .level = level, .x = x};
    strbuf_free(&b);
    return r;
}

/* A scalar subquery "(SELECT sel FROM ...)" as a column of the spine relation. */
static sg_frag scalar(sg_query *q, const char *sel, sg_from from, const char *tail)
{
    sg_frag f = {.sql = sg_printf(q->g, "(SELECT %s %s%s)", sel, from.text, tail ? tail : ""), .level = from.level, .depth = 1};
    return sg_hoist(&q->sc, f);
}

/* "(SELECT post FROM (SELECT inner FROM ...) AS a)": inner names xs (a float sum) and xn
 * (the float count); post divides them with the dialect's guarded division. */
static sg_frag ratio(sg_query *q, const char *sum, sg_from from)
{
    sg_gen *g = q->g;
    sg_scope inl = {.g = g, .rel = NULL};
    sg_frag xs = sg_atom(sg_ident(g, "xs"), 0), xn = sg_atom(sg_ident(g, "xn"), 0);
    sg_frag post = g->d->float_arith(&inl, PA_DIV, xs, xn);
    const char *inner = sg_printf(g, "SELECT %s AS %s, CAST(count(%s) AS %s) AS %s %s", sum, xs.sql, from.x,
                                  g->d->type_float, xn.sql, from.text);
    sg_frag f = {.sql = sg_printf(g, "(SELECT %s FROM (%s) AS a)", post.sql, inner), .level = from.level, .depth = 1};
    return sg_hoist(&q->sc, f);
}

/* "(SELECT finite(xs) FROM (SELECT sum AS xs FROM ...) AS a)" */
static sg_frag float_sum(sg_query *q, const char *sum, sg_from from)
{
    sg_gen *g = q->g;
    sg_scope inl = {.g = g, .rel = NULL};
    sg_frag xs = sg_atom(sg_ident(g, "xs"), 0);
    sg_frag post = g->d->finite(&inl, xs);
    sg_frag f = {.sql = sg_printf(g, "(SELECT %s FROM (SELECT %s AS %s %s) AS a)", post.sql, sum, xs.sql, from.text),
                 .level = from.level, .depth = 1};
    return sg_hoist(&q->sc, f);
}

/* The float sum of sum and avg: the dialect's exact parts where it has them. */
static const char *sum_float_text(sg_gen *g, const char *x)
{
    if (!g->d->sum_float_parts)
        return g->d->agg_sum_float(g, x);
    sg_sum_parts sp;
    g->d->sum_float_parts(g, x, &sp);
    return sg_sum_parts_text(g, &sp);
}

/* avg(x) as a column (float x or exact int sum). */
static sg_frag average(sg_query *q, int sv, int f)
{
    sg_gen *g = q->g;
    const plan_feature *ft = &g->p->views[q->svc->views[sv].view].features[f];
    sg_from from = window_from(q, sv, f, false);
    if (ft->input_type == FT_INT)
        return scalar(q, sg_printf(g, "%s / CAST(count(%s) AS %s)", g->d->agg_sum_int_float(g, from.x), from.x,
                                   g->d->type_float),
                      from, NULL);
    return ratio(q, sum_float_text(g, from.x), from);
}

const char *sg_pct_rank(sg_gen *g, const char *n, double p)
{
    const char *x = sg_printf(g, "(%s * CAST(%s AS %s))", g->d->lit_float(g, p).sql, n, g->d->type_float);
    if (g->d->id == DB_SQLITE) /* x >= 0: truncation is floor, and ceil needs the math functions */
        return sg_printf(g, "max(1, CAST(%s AS INTEGER) + (%s > CAST(%s AS INTEGER)))", x, x, x);
    return sg_printf(g, "greatest(1, CAST(ceil(%s) AS %s))", x, g->d->type_int);
}

/* percentile(x, p), median(x): the value of rank k = max(1, ceil(p * n)) among the n
 * non-null inputs in ascending order, numbered by row_number (ties hold equal values). */
static sg_frag percentile(sg_query *q, int sv, int f)
{
    sg_gen *g = q->g;
    const plan_feature *ft = &g->p->views[q->svc->views[sv].view].features[f];
    sg_from from = window_from(q, sv, f, true);
    const char *v = sg_ident(g, "pv"), *rn = sg_ident(g, "rn"), *n = sg_ident(g, "pn");
    const char *inner =
        sg_printf(g, "SELECT %s AS %s, row_number() OVER (ORDER BY %s) AS %s, count(*) OVER () AS %s %s", from.x, v,
                  from.x, rn, n, from.text);
    const char *sel = v;
    if (ft->input_type == FT_FLOAT) /* -0.0 is 0.0, as in the runtime */
        sel = sg_printf(g, "CASE WHEN %s = 0 THEN %s ELSE %s END", v, g->d->lit_float(g, 0.0).sql, v);
    sg_frag r = {
        .sql = sg_printf(g, "(SELECT %s FROM (%s) AS a WHERE %s = %s)", sel, inner, rn, sg_pct_rank(g, n, ft->pct_p)),
        .level = from.level,
        .depth = 1};
    return sg_hoist(&q->sc, r);
}

sg_frag sg_feature_simple(sg_query *q, int sv, int f)
{
    sg_gen *g = q->g;
    const sg_dialect *d = g->d;
    const plan_view *v = &g->p->views[q->svc->views[sv].view];
    const plan_feature *ft = &v->features[f];
    const char *coll = ft->input_type == FT_STRING ? d->collate : "";
    sg_frag none = {0};
    switch (ft->agg) {
    case PG_COUNT_ROWS: return sg_feature_finish(q, ft, scalar(q, "count(*)", window_from(q, sv, f, false), NULL), none);
    case PG_COUNT: {
        sg_from from = window_from(q, sv, f, false);
        return sg_feature_finish(q, ft, scalar(q, sg_printf(g, "count(%s)", from.x), from, NULL), none);
    }
    case PG_COUNT_DISTINCT: {
        sg_from from = window_from(q, sv, f, false);
        return sg_feature_finish(q, ft, scalar(q, sg_printf(g, "count(DISTINCT %s)", from.x), from, NULL), none);
    }
    case PG_SUM: {
        sg_from from = window_from(q, sv, f, false);
        if (ft->input_type == FT_INT)
            return sg_feature_finish(q, ft, scalar(q, d->agg_sum_int(g, from.x), from, NULL), none);
        return sg_feature_finish(q, ft, float_sum(q, sum_float_text(g, from.x), from), none);
    }
    case PG_AVG: return sg_feature_finish(q, ft, average(q, sv, f), none);
    case PG_MIN:
    case PG_MAX: {
        sg_from from = window_from(q, sv, f, false);
        const char *s = sg_printf(g, "%s(%s%s)", ft->agg == PG_MIN ? "min" : "max", from.x, coll);
        return sg_feature_finish(q, ft, scalar(q, s, from, NULL), none);
    }
    case PG_FIRST:
    case PG_LAST: {
        bool last = ft->agg == PG_LAST;
        const plan_source *src = &g->p->sources[v->source];
        sg_from from = window_from(q, sv, f, true);
        const char *dir = last ? "DESC" : "ASC";
        strbuf order = STRBUF_INIT;
        strbuf_appendf(&order, " ORDER BY e.%s %s", sg_ident(g, "e_ts"), dir);
        if (src->seq_field >= 0)
            strbuf_appendf(&order, ", e.%s %s NULLS %s", sg_ident(g, "e_sq"), dir, last ? "LAST" : "FIRST");
        strbuf_appendf(&order, ", %s%s %s LIMIT 1", from.x, coll, dir);
        sg_frag value = scalar(q, from.x, from, strbuf_cstr(&order));
        strbuf_free(&order);
        sg_frag chosen = none;
        if (ft->ttl_us > 0)
            chosen = scalar(q, sg_printf(g, "%s(e.%s)", last ? "max" : "min", sg_ident(g, "e_ts")), from, NULL);
        return sg_feature_finish(q, ft, value, chosen);
    }
    case PG_PERCENTILE:
    case PG_MEDIAN: return sg_feature_finish(q, ft, percentile(q, sv, f), none);
    case PG_VARIANCE:
    case PG_STDDEV: {
        sg_frag mean = average(q, sv, f);
        sg_from from = window_from(q, sv, f, false);
        from.level = max_level(from.level, mean.level);
        const char *xf = ft->input_type == FT_INT ? sg_printf(g, "CAST(%s AS %s)", from.x, d->type_float) : from.x;
        const char *dev = d->agg_sq_dev(g, xf, mean.sql);
        sg_frag var = ratio(q, d->agg_sum_float(g, dev), from);
        if (ft->agg == PG_STDDEV)
            var = d->float_fn(&q->sc, PF_SQRT, &var);
        return sg_feature_finish(q, ft, var, none);
    }
    }
    assert(!"unknown aggregation");
    return none;
}
