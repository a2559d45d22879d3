/* manifest.c - writes the runtime manifest: the text form of a plan that libfeatrt parses. */
#include "manifest.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const window_names[] = {"lifetime", "sliding", "hop"};

static const char *const source_kinds[] = {"stream", "table", "request"};

/* Writes bytes as a quoted token: \\ and \" escaped, control bytes and DEL as \xHH. */
static void put_quoted(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void put_name(FILE *out, const char *s)
{
    put_quoted(out, s, strlen(s));
}

static const char *type_token(ftype t)
{
    assert(t >= FT_BOOL && t <= FT_TIMESTAMP);
    return ftype_name(t);
}

/* The default of a feature: "-" (none), "null", or a literal of the feature's type. Floats
 * are written in C's hexadecimal form so that the exact double survives. */
static void put_default(FILE *out, const plan_feature *f)
{
    if (!f->has_default) {
        fputs("-", out);
        return;
    }
    const plan_value *v = &f->dflt;
    if (v->is_null || v->type == FT_NULL) {
        fputs("null", out);
        return;
    }
    switch (f->type) {
    case FT_BOOL: fputs(v->b ? "true" : "false", out); break;
    case FT_INT:
    case FT_TIMESTAMP: fprintf(out, "%" PRId64, v->i); break;
    case FT_FLOAT: fprintf(out, "%a", v->f); break;
    case FT_STRING: put_quoted(out, v->s ? v->s : "", v->s ? v->s_len : 0); break;
    default: assert(!"default of a type without literals"); fputs("null", out);
    }
}

static void write_source(FILE *out, const plan_source *s)
{
    fputs("source ", out);
    put_name(out, s->name);
    fprintf(out, " %s %d %d %d %" PRId64 " %d %d %" PRId64 " %d\n", source_kinds[s->kind], s->nfields,
            s->time_field, s->seq_field, s->lateness_us, s->nexpects, s->arrival_field, s->max_ahead_us,
            s->unique_field);
    for (int i = 0; i < s->nfields; i++) {
        fputs("field ", out);
        put_name(out, s->fields[i].name);
        fprintf(out, " %s %s\n", type_token(s->fields[i].type), s->fields[i].not_null ? "notnull" : "null");
    }
    for (int i = 0; i < s->nexpects; i++) {
        fputs("expect ", out);
        put_name(out, s->expects[i].text ? s->expects[i].text : "");
        fputc('\n', out);
    }
}

static void write_view(FILE *out, const plan *p, const plan_view *v)
{
    const plan_entity *e = &p->entities[v->entity];
    fputs("view ", out);
    put_name(out, v->name);
    fprintf(out, " %d %d %d\n", v->source, e->nkeys, v->nfeatures);
    int nfields = p->sources[v->source].nfields;
    for (int k = 0; k < e->nkeys; k++) {
        if (v->key_columns[k] < nfields)
            fprintf(out, "key %s %d\n", type_token(e->keys[k].type), v->key_columns[k]);
        else /* a derived key: the row function computes it from a let */
            fprintf(out, "key %s let\n", type_token(e->keys[k].type));
    }
    for (int i = 0; i < v->nfeatures; i++) {
        const plan_feature *f = &v->features[i];
        assert((unsigned)f->agg < RT_AGG_COUNT_);
        fputs("feature ", out);
        put_name(out, f->name);
        fprintf(out, " %s %s %s %s %" PRId64 " %" PRId64 " %" PRId64 " ", rt_agg_info_of((rt_agg)f->agg)->word,
                f->agg == PG_COUNT_ROWS ? "-" : type_token(f->input_type), type_token(f->type),
                window_names[f->window.kind], f->window.size_us, f->window.hop_us, f->ttl_us);
        put_default(out, f);
        /* the parameter, only for the aggregations that take one (older readers see none) */
        if (f->agg == PG_PERCENTILE || f->agg == PG_MEDIAN)
            fprintf(out, " %a", f->pct_p);
        else if (f->list_n > 0)
            fprintf(out, " %d", f->list_n);
        fputc('\n', out);
    }
}

static void write_block(FILE *out, const plan_on_demand *b)
{
    fputs("block ", out);
    put_name(out, b->name);
    fprintf(out, " %d %d %d %d\n", b->request_source, b->nviews, b->nblocks, b->nfeatures);
    for (int i = 0; i < b->nviews; i++)
        fprintf(out, "reads-view %d\n", b->views[i]);
    for (int i = 0; i < b->nblocks; i++)
        fprintf(out, "reads-block %d\n", b->blocks[i]);
    for (int i = 0; i < b->nfeatures; i++) {
        fputs("odfeature ", out);
        put_name(out, b->features[i].name);
        fprintf(out, " %s\n", type_token(b->features[i].type));
    }
}

static void write_service(FILE *out, const plan *p, const plan_service *s)
{
    fputs("service ", out);
    put_name(out, s->name);
    fprintf(out, " %d %d %d %d %d\n", s->request_source, s->nkeys, s->nviews, s->nblocks, s->noutputs);
    for (int k = 0; k < s->nkeys; k++) {
        fputs("skey ", out);
        put_name(out, s->keys[k].name);
        fprintf(out, " %s %d\n", type_token(s->keys[k].type), s->key_request_field ? s->key_request_field[k] : -1);
    }
    for (int i = 0; i < s->nviews; i++) {
        const plan_service_view *sv = &s->views[i];
        fprintf(out, "sview %d", sv->view);
        int nkeys = p->entities[p->views[sv->view].entity].nkeys;
        for (int k = 0; k < nkeys; k++)
            fprintf(out, " %d", sv->key_map[k]);
        fputc('\n', out);
    }
    for (int i = 0; i < s->nblocks; i++)
        fprintf(out, "sblock %d\n", s->blocks[i]);
    for (int i = 0; i < s->noutputs; i++) {
        const plan_output *o = &s->outputs[i];
        fputs("output ", out);
        put_name(out, o->column);
        fprintf(out, " %s %s %d %d\n", type_token(o->type), o->kind == PO_VIEW_FEATURE ? "view" : "block", o->owner,
                o->feature);
    }
}

bool manifest_write(const plan *p, FILE *out)
{
    fprintf(out, "featc-manifest 1\n");
    for (int i = 0; i < p->nsources; i++)
        write_source(out, &p->sources[i]);
    for (int i = 0; i < p->nviews; i++)
        write_view(out, p, &p->views[i]);
    for (int i = 0; i < p->nblocks; i++)
        write_block(out, &p->blocks[i]);
    for (int i = 0; i < p->nservices; i++)
        write_service(out, p, &p->services[i]);
    fputs("end\n", out);
    return !ferror(out);
}

char *manifest_build(const plan *p, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    bool ok = manifest_write(p, f);
    if (fclose(f) != 0 || !ok) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}
