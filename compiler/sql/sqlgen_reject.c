/* sqlgen_reject.c - queries listing the events a source refuses: invalid rows, and ahead, late and duplicate events. */
#include "sqlgen_int.h"

#include "rt_reject.h"

#include <assert.h>
#include <stdio.h>

char *sqlgen_reject_query(const plan *p, int source, db_dialect d, const char *line_column, char *err, size_t errlen)
{
    assert(source >= 0 && source < p->nsources);
    sg_gen g;
    sg_gen_init(&g, p, d);
    const plan_source *src = &p->sources[source];
    const char *stem = "__r";
    sg_source_base(&g, src, stem, line_column, "line");
    sg_rel rel;
    sg_rel_init(&rel, &g, stem, "h");
    sg_scope sc = {.g = &g, .rel = &rel, .leaf = sg_source_leaf};
    strbuf reason = STRBUF_INIT;
    strbuf_append(&reason, "CASE");
    int nwhen = 0;
    for (int i = 0; i < src->nfields; i++)
        if (src->fields[i].not_null || i == src->time_field) {
            strbuf_appendf(&reason, " WHEN %s IS NULL THEN %d", sg_field_col(&g, i), -(i + 1));
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

char *sqlgen_arrival_query(const plan *p, int source, const sqlgen_options *o, char *err, size_t errlen)
{
    assert(source >= 0 && source < p->nsources);
    const plan_source *src = &p->sources[source];
    if (!sqlgen_arrival_applies(p, source, o)) {
        snprintf(err, errlen, "source '%s': no arrival rule can refuse its events", src->name);
        return NULL;
    }
    sg_gen g;
    sg_gen_init(&g, p, o->dialect);
    sg_gen_arrival(&g, o);
    sg_decided dc;
    sg_source_decide(&g, source, true, &dc);
    const char *line = sg_ident(&g, "a_o"), *t = sg_field_col(&g, src->time_field);
    const char *u = src->unique_field >= 0 ? sg_field_col(&g, src->unique_field) : NULL;
    const char *no_u = u ? sg_null(&g, src->fields[src->unique_field].type).sql : NULL;
    const char *no_bound = sg_null(&g, FT_INT).sql;
    strbuf q = STRBUF_INIT;
    strbuf_appendf(&q, "WITH %s\n", strbuf_cstr(&g.ctes));
    int branches = 0;
    if (dc.ahead) {
        strbuf_appendf(&q, "SELECT %s, %d, %s, %s%s%s FROM %s WHERE %s", line, (int)RT_REJECT_AHEAD, t,
                       sg_field_col(&g, src->arrival_field), u ? ", " : "", u ? no_u : "", sg_ident(&g, dc.valid),
                       dc.ahead);
        branches++;
    }
    if (dc.late || dc.dup) {
        const char *kind = !dc.dup    ? sg_printf(&g, "%d", (int)RT_REJECT_LATE)
                           : !dc.late ? sg_printf(&g, "%d", (int)RT_REJECT_DUPLICATE)
                                      : sg_printf(&g, "CASE WHEN %s THEN %d ELSE %d END", dc.late,
                                                  (int)RT_REJECT_LATE, (int)RT_REJECT_DUPLICATE);
        const char *cond = !dc.dup ? dc.late : !dc.late ? dc.dup : sg_printf(&g, "(%s OR %s)", dc.late, dc.dup);
        strbuf_appendf(&q, "%sSELECT %s, %s, %s, %s%s%s FROM %s WHERE %s", branches ? "\nUNION ALL\n" : "", line, kind,
                       t, dc.late ? dc.bound : no_bound, u ? ", " : "", u ? u : "", sg_ident(&g, dc.decided), cond);
        branches++;
    }
    assert(branches > 0);
    strbuf_append(&q, "\nORDER BY 1\n");
    char *out = NULL;
    if (g.failed)
        snprintf(err, errlen, "%s", g.err);
    else
        out = strbuf_detach(&q);
    strbuf_free(&q);
    sg_gen_free(&g);
    return out;
}
