/* sqlgen_view.c - a feature view's rows as a CTE: the source's accepted events, where, lets, inputs, filters. */
#include "sqlgen_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Leaf context over a source's (and a view's) row columns: fields are c<i>, lets l<j>. */
typedef struct row_ctx {
    const plan_source *src;
    const plan_view *v;
    sg_frag *lets;      /* memoized let columns, NULL until computed */
    bool *let_done;
} row_ctx;

static sg_frag row_leaf(sg_scope *sc, const plan_expr *x)
{
    row_ctx *rc = sc->ctx;
    assert(x->kind == PX_COLUMN);
    int nf = rc->src->nfields;
    if (x->index < nf)
        return sg_atom(sg_field_col(sc->g, x->index), 0);
    int j = x->index - nf;
    assert(j < rc->v->nlets);
    if (!rc->let_done[j]) {
        sg_frag f = sg_expr(sc, rc->v->lets[j].value);
        rc->lets[j] = sg_rel_column(sc->rel, f, sg_printf(sc->g, "l%d", j));
        rc->let_done[j] = true;
    }
    return rc->lets[j];
}

const char *sg_view_cte(sg_gen *g, const plan_view *v, const bool *used, const char *stem)
{
    const plan *p = g->p;
    const plan_source *src = &p->sources[v->source];
    const plan_entity *ent = &p->entities[v->entity];
    sg_rel rel;
    sg_rel_init_on(&rel, g, stem, "h", sg_source_cte(g, v->source));
    row_ctx rc = {.src = src, .v = v};
    rc.lets = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)(v->nlets + 1));
    rc.let_done = arena_alloc(&g->mem, sizeof(bool) * (size_t)(v->nlets + 1));
    sg_scope sc = {.g = g, .rel = &rel, .leaf = row_leaf, .ctx = &rc};

    if (v->where)
        sg_rel_column(&rel, SG_T(&sc, "($1) IS TRUE", sg_expr(&sc, v->where)), "e_ok");
    strbuf cols = STRBUF_INIT;
    for (int i = 0; i < ent->nkeys; i++) {
        /* a field, or a derived key: its let's column (a row whose key is null is left out
         * by every shape, as no spine key equals null) */
        plan_expr col = {.kind = PX_COLUMN, .index = v->key_columns[i], .type = ent->keys[i].type};
        strbuf_appendf(&cols, "%s AS %s, ", row_leaf(&sc, &col).sql, sg_ident(g, sg_printf(g, "e_k%d", i)));
    }
    strbuf_appendf(&cols, "%s AS %s", sg_field_col(g, src->time_field), sg_ident(g, "e_ts"));
    if (src->seq_field >= 0)
        strbuf_appendf(&cols, ", %s AS %s", sg_field_col(g, src->seq_field), sg_ident(g, "e_sq"));
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
    sg_add_cte(g, stem, sg_printf(g, "SELECT %s FROM %s%s%s", strbuf_cstr(&cols), sg_ident(g, last),
                                  v->where ? " WHERE " : "", v->where ? sg_ident(g, "e_ok") : ""));
    strbuf_free(&cols);
    return stem;
}
