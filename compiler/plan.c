/* plan.c - helpers over the feature plan and its readable dump (featc check --dump=plan). */
#include "plan.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const plan_service *plan_find_service(const plan *p, const char *name)
{
    for (int i = 0; i < p->nservices; i++)
        if (strcmp(p->services[i].name, name) == 0)
            return &p->services[i];
    return NULL;
}

int plan_view_ncolumns(const plan *p, const plan_view *v) { return p->sources[v->source].nfields + v->nlets; }

const char *plan_view_column_name(const plan *p, const plan_view *v, int column)
{
    const plan_source *src = &p->sources[v->source];
    assert(column >= 0 && column < src->nfields + v->nlets);
    return column < src->nfields ? src->fields[column].name : v->lets[column - src->nfields].name;
}

ftype plan_view_column_type(const plan *p, const plan_view *v, int column)
{
    const plan_source *src = &p->sources[v->source];
    assert(column >= 0 && column < src->nfields + v->nlets);
    return column < src->nfields ? src->fields[column].type : v->lets[column - src->nfields].type;
}

static void dump_value(const plan_value *v, FILE *out)
{
    if (v->is_null || v->type == FT_NULL) {
        fputs("null", out);
        return;
    }
    switch (v->type) {
    case FT_BOOL: fputs(v->b ? "true" : "false", out); break;
    case FT_INT: fprintf(out, "%" PRId64, v->i); break;
    case FT_FLOAT: fprintf(out, "%.17g", v->f); break;
    case FT_TIMESTAMP:
    case FT_DURATION: fprintf(out, "%" PRId64 "us", v->i); break;
    case FT_STRING:
        fputc('\'', out);
        for (size_t i = 0; i < v->s_len; i++) {
            unsigned char c = (unsigned char)v->s[i];
            if (c == '\'')
                fputs("''", out);
            else if (c < 0x20 || c == 0x7F)
                fprintf(out, "\\x%02x", c);
            else
                fputc(c, out);
        }
        fputc('\'', out);
        break;
    default: fputs("?", out); break;
    }
}

static const char *arith_text(plan_arith a)
{
    static const char *const t[] = {"+", "-", "*", "/", "%"};
    return t[a];
}

static const char *cmp_text(plan_cmp c)
{
    static const char *const t[] = {"=", "!=", "<", "<=", ">", ">="};
    return t[c];
}

/* Prints an expression as a fully parenthesised S-expression with types. */
static void dump_expr(const plan *p, const plan_view *v, const plan_expr *x, FILE *out)
{
    switch (x->kind) {
    case PX_CONST: dump_value(&x->value, out); return;
    case PX_COLUMN:
        if (v)
            fprintf(out, "%s", plan_view_column_name(p, v, x->index));
        else
            fprintf(out, "$%d", x->index);
        return;
    case PX_REQUEST: fprintf(out, "request.%d", x->index); return;
    case PX_FEATURE: fprintf(out, "%s.%s", p->views[x->view].name, p->views[x->view].features[x->index].name); return;
    case PX_OD_FEATURE: fprintf(out, "%s.%s", p->blocks[x->block].name, p->blocks[x->block].features[x->index].name); return;
    case PX_NOW: fputs("now()", out); return;
    default: break;
    }
    const char *head = "?";
    switch (x->kind) {
    case PX_TO_FLOAT: head = "to_float"; break;
    case PX_NEG: head = "neg"; break;
    case PX_NOT: head = "not"; break;
    case PX_AND: head = "and"; break;
    case PX_OR: head = "or"; break;
    case PX_ARITH: head = arith_text(x->arith); break;
    case PX_TS_ADD: head = "ts+"; break;
    case PX_TS_SUB: head = "ts-"; break;
    case PX_CONCAT: head = "||"; break;
    case PX_COMPARE: head = cmp_text(x->cmp); break;
    case PX_IS_NULL: head = x->negated ? "is-not-null" : "is-null"; break;
    case PX_IN: head = x->negated ? "not-in" : "in"; break;
    case PX_CASE: head = x->has_else ? "case-else" : "case"; break;
    case PX_CALL: head = plan_fn_name(x->fn); break;
    default: break;
    }
    fprintf(out, "(%s", head);
    if (x->kind == PX_ARITH || x->kind == PX_COMPARE || x->kind == PX_IN)
        fprintf(out, ":%s", ftype_name(x->operand_type));
    for (int i = 0; i < x->nargs; i++) {
        fputc(' ', out);
        dump_expr(p, v, x->args[i], out);
    }
    fprintf(out, "):%s", ftype_name(x->type));
}

static void dump_window(const plan_window *w, FILE *out)
{
    switch (w->kind) {
    case PW_LIFETIME: fputs("lifetime", out); break;
    case PW_SLIDING: fprintf(out, "sliding %" PRId64 "us", w->size_us); break;
    case PW_HOP: fprintf(out, "hop %" PRId64 "us step %" PRId64 "us", w->size_us, w->hop_us); break;
    }
}

