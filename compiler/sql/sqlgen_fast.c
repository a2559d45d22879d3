/* sqlgen_fast.c - the fast shape for DuckDB: window functions over events, spine rows and window-start probes. */
#include "sqlgen_int.h"

#include <assert.h>
#include <string.h>

/*
 * The shape, per service view i (docs/sql.md has the long form):
 *
 *   __fe<i>  the view's events with a key (c = 1): each fast feature's input a<f> (null
 *            when the feature's where rejects the row) and, for first/last, its ordering
 *            key rk<f>.
 *   __fu<i>  keys and times only: events, spine rows (c = 0, j = 0) and, per spine row and
 *            distinct window bound b, a probe (c = 0, j = b + 1) at the window's low time.
 *   __fa<i>  q: the number of events and spine rows (j = 0) up to and including each row in
 *            the order (keys | t, c, r, j), kept for spine rows and probes.
 *   __fp<i>  per spine row r: q of the spine row (q0) and of each of its probes (q<b+1>).
 *   __fw<i>  events and spine rows in the order (keys | t, c, r): the window of a spine row
 *            whose probe is P is the q0 - q(P) - 1 rows before it, so every aggregate is
 *            a ROWS frame. No arithmetic on times happens in the frames, so the int64
 *            range needs no care, and spine and probe rows sort before events of the same
 *            time, which keeps `e.ts < t` and `e.ts >= low` exact.
 *
 * The spine relation joins __fw<i> on r and finishes the values (guards, ttl, default).
 */

enum { FAST_MAX_PARTS = 4 };

typedef struct fast_view {
    int nbounds;
    int64_t *size, *hop; /* per bound */
    int *bound;          /* per feature: its bound, -1 for lifetime */
    bool *fast;          /* per feature: computed here */
    int *nparts;         /* per feature */
    bool count_rows;     /* some feature is an unfiltered count() over a bounded window */
    int ordered;         /* a lifetime first/last whose order the aggregate pass sorts by, or -1 */
    const char *rel;     /* the __fw CTE (unquoted) */
    strbuf cols;         /* ", w<i>.<part> AS <part>" for the spine base */
} fast_view;

struct sg_fast {
    fast_view *views; /* per service view; NULL fast arrays when the view has no fast feature */
};

static bool fast_aggregation(const plan_feature *ft)
{
    /* DuckDB's var_pop is a one-pass merge that loses digits (1e-6 relative where the
     * runtime's shifted long double Welford keeps 1e-15), and it throws on overflow:
     * variance keeps the simple shape. */
    return ft->agg != PG_VARIANCE && ft->agg != PG_STDDEV;
}

static const char *part_name(sg_gen *g, int sv, int f, int k) { return sg_printf(g, "z%d_%d_%d", sv, f, k); }

/* An unfiltered count() over a bounded window is the number of rows between its probe and
 * the spine row less the spine rows among them: both come from the position pass. */
static bool counted_by_position(const fast_view *fv, const plan_feature *ft, int f)
{
    return ft->agg == PG_COUNT_ROWS && !ft->filter && fv->bound[f] >= 0;
}

/* The lowest event time of a window at time t (text over column t), as sg_window_low. */
static const char *low_text(sg_gen *g, const char *t, int64_t size, int64_t hop)
{
    sg_scope inl = {.g = g, .rel = NULL};
    return sg_low_expr(&inl, sg_atom(t, 0), size, hop).sql;
}

/* "k0, k1, ..." for the view's entity keys. */
static const char *key_list(sg_gen *g, int nkeys)
{
    strbuf b = STRBUF_INIT;
    for (int k = 0; k < nkeys; k++)
        strbuf_appendf(&b, "%s%s", k ? ", " : "", sg_ident(g, sg_printf(g, "k%d", k)));
    const char *s = sg_printf(g, "%s", strbuf_cstr(&b));
    strbuf_free(&b);
    return s;
}

