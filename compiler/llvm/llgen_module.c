/* llgen_module.c - one module per plan: expect, row and on_demand functions and featc_fn_table. */
#include "llgen_int.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ctx_init(llgen_ctx *c, const plan *p, LLVMContextRef cx, LLVMModuleRef mod, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->cx = cx;
    c->mod = mod;
    c->b = LLVMCreateBuilderInContext(cx);
    c->ab = LLVMCreateBuilderInContext(cx);
    c->t_i1 = LLVMInt1TypeInContext(cx);
    c->t_i8 = LLVMInt8TypeInContext(cx);
    c->t_i32 = LLVMInt32TypeInContext(cx);
    c->t_i64 = LLVMInt64TypeInContext(cx);
    c->t_f64 = LLVMDoubleTypeInContext(cx);
    c->t_ptr = LLVMPointerType(c->t_i8, 0);
    c->t_void = LLVMVoidTypeInContext(cx);
    c->err = err;
    c->errlen = errlen;
    c->self_block = -1;
}

static void ctx_dispose(llgen_ctx *c)
{
    LLVMDisposeBuilder(c->b);
    LLVMDisposeBuilder(c->ab);
}

/* A constant global holding n rt_slots that are all null, read in place of slot arrays the
 * caller did not provide. */
static void make_null_slots(llgen_ctx *c)
{
    const plan *p = c->p;
    int n = 1;
    for (int i = 0; i < p->nsources; i++)
        n = p->sources[i].nfields > n ? p->sources[i].nfields : n;
    for (int i = 0; i < p->nviews; i++)
        n = p->views[i].nfeatures > n ? p->views[i].nfeatures : n;
    for (int i = 0; i < p->nblocks; i++)
        n = p->blocks[i].nfeatures > n ? p->blocks[i].nfeatures : n;
    char *bytes = calloc((size_t)n, LLGEN_SLOT_SIZE);
    if (!bytes) {
        llgen_fail(c, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++)
        bytes[(size_t)i * LLGEN_SLOT_SIZE + LLGEN_SLOT_NULL] = 1;
    LLVMValueRef init = LLVMConstStringInContext(c->cx, bytes, (unsigned)(n * LLGEN_SLOT_SIZE), 1);
    free(bytes);
    LLVMValueRef g = LLVMAddGlobal(c->mod, LLVMTypeOf(init), "featc.null_slots");
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetAlignment(g, 16);
    c->null_slots = LLVMConstPointerCast(g, c->t_ptr);
}

/* Starts function `name` of type fty (internal linkage): an entry block for allocas, which
 * falls into the body where c->b is left. Resets the per-function state. */
static LLVMBasicBlockRef fn_begin(llgen_ctx *c, const char *name, LLVMTypeRef fty, const char *what)
{
    c->fn = LLVMAddFunction(c->mod, name, fty);
    LLVMSetLinkage(c->fn, LLVMInternalLinkage);
    unsigned kind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    LLVMAddAttributeAtIndex(c->fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(c->cx, kind, 0));
    c->entry = LLVMAppendBasicBlockInContext(c->cx, c->fn, "entry");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(c->cx, c->fn, "body");
    LLVMPositionBuilderAtEnd(c->ab, c->entry);
    LLVMPositionBuilderAtEnd(c->b, body);
    c->what = what;
    c->scratch = NULL;
    c->own_scratch = false;
    c->record = NULL;
    c->record_src = NULL;
    c->lets = NULL;
    c->nlets_ready = 0;
    c->request = NULL;
    c->request_src = NULL;
    c->view_ptrs = NULL;
    c->block_ptrs = NULL;
    c->now = NULL;
    c->self_block = -1;
    c->self_ready = 0;
    return body;
}

/* Marks parameter i of the current function noalias: the memory it points to is reached only
 * through it during the call (runtime/rt_abi.h's slot arrays are distinct), so loads from
 * the record survive stores to the outputs and calls into the runtime. */
static void noalias_param(llgen_ctx *c, unsigned i)
{
    unsigned kind = LLVMGetEnumAttributeKindForName("noalias", 7);
    LLVMAddAttributeAtIndex(c->fn, i + 1, LLVMCreateEnumAttribute(c->cx, kind, 0));
}

/* Closes the entry block with a branch to the body. */
static void fn_end(llgen_ctx *c, LLVMBasicBlockRef body)
{
    LLVMPositionBuilderAtEnd(c->ab, c->entry);
    LLVMBuildBr(c->ab, body);
}

/* int32 featc_expect_<i>(const rt_slot *record): -1 when every rule is true or null, else the
 * index of the first false rule. */
static LLVMValueRef gen_expect(llgen_ctx *c, int si)
{
    const plan_source *src = &c->p->sources[si];
    char name[48], what[256];
    snprintf(name, sizeof name, "featc_expect_%d", si);
    snprintf(what, sizeof what, "expect rules of source '%s'", src->name ? src->name : "?");
    LLVMTypeRef params[1] = {c->t_ptr};
    LLVMBasicBlockRef body = fn_begin(c, name, LLVMFunctionType(c->t_i32, params, 1, 0), what);
    c->own_scratch = true;
    noalias_param(c, 0);
    c->record = LLVMGetParam(c->fn, 0);
    c->record_src = src;
    LLVMBasicBlockRef ret = LLVMAppendBasicBlockInContext(c->cx, c->fn, "ret");
    int n = src->nexpects;
    LLVMValueRef *vals = calloc((size_t)n + 1, sizeof *vals);
    LLVMBasicBlockRef *from = calloc((size_t)n + 1, sizeof *from);
    if (!vals || !from) {
        free(vals);
        free(from);
        llgen_fail(c, "out of memory");
        return c->fn;
    }
    for (int i = 0; i < n; i++) {
        llgen_val v = llgen_val_as(c, llgen_expr(c, src->expects[i].cond), FT_BOOL);
        LLVMValueRef fails = LLVMBuildAnd(c->b, LLVMBuildNot(c->b, v.null, ""), LLVMBuildNot(c->b, v.v, ""), "fails");
        LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(c->cx, c->fn, "next");
        vals[i] = llgen_i32(c, i);
        from[i] = LLVMGetInsertBlock(c->b);
        LLVMBuildCondBr(c->b, fails, ret, next);
        LLVMPositionBuilderAtEnd(c->b, next);
    }
    vals[n] = llgen_i32(c, -1);
    from[n] = LLVMGetInsertBlock(c->b);
    LLVMBuildBr(c->b, ret);
    LLVMPositionBuilderAtEnd(c->b, ret);
    LLVMValueRef r = LLVMBuildPhi(c->b, c->t_i32, "rule");
    LLVMAddIncoming(r, vals, from, (unsigned)n + 1);
    free(vals);
    free(from);
    if (c->scratch) {
        LLVMTypeRef fty = LLVMFunctionType(c->t_void, params, 1, 0);
        LLVMBuildCall2(c->b, fty, llgen_runtime_fn(c, "rt_scratch_free", fty), &c->scratch, 1, "");
    }
    LLVMBuildRet(c->b, r);
    fn_end(c, body);
    return c->fn;
}

/* Branches to `drop` unless cond, continuing in a new block. */
static void unless_drop(llgen_ctx *c, LLVMValueRef cond, LLVMBasicBlockRef drop)
{
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(c->cx, c->fn, "cont");
    LLVMBuildCondBr(c->b, cond, cont, drop);
    LLVMPositionBuilderAtEnd(c->b, cont);
}

/* int32 featc_row_<i>(rt_scratch *, const rt_slot *record, rt_slot *keys, rt_slot *inputs):
 * see rt_row_fn in runtime/rt_abi.h. */
static LLVMValueRef gen_row(llgen_ctx *c, int vi)
{
    const plan *p = c->p;
    const plan_view *v = &p->views[vi];
    char name[48], what[256];
    snprintf(name, sizeof name, "featc_row_%d", vi);
    snprintf(what, sizeof what, "view '%s'", v->name ? v->name : "?");
    LLVMTypeRef params[4] = {c->t_ptr, c->t_ptr, c->t_ptr, c->t_ptr};
    LLVMBasicBlockRef body = fn_begin(c, name, LLVMFunctionType(c->t_i32, params, 4, 0), what);
    if (v->source < 0 || v->source >= p->nsources || v->entity < 0 || v->entity >= p->nentities ||
        v->nlets < 0 || v->nfeatures < 0) {
        llgen_fail(c, "%s: bad source, entity or counts", what);
        LLVMBuildRet(c->b, llgen_i32(c, 0));
        fn_end(c, body);
        return c->fn;
    }
    const plan_source *src = &p->sources[v->source];
    const plan_entity *ent = &p->entities[v->entity];
    for (unsigned i = 1; i < 4; i++)
        noalias_param(c, i);
    c->scratch = LLVMGetParam(c->fn, 0);
    c->record = LLVMGetParam(c->fn, 1);
    c->record_src = src;
    LLVMValueRef keys = LLVMGetParam(c->fn, 2), inputs = LLVMGetParam(c->fn, 3);
    LLVMBasicBlockRef drop = LLVMAppendBasicBlockInContext(c->cx, c->fn, "drop");

    llgen_val *lets = calloc((size_t)v->nlets + 1, sizeof *lets);
    if (!lets) {
        llgen_fail(c, "out of memory");
        return c->fn;
    }
    c->lets = lets;
    for (int i = 0; i < v->nlets; i++) {
        lets[i] = llgen_val_as(c, llgen_expr(c, v->lets[i].value), v->lets[i].type);
        c->nlets_ready = i + 1;
    }
    if (v->where)
        unless_drop(c, llgen_is_true(c, llgen_expr(c, v->where)), drop);

    llgen_val kv[64];
    if (ent->nkeys < 0 || ent->nkeys > 64 || (ent->nkeys > 0 && !v->key_columns)) {
        llgen_fail(c, "%s: bad entity keys", what);
    } else if (ent->nkeys > 0) {
        LLVMValueRef anynull = llgen_i1(c, false);
        for (int k = 0; k < ent->nkeys; k++) {
            int col = v->key_columns[k];
            if (col < 0 || col >= src->nfields + v->nlets) {
                llgen_fail(c, "%s: key column %d is neither a source field nor a let", what, col);
                break;
            }
            /* a derived key is its let's value, computed above (it may point into scratch,
             * which the caller resets only after ingesting) */
            kv[k] = col < src->nfields ? llgen_slot_load(c, c->record, col, src->fields[col].type)
                                       : lets[col - src->nfields];
            anynull = LLVMBuildOr(c->b, anynull, kv[k].null, "");
        }
        unless_drop(c, LLVMBuildNot(c->b, anynull, ""), drop);
        for (int k = 0; k < ent->nkeys && !c->failed; k++)
            llgen_slot_store(c, keys, k, kv[k]);
    }

    for (int f = 0; f < v->nfeatures && !c->failed; f++) {
        const plan_feature *ft = &v->features[f];
        LLVMValueRef contributes = ft->filter ? llgen_is_true(c, llgen_expr(c, ft->filter)) : llgen_i1(c, true);
        llgen_val in;
        if (ft->agg == PG_COUNT_ROWS) {
            in = (llgen_val){FT_INT, llgen_i64(c, 1), NULL, llgen_i1(c, false)};
        } else {
            in = llgen_expr(c, ft->input);
            in = llgen_val_as(c, in, ft->input_type == FT_ERROR ? in.type : ft->input_type);
        }
        in.null = LLVMBuildOr(c->b, in.null, LLVMBuildNot(c->b, contributes, ""), "");
        llgen_slot_store(c, inputs, f, in);
    }
    LLVMBuildRet(c->b, llgen_i32(c, 1));
    LLVMPositionBuilderAtEnd(c->b, drop);
    LLVMBuildRet(c->b, llgen_i32(c, 0));
    fn_end(c, body);
    free(lets);
    c->lets = NULL;
    return c->fn;
}

/* Marks the views and blocks whose features e reads. */
static void mark_reads(const plan_expr *e, bool *views, int nviews, bool *blocks, int nblocks)
{
    if (!e)
        return;
    if (e->kind == PX_FEATURE && e->view >= 0 && e->view < nviews)
        views[e->view] = true;
    if (e->kind == PX_OD_FEATURE && e->block >= 0 && e->block < nblocks)
        blocks[e->block] = true;
    for (int i = 0; i < e->nargs && e->args; i++)
        mark_reads(e->args[i], views, nviews, blocks, nblocks);
}

/* Loads pointer i of the pointer array arr, replaced by the all-null slots when NULL. */
static LLVMValueRef slots_ptr(llgen_ctx *c, LLVMValueRef arr, int i)
{
    LLVMValueRef q = LLVMBuildLoad2(c->b, c->t_ptr, llgen_ptr_at(c, arr, (int64_t)i * 8, c->t_ptr), "");
    LLVMValueRef isnull = LLVMBuildICmp(c->b, LLVMIntEQ, q, LLVMConstNull(c->t_ptr), "");
    return LLVMBuildSelect(c->b, isnull, c->null_slots, q, "");
}

/* void featc_od_<i>(rt_scratch *, const rt_slot *request, const rt_slot *const *view_values,
 * const rt_slot *const *block_values, int64_t now, rt_slot *out): see rt_od_fn. */
static LLVMValueRef gen_od(llgen_ctx *c, int bi)
{
    const plan *p = c->p;
    const plan_on_demand *b = &p->blocks[bi];
    char name[48], what[256];
    snprintf(name, sizeof name, "featc_od_%d", bi);
    snprintf(what, sizeof what, "on_demand block '%s'", b->name ? b->name : "?");
    LLVMTypeRef params[6] = {c->t_ptr, c->t_ptr, c->t_ptr, c->t_ptr, c->t_i64, c->t_ptr};
    LLVMBasicBlockRef body = fn_begin(c, name, LLVMFunctionType(c->t_void, params, 6, 0), what);
    noalias_param(c, 1);
    noalias_param(c, 5);
    c->scratch = LLVMGetParam(c->fn, 0);
    c->now = LLVMGetParam(c->fn, 4);
    c->self_block = bi;
    LLVMValueRef out = LLVMGetParam(c->fn, 5);
    if (b->request_source >= p->nsources) {
        llgen_fail(c, "%s: bad request source %d", what, b->request_source);
    } else if (b->request_source >= 0) {
        LLVMValueRef req = LLVMGetParam(c->fn, 1);
        LLVMValueRef isnull = LLVMBuildICmp(c->b, LLVMIntEQ, req, LLVMConstNull(c->t_ptr), "");
        c->request = LLVMBuildSelect(c->b, isnull, c->null_slots, req, "request");
        c->request_src = &p->sources[b->request_source];
    }
    int nv = p->nviews, nb = p->nblocks;
    bool *used = calloc((size_t)(nv + nb) + 1, sizeof *used);
    LLVMValueRef *ptrs = calloc((size_t)(nv + nb) + 1, sizeof *ptrs);
    if (!used || !ptrs) {
        free(used);
        free(ptrs);
        llgen_fail(c, "out of memory");
        return c->fn;
    }
    for (int f = 0; f < b->nfeatures; f++)
        mark_reads(b->features[f].value, used, nv, used + nv, nb);
    for (int i = 0; i < nv; i++)
        if (used[i])
            ptrs[i] = slots_ptr(c, LLVMGetParam(c->fn, 2), i);
    for (int i = 0; i < nb; i++)
        if (used[nv + i])
            ptrs[nv + i] = i == bi ? out : slots_ptr(c, LLVMGetParam(c->fn, 3), i);
    c->view_ptrs = ptrs;
    c->block_ptrs = ptrs + nv;
    for (int f = 0; f < b->nfeatures && !c->failed; f++) {
        llgen_val v = llgen_val_as(c, llgen_expr(c, b->features[f].value), b->features[f].type);
        llgen_slot_store(c, out, f, v);
        c->self_ready = f + 1;
    }
    LLVMBuildRetVoid(c->b);
    fn_end(c, body);
    free(used);
    free(ptrs);
    c->view_ptrs = c->block_ptrs = NULL;
    return c->fn;
}

/* A private constant array of n function pointers (NULL entries allowed) as an i8*, or a
 * null pointer when n is 0. */
static LLVMValueRef fn_array(llgen_ctx *c, const char *name, LLVMValueRef *fns, int n)
{
    if (n == 0)
        return LLVMConstNull(c->t_ptr);
    for (int i = 0; i < n; i++)
        fns[i] = fns[i] ? LLVMConstPointerCast(fns[i], c->t_ptr) : LLVMConstNull(c->t_ptr);
    LLVMValueRef init = LLVMConstArray(c->t_ptr, fns, (unsigned)n);
    LLVMValueRef g = LLVMAddGlobal(c->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    return LLVMConstPointerCast(g, c->t_ptr);
}

/* An exported constant global. */
static LLVMValueRef export_const(llgen_ctx *c, const char *name, LLVMValueRef init)
{
    LLVMValueRef g = LLVMAddGlobal(c->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMExternalLinkage);
    return g;
}

/* featc_fn_table (rt_fn_table) over the generated functions. */
static LLVMValueRef gen_table(llgen_ctx *c, LLVMValueRef *expect, LLVMValueRef *row, LLVMValueRef *od)
{
    const plan *p = c->p;
    LLVMValueRef f[6] = {
        llgen_i32(c, p->nsources), fn_array(c, "featc.expect", expect, p->nsources),
        llgen_i32(c, p->nviews),   fn_array(c, "featc.row", row, p->nviews),
        llgen_i32(c, p->nblocks),  fn_array(c, "featc.od", od, p->nblocks),
    };
    return export_const(c, "featc_fn_table", LLVMConstStructInContext(c->cx, f, 6, 0));
}

/* int main(int argc, char **argv) { return rt_binary_main(argc, argv, &featc_fn_table,
 * featc_manifest, featc_manifest_len); } */
static void gen_main(llgen_ctx *c, LLVMValueRef table, LLVMValueRef manifest, size_t manifest_len)
{
    LLVMTypeRef argv_t = LLVMPointerType(c->t_ptr, 0);
    LLVMTypeRef mparams[2] = {c->t_i32, argv_t};
    LLVMValueRef fn = LLVMAddFunction(c->mod, "main", LLVMFunctionType(c->t_i32, mparams, 2, 0));
    LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->cx, fn, "entry"));
    LLVMTypeRef rparams[5] = {c->t_i32, argv_t, c->t_ptr, c->t_ptr, c->t_i64};
    LLVMTypeRef rty = LLVMFunctionType(c->t_i32, rparams, 5, 0);
    LLVMValueRef args[5] = {LLVMGetParam(fn, 0), LLVMGetParam(fn, 1), LLVMConstPointerCast(table, c->t_ptr),
                            LLVMConstPointerCast(manifest, c->t_ptr), llgen_i64(c, (int64_t)manifest_len)};
    LLVMValueRef r = LLVMBuildCall2(c->b, rty, llgen_runtime_fn(c, "rt_binary_main", rty), args, 5, "");
    LLVMBuildRet(c->b, r);
}

