/* llgen_expr.c - plan expressions to LLVM IR: each node as (payload, is_null) in SSA. */
#include "llgen_int.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

LLVMValueRef llgen_is_true(llgen_ctx *c, llgen_val v)
{
    v = llgen_val_as(c, v, FT_BOOL);
    return LLVMBuildAnd(c->b, LLVMBuildNot(c->b, v.null, ""), v.v, "istrue");
}

static LLVMValueRef or2(llgen_ctx *c, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildOr(c->b, a, b, ""); }

/* A value of type t with the given payload and null flag. */
static llgen_val mk(ftype t, LLVMValueRef v, LLVMValueRef null)
{
    llgen_val r = {t, v, NULL, null};
    return r;
}

/* The operand i of e, evaluated and given type t. */
static llgen_val operand(llgen_ctx *c, const plan_expr *e, int i, ftype t)
{
    return llgen_val_as(c, llgen_expr(c, e->args[i]), t);
}

/* The plan's name of a node kind, for messages. */
static const char *kind_name(plan_expr_kind k)
{
    static const char *const names[] = {
        [PX_CONST] = "constant", [PX_COLUMN] = "column",   [PX_REQUEST] = "request field",
        [PX_FEATURE] = "feature", [PX_OD_FEATURE] = "on_demand feature", [PX_NOW] = "now()",
        [PX_TO_FLOAT] = "to-float", [PX_NEG] = "unary -", [PX_NOT] = "not",
        [PX_AND] = "and",        [PX_OR] = "or",           [PX_ARITH] = "arithmetic",
        [PX_TS_ADD] = "timestamp +", [PX_TS_SUB] = "timestamp -", [PX_CONCAT] = "||",
        [PX_COMPARE] = "comparison", [PX_IS_NULL] = "is null", [PX_IN] = "in",
        [PX_CASE] = "case",      [PX_CALL] = "call",
    };
    return (unsigned)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "unknown";
}

static bool check_arity(llgen_ctx *c, const plan_expr *e, int n)
{
    if (e->nargs == n && e->args)
        return true;
    llgen_fail(c, "%s: '%s' node with %d operands, expected %d", c->what, kind_name(e->kind), e->nargs, n);
    return false;
}

/* a OP b on i64 through llvm.s{add,sub,mul}.with.overflow; null on overflow. */
static llgen_val int_overflow_op(llgen_ctx *c, const char *intrinsic, ftype t, llgen_val a, llgen_val b)
{
    LLVMValueRef args[2] = {a.v, b.v};
    LLVMValueRef r = llgen_intrinsic(c, intrinsic, c->t_i64, args, 2);
    LLVMValueRef v = LLVMBuildExtractValue(c->b, r, 0, "");
    LLVMValueRef ovf = LLVMBuildExtractValue(c->b, r, 1, "ovf");
    return mk(t, v, or2(c, or2(c, a.null, b.null), ovf));
}

/* Three-valued and/or. `and`: false wins, then null; `or`: true wins, then null. */
static llgen_val logic(llgen_ctx *c, const plan_expr *e, bool is_and)
{
    if (!check_arity(c, e, 2))
        return llgen_null_val(c, FT_BOOL);
    llgen_val a = operand(c, e, 0, FT_BOOL), b = operand(c, e, 1, FT_BOOL);
    LLVMValueRef decided_a, decided_b; /* a (resp. b) alone decides the result */
    if (is_and) {
        decided_a = LLVMBuildAnd(c->b, LLVMBuildNot(c->b, a.null, ""), LLVMBuildNot(c->b, a.v, ""), "");
        decided_b = LLVMBuildAnd(c->b, LLVMBuildNot(c->b, b.null, ""), LLVMBuildNot(c->b, b.v, ""), "");
    } else {
        decided_a = llgen_is_true(c, a);
        decided_b = llgen_is_true(c, b);
    }
    LLVMValueRef decided = or2(c, decided_a, decided_b);
    LLVMValueRef null = LLVMBuildAnd(c->b, LLVMBuildNot(c->b, decided, ""), or2(c, a.null, b.null), "");
    /* Not null and not decided means both are true (and) or both false (or). */
    LLVMValueRef v = is_and ? LLVMBuildNot(c->b, decided, "") : decided;
    return mk(FT_BOOL, v, null);
}

