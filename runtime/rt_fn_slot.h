/* rt_fn_slot.h - private helpers of rt_fn_*.c for writing result slots. */
#ifndef FEATRT_FN_SLOT_H
#define FEATRT_FN_SLOT_H

#include "rt_types.h"

#include <math.h>
#include <string.h>

/* Each helper writes the whole slot (padding included) so results are deterministic. */
static inline void rt_slot_set_null(rt_slot *out) {
    memset(out, 0, sizeof *out);
    out->null = 1;
}

static inline void rt_slot_set_int(rt_slot *out, int64_t i) {
    memset(out, 0, sizeof *out);
    out->v.i = i;
}

static inline void rt_slot_set_bool(rt_slot *out, bool b) {
    rt_slot_set_int(out, b ? 1 : 0);
}

/* A float result: null unless finite. */
static inline void rt_slot_set_float(rt_slot *out, double f) {
    if (!isfinite(f)) {
        rt_slot_set_null(out);
        return;
    }
    memset(out, 0, sizeof *out);
    out->v.f = f;
}

static inline void rt_slot_set_string(rt_slot *out, const char *s, uint32_t len) {
    memset(out, 0, sizeof *out);
    out->v.s = s;
    out->len = len;
}

#endif
