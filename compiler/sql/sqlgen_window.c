/* sqlgen_window.c - the window shape for SQLite and PostgreSQL: constant RANGE frames over events and spine rows, hop windows as tiles. */
#include "sqlgen_int.h"

#include <assert.h>
#include <string.h>

/*
 * The shape, per service view i (docs/sql.md has the long form). SQLite and PostgreSQL
 * accept only constant frame offsets, so the window bounds are written as RANGE offsets on
 * the time column (both engines compare `t - D` exactly, also where it leaves int64):
 *
 *   __wu<i>  the view's events with a key (c = 1; each windowed feature's input a<f>, null
 *            where the feature's where rejects the row) and the spine rows (c = 0, r = the
 *            spine's _row, null inputs); per hop size H, the tile index i<b> = floor(t / H).
 *   __wg<i>  (when some feature is `last`) per last feature, g<f>: the number of non-null
 *            inputs up to each row in the feature's order (t, c, seq, value).
 *   __ww<i>  per spine row: sliding windows as RANGE BETWEEN D PRECEDING AND 1 PRECEDING
 *            (e.ts in [t - D, t)), lifetime as RANGE BETWEEN UNBOUNDED PRECEDING AND 1
 *            PRECEDING, the partial tile [floor(t/H)*H, t) of a hop window as a ROWS frame
 *            partitioned by tile (spine rows sort before events of the same time), `last` as
 *            the first row of its g<f> group, lifetime `first` as the key's first input.
 *   __wt<i>_<b>  per hop bound b (D, H): the events pre-aggregated per (key, tile), then a
 *            RANGE frame of D/H tiles ending one tile before the spine row's tile.
 *   __wz<i>_<b>  per split bound b (D; sliding min/max, PostgreSQL float sums): the part of
 *            the window in the block before the spine row's (blocks of D), as a probe row
 *            at t - D; __ww<i> has the part in the spine row's own block (split_frame).
 *
 * A hop window [floor((t - D)/H)*H, t) is the whole tiles floor(t/H) - D/H .. floor(t/H) - 1
 * plus the partial tile; tile indexes never overflow. Each aggregate is split into parts
 * that combine by addition, min or max, and the spine relation joins the CTEs on r and
 * puts the parts together with the same arithmetic as the simple shape's aggregates.
 */

enum { WIN_MAX_PARTS = SG_SUM_MAX_PARTS + 2 };

typedef enum win_combine { WC_COUNT, WC_SUM, WC_MIN, WC_MAX } win_combine;

/* One window aggregate fn(x) of a feature's parts. */
typedef struct win_part {
    const char *fn; /* count, sum, total, min, max */
    const char *x;  /* its argument, over the rows of __wu */
    win_combine cmb;
} win_part;

typedef enum win_kind { WK_NONE, WK_AGG, WK_LAST, WK_FIRST } win_kind;

typedef struct win_view {
    win_kind *kind;     /* per feature */
    int *hop;           /* per feature: its hop bound, -1 when not a hop window */
    int *split;         /* per feature: its split bound, -1 when its frame is one RANGE frame */
    int *nparts;        /* per feature (WK_AGG) */
    win_part (*parts)[WIN_MAX_PARTS];
    int nhops;
    int64_t *hsize, *hhop; /* per hop bound */
    int nsplits;
    int64_t *ssize; /* per split bound: the window size D, also the block size */
    strbuf cols;           /* ", w.<col> AS <col>" for the spine base */
    strbuf joins;          /* " LEFT JOIN ... ON ..." for the spine base */
} win_view;

struct sg_win {
    win_view *views; /* per service view */
};

static const char *id(sg_gen *g, const char *name) { return sg_ident(g, name); }
static const char *idf(sg_gen *g, const char *fmt, int a) { return sg_ident(g, sg_printf(g, fmt, a)); }

/* The window form of feature ft, or WK_NONE when it keeps the simple shape: count_distinct
 * (no DISTINCT in window aggregates), variance/stddev (their two-pass formula), percentile
 * and median (no ordered-set aggregate is a window function here), `first`
 * over a bounded window, hop windows whose size is not a multiple of the hop, and on
 * SQLite min/max over a hop window: SQLite 3.40's min() and max() over a RANGE frame
 * whose start moves return wrong values on long partitions (seen: 3.52 where the 531 rows
 * of the frame have a minimum of 1.0; the same rows as a ROWS frame give 1.0), and the
 * whole tiles of a hop window are such a frame. Sliding min/max are split (split_frame). */
