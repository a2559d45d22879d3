/* fuzz_program_check.c - what a parsed program must satisfy for the runtime: every index in range, every type agreeing. */
#include "fuzz_program_check.h"

#include "fuzz_check.h"

#include <string.h>

static bool type_ok(rt_type t)
{
    return t >= RT_BOOL && t <= RT_TIMESTAMP;
}

static bool name_ok(const char *s)
{
    return s && s[0];
}

static void check_source(const rt_program *p, int i)
{
    const rt_prog_source *s = &p->sources[i];
    FUZZ_CHECK(name_ok(s->name), "source %d has no name", i);
    for (int k = 0; k < i; k++)
        FUZZ_CHECK(strcmp(p->sources[k].name, s->name) != 0, "source name '%s' repeats", s->name);
    FUZZ_CHECK(s->kind >= RT_SOURCE_STREAM && s->kind <= RT_SOURCE_REQUEST, "source '%s': kind %d", s->name, s->kind);
    FUZZ_CHECK(s->nfields >= 0 && (s->nfields == 0 || s->fields), "source '%s': %d fields", s->name, s->nfields);
    for (int f = 0; f < s->nfields; f++)
        FUZZ_CHECK(name_ok(s->fields[f].name) && type_ok(s->fields[f].type), "source '%s' field %d", s->name, f);
    FUZZ_CHECK(s->nexpects >= 0 && (s->nexpects == 0 || s->expects), "source '%s': %d expects", s->name, s->nexpects);
    for (int e = 0; e < s->nexpects; e++)
        FUZZ_CHECK(s->expects[e] != NULL, "source '%s': expect %d has no text", s->name, e);
    int n = s->nfields;
    if (s->kind == RT_SOURCE_REQUEST) {
        FUZZ_CHECK(s->time_field == -1 && s->seq_field == -1 && s->lateness_us == 0 && s->nexpects == 0 &&
                       s->arrival_field == -1 && s->max_ahead_us == -1 && s->unique_field == -1,
                   "request source '%s' has event rules", s->name);
        return;
    }
    FUZZ_CHECK(s->time_field >= 0 && s->time_field < n && s->fields[s->time_field].type == RT_TIMESTAMP,
               "source '%s': time field %d", s->name, s->time_field);
    FUZZ_CHECK(s->seq_field == -1 || (s->seq_field >= 0 && s->seq_field < n && s->fields[s->seq_field].type == RT_INT),
               "source '%s': seq field %d", s->name, s->seq_field);
    FUZZ_CHECK(s->arrival_field == -1 || (s->arrival_field >= 0 && s->arrival_field < n &&
                                          s->fields[s->arrival_field].type == RT_TIMESTAMP &&
                                          s->fields[s->arrival_field].not_null),
               "source '%s': arrival field %d", s->name, s->arrival_field);
    FUZZ_CHECK(s->unique_field == -1 ||
                   (s->unique_field >= 0 && s->unique_field < n &&
                    (s->fields[s->unique_field].type == RT_INT || s->fields[s->unique_field].type == RT_STRING)),
               "source '%s': unique field %d", s->name, s->unique_field);
    FUZZ_CHECK(s->lateness_us >= 0 && s->max_ahead_us >= -1, "source '%s': lateness or max_ahead negative", s->name);
}

/* Whether the aggregation may take the feature's input and give its output. */
static bool agg_ok(const rt_prog_feature *f)
{
    bool num = f->has_input && (f->in_type == RT_INT || f->in_type == RT_FLOAT);
    switch (f->agg) {
    case RT_AGG_COUNT_ROWS: return !f->has_input && f->out_type == RT_INT;
    case RT_AGG_COUNT: return f->has_input && f->out_type == RT_INT;
    case RT_AGG_SUM: return num && f->out_type == f->in_type;
    case RT_AGG_AVG:
    case RT_AGG_VARIANCE:
    case RT_AGG_STDDEV: return num && f->out_type == RT_FLOAT;
    case RT_AGG_MIN:
    case RT_AGG_MAX: return f->has_input && f->in_type != RT_BOOL && f->out_type == f->in_type;
    case RT_AGG_FIRST:
    case RT_AGG_LAST: return f->has_input && f->out_type == f->in_type;
    case RT_AGG_COUNT_DISTINCT:
        return f->has_input && (f->in_type == RT_INT || f->in_type == RT_STRING || f->in_type == RT_BOOL) &&
               f->out_type == RT_INT;
    case RT_AGG_PERCENTILE:
    case RT_AGG_MEDIAN:
        return f->has_input && (f->in_type == RT_INT || f->in_type == RT_FLOAT || f->in_type == RT_TIMESTAMP) &&
               f->out_type == f->in_type;
    }
    return false;
}

