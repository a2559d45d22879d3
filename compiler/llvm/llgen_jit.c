/* llgen_jit.c - in-process compilation of a unit with ORC LLJIT; runtime symbols from rt_symbols. */
#include "llgen.h"
#include "llgen_int.h"
#include "rt_symbols.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void set_msg(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

/* Defines every rt_symbols entry as an absolute symbol in jd. */
static LLVMErrorRef define_runtime(LLVMOrcLLJITRef jit, LLVMOrcJITDylibRef jd)
{
    size_t n = 0;
    const rt_symbol *syms = rt_symbols(&n);
    LLVMJITCSymbolMapPair *pairs = calloc(n ? n : 1, sizeof *pairs);
    if (!pairs)
        return LLVMCreateStringError("out of memory");
    for (size_t i = 0; i < n; i++) {
        pairs[i].Name = LLVMOrcLLJITMangleAndIntern(jit, syms[i].name);
        pairs[i].Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)syms[i].addr;
        pairs[i].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
        pairs[i].Sym.Flags.TargetFlags = 0;
    }
    /* The materialization unit takes over the names; the array itself stays ours. */
    LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(pairs, n);
    free(pairs);
    LLVMErrorRef e = LLVMOrcJITDylibDefine(jd, mu);
    if (e)
        LLVMOrcDisposeMaterializationUnit(mu);
    return e;
}

const rt_fn_table *llgen_jit(llgen_unit *u, char *err, size_t errlen)
{
    if (u->table)
        return u->table;
    if (u->with_main) {
        set_msg(err, errlen, "a unit built with main() is for an executable, not for the JIT");
        return NULL;
    }
    if (!u->mod) {
        set_msg(err, errlen, "the unit has no code left to compile");
        return NULL;
    }
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&u->jit, NULL);
    if (e) {
        u->jit = NULL;
        llgen_take_error(e, "creating the JIT", err, errlen);
        return NULL;
    }
    LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(u->jit);
    e = define_runtime(u->jit, jd);
    if (e) {
        llgen_take_error(e, "defining runtime symbols", err, errlen);
        return NULL;
    }
    /* C library functions the optimiser may introduce (memcpy, memset, ...) come from the
     * process. */
    LLVMOrcDefinitionGeneratorRef gen = NULL;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(u->jit), NULL, NULL);
    if (e) {
        llgen_take_error(e, "searching the process for symbols", err, errlen);
        return NULL;
    }
    LLVMOrcJITDylibAddGenerator(jd, gen);

    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(u->mod, u->tsc);
    u->mod = NULL; /* owned by tsm, then by the JIT (even when adding fails) */
    e = LLVMOrcLLJITAddLLVMIRModule(u->jit, jd, tsm);
    if (e) {
        llgen_take_error(e, "adding the generated code to the JIT", err, errlen);
        return NULL;
    }
    LLVMOrcExecutorAddress addr = 0;
    e = LLVMOrcLLJITLookup(u->jit, &addr, "featc_fn_table");
    if (e) {
        llgen_take_error(e, "compiling the generated code", err, errlen);
        return NULL;
    }
    u->table = (const rt_fn_table *)(uintptr_t)addr;
    return u->table;
}
