/* sema_view.c - checks feature views: keys, row filters, lets and aggregations. */
#include "sema_int.h"
#include "strbuf.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

/* The catalogue's entry of an aggregation (plan_agg follows its order). */
static const rt_agg_info *agg_info(plan_agg agg)
{
    return rt_agg_info_of((rt_agg)agg);
}

const char *plan_agg_name(plan_agg agg)
{
    return agg_info(agg)->name;
}

/* The result type of agg for input t, or FT_ERROR when agg does not take t: the catalogue's
 * rule (ftype and rt_type share their values for the value types). */
static ftype agg_result(plan_agg agg, ftype t)
{
    rt_type out;
    return rt_agg_result((rt_agg)agg, (rt_type)t, &out) ? (ftype)out : FT_ERROR;
}

/* The aggregation named name, as written with nargs arguments (count() and count(x) share
 * a name); -1 when there is none of that name. */
static int agg_by_name(const char *name, int nargs)
{
    int found = -1;
    for (int a = 0; a < RT_AGG_COUNT_; a++)
        if (strcmp(agg_info((plan_agg)a)->name, name) == 0 &&
            (found < 0 || (nargs > 0) == (agg_info((plan_agg)a)->inputs != RT_IN_NONE)))
            found = a;
    return found;
}

/* Checks the literal parameter after an aggregation's input (percentile's p, last_n's n)
 * into f; false after an error. */
static bool sema_agg_param(sema *s, const rt_agg_info *ai, const ast_expr *arg, plan_feature *f)
{
    bool fraction = ai->param == RT_PARAM_FRACTION;
    const ast_expr *lit = arg->kind == AST_UNARY && arg->op == AST_OP_NEG ? arg->lhs : arg;
    bool neg = lit != arg;
    if (fraction && lit->kind == AST_FLOAT) {
        double p = neg ? -lit->float_value : lit->float_value;
        if (p >= 0 && p <= 1) {
            f->pct_p = p + 0.0; /* -0.0 is 0 */
            return true;
        }
        diag_error_hint(s->d, arg->span, "0.5 is the median, 0.99 the 99th percentile",
                        "%s()'s fraction must be between 0 and 1", ai->name);
        return false;
    }
    if (!fraction && lit->kind == AST_INT) {
        if (!neg && lit->int_value >= 1 && lit->int_value <= RT_LIST_MAX) {
            f->list_n = (int)lit->int_value;
            return true;
        }
        diag_error(s->d, arg->span, "%s()'s count must be between 1 and %d", ai->name, RT_LIST_MAX);
        return false;
    }
    if (fraction)
        diag_error_hint(s->d, arg->span,
                        lit->kind == AST_INT ? arena_printf(s->mem, "write %" PRId64 ".0", lit->int_value)
                                             : "the fraction is fixed when the feature is compiled, e.g. 0.9",
                        "%s()'s fraction must be a float literal", ai->name);
    else
        diag_error_hint(s->d, arg->span, "the count is fixed when the feature is compiled, e.g. 5",
                        "%s()'s count must be an int literal", ai->name);
    return false;
}

