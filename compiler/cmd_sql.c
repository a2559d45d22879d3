/* cmd_sql.c - `featc sql FILE --service S --dialect D [--keep-late]`: prints a service's backfill query. */
#include "driver.h"
#include "sql/sqlgen.h"

#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fputs("usage: featc sql FILE --service S --dialect {duckdb,sqlite,postgres} [--shape simple|fast] [--keep-late]\n",
          stderr);
    return EXIT_USAGE;
}

/* Parses "duckdb", "sqlite" or "postgres" (also "postgresql"). */
static bool parse_dialect(const char *s, db_dialect *out)
{
    if (strcmp(s, "duckdb") == 0)
        *out = DB_DUCKDB;
    else if (strcmp(s, "sqlite") == 0)
        *out = DB_SQLITE;
    else if (strcmp(s, "postgres") == 0 || strcmp(s, "postgresql") == 0)
        *out = DB_POSTGRES;
    else
        return false;
    return true;
}

int cmd_sql(int argc, char **argv)
{
    const char *file = NULL, *service = NULL, *dialect = NULL, *shape = NULL;
    bool keep_late = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--keep-late") == 0) {
            keep_late = true;
            continue;
        }
        const char **slot = strcmp(a, "--service") == 0   ? &service
                            : strcmp(a, "--dialect") == 0 ? &dialect
                            : strcmp(a, "--shape") == 0   ? &shape
                                                          : NULL;
        if (slot) {
            if (i + 1 >= argc) {
                fprintf(stderr, "featc sql: %s needs a value\n", a);
                return EXIT_USAGE;
            }
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "featc sql: unknown option '%s'\n", a);
            return usage();
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "featc sql: one file at a time ('%s' is extra)\n", a);
            return EXIT_USAGE;
        }
    }
    if (!file || !service || !dialect)
        return usage();
    sqlgen_options o = {.shape = SQLGEN_AUTO, .spine_columns = true, .keep_late = keep_late};
    if (!parse_dialect(dialect, &o.dialect)) {
        fprintf(stderr, "featc sql: unknown dialect '%s' (duckdb, sqlite or postgres)\n", dialect);
        return EXIT_USAGE;
    }
    if (shape) {
        if (strcmp(shape, "simple") == 0)
            o.shape = SQLGEN_SIMPLE;
        else if (strcmp(shape, "fast") == 0)
            o.shape = SQLGEN_FAST;
        else {
            fprintf(stderr, "featc sql: --shape takes 'simple' or 'fast', not '%s'\n", shape);
            return EXIT_USAGE;
        }
    }
    driver_unit u;
    if (!driver_read(&u, file)) {
        driver_free(&u);
        return EXIT_USAGE;
    }
    int rc = EXIT_INVALID;
    if (driver_compile(&u)) {
        const plan_service *svc = plan_find_service(u.plan, service);
        if (!svc) {
            fprintf(stderr, "featc sql: %s has no service '%s'\n", file, service);
        } else {
            char err[512];
            char *sql = sqlgen_query(u.plan, svc, &o, err, sizeof err);
            if (!sql) {
                fprintf(stderr, "featc sql: %s: %s\n", file, err);
            } else {
                fputs(sql, stdout);
                free(sql);
                rc = fflush(stdout) == 0 ? EXIT_VALID : EXIT_INVALID;
            }
        }
    }
    driver_free(&u);
    return rc;
}
