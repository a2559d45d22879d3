/* rt_engine.c - the streaming engine: arrival rules, view state, and answering services. */
#include "rt_engine.h"

#include "rt_agg.h"
#include "rt_state.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The manifest's window kinds follow the plan's order, as the state's do. */
_Static_assert((int)RT_PWIN_LIFETIME == (int)RT_WIN_LIFETIME && (int)RT_PWIN_SLIDING == (int)RT_WIN_SLIDING &&
                   (int)RT_PWIN_HOP == (int)RT_WIN_HOP,
               "window enums differ");

typedef struct eng_source {
    rt_schema schema;
    rt_field *fields;
    const rt_expect_fn *expect; /* points at fns->expect[src], the context of rt_expect_abi */
    rt_arrival arr;   /* the arrival rules: ahead, late, duplicate (part -1) */
    rt_arrival *parts; /* rt_engine_set_parts: the rules of each part */
    int nparts;
    uint64_t no_time; /* records applied with a null time */
    int nviews;       /* active views reading this source */
    int *views;
} eng_source;

typedef struct eng_view {
    rt_view_state *state; /* NULL when inactive */
    int64_t horizon;
} eng_view;

struct rt_engine {
    const rt_program *p;
    const rt_fn_table *fns;
    eng_source *sources;
    eng_view *views;
    rt_scratch scratch; /* for row functions; reset after every event */
    rt_slot *keys;      /* row function outputs, sized for the widest view */
    rt_slot *inputs;
    int width;          /* slots per event in keys and inputs */
    /* rt_engine_apply_batch: row function outputs of up to ENG_BATCH events */
    rt_slot *bkeys, *binputs;
    rt_view_event *bevs;
    int64_t *bts;
    unsigned char *bok;
};

/* Events whose view updates rt_engine_apply_batch hands over together. */
#define ENG_BATCH 64

static bool setup_source(rt_engine *e, int s)
{
    const rt_prog_source *ps = &e->p->sources[s];
    eng_source *es = &e->sources[s];
    if (ps->kind != RT_SOURCE_REQUEST)
        rt_arrival_init(&es->arr, ps->lateness_us, ps->max_ahead_us, ps->unique_field >= 0,
                        ps->unique_field >= 0 ? ps->fields[ps->unique_field].type : RT_INT);
    es->fields = calloc((size_t)ps->nfields + 1, sizeof *es->fields);
    es->views = calloc((size_t)e->p->nviews + 1, sizeof *es->views);
    if (!es->fields || !es->views)
        return false;
    for (int i = 0; i < ps->nfields; i++)
        es->fields[i] = (rt_field){ps->fields[i].name, ps->fields[i].type, ps->fields[i].not_null};
    es->schema = (rt_schema){.name = ps->name,
                             .nfields = ps->nfields,
                             .fields = es->fields,
                             .time_field = ps->time_field,
                             .nexpects = ps->nexpects,
                             .expect_texts = ps->expects};
    if (ps->nexpects > 0 && e->fns->expect[s]) {
        es->expect = &e->fns->expect[s];
        es->schema.expect = rt_expect_abi;
        es->schema.expect_ctx = (void *)es->expect;
    }
    return true;
}

/* Creates the window state of view v from its manifest description. */
static rt_view_state *new_view_state(const rt_program *p, int v)
{
    const rt_prog_view *pv = &p->views[v];
    rt_feature_desc *fd = calloc((size_t)pv->nfeatures + 1, sizeof *fd);
    if (!fd)
        return NULL;
    for (int i = 0; i < pv->nfeatures; i++) {
        const rt_prog_feature *f = &pv->features[i];
        fd[i] = (rt_feature_desc){.agg = (rt_agg)f->agg,
                                  .in_type = f->has_input ? f->in_type : RT_INT,
                                  .out_type = f->out_type,
                                  .win = (rt_window_kind)f->win,
                                  .size_us = f->size_us,
                                  .hop_us = f->hop_us,
                                  .ttl_us = f->ttl_us,
                                  .pct_p = f->pct_p,
                                  .list_n = f->list_n,
                                  .has_default = f->has_default,
                                  .dflt = f->dflt};
    }
    rt_view_desc d = {.nkeys = pv->nkeys,
                      .key_types = pv->key_types,
                      .nfeatures = pv->nfeatures,
                      .features = fd,
                      .has_seq = p->sources[pv->source].seq_field >= 0};
    rt_view_state *s = rt_view_state_new(&d);
    free(fd);
    return s;
}

