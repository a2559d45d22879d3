/* rt_state.c - a feature view's keyed window state: key table, per-key records with one shared row deque, ingest/settle/query. */
#include "rt_state.h"

#include "rt_keytab.h"
#include "rt_state_impl.h"

#include <stdlib.h>

/* Keys cleaned per settle call when they receive no events (see rt_view_settle). */
#define SWEEP_PER_SETTLE 4
/* Events whose key lookups and record loads are overlapped in rt_view_ingest_batch. */
#define BATCH 16

struct rt_view_state {
    int nkeys;
    int nfeatures;
    bool has_seq;
    bool has_str;    /* some feature keeps interned strings */
    rt_feat *feats;
    int *folds;      /* indices of the fold (hop, lifetime) features */
    int nfolds;
    int *eagers;     /* indices of the eager (hop, not count_distinct) features */
    int neagers;
    int64_t *live;   /* per eager feature: the first tile a query at or after the horizon sees */
    uint64_t fold_pbits; /* the pbits of the fold features */
    bool folds_past_64;  /* some fold feature has no pbit */
    int *nums;       /* features whose value word is the input's own bits */
    int nnums;
    int *strs;       /* features whose value word is an interned string */
    int nstrs;
    int *zeros;      /* float count_distinct features: -0 is stored as 0 */
    int nzeros;
    /* what every row needs, for evicting: the longest sliding window (-1: none), whether a
     * lifetime feature folds rows, and the distinct hop sizes */
    int64_t dmax;
    bool has_life;
    int64_t *hops;
    int nhops;
    size_t rec_size; /* rt_keyst, then the fold features' settled parts */
    char *recs;      /* rec_size bytes per key, by the key table's dense index */
    size_t rec_cap;
    char *empty_rec; /* a record with no events, read for absent keys */
    char *row;       /* the row being built (esz bytes) */
    uint32_t nmask;  /* mask words per row */
    uint32_t seqoff; /* row offset of the seq word (0: none kept) */
    rt_keytab *kt;
    rt_mem mem;
    rt_pool pool;
    rt_vscratch scratch;
    rt_cx cx;
    int64_t horizon;
    size_t sweep; /* next dense index the settle sweep looks at */
};

static void free_defaults(rt_feat *feats, int n)
{
    for (int j = 0; j < n; j++)
        if (feats[j].d.has_default && feats[j].d.out_type == RT_STRING)
            free((void *)feats[j].d.dflt.v.s);
}

/* Lays out rows (mask bits, seq and value words), block partials and key records. */
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
        if (f->eager)
            s->eagers[s->neagers++] = i;
        if (f->is_str)
            s->strs[s->nstrs++] = i;
        else if (f->kind == RK_DISTINCT && f->d.in_type == RT_FLOAT)
            s->zeros[s->nzeros++] = i;
        else if (f->voff)
            s->nums[s->nnums++] = i;
        s->has_str |= f->is_str;
        switch (f->d.win) {
        case RT_WIN_SLIDING:
            if (f->d.size_us > s->dmax)
                s->dmax = f->d.size_us;
            break;
        case RT_WIN_LIFETIME:
            s->has_life = true;
            break;
        case RT_WIN_HOP: {
            int k = 0;
            while (k < s->nhops && s->hops[k] != f->d.hop_us)
                k++;
            if (k == s->nhops)
                s->hops[s->nhops++] = f->d.hop_us;
            break;
        }
        }
    }
    s->cx.esz = off;
    s->cx.psz = poff;
    s->rec_size = (roff + 15) / 16 * 16;
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
    s->live = rt_xrealloc(NULL, sizeof(int64_t) * nidx);
    s->nums = rt_xrealloc(NULL, sizeof(int) * nidx);
    s->strs = rt_xrealloc(NULL, sizeof(int) * nidx);
    s->zeros = rt_xrealloc(NULL, sizeof(int) * nidx);
    s->hops = rt_xrealloc(NULL, sizeof(int64_t) * nidx);
    s->dmax = -1;
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
    s->cx.scratch = &s->scratch;
    s->horizon = INT64_MIN;
    for (int j = 0; j < s->neagers; j++)
        s->live[j] = rt_win_live_tile(&s->feats[s->eagers[j]], s->horizon);
    return s;
}

static inline rt_keyst *rec_at(const rt_view_state *s, size_t idx)
{
    return (rt_keyst *)(s->recs + idx * s->rec_size);
}