/* Checks one feature's aggregation and clauses into f; false after an error. */
static bool sema_feature(sema *s, const sema_scope *scope, const ast_feature *a, plan_feature *f)
{
    f->name = a->name.text;
    const ast_expr *call = a->value;
    if (call->kind != AST_CALL) {
        diag_error_hint(s->d, call->span, "write e.g. sum(amount) over 1h; arithmetic on features belongs in an on_demand block",
                        "feature '%s' must be one aggregation", a->name.text);
        return false;
    }
    int nargs = call->args.len;
    int found = agg_by_name(call->name.text, nargs);
    if (found < 0) {
        const char *names[RT_AGG_COUNT_];
        strbuf all = STRBUF_INIT;
        for (int i = 0; i < RT_AGG_COUNT_; i++) {
            names[i] = agg_info((plan_agg)i)->name;
            if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
                strbuf_appendf(&all, "%s%s", all.len ? ", " : "aggregations are ", names[i]);
        }
        const char *best = diag_suggest(call->name.text, names, RT_AGG_COUNT_);
        diag_error_hint(s->d, call->name.span,
                        best ? arena_printf(s->mem, "did you mean '%s'?", best) : arena_strdup(s->mem, all.data),
                        "'%s' is not an aggregation", call->name.text);
        strbuf_free(&all);
        return false;
    }
    bool ok = true;
    f->agg = (plan_agg)found;
    const rt_agg_info *ai = agg_info(f->agg);
    if (ai->inputs == RT_IN_NONE) {
        assert(nargs == 0);
        f->input_type = FT_ERROR;
        f->type = FT_INT;
    } else if (nargs != (ai->param == RT_PARAM_NONE ? 1 : 2)) {
        if (ai->param == RT_PARAM_NONE)
            diag_error(s->d, call->span, "%s() takes exactly one argument, not %d", ai->name, nargs);
        else
            diag_error_hint(s->d, call->span,
                            ai->param == RT_PARAM_FRACTION ? "write e.g. percentile(amount, 0.9)"
                                                           : arena_printf(s->mem, "write e.g. %s(amount, 5)", ai->name),
                            "%s() takes exactly two arguments, not %d", ai->name, nargs);
        return false;
    } else {
        const ast_expr *arg = call->args.items[0];
        f->input = sema_expr(s, scope, arg);
        if (!f->input)
            return false;
        if (f->input->type == FT_NULL) {
            diag_error(s->d, arg->span, "%s(null) aggregates nothing", ai->name);
            return false;
        }
        f->input_type = f->input->type;
        f->type = agg_result(f->agg, f->input_type);
        if (f->type == FT_ERROR) {
            diag_error(s->d, arg->span, "%s() takes %s, not %s %s", ai->name, ai->inputs_text,
                       f->input_type == FT_INT ? "an" : "a", ftype_name(f->input_type));
            return false;
        }
        if (ai->param != RT_PARAM_NONE && !sema_agg_param(s, ai, call->args.items[1], f))
            return false;
        if (f->agg == PG_MEDIAN)
            f->pct_p = 0.5;
    }
    f->window.kind = PW_LIFETIME;
    if (a->over) {
        if (a->over->int_value <= 0) {
            diag_error(s->d, a->over->span, "window length must be positive");
            ok = false;
        }
        f->window.kind = PW_SLIDING;
        f->window.size_us = a->over->int_value;
    }
    if (a->hop) {
        assert(a->over);
        f->window.kind = PW_HOP;
        f->window.hop_us = a->hop->int_value;
        if (a->hop->int_value <= 0) {
            diag_error(s->d, a->hop->span, "hop must be positive");
            ok = false;
        } else if (f->window.size_us > 0 && f->window.size_us % f->window.hop_us != 0) {
            diag_error_hint(s->d, a->hop->span, "choose a hop that divides the window length, e.g. 1h for over 1d",
                            "hop does not divide the window length");
            ok = false;
        }
    }
    if (a->where)
        f->filter = sema_condition(s, scope, a->where, "where");
    if (a->where && !f->filter)
        ok = false;
    if (a->ttl) {
        if (f->window.kind != PW_LIFETIME || (f->agg != PG_FIRST && f->agg != PG_LAST)) {
            diag_error_hint(s->d, a->ttl->span, "a windowed feature already forgets old events",
                            "ttl applies only to first() or last() without 'over'");
            ok = false;
        } else if (a->ttl->int_value <= 0) {
            diag_error(s->d, a->ttl->span, "ttl must be positive");
            ok = false;
        }
        f->ttl_us = a->ttl->int_value;
    }
    if (a->dflt) {
        plan_value v;
        if (!sema_literal(s, a->dflt, &v))
            return false;
        if (v.type == FT_INT && f->type == FT_FLOAT) {
            v.type = FT_FLOAT;
            v.f = (double)v.i;
        }
        if (v.type == FT_NULL) {
            v.type = f->type;
        } else if (v.type != f->type) {
            diag_error(s->d, a->dflt->span, "default of feature '%s' must be %s %s, not %s %s", a->name.text,
                       f->type == FT_INT ? "an" : "a", ftype_name(f->type), v.type == FT_INT ? "an" : "a",
                       ftype_name(v.type));
            return false;
        }
        f->has_default = !v.is_null;
        f->dflt = v;
    }
    return ok;
}

