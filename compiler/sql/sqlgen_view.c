/* sqlgen_view.c - a feature view's rows as a CTE: valid source rows, where, lets, inputs, filters. */
#include "sqlgen_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Leaf context over a source's (and a view's) row columns: fields are c<i>, lets l<j>. */
typedef struct row_ctx {
    const plan_source *src;
    const plan_view *v; /* NULL for a bare source (reject query) */
    sg_frag *lets;      /* memoized let columns, NULL until computed */
    bool *let_done;
} row_ctx;

static sg_frag row_leaf(sg_scope *sc, const plan_expr *x)
{
    row_ctx *rc = sc->ctx;
    assert(x->kind == PX_COLUMN);
    int nf = rc->src->nfields;
    if (x->index < nf)
        return sg_atom(sg_ident(sc->g, sg_printf(sc->g, "c%d", x->index)), 0);
    int j = x->index - nf;
    assert(rc->v && j < rc->v->nlets);
    if (!rc->let_done[j]) {
        sg_frag f = sg_expr(sc, rc->v->lets[j].value);
        rc->lets[j] = sg_rel_column(sc->rel, f, sg_printf(sc->g, "l%d", j));
        rc->let_done[j] = true;
    }
    return rc->lets[j];
}

/* STEM_0: every field of the source renamed c0, c1, ... (user names appear only here). */
static void source_base(sg_gen *g, const plan_source *src, const char *stem, const char *extra_col, const char *extra_as)
{
    strbuf b = STRBUF_INIT;
    strbuf_append(&b, "SELECT ");
    for (int i = 0; i < src->nfields; i++) {
        strbuf_appendf(&b, "%s%s AS %s", i ? ", " : "", sg_ident(g, src->fields[i].name),
                       sg_ident(g, sg_printf(g, "c%d", i)));
    }
    if (extra_col)
        strbuf_appendf(&b, ", %s AS %s", sg_ident(g, extra_col), sg_ident(g, extra_as));
    strbuf_appendf(&b, " FROM %s", sg_table(g, src->sql_table));
    sg_add_cte(g, sg_printf(g, "%s_0", stem), strbuf_cstr(&b));
    strbuf_free(&b);
}

/* The condition that keeps a source row as the reader would: required fields present and
 * no expect rule false. */
static sg_frag source_valid(sg_scope *sc, const plan_source *src)
{
    sg_gen *g = sc->g;
    int n = 0;
    sg_frag *parts = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)(src->nfields + src->nexpects + 1));
    for (int i = 0; i < src->nfields; i++)
        if (src->fields[i].not_null || i == src->time_field)
            parts[n++] = SG_T(sc, "$1 IS NOT NULL", sg_atom(sg_ident(g, sg_printf(g, "c%d", i)), 0));
    for (int k = 0; k < src->nexpects; k++)
        parts[n++] = SG_T(sc, "($1) IS NOT FALSE", sg_expr(sc, src->expects[k].cond));
    if (n == 0)
        return g->d->lit_bool(g, true);
    sg_frag acc = parts[0];
    for (int i = 1; i < n; i++)
        acc = SG_T(sc, "$1 AND $2", acc, parts[i]);
    return acc;
}

