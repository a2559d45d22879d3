/* rt_arrival.h - the arrival rules of one event source: ahead, late, duplicate or accepted, event by event. */
#ifndef FEATRT_ARRIVAL_H
#define FEATRT_ARRIVAL_H

#include "rt_keytab.h"
#include "rt_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the rules decide for one valid event (invalid events never get here). The values
 * of AHEAD, LATE and DUPLICATE are those of rt_reject_kind. */
typedef enum rt_arrival_verdict {
    RT_ARRIVAL_ACCEPTED,
    RT_ARRIVAL_AHEAD,     /* its time is more than max_ahead after its arrival time */
    RT_ARRIVAL_LATE,      /* its time is before the watermark minus the lateness */
    RT_ARRIVAL_DUPLICATE, /* its (unique value, time) pair was accepted before */
} rt_arrival_verdict;
#define RT_ARRIVAL_NVERDICTS 4

/* The rules of one source, or of one ordered part of it (a partition): the events offered,
 * in their arrival order, are decided by the first rule that applies:
 *   ahead      arrival time known, max_ahead set, and time > arrival + max_ahead;
 *   late       a watermark W exists and time < W - lateness;
 *   duplicate  a unique field is declared, the value is not null, and (value, time) equals
 *              the pair of an event accepted earlier (strings byte-wise, ints by value);
 *   accepted   otherwise: W becomes max(W, time).
 * Every comparison is exact over the whole int64 range. Rejected events change nothing but
 * their count. The pairs remembered for the duplicate rule are forgotten once their time is
 * late (an event with that time would be refused as late first), so memory follows the
 * lateness horizon, not the history. Not thread-safe: one writer at a time. */
typedef struct rt_arrival {
    int64_t lateness_us;  /* >= 0 */
    int64_t max_ahead_us; /* >= 0, or -1: no limit */
    int64_t wm;           /* valid when has_wm */
    bool has_wm;
    rt_keytab *seen;      /* (value, time) pairs of accepted events; NULL without a unique field */
    size_t sweep_at;      /* seen is swept of forgettable pairs when it holds this many */
    rt_type unique_type;  /* RT_INT or RT_STRING when seen */
    uint64_t count[RT_ARRIVAL_NVERDICTS];
} rt_arrival;

/* Starts the rules with no events yet. lateness_us >= 0; max_ahead_us >= 0 or -1 (no
 * limit); unique: whether events carry a unique value, then of type unique_type (RT_INT or
 * RT_STRING). Out of memory aborts, as the window state does. */
void rt_arrival_init(rt_arrival *a, int64_t lateness_us, int64_t max_ahead_us, bool unique, rt_type unique_type);
void rt_arrival_free(rt_arrival *a);

/* Whether an event at time would be ahead of its arrival time (not counted). */
static inline bool rt_arrival_is_ahead(const rt_arrival *a, int64_t time, int64_t arrival)
{
    /* time > arrival + max_ahead  <=>  time > arrival and time - arrival > max_ahead;
     * time - arrival fits in uint64. */
    return a->max_ahead_us >= 0 && time > arrival &&
           (uint64_t)time - (uint64_t)arrival > (uint64_t)a->max_ahead_us;
}

/* Whether an event at time would be late now (time < watermark - lateness). */
static inline bool rt_arrival_is_late(const rt_arrival *a, int64_t time)
{
    /* time < wm - lateness  <=>  time < wm and wm - time > lateness; wm - time fits in uint64. */
    return a->has_wm && time < a->wm && (uint64_t)a->wm - (uint64_t)time > (uint64_t)a->lateness_us;
}

/* The duplicate rule for a non-null unique value: true when (unique, time) was remembered,
 * else remembers it and returns false. Out of line: only sources with a unique field call it. */
bool rt_arrival_repeat(rt_arrival *a, int64_t time, const rt_slot *unique);

/* Decides the next event of the source and counts the verdict: its time, its arrival time
 * when has_arrival (otherwise it is never ahead) and its unique value (NULL when the source
 * declares none; a null value is never a duplicate). An accepted event
 * moves the watermark and, with a unique value, is remembered. Inline: the ingest path
 * calls it once per event, and a source with neither arrival time nor unique field pays
 * two tests beyond lateness. */
static inline rt_arrival_verdict rt_arrival_offer(rt_arrival *a, int64_t time, bool has_arrival, int64_t arrival,
                                                  const rt_slot *unique)
{
    rt_arrival_verdict v = RT_ARRIVAL_ACCEPTED;
    if (has_arrival && rt_arrival_is_ahead(a, time, arrival))
        v = RT_ARRIVAL_AHEAD;
    else if (rt_arrival_is_late(a, time))
        v = RT_ARRIVAL_LATE;
    else if (unique && !unique->null && rt_arrival_repeat(a, time, unique))
        v = RT_ARRIVAL_DUPLICATE;
    else if (!a->has_wm || time > a->wm) {
        a->wm = time;
        a->has_wm = true;
    }
    a->count[v]++;
    return v;
}

/* The watermark; false (and *wm untouched) before the first accepted event. */
bool rt_arrival_watermark(const rt_arrival *a, int64_t *wm);

/* The time up to which the source is complete: no event before it can still be accepted.
 * Watermark minus lateness, saturating at INT64_MIN; INT64_MIN before the first event. */
int64_t rt_arrival_complete_until(const rt_arrival *a);

/* Events decided so far with verdict v. */
static inline uint64_t rt_arrival_count(const rt_arrival *a, rt_arrival_verdict v)
{
    return a->count[v];
}

/* The (value, time) pairs remembered for the duplicate rule, and the bytes they hold (0 and
 * 0 without a unique field). */
size_t rt_arrival_remembered(const rt_arrival *a);
size_t rt_arrival_bytes(const rt_arrival *a);

#endif
