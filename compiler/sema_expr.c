/* sema_expr.c - types expressions and lowers them to plan expressions. */
#include "sema_int.h"

#include <assert.h>
#include <string.h>

enum { SEMA_MAX_DEPTH = 500 };

static plan_expr *px_new(sema *s, plan_expr_kind kind, ftype type, int nargs)
{
    plan_expr *x = arena_alloc(s->mem, sizeof *x);
    x->kind = kind;
    x->type = type;
    x->nargs = nargs;
    x->args = nargs ? arena_alloc(s->mem, sizeof(plan_expr *) * (size_t)nargs) : NULL;
    return x;
}

plan_expr *sema_const(sema *s, plan_value v)
{
    plan_expr *x = px_new(s, PX_CONST, v.type, 0);
    x->value = v;
    return x;
}

static bool is_numeric(ftype t) { return t == FT_INT || t == FT_FLOAT; }

plan_expr *sema_coerce(sema *s, plan_expr *x, ftype want, src_span span, const char *what)
{
    if (!x)
        return NULL;
    if (x->type == want)
        return x;
    if (x->type == FT_NULL) {
        plan_value v = {.type = want, .is_null = true};
        return sema_const(s, v);
    }
    if (x->type == FT_INT && want == FT_FLOAT) {
        if (x->kind == PX_CONST && !x->value.is_null) {
            plan_value v = {.type = FT_FLOAT, .f = (double)x->value.i};
            return sema_const(s, v);
        }
        plan_expr *c = px_new(s, PX_TO_FLOAT, FT_FLOAT, 1);
        c->args[0] = x;
        return c;
    }
    diag_error(s->d, span, "%s must be %s %s, not %s %s", what, want == FT_INT ? "an" : "a", ftype_name(want),
               x->type == FT_INT ? "an" : "a", ftype_name(x->type));
    return NULL;
}

/* The common type of two operands for comparison, IN, CASE, coalesce...: equal types,
 * int with float gives float, null takes the other. FT_ERROR when there is none. */
static ftype unify(ftype a, ftype b)
{
    if (a == b)
        return a;
    if (a == FT_NULL)
        return b;
    if (b == FT_NULL)
        return a;
    if (is_numeric(a) && is_numeric(b))
        return FT_FLOAT;
    return FT_ERROR;
}

bool sema_literal(sema *s, const ast_expr *e, plan_value *out)
{
    memset(out, 0, sizeof *out);
    bool neg = false;
    if (e->kind == AST_UNARY && e->op == AST_OP_NEG) {
        neg = true;
        e = e->lhs;
    }
    switch (e->kind) {
    case AST_INT:
        out->type = FT_INT;
        out->i = e->int_value;
        if (neg) {
            if (out->i == INT64_MIN) {
                diag_error(s->d, e->span, "integer literal out of range");
                return false;
            }
            out->i = -out->i;
        }
        return true;
    case AST_FLOAT:
        out->type = FT_FLOAT;
        out->f = neg ? -e->float_value : e->float_value;
        return true;
    case AST_STRING:
    case AST_BOOL:
    case AST_NULL:
        if (neg)
            break;
        out->type = e->kind == AST_STRING ? FT_STRING : e->kind == AST_BOOL ? FT_BOOL : FT_NULL;
        out->is_null = e->kind == AST_NULL;
        out->b = e->bool_value;
        out->s = e->str;
        out->s_len = e->str_len;
        return true;
    default:
        break;
    }
    diag_error(s->d, e->span, "expected a literal value (a number, string, true, false or null)");
    return false;
}

typedef struct fn_info {
    const char *name;
    plan_fn fn;
    int min_args, max_args; /* max -1: any number */
} fn_info;

/* The catalogue's functions (runtime/rt_catalog.h), indexed by plan_fn. */
static fn_info function_at(int i)
{
    const rt_fn_info *f = rt_fn_info_at(i);
    return (fn_info){f->name, (plan_fn)i, f->min_args, f->max_args};
}
enum { NFUNCTIONS = RT_FN_COUNT_ };

const char *plan_fn_name(plan_fn fn)
{
    return (unsigned)fn < (unsigned)NFUNCTIONS ? rt_fn_info_at((int)fn)->name : "?";
}

static bool is_aggregation(const char *name)
{
    for (int a = 0; a < RT_AGG_COUNT_; a++)
        if (strcmp(name, rt_agg_info_of((rt_agg)a)->name) == 0)
            return true;
    return false;
}

