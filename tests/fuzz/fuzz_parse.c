/* fuzz_parse.c - libFuzzer target: any bytes through the scanner, parser, type checker, plan dump and diagnostics. */
#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "plan.h"
#include "sema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Opened once: reopening /dev/null for every input would dominate the run time. */
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    arena mem;
    arena_init(&mem);
    diag_ctx d;
    diag_init(&d, &mem, "fuzz.feat", (const char *)data, size);
    ast_file *file = parse_source(&mem, &d, (const char *)data, size);
    if (!file)
        abort(); /* parse_source never returns NULL */
    ast_dump(file, sink);
    if (diag_count(&d) == 0) { /* as the driver does: only a clean tree is checked */
        plan *p = sema_build_plan(&mem, &d, file);
        if (diag_count(&d) == 0)
            plan_dump(p, sink);
    }
    diag_print(&d, sink);
    arena_free(&mem);
    return 0;
}
