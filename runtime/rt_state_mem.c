/* rt_state_mem.c - the window state's small-block allocator: size classes on slabs with free lists. */
#include "rt_state_impl.h"

#include <stdio.h>
#include <stdlib.h>

#define SLAB_BYTES 65536
#define MIN_SHIFT 4 /* 16 bytes */

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
        m->cur = rt_xrealloc(NULL, SLAB_BYTES);
        m->slabs[m->nslabs++] = m->cur;
        m->cur_left = SLAB_BYTES;
        m->reserved += SLAB_BYTES;
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

size_t rt_mem_class_bytes(size_t n)
{
    int c = class_of(n ? n : 1);
    return c < 0 ? n : (size_t)1 << (c + MIN_SHIFT);
}

size_t rt_mem_bytes(const rt_mem *m)
{
    return m->reserved + m->large + m->slabs_cap * sizeof(void *);
}
