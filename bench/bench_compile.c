/* bench_compile.c - JIT and AOT compile times of .feat files, and the AOT feature binary the serving test runs. */
#include "bench_common.h"

#include "manifest.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Stage times of one compilation, in seconds. */
typedef struct stages {
    double front, llgen, jit, object, link;
} stages;

/* Runs argv as a child process; true when it exits 0. */
static bool run_cmd(char *const *argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* JIT path: front end, manifest, IR (optimised), machine code in memory. */
static bool time_jit(const char *path, stages *s)
{
    bench_prog bp;
    bool ok = bench_prog_load(&bp, path);
    if (ok) {
        s->front = bp.t_front;
        s->llgen = bp.t_llgen;
        s->jit = bp.t_jit;
    }
    bench_prog_free(&bp);
    return ok;
}

/* AOT path: front end, manifest, IR with main and the embedded manifest, object file, then
 * the link with libfeatrt (what `featc build` does) into binary. */
static bool time_aot(const char *path, const char *libdir, const char *object, const char *binary, stages *s)
{
    driver_unit u;
    char err[512];
    double t0 = bench_now();
    if (!driver_read(&u, path) || !driver_compile(&u)) {
        driver_free(&u);
        return false;
    }
    double t1 = bench_now();
    size_t mlen = 0;
    char *m = manifest_build(u.plan, &mlen);
    llgen_unit *lu = m ? llgen_compile(u.plan, m, mlen, true, err, sizeof err) : NULL;
    double t2 = bench_now();
    bool ok = lu && llgen_emit_object(lu, object, err, sizeof err) == 0;
    double t3 = bench_now();
    if (!ok)
        fprintf(stderr, "bench_compile: %s: %s\n", path, m ? err : "cannot build the manifest");
    llgen_free(lu);
    free(m);
    driver_free(&u);
    if (!ok)
        return false;
    char lib[1024];
    snprintf(lib, sizeof lib, "%s/libfeatrt.a", libdir);
    char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    /* BENCH_LINK_FLAGS: extra flags for the link, e.g. the sanitizers libfeatrt was built with. */
    char extra[512] = "";
    if (getenv("BENCH_LINK_FLAGS"))
        snprintf(extra, sizeof extra, "%s", getenv("BENCH_LINK_FLAGS"));
    char *argv[32];
    int n = 0;
    argv[n++] = cc;
    for (char *save = NULL, *tok = strtok_r(extra, " ", &save); tok && n < 20; tok = strtok_r(NULL, " ", &save))
        argv[n++] = tok;
    char *const rest[] = {"-o", (char *)binary, (char *)object, lib, "-lmicrohttpd", "-lyajl", "-lm", "-lpthread"};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        argv[n++] = rest[i];
    argv[n] = NULL;
    double t4 = bench_now();
    ok = run_cmd(argv);
    double t5 = bench_now();
    if (!ok)
        fprintf(stderr, "bench_compile: linking %s failed\n", binary);
    *s = (stages){.front = t1 - t0, .llgen = t2 - t1, .object = t3 - t2, .link = t5 - t4};
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_compile RUNS LIBDIR OUTDIR FILE.feat...\n"
                        "  builds OUTDIR/NAME (the AOT binary of each file) and reports median stage times\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    const char *libdir = argv[2], *outdir = argv[3];
    bench_check(runs > 0 && runs <= 100, "bad RUNS");
    int failures = 0;
    for (int f = 4; f < argc; f++) {
        char *copy = strdup(argv[f]);
        char name[256];
        snprintf(name, sizeof name, "%s", basename(copy));
        free(copy);
        char *dot = strrchr(name, '.');
        if (dot)
            *dot = '\0';
        char object[1024], binary[1024];
        snprintf(object, sizeof object, "%s/%s.o", outdir, name);
        snprintf(binary, sizeof binary, "%s/%s", outdir, name);
        double jit[100], aot[100], parts[5][100];
        bool ok = true;
        for (int r = 0; r < runs && ok; r++) {
            stages j = {0}, a = {0};
            ok = time_jit(argv[f], &j) && time_aot(argv[f], libdir, object, binary, &a);
            jit[r] = j.front + j.llgen + j.jit;
            aot[r] = a.front + a.llgen + a.object + a.link;
            parts[0][r] = j.front;
            parts[1][r] = j.llgen;
            parts[2][r] = j.jit;
            parts[3][r] = a.object;
            parts[4][r] = a.link;
        }
        if (!ok) {
            fprintf(stderr, "bench_compile: %s failed\n", argv[f]);
            failures++;
            continue;
        }
        char rname[300], text[512];
        snprintf(text, sizeof text,
                 "file=%s front=%.1fms llgen=%.1fms jit=%.1fms object=%.1fms link=%.1fms; median of %d runs", argv[f],
                 bench_median(parts[0], (size_t)runs) * 1e3, bench_median(parts[1], (size_t)runs) * 1e3,
                 bench_median(parts[2], (size_t)runs) * 1e3, bench_median(parts[3], (size_t)runs) * 1e3,
                 bench_median(parts[4], (size_t)runs) * 1e3, runs);
        snprintf(rname, sizeof rname, "compile_jit_ms_%s", name);
        bench_result(rname, bench_median(jit, (size_t)runs) * 1e3, "ms", text);
        snprintf(rname, sizeof rname, "compile_aot_ms_%s", name);
        bench_result(rname, bench_median(aot, (size_t)runs) * 1e3, "ms", text);
    }
    return failures ? 1 : 0;
}
