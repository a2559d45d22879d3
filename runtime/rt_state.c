/* rt_state.c - a feature view's keyed window state: key table, per-key records, ingest/settle/query. */
#include "rt_state.h"

#include "rt_keytab.h"
#include "rt_state_impl.h"

#include <stdlib.h>

/* Keys cleaned per settle call when they receive no events (see rt_view_settle). */
#define SWEEP_PER_SETTLE 4

/* A key record: this header, then each feature's state at rt_feat.off. */
typedef struct rec_hdr {
    int64_t due; /* the first horizon at which settling this record has work to do */
    int64_t pad_;
} rec_hdr;

struct rt_view_state {
    int nkeys;
    int nfeatures;
    bool has_seq;
    rt_feat *feats;
    size_t rec_size;
    char *recs; /* rec_size bytes per key, by the key table's dense index */
    size_t rec_cap;
    char *empty_rec; /* a record with no events, read for absent keys */
    rt_keytab *kt;
    rt_mem mem;
    rt_pool pool;
    rt_vscratch scratch;
    rt_cx cx;
    int64_t horizon;
    size_t sweep; /* next dense index the settle sweep looks at */
};

rt_view_state *rt_view_state_new(const rt_view_desc *d)
{
    if (!d || d->nkeys < 1 || !d->key_types || d->nfeatures < 0 || (d->nfeatures && !d->features))
        return NULL;
    for (int j = 0; j < d->nkeys; j++) {
        rt_type t = d->key_types[j];
        if (t != RT_BOOL && t != RT_INT && t != RT_FLOAT && t != RT_STRING && t != RT_TIMESTAMP)
            return NULL;
    }
    rt_feat *feats = rt_xrealloc(NULL, sizeof(rt_feat) * (size_t)(d->nfeatures ? d->nfeatures : 1));
    size_t off = sizeof(rec_hdr);
    for (int i = 0; i < d->nfeatures; i++) {
        rt_feat *f = &feats[i];
        memset(f, 0, sizeof *f);
        f->d = d->features[i];
        if (!rt_feat_setup(f)) {
            for (int j = 0; j < i; j++)
                if (feats[j].d.has_default && feats[j].d.out_type == RT_STRING)
                    free((void *)feats[j].d.dflt.v.s);
            free(feats);
            return NULL;
        }
        if (f->d.has_default && f->d.out_type == RT_STRING) {
            rt_slot *v = &f->d.dflt;
            char *copy = rt_xrealloc(NULL, v->null ? 1 : (size_t)v->len + 1);
            if (!v->null && v->len)
                memcpy(copy, v->v.s, v->len);
            copy[v->null ? 0 : v->len] = 0;
            v->v.s = copy;
        }
        f->off = off;
        off += f->size;
    }
    rt_view_state *s = rt_xrealloc(NULL, sizeof *s);
    memset(s, 0, sizeof *s);
    s->nkeys = d->nkeys;
    s->nfeatures = d->nfeatures;
    s->has_seq = d->has_seq;
    s->feats = feats;
    s->rec_size = off;
    s->empty_rec = rt_xrealloc(NULL, off);
    memset(s->empty_rec, 0, off);
    s->kt = rt_keytab_new(d->nkeys, d->key_types);
    rt_mem_init(&s->mem);
    rt_pool_init(&s->pool, &s->mem);
    s->cx.mem = &s->mem;
    s->cx.pool = &s->pool;
    s->cx.scratch = &s->scratch;
    s->horizon = INT64_MIN;
    return s;
}

static inline char *rec_at(const rt_view_state *s, size_t idx)
{
    return s->recs + idx * s->rec_size;
}

static void rec_release(rt_view_state *s, char *rec)
{
    for (int i = 0; i < s->nfeatures; i++)
        rt_win_release(&s->feats[i], rec + s->feats[i].off, &s->cx);
}

void rt_view_state_free(rt_view_state *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < rt_keytab_count(s->kt); i++)
        rec_release(s, rec_at(s, i));
    assert(s->pool.count == 0);
    for (int i = 0; i < s->nfeatures; i++)
        if (s->feats[i].d.has_default && s->feats[i].d.out_type == RT_STRING)
            free((void *)s->feats[i].d.dflt.v.s);
    rt_pool_destroy(&s->pool);
    rt_mem_destroy(&s->mem);
    rt_vscratch_destroy(&s->scratch);
    rt_keytab_free(s->kt);
    free(s->recs);
    free(s->empty_rec);
    free(s->feats);
    free(s);
}

/* Brings a record up to the current horizon: folds and evicts in every feature. Skipped
 * (without touching the features' buffers) until the record's due horizon is reached. */
static void rec_settle(rt_view_state *s, char *rec)
{
    rec_hdr *h = (rec_hdr *)rec;
    if (s->horizon < h->due)
        return;
    int64_t due = INT64_MAX;
    for (int i = 0; i < s->nfeatures; i++) {
        const rt_feat *f = &s->feats[i];
        int64_t d = rt_win_settle(f, rec + f->off, s->horizon, &s->cx);
        if (d < due)
            due = d;
    }
    h->due = due;
}

static bool rec_empty(const rt_view_state *s, const char *rec)
{
    for (int i = 0; i < s->nfeatures; i++)
        if (!rt_win_empty(&s->feats[i], rec + s->feats[i].off))
            return false;
    return true;
}

