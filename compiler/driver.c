/* driver.c - the compilation pipeline shared by every featc command: read, parse, check, plan. */
#include "driver.h"

#include "parse.h"
#include "sema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { DRIVER_MAX_SOURCE = 256 * 1024 * 1024 };

bool driver_read(driver_unit *u, const char *path)
{
    memset(u, 0, sizeof *u);
    arena_init(&u->mem);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "featc: cannot open '%s': %s\n", path, strerror(errno));
        return false;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap >= DRIVER_MAX_SOURCE) {
                fprintf(stderr, "featc: '%s' is larger than %d MiB\n", path, DRIVER_MAX_SOURCE >> 20);
                free(buf);
                fclose(f);
                return false;
            }
            cap *= 2;
            buf = realloc(buf, cap);
        }
        if (!buf) {
            fputs("featc: out of memory\n", stderr);
            abort();
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "featc: cannot read '%s'\n", path);
        free(buf);
        return false;
    }
    u->src = arena_strndup(&u->mem, buf, len);
    u->src_len = len;
    free(buf);
    diag_init(&u->diag, &u->mem, path, u->src, u->src_len);
    return true;
}

bool driver_compile(driver_unit *u)
{
    u->ast = parse_source(&u->mem, &u->diag, u->src, u->src_len);
    plan *p = NULL;
    if (diag_count(&u->diag) == 0)
        p = sema_build_plan(&u->mem, &u->diag, u->ast);
    int n = diag_count(&u->diag);
    if (u->format != DIAG_TEXT)
        diag_print_as(&u->diag, u->format, stdout);
    else if (n > 0) {
        diag_print(&u->diag, stderr);
        fprintf(stderr, "%d error%s\n", n, n == 1 ? "" : "s");
    }
    if (n > 0)
        return false;
    u->plan = p;
    return true;
}

void driver_free(driver_unit *u) { arena_free(&u->mem); }