static void check_view(const rt_program *p, int i)
{
    const rt_prog_view *v = &p->views[i];
    FUZZ_CHECK(name_ok(v->name), "view %d has no name", i);
    FUZZ_CHECK(v->source >= 0 && v->source < p->nsources && p->sources[v->source].kind != RT_SOURCE_REQUEST,
               "view '%s': source %d", v->name, v->source);
    const rt_prog_source *src = &p->sources[v->source];
    FUZZ_CHECK(v->nkeys >= 1 && v->key_types && v->key_columns, "view '%s': %d keys", v->name, v->nkeys);
    for (int k = 0; k < v->nkeys; k++)
        FUZZ_CHECK(v->key_columns[k] >= 0 && v->key_columns[k] < src->nfields &&
                       src->fields[v->key_columns[k]].type == v->key_types[k],
                   "view '%s': key %d", v->name, k);
    FUZZ_CHECK(v->nfeatures >= 0 && (v->nfeatures == 0 || v->features), "view '%s': %d features", v->name,
               v->nfeatures);
    for (int k = 0; k < v->nfeatures; k++) {
        const rt_prog_feature *f = &v->features[k];
        FUZZ_CHECK(name_ok(f->name) && (unsigned)f->agg <= RT_AGG_COUNT_DISTINCT && type_ok(f->out_type) &&
                       (!f->has_input || type_ok(f->in_type)) && agg_ok(f),
                   "view '%s' feature %d: aggregation or types", v->name, k);
        bool win = (f->win == RT_PWIN_LIFETIME && f->size_us == 0 && f->hop_us == 0) ||
                   (f->win == RT_PWIN_SLIDING && f->size_us > 0 && f->hop_us == 0) ||
                   (f->win == RT_PWIN_HOP && f->size_us > 0 && f->hop_us > 0 && f->size_us % f->hop_us == 0);
        FUZZ_CHECK(win, "view '%s' feature '%s': window", v->name, f->name);
        FUZZ_CHECK(f->ttl_us == 0 || (f->ttl_us > 0 && f->win == RT_PWIN_LIFETIME &&
                                      (f->agg == RT_AGG_FIRST || f->agg == RT_AGG_LAST)),
                   "view '%s' feature '%s': ttl", v->name, f->name);
        FUZZ_CHECK(!f->has_default || f->out_type != RT_STRING || f->dflt.v.s || f->dflt.len == 0,
                   "view '%s' feature '%s': string default without bytes", v->name, f->name);
    }
}

static void check_block(const rt_program *p, int i)
{
    const rt_prog_block *b = &p->blocks[i];
    FUZZ_CHECK(name_ok(b->name), "block %d has no name", i);
    FUZZ_CHECK(b->request_source == -1 || (b->request_source >= 0 && b->request_source < p->nsources &&
                                           p->sources[b->request_source].kind == RT_SOURCE_REQUEST),
               "block '%s': request source %d", b->name, b->request_source);
    FUZZ_CHECK(b->nviews >= 0 && b->nblocks >= 0 && b->nfeatures >= 0, "block '%s': negative count", b->name);
    for (int k = 0; k < b->nviews; k++)
        FUZZ_CHECK(b->views[k] >= 0 && b->views[k] < p->nviews, "block '%s' reads view %d", b->name, b->views[k]);
    for (int k = 0; k < b->nblocks; k++)
        FUZZ_CHECK(b->blocks[k] >= 0 && b->blocks[k] < i, "block '%s' reads block %d", b->name, b->blocks[k]);
    for (int k = 0; k < b->nfeatures; k++)
        FUZZ_CHECK(name_ok(b->features[k].name) && type_ok(b->features[k].type), "block '%s' feature %d", b->name, k);
}

static int find(const int *a, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (a[i] == x)
            return i;
    return -1;
}

static bool lists_view(const rt_prog_service *s, int v)
{
    for (int i = 0; i < s->nviews; i++)
        if (s->views[i].view == v)
            return true;
    return false;
}