typedef struct expr_walk {
    sema *s;
    const sema_scope *scope;
    int depth;
} expr_walk;

static plan_expr *walk(expr_walk *w, const ast_expr *e);

/* Lowers e and requires a type accepted by ok(); what names the operand for messages. */
static plan_expr *walk_typed(expr_walk *w, const ast_expr *e, bool (*ok)(ftype), const char *what)
{
    plan_expr *x = walk(w, e);
    if (!x)
        return NULL;
    if (x->type == FT_NULL || ok(x->type))
        return x;
    diag_error(w->s->d, e->span, "%s, not %s %s", what, x->type == FT_INT ? "an" : "a", ftype_name(x->type));
    return NULL;
}

static bool ok_numeric(ftype t) { return t == FT_INT || t == FT_FLOAT; }
static bool ok_int(ftype t) { return t == FT_INT; }
static bool ok_string(ftype t) { return t == FT_STRING; }
static bool ok_bool(ftype t) { return t == FT_BOOL; }
static bool ok_timestamp(ftype t) { return t == FT_TIMESTAMP; }

/* An int literal argument in [lo, hi] (round's digits, geohash's precision). */
static plan_expr *int_literal_arg(expr_walk *w, const ast_expr *e, int64_t lo, int64_t hi, const char *what)
{
    if (e->kind != AST_INT || e->int_value < lo || e->int_value > hi) {
        diag_error(w->s->d, e->span, "%s must be an integer literal from %lld to %lld", what, (long long)lo,
                   (long long)hi);
        return NULL;
    }
    plan_value v = {.type = FT_INT, .i = e->int_value};
    return sema_const(w->s, v);
}

/* Lowers all args of a variadic call to one common type (least, greatest, coalesce). */
static plan_expr *walk_variadic(expr_walk *w, const ast_expr *e, plan_fn fn)
{
    sema *s = w->s;
    int n = e->args.len;
    plan_expr **xs = arena_alloc(s->mem, sizeof(plan_expr *) * (size_t)n);
    ftype t = FT_NULL;
    bool ok = true;
    for (int i = 0; i < n; i++) {
        xs[i] = walk(w, e->args.items[i]);
        if (!xs[i]) {
            ok = false;
            continue;
        }
        ftype u = unify(t, xs[i]->type);
        if (u == FT_ERROR) {
            diag_error(s->d, ((ast_expr *)e->args.items[i])->span, "%s() arguments must share a type: %s and %s",
                       e->name.text, ftype_name(t), ftype_name(xs[i]->type));
            ok = false;
            continue;
        }
        t = u;
    }
    if (!ok)
        return NULL;
    if (t == FT_NULL) {
        diag_error(s->d, e->span, "%s() of only nulls has no type", e->name.text);
        return NULL;
    }
    if (fn != PF_COALESCE && t == FT_BOOL) {
        diag_error(s->d, e->span, "%s() takes numbers, strings or timestamps", e->name.text);
        return NULL;
    }
    plan_expr *x = px_new(s, PX_CALL, t, n);
    x->fn = fn;
    for (int i = 0; i < n; i++) {
        x->args[i] = sema_coerce(s, xs[i], t, ((ast_expr *)e->args.items[i])->span, "argument");
        if (!x->args[i])
            return NULL;
    }
    return x;
}

