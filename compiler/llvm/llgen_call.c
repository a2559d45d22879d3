/* llgen_call.c - built-in function calls and string operators: calls into runtime/rt_fn.h. */
#include "llgen_int.h"
#include "rt_symbols.h"

#include <stdio.h>
#include <string.h>

/* The scratch argument for runtime function `name` (the symbol table says which functions
 * take memory from scratch; the others accept a NULL scratch). */
static LLVMValueRef scratch_for(llgen_ctx *c, const char *name)
{
    if (c->own_scratch && !c->scratch && !rt_symbol_allocates(name))
        return LLVMConstNull(c->t_ptr);
    return llgen_scratch(c);
}

llgen_val llgen_call_slots(llgen_ctx *c, const char *name, const llgen_val *args, int nargs, bool variadic, ftype t)
{
    LLVMValueRef in = llgen_slot_alloca(c, nargs);
    LLVMValueRef out = llgen_slot_alloca(c, 1);
    for (int i = 0; i < nargs; i++)
        llgen_slot_store(c, in, i, args[i]);
    LLVMTypeRef params[4] = {c->t_ptr, c->t_ptr, c->t_ptr, c->t_i64};
    LLVMTypeRef fty = LLVMFunctionType(c->t_void, params, variadic ? 4 : 3, 0);
    LLVMValueRef fn = llgen_runtime_fn(c, name, fty);
    LLVMValueRef cargs[4] = {scratch_for(c, name), out, in, llgen_i64(c, nargs)};
    LLVMBuildCall2(c->b, fty, fn, cargs, variadic ? 4 : 3, "");
    return llgen_slot_load(c, out, 0, t);
}

LLVMValueRef llgen_compare_strings(llgen_ctx *c, llgen_val a, llgen_val b)
{
    /* rt_op_compare_string reads both strings: give null operands a valid empty string. */
    plan_value empty = {.type = FT_STRING, .s = "", .s_len = 0};
    llgen_val e = llgen_const(c, &empty, FT_STRING);
    LLVMValueRef slots = llgen_slot_alloca(c, 2);
    llgen_val ab[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        llgen_val s = ab[i];
        s.v = LLVMBuildSelect(c->b, s.null, e.v, s.v, "");
        s.len = LLVMBuildSelect(c->b, s.null, e.len, s.len, "");
        s.null = llgen_i1(c, false);
        llgen_slot_store(c, slots, i, s);
    }
    LLVMTypeRef params[2] = {c->t_ptr, c->t_ptr};
    LLVMTypeRef fty = LLVMFunctionType(c->t_i32, params, 2, 0);
    LLVMValueRef fn = llgen_runtime_fn(c, "rt_op_compare_string", fty);
    LLVMValueRef args[2] = {slots, llgen_ptr_at(c, slots, LLGEN_SLOT_SIZE, c->t_i8)};
    return LLVMBuildCall2(c->b, fty, fn, args, 2, "cmp");
}

/* The name suffix of a type in rt_fn.h ("int", "float", ...), or NULL. */
static const char *suffix(ftype t)
{
    switch (t) {
    case FT_BOOL:
        return "bool";
    case FT_INT:
        return "int";
    case FT_FLOAT:
        return "float";
    case FT_STRING:
        return "string";
    case FT_TIMESTAMP:
        return "timestamp";
    default:
        return NULL;
    }
}

static const char *fn_name(plan_fn fn)
{
    return plan_fn_name(fn);
}

/* A call of fixed signature: arguments of types want[0..n), result type res. */
static llgen_val fixed(llgen_ctx *c, const plan_expr *e, const llgen_val *args, const char *name, int n,
                       const ftype *want, ftype res)
{
    if (e->nargs != n || (e->type != res && e->type != FT_NULL)) {
        llgen_fail(c, "%s: %s with %d arguments typed %s (runtime function %s)", c->what, fn_name(e->fn), e->nargs,
                   ftype_name(e->type), name);
        return llgen_null_val(c, e->type);
    }
    llgen_val a[4];
    for (int i = 0; i < n; i++)
        a[i] = llgen_val_as(c, args[i], want[i]);
    return llgen_val_as(c, llgen_call_slots(c, name, a, n, false, res), e->type);
}

/* A call of a one-argument function specialised by its argument's type, e.g. rt_fn_abs_int;
 * `allowed` is the set (1 << type) of argument types the runtime has a variant for. */
static llgen_val by_arg_type(llgen_ctx *c, const plan_expr *e, const llgen_val *args, const char *base,
                             unsigned allowed, ftype res)
{
    char name[64];
    ftype t = args[0].type;
    if (t == FT_NULL)
        return llgen_null_val(c, e->type);
    if (!suffix(t) || !(allowed & (1u << t))) {
        llgen_fail(c, "%s: %s of a %s", c->what, fn_name(e->fn), ftype_name(t));
        return llgen_null_val(c, e->type);
    }
    snprintf(name, sizeof name, "%s_%s", base, suffix(t));
    return fixed(c, e, args, name, 1, &t, res);
}

/* Variadic coalesce/least/greatest: every argument converted to the result type. */
static llgen_val variadic(llgen_ctx *c, const plan_expr *e, const llgen_val *args, const char *name)
{
    llgen_val a[64];
    if (e->nargs < 1 || e->nargs > 64) {
        llgen_fail(c, "%s: %s with %d arguments", c->what, fn_name(e->fn), e->nargs);
        return llgen_null_val(c, e->type);
    }
    if (e->type == FT_NULL) /* every argument is the untyped null */
        return llgen_null_val(c, FT_NULL);
    for (int i = 0; i < e->nargs; i++)
        a[i] = llgen_val_as(c, args[i], e->type);
    return llgen_call_slots(c, name, a, e->nargs, true, e->type);
}