rt_engine *rt_engine_new(const rt_program *p, const rt_fn_table *fns, const bool *active, char *err, size_t errlen)
{
    if (!rt_program_check_fns(p, fns, err, errlen))
        return NULL;
    rt_engine *e = calloc(1, sizeof *e);
    if (!e)
        goto oom;
    e->p = p;
    e->fns = fns;
    rt_scratch_init(&e->scratch);
    e->sources = calloc((size_t)p->nsources + 1, sizeof *e->sources);
    e->views = calloc((size_t)p->nviews + 1, sizeof *e->views);
    int width = 1;
    for (int v = 0; v < p->nviews; v++) {
        width = p->views[v].nkeys > width ? p->views[v].nkeys : width;
        width = p->views[v].nfeatures > width ? p->views[v].nfeatures : width;
    }
    e->width = width;
    e->keys = calloc((size_t)width, sizeof *e->keys);
    e->inputs = calloc((size_t)width, sizeof *e->inputs);
    e->bkeys = calloc((size_t)width * ENG_BATCH, sizeof *e->bkeys);
    e->binputs = calloc((size_t)width * ENG_BATCH, sizeof *e->binputs);
    e->bevs = calloc(ENG_BATCH, sizeof *e->bevs);
    e->bts = calloc(ENG_BATCH, sizeof *e->bts);
    e->bok = calloc(ENG_BATCH, sizeof *e->bok);
    if (!e->sources || !e->views || !e->keys || !e->inputs || !e->bkeys || !e->binputs || !e->bevs || !e->bts ||
        !e->bok)
        goto oom;
    for (int s = 0; s < p->nsources; s++)
        if (!setup_source(e, s))
            goto oom;
    for (int v = 0; v < p->nviews; v++) {
        e->views[v].horizon = INT64_MIN;
        if (active && !active[v])
            continue;
        e->views[v].state = new_view_state(p, v);
        if (!e->views[v].state) {
            if (err && errlen)
                snprintf(err, errlen, "view '%s': the window state rejects its description", p->views[v].name);
            rt_engine_free(e);
            return NULL;
        }
        eng_source *es = &e->sources[p->views[v].source];
        es->views[es->nviews++] = v;
    }
    return e;
oom:
    if (err && errlen)
        snprintf(err, errlen, "out of memory");
    rt_engine_free(e);
    return NULL;
}

void rt_engine_free(rt_engine *e)
{
    if (!e)
        return;
    for (int s = 0; e->sources && s < e->p->nsources; s++) {
        free(e->sources[s].fields);
        free(e->sources[s].views);
        rt_arrival_free(&e->sources[s].arr);
        for (int i = 0; i < e->sources[s].nparts; i++)
            rt_arrival_free(&e->sources[s].parts[i]);
        free(e->sources[s].parts);
    }
    for (int v = 0; e->views && v < e->p->nviews; v++)
        rt_view_state_free(e->views[v].state);
    rt_scratch_free(&e->scratch);
    free(e->sources);
    free(e->views);
    free(e->keys);
    free(e->inputs);
    free(e->bkeys);
    free(e->binputs);
    free(e->bevs);
    free(e->bts);
    free(e->bok);
    free(e);
}

const rt_program *rt_engine_program(const rt_engine *e)
{
    return e->p;
}

const rt_schema *rt_engine_schema(const rt_engine *e, int src)
{
    assert(src >= 0 && src < e->p->nsources);
    return &e->sources[src].schema;
}

bool rt_engine_set_parts(rt_engine *e, int src, int nparts)
{
    assert(src >= 0 && src < e->p->nsources && nparts >= 0);
    const rt_prog_source *ps = &e->p->sources[src];
    eng_source *es = &e->sources[src];
    assert(ps->kind != RT_SOURCE_REQUEST);
    if (nparts <= es->nparts)
        return true;
    rt_arrival *parts = realloc(es->parts, (size_t)nparts * sizeof *parts);
    if (!parts)
        return false;
    for (int i = es->nparts; i < nparts; i++)
        rt_arrival_init(&parts[i], ps->lateness_us, ps->max_ahead_us, ps->unique_field >= 0,
                        ps->unique_field >= 0 ? ps->fields[ps->unique_field].type : RT_INT);
    es->parts = parts;
    es->nparts = nparts;
    return true;
}

