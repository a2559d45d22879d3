/* rt_state_ingest.c - ingest into a view's state: build an event's row, fill its hop tiles, insert it among the key's rows; one event or a batch. */
#include "rt_state.h"

#include "rt_keytab.h"
#include "rt_state_impl.h"

/* rt_view_ingest_batch runs a pipeline over the events: an event's key slot is fetched
 * D_PROBE events before the key is looked up, its record D_RECORD events before the end of
 * its rows and tiles is fetched, and those D_APPLY events before the event is applied, so
 * each fetch has a few events' work to complete behind it. RING holds the events in
 * flight. */
#define D_PROBE 4
#define D_RECORD 4
#define D_APPLY 4
#define RING 16
_Static_assert(RING > D_PROBE + D_RECORD + D_APPLY, "ring too small for the pipeline");

/* Writes the event's time, mask, seq and fixed-size value words into row (string words are
 * interned later, once the key is known). Returns false when no feature takes the event. */
static inline bool row_build(const rt_view_state *s, char *restrict row, int64_t ts, const rt_slot *seq,
                             const rt_slot *restrict inputs)
{
    /* locals: stores through row may alias anything, so nothing is re-read from s */
    const int nf = s->nfeatures, nnums = s->nnums, nmask = (int)s->nmask;
    const rt_vcopy *nums = s->nums;
    memcpy(row, &ts, sizeof ts);
    uint64_t any = 0;
    if (nmask == 1) {
        /* up to 63 features: one mask word, seq-is-null bit included */
        uint64_t m = 0;
        for (int i = 0; i < nf; i++)
            m |= (uint64_t)(inputs[i].null == 0) << i;
        memcpy(row + 8, &m, sizeof m);
        any = m;
    } else {
        for (int w = 0; w < nmask; w++) {
            uint64_t m = 0;
            int lo = w * 64, n = nf - lo < 64 ? nf - lo : 64; /* n <= 0: only the seq-is-null bit */
            const rt_slot *in = inputs + lo;
            for (int i = 0; i < n; i++)
                m |= (uint64_t)(in[i].null == 0) << i;
            memcpy(row + 8 + 8 * w, &m, sizeof m);
            any |= m;
        }
    }
    /* value words of null inputs are never read: copy them all */
    for (int j = 0; j < nnums; j++)
        memcpy(row + nums[j].voff, &inputs[nums[j].in].v.i, 8);
    if (__builtin_expect(s->plain_rows, 1))
        return any != 0;
    if (s->nzeros)
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

/* Interns the string inputs of row (one reference each, held by the row). */
static void row_intern(rt_view_state *s, char *row, const rt_slot *inputs)
{
    for (int j = 0; j < s->nstrs; j++) {
        int i = s->strs[j];
        const rt_feat *f = &s->feats[i];
        if (rt_row_has(f, row)) {
            uint64_t w = (uint64_t)(uintptr_t)rt_pool_intern(&s->pool, inputs[i].v.s, inputs[i].len);
            memcpy(row + f->voff, &w, sizeof w);
        }
    }
}

static void row_unref(rt_view_state *s, const char *row)
{
    for (int j = 0; j < s->nstrs; j++) {
        const rt_feat *f = &s->feats[s->strs[j]];
        if (rt_row_has(f, row))
            rt_pool_unref(&s->pool, (rt_istr *)(uintptr_t)rt_row_word(row, f->voff));
    }
}

/* rt_acc_add with the common kinds inline. */
static inline void acc_add(const rt_feat *f, void *acc, const char *row, rt_pool *pool)
{
    switch (f->kind) {
    case RK_COUNT:
        ((rt_acc_count *)acc)->n++;
        return;
    case RK_SUM_F: {
        rt_acc_sumf *a = acc;
        double x;
        memcpy(&x, row + f->voff, sizeof x);
        a->n++;
        rt_neumaier(&a->s, &a->c, x);
        return;
    }
    case RK_SUM_I: {
        rt_acc_sumi *a = acc;
        a->n++;
        a->s += (int64_t)rt_row_word(row, f->voff);
        return;
    }
    default:
        rt_acc_add(f, acc, row, pool);
    }
}

/* Adds the row to its tile in every hop feature that takes it (tiles no future window
 * reaches are not created). */
static void eager_add(rt_view_state *s, rt_keyst *ks, const char *row)
{
    int64_t ts = rt_row_ts(row);
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        if (!rt_row_has(f, row))
            continue;
        rt_deque *tiles = (rt_deque *)rt_set_at(ks, f);
        int64_t k = rt_hop_tile(&s->hops[s->eager_hop[j]], ts);
        int64_t lastk = INT64_MIN;
        if (tiles->len) {
            char *last = rt_dq_at(tiles, f->tile_sz, tiles->len - 1);
            lastk = rt_row_ts(last);
            if (lastk == k) { /* most rows go to the newest tile */
                acc_add(f, last + f->tile_off, row, &s->pool);
                continue;
            }
        }
        if (k < s->live[j])
            continue;
        if (k > lastk) {
            /* a new newest tile: appended in place, or where the deque grows or moves to */
            if (!tiles->len) {
                tiles->head = 0;
                int64_t d = rt_win_tile_due(f, k);
                if (d < ks->due)
                    ks->due = d;
            }
            char *t = tiles->cap > (size_t)tiles->head + tiles->len
                          ? rt_dq_at(tiles, f->tile_sz, tiles->len++)
                          : rt_dq_insert_at(tiles, f->tile_sz, 0, tiles->len, &s->mem);
            memcpy(t, &k, sizeof k);
            for (uint32_t w = 8; w < f->tile_sz; w += 8) /* tiles are whole words */
                memset(t + w, 0, 8);
            acc_add(f, t + f->tile_off, row, &s->pool);
            continue;
        }
        int64_t d = rt_win_tile_add(f, (char *)tiles, row, k, &s->cx);
        if (d < ks->due)
            ks->due = d;
    }
}

