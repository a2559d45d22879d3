/* llgen_int.h - shared state and helpers of the LLVM back end's files (not a public API). */
#ifndef FEATC_LLGEN_INT_H
#define FEATC_LLGEN_INT_H

#include "plan.h"

#include "rt_abi.h"

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/TargetMachine.h>

#include <stdbool.h>
#include <stddef.h>

/* Byte offsets inside an rt_slot (runtime/rt_types.h). */
enum { LLGEN_SLOT_SIZE = 16, LLGEN_SLOT_LEN = 8, LLGEN_SLOT_NULL = 12 };

/* A value in SSA form. The payload depends on type: bool i1; int, timestamp, duration i64;
 * float double; string an i8* in v and an i32 byte count in len; FT_NULL an i64 0. null
 * is an i1. When null is true the payload is meaningless (but always defined). */
typedef struct llgen_val {
    ftype type;
    LLVMValueRef v;
    LLVMValueRef len;
    LLVMValueRef null;
} llgen_val;

/* A compiled plan (compiler/llvm/llgen.h). The module lives in the thread-safe context so
 * that it can be handed to the JIT. */
struct llgen_unit {
    LLVMOrcThreadSafeContextRef tsc;
    LLVMContextRef cx;        /* owned by tsc */
    LLVMModuleRef mod;        /* NULL once the JIT owns it */
    LLVMTargetMachineRef tm;  /* host triple, generic CPU, PIC */
    bool with_main;
    LLVMOrcLLJITRef jit;      /* NULL until llgen_jit */
    const rt_fn_table *table; /* inside the JIT's memory */
};

/* Copies the message of e (which it consumes) after `what: ` into err. */
void llgen_take_error(LLVMErrorRef e, const char *what, char *err, size_t errlen);

/* The code generation context: one per module, with the state of the function being built. */
typedef struct llgen_ctx {
    const plan *p;
    LLVMContextRef cx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;  /* the body */
    LLVMBuilderRef ab; /* the entry block: allocas and set-up */
    LLVMTypeRef t_i1, t_i8, t_i32, t_i64, t_f64, t_ptr, t_void;
    LLVMValueRef null_slots; /* i8* to enough all-null slots for any slot array of the plan */

    /* The function being generated (reset by llgen_fn_begin). */
    LLVMValueRef fn;
    LLVMBasicBlockRef entry;
    const char *what;             /* for messages: "view 'x'", ... */
    LLVMValueRef scratch;         /* i8*; NULL until needed when own_scratch */
    bool own_scratch;             /* expect functions make their own scratch */
    LLVMValueRef record;          /* i8* to the source fields, or NULL */
    const plan_source *record_src;
    const llgen_val *lets;        /* row functions: let values so far */
    int nlets_ready;
    LLVMValueRef request;         /* i8* (never NULL in the IR), or NULL in C when none */
    const plan_source *request_src;
    LLVMValueRef *view_ptrs;      /* per plan view: i8* to its feature slots, or NULL */
    LLVMValueRef *block_ptrs;     /* per plan block */
    LLVMValueRef now;             /* i64, or NULL */
    int self_block;               /* the block being generated, or -1 */
    int self_ready;               /* its features already written to out */

    bool failed;
    char *err;
    size_t errlen;
} llgen_ctx;

/* Records an internal error (the first one wins); code generation continues harmlessly. */
void llgen_fail(llgen_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- llgen_val.c: values, constants, slots ---- */
LLVMValueRef llgen_i1(llgen_ctx *c, bool b);
LLVMValueRef llgen_i32(llgen_ctx *c, int32_t x);
LLVMValueRef llgen_i64(llgen_ctx *c, int64_t x);
/* The payload type of values of type t (i8* for strings). */
LLVMTypeRef llgen_payload_type(llgen_ctx *c, ftype t);
/* A null value of type t with a zero payload. */
llgen_val llgen_null_val(llgen_ctx *c, ftype t);
/* v as a value of type t: v itself when the types agree (int, timestamp and duration are one
 * representation), a null of t when v is the untyped null; anything else is an internal
 * error. */
llgen_val llgen_val_as(llgen_ctx *c, llgen_val v, ftype t);
/* A constant from the plan (strings become private constant globals). */
llgen_val llgen_const(llgen_ctx *c, const plan_value *pv, ftype t);
/* A pointer into base (an i8*) at byte offset off, typed as pointer to ty. */
LLVMValueRef llgen_ptr_at(llgen_ctx *c, LLVMValueRef base, int64_t off, LLVMTypeRef ty);
/* Loads slot `index` of the slot array at base as a value of type t. */
llgen_val llgen_slot_load(llgen_ctx *c, LLVMValueRef base, int index, ftype t);
/* Stores v into slot `index` of the slot array at base: payload (zero when null), len for
 * strings, and the null flag. */
void llgen_slot_store(llgen_ctx *c, LLVMValueRef base, int index, llgen_val v);
/* A fresh array of n slots on the stack (allocated in the entry block), as an i8*. */
LLVMValueRef llgen_slot_alloca(llgen_ctx *c, int n);
/* Calls the overloaded intrinsic `name` (e.g. "llvm.sadd.with.overflow") for type ty. */
LLVMValueRef llgen_intrinsic(llgen_ctx *c, const char *name, LLVMTypeRef ty, LLVMValueRef *args, unsigned nargs);
/* The i1 "x is finite" of a double. */
LLVMValueRef llgen_is_finite(llgen_ctx *c, LLVMValueRef x);
/* Declares (once) an external runtime function of the given type. */
LLVMValueRef llgen_runtime_fn(llgen_ctx *c, const char *name, LLVMTypeRef fty);
/* The scratch pointer of the function being generated (created on first use in expect
 * functions). */
LLVMValueRef llgen_scratch(llgen_ctx *c);

/* ---- llgen_expr.c ---- */
/* Generates e at the builder's position; the builder may end in another block. */
llgen_val llgen_expr(llgen_ctx *c, const plan_expr *e);
/* The i1 "v is true" (not null and true) of a bool value. */
LLVMValueRef llgen_is_true(llgen_ctx *c, llgen_val v);

/* ---- llgen_call.c ---- */
/* Generates a PX_CALL node whose arguments are already evaluated. */
llgen_val llgen_call(llgen_ctx *c, const plan_expr *e, const llgen_val *args);
/* Calls a slot-convention runtime operator `name` on args (nargs values), returning a value
 * of type t. variadic: pass nargs as the fourth argument. */
llgen_val llgen_call_slots(llgen_ctx *c, const char *name, const llgen_val *args, int nargs, bool variadic, ftype t);
/* The i32 three-way byte-wise comparison of two strings (null operands compare as empty). */
LLVMValueRef llgen_compare_strings(llgen_ctx *c, llgen_val a, llgen_val b);

/* ---- llgen_module.c ---- */
/* Fills mod (of context cx) with the plan's functions and globals. Returns false with err
 * set on an internal error. */
bool llgen_module_build(const plan *p, LLVMContextRef cx, LLVMModuleRef mod, const char *manifest,
                        size_t manifest_len, bool with_main, char *err, size_t errlen);

#endif