/* "s.<key>" of the spine for entity key k of service view sv. */
static const char *spine_key(sg_query *q, int sv, int k)
{
    return sg_printf(q->g, "s.%s", sg_ident(q->g, q->svc->keys[q->svc->views[sv].key_map[k]].name));
}

/* __fe<i>: the view's events with a key, each fast feature's input a<f> (null where the
 * feature's where rejects the row) and, for first/last, the row's place rk<f> in the
 * feature's order (ts, seq with nulls lowest, value) as a struct; null when a<f> is. */
static const char *events_cte(sg_query *q, int sv, fast_view *fv)
{
    sg_gen *g = q->g;
    const plan *p = g->p;
    const plan_view *v = &p->views[q->svc->views[sv].view];
    const plan_entity *ent = &p->entities[v->entity];
    const plan_source *src = &p->sources[v->source];
    strbuf b = STRBUF_INIT;
    strbuf_append(&b, "SELECT ");
    for (int k = 0; k < ent->nkeys; k++)
        strbuf_appendf(&b, "%s AS %s, ", sg_ident(g, sg_printf(g, "e_k%d", k)), sg_ident(g, sg_printf(g, "k%d", k)));
    strbuf_appendf(&b, "%s AS %s", sg_ident(g, "e_ts"), sg_ident(g, "t"));
    if (fv->ordered >= 0 && src->seq_field >= 0)
        strbuf_appendf(&b, ", %s AS %s", sg_ident(g, "e_sq"), sg_ident(g, "sq"));
    for (int f = 0; f < v->nfeatures; f++) {
        if (!fv->fast[f])
            continue;
        const plan_feature *ft = &v->features[f];
        const char *in = ft->input ? sg_ident(g, sg_printf(g, "e_i%d", f)) : "1";
        if (ft->filter)
            in = sg_printf(g, "CASE WHEN %s THEN %s END", sg_ident(g, sg_printf(g, "e_w%d", f)), in);
        strbuf_appendf(&b, ", %s AS %s", in, sg_ident(g, sg_printf(g, "a%d", f)));
        if ((ft->agg != PG_FIRST && ft->agg != PG_LAST) || f == fv->ordered)
            continue;
        /* the first/last order as one comparable value: structs compare field by field */
        const char *coll = ft->input_type == FT_STRING ? g->d->collate : "";
        strbuf_appendf(&b, ", CASE WHEN %s IS NOT NULL THEN struct_pack(t := %s", in, sg_ident(g, "e_ts"));
        if (src->seq_field >= 0)
            strbuf_appendf(&b, ", n := %s IS NOT NULL, s := COALESCE(%s, 0)", sg_ident(g, "e_sq"), sg_ident(g, "e_sq"));
        strbuf_appendf(&b, ", a := %s%s) END AS %s", in, coll, sg_ident(g, sg_printf(g, "rk%d", f)));
    }
    strbuf_appendf(&b, " FROM %s", sg_ident(g, q->view_rel[sv]));
    for (int k = 0; k < ent->nkeys; k++)
        strbuf_appendf(&b, "%s%s IS NOT NULL", k ? " AND " : " WHERE ", sg_ident(g, sg_printf(g, "e_k%d", k)));
    const char *name = sg_printf(g, "__fe%d", sv);
    sg_add_cte(g, name, strbuf_cstr(&b));
    strbuf_free(&b);
    return name;
}

/* __fu<i>, __fa<i>, __fp<i>: for each spine row r, q0 = the number of events and spine
 * rows up to and including it, and q<b+1> = the number of them before the start of window
 * bound b, all in the order (keys | t, c, r, j) where spine rows (c = 0, j = 0) and probes
 * (c = 0, j = b + 1, at the window's low time) come before events (c = 1) of equal time.
 * Returns the name of __fp<i> (columns pr, q0, q1, ...). */