int rt_engine_parts(const rt_engine *e, int src)
{
    assert(src >= 0 && src < e->p->nsources);
    return e->sources[src].nparts;
}

/* The arrival rules of part `part` of es (-1: the source's own). */
static inline rt_arrival *part_rules(eng_source *es, int part)
{
    assert(part >= -1 && part < es->nparts);
    return part < 0 ? &es->arr : &es->parts[part];
}

/* Decides an event by the arrival rules a of its source (which move the watermark and count); the
 * event is applied only when the result is RT_APPLY_ACCEPTED. */
static inline rt_apply_result admit(const rt_prog_source *ps, eng_source *es, rt_arrival *a, const rt_slot *record,
                                    int64_t arrival_us, int64_t *ts_out)
{
    const rt_slot *time = &record[ps->time_field];
    if (time->null) {
        es->no_time++;
        return RT_APPLY_NO_TIME;
    }
    int64_t arrival;
    bool has_arrival = rt_engine_arrival_of(ps, record, arrival_us, &arrival);
    const rt_slot *unique = ps->unique_field >= 0 ? &record[ps->unique_field] : NULL;
    *ts_out = time->v.i;
    return (rt_apply_result)rt_arrival_offer(a, time->v.i, has_arrival, arrival, unique);
}

rt_apply_result rt_engine_apply(rt_engine *e, int src, const rt_slot *record, int64_t arrival_us)
{
    return rt_engine_apply_part(e, src, -1, record, arrival_us);
}

rt_apply_result rt_engine_apply_part(rt_engine *e, int src, int part, const rt_slot *record, int64_t arrival_us)
{
    assert(src >= 0 && src < e->p->nsources);
    const rt_prog_source *ps = &e->p->sources[src];
    eng_source *es = &e->sources[src];
    assert(ps->kind != RT_SOURCE_REQUEST);
    int64_t ts;
    rt_apply_result r = admit(ps, es, part_rules(es, part), record, arrival_us, &ts);
    if (r != RT_APPLY_ACCEPTED)
        return r;
    const rt_slot *seq = ps->seq_field >= 0 ? &record[ps->seq_field] : NULL;
    for (int i = 0; i < es->nviews; i++) {
        int v = es->views[i];
        if (e->fns->row[v](&e->scratch, record, e->keys, e->inputs))
            rt_view_ingest(e->views[v].state, e->keys, ts, seq, e->inputs);
        rt_scratch_reset(&e->scratch);
    }
    return RT_APPLY_ACCEPTED;
}

/* The batch path of rt_engine_apply_batch and rt_engine_apply_parts: record i is decided by
 * part parts[i] (parts NULL: -1) at arrivals[i] (arrivals NULL: arrival_us); wms as for
 * rt_engine_apply_parts. */
