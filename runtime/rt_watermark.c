/* rt_watermark.c - the lateness rule of one event source, shared by replay and backfill. */
#include "rt_watermark.h"

#include <assert.h>

void rt_watermark_init(rt_watermark *w, int64_t lateness_us)
{
    assert(lateness_us >= 0);
    w->lateness_us = lateness_us;
    w->wm = 0;
    w->has_wm = false;
    w->accepted = 0;
    w->late = 0;
}

bool rt_watermark_get(const rt_watermark *w, int64_t *wm)
{
    if (w->has_wm)
        *wm = w->wm;
    return w->has_wm;
}

int64_t rt_watermark_complete_until(const rt_watermark *w)
{
    if (!w->has_wm)
        return INT64_MIN;
    return w->wm < INT64_MIN + w->lateness_us ? INT64_MIN : w->wm - w->lateness_us;
}
