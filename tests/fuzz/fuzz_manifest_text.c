/* fuzz_manifest_text.c - a parsed program written back as manifest text, and programs compared field by field. */
#include "fuzz_manifest_text.h"

#include "fuzz_check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_name(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(f, "\\x%02x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static const char *type_name(rt_type t)
{
    const char *n = rt_prog_type_name(t);
    FUZZ_CHECK(n != NULL, "type %d out of range", (int)t);
    return n;
}

static void put_default(FILE *f, const rt_prog_feature *ft)
{
    if (!ft->has_default) {
        fputc('-', f);
        return;
    }
    const rt_slot *d = &ft->dflt;
    switch (ft->out_type) {
    case RT_BOOL: fputs(d->v.i ? "true" : "false", f); break;
    case RT_INT:
    case RT_TIMESTAMP: fprintf(f, "%" PRId64, d->v.i); break;
    case RT_FLOAT: fprintf(f, "%a", d->v.f); break;
    case RT_STRING: {
        /* a string default may hold NUL bytes: written byte by byte */
        fputc('"', f);
        for (uint32_t i = 0; i < d->len; i++) {
            unsigned char c = (unsigned char)d->v.s[i];
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\x%02x", c);
            else
                fputc(c, f);
        }
        fputc('"', f);
        break;
    }
    }
}

static void put_source(FILE *f, const rt_prog_source *s)
{
    static const char *const kinds[] = {"stream", "table", "request"};
    fputs("source ", f);
    put_name(f, s->name);
    fprintf(f, " %s %d %d %d %" PRId64 " %d %d %" PRId64 " %d\n", kinds[s->kind], s->nfields, s->time_field,
            s->seq_field, s->lateness_us, s->nexpects, s->arrival_field, s->max_ahead_us, s->unique_field);
    for (int i = 0; i < s->nfields; i++) {
        fputs("field ", f);
        put_name(f, s->fields[i].name);
        fprintf(f, " %s %s\n", type_name(s->fields[i].type), s->fields[i].not_null ? "notnull" : "null");
    }
    for (int i = 0; i < s->nexpects; i++) {
        fputs("expect ", f);
        put_name(f, s->expects[i]);
        fputc('\n', f);
    }
}

static void put_view(FILE *f, const rt_prog_view *v)
{
    static const char *const wins[] = {"lifetime", "sliding", "hop"};
    fputs("view ", f);
    put_name(f, v->name);
    fprintf(f, " %d %d %d\n", v->source, v->nkeys, v->nfeatures);
    for (int k = 0; k < v->nkeys; k++)
        fprintf(f, "key %s %d\n", type_name(v->key_types[k]), v->key_columns[k]);
    for (int i = 0; i < v->nfeatures; i++) {
        const rt_prog_feature *ft = &v->features[i];
        fputs("feature ", f);
        put_name(f, ft->name);
        fprintf(f, " %s %s %s %s %" PRId64 " %" PRId64 " %" PRId64 " ", rt_prog_agg_name(ft->agg),
                ft->has_input ? type_name(ft->in_type) : "-", type_name(ft->out_type), wins[ft->win], ft->size_us,
                ft->hop_us, ft->ttl_us);
        put_default(f, ft);
        fputc('\n', f);
    }
}

static void put_block(FILE *f, const rt_prog_block *b)
{
    fputs("block ", f);
    put_name(f, b->name);
    fprintf(f, " %d %d %d %d\n", b->request_source, b->nviews, b->nblocks, b->nfeatures);
    for (int i = 0; i < b->nviews; i++)
        fprintf(f, "reads-view %d\n", b->views[i]);
    for (int i = 0; i < b->nblocks; i++)
        fprintf(f, "reads-block %d\n", b->blocks[i]);
    for (int i = 0; i < b->nfeatures; i++) {
        fputs("odfeature ", f);
        put_name(f, b->features[i].name);
        fprintf(f, " %s\n", type_name(b->features[i].type));
    }
}

