/* llgen.h - the LLVM back end: a plan compiled to native code, run in-process or written out. */
#ifndef FEATC_LLGEN_H
#define FEATC_LLGEN_H

#include "plan.h"
#include "rt_abi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One compiled plan: an LLVM context and module (verified and optimised), the target
 * machine used for it and, once llgen_jit has run, the JIT holding its code. */
typedef struct llgen_unit llgen_unit;

/* Generates the code of plan p (see docs/codegen.md for the functions and globals it
 * defines). manifest/manifest_len: optional bytes emitted as the globals featc_manifest and
 * featc_manifest_len (manifest may be NULL). with_main: also define
 * `int main(int argc, char **argv)` calling rt_binary_main, for an AOT executable.
 * Returns a unit the caller frees with llgen_free, or NULL with a message in err (an
 * internal error: the plan is malformed or the IR failed to verify; the IR is then also
 * printed to stderr). err may be NULL when errlen is 0. */
llgen_unit *llgen_compile(const plan *p, const char *manifest, size_t manifest_len, bool with_main, char *err,
                          size_t errlen);

/* Prints the unit's (optimised) IR as text. Returns 0, or -1 when the module was already
 * handed to the JIT or writing failed. */
int llgen_dump_ir(const llgen_unit *u, FILE *out);

/* Writes the unit's code as a relocatable object file for the host (position independent,
 * for linking into a PIE executable with libfeatrt). Returns 0, or -1 with err set. Must be
 * called before llgen_jit, which takes the module. */
int llgen_emit_object(llgen_unit *u, const char *path, char *err, size_t errlen);

/* Compiles the unit in-process and returns its featc_fn_table, or NULL with err set. Runtime
 * functions are resolved through rt_symbols (runtime/rt_symbols.h); the code and the table
 * live until llgen_free. Not for units built with_main. Calling it twice returns the same
 * table. */
const rt_fn_table *llgen_jit(llgen_unit *u, char *err, size_t errlen);

/* Releases the unit, its JIT and all generated code. NULL is allowed. */
void llgen_free(llgen_unit *u);

#endif