static win_kind window_kind(db_dialect d, const plan_feature *ft)
{
    if ((ft->agg == PG_MIN || ft->agg == PG_MAX) && d == DB_SQLITE && ft->window.kind == PW_HOP)
        return WK_NONE;
    if (ft->window.kind == PW_HOP &&
        (ft->window.hop_us <= 0 || ft->window.size_us <= 0 || ft->window.size_us % ft->window.hop_us != 0))
        return WK_NONE;
    switch (ft->agg) {
    case PG_COUNT_ROWS:
    case PG_COUNT:
    case PG_SUM:
    case PG_AVG:
    case PG_MIN:
    case PG_MAX: return WK_AGG;
    case PG_LAST: return WK_LAST;
    case PG_FIRST: return ft->window.kind == PW_LIFETIME ? WK_FIRST : WK_NONE;
    case PG_COUNT_DISTINCT:
    case PG_VARIANCE:
    case PG_STDDEV:
    case PG_PERCENTILE:
    case PG_MEDIAN: return WK_NONE;
    }
    return WK_NONE;
}

/* Whether sliding feature ft is computed as two frames that only grow (split_frame below)
 * rather than one RANGE frame whose start moves: min and max (no engine can take a row back
 * out of them, so PostgreSQL recomputes each moving frame from scratch, and SQLite 3.40
 * gets them wrong, see window_kind), and on PostgreSQL float sums, whose double parts have
 * no inverse either. Counts and integer sums keep the RANGE frame: both engines slide it. */
static bool split_frame(db_dialect d, const plan_feature *ft)
{
    if (ft->window.kind != PW_SLIDING)
        return false;
    if (ft->agg == PG_MIN || ft->agg == PG_MAX)
        return true;
    return d == DB_POSTGRES && (ft->agg == PG_SUM || ft->agg == PG_AVG) && ft->input_type == FT_FLOAT;
}

/* "k0, k1, ..." */
static const char *key_list(sg_gen *g, int nkeys)
{
    strbuf b = STRBUF_INIT;
    for (int k = 0; k < nkeys; k++)
        strbuf_appendf(&b, "%s%s", k ? ", " : "", idf(g, "k%d", k));
    const char *s = sg_printf(g, "%s", strbuf_cstr(&b));
    strbuf_free(&b);
    return s;
}

/* The parts of an aggregate over input column a (text), as the dialect's simple-shape
 * aggregate splits it (sqlgen_sqlite.c / sqlgen_postgres.c); returns how many. */
static int agg_parts(sg_gen *g, const plan_feature *ft, const char *a, win_part *p)
{
    bool pg = g->d->id == DB_POSTGRES;
    const char *coll = ft->input_type == FT_STRING ? g->d->collate : "";
    int n = 0;
    switch (ft->agg) {
    case PG_COUNT_ROWS:
    case PG_COUNT: p[n++] = (win_part){"count", a, WC_COUNT}; return n;
    case PG_MIN:
    case PG_MAX:
        p[n++] = (win_part){ft->agg == PG_MIN ? "min" : "max", sg_printf(g, "%s%s", a, coll),
                            ft->agg == PG_MIN ? WC_MIN : WC_MAX};
        return n;
    case PG_SUM:
    case PG_AVG:
        if (ft->input_type == FT_INT) {
            if (pg) {
                p[n++] = (win_part){"sum", a, WC_SUM};
            } else {
                p[n++] = (win_part){"sum", sg_printf(g, "(%s >> 32)", a), WC_SUM};
                p[n++] = (win_part){"sum", sg_printf(g, "(%s & 4294967295)", a), WC_SUM};
            }
        } else {
            sg_sum_parts sp;
            g->d->sum_float_parts(g, a, &sp);
            for (int k = 0; k < sp.n; k++)
                p[n++] = (win_part){sp.fn[k], sp.arg[k], WC_SUM};
        }
        if (ft->agg == PG_AVG)
            p[n++] = (win_part){"count", a, WC_COUNT};
        return n;
    default: break;
    }
    assert(!"aggregation without a window form");
    return 0;
}

/* The ordering of first/last after the time: seq (nulls lowest) when the source has one,
 * then the value. */
static const char *value_order(sg_gen *g, const plan_view *v, const plan_feature *ft, const char *a)
{
    const char *coll = ft->input_type == FT_STRING ? g->d->collate : "";
    if (g->p->sources[v->source].seq_field >= 0)
        return sg_printf(g, "(%s IS NOT NULL), %s, %s%s", id(g, "sq"), id(g, "sq"), a, coll);
    return sg_printf(g, "%s%s", a, coll);
}

/* Appends column name = floor(time / size) to the event select ev and the spine select sp
 * of __wu (hop tiles, split blocks). */