static void put_service(FILE *f, const rt_program *p, const rt_prog_service *s)
{
    fputs("service ", f);
    put_name(f, s->name);
    fprintf(f, " %d %d %d %d %d\n", s->request_source, s->nkeys, s->nviews, s->nblocks, s->noutputs);
    for (int k = 0; k < s->nkeys; k++) {
        fputs("skey ", f);
        put_name(f, s->keys[k].name);
        fprintf(f, " %s %d\n", type_name(s->keys[k].type), s->keys[k].request_field);
    }
    for (int i = 0; i < s->nviews; i++) {
        fprintf(f, "sview %d", s->views[i].view);
        for (int k = 0; k < p->views[s->views[i].view].nkeys; k++)
            fprintf(f, " %d", s->views[i].key_map[k]);
        fputc('\n', f);
    }
    for (int i = 0; i < s->nblocks; i++)
        fprintf(f, "sblock %d\n", s->blocks[i]);
    for (int i = 0; i < s->noutputs; i++) {
        const rt_prog_output *o = &s->outputs[i];
        fputs("output ", f);
        put_name(f, o->column);
        fprintf(f, " %s %s %d %d\n", type_name(o->type), o->kind == RT_OUT_VIEW ? "view" : "block", o->owner,
                o->feature);
    }
}

char *fuzz_manifest_print(const rt_program *p, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    FUZZ_CHECK(f != NULL, "out of memory");
    fprintf(f, "featc-manifest %d\n", RT_MANIFEST_VERSION);
    for (int i = 0; i < p->nsources; i++)
        put_source(f, &p->sources[i]);
    for (int i = 0; i < p->nviews; i++)
        put_view(f, &p->views[i]);
    for (int i = 0; i < p->nblocks; i++)
        put_block(f, &p->blocks[i]);
    for (int i = 0; i < p->nservices; i++)
        put_service(f, p, &p->services[i]);
    fputs("end\n", f);
    FUZZ_CHECK(fclose(f) == 0, "writing the manifest failed");
    return text;
}

static char diff_msg[256];

#define DIFF(cond, ...) \
    do { \
        if (cond) { \
            snprintf(diff_msg, sizeof diff_msg, __VA_ARGS__); \
            return diff_msg; \
        } \
    } while (0)

static bool same_ints(const int *a, const int *b, int n)
{
    return n == 0 || memcmp(a, b, sizeof *a * (size_t)n) == 0;
}

static const char *diff_sources(const rt_prog_source *a, const rt_prog_source *b, int i)
{
    DIFF(strcmp(a->name, b->name) || a->kind != b->kind || a->nfields != b->nfields || a->time_field != b->time_field ||
             a->seq_field != b->seq_field || a->lateness_us != b->lateness_us || a->nexpects != b->nexpects ||
             a->arrival_field != b->arrival_field || a->max_ahead_us != b->max_ahead_us ||
             a->unique_field != b->unique_field,
         "source %d", i);
    for (int k = 0; k < a->nfields; k++)
        DIFF(strcmp(a->fields[k].name, b->fields[k].name) || a->fields[k].type != b->fields[k].type ||
                 a->fields[k].not_null != b->fields[k].not_null,
             "source %d field %d", i, k);
    for (int k = 0; k < a->nexpects; k++)
        DIFF(strcmp(a->expects[k], b->expects[k]), "source %d expect %d", i, k);
    return NULL;
}

static bool same_default(const rt_prog_feature *a, const rt_prog_feature *b)
{
    if (a->has_default != b->has_default)
        return false;
    if (!a->has_default)
        return true;
    switch (a->out_type) {
    case RT_FLOAT: return memcmp(&a->dflt.v.f, &b->dflt.v.f, sizeof(double)) == 0;
    case RT_STRING: return a->dflt.len == b->dflt.len && memcmp(a->dflt.v.s, b->dflt.v.s, a->dflt.len) == 0;
    default: return a->dflt.v.i == b->dflt.v.i;
    }
}