static plan_expr *walk_call(expr_walk *w, const ast_expr *e)
{
    sema *s = w->s;
    const char *name = e->name.text;
    int n = e->args.len;
    ast_expr *const *a = (ast_expr *const *)e->args.items;
    if (strcmp(name, "if") == 0) {
        if (n != 3) {
            diag_error(s->d, e->span, "if() takes 3 arguments (condition, then, else), not %d", n);
            return NULL;
        }
        plan_expr *c = walk_typed(w, a[0], ok_bool, "if() condition must be a bool");
        plan_expr *t = walk(w, a[1]), *f = walk(w, a[2]);
        if (!c || !t || !f)
            return NULL;
        ftype u = unify(t->type, f->type);
        if (u == FT_ERROR) {
            diag_error(s->d, e->span, "if() branches have different types: %s and %s", ftype_name(t->type),
                       ftype_name(f->type));
            return NULL;
        }
        plan_expr *x = px_new(s, PX_CASE, u, 3);
        x->has_else = true;
        x->args[0] = sema_coerce(s, c, FT_BOOL, a[0]->span, "condition");
        x->args[1] = u == FT_NULL ? t : sema_coerce(s, t, u, a[1]->span, "branch");
        x->args[2] = u == FT_NULL ? f : sema_coerce(s, f, u, a[2]->span, "branch");
        return x;
    }
    if (strcmp(name, "now") == 0) {
        if (n != 0) {
            diag_error(s->d, e->span, "now() takes no arguments");
            return NULL;
        }
        if (w->scope->kind != SCOPE_ON_DEMAND) {
            diag_error_hint(s->d, e->span, "compute it in an on_demand block",
                            "now() is only allowed in on_demand blocks");
            return NULL;
        }
        return px_new(s, PX_NOW, FT_TIMESTAMP, 0);
    }
    if (is_aggregation(name)) {
        diag_error_hint(s->d, e->span, "a feature is exactly one aggregation; combine features in an on_demand block",
                        "aggregation %s() is not allowed inside an expression", name);
        return NULL;
    }
    fn_info found = {0};
    const fn_info *fi = NULL;
    for (int i = 0; i < NFUNCTIONS && !fi; i++)
        if (strcmp(rt_fn_info_at(i)->name, name) == 0) {
            found = function_at(i);
            fi = &found;
        }
    if (!fi) {
        const char *names[NFUNCTIONS + 2];
        for (int i = 0; i < NFUNCTIONS; i++)
            names[i] = rt_fn_info_at(i)->name;
        names[NFUNCTIONS] = "if";
        names[NFUNCTIONS + 1] = "now";
        const char *best = diag_suggest(name, names, NFUNCTIONS + 2);
        diag_error_hint(s->d, e->name.span, best ? arena_printf(s->mem, "did you mean '%s'?", best) : NULL,
                        "unknown function '%s'", name);
        return NULL;
    }
    if (n < fi->min_args || (fi->max_args >= 0 && n > fi->max_args)) {
        if (fi->min_args == fi->max_args)
            diag_error(s->d, e->span, "%s() takes %d argument%s, not %d", name, fi->min_args,
                       fi->min_args == 1 ? "" : "s", n);
        else if (fi->max_args < 0)
            diag_error(s->d, e->span, "%s() takes at least %d argument%s", name, fi->min_args,
                       fi->min_args == 1 ? "" : "s");
        else
            diag_error(s->d, e->span, "%s() takes %d to %d arguments, not %d", name, fi->min_args, fi->max_args, n);
        return NULL;
    }
    if (fi->fn == PF_COALESCE || fi->fn == PF_LEAST || fi->fn == PF_GREATEST)
        return walk_variadic(w, e, fi->fn);

    plan_expr *args[4] = {0};
    ftype result = FT_ERROR;
    char what[96];
    snprintf(what, sizeof what, "the argument of %s() must be", name);
    switch (fi->fn) {
    case PF_ABS:
    case PF_FLOOR:
    case PF_CEIL:
        args[0] = walk_typed(w, a[0], ok_numeric, arena_printf(s->mem, "%s() takes an int or a float", name));
        if (!args[0])
            return NULL;
        result = args[0]->type == FT_NULL ? FT_FLOAT : args[0]->type;
        args[0] = sema_coerce(s, args[0], result, a[0]->span, "argument");
        break;
    case PF_ROUND:
        args[0] = walk_typed(w, a[0], ok_numeric, "round() takes an int or a float");
        if (!args[0])
            return NULL;
        result = args[0]->type == FT_NULL ? FT_FLOAT : args[0]->type;
        args[0] = sema_coerce(s, args[0], result, a[0]->span, "argument");
        if (n == 2)
            args[1] = int_literal_arg(w, a[1], 0, 15, "round()'s digits");
        else {
            plan_value zero = {.type = FT_INT};
            args[1] = sema_const(s, zero);
        }
        if (!args[1])
            return NULL;
        n = 2;
        break;
    case PF_SQRT:
    case PF_LN:
    case PF_EXP:
    case PF_POW:
    case PF_HAVERSINE_KM:
        for (int i = 0; i < n; i++) {
            args[i] = walk_typed(w, a[i], ok_numeric, arena_printf(s->mem, "%s() takes numbers", name));
            if (!args[i] || !(args[i] = sema_coerce(s, args[i], FT_FLOAT, a[i]->span, "argument")))
                return NULL;
        }
        result = FT_FLOAT;
        break;
    case PF_LOWER:
    case PF_UPPER:
    case PF_LENGTH:
        args[0] = walk_typed(w, a[0], ok_string, arena_printf(s->mem, "%s() takes a string", name));
        if (!args[0] || !(args[0] = sema_coerce(s, args[0], FT_STRING, a[0]->span, "argument")))
            return NULL;
        result = fi->fn == PF_LENGTH ? FT_INT : FT_STRING;
        break;
    case PF_SUBSTR:
        args[0] = walk_typed(w, a[0], ok_string, "substr() takes a string first");
        args[1] = walk_typed(w, a[1], ok_int, "substr()'s start must be an int");
        args[2] = walk_typed(w, a[2], ok_int, "substr()'s length must be an int");
        if (!args[0] || !args[1] || !args[2])
            return NULL;
        args[0] = sema_coerce(s, args[0], FT_STRING, a[0]->span, "argument");
        args[1] = sema_coerce(s, args[1], FT_INT, a[1]->span, "argument");
        args[2] = sema_coerce(s, args[2], FT_INT, a[2]->span, "argument");
        result = FT_STRING;
        break;
    case PF_STARTS_WITH:
    case PF_CONTAINS:
        for (int i = 0; i < 2; i++) {
            args[i] = walk_typed(w, a[i], ok_string, arena_printf(s->mem, "%s() takes strings", name));
            if (!args[i] || !(args[i] = sema_coerce(s, args[i], FT_STRING, a[i]->span, "argument")))
                return NULL;
        }
        result = FT_BOOL;
        break;
    case PF_TO_FLOAT:
    case PF_TO_INT:
    case PF_TO_STRING: {
        args[0] = walk(w, a[0]);
        if (!args[0])
            return NULL;
        ftype t = args[0]->type;
        bool ok = fi->fn == PF_TO_FLOAT   ? (t == FT_INT || t == FT_STRING || t == FT_FLOAT)
                  : fi->fn == PF_TO_INT   ? (t == FT_FLOAT || t == FT_BOOL || t == FT_STRING || t == FT_INT)
                                          : (t == FT_INT || t == FT_BOOL || t == FT_STRING || t == FT_TIMESTAMP);
        if (t == FT_NULL) {
            diag_error(s->d, a[0]->span, "%s(null) has no input type", name);
            return NULL;
        }
        if (!ok) {
            diag_error_hint(s->d, a[0]->span,
                            fi->fn == PF_TO_STRING && t == FT_FLOAT ? "round it or convert with to_int() first" : NULL,
                            "%s() cannot convert %s %s", name, t == FT_INT ? "an" : "a", ftype_name(t));
            return NULL;
        }
        result = fi->fn == PF_TO_FLOAT ? FT_FLOAT : fi->fn == PF_TO_INT ? FT_INT : FT_STRING;
        if (t == result)
            return args[0]; /* to_int(int) and friends are the identity */
        break;
    }
    case PF_SECONDS_BETWEEN:
        for (int i = 0; i < 2; i++) {
            args[i] = walk_typed(w, a[i], ok_timestamp, "seconds_between() takes timestamps");
            if (!args[i] || !(args[i] = sema_coerce(s, args[i], FT_TIMESTAMP, a[i]->span, "argument")))
                return NULL;
        }
        result = FT_FLOAT;
        break;
    case PF_HOUR_OF_DAY:
    case PF_DAY_OF_WEEK:
        args[0] = walk_typed(w, a[0], ok_timestamp, arena_printf(s->mem, "%s() takes a timestamp", name));
        if (!args[0] || !(args[0] = sema_coerce(s, args[0], FT_TIMESTAMP, a[0]->span, "argument")))
            return NULL;
        result = FT_INT;
        break;
    case PF_GEOHASH:
        for (int i = 0; i < 2; i++) {
            args[i] = walk_typed(w, a[i], ok_numeric, "geohash() takes numbers for latitude and longitude");
            if (!args[i] || !(args[i] = sema_coerce(s, args[i], FT_FLOAT, a[i]->span, "argument")))
                return NULL;
        }
        args[2] = int_literal_arg(w, a[2], 1, 12, "geohash()'s precision");
        if (!args[2])
            return NULL;
        result = FT_STRING;
        break;
    default:
        assert(!"unhandled function");
        return NULL;
    }
    plan_expr *x = px_new(s, PX_CALL, result, n);
    x->fn = fi->fn;
    for (int i = 0; i < n; i++) {
        if (!args[i])
            return NULL;
        x->args[i] = args[i];
    }
    return x;
}