bool llgen_module_build(const plan *p, LLVMContextRef cx, LLVMModuleRef mod, const char *manifest,
                        size_t manifest_len, bool with_main, char *err, size_t errlen)
{
    llgen_ctx c;
    ctx_init(&c, p, cx, mod, err, errlen);
    if (p->nsources < 0 || p->nviews < 0 || p->nblocks < 0 || p->nentities < 0) {
        llgen_fail(&c, "plan with negative counts");
        ctx_dispose(&c);
        return false;
    }
    make_null_slots(&c);
    size_t nfns = (size_t)p->nsources + (size_t)p->nviews + (size_t)p->nblocks;
    LLVMValueRef *fns = calloc(nfns + 1, sizeof *fns);
    if (!fns)
        llgen_fail(&c, "out of memory");
    for (int i = 0; i < p->nsources && !c.failed; i++)
        if (p->sources[i].nexpects > 0)
            fns[i] = gen_expect(&c, i);
    for (int i = 0; i < p->nviews && !c.failed; i++)
        fns[p->nsources + i] = gen_row(&c, i);
    for (int i = 0; i < p->nblocks && !c.failed; i++)
        fns[p->nsources + p->nviews + i] = gen_od(&c, i);
    if (!c.failed) {
        LLVMValueRef table = gen_table(&c, fns, fns + p->nsources, fns + p->nsources + p->nviews);
        if (manifest || with_main) {
            if (manifest_len > UINT32_MAX) {
                llgen_fail(&c, "the manifest is larger than 4 GiB");
            } else {
                LLVMValueRef data =
                    LLVMConstStringInContext(cx, manifest_len ? manifest : "", (unsigned)manifest_len, 1);
                LLVMValueRef m = export_const(&c, "featc_manifest", data);
                export_const(&c, "featc_manifest_len", llgen_i64(&c, (int64_t)manifest_len));
                if (with_main)
                    gen_main(&c, table, m, manifest_len);
            }
        }
    }
    free(fns);
    ctx_dispose(&c);
    return !c.failed;
}
