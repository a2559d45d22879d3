/* rt_agg_window.c - one feature's window over a key's shared rows: hop tiles, lifetime folds, block partials, point-in-time reads. */
#include "rt_state_impl.h"

static inline void *tiles_of(char *set)
{
    return set;
}

/* ---- folding ---- */

/* The accumulator of hop tile k, created empty when absent; *front tells whether it was
 * created as the oldest tile. */
static void *tile_acc(const rt_feat *f, rt_deque *tiles, int64_t k, rt_mem *m, bool *front)
{
    *front = false;
    size_t pos = rt_dq_lower_back(tiles, f->tile_sz, k);
    char *p;
    if (pos < tiles->len && rt_dq_key(tiles, f->tile_sz, pos) == k) {
        p = rt_dq_at(tiles, f->tile_sz, pos);
    } else {
        p = rt_dq_insert_at(tiles, f->tile_sz, 0, pos, m);
        memset(p, 0, f->tile_sz);
        memcpy(p, &k, sizeof k);
        *front = pos == 0;
    }
    return p + f->tile_off;
}

int64_t rt_win_tile_add(const rt_feat *f, char *set, const char *row, int64_t k, rt_cx *cx)
{
    bool front;
    rt_acc_add(f, tile_acc(f, tiles_of(set), k, cx->mem, &front), row, cx->pool);
    return front ? rt_win_tile_due(f, k) : INT64_MAX;
}

int64_t rt_win_fold(const rt_feat *f, char *set, const char *row, int64_t h, rt_cx *cx)
{
    assert(f->fold);
    uint64_t v = 0;
    if (f->kind == RK_DISTINCT) {
        int64_t pay = 0;
        if (f->d.win == RT_WIN_HOP) {
            pay = rt_floordiv(rt_row_ts(row), f->d.hop_us);
            if (pay < rt_win_live_tile(f, h))
                return INT64_MAX; /* no future window reaches it */
        }
        v = rt_row_word(row, f->voff);
        if (rt_vset_put_max((rt_vset *)set, cx->mem, v, pay) && f->is_str)
            rt_pool_ref((rt_istr *)(uintptr_t)v);
        return f->d.win == RT_WIN_HOP ? rt_win_tile_due(f, pay) : INT64_MAX;
    }
    if (f->kind == RK_PCT) {
        rt_pct_set_add((rt_pctset *)set, cx->mem, rt_pct_key(f->d.in_type, rt_row_word(row, f->voff)));
        return INT64_MAX;
    }
    rt_acc_add(f, set, row, cx->pool);
    return INT64_MAX;
}

void rt_win_fold_rows(const rt_feat *f, char *set, const rt_deque *rows, size_t lo, size_t hi, int64_t h,
                      rt_cx *cx)
{
    for (size_t i = lo; i < hi; i++) {
        const char *r = rt_dq_at(rows, cx->esz, i);
        if (rt_row_has(f, r))
            rt_win_fold(f, set, r, h, cx);
    }
}

void rt_win_drop(const rt_feat *f, char *set, int64_t kd, rt_cx *cx)
{
    if (f->d.win != RT_WIN_HOP)
        return;
    if (f->kind == RK_DISTINCT) {
        rt_vset_purge((rt_vset *)set, cx->mem, kd, f->is_str ? cx->pool : NULL);
        return;
    }
    rt_deque *tiles = tiles_of(set);
    size_t m = rt_dq_lower_front(tiles, f->tile_sz, kd);
    if (f->is_str)
        for (size_t i = 0; i < m; i++)
            rt_acc_release(f, rt_dq_at(tiles, f->tile_sz, i) + f->tile_off, cx->pool);
    rt_dq_drop_front(tiles, f->tile_sz, 0, m, cx->mem);
}

int64_t rt_win_set_due(const rt_feat *f, const char *set)
{
    if (f->d.win != RT_WIN_HOP)
        return INT64_MAX;
    if (f->kind == RK_DISTINCT) {
        const rt_vset *v = (const rt_vset *)set;
        return v->count ? rt_win_tile_due(f, v->lo) : INT64_MAX;
    }
    const rt_deque *tiles = (const rt_deque *)set;
    return tiles->len ? rt_win_tile_due(f, rt_dq_key(tiles, f->tile_sz, 0)) : INT64_MAX;
}

/* ---- block partials over the shared rows ---- */

