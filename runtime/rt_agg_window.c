/* rt_agg_window.c - one feature's window state for one key: raw events, hop tiles, lifetime folds; point-in-time reads. */
#include "rt_state_impl.h"

static inline rt_deque *raw_of(char *fs)
{
    return (rt_deque *)fs;
}
static inline const rt_deque *craw_of(const char *fs)
{
    return (const rt_deque *)fs;
}
static inline void *set_of(const rt_feat *f, char *fs)
{
    return fs + f->set_off;
}
static inline const void *cset_of(const rt_feat *f, const char *fs)
{
    return fs + f->set_off;
}

static inline int64_t ev_ts(const void *ev)
{
    int64_t ts;
    memcpy(&ts, ev, sizeof ts);
    return ts;
}

static inline uint64_t ev_word(const rt_feat *f, const void *ev)
{
    return f->kind == RK_ORDER ? ((const rt_ev_o *)ev)->v : ((const rt_ev_v *)ev)->v;
}

static inline void ev_release(const rt_feat *f, const void *ev, rt_pool *pool)
{
    if (f->is_str)
        rt_pool_unref(pool, (rt_istr *)(uintptr_t)ev_word(f, ev));
}

/* Drops the first k raw events. */
static void raw_pop(const rt_feat *f, rt_deque *q, size_t k, rt_cx *cx)
{
    if (f->is_str)
        for (size_t i = 0; i < k; i++)
            ev_release(f, rt_dq_at(q, f->esz, i), cx->pool);
    rt_dq_drop_front(q, f->esz, f->psz, k, cx->mem);
}

/* Computes the partials of the raw deque's complete blocks that lack one. Blocks holding the
 * head are never read, so they are not computed (their first events may be gone). */
static void part_update(const rt_feat *f, rt_deque *q)
{
    char *part = rt_dq_part(q, f->esz, f->psz);
    if (!part)
        return;
    size_t first = ((size_t)q->head + RT_DQ_BLOCK - 1) / RT_DQ_BLOCK;
    size_t last = ((size_t)q->head + q->len) / RT_DQ_BLOCK;
    size_t b = q->pvalid > first ? q->pvalid : first;
    for (; b < last; b++) {
        void *acc = part + b * f->psz;
        memset(acc, 0, f->psz);
        size_t lo = b * RT_DQ_BLOCK - q->head;
        rt_acc_add_range(f, acc, q, lo, lo + RT_DQ_BLOCK);
    }
    if (last > q->pvalid)
        q->pvalid = (uint32_t)last;
}

/* Adds raw events lo..hi-1 to a borrowed accumulator, whole blocks through their partials. */
static void add_raw(const rt_feat *f, void *acc, const rt_deque *q, size_t lo, size_t hi)
{
    const char *part = rt_dq_part(q, f->esz, f->psz);
    if (part && hi > lo) {
        size_t b0 = ((size_t)q->head + lo + RT_DQ_BLOCK - 1) / RT_DQ_BLOCK;
        size_t b1 = ((size_t)q->head + hi) / RT_DQ_BLOCK;
        if (b1 > q->pvalid)
            b1 = q->pvalid;
        if (b0 < b1) {
            rt_acc_add_range(f, acc, q, lo, b0 * RT_DQ_BLOCK - q->head);
            for (size_t b = b0; b < b1; b++)
                rt_acc_merge(f, acc, part + b * f->psz);
            lo = b1 * RT_DQ_BLOCK - q->head;
        }
    }
    rt_acc_add_range(f, acc, q, lo, hi);
}

/* The accumulator of hop tile k, created empty when absent. */
static void *tile_acc(const rt_feat *f, rt_deque *tiles, int64_t k, rt_mem *m)
{
    size_t pos = rt_dq_lower_back(tiles, f->tile_sz, k);
    char *p;
    if (pos < tiles->len && rt_dq_key(tiles, f->tile_sz, pos) == k) {
        p = rt_dq_at(tiles, f->tile_sz, pos);
    } else {
        p = rt_dq_insert_at(tiles, f->tile_sz, 0, pos, m);
        memset(p, 0, f->tile_sz);
        memcpy(p, &k, sizeof k);
    }
    return p + f->tile_off;
}

