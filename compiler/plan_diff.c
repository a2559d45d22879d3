/* plan_diff.c - what a change to a feature file does, by meaning: two checked plans compared object by object. */
#include "plan_diff.h"

#include "strbuf.h"
#include "symtab.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *pdiff_kind_name(pdiff_kind k)
{
    static const char *const n[] = {"added", "removed", "changed"};
    return n[k];
}

const char *pdiff_object_name(pdiff_object o)
{
    static const char *const n[] = {"source", "entity", "view", "feature", "on_demand", "service", "output"};
    return n[o];
}

/* ---- readable and exact renderings ---- */

/* A duration the way .feat files write it (largest unit that divides it). */
static void put_duration(strbuf *b, int64_t us)
{
    static const struct {
        int64_t us;
        const char *unit;
    } units[] = {{INT64_C(604800000000), "w"}, {INT64_C(86400000000), "d"}, {INT64_C(3600000000), "h"},
                 {INT64_C(60000000), "m"},     {INT64_C(1000000), "s"},     {INT64_C(1000), "ms"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (us != 0 && us % units[i].us == 0) {
            strbuf_appendf(b, "%" PRId64 "%s", us / units[i].us, units[i].unit);
            return;
        }
    strbuf_appendf(b, "%" PRId64 "us", us);
}

static void put_value(strbuf *b, const plan_value *v)
{
    if (v->is_null || v->type == FT_NULL) {
        strbuf_append(b, "null");
        return;
    }
    switch (v->type) {
    case FT_BOOL: strbuf_append(b, v->b ? "true" : "false"); break;
    case FT_INT: strbuf_appendf(b, "%" PRId64, v->i); break;
    case FT_FLOAT: strbuf_appendf(b, "%.17g", v->f); break;
    case FT_TIMESTAMP: strbuf_appendf(b, "%" PRId64 "us", v->i); break;
    case FT_DURATION: put_duration(b, v->i); break;
    case FT_STRING:
        strbuf_append_char(b, '\'');
        for (size_t i = 0; i < v->s_len; i++) {
            if (v->s[i] == '\'')
                strbuf_append_char(b, '\'');
            strbuf_append_char(b, v->s[i]);
        }
        strbuf_append_char(b, '\'');
        break;
    default: strbuf_append(b, "?"); break;
    }
}

/* Where an expression's names come from: a view's row (lets are inlined), a source's row,
 * or an on_demand block. exact adds the types of operators and conversions, so that two
 * renderings are equal exactly when the expressions mean the same. */
typedef struct rctx {
    const plan *p;
    const plan_view *view;     /* row columns of this view, or */
    const plan_source *source; /* of this source */
    const plan_on_demand *od;
    bool exact;
} rctx;

static void put_expr(const rctx *c, strbuf *b, const plan_expr *x);

static void put_arg(const rctx *c, strbuf *b, const plan_expr *x)
{
    bool paren = x->kind == PX_ARITH || x->kind == PX_COMPARE || x->kind == PX_AND || x->kind == PX_OR ||
                 x->kind == PX_CONCAT || x->kind == PX_TS_ADD || x->kind == PX_TS_SUB;
    if (paren)
        strbuf_append_char(b, '(');
    put_expr(c, b, x);
    if (paren)
        strbuf_append_char(b, ')');
}

static void put_infix(const rctx *c, strbuf *b, const plan_expr *x, const char *op)
{
    put_arg(c, b, x->args[0]);
    strbuf_appendf(b, " %s", op);
    if (c->exact && (x->kind == PX_ARITH || x->kind == PX_COMPARE))
        strbuf_appendf(b, ":%s", ftype_name(x->operand_type));
    strbuf_append_char(b, ' ');
    put_arg(c, b, x->args[1]);
}

static void put_expr(const rctx *c, strbuf *b, const plan_expr *x)
{
    static const char *const arith[] = {"+", "-", "*", "/", "%"};
    static const char *const cmp[] = {"=", "!=", "<", "<=", ">", ">="};
    switch (x->kind) {
    case PX_CONST: put_value(b, &x->value); break;
    case PX_COLUMN:
        if (c->view) {
            const plan_source *src = &c->p->sources[c->view->source];
            if (x->index < src->nfields) {
                strbuf_append(b, src->fields[x->index].name);
                if (c->exact)
                    strbuf_appendf(b, ":%s", ftype_name(src->fields[x->index].type));
            } else {
                strbuf_append_char(b, '(');
                put_expr(c, b, c->view->lets[x->index - src->nfields].value);
                strbuf_append_char(b, ')');
            }
        } else {
            assert(c->source && x->index < c->source->nfields);
            strbuf_append(b, c->source->fields[x->index].name);
            if (c->exact)
                strbuf_appendf(b, ":%s", ftype_name(c->source->fields[x->index].type));
        }
        break;
    case PX_REQUEST: {
        const plan_source *rq = c->od && c->od->request_source >= 0 ? &c->p->sources[c->od->request_source] : NULL;
        if (rq && x->index < rq->nfields)
            strbuf_appendf(b, "%s.%s", rq->name, rq->fields[x->index].name);
        else
            strbuf_appendf(b, "request.%d", x->index);
        if (c->exact && rq && x->index < rq->nfields)
            strbuf_appendf(b, ":%s", ftype_name(rq->fields[x->index].type));
        break;
    }
    case PX_FEATURE:
        strbuf_appendf(b, "%s.%s", c->p->views[x->view].name, c->p->views[x->view].features[x->index].name);
        break;
    case PX_OD_FEATURE:
        strbuf_appendf(b, "%s.%s", c->p->blocks[x->block].name, c->p->blocks[x->block].features[x->index].name);
        break;
    case PX_NOW: strbuf_append(b, "now()"); break;
    case PX_TO_FLOAT:
        if (c->exact)
            strbuf_append(b, "float(");
        put_expr(c, b, x->args[0]);
        if (c->exact)
            strbuf_append_char(b, ')');
        break;
    case PX_NEG:
        strbuf_append_char(b, '-');
        put_arg(c, b, x->args[0]);
        break;
    case PX_NOT:
        strbuf_append(b, "not ");
        put_arg(c, b, x->args[0]);
        break;
    case PX_AND: put_infix(c, b, x, "and"); break;
    case PX_OR: put_infix(c, b, x, "or"); break;
    case PX_ARITH: put_infix(c, b, x, arith[x->arith]); break;
    case PX_TS_ADD: put_infix(c, b, x, "+"); break;
    case PX_TS_SUB: put_infix(c, b, x, "-"); break;
    case PX_CONCAT: put_infix(c, b, x, "||"); break;
    case PX_COMPARE: put_infix(c, b, x, cmp[x->cmp]); break;
    case PX_IS_NULL:
        put_arg(c, b, x->args[0]);
        strbuf_append(b, x->negated ? " is not null" : " is null");
        break;
    case PX_IN:
        put_arg(c, b, x->args[0]);
        strbuf_append(b, x->negated ? " not in (" : " in (");
        for (int i = 1; i < x->nargs; i++) {
            if (i > 1)
                strbuf_append(b, ", ");
            put_expr(c, b, x->args[i]);
        }
        strbuf_append_char(b, ')');
        break;
    case PX_CASE: {
        strbuf_append(b, "case");
        int pairs = (x->nargs - (x->has_else ? 1 : 0)) / 2;
        for (int i = 0; i < pairs; i++) {
            strbuf_append(b, " when ");
            put_expr(c, b, x->args[2 * i]);
            strbuf_append(b, " then ");
            put_expr(c, b, x->args[2 * i + 1]);
        }
        if (x->has_else) {
            strbuf_append(b, " else ");
            put_expr(c, b, x->args[x->nargs - 1]);
        }
        strbuf_append(b, " end");
        break;
    }
    case PX_CALL:
        strbuf_appendf(b, "%s(", plan_fn_name(x->fn));
        for (int i = 0; i < x->nargs; i++) {
            if (i)
                strbuf_append(b, ", ");
            put_expr(c, b, x->args[i]);
        }
        strbuf_append_char(b, ')');
        break;
    }
    if (c->exact && x->kind != PX_COLUMN && x->kind != PX_REQUEST)
        strbuf_appendf(b, ":%s", ftype_name(x->type));
}

static const char *render(arena *mem, const rctx *c, const plan_expr *x)
{
    if (!x)
        return "none";
    strbuf b = STRBUF_INIT;
    put_expr(c, &b, x);
    const char *s = arena_strdup(mem, b.data ? b.data : "");
    strbuf_free(&b);
    return s;
}

/* ---- what a feature means ---- */

enum {
    A_AGG,
    A_INPUT,
    A_TYPE,
    A_WINDOW,
    A_FILTER,
    A_VIEW_FILTER,
    A_KEY,
    A_SOURCE,
    A_REQUIRED,
    A_TTL,
    A_DEFAULT,
    NATTRS
};

static const char *const attr_names[NATTRS] = {"aggregation",     "input",       "type",   "window",
                                               "filter",          "view filter", "key",    "source",
                                               "required fields", "ttl",         "default"};
/* whether a change of the attribute invalidates kept state (ttl and default apply at read) */
static const bool attr_state[NATTRS] = {true, true, true, true, true, true, true, true, true, false, false};

/* The parts of a source's event rules, each readable ("lateness 30s") and exact. */
enum { R_KIND, R_TIME, R_SEQ, R_LATENESS, R_ARRIVAL, R_MAX_AHEAD, R_UNIQUE, R_EXPECT, NRULES };

typedef struct rules {
    const char *text[NRULES];
    const char *exact[NRULES];
} rules;

static void source_rules(arena *mem, const plan *p, const plan_source *s, rules *r)
{
    static const char *const kinds[] = {"stream", "table", "request"};
    for (int pass = 0; pass < 2; pass++) {
        const char **out = pass ? r->exact : r->text;
        strbuf b = STRBUF_INIT;
        out[R_KIND] = kinds[s->kind];
        out[R_TIME] = s->time_field >= 0 ? arena_printf(mem, "time %s", s->fields[s->time_field].name) : "no time";
        out[R_SEQ] = s->seq_field >= 0 ? arena_printf(mem, "seq %s", s->fields[s->seq_field].name) : "no seq";
        strbuf_append(&b, "lateness ");
        put_duration(&b, s->lateness_us);
        out[R_LATENESS] = arena_strdup(mem, b.data);
        out[R_ARRIVAL] =
            s->arrival_field >= 0 ? arena_printf(mem, "arrival %s", s->fields[s->arrival_field].name) : "no arrival";
        strbuf_reset(&b);
        strbuf_append(&b, "max_ahead ");
        if (s->max_ahead_us == PLAN_NO_MAX_AHEAD)
            strbuf_append(&b, "none");
        else
            put_duration(&b, s->max_ahead_us);
        out[R_MAX_AHEAD] = arena_strdup(mem, b.data);
        out[R_UNIQUE] =
            s->unique_field >= 0 ? arena_printf(mem, "unique %s", s->fields[s->unique_field].name) : "no unique";
        strbuf_reset(&b);
        rctx c = {.p = p, .source = s, .exact = pass == 1};
        for (int i = 0; i < s->nexpects; i++) {
            strbuf_append(&b, i ? ", " : "expect ");
            put_expr(&c, &b, s->expects[i].cond);
        }
        out[R_EXPECT] = arena_strdup(mem, b.len ? b.data : "no expect");
        strbuf_free(&b);
    }
}

/* "lateness 30s -> 1m; unique id -> no unique", or NULL when the rules mean the same. */
static const char *rules_why(arena *mem, const rules *a, const rules *b)
{
    strbuf w = STRBUF_INIT;
    for (int k = 0; k < NRULES; k++)
        if (strcmp(a->exact[k], b->exact[k]) != 0)
            strbuf_appendf(&w, "%s%s -> %s", w.len ? "; " : "", a->text[k], b->text[k]);
    const char *out = w.len ? arena_strdup(mem, w.data) : NULL;
    strbuf_free(&w);
    return out;
}

/* All parts in one string (exact or readable). */
static const char *rules_joined(arena *mem, const rules *r, bool exact)
{
    strbuf b = STRBUF_INIT;
    for (int k = 0; k < NRULES; k++)
        strbuf_appendf(&b, "%s%s", k ? ", " : "", exact ? r->exact[k] : r->text[k]);
    const char *out = arena_strdup(mem, b.data);
    strbuf_free(&b);
    return out;
}

/* The fields every event must have (not null): a change decides which events are valid,
 * so it changes every feature of the source. */
static const char *required_fields(arena *mem, const plan_source *s)
{
    strbuf b = STRBUF_INIT;
    for (int i = 0; i < s->nfields; i++)
        if (s->fields[i].not_null)
            strbuf_appendf(&b, "%s%s: %s", b.len ? ", " : "", s->fields[i].name, ftype_name(s->fields[i].type));
    const char *out = arena_strdup(mem, b.len ? b.data : "none");
    strbuf_free(&b);
    return out;
}

static const char *window_text(arena *mem, const plan_window *w)
{
    strbuf b = STRBUF_INIT;
    if (w->kind == PW_LIFETIME)
        strbuf_append(&b, "lifetime");
    else {
        strbuf_append(&b, "over ");
        put_duration(&b, w->size_us);
        if (w->kind == PW_HOP) {
            strbuf_append(&b, " hop ");
            put_duration(&b, w->hop_us);
        }
    }
    const char *out = arena_strdup(mem, b.data);
    strbuf_free(&b);
    return out;
}

/* Each attribute twice: readable (for the sentence) and exact (for the comparison). */
typedef struct meaning {
    const char *text[NATTRS];
    const char *exact[NATTRS];
    const char *source_name;
    rules source; /* its parts, for a readable reason */
} meaning;

static void feature_meaning(arena *mem, const plan *p, const plan_view *v, const plan_feature *f, meaning *m)
{
    const plan_source *src = &p->sources[v->source];
    const plan_entity *e = &p->entities[v->entity];
    for (int pass = 0; pass < 2; pass++) {
        bool exact = pass == 1;
        const char **out = exact ? m->exact : m->text;
        rctx c = {.p = p, .view = v, .exact = exact};
        out[A_AGG] = plan_agg_name(f->agg);
        if (f->agg == PG_PERCENTILE) {
            char text[PLAN_FLOAT_TEXT];
            plan_float_fmt(text, f->pct_p);
            out[A_AGG] = arena_printf(mem, "percentile %s", text);
        } else if (f->list_n > 0)
            out[A_AGG] = arena_printf(mem, "%s %d", plan_agg_name(f->agg), f->list_n);
        out[A_INPUT] = render(mem, &c, f->input);
        out[A_TYPE] = ftype_name(f->type);
        out[A_WINDOW] = window_text(mem, &f->window);
        out[A_FILTER] = render(mem, &c, f->filter);
        out[A_VIEW_FILTER] = render(mem, &c, v->where);
        strbuf k = STRBUF_INIT;
        strbuf_appendf(&k, "%s(", e->name);
        for (int i = 0; i < e->nkeys; i++) {
            int col = v->key_columns[i];
            strbuf_append(&k, i ? ", " : "");
            if (col < src->nfields || !exact) {
                strbuf_append(&k, plan_view_column_name(p, v, col));
            } else { /* a derived key means its let's expression */
                plan_expr x = {.kind = PX_COLUMN, .index = col, .type = e->keys[i].type};
                put_expr(&c, &k, &x);
            }
            if (exact)
                strbuf_appendf(&k, ":%s", ftype_name(e->keys[i].type));
        }
        strbuf_append_char(&k, ')');
        out[A_KEY] = arena_strdup(mem, k.data);
        strbuf_free(&k);
        source_rules(mem, p, src, &m->source);
        m->source_name = src->name;
        out[A_SOURCE] = arena_printf(mem, "%s %s", src->name, rules_joined(mem, &m->source, exact));
        out[A_REQUIRED] = required_fields(mem, src);
        strbuf t = STRBUF_INIT;
        if (f->ttl_us)
            put_duration(&t, f->ttl_us);
        else
            strbuf_append(&t, "none");
        out[A_TTL] = arena_strdup(mem, t.data);
        strbuf_reset(&t);
        if (f->has_default)
            put_value(&t, &f->dflt);
        else
            strbuf_append(&t, "none");
        out[A_DEFAULT] = arena_strdup(mem, t.data);
        strbuf_free(&t);
    }
}

/* ---- the comparison ---- */

typedef struct dctx {
    arena *mem;
    const plan *p[2];
    symtab served[2]; /* "view.feature" / "block.feature" -> non-NULL when a service reads it */
    int n, cap;
    pdiff_change *changes;
} dctx;

static void add(dctx *d, pdiff_kind kind, pdiff_object object, const char *name, bool breaking, const char *why,
                pdiff_state state)
{
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 64;
        pdiff_change *c = arena_alloc(d->mem, sizeof *c * (size_t)cap);
        if (d->n)
            memcpy(c, d->changes, sizeof *c * (size_t)d->n);
        d->changes = c;
        d->cap = cap;
    }
    d->changes[d->n++] = (pdiff_change){kind, object, name, breaking, why, state};
}

/* Marks what each plan's services read: outputs, and what their on_demand blocks read. */
static void mark_served(dctx *d, int side)
{
    const plan *p = d->p[side];
    symtab *t = &d->served[side];
    symtab_init(t, d->mem);
    for (int s = 0; s < p->nservices; s++) {
        const plan_service *svc = &p->services[s];
        for (int i = 0; i < svc->nviews; i++) {
            const plan_view *v = &p->views[svc->views[i].view];
            for (int f = 0; f < v->nfeatures; f++)
                if (svc->views[i].feature_used[f]) {
                    const char *key = arena_printf(d->mem, "%s.%s", v->name, v->features[f].name);
                    if (!symtab_get(t, key))
                        symtab_put(t, key, (void *)1);
                }
        }
        for (int i = 0; i < svc->nblocks; i++) {
            const plan_on_demand *b = &p->blocks[svc->blocks[i]];
            for (int f = 0; f < b->nfeatures; f++) {
                const char *key = arena_printf(d->mem, "%s.%s", b->name, b->features[f].name);
                if (!symtab_get(t, key))
                    symtab_put(t, key, (void *)1);
            }
        }
    }
}

/* name -> index + 1 of each element of an array of structs starting with a name pointer */
static void index_names(dctx *d, symtab *t, const void *items, size_t size, int n)
{
    symtab_init(t, d->mem);
    for (int i = 0; i < n; i++)
        symtab_put(t, *(const char *const *)((const char *)items + size * (size_t)i), (void *)(intptr_t)(i + 1));
}

static int find(const symtab *t, const char *name)
{
    return (int)(intptr_t)symtab_get(t, name) - 1;
}

/* Sources: added, removed, and field by field; breaking when old events may become invalid
 * or kept state incompatible. */
static void diff_sources(dctx *d)
{
    symtab names[2];
    for (int s = 0; s < 2; s++)
        index_names(d, &names[s], d->p[s]->sources, sizeof(plan_source), d->p[s]->nsources);
    for (int i = 0; i < d->p[0]->nsources; i++)
        if (find(&names[1], d->p[0]->sources[i].name) < 0)
            add(d, PD_REMOVED, PD_SOURCE, d->p[0]->sources[i].name, false, "source removed", PD_STATE_NONE);
    for (int j = 0; j < d->p[1]->nsources; j++) {
        const plan_source *b = &d->p[1]->sources[j];
        int i = find(&names[0], b->name);
        if (i < 0) {
            add(d, PD_ADDED, PD_SOURCE, b->name, false, "source added", PD_STATE_NONE);
            continue;
        }
        const plan_source *a = &d->p[0]->sources[i];
        for (int k = 0; k < a->nfields; k++) {
            bool kept = false;
            for (int l = 0; l < b->nfields && !kept; l++)
                kept = strcmp(a->fields[k].name, b->fields[l].name) == 0;
            if (!kept)
                add(d, PD_REMOVED, PD_SOURCE, arena_printf(d->mem, "%s.%s", a->name, a->fields[k].name), false,
                    arena_printf(d->mem, "field '%s' removed", a->fields[k].name), PD_STATE_NONE);
        }
        for (int l = 0; l < b->nfields; l++) {
            const plan_field *nf = &b->fields[l];
            const plan_field *of = NULL;
            for (int k = 0; k < a->nfields && !of; k++)
                if (strcmp(a->fields[k].name, nf->name) == 0)
                    of = &a->fields[k];
            const char *name = arena_printf(d->mem, "%s.%s", b->name, nf->name);
            if (!of)
                add(d, PD_ADDED, PD_SOURCE, name, nf->not_null && b->kind != PS_REQUEST,
                    arena_printf(
                        d->mem, "field '%s' added%s", nf->name,
                        nf->not_null && b->kind != PS_REQUEST ? " as not null: events without it are now invalid" : ""),
                    PD_STATE_NONE);
            else if (of->type != nf->type)
                add(d, PD_CHANGED, PD_SOURCE, name, true,
                    arena_printf(d->mem, "field '%s' type %s -> %s", nf->name, ftype_name(of->type),
                                 ftype_name(nf->type)),
                    PD_STATE_NONE);
            else if (of->not_null != nf->not_null)
                add(d, PD_CHANGED, PD_SOURCE, name, nf->not_null && b->kind != PS_REQUEST,
                    arena_printf(d->mem, "field '%s' %s", nf->name, nf->not_null ? "now not null" : "now nullable"),
                    PD_STATE_NONE);
        }
        rules ra, rb;
        source_rules(d->mem, d->p[0], a, &ra);
        source_rules(d->mem, d->p[1], b, &rb);
        const char *rw = rules_why(d->mem, &ra, &rb);
        if (rw)
            add(d, PD_CHANGED, PD_SOURCE, b->name, b->kind != PS_REQUEST, rw, PD_STATE_NONE);
        if (strcmp(a->sql_table, b->sql_table) != 0)
            add(d, PD_CHANGED, PD_SOURCE, b->name, false,
                arena_printf(d->mem, "warehouse table '%s' -> '%s'", a->sql_table, b->sql_table), PD_STATE_NONE);
    }
}

/* "name: type, ..." of key fields ("" for none). */
static const char *keys_text(arena *mem, const plan_field *keys, int n)
{
    strbuf b = STRBUF_INIT;
    for (int k = 0; k < n; k++)
        strbuf_appendf(&b, "%s%s: %s", k ? ", " : "", keys[k].name, ftype_name(keys[k].type));
    const char *out = arena_strdup(mem, b.data ? b.data : "");
    strbuf_free(&b);
    return out;
}

static void diff_entities(dctx *d)
{
    symtab names[2];
    for (int s = 0; s < 2; s++)
        index_names(d, &names[s], d->p[s]->entities, sizeof(plan_entity), d->p[s]->nentities);
    for (int i = 0; i < d->p[0]->nentities; i++)
        if (find(&names[1], d->p[0]->entities[i].name) < 0)
            add(d, PD_REMOVED, PD_ENTITY, d->p[0]->entities[i].name, false, "entity removed", PD_STATE_NONE);
    for (int j = 0; j < d->p[1]->nentities; j++) {
        const plan_entity *b = &d->p[1]->entities[j];
        int i = find(&names[0], b->name);
        if (i < 0) {
            add(d, PD_ADDED, PD_ENTITY, b->name, false, "entity added", PD_STATE_NONE);
            continue;
        }
        const plan_entity *a = &d->p[0]->entities[i];
        const char *ka = keys_text(d->mem, a->keys, a->nkeys), *kb = keys_text(d->mem, b->keys, b->nkeys);
        if (strcmp(ka, kb) != 0)
            add(d, PD_CHANGED, PD_ENTITY, b->name, true, arena_printf(d->mem, "keys (%s) -> (%s)", ka, kb),
                PD_STATE_NONE);
    }
}

/* The meaning of every view feature and on_demand feature of one plan, by dotted name. */
typedef struct meanings {
    symtab index; /* "view.feature" -> meaning* for views, "block.feature" -> const char* (exact) */
} meanings;

/* Exact meaning of an on_demand feature: its expression plus the exact meanings of the
 * features it reads (so a change upstream shows here too). */
static const char *od_meaning(dctx *d, int side, const meanings *m, const plan_on_demand *b, const plan_od_feature *f,
                              bool exact)
{
    (void)m;
    rctx c = {.p = d->p[side], .od = b, .exact = exact};
    if (!exact)
        return render(d->mem, &c, f->value);
    return arena_printf(d->mem, "%s:%s", render(d->mem, &c, f->value), ftype_name(f->type));
}

/* Appends the exact meanings of every view feature x reads (recursively through blocks). */
static void deps_of(dctx *d, int side, const meanings *m, const plan_expr *x, strbuf *b, int depth)
{
    if (!x || depth > 64)
        return;
    const plan *p = d->p[side];
    if (x->kind == PX_FEATURE) {
        const plan_view *v = &p->views[x->view];
        const meaning *fm = symtab_get(&m->index, arena_printf(d->mem, "%s.%s", v->name, v->features[x->index].name));
        if (fm)
            for (int a = 0; a < NATTRS; a++)
                strbuf_appendf(b, "|%s", fm->exact[a]);
    } else if (x->kind == PX_OD_FEATURE) {
        const plan_on_demand *blk = &p->blocks[x->block];
        deps_of(d, side, m, blk->features[x->index].value, b, depth + 1);
        strbuf_appendf(b, "|%s", od_meaning(d, side, m, blk, &blk->features[x->index], true));
    }
    for (int i = 0; i < x->nargs; i++)
        deps_of(d, side, m, x->args[i], b, depth + 1);
}

static void collect_meanings(dctx *d, int side, meanings *m)
{
    const plan *p = d->p[side];
    symtab_init(&m->index, d->mem);
    for (int v = 0; v < p->nviews; v++)
        for (int f = 0; f < p->views[v].nfeatures; f++) {
            meaning *fm = arena_alloc(d->mem, sizeof *fm);
            feature_meaning(d->mem, p, &p->views[v], &p->views[v].features[f], fm);
            symtab_put(&m->index, arena_printf(d->mem, "%s.%s", p->views[v].name, p->views[v].features[f].name), fm);
        }
}

/* Why two feature meanings differ, and whether state survives; NULL when they do not. */
static const char *feature_why(dctx *d, const meaning *a, const meaning *b, pdiff_state *state)
{
    strbuf why = STRBUF_INIT;
    bool rebuild = false;
    for (int k = 0; k < NATTRS; k++) {
        if (strcmp(a->exact[k], b->exact[k]) == 0)
            continue;
        bool same_text = strcmp(a->text[k], b->text[k]) == 0;
        const char *rw =
            k == A_SOURCE && !strcmp(a->source_name, b->source_name) ? rules_why(d->mem, &a->source, &b->source) : NULL;
        if (rw)
            strbuf_appendf(&why, "%ssource %s: %s", why.len ? "; " : "", b->source_name, rw);
        else
            strbuf_appendf(&why, "%s%s %s -> %s", why.len ? "; " : "", attr_names[k],
                           same_text ? a->exact[k] : a->text[k], same_text ? b->exact[k] : b->text[k]);
        rebuild |= attr_state[k];
    }
    if (!why.len)
        return NULL;
    *state = rebuild ? PD_STATE_REBUILD : PD_STATE_KEEP;
    const char *s = arena_strdup(d->mem, why.data);
    strbuf_free(&why);
    return s;
}

static void diff_views(dctx *d, const meanings m[2])
{
    symtab names[2];
    for (int s = 0; s < 2; s++)
        index_names(d, &names[s], d->p[s]->views, sizeof(plan_view), d->p[s]->nviews);
    for (int i = 0; i < d->p[0]->nviews; i++)
        if (find(&names[1], d->p[0]->views[i].name) < 0)
            add(d, PD_REMOVED, PD_VIEW, d->p[0]->views[i].name, false, "view removed", PD_STATE_NONE);
    for (int j = 0; j < d->p[1]->nviews; j++)
        if (find(&names[0], d->p[1]->views[j].name) < 0)
            add(d, PD_ADDED, PD_VIEW, d->p[1]->views[j].name, false, "view added", PD_STATE_NONE);
    /* features, by view.feature */
    for (int side = 0; side < 2; side++) {
        const plan *p = d->p[side];
        for (int v = 0; v < p->nviews; v++)
            for (int f = 0; f < p->views[v].nfeatures; f++) {
                const char *key = arena_printf(d->mem, "%s.%s", p->views[v].name, p->views[v].features[f].name);
                const meaning *other = symtab_get(&m[1 - side].index, key);
                if (side == 0 && !other)
                    add(d, PD_REMOVED, PD_FEATURE, key, symtab_get(&d->served[0], key) != NULL, "feature removed",
                        PD_STATE_NONE);
                else if (side == 1 && !other)
                    add(d, PD_ADDED, PD_FEATURE, key, false, "feature added", PD_STATE_REBUILD);
                else if (side == 1) {
                    pdiff_state st = PD_STATE_NONE;
                    const char *why = feature_why(d, other, symtab_get(&m[1].index, key), &st);
                    if (why)
                        add(d, PD_CHANGED, PD_FEATURE, key, symtab_get(&d->served[0], key) != NULL, why, st);
                }
            }
    }
}

/* The exact meaning of an on_demand feature with everything it reads. */
static const char *od_full(dctx *d, int side, const meanings *m, const plan_on_demand *b, const plan_od_feature *f)
{
    strbuf s = STRBUF_INIT;
    strbuf_append(&s, od_meaning(d, side, m, b, f, true));
    deps_of(d, side, m, f->value, &s, 0);
    const char *out = arena_strdup(d->mem, s.data);
    strbuf_free(&s);
    return out;
}

static void diff_blocks(dctx *d, const meanings m[2])
{
    for (int side = 0; side < 2; side++) {
        const plan *p = d->p[side], *q = d->p[1 - side];
        for (int b = 0; b < p->nblocks; b++) {
            const plan_on_demand *blk = &p->blocks[b];
            const plan_on_demand *ob = NULL;
            for (int k = 0; k < q->nblocks && !ob; k++)
                if (strcmp(q->blocks[k].name, blk->name) == 0)
                    ob = &q->blocks[k];
            for (int f = 0; f < blk->nfeatures; f++) {
                const char *key = arena_printf(d->mem, "%s.%s", blk->name, blk->features[f].name);
                const plan_od_feature *of = NULL;
                for (int k = 0; ob && k < ob->nfeatures && !of; k++)
                    if (strcmp(ob->features[k].name, blk->features[f].name) == 0)
                        of = &ob->features[k];
                if (!of && side == 0)
                    add(d, PD_REMOVED, PD_ON_DEMAND, key, symtab_get(&d->served[0], key) != NULL, "feature removed",
                        PD_STATE_NONE);
                else if (!of)
                    add(d, PD_ADDED, PD_ON_DEMAND, key, false, "feature added", PD_STATE_NONE);
                else if (side == 1) {
                    const char *ea = od_full(d, 0, &m[0], ob, of), *eb = od_full(d, 1, &m[1], blk, &blk->features[f]);
                    if (strcmp(ea, eb) == 0)
                        continue;
                    const char *ta = od_meaning(d, 0, &m[0], ob, of, false);
                    const char *tb = od_meaning(d, 1, &m[1], blk, &blk->features[f], false);
                    const char *why = strcmp(ta, tb) != 0 ? arena_printf(d->mem, "expression %s -> %s", ta, tb)
                                                          : "a feature it reads changed meaning";
                    add(d, PD_CHANGED, PD_ON_DEMAND, key, symtab_get(&d->served[0], key) != NULL, why, PD_STATE_NONE);
                }
            }
        }
    }
}

/* The exact meaning of a service output, and a readable reason source ("view.feature"). */
static const char *output_meaning(dctx *d, int side, const meanings *m, const plan_output *o)
{
    const plan *p = d->p[side];
    if (o->kind == PO_VIEW_FEATURE) {
        const plan_view *v = &p->views[o->owner];
        const meaning *fm = symtab_get(&m->index, arena_printf(d->mem, "%s.%s", v->name, v->features[o->feature].name));
        strbuf s = STRBUF_INIT;
        for (int a = 0; a < NATTRS; a++)
            strbuf_appendf(&s, "|%s", fm->exact[a]);
        const char *out = arena_strdup(d->mem, s.data);
        strbuf_free(&s);
        return out;
    }
    const plan_on_demand *b = &p->blocks[o->owner];
    return od_full(d, side, m, b, &b->features[o->feature]);
}

static void diff_services(dctx *d, const meanings m[2])
{
    symtab names[2];
    for (int s = 0; s < 2; s++)
        index_names(d, &names[s], d->p[s]->services, sizeof(plan_service), d->p[s]->nservices);
    for (int i = 0; i < d->p[0]->nservices; i++)
        if (find(&names[1], d->p[0]->services[i].name) < 0)
            add(d, PD_REMOVED, PD_SERVICE, d->p[0]->services[i].name, true, "service removed", PD_STATE_NONE);
    for (int j = 0; j < d->p[1]->nservices; j++) {
        const plan_service *b = &d->p[1]->services[j];
        int i = find(&names[0], b->name);
        if (i < 0) {
            add(d, PD_ADDED, PD_SERVICE, b->name, false, "service added", PD_STATE_NONE);
            continue;
        }
        const plan_service *a = &d->p[0]->services[i];
        const char *ka = keys_text(d->mem, a->keys, a->nkeys), *kb = keys_text(d->mem, b->keys, b->nkeys);
        if (strcmp(ka, kb) != 0)
            add(d, PD_CHANGED, PD_SERVICE, b->name, true, arena_printf(d->mem, "keys (%s) -> (%s)", ka, kb),
                PD_STATE_NONE);
        const char *ra = a->request_source >= 0 ? d->p[0]->sources[a->request_source].name : "none";
        const char *rb = b->request_source >= 0 ? d->p[1]->sources[b->request_source].name : "none";
        if (strcmp(ra, rb) != 0)
            add(d, PD_CHANGED, PD_SERVICE, b->name, true, arena_printf(d->mem, "request %s -> %s", ra, rb),
                PD_STATE_NONE);
        symtab cols[2]; /* column -> index + 1 */
        const plan_service *both[2] = {a, b};
        for (int side = 0; side < 2; side++) {
            symtab_init(&cols[side], d->mem);
            for (int k = 0; k < both[side]->noutputs; k++)
                symtab_put(&cols[side], both[side]->outputs[k].column, (void *)(intptr_t)(k + 1));
        }
        for (int k = 0; k < a->noutputs; k++) {
            const plan_output *oa = &a->outputs[k];
            int l = find(&cols[1], oa->column);
            const plan_output *ob = l >= 0 ? &b->outputs[l] : NULL;
            const char *name = arena_printf(d->mem, "%s.%s", b->name, oa->column);
            if (!ob) {
                add(d, PD_REMOVED, PD_OUTPUT, name, true, "output removed", PD_STATE_NONE);
                continue;
            }
            if (oa->type != ob->type)
                add(d, PD_CHANGED, PD_OUTPUT, name, true,
                    arena_printf(d->mem, "type %s -> %s", ftype_name(oa->type), ftype_name(ob->type)), PD_STATE_NONE);
            else if (strcmp(output_meaning(d, 0, &m[0], oa), output_meaning(d, 1, &m[1], ob)) != 0)
                add(d, PD_CHANGED, PD_OUTPUT, name, true, "its meaning changed (see the feature above)", PD_STATE_NONE);
        }
        for (int l = 0; l < b->noutputs; l++) {
            if (find(&cols[0], b->outputs[l].column) < 0)
                add(d, PD_ADDED, PD_OUTPUT, arena_printf(d->mem, "%s.%s", b->name, b->outputs[l].column), false,
                    "output added", PD_STATE_NONE);
        }
    }
}

void pdiff_compare(arena *mem, const plan *old, const plan *new_, pdiff *out)
{
    dctx d = {.mem = mem, .p = {old, new_}};
    mark_served(&d, 0);
    mark_served(&d, 1);
    meanings m[2];
    collect_meanings(&d, 0, &m[0]);
    collect_meanings(&d, 1, &m[1]);
    diff_sources(&d);
    diff_entities(&d);
    diff_views(&d, m);
    diff_blocks(&d, m);
    diff_services(&d, m);
    out->n = d.n;
    out->changes = d.changes;
    out->breaking = false;
    for (int i = 0; i < d.n; i++)
        out->breaking |= d.changes[i].breaking;
}

/* ---- output ---- */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void pdiff_print_json(const pdiff *d, FILE *out)
{
    fputs("{\"changes\": [", out);
    for (int i = 0; i < d->n; i++) {
        const pdiff_change *c = &d->changes[i];
        fprintf(out, "%s\n  {\"kind\": \"%s\", \"object\": \"%s\", \"name\": ", i ? "," : "", pdiff_kind_name(c->kind),
                pdiff_object_name(c->object));
        json_string(out, c->name);
        fprintf(out, ", \"breaking\": %s, \"why\": ", c->breaking ? "true" : "false");
        json_string(out, c->why);
        if (c->object == PD_FEATURE && c->state != PD_STATE_NONE)
            fprintf(out, ", \"state\": \"%s\"", c->state == PD_STATE_KEEP ? "keep" : "rebuild");
        fputc('}', out);
    }
    fprintf(out, "%s], \"breaking\": %s}\n", d->n ? "\n" : "", d->breaking ? "true" : "false");
}

void pdiff_print_text(const pdiff *d, const char *old_name, const char *new_name, FILE *out)
{
    int nb = 0;
    for (int i = 0; i < d->n; i++)
        nb += d->changes[i].breaking;
    fprintf(out, "featc plan: %s -> %s: ", old_name, new_name);
    if (!d->n) {
        fputs("no change in meaning\n", out);
        return;
    }
    fprintf(out, "%d change%s, %d breaking\n", d->n, d->n == 1 ? "" : "s", nb);
    for (int i = 0; i < d->n; i++) {
        const pdiff_change *c = &d->changes[i];
        fprintf(out, "  %-9s %s %s %s: %s", c->breaking ? "BREAKING" : "", pdiff_kind_name(c->kind),
                pdiff_object_name(c->object), c->name, c->why);
        if (c->object == PD_FEATURE && c->state != PD_STATE_NONE)
            fprintf(out, " (state: %s)", c->state == PD_STATE_KEEP ? "keep" : "rebuild");
        fputc('\n', out);
    }
}
