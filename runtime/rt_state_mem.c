/* rt_state_mem.c - the window state's small-block allocator: size classes on slabs with free lists. */
#include "rt_state_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define SLAB_BYTES 65536
#define MIN_SHIFT 4 /* 16 bytes */
/* Once a view's slabs hold this much, new slabs are huge pages. */
#define HUGE_SLABS_AFTER ((size_t)8 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

/* n bytes (a multiple of HUGE_PAGE) aligned to a huge page, with the kernel asked to back
 * them with huge pages: a state of many keys touches its memory at random, and with small
 * pages nearly every touch would also miss the TLB. */
static void *huge_alloc(size_t n)
{
    void *p = aligned_alloc(HUGE_PAGE, n);
    if (!p) {
        fprintf(stderr, "featrt: out of memory (%zu bytes)\n", n);
        abort();
    }
#ifdef MADV_HUGEPAGE
    madvise(p, n, MADV_HUGEPAGE); /* a hint: refused or unsupported is fine */
#endif
    return p;
}

void *rt_huge_realloc(void *p, size_t old, size_t n)
{
    if (n < RT_HUGE_MIN)
        return rt_xrealloc(p, n);
    size_t cap = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *q = huge_alloc(cap);
    if (p)
        memcpy(q, p, old < n ? old : n);
    free(p);
    return q;
}

void *rt_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "featrt: out of memory (%zu bytes)\n", n);
        abort();
    }
    return q;
}

void rt_mem_init(rt_mem *m)
{
    memset(m, 0, sizeof *m);
}

void rt_mem_destroy(rt_mem *m)
{
    for (size_t i = 0; i < m->nslabs; i++)
        free(m->slabs[i]);
    free(m->slabs);
    memset(m, 0, sizeof *m);
}

/* Class index of n bytes, or -1 above the largest class. */
static inline int class_of(size_t n)
{
    assert(n > 0);
    if (n <= ((size_t)1 << MIN_SHIFT))
        return 0;
    int c = (int)(64 - __builtin_clzll((unsigned long long)(n - 1))) - MIN_SHIFT; /* ceil(log2 n) - 4 */
    return c < RT_MEM_NCLASS ? c : -1;
}

void *rt_mem_alloc(rt_mem *m, size_t n)
{
    int c = class_of(n);
    if (c < 0) {
        m->large += n;
        return rt_xrealloc(NULL, n);
    }
    if (m->free[c]) {
        void *p = m->free[c];
        memcpy(&m->free[c], p, sizeof(void *));
        return p;
    }
    size_t sz = (size_t)1 << (c + MIN_SHIFT);
    if (m->cur_left < sz) {
        /* The rest of the old slab is cut into free blocks of smaller classes. */
        while (m->cur_left >= ((size_t)1 << MIN_SHIFT)) {
            int k = class_of(m->cur_left);
            if (((size_t)1 << (k + MIN_SHIFT)) > m->cur_left)
                k--;
            size_t ksz = (size_t)1 << (k + MIN_SHIFT);
            memcpy(m->cur, &m->free[k], sizeof(void *));
            m->free[k] = m->cur;
            m->cur += ksz;
            m->cur_left -= ksz;
        }
        if (m->nslabs == m->slabs_cap) {
            m->slabs_cap = m->slabs_cap ? m->slabs_cap * 2 : 8;
            m->slabs = rt_xrealloc(m->slabs, sizeof(void *) * m->slabs_cap);
        }
        size_t bytes = m->reserved >= HUGE_SLABS_AFTER ? HUGE_PAGE : SLAB_BYTES;
        m->cur = bytes == HUGE_PAGE ? huge_alloc(bytes) : rt_xrealloc(NULL, bytes);
        m->slabs[m->nslabs++] = m->cur;
        m->cur_left = bytes;
        m->reserved += bytes;
    }
    void *p = m->cur;
    m->cur += sz;
    m->cur_left -= sz;
    return p;
}

void rt_mem_free(rt_mem *m, void *p, size_t n)
{
    if (!p)
        return;
    int c = class_of(n);
    if (c < 0) {
        m->large -= n;
        free(p);
        return;
    }
    memcpy(p, &m->free[c], sizeof(void *));
    m->free[c] = p;
}

_Static_assert(MIN_SHIFT == 4, "rt_mem_class_bytes assumes 16-byte classes");

size_t rt_mem_bytes(const rt_mem *m)
{
    return m->reserved + m->large + m->slabs_cap * sizeof(void *);
}