/* Adds one event to the settled part (lifetime fold, hop tile or distinct set); the event
 * keeps its own reference. */
static void fold(const rt_feat *f, char *fs, const void *ev, rt_cx *cx)
{
    if (f->kind == RK_DISTINCT) {
        int64_t pay = f->d.win == RT_WIN_HOP ? rt_floordiv(ev_ts(ev), f->d.hop_us) : 0;
        uint64_t v = ev_word(f, ev);
        if (rt_vset_put_max(set_of(f, fs), cx->mem, v, pay) && f->is_str)
            rt_pool_ref((rt_istr *)(uintptr_t)v);
    } else if (f->d.win == RT_WIN_LIFETIME) {
        rt_acc_add(f, set_of(f, fs), ev, cx->pool);
    } else {
        assert(f->d.win == RT_WIN_HOP);
        void *acc = tile_acc(f, set_of(f, fs), rt_floordiv(ev_ts(ev), f->d.hop_us), cx->mem);
        rt_acc_add(f, acc, ev, cx->pool);
    }
}

/* The first horizon at which hop tile k is dropped: floor(h / H) - ntiles > k. */
static int64_t tile_due(const rt_feat *f, int64_t k)
{
    return rt_tile_start(rt_sat_add(k, rt_sat_add(f->ntiles, 1)), f->d.hop_us);
}

/* The first horizon at which settling moves a raw event stamped ts. */
static int64_t raw_due(const rt_feat *f, int64_t ts)
{
    switch (f->d.win) {
    case RT_WIN_SLIDING: /* evicted once ts < h - D */
        return rt_sat_add(rt_sat_add(ts, f->d.size_us), 1);
    case RT_WIN_LIFETIME: /* folded once ts < h */
        return rt_sat_add(ts, 1);
    case RT_WIN_HOP: /* folded once its tile is below floor(h / H) */
        return rt_tile_start(rt_sat_add(rt_floordiv(ts, f->d.hop_us), 1), f->d.hop_us);
    }
    return INT64_MAX;
}

/* Adds the event; returns the due horizon of what it added. */
static int64_t add_event(const rt_feat *f, char *fs, int64_t h, const void *ev, rt_cx *cx)
{
    int64_t ts = ev_ts(ev);
    switch (f->d.win) {
    case RT_WIN_SLIDING:
        if (ts < rt_sat_sub(h, f->d.size_us))
            break; /* before every future window */
        rt_dq_insert(raw_of(fs), f->esz, f->psz, ev, cx->mem);
        part_update(f, raw_of(fs));
        return raw_due(f, ts);
    case RT_WIN_LIFETIME:
        if (ts < h) {
            fold(f, fs, ev, cx); /* visible to every future query */
            break;
        }
        rt_dq_insert(raw_of(fs), f->esz, f->psz, ev, cx->mem);
        part_update(f, raw_of(fs));
        return raw_due(f, ts);
    case RT_WIN_HOP: {
        int64_t k = rt_floordiv(ts, f->d.hop_us), ks = rt_floordiv(h, f->d.hop_us);
        if (k < rt_sat_sub(ks, f->ntiles))
            break; /* before every future window's first tile */
        if (k < ks) {
            fold(f, fs, ev, cx); /* a tile every future query sees whole or not at all */
            ev_release(f, ev, cx->pool);
            return tile_due(f, k);
        }
        rt_dq_insert(raw_of(fs), f->esz, f->psz, ev, cx->mem);
        part_update(f, raw_of(fs));
        return raw_due(f, ts);
    }
    }
    ev_release(f, ev, cx->pool);
    return INT64_MAX;
}

int64_t rt_win_add(const rt_feat *f, char *fs, int64_t h, const void *ev, rt_cx *cx)
{
    rt_fhdr *hd = (rt_fhdr *)fs;
    int64_t due = add_event(f, fs, h, ev, cx);
    if (due < hd->due)
        hd->due = due;
    return hd->due;
}