static inline char *set_at(rt_keyst *ks, const rt_feat *f)
{
    return (char *)ks + f->off;
}

/* Drops one reference per interned string the rows lo..hi-1 hold. */
static void rows_unref(rt_view_state *s, const rt_deque *q, size_t lo, size_t hi)
{
    if (!s->has_str)
        return;
    for (size_t i = lo; i < hi; i++) {
        const char *r = rt_dq_at(q, s->cx.esz, i);
        for (int j = 0; j < s->nstrs; j++) {
            const rt_feat *f = &s->feats[s->strs[j]];
            if (rt_row_has(f, r))
                rt_pool_unref(&s->pool, (rt_istr *)(uintptr_t)rt_row_word(r, f->voff));
        }
    }
}

static void rec_release(rt_view_state *s, rt_keyst *ks)
{
    rows_unref(s, &ks->rows, 0, ks->rows.len);
    rt_dq_release(&ks->rows, s->cx.esz, s->cx.psz, &s->mem);
    for (int j = 0; j < s->nfolds; j++) {
        const rt_feat *f = &s->feats[s->folds[j]];
        rt_win_release(f, set_at(ks, f), &s->cx);
    }
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        rt_win_release(f, set_at(ks, f), &s->cx);
    }
}

void rt_view_state_free(rt_view_state *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < rt_keytab_count(s->kt); i++)
        rec_release(s, rec_at(s, i));
    assert(s->pool.count == 0);
    free_defaults(s->feats, s->nfeatures);
    rt_pool_destroy(&s->pool);
    rt_mem_destroy(&s->mem);
    rt_vscratch_destroy(&s->scratch);
    rt_keytab_free(s->kt);
    free(s->recs);
    free(s->empty_rec);
    free(s->row);
    free(s->folds);
    free(s->eagers);
    free(s->live);
    free(s->nums);
    free(s->strs);
    free(s->zeros);
    free(s->hops);
    free(s->feats);
    free(s);
}

/* ---- due horizons ---- */

/* The first horizon at which a front row stamped ts is evicted: when no feature needs it
 * raw any more (the latest of the features' rt_win_raw_due). */
static int64_t evict_due(const rt_view_state *s, int64_t ts)
{
    int64_t due = INT64_MIN;
    if (s->dmax >= 0)
        due = rt_sat_add(rt_sat_add(ts, s->dmax), 1);
    if (s->has_life && rt_sat_add(ts, 1) > due)
        due = rt_sat_add(ts, 1);
    for (int k = 0; k < s->nhops; k++) {
        int64_t H = s->hops[k], d = rt_tile_start(rt_sat_add(rt_floordiv(ts, H), 1), H);
        if (d > due)
            due = d;
    }
    return due;
}

/* Rows below this are evicted when settling to h: no feature needs them raw (the least of
 * the features' rt_win_keep_bound). */
static int64_t evict_bound(const rt_view_state *s, int64_t h)
{
    int64_t b = INT64_MAX;
    if (s->dmax >= 0)
        b = rt_sat_sub(h, s->dmax);
    if (s->has_life && h < b)
        b = h;
    for (int k = 0; k < s->nhops; k++) {
        int64_t H = s->hops[k], kb = rt_tile_start(rt_floordiv(h, H), H);
        if (kb < b)
            b = kb;
    }
    return b;
}

/* Recomputes a settled key's due horizon and pending fold features from its contents. */
static void rec_due(const rt_view_state *s, rt_keyst *ks)
{
    int64_t due = INT64_MAX;
    uint64_t pending = 0;
    const rt_deque *q = &ks->rows;
    if (q->len) {
        int64_t front = rt_dq_key(q, s->cx.esz, 0), last = rt_dq_key(q, s->cx.esz, q->len - 1);
        due = evict_due(s, front);
        for (int j = 0; j < s->nfolds; j++) {
            const rt_feat *f = &s->feats[s->folds[j]];
            int64_t kb = rt_win_keep_bound(f, ks->settled);
            if (last >= kb) { /* rows from kb on are not folded yet */
                int64_t d = rt_win_raw_due(f, kb > front ? kb : front);
                if (d < due)
                    due = d;
                pending |= f->pbit;
            }
        }
    }
    for (int j = 0; j < s->nfolds; j++) {
        const rt_feat *f = &s->feats[s->folds[j]];
        int64_t d = rt_win_set_due(f, set_at(ks, f));
        if (d < due)
            due = d;
    }
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        int64_t d = rt_win_set_due(f, set_at(ks, f));
        if (d < due)
            due = d;
    }
    ks->due = due;
    ks->pending = pending;
}

