/* llgen_val.c - SSA values of the LLVM back end: constants, slot loads and stores, helpers. */
#include "llgen_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void llgen_fail(llgen_ctx *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    if (c->err && c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->errlen, fmt, ap);
        va_end(ap);
    }
}

LLVMValueRef llgen_i1(llgen_ctx *c, bool b) { return LLVMConstInt(c->t_i1, b ? 1 : 0, 0); }
LLVMValueRef llgen_i32(llgen_ctx *c, int32_t x) { return LLVMConstInt(c->t_i32, (unsigned long long)(int64_t)x, 1); }
LLVMValueRef llgen_i64(llgen_ctx *c, int64_t x) { return LLVMConstInt(c->t_i64, (unsigned long long)x, 1); }

LLVMTypeRef llgen_payload_type(llgen_ctx *c, ftype t)
{
    switch (t) {
    case FT_BOOL:
        return c->t_i1;
    case FT_FLOAT:
        return c->t_f64;
    case FT_STRING:
        return c->t_ptr;
    default:
        return c->t_i64;
    }
}

/* The zero payload of type t. */
static LLVMValueRef zero_payload(llgen_ctx *c, ftype t) { return LLVMConstNull(llgen_payload_type(c, t)); }

llgen_val llgen_null_val(llgen_ctx *c, ftype t)
{
    llgen_val v = {t, zero_payload(c, t), NULL, llgen_i1(c, true)};
    if (t == FT_STRING)
        v.len = llgen_i32(c, 0);
    return v;
}

/* int, timestamp and duration share the i64 representation. */
static bool is_i64_type(ftype t) { return t == FT_INT || t == FT_TIMESTAMP || t == FT_DURATION; }

llgen_val llgen_val_as(llgen_ctx *c, llgen_val v, ftype t)
{
    if (v.type == t)
        return v;
    if (v.type == FT_NULL)
        return llgen_null_val(c, t);
    if (t == FT_NULL) /* an untyped context (e.g. a null constant's case): keep the null flag */
        return (llgen_val){FT_NULL, llgen_i64(c, 0), NULL, llgen_i1(c, true)};
    if (is_i64_type(v.type) && is_i64_type(t)) {
        v.type = t;
        return v;
    }
    llgen_fail(c, "%s: a %s value is used where the plan expects %s", c->what, ftype_name(v.type), ftype_name(t));
    return llgen_null_val(c, t);
}

llgen_val llgen_const(llgen_ctx *c, const plan_value *pv, ftype t)
{
    if (pv->is_null || pv->type == FT_NULL || t == FT_NULL)
        return llgen_null_val(c, t == FT_NULL ? FT_NULL : t);
    llgen_val v = {t, NULL, NULL, llgen_i1(c, false)};
    switch (t) {
    case FT_BOOL:
        v.v = llgen_i1(c, pv->b);
        break;
    case FT_INT:
    case FT_TIMESTAMP:
    case FT_DURATION:
        v.v = llgen_i64(c, pv->i);
        break;
    case FT_FLOAT:
        v.v = LLVMConstReal(c->t_f64, pv->type == FT_INT ? (double)pv->i : pv->f);
        break;
    case FT_STRING: {
        size_t n = pv->s ? pv->s_len : 0;
        if (n > UINT32_MAX) {
            llgen_fail(c, "%s: a string constant is longer than 4 GiB", c->what);
            return llgen_null_val(c, t);
        }
        LLVMValueRef init = LLVMConstStringInContext(c->cx, n ? pv->s : "", (unsigned)n, 1);
        LLVMValueRef g = LLVMAddGlobal(c->mod, LLVMTypeOf(init), "featc.str");
        LLVMSetInitializer(g, init);
        LLVMSetGlobalConstant(g, 1);
        LLVMSetLinkage(g, LLVMPrivateLinkage);
        LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
        LLVMSetAlignment(g, 1);
        v.v = LLVMConstPointerCast(g, c->t_ptr);
        v.len = llgen_i32(c, (int32_t)(uint32_t)n);
        break;
    }
    default:
        llgen_fail(c, "%s: a constant of type %s", c->what, ftype_name(t));
        return llgen_null_val(c, t);
    }
    if (pv->type != t && !(pv->type == FT_INT && t == FT_FLOAT) && !(is_i64_type(pv->type) && is_i64_type(t)))
        llgen_fail(c, "%s: a %s constant is typed %s", c->what, ftype_name(pv->type), ftype_name(t));
    return v;
}

LLVMValueRef llgen_ptr_at(llgen_ctx *c, LLVMValueRef base, int64_t off, LLVMTypeRef ty)
{
    LLVMValueRef p = base;
    if (off) {
        LLVMValueRef idx = llgen_i64(c, off);
        p = LLVMBuildInBoundsGEP2(c->b, c->t_i8, base, &idx, 1, "");
    }
    return LLVMBuildPointerCast(c->b, p, LLVMPointerType(ty, 0), "");
}

