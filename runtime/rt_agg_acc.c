/* rt_agg_acc.c - aggregate accumulators: exact int sums, compensated float sums, stable variance, min/max, first/last. */
#include "rt_state_impl.h"

#include <math.h>

const char *rt_agg_name(rt_agg agg)
{
    return (unsigned)agg < RT_AGG_COUNT_ ? rt_agg_info_of(agg)->name : "?";
}

bool rt_feat_setup(rt_feat *f)
{
    const rt_feature_desc *d = &f->d;
    rt_type in = d->in_type, result;
    f->hi = f->avg = f->sd = f->is_str = false;
    if ((unsigned)d->agg >= RT_AGG_COUNT_ || !rt_agg_result(d->agg, in, &result) || d->out_type != result)
        return false; /* the catalogue's rule, as the checker applies it */
    switch (d->agg) {
    case RT_AGG_COUNT_ROWS:
    case RT_AGG_COUNT:
        f->kind = RK_COUNT;
        break;
    case RT_AGG_SUM:
    case RT_AGG_AVG:
        f->kind = in == RT_INT ? RK_SUM_I : RK_SUM_F;
        f->avg = d->agg == RT_AGG_AVG;
        break;
    case RT_AGG_MIN:
    case RT_AGG_MAX:
        f->kind = RK_MINMAX;
        f->hi = d->agg == RT_AGG_MAX;
        break;
    case RT_AGG_FIRST:
    case RT_AGG_LAST:
        f->kind = RK_ORDER;
        f->hi = d->agg == RT_AGG_LAST;
        break;
    case RT_AGG_VARIANCE:
    case RT_AGG_STDDEV:
        f->kind = RK_VAR;
        f->sd = d->agg == RT_AGG_STDDEV;
        break;
    case RT_AGG_COUNT_DISTINCT: f->kind = RK_DISTINCT; break;
    case RT_AGG_PERCENTILE:
    case RT_AGG_MEDIAN:
        if (!(d->pct_p >= 0 && d->pct_p <= 1) || (d->agg == RT_AGG_MEDIAN && d->pct_p != 0.5))
            return false;
        f->kind = RK_PCT;
        break;
    default: return false;
    }
    if (d->size_us < 0 || d->hop_us < 0 || d->ttl_us < 0)
        return false;
    switch (d->win) {
    case RT_WIN_LIFETIME:
        break;
    case RT_WIN_SLIDING:
        break;
    case RT_WIN_HOP:
        if (d->hop_us <= 0 || d->size_us <= 0 || d->size_us % d->hop_us)
            return false;
        f->ntiles = d->size_us / d->hop_us;
        break;
    default:
        return false;
    }
    if (d->ttl_us > 0 && !(f->kind == RK_ORDER && d->win == RT_WIN_LIFETIME))
        return false;
    f->is_str = in == RT_STRING && (f->kind == RK_MINMAX || f->kind == RK_ORDER || f->kind == RK_DISTINCT);

    f->fold = d->win == RT_WIN_LIFETIME || (d->win == RT_WIN_HOP && f->kind == RK_DISTINCT);
    f->raw_hop = d->win == RT_WIN_HOP && f->kind == RK_PCT;
    f->eager = d->win == RT_WIN_HOP && f->kind != RK_DISTINCT && !f->raw_hop;

    uint32_t acc_align = 8;
    switch (f->kind) {
    case RK_COUNT: f->acc_size = sizeof(rt_acc_count); break;
    case RK_SUM_I: f->acc_size = sizeof(rt_acc_sumi); acc_align = 16; break;
    case RK_SUM_F: f->acc_size = sizeof(rt_acc_sumf); break;
    case RK_MINMAX: f->acc_size = sizeof(rt_acc_mm); break;
    case RK_ORDER: f->acc_size = sizeof(rt_acc_ord); break;
    case RK_VAR: f->acc_size = sizeof(rt_acc_var); acc_align = 16; break;
    case RK_DISTINCT: f->acc_size = 0; break;
    case RK_PCT: f->acc_size = 0; break;
    }
    /* block partials pay off where a window's rows are scanned one by one; a count's rows
     * are counted through them too, since not every row feeds every feature */
    f->psz = f->kind == RK_ORDER || f->kind == RK_DISTINCT ? 0 : (f->acc_size + 15) / 16 * 16;
    if (f->kind == RK_PCT) /* a sorted run per block */
        f->psz = (sizeof(rt_pct_block) + 15) / 16 * 16;
    f->tile_off = acc_align;
    f->tile_sz = f->tile_off + ((f->acc_size + acc_align - 1) / acc_align) * acc_align;
    /* the settled part in a key record (16-aligned): sliding windows have none */
    uint32_t set_size = 0;
    if (f->kind == RK_DISTINCT)
        set_size = d->win == RT_WIN_SLIDING ? 0 : sizeof(rt_vset);
    else if (f->kind == RK_PCT)
        set_size = d->win == RT_WIN_LIFETIME ? sizeof(rt_pctset) : 0;
    else if (d->win == RT_WIN_LIFETIME)
        set_size = f->acc_size;
    else if (d->win == RT_WIN_HOP)
        set_size = sizeof(rt_deque);
    f->set_size = (set_size + 15) / 16 * 16;
    return true;
}

