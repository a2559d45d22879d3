/* rt_fn_time.c - timestamp operators and functions on epoch microseconds. */
#include "rt_fn.h"
#include "rt_fn_slot.h"

#include <assert.h>

#define US_PER_HOUR (INT64_C(3600) * RT_US_PER_SEC)
#define US_PER_DAY (INT64_C(86400) * RT_US_PER_SEC)

/* floor(a / b) for b > 0, rounding toward minus infinity. */
static int64_t floor_div(int64_t a, int64_t b) {
    assert(b > 0);
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* a - b * floor(a / b) for b > 0: in [0, b). */
static int64_t floor_mod(int64_t a, int64_t b) {
    assert(b > 0);
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

void rt_op_ts_add(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    rt_op_add_int(scratch, out, args);
}

void rt_op_ts_sub(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    rt_op_sub_int(scratch, out, args);
}

void rt_fn_seconds_between(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    int64_t d;
    if (args[0].null || args[1].null || __builtin_sub_overflow(args[1].v.i, args[0].v.i, &d))
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, (double)d / 1e6);
}

void rt_fn_hour_of_day(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, floor_mod(floor_div(args[0].v.i, US_PER_HOUR), 24));
}

void rt_fn_day_of_week(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, floor_mod(floor_div(args[0].v.i, US_PER_DAY) + 3, 7));
}
