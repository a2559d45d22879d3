/* rt_arrival.c - the arrival rules of one event source: ahead, late, duplicate or accepted, event by event. */
#include "rt_arrival.h"

#include <assert.h>
#include <string.h>

/* The remembered pairs are not swept below this many. */
#define SWEEP_MIN 1024

void rt_arrival_init(rt_arrival *a, int64_t lateness_us, int64_t max_ahead_us, bool unique, rt_type unique_type)
{
    assert(lateness_us >= 0);
    assert(max_ahead_us >= -1);
    assert(!unique || unique_type == RT_INT || unique_type == RT_STRING);
    memset(a, 0, sizeof *a);
    a->lateness_us = lateness_us;
    a->max_ahead_us = max_ahead_us;
    a->unique_type = unique_type;
    a->sweep_at = SWEEP_MIN;
    if (unique) {
        rt_type types[2] = {unique_type, RT_TIMESTAMP};
        a->seen = rt_keytab_new(2, types);
    }
}

void rt_arrival_free(rt_arrival *a)
{
    rt_keytab_free(a->seen);
    a->seen = NULL;
}

/* Forgets the pairs whose time is late now: no event at such a time can reach the duplicate
 * rule again, since the watermark never goes back. The live pairs move to a fresh table, so
 * its slots and string arena shrink with them. Next sweep when the table has doubled: each
 * sweep costs at most two table entries per pair inserted since the last one. */
static void sweep(rt_arrival *a)
{
    size_t n = rt_keytab_count(a->seen), live = 0;
    for (size_t i = 0; i < n; i++)
        live += !rt_arrival_is_late(a, rt_keytab_key(a->seen, i)[1].v.i);
    if (live < n) {
        rt_type types[2] = {a->unique_type, RT_TIMESTAMP};
        rt_keytab *fresh = rt_keytab_new(2, types);
        for (size_t i = 0; i < n; i++) {
            const rt_slot *k = rt_keytab_key(a->seen, i);
            bool inserted;
            if (!rt_arrival_is_late(a, k[1].v.i))
                rt_keytab_upsert(fresh, k, &inserted);
        }
        rt_keytab_free(a->seen);
        a->seen = fresh;
    }
    assert(rt_keytab_count(a->seen) == live);
    a->sweep_at = 2 * live > SWEEP_MIN ? 2 * live : SWEEP_MIN;
}

bool rt_arrival_repeat(rt_arrival *a, int64_t time, const rt_slot *unique)
{
    assert(a->seen && !unique->null);
    rt_slot key[2] = {*unique, {.v.i = time}};
    bool inserted;
    rt_keytab_upsert(a->seen, key, &inserted);
    if (!inserted)
        return true;
    if (rt_keytab_count(a->seen) >= a->sweep_at)
        sweep(a);
    return false;
}

bool rt_arrival_watermark(const rt_arrival *a, int64_t *wm)
{
    if (a->has_wm)
        *wm = a->wm;
    return a->has_wm;
}

int64_t rt_arrival_complete_until(const rt_arrival *a)
{
    if (!a->has_wm)
        return INT64_MIN;
    return a->wm < INT64_MIN + a->lateness_us ? INT64_MIN : a->wm - a->lateness_us;
}

size_t rt_arrival_remembered(const rt_arrival *a)
{
    return a->seen ? rt_keytab_count(a->seen) : 0;
}

size_t rt_arrival_bytes(const rt_arrival *a)
{
    return a->seen ? rt_keytab_bytes(a->seen) : 0;
}
