/* bench_common.h - shared pieces of the benchmark programs: clocks, statistics, results, compiling a .feat. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include "driver.h"
#include "llvm/llgen.h"
#include "rt_abi.h"
#include "rt_manifest.h"
#include "rt_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Monotonic wall-clock time in seconds, and CPU time of the calling thread in seconds. */
double bench_now(void);
double bench_thread_cpu(void);

/* Sorts v[n] in place and returns its median (the mean of the middle two when n is even).
 * n must be positive. */
double bench_median(double *v, size_t n);

/* The p-quantile (0..1) of sorted[n] by the nearest-rank method; n must be positive. */
double bench_quantile(const double *sorted, size_t n, double p);

/* Resident set size of this process in bytes (from /proc/self/statm), 0 when unknown. */
size_t bench_rss(void);

/* Prints one result line that bench/run.sh collects:
 *     RESULT <name> <value> <unit> <free text>
 * name has no spaces; the text may be empty. */
void bench_result(const char *name, double value, const char *unit, const char *text);

/* A .feat file compiled in-process for the JIT: plan, manifest text, parsed runtime program
 * and the generated function table. Times of each stage are kept (seconds). */
typedef struct bench_prog {
    driver_unit unit;
    char *manifest;
    size_t manifest_len;
    llgen_unit *llgen;
    const rt_fn_table *fns;
    rt_program *program;
    double t_front;  /* read + parse + check + plan */
    double t_llgen;  /* IR generation, verification and optimisation */
    double t_jit;    /* machine code in memory */
} bench_prog;

/* Compiles path. Returns false with a message on stderr; bench_prog_free is safe after either
 * outcome. */
bool bench_prog_load(bench_prog *bp, const char *path);
void bench_prog_free(bench_prog *bp);

/* Index of a named view or service in the program, or -1. */
int bench_find_view(const rt_program *p, const char *name);

/* splitmix64: a small reproducible generator for the key streams of the benchmarks. */
uint64_t bench_rand(uint64_t *state);

/* Exits with a message when cond is false (for setup failures, not measurements). */
void bench_check(bool cond, const char *what);

#endif
