/* test_sqlgen_window.c - the SQLite window shape against a brute-force evaluation, on times at both ends of int64. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "db.h"
#include "driver.h"
#include "sql/sqlgen.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Features whose answers the brute force below computes: sliding, hop (whole tiles plus
 * the partial tile), lifetime, a filter, last over a hop window. Inputs are ints so every
 * answer is exact. */
static const char feat_text[] =
    "entity acct (id: int)\n"
    "stream ev {\n"
    "    id : int\n"
    "    x  : int\n"
    "    ts : timestamp not null\n"
    "    time ts\n"
    "}\n"
    "features f on ev by acct {\n"
    "    n_3s   = count() over 3s\n"
    "    s_hop  = sum(x) over 4s hop 2s\n"
    "    mn_hop = min(x) over 3s hop 1s\n"
    "    mx     = max(x)\n"
    "    pos_1s = count(x) over 1s where x > 0\n"
    "    l_hop  = last(x) over 2s hop 1s\n"
    "    mn_5s  = min(x) over 5s\n"
    "}\n"
    "service svc { f.* }\n";

enum { NEV = 400, NSP = 150, NFEAT = 7 };

typedef struct ev {
    int64_t id, x, ts;
    bool x_null;
} ev;

typedef struct sp {
    int64_t id, ts;
} sp;

/* A time near one of a few centres: both ends of int64, zero, tile edges. */
static int64_t near_time(unsigned *seed)
{
    static const int64_t centres[] = {INT64_MIN, INT64_MIN + 2500000, -3000000, -1, 0, 2000000, INT64_MAX - 4000000,
                                      INT64_MAX};
    int64_t c = centres[rand_r(seed) % 8];
    int64_t off = (int64_t)(rand_r(seed) % 9000001) - 4500000;
    if (rand_r(seed) % 3 == 0)
        off = (int64_t)(rand_r(seed) % 5) * 1000000 - 2000000; /* exactly on second boundaries */
    if (off < 0 && c < INT64_MIN - off)
        return INT64_MIN;
    if (off > 0 && c > INT64_MAX - off)
        return INT64_MAX;
    return c + off;
}

static __int128 floor_div(__int128 a, __int128 b)
{
    __int128 q = a / b;
    return (a % b != 0 && (a < 0)) ? q - 1 : q;
}

/* The lowest visible time at t for window D (hop H, 0 for sliding), exact. */
static __int128 low_of(int64_t t, int64_t d, int64_t h)
{
    __int128 low = (__int128)t - d;
    return h ? floor_div(low, h) * h : low;
}

/* Feature k of spine row s by brute force; *is_null set for a null result. */
static int64_t brute(const ev *e, const sp *s, int k, bool *is_null)
{
    static const int64_t size[] = {3000000, 4000000, 3000000, 0, 1000000, 2000000, 5000000};
    static const int64_t hop[] = {0, 2000000, 1000000, 0, 0, 1000000, 0};
    int64_t n = 0, acc = 0, best_ts = 0;
    __int128 sum = 0;
    bool any = false;
    for (int i = 0; i < NEV; i++) {
        if (e[i].id != s->id || e[i].ts >= s->ts)
            continue;
        if (size[k] && (__int128)e[i].ts < low_of(s->ts, size[k], hop[k]))
            continue;
        if (k == 0) {
            n++;
            continue;
        }
        if (e[i].x_null || (k == 4 && e[i].x <= 0))
            continue;
        int64_t x = e[i].x;
        if (k == 4)
            n++;
        else if (k == 1)
            sum += x;
        else if (k == 2 || k == 6)
            acc = any && acc < x ? acc : x;
        else if (k == 3)
            acc = any && acc > x ? acc : x;
        else if (!any || e[i].ts > best_ts || (e[i].ts == best_ts && x > acc)) {
            acc = x;
            best_ts = e[i].ts;
        }
        any = true;
    }
    if (k == 1) { /* an int sum outside int64 is null */
        *is_null = !any || sum < INT64_MIN || sum > INT64_MAX;
        return *is_null ? 0 : (int64_t)sum;
    }
    *is_null = (k == 0 || k == 4) ? false : !any;
    return (k == 0 || k == 4) ? n : acc;
}

typedef struct result {
    rt_slot v[NSP][NFEAT];
    int rows;
} result;

static int take_row(void *ctx, const rt_slot *row)
{
    result *r = ctx;
    assert_true(r->rows < NSP);
    assert_int_equal(row[0].v.i, r->rows); /* ordered by _row */
    memcpy(r->v[r->rows], row + 1, sizeof(rt_slot) * NFEAT);
    r->rows++;
    return 0;
}

