/* rt_agg_pct.c - percentile and median: order keys, sorted block runs, the lifetime multiset and rank selection across
 * runs. */
#include "rt_state_impl.h"

#include <math.h>
#include <stdlib.h>

#define SIGN UINT64_C(0x8000000000000000)

uint64_t rt_pct_key(rt_type t, uint64_t w)
{
    if (t != RT_FLOAT)
        return w ^ SIGN; /* int, timestamp: two's complement to offset binary */
    if (w == SIGN)
        w = 0; /* -0.0 is 0.0 */
    return (w & SIGN) ? ~w : w | SIGN;
}

uint64_t rt_pct_word(rt_type t, uint64_t k)
{
    if (t != RT_FLOAT)
        return k ^ SIGN;
    return (k & SIGN) ? k & ~SIGN : ~k;
}

int64_t rt_pct_rank(double p, int64_t n)
{
    assert(n > 0 && p >= 0 && p <= 1);
    double x = p * (double)n; /* one IEEE multiplication, as the SQL computes it */
    int64_t k = (int64_t)ceil(x);
    return k < 1 ? 1 : k > n ? n : k;
}

/* ---- block runs ---- */

static void sort_keys(uint64_t *k, size_t n)
{
    for (size_t i = 1; i < n; i++) { /* insertion sort: at most a block's 32 keys */
        uint64_t x = k[i];
        size_t j = i;
        for (; j > 0 && k[j - 1] > x; j--)
            k[j] = k[j - 1];
        k[j] = x;
    }
}

void rt_pct_block_fill(const rt_feat *f, rt_pct_block *b, const rt_deque *q, uint32_t esz, size_t lo, size_t hi,
                       bool all)
{
    assert(hi - lo <= RT_DQ_BLOCK && b->n == 0);
    for (size_t i = lo; i < hi; i++) {
        const char *r = rt_dq_at(q, esz, i);
        if (all || rt_row_has(f, r))
            b->k[b->n++] = rt_pct_key(f->d.in_type, rt_row_word(r, f->voff));
    }
    sort_keys(b->k, (size_t)b->n);
}

/* ---- the lifetime multiset ---- */

void rt_pct_set_add(rt_pctset *s, rt_mem *m, uint64_t key)
{
    size_t lo = 0, hi = s->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->e[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->len || s->e[lo].key != key) {
        if (s->len == s->cap) {
            uint32_t cap = s->cap ? s->cap * 2 : 4;
            rt_pct_ent *e = rt_mem_alloc(m, sizeof *e * cap);
            if (s->len)
                memcpy(e, s->e, sizeof *e * s->len);
            if (s->cap)
                rt_mem_free(m, s->e, sizeof *e * s->cap);
            s->e = e;
            s->cap = cap;
        }
        memmove(&s->e[lo + 1], &s->e[lo], sizeof *s->e * (s->len - lo));
        s->e[lo].key = key;
        s->e[lo].cum = lo ? s->e[lo - 1].cum : 0;
        s->len++;
    }
    for (size_t i = lo; i < s->len; i++)
        s->e[i].cum++;
}

void rt_pct_set_release(rt_pctset *s, rt_mem *m)
{
    if (s->cap)
        rt_mem_free(m, s->e, sizeof *s->e * s->cap);
    memset(s, 0, sizeof *s);
}

/* ---- selection across sorted runs ---- */

/* A sorted run of keys: unit weights (keys stride 1), or a multiset's entries whose cum
 * gives the weight; [lo, hi) is the part still in play. */
typedef struct pct_run {
    const uint64_t *keys;
    const rt_pct_ent *ents; /* NULL: keys */
    size_t lo, hi;
} pct_run;

static inline uint64_t run_key(const pct_run *r, size_t i)
{
    return r->ents ? r->ents[i].key : r->keys[i];
}

/* The weight of positions [a, b) of r. */
static inline int64_t run_weight(const pct_run *r, size_t a, size_t b)
{
    if (!r->ents)
        return (int64_t)(b - a);
    if (a >= b)
        return 0;
    return r->ents[b - 1].cum - (a ? r->ents[a - 1].cum : 0);
}

