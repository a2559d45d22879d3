/* parity_run.c - the process side of parity: event file filtering, child processes, clean-up. */
#include "parity.h"

#include "parquet.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool parity_path_is_csv(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcmp(path + n - 4, ".csv") == 0;
}

bool parity_filter_events(const char *in_path, const char *out_path, bool csv, const uint64_t *drop, int ndrop,
                          char *err, size_t errlen)
{
    if (parquet_path(in_path))
        return parquet_copy_without(in_path, out_path, drop, ndrop, err, errlen) == 0;
    size_t len;
    char *data = parity_read_file(in_path, &len, err, errlen);
    if (!data)
        return false;
    FILE *f = fopen(out_path, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot create '%s': %s", out_path, strerror(errno));
        free(data);
        return false;
    }
    arena mem;
    arena_init(&mem);
    parity_span *recs;
    int n = parity_split_records(&mem, data, len, csv, &recs);
    int k = 0;
    for (int i = 0; i < n; i++) {
        while (k < ndrop && drop[k] < recs[i].line)
            k++;
        if (k < ndrop && drop[k] == recs[i].line)
            continue;
        fwrite(data + recs[i].begin, 1, recs[i].end - recs[i].begin, f);
    }
    arena_free(&mem);
    free(data);
    if (fclose(f) != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", out_path, strerror(errno));
        return false;
    }
    return true;
}

pid_t parity_spawn(const char *exe, char *const argv[], const char *out_path, const char *err_path, char *err,
                   size_t errlen)
{
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int er = out >= 0 ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    if (out < 0 || er < 0) {
        snprintf(err, errlen, "cannot create '%s': %s", out < 0 ? out_path : err_path, strerror(errno));
        if (out >= 0)
            close(out);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* its own group, so a timeout stops its children too */
        if (dup2(out, 1) < 0 || dup2(er, 2) < 0)
            _exit(127);
        execv(exe, argv);
        dprintf(2, "featc parity: cannot run '%s': %s\n", exe, strerror(errno));
        _exit(127);
    }
    int saved = errno;
    close(out);
    close(er);
    if (pid < 0) {
        snprintf(err, errlen, "cannot start a process: %s", strerror(saved));
        return -1;
    }
    setpgid(pid, pid); /* also from here, whichever runs first */
    return pid;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int parity_wait(pid_t pid, double timeout_s)
{
    double start = now_s();
    long nap_ns = 1000000;
    for (;;) {
        int status;
        pid_t got = waitpid(pid, &status, timeout_s > 0 ? WNOHANG : 0);
        if (got == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
        if (got < 0 && errno != EINTR)
            return -1;
        if (got == 0 && now_s() - start > timeout_s) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            return 128 + SIGKILL;
        }
        if (got == 0) {
            struct timespec nap = {0, nap_ns};
            nanosleep(&nap, NULL);
            if (nap_ns < 50000000)
                nap_ns *= 2;
        }
    }
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void parity_remove_tree(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
