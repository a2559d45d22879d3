/* rt_watermark.h - the lateness rule of one event source, shared by replay and backfill. */
#ifndef FEATRT_WATERMARK_H
#define FEATRT_WATERMARK_H

#include <stdbool.h>
#include <stdint.h>

/* Per source, in the order the source delivers its valid events (file order for a file):
 * the watermark is the largest event time accepted so far; an event is late iff its time is
 * before the watermark minus the source's lateness. A late event is not applied and does not
 * move the watermark. Before the first accepted event nothing is late.
 * Both paths decide lateness only through rt_watermark_offer, so they agree on which events
 * exist. Invalid events (bad syntax, type, not null, expect) are never offered. */
typedef struct rt_watermark {
    int64_t lateness_us; /* >= 0 */
    int64_t wm;          /* valid when has_wm */
    bool has_wm;
    uint64_t accepted;
    uint64_t late;
} rt_watermark;

/* Starts a source with no events yet. lateness_us must be >= 0. */
void rt_watermark_init(rt_watermark *w, int64_t lateness_us);

/* Whether an event at ts would be late now (ts < watermark - lateness, computed without
 * overflow). Does not change w. Inline: the engine asks once per event. */
static inline bool rt_watermark_is_late(const rt_watermark *w, int64_t ts)
{
    /* ts < wm - lateness  <=>  ts < wm and wm - ts > lateness; wm - ts fits in uint64. */
    return w->has_wm && ts < w->wm && (uint64_t)w->wm - (uint64_t)ts > (uint64_t)w->lateness_us;
}

/* Offers the next valid event of the source. Returns true when it is accepted (the
 * watermark advances to ts if ts is larger; counted in accepted), false when it is late
 * (counted in late; w otherwise unchanged). */
static inline bool rt_watermark_offer(rt_watermark *w, int64_t ts)
{
    if (rt_watermark_is_late(w, ts)) {
        w->late++;
        return false;
    }
    if (!w->has_wm || ts > w->wm)
        w->wm = ts;
    w->has_wm = true;
    w->accepted++;
    return true;
}

/* The watermark; false (and *wm untouched) before the first accepted event. */
bool rt_watermark_get(const rt_watermark *w, int64_t *wm);

/* The time up to which the source is complete: no event before it can still be accepted.
 * Watermark minus lateness, saturating at INT64_MIN; INT64_MIN before the first event. */
int64_t rt_watermark_complete_until(const rt_watermark *w);

#endif