static llgen_val arith(llgen_ctx *c, const plan_expr *e)
{
    ftype t = e->operand_type;
    if (!check_arity(c, e, 2))
        return llgen_null_val(c, e->type);
    llgen_val a = operand(c, e, 0, t), b = operand(c, e, 1, t);
    LLVMValueRef null = or2(c, a.null, b.null);
    if (t == FT_NULL) /* both operands are the untyped null */
        return llgen_null_val(c, e->type);
    if (t == FT_INT) {
        switch (e->arith) {
        case PA_ADD:
            return int_overflow_op(c, "llvm.sadd.with.overflow", FT_INT, a, b);
        case PA_SUB:
            return int_overflow_op(c, "llvm.ssub.with.overflow", FT_INT, a, b);
        case PA_MUL:
            return int_overflow_op(c, "llvm.smul.with.overflow", FT_INT, a, b);
        case PA_MOD: {
            /* x % 0 is null; INT64_MIN % -1 is 0. Both divide by 1 instead, so the srem never
             * traps: x % 1 is 0. */
            LLVMValueRef zero = LLVMBuildICmp(c->b, LLVMIntEQ, b.v, llgen_i64(c, 0), "");
            LLVMValueRef m1 = LLVMBuildICmp(c->b, LLVMIntEQ, b.v, llgen_i64(c, -1), "");
            LLVMValueRef safe = LLVMBuildSelect(c->b, or2(c, zero, m1), llgen_i64(c, 1), b.v, "");
            LLVMValueRef r = LLVMBuildSRem(c->b, a.v, safe, "");
            return mk(FT_INT, r, or2(c, null, zero));
        }
        case PA_DIV:
            break;
        }
    } else if (t == FT_FLOAT) {
        LLVMValueRef r = NULL;
        switch (e->arith) {
        case PA_ADD:
            r = LLVMBuildFAdd(c->b, a.v, b.v, "");
            break;
        case PA_SUB:
            r = LLVMBuildFSub(c->b, a.v, b.v, "");
            break;
        case PA_MUL:
            r = LLVMBuildFMul(c->b, a.v, b.v, "");
            break;
        case PA_DIV:
            r = LLVMBuildFDiv(c->b, a.v, b.v, "");
            null = or2(c, null, LLVMBuildFCmp(c->b, LLVMRealOEQ, b.v, LLVMConstReal(c->t_f64, 0.0), ""));
            break;
        case PA_MOD:
            break;
        }
        if (r)
            return mk(FT_FLOAT, r, or2(c, null, LLVMBuildNot(c->b, llgen_is_finite(c, r), "")));
    }
    llgen_fail(c, "%s: arithmetic operator %d on %s operands", c->what, (int)e->arith, ftype_name(t));
    return llgen_null_val(c, e->type);
}

/* The i1 `a CMP b` of two non-null values of type t (null operands give a meaningless but
 * defined answer). */