static plan_expr *walk_name(expr_walk *w, const ast_expr *e)
{
    sema *s = w->s;
    const sema_scope *sc = w->scope;
    if (sc->kind == SCOPE_ON_DEMAND) {
        /* An earlier feature of the same block: its expression is used in place. */
        void *own = symtab_get(&s->block_features[sc->block], e->name.text);
        if (own) {
            const plan_od_feature *f = &s->p->blocks[sc->block].features[(int)(intptr_t)own - 1];
            return f->value; /* NULL when it had an error, already reported */
        }
        const char **names;
        int n = symtab_names(sc->inputs, &names);
        const char *hint = n ? arena_printf(s->mem, "on_demand blocks name values as INPUT.NAME, e.g. %s.%s", names[0],
                                            e->name.text)
                             : NULL;
        diag_error_hint(s->d, e->span, hint, "unknown name '%s'", e->name.text);
        return NULL;
    }
    void *hit = symtab_get(sc->columns, e->name.text);
    if (!hit) {
        diag_error_hint(s->d, e->span, sema_hint(s, sc->columns, e->name.text), "unknown field '%s'", e->name.text);
        return NULL;
    }
    if ((intptr_t)hit == SEMA_BROKEN_COLUMN)
        return NULL;
    int index = (int)(intptr_t)hit - 1;
    plan_expr *x = px_new(s, PX_COLUMN, sc->column_types[index], 0);
    x->index = index;
    return x;
}