/* The first position in [r.lo, r.hi) whose key is above key (strictly when above). */
static size_t run_bound(const pct_run *r, uint64_t key, bool above)
{
    size_t lo = r->lo, hi = r->hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t k = run_key(r, mid);
        if (above ? k <= key : k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct pct_mid {
    uint64_t key;
    int64_t w;
} pct_mid;

static int mid_cmp(const void *a, const void *b)
{
    uint64_t x = ((const pct_mid *)a)->key, y = ((const pct_mid *)b)->key;
    return (x > y) - (x < y);
}

/* The key of rank k (1-based) among the runs' elements; k is at most their weight. Each
 * round takes as pivot the weighted median of the runs' middle keys and keeps the side
 * that holds rank k, which drops at least a quarter of what is in play. */
static uint64_t select_rank(pct_run *runs, size_t nruns, int64_t k, rt_scratch *scratch)
{
    pct_mid *mids = rt_scratch_alloc(scratch, sizeof *mids * (nruns ? nruns : 1));
    size_t *cut = rt_scratch_alloc(scratch, sizeof *cut * 2 * (nruns ? nruns : 1));
    for (;;) {
        size_t m = 0;
        int64_t total = 0;
        for (size_t i = 0; i < nruns; i++) {
            pct_run *r = &runs[i];
            if (r->lo >= r->hi)
                continue;
            int64_t w = run_weight(r, r->lo, r->hi);
            mids[m++] = (pct_mid){run_key(r, r->lo + (r->hi - r->lo) / 2), w};
            total += w;
        }
        assert(m > 0 && k >= 1 && k <= total);
        uint64_t pivot = mids[0].key;
        if (m > 1) {
            qsort(mids, m, sizeof *mids, mid_cmp);
            int64_t acc = 0;
            for (size_t i = 0; i < m; i++) {
                acc += mids[i].w;
                if (2 * acc >= total) {
                    pivot = mids[i].key;
                    break;
                }
            }
        }
        int64_t less = 0, eq = 0;
        for (size_t i = 0; i < nruns; i++) {
            pct_run *r = &runs[i];
            cut[2 * i] = run_bound(r, pivot, false);
            cut[2 * i + 1] = run_bound(r, pivot, true);
            less += run_weight(r, r->lo, cut[2 * i]);
            eq += run_weight(r, cut[2 * i], cut[2 * i + 1]);
        }
        if (k > less && k <= less + eq)
            return pivot;
        bool below = k <= less;
        if (!below)
            k -= less + eq;
        for (size_t i = 0; i < nruns; i++) {
            if (below)
                runs[i].hi = cut[2 * i];
            else
                runs[i].lo = cut[2 * i + 1];
        }
    }
}

static int key_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Appends the rows lo..hi-1 that f takes to keys[*n]. */
static void gather(const rt_feat *f, const rt_deque *q, uint32_t esz, size_t lo, size_t hi, uint64_t *keys, size_t *n)
{
    for (size_t i = lo; i < hi; i++) {
        const char *r = rt_dq_at(q, esz, i);
        if (rt_row_has(f, r))
            keys[(*n)++] = rt_pct_key(f->d.in_type, rt_row_word(r, f->voff));
    }
}

void rt_pct_query(const rt_feat *f, const rt_deque *q, const rt_pctset *set, size_t lo, size_t hi, rt_slot *out,
                  const rt_cx *cx, rt_scratch *scratch)
{
    const uint32_t esz = cx->esz;
    /* whole blocks through their sorted runs; the ragged ends gathered into one more run */
    size_t b0 = 0, b1 = 0;
    const char *part = rt_dq_part(q, esz, cx->psz);
    if (part && hi > lo) {
        b0 = ((size_t)q->head + lo + RT_DQ_BLOCK - 1) / RT_DQ_BLOCK;
        b1 = ((size_t)q->head + hi) / RT_DQ_BLOCK;
        if (b1 > q->pvalid)
            b1 = q->pvalid;
        if (b0 >= b1)
            b0 = b1 = 0;
    }
    size_t nruns = (b1 - b0) + 2, nr = 0;
    pct_run *runs = rt_scratch_alloc(scratch, sizeof *runs * nruns);
    size_t ragged_max = hi > lo ? hi - lo : 0, nk = 0;
    uint64_t *ragged = rt_scratch_alloc(scratch, sizeof *ragged * (ragged_max ? ragged_max : 1));
    int64_t n = 0;
    if (b0 < b1) {
        gather(f, q, esz, lo, b0 * RT_DQ_BLOCK - q->head, ragged, &nk);
        gather(f, q, esz, b1 * RT_DQ_BLOCK - q->head, hi, ragged, &nk);
        for (size_t b = b0; b < b1; b++) {
            const rt_pct_block *pb = (const rt_pct_block *)(part + b * cx->psz + f->poff);
            if (pb->n)
                runs[nr++] = (pct_run){pb->k, NULL, 0, (size_t)pb->n};
            n += pb->n;
        }
    } else {
        gather(f, q, esz, lo, hi, ragged, &nk);
    }
    if (nk) {
        qsort(ragged, nk, sizeof *ragged, key_cmp);
        runs[nr++] = (pct_run){ragged, NULL, 0, nk};
        n += (int64_t)nk;
    }
    if (set && set->len) {
        runs[nr++] = (pct_run){NULL, set->e, 0, set->len};
        n += set->e[set->len - 1].cum;
    }
    memset(out, 0, sizeof *out);
    if (n == 0) {
        out->null = 1;
        return;
    }
    int64_t k = rt_pct_rank(f->d.pct_p, n);
    uint64_t key;
    if (nr == 1 && !runs[0].ents)
        key = runs[0].keys[k - 1];
    else
        key = select_rank(runs, nr, k, scratch);
    out->v.i = (int64_t)rt_pct_word(f->d.in_type, key);
}
