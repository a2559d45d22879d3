/* fuzz_parse.c - libFuzzer target: any bytes through the scanner, the parser, the diagnostics and the AST dump. */
#include "ast.h"
#include "diag.h"
#include "parse.h"

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
    if (diag_count(&d) > 0) /* as the driver does: diag_print sorts, and qsort wants items */
        diag_print(&d, sink);
    ast_dump(file, sink);
    arena_free(&mem);
    return 0;
}
