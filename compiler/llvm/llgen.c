/* llgen.c - a compiled unit's life: build, verify and optimise the module, dump it, write an object. */
#include "llgen.h"
#include "llgen_int.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void llgen_take_error(LLVMErrorRef e, const char *what, char *err, size_t errlen)
{
    char *msg = LLVMGetErrorMessage(e);
    set_err(err, errlen, "%s: %s", what, msg ? msg : "unknown LLVM error");
    LLVMDisposeErrorMessage(msg);
}

/* A target machine for the host triple with the baseline CPU, position-independent code.
 * NULL with err set on failure. */
static LLVMTargetMachineRef host_machine(char *err, size_t errlen)
{
    if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter()) {
        set_err(err, errlen, "LLVM has no code generator for this host");
        return NULL;
    }
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target = NULL;
    char *msg = NULL;
    LLVMTargetMachineRef tm = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        set_err(err, errlen, "no LLVM target for %s: %s", triple, msg ? msg : "?");
    } else {
        tm = LLVMCreateTargetMachine(target, triple, "generic", "", LLVMCodeGenLevelDefault, LLVMRelocPIC,
                                     LLVMCodeModelDefault);
        if (!tm)
            set_err(err, errlen, "cannot create an LLVM target machine for %s", triple);
    }
    LLVMDisposeMessage(msg);
    LLVMDisposeMessage(triple);
    return tm;
}

/* Verifies the module; on failure prints the IR and the verifier's findings to stderr. */
static bool verify(LLVMModuleRef mod, char *err, size_t errlen)
{
    char *msg = NULL;
    if (!LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
        LLVMDisposeMessage(msg);
        return true;
    }
    char *ir = LLVMPrintModuleToString(mod);
    fprintf(stderr, "featc: internal error: generated code does not verify\n%s\n%s", ir, msg ? msg : "");
    LLVMDisposeMessage(ir);
    set_err(err, errlen, "internal error: generated code does not verify: %s", msg ? msg : "?");
    LLVMDisposeMessage(msg);
    return false;
}

llgen_unit *llgen_compile(const plan *p, const char *manifest, size_t manifest_len, bool with_main, char *err,
                          size_t errlen)
{
    llgen_unit *u = calloc(1, sizeof *u);
    if (!u) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    u->with_main = with_main;
    u->tm = host_machine(err, errlen);
    if (!u->tm)
        goto fail;
    u->tsc = LLVMOrcCreateNewThreadSafeContext();
    u->cx = LLVMOrcThreadSafeContextGetContext(u->tsc);
    u->mod = LLVMModuleCreateWithNameInContext("featc", u->cx);
    char *triple = LLVMGetTargetMachineTriple(u->tm);
    LLVMSetTarget(u->mod, triple);
    LLVMDisposeMessage(triple);
    LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(u->tm);
    LLVMSetModuleDataLayout(u->mod, dl);
    LLVMDisposeTargetData(dl);

    char msg[512] = "";
    if (!llgen_module_build(p, u->cx, u->mod, manifest, manifest_len, with_main, msg, sizeof msg)) {
        set_err(err, errlen, "internal error: %s", msg);
        goto fail;
    }
    if (!verify(u->mod, err, errlen))
        goto fail;
    LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(u->mod, "default<O2>", u->tm, opts);
    LLVMDisposePassBuilderOptions(opts);
    if (e) {
        llgen_take_error(e, "optimising the generated code", err, errlen);
        goto fail;
    }
    return u;
fail:
    llgen_free(u);
    return NULL;
}

int llgen_dump_ir(const llgen_unit *u, FILE *out)
{
    if (!u->mod)
        return -1;
    char *ir = LLVMPrintModuleToString(u->mod);
    int rc = fputs(ir, out) < 0 ? -1 : 0;
    LLVMDisposeMessage(ir);
    return rc;
}

int llgen_emit_object(llgen_unit *u, const char *path, char *err, size_t errlen)
{
    if (!u->mod) {
        set_err(err, errlen, "the code was already handed to the JIT");
        return -1;
    }
    char *file = strdup(path); /* LLVM 14 takes a non-const file name */
    char *msg = NULL;
    if (!file) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    if (LLVMTargetMachineEmitToFile(u->tm, u->mod, file, LLVMObjectFile, &msg)) {
        set_err(err, errlen, "writing %s: %s", path, msg ? msg : "?");
        rc = -1;
    }
    LLVMDisposeMessage(msg);
    free(file);
    return rc;
}

void llgen_free(llgen_unit *u)
{
    if (!u)
        return;
    if (u->jit) {
        LLVMErrorRef e = LLVMOrcDisposeLLJIT(u->jit);
        if (e) {
            char msg[256];
            llgen_take_error(e, "releasing the JIT", msg, sizeof msg);
            fprintf(stderr, "featc: %s\n", msg);
        }
    }
    if (u->mod)
        LLVMDisposeModule(u->mod);
    if (u->tm)
        LLVMDisposeTargetMachine(u->tm);
    if (u->tsc)
        LLVMOrcDisposeThreadSafeContext(u->tsc);
    free(u);
}