/* The first horizon at which settling this feature has work, from its current contents. */
static int64_t feature_due(const rt_feat *f, const char *fs)
{
    const rt_deque *q = craw_of(fs);
    int64_t due = q->len ? raw_due(f, rt_dq_key(q, f->esz, 0)) : INT64_MAX;
    if (f->d.win != RT_WIN_HOP)
        return due;
    int64_t k = INT64_MAX;
    if (f->kind == RK_DISTINCT) {
        const rt_vset *v = cset_of(f, fs);
        if (v->count)
            k = v->lo;
    } else {
        const rt_deque *tiles = cset_of(f, fs);
        if (tiles->len)
            k = rt_dq_key(tiles, f->tile_sz, 0);
    }
    if (k != INT64_MAX) {
        int64_t td = tile_due(f, k);
        if (td < due)
            due = td;
    }
    return due;
}

void rt_win_init(const rt_feat *f, char *fs)
{
    memset(fs, 0, f->size);
    ((rt_fhdr *)fs)->due = INT64_MAX;
}

int64_t rt_win_settle(const rt_feat *f, char *fs, int64_t h, rt_cx *cx)
{
    rt_fhdr *hd = (rt_fhdr *)fs;
    if (h < hd->due)
        return hd->due;
    rt_deque *q = raw_of(fs);
    switch (f->d.win) {
    case RT_WIN_SLIDING:
        raw_pop(f, q, rt_dq_lower_front(q, f->esz, rt_sat_sub(h, f->d.size_us)), cx);
        break;
    case RT_WIN_LIFETIME: {
        size_t n = rt_dq_lower_front(q, f->esz, h);
        for (size_t i = 0; i < n; i++)
            fold(f, fs, rt_dq_at(q, f->esz, i), cx);
        raw_pop(f, q, n, cx);
        break;
    }
    case RT_WIN_HOP: {
        int64_t ks = rt_floordiv(h, f->d.hop_us), kd = rt_sat_sub(ks, f->ntiles);
        if (f->kind == RK_DISTINCT) {
            rt_vset_purge(set_of(f, fs), cx->mem, kd, f->is_str ? cx->pool : NULL);
        } else {
            rt_deque *tiles = set_of(f, fs);
            size_t m = rt_dq_lower_front(tiles, f->tile_sz, kd);
            for (size_t i = 0; i < m; i++)
                rt_acc_release(f, rt_dq_at(tiles, f->tile_sz, i) + f->tile_off, cx->pool);
            rt_dq_drop_front(tiles, f->tile_sz, 0, m, cx->mem);
        }
        size_t n = rt_dq_lower_front(q, f->esz, rt_tile_start(ks, f->d.hop_us));
        for (size_t i = 0; i < n; i++) {
            const char *ev = rt_dq_at(q, f->esz, i);
            if (rt_floordiv(ev_ts(ev), f->d.hop_us) >= kd)
                fold(f, fs, ev, cx);
        }
        raw_pop(f, q, n, cx);
        break;
    }
    }
    part_update(f, q);
    hd->due = feature_due(f, fs);
    return hd->due;
}

/* count_distinct at t: settled values (their set) plus raw values not already counted. */
static int64_t distinct_at(const rt_feat *f, const char *fs, int64_t t, rt_cx *cx)
{
    const rt_deque *q = craw_of(fs);
    const rt_ev_v *e = q->len ? (const rt_ev_v *)rt_dq_at(q, f->esz, 0) : NULL;
    size_t hi = rt_dq_lower_back(q, f->esz, t);
    int64_t n = 0;
    rt_vscratch_reset(cx->scratch);
    switch (f->d.win) {
    case RT_WIN_SLIDING:
        for (size_t i = rt_dq_lower_front(q, f->esz, rt_sat_sub(t, f->d.size_us)); i < hi; i++)
            n += rt_vscratch_add(cx->scratch, e[i].v);
        break;
    case RT_WIN_LIFETIME: {
        const rt_vset *s = cset_of(f, fs);
        n = s->count;
        for (size_t i = 0; i < hi; i++)
            if (!rt_vset_get(s, e[i].v, NULL))
                n += rt_vscratch_add(cx->scratch, e[i].v);
        break;
    }
    case RT_WIN_HOP: {
        const rt_vset *s = cset_of(f, fs);
        int64_t ka = rt_sat_sub(rt_floordiv(t, f->d.hop_us), f->ntiles);
        n = (int64_t)rt_vset_count_from(s, ka);
        for (size_t i = rt_dq_lower_front(q, f->esz, rt_tile_start(ka, f->d.hop_us)); i < hi; i++) {
            int64_t tile;
            if (!(rt_vset_get(s, e[i].v, &tile) && tile >= ka))
                n += rt_vscratch_add(cx->scratch, e[i].v);
        }
        break;
    }
    }
    return n;
}