static plan_expr *walk_dot(expr_walk *w, const ast_expr *e)
{
    sema *s = w->s;
    const sema_scope *sc = w->scope;
    if (sc->kind != SCOPE_ON_DEMAND) {
        diag_error(s->d, e->span, "qualified names like '%s.%s' are only allowed in on_demand blocks",
                   e->qualifier.text, e->name.text);
        return NULL;
    }
    const sema_sym *in = symtab_get(sc->inputs, e->qualifier.text);
    if (!in) {
        diag_error_hint(s->d, e->qualifier.span, sema_hint(s, sc->inputs, e->qualifier.text),
                        "'%s' is not an input of this on_demand block", e->qualifier.text);
        return NULL;
    }
    const plan *p = s->p;
    if (in->kind == SYM_SOURCE) {
        const plan_source *src = &p->sources[in->index];
        for (int i = 0; i < src->nfields; i++)
            if (strcmp(src->fields[i].name, e->name.text) == 0) {
                plan_expr *x = px_new(s, PX_REQUEST, src->fields[i].type, 0);
                x->index = i;
                return x;
            }
        const char **names = arena_alloc(s->mem, sizeof(char *) * (size_t)(src->nfields + 1));
        for (int i = 0; i < src->nfields; i++)
            names[i] = src->fields[i].name;
        const char *best = diag_suggest(e->name.text, names, src->nfields);
        diag_error_hint(s->d, e->name.span, best ? arena_printf(s->mem, "did you mean '%s'?", best) : NULL,
                        "request source '%s' has no field '%s'", src->name, e->name.text);
        return NULL;
    }
    symtab *features = in->kind == SYM_VIEW ? &s->view_features[in->index] : &s->block_features[in->index];
    void *hit = symtab_get(features, e->name.text);
    if (!hit) {
        diag_error_hint(s->d, e->name.span, sema_hint(s, features, e->name.text), "%s '%s' has no feature '%s'",
                        in->kind == SYM_VIEW ? "feature view" : "on_demand block", e->qualifier.text, e->name.text);
        return NULL;
    }
    int index = (int)(intptr_t)hit - 1;
    if (in->kind == SYM_VIEW) {
        plan_expr *x = px_new(s, PX_FEATURE, p->views[in->index].features[index].type, 0);
        x->view = in->index;
        x->index = index;
        return x;
    }
    plan_expr *x = px_new(s, PX_OD_FEATURE, p->blocks[in->index].features[index].type, 0);
    x->block = in->index;
    x->index = index;
    return x;
}

