/* fuzz_program.c - a hand-written program (manifest and generated functions) for the spine and HTTP targets. */
#include "fuzz_program.h"

#include "fuzz_check.h"
#include "rt_scratch.h"

#include <math.h>
#include <string.h>

const char fuzz_program_manifest[] =
    "featc-manifest 1\n"
    "source \"ev\" stream 9 4 5 10000000 1 6 3600000000 7\n"
    "field \"user\" string notnull\n"
    "field \"n\" int null\n"
    "field \"amount\" float null\n"
    "field \"ok\" bool null\n"
    "field \"ts\" timestamp notnull\n"
    "field \"seq\" int null\n"
    "field \"arrived\" timestamp notnull\n"
    "field \"id\" string null\n"
    "field \"w\\xc3\\xa9\\\"ird\" string null\n"
    "expect \"amount\\x0a    >= 0\"\n"
    "source \"tab\" table 3 2 -1 0 0 -1 -1 -1\n"
    "field \"user\" string notnull\n"
    "field \"tier\" string null\n"
    "field \"t\" timestamp notnull\n"
    "source \"req\" request 6 -1 -1 0 0 -1 -1 -1\n"
    "field \"user\" string notnull\n"
    "field \"x\" float null\n"
    "field \"flag\" bool null\n"
    "field \"when\" timestamp null\n"
    "field \"k\" int null\n"
    "field \"at\" string null\n"
    "view \"v\" 0 1 14\n"
    "key string 0\n"
    "feature \"cnt\" count_rows - int sliding 3600000000 0 0 -\n"
    "feature \"total\" sum float float lifetime 0 0 0 0x0p+0\n"
    "feature \"avg_amt\" avg float float hop 3600000000 900000000 0 -\n"
    "feature \"mn\" min int int lifetime 0 0 0 -\n"
    "feature \"first_id\" first string string lifetime 0 0 86400000000 \"none\"\n"
    "feature \"last_ts\" last timestamp timestamp lifetime 0 0 0 -\n"
    "feature \"distinct\" count_distinct string int sliding 86400000000 0 0 0\n"
    "feature \"var\" variance float float sliding 3600000000 0 0 -\n"
    "feature \"sd\" stddev int float lifetime 0 0 0 -\n"
    "feature \"cnt_n\" count int int lifetime 0 0 0 -\n"
    "feature \"mx\" max timestamp timestamp lifetime 0 0 0 -\n"
    "feature \"last_ok\" last bool bool lifetime 0 0 0 false\n"
    "feature \"mx_s\" max string string lifetime 0 0 0 -\n"
    "feature \"last_n\" last int int lifetime 0 0 3600000000 -\n"
    "view \"w\" 0 2 2\n"
    "key string 0\n"
    "key int 1\n"
    "feature \"c\" count_rows - int lifetime 0 0 0 -\n"
    "feature \"sum_n\" sum int int hop 60000000 30000000 0 -\n"
    "view \"t\" 1 1 1\n"
    "key string 0\n"
    "feature \"tier\" last string string lifetime 0 0 0 -\n"
    "block \"od\" 2 1 0 5\n"
    "reads-view 0\n"
    "odfeature \"ratio\" float\n"
    "odfeature \"label\" string\n"
    "odfeature \"flag\" bool\n"
    "odfeature \"when\" timestamp\n"
    "odfeature \"k\" int\n"
    "block \"od2\" -1 1 1 1\n"
    "reads-view 1\n"
    "reads-block 0\n"
    "odfeature \"twice\" float\n"
    "service \"s\" 2 2 3 2 23\n"
    "skey \"user\" string 0\n"
    "skey \"n\" int -1\n"
    "sview 0 0\n"
    "sview 1 0 1\n"
    "sview 2 0\n"
    "sblock 0\n"
    "sblock 1\n"
    "output \"v__cnt\" int view 0 0\n"
    "output \"v__total\" float view 0 1\n"
    "output \"v__avg_amt\" float view 0 2\n"
    "output \"v__mn\" int view 0 3\n"
    "output \"v__first_id\" string view 0 4\n"
    "output \"v__last_ts\" timestamp view 0 5\n"
    "output \"v__distinct\" int view 0 6\n"
    "output \"v__var\" float view 0 7\n"
    "output \"v__sd\" float view 0 8\n"
    "output \"v__cnt_n\" int view 0 9\n"
    "output \"v__mx\" timestamp view 0 10\n"
    "output \"v__last_ok\" bool view 0 11\n"
    "output \"v__mx_s\" string view 0 12\n"
    "output \"v__last_n\" int view 0 13\n"
    "output \"w__c\" int view 1 0\n"
    "output \"w__sum_n\" int view 1 1\n"
    "output \"t__tier\" string view 2 0\n"
    "output \"od__ratio\" float block 0 0\n"
    "output \"od__label\" string block 0 1\n"
    "output \"od__flag\" bool block 0 2\n"
    "output \"od__when\" timestamp block 0 3\n"
    "output \"od__k\" int block 0 4\n"
    "output \"od2__twice\" float block 1 0\n"
    "service \"plain\" -1 1 1 0 1\n"
    "skey \"user\" string -1\n"
    "sview 0 0\n"
    "output \"v__cnt\" int view 0 0\n"
    "end\n";

