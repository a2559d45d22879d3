/* rt_state_deque.c - key-ordered deques of fixed-size elements (raw events, hop tiles) with room for block partials. */
#include "rt_state_impl.h"

#define MIN_CAP_BYTES 32
/* An emptied deque keeps a buffer up to this size (it is freed with the deque). */
#define KEEP_BYTES 1024
/* Buffers up to this size are not shrunk while the deque holds elements. */
#define SHRINK_BYTES 1024

/* Binary search for the first key >= key among positions [lo1, hi), knowing every key
 * before lo1 is < key and key(hi) >= key (or hi == len). */
static size_t lower_between(const rt_deque *q, uint32_t esz, int64_t key, size_t lo1, size_t hi)
{
    while (lo1 < hi) {
        size_t mid = lo1 + (hi - lo1) / 2;
        if (rt_dq_key(q, esz, mid) < key)
            lo1 = mid + 1;
        else
            hi = mid;
    }
    return lo1;
}

size_t rt_dq_lower_front(const rt_deque *q, uint32_t esz, int64_t key)
{
    if (q->len == 0 || rt_dq_key(q, esz, 0) >= key)
        return 0;
    size_t below = 0, step = 1; /* key(below) < key */
    while (below + step < q->len && rt_dq_key(q, esz, below + step) < key) {
        below += step;
        step *= 2;
    }
    size_t hi = below + step < q->len ? below + step : q->len;
    return lower_between(q, esz, key, below + 1, hi);
}

size_t rt_dq_lower_back(const rt_deque *q, uint32_t esz, int64_t key)
{
    size_t n = q->len;
    if (n == 0 || rt_dq_key(q, esz, n - 1) < key)
        return n;
    size_t at = n - 1, step = 1; /* key(at) >= key */
    while (at >= step && rt_dq_key(q, esz, at - step) >= key) {
        at -= step;
        step *= 2;
    }
    size_t lo1 = at >= step ? at - step + 1 : 0;
    return lower_between(q, esz, key, lo1, at);
}

/* First position whose key is > key, galloping from the back: most inserts append. */
static size_t upper_back(const rt_deque *q, uint32_t esz, int64_t key)
{
    return key == INT64_MAX ? q->len : rt_dq_lower_back(q, esz, key + 1);
}

static size_t block_bytes(size_t cap, uint32_t esz, uint32_t psz)
{
    return cap * esz + (psz ? cap / RT_DQ_BLOCK * psz : 0);
}

/* Moves the live elements to a buffer of ncap elements (or to the front of the same one when
 * ncap == cap). When both buffers hold partials and there is room, the elements keep their
 * places within their blocks, so the valid partials move along; otherwise they are all
 * invalid afterwards. */
static void relocate(rt_deque *q, uint32_t esz, uint32_t psz, size_t ncap, rt_mem *m)
{
    size_t off = q->head % RT_DQ_BLOCK, skip = q->head / RT_DQ_BLOCK; /* blocks before the head's */
    bool keep = psz && q->cap >= RT_DQ_BLOCK && ncap >= RT_DQ_BLOCK && off + q->len < ncap;
    if (!keep)
        off = 0;
    size_t nvalid = keep && q->pvalid > skip ? q->pvalid - skip : 0;
    char *src = q->data + (size_t)q->head * esz;
    if (ncap == q->cap) {
        memmove(q->data + off * esz, src, (size_t)q->len * esz);
        if (nvalid) {
            char *part = q->data + (size_t)q->cap * esz;
            memmove(part, part + skip * psz, nvalid * psz);
        }
    } else {
        char *nd = rt_mem_alloc(m, block_bytes(ncap, esz, psz));
        if (q->len)
            memcpy(nd + off * esz, src, (size_t)q->len * esz);
        if (nvalid)
            memcpy(nd + ncap * esz, q->data + (size_t)q->cap * esz + skip * psz, nvalid * psz);
        if (q->data)
            rt_mem_free(m, q->data, block_bytes(q->cap, esz, psz));
        q->data = nd;
        q->cap = (uint32_t)ncap;
    }
    q->head = (uint32_t)off;
    q->pvalid = (uint32_t)nvalid;
}

/* The capacity after cap when full: twice as many elements, and below the size where
 * partials start, as many as fill the allocator's block. */
static size_t grown_cap(size_t cap, uint32_t esz, uint32_t psz)
{
    size_t ncap = cap ? cap * 2 : (MIN_CAP_BYTES + esz - 1) / esz;
    if (!psz || ncap < RT_DQ_BLOCK) {
        size_t fill = rt_mem_class_bytes(ncap * esz) / esz;
        if (fill > ncap && (!psz || fill < RT_DQ_BLOCK))
            ncap = fill;
    }
    if (ncap > UINT32_MAX) {
        assert(!"deque too large");
        ncap = UINT32_MAX;
    }
    return ncap;
}

char *rt_dq_insert_at(rt_deque *q, uint32_t esz, uint32_t psz, size_t pos, rt_mem *m)
{
    assert(pos <= q->len);
    if (!q->cap) {
        /* the first buffer (most keys are new or rare): nothing to move or invalidate */
        size_t ncap = grown_cap(0, esz, psz);
        q->data = rt_mem_alloc(m, block_bytes(ncap, esz, psz));
        q->cap = (uint32_t)ncap;
        q->head = q->pvalid = 0;
        q->len = 1;
        return q->data;
    }
    if ((size_t)q->head + q->len == q->cap) {
        if (q->head > 0 && q->head >= q->len) {
            /* the dead front is as large as the live part: slide down (amortised by the pops) */
            relocate(q, esz, psz, q->cap, m);
        } else {
            relocate(q, esz, psz, grown_cap(q->cap, esz, psz), m);
        }
    }
    /* the elements from pos on move one place: their blocks' partials are stale */
    size_t block = ((size_t)q->head + pos) / RT_DQ_BLOCK;
    if (block < q->pvalid)
        q->pvalid = (uint32_t)block;
    char *p = rt_dq_at(q, esz, pos);
    if (pos < q->len)
        memmove(p + esz, p, (size_t)(q->len - pos) * esz);
    q->len++;
    return p;
}

void rt_dq_insert(rt_deque *q, uint32_t esz, uint32_t psz, const void *elem, rt_mem *m)
{
    int64_t key;
    memcpy(&key, elem, sizeof key);
    char *p = rt_dq_insert_at(q, esz, psz, upper_back(q, esz, key), m);
    memcpy(p, elem, esz);
}

void rt_dq_drop_front(rt_deque *q, uint32_t esz, uint32_t psz, size_t k, rt_mem *m)
{
    assert(k <= q->len);
    if (k == 0)
        return;
    q->head += (uint32_t)k;
    q->len -= (uint32_t)k;
    if (q->len == 0) {
        /* a small buffer is kept for the key's next element */
        if (block_bytes(q->cap, esz, psz) > KEEP_BYTES)
            rt_dq_release(q, esz, psz, m);
        q->head = q->pvalid = 0;
        return;
    }
    /* shrink when a quarter full, so a burst does not pin memory; small buffers stay, so a
     * deque that drops and adds a few elements does not move back and forth */
    if (block_bytes(q->cap, esz, psz) > SHRINK_BYTES && (size_t)q->len * 4 <= q->cap)
        relocate(q, esz, psz, (size_t)q->cap / 2, m);
}

void rt_dq_release(rt_deque *q, uint32_t esz, uint32_t psz, rt_mem *m)
{
    if (q->data)
        rt_mem_free(m, q->data, block_bytes(q->cap, esz, psz));
    memset(q, 0, sizeof *q);
}