static plan_expr *walk_binary(expr_walk *w, const ast_expr *e)
{
    sema *s = w->s;
    ast_op op = e->op;
    if (op == AST_OP_AND || op == AST_OP_OR) {
        plan_expr *l = walk_typed(w, e->lhs, ok_bool, arena_printf(s->mem, "'%s' takes bools", ast_op_text(op)));
        plan_expr *r = walk_typed(w, e->rhs, ok_bool, arena_printf(s->mem, "'%s' takes bools", ast_op_text(op)));
        if (!l || !r)
            return NULL;
        plan_expr *x = px_new(s, op == AST_OP_AND ? PX_AND : PX_OR, FT_BOOL, 2);
        x->args[0] = sema_coerce(s, l, FT_BOOL, e->lhs->span, "operand");
        x->args[1] = sema_coerce(s, r, FT_BOOL, e->rhs->span, "operand");
        return x;
    }
    if (op >= AST_OP_EQ && op <= AST_OP_GE) {
        if (e->lhs->kind == AST_BINARY && e->lhs->op >= AST_OP_EQ && e->lhs->op <= AST_OP_GE && !e->lhs->parenthesized) {
            diag_error(s->d, e->span, "comparisons cannot be chained; use 'and'");
            return NULL;
        }
        plan_expr *l = walk(w, e->lhs), *r = walk(w, e->rhs);
        if (!l || !r)
            return NULL;
        ftype t = unify(l->type, r->type);
        if (t == FT_ERROR || t == FT_DURATION) {
            diag_error(s->d, e->span, "cannot compare %s with %s", ftype_name(l->type), ftype_name(r->type));
            return NULL;
        }
        if (t == FT_NULL)
            t = FT_BOOL; /* null = null: both sides typed as bool nulls */
        plan_expr *x = px_new(s, PX_COMPARE, FT_BOOL, 2);
        static const plan_cmp cmps[] = {PC_EQ, PC_NE, PC_LT, PC_LE, PC_GT, PC_GE};
        x->cmp = cmps[op - AST_OP_EQ];
        x->operand_type = t;
        x->args[0] = sema_coerce(s, l, t, e->lhs->span, "operand");
        x->args[1] = sema_coerce(s, r, t, e->rhs->span, "operand");
        return x;
    }
    plan_expr *l = walk(w, e->lhs), *r = walk(w, e->rhs);
    if (!l || !r)
        return NULL;
    ftype lt = l->type, rt = r->type;
    if (op == AST_OP_CONCAT) {
        if ((lt != FT_STRING && lt != FT_NULL) || (rt != FT_STRING && rt != FT_NULL)) {
            diag_error_hint(s->d, e->span, "convert with to_string() first", "'||' joins strings, not %s and %s",
                            ftype_name(lt), ftype_name(rt));
            return NULL;
        }
        plan_expr *x = px_new(s, PX_CONCAT, FT_STRING, 2);
        x->args[0] = sema_coerce(s, l, FT_STRING, e->lhs->span, "operand");
        x->args[1] = sema_coerce(s, r, FT_STRING, e->rhs->span, "operand");
        return x;
    }
    /* timestamp +/- duration */
    if ((op == AST_OP_ADD || op == AST_OP_SUB) && (lt == FT_TIMESTAMP || rt == FT_TIMESTAMP || lt == FT_DURATION ||
                                                   rt == FT_DURATION)) {
        if (lt == FT_TIMESTAMP && rt == FT_TIMESTAMP && op == AST_OP_SUB) {
            diag_error_hint(s->d, e->span, "use seconds_between(a, b)", "timestamps cannot be subtracted");
            return NULL;
        }
        bool ok = (lt == FT_TIMESTAMP && rt == FT_DURATION) || (op == AST_OP_ADD && lt == FT_DURATION && rt == FT_TIMESTAMP) ||
                  (lt == FT_TIMESTAMP && rt == FT_NULL) || (lt == FT_NULL && rt == FT_DURATION);
        if (!ok) {
            diag_error_hint(s->d, e->span, rt == FT_INT || lt == FT_INT ? "write a duration such as 10m or 1d" : NULL,
                            "cannot apply '%s' to %s and %s", ast_op_text(op), ftype_name(lt), ftype_name(rt));
            return NULL;
        }
        plan_expr *ts = lt == FT_DURATION ? r : l, *dur = lt == FT_DURATION ? l : r;
        plan_expr *x = px_new(s, op == AST_OP_ADD ? PX_TS_ADD : PX_TS_SUB, FT_TIMESTAMP, 2);
        x->args[0] = sema_coerce(s, ts, FT_TIMESTAMP, e->span, "operand");
        if (dur->type == FT_DURATION) {
            plan_value v = dur->value;
            v.type = FT_INT;
            x->args[1] = sema_const(s, v);
        } else {
            x->args[1] = sema_coerce(s, dur, FT_INT, e->span, "operand");
        }
        return x;
    }
    if (lt == FT_DURATION || rt == FT_DURATION) {
        diag_error(s->d, e->span, "a duration can only be added to or subtracted from a timestamp");
        return NULL;
    }
    if (!(is_numeric(lt) || lt == FT_NULL) || !(is_numeric(rt) || rt == FT_NULL)) {
        diag_error_hint(s->d, e->span, op == AST_OP_ADD && (lt == FT_STRING || rt == FT_STRING) ? "use '||' to join strings" : NULL,
                        "'%s' takes numbers, not %s and %s", ast_op_text(op), ftype_name(lt), ftype_name(rt));
        return NULL;
    }
    ftype t = unify(lt, rt);
    if (t == FT_NULL)
        t = op == AST_OP_DIV ? FT_FLOAT : FT_INT;
    if (op == AST_OP_MOD && t != FT_INT) {
        diag_error(s->d, e->span, "'%%' takes ints only, not %s", ftype_name(t));
        return NULL;
    }
    if (op == AST_OP_DIV)
        t = FT_FLOAT;
    plan_expr *x = px_new(s, PX_ARITH, t, 2);
    static const struct { ast_op op; plan_arith a; } map[] = {
        {AST_OP_ADD, PA_ADD}, {AST_OP_SUB, PA_SUB}, {AST_OP_MUL, PA_MUL}, {AST_OP_DIV, PA_DIV}, {AST_OP_MOD, PA_MOD}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].op == op)
            x->arith = map[i].a;
    x->operand_type = t;
    x->args[0] = sema_coerce(s, l, t, e->lhs->span, "operand");
    x->args[1] = sema_coerce(s, r, t, e->rhs->span, "operand");
    return x;
}