static LLVMValueRef compare(llgen_ctx *c, plan_cmp cmp, ftype t, llgen_val a, llgen_val b)
{
    static const LLVMIntPredicate sp[] = {LLVMIntEQ, LLVMIntNE, LLVMIntSLT, LLVMIntSLE, LLVMIntSGT, LLVMIntSGE};
    static const LLVMIntPredicate up[] = {LLVMIntEQ, LLVMIntNE, LLVMIntULT, LLVMIntULE, LLVMIntUGT, LLVMIntUGE};
    static const LLVMRealPredicate fp[] = {LLVMRealOEQ, LLVMRealONE, LLVMRealOLT,
                                           LLVMRealOLE, LLVMRealOGT, LLVMRealOGE};
    assert((unsigned)cmp <= PC_GE);
    switch (t) {
    case FT_BOOL: /* false < true */
        return LLVMBuildICmp(c->b, up[cmp], a.v, b.v, "");
    case FT_INT:
    case FT_TIMESTAMP:
    case FT_DURATION:
        return LLVMBuildICmp(c->b, sp[cmp], a.v, b.v, "");
    case FT_FLOAT:
        return LLVMBuildFCmp(c->b, fp[cmp], a.v, b.v, "");
    case FT_STRING:
        return LLVMBuildICmp(c->b, sp[cmp], llgen_compare_strings(c, a, b), llgen_i32(c, 0), "");
    case FT_NULL: /* untyped nulls on both sides: the result is null anyway */
        return llgen_i1(c, false);
    default:
        llgen_fail(c, "%s: comparison of %s operands", c->what, ftype_name(t));
        return llgen_i1(c, false);
    }
}

/* `x [not] in (items)`: true on a match; else null when x or an item is null; else false. */
static llgen_val in_list(llgen_ctx *c, const plan_expr *e)
{
    ftype t = e->operand_type;
    if (e->nargs < 1 || !e->args) {
        llgen_fail(c, "%s: `in` without operands", c->what);
        return llgen_null_val(c, FT_BOOL);
    }
    llgen_val x = operand(c, e, 0, t);
    LLVMValueRef match = llgen_i1(c, false), anynull = x.null;
    for (int i = 1; i < e->nargs; i++) {
        llgen_val item = operand(c, e, i, t);
        LLVMValueRef eq = compare(c, PC_EQ, t, x, item);
        LLVMValueRef known = LLVMBuildNot(c->b, or2(c, x.null, item.null), "");
        match = or2(c, match, LLVMBuildAnd(c->b, eq, known, ""));
        anynull = or2(c, anynull, item.null);
    }
    LLVMValueRef null = LLVMBuildAnd(c->b, LLVMBuildNot(c->b, match, ""), anynull, "");
    return mk(FT_BOOL, e->negated ? LLVMBuildNot(c->b, match, "") : match, null);
}

/* `case when c0 then v0 ... [else d] end` with branches: a when is taken only when true;
 * the results meet in a phi. */
static llgen_val case_expr(llgen_ctx *c, const plan_expr *e)
{
    ftype t = e->type;
    int npairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    if (npairs < 1 || npairs * 2 + (e->has_else ? 1 : 0) != e->nargs || !e->args) {
        llgen_fail(c, "%s: malformed case with %d operands", c->what, e->nargs);
        return llgen_null_val(c, t);
    }
    int nin = npairs + 1;
    LLVMValueRef *vals = calloc((size_t)nin * 3, sizeof *vals);
    LLVMBasicBlockRef *from = calloc((size_t)nin, sizeof *from);
    if (!vals || !from) {
        free(vals);
        free(from);
        llgen_fail(c, "out of memory");
        return llgen_null_val(c, t);
    }
    LLVMValueRef *lens = vals + nin, *nulls = vals + 2 * nin;
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->cx, c->fn, "case.end");
    for (int i = 0; i <= npairs; i++) {
        llgen_val r;
        if (i < npairs) {
            LLVMValueRef take = llgen_is_true(c, llgen_expr(c, e->args[2 * i]));
            LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(c->cx, c->fn, "case.then");
            LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(c->cx, c->fn, "case.next");
            LLVMBuildCondBr(c->b, take, then, next);
            LLVMPositionBuilderAtEnd(c->b, then);
            r = operand(c, e, 2 * i + 1, t);
            from[i] = LLVMGetInsertBlock(c->b);
            LLVMBuildBr(c->b, done);
            LLVMPositionBuilderAtEnd(c->b, next);
        } else {
            r = e->has_else ? operand(c, e, e->nargs - 1, t) : llgen_null_val(c, t);
            from[i] = LLVMGetInsertBlock(c->b);
            LLVMBuildBr(c->b, done);
        }
        vals[i] = r.v;
        lens[i] = r.len;
        nulls[i] = r.null;
    }
    LLVMPositionBuilderAtEnd(c->b, done);
    llgen_val res = {t, LLVMBuildPhi(c->b, llgen_payload_type(c, t), "case"), NULL,
                     LLVMBuildPhi(c->b, c->t_i1, "case.null")};
    LLVMAddIncoming(res.v, vals, from, (unsigned)nin);
    LLVMAddIncoming(res.null, nulls, from, (unsigned)nin);
    if (t == FT_STRING) {
        res.len = LLVMBuildPhi(c->b, c->t_i32, "case.len");
        LLVMAddIncoming(res.len, lens, from, (unsigned)nin);
    }
    free(vals);
    free(from);
    return res;
}

