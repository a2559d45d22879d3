/* rt_state.c - a feature view's keyed window state: layout, life cycle, horizons, key sweeping and queries. */
#include "rt_state.h"

#include "rt_keytab.h"
#include "rt_state_impl.h"

#include <stdlib.h>

/* Keys cleaned per settle call when they receive no events (see rt_view_settle). */
#define SWEEP_PER_SETTLE 4

static void free_defaults(rt_feat *feats, int n)
{
    for (int j = 0; j < n; j++)
        if (feats[j].d.has_default && feats[j].d.out_type == RT_STRING)
            free((void *)feats[j].d.dflt.v.s);
}

/* Index of hop size H in s->hops, added when new. */
static int hop_index(rt_view_state *s, int64_t H)
{
    int k = 0;
    while (k < s->nhops && s->hops[k].H != H)
        k++;
    if (k == s->nhops)
        s->hops[s->nhops++].H = H;
    return k;
}

/* Lays out rows (mask bits, seq and value words), block partials and key records, and sorts
 * the features into the lists the ingest path walks. */
static void layout(rt_view_state *s)
{
    int nf = s->nfeatures;
    bool any_order = false;
    for (int i = 0; i < nf; i++)
        any_order |= s->feats[i].kind == RK_ORDER;
    s->nmask = (uint32_t)(nf + 1 + 63) / 64;
    uint32_t off = 8 + 8 * s->nmask;
    s->seqoff = 0;
    if (s->has_seq && any_order) {
        s->seqoff = off;
        off += 8;
    }
    uint32_t poff = 0;
    size_t roff = sizeof(rt_keyst);
    s->dmax = -1;
    for (int i = 0; i < nf; i++) {
        rt_feat *f = &s->feats[i];
        f->moff = 8 + 8 * (uint32_t)(i / 64);
        f->mbit = UINT64_C(1) << (i % 64);
        f->snoff = 8 + 8 * (uint32_t)(nf / 64);
        f->snbit = UINT64_C(1) << (nf % 64);
        f->soff = f->kind == RK_ORDER ? s->seqoff : 0;
        f->voff = 0;
        if (f->kind != RK_COUNT) {
            f->voff = off;
            off += 8;
        }
        f->poff = poff;
        poff += f->psz;
        f->off = roff;
        roff += f->set_size;
        f->pbit = f->fold && i < 64 ? f->mbit : 0;
        if (f->fold) {
            s->folds[s->nfolds++] = i;
            s->fold_pbits |= f->pbit;
            s->folds_past_64 |= i >= 64;
        }
        if (f->eager) {
            s->eager_off[s->neagers] = f->off;
            s->eager_tsz[s->neagers] = f->tile_sz;
            s->eagers[s->neagers] = i;
            s->eager_hop[s->neagers++] = hop_index(s, f->d.hop_us);
        }
        if (f->is_str)
            s->strs[s->nstrs++] = i;
        else if (f->kind == RK_DISTINCT && f->d.in_type == RT_FLOAT)
            s->zeros[s->nzeros++] = i;
        else if (f->voff)
            s->nums[s->nnums++] = (rt_vcopy){(uint32_t)i, f->voff};
        s->has_str |= f->is_str;
        if (f->d.win == RT_WIN_SLIDING && f->d.size_us > s->dmax)
            s->dmax = f->d.size_us;
        if (f->raw_hop && rt_sat_add(f->d.size_us, f->d.hop_us) > s->dmax)
            s->dmax = rt_sat_add(f->d.size_us, f->d.hop_us); /* its rows as a sliding D + H */
        if (f->d.win == RT_WIN_LIFETIME)
            s->has_life = true;
        if (f->d.win == RT_WIN_HOP && !f->raw_hop)
            hop_index(s, f->d.hop_us);
    }
    s->cx.esz = off;
    s->cx.psz = poff;
    s->plain_rows = s->nmask == 1 && !s->seqoff && !s->nzeros;
    s->rec_size = (roff + 15) / 16 * 16;
}

/* Recomputes what depends on the horizon: each hop size's tiles around it, the first tile
 * each eager feature's queries can see, and the eviction bound (the least of the features'
 * rt_win_keep_bound). */
