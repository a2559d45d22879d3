/* test_sqlgen_arrival.c - the arrival rules in SQL (ahead, late, duplicate) against a one-event-at-a-time simulation, on DuckDB, SQLite and PostgreSQL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "db.h"
#include "driver.h"
#include "rt_reject.h"
#include "sql/sqlgen.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Two sources: a string unique field, an arrival field with max_ahead and lateness, a
 * nullable seq; and an int unique field without arrival or lateness. Their events are
 * decided by brute force below, file order or the contract's order for tables. */
static const char feat_text[] =
    "entity key (k: int)\n"
    "stream ev {\n"
    "    k   : int not null\n"
    "    u   : string\n"
    "    x   : int\n"
    "    ts  : timestamp not null\n"
    "    got : timestamp not null\n"
    "    time ts\n"
    "    seq x\n"
    "    lateness 1s\n"
    "    arrival got\n"
    "    max_ahead 2s\n"
    "    unique u\n"
    "}\n"
    "stream iv {\n"
    "    k  : int not null\n"
    "    u  : int\n"
    "    x  : int\n"
    "    ts : timestamp not null\n"
    "    time ts\n"
    "    unique u\n"
    "}\n"
    "features f on ev by key {\n"
    "    n = count()\n"
    "    s = sum(x)\n"
    "}\n"
    "features g on iv by key {\n"
    "    n = count()\n"
    "    s = sum(x)\n"
    "}\n"
    "service svc_ev { f.* }\n"
    "service svc_iv { g.* }\n";

enum { NEV = 240, NKEY = 3 };
static const int64_t LATENESS[2] = {1000000, 0}, MAX_AHEAD = 2000000;

typedef struct ev {
    int64_t line; /* 1-based place in file order */
    bool k_null, u_null, x_null;
    int64_t k, u, x, ts, got;
    const char *us; /* string unique value (source 0) */
} ev;

/* The outcome of one event: 0 accepted, -1 invalid, else an rt_reject_kind. */
typedef struct decision {
    int kind;
    int64_t bound; /* ahead: arrival; late: watermark */
} decision;

static int64_t clamp_add(int64_t a, int64_t d)
{
    __int128 r = (__int128)a + d;
    return r > INT64_MAX ? INT64_MAX : r < INT64_MIN ? INT64_MIN : (int64_t)r;
}

/* A time near one of a few centres (both ends of int64 among them, unless mild), in half
 * seconds so that (unique, time) pairs repeat. */
static int64_t near_time(unsigned *seed, bool mild)
{
    static const int64_t centres[] = {INT64_MIN, INT64_MIN + 3000000, 0, 0, 0, 0, 10000000, INT64_MAX - 3000000,
                                      INT64_MAX};
    int c = mild ? 2 + rand_r(seed) % 5 : rand_r(seed) % 9;
    return clamp_add(centres[c], (int64_t)(rand_r(seed) % 9 - 4) * 500000);
}

static void make_events(ev *e, int source, unsigned seed, bool mild, bool sorted)
{
    static const char *const strs[] = {"a", "b", "A", "\xc3\xa9", "e\xcc\x81", ""};
    static const int64_t ints[] = {0, 1, -1, INT64_MAX, INT64_MIN, 7};
    for (int i = 0; i < NEV; i++) {
        ev *x = &e[i];
        *x = (ev){.line = i + 1};
        x->k_null = rand_r(&seed) % 15 == 0; /* invalid */
        x->k = rand_r(&seed) % NKEY;
        x->ts = near_time(&seed, mild);
        int r = rand_r(&seed) % 10;
        x->got = r == 0 ? INT64_MAX : r == 1 ? INT64_MIN : r == 2 ? INT64_MAX - 1500000
                                                         : clamp_add(x->ts, (int64_t)(rand_r(&seed) % 11 - 5) * 700000);
        x->u_null = rand_r(&seed) % 6 == 0;
        x->us = strs[rand_r(&seed) % 6];
        x->u = ints[rand_r(&seed) % 6];
        x->x_null = rand_r(&seed) % 5 == 0;
        x->x = rand_r(&seed) % 5;
        if (source == 1)
            x->us = NULL;
    }
    if (sorted) /* file order is time order: insertion sort on ts */
        for (int i = 1; i < NEV; i++)
            for (int j = i; j > 0 && e[j - 1].ts > e[j].ts; j--) {
                ev t = e[j];
                e[j] = e[j - 1];
                e[j - 1] = t;
            }
    for (int i = 0; i < NEV; i++)
        e[i].line = i + 1;
}

