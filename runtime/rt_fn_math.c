/* rt_fn_math.c - arithmetic operators and numeric built-ins (see rt_fn.h for semantics). */
#include "rt_fn.h"
#include "rt_fn_slot.h"

#include <assert.h>
#include <math.h>

/* ---- int operators ---- */

void rt_op_add_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    int64_t r;
    if (args[0].null || args[1].null || __builtin_add_overflow(args[0].v.i, args[1].v.i, &r))
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, r);
}

void rt_op_sub_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    int64_t r;
    if (args[0].null || args[1].null || __builtin_sub_overflow(args[0].v.i, args[1].v.i, &r))
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, r);
}

void rt_op_mul_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    int64_t r;
    if (args[0].null || args[1].null || __builtin_mul_overflow(args[0].v.i, args[1].v.i, &r))
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, r);
}

void rt_op_neg_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[0].v.i == INT64_MIN)
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, -args[0].v.i);
}

void rt_op_mod_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null || args[1].v.i == 0) {
        rt_slot_set_null(out);
        return;
    }
    int64_t a = args[0].v.i, b = args[1].v.i;
    /* x % -1 is 0 for every x; testing it first keeps INT64_MIN % -1 away from idiv. */
    rt_slot_set_int(out, b == -1 ? 0 : a % b);
}

/* ---- float operators ---- */

void rt_op_add_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, args[0].v.f + args[1].v.f);
}

void rt_op_sub_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, args[0].v.f - args[1].v.f);
}

void rt_op_mul_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, args[0].v.f * args[1].v.f);
}

void rt_op_div_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null || args[1].v.f == 0.0)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, args[0].v.f / args[1].v.f);
}

void rt_op_neg_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, -args[0].v.f);
}

/* ---- coalesce, least, greatest ---- */

void rt_fn_coalesce(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    assert(nargs >= 1);
    for (int64_t i = 0; i < nargs; i++) {
        if (!args[i].null) {
            *out = args[i];
            return;
        }
    }
    rt_slot_set_null(out);
}

/* Index of the argument least/greatest chooses, or -1 when one is null. `less(a, b)` is
 * the strict order; want_greatest flips it. The earliest of equal arguments wins. */
static int64_t pick_index(const rt_slot *args, int64_t nargs, bool want_greatest,
                          bool (*less)(const rt_slot *, const rt_slot *)) {
    assert(nargs >= 1);
    int64_t best = 0;
    for (int64_t i = 0; i < nargs; i++) {
        if (args[i].null)
            return -1;
        if (i > 0 && (want_greatest ? less(&args[best], &args[i]) : less(&args[i], &args[best])))
            best = i;
    }
    return best;
}

static bool less_int(const rt_slot *a, const rt_slot *b) { return a->v.i < b->v.i; }
static bool less_float(const rt_slot *a, const rt_slot *b) { return a->v.f < b->v.f; }
static bool less_string(const rt_slot *a, const rt_slot *b) { return rt_op_compare_string(a, b) < 0; }

/* Copies the chosen argument (or null) to out; out may alias args. */
static void pick(rt_slot *out, const rt_slot *args, int64_t nargs, bool want_greatest,
                 bool (*less)(const rt_slot *, const rt_slot *)) {
    int64_t i = pick_index(args, nargs, want_greatest, less);
    if (i < 0)
        rt_slot_set_null(out);
    else
        *out = args[i];
}

void rt_fn_least_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, false, less_int);
}
void rt_fn_least_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, false, less_float);
}
void rt_fn_least_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, false, less_string);
}
void rt_fn_least_timestamp(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, false, less_int);
}
void rt_fn_least_bool(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, false, less_int);
}
void rt_fn_greatest_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, true, less_int);
}
void rt_fn_greatest_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, true, less_float);
}
void rt_fn_greatest_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, true, less_string);
}
void rt_fn_greatest_timestamp(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, true, less_int);
}
void rt_fn_greatest_bool(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs) {
    pick(out, args, nargs, true, less_int);
}

/* ---- numeric functions ---- */

void rt_fn_abs_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[0].v.i == INT64_MIN)
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, args[0].v.i < 0 ? -args[0].v.i : args[0].v.i);
}

void rt_fn_abs_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, fabs(args[0].v.f));
}

void rt_fn_floor_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, floor(args[0].v.f));
}

void rt_fn_ceil_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, ceil(args[0].v.f));
}

/* 10^n for n = 0..15, each exactly representable as a double. */
static const double pow10_table[16] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
};

void rt_fn_round_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null || args[1].v.i < 0 || args[1].v.i > 15) {
        rt_slot_set_null(out);
        return;
    }
    double x = args[0].v.f;
    double p = pow10_table[args[1].v.i];
    double scaled = fabs(x) * p;
    if (scaled >= 4503599627370496.0) { /* 2^52: already integral after scaling */
        rt_slot_set_float(out, x);
        return;
    }
    double sign = x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
    rt_slot_set_float(out, (sign * floor(scaled + 0.5)) / p);
}

void rt_fn_sqrt(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[0].v.f < 0.0)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, sqrt(args[0].v.f));
}

void rt_fn_ln(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[0].v.f <= 0.0)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, log(args[0].v.f));
}

void rt_fn_exp(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, exp(args[0].v.f));
}

void rt_fn_pow(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, pow(args[0].v.f, args[1].v.f));
}
