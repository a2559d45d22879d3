/* rt_state_impl.h - internals shared by the window-state files: allocator, string pool, value sets, event buffers, accumulators. */
#ifndef FEATRT_STATE_IMPL_H
#define FEATRT_STATE_IMPL_H

#include "rt_agg.h"

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

/* ---- small-block allocator: power-of-two classes from 16 to 4096 bytes carved from 64 KiB
 * slabs, with a free list per class; larger blocks come from malloc. The caller passes the
 * size back on free. Blocks are 16-byte aligned. Slabs are kept until the state is freed. */

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

/* A scratch set for one query: cleared in O(1) by bumping a generation. */
typedef struct rt_vscratch {
    struct rt_sent {
        uint64_t k;
        uint64_t gen;
    } *ents;
    size_t cap, count;
    uint64_t gen;
} rt_vscratch;

void rt_vscratch_reset(rt_vscratch *s);
/* True when k was not yet in the set (and adds it). */
bool rt_vscratch_add(rt_vscratch *s, uint64_t k);
void rt_vscratch_destroy(rt_vscratch *s);

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
/* Drops the first k elements (the caller has released what they hold). */
void rt_dq_drop_front(rt_deque *q, uint32_t esz, uint32_t psz, size_t k, rt_mem *m);
void rt_dq_release(rt_deque *q, uint32_t esz, uint32_t psz, rt_mem *m);

/* ---- raw events and accumulators ---- */

/* A raw event of a feature that needs its value; v is the value word. */
typedef struct rt_ev_v {
    int64_t ts;
    uint64_t v;
} rt_ev_v;

/* A raw event of first/last: the whole ordering key. */
typedef struct rt_ev_o {
    int64_t ts;
    int64_t seq;
    uint64_t v;
    uint32_t seqnull; /* 1: no seq, ordered below every seq */
    uint32_t pad_;
} rt_ev_o;

typedef enum rt_kind {
    RK_COUNT,    /* count(), count(x): raw events are bare times */
    RK_SUM_I,    /* sum, avg of ints */
    RK_SUM_F,    /* sum, avg of floats */
    RK_MINMAX,
    RK_ORDER,    /* first, last */
    RK_VAR,      /* variance, stddev */
    RK_DISTINCT, /* count_distinct */
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
    bool hi;             /* max, last */
    bool avg;            /* avg (sum kinds) */
    bool sd;             /* stddev (variance kind) */
    bool is_str;         /* value words are interned strings */
    uint32_t esz;        /* raw event size */
    uint32_t acc_size;   /* accumulator size (0 for count_distinct) */
    uint32_t tile_off;   /* hop: accumulator offset within a tile */
    uint32_t tile_sz;    /* hop: tile element size */
    uint32_t set_off;    /* offset of the settled part after the raw deque */
    uint32_t size;       /* bytes of this feature's state in a key record */
    uint32_t psz;        /* raw deque: bytes of a block partial (0: none kept) */
    size_t off;          /* offset of the feature's state in a key record */
    int64_t ntiles;      /* hop: D / H */
} rt_feat;

/* What window operations need from the view. */
typedef struct rt_cx {
    rt_mem *mem;
    rt_pool *pool;
    rt_vscratch *scratch;
} rt_cx;

/* Fills the derived fields of f from f->d; false when the descriptor is inconsistent. */
bool rt_feat_setup(rt_feat *f);

/* Value words. */
int rt_val_cmp(rt_type t, uint64_t a, uint64_t b);
int rt_ord_cmp(rt_type t, const rt_ev_o *a, const rt_ev_o *b);

/* Accumulators (not count_distinct). "Owning" ones (folds, tiles) hold string references
 * taken in pool; "borrowed" ones (built by a query) hold none. A zeroed accumulator is empty. */
void rt_acc_add(const rt_feat *f, void *acc, const void *ev, rt_pool *pool); /* owning */
void rt_acc_release(const rt_feat *f, void *acc, rt_pool *pool);             /* owning */
bool rt_acc_empty(const rt_feat *f, const void *acc);
void rt_acc_merge(const rt_feat *f, void *dst, const void *src); /* into borrowed dst */
/* Adds raw events lo..hi-1 of q to a borrowed accumulator. */
void rt_acc_add_range(const rt_feat *f, void *acc, const rt_deque *q, size_t lo, size_t hi);
/* The aggregate's value (before ttl and default). */
void rt_acc_result(const rt_feat *f, const void *acc, rt_slot *out);

/* Per-feature window state inside a key record: the raw deque, the feature's due horizon,
 * then the settled part at set_off. */
typedef struct rt_fhdr {
    rt_deque raw;
    int64_t due; /* the first horizon at which rt_win_settle has something to do */
} rt_fhdr;

/* Makes fs (f->size bytes) the state of a feature without events. */
void rt_win_init(const rt_feat *f, char *fs);
/* Adds one event; ev is an rt_ev_v / rt_ev_o / int64 time per f->esz and holds one reference
 * to its string, which this call takes over. h is the settled horizon. Returns the first
 * horizon at which rt_win_settle has something to do (INT64_MAX: never). */
int64_t rt_win_add(const rt_feat *f, char *fs, int64_t h, const void *ev, rt_cx *cx);
/* Folds and evicts for horizon h when the feature is due; returns its next due horizon. */
int64_t rt_win_settle(const rt_feat *f, char *fs, int64_t h, rt_cx *cx);
/* The feature's value at t (ttl and default applied). Reads only. */
void rt_win_query(const rt_feat *f, const char *fs, int64_t t, rt_slot *out, rt_cx *cx);
bool rt_win_empty(const rt_feat *f, const char *fs);
void rt_win_release(const rt_feat *f, char *fs, rt_cx *cx);

#endif