static int cmp_null_int(bool an, int64_t a, bool bn, int64_t b)
{
    if (an || bn)
        return an == bn ? 0 : an ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int cmp_unique(int source, const ev *a, const ev *b)
{
    if (source == 1)
        return cmp_null_int(a->u_null, a->u, b->u_null, b->u);
    if (a->u_null || b->u_null)
        return a->u_null == b->u_null ? 0 : a->u_null ? -1 : 1;
    return strcmp(a->us, b->us); /* bytes: UTF-8 order */
}

static int g_source;

/* The contract's order for a table: arrival, time, seq, then the other fields in
 * declaration order, nulls lowest. */
static int contract_cmp(const void *pa, const void *pb)
{
    const ev *a = pa, *b = pb;
    int c = 0;
    if (g_source == 0) {
        if ((c = cmp_null_int(false, a->got, false, b->got)) || (c = cmp_null_int(false, a->ts, false, b->ts)) ||
            (c = cmp_null_int(a->x_null, a->x, b->x_null, b->x)) || (c = cmp_null_int(a->k_null, a->k, b->k_null, b->k)))
            return c;
        return cmp_unique(0, a, b);
    }
    if ((c = cmp_null_int(false, a->ts, false, b->ts)) || (c = cmp_null_int(a->k_null, a->k, b->k_null, b->k)) ||
        (c = cmp_unique(1, a, b)))
        return c;
    return cmp_null_int(a->x_null, a->x, b->x_null, b->x);
}

/* Decides e[0..NEV) in array order, one event at a time, as the contract does. */
static void simulate(int source, const ev *e, bool keep_late, decision *out)
{
    bool has_w = false;
    int64_t w = 0;
    for (int i = 0; i < NEV; i++) {
        decision *d = &out[i];
        *d = (decision){0};
        if (e[i].k_null) {
            d->kind = -1;
            continue;
        }
        if (!keep_late && source == 0 && (__int128)e[i].ts > (__int128)e[i].got + MAX_AHEAD) {
            *d = (decision){RT_REJECT_AHEAD, e[i].got};
            continue;
        }
        if (!keep_late && has_w && (__int128)e[i].ts < (__int128)w - LATENESS[source]) {
            *d = (decision){RT_REJECT_LATE, w};
            continue;
        }
        bool dup = false;
        for (int j = 0; j < i && !dup; j++)
            dup = out[j].kind == 0 && !e[i].u_null && !e[j].u_null && e[j].ts == e[i].ts && cmp_unique(source, &e[i], &e[j]) == 0;
        if (dup) {
            d->kind = RT_REJECT_DUPLICATE;
            continue;
        }
        if (!has_w || e[i].ts > w)
            w = e[i].ts;
        has_w = true;
    }
}

/* ---- databases ---- */

static const char *pg_url(void)
{
    static char url[512];
    if (url[0])
        return url;
    const char *env = getenv("FEATC_PG_URL");
    if (env && *env) {
        snprintf(url, sizeof url, "%s", env);
        return url;
    }
    FILE *p = popen("bash scripts/pg-start.sh", "r");
    if (!p)
        fail_msg("cannot run scripts/pg-start.sh");
    if (!fgets(url, sizeof url, p))
        url[0] = '\0';
    int status = pclose(p);
    url[strcspn(url, "\r\n")] = '\0';
    if (status != 0 || strncmp(url, "postgresql://", 13) != 0)
        fail_msg("scripts/pg-start.sh could not start PostgreSQL (set FEATC_PG_URL or run from the repository root)");
    return url;
}

static void must_exec(db_conn *c, const char *sql)
{
    char err[1024];
    if (db_exec(c, sql, err, sizeof err) != 0)
        fail_msg("%s: %s", sql, err);
}

static db_conn *open_db(db_dialect d, char *ns, size_t nslen)
{
    char err[1024];
    db_conn *c = db_open(d == DB_DUCKDB ? "duckdb::memory:" : d == DB_SQLITE ? "sqlite::memory:" : pg_url(), err,
                         sizeof err);
    if (!c)
        fail_msg("open: %s", err);
    ns[0] = '\0';
    if (d == DB_POSTGRES) { /* the server is shared: a schema of our own */
        snprintf(ns, nslen, "featc_arrival_%ld", (long)getpid());
        char sql[512];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; SET search_path TO %s", ns, ns,
                 ns);
        must_exec(c, sql);
    }
    return c;
}

static void close_db(db_conn *c, const char *ns)
{
    if (ns[0]) {
        char sql[512];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", ns);
        must_exec(c, sql);
    }
    db_close(c);
}

/* Loads the events of source (table "ev" or "iv") in a shuffled physical order: only the
 * _line column tells the file order. */
