/* cmd_build.c - `featc build FILE -o BINARY`: compile ahead of time and link with libfeatrt. */
#include "driver.h"
#include "llgen.h"
#include "manifest.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef FEATC_SAN_FLAGS
#define FEATC_SAN_FLAGS ""
#endif

/* The runtime archive to link: $FEATC_RUNTIME, else libfeatrt.a beside the featc executable. */
static bool find_runtime(char *out, size_t n)
{
    const char *env = getenv("FEATC_RUNTIME");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return access(out, R_OK) == 0;
    }
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return false;
    self[len] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return false;
    *slash = '\0';
    if ((size_t)snprintf(out, n, "%.*s/libfeatrt.a", (int)(n > 16 ? n - 16 : 0), self) >= n)
        return false;
    return access(out, R_OK) == 0;
}

/* Runs argv (no shell) and waits; returns its exit status or -1 when it could not start. */
static int run_program(char *const argv[])
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "featc build: cannot run '%s': %s\n", argv[0], strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Links object with the runtime into binary using the system C compiler ($CC or cc). */
static bool link_binary(const char *object, const char *runtime, const char *binary)
{
    const char *cc = getenv("CC");
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)(cc && *cc ? cc : "cc");
    char san[256];
    snprintf(san, sizeof san, "%s", FEATC_SAN_FLAGS);
    for (char *tok = strtok(san, " "); tok && n < 16; tok = strtok(NULL, " "))
        argv[n++] = tok;
    argv[n++] = "-o";
    argv[n++] = (char *)binary;
    argv[n++] = (char *)object;
    argv[n++] = (char *)runtime;
    const char *libs[] = {"-lmicrohttpd", "-lyajl", "-lrdkafka", "-lhiredis", "-lm", "-lpthread"};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
        argv[n++] = (char *)libs[i];
    argv[n] = NULL;
    return run_program(argv) == 0;
}

int cmd_build(int argc, char **argv)
{
    const char *file = NULL, *binary = NULL;
    bool emit_ir = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            binary = argv[++i];
        else if (strcmp(argv[i], "--emit-ir") == 0)
            emit_ir = true;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "featc build: unknown option '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else if (!file)
            file = argv[i];
        else {
            fprintf(stderr, "featc build: one file at a time ('%s' is extra)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!file || (!binary && !emit_ir)) {
        fputs("usage: featc build FILE -o BINARY [--emit-ir]\n", stderr);
        return EXIT_USAGE;
    }
    char runtime[PATH_MAX];
    if (binary && !find_runtime(runtime, sizeof runtime)) {
        fputs("featc build: cannot find libfeatrt.a beside featc (set FEATC_RUNTIME to its path)\n", stderr);
        return EXIT_USAGE;
    }
    driver_unit u;
    if (!driver_read(&u, file)) {
        driver_free(&u);
        return EXIT_USAGE;
    }
    if (!driver_compile(&u)) {
        driver_free(&u);
        return EXIT_INVALID;
    }
    int rc = EXIT_INVALID;
    size_t mlen = 0;
    char *manifest = manifest_build(u.plan, &mlen);
    char err[1024];
    llgen_unit *code = manifest ? llgen_compile(u.plan, manifest, mlen, true, err, sizeof err) : NULL;
    char object[PATH_MAX] = "";
    if (!code) {
        fprintf(stderr, "featc build: internal error: %s\n", manifest ? err : "cannot describe the plan");
    } else if (emit_ir) {
        rc = llgen_dump_ir(code, stdout) == 0 ? EXIT_VALID : EXIT_INVALID;
    } else {
        snprintf(object, sizeof object, "%s.featc-XXXXXX.o", binary);
        int fd = mkstemps(object, 2);
        if (fd < 0) {
            fprintf(stderr, "featc build: cannot create '%s': %s\n", object, strerror(errno));
            object[0] = '\0';
        } else {
            close(fd);
            if (llgen_emit_object(code, object, err, sizeof err) != 0)
                fprintf(stderr, "featc build: %s\n", err);
            else if (!link_binary(object, runtime, binary))
                fprintf(stderr, "featc build: linking '%s' failed\n", binary);
            else
                rc = EXIT_VALID;
        }
    }
    if (object[0])
        unlink(object);
    llgen_free(code);
    free(manifest);
    driver_free(&u);
    return rc;
}
