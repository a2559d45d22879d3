/* sqlgen_query.c - assembles a service's backfill query: views, spine, features, on_demand, output. */
#include "sqlgen_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int service_view_of(const plan_service *svc, int view)
{
    for (int i = 0; i < svc->nviews; i++)
        if (svc->views[i].view == view)
            return i;
    return -1;
}

static sg_frag spine_leaf(sg_scope *sc, const plan_expr *x)
{
    sg_query *q = sc->ctx;
    switch (x->kind) {
    case PX_REQUEST: return q->req[x->index];
    case PX_NOW: return q->t;
    case PX_FEATURE: {
        int sv = service_view_of(q->svc, x->view);
        assert(sv >= 0 && q->feat[sv][x->index].sql);
        return q->feat[sv][x->index];
    }
    case PX_OD_FEATURE:
        assert(q->od_done[x->block][x->index]);
        return q->od[x->block][x->index];
    default: break;
    }
    assert(!"unexpected leaf in an on_demand expression");
    return sg_null(q->g, x->type);
}

/* A table name the query's own CTEs (all named "__...") could shadow. */
static bool reserved_table(const char *name)
{
    const char *dot = strrchr(name, '.');
    return strncmp(name, "__", 2) == 0 && !dot;
}

static bool check_names(sg_gen *g, const plan_service *svc, const char *spine)
{
    const plan *p = g->p;
    if (reserved_table(spine)) {
        sg_fail(g, "the spine table name '%s' is reserved: names beginning with '__' belong to the query's own parts",
                spine);
        return false;
    }
    for (int i = 0; i < svc->nviews; i++) {
        const plan_source *src = &p->sources[p->views[svc->views[i].view].source];
        if (reserved_table(src->sql_table)) {
            sg_fail(g,
                    "source '%s': table name '%s' is reserved: names beginning with '__' belong to the query's own parts",
                    src->name, src->sql_table);
            return false;
        }
    }
    /* the spine's columns: keys, request fields that are not keys, ts, _row */
    int cap = 2 + svc->nkeys + (svc->request_source >= 0 ? p->sources[svc->request_source].nfields : 0);
    const char **names = arena_alloc(&g->mem, sizeof(char *) * (size_t)cap);
    int n = 0;
    names[n++] = SQLGEN_TIME_COLUMN;
    names[n++] = SQLGEN_ROW_COLUMN;
    for (int k = 0; k < svc->nkeys; k++)
        names[n++] = svc->keys[k].name;
    if (svc->request_source >= 0) {
        const plan_source *rq = &p->sources[svc->request_source];
        for (int i = 0; i < rq->nfields; i++) {
            bool is_key = false;
            for (int k = 0; k < svc->nkeys; k++)
                is_key |= svc->key_request_field[k] == i;
            if (!is_key)
                names[n++] = rq->fields[i].name;
        }
    }
    for (int i = 2; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcasecmp(names[i], names[j]) == 0) {
                sg_fail(g, "service '%s': spine column '%s' clashes with %s", svc->name, names[i],
                        j < 2 ? "a column every spine has" : "another spine column");
                return false;
            }
    return true;
}

/* "__s_0": the spine's columns under internal names r, t, k<j>, q<i>. */
static void spine_base(sg_query *q, const char *spine)
{
    sg_gen *g = q->g;
    const plan *p = g->p;
    const plan_service *svc = q->svc;
    strbuf b = STRBUF_INIT;
    strbuf_appendf(&b, "SELECT s.%s AS %s, s.%s AS %s", sg_ident(g, SQLGEN_ROW_COLUMN), sg_ident(g, "r"),
                   sg_ident(g, SQLGEN_TIME_COLUMN), sg_ident(g, "t"));
    q->row = sg_atom(sg_ident(g, "r"), 0);
    q->t = sg_atom(sg_ident(g, "t"), 0);
    q->keys = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)(svc->nkeys + 1));
    for (int k = 0; k < svc->nkeys; k++) {
        const char *id = sg_ident(g, sg_printf(g, "k%d", k));
        strbuf_appendf(&b, ", s.%s AS %s", sg_ident(g, svc->keys[k].name), id);
        q->keys[k] = sg_atom(id, 0);
    }
    if (svc->request_source >= 0) {
        const plan_source *rq = &p->sources[svc->request_source];
        q->req = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)(rq->nfields + 1));
        for (int i = 0; i < rq->nfields; i++) {
            int key = -1;
            for (int k = 0; k < svc->nkeys; k++)
                if (svc->key_request_field[k] == i)
                    key = k;
            if (key >= 0) {
                q->req[i] = q->keys[key];
                continue;
            }
            const char *id = sg_ident(g, sg_printf(g, "q%d", i));
            strbuf_appendf(&b, ", s.%s AS %s", sg_ident(g, rq->fields[i].name), id);
            q->req[i] = sg_atom(id, 0);
        }
    }
    strbuf from = STRBUF_INIT;
    strbuf_appendf(&from, " FROM %s AS s", sg_table(g, spine));
    sg_fast_join(q, &b, &from);
    sg_win_join(q, &b, &from);
    strbuf_append(&b, strbuf_cstr(&from));
    sg_add_cte(g, "__s_0", strbuf_cstr(&b));
    strbuf_free(&b);
    strbuf_free(&from);
}