/* A slot array argument that must exist in the C context, or an internal error. */
static bool need(llgen_ctx *c, LLVMValueRef v, const char *what)
{
    if (v)
        return true;
    llgen_fail(c, "%s: %s is not available here", c->what, what);
    return false;
}

/* PX_COLUMN: a source field of the record, or a let of the view computed earlier. */
static llgen_val column(llgen_ctx *c, const plan_expr *e)
{
    const plan_source *src = c->record_src;
    if (!need(c, c->record, "a row column") || !src)
        return llgen_null_val(c, e->type);
    if (e->index >= 0 && e->index < src->nfields)
        return llgen_val_as(c, llgen_slot_load(c, c->record, e->index, src->fields[e->index].type), e->type);
    int let = e->index - src->nfields;
    if (c->lets && let >= 0 && let < c->nlets_ready)
        return llgen_val_as(c, c->lets[let], e->type);
    llgen_fail(c, "%s: column %d is not defined here", c->what, e->index);
    return llgen_null_val(c, e->type);
}

/* PX_FEATURE / PX_OD_FEATURE: a feature value computed before this on_demand block. */
static llgen_val feature(llgen_ctx *c, const plan_expr *e)
{
    const plan *p = c->p;
    if (e->kind == PX_FEATURE) {
        if (e->view < 0 || e->view >= p->nviews || e->index < 0 || e->index >= p->views[e->view].nfeatures ||
            !c->view_ptrs || !c->view_ptrs[e->view]) {
            llgen_fail(c, "%s: feature %d of view %d is not available here", c->what, e->index, e->view);
            return llgen_null_val(c, e->type);
        }
        ftype t = p->views[e->view].features[e->index].type;
        return llgen_val_as(c, llgen_slot_load(c, c->view_ptrs[e->view], e->index, t), e->type);
    }
    if (e->block < 0 || e->block >= p->nblocks || e->index < 0 || e->index >= p->blocks[e->block].nfeatures ||
        !c->block_ptrs || !c->block_ptrs[e->block] || (e->block == c->self_block && e->index >= c->self_ready)) {
        llgen_fail(c, "%s: feature %d of on_demand block %d is not available here", c->what, e->index, e->block);
        return llgen_null_val(c, e->type);
    }
    ftype t = p->blocks[e->block].features[e->index].type;
    return llgen_val_as(c, llgen_slot_load(c, c->block_ptrs[e->block], e->index, t), e->type);
}

