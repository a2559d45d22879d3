/* rt_state_deque.c - key-ordered deques of fixed-size elements: raw events and hop tiles. */
#include "rt_state_impl.h"

#define MIN_CAP_BYTES 64

size_t rt_dq_lower(const rt_deque *q, uint32_t esz, int64_t key)
{
    size_t lo = 0, hi = q->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rt_dq_key(q, esz, mid) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First position whose key is > key. Checks the end first: most inserts append. */
static size_t upper(const rt_deque *q, uint32_t esz, int64_t key)
{
    if (q->len == 0 || rt_dq_key(q, esz, q->len - 1) <= key)
        return q->len;
    size_t lo = 0, hi = q->len - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rt_dq_key(q, esz, mid) <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

char *rt_dq_insert_at(rt_deque *q, uint32_t esz, size_t pos, rt_mem *m)
{
    assert(pos <= q->len);
    if ((size_t)q->head + q->len == q->cap) {
        if (q->head > 0 && q->head >= q->len) {
            /* the dead front is as large as the live part: slide down (amortised by the pops) */
            memmove(q->data, q->data + (size_t)q->head * esz, (size_t)q->len * esz);
            q->head = 0;
        } else {
            size_t ncap = q->cap ? (size_t)q->cap * 2 : (MIN_CAP_BYTES + esz - 1) / esz;
            if (ncap > UINT32_MAX) {
                assert(!"deque too large");
                ncap = UINT32_MAX;
            }
            char *nd = rt_mem_alloc(m, ncap * esz);
            if (q->len)
                memcpy(nd, q->data + (size_t)q->head * esz, (size_t)q->len * esz);
            rt_mem_free(m, q->data, (size_t)q->cap * esz);
            q->data = nd;
            q->cap = (uint32_t)ncap;
            q->head = 0;
        }
    }
    char *p = rt_dq_at(q, esz, pos);
    if (pos < q->len)
        memmove(p + esz, p, (size_t)(q->len - pos) * esz);
    q->len++;
    return p;
}

void rt_dq_insert(rt_deque *q, uint32_t esz, const void *elem, rt_mem *m)
{
    int64_t key;
    memcpy(&key, elem, sizeof key);
    char *p = rt_dq_insert_at(q, esz, upper(q, esz, key), m);
    memcpy(p, elem, esz);
}

void rt_dq_drop_front(rt_deque *q, uint32_t esz, size_t k, rt_mem *m)
{
    assert(k <= q->len);
    if (k == 0)
        return;
    q->head += (uint32_t)k;
    q->len -= (uint32_t)k;
    if (q->len == 0) {
        rt_dq_release(q, esz, m);
        return;
    }
    /* shrink when a quarter full, so a burst does not pin memory */
    size_t min_cap = (MIN_CAP_BYTES + esz - 1) / esz;
    if (q->cap > min_cap && (size_t)q->len * 4 <= q->cap) {
        size_t ncap = (size_t)q->cap / 2;
        char *nd = rt_mem_alloc(m, ncap * esz);
        memcpy(nd, q->data + (size_t)q->head * esz, (size_t)q->len * esz);
        rt_mem_free(m, q->data, (size_t)q->cap * esz);
        q->data = nd;
        q->cap = (uint32_t)ncap;
        q->head = 0;
    }
}

void rt_dq_release(rt_deque *q, uint32_t esz, rt_mem *m)
{
    if (q->data)
        rt_mem_free(m, q->data, (size_t)q->cap * esz);
    memset(q, 0, sizeof *q);
}
