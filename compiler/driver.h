/* driver.h - the compilation pipeline shared by every featc command: read, parse, check, plan. */
#ifndef FEATC_DRIVER_H
#define FEATC_DRIVER_H

#include "ast.h"
#include "diag.h"
#include "plan.h"

typedef struct driver_unit {
    arena mem;
    diag_ctx diag;
    char *src;
    size_t src_len;
    ast_file *ast;
    plan *plan; /* NULL until checked without errors */
    diag_format format; /* how driver_compile reports (DIAG_TEXT unless set after driver_read) */
} driver_unit;

/* Exit codes of every command. */
enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* Reads path into u (any bytes). Returns false with a message on stderr when it cannot. */
bool driver_read(driver_unit *u, const char *path);
/* parse -> check -> plan, straight line. Prints every diagnostic: as text to stderr, or in
 * u->format to stdout (a JSON document is written even when there is nothing to report).
 * Returns true when the file is valid (u->plan set). */
bool driver_compile(driver_unit *u);
void driver_free(driver_unit *u);

/* Commands: each takes argv after the command name. Returns the process exit code. */
int cmd_check(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_backfill(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_parity(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_plan(int argc, char **argv);

#endif