static void block_index(sg_gen *g, strbuf *ev, strbuf *sp, int64_t size, const char *name)
{
    sg_scope inl = {.g = g, .rel = NULL};
    strbuf_appendf(ev, ", %s AS %s", sg_floor_div(&inl, sg_atom(id(g, "e_ts"), 0), size).sql, name);
    strbuf_appendf(sp, ", %s", sg_floor_div(&inl, sg_atom(sg_printf(g, "s.%s", id(g, SQLGEN_TIME_COLUMN)), 0), size).sql);
}

/* __wu<i>: the events with a key and the spine rows, one relation. */
static const char *union_cte(sg_query *q, int sv, win_view *wv, const char *spine)
{
    sg_gen *g = q->g;
    const plan *p = g->p;
    const plan_view *v = &p->views[q->svc->views[sv].view];
    const plan_entity *ent = &p->entities[v->entity];
    bool seq = p->sources[v->source].seq_field >= 0;
    strbuf ev = STRBUF_INIT, sp = STRBUF_INIT;
    strbuf_append(&ev, "SELECT ");
    strbuf_append(&sp, "SELECT ");
    for (int k = 0; k < ent->nkeys; k++) {
        strbuf_appendf(&ev, "%s AS %s, ", idf(g, "e_k%d", k), idf(g, "k%d", k));
        strbuf_appendf(&sp, "s.%s, ", id(g, q->svc->keys[q->svc->views[sv].key_map[k]].name));
    }
    strbuf_appendf(&ev, "%s AS %s, 1 AS %s, CAST(NULL AS %s) AS %s", id(g, "e_ts"), id(g, "t"), id(g, "c"),
                   g->d->type_int, id(g, "r"));
    strbuf_appendf(&sp, "s.%s, 0, s.%s", id(g, SQLGEN_TIME_COLUMN), id(g, SQLGEN_ROW_COLUMN));
    if (seq) {
        strbuf_appendf(&ev, ", %s AS %s", id(g, "e_sq"), id(g, "sq"));
        strbuf_append(&sp, ", NULL");
    }
    for (int b = 0; b < wv->nhops; b++)
        block_index(g, &ev, &sp, wv->hhop[b], idf(g, "i%d", b));
    for (int b = 0; b < wv->nsplits; b++)
        block_index(g, &ev, &sp, wv->ssize[b], idf(g, "j%d", b));
    for (int f = 0; f < v->nfeatures; f++) {
        if (wv->kind[f] == WK_NONE)
            continue;
        const plan_feature *ft = &v->features[f];
        const char *in = ft->input ? idf(g, "e_i%d", f) : "1";
        if (ft->filter)
            in = sg_printf(g, "CASE WHEN %s THEN %s END", idf(g, "e_w%d", f), in);
        strbuf_appendf(&ev, ", %s AS %s", in, idf(g, "a%d", f));
        strbuf_append(&sp, ", NULL");
    }
    strbuf_appendf(&ev, " FROM %s", id(g, q->view_rel[sv]));
    for (int k = 0; k < ent->nkeys; k++)
        strbuf_appendf(&ev, "%s%s IS NOT NULL", k ? " AND " : " WHERE ", idf(g, "e_k%d", k));
    strbuf_appendf(&sp, " FROM %s AS s", sg_table(g, spine));
    const char *name = sg_printf(g, "__wu%d", sv);
    sg_add_cte(g, name, sg_printf(g, "%s\nUNION ALL %s", strbuf_cstr(&ev), strbuf_cstr(&sp)));
    strbuf_free(&ev);
    strbuf_free(&sp);
    return name;
}

/* __wg<i>: __wu<i> with g<f> for every `last` feature f; NULL when there is none. */
static const char *group_cte(sg_query *q, int sv, win_view *wv, const char *rows)
{
    sg_gen *g = q->g;
    const plan_view *v = &g->p->views[q->svc->views[sv].view];
    const char *keys = key_list(g, g->p->entities[v->entity].nkeys);
    strbuf b = STRBUF_INIT;
    for (int f = 0; f < v->nfeatures; f++) {
        if (wv->kind[f] != WK_LAST)
            continue;
        const char *a = idf(g, "a%d", f);
        strbuf_appendf(&b,
                       ", count(%s) OVER (PARTITION BY %s ORDER BY %s, %s, %s ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT "
                       "ROW) AS %s",
                       a, keys, id(g, "t"), id(g, "c"), value_order(g, v, &v->features[f], a), idf(g, "g%d", f));
    }
    if (!b.len) {
        strbuf_free(&b);
        return NULL;
    }
    const char *name = sg_printf(g, "__wg%d", sv);
    sg_add_cte(g, name, sg_printf(g, "SELECT *%s FROM %s", strbuf_cstr(&b), id(g, rows)));
    strbuf_free(&b);
    return name;
}