/* Brings a key up to the view's horizon h: drops hop tiles no query can see, folds the rows
 * that fold features no longer need raw, evicts the rows no feature needs. */
static void rec_settle(rt_view_state *s, rt_keyst *ks)
{
    int64_t h = s->horizon, S = ks->settled;
    rt_deque *q = &ks->rows;
    const uint32_t esz = s->cx.esz;
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        rt_win_drop(f, set_at(ks, f), h, &s->cx);
    }
    for (int j = 0; j < s->nfolds; j++) {
        const rt_feat *f = &s->feats[s->folds[j]];
        char *set = set_at(ks, f);
        rt_win_drop(f, set, h, &s->cx);
        if (q->len) {
            size_t lo = rt_dq_lower_front(q, esz, rt_win_keep_bound(f, S));
            size_t hi = rt_dq_lower_front(q, esz, rt_win_keep_bound(f, h));
            rt_win_fold_rows(f, set, q, lo, hi, h, &s->cx);
        }
    }
    if (q->len) {
        size_t n = rt_dq_lower_front(q, esz, evict_bound(s, h));
        if (n) {
            rows_unref(s, q, 0, n);
            rt_dq_drop_front(q, esz, s->cx.psz, n, &s->mem);
        }
    }
    if (h > ks->settled)
        ks->settled = h;
    rt_rows_part_update(s->feats, s->nfeatures, q, &s->cx);
    rec_due(s, ks);
}

static bool rec_empty(const rt_view_state *s, rt_keyst *ks)
{
    if (ks->rows.len)
        return false;
    for (int j = 0; j < s->nfolds; j++) {
        const rt_feat *f = &s->feats[s->folds[j]];
        if (!rt_win_set_empty(f, set_at(ks, f)))
            return false;
    }
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        if (!rt_win_set_empty(f, set_at(ks, f)))
            return false;
    }
    return true;
}

/* ---- ingest ---- */

/* Writes the event's time, mask, seq and fixed-size value words into s->row (string words
 * are interned later, once the key is known). Returns false when no feature takes it. */
static bool row_build(rt_view_state *s, int64_t ts, const rt_slot *seq, const rt_slot *inputs)
{
    char *row = s->row;
    memcpy(row, &ts, sizeof ts);
    uint64_t any = 0;
    for (uint32_t w = 0; w < s->nmask; w++) {
        uint64_t m = 0;
        int lo = (int)w * 64, hi = s->nfeatures - lo < 64 ? s->nfeatures : lo + 64;
        for (int i = lo; i < hi; i++)
            m |= (uint64_t)(inputs[i].null == 0) << (i - lo);
        memcpy(row + 8 + 8 * w, &m, sizeof m);
        any |= m;
    }
    /* value words of null inputs are never read: copy them all */
    for (int j = 0; j < s->nnums; j++) {
        const rt_feat *f = &s->feats[s->nums[j]];
        memcpy(row + f->voff, &inputs[s->nums[j]].v.i, 8);
    }
    for (int j = 0; j < s->nzeros; j++) {
        int i = s->zeros[j];
        double v = inputs[i].v.f == 0 ? 0.0 : inputs[i].v.f; /* -0 and 0 are one value */
        memcpy(row + s->feats[i].voff, &v, sizeof v);
    }
    if (s->seqoff) {
        bool seqnull = !seq || seq->null;
        int64_t v = seqnull ? 0 : seq->v.i;
        memcpy(row + s->seqoff, &v, sizeof v);
        if (seqnull) {
            const rt_feat *f0 = &s->feats[0];
            uint64_t m = rt_row_word(row, f0->snoff) | f0->snbit;
            memcpy(row + f0->snoff, &m, sizeof m);
        }
    }
    return any != 0;
}

/* Interns the string inputs of s->row (one reference each, held by the row). */
static void row_intern(rt_view_state *s, const rt_slot *inputs)
{
    for (int j = 0; j < s->nstrs; j++) {
        int i = s->strs[j];
        const rt_feat *f = &s->feats[i];
        if (rt_row_has(f, s->row)) {
            uint64_t w = (uint64_t)(uintptr_t)rt_pool_intern(&s->pool, inputs[i].v.s, inputs[i].len);
            memcpy(s->row + f->voff, &w, sizeof w);
        }
    }
}