/* ---- value words ---- */

static inline double w2f(uint64_t w)
{
    double f;
    memcpy(&f, &w, sizeof f);
    return f;
}

static int str_cmp(const rt_istr *a, const rt_istr *b)
{
    if (a == b)
        return 0;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->bytes, b->bytes, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

int rt_val_cmp(rt_type t, uint64_t a, uint64_t b)
{
    switch (t) {
    case RT_FLOAT: {
        double x = w2f(a), y = w2f(b);
        return (x > y) - (x < y);
    }
    case RT_STRING:
        return str_cmp((const rt_istr *)(uintptr_t)a, (const rt_istr *)(uintptr_t)b);
    default: {
        int64_t x = (int64_t)a, y = (int64_t)b;
        return (x > y) - (x < y);
    }
    }
}

int rt_ord_cmp(rt_type t, const rt_ev_o *a, const rt_ev_o *b)
{
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    if (a->seqnull != b->seqnull)
        return a->seqnull ? -1 : 1;
    if (!a->seqnull && a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return rt_val_cmp(t, a->v, b->v);
}

/* ---- accumulators ---- */

/* x - k for value words of the input type: exact for ints (the difference is taken in 128
 * bits), and for floats whose exponents are within 11 of each other. */
static inline long double var_diff(const rt_feat *f, uint64_t x, uint64_t k)
{
    if (f->d.in_type == RT_INT)
        return (long double)((__int128)(int64_t)x - (int64_t)k);
    return (long double)w2f(x) - (long double)w2f(k);
}

/* Chan et al.: merges b into a (both shifted by their own k); a keeps its shift. Identical
 * values give delta 0 and add nothing to m2. */
static void var_merge(const rt_feat *f, rt_acc_var *a, const rt_acc_var *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    long double na = (long double)a->n, nb = (long double)b->n, n = na + nb;
    long double delta = var_diff(f, b->k, a->k) + (b->mean - a->mean);
    a->mean += delta * (nb / n);
    a->m2 += b->m2 + delta * delta * (na * nb / n);
    a->n += b->n;
}

static inline bool mm_better(const rt_feat *f, uint64_t cand, uint64_t cur)
{
    int c = rt_val_cmp(f->d.in_type, cand, cur);
    return f->hi ? c > 0 : c < 0;
}

static inline bool ord_better(const rt_feat *f, const rt_ev_o *cand, const rt_ev_o *cur)
{
    int c = rt_ord_cmp(f->d.in_type, cand, cur);
    return f->hi ? c > 0 : c < 0;
}

void rt_acc_add(const rt_feat *f, void *acc, const char *row, rt_pool *pool)
{
    switch (f->kind) {
    case RK_COUNT:
        ((rt_acc_count *)acc)->n++;
        break;
    case RK_SUM_I: {
        rt_acc_sumi *a = acc;
        a->n++;
        a->s += (int64_t)rt_row_word(row, f->voff);
        break;
    }
    case RK_SUM_F: {
        rt_acc_sumf *a = acc;
        a->n++;
        rt_neumaier(&a->s, &a->c, w2f(rt_row_word(row, f->voff)));
        break;
    }
    case RK_MINMAX: {
        rt_acc_mm *a = acc;
        uint64_t v = rt_row_word(row, f->voff);
        if (a->has && !mm_better(f, v, a->v))
            break;
        if (f->is_str) {
            rt_pool_ref((rt_istr *)(uintptr_t)v);
            if (a->has)
                rt_pool_unref(pool, (rt_istr *)(uintptr_t)a->v);
        }
        a->has = 1;
        a->v = v;
        break;
    }
    case RK_ORDER: {
        rt_acc_ord *a = acc;
        rt_ev_o e = rt_row_ev_o(f, row);
        if (a->has && !ord_better(f, &e, &a->e))
            break;
        if (f->is_str) {
            rt_pool_ref((rt_istr *)(uintptr_t)e.v);
            if (a->has)
                rt_pool_unref(pool, (rt_istr *)(uintptr_t)a->e.v);
        }
        a->has = 1;
        a->e = e;
        break;
    }
    case RK_VAR: {
        /* Welford on x - k: identical values leave m2 exactly 0 */
        rt_acc_var *a = acc;
        uint64_t w = rt_row_word(row, f->voff);
        if (a->n == 0)
            a->k = w;
        long double x = var_diff(f, w, a->k);
        a->n++;
        long double delta = x - a->mean;
        a->mean += delta / (long double)a->n;
        a->m2 += delta * (x - a->mean);
        break;
    }
    case RK_DISTINCT:
    case RK_PCT: assert(!"count_distinct and percentile have no accumulator"); break;
    }
}

void rt_acc_release(const rt_feat *f, void *acc, rt_pool *pool)
{
    if (f->is_str) {
        if (f->kind == RK_MINMAX && ((rt_acc_mm *)acc)->has)
            rt_pool_unref(pool, (rt_istr *)(uintptr_t)((rt_acc_mm *)acc)->v);
        if (f->kind == RK_ORDER && ((rt_acc_ord *)acc)->has)
            rt_pool_unref(pool, (rt_istr *)(uintptr_t)((rt_acc_ord *)acc)->e.v);
    }
    memset(acc, 0, f->acc_size);
}

bool rt_acc_empty(const rt_feat *f, const void *acc)
{
    /* every accumulator starts with its row count or has-flag */
    int64_t n;
    memcpy(&n, acc, sizeof n);
    (void)f;
    return n == 0;
}

void rt_acc_merge(const rt_feat *f, void *dst, const void *src)
{
    switch (f->kind) {
    case RK_COUNT:
        ((rt_acc_count *)dst)->n += ((const rt_acc_count *)src)->n;
        break;
    case RK_SUM_I: {
        rt_acc_sumi *a = dst;
        const rt_acc_sumi *b = src;
        a->n += b->n;
        a->s += b->s;
        break;
    }
    case RK_SUM_F: {
        rt_acc_sumf *a = dst;
        const rt_acc_sumf *b = src;
        if (!b->n)
            break;
        a->n += b->n;
        rt_neumaier(&a->s, &a->c, b->s);
        rt_neumaier(&a->s, &a->c, b->c);
        break;
    }
    case RK_MINMAX: {
        rt_acc_mm *a = dst;
        const rt_acc_mm *b = src;
        if (b->has && (!a->has || mm_better(f, b->v, a->v)))
            *a = *b;
        break;
    }
    case RK_ORDER: {
        rt_acc_ord *a = dst;
        const rt_acc_ord *b = src;
        if (b->has && (!a->has || ord_better(f, &b->e, &a->e)))
            *a = *b;
        break;
    }
    case RK_VAR: var_merge(f, dst, src); break;
    case RK_DISTINCT:
    case RK_PCT: assert(!"count_distinct and percentile have no accumulator"); break;
    }
}

/* Iterates over the rows lo..hi-1 of q that feature f takes (all of them when all is
 * true): ROW names each row's bytes. */
#define FOR_ROWS(f, q, esz, lo, hi, ROW)                                                          \
    for (const char *ROW = rt_dq_at(q, esz, lo), *end_ = rt_dq_at(q, esz, hi); ROW < end_; ROW += (esz)) \
        if (all || rt_row_has(f, ROW))

/* rt_acc_add_range; all: every row in the range feeds f (the bit tests are skipped). */
static inline __attribute__((always_inline)) void add_range(const rt_feat *f, void *acc, const rt_deque *q,
                                                            uint32_t esz, size_t lo, size_t hi, const bool all)
{
    if (lo >= hi)
        return;
    const uint32_t voff = f->voff;
    switch (f->kind) {
    case RK_COUNT: {
        int64_t n = 0;
        if (all)
            n = (int64_t)(hi - lo);
        else
            FOR_ROWS(f, q, esz, lo, hi, r)
                n++;
        ((rt_acc_count *)acc)->n += n;
        break;
    }
    case RK_SUM_I: {
        __int128 s = 0;
        int64_t n = 0;
        FOR_ROWS(f, q, esz, lo, hi, r) {
            s += (int64_t)rt_row_word(r, voff);
            n++;
        }
        rt_acc_sumi *a = acc;
        a->s += s;
        a->n += n;
        break;
    }
    case RK_SUM_F: {
        double s = 0, c = 0;
        int64_t n = 0;
        FOR_ROWS(f, q, esz, lo, hi, r) {
            rt_neumaier(&s, &c, w2f(rt_row_word(r, voff)));
            n++;
        }
        rt_acc_sumf b = {n, s, c};
        rt_acc_merge(f, acc, &b);
        break;
    }
    case RK_MINMAX: {
        rt_acc_mm b = {0, 0};
        if (f->d.in_type == RT_FLOAT) {
            double best = 0;
            FOR_ROWS(f, q, esz, lo, hi, r) {
                double x = w2f(rt_row_word(r, voff));
                if (!b.has || (f->hi ? x > best : x < best)) {
                    best = x;
                    b.v = rt_row_word(r, voff);
                    b.has = 1;
                }
            }
        } else if (f->d.in_type != RT_STRING) {
            int64_t best = 0;
            FOR_ROWS(f, q, esz, lo, hi, r) {
                int64_t x = (int64_t)rt_row_word(r, voff);
                if (!b.has || (f->hi ? x > best : x < best)) {
                    best = x;
                    b.has = 1;
                }
            }
            b.v = (uint64_t)best;
        } else {
            FOR_ROWS(f, q, esz, lo, hi, r) {
                uint64_t x = rt_row_word(r, voff);
                if (!b.has || mm_better(f, x, b.v)) {
                    b.v = x;
                    b.has = 1;
                }
            }
        }
        rt_acc_merge(f, acc, &b);
        break;
    }
    case RK_ORDER: {
        /* rows are in time order: only the rows sharing the extreme time can win */
        rt_acc_ord b = {0, {0, 0, 0, 0, 0}};
        if (f->hi) {
            for (size_t i = hi; i-- > lo;) {
                const char *r = rt_dq_at(q, esz, i);
                if (!rt_row_has(f, r))
                    continue;
                if (b.has && rt_row_ts(r) != b.e.ts)
                    break;
                rt_ev_o e = rt_row_ev_o(f, r);
                if (!b.has || ord_better(f, &e, &b.e))
                    b.e = e;
                b.has = 1;
            }
        } else {
            for (size_t i = lo; i < hi; i++) {
                const char *r = rt_dq_at(q, esz, i);
                if (!rt_row_has(f, r))
                    continue;
                if (b.has && rt_row_ts(r) != b.e.ts)
                    break;
                rt_ev_o e = rt_row_ev_o(f, r);
                if (!b.has || ord_better(f, &e, &b.e))
                    b.e = e;
                b.has = 1;
            }
        }
        rt_acc_merge(f, acc, &b);
        break;
    }
    case RK_VAR: {
        /* two passes over x - k, k the first value: exact 0 for identical values */
        rt_acc_var b = {0, 0, 0, 0};
        long double sum = 0;
        FOR_ROWS(f, q, esz, lo, hi, r) {
            if (!b.n)
                b.k = rt_row_word(r, voff);
            b.n++;
            sum += var_diff(f, rt_row_word(r, voff), b.k);
        }
        if (!b.n)
            break;
        b.mean = sum / (long double)b.n;
        FOR_ROWS(f, q, esz, lo, hi, r) {
            long double d = var_diff(f, rt_row_word(r, voff), b.k) - b.mean;
            b.m2 += d * d;
        }
        var_merge(f, acc, &b);
        break;
    }
    case RK_PCT: /* only block partials are built from ranges */ rt_pct_block_fill(f, acc, q, esz, lo, hi, all); break;
    case RK_DISTINCT: assert(!"count_distinct has no accumulator"); break;
    }
}

void rt_acc_add_range(const rt_feat *f, void *acc, const rt_deque *q, uint32_t esz, size_t lo, size_t hi)
{
    add_range(f, acc, q, esz, lo, hi, false);
}

void rt_acc_add_range_all(const rt_feat *f, void *acc, const rt_deque *q, uint32_t esz, size_t lo, size_t hi)
{
    add_range(f, acc, q, esz, lo, hi, true);
}

static void set_null(rt_slot *out)
{
    memset(out, 0, sizeof *out);
    out->null = 1;
}

static void set_word(rt_type t, uint64_t w, rt_slot *out)
{
    memset(out, 0, sizeof *out);
    if (t == RT_STRING) {
        const rt_istr *s = (const rt_istr *)(uintptr_t)w;
        out->v.s = s->bytes;
        out->len = s->len;
    } else {
        out->v.i = (int64_t)w; /* a float's bits are its word */
    }
}

void rt_acc_result(const rt_feat *f, const void *acc, rt_slot *out)
{
    switch (f->kind) {
    case RK_COUNT:
        memset(out, 0, sizeof *out);
        out->v.i = ((const rt_acc_count *)acc)->n;
        return;
    case RK_SUM_I: {
        const rt_acc_sumi *a = acc;
        if (!a->n)
            break;
        memset(out, 0, sizeof *out);
        if (f->avg) {
            out->v.f = (double)a->s / (double)a->n;
        } else {
            if (a->s < INT64_MIN || a->s > INT64_MAX)
                break;
            out->v.i = (int64_t)a->s;
        }
        return;
    }
    case RK_SUM_F: {
        const rt_acc_sumf *a = acc;
        if (!a->n)
            break;
        double s = a->s + a->c;
        if (f->avg)
            s /= (double)a->n;
        if (!isfinite(s))
            break;
        memset(out, 0, sizeof *out);
        out->v.f = s;
        return;
    }
    case RK_MINMAX: {
        const rt_acc_mm *a = acc;
        if (!a->has)
            break;
        set_word(f->d.in_type, a->v, out);
        return;
    }
    case RK_ORDER: {
        const rt_acc_ord *a = acc;
        if (!a->has)
            break;
        set_word(f->d.in_type, a->e.v, out);
        return;
    }
    case RK_VAR: {
        const rt_acc_var *a = acc;
        if (!a->n)
            break;
        long double v = a->m2 / (long double)a->n;
        if (!(v > 0))
            v = 0; /* clamps rounding below zero (and NaN) */
        memset(out, 0, sizeof *out);
        out->v.f = f->sd ? (double)sqrtl(v) : (double)v;
        if (!isfinite(out->v.f))
            break;
        return;
    }
    case RK_DISTINCT:
    case RK_PCT: assert(!"count_distinct and percentile have no accumulator"); break;
    }
    set_null(out);
}
