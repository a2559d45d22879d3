/* rt_main.h - the command line of a built feature binary (`featc build`): serve and replay. */
#ifndef FEATRT_MAIN_H
#define FEATRT_MAIN_H

#include "rt_abi.h"

#include <stdint.h>

/* The whole program of a built binary; the generated `main` calls it with the embedded
 * function table and manifest text (manifest_len bytes). Subcommands:
 *     serve  --listen HOST:PORT [--events SOURCE=PATH|URL ...] [--state DIR]
 *            [--rejects PATH] [--retain DURATION|all] [--threads N] [--resume SOURCE=POSITION ...]
 *     replay --service S --spine SPINE.csv --out OUT.csv [--events SOURCE=PATH|URL ...]
 *            [--rejects PATH]
 * A URL is kafka://... or redis://... (rt_source.h).
 * Returns the exit code: 0 success, 1 failure (a corrupt manifest, unreadable input, a
 * server that cannot start), 2 bad usage. */
int rt_binary_main(int argc, char **argv, const rt_fn_table *fns, const char *manifest, int64_t manifest_len);

/* `featc replay`: the same replay command for a program compiled in-process. argv[0..argc)
 * are the options only (what follows `BINARY replay`); prog names the program in messages.
 * Same exit codes. */
int rt_replay_main(const char *prog, int argc, char **argv, const rt_fn_table *fns, const char *manifest,
                   int64_t manifest_len);

#endif
