/* fuzz_generic_fns.c - generated functions for any program of a few views and blocks (the manifest target's engine runs). */
#include "fuzz_generic_fns.h"

#include "fuzz_check.h"

#include <stdlib.h>

static const rt_program *prog; /* the program the functions serve */

rt_slot fuzz_generic_value(rt_type t)
{
    if (t == RT_STRING)
        return (rt_slot){.v.s = "k", .len = 1};
    return (rt_slot){.v.i = 0};
}

static int32_t generic_row(int v, const rt_slot *rec, rt_slot *keys, rt_slot *in)
{
    const rt_prog_view *pv = &prog->views[v];
    const rt_prog_source *src = &prog->sources[pv->source];
    for (int k = 0; k < pv->nkeys; k++) {
        keys[k] = rec[pv->key_columns[k]];
        if (keys[k].null)
            return 0;
    }
    for (int f = 0; f < pv->nfeatures; f++) {
        const rt_prog_feature *ft = &pv->features[f];
        in[f] = (rt_slot){.null = 1};
        if (!ft->has_input) {
            in[f] = (rt_slot){.v.i = 1};
            continue;
        }
        for (int j = 0; j < src->nfields; j++)
            if (src->fields[j].type == ft->in_type) {
                in[f] = rec[j];
                break;
            }
    }
    return 1;
}

static void generic_od(int b, const rt_slot *req, int64_t now, rt_slot *out)
{
    (void)req;
    const rt_prog_block *pb = &prog->blocks[b];
    for (int f = 0; f < pb->nfeatures; f++) {
        rt_type t = pb->features[f].type;
        out[f] = t == RT_STRING     ? (rt_slot){.v.s = "od", .len = 2}
                 : t == RT_FLOAT    ? (rt_slot){.v.f = 0.5}
                 : t == RT_TIMESTAMP ? (rt_slot){.v.i = now}
                                     : (rt_slot){.v.i = 1};
    }
}

static int32_t pass(const rt_slot *rec)
{
    (void)rec;
    return -1;
}

#define ROW(i) \
    static int32_t row_##i(rt_scratch *s, const rt_slot *r, rt_slot *k, rt_slot *in) \
    { \
        (void)s; \
        return generic_row(i, r, k, in); \
    }
#define OD(i) \
    static void od_##i(rt_scratch *s, const rt_slot *req, const rt_slot *const *v, const rt_slot *const *b, \
                       int64_t now, rt_slot *out) \
    { \
        (void)s, (void)v, (void)b; \
        generic_od(i, req, now, out); \
    }
ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7)
OD(0) OD(1) OD(2) OD(3) OD(4) OD(5) OD(6) OD(7)

static const rt_row_fn rows[FUZZ_GENERIC_MAX] = {row_0, row_1, row_2, row_3, row_4, row_5, row_6, row_7};
static const rt_od_fn ods[FUZZ_GENERIC_MAX] = {od_0, od_1, od_2, od_3, od_4, od_5, od_6, od_7};

bool fuzz_generic_fns(const rt_program *p, rt_fn_table *out)
{
    static rt_expect_fn *expects;
    if (p->nviews > FUZZ_GENERIC_MAX || p->nblocks > FUZZ_GENERIC_MAX)
        return false;
    free(expects);
    expects = malloc(sizeof *expects * ((size_t)p->nsources + 1));
    FUZZ_CHECK(expects != NULL, "out of memory");
    for (int i = 0; i < p->nsources; i++)
        expects[i] = pass;
    prog = p;
    *out = (rt_fn_table){p->nsources, expects, p->nviews, rows, p->nblocks, ods};
    return true;
}
