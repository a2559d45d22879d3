/* cmd_fmt.c - `featc fmt FILE... [--check | -w]`: print, check or rewrite feature files in the canonical layout. */
#include "driver.h"
#include "fmt.h"
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] = "usage: featc fmt FILE            print FILE in the canonical layout\n"
                            "       featc fmt --check FILE... exit 1 naming the files that are not\n"
                            "       featc fmt -w FILE...      rewrite the files in place\n";

/* The tree of src printed without positions: equal trees mean the same file to featc. */
static char *tree_text(const char *name, const char *src, size_t len, bool *ok)
{
    arena mem;
    arena_init(&mem);
    diag_ctx d;
    diag_init(&d, &mem, name, src, len);
    ast_file *f = parse_source(&mem, &d, src, len);
    char *text = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&text, &n);
    if (!out)
        abort();
    *ok = diag_count(&d) == 0;
    if (*ok)
        ast_dump(f, out);
    else
        diag_print(&d, stderr);
    fclose(out);
    arena_free(&mem);
    return text;
}

/* Writes text to path through a temporary file renamed over it. */
static bool write_atomically(const char *path, const char *text, size_t len)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    snprintf(tmp, n, "%s.fmt-tmp", path);
    FILE *f = fopen(tmp, "w");
    bool ok = f && fwrite(text, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "featc fmt: cannot write '%s': %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

/* Formats one file; *changed tells whether the layout differs. Returns an exit code. */
static int format_one(const char *path, int mode, bool *changed)
{
    driver_unit u;
    if (!driver_read(&u, path)) {
        driver_free(&u);
        return EXIT_USAGE;
    }
    u.ast = parse_source(&u.mem, &u.diag, u.src, u.src_len);
    if (diag_count(&u.diag) > 0) {
        diag_print(&u.diag, stderr);
        fprintf(stderr, "featc fmt: %s has syntax errors; it is left as it is\n", path);
        driver_free(&u);
        return EXIT_INVALID;
    }
    strbuf out = STRBUF_INIT;
    fmt_file(u.ast, u.src, u.src_len, &out);
    bool ok_before, ok_after;
    char *before = tree_text(path, u.src, u.src_len, &ok_before);
    char *after = tree_text(path, out.data ? out.data : "", out.len, &ok_after);
    int rc = EXIT_VALID;
    if (!ok_after || strcmp(before, after) != 0) {
        fprintf(stderr,
                "featc fmt: internal error: the canonical layout of %s would change its meaning; "
                "the file is left as it is\n",
                path);
        rc = EXIT_INVALID;
    } else {
        *changed = out.len != u.src_len || memcmp(out.data, u.src, out.len) != 0;
        if (mode == 0)
            fwrite(out.data, 1, out.len, stdout);
        else if (mode == 1 && *changed)
            printf("%s: not in the canonical layout (featc fmt -w %s)\n", path, path);
        else if (mode == 2 && *changed && !write_atomically(path, out.data, out.len))
            rc = EXIT_INVALID;
    }
    free(before);
    free(after);
    strbuf_free(&out);
    driver_free(&u);
    return rc;
}

int cmd_fmt(int argc, char **argv)
{
    int mode = 0; /* 0 print, 1 --check, 2 -w */
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0 || strcmp(argv[i], "-w") == 0) {
            int m = argv[i][1] == 'w' ? 2 : 1;
            if (mode && mode != m) {
                fputs("featc fmt: --check and -w do not go together\n", stderr);
                return EXIT_USAGE;
            }
            mode = m;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "featc fmt: unknown option '%s'\n%s", argv[i], USAGE);
            return EXIT_USAGE;
        } else {
            nfiles++;
        }
    }
    if (nfiles == 0 || (mode == 0 && nfiles > 1)) {
        fputs(nfiles ? "featc fmt: one file at a time without --check or -w\n" : "", stderr);
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    int rc = EXIT_VALID, unformatted = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            continue;
        bool changed = false;
        int r = format_one(argv[i], mode, &changed);
        if (r > rc)
            rc = r;
        unformatted += changed;
    }
    if (rc == EXIT_VALID && mode == 1 && unformatted)
        rc = EXIT_INVALID;
    return rc;
}