/* Inserts s->row into the key's rows. raw_from_fold: fold features with a keep bound at or
 * below the row's time (they will fold it later); the row's due horizons are noted. */
static void rows_insert(rt_view_state *s, rt_keyst *ks, bool all_raw)
{
    rt_deque *q = &ks->rows;
    const uint32_t esz = s->cx.esz;
    const char *row = s->row;
    int64_t ts = rt_row_ts(row);
    size_t pos = q->len;
    if (pos && rt_dq_key(q, esz, pos - 1) > ts)
        pos = rt_dq_lower_back(q, esz, ts + 1); /* after every row with time <= ts */
    bool at_back = pos == q->len;
    if (pos == 0) {
        int64_t d = evict_due(s, ts);
        if (d < ks->due)
            ks->due = d;
    }
    char *dst = rt_dq_insert_at(q, esz, s->cx.psz, pos, &s->mem);
    for (uint32_t k = 0; k < esz; k += 8)
        memcpy(dst + k, row + k, 8);
    /* fold features that will fold this row note its fold horizon, unless an older row of
     * theirs is pending already (the due horizon is then at most that row's) */
    uint64_t m0 = rt_row_word(row, 8) & s->fold_pbits;
    if (at_back)
        m0 &= ~ks->pending;
    if (m0 || s->folds_past_64) {
        for (int j = 0; j < s->nfolds; j++) {
            const rt_feat *f = &s->feats[s->folds[j]];
            if (!rt_row_has(f, row) || (at_back && (ks->pending & f->pbit)))
                continue;
            if (!all_raw && ts < rt_win_keep_bound(f, ks->settled))
                continue; /* folded directly */
            int64_t d = rt_win_raw_due(f, ts);
            if (d < ks->due)
                ks->due = d;
            ks->pending |= f->pbit;
        }
    }
    if (((size_t)q->head + q->len) / RT_DQ_BLOCK > q->pvalid)
        rt_rows_part_update(s->feats, s->nfeatures, q, &s->cx);
}

/* Applies s->row (built for the key at idx) to that key's state. */
static void ingest_row(rt_view_state *s, rt_keyst *ks, const rt_slot *inputs)
{
    if (s->horizon >= ks->due)
        rec_settle(s, ks);
    if (s->has_str)
        row_intern(s, inputs);
    const char *row = s->row;
    /* hop features add the row to its tile right away */
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        if (rt_row_has(f, row)) {
            int64_t d = rt_win_tile_add(f, set_at(ks, f), row, s->live[j], &s->cx);
            if (d < ks->due)
                ks->due = d;
        }
    }
    int64_t ts = rt_row_ts(row), h = s->horizon;
    if (ts >= h) {
        /* the common case: every feature still needs the row raw */
        rows_insert(s, ks, true);
        return;
    }
    /* an event older than the horizon: fold features past it take it directly; the row is
     * kept only if some feature still needs it raw */
    bool need = false;
    for (int i = 0; i < s->nfeatures; i++) {
        const rt_feat *f = &s->feats[i];
        if (!rt_row_has(f, row))
            continue;
        if (!f->fold) {
            need |= ts >= rt_win_keep_bound(f, h); /* sliding, or hop: rows of t's tile */
        } else if (ts >= rt_win_keep_bound(f, ks->settled)) {
            need = true; /* raw until the key is next settled */
        } else {
            int64_t d = rt_win_fold(f, set_at(ks, f), row, h, &s->cx);
            if (d < ks->due)
                ks->due = d;
        }
    }
    if (need) {
        rows_insert(s, ks, false);
    } else if (s->has_str) {
        for (int i = 0; i < s->nfeatures; i++) {
            const rt_feat *f = &s->feats[i];
            if (f->is_str && rt_row_has(f, row))
                rt_pool_unref(&s->pool, (rt_istr *)(uintptr_t)rt_row_word(row, f->voff));
        }
    }
}

/* The record of a key just inserted at idx. */
static rt_keyst *rec_new(rt_view_state *s, size_t idx)
{
    if (idx >= s->rec_cap) {
        s->rec_cap = s->rec_cap ? s->rec_cap * 2 : 16;
        s->recs = rt_xrealloc(s->recs, s->rec_cap * s->rec_size);
    }
    rt_keyst *ks = rec_at(s, idx);
    memset(ks, 0, s->rec_size);
    ks->due = INT64_MAX;
    ks->settled = INT64_MIN;
    return ks;
}