/* Inserts row among the key's rows (after those with the same time) and notes its due
 * horizons. all_raw: every fold feature keeps the row raw (else those past it folded it). */
static void rows_insert(rt_view_state *s, rt_keyst *ks, const char *row, bool all_raw)
{
    rt_deque *q = &ks->rows;
    const uint32_t esz = s->cx.esz;
    int64_t ts = rt_row_ts(row);
    char *dst;
    bool at_back = true;
    if (q->len && (size_t)q->head + q->len < q->cap && rt_dq_key(q, esz, q->len - 1) <= ts) {
        dst = q->data + ((size_t)q->head + q->len) * esz; /* the common case: append in place */
        q->len++;
    } else if (!q->len && q->cap) {
        /* an emptied deque (its buffer kept): the row becomes the front */
        q->head = q->pvalid = 0;
        q->len = 1;
        dst = q->data;
        int64_t d = rt_key_evict_due(s, ts);
        if (d < ks->due)
            ks->due = d;
    } else {
        size_t pos = q->len;
        if (pos && rt_dq_key(q, esz, pos - 1) > ts)
            pos = rt_dq_lower_back(q, esz, ts + 1); /* ts < INT64_MAX here */
        at_back = pos == q->len;
        if (pos == 0) {
            int64_t d = rt_key_evict_due(s, ts);
            if (d < ks->due)
                ks->due = d;
        }
        dst = rt_dq_insert_at(q, esz, s->cx.psz, pos, &s->mem);
    }
    /* rows are whole words, at least two */
    uint32_t k = 0;
    for (; k + 16 <= esz; k += 16)
        memcpy(dst + k, row + k, 16);
    if (k < esz)
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

/* Applies row (built for this key) to the key's state. */
static void ingest_row(rt_view_state *s, rt_keyst *ks, char *row, const rt_slot *inputs)
{
    if (s->horizon >= ks->due)
        rt_key_settle(s, ks);
    if (s->has_str)
        row_intern(s, row, inputs);
    if (s->neagers)
        eager_add(s, ks, row);
    int64_t ts = rt_row_ts(row), h = s->horizon;
    if (ts >= h) {
        /* the common case: every feature still needs the row raw */
        rows_insert(s, ks, row, true);
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
            int64_t d = rt_win_fold(f, rt_set_at(ks, f), row, h, &s->cx);
            if (d < ks->due)
                ks->due = d;
        }
    }
    if (need)
        rows_insert(s, ks, row, false);
    else if (s->has_str)
        row_unref(s, row);
}

/* The record of a key just inserted at idx. */
static rt_keyst *rec_new(rt_view_state *s, size_t idx)
{
    if (idx >= s->rec_cap) {
        size_t old = s->rec_cap * s->rec_size;
        s->rec_cap = s->rec_cap ? s->rec_cap * 2 : 16;
        s->recs = rt_huge_realloc(s->recs, old, s->rec_cap * s->rec_size);
    }
    rt_keyst *ks = rt_rec_at(s, idx);
    memset(ks, 0, s->rec_size);
    ks->due = INT64_MAX;
    ks->settled = INT64_MIN;
    return ks;
}

