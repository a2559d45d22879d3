/* cmd_replay.c - `featc replay FILE ...`: JIT-compile a feature file and replay events through it. */
#include "driver.h"
#include "llgen.h"
#include "manifest.h"
#include "rt_main.h"

#include <stdlib.h>
#include <string.h>

int cmd_replay(int argc, char **argv)
{
    if (argc < 1 || argv[0][0] == '-') {
        fputs("usage: featc replay FILE --service S --spine SPINE.csv --out OUT.csv --events SOURCE=PATH|URL ...\n"
              "                    [--rejects PATH]\n"
              "       URL: kafka://HOST:PORT[,...]/TOPIC?group=GROUP or redis://HOST:PORT/STREAMKEY[?field=F]\n"
              "            (read up to what the stream holds at the start)\n",
              stderr);
        return EXIT_USAGE;
    }
    driver_unit u;
    if (!driver_read(&u, argv[0])) {
        driver_free(&u);
        return EXIT_USAGE;
    }
    if (!driver_compile(&u)) {
        driver_free(&u);
        return EXIT_INVALID;
    }
    int rc = EXIT_INVALID;
    size_t mlen = 0;
    char *manifest = manifest_build(u.plan, &mlen);
    char err[1024];
    llgen_unit *code = manifest ? llgen_compile(u.plan, NULL, 0, false, err, sizeof err) : NULL;
    const rt_fn_table *fns = code ? llgen_jit(code, err, sizeof err) : NULL;
    if (!manifest)
        fputs("featc replay: cannot describe the plan to the runtime\n", stderr);
    else if (!fns)
        fprintf(stderr, "featc replay: internal error: %s\n", err);
    else
        rc = rt_replay_main("featc", argc - 1, argv + 1, fns, manifest, (int64_t)mlen);
    llgen_free(code);
    free(manifest);
    driver_free(&u);
    return rc;
}