llgen_val llgen_expr(llgen_ctx *c, const plan_expr *e)
{
    if (!e) {
        llgen_fail(c, "%s: missing expression", c->what);
        return llgen_null_val(c, FT_NULL);
    }
    if (c->failed)
        return llgen_null_val(c, e->type);
    switch (e->kind) {
    case PX_CONST:
        return llgen_const(c, &e->value, e->type);
    case PX_COLUMN:
        return column(c, e);
    case PX_REQUEST:
        if (!need(c, c->request, "the request") || e->index < 0 || e->index >= c->request_src->nfields) {
            llgen_fail(c, "%s: request field %d is not available here", c->what, e->index);
            return llgen_null_val(c, e->type);
        }
        return llgen_val_as(c, llgen_slot_load(c, c->request, e->index, c->request_src->fields[e->index].type),
                            e->type);
    case PX_FEATURE:
    case PX_OD_FEATURE:
        return feature(c, e);
    case PX_NOW:
        if (!need(c, c->now, "now()"))
            return llgen_null_val(c, e->type);
        return llgen_val_as(c, mk(FT_TIMESTAMP, c->now, llgen_i1(c, false)), e->type);
    case PX_TO_FLOAT: {
        if (!check_arity(c, e, 1))
            break;
        llgen_val a = operand(c, e, 0, FT_INT);
        return mk(FT_FLOAT, LLVMBuildSIToFP(c->b, a.v, c->t_f64, ""), a.null);
    }
    case PX_NEG: {
        if (!check_arity(c, e, 1))
            break;
        if (e->type == FT_INT) {
            llgen_val z = mk(FT_INT, llgen_i64(c, 0), llgen_i1(c, false));
            return int_overflow_op(c, "llvm.ssub.with.overflow", FT_INT, z, operand(c, e, 0, FT_INT));
        }
        llgen_val a = operand(c, e, 0, FT_FLOAT);
        return mk(FT_FLOAT, LLVMBuildFNeg(c->b, a.v, ""), a.null);
    }
    case PX_NOT: {
        if (!check_arity(c, e, 1))
            break;
        llgen_val a = operand(c, e, 0, FT_BOOL);
        return mk(FT_BOOL, LLVMBuildNot(c->b, a.v, ""), a.null);
    }
    case PX_AND:
    case PX_OR:
        return logic(c, e, e->kind == PX_AND);
    case PX_ARITH:
        return arith(c, e);
    case PX_TS_ADD:
    case PX_TS_SUB: {
        if (!check_arity(c, e, 2))
            break;
        llgen_val a = operand(c, e, 0, FT_TIMESTAMP), b = operand(c, e, 1, FT_INT);
        return int_overflow_op(c, e->kind == PX_TS_ADD ? "llvm.sadd.with.overflow" : "llvm.ssub.with.overflow",
                               FT_TIMESTAMP, a, b);
    }
    case PX_CONCAT: {
        if (!check_arity(c, e, 2))
            break;
        llgen_val ab[2] = {operand(c, e, 0, FT_STRING), operand(c, e, 1, FT_STRING)};
        return llgen_call_slots(c, "rt_op_concat", ab, 2, false, FT_STRING);
    }
    case PX_COMPARE: {
        if (!check_arity(c, e, 2))
            break;
        llgen_val a = operand(c, e, 0, e->operand_type), b = operand(c, e, 1, e->operand_type);
        return mk(FT_BOOL, compare(c, e->cmp, e->operand_type, a, b), or2(c, a.null, b.null));
    }
    case PX_IS_NULL: {
        if (!check_arity(c, e, 1))
            break;
        llgen_val a = llgen_expr(c, e->args[0]);
        LLVMValueRef v = e->negated ? LLVMBuildNot(c->b, a.null, "") : a.null;
        return mk(FT_BOOL, v, llgen_i1(c, false));
    }
    case PX_IN:
        return in_list(c, e);
    case PX_CASE:
        return case_expr(c, e);
    case PX_CALL: {
        if (e->nargs < 0 || (e->nargs > 0 && !e->args) || e->nargs > 64) {
            llgen_fail(c, "%s: call with %d arguments", c->what, e->nargs);
            break;
        }
        llgen_val args[64];
        for (int i = 0; i < e->nargs; i++)
            args[i] = llgen_expr(c, e->args[i]);
        return llgen_call(c, e, args);
    }
    default:
        llgen_fail(c, "%s: unknown expression node %d", c->what, (int)e->kind);
        break;
    }
    return llgen_null_val(c, e->type);
}