static plan_expr *walk_case(expr_walk *w, const ast_expr *e)
{
    sema *s = w->s;
    int n = e->args.len;
    assert(n % 2 == 0 && n >= 2);
    int total = n + (e->rhs ? 1 : 0);
    plan_expr **xs = arena_alloc(s->mem, sizeof(plan_expr *) * (size_t)total);
    bool ok = true;
    ftype t = FT_NULL;
    for (int i = 0; i < total; i++) {
        const ast_expr *a = i < n ? e->args.items[i] : e->rhs;
        bool is_cond = i < n && i % 2 == 0;
        xs[i] = is_cond ? walk_typed(w, a, ok_bool, "a 'when' condition must be a bool") : walk(w, a);
        if (!xs[i]) {
            ok = false;
            continue;
        }
        if (is_cond) {
            xs[i] = sema_coerce(s, xs[i], FT_BOOL, a->span, "condition");
            continue;
        }
        ftype u = unify(t, xs[i]->type);
        if (u == FT_ERROR || u == FT_DURATION) {
            diag_error(s->d, a->span, "case branches must share a type: %s and %s", ftype_name(t), ftype_name(xs[i]->type));
            ok = false;
            continue;
        }
        t = u;
    }
    if (!ok)
        return NULL;
    plan_expr *x = px_new(s, PX_CASE, t, total);
    x->has_else = e->rhs != NULL;
    for (int i = 0; i < total; i++) {
        const ast_expr *a = i < n ? e->args.items[i] : e->rhs;
        bool is_cond = i < n && i % 2 == 0;
        x->args[i] = is_cond || t == FT_NULL ? xs[i] : sema_coerce(s, xs[i], t, a->span, "branch");
        if (!x->args[i])
            return NULL;
    }
    return x;
}

static plan_expr *walk_in(expr_walk *w, const ast_expr *e)
{
    sema *s = w->s;
    plan_expr *l = walk(w, e->lhs);
    int n = e->args.len;
    plan_expr **xs = arena_alloc(s->mem, sizeof(plan_expr *) * (size_t)(n + 1));
    bool ok = l != NULL;
    ftype t = l ? l->type : FT_NULL;
    for (int i = 0; i < n; i++) {
        const ast_expr *a = e->args.items[i];
        xs[i] = walk(w, a);
        if (!xs[i]) {
            ok = false;
            continue;
        }
        ftype u = unify(t, xs[i]->type);
        if (u == FT_ERROR || u == FT_DURATION) {
            diag_error(s->d, a->span, "'in' list item of type %s does not match %s", ftype_name(xs[i]->type),
                       ftype_name(t));
            ok = false;
            continue;
        }
        t = u;
    }
    if (!ok)
        return NULL;
    if (t == FT_NULL)
        t = FT_BOOL;
    plan_expr *x = px_new(s, PX_IN, FT_BOOL, n + 1);
    x->negated = e->negated;
    x->operand_type = t;
    x->args[0] = sema_coerce(s, l, t, e->lhs->span, "operand");
    for (int i = 0; i < n; i++)
        if (!(x->args[i + 1] = sema_coerce(s, xs[i], t, ((ast_expr *)e->args.items[i])->span, "item")))
            return NULL;
    return x;
}