/* Loads a value of type ty at base + off. */
static LLVMValueRef load_at(llgen_ctx *c, LLVMValueRef base, int64_t off, LLVMTypeRef ty)
{
    return LLVMBuildLoad2(c->b, ty, llgen_ptr_at(c, base, off, ty), "");
}

static void store_at(llgen_ctx *c, LLVMValueRef base, int64_t off, LLVMValueRef v)
{
    LLVMBuildStore(c->b, v, llgen_ptr_at(c, base, off, LLVMTypeOf(v)));
}

llgen_val llgen_slot_load(llgen_ctx *c, LLVMValueRef base, int index, ftype t)
{
    int64_t off = (int64_t)index * LLGEN_SLOT_SIZE;
    llgen_val v = {t, NULL, NULL, NULL};
    LLVMValueRef nb = load_at(c, base, off + LLGEN_SLOT_NULL, c->t_i8);
    v.null = LLVMBuildICmp(c->b, LLVMIntNE, nb, LLVMConstNull(c->t_i8), "isnull");
    switch (t) {
    case FT_NULL:
        return llgen_null_val(c, FT_NULL);
    case FT_BOOL:
        v.v = LLVMBuildICmp(c->b, LLVMIntNE, load_at(c, base, off, c->t_i64), llgen_i64(c, 0), "");
        break;
    case FT_FLOAT:
        v.v = load_at(c, base, off, c->t_f64);
        break;
    case FT_STRING:
        v.v = load_at(c, base, off, c->t_ptr);
        v.len = load_at(c, base, off + LLGEN_SLOT_LEN, c->t_i32);
        break;
    default:
        v.v = load_at(c, base, off, c->t_i64);
        break;
    }
    return v;
}

void llgen_slot_store(llgen_ctx *c, LLVMValueRef base, int index, llgen_val v)
{
    int64_t off = (int64_t)index * LLGEN_SLOT_SIZE;
    LLVMValueRef payload = v.v;
    switch (v.type) {
    case FT_BOOL:
        payload = LLVMBuildZExt(c->b, v.v, c->t_i64, "");
        break;
    case FT_NULL:
        payload = llgen_i64(c, 0);
        break;
    default:
        break;
    }
    payload = LLVMBuildSelect(c->b, v.null, LLVMConstNull(LLVMTypeOf(payload)), payload, "");
    store_at(c, base, off, payload);
    LLVMValueRef len = v.type == FT_STRING ? LLVMBuildSelect(c->b, v.null, llgen_i32(c, 0), v.len, "") : llgen_i32(c, 0);
    store_at(c, base, off + LLGEN_SLOT_LEN, len);
    store_at(c, base, off + LLGEN_SLOT_NULL, LLVMBuildZExt(c->b, v.null, c->t_i8, ""));
}

LLVMValueRef llgen_slot_alloca(llgen_ctx *c, int n)
{
    assert(n > 0);
    LLVMTypeRef ty = LLVMArrayType(c->t_i64, (unsigned)(2 * n)); /* 16 bytes per slot, 8-aligned */
    LLVMValueRef a = LLVMBuildAlloca(c->ab, ty, "slots");
    LLVMSetAlignment(a, 16);
    return LLVMBuildPointerCast(c->ab, a, c->t_ptr, "");
}

LLVMValueRef llgen_intrinsic(llgen_ctx *c, const char *name, LLVMTypeRef ty, LLVMValueRef *args, unsigned nargs)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    assert(id != 0);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(c->mod, id, &ty, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(c->cx, id, &ty, 1);
    return LLVMBuildCall2(c->b, fty, fn, args, nargs, "");
}

LLVMValueRef llgen_is_finite(llgen_ctx *c, LLVMValueRef x)
{
    LLVMValueRef ax = llgen_intrinsic(c, "llvm.fabs", c->t_f64, &x, 1);
    return LLVMBuildFCmp(c->b, LLVMRealOLT, ax, LLVMConstReal(c->t_f64, __builtin_inf()), "finite");
}

LLVMValueRef llgen_runtime_fn(llgen_ctx *c, const char *name, LLVMTypeRef fty)
{
    LLVMValueRef f = LLVMGetNamedFunction(c->mod, name);
    if (f)
        return f;
    f = LLVMAddFunction(c->mod, name, fty);
    LLVMSetLinkage(f, LLVMExternalLinkage);
    unsigned kind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(c->cx, kind, 0));
    return f;
}

LLVMValueRef llgen_scratch(llgen_ctx *c)
{
    if (c->scratch)
        return c->scratch;
    assert(c->own_scratch);
    /* A zero rt_scratch (three pointers) is a valid empty scratch area. */
    LLVMTypeRef ty = LLVMArrayType(c->t_i64, 3);
    LLVMValueRef a = LLVMBuildAlloca(c->ab, ty, "scratch");
    LLVMSetAlignment(a, 8);
    LLVMBuildStore(c->ab, LLVMConstNull(ty), a);
    c->scratch = LLVMBuildPointerCast(c->ab, a, c->t_ptr, "");
    return c->scratch;
}
