/* fuzz_main.c - runs a fuzz target's check over files and directories without libFuzzer (regression runs in `make test`). */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one file to the target; false when it cannot be read. */
static bool run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return false;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    bool ok = buf && !ferror(f);
    fclose(f);
    if (ok) {
        /* an exact-size copy, so that reading past the input is caught as by libFuzzer */
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, buf, n);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    } else {
        fprintf(stderr, "cannot read %s\n", path);
    }
    free(buf);
    return ok;
}

/* Feeds a file, or every file of a directory (not recursing, in name order); returns how
 * many inputs ran, or -1 when one could not be read. */
static long run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "no such file: %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path) ? 1 : -1;
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0)
        return -1;
    char **files = calloc((size_t)n + 1, sizeof *files);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            files[k] = malloc(strlen(path) + strlen(names[i]->d_name) + 2);
            sprintf(files[k++], "%s/%s", path, names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
    long ran = 0;
    for (int i = 0; i < k; i++) {
        struct stat fs;
        if (stat(files[i], &fs) == 0 && S_ISREG(fs.st_mode)) {
            if (!run_file(files[i]))
                ran = -1;
            else if (ran >= 0)
                ran++;
        }
        free(files[i]);
    }
    free(files);
    return ran;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...  (a check that fails aborts)\n", argv[0]);
        return 2;
    }
    long total = 0;
    for (int i = 1; i < argc; i++) {
        long ran = run_path(argv[i]);
        if (ran < 0)
            return 1;
        total += ran;
    }
    printf("%s: %ld inputs passed\n", argv[0], total);
    return 0;
}