void rt_view_ingest(rt_view_state *s, const rt_slot *keys, int64_t ts, const rt_slot *seq,
                    const rt_slot *inputs)
{
    if (!row_build(s, s->row, ts, seq, inputs))
        return; /* contributes to no feature: do not create a key for it */
    bool inserted;
    int64_t idx = rt_keytab_upsert(s->kt, keys, &inserted);
    if (idx < 0)
        return;
    rt_keyst *ks = inserted ? rec_new(s, (size_t)idx) : rt_rec_at(s, (size_t)idx);
    ingest_row(s, ks, s->row, inputs);
}

/* The events in flight of rt_view_ingest_batch, by position modulo RING: each one's key hash
 * and dense index (-1: no feature takes it); rows are in s->brows. */
typedef struct pipe {
    uint64_t hash[RING];
    int64_t idx[RING];
} pipe;

/* Stage 1 of event i: build its row (no feature takes it: no key), hash its key, fetch the
 * key's slot. */
static inline void stage_row(rt_view_state *s, const rt_view_event *evs, size_t i, pipe *pp)
{
    size_t r = i % RING;
    pp->idx[r] = -1;
    if (row_build(s, s->brows + r * s->cx.esz, evs[i].ts, evs[i].seq, evs[i].inputs)) {
        pp->idx[r] = 0;
        pp->hash[r] = rt_keytab_hash_prefetch(s->kt, evs[i].keys);
    }
}

/* Stage 2 of event j: find or insert its key (in event order), fetch its record. */
static inline void stage_key(rt_view_state *s, const rt_view_event *evs, size_t j, pipe *pp)
{
    size_t r = j % RING;
    if (pp->idx[r] < 0)
        return;
    bool inserted;
    int64_t idx = rt_keytab_upsert_hashed(s->kt, evs[j].keys, pp->hash[r], &inserted);
    pp->idx[r] = idx;
    if (idx >= 0 && inserted) {
        rec_new(s, (size_t)idx);
    } else if (idx >= 0) {
        const char *rec = (const char *)rt_rec_at(s, (size_t)idx);
        __builtin_prefetch(rec, 1);
        __builtin_prefetch(rec + s->rec_size - 1, 1);
    }
}

/* Stage 3 of event j: fetch the end of its key's rows and the key's newest tiles, where the
 * event goes. */
static inline void stage_fetch(const rt_view_state *s, size_t j, const pipe *pp)
{
    size_t r = j % RING;
    if (pp->idx[r] < 0)
        return;
    const rt_keyst *ks = rt_rec_at(s, (size_t)pp->idx[r]);
    if (ks->rows.len)
        __builtin_prefetch(rt_dq_at(&ks->rows, s->cx.esz, ks->rows.len - 1), 1);
    for (int t = 0; t < s->neagers; t++) {
        const rt_deque *tiles = (const rt_deque *)((const char *)ks + s->eager_off[t]);
        if (tiles->len)
            __builtin_prefetch(rt_dq_at(tiles, s->eager_tsz[t], tiles->len - 1), 1);
    }
}

/* Stage 4 of event j: apply it, in order. */
static inline void stage_apply(rt_view_state *s, const rt_view_event *evs, size_t j, const pipe *pp)
{
    size_t r = j % RING;
    if (pp->idx[r] >= 0)
        ingest_row(s, rt_rec_at(s, (size_t)pp->idx[r]), s->brows + r * s->cx.esz, evs[j].inputs);
}

void rt_view_ingest_batch(rt_view_state *s, const rt_view_event *evs, size_t n)
{
    pipe pp;
    if (!s->brows)
        s->brows = rt_xrealloc(NULL, (size_t)s->cx.esz * RING);
    const size_t at_record = D_PROBE, at_rows = D_PROBE + D_RECORD, at_apply = D_PROBE + D_RECORD + D_APPLY;
    size_t i = 0;
    if (n > at_apply) {
        /* filling the pipeline, then every stage busy (no tests per stage) */
        for (; i < at_apply; i++) {
            stage_row(s, evs, i, &pp);
            if (i >= at_record)
                stage_key(s, evs, i - at_record, &pp);
            if (i >= at_rows)
                stage_fetch(s, i - at_rows, &pp);
        }
        for (; i < n; i++) {
            stage_row(s, evs, i, &pp);
            stage_key(s, evs, i - at_record, &pp);
            stage_fetch(s, i - at_rows, &pp);
            stage_apply(s, evs, i - at_apply, &pp);
        }
    }
    /* draining it (and small batches) */
    for (; i < n + at_apply; i++) {
        if (i < n)
            stage_row(s, evs, i, &pp);
        if (i >= at_record && i - at_record < n)
            stage_key(s, evs, i - at_record, &pp);
        if (i >= at_rows && i - at_rows < n)
            stage_fetch(s, i - at_rows, &pp);
        if (i >= at_apply)
            stage_apply(s, evs, i - at_apply, &pp);
    }
}