void rt_rows_part_update(const rt_feat *feats, int n, rt_deque *q, rt_cx *cx)
{
    char *part = rt_dq_part(q, cx->esz, cx->psz);
    if (!part)
        return;
    /* blocks holding the head are never read (their first rows may be gone) */
    size_t first = ((size_t)q->head + RT_DQ_BLOCK - 1) / RT_DQ_BLOCK;
    size_t last = ((size_t)q->head + q->len) / RT_DQ_BLOCK;
    size_t b = q->pvalid > first ? q->pvalid : first;
    for (; b < last; b++) {
        char *bp = part + b * cx->psz;
        size_t lo = b * RT_DQ_BLOCK - q->head;
        /* the first mask word's bits that every row of the block has */
        uint64_t all = ~UINT64_C(0);
        for (size_t i = lo; i < lo + RT_DQ_BLOCK; i++)
            all &= rt_row_word(rt_dq_at(q, cx->esz, i), 8);
        for (int i = 0; i < n; i++) {
            const rt_feat *f = &feats[i];
            if (!f->psz)
                continue;
            memset(bp + f->poff, 0, f->psz);
            if (f->moff == 8 && (all & f->mbit))
                rt_acc_add_range_all(f, bp + f->poff, q, cx->esz, lo, lo + RT_DQ_BLOCK);
            else
                rt_acc_add_range(f, bp + f->poff, q, cx->esz, lo, lo + RT_DQ_BLOCK);
        }
    }
    if (last > q->pvalid)
        q->pvalid = (uint32_t)last;
}

/* Adds the rows lo..hi-1 that f takes to a borrowed accumulator, whole blocks through their
 * partials. */
static void add_raw(const rt_feat *f, void *acc, const rt_deque *q, size_t lo, size_t hi, const rt_cx *cx)
{
    const char *part = f->psz ? rt_dq_part(q, cx->esz, cx->psz) : NULL;
    if (part && hi > lo) {
        size_t b0 = ((size_t)q->head + lo + RT_DQ_BLOCK - 1) / RT_DQ_BLOCK;
        size_t b1 = ((size_t)q->head + hi) / RT_DQ_BLOCK;
        if (b1 > q->pvalid)
            b1 = q->pvalid;
        if (b0 < b1) {
            rt_acc_add_range(f, acc, q, cx->esz, lo, b0 * RT_DQ_BLOCK - q->head);
            for (size_t b = b0; b < b1; b++)
                rt_acc_merge(f, acc, part + b * cx->psz + f->poff);
            lo = b1 * RT_DQ_BLOCK - q->head;
        }
    }
    rt_acc_add_range(f, acc, q, cx->esz, lo, hi);
}

/* ---- reads ---- */

/* The first row position that still feeds f raw: rows below f's keep bound at the key's
 * settled horizon are folded (or out of every window). */
static size_t raw_from(const rt_feat *f, const rt_keyst *ks, int64_t bound, const rt_cx *cx)
{
    if (f->fold) {
        int64_t kb = rt_win_keep_bound(f, ks->settled);
        if (kb > bound)
            bound = kb;
    }
    return rt_dq_lower_front(&ks->rows, cx->esz, bound);
}

/* count_distinct at t: settled values (their set) plus raw values not already counted,
 * the latter gathered in a set of the query's own (scratch). */
static int64_t distinct_at(const rt_feat *f, const rt_keyst *ks, const char *set, int64_t t, const rt_cx *cx,
                           rt_scratch *scratch)
{
    const rt_deque *q = &ks->rows;
    const uint32_t esz = cx->esz;
    size_t hi = rt_dq_lower_back(q, esz, t);
    int64_t n = 0;
    rt_vscratch seen;
    switch (f->d.win) {
    case RT_WIN_SLIDING: {
        size_t lo = raw_from(f, ks, rt_sat_sub(t, f->d.size_us), cx);
        rt_vscratch_init(&seen, scratch, hi > lo ? hi - lo : 0);
        for (size_t i = lo; i < hi; i++) {
            const char *r = rt_dq_at(q, esz, i);
            if (rt_row_has(f, r))
                n += rt_vscratch_add(&seen, rt_row_word(r, f->voff));
        }
        break;
    }
    case RT_WIN_LIFETIME: {
        const rt_vset *s = (const rt_vset *)set;
        n = s->count;
        size_t lo = raw_from(f, ks, INT64_MIN, cx);
        rt_vscratch_init(&seen, scratch, hi > lo ? hi - lo : 0);
        for (size_t i = lo; i < hi; i++) {
            const char *r = rt_dq_at(q, esz, i);
            if (!rt_row_has(f, r))
                continue;
            uint64_t v = rt_row_word(r, f->voff);
            if (!rt_vset_get(s, v, NULL))
                n += rt_vscratch_add(&seen, v);
        }
        break;
    }
    case RT_WIN_HOP: {
        const rt_vset *s = (const rt_vset *)set;
        int64_t ka = rt_win_live_tile(f, t);
        n = (int64_t)rt_vset_count_from(s, ka);
        size_t lo = raw_from(f, ks, rt_tile_start(ka, f->d.hop_us), cx);
        rt_vscratch_init(&seen, scratch, hi > lo ? hi - lo : 0);
        for (size_t i = lo; i < hi; i++) {
            const char *r = rt_dq_at(q, esz, i);
            if (!rt_row_has(f, r))
                continue;
            uint64_t v = rt_row_word(r, f->voff);
            int64_t tile;
            if (!(rt_vset_get(s, v, &tile) && tile >= ka))
                n += rt_vscratch_add(&seen, v);
        }
        break;
    }
    }
    return n;
}