void rt_win_query(const rt_feat *f, const char *fs, int64_t t, rt_slot *out, rt_cx *cx)
{
    if (f->kind == RK_DISTINCT) {
        memset(out, 0, sizeof *out);
        out->v.i = distinct_at(f, fs, t, cx);
        return;
    }
    const rt_deque *q = craw_of(fs);
    rt_acc_any a;
    memset(&a, 0, sizeof a);
    size_t lo = 0, hi = rt_dq_lower_back(q, f->esz, t);
    switch (f->d.win) {
    case RT_WIN_LIFETIME:
        rt_acc_merge(f, &a, cset_of(f, fs));
        break;
    case RT_WIN_SLIDING:
        lo = rt_dq_lower_front(q, f->esz, rt_sat_sub(t, f->d.size_us));
        break;
    case RT_WIN_HOP: {
        /* whole settled tiles from the window's first tile, then the raw events after them */
        const rt_deque *tiles = cset_of(f, fs);
        int64_t ka = rt_sat_sub(rt_floordiv(t, f->d.hop_us), f->ntiles);
        for (size_t i = rt_dq_lower_front(tiles, f->tile_sz, ka); i < tiles->len; i++)
            rt_acc_merge(f, &a, rt_dq_at(tiles, f->tile_sz, i) + f->tile_off);
        lo = rt_dq_lower_front(q, f->esz, rt_tile_start(ka, f->d.hop_us));
        break;
    }
    }
    add_raw(f, &a, q, lo, hi);
    rt_acc_result(f, &a, out);
    if (f->d.ttl_us > 0 && a.o.has && a.o.e.ts < rt_sat_sub(t, f->d.ttl_us)) {
        memset(out, 0, sizeof *out);
        out->null = 1;
    }
}

bool rt_win_empty(const rt_feat *f, const char *fs)
{
    if (craw_of(fs)->len)
        return false;
    if (f->kind == RK_DISTINCT)
        return f->d.win == RT_WIN_SLIDING || ((const rt_vset *)cset_of(f, fs))->count == 0;
    switch (f->d.win) {
    case RT_WIN_LIFETIME:
        return rt_acc_empty(f, cset_of(f, fs));
    case RT_WIN_HOP:
        return ((const rt_deque *)cset_of(f, fs))->len == 0;
    default:
        return true;
    }
}

void rt_win_release(const rt_feat *f, char *fs, rt_cx *cx)
{
    rt_deque *q = raw_of(fs);
    raw_pop(f, q, q->len, cx);
    rt_dq_release(q, f->esz, f->psz, cx->mem);
    if (f->kind == RK_DISTINCT) {
        if (f->d.win != RT_WIN_SLIDING)
            rt_vset_release(set_of(f, fs), cx->mem, f->is_str ? cx->pool : NULL);
    } else if (f->d.win == RT_WIN_LIFETIME) {
        rt_acc_release(f, set_of(f, fs), cx->pool);
    } else if (f->d.win == RT_WIN_HOP) {
        rt_deque *tiles = set_of(f, fs);
        for (size_t i = 0; i < tiles->len; i++)
            rt_acc_release(f, rt_dq_at(tiles, f->tile_sz, i) + f->tile_off, cx->pool);
        rt_dq_release(tiles, f->tile_sz, 0, cx->mem);
    }
}
