/* bench_common.c - shared pieces of the benchmark programs: clocks, statistics, results, compiling a .feat. */
#include "bench_common.h"

#include "manifest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    bench_check(n > 0, "median of no values");
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_quantile(const double *sorted, size_t n, double p)
{
    bench_check(n > 0, "quantile of no values");
    size_t rank = (size_t)ceil(p * (double)n);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

size_t bench_rss(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, resident = 0;
    int got = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    return got == 2 ? (size_t)resident * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

void bench_result(const char *name, double value, const char *unit, const char *text)
{
    printf("RESULT %s %.6g %s %s\n", name, value, unit, text ? text : "");
    fflush(stdout);
}

bool bench_prog_load(bench_prog *bp, const char *path)
{
    memset(bp, 0, sizeof *bp);
    char err[512];
    double t0 = bench_now();
    if (!driver_read(&bp->unit, path))
        return false;
    if (!driver_compile(&bp->unit))
        return false;
    double t1 = bench_now();
    bp->manifest = manifest_build(bp->unit.plan, &bp->manifest_len);
    if (!bp->manifest) {
        fprintf(stderr, "bench: %s: cannot build the manifest\n", path);
        return false;
    }
    bp->program = rt_program_parse(bp->manifest, bp->manifest_len, err, sizeof err);
    if (!bp->program) {
        fprintf(stderr, "bench: %s: %s\n", path, err);
        return false;
    }
    double t2 = bench_now();
    bp->llgen = llgen_compile(bp->unit.plan, NULL, 0, false, err, sizeof err);
    if (!bp->llgen) {
        fprintf(stderr, "bench: %s: %s\n", path, err);
        return false;
    }
    double t3 = bench_now();
    bp->fns = llgen_jit(bp->llgen, err, sizeof err);
    if (!bp->fns) {
        fprintf(stderr, "bench: %s: %s\n", path, err);
        return false;
    }
    double t4 = bench_now();
    bp->t_front = t1 - t0;
    bp->t_llgen = t3 - t2;
    bp->t_jit = t4 - t3;
    return true;
}

void bench_prog_free(bench_prog *bp)
{
    llgen_free(bp->llgen);
    rt_program_free(bp->program);
    free(bp->manifest);
    driver_free(&bp->unit);
    memset(bp, 0, sizeof *bp);
}

int bench_find_view(const rt_program *p, const char *name)
{
    for (int v = 0; v < p->nviews; v++)
        if (strcmp(p->views[v].name, name) == 0)
            return v;
    return -1;
}

uint64_t bench_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void bench_check(bool cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "bench: %s\n", what);
        exit(1);
    }
}