void rt_win_query(const rt_feat *f, const rt_keyst *ks, const char *set, int64_t t, rt_slot *out, const rt_cx *cx,
                  rt_scratch *scratch)
{
    if (f->kind == RK_DISTINCT) {
        memset(out, 0, sizeof *out);
        out->v.i = distinct_at(f, ks, set, t, cx, scratch);
        return;
    }
    const rt_deque *q = &ks->rows;
    if (f->kind == RK_PCT) {
        size_t hi = rt_dq_lower_back(q, cx->esz, t), lo;
        if (f->d.win == RT_WIN_LIFETIME)
            lo = raw_from(f, ks, INT64_MIN, cx);
        else if (f->d.win == RT_WIN_SLIDING)
            lo = raw_from(f, ks, rt_sat_sub(t, f->d.size_us), cx);
        else /* floor((t - D) / H) * H, saturated */
            lo = raw_from(f, ks, rt_tile_start(rt_floordiv(rt_sat_sub(t, f->d.size_us), f->d.hop_us), f->d.hop_us), cx);
        rt_pct_query(f, q, f->d.win == RT_WIN_LIFETIME ? (const rt_pctset *)set : NULL, lo, hi > lo ? hi : lo, out, cx,
                     scratch);
        return;
    }
    rt_acc_any a;
    memset(&a, 0, sizeof a);
    size_t lo = 0, hi = rt_dq_lower_back(q, cx->esz, t);
    switch (f->d.win) {
    case RT_WIN_LIFETIME:
        rt_acc_merge(f, &a, set);
        lo = raw_from(f, ks, INT64_MIN, cx);
        break;
    case RT_WIN_SLIDING:
        lo = raw_from(f, ks, rt_sat_sub(t, f->d.size_us), cx);
        break;
    case RT_WIN_HOP: {
        /* the tiles before t's own are whole (every row before t is in): merge them; t's own
         * tile also holds rows at or after t, so its rows before t are read raw */
        const rt_deque *tiles = (const rt_deque *)set;
        int64_t kt = rt_floordiv(t, f->d.hop_us), ka = rt_sat_sub(kt, f->ntiles);
        for (size_t i = rt_dq_lower_front(tiles, f->tile_sz, ka); i < tiles->len; i++) {
            const char *tile = rt_dq_at(tiles, f->tile_sz, i);
            if (rt_row_ts(tile) >= kt)
                break;
            rt_acc_merge(f, &a, tile + f->tile_off);
        }
        lo = rt_dq_lower_front(q, cx->esz, rt_tile_start(kt, f->d.hop_us));
        break;
    }
    }
    if (lo < hi)
        add_raw(f, &a, q, lo, hi, cx);
    rt_acc_result(f, &a, out);
    if (f->d.ttl_us > 0 && a.o.has && a.o.e.ts < rt_sat_sub(t, f->d.ttl_us)) {
        memset(out, 0, sizeof *out);
        out->null = 1;
    }
}

bool rt_win_set_empty(const rt_feat *f, const char *set)
{
    if (f->kind == RK_DISTINCT)
        return f->d.win == RT_WIN_SLIDING || ((const rt_vset *)set)->count == 0;
    if (f->kind == RK_PCT)
        return f->d.win != RT_WIN_LIFETIME || ((const rt_pctset *)set)->len == 0;
    switch (f->d.win) {
    case RT_WIN_LIFETIME:
        return rt_acc_empty(f, set);
    case RT_WIN_HOP:
        return ((const rt_deque *)set)->len == 0;
    default:
        return true;
    }
}

void rt_win_release(const rt_feat *f, char *set, rt_cx *cx)
{
    if (f->kind == RK_DISTINCT) {
        if (f->d.win != RT_WIN_SLIDING)
            rt_vset_release((rt_vset *)set, cx->mem, f->is_str ? cx->pool : NULL);
    } else if (f->kind == RK_PCT) {
        if (f->d.win == RT_WIN_LIFETIME)
            rt_pct_set_release((rt_pctset *)set, cx->mem);
    } else if (f->d.win == RT_WIN_LIFETIME) {
        rt_acc_release(f, set, cx->pool);
    } else if (f->d.win == RT_WIN_HOP) {
        rt_deque *tiles = tiles_of(set);
        for (size_t i = 0; i < tiles->len; i++)
            rt_acc_release(f, rt_dq_at(tiles, f->tile_sz, i) + f->tile_off, cx->pool);
        rt_dq_release(tiles, f->tile_sz, 0, cx->mem);
    }
}
