/* rt_state_vset.c - sets of value words with an int64 payload (count_distinct state) and the per-query scratch set. */
#include "rt_keytab.h"
#include "rt_state_impl.h"

#include <stdlib.h>

static inline size_t home_of(uint64_t k, size_t mask)
{
    return rt_hash_mix(k) & mask;
}

static void put_raw(rt_vent *ents, uint32_t cap, uint64_t k, int64_t v)
{
    size_t i = home_of(k, cap - 1);
    while (ents[i].k != RT_VSET_EMPTY)
        i = (i + 1) & (cap - 1);
    ents[i].k = k;
    ents[i].v = v;
}

static void rebuild(rt_vset *s, rt_mem *m, uint32_t cap)
{
    rt_vent *old = s->ents;
    uint32_t oldcap = s->cap;
    s->ents = rt_mem_alloc(m, sizeof(rt_vent) * cap);
    for (uint32_t i = 0; i < cap; i++)
        s->ents[i].k = RT_VSET_EMPTY;
    s->cap = cap;
    for (uint32_t i = 0; i < oldcap; i++)
        if (old[i].k != RT_VSET_EMPTY)
            put_raw(s->ents, cap, old[i].k, old[i].v);
    rt_mem_free(m, old, sizeof(rt_vent) * oldcap);
}

bool rt_vset_put_max(rt_vset *s, rt_mem *m, uint64_t k, int64_t v)
{
    if (s->count == 0 || v < s->lo)
        s->lo = v;
    if (k == RT_VSET_EMPTY) {
        if (s->has_sent) {
            if (v > s->sent_v)
                s->sent_v = v;
            return false;
        }
        s->has_sent = 1;
        s->sent_v = v;
        s->count++;
        return true;
    }
    if (s->cap) {
        size_t i = home_of(k, s->cap - 1);
        for (;;) {
            if (s->ents[i].k == k) {
                if (v > s->ents[i].v)
                    s->ents[i].v = v;
                return false;
            }
            if (s->ents[i].k == RT_VSET_EMPTY)
                break;
            i = (i + 1) & (s->cap - 1);
        }
    }
    if ((s->count + 1) * 4 > s->cap * 3) /* load factor <= 3/4 */
        rebuild(s, m, s->cap ? s->cap * 2 : 4);
    put_raw(s->ents, s->cap, k, v);
    s->count++;
    return true;
}

bool rt_vset_get(const rt_vset *s, uint64_t k, int64_t *v)
{
    if (k == RT_VSET_EMPTY) {
        if (s->has_sent && v)
            *v = s->sent_v;
        return s->has_sent;
    }
    if (!s->cap)
        return false;
    size_t i = home_of(k, s->cap - 1);
    for (;;) {
        if (s->ents[i].k == k) {
            if (v)
                *v = s->ents[i].v;
            return true;
        }
        if (s->ents[i].k == RT_VSET_EMPTY)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
}

size_t rt_vset_count_from(const rt_vset *s, int64_t lo)
{
    if (lo <= s->lo)
        return s->count;
    size_t n = s->has_sent && s->sent_v >= lo;
    for (uint32_t i = 0; i < s->cap; i++)
        n += s->ents[i].k != RT_VSET_EMPTY && s->ents[i].v >= lo;
    return n;
}

void rt_vset_purge(rt_vset *s, rt_mem *m, int64_t lo, rt_pool *pool)
{
    if (s->count == 0 || lo <= s->lo)
        return;
    int64_t newlo = INT64_MAX;
    uint32_t kept = 0;
    if (s->has_sent) {
        if (s->sent_v < lo) {
            s->has_sent = 0;
            s->count--;
        } else {
            newlo = s->sent_v;
        }
    }
    for (uint32_t i = 0; i < s->cap; i++) {
        rt_vent *e = &s->ents[i];
        if (e->k == RT_VSET_EMPTY)
            continue;
        if (e->v < lo) {
            if (pool)
                rt_pool_unref(pool, (rt_istr *)(uintptr_t)e->k);
            e->k = RT_VSET_EMPTY;
            s->count--;
        } else {
            kept++;
            if (e->v < newlo)
                newlo = e->v;
        }
    }
    s->lo = newlo;
    /* re-place the survivors (removal by marking breaks probe chains), shrinking if sparse */
    uint32_t cap = 4;
    while (cap * 3 < kept * 4 + 4)
        cap *= 2;
    if (kept == 0) {
        rt_mem_free(m, s->ents, sizeof(rt_vent) * s->cap);
        s->ents = NULL;
        s->cap = 0;
        return;
    }
    rebuild(s, m, cap);
}

void rt_vset_release(rt_vset *s, rt_mem *m, rt_pool *pool)
{
    for (uint32_t i = 0; i < s->cap; i++)
        if (pool && s->ents[i].k != RT_VSET_EMPTY)
            rt_pool_unref(pool, (rt_istr *)(uintptr_t)s->ents[i].k);
    if (s->ents)
        rt_mem_free(m, s->ents, sizeof(rt_vent) * s->cap);
    memset(s, 0, sizeof *s);
}

/* ---- scratch set ---- */

void rt_vscratch_init(rt_vscratch *s, rt_scratch *mem, size_t most)
{
    size_t cap = 4;
    while (cap < most * 2 + 2) /* load factor <= 1/2 */
        cap *= 2;
    s->ents = rt_scratch_alloc(mem, sizeof *s->ents * cap);
    memset(s->ents, 0, sizeof *s->ents * cap);
    s->cap = cap;
    s->count = 0;
}

bool rt_vscratch_add(rt_vscratch *s, uint64_t k)
{
    assert((s->count + 1) * 2 <= s->cap);
    size_t i = home_of(k, s->cap - 1);
    for (;;) {
        if (!s->ents[i].used) {
            s->ents[i].k = k;
            s->ents[i].used = 1;
            s->count++;
            return true;
        }
        if (s->ents[i].k == k)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
}