const char *sg_view_cte(sg_gen *g, const plan_view *v, const bool *used, const char *stem)
{
    const plan *p = g->p;
    const plan_source *src = &p->sources[v->source];
    const plan_entity *ent = &p->entities[v->entity];
    source_base(g, src, stem, NULL, NULL);
    sg_rel rel;
    sg_rel_init(&rel, g, stem, "h");
    row_ctx rc = {.src = src, .v = v};
    rc.lets = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)(v->nlets + 1));
    rc.let_done = arena_alloc(&g->mem, sizeof(bool) * (size_t)(v->nlets + 1));
    sg_scope sc = {.g = g, .rel = &rel, .leaf = row_leaf, .ctx = &rc};

    sg_frag keep = source_valid(&sc, src);
    if (v->where)
        keep = SG_T(&sc, "$1 AND ($2) IS TRUE", keep, sg_expr(&sc, v->where));
    strbuf cols = STRBUF_INIT;
    sg_frag k = sg_rel_column(&rel, keep, "e_ok");
    (void)k;
    for (int i = 0; i < ent->nkeys; i++)
        strbuf_appendf(&cols, "%s AS %s, ", sg_ident(g, sg_printf(g, "c%d", v->key_columns[i])),
                       sg_ident(g, sg_printf(g, "e_k%d", i)));
    strbuf_appendf(&cols, "%s AS %s", sg_ident(g, sg_printf(g, "c%d", src->time_field)), sg_ident(g, "e_ts"));
    if (src->seq_field >= 0)
        strbuf_appendf(&cols, ", %s AS %s", sg_ident(g, sg_printf(g, "c%d", src->seq_field)), sg_ident(g, "e_sq"));
    for (int f = 0; f < v->nfeatures; f++) {
        if (!used[f])
            continue;
        const plan_feature *ft = &v->features[f];
        if (ft->input) {
            const char *name = sg_printf(g, "e_i%d", f);
            sg_rel_column(&rel, sg_expr(&sc, ft->input), name);
            strbuf_appendf(&cols, ", %s", sg_ident(g, name));
        }
        if (ft->filter) {
            const char *name = sg_printf(g, "e_w%d", f);
            sg_rel_column(&rel, SG_T(&sc, "($1) IS TRUE", sg_expr(&sc, ft->filter)), name);
            strbuf_appendf(&cols, ", %s", sg_ident(g, name));
        }
    }
    const char *last = sg_rel_finish(&rel);
    sg_add_cte(g, stem, sg_printf(g, "SELECT %s FROM %s WHERE %s", strbuf_cstr(&cols), sg_ident(g, last), sg_ident(g, "e_ok")));
    strbuf_free(&cols);
    return stem;
}

char *sqlgen_reject_query(const plan *p, int source, db_dialect d, const char *line_column, char *err, size_t errlen)
{
    assert(source >= 0 && source < p->nsources);
    sg_gen g;
    sg_gen_init(&g, p, d);
    const plan_source *src = &p->sources[source];
    const char *stem = "__r";
    source_base(&g, src, stem, line_column, "line");
    sg_rel rel;
    sg_rel_init(&rel, &g, stem, "h");
    row_ctx rc = {.src = src};
    sg_scope sc = {.g = &g, .rel = &rel, .leaf = row_leaf, .ctx = &rc};
    strbuf reason = STRBUF_INIT;
    strbuf_append(&reason, "CASE");
    int nwhen = 0;
    for (int i = 0; i < src->nfields; i++)
        if (src->fields[i].not_null || i == src->time_field) {
            strbuf_appendf(&reason, " WHEN %s IS NULL THEN %d", sg_ident(&g, sg_printf(&g, "c%d", i)), -(i + 1));
            nwhen++;
        }
    for (int k = 0; k < src->nexpects; k++) {
        sg_frag c = sg_hoist(&sc, SG_T(&sc, "($1) IS FALSE", sg_expr(&sc, src->expects[k].cond)));
        strbuf_appendf(&reason, " WHEN %s THEN %d", c.sql, k);
        nwhen++;
    }
    strbuf_append(&reason, " END");
    const char *last = sg_rel_finish(&rel);
    char *out = NULL;
    if (!g.failed) {
        strbuf q = STRBUF_INIT;
        strbuf_appendf(&q, "WITH %s\nSELECT %s AS %s, %s AS %s FROM (SELECT %s AS %s, %s AS %s FROM %s) AS x "
                           "WHERE %s IS NOT NULL ORDER BY %s",
                       strbuf_cstr(&g.ctes), sg_ident(&g, "line"), sg_ident(&g, "line"), sg_ident(&g, "reason"),
                       sg_ident(&g, "reason"), sg_ident(&g, "line"), sg_ident(&g, "line"),
                       nwhen ? strbuf_cstr(&reason) : "NULL", sg_ident(&g, "reason"), sg_ident(&g, last),
                       sg_ident(&g, "reason"), sg_ident(&g, "line"));
        out = strbuf_detach(&q);
    } else {
        snprintf(err, errlen, "%s", g.err);
    }
    strbuf_free(&reason);
    sg_gen_free(&g);
    return out;
}