/* Resolves `by ENTITY [(names)]` to the row columns holding each key: a source field or a
 * let of the view (any let, wherever it is declared: the key list heads the view). columns
 * and types are the view's row columns once every let is known; false on error. */
static bool sema_view_keys(sema *s, const ast_view *a, plan_view *v, const plan_source *src, const symtab *columns,
                           const ftype *types)
{
    const sema_sym *es = symtab_get(&s->globals, a->entity.text);
    if (!es || es->kind != SYM_ENTITY) {
        diag_error_hint(s->d, a->entity.span, es ? NULL : sema_hint(s, &s->globals, a->entity.text),
                        es ? "'%s' is not an entity" : "unknown entity '%s'", a->entity.text);
        return false;
    }
    v->entity = es->index;
    const plan_entity *ent = &s->p->entities[es->index];
    v->key_columns = arena_alloc(s->mem, sizeof(int) * (size_t)(ent->nkeys + 1));
    if (a->has_key_list && a->key_fields.len != ent->nkeys) {
        diag_error(s->d, a->entity.span, "entity '%s' has %d key field%s but %d %s given", ent->name, ent->nkeys,
                   ent->nkeys == 1 ? "" : "s", a->key_fields.len, a->key_fields.len == 1 ? "was" : "were");
        return false;
    }
    bool ok = true;
    for (int k = 0; k < ent->nkeys; k++) {
        const ast_name *written = a->has_key_list ? a->key_fields.items[k] : NULL;
        const char *fname = written ? written->text : ent->keys[k].name;
        src_span span = written ? written->span : a->entity.span;
        intptr_t hit = (intptr_t)symtab_get(columns, fname);
        if (hit == SEMA_BROKEN_COLUMN) { /* a let whose definition was reported */
            ok = false;
            continue;
        }
        if (!hit) {
            const char *hint = sema_hint(s, columns, fname);
            if (!hint && !written)
                hint = arena_printf(s->mem, "map the key to a field or let with 'by %s(NAME)'", ent->name);
            diag_error_hint(s->d, span, hint, "source '%s' has no field or let '%s' for entity '%s'", src->name, fname,
                            ent->name);
            ok = false;
            continue;
        }
        int index = (int)hit - 1;
        ftype t = types[index], want = ent->keys[k].type;
        if (t != want) {
            const char *what = index < src->nfields
                                   ? arena_printf(s->mem, "key field '%s' of source '%s'", fname, src->name)
                                   : arena_printf(s->mem, "key let '%s' of view '%s'", fname, v->name);
            diag_error(s->d, span, "%s is %s %s but entity '%s' key '%s' is %s %s", what, t == FT_INT ? "an" : "a",
                       ftype_name(t), ent->name, ent->keys[k].name, want == FT_INT ? "an" : "a", ftype_name(want));
            ok = false;
            continue;
        }
        v->key_columns[k] = index;
    }
    return ok;
}

