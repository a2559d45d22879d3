/* rt_refusal.c - writes an event the arrival rules refused to the reject log, with its reason. */
#include "rt_refusal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

_Static_assert((int)RT_APPLY_AHEAD == (int)RT_REJECT_AHEAD && (int)RT_APPLY_LATE == (int)RT_REJECT_LATE &&
                   (int)RT_APPLY_DUPLICATE == (int)RT_REJECT_DUPLICATE,
               "refusals and reject kinds differ");

/* The unique value of a duplicate as reasons show it: an int in decimal, a string quoted
 * and cut after 64 bytes. */
static void value_text(char *buf, size_t cap, const rt_slot *v, rt_type t)
{
    assert(cap > 0 && !v->null);
    buf[0] = '\0';
    if (t == RT_STRING)
        rt_reject_excerpt(buf, cap, v->v.s, v->len, 64, true);
    else
        snprintf(buf, cap, "%" PRId64, v->v.i);
}

rt_reject_kind rt_refusal_log(rt_reject_log *log, const rt_prog_source *ps, const char *file, uint64_t line,
                              const rt_slot *record, rt_apply_result res, int64_t arrival_us, int64_t wm,
                              char *reason, size_t cap)
{
    assert(res == RT_APPLY_AHEAD || res == RT_APPLY_LATE || res == RT_APPLY_DUPLICATE);
    char own[RT_REFUSAL_REASON];
    if (!reason || cap == 0) {
        reason = own;
        cap = sizeof own;
    }
    int64_t ts = record[ps->time_field].v.i;
    if (res == RT_APPLY_AHEAD) {
        int64_t arrival;
        bool known = rt_engine_arrival_of(ps, record, arrival_us, &arrival);
        assert(known);
        (void)known;
        rt_reject_ahead_reason(reason, cap, ts, arrival, ps->max_ahead_us);
    } else if (res == RT_APPLY_LATE) {
        rt_reject_late_reason(reason, cap, ts, wm, ps->lateness_us);
    } else {
        assert(ps->unique_field >= 0);
        const rt_prog_field *f = &ps->fields[ps->unique_field];
        char value[160];
        value_text(value, sizeof value, &record[ps->unique_field], f->type);
        rt_reject_duplicate_reason(reason, cap, f->name, value, ts);
    }
    rt_reject_kind kind = (rt_reject_kind)res;
    rt_reject_as(log, kind, ps->name, file, line, reason);
    return kind;
}