static void check_service(const rt_program *p, int i)
{
    const rt_prog_service *s = &p->services[i];
    FUZZ_CHECK(name_ok(s->name), "service %d has no name", i);
    for (int k = 0; k < i; k++)
        FUZZ_CHECK(strcmp(p->services[k].name, s->name) != 0, "service name '%s' repeats", s->name);
    FUZZ_CHECK(s->request_source == -1 || (s->request_source >= 0 && s->request_source < p->nsources &&
                                           p->sources[s->request_source].kind == RT_SOURCE_REQUEST),
               "service '%s': request source %d", s->name, s->request_source);
    const rt_prog_source *req = s->request_source >= 0 ? &p->sources[s->request_source] : NULL;
    FUZZ_CHECK(s->nkeys >= 0 && s->nviews >= 0 && s->nblocks >= 0 && s->noutputs >= 0, "service '%s': counts",
               s->name);
    for (int k = 0; k < s->nkeys; k++) {
        const rt_prog_key *key = &s->keys[k];
        FUZZ_CHECK(name_ok(key->name) && type_ok(key->type), "service '%s' key %d", s->name, k);
        for (int j = 0; j < k; j++)
            FUZZ_CHECK(strcmp(s->keys[j].name, key->name) != 0, "service '%s': key '%s' repeats", s->name, key->name);
        FUZZ_CHECK(key->request_field == -1 ||
                       (req && key->request_field >= 0 && key->request_field < req->nfields &&
                        req->fields[key->request_field].type == key->type),
                   "service '%s' key '%s': request field %d", s->name, key->name, key->request_field);
    }
    for (int k = 0; k < s->nviews; k++) {
        const rt_prog_sview *sv = &s->views[k];
        FUZZ_CHECK(sv->view >= 0 && sv->view < p->nviews, "service '%s' lists view %d", s->name, sv->view);
        for (int j = 0; j < k; j++)
            FUZZ_CHECK(s->views[j].view != sv->view, "service '%s' lists view %d twice", s->name, sv->view);
        const rt_prog_view *v = &p->views[sv->view];
        for (int m = 0; m < v->nkeys; m++)
            FUZZ_CHECK(sv->key_map[m] >= 0 && sv->key_map[m] < s->nkeys &&
                           s->keys[sv->key_map[m]].type == v->key_types[m],
                       "service '%s' view '%s': key map %d", s->name, v->name, m);
    }
    for (int k = 0; k < s->nblocks; k++) {
        int b = s->blocks[k];
        FUZZ_CHECK(b >= 0 && b < p->nblocks && find(s->blocks, k, b) < 0, "service '%s' runs block %d", s->name, b);
        const rt_prog_block *pb = &p->blocks[b];
        FUZZ_CHECK(pb->request_source < 0 || pb->request_source == s->request_source,
                   "service '%s': block '%s' takes another request source", s->name, pb->name);
        for (int j = 0; j < pb->nviews; j++)
            FUZZ_CHECK(lists_view(s, pb->views[j]), "service '%s': block '%s' reads an unlisted view", s->name,
                       pb->name);
        for (int j = 0; j < pb->nblocks; j++)
            FUZZ_CHECK(find(s->blocks, k, pb->blocks[j]) >= 0, "service '%s': block '%s' reads a block not run before",
                       s->name, pb->name);
    }
    for (int k = 0; k < s->noutputs; k++) {
        const rt_prog_output *o = &s->outputs[k];
        FUZZ_CHECK(name_ok(o->column) && type_ok(o->type), "service '%s' output %d", s->name, k);
        if (o->kind == RT_OUT_VIEW) {
            FUZZ_CHECK(o->owner >= 0 && o->owner < p->nviews && lists_view(s, o->owner) && o->feature >= 0 &&
                           o->feature < p->views[o->owner].nfeatures &&
                           p->views[o->owner].features[o->feature].out_type == o->type,
                       "service '%s' output '%s': view %d feature %d", s->name, o->column, o->owner, o->feature);
        } else {
            FUZZ_CHECK(o->kind == RT_OUT_BLOCK && o->owner >= 0 && o->owner < p->nblocks &&
                           find(s->blocks, s->nblocks, o->owner) >= 0 && o->feature >= 0 &&
                           o->feature < p->blocks[o->owner].nfeatures &&
                           p->blocks[o->owner].features[o->feature].type == o->type,
                       "service '%s' output '%s': block %d feature %d", s->name, o->column, o->owner, o->feature);
        }
    }
}

void fuzz_check_program(const rt_program *p)
{
    FUZZ_CHECK(p->nsources >= 0 && p->nviews >= 0 && p->nblocks >= 0 && p->nservices >= 0, "negative counts");
    for (int i = 0; i < p->nsources; i++)
        check_source(p, i);
    for (int i = 0; i < p->nviews; i++)
        check_view(p, i);
    for (int i = 0; i < p->nblocks; i++)
        check_block(p, i);
    for (int i = 0; i < p->nservices; i++)
        check_service(p, i);
}
