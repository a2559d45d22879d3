/* cmd_check.c - `featc check FILE [--dump=ast|plan] [--format text|json|github]`: parse and type-check a feature file. */
#include "driver.h"

#include <string.h>

int cmd_check(int argc, char **argv)
{
    const char *file = NULL, *dump = NULL, *format = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--dump=", 7) == 0)
            dump = argv[i] + 7;
        else if (strncmp(argv[i], "--format=", 9) == 0)
            format = argv[i] + 9;
        else if (strcmp(argv[i], "--format") == 0) {
            if (i + 1 == argc) {
                fputs("featc check: option '--format' needs a value (text, json or github)\n", stderr);
                return EXIT_USAGE;
            }
            format = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "featc check: unknown option '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else if (!file)
            file = argv[i];
        else {
            fprintf(stderr, "featc check: one file at a time ('%s' is extra)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!file) {
        fputs("usage: featc check FILE [--dump=ast|plan] [--format text|json|github]\n", stderr);
        return EXIT_USAGE;
    }
    diag_format fmt = DIAG_TEXT;
    if (format && !diag_format_parse(format, &fmt)) {
        fprintf(stderr, "featc check: --format takes 'text', 'json' or 'github', not '%s'\n", format);
        return EXIT_USAGE;
    }
    if (fmt != DIAG_TEXT && dump) {
        fputs("featc check: --dump and --format json|github both write to stdout; use one\n", stderr);
        return EXIT_USAGE;
    }
    if (dump && strcmp(dump, "ast") != 0 && strcmp(dump, "plan") != 0) {
        fprintf(stderr, "featc check: --dump takes 'ast' or 'plan', not '%s'\n", dump);
        return EXIT_USAGE;
    }
    driver_unit u;
    if (!driver_read(&u, file)) {
        driver_free(&u);
        return EXIT_USAGE;
    }
    u.format = fmt;
    bool ok = driver_compile(&u);
    if (dump && strcmp(dump, "ast") == 0 && u.ast)
        ast_dump(u.ast, stdout);
    if (ok && dump && strcmp(dump, "plan") == 0)
        plan_dump(u.plan, stdout);
    driver_free(&u);
    return ok ? EXIT_VALID : EXIT_INVALID;
}
