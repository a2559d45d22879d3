/* main.c - featc's entry point: dispatches to one command per subcommand. */
#include "driver.h"
#include "parquet.h"
#include "rt_version.h"

#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command;

static const command COMMANDS[] = {
    {"check", cmd_check,
     "featc check FILE [--dump=ast|plan] [--format text|json|github]\n"
     "                                          parse and type-check"},
    {"plan", cmd_plan,
     "featc plan OLD NEW [--format text|json] [--allow-breaking]\n"
     "                                          what the change does to what is served; exit 3 when it breaks"},
    {"fmt", cmd_fmt,
     "featc fmt FILE | --check FILE... | -w FILE...\n"
     "                                          the canonical layout: print, check or rewrite"},
    {"backfill", cmd_backfill,
     "featc backfill FILE --service S --spine SPINE --out OUT [--db URL] [--events SOURCE=PATH ...]\n"
     "                                          [--rejects PATH] [--keep-late]; SPINE, OUT: .csv, .parquet or table:NAME"},
    {"sql", cmd_sql,
     "featc sql FILE --service S --dialect {duckdb,sqlite,postgres} [--keep-late]   print the backfill query"},
    {"replay", cmd_replay,
     "featc replay FILE --service S --spine SPINE --out OUT --events SOURCE=PATH|URL ...\n"
     "                                          native runtime (JIT), events and spine in time order"},
    {"build", cmd_build, "featc build FILE -o BINARY              a standalone runtime executable (serve, replay)"},
    {"parity", cmd_parity,
     "featc parity FILE --service S --spine SPINE --events SOURCE=PATH ... [--db URL]\n"
     "                                          both paths on the same inputs, then a diff"},
};

static int usage(FILE *out)
{
    fputs("usage:\n  featc --version\n", out);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(out, "  %s\n", COMMANDS[i].usage);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    parquet_install();
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_VALID;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("featc %s\n", FEATC_VERSION);
        return EXIT_VALID;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 2, argv + 2);
    fprintf(stderr, "featc: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