static void sema_view(sema *s, int vi, const ast_view *a)
{
    plan *p = s->p;
    plan_view *v = &p->views[vi];
    v->name = a->name.text;
    v->source = -1;
    v->entity = -1;
    const sema_sym *ss = symtab_get(&s->globals, a->source.text);
    if (!ss || ss->kind != SYM_SOURCE) {
        diag_error_hint(s->d, a->source.span, ss ? NULL : sema_hint(s, &s->globals, a->source.text),
                        ss ? "'%s' is not a source" : "unknown source '%s'", a->source.text);
        return;
    }
    const plan_source *src = &p->sources[ss->index];
    if (src->kind == PS_REQUEST) {
        diag_error_hint(s->d, a->source.span, "read request fields in an on_demand block",
                        "features cannot aggregate request source '%s'", src->name);
        return;
    }
    v->source = ss->index;

    /* Row columns: the source's fields, then lets as they are declared. */
    int nmembers = a->members.len;
    symtab *columns = arena_alloc(s->mem, sizeof *columns);
    symtab_init(columns, s->mem);
    ftype *types = arena_alloc(s->mem, sizeof(ftype) * (size_t)(src->nfields + nmembers + 1));
    for (int i = 0; i < src->nfields; i++) {
        symtab_put(columns, src->fields[i].name, (void *)(intptr_t)(i + 1));
        types[i] = src->fields[i].type;
    }
    sema_scope scope = {.kind = SCOPE_VIEW_ROW, .columns = columns, .column_types = types};
    v->lets = arena_alloc(s->mem, sizeof(plan_let) * (size_t)(nmembers + 1));
    v->features = arena_alloc(s->mem, sizeof(plan_feature) * (size_t)(nmembers + 1));
    symtab *features = &s->view_features[vi];
    for (int m = 0; m < nmembers; m++) {
        const ast_view_member *mem = a->members.items[m];
        if (mem->kind == AST_MEMBER_WHERE) {
            plan_expr *c = sema_condition(s, &scope, mem->where, "where");
            if (!c)
                continue;
            if (!v->where) {
                v->where = c;
            } else {
                plan_expr *both = arena_alloc(s->mem, sizeof *both);
                both->kind = PX_AND;
                both->type = FT_BOOL;
                both->nargs = 2;
                both->args = arena_alloc(s->mem, sizeof(plan_expr *) * 2);
                both->args[0] = v->where;
                both->args[1] = c;
                v->where = both;
            }
        } else if (mem->kind == AST_MEMBER_LET) {
            const ast_let *l = mem->let;
            plan_expr *x = sema_expr(s, &scope, l->value);
            if (!sema_check_new_name(s, columns, &l->name, "field or let"))
                continue;
            if (x && x->type == FT_NULL) {
                diag_error(s->d, l->value->span, "let '%s' = null has no type", l->name.text);
                x = NULL;
            }
            if (!x) { /* keep the name, marked broken, so later uses do not cascade */
                symtab_put(columns, l->name.text, (void *)(intptr_t)SEMA_BROKEN_COLUMN);
                continue;
            }
            plan_let *pl = &v->lets[v->nlets++];
            pl->name = l->name.text;
            pl->type = x->type;
            pl->value = x;
            int column = src->nfields + v->nlets - 1;
            types[column] = x->type;
            symtab_put(columns, l->name.text, (void *)(intptr_t)(column + 1));
        } else {
            const ast_feature *fa = mem->feature;
            if (!sema_check_new_name(s, features, &fa->name, "feature"))
                continue;
            plan_feature *f = &v->features[v->nfeatures];
            if (!sema_feature(s, &scope, fa, f))
                f->type = f->type == FT_ERROR ? FT_INT : f->type; /* keep a type so uses still check */
            v->nfeatures++;
            symtab_put(features, fa->name.text, (void *)(intptr_t)v->nfeatures);
        }
    }
    /* keys last: they may name any let */
    sema_view_keys(s, a, v, src, columns, types);
    if (v->nfeatures == 0)
        diag_error(s->d, a->name.span, "feature view '%s' defines no features", a->name.text);
}

void sema_views(sema *s, const ast_file *f)
{
    int vi = 0;
    for (int i = 0; i < f->decls.len; i++) {
        const ast_decl *d = f->decls.items[i];
        if (d->kind != AST_DECL_VIEW)
            continue;
        s->current = d->view->name.text;
        sema_view(s, vi++, d->view);
    }
}