static size_t apply_many(rt_engine *e, int src, const rt_slot *records, size_t n, const int32_t *parts,
                         const int64_t *arrivals, int64_t arrival_us, rt_apply_result *results, int64_t *wms)
{
    assert(src >= 0 && src < e->p->nsources);
    const rt_prog_source *ps = &e->p->sources[src];
    eng_source *es = &e->sources[src];
    assert(ps->kind != RT_SOURCE_REQUEST);
    size_t nf = (size_t)ps->nfields, accepted = 0, w = (size_t)e->width;
    for (size_t base = 0; base < n; base += ENG_BATCH) {
        size_t m = n - base < ENG_BATCH ? n - base : ENG_BATCH;
        const rt_slot *recs = records + base * nf;
        /* the arrival rules, event by event: they depend on the order alone */
        for (size_t i = 0; i < m; i++) {
            rt_arrival *a = part_rules(es, parts ? parts[base + i] : -1);
            rt_apply_result r =
                admit(ps, es, a, recs + i * nf, arrivals ? arrivals[base + i] : arrival_us, &e->bts[i]);
            if (wms)
                wms[base + i] = a->has_wm ? a->wm : INT64_MIN;
            e->bok[i] = r == RT_APPLY_ACCEPTED;
            accepted += e->bok[i];
            if (results)
                results[base + i] = r;
        }
        /* then each view takes the group's events that reach it */
        for (int vi = 0; vi < es->nviews; vi++) {
            int v = es->views[vi];
            size_t k = 0;
            for (size_t i = 0; i < m; i++) {
                if (!e->bok[i])
                    continue;
                const rt_slot *rec = recs + i * nf;
                rt_slot *keys = e->bkeys + k * w, *inputs = e->binputs + k * w;
                if (!e->fns->row[v](&e->scratch, rec, keys, inputs))
                    continue;
                e->bevs[k] = (rt_view_event){keys, e->bts[i], ps->seq_field >= 0 ? &rec[ps->seq_field] : NULL, inputs};
                k++;
            }
            rt_view_ingest_batch(e->views[v].state, e->bevs, k);
            rt_scratch_reset(&e->scratch); /* the inputs may point into it */
        }
    }
    return accepted;
}

size_t rt_engine_apply_batch(rt_engine *e, int src, const rt_slot *records, size_t n, int64_t arrival_us,
                             rt_apply_result *results)
{
    return apply_many(e, src, records, n, NULL, NULL, arrival_us, results, NULL);
}

size_t rt_engine_apply_parts(rt_engine *e, int src, const rt_slot *records, size_t n, const int32_t *parts,
                             const int64_t *arrival_us, rt_apply_result *results, int64_t *wms)
{
    assert(arrival_us && results);
    return apply_many(e, src, records, n, parts, arrival_us, RT_ARRIVAL_UNKNOWN, results, wms);
}

bool rt_engine_watermark(const rt_engine *e, int src, int64_t *wm)
{
    assert(src >= 0 && src < e->p->nsources);
    const eng_source *es = &e->sources[src];
    int64_t best = 0, w;
    bool any = rt_arrival_watermark(&es->arr, &best);
    for (int i = 0; i < es->nparts; i++)
        if (rt_arrival_watermark(&es->parts[i], &w) && (!any || w > best)) {
            best = w;
            any = true;
        }
    if (any)
        *wm = best;
    return any;
}

bool rt_engine_part_watermark(const rt_engine *e, int src, int part, int64_t *wm)
{
    assert(src >= 0 && src < e->p->nsources);
    return rt_arrival_watermark(part_rules((eng_source *)&e->sources[src], part), wm);
}

int64_t rt_engine_complete_until(const rt_engine *e, int src)
{
    assert(src >= 0 && src < e->p->nsources);
    const eng_source *es = &e->sources[src];
    if (es->nparts == 0)
        return rt_arrival_complete_until(&es->arr);
    int64_t least = INT64_MAX;
    for (int i = 0; i < es->nparts; i++) {
        int64_t c = rt_arrival_complete_until(&es->parts[i]);
        least = c < least ? c : least;
    }
    return least;
}

void rt_engine_settle_view(rt_engine *e, int v, int64_t horizon)
{
    eng_view *ev = &e->views[v];
    if (!ev->state || horizon <= ev->horizon)
        return;
    ev->horizon = horizon;
    rt_view_settle(ev->state, horizon);
}

void rt_engine_settle(rt_engine *e, int64_t horizon)
{
    for (int v = 0; v < e->p->nviews; v++)
        rt_engine_settle_view(e, v, horizon);
}

int64_t rt_engine_horizon(const rt_engine *e, int v)
{
    return e->views[v].horizon;
}