/* Adds column `name` of CTE alias `alias` to the spine base's select list and to outs,
 * the list of the CTE's output columns. */
static void add_col(sg_gen *g, win_view *wv, const char *alias, const char *name, ptrvec *outs)
{
    strbuf_appendf(&wv->cols, ", %s.%s AS %s", id(g, alias), id(g, name), id(g, name));
    ptrvec_push(&g->mem, outs, (void *)id(g, name));
}

/* Adds CTE `name`: the spine rows of window query `body` (those with a row key zr; events
 * have none), one per zr, and its join to the spine base. The filter is `zr IS NOT NULL`
 * rather than `c = 0` because planners guess that most rows pass it: PostgreSQL, guessing
 * few spine rows, may otherwise pick a nested-loop join. On SQLite the rows are also
 * grouped by zr (each group is one row, so max() keeps its values): the planner then
 * indexes the CTE for the join, where with a chain of window sorts it may estimate few
 * rows and scan it once per spine row. */
static void add_window_cte(sg_gen *g, win_view *wv, const char *name, const char *alias, const char *zr,
                           const char *body, const ptrvec *outs)
{
    if (g->d->id == DB_POSTGRES) {
        sg_add_cte(g, name, sg_printf(g, "SELECT * FROM (%s) AS w WHERE %s IS NOT NULL", body, id(g, zr)));
    } else {
        strbuf b = STRBUF_INIT;
        strbuf_appendf(&b, "SELECT %s", id(g, zr));
        for (int k = 0; k < outs->len; k++)
            strbuf_appendf(&b, ", max(%s) AS %s", (const char *)outs->items[k], (const char *)outs->items[k]);
        strbuf_appendf(&b, " FROM (%s) AS w WHERE %s IS NOT NULL GROUP BY %s", body, id(g, zr), id(g, zr));
        sg_add_cte(g, name, strbuf_cstr(&b));
        strbuf_free(&b);
    }
    strbuf_appendf(&wv->joins, " LEFT JOIN %s AS %s ON %s.%s = s.%s", id(g, name), id(g, alias), id(g, alias), id(g, zr),
                   id(g, SQLGEN_ROW_COLUMN));
}

/* __ww<i>: sliding, lifetime and partial-tile aggregates, last and first, per spine row. */
static void main_cte(sg_query *q, int sv, win_view *wv, const char *rows)
{
    sg_gen *g = q->g;
    const plan_view *v = &g->p->views[q->svc->views[sv].view];
    const char *keys = key_list(g, g->p->entities[v->entity].nkeys);
    const char *t = id(g, "t"), *c = id(g, "c");
    const char *alias = sg_printf(g, "w%d", sv);
    strbuf b = STRBUF_INIT;
    ptrvec outs = {0};
    strbuf_appendf(&b, "SELECT %s, %s AS %s", c, id(g, "r"), idf(g, "zr%d", sv));
    int n = 0;
    for (int f = 0; f < v->nfeatures; f++) {
        const plan_feature *ft = &v->features[f];
        const char *a = idf(g, "a%d", f);
        const char *name0 = sg_printf(g, "y%d_%d_0", sv, f), *name1 = sg_printf(g, "y%d_%d_1", sv, f);
        const char *tv = sg_printf(g, "CASE WHEN %s IS NOT NULL THEN %s END", a, t);
        switch (wv->kind[f]) {
        case WK_NONE: continue;
        case WK_LAST: {
            const char *over = sg_printf(g,
                                         "OVER (PARTITION BY %s, %s ORDER BY %s, %s, %s ROWS BETWEEN UNBOUNDED PRECEDING "
                                         "AND CURRENT ROW)",
                                         keys, idf(g, "g%d", f), t, c, value_order(g, v, ft, a));
            strbuf_appendf(&b, ",\n  first_value(%s) %s AS %s, first_value(%s) %s AS %s", a, over, id(g, name0), tv, over,
                           id(g, name1));
            add_col(g, wv, alias, name0, &outs);
            add_col(g, wv, alias, name1, &outs);
            n++;
            continue;
        }
        case WK_FIRST: {
            const char *over = sg_printf(g,
                                         "OVER (PARTITION BY %s ORDER BY CASE WHEN %s IS NULL THEN 1 ELSE 0 END, %s, %s "
                                         "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
                                         keys, a, t, value_order(g, v, ft, a));
            strbuf_appendf(&b, ",\n  first_value(%s) %s AS %s, first_value(%s) %s AS %s", a, over, id(g, name0), tv, over,
                           id(g, name1));
            add_col(g, wv, alias, name0, &outs);
            add_col(g, wv, alias, name1, &outs);
            n++;
            continue;
        }
        case WK_AGG: break;
        }
        /* a hop tile or a split block: the rows of the spine row's own block before it */
        const char *block = wv->split[f] >= 0 ? idf(g, "j%d", wv->split[f])
                            : wv->hop[f] >= 0 ? idf(g, "i%d", wv->hop[f])
                                              : NULL;
        const char *over;
        if (ft->window.kind == PW_LIFETIME)
            over = sg_printf(g, "OVER (PARTITION BY %s ORDER BY %s RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)", keys,
                             t);
        else if (block)
            over = sg_printf(g,
                             "OVER (PARTITION BY %s, %s ORDER BY %s, %s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)",
                             keys, block, t, c);
        else
            over = sg_printf(g, "OVER (PARTITION BY %s ORDER BY %s RANGE BETWEEN %s PRECEDING AND 1 PRECEDING)", keys, t,
                             sg_lit_int(g, ft->window.size_us).sql);
        for (int k = 0; k < wv->nparts[f]; k++) {
            const win_part *pt = &wv->parts[f][k];
            const char *name = sg_printf(g, "y%d_%d_%d", sv, f, k);
            strbuf_appendf(&b, ",\n  %s(%s) %s AS %s", pt->fn, pt->x, over, id(g, name));
            add_col(g, wv, alias, name, &outs);
        }
        n++;
    }
    assert(n > 0);
    strbuf_appendf(&b, "\nFROM %s", id(g, rows));
    add_window_cte(g, wv, sg_printf(g, "__ww%d", sv), alias, sg_printf(g, "zr%d", sv), strbuf_cstr(&b), &outs);
    strbuf_free(&b);
}