static void load_events(db_conn *c, int source, const ev *e)
{
    static const char *const names0[] = {"k", "u", "x", "ts", "got", "_line"};
    static const char *const names1[] = {"k", "u", "x", "ts", "_line"};
    const rt_type types0[] = {RT_INT, RT_STRING, RT_INT, RT_TIMESTAMP, RT_TIMESTAMP, RT_INT};
    const rt_type types1[] = {RT_INT, RT_INT, RT_INT, RT_TIMESTAMP, RT_INT};
    char err[1024];
    db_loader *l = source == 0 ? db_load_begin(c, "ev", 6, names0, types0, err, sizeof err)
                               : db_load_begin(c, "iv", 5, names1, types1, err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    for (int n = 0; n < NEV; n++) {
        const ev *x = &e[(n * 97) % NEV]; /* 97 is prime to NEV: a permutation */
        rt_slot row[6] = {0};
        row[0] = (rt_slot){.null = x->k_null, .v.i = x->k};
        if (source == 0)
            row[1] = (rt_slot){.null = x->u_null, .v.s = x->us, .len = (uint32_t)strlen(x->us)};
        else
            row[1] = (rt_slot){.null = x->u_null, .v.i = x->u};
        row[2] = (rt_slot){.null = x->x_null, .v.i = x->x};
        row[3] = (rt_slot){.v.i = x->ts};
        int k = 4;
        if (source == 0)
            row[k++] = (rt_slot){.v.i = x->got};
        row[k] = (rt_slot){.v.i = x->line};
        assert_int_equal(db_load_row(l, row), 0);
    }
    if (db_load_end(l, err, sizeof err) != 0)
        fail_msg("%s", err);
}

static void load_spine(db_conn *c)
{
    static const char *const names[] = {"k", "ts", "_row"};
    const rt_type types[] = {RT_INT, RT_TIMESTAMP, RT_INT};
    char err[1024];
    db_loader *l = db_load_begin(c, "spine", 3, names, types, err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    for (int k = 0; k < NKEY; k++) {
        rt_slot row[3] = {{.v.i = k}, {.v.i = INT64_MAX}, {.v.i = k}};
        assert_int_equal(db_load_row(l, row), 0);
    }
    if (db_load_end(l, err, sizeof err) != 0)
        fail_msg("%s", err);
}

typedef struct refusals {
    int n;
    int64_t line[NEV], kind[NEV], time[NEV], bound[NEV];
    bool bound_null[NEV];
} refusals;

static int take_refusal(void *ctx, const rt_slot *row)
{
    refusals *r = ctx;
    assert_true(r->n < NEV);
    r->line[r->n] = row[SQLGEN_ARRIVAL_LINE].v.i;
    r->kind[r->n] = row[SQLGEN_ARRIVAL_KIND].v.i;
    r->time[r->n] = row[SQLGEN_ARRIVAL_TIME].v.i;
    r->bound_null[r->n] = row[SQLGEN_ARRIVAL_BOUND].null;
    r->bound[r->n] = row[SQLGEN_ARRIVAL_BOUND].v.i;
    r->n++;
    return 0;
}

typedef struct counts {
    int rows;
    int64_t n[NKEY], s[NKEY];
    bool s_null[NKEY]; /* no input: sum is null */
} counts;

static int take_counts(void *ctx, const rt_slot *row)
{
    counts *r = ctx;
    int k = (int)row[0].v.i;
    assert_true(k >= 0 && k < NKEY);
    r->n[k] = row[1].v.i;
    r->s[k] = row[2].v.i;
    r->s_null[k] = row[2].null;
    r->rows++;
    return 0;
}

/* Runs the reject listing and the service query under o and compares both with the
 * simulation of e in array order (whose lines are the expected line numbers). */
static void check(db_conn *c, const plan *p, int source, const sqlgen_options *o, const ev *e, const char *what)
{
    decision want[NEV];
    simulate(source, e, o->keep_late, want);
    char err[1024];
    refusals got = {0};
    if (sqlgen_arrival_applies(p, source, o)) {
        char *sql = sqlgen_arrival_query(p, source, o, err, sizeof err);
        if (!sql)
            fail_msg("%s: %s", what, err);
        const rt_type types[] = {RT_INT, RT_INT, RT_TIMESTAMP, RT_TIMESTAMP, source == 0 ? RT_STRING : RT_INT};
        if (db_query(c, sql, 5, types, take_refusal, &got, err, sizeof err) != 0)
            fail_msg("%s: %s\n%s", what, err, sql);
        free(sql);
    }
    int j = 0;
    for (int i = 0; i < NEV; i++) {
        if (want[i].kind <= 0)
            continue;
        if (j >= got.n || got.line[j] != e[i].line || got.kind[j] != want[i].kind || got.time[j] != e[i].ts ||
            (want[i].kind != RT_REJECT_DUPLICATE && got.bound[j] != want[i].bound))
            fail_msg("%s: event at line %lld (time %lld): want %s (bound %lld), got line %lld %s (bound %lld)", what,
                     (long long)e[i].line, (long long)e[i].ts, rt_reject_kind_name((rt_reject_kind)want[i].kind),
                     (long long)want[i].bound, j < got.n ? (long long)got.line[j] : -1LL,
                     j < got.n ? rt_reject_kind_name((rt_reject_kind)got.kind[j]) : "nothing",
                     j < got.n ? (long long)got.bound[j] : 0LL);
        j++;
    }
    if (j != got.n)
        fail_msg("%s: %d refusals listed, %d expected", what, got.n, j);

    /* the query's own filter: count and sum of the accepted events before INT64_MAX */
    counts cw = {.s_null = {true, true, true}};
    for (int i = 0; i < NEV; i++)
        if (want[i].kind == 0 && e[i].ts < INT64_MAX) {
            cw.n[e[i].k]++;
            if (!e[i].x_null) {
                cw.s[e[i].k] += e[i].x;
                cw.s_null[e[i].k] = false;
            }
        }
    const plan_service *svc = plan_find_service(p, source == 0 ? "svc_ev" : "svc_iv");
    for (int shape = 0; shape < 2; shape++) {
        sqlgen_options so = *o;
        so.shape = shape ? SQLGEN_AUTO : SQLGEN_SIMPLE;
        char *sql = sqlgen_query(p, svc, &so, err, sizeof err);
        if (!sql)
            fail_msg("%s: %s", what, err);
        counts cg = {0};
        const rt_type types[] = {RT_INT, RT_INT, RT_INT};
        if (db_query(c, sql, 3, types, take_counts, &cg, err, sizeof err) != 0)
            fail_msg("%s: %s", what, err);
        free(sql);
        assert_int_equal(cg.rows, NKEY);
        for (int k = 0; k < NKEY; k++) {
            if (cg.n[k] != cw.n[k] || cg.s_null[k] != cw.s_null[k] || (!cw.s_null[k] && cg.s[k] != cw.s[k]))
                fail_msg("%s, %s shape, key %d: count %lld sum %lld, want %lld and %lld", what,
                         shape ? "window" : "simple", k, (long long)cg.n[k], (long long)cg.s[k], (long long)cw.n[k],
                         (long long)cw.s[k]);
        }
    }
}

static void arrival_rules_on(db_dialect d)
{
    char path[] = "/tmp/test_sqlgen_arrival_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, feat_text, sizeof feat_text - 1), (ssize_t)(sizeof feat_text - 1));
    close(fd);
    driver_unit u;
    assert_true(driver_read(&u, path));
    assert_true(driver_compile(&u));
    unlink(path);
    const plan *p = u.plan;
    assert_int_equal(p->nsources, 2);

    char ns[64];
    db_conn *c = open_db(d, ns, sizeof ns);
    load_spine(c);
    static ev e[NEV], sorted[NEV];
    for (int source = 0; source < 2; source++)
        for (unsigned seed = 1; seed <= 4; seed++) {
            /* seeds 1-2: times at both ends of int64; 3: all near zero; 4: in time order */
            bool time_sorted = seed == 4;
            make_events(e, source, seed * 7919u + (unsigned)source, seed == 3, time_sorted);
            load_events(c, source, e);
            const char *line_col[2] = {NULL, NULL};
            line_col[source] = "_line";
            bool ordered[2] = {false, false};
            char what[128];
            for (int keep = 0; keep < 2; keep++) {
                sqlgen_options o = {.dialect = d, .spine_columns = false, .order_columns = line_col,
                                    .time_ordered = ordered, .keep_late = keep};
                snprintf(what, sizeof what, "%s, source %d, seed %u, file order%s", db_dialect_name(d), source, seed,
                         keep ? ", keep late" : "");
                check(c, p, source, &o, e, what);
                if (time_sorted) { /* known to be in time order: the same decisions without W */
                    ordered[source] = true;
                    check(c, p, source, &o, e, what);
                    ordered[source] = false;
                }
            }
            /* no order column: the contract's order for tables, lines are places in it */
            memcpy(sorted, e, sizeof sorted);
            g_source = source;
            qsort(sorted, NEV, sizeof *sorted, contract_cmp);
            for (int i = 0; i < NEV; i++)
                sorted[i].line = i + 1;
            sqlgen_options o = {.dialect = d, .spine_columns = false};
            snprintf(what, sizeof what, "%s, source %d, seed %u, table order", db_dialect_name(d), source, seed);
            check(c, p, source, &o, sorted, what);
        }
    close_db(c, ns);
    driver_free(&u);
}

static void arrival_duckdb(void **state) { (void)state; arrival_rules_on(DB_DUCKDB); }
static void arrival_sqlite(void **state) { (void)state; arrival_rules_on(DB_SQLITE); }
static void arrival_postgres(void **state) { (void)state; arrival_rules_on(DB_POSTGRES); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arrival_duckdb),
        cmocka_unit_test(arrival_sqlite),
        cmocka_unit_test(arrival_postgres),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