bool rt_engine_query(const rt_engine *e, int svc, const rt_slot *keys, const rt_slot *request, int64_t t,
                     rt_scratch *scratch, rt_slot *out)
{
    const rt_program *p = e->p;
    assert(svc >= 0 && svc < p->nservices);
    const rt_prog_service *s = &p->services[svc];
    for (int i = 0; i < s->nviews; i++) {
        const eng_view *ev = &e->views[s->views[i].view];
        if (!ev->state || t < ev->horizon)
            return false;
    }
    const rt_slot **view_values = rt_scratch_alloc(scratch, sizeof *view_values * (size_t)(p->nviews + 1));
    const rt_slot **block_values = rt_scratch_alloc(scratch, sizeof *block_values * (size_t)(p->nblocks + 1));
    memset(view_values, 0, sizeof *view_values * (size_t)(p->nviews + 1));
    memset(block_values, 0, sizeof *block_values * (size_t)(p->nblocks + 1));
    for (int i = 0; i < s->nviews; i++) {
        const rt_prog_sview *sv = &s->views[i];
        const rt_prog_view *pv = &p->views[sv->view];
        rt_slot *vkeys = rt_scratch_alloc(scratch, sizeof *vkeys * (size_t)pv->nkeys);
        rt_slot *vals = rt_scratch_alloc(scratch, sizeof *vals * (size_t)(pv->nfeatures + 1));
        for (int k = 0; k < pv->nkeys; k++)
            vkeys[k] = keys[sv->key_map[k]];
        rt_view_query(e->views[sv->view].state, vkeys, t, scratch, vals);
        view_values[sv->view] = vals;
    }
    for (int i = 0; i < s->nblocks; i++) {
        int b = s->blocks[i];
        const rt_prog_block *pb = &p->blocks[b];
        rt_slot *vals = rt_scratch_alloc(scratch, sizeof *vals * (size_t)(pb->nfeatures + 1));
        memset(vals, 0, sizeof *vals * (size_t)(pb->nfeatures + 1));
        e->fns->od[b](scratch, pb->request_source >= 0 ? request : NULL, view_values, block_values, t, vals);
        block_values[b] = vals;
    }
    for (int i = 0; i < s->noutputs; i++) {
        const rt_prog_output *o = &s->outputs[i];
        const rt_slot *src = o->kind == RT_OUT_VIEW ? view_values[o->owner] : block_values[o->owner];
        out[i] = src[o->feature];
    }
    return true;
}

/* The verdicts of rt_arrival are the results of the same name. */
_Static_assert((int)RT_APPLY_ACCEPTED == (int)RT_ARRIVAL_ACCEPTED && (int)RT_APPLY_AHEAD == (int)RT_ARRIVAL_AHEAD &&
                   (int)RT_APPLY_LATE == (int)RT_ARRIVAL_LATE && (int)RT_APPLY_DUPLICATE == (int)RT_ARRIVAL_DUPLICATE &&
                   (int)RT_APPLY_NO_TIME == RT_ARRIVAL_NVERDICTS,
               "apply results and arrival verdicts differ");

uint64_t rt_engine_count(const rt_engine *e, int src, rt_apply_result r)
{
    assert(src >= 0 && src < e->p->nsources);
    assert(r >= RT_APPLY_ACCEPTED && r <= RT_APPLY_NO_TIME);
    const eng_source *es = &e->sources[src];
    if (r == RT_APPLY_NO_TIME)
        return es->no_time;
    uint64_t n = rt_arrival_count(&es->arr, (rt_arrival_verdict)r);
    for (int i = 0; i < es->nparts; i++)
        n += rt_arrival_count(&es->parts[i], (rt_arrival_verdict)r);
    return n;
}

uint64_t rt_engine_accepted(const rt_engine *e, int src)
{
    return rt_engine_count(e, src, RT_APPLY_ACCEPTED);
}

uint64_t rt_engine_late(const rt_engine *e, int src)
{
    return rt_engine_count(e, src, RT_APPLY_LATE);
}

size_t rt_engine_remembered(const rt_engine *e, int src)
{
    assert(src >= 0 && src < e->p->nsources);
    const eng_source *es = &e->sources[src];
    size_t n = rt_arrival_remembered(&es->arr);
    for (int i = 0; i < es->nparts; i++)
        n += rt_arrival_remembered(&es->parts[i]);
    return n;
}

size_t rt_engine_keys(const rt_engine *e, int v)
{
    return e->views[v].state ? rt_view_state_keys(e->views[v].state) : 0;
}

size_t rt_engine_state_bytes(const rt_engine *e, int v)
{
    return e->views[v].state ? rt_view_state_bytes(e->views[v].state) : 0;
}