/* __wt<i>_<b>: the whole tiles of hop bound hb per spine row. */
static void tile_cte(sg_query *q, int sv, win_view *wv, int hb, const char *rows)
{
    sg_gen *g = q->g;
    const plan_view *v = &g->p->views[q->svc->views[sv].view];
    int nkeys = g->p->entities[v->entity].nkeys;
    const char *keys = key_list(g, nkeys);
    const char *i = id(g, "i"), *c = id(g, "c"), *r = id(g, "r");
    const char *alias = sg_printf(g, "x%d_%d", sv, hb);
    const char *zr = sg_printf(g, "zt%d_%d", sv, hb);
    strbuf ev = STRBUF_INIT, sp = STRBUF_INIT, b = STRBUF_INIT;
    ptrvec outs = {0};
    strbuf_appendf(&ev, "SELECT %s, %s AS %s, 1 AS %s, CAST(NULL AS %s) AS %s", keys, idf(g, "i%d", hb), i, c,
                   g->d->type_int, r);
    strbuf_appendf(&sp, "SELECT %s, %s, 0, %s", keys, idf(g, "i%d", hb), r);
    strbuf_appendf(&b, "SELECT %s, %s AS %s", c, r, id(g, zr));
    const char *over = sg_printf(g, "OVER (PARTITION BY %s ORDER BY %s RANGE BETWEEN %s PRECEDING AND 1 PRECEDING)", keys,
                                 i, sg_lit_int(g, wv->hsize[hb] / wv->hhop[hb]).sql);
    for (int f = 0; f < v->nfeatures; f++) {
        if (wv->kind[f] != WK_AGG || wv->hop[f] != hb)
            continue;
        for (int k = 0; k < wv->nparts[f]; k++) {
            const win_part *pt = &wv->parts[f][k];
            const char *tp = id(g, sg_printf(g, "p%d_%d", f, k));
            const char *name = sg_printf(g, "x%d_%d_%d", sv, f, k);
            strbuf_appendf(&ev, ", %s(%s) AS %s", pt->fn, pt->x, tp);
            strbuf_append(&sp, ", NULL");
            const char *fn = pt->cmb == WC_COUNT ? "sum" : pt->fn;
            strbuf_appendf(&b, ",\n  %s(%s) %s AS %s", fn, tp, over, id(g, name));
            add_col(g, wv, alias, name, &outs);
        }
    }
    strbuf_appendf(&ev, " FROM %s WHERE %s = 1 GROUP BY %s, %s", id(g, rows), c, keys, idf(g, "i%d", hb));
    strbuf_appendf(&sp, " FROM %s WHERE %s IS NOT NULL", id(g, rows), r);
    strbuf_appendf(&b, "\nFROM (%s\nUNION ALL %s) AS u", strbuf_cstr(&ev), strbuf_cstr(&sp));
    add_window_cte(g, wv, sg_printf(g, "__wt%d_%d", sv, hb), alias, zr, strbuf_cstr(&b), &outs);
    strbuf_free(&ev);
    strbuf_free(&sp);
    strbuf_free(&b);
}