static const char *probe_ctes(sg_query *q, int sv, fast_view *fv, const char *events, const char *spine)
{
    sg_gen *g = q->g;
    const plan *p = g->p;
    const plan_view *v = &p->views[q->svc->views[sv].view];
    const plan_entity *ent = &p->entities[v->entity];
    const char *keys = key_list(g, ent->nkeys);
    const char *ts = sg_printf(g, "s.%s", sg_ident(g, SQLGEN_TIME_COLUMN));
    strbuf b = STRBUF_INIT;
    strbuf_appendf(&b, "SELECT %s, %s, 1 AS %s, CAST(NULL AS BIGINT) AS %s, 0 AS %s FROM %s", keys, sg_ident(g, "t"),
                   sg_ident(g, "c"), sg_ident(g, "r"), sg_ident(g, "j"), sg_ident(g, events));
    for (int j = 0; j <= fv->nbounds; j++) {
        strbuf_append(&b, "\nUNION ALL SELECT ");
        for (int k = 0; k < ent->nkeys; k++)
            strbuf_appendf(&b, "%s, ", spine_key(q, sv, k));
        strbuf_appendf(&b, "%s, 0, s.%s, %d FROM %s AS s", j == 0 ? ts : low_text(g, ts, fv->size[j - 1], fv->hop[j - 1]),
                       sg_ident(g, SQLGEN_ROW_COLUMN), j, sg_table(g, spine));
    }
    const char *fu = sg_printf(g, "__fu%d", sv);
    sg_add_cte(g, fu, strbuf_cstr(&b));
    strbuf_free(&b);

    const char *running = sg_printf(g, "OVER (PARTITION BY %s ORDER BY %s, %s, %s, %s ROWS BETWEEN UNBOUNDED PRECEDING AND "
                                       "CURRENT ROW)",
                                    keys, sg_ident(g, "t"), sg_ident(g, "c"), sg_ident(g, "r"), sg_ident(g, "j"));
    strbuf_appendf(&b, "SELECT %s, %s, count(CASE WHEN %s = 0 THEN 1 END) %s AS %s", sg_ident(g, "r"), sg_ident(g, "j"),
                   sg_ident(g, "j"), running, sg_ident(g, "q"));
    if (fv->count_rows)
        strbuf_appendf(&b, ", count(CASE WHEN %s = 0 AND %s = 0 THEN 1 END) %s AS %s", sg_ident(g, "j"), sg_ident(g, "c"),
                       running, sg_ident(g, "sp"));
    strbuf_appendf(&b, " FROM %s QUALIFY %s = 0", sg_ident(g, fu), sg_ident(g, "c"));
    const char *fa = sg_printf(g, "__fa%d", sv);
    sg_add_cte(g, fa, strbuf_cstr(&b));
    strbuf_free(&b);

    strbuf_appendf(&b, "SELECT %s AS %s", sg_ident(g, "r"), sg_ident(g, "pr"));
    for (int j = 0; j <= fv->nbounds; j++) {
        strbuf_appendf(&b, ", max(CASE WHEN %s = %d THEN %s END) AS %s", sg_ident(g, "j"), j, sg_ident(g, "q"),
                       sg_ident(g, sg_printf(g, "q%d", j)));
        if (fv->count_rows)
            strbuf_appendf(&b, ", max(CASE WHEN %s = %d THEN %s END) AS %s", sg_ident(g, "j"), j, sg_ident(g, "sp"),
                           sg_ident(g, sg_printf(g, "s%d", j)));
    }
    strbuf_appendf(&b, " FROM %s GROUP BY %s", sg_ident(g, fa), sg_ident(g, "r"));
    const char *fp = sg_printf(g, "__fp%d", sv);
    sg_add_cte(g, fp, strbuf_cstr(&b));
    strbuf_free(&b);
    return fp;
}