enum { EV_USER, EV_N, EV_AMOUNT, EV_OK, EV_TS, EV_SEQ, EV_ARRIVED, EV_ID, EV_ODD };
enum { REQ_USER, REQ_X, REQ_FLAG, REQ_WHEN, REQ_K, REQ_AT };

static const rt_slot null_slot = {.null = 1};

/* A float result as generated code gives it: null when not finite. */
static rt_slot float_result(double x)
{
    return isfinite(x) ? (rt_slot){.v.f = x} : null_slot;
}

static int32_t expect_ev(const rt_slot *r)
{
    return !r[EV_AMOUNT].null && !(r[EV_AMOUNT].v.f >= 0) ? 0 : -1;
}

/* View v: every feature reads the field of its input type. */
static int32_t row_v(rt_scratch *scratch, const rt_slot *r, rt_slot *keys, rt_slot *in)
{
    (void)scratch;
    if (r[EV_USER].null)
        return 0;
    keys[0] = r[EV_USER];
    const rt_slot one = {.v.i = 1};
    const rt_slot ins[14] = {one,         r[EV_AMOUNT], r[EV_AMOUNT], r[EV_N],     r[EV_ID],
                             r[EV_TS],    r[EV_ID],     r[EV_AMOUNT], r[EV_N],     r[EV_N],
                             r[EV_ARRIVED], r[EV_OK],   r[EV_ODD],    r[EV_N]};
    memcpy(in, ins, sizeof ins);
    return 1;
}

/* View w: events where ok is true, by (user, n). */
static int32_t row_w(rt_scratch *scratch, const rt_slot *r, rt_slot *keys, rt_slot *in)
{
    (void)scratch;
    if (r[EV_OK].null || !r[EV_OK].v.i || r[EV_USER].null || r[EV_N].null)
        return 0;
    keys[0] = r[EV_USER];
    keys[1] = r[EV_N];
    in[0] = (rt_slot){.v.i = 1};
    in[1] = r[EV_N];
    return 1;
}

static int32_t row_t(rt_scratch *scratch, const rt_slot *r, rt_slot *keys, rt_slot *in)
{
    (void)scratch;
    if (r[0].null)
        return 0;
    keys[0] = r[0];
    in[0] = r[1];
    return 1;
}

/* Block od: ratio = x / v.total, label = "u:" user, flag, when (or now), k. */
static void od(rt_scratch *scratch, const rt_slot *req, const rt_slot *const *views, const rt_slot *const *blocks,
               int64_t now, rt_slot *out)
{
    (void)blocks;
    const rt_slot *x = &req[REQ_X], *total = &views[0][1];
    out[0] = x->null || total->null || total->v.f == 0 ? null_slot : float_result(x->v.f / total->v.f);
    out[1] = null_slot;
    if (!req[REQ_USER].null) {
        char *s = rt_scratch_alloc(scratch, (size_t)req[REQ_USER].len + 2);
        memcpy(s, "u:", 2);
        if (req[REQ_USER].len)
            memcpy(s + 2, req[REQ_USER].v.s, req[REQ_USER].len);
        out[1] = (rt_slot){.v.s = s, .len = req[REQ_USER].len + 2};
    }
    out[2] = req[REQ_FLAG];
    out[3] = req[REQ_WHEN].null ? (rt_slot){.v.i = now} : req[REQ_WHEN];
    out[4] = req[REQ_K];
}

/* Block od2: twice = 2 * od.ratio when w.c > 0. */
static void od2(rt_scratch *scratch, const rt_slot *req, const rt_slot *const *views, const rt_slot *const *blocks,
                int64_t now, rt_slot *out)
{
    (void)scratch, (void)req, (void)now;
    const rt_slot *ratio = &blocks[0][0], *c = &views[1][0];
    out[0] = ratio->null || c->null || c->v.i <= 0 ? null_slot : float_result(2 * ratio->v.f);
}

static const rt_expect_fn expects[] = {expect_ev, NULL, NULL};
static const rt_row_fn rows[] = {row_v, row_w, row_t};
static const rt_od_fn ods[] = {od, od2};
const rt_fn_table fuzz_program_fns = {3, expects, 3, rows, 2, ods};

const rt_program *fuzz_program(void)
{
    static rt_program *p;
    if (!p) {
        char err[256];
        p = rt_program_parse(fuzz_program_manifest, strlen(fuzz_program_manifest), err, sizeof err);
        FUZZ_CHECK(p != NULL, "the fuzz program does not parse: %s", err);
        FUZZ_CHECK(rt_program_check_fns(p, &fuzz_program_fns, err, sizeof err), "%s", err);
    }
    return p;
}