/* __wz<i>_<b>: per spine row at time t, the part [low, end of low's block) of the sliding
 * window of split bound b, where low = t - D (saturated at INT64_MIN) and blocks are
 * floor(ts / D). A probe row at time low in low's block, with the events of that block in
 * descending time and events before the probe at equal times, sees exactly the block's
 * events at or after low in a frame that only grows. low's block is the one before t's
 * (t's block holds the rest of the window, main_cte's prefix frame), except where low
 * saturated into t's own block: then the prefix frame is the whole window and there is no
 * probe (the join gives nulls). */
static void suffix_cte(sg_query *q, int sv, win_view *wv, int sb, const char *rows)
{
    sg_gen *g = q->g;
    const plan_view *v = &g->p->views[q->svc->views[sv].view];
    const char *keys = key_list(g, g->p->entities[v->entity].nkeys);
    const char *t = id(g, "t"), *c = id(g, "c"), *r = id(g, "r"), *j = id(g, "j");
    const char *lw = id(g, "lw"), *jl = id(g, "jl"), *jt = id(g, "jt");
    const char *alias = sg_printf(g, "z%d_%d", sv, sb);
    const char *zr = sg_printf(g, "zs%d_%d", sv, sb);
    int64_t size = wv->ssize[sb];
    sg_scope inl = {.g = g, .rel = NULL};
    strbuf ev = STRBUF_INIT, pr = STRBUF_INIT, b = STRBUF_INIT;
    ptrvec outs = {0};
    strbuf_appendf(&ev, "SELECT %s, %s, %s AS %s, 1 AS %s, CAST(NULL AS %s) AS %s", keys, t, idf(g, "j%d", sb), j, c,
                   g->d->type_int, r);
    strbuf_appendf(&pr, "SELECT %s, %s, %s, 0, %s", keys, lw, jl, r);
    strbuf_appendf(&b, "SELECT %s, %s AS %s", c, r, id(g, zr));
    const char *over = sg_printf(g,
                                 "OVER (PARTITION BY %s, %s ORDER BY %s DESC, %s DESC ROWS BETWEEN UNBOUNDED PRECEDING "
                                 "AND 1 PRECEDING)",
                                 keys, j, t, c);
    for (int f = 0; f < v->nfeatures; f++) {
        if (wv->kind[f] != WK_AGG || wv->split[f] != sb)
            continue;
        const char *a = idf(g, "a%d", f);
        strbuf_appendf(&ev, ", %s", a);
        strbuf_append(&pr, ", NULL");
        for (int k = 0; k < wv->nparts[f]; k++) {
            const win_part *pt = &wv->parts[f][k];
            const char *name = sg_printf(g, "z%d_%d_%d", sv, f, k);
            strbuf_appendf(&b, ",\n  %s(%s) %s AS %s", pt->fn, pt->x, over, id(g, name));
            add_col(g, wv, alias, name, &outs);
        }
    }
    const char *low = sg_low_expr(&inl, sg_atom(t, 0), size, 0).sql;
    strbuf_appendf(&ev, " FROM %s WHERE %s = 1", id(g, rows), c);
    strbuf_appendf(&pr,
                   " FROM (SELECT %s, %s, %s AS %s, %s, %s FROM (SELECT %s, %s AS %s, %s AS %s, %s FROM %s WHERE %s IS NOT "
                   "NULL) AS p0) AS p1 WHERE %s < %s",
                   keys, lw, sg_floor_div(&inl, sg_atom(lw, 0), size).sql, jl, jt, r, keys, low, lw,
                   idf(g, "j%d", sb), jt, r, id(g, rows), r, jl, jt);
    strbuf_appendf(&b, "\nFROM (%s\nUNION ALL %s) AS u", strbuf_cstr(&ev), strbuf_cstr(&pr));
    add_window_cte(g, wv, sg_printf(g, "__wz%d_%d", sv, sb), alias, zr, strbuf_cstr(&b), &outs);
    strbuf_free(&ev);
    strbuf_free(&pr);
    strbuf_free(&b);
}

