/* rt_state_impl.h - internals shared by the window-state files: allocator, string pool, value sets, event buffers, accumulators. */
#ifndef FEATRT_STATE_IMPL_H
#define FEATRT_STATE_IMPL_H

#include "rt_agg.h"
#include "rt_scratch.h"

#include <assert.h>
#include <string.h>

/* ---- helpers on epoch microseconds ---- */

/* floor(a / b) for b > 0 (toward minus infinity, also for negative a). */
static inline int64_t rt_floordiv(int64_t a, int64_t b)
{
    assert(b > 0);
    int64_t q = a / b;
    if (a % b < 0)
        q--;
    return q;
}

/* a - b for b >= 0, saturating at INT64_MIN (a bound below every representable time). */
static inline int64_t rt_sat_sub(int64_t a, int64_t b)
{
    assert(b >= 0);
    return a < INT64_MIN + b ? INT64_MIN : a - b;
}

/* a + b for b >= 0, saturating at INT64_MAX. */
static inline int64_t rt_sat_add(int64_t a, int64_t b)
{
    assert(b >= 0);
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* k * h clamped to the int64 range: the first microsecond of tile k. */
static inline int64_t rt_tile_start(int64_t k, int64_t h)
{
    __int128 x = (__int128)k * h;
    if (x < INT64_MIN)
        return INT64_MIN;
    if (x > INT64_MAX)
        return INT64_MAX;
    return (int64_t)x;
}

/* Aborts with a message; the only failure the state knows is running out of memory. */
void *rt_xrealloc(void *p, size_t n);
/* rt_xrealloc for arrays that can grow large (key records, key table): from RT_HUGE_MIN
 * bytes on the block is aligned to and hinted for huge pages (old: bytes used at p, which
 * are copied; free the result with free). */
#define RT_HUGE_MIN ((size_t)4 << 20)
void *rt_huge_realloc(void *p, size_t old, size_t n);

/* ---- small-block allocator: power-of-two classes from 16 to 4096 bytes carved from 64 KiB
 * slabs (2 MiB huge-page slabs once 8 MiB are held), with a free list per class; larger
 * blocks come from malloc. The caller passes the size back on free. Blocks are 16-byte
 * aligned. Slabs are kept until the state is freed. */

#define RT_MEM_NCLASS 9
typedef struct rt_mem {
    void *free[RT_MEM_NCLASS];
    char *cur;
    size_t cur_left;
    void **slabs;
    size_t nslabs, slabs_cap;
    size_t reserved; /* bytes in slabs */
    size_t large;    /* bytes in blocks above the largest class */
} rt_mem;

void rt_mem_init(rt_mem *m);
void rt_mem_destroy(rt_mem *m);
void *rt_mem_alloc(rt_mem *m, size_t n);
void rt_mem_free(rt_mem *m, void *p, size_t n);
size_t rt_mem_bytes(const rt_mem *m);
/* The bytes a block of n bytes really has (its class size; n itself above the classes). */
static inline size_t rt_mem_class_bytes(size_t n)
{
    if (n <= 16)
        return 16;
    size_t c = (size_t)1 << (64 - __builtin_clzll((unsigned long long)(n - 1))); /* 2^ceil(log2 n) */
    return c <= ((size_t)16 << (RT_MEM_NCLASS - 1)) ? c : n;
}

/* ---- string pool: every string value held by the state is interned once and reference
 * counted, so equal strings are one pointer (count_distinct hashes pointers) and a repeated
 * string costs no allocation. */

typedef struct rt_istr {
    uint64_t hash;
    uint32_t refs;
    uint32_t len;
    char bytes[];
} rt_istr;

typedef struct rt_pslot {
    uint64_t hash;
    rt_istr *s; /* NULL = empty slot */
} rt_pslot;

typedef struct rt_pool {
    rt_pslot *slots;
    size_t mask, count;
    rt_mem *mem;
} rt_pool;

void rt_pool_init(rt_pool *p, rt_mem *mem);
void rt_pool_destroy(rt_pool *p);
/* The interned copy of s[0..len), with one more reference. */
rt_istr *rt_pool_intern(rt_pool *p, const char *s, uint32_t len);
static inline void rt_pool_ref(rt_istr *s)
{
    assert(s->refs < UINT32_MAX);
    s->refs++;
}
/* Drops one reference; the string is freed with the last. */
void rt_pool_unref(rt_pool *p, rt_istr *s);
size_t rt_pool_bytes(const rt_pool *p);

/* ---- value sets: 64-bit value words (ints, bools, canonical float bits, interned string
 * pointers) with an int64 payload; linear probing. */

typedef struct rt_vent {
    uint64_t k;
    int64_t v;
} rt_vent;

typedef struct rt_vset {
    rt_vent *ents; /* cap entries; k == RT_VSET_EMPTY marks a free entry */
    uint32_t cap, count; /* count includes the sentinel-valued key when has_sent */
    int64_t lo;          /* <= every payload in the set */
    int64_t sent_v;      /* payload of the key equal to RT_VSET_EMPTY */
    int64_t has_sent;
} rt_vset;

#define RT_VSET_EMPTY UINT64_C(0x5be1f00dcafe1234)

/* Inserts k with payload v, or raises its payload to v. Returns true when k was new. */
bool rt_vset_put_max(rt_vset *s, rt_mem *m, uint64_t k, int64_t v);
/* True when k is present; its payload goes to *v when v is not NULL. */
bool rt_vset_get(const rt_vset *s, uint64_t k, int64_t *v);
/* Number of keys whose payload is >= lo. */
size_t rt_vset_count_from(const rt_vset *s, int64_t lo);
/* Removes the keys whose payload is < lo; unreferences them in pool when pool is given. */
void rt_vset_purge(rt_vset *s, rt_mem *m, int64_t lo, rt_pool *pool);
/* Frees everything (unreferencing string keys when pool is given); leaves an empty set. */
void rt_vset_release(rt_vset *s, rt_mem *m, rt_pool *pool);

/* A set of value words for one query, its table taken from the query's scratch memory
 * (rt_scratch), so that concurrent queries share nothing. */
typedef struct rt_vscratch {
    struct rt_sent {
        uint64_t k;
        uint64_t used;
    } *ents;
    size_t cap, count;
} rt_vscratch;

/* Makes s an empty set with room for at most `most` distinct words, its table allocated
 * from mem (valid until mem is reset). */
void rt_vscratch_init(rt_vscratch *s, rt_scratch *mem, size_t most);
/* True when k was not yet in the set (and adds it); at most `most` words may be added. */
bool rt_vscratch_add(rt_vscratch *s, uint64_t k);

/* ---- sorted deques: elements of esz bytes whose first field is an int64 key (event time
 * or tile index), kept in key order; insertion after equal keys; pops at the front.
 * A deque may cache one partial aggregate of psz bytes per block of RT_DQ_BLOCK physical
 * positions: the deque only allocates them and invalidates those whose elements move
 * (pvalid); the owner computes them (psz 0: no partials). */

#define RT_DQ_BLOCK 32

typedef struct rt_deque {
    char *data;      /* cap elements, then (cap / RT_DQ_BLOCK) partials of psz bytes */
    uint32_t head, len, cap;
    uint32_t pvalid; /* partials of blocks below this index are valid, from the head's block on */
} rt_deque;

/* The partials (NULL when the deque has none). */
static inline char *rt_dq_part(const rt_deque *q, uint32_t esz, uint32_t psz)
{
    return psz && q->cap >= RT_DQ_BLOCK ? q->data + (size_t)q->cap * esz : NULL;
}

static inline char *rt_dq_at(const rt_deque *q, uint32_t esz, size_t i)
{
    return q->data + ((size_t)q->head + i) * esz;
}
static inline int64_t rt_dq_key(const rt_deque *q, uint32_t esz, size_t i)
{
    int64_t k;
    memcpy(&k, rt_dq_at(q, esz, i), sizeof k);
    return k;
}
/* First position whose key is >= key (len when none), galloping from the front or from
 * the back: O(log d) where d is the answer's distance from that end. */
size_t rt_dq_lower_front(const rt_deque *q, uint32_t esz, int64_t key);
size_t rt_dq_lower_back(const rt_deque *q, uint32_t esz, int64_t key);
/* Opens a gap at position pos (0..len) and returns it for the caller to fill. */
char *rt_dq_insert_at(rt_deque *q, uint32_t esz, uint32_t psz, size_t pos, rt_mem *m);
/* Inserts a copy of elem after every element with a key <= its key. */
void rt_dq_insert(rt_deque *q, uint32_t esz, uint32_t psz, const void *elem, rt_mem *m);
/* Drops the first k elements (the caller has released what they hold). An emptied deque
 * keeps a small buffer for its next elements. */
void rt_dq_drop_front(rt_deque *q, uint32_t esz, uint32_t psz, size_t k, rt_mem *m);
void rt_dq_release(rt_deque *q, uint32_t esz, uint32_t psz, rt_mem *m);

/* ---- rows: a key's events, one row each, in one time-sorted deque shared by every feature
 * of the view (see docs/runtime-state.md):
 *   [ts: int64][mask: nmask words][seq: int64, when kept][one value word per feature that has one]
 * Mask bit i says feature i takes the row (its input slot was not null); bit nfeatures says
 * the row's seq is null. Value words are the int, bool or timestamp itself, a double's
 * bits, or an interned string (the row holds one reference). */

static inline int64_t rt_row_ts(const char *row)
{
    int64_t ts;
    memcpy(&ts, row, sizeof ts);
    return ts;
}
static inline uint64_t rt_row_word(const char *row, uint32_t off)
{
    uint64_t w;
    memcpy(&w, row + off, sizeof w);
    return w;
}

/* A first/last candidate: the whole ordering key. */
typedef struct rt_ev_o {
    int64_t ts;
    int64_t seq;
    uint64_t v;
    uint32_t seqnull; /* 1: no seq, ordered below every seq */
    uint32_t pad_;
} rt_ev_o;

typedef enum rt_kind {
    RK_COUNT,    /* count(), count(x): rows only count */
    RK_SUM_I,    /* sum, avg of ints */
    RK_SUM_F,    /* sum, avg of floats */
    RK_MINMAX,
    RK_ORDER,    /* first, last */
    RK_VAR,      /* variance, stddev */
    RK_DISTINCT, /* count_distinct */
    RK_PCT,      /* percentile, median */
} rt_kind;

typedef struct rt_acc_count {
    int64_t n;
} rt_acc_count;
typedef struct rt_acc_sumi {
    int64_t n;
    __int128 s;
} rt_acc_sumi;
typedef struct rt_acc_sumf { /* Neumaier: the sum is s + c */
    int64_t n;
    double s, c;
} rt_acc_sumf;
typedef struct rt_acc_mm {
    int64_t has;
    uint64_t v;
} rt_acc_mm;
typedef struct rt_acc_ord {
    int64_t has;
    rt_ev_o e;
} rt_acc_ord;
typedef struct rt_acc_var { /* n values x; with d = x - k: mean of d, sum of squared deviations */
    int64_t n;
    uint64_t k; /* the shift: the first value's word; keeps d small when values cluster */
    long double mean, m2;
} rt_acc_var;

/* percentile's block partial: the order keys (rt_pct_key) of the block's rows that feed
 * the feature, sorted ascending. */
typedef struct rt_pct_block {
    int64_t n;
    uint64_t k[RT_DQ_BLOCK];
} rt_pct_block;

/* A lifetime percentile's settled part: the distinct order keys folded so far, ascending,
 * each with the number of folded values up to and including it. e is an rt_mem block of
 * cap entries. */
typedef struct rt_pct_ent {
    uint64_t key;
    int64_t cum;
} rt_pct_ent;
typedef struct rt_pctset {
    rt_pct_ent *e;
    uint32_t len, cap;
} rt_pctset;

typedef union rt_acc_any {
    rt_acc_count c;
    rt_acc_sumi si;
    rt_acc_sumf sf;
    rt_acc_mm mm;
    rt_acc_ord o;
    rt_acc_var w;
} rt_acc_any;

/* One feature as the state runs it. */
typedef struct rt_feat {
    rt_feature_desc d;   /* d.dflt's string is owned by the view state */
    rt_kind kind;
    bool hi;        /* max, last */
    bool avg;       /* avg (sum kinds) */
    bool sd;        /* stddev (variance kind) */
    bool is_str;    /* value words are interned strings */
    bool fold;      /* lifetime, hop count_distinct: rows are folded into the settled
                     * part when the key is settled past them */
    bool eager;     /* other hop features: each row goes into its tile when ingested */
    bool raw_hop;   /* hop percentile: read from rows (kept for D + H), no tiles */
    uint32_t moff;  /* row offset of the mask word holding the feature's bit */
    uint64_t mbit;  /* the bit */
    uint64_t pbit;  /* fold features: the bit in rt_keyst.pending (0 past the first 64) */
    uint32_t voff;  /* row offset of the value word (0: none, for counts) */
    uint32_t soff;  /* first/last: row offset of the seq word (0: the view keeps none) */
    uint32_t snoff; /* first/last: row offset and bit of the seq-is-null flag */
    uint64_t snbit;
    uint32_t acc_size;   /* accumulator size (0 for count_distinct) */
    uint32_t tile_off;   /* hop: accumulator offset within a tile */
    uint32_t tile_sz;    /* hop: tile element size */
    uint32_t psz;        /* bytes of a block partial (0: none kept) */
    uint32_t poff;       /* offset of the partial within a block's partials */
    uint32_t set_size;   /* bytes of the settled part in a key record */
    size_t off;          /* offset of the settled part in a key record */
    int64_t ntiles;      /* hop: D / H */
} rt_feat;

static inline bool rt_row_has(const rt_feat *f, const char *row)
{
    return (rt_row_word(row, f->moff) & f->mbit) != 0;
}

/* What window operations need from the view. */
typedef struct rt_cx {
    rt_mem *mem;
    rt_pool *pool;
    uint32_t esz; /* bytes of a row */
    uint32_t psz; /* bytes of one block's partials (all features) */
} rt_cx;

/* A key's state: this header, then each fold or eager feature's settled part at
 * rt_feat.off. */
typedef struct rt_keyst {
    rt_deque rows;    /* the key's rows, by time */
    int64_t due;      /* the first horizon at which settling this key has work to do */
    int64_t settled;  /* the horizon the key was last settled to (INT64_MIN: never) */
    uint64_t pending; /* fold features (their pbit) with rows not yet folded: the due
                       * horizon is at most the fold horizon of their oldest such row */
} rt_keyst;

/* Fills the derived fields of f from f->d (not the row and record layout); false when the
 * descriptor is inconsistent. */
bool rt_feat_setup(rt_feat *f);

/* Value words. */
int rt_val_cmp(rt_type t, uint64_t a, uint64_t b);
int rt_ord_cmp(rt_type t, const rt_ev_o *a, const rt_ev_o *b);

static inline rt_ev_o rt_row_ev_o(const rt_feat *f, const char *row)
{
    rt_ev_o e = {rt_row_ts(row), 0, rt_row_word(row, f->voff), 1, 0};
    if (f->soff && !(rt_row_word(row, f->snoff) & f->snbit)) {
        e.seq = (int64_t)rt_row_word(row, f->soff);
        e.seqnull = 0;
    }
    return e;
}

/* Accumulators (not count_distinct). "Owning" ones (folds, tiles) hold string references
 * taken in pool; "borrowed" ones (built by a query, block partials) hold none. A zeroed
 * accumulator is empty. */
void rt_acc_add(const rt_feat *f, void *acc, const char *row, rt_pool *pool); /* owning */

/* Neumaier's step: adds x to the compensated sum s + c. */
static inline void rt_neumaier(double *s, double *c, double x)
{
    double t = *s + x;
    if (__builtin_fabs(*s) >= __builtin_fabs(x))
        *c += (*s - t) + x;
    else
        *c += (x - t) + *s;
    *s = t;
}
void rt_acc_release(const rt_feat *f, void *acc, rt_pool *pool);             /* owning */
bool rt_acc_empty(const rt_feat *f, const void *acc);
void rt_acc_merge(const rt_feat *f, void *dst, const void *src); /* into borrowed dst */
/* Adds the rows lo..hi-1 of q (rows of esz bytes) that the feature takes to a borrowed
 * accumulator. */
void rt_acc_add_range(const rt_feat *f, void *acc, const rt_deque *q, uint32_t esz, size_t lo, size_t hi);
/* The same when every row lo..hi-1 feeds the feature. */
void rt_acc_add_range_all(const rt_feat *f, void *acc, const rt_deque *q, uint32_t esz, size_t lo, size_t hi);
/* The aggregate's value (before ttl and default). */
void rt_acc_result(const rt_feat *f, const void *acc, rt_slot *out);

/* ---- one feature's window over a key's rows (rt_agg_window.c) ---- */

/* Rows with a time below this no longer feed f raw after settling to h: sliding h - D,
 * lifetime h, hop the start of tile floor(h / H). For fold features the rows below it are
 * folded into the settled part. */
static inline int64_t rt_win_keep_bound(const rt_feat *f, int64_t h)
{
    switch (f->d.win) {
    case RT_WIN_SLIDING: /* no window at t >= h reaches below h - D */ return rt_sat_sub(h, f->d.size_us);
    case RT_WIN_HOP:    /* tiles below floor(h / H) are whole for every future query */
        if (f->raw_hop) /* every window at t >= h starts after h - D - H */
            return rt_sat_sub(h, rt_sat_add(f->d.size_us, f->d.hop_us));
        return rt_tile_start(rt_floordiv(h, f->d.hop_us), f->d.hop_us);
    default: /* lifetime: rows below h are seen by every future query */
        return h;
    }
}

/* The first horizon at which a row stamped ts stops feeding f raw (the smallest h with
 * rt_win_keep_bound(f, h) > ts). */
static inline int64_t rt_win_raw_due(const rt_feat *f, int64_t ts)
{
    switch (f->d.win) {
    case RT_WIN_SLIDING: return rt_sat_add(rt_sat_add(ts, f->d.size_us), 1);
    case RT_WIN_HOP:
        if (f->raw_hop)
            return rt_sat_add(rt_sat_add(ts, rt_sat_add(f->d.size_us, f->d.hop_us)), 1);
        return rt_tile_start(rt_sat_add(rt_floordiv(ts, f->d.hop_us), 1), f->d.hop_us);
    default: return rt_sat_add(ts, 1);
    }
}

/* The first horizon at which hop tile k is dropped: floor(h / H) - ntiles > k. */
static inline int64_t rt_win_tile_due(const rt_feat *f, int64_t k)
{
    return rt_tile_start(rt_sat_add(k, rt_sat_add(f->ntiles, 1)), f->d.hop_us);
}

/* The first hop tile any query at or after h can see. */
static inline int64_t rt_win_live_tile(const rt_feat *f, int64_t h)
{
    return rt_sat_sub(rt_floordiv(h, f->d.hop_us), f->ntiles);
}

/* Adds one row to a fold feature's settled part (lifetime fold, distinct set); the row
 * keeps its own references. h is the view's horizon: a hop value no future window reaches
 * is not added. Returns the drop horizon of what it touched (INT64_MAX: nothing). */
int64_t rt_win_fold(const rt_feat *f, char *set, const char *row, int64_t h, rt_cx *cx);
/* Folds the rows lo..hi-1 that fold feature f takes. */
void rt_win_fold_rows(const rt_feat *f, char *set, const rt_deque *rows, size_t lo, size_t hi, int64_t h,
                      rt_cx *cx);
/* Adds one row to tile k of an eager (hop) feature, creating the tile when absent. Returns
 * the tile's drop horizon when it became the oldest tile, else INT64_MAX. */
int64_t rt_win_tile_add(const rt_feat *f, char *set, const char *row, int64_t k, rt_cx *cx);
/* Drops the hop tiles (count_distinct: values last seen in tiles) below tile kd from the
 * settled part. */
void rt_win_drop(const rt_feat *f, char *set, int64_t kd, rt_cx *cx);
/* The first horizon at which rt_win_drop has something to do (INT64_MAX: never). */
int64_t rt_win_set_due(const rt_feat *f, const char *set);
/* The feature's value at t for the key ks (its settled part at set; ttl and default
 * applied). Reads only the state: temporary memory comes from scratch, owned by the
 * calling thread, so concurrent queries may run under a shared read lock. */
void rt_win_query(const rt_feat *f, const rt_keyst *ks, const char *set, int64_t t, rt_slot *out, const rt_cx *cx,
                  rt_scratch *scratch);
bool rt_win_set_empty(const rt_feat *f, const char *set);
void rt_win_release(const rt_feat *f, char *set, rt_cx *cx);

/* Computes the block partials of ks's complete row blocks that lack them, for feats[n]. */
void rt_rows_part_update(const rt_feat *feats, int n, rt_deque *rows, rt_cx *cx);

/* ---- percentile (rt_agg_pct.c) ---- */

/* An order key of a value word of type t (int, float, timestamp): unsigned keys compare as
 * the values do (-0.0 is 0.0); rt_pct_word is the inverse. */
uint64_t rt_pct_key(rt_type t, uint64_t w);
uint64_t rt_pct_word(rt_type t, uint64_t k);
/* The rank k = max(1, ceil(p * n)) of percentile p among n > 0 values (1-based). */
int64_t rt_pct_rank(double p, int64_t n);
/* Fills an empty block partial from the rows lo..hi-1 of q (all: every row feeds f). */
void rt_pct_block_fill(const rt_feat *f, rt_pct_block *b, const rt_deque *q, uint32_t esz, size_t lo, size_t hi,
                       bool all);
/* Adds one value's order key to a lifetime multiset; frees it. */
void rt_pct_set_add(rt_pctset *s, rt_mem *m, uint64_t key);
void rt_pct_set_release(rt_pctset *s, rt_mem *m);
/* The percentile of the rows lo..hi-1 of q that f takes and of set (NULL: none); null when
 * there are none. Whole blocks are read through their sorted runs. */
void rt_pct_query(const rt_feat *f, const rt_deque *q, const rt_pctset *set, size_t lo, size_t hi, rt_slot *out,
                  const rt_cx *cx, rt_scratch *scratch);

/* ---- the view (rt_state.c, rt_state_key.c, rt_state_ingest.c) ---- */

/* One hop size of the view and its tiles around the horizon h: times in [start, end) are in
 * tile k = floor(h / H), times in [end, end2) in tile k + 1 (bounds saturated). */
typedef struct rt_hop {
    int64_t H;
    int64_t k;
    int64_t start, end, end2;
} rt_hop;

/* floor(ts / H) for hop size hp, without a division for times in or next to the horizon's
 * tile. */
static inline int64_t rt_hop_tile(const rt_hop *hp, int64_t ts)
{
    if (ts >= hp->start && ts < hp->end)
        return hp->k;
    if (ts >= hp->end && ts < hp->end2)
        return hp->k + 1;
    return rt_floordiv(ts, hp->H);
}

/* A value word copied from an input slot into a row. */
typedef struct rt_vcopy {
    uint32_t in;   /* input index */
    uint32_t voff; /* row offset */
} rt_vcopy;

struct rt_view_state {
    int nkeys;
    int nfeatures;
    bool has_seq;
    bool has_str;        /* some feature keeps interned strings */
    rt_feat *feats;
    int *folds;          /* the fold features (lifetime, hop count_distinct) */
    int nfolds;
    uint64_t fold_pbits; /* their pbits */
    bool folds_past_64;  /* some fold feature has no pbit */
    int *eagers;         /* the eager features (hop, not count_distinct) */
    int *eager_hop;      /* per eager feature: its index in hops */
    int64_t *live;       /* per eager feature: the first tile a query at or after the horizon sees */
    size_t *eager_off;   /* per eager feature: its tiles' offset in a record, and tile size */
    uint32_t *eager_tsz;
    int neagers;
    rt_vcopy *nums;      /* value words that are the input's own bits */
    int nnums;
    int *strs;           /* features whose value word is an interned string */
    int nstrs;
    int *zeros;          /* float count_distinct features: -0 is stored as 0 */
    int nzeros;
    /* what rows are kept for: the longest sliding window (-1: none), whether a lifetime
     * feature folds them, the distinct hop sizes */
    int64_t dmax;
    bool has_life;
    rt_hop *hops;
    int nhops;
    int64_t evict_b;     /* rows below this are evicted when a key is settled to the horizon */
    size_t rec_size;     /* rt_keyst, then the fold and eager features' settled parts */
    char *recs;          /* rec_size bytes per key, by the key table's dense index */
    size_t rec_cap;
    char *empty_rec;     /* a record with no events, read for absent keys */
    char *row;           /* the row being built (esz bytes) */
    char *brows;         /* the rows of a batch being ingested (allocated on first use) */
    uint32_t nmask;      /* mask words per row */
    bool plain_rows;     /* one mask word, no seq kept, no float count_distinct */
    uint32_t seqoff;     /* row offset of the seq word (0: none kept) */
    struct rt_keytab *kt;
    rt_mem mem;
    rt_pool pool;
    rt_cx cx;
    int64_t horizon;
    size_t sweep;        /* next dense index the settle sweep looks at */
};

static inline rt_keyst *rt_rec_at(const struct rt_view_state *s, size_t idx)
{
    return (rt_keyst *)(s->recs + idx * s->rec_size);
}

static inline char *rt_set_at(rt_keyst *ks, const rt_feat *f)
{
    return (char *)ks + f->off;
}

/* One key (rt_state_key.c). */
/* The first horizon at which a front row stamped ts is evicted. */
int64_t rt_key_evict_due(const struct rt_view_state *s, int64_t ts);
/* Brings the key up to the view's horizon: drops hop tiles and count_distinct values no query
 * can see, folds the rows fold features no longer need raw, evicts the rows no feature needs,
 * and recomputes the key's due horizon. */
void rt_key_settle(struct rt_view_state *s, rt_keyst *ks);
/* True when the key holds nothing (it can be forgotten). */
bool rt_key_empty(const struct rt_view_state *s, rt_keyst *ks);
/* Releases everything the key holds. */
void rt_key_release(struct rt_view_state *s, rt_keyst *ks);
/* Drops one reference per interned string of the rows lo..hi-1. */
void rt_rows_unref(struct rt_view_state *s, const rt_deque *q, size_t lo, size_t hi);

#endif
