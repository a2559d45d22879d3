/* rt_state_key.c - one key's state in a view: settling (tile drops, folds, row eviction), due horizons, release. */
#include "rt_state.h"

#include "rt_state_impl.h"

void rt_rows_unref(rt_view_state *s, const rt_deque *q, size_t lo, size_t hi)
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

void rt_key_release(rt_view_state *s, rt_keyst *ks)
{
    rt_rows_unref(s, &ks->rows, 0, ks->rows.len);
    rt_dq_release(&ks->rows, s->cx.esz, s->cx.psz, &s->mem);
    for (int j = 0; j < s->nfolds; j++) {
        const rt_feat *f = &s->feats[s->folds[j]];
        rt_win_release(f, rt_set_at(ks, f), &s->cx);
    }
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        rt_win_release(f, rt_set_at(ks, f), &s->cx);
    }
}

/* When no feature needs the row raw any more: the latest of the features' rt_win_raw_due. */
int64_t rt_key_evict_due(const rt_view_state *s, int64_t ts)
{
    int64_t due = INT64_MIN;
    if (s->dmax >= 0)
        due = rt_sat_add(rt_sat_add(ts, s->dmax), 1);
    if (s->has_life && rt_sat_add(ts, 1) > due)
        due = rt_sat_add(ts, 1);
    for (int k = 0; k < s->nhops; k++) {
        const rt_hop *hp = &s->hops[k];
        int64_t kt = rt_hop_tile(hp, ts);
        int64_t d = kt == hp->k ? hp->end : kt == hp->k + 1 ? hp->end2 : rt_tile_start(rt_sat_add(kt, 1), hp->H);
        if (d > due)
            due = d;
    }
    return due;
}

/* Recomputes a settled key's due horizon and pending fold features from its contents. */
static void key_due(const rt_view_state *s, rt_keyst *ks)
{
    int64_t due = INT64_MAX;
    uint64_t pending = 0;
    const rt_deque *q = &ks->rows;
    if (q->len) {
        int64_t front = rt_dq_key(q, s->cx.esz, 0), last = rt_dq_key(q, s->cx.esz, q->len - 1);
        due = rt_key_evict_due(s, front);
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
        int64_t d = rt_win_set_due(f, rt_set_at(ks, f));
        if (d < due)
            due = d;
    }
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        const rt_deque *tiles = (const rt_deque *)rt_set_at(ks, f);
        if (tiles->len) {
            int64_t d = rt_win_tile_due(f, rt_dq_key(tiles, f->tile_sz, 0));
            if (d < due)
                due = d;
        }
    }
    ks->due = due;
    ks->pending = pending;
}

void rt_key_settle(rt_view_state *s, rt_keyst *ks)
{
    int64_t h = s->horizon, S = ks->settled;
    rt_deque *q = &ks->rows;
    const uint32_t esz = s->cx.esz;
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        rt_deque *tiles = (rt_deque *)rt_set_at(ks, f);
        if (!tiles->len || rt_dq_key(tiles, f->tile_sz, 0) >= s->live[j])
            continue;
        if (!f->is_str && rt_dq_key(tiles, f->tile_sz, tiles->len - 1) < s->live[j])
            rt_dq_drop_front(tiles, f->tile_sz, 0, tiles->len, &s->mem); /* all gone: no search */
        else
            rt_win_drop(f, (char *)tiles, s->live[j], &s->cx);
    }
    for (int j = 0; j < s->nfolds; j++) {
        const rt_feat *f = &s->feats[s->folds[j]];
        char *set = rt_set_at(ks, f);
        if (f->d.win == RT_WIN_HOP)
            rt_win_drop(f, set, rt_win_live_tile(f, h), &s->cx);
        if (q->len) {
            size_t lo = rt_dq_lower_front(q, esz, rt_win_keep_bound(f, S));
            size_t hi = rt_dq_lower_front(q, esz, rt_win_keep_bound(f, h));
            rt_win_fold_rows(f, set, q, lo, hi, h, &s->cx);
        }
    }
    if (q->len && rt_dq_key(q, esz, 0) < s->evict_b) {
        size_t n = rt_dq_key(q, esz, q->len - 1) < s->evict_b ? q->len : rt_dq_lower_front(q, esz, s->evict_b);
        rt_rows_unref(s, q, 0, n);
        rt_dq_drop_front(q, esz, s->cx.psz, n, &s->mem);
        if (((size_t)q->head + q->len) / RT_DQ_BLOCK > q->pvalid)
            rt_rows_part_update(s->feats, s->nfeatures, q, &s->cx);
    }
    if (h > ks->settled)
        ks->settled = h;
    key_due(s, ks);
}

bool rt_key_empty(const rt_view_state *s, rt_keyst *ks)
{
    if (ks->rows.len)
        return false;
    for (int j = 0; j < s->nfolds; j++) {
        const rt_feat *f = &s->feats[s->folds[j]];
        if (!rt_win_set_empty(f, rt_set_at(ks, f)))
            return false;
    }
    for (int j = 0; j < s->neagers; j++) {
        const rt_feat *f = &s->feats[s->eagers[j]];
        if (!rt_win_set_empty(f, rt_set_at(ks, f)))
            return false;
    }
    return true;
}