static void run_shape(db_conn *c, const plan *p, sqlgen_shape shape, result *r)
{
    char err[512];
    sqlgen_options o = {.dialect = DB_SQLITE, .shape = shape, .spine_columns = false};
    char *sql = sqlgen_query(p, plan_find_service(p, "svc"), &o, err, sizeof err);
    if (!sql)
        fail_msg("%s", err);
    rt_type types[1 + NFEAT] = {RT_INT, RT_INT, RT_INT, RT_INT, RT_INT, RT_INT, RT_INT, RT_INT};
    memset(r, 0, sizeof *r);
    if (db_query(c, sql, 1 + NFEAT, types, take_row, r, err, sizeof err) != 0)
        fail_msg("%s", err);
    free(sql);
    assert_int_equal(r->rows, NSP);
}

static void window_shape_matches_brute_force(void **state)
{
    (void)state;
    char path[] = "/tmp/test_sqlgen_window_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, feat_text, sizeof feat_text - 1), (ssize_t)(sizeof feat_text - 1));
    close(fd);
    driver_unit u;
    assert_true(driver_read(&u, path));
    assert_true(driver_compile(&u));
    unlink(path);

    char err[512];
    db_conn *c = db_open("sqlite::memory:", err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    static ev e[NEV];
    static sp s[NSP];
    static result simple, window;
    /* seeds 1-3: times at both ends of int64; seeds 4-5: every event of one key within
     * 0.4 s, so each window covers all earlier rows of a long partition */
    for (unsigned seed = 1; seed <= 5; seed++) {
        unsigned rs = seed;
        bool dense = seed > 3;
        strbuf b = STRBUF_INIT;
        strbuf_append(&b, "DROP TABLE IF EXISTS ev; DROP TABLE IF EXISTS spine;"
                          "CREATE TABLE ev (id INTEGER, x INTEGER, ts INTEGER);"
                          "CREATE TABLE spine (id INTEGER, ts INTEGER, _row INTEGER);");
        for (int i = 0; i < NEV; i++) {
            e[i] = (ev){.id = dense ? 0 : rand_r(&rs) % 3, .ts = dense ? 1000 * i + rand_r(&rs) % 1000 : near_time(&rs),
                        .x_null = !dense && rand_r(&rs) % 7 == 0};
            int64_t xs[] = {1, -4, 7, 1000, INT64_MAX / 4, INT64_MIN / 4, 0};
            e[i].x = dense ? rand_r(&rs) % 100000 : xs[rand_r(&rs) % 7];
            if (e[i].x_null)
                strbuf_appendf(&b, "INSERT INTO ev VALUES (%lld, NULL, %lld);", (long long)e[i].id, (long long)e[i].ts);
            else
                strbuf_appendf(&b, "INSERT INTO ev VALUES (%lld, %lld, %lld);", (long long)e[i].id, (long long)e[i].x,
                               (long long)e[i].ts);
        }
        for (int i = 0; i < NSP; i++) {
            /* some spine rows at exactly an event's time */
            s[i] = (sp){.id = dense ? 0 : rand_r(&rs) % 3,
                        .ts = dense ? rand_r(&rs) % (1000 * NEV)
                                    : rand_r(&rs) % 4 == 0 ? e[rand_r(&rs) % NEV].ts : near_time(&rs)};
            strbuf_appendf(&b, "INSERT INTO spine VALUES (%lld, %lld, %d);", (long long)s[i].id, (long long)s[i].ts, i);
        }
        if (db_exec(c, strbuf_cstr(&b), err, sizeof err) != 0)
            fail_msg("%s", err);
        strbuf_free(&b);

        run_shape(c, u.plan, SQLGEN_SIMPLE, &simple);
        run_shape(c, u.plan, SQLGEN_AUTO, &window);
        for (int i = 0; i < NSP; i++)
            for (int k = 0; k < NFEAT; k++) {
                bool is_null;
                int64_t want = brute(e, &s[i], k, &is_null);
                const rt_slot *got[2] = {&window.v[i][k], &simple.v[i][k]};
                for (int w = 0; w < 2; w++) {
                    if (got[w]->null != is_null || (!is_null && got[w]->v.i != want))
                        fail_msg("seed %u, spine row %d (key %lld, t %lld), feature %d, %s shape: got %s%lld, want %s%lld",
                                 seed, i, (long long)s[i].id, (long long)s[i].ts, k, w ? "simple" : "window",
                                 got[w]->null ? "null " : "", (long long)got[w]->v.i, is_null ? "null " : "",
                                 (long long)want);
                }
            }
    }
    db_close(c);
    driver_free(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(window_shape_matches_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