static const char *diff_views(const rt_prog_view *a, const rt_prog_view *b, int i)
{
    DIFF(strcmp(a->name, b->name) || a->source != b->source || a->nkeys != b->nkeys || a->nfeatures != b->nfeatures,
         "view %d", i);
    DIFF(!same_ints((const int *)a->key_types, (const int *)b->key_types, a->nkeys) ||
             !same_ints(a->key_columns, b->key_columns, a->nkeys),
         "view %d keys", i);
    for (int k = 0; k < a->nfeatures; k++) {
        const rt_prog_feature *x = &a->features[k], *y = &b->features[k];
        DIFF(strcmp(x->name, y->name) || x->agg != y->agg || x->has_input != y->has_input ||
                 (x->has_input && x->in_type != y->in_type) || x->out_type != y->out_type || x->win != y->win ||
                 x->size_us != y->size_us || x->hop_us != y->hop_us || x->ttl_us != y->ttl_us || !same_default(x, y),
             "view %d feature %d", i, k);
    }
    return NULL;
}

static const char *diff_blocks(const rt_prog_block *a, const rt_prog_block *b, int i)
{
    DIFF(strcmp(a->name, b->name) || a->request_source != b->request_source || a->nviews != b->nviews ||
             a->nblocks != b->nblocks || a->nfeatures != b->nfeatures || !same_ints(a->views, b->views, a->nviews) ||
             !same_ints(a->blocks, b->blocks, a->nblocks),
         "block %d", i);
    for (int k = 0; k < a->nfeatures; k++)
        DIFF(strcmp(a->features[k].name, b->features[k].name) || a->features[k].type != b->features[k].type,
             "block %d feature %d", i, k);
    return NULL;
}

static const char *diff_services(const rt_program *p, const rt_prog_service *a, const rt_prog_service *b, int i)
{
    DIFF(strcmp(a->name, b->name) || a->request_source != b->request_source || a->nkeys != b->nkeys ||
             a->nviews != b->nviews || a->nblocks != b->nblocks || a->noutputs != b->noutputs ||
             !same_ints(a->blocks, b->blocks, a->nblocks),
         "service %d", i);
    for (int k = 0; k < a->nkeys; k++)
        DIFF(strcmp(a->keys[k].name, b->keys[k].name) || a->keys[k].type != b->keys[k].type ||
                 a->keys[k].request_field != b->keys[k].request_field,
             "service %d key %d", i, k);
    for (int k = 0; k < a->nviews; k++)
        DIFF(a->views[k].view != b->views[k].view ||
                 !same_ints(a->views[k].key_map, b->views[k].key_map, p->views[a->views[k].view].nkeys),
             "service %d view %d", i, k);
    for (int k = 0; k < a->noutputs; k++) {
        const rt_prog_output *x = &a->outputs[k], *y = &b->outputs[k];
        DIFF(strcmp(x->column, y->column) || x->type != y->type || x->kind != y->kind || x->owner != y->owner ||
                 x->feature != y->feature,
             "service %d output %d", i, k);
    }
    return NULL;
}

const char *fuzz_program_diff(const rt_program *a, const rt_program *b)
{
    DIFF(a->nsources != b->nsources || a->nviews != b->nviews || a->nblocks != b->nblocks ||
             a->nservices != b->nservices,
         "counts of records");
    const char *d = NULL;
    for (int i = 0; i < a->nsources && !d; i++)
        d = diff_sources(&a->sources[i], &b->sources[i], i);
    for (int i = 0; i < a->nviews && !d; i++)
        d = diff_views(&a->views[i], &b->views[i], i);
    for (int i = 0; i < a->nblocks && !d; i++)
        d = diff_blocks(&a->blocks[i], &b->blocks[i], i);
    for (int i = 0; i < a->nservices && !d; i++)
        d = diff_services(a, &a->services[i], &b->services[i], i);
    return d;
}
