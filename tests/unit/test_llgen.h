/* test_llgen.h - hand-built plans for the LLVM back end's tests: expression builders, JIT harness. */
#ifndef TEST_LLGEN_H
#define TEST_LLGEN_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "arena.h"
#include "llvm/llgen.h"
#include "plan.h"
#include "rt_abi.h"
#include "rt_scratch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- expression builders (nodes live in the arena) ---- */

static inline plan_expr *tx_node(arena *a, plan_expr_kind k, ftype t)
{
    plan_expr *e = arena_alloc(a, sizeof *e);
    e->kind = k;
    e->type = t;
    return e;
}

static inline plan_expr *tx_args(arena *a, plan_expr *e, int n, va_list ap)
{
    e->nargs = n;
    e->args = arena_alloc(a, sizeof *e->args * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        e->args[i] = va_arg(ap, plan_expr *);
    return e;
}

static inline plan_expr *tx_int(arena *a, int64_t x)
{
    plan_expr *e = tx_node(a, PX_CONST, FT_INT);
    e->value.type = FT_INT;
    e->value.i = x;
    return e;
}

static inline plan_expr *tx_ts(arena *a, int64_t x)
{
    plan_expr *e = tx_node(a, PX_CONST, FT_TIMESTAMP);
    e->value.type = FT_TIMESTAMP;
    e->value.i = x;
    return e;
}

static inline plan_expr *tx_dur(arena *a, int64_t us)
{
    plan_expr *e = tx_node(a, PX_CONST, FT_DURATION);
    e->value.type = FT_DURATION;
    e->value.i = us;
    return e;
}

static inline plan_expr *tx_flt(arena *a, double x)
{
    plan_expr *e = tx_node(a, PX_CONST, FT_FLOAT);
    e->value.type = FT_FLOAT;
    e->value.f = x;
    return e;
}

static inline plan_expr *tx_bool(arena *a, bool b)
{
    plan_expr *e = tx_node(a, PX_CONST, FT_BOOL);
    e->value.type = FT_BOOL;
    e->value.b = b;
    return e;
}

static inline plan_expr *tx_str(arena *a, const char *s)
{
    plan_expr *e = tx_node(a, PX_CONST, FT_STRING);
    e->value.type = FT_STRING;
    e->value.s = arena_strdup(a, s);
    e->value.s_len = strlen(s);
    return e;
}

/* A null constant typed t (FT_NULL: the untyped null). */
static inline plan_expr *tx_null(arena *a, ftype t)
{
    plan_expr *e = tx_node(a, PX_CONST, t);
    e->value.type = t;
    e->value.is_null = true;
    return e;
}

static inline plan_expr *tx_leaf(arena *a, plan_expr_kind k, ftype t, int index)
{
    plan_expr *e = tx_node(a, k, t);
    e->index = index;
    return e;
}

static inline plan_expr *tx_op(arena *a, plan_expr_kind k, ftype t, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    plan_expr *e = tx_args(a, tx_node(a, k, t), n, ap);
    va_end(ap);
    return e;
}

static inline plan_expr *tx_arith(arena *a, plan_arith op, ftype operand, plan_expr *x, plan_expr *y)
{
    plan_expr *e = tx_op(a, PX_ARITH, op == PA_DIV ? FT_FLOAT : operand, 2, x, y);
    e->arith = op;
    e->operand_type = operand;
    return e;
}

static inline plan_expr *tx_cmp(arena *a, plan_cmp cmp, ftype operand, plan_expr *x, plan_expr *y)
{
    plan_expr *e = tx_op(a, PX_COMPARE, FT_BOOL, 2, x, y);
    e->cmp = cmp;
    e->operand_type = operand;
    return e;
}

static inline plan_expr *tx_in(arena *a, bool negated, ftype operand, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    plan_expr *e = tx_args(a, tx_node(a, PX_IN, FT_BOOL), n, ap);
    va_end(ap);
    e->negated = negated;
    e->operand_type = operand;
    return e;
}

static inline plan_expr *tx_case(arena *a, ftype t, bool has_else, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    plan_expr *e = tx_args(a, tx_node(a, PX_CASE, t), n, ap);
    va_end(ap);
    e->has_else = has_else;
    return e;
}

static inline plan_expr *tx_call(arena *a, plan_fn fn, ftype t, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    plan_expr *e = tx_args(a, tx_node(a, PX_CALL, t), n, ap);
    va_end(ap);
    e->fn = fn;
    return e;
}

static inline plan_expr *tx_float_of(arena *a, plan_expr *x) { return tx_op(a, PX_TO_FLOAT, FT_FLOAT, 1, x); }

/* ---- slots ---- */

static inline rt_slot sl_int(int64_t x) { return (rt_slot){.v.i = x}; }
static inline rt_slot sl_flt(double x) { return (rt_slot){.v.f = x}; }
static inline rt_slot sl_bool(bool b) { return (rt_slot){.v.i = b}; }
static inline rt_slot sl_str(const char *s) { return (rt_slot){.v.s = s, .len = (uint32_t)strlen(s)}; }
static inline rt_slot sl_null(void) { return (rt_slot){.v.i = 0x5a5a5a5a, .len = 7, .null = 1}; }

#define assert_slot_null(sl) assert_int_equal((sl).null, 1)
#define assert_int_slot(sl, x)                                                                                   \
    do {                                                                                                         \
        assert_int_equal((sl).null, 0);                                                                          \
        assert_int_equal((sl).v.i, (x));                                                                         \
    } while (0)
#define assert_bool_slot(sl, b) assert_int_slot(sl, (b) ? 1 : 0)
#define assert_flt_slot(sl, x)                                                                                   \
    do {                                                                                                         \
        assert_int_equal((sl).null, 0);                                                                          \
        double got_ = (sl).v.f, want_ = (x);                                                                     \
        assert_memory_equal(&got_, &want_, sizeof got_);                                                         \
    } while (0)
#define assert_str_slot(sl, want)                                                                                \
    do {                                                                                                         \
        const char *w_ = (want);                                                                                 \
        assert_int_equal((sl).null, 0);                                                                          \
        assert_int_equal((sl).len, strlen(w_));                                                                  \
        if (strlen(w_))                                                                                          \
            assert_memory_equal((sl).v.s, w_, strlen(w_));                                                       \
    } while (0)

/* ---- an on_demand harness: one request source, one block of expressions under test ---- */

enum { TH_MAX = 64 };

typedef struct th {
    arena a;
    plan p;
    plan_source src[2];     /* 0: the request source */
    plan_field fields[TH_MAX];
    plan_on_demand blk;
    plan_od_feature feats[TH_MAX];
    llgen_unit *u;
    const rt_fn_table *t;
    rt_scratch scratch;
    rt_slot out[TH_MAX];
} th;

/* Starts a plan whose request source has nfields fields of the given types. */
static inline void th_init(th *h, int nfields, const ftype *types)
{
    memset(h, 0, sizeof *h);
    arena_init(&h->a);
    rt_scratch_init(&h->scratch);
    for (int i = 0; i < nfields; i++) {
        h->fields[i].name = arena_printf(&h->a, "f%d", i);
        h->fields[i].type = types[i];
    }
    h->src[0] = (plan_source){.name = "req", .kind = PS_REQUEST, .nfields = nfields, .fields = h->fields,
                              .time_field = -1, .seq_field = -1};
    h->blk = (plan_on_demand){.name = "blk", .request_source = 0, .features = h->feats};
    h->p = (plan){.nsources = 1, .sources = h->src, .nblocks = 1, .blocks = &h->blk};
}

/* Adds an expression as the next feature of the block; returns its index. */
static inline int th_add(th *h, plan_expr *e)
{
    assert_true(h->blk.nfeatures < TH_MAX);
    int i = h->blk.nfeatures++;
    h->feats[i] = (plan_od_feature){.name = arena_printf(&h->a, "x%d", i), .type = e->type, .value = e};
    return i;
}

/* Compiles and JITs the plan; fails the test on any error. */
static inline void th_build(th *h)
{
    char err[1024] = "";
    h->u = llgen_compile(&h->p, NULL, 0, false, err, sizeof err);
    if (!h->u)
        fail_msg("llgen_compile: %s", err);
    h->t = llgen_jit(h->u, err, sizeof err);
    if (!h->t)
        fail_msg("llgen_jit: %s", err);
}

/* Runs the block on the request fields req at time now; results in h->out. */
static inline void th_run(th *h, const rt_slot *req, int64_t now)
{
    for (int i = 0; i < TH_MAX; i++)
        h->out[i] = (rt_slot){.v.i = 0x7777, .len = 99, .null = 7};
    rt_scratch_reset(&h->scratch);
    h->t->od[0](&h->scratch, req, NULL, NULL, now, h->out);
}

static inline void th_free(th *h)
{
    llgen_free(h->u);
    rt_scratch_free(&h->scratch);
    arena_free(&h->a);
}

#endif