/* The raw window aggregates of feature f over frame `over`; returns how many. */
static int feature_parts(sg_gen *g, const plan_feature *ft, int f, bool ordered, const char *over, const char **parts)
{
    const char *a = sg_ident(g, sg_printf(g, "a%d", f));
    const char *rk = sg_ident(g, sg_printf(g, "rk%d", f));
    const char *big = "18446744073709551616.0";
    const char *coll = ft->input_type == FT_STRING ? g->d->collate : "";
    switch (ft->agg) {
    case PG_COUNT_ROWS:
    case PG_COUNT: parts[0] = sg_printf(g, "count(%s) %s", a, over); return 1;
    case PG_COUNT_DISTINCT: parts[0] = sg_printf(g, "count(DISTINCT %s) %s", a, over); return 1;
    case PG_SUM:
    case PG_AVG: {
        int n;
        if (ft->input_type == FT_INT) {
            parts[0] = sg_printf(g, "sum(CAST(%s AS HUGEINT)) %s", a, over);
            n = 1;
        } else {
            /* the float sum of sqlgen_duckdb.c, split so each sum is one window aggregate */
            parts[0] = sg_printf(g, "sum(CASE WHEN abs(%s) >= %s THEN 0 ELSE CAST(trunc(%s) AS HUGEINT) END) %s", a, big, a,
                                 over);
            parts[1] = sg_printf(g, "sum(CASE WHEN abs(%s) >= %s THEN CAST(0 AS DOUBLE) ELSE %s - trunc(%s) END) %s", a,
                                 big, a, a, over);
            parts[2] = sg_printf(g, "sum(CASE WHEN abs(%s) >= %s THEN %s ELSE CAST(0 AS DOUBLE) END) %s", a, big, a, over);
            n = 3;
        }
        if (ft->agg == PG_AVG)
            parts[n++] = sg_printf(g, "count(%s) %s", a, over);
        return n;
    }
    case PG_MIN:
    case PG_MAX:
        parts[0] = sg_printf(g, "%s(%s%s) %s", ft->agg == PG_MIN ? "min" : "max", a, coll, over);
        return 1;
    case PG_FIRST:
    case PG_LAST: {
        const char *fn = ft->agg == PG_FIRST ? "arg_min" : "arg_max";
        if (ordered) /* the rows are in the feature's order: the nearest non-null value */
            parts[0] = sg_printf(g, "%s(%s IGNORE NULLS) %s", ft->agg == PG_FIRST ? "first_value" : "last_value", a, over);
        else
            parts[0] = sg_printf(g, "%s(%s, %s) %s", fn, a, rk, over);
        if (ft->ttl_us <= 0)
            return 1;
        parts[1] = sg_printf(g, "%s(CASE WHEN %s IS NOT NULL THEN %s END) %s", ft->agg == PG_FIRST ? "min" : "max", a,
                             sg_ident(g, "t"), over);
        return 2;
    }
    case PG_PERCENTILE:
    case PG_MEDIAN: /* the window's values; the rank is picked from them sorted */
        parts[0] = sg_printf(g, "list(%s) FILTER (WHERE %s IS NOT NULL) %s", a, a, over);
        return 1;
    case PG_VARIANCE:
    case PG_STDDEV: break;
    }
    assert(!"aggregation without a fast form");
    return 0;
}

/* __fw<i>: every fast feature's raw aggregates for each spine row, over the events and
 * the spine rows in the order (keys | t, c, r). */