void rt_view_ingest(rt_view_state *s, const rt_slot *keys, int64_t ts, const rt_slot *seq,
                    const rt_slot *inputs)
{
    if (!row_build(s, ts, seq, inputs))
        return; /* contributes to no feature: do not create a key for it */
    bool inserted;
    int64_t idx = rt_keytab_upsert(s->kt, keys, &inserted);
    if (idx < 0)
        return;
    rt_keyst *ks = inserted ? rec_new(s, (size_t)idx) : rec_at(s, (size_t)idx);
    ingest_row(s, ks, inputs);
}

static bool any_input(const rt_view_state *s, const rt_slot *inputs)
{
    for (int i = 0; i < s->nfeatures; i++)
        if (!inputs[i].null)
            return true;
    return false;
}

void rt_view_ingest_batch(rt_view_state *s, const rt_view_event *evs, size_t n)
{
    uint64_t hash[BATCH];
    int64_t idx[BATCH];
    for (size_t base = 0; base < n; base += BATCH) {
        size_t m = n - base < BATCH ? n - base : BATCH;
        const rt_view_event *e = evs + base;
        /* 1: hash the keys, fetch their table slots */
        for (size_t i = 0; i < m; i++) {
            idx[i] = any_input(s, e[i].inputs) ? 0 : -1;
            if (idx[i] < 0)
                continue;
            hash[i] = rt_keytab_hash(s->kt, e[i].keys);
            rt_keytab_prefetch(s->kt, hash[i]);
        }
        /* 2: find or insert the keys, fetch their records */
        for (size_t i = 0; i < m; i++) {
            if (idx[i] < 0)
                continue;
            bool inserted;
            idx[i] = rt_keytab_upsert_hashed(s->kt, e[i].keys, hash[i], &inserted);
            if (idx[i] < 0)
                continue;
            if (inserted)
                rec_new(s, (size_t)idx[i]);
            else
                __builtin_prefetch(rec_at(s, (size_t)idx[i]), 1);
        }
        /* 3: fetch the end of each key's rows, where the event goes */
        for (size_t i = 0; i < m; i++) {
            if (idx[i] < 0)
                continue;
            const rt_keyst *ks = rec_at(s, (size_t)idx[i]);
            if (ks->rows.len)
                __builtin_prefetch(rt_dq_at(&ks->rows, s->cx.esz, ks->rows.len - 1), 1);
        }
        /* 4: apply, in order */
        for (size_t i = 0; i < m; i++) {
            if (idx[i] < 0 || !row_build(s, e[i].ts, e[i].seq, e[i].inputs))
                continue;
            ingest_row(s, rec_at(s, (size_t)idx[i]), e[i].inputs);
        }
    }
}

/* ---- settling, compaction, queries ---- */

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
static bool sweep_one(rt_view_state *s, size_t idx, bool force)
{
    rt_keyst *ks = rec_at(s, idx);
    if (force || s->horizon >= ks->due)
        rec_settle(s, ks);
    if (!rec_empty(s, ks))
        return false;
    remove_key(s, idx);
    return true;
}

void rt_view_settle(rt_view_state *s, int64_t horizon)
{
    if (horizon > s->horizon) {
        s->horizon = horizon;
        for (int j = 0; j < s->neagers; j++)
            s->live[j] = rt_win_live_tile(&s->feats[s->eagers[j]], horizon);
    }
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

void rt_view_query(rt_view_state *s, const rt_slot *keys, int64_t t, rt_slot *out)
{
    assert(t >= s->horizon);
    int64_t idx = rt_keytab_find(s->kt, keys);
    rt_keyst *ks = idx >= 0 ? rec_at(s, (size_t)idx) : (rt_keyst *)s->empty_rec;
    for (int i = 0; i < s->nfeatures; i++) {
        const rt_feat *f = &s->feats[i];
        rt_win_query(f, ks, set_at(ks, f), t, &out[i], &s->cx);
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
           rt_keytab_bytes(s->kt) + rt_mem_bytes(&s->mem) + rt_pool_bytes(&s->pool) +
           s->scratch.cap * sizeof *s->scratch.ents;
}