void plan_dump(const plan *p, FILE *out)
{
    for (int i = 0; i < p->nentities; i++) {
        const plan_entity *e = &p->entities[i];
        fprintf(out, "entity %s (", e->name);
        for (int k = 0; k < e->nkeys; k++)
            fprintf(out, "%s%s: %s", k ? ", " : "", e->keys[k].name, ftype_name(e->keys[k].type));
        fputs(")\n", out);
    }
    for (int i = 0; i < p->nsources; i++) {
        const plan_source *s = &p->sources[i];
        static const char *const kinds[] = {"stream", "table", "request"};
        fprintf(out, "source %d %s %s table=\"%s\"", i, kinds[s->kind], s->name, s->sql_table);
        if (s->time_field >= 0)
            fprintf(out, " time=%s", s->fields[s->time_field].name);
        if (s->seq_field >= 0)
            fprintf(out, " seq=%s", s->fields[s->seq_field].name);
        if (s->lateness_us)
            fprintf(out, " lateness=%" PRId64 "us", s->lateness_us);
        if (s->arrival_field >= 0)
            fprintf(out, " arrival=%s", s->fields[s->arrival_field].name);
        if (s->kind != PS_REQUEST && s->max_ahead_us == PLAN_NO_MAX_AHEAD)
            fputs(" max_ahead=none", out);
        else if (s->kind != PS_REQUEST)
            fprintf(out, " max_ahead=%" PRId64 "us", s->max_ahead_us);
        if (s->unique_field >= 0)
            fprintf(out, " unique=%s", s->fields[s->unique_field].name);
        fputc('\n', out);
        for (int k = 0; k < s->nfields; k++)
            fprintf(out, "  field %d %s: %s%s\n", k, s->fields[k].name, ftype_name(s->fields[k].type),
                    s->fields[k].not_null ? " not null" : "");
        for (int k = 0; k < s->nexpects; k++) {
            fprintf(out, "  expect ");
            dump_expr(p, NULL, s->expects[k].cond, out);
            fputc('\n', out);
        }
    }
    for (int i = 0; i < p->nviews; i++) {
        const plan_view *v = &p->views[i];
        fprintf(out, "view %d %s on %s by %s(", i, v->name, p->sources[v->source].name, p->entities[v->entity].name);
        for (int k = 0; k < p->entities[v->entity].nkeys; k++)
            fprintf(out, "%s%s", k ? ", " : "", plan_view_column_name(p, v, v->key_columns[k]));
        fputs(")\n", out);
        if (v->where) {
            fputs("  where ", out);
            dump_expr(p, v, v->where, out);
            fputc('\n', out);
        }
        for (int k = 0; k < v->nlets; k++) {
            fprintf(out, "  let %s: %s = ", v->lets[k].name, ftype_name(v->lets[k].type));
            dump_expr(p, v, v->lets[k].value, out);
            fputc('\n', out);
        }
        for (int k = 0; k < v->nfeatures; k++) {
            const plan_feature *f = &v->features[k];
            fprintf(out, "  feature %d %s: %s = %s(", k, f->name, ftype_name(f->type), plan_agg_name(f->agg));
            if (f->input)
                dump_expr(p, v, f->input, out);
            if (f->agg == PG_PERCENTILE) {
                char text[PLAN_FLOAT_TEXT];
                plan_float_fmt(text, f->pct_p);
                fprintf(out, ", %s", text);
            } else if (f->list_n > 0)
                fprintf(out, ", %d", f->list_n);
            fputs(") ", out);
            dump_window(&f->window, out);
            if (f->filter) {
                fputs(" where ", out);
                dump_expr(p, v, f->filter, out);
            }
            if (f->ttl_us)
                fprintf(out, " ttl %" PRId64 "us", f->ttl_us);
            if (f->has_default) {
                fputs(" default ", out);
                dump_value(&f->dflt, out);
            }
            fputc('\n', out);
        }
    }
    for (int i = 0; i < p->nblocks; i++) {
        const plan_on_demand *b = &p->blocks[i];
        fprintf(out, "on_demand %d %s request=%s\n", i, b->name,
                b->request_source >= 0 ? p->sources[b->request_source].name : "-");
        for (int k = 0; k < b->nfeatures; k++) {
            fprintf(out, "  feature %d %s: %s = ", k, b->features[k].name, ftype_name(b->features[k].type));
            dump_expr(p, NULL, b->features[k].value, out);
            fputc('\n', out);
        }
    }
    for (int i = 0; i < p->nservices; i++) {
        const plan_service *s = &p->services[i];
        fprintf(out, "service %d %s request=%s keys(", i, s->name,
                s->request_source >= 0 ? p->sources[s->request_source].name : "-");
        for (int k = 0; k < s->nkeys; k++)
            fprintf(out, "%s%s: %s", k ? ", " : "", s->keys[k].name, ftype_name(s->keys[k].type));
        fputs(")\n", out);
        for (int k = 0; k < s->nblocks; k++)
            fprintf(out, "  evaluates %s\n", p->blocks[s->blocks[k]].name);
        for (int k = 0; k < s->noutputs; k++)
            fprintf(out, "  output %s: %s\n", s->outputs[k].column, ftype_name(s->outputs[k].type));
    }
}

void plan_float_fmt(char buf[PLAN_FLOAT_TEXT], double f)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, PLAN_FLOAT_TEXT, "%.*g", digits, f);
        if (strtod(buf, NULL) == f)
            return;
    }
}
