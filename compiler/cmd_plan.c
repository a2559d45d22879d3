/* cmd_plan.c - `featc plan OLD NEW`: what a change to a feature file does to what is served, by meaning. */
#include "driver.h"
#include "plan_diff.h"

#include <string.h>

/* Exit code when something breaks (without --allow-breaking). */
enum { EXIT_BREAKING = 3 };

static const char USAGE[] = "usage: featc plan OLD.feat NEW.feat [--format text|json] [--allow-breaking]\n";

int cmd_plan(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *format = "text";
    bool allow = false;
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--allow-breaking") == 0)
            allow = true;
        else if (strncmp(a, "--format=", 9) == 0)
            format = a + 9;
        else if (strcmp(a, "--format") == 0 && i + 1 < argc)
            format = argv[++i];
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "featc plan: unknown option '%s'\n%s", a, USAGE);
            return EXIT_USAGE;
        } else if (nfiles == 2) {
            fprintf(stderr, "featc plan: two files, the old and the new ('%s' is extra)\n%s", a, USAGE);
            return EXIT_USAGE;
        } else
            files[nfiles++] = a;
    }
    if (nfiles != 2) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    bool json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) {
        fprintf(stderr, "featc plan: --format takes 'text' or 'json', not '%s'\n", format);
        return EXIT_USAGE;
    }
    driver_unit u[2];
    int rc = EXIT_VALID;
    bool touched[2] = {false, false}; /* driver_read ran (it sets up u[k] even when it fails) */
    for (int k = 0; k < 2 && rc == EXIT_VALID; k++) {
        touched[k] = true;
        if (!driver_read(&u[k], files[k]))
            rc = EXIT_USAGE;
        else if (!driver_compile(&u[k])) {
            fprintf(stderr, "featc plan: %s is not a valid feature file\n", files[k]);
            rc = EXIT_INVALID;
        }
    }
    if (rc == EXIT_VALID) {
        pdiff d;
        pdiff_compare(&u[1].mem, u[0].plan, u[1].plan, &d);
        if (json)
            pdiff_print_json(&d, stdout);
        else
            pdiff_print_text(&d, files[0], files[1], stdout);
        rc = d.breaking && !allow ? EXIT_BREAKING : EXIT_VALID;
    }
    for (int k = 0; k < 2; k++)
        if (touched[k])
            driver_free(&u[k]);
    return rc;
}