static void set_horizon(rt_view_state *s, int64_t h)
{
    s->horizon = h;
    int64_t b = INT64_MAX;
    if (s->dmax >= 0)
        b = rt_sat_sub(h, s->dmax);
    if (s->has_life && h < b)
        b = h;
    for (int k = 0; k < s->nhops; k++) {
        rt_hop *hp = &s->hops[k];
        hp->k = rt_floordiv(h, hp->H);
        hp->start = rt_tile_start(hp->k, hp->H);
        hp->end = rt_tile_start(rt_sat_add(hp->k, 1), hp->H);
        hp->end2 = rt_tile_start(rt_sat_add(hp->k, 2), hp->H);
        if (hp->start < b)
            b = hp->start;
    }
    s->evict_b = b;
    for (int j = 0; j < s->neagers; j++)
        s->live[j] = rt_win_live_tile(&s->feats[s->eagers[j]], h);
}

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
    for (int i = 0; i < d->nfeatures; i++) {
        rt_feat *f = &feats[i];
        memset(f, 0, sizeof *f);
        f->d = d->features[i];
        if (!rt_feat_setup(f)) {
            free_defaults(feats, i);
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
    }
    rt_view_state *s = rt_xrealloc(NULL, sizeof *s);
    memset(s, 0, sizeof *s);
    s->nkeys = d->nkeys;
    s->nfeatures = d->nfeatures;
    s->has_seq = d->has_seq;
    s->feats = feats;
    size_t nidx = (size_t)d->nfeatures + 1;
    s->folds = rt_xrealloc(NULL, sizeof(int) * nidx);
    s->eagers = rt_xrealloc(NULL, sizeof(int) * nidx);
    s->eager_hop = rt_xrealloc(NULL, sizeof(int) * nidx);
    s->live = rt_xrealloc(NULL, sizeof(int64_t) * nidx);
    s->eager_off = rt_xrealloc(NULL, sizeof(size_t) * nidx);
    s->eager_tsz = rt_xrealloc(NULL, sizeof(uint32_t) * nidx);
    s->nums = rt_xrealloc(NULL, sizeof(rt_vcopy) * nidx);
    s->strs = rt_xrealloc(NULL, sizeof(int) * nidx);
    s->zeros = rt_xrealloc(NULL, sizeof(int) * nidx);
    s->hops = rt_xrealloc(NULL, sizeof(rt_hop) * nidx);
    layout(s);
    s->row = rt_xrealloc(NULL, s->cx.esz);
    s->empty_rec = rt_xrealloc(NULL, s->rec_size);
    memset(s->empty_rec, 0, s->rec_size);
    ((rt_keyst *)s->empty_rec)->settled = INT64_MIN;
    s->kt = rt_keytab_new(d->nkeys, d->key_types);
    rt_mem_init(&s->mem);
    rt_pool_init(&s->pool, &s->mem);
    s->cx.mem = &s->mem;
    s->cx.pool = &s->pool;
    set_horizon(s, INT64_MIN);
    return s;
}

void rt_view_state_free(rt_view_state *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < rt_keytab_count(s->kt); i++)
        rt_key_release(s, rt_rec_at(s, i));
    assert(s->pool.count == 0);
    free_defaults(s->feats, s->nfeatures);
    rt_pool_destroy(&s->pool);
    rt_mem_destroy(&s->mem);
    rt_keytab_free(s->kt);
    free(s->recs);
    free(s->empty_rec);
    free(s->row);
    free(s->brows);
    free(s->folds);
    free(s->eagers);
    free(s->eager_hop);
    free(s->live);
    free(s->eager_off);
    free(s->eager_tsz);
    free(s->nums);
    free(s->strs);
    free(s->zeros);
    free(s->hops);
    free(s->feats);
    free(s);
}

/* Drops the key at idx; the last key's record moves into its place. */
static void remove_key(rt_view_state *s, size_t idx)
{
    rt_key_release(s, rt_rec_at(s, idx));
    size_t moved = rt_keytab_remove(s->kt, idx);
    if (moved != idx)
        memcpy(rt_rec_at(s, idx), rt_rec_at(s, moved), s->rec_size);
    /* give back record memory after a wave of keys has gone */
    size_t count = rt_keytab_count(s->kt);
    if (s->rec_cap > 64 && count * 4 < s->rec_cap) {
        s->rec_cap /= 2;
        s->recs = rt_huge_realloc(s->recs, s->rec_cap * s->rec_size, s->rec_cap * s->rec_size);
    }
}

/* Settles the key at idx (when due, or always when force) and forgets it when nothing is
 * left; true when it was removed. */
static bool sweep_one(rt_view_state *s, size_t idx, bool force)
{
    rt_keyst *ks = rt_rec_at(s, idx);
    if (force || s->horizon >= ks->due)
        rt_key_settle(s, ks);
    if (!rt_key_empty(s, ks))
        return false;
    remove_key(s, idx);
    return true;
}

void rt_view_settle(rt_view_state *s, int64_t horizon)
{
    if (horizon > s->horizon)
        set_horizon(s, horizon);
    /* Keys that receive events are settled when they do; this sweep reaches the idle ones,
     * a few per call, so their memory is returned without a pass over every key. */
    for (int n = 0; n < SWEEP_PER_SETTLE; n++) {
        size_t count = rt_keytab_count(s->kt);
        if (count == 0)
            break;
        if (s->sweep >= count)
            s->sweep = 0;
        if (!sweep_one(s, s->sweep, false))
            s->sweep++;
    }
}

void rt_view_compact(rt_view_state *s)
{
    size_t i = 0;
    while (i < rt_keytab_count(s->kt))
        if (!sweep_one(s, i, true))
            i++;
    s->sweep = 0;
}

void rt_view_query(const rt_view_state *s, const rt_slot *keys, int64_t t, rt_scratch *scratch, rt_slot *out)
{
    assert(t >= s->horizon);
    int64_t idx = rt_keytab_find(s->kt, keys);
    rt_keyst *ks = idx >= 0 ? rt_rec_at(s, (size_t)idx) : (rt_keyst *)s->empty_rec;
    for (int i = 0; i < s->nfeatures; i++) {
        const rt_feat *f = &s->feats[i];
        rt_win_query(f, ks, rt_set_at(ks, f), t, &out[i], &s->cx, scratch);
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
    return sizeof *s + sizeof(rt_feat) * (size_t)s->nfeatures + s->rec_size * (s->rec_cap + 1) + s->cx.esz +
           rt_keytab_bytes(s->kt) + rt_mem_bytes(&s->mem) + rt_pool_bytes(&s->pool);
}