/* The value word of a feature input (an interned reference for strings that are kept). */
static uint64_t input_word(rt_view_state *s, const rt_feat *f, const rt_slot *in)
{
    if (f->is_str)
        return (uint64_t)(uintptr_t)rt_pool_intern(&s->pool, in->v.s, in->len);
    if (f->d.in_type == RT_FLOAT && f->kind == RK_DISTINCT && in->v.f == 0) {
        double z = 0.0; /* -0 and 0 are one value */
        uint64_t w;
        memcpy(&w, &z, sizeof w);
        return w;
    }
    return (uint64_t)in->v.i;
}

void rt_view_ingest(rt_view_state *s, const rt_slot *keys, int64_t ts, const rt_slot *seq,
                    const rt_slot *inputs)
{
    int i;
    for (i = 0; i < s->nfeatures; i++)
        if (!inputs[i].null)
            break;
    if (i == s->nfeatures)
        return; /* contributes to no feature: do not create a key for it */
    bool inserted;
    int64_t idx = rt_keytab_upsert(s->kt, keys, &inserted);
    if (idx < 0)
        return;
    if (inserted) {
        if ((size_t)idx >= s->rec_cap) {
            s->rec_cap = s->rec_cap ? s->rec_cap * 2 : 16;
            s->recs = rt_xrealloc(s->recs, s->rec_cap * s->rec_size);
        }
        char *rec = rec_at(s, (size_t)idx);
        ((rec_hdr *)rec)->due = INT64_MAX;
        for (i = 0; i < s->nfeatures; i++)
            rt_win_init(&s->feats[i], rec + s->feats[i].off);
    }
    char *rec = rec_at(s, (size_t)idx);
    rec_settle(s, rec);
    rec_hdr *hdr = (rec_hdr *)rec;
    bool seqnull = !s->has_seq || !seq || seq->null;
    for (i = 0; i < s->nfeatures; i++) {
        const rt_feat *f = &s->feats[i];
        if (inputs[i].null)
            continue;
        char *fs = rec + f->off;
        int64_t due;
        if (f->kind == RK_COUNT) {
            due = rt_win_add(f, fs, s->horizon, &ts, &s->cx);
        } else if (f->kind == RK_ORDER) {
            rt_ev_o e = {ts, seqnull ? 0 : seq->v.i, input_word(s, f, &inputs[i]), seqnull, 0};
            due = rt_win_add(f, fs, s->horizon, &e, &s->cx);
        } else {
            rt_ev_v e = {ts, input_word(s, f, &inputs[i])};
            due = rt_win_add(f, fs, s->horizon, &e, &s->cx);
        }
        if (due < hdr->due)
            hdr->due = due;
    }
}

/* Drops the key at idx; the last key's record moves into its place. */
static void remove_key(rt_view_state *s, size_t idx)
{
    rec_release(s, rec_at(s, idx));
    size_t moved = rt_keytab_remove(s->kt, idx);
    if (moved != idx)
        memcpy(rec_at(s, idx), rec_at(s, moved), s->rec_size);
    /* give back record memory after a wave of keys has gone */
    size_t count = rt_keytab_count(s->kt);
    if (s->rec_cap > 64 && count * 4 < s->rec_cap) {
        s->rec_cap /= 2;
        s->recs = rt_xrealloc(s->recs, s->rec_cap * s->rec_size);
    }
}

/* Settles the key at idx and forgets it when nothing is left; true when it was removed. */
static bool sweep_one(rt_view_state *s, size_t idx)
{
    char *rec = rec_at(s, idx);
    rec_settle(s, rec);
    if (!rec_empty(s, rec))
        return false;
    remove_key(s, idx);
    return true;
}

void rt_view_settle(rt_view_state *s, int64_t horizon)
{
    if (horizon > s->horizon)
        s->horizon = horizon;
    /* Keys that receive events are settled when they do; this sweep reaches the idle ones,
     * a few per call, so their memory is returned without a pass over every key. */
    for (int n = 0; n < SWEEP_PER_SETTLE; n++) {
        size_t count = rt_keytab_count(s->kt);
        if (count == 0)
            break;
        if (s->sweep >= count)
            s->sweep = 0;
        if (!sweep_one(s, s->sweep))
            s->sweep++;
    }
}

void rt_view_compact(rt_view_state *s)
{
    size_t i = 0;
    while (i < rt_keytab_count(s->kt))
        if (!sweep_one(s, i))
            i++;
    s->sweep = 0;
}

void rt_view_query(rt_view_state *s, const rt_slot *keys, int64_t t, rt_slot *out)
{
    assert(t >= s->horizon);
    int64_t idx = rt_keytab_find(s->kt, keys);
    const char *rec = idx >= 0 ? rec_at(s, (size_t)idx) : s->empty_rec;
    for (int i = 0; i < s->nfeatures; i++) {
        const rt_feat *f = &s->feats[i];
        rt_win_query(f, rec + f->off, t, &out[i], &s->cx);
        if (out[i].null && f->d.has_default)
            out[i] = f->d.dflt;
    }
}

size_t rt_view_state_keys(const rt_view_state *s)
{
    return rt_keytab_count(s->kt);
}

size_t rt_view_state_bytes(const rt_view_state *s)
{
    return sizeof *s + sizeof(rt_feat) * (size_t)s->nfeatures + s->rec_size * (s->rec_cap + 1) +
           rt_keytab_bytes(s->kt) + rt_mem_bytes(&s->mem) + rt_pool_bytes(&s->pool) +
           s->scratch.cap * sizeof *s->scratch.ents;
}