#define B(t) (1u << (t))

llgen_val llgen_call(llgen_ctx *c, const plan_expr *e, const llgen_val *args)
{
    static const ftype F[4] = {FT_FLOAT, FT_FLOAT, FT_FLOAT, FT_FLOAT};
    static const ftype S[2] = {FT_STRING, FT_STRING};
    static const ftype TS[2] = {FT_TIMESTAMP, FT_TIMESTAMP};
    static const ftype SII[3] = {FT_STRING, FT_INT, FT_INT};
    static const ftype FFI[3] = {FT_FLOAT, FT_FLOAT, FT_INT};
    static const ftype FI[2] = {FT_FLOAT, FT_INT};
    ftype t = e->type;
    if (e->nargs < 1) {
        llgen_fail(c, "%s: %s without arguments", c->what, fn_name(e->fn));
        return llgen_null_val(c, t);
    }
    char name[64];
    switch (e->fn) {
    case PF_COALESCE:
        return variadic(c, e, args, "rt_fn_coalesce");
    case PF_LEAST:
    case PF_GREATEST:
        if (!suffix(t) && t != FT_NULL)
            break;
        snprintf(name, sizeof name, "rt_fn_%s_%s", fn_name(e->fn), suffix(t) ? suffix(t) : "");
        return variadic(c, e, args, name);
    case PF_ABS:
        if (t == FT_INT || t == FT_FLOAT)
            return by_arg_type(c, e, args, "rt_fn_abs", B(FT_INT) | B(FT_FLOAT), t);
        break;
    case PF_FLOOR:
    case PF_CEIL:
    case PF_ROUND:
        if (t == FT_INT) /* an int stays itself */
            return llgen_val_as(c, args[0], FT_INT);
        if (t != FT_FLOAT)
            break;
        if (e->fn == PF_ROUND) {
            llgen_val a[2] = {args[0], {FT_INT, llgen_i64(c, 0), NULL, llgen_i1(c, false)}};
            if (e->nargs == 2)
                a[1] = args[1];
            plan_expr e2 = *e;
            e2.nargs = 2;
            return fixed(c, &e2, a, "rt_fn_round_float", 2, FI, FT_FLOAT);
        }
        return fixed(c, e, args, e->fn == PF_FLOOR ? "rt_fn_floor_float" : "rt_fn_ceil_float", 1, F, FT_FLOAT);
    case PF_SQRT:
        return fixed(c, e, args, "rt_fn_sqrt", 1, F, FT_FLOAT);
    case PF_LN:
        return fixed(c, e, args, "rt_fn_ln", 1, F, FT_FLOAT);
    case PF_EXP:
        return fixed(c, e, args, "rt_fn_exp", 1, F, FT_FLOAT);
    case PF_POW:
        return fixed(c, e, args, "rt_fn_pow", 2, F, FT_FLOAT);
    case PF_LOWER:
        return fixed(c, e, args, "rt_fn_lower", 1, S, FT_STRING);
    case PF_UPPER:
        return fixed(c, e, args, "rt_fn_upper", 1, S, FT_STRING);
    case PF_LENGTH:
        return fixed(c, e, args, "rt_fn_length", 1, S, FT_INT);
    case PF_SUBSTR:
        return fixed(c, e, args, "rt_fn_substr", 3, SII, FT_STRING);
    case PF_STARTS_WITH:
        return fixed(c, e, args, "rt_fn_starts_with", 2, S, FT_BOOL);
    case PF_CONTAINS:
        return fixed(c, e, args, "rt_fn_contains", 2, S, FT_BOOL);
    case PF_TO_FLOAT:
        if (args[0].type == FT_INT || args[0].type == FT_FLOAT) { /* exact IEEE conversion inline */
            llgen_val a = args[0];
            if (a.type == FT_INT)
                a.v = LLVMBuildSIToFP(c->b, a.v, c->t_f64, "");
            a.type = FT_FLOAT;
            return llgen_val_as(c, a, t);
        }
        return by_arg_type(c, e, args, "rt_fn_to_float", B(FT_STRING), FT_FLOAT);
    case PF_TO_INT:
        if (args[0].type == FT_INT)
            return llgen_val_as(c, args[0], t);
        return by_arg_type(c, e, args, "rt_fn_to_int", B(FT_FLOAT) | B(FT_BOOL) | B(FT_STRING), FT_INT);
    case PF_TO_STRING:
        if (args[0].type == FT_STRING)
            return llgen_val_as(c, args[0], t);
        return by_arg_type(c, e, args, "rt_fn_to_string", B(FT_INT) | B(FT_BOOL) | B(FT_TIMESTAMP), FT_STRING);
    case PF_SECONDS_BETWEEN:
        return fixed(c, e, args, "rt_fn_seconds_between", 2, TS, FT_FLOAT);
    case PF_HOUR_OF_DAY:
        return fixed(c, e, args, "rt_fn_hour_of_day", 1, TS, FT_INT);
    case PF_DAY_OF_WEEK:
        return fixed(c, e, args, "rt_fn_day_of_week", 1, TS, FT_INT);
    case PF_GEOHASH:
        return fixed(c, e, args, "rt_fn_geohash", 3, FFI, FT_STRING);
    case PF_HAVERSINE_KM:
        return fixed(c, e, args, "rt_fn_haversine_km", 4, F, FT_FLOAT);
    default:
        break;
    }
    llgen_fail(c, "%s: function %s typed %s is not supported", c->what, fn_name(e->fn), ftype_name(t));
    return llgen_null_val(c, t);
}