static const char *window_cte(sg_query *q, int sv, fast_view *fv, const char *events, const char *pivot,
                              const char *spine)
{
    sg_gen *g = q->g;
    const plan *p = g->p;
    const plan_view *v = &p->views[q->svc->views[sv].view];
    const plan_entity *ent = &p->entities[v->entity];
    const char *keys = key_list(g, ent->nkeys);
    const plan_source *src = &p->sources[v->source];
    const char *order = sg_printf(g, "%s, %s, %s", sg_ident(g, "t"), sg_ident(g, "c"), sg_ident(g, "r"));
    if (fv->ordered >= 0) {
        /* events of equal time in the first/last order of that feature (ts, seq with nulls
         * lowest, value); frames end at spine rows, which sort before them, so no other
         * window changes */
        const plan_feature *ft = &v->features[fv->ordered];
        if (src->seq_field >= 0)
            order = sg_printf(g, "%s, %s NULLS FIRST", order, sg_ident(g, "sq"));
        order = sg_printf(g, "%s, %s%s", order, sg_ident(g, sg_printf(g, "a%d", fv->ordered)),
                          ft->input_type == FT_STRING ? g->d->collate : "");
    }
    const char *wr = sg_printf(g, "w%d", sv);

    /* the rows: events, then spine rows with their probe counts */
    strbuf ev = STRBUF_INIT, sp = STRBUF_INIT;
    strbuf_appendf(&ev, "SELECT %s, %s, 1 AS %s, CAST(NULL AS BIGINT) AS %s", keys, sg_ident(g, "t"), sg_ident(g, "c"),
                   sg_ident(g, "r"));
    strbuf_append(&sp, "SELECT ");
    for (int k = 0; k < ent->nkeys; k++)
        strbuf_appendf(&sp, "%s, ", spine_key(q, sv, k));
    strbuf_appendf(&sp, "s.%s, 0, s.%s", sg_ident(g, SQLGEN_TIME_COLUMN), sg_ident(g, SQLGEN_ROW_COLUMN));
    if (fv->ordered >= 0 && src->seq_field >= 0) {
        strbuf_appendf(&ev, ", %s", sg_ident(g, "sq"));
        strbuf_append(&sp, ", NULL");
    }
    for (int f = 0; f < v->nfeatures; f++) {
        if (!fv->fast[f])
            continue;
        const plan_feature *ft = &v->features[f];
        strbuf_appendf(&ev, ", %s", sg_ident(g, sg_printf(g, "a%d", f)));
        strbuf_append(&sp, ", NULL");
        if ((ft->agg == PG_FIRST || ft->agg == PG_LAST) && f != fv->ordered) {
            strbuf_appendf(&ev, ", %s", sg_ident(g, sg_printf(g, "rk%d", f)));
            strbuf_append(&sp, ", NULL");
        }
    }
    if (pivot)
        for (int j = 0; j <= fv->nbounds; j++)
            for (int k = 0; k < (fv->count_rows ? 2 : 1); k++) {
                const char *col = sg_ident(g, sg_printf(g, "%c%d", "qs"[k], j));
                strbuf_appendf(&ev, ", CAST(NULL AS BIGINT) AS %s", col);
                strbuf_appendf(&sp, ", p.%s", col);
            }
    strbuf_appendf(&ev, " FROM %s", sg_ident(g, events));
    strbuf_appendf(&sp, " FROM %s AS s", sg_table(g, spine));
    if (pivot)
        strbuf_appendf(&sp, " LEFT JOIN %s AS p ON p.%s = s.%s", sg_ident(g, pivot), sg_ident(g, "pr"),
                       sg_ident(g, SQLGEN_ROW_COLUMN));

    strbuf b = STRBUF_INIT;
    strbuf_appendf(&b, "SELECT %s AS %s", sg_ident(g, "r"), sg_ident(g, sg_printf(g, "zr%d", sv)));
    int nwindows = 0;
    for (int f = 0; f < v->nfeatures; f++) {
        if (!fv->fast[f])
            continue;
        const plan_feature *ft = &v->features[f];
        const char *start = "UNBOUNDED";
        if (fv->bound[f] >= 0)
            start = sg_printf(g, "COALESCE(%s - %s - 1, 0)", sg_ident(g, "q0"),
                              sg_ident(g, sg_printf(g, "q%d", fv->bound[f] + 1)));
        const char *over = sg_printf(g, "OVER (PARTITION BY %s ORDER BY %s ROWS BETWEEN %s PRECEDING AND 1 PRECEDING)",
                                     keys, order, start);
        const char *parts[FAST_MAX_PARTS];
        if (counted_by_position(fv, ft, f)) {
            /* the rows between the window's probe and the spine row, less the spine rows */
            const char *qb = sg_ident(g, sg_printf(g, "q%d", fv->bound[f] + 1));
            const char *sb = sg_ident(g, sg_printf(g, "s%d", fv->bound[f] + 1));
            parts[0] = sg_printf(g, "(%s - %s) - (%s - %s)", sg_ident(g, "q0"), qb, sg_ident(g, "s0"), sb);
            fv->nparts[f] = 1;
        } else {
            fv->nparts[f] = feature_parts(g, ft, f, f == fv->ordered, over, parts);
            nwindows++;
        }
        assert(fv->nparts[f] <= FAST_MAX_PARTS);
        for (int k = 0; k < fv->nparts[f]; k++) {
            const char *name = sg_ident(g, part_name(g, sv, f, k));
            strbuf_appendf(&b, ",\n  %s AS %s", parts[k], name);
            strbuf_appendf(&fv->cols, ", %s.%s AS %s", sg_ident(g, wr), name, name);
        }
    }
    /* QUALIFY needs a window function in the query; counts by position are plain columns */
    strbuf_appendf(&b, "\nFROM (%s\nUNION ALL %s) AS a\n%s %s = 0", strbuf_cstr(&ev), strbuf_cstr(&sp),
                   nwindows ? "QUALIFY" : "WHERE", sg_ident(g, "c"));
    strbuf_free(&ev);
    strbuf_free(&sp);
    const char *name = sg_printf(g, "__fw%d", sv);
    sg_add_cte(g, name, strbuf_cstr(&b));
    strbuf_free(&b);
    return name;
}

