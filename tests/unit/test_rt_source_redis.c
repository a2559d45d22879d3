/* test_rt_source_redis.c - the Redis stream source against a redis-server of its own: entries as fields or JSON, positions, reconnects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_engine.h"
#include "rt_source.h"
#include "test_rt_engine_util.h"
#include "test_redis_util.h"


#define NX 1 /* n int, user int not null, ts timestamp not null */

static int setup_all(void **state)
{
    (void)state;
    port = free_port();
    start_server();
    return 0;
}

static int teardown_all(void **state)
{
    (void)state;
    stop_server();
    return 0;
}

typedef struct fixture {
    rt_program *p;
    rt_engine *e;
    rt_reject_log *log;
    char url[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->p = test_parse(test_arrival_manifest);
    char err[256];
    f->e = rt_engine_new(f->p, &test_arrival_fns, NULL, err, sizeof err);
    f->log = rt_reject_log_open(NULL, err, sizeof err);
    *state = f;
    return f->e && f->log ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rt_reject_log_close(f->log);
    rt_engine_free(f->e);
    rt_program_free(f->p);
    free(f);
    return 0;
}

static rt_source *open_key(fixture *f, const char *key, const char *query, const char *resume, bool finite,
                           char *err)
{
    snprintf(f->url, sizeof f->url, "redis://127.0.0.1:%d/%s%s", port, key, query ? query : "");
    rt_source_args a = {.url = f->url,
                        .schema = rt_engine_schema(f->e, NX),
                        .stamp_field = -1,
                        .log = f->log,
                        .resume = resume,
                        .finite = finite};
    return rt_source_open(&a, err, 512);
}

/* Reads a finite source to its end; returns the n values in order. */
static int drain(rt_source *s, int64_t *ns, int max)
{
    rt_source_batch b;
    assert_true(rt_source_batch_init(&b, 3, 64));
    char err[512];
    int count = 0, rc;
    while ((rc = rt_source_next(s, &b, -1, err, sizeof err)) == RT_SOURCE_MORE)
        for (int i = 0; i < b.n; i++) {
            assert_true(count < max);
            assert_int_equal(b.part[i], -1);
            assert_true(b.arrival_us[i] == (int64_t)b.where[i][0] * 1000); /* the id's milliseconds */
            ns[count++] = b.records[i * 3].v.i;
        }
    assert_int_equal(rc, RT_SOURCE_END);
    rt_source_batch_free(&b);
    return count;
}

static void test_fields_and_positions(void **state)
{
    fixture *f = *state;
    for (int n = 1; n <= 200; n++)
        cmd("XADD tx %d-1 n %d user %d ts %d", 1000 + n, n, n % 5, 5000 + n);
    cmd("XADD tx 2000-1 n 1 user seven ts 1");
    cmd("XADD tx 2000-2 n 2 user 1 ts 1 extra x");
    char err[512];
    rt_source *s = open_key(f, "tx", NULL, NULL, true, err);
    assert_non_null(s);
    int64_t ns[300];
    assert_int_equal(drain(s, ns, 300), 201);
    for (int i = 0; i < 200; i++)
        assert_int_equal(ns[i], i + 1);
    char pos[64];
    s->ops->position(s, pos, sizeof pos);
    assert_string_equal(pos, "2000-2");
    rt_source_status st;
    s->ops->status(s, &st);
    assert_int_equal(st.invalid, 1);
    assert_int_equal(rt_reject_count(f->log, "nx"), 1);
    rt_source_close(s);

    s = open_key(f, "tx", NULL, "1150-1", true, err);
    assert_int_equal(drain(s, ns, 300), 51);
    assert_int_equal(ns[0], 151);
    rt_source_close(s);
    s = open_key(f, "tx", "?start=latest", NULL, true, err);
    assert_int_equal(drain(s, ns, 300), 0);
    rt_source_close(s);
    s = open_key(f, "nothing", NULL, NULL, true, err);
    assert_int_equal(drain(s, ns, 300), 0);
    rt_source_close(s);
}

static void test_json_field(void **state)
{
    fixture *f = *state;
    cmd("XADD js * event %s", "{\"n\":1,\"user\":2,\"ts\":\"2024-01-01T00:00:00Z\"}");
    cmd("XADD js * other x");
    cmd("XADD js * event %s", "{\"n\":3,");
    cmd("XADD js * event %s", "{\"n\":4,\"user\":2,\"ts\":5}");
    char err[512];
    rt_source *s = open_key(f, "js", "?field=event", NULL, true, err);
    assert_non_null(s);
    int64_t ns[10];
    assert_int_equal(drain(s, ns, 10), 2);
    assert_int_equal(ns[0], 1);
    assert_int_equal(ns[1], 4);
    assert_int_equal(rt_reject_count(f->log, "nx"), 2);
    rt_source_close(s);
}

static void test_bad_urls(void **state)
{
    fixture *f = *state;
    char err[512];
    const char *bad[] = {"redis://h:1", "redis://h:0/k", "redis://h:1/k?field=", "redis://h:1/k?start=soon",
                         "redis://a:1,b:2/k", "redis://h:1/k?x=y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_source_args a = {.url = bad[i], .schema = rt_engine_schema(f->e, NX), .stamp_field = -1};
        assert_null(rt_source_open(&a, err, sizeof err));
    }
    rt_source_args a = {.url = "redis://h/k", .schema = rt_engine_schema(f->e, NX), .stamp_field = -1,
                        .resume = "12-x"};
    assert_null(rt_source_open(&a, err, sizeof err));
    assert_non_null(strstr(err, "MS-SEQ"));
}

/* Following: XREAD blocks no longer than asked; a server that is down (at the start, then
 * after a restart) is retried and reading goes on after the last entry read. */
static void test_follow_down_and_restart(void **state)
{
    fixture *f = *state;
    stop_server();
    char err[512];
    rt_source *fin = open_key(f, "live", NULL, NULL, true, err);
    assert_non_null(fin);
    rt_source_batch b;
    assert_true(rt_source_batch_init(&b, 3, 64));
    assert_int_equal(rt_source_next(fin, &b, -1, err, sizeof err), RT_SOURCE_FAILED);
    assert_non_null(strstr(err, "cannot connect"));
    rt_source_close(fin);

    rt_source *s = open_key(f, "live", NULL, NULL, false, err);
    assert_non_null(s);
    assert_int_equal(rt_source_next(s, &b, 100, err, sizeof err), RT_SOURCE_MORE);
    rt_source_status st;
    s->ops->status(s, &st);
    assert_false(st.connected);
    assert_non_null(strstr(st.error, "cannot connect"));
    start_server();
    cmd("XADD live * n 1 user 1 ts 1");
    int got = 0;
    double t0 = now_s();
    while (got < 1 && now_s() - t0 < 10) {
        rt_source_next(s, &b, 100, err, sizeof err);
        got += b.n;
    }
    assert_int_equal(got, 1);
    t0 = now_s();
    assert_int_equal(rt_source_next(s, &b, 200, err, sizeof err), RT_SOURCE_MORE);
    assert_int_equal(b.n, 0);
    assert_true(now_s() - t0 < 1.0);
    s->ops->status(s, &st);
    assert_true(st.connected);
    assert_int_equal(st.lag, 0);

    stop_server();
    do
        rt_source_next(s, &b, 100, err, sizeof err), s->ops->status(s, &st);
    while (st.connected && now_s() - t0 < 10);
    assert_false(st.connected);
    start_server();
    cmd("XADD live * n 2 user 1 ts 2");
    cmd("XADD live * n 3 user 1 ts 3");
    got = 0;
    t0 = now_s();
    while (got < 2 && now_s() - t0 < 10) {
        rt_source_next(s, &b, 100, err, sizeof err);
        for (int i = 0; i < b.n; i++)
            assert_int_equal(b.records[i * 3].v.i, 2 + got + i);
        got += b.n;
    }
    assert_int_equal(got, 2);
    rt_source_batch_free(&b);
    rt_source_close(s);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fields_and_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follow_down_and_restart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
