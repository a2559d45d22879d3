/* test_rt_engine_util.h - a small program with hand-written generated functions, for engine tests. */
#ifndef TEST_RT_ENGINE_UTIL_H
#define TEST_RT_ENGINE_UTIL_H

#include "rt_abi.h"
#include "rt_manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Source ev(user int, amount float, ts timestamp) with lateness 10s and `expect amount >= 0`;
 * request req(user int, x float); view v by user: cnt = count() over 1h, total = sum(amount)
 * default 0, last_amount = last(amount); view w by user: mx = max(amount); block od:
 * ratio = req.x / v.total; service s(req) outputs all five. */
static const char test_manifest[] =
    "featc-manifest 1\n"
    "source \"ev\" stream 3 2 -1 10000000 1 -1 86400000000 -1\n"
    "field \"user\" int notnull\n"
    "field \"amount\" float null\n"
    "field \"ts\" timestamp notnull\n"
    "expect \"amount >= 0\"\n"
    "source \"req\" request 2 -1 -1 0 0 -1 -1 -1\n"
    "field \"user\" int null\n"
    "field \"x\" float null\n"
    "view \"v\" 0 1 3\n"
    "key int 0\n"
    "feature \"cnt\" count_rows - int sliding 3600000000 0 0 -\n"
    "feature \"total\" sum float float lifetime 0 0 0 0x0p+0\n"
    "feature \"last_amount\" last float float lifetime 0 0 0 -\n"
    "view \"w\" 0 1 1\n"
    "key int 0\n"
    "feature \"mx\" max float float lifetime 0 0 0 -\n"
    "block \"od\" 1 1 0 1\n"
    "reads-view 0\n"
    "odfeature \"ratio\" float\n"
    "service \"s\" 1 1 2 1 5\n"
    "skey \"user\" int 0\n"
    "sview 0 0\n"
    "sview 1 0\n"
    "sblock 0\n"
    "output \"v__cnt\" int view 0 0\n"
    "output \"v__total\" float view 0 1\n"
    "output \"v__last_amount\" float view 0 2\n"
    "output \"w__mx\" float view 1 0\n"
    "output \"od__ratio\" float block 0 0\n"
    "end\n";

static int32_t test_expect_ev(const rt_slot *rec)
{
    return !rec[1].null && rec[1].v.f < 0 ? 0 : -1;
}

static int32_t test_row_v(rt_scratch *scratch, const rt_slot *rec, rt_slot *keys, rt_slot *inputs)
{
    (void)scratch;
    if (rec[0].null)
        return 0;
    keys[0] = rec[0];
    inputs[0] = (rt_slot){.v.i = 1};
    inputs[1] = rec[1];
    inputs[2] = rec[1];
    return 1;
}

static int32_t test_row_w(rt_scratch *scratch, const rt_slot *rec, rt_slot *keys, rt_slot *inputs)
{
    (void)scratch;
    keys[0] = rec[0];
    inputs[0] = rec[1];
    return 1;
}

static void test_od(rt_scratch *scratch, const rt_slot *req, const rt_slot *const *views,
                    const rt_slot *const *blocks, int64_t now, rt_slot *out)
{
    (void)scratch, (void)blocks, (void)now;
    const rt_slot *x = &req[1], *total = &views[0][1];
    if (x->null || total->null || total->v.f == 0)
        out[0] = (rt_slot){.null = 1};
    else
        out[0] = (rt_slot){.v.f = x->v.f / total->v.f};
}

static const rt_expect_fn test_expects[] = {test_expect_ev, NULL};
static const rt_row_fn test_rows[] = {test_row_v, test_row_w};
static const rt_od_fn test_ods[] = {test_od};
static const rt_fn_table test_fns = {2, test_expects, 2, test_rows, 1, test_ods};

static inline rt_program *test_parse(const char *manifest)
{
    char err[256];
    rt_program *p = rt_program_parse(manifest, strlen(manifest), err, sizeof err);
    if (!p)
        fprintf(stderr, "%s\n", err);
    return p;
}

static inline rt_program *test_program(void)
{
    return test_parse(test_manifest);
}

/* The arrival rules. Source tx(id string, user int not null, amount float, ts timestamp not
 * null, recv timestamp not null) with lateness 10s, `arrival recv`, `max_ahead 1h`,
 * `unique id`; source nx(n int, user int not null, ts timestamp not null) with lateness 0,
 * the default max_ahead (1d) and `unique n`; request rq(user int). View vt on tx by user:
 * cnt = count(), total = sum(amount) default 0; view vn on nx by user: cnt = count();
 * service s2(rq) outputs all three. */
static const char test_arrival_manifest[] =
    "featc-manifest 1\n"
    "source \"tx\" stream 5 3 -1 10000000 0 4 3600000000 0\n"
    "field \"id\" string null\n"
    "field \"user\" int notnull\n"
    "field \"amount\" float null\n"
    "field \"ts\" timestamp notnull\n"
    "field \"recv\" timestamp notnull\n"
    "source \"nx\" stream 3 2 -1 0 0 -1 86400000000 0\n"
    "field \"n\" int null\n"
    "field \"user\" int notnull\n"
    "field \"ts\" timestamp notnull\n"
    "source \"rq\" request 1 -1 -1 0 0 -1 -1 -1\n"
    "field \"user\" int null\n"
    "view \"vt\" 0 1 2\n"
    "key int 1\n"
    "feature \"cnt\" count_rows - int lifetime 0 0 0 -\n"
    "feature \"total\" sum float float lifetime 0 0 0 0x0p+0\n"
    "view \"vn\" 1 1 1\n"
    "key int 1\n"
    "feature \"cnt\" count_rows - int lifetime 0 0 0 -\n"
    "service \"s2\" 2 1 2 0 3\n"
    "skey \"user\" int 0\n"
    "sview 0 0\n"
    "sview 1 0\n"
    "output \"vt__cnt\" int view 0 0\n"
    "output \"vt__total\" float view 0 1\n"
    "output \"vn__cnt\" int view 1 0\n"
    "end\n";

static int32_t test_row_vt(rt_scratch *scratch, const rt_slot *rec, rt_slot *keys, rt_slot *inputs)
{
    (void)scratch;
    keys[0] = rec[1];
    inputs[0] = (rt_slot){.v.i = 1};
    inputs[1] = rec[2];
    return 1;
}

static int32_t test_row_vn(rt_scratch *scratch, const rt_slot *rec, rt_slot *keys, rt_slot *inputs)
{
    (void)scratch;
    keys[0] = rec[1];
    inputs[0] = (rt_slot){.v.i = 1};
    return 1;
}

static const rt_expect_fn test_arrival_expects[] = {NULL, NULL, NULL};
static const rt_row_fn test_arrival_rows[] = {test_row_vt, test_row_vn};
static const rt_fn_table test_arrival_fns = {3, test_arrival_expects, 2, test_arrival_rows, 0, NULL};

/* A fresh temporary directory (the caller removes it with test_rmdir). */
static inline char *test_tmpdir(void)
{
    char tmpl[] = "/tmp/featrt_test_XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static inline char *test_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static inline void test_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

/* The whole file, NUL-terminated, or NULL. */
static inline char *test_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (cap + 4096) * 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static inline void test_rmdir(char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(dir);
}

#endif
