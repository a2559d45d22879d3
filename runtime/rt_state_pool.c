/* rt_state_pool.c - reference-counted string interning for the window state (linear probing, backward-shift deletion). */
#include "rt_keytab.h"
#include "rt_state_impl.h"

#include <stdlib.h>

void rt_pool_init(rt_pool *p, rt_mem *mem)
{
    memset(p, 0, sizeof *p);
    p->mem = mem;
    p->mask = 15;
    p->slots = rt_xrealloc(NULL, sizeof(rt_pslot) * 16);
    memset(p->slots, 0, sizeof(rt_pslot) * 16);
}

void rt_pool_destroy(rt_pool *p)
{
    for (size_t i = 0; i <= p->mask; i++)
        if (p->slots[i].s)
            rt_mem_free(p->mem, p->slots[i].s, sizeof(rt_istr) + p->slots[i].s->len);
    free(p->slots);
    memset(p, 0, sizeof *p);
}

static void grow(rt_pool *p)
{
    size_t n = (p->mask + 1) * 2;
    rt_pslot *old = p->slots;
    size_t oldn = p->mask + 1;
    p->slots = rt_xrealloc(NULL, sizeof(rt_pslot) * n);
    memset(p->slots, 0, sizeof(rt_pslot) * n);
    p->mask = n - 1;
    for (size_t i = 0; i < oldn; i++) {
        if (!old[i].s)
            continue;
        size_t j = old[i].hash & p->mask;
        while (p->slots[j].s)
            j = (j + 1) & p->mask;
        p->slots[j] = old[i];
    }
    free(old);
}

rt_istr *rt_pool_intern(rt_pool *p, const char *s, uint32_t len)
{
    uint64_t h = rt_hash_bytes(s, len, 0);
    size_t i = h & p->mask;
    for (;;) {
        rt_istr *e = p->slots[i].s;
        if (!e)
            break;
        if (p->slots[i].hash == h && e->len == len && (len == 0 || !memcmp(e->bytes, s, len))) {
            rt_pool_ref(e);
            return e;
        }
        i = (i + 1) & p->mask;
    }
    if ((p->count + 1) * 8 > (p->mask + 1) * 5) {
        grow(p);
        i = h & p->mask;
        while (p->slots[i].s)
            i = (i + 1) & p->mask;
    }
    rt_istr *e = rt_mem_alloc(p->mem, sizeof(rt_istr) + len);
    e->hash = h;
    e->refs = 1;
    e->len = len;
    if (len)
        memcpy(e->bytes, s, len);
    p->slots[i].hash = h;
    p->slots[i].s = e;
    p->count++;
    return e;
}

void rt_pool_unref(rt_pool *p, rt_istr *e)
{
    assert(e->refs > 0);
    if (--e->refs)
        return;
    size_t i = e->hash & p->mask;
    while (p->slots[i].s != e) {
        assert(p->slots[i].s);
        i = (i + 1) & p->mask;
    }
    size_t j = i;
    for (;;) {
        j = (j + 1) & p->mask;
        if (!p->slots[j].s)
            break;
        size_t home = p->slots[j].hash & p->mask;
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            p->slots[i] = p->slots[j];
            i = j;
        }
    }
    p->slots[i].s = NULL;
    p->count--;
    rt_mem_free(p->mem, e, sizeof(rt_istr) + e->len);
}

size_t rt_pool_bytes(const rt_pool *p)
{
    return sizeof(rt_pslot) * (p->mask + 1);
}