static plan_expr *walk(expr_walk *w, const ast_expr *e)
{
    sema *s = w->s;
    if (++w->depth > SEMA_MAX_DEPTH) {
        diag_error(s->d, e->span, "expression nested too deeply (more than %d levels)", SEMA_MAX_DEPTH);
        w->depth = -1000000; /* report once */
        return NULL;
    }
    plan_expr *x = NULL;
    plan_value v = {0};
    switch (e->kind) {
    case AST_INT:
        v.type = FT_INT;
        v.i = e->int_value;
        x = sema_const(s, v);
        break;
    case AST_FLOAT:
        v.type = FT_FLOAT;
        v.f = e->float_value;
        x = sema_const(s, v);
        break;
    case AST_STRING:
        v.type = FT_STRING;
        v.s = e->str;
        v.s_len = e->str_len;
        x = sema_const(s, v);
        break;
    case AST_BOOL:
        v.type = FT_BOOL;
        v.b = e->bool_value;
        x = sema_const(s, v);
        break;
    case AST_NULL:
        v.type = FT_NULL;
        v.is_null = true;
        x = sema_const(s, v);
        break;
    case AST_DURATION:
        v.type = FT_DURATION;
        v.i = e->int_value;
        x = sema_const(s, v);
        break;
    case AST_NAME: x = walk_name(w, e); break;
    case AST_DOT: x = walk_dot(w, e); break;
    case AST_UNARY:
        if (e->op == AST_OP_NOT) {
            plan_expr *a = walk_typed(w, e->lhs, ok_bool, "'not' takes a bool");
            if (a) {
                x = px_new(s, PX_NOT, FT_BOOL, 1);
                x->args[0] = sema_coerce(s, a, FT_BOOL, e->lhs->span, "operand");
            }
        } else {
            plan_expr *a = walk(w, e->lhs);
            if (a && a->kind == PX_CONST && a->type == FT_DURATION) {
                v = a->value;
                v.i = -v.i;
                x = sema_const(s, v);
            } else if (a && (is_numeric(a->type) || a->type == FT_NULL)) {
                ftype t = a->type == FT_NULL ? FT_INT : a->type;
                x = px_new(s, PX_NEG, t, 1);
                x->args[0] = sema_coerce(s, a, t, e->lhs->span, "operand");
            } else if (a) {
                diag_error(s->d, e->span, "unary '-' takes a number, not %s %s", a->type == FT_INT ? "an" : "a",
                           ftype_name(a->type));
            }
        }
        break;
    case AST_BINARY: x = walk_binary(w, e); break;
    case AST_IS_NULL: {
        plan_expr *a = walk(w, e->lhs);
        if (a) {
            x = px_new(s, PX_IS_NULL, FT_BOOL, 1);
            x->negated = e->negated;
            x->args[0] = a->type == FT_NULL ? sema_coerce(s, a, FT_BOOL, e->span, "operand") : a;
        }
        break;
    }
    case AST_IN: x = walk_in(w, e); break;
    case AST_CASE: x = walk_case(w, e); break;
    case AST_CALL: x = walk_call(w, e); break;
    }
    w->depth--;
    return x;
}

plan_expr *sema_expr(sema *s, const sema_scope *scope, const ast_expr *e)
{
    expr_walk w = {.s = s, .scope = scope};
    plan_expr *x = walk(&w, e);
    if (x && x->type == FT_DURATION) {
        diag_error(s->d, e->span, "a duration is not a value on its own; add it to a timestamp");
        return NULL;
    }
    return x;
}

plan_expr *sema_condition(sema *s, const sema_scope *scope, const ast_expr *e, const char *what)
{
    plan_expr *x = sema_expr(s, scope, e);
    if (!x)
        return NULL;
    if (x->type != FT_BOOL && x->type != FT_NULL) {
        diag_error(s->d, e->span, "'%s' needs a bool condition, not %s %s", what, x->type == FT_INT ? "an" : "a",
                   ftype_name(x->type));
        return NULL;
    }
    return sema_coerce(s, x, FT_BOOL, e->span, what);
}
