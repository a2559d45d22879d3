/* cmd_replay.c - `featc replay FILE ...`: JIT-compile a feature file and replay events through it. */
#include "driver.h"
#include "llgen.h"
#include "manifest.h"
#include "parquet.h"
#include "rt_main.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Where an option's value is in argv (argv[i] is "--name value" or "--name=value"): its
 * index and offset, or -1 when the option is not given. */
static int find_option(int argc, char **argv, const char *name, size_t *off)
{
    size_t n = strlen(name);
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], name, n) != 0)
            continue;
        if (argv[i][n] == '=') {
            *off = n + 1;
            return i;
        }
        if (argv[i][n] == '\0' && i + 1 < argc) {
            *off = 0;
            return i + 1;
        }
    }
    return -1;
}

/* Runs the replay; a Parquet --out is written as CSV beside it first, then converted. */
static int run(const plan *p, const char *manifest, size_t mlen, const rt_fn_table *fns, int argc, char **argv)
{
    size_t oo = 0, so = 0, vo = 0;
    int oi = find_option(argc, argv, "--out", &oo), si = find_option(argc, argv, "--spine", &so);
    int vi = find_option(argc, argv, "--service", &vo);
    if (si >= 0 && strncmp(argv[si] + so, "table:", 6) == 0) {
        fprintf(stderr, "featc replay: --spine %s: replay reads spine files; a table spine is for featc backfill\n",
                argv[si] + so);
        return EXIT_USAGE;
    }
    if (oi >= 0 && strncmp(argv[oi] + oo, "table:", 6) == 0) {
        fprintf(stderr, "featc replay: --out %s: replay writes files; a result table is for featc backfill\n",
                argv[oi] + oo);
        return EXIT_USAGE;
    }
    if (oi < 0 || !parquet_path(argv[oi] + oo))
        return rt_replay_main("featc", argc, argv, fns, manifest, (int64_t)mlen);
    const char *out = argv[oi] + oo;
    const plan_service *svc = vi >= 0 ? plan_find_service(p, argv[vi] + vo) : NULL;
    if (!svc || si < 0) /* the runtime reports what is missing */
        return rt_replay_main("featc", argc, argv, fns, manifest, (int64_t)mlen);
    strbuf tmp = STRBUF_INIT;
    strbuf_appendf(&tmp, "%s.tmp.csv", out);
    /* the same arguments, --out naming the CSV ("--out=X" becomes "--out" "TMP") */
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        abort();
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i == oi && oo > 0)
            args[n++] = "--out";
        args[n++] = i == oi ? (char *)strbuf_cstr(&tmp) : argv[i];
    }
    int rc = rt_replay_main("featc", n, args, fns, manifest, (int64_t)mlen);
    if (rc == 0) {
        char err[1024];
        if (parquet_write_result(p, svc, argv[si] + so, strbuf_cstr(&tmp), out, err, sizeof err) != 0) {
            fprintf(stderr, "featc replay: %s\n", err);
            rc = EXIT_INVALID;
        } else {
            fprintf(stderr, "featc replay: %s written as Parquet\n", out);
        }
    }
    remove(strbuf_cstr(&tmp));
    strbuf_free(&tmp);
    free(args);
    return rc;
}

int cmd_replay(int argc, char **argv)
{
    if (argc < 1 || argv[0][0] == '-') {
        fputs("usage: featc replay FILE --service S --spine SPINE --out OUT --events SOURCE=PATH|URL ...\n"
              "                    [--rejects PATH]      (SPINE and OUT: .csv or .parquet; PATH: .jsonl, .csv\n"
              "                                          or .parquet, a glob of Parquet files too)\n"
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
        rc = run(u.plan, manifest, mlen, fns, argc - 1, argv + 1);
    llgen_free(code);
    free(manifest);
    driver_free(&u);
    return rc;
}