void sg_fast_build(sg_query *q, const char *spine)
{
    sg_gen *g = q->g;
    const plan *p = g->p;
    const plan_service *svc = q->svc;
    assert(g->d->id == DB_DUCKDB);
    struct sg_fast *fs = arena_alloc(&g->mem, sizeof *fs);
    fs->views = arena_alloc(&g->mem, sizeof(fast_view) * (size_t)(svc->nviews + 1));
    memset(fs->views, 0, sizeof(fast_view) * (size_t)(svc->nviews + 1));
    q->fast = fs;
    for (int sv = 0; sv < svc->nviews; sv++) {
        const plan_view *v = &p->views[svc->views[sv].view];
        fast_view *fv = &fs->views[sv];
        size_t nf = (size_t)v->nfeatures + 1;
        fv->fast = arena_alloc(&g->mem, sizeof(bool) * nf);
        fv->bound = arena_alloc(&g->mem, sizeof(int) * nf);
        fv->nparts = arena_alloc(&g->mem, sizeof(int) * nf);
        fv->size = arena_alloc(&g->mem, sizeof(int64_t) * nf);
        fv->hop = arena_alloc(&g->mem, sizeof(int64_t) * nf);
        int nfast = 0;
        fv->ordered = -1;
        for (int f = 0; f < v->nfeatures; f++) {
            const plan_feature *ft = &v->features[f];
            fv->fast[f] = svc->views[sv].feature_used[f] && fast_aggregation(ft);
            fv->bound[f] = -1;
            fv->nparts[f] = 0;
            if (!fv->fast[f])
                continue;
            nfast++;
            /* one lifetime first/last sets the order of equal times (its frame starts at the
             * partition's start, so the nearest non-null value is found at once) */
            if (ft->window.kind == PW_LIFETIME && fv->ordered < 0 && (ft->agg == PG_FIRST || ft->agg == PG_LAST))
                fv->ordered = f;
            if (ft->window.kind == PW_LIFETIME)
                continue;
            int64_t size = ft->window.size_us, hop = ft->window.kind == PW_HOP ? ft->window.hop_us : 0;
            int b = 0;
            while (b < fv->nbounds && !(fv->size[b] == size && fv->hop[b] == hop))
                b++;
            if (b == fv->nbounds) {
                fv->size[b] = size;
                fv->hop[b] = hop;
                fv->nbounds++;
            }
            fv->bound[f] = b;
            fv->count_rows |= counted_by_position(fv, ft, f);
        }
        if (nfast == 0)
            continue;
        const char *events = events_cte(q, sv, fv);
        const char *pivot = fv->nbounds > 0 ? probe_ctes(q, sv, fv, events, spine) : NULL;
        fv->rel = window_cte(q, sv, fv, events, pivot, spine);
    }
}