void sg_win_build(sg_query *q, const char *spine)
{
    sg_gen *g = q->g;
    const plan *p = g->p;
    const plan_service *svc = q->svc;
    assert(g->d->id == DB_SQLITE || g->d->id == DB_POSTGRES);
    struct sg_win *w = arena_alloc(&g->mem, sizeof *w);
    w->views = arena_alloc(&g->mem, sizeof(win_view) * (size_t)(svc->nviews + 1));
    memset(w->views, 0, sizeof(win_view) * (size_t)(svc->nviews + 1));
    q->win = w;
    for (int sv = 0; sv < svc->nviews; sv++) {
        const plan_view *v = &p->views[svc->views[sv].view];
        win_view *wv = &w->views[sv];
        size_t nf = (size_t)v->nfeatures + 1;
        wv->kind = arena_alloc(&g->mem, sizeof(win_kind) * nf);
        wv->hop = arena_alloc(&g->mem, sizeof(int) * nf);
        wv->split = arena_alloc(&g->mem, sizeof(int) * nf);
        wv->ssize = arena_alloc(&g->mem, sizeof(int64_t) * nf);
        wv->nparts = arena_alloc(&g->mem, sizeof(int) * nf);
        wv->parts = arena_alloc(&g->mem, sizeof(win_part[WIN_MAX_PARTS]) * nf);
        wv->hsize = arena_alloc(&g->mem, sizeof(int64_t) * nf);
        wv->hhop = arena_alloc(&g->mem, sizeof(int64_t) * nf);
        int nwin = 0;
        for (int f = 0; f < v->nfeatures; f++) {
            const plan_feature *ft = &v->features[f];
            wv->kind[f] = svc->views[sv].feature_used[f] ? window_kind(g->d->id, ft) : WK_NONE;
            wv->hop[f] = -1;
            wv->split[f] = -1;
            wv->nparts[f] = 0;
            if (wv->kind[f] == WK_NONE)
                continue;
            nwin++;
            if (wv->kind[f] == WK_AGG)
                wv->nparts[f] = agg_parts(g, ft, idf(g, "a%d", f), wv->parts[f]);
            assert(wv->nparts[f] <= WIN_MAX_PARTS);
            if (wv->kind[f] == WK_AGG && split_frame(g->d->id, ft)) {
                int b = 0;
                while (b < wv->nsplits && wv->ssize[b] != ft->window.size_us)
                    b++;
                if (b == wv->nsplits)
                    wv->ssize[wv->nsplits++] = ft->window.size_us;
                wv->split[f] = b;
                continue;
            }
            if (wv->kind[f] != WK_AGG || ft->window.kind != PW_HOP)
                continue;
            int b = 0;
            while (b < wv->nhops && !(wv->hsize[b] == ft->window.size_us && wv->hhop[b] == ft->window.hop_us))
                b++;
            if (b == wv->nhops) {
                wv->hsize[b] = ft->window.size_us;
                wv->hhop[b] = ft->window.hop_us;
                wv->nhops++;
            }
            wv->hop[f] = b;
        }
        if (nwin == 0)
            continue;
        const char *rows = union_cte(q, sv, wv, spine);
        const char *grouped = group_cte(q, sv, wv, rows);
        main_cte(q, sv, wv, grouped ? grouped : rows);
        for (int b = 0; b < wv->nhops; b++)
            tile_cte(q, sv, wv, b, rows);
        for (int b = 0; b < wv->nsplits; b++)
            suffix_cte(q, sv, wv, b, rows);
    }
}

void sg_win_join(sg_query *q, strbuf *select, strbuf *from)
{
    if (!q->win)
        return;
    for (int sv = 0; sv < q->svc->nviews; sv++) {
        win_view *wv = &q->win->views[sv];
        strbuf_append(select, strbuf_cstr(&wv->cols));
        strbuf_append(from, strbuf_cstr(&wv->joins));
        strbuf_free(&wv->cols);
        strbuf_free(&wv->joins);
    }
}

/* Part k of feature f: the frame's value, plus the whole tiles' for a hop window or the
 * earlier block's for a split sliding window. */