char *sqlgen_query(const plan *p, const plan_service *svc, const sqlgen_options *o, char *err, size_t errlen)
{
    sg_gen g;
    sg_gen_init(&g, p, o->dialect);
    sg_gen_arrival(&g, o);
    sqlgen_shape shape = o->shape;
    if (shape == SQLGEN_AUTO)
        shape = SQLGEN_FAST;
    const char *spine = o->spine_table ? o->spine_table : "spine";
    char *out = NULL;
    if (g.failed || !check_names(&g, svc, spine))
        goto done;

    sg_query q = {.g = &g, .svc = svc};
    q.view_rel = arena_alloc(&g.mem, sizeof(char *) * (size_t)(svc->nviews + 1));
    q.feat = arena_alloc(&g.mem, sizeof(sg_frag *) * (size_t)(svc->nviews + 1));
    for (int i = 0; i < svc->nviews; i++) {
        const plan_view *v = &p->views[svc->views[i].view];
        q.view_rel[i] = sg_view_cte(&g, v, svc->views[i].feature_used, sg_printf(&g, "__v%d", i));
        q.feat[i] = arena_alloc(&g.mem, sizeof(sg_frag) * (size_t)(v->nfeatures + 1));
    }
    q.od = arena_alloc(&g.mem, sizeof(sg_frag *) * (size_t)(p->nblocks + 1));
    q.od_done = arena_alloc(&g.mem, sizeof(bool *) * (size_t)(p->nblocks + 1));
    for (int b = 0; b < p->nblocks; b++) {
        q.od[b] = arena_alloc(&g.mem, sizeof(sg_frag) * (size_t)(p->blocks[b].nfeatures + 1));
        q.od_done[b] = arena_alloc(&g.mem, sizeof(bool) * (size_t)(p->blocks[b].nfeatures + 1));
    }
    if (shape == SQLGEN_FAST && o->dialect == DB_DUCKDB)
        sg_fast_build(&q, spine);
    else if (shape == SQLGEN_FAST)
        sg_win_build(&q, spine);
    spine_base(&q, spine);
    sg_rel_init(&q.rel, &g, "__s", "h");
    q.sc = (sg_scope){.g = &g, .rel = &q.rel, .leaf = spine_leaf, .ctx = &q};

    for (int i = 0; i < svc->nviews; i++) {
        const plan_view *v = &p->views[svc->views[i].view];
        for (int f = 0; f < v->nfeatures; f++) {
            if (!svc->views[i].feature_used[f])
                continue;
            sg_frag val = {0};
            if (q.fast)
                val = sg_feature_fast(&q, i, f);
            else if (q.win)
                val = sg_feature_window(&q, i, f);
            if (!val.sql)
                val = sg_feature_simple(&q, i, f);
            q.feat[i][f] = sg_rel_column(&q.rel, val, sg_printf(&g, "f%d_%d", i, f));
        }
    }
    for (int k = 0; k < svc->nblocks; k++) {
        int b = svc->blocks[k];
        const plan_on_demand *od = &p->blocks[b];
        for (int f = 0; f < od->nfeatures; f++) {
            sg_frag val = sg_expr(&q.sc, od->features[f].value);
            q.od[b][f] = sg_rel_column(&q.rel, val, sg_printf(&g, "o%d_%d", b, f));
            q.od_done[b][f] = true;
        }
    }
    const char *last = sg_rel_finish(&q.rel);
    if (g.failed)
        goto done;

    strbuf s = STRBUF_INIT;
    strbuf_appendf(&s, "WITH %s\nSELECT ", strbuf_cstr(&g.ctes));
    if (o->spine_columns)
        strbuf_append(&s, "s.*");
    else
        strbuf_appendf(&s, "c.%s", q.row.sql);
    for (int i = 0; i < svc->noutputs; i++) {
        const plan_output *po = &svc->outputs[i];
        sg_frag v = po->kind == PO_VIEW_FEATURE ? q.feat[service_view_of(svc, po->owner)][po->feature]
                                                : q.od[po->owner][po->feature];
        assert(v.sql && v.atomic);
        strbuf_appendf(&s, ",\n  c.%s AS %s", v.sql, sg_ident(&g, po->column));
    }
    if (o->spine_columns)
        strbuf_appendf(&s, "\nFROM %s AS s LEFT JOIN %s AS c ON c.%s = s.%s\nORDER BY s.%s", sg_table(&g, spine),
                       sg_ident(&g, last), q.row.sql, sg_ident(&g, SQLGEN_ROW_COLUMN), sg_ident(&g, SQLGEN_ROW_COLUMN));
    else
        strbuf_appendf(&s, "\nFROM %s AS c\nORDER BY c.%s", sg_ident(&g, last), q.row.sql);
    strbuf_append(&s, "\n");
    out = strbuf_detach(&s);

done:
    if (!out)
        snprintf(err, errlen, "%s", g.failed ? g.err : "cannot generate SQL");
    sg_gen_free(&g);
    return out;
}