void sg_fast_join(sg_query *q, strbuf *select, strbuf *from)
{
    sg_gen *g = q->g;
    if (!q->fast)
        return;
    for (int sv = 0; sv < q->svc->nviews; sv++) {
        fast_view *fv = &q->fast->views[sv];
        if (!fv->rel)
            continue;
        strbuf_append(select, strbuf_cstr(&fv->cols));
        const char *wr = sg_ident(g, sg_printf(g, "w%d", sv));
        strbuf_appendf(from, " LEFT JOIN %s AS %s ON %s.%s = s.%s", sg_ident(g, fv->rel), wr, wr,
                       sg_ident(g, sg_printf(g, "zr%d", sv)), sg_ident(g, SQLGEN_ROW_COLUMN));
        strbuf_free(&fv->cols);
    }
}

sg_frag sg_feature_fast(sg_query *q, int sv, int f)
{
    sg_frag none = {0};
    if (!q->fast || !q->fast->views[sv].rel || !q->fast->views[sv].fast[f])
        return none;
    sg_gen *g = q->g;
    sg_scope *sc = &q->sc;
    const sg_dialect *d = g->d;
    const plan_feature *ft = &g->p->views[q->svc->views[sv].view].features[f];
    sg_frag part[FAST_MAX_PARTS];
    for (int k = 0; k < q->fast->views[sv].nparts[f]; k++)
        part[k] = sg_atom(sg_ident(g, part_name(g, sv, f, k)), 0);
    sg_frag value, chosen = none;
    switch (ft->agg) {
    case PG_COUNT_ROWS:
    case PG_COUNT:
    case PG_COUNT_DISTINCT:
    case PG_MIN:
    case PG_MAX: value = part[0]; break;
    case PG_SUM:
        if (ft->input_type == FT_INT)
            value = SG_T(sc, "CASE WHEN $1 BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST($1 AS BIGINT) END",
                         part[0]);
        else
            value = d->finite(sc, SG_T(sc, "((CAST($1 AS DOUBLE) + $2) + $3)", part[0], part[1], part[2]));
        break;
    case PG_AVG:
        if (ft->input_type == FT_INT)
            value = SG_T(sc, "(CAST($1 AS DOUBLE) / CAST($2 AS DOUBLE))", part[0], part[1]);
        else
            value = d->float_arith(sc, PA_DIV, SG_T(sc, "((CAST($1 AS DOUBLE) + $2) + $3)", part[0], part[1], part[2]),
                                   SG_T(sc, "CAST($1 AS DOUBLE)", part[3]));
        break;
    case PG_FIRST:
    case PG_LAST:
        value = part[0];
        if (ft->ttl_us > 0)
            chosen = part[1];
        break;
    case PG_PERCENTILE:
    case PG_MEDIAN: {
        sg_frag k = sg_atom(sg_pct_rank(g, sg_printf(g, "len(%s)", part[0].sql), ft->pct_p), 0);
        value = SG_T(sc, "CASE WHEN len($1) > 0 THEN list_sort($1)[$2] END", part[0], k);
        if (ft->input_type == FT_FLOAT) /* -0.0 is 0.0, as in the runtime */
            value = SG_T(sc, "CASE WHEN $1 = 0 THEN CAST(0 AS DOUBLE) ELSE $1 END", value);
        break;
    }
    default: return none;
    }
    return sg_feature_finish(q, ft, value, chosen);
}
