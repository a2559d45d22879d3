/* cmd_backfill.c - `featc backfill FILE --service S --spine SPINE --out OUT [--db URL] [--events SOURCE=PATH ...] [--keep-late]`. */
#include "backfill.h"
#include "driver.h"

#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fputs("usage: featc backfill FILE --service S --spine SPINE --out OUT [--db URL]\n"
          "                      [--events SOURCE=PATH ...] [--rejects PATH] [--keep-late] [--shape simple]\n"
          "  SPINE, OUT: a .csv or .parquet file, or table:NAME (a table of the database)\n"
          "  PATH: a .jsonl, .ndjson, .csv or .parquet file, or a glob of .parquet files\n",
          stderr);
    return EXIT_USAGE;
}

int cmd_backfill(int argc, char **argv)
{
    const char *file = NULL, *service = NULL, *shape = NULL;
    backfill_options o = {.rejects = "-"};
    backfill_events *ev = calloc((size_t)argc + 1, sizeof *ev);
    if (!ev) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    int rc = EXIT_USAGE;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--service") == 0   ? &service
                            : strcmp(a, "--spine") == 0   ? &o.spine
                            : strcmp(a, "--out") == 0     ? &o.out
                            : strcmp(a, "--db") == 0      ? &o.db_url
                            : strcmp(a, "--rejects") == 0 ? &o.rejects
                            : strcmp(a, "--shape") == 0   ? &shape
                                                          : NULL;
        if (strcmp(a, "--keep-late") == 0) {
            o.keep_late = true;
        } else if (slot || strcmp(a, "--events") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "featc backfill: %s needs a value\n", a);
                goto out;
            }
            const char *v = argv[++i];
            if (slot) {
                *slot = v;
                continue;
            }
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1]) {
                fprintf(stderr, "featc backfill: --events takes SOURCE=PATH, not '%s'\n", v);
                goto out;
            }
            char *name = strndup(v, (size_t)(eq - v));
            if (!name) {
                fputs("featc: out of memory\n", stderr);
                abort();
            }
            ev[o.nevents++] = (backfill_events){.source = name, .path = eq + 1};
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "featc backfill: unknown option '%s'\n", a);
            usage();
            goto out;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "featc backfill: one file at a time ('%s' is extra)\n", a);
            goto out;
        }
    }
    if (!file || !service || !o.spine || !o.out) {
        usage();
        goto out;
    }
    if (shape && strcmp(shape, "simple") != 0 && strcmp(shape, "auto") != 0) {
        fprintf(stderr, "featc backfill: --shape takes 'simple' or 'auto', not '%s'\n", shape);
        goto out;
    }
    o.simple_shape = shape && strcmp(shape, "simple") == 0;
    o.events = ev;
    driver_unit u;
    if (!driver_read(&u, file)) {
        driver_free(&u);
        goto out;
    }
    rc = EXIT_INVALID;
    if (driver_compile(&u)) {
        const plan_service *svc = plan_find_service(u.plan, service);
        if (!svc)
            fprintf(stderr, "featc backfill: %s has no service '%s'\n", file, service);
        else
            rc = backfill_run(u.plan, svc, &o);
    }
    driver_free(&u);
out:
    for (int i = 0; i < o.nevents; i++)
        free((char *)ev[i].source);
    free(ev);
    return rc;
}