static sg_frag part_value(sg_query *q, int sv, int f, int k)
{
    sg_gen *g = q->g;
    sg_scope *sc = &q->sc;
    win_view *wv = &q->win->views[sv];
    const plan_feature *ft = &g->p->views[q->svc->views[sv].view].features[f];
    sg_frag y = sg_atom(id(g, sg_printf(g, "y%d_%d_%d", sv, f, k)), 0);
    if (wv->hop[f] < 0 && wv->split[f] < 0)
        return y;
    sg_frag x = sg_atom(id(g, sg_printf(g, wv->hop[f] >= 0 ? "x%d_%d_%d" : "z%d_%d_%d", sv, f, k)), 0);
    const char *coll = ft->input_type == FT_STRING ? g->d->collate : "";
    switch (wv->parts[f][k].cmb) {
    case WC_COUNT: return SG_T(sc, "(COALESCE($1, 0) + $2)", x, y);
    case WC_SUM: return SG_T(sc, "CASE WHEN $1 IS NULL THEN $2 WHEN $2 IS NULL THEN $1 ELSE $1 + $2 END", x, y);
    case WC_MIN:
    case WC_MAX: {
        const char *tpl = sg_printf(g, "CASE WHEN $1 IS NULL THEN $2 WHEN $2 IS NULL THEN $1 WHEN $2%s %s $1%s THEN $2 ELSE "
                                       "$1 END",
                                    coll, wv->parts[f][k].cmb == WC_MIN ? "<" : ">", coll);
        return SG_T(sc, tpl, x, y);
    }
    }
    assert(!"unknown combination");
    return y;
}

/* The float sum from its parts pt[0..] as the dialect's agg_sum_float adds them (not
 * yet checked for inf or NaN); *n is set to the number of parts used. */
static sg_frag float_sum(sg_query *q, const sg_frag *pt, int *n)
{
    sg_gen *g = q->g;
    sg_sum_parts sp;
    g->d->sum_float_parts(g, "x", &sp);
    *n = sp.n;
    return sg_tpl(&q->sc, sp.combine, sp.n, pt);
}

sg_frag sg_feature_window(sg_query *q, int sv, int f)
{
    sg_frag none = {0};
    if (!q->win || q->win->views[sv].kind[f] == WK_NONE)
        return none;
    sg_gen *g = q->g;
    sg_scope *sc = &q->sc;
    const sg_dialect *d = g->d;
    win_view *wv = &q->win->views[sv];
    const plan_feature *ft = &g->p->views[q->svc->views[sv].view].features[f];
    bool pg = d->id == DB_POSTGRES;
    if (wv->kind[f] == WK_LAST || wv->kind[f] == WK_FIRST) {
        sg_frag val = sg_atom(id(g, sg_printf(g, "y%d_%d_0", sv, f)), 0);
        sg_frag ts = sg_atom(id(g, sg_printf(g, "y%d_%d_1", sv, f)), 0);
        if (wv->kind[f] == WK_FIRST) {
            val = SG_T(sc, "CASE WHEN $1 < $2 THEN $3 END", ts, q->t, val);
        } else if (ft->window.kind != PW_LIFETIME) {
            sg_frag low = sg_window_low(q, ft->window.size_us, ft->window.kind == PW_HOP ? ft->window.hop_us : 0);
            val = SG_T(sc, "CASE WHEN $1 >= $2 THEN $3 END", ts, low, val);
        }
        return sg_feature_finish(q, ft, val, ts);
    }
    sg_frag pt[WIN_MAX_PARTS];
    for (int k = 0; k < wv->nparts[f]; k++)
        pt[k] = sg_hoist(sc, part_value(q, sv, f, k));
    sg_frag value;
    int n = 0;
    switch (ft->agg) {
    case PG_COUNT_ROWS:
    case PG_COUNT:
    case PG_MIN:
    case PG_MAX: value = pt[0]; break;
    case PG_SUM:
        if (ft->input_type == FT_FLOAT)
            value = d->finite(sc, float_sum(q, pt, &n));
        else if (pg)
            value = SG_T(sc, "CASE WHEN $1 BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST($1 AS bigint) END",
                         pt[0]);
        else
            value = SG_T(sc,
                         "CASE WHEN $1 + ($2 >> 32) BETWEEN -2147483648 AND 2147483647 "
                         "THEN ($1 + ($2 >> 32)) * 4294967296 + ($2 & 4294967295) END",
                         pt[0], pt[1]);
        break;
    case PG_AVG:
        if (ft->input_type == FT_FLOAT) {
            sg_frag sum = float_sum(q, pt, &n);
            value = d->float_arith(sc, PA_DIV, sum, SG_T(sc, sg_printf(g, "CAST($1 AS %s)", d->type_float), pt[n]));
        }
        else if (pg)
            value = SG_T(sc, "(CAST($1 AS double precision) / CAST($2 AS double precision))", pt[0], pt[1]);
        else
            value = SG_T(sc, "((CAST($1 AS REAL) * 4294967296.0 + CAST($2 AS REAL)) / CAST($3 AS REAL))", pt[0], pt[1],
                         pt[2]);
        break;
    default: assert(!"aggregation without a window form"); return none;
    }
    return sg_feature_finish(q, ft, value, none);
}
