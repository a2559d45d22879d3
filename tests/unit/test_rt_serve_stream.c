/* test_rt_serve_stream.c - the server's stream consumers: Kafka and Redis sources applied under the lock, health, positions, resume. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_http.h"
#include "test_redis_util.h"
#include "test_rt_engine_util.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define NX 1 /* n int, user int not null, ts timestamp not null; lateness 0; unique n */

/* The engine's count of accepted events of nx, read as a query would. */
static uint64_t accepted(rt_server *s)
{
    pthread_rwlock_rdlock(&s->lock);
    uint64_t n = rt_engine_accepted(s->engine, NX);
    pthread_rwlock_unlock(&s->lock);
    return n;
}

static bool wait_accepted(rt_server *s, uint64_t want)
{
    double t0 = now_s();
    while (accepted(s) < want && now_s() - t0 < 15)
        usleep(10000);
    usleep(50000);
    return accepted(s) == want;
}

static char *get(rt_server *s, const char *path)
{
    rt_http_response r;
    rt_server_handle(s, "GET", path, "", 0, &r);
    assert_int_equal(r.status, 200);
    return r.body;
}

static rt_server *serve(rt_program *p, const char *url, const char *resume, const char *state, char *err)
{
    static rt_event_file ev, res;
    ev = (rt_event_file){"nx", url};
    res = (rt_event_file){"nx", resume};
    rt_serve_config cfg = {.listen = "127.0.0.1:0",
                           .events = &ev,
                           .nevents = 1,
                           .resume = &res,
                           .nresume = resume ? 1 : 0,
                           .state_dir = state,
                           .retain_us = -1,
                           .threads = 1};
    return rt_server_new(p, &test_arrival_fns, &cfg, err, 512);
}

/* The saved position of nx, copied. */
static char *position(rt_server *s)
{
    pthread_rwlock_rdlock(&s->lock);
    char *p = s->positions[NX] ? strdup(s->positions[NX]) : NULL;
    pthread_rwlock_unlock(&s->lock);
    return p;
}

static void test_redis_consumer(void **state)
{
    (void)state;
    port = free_port();
    start_server();
    for (int n = 1; n <= 300; n++)
        cmd("XADD tx * n %d user %d ts %d", n, n % 3, 1000 + n);
    cmd("XADD tx * n x user 1 ts 1");
    rt_program *p = test_parse(test_arrival_manifest);
    char url[128], err[512];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/tx", port);
    rt_server *s = serve(p, url, NULL, NULL, err);
    assert_non_null(s);
    assert_true(wait_accepted(s, 300));
    char *h = get(s, "/healthz");
    assert_non_null(strstr(h, "\"status\":\"ok\",\"sources\":{\"nx\":{\"kind\":\"redis\",\"connected\":true"));
    assert_non_null(strstr(h, "\"invalid\":1"));
    free(h);
    char *m = get(s, "/metrics");
    assert_non_null(strstr(m, "featc_source_connected{source=\"nx\"} 1"));
    assert_non_null(strstr(m, "featc_events_rejected_total{source=\"nx\",reason=\"invalid\"} 1"));
    free(m);
    char *pos = position(s);
    assert_non_null(pos);
    rt_server_free(s);

    /* continued after the position: only what came since */
    for (int n = 301; n <= 320; n++)
        cmd("XADD tx * n %d user %d ts %d", n, n % 3, 1000 + n);
    s = serve(p, url, pos, NULL, err);
    assert_non_null(s);
    assert_true(wait_accepted(s, 20));
    rt_server_free(s);
    free(pos);

    /* redis down: the server starts, says so, and catches up once it is back */
    stop_server();
    s = serve(p, url, NULL, NULL, err);
    assert_non_null(s);
    usleep(300000);
    h = get(s, "/healthz");
    assert_non_null(strstr(h, "\"status\":\"degraded\""));
    assert_non_null(strstr(h, "\"connected\":false"));
    free(h);
    start_server();
    cmd("XADD tx * n 1 user 1 ts 1");
    assert_true(wait_accepted(s, 1));
    rt_server_free(s);
    stop_server();
    rt_program_free(p);
}

static void test_kafka_consumer(void **state)
{
    (void)state;
#if defined(__SANITIZE_THREAD__)
    /* librdkafka starts its threads with C11 thrd_create, which ThreadSanitizer does not
     * intercept here (its first allocation on such a thread crashes). The consumer thread's
     * part is the same code as for Redis, which runs under it above. */
    skip();
#endif
    char err[512];
    rd_kafka_conf_t *hconf = rd_kafka_conf_new();
    rd_kafka_conf_set(hconf, "log_level", "0", err, sizeof err);
    rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, hconf, err, sizeof err);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(host, 1);
    rd_kafka_mock_topic_create(mc, "tx", 4, 1);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(mc), err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "1", err, sizeof err);
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    char msg[128], key[16];
    for (int n = 0; n < 440; n++) {
        if (n == 400) /* the rest come after a restart */
            assert_int_equal(rd_kafka_flush(producer, 10000), 0);
        snprintf(msg, sizeof msg, "{\"n\":%d,\"user\":%d,\"ts\":%d}", n, n % 5, 1000 + n);
        snprintf(key, sizeof key, "%d", n % 5);
        rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("tx"), RD_KAFKA_V_VALUE(msg, strlen(msg)),
                          RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (n == 399) {
            assert_int_equal(rd_kafka_flush(producer, 10000), 0);
            break;
        }
    }
    rt_program *p = test_parse(test_arrival_manifest);
    char url[256];
    snprintf(url, sizeof url, "kafka://%s/tx?group=g", rd_kafka_mock_cluster_bootstraps(mc));
    rt_server *s = serve(p, url, NULL, NULL, err);
    assert_non_null(s);
    assert_true(wait_accepted(s, 400));
    pthread_rwlock_rdlock(&s->lock);
    assert_int_equal(rt_engine_parts(s->engine, NX), 4);
    pthread_rwlock_unlock(&s->lock);
    char *m = get(s, "/metrics");
    assert_non_null(strstr(m, "featc_source_connected{source=\"nx\"} 1"));
    double t0 = now_s();
    while (!strstr(m, "featc_source_lag{source=\"nx\"} 0") && now_s() - t0 < 10) {
        free(m);
        usleep(50000);
        m = get(s, "/metrics");
    }
    assert_non_null(strstr(m, "featc_source_lag{source=\"nx\"} 0"));
    free(m);
    char *pos = position(s);
    assert_non_null(pos);
    int nparts = 1;
    for (const char *c = pos; *c; c++)
        nparts += *c == ',';
    assert_int_equal(nparts, 4);
    rt_server_free(s);

    for (int n = 400; n < 440; n++) {
        snprintf(msg, sizeof msg, "{\"n\":%d,\"user\":%d,\"ts\":%d}", n, n % 5, 1000 + n);
        snprintf(key, sizeof key, "%d", n % 5);
        rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("tx"), RD_KAFKA_V_VALUE(msg, strlen(msg)),
                          RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    assert_int_equal(rd_kafka_flush(producer, 10000), 0);
    s = serve(p, url, pos, NULL, err);
    assert_non_null(s);
    assert_true(wait_accepted(s, 40));
    rt_server_free(s);
    free(pos);

    /* a state directory that holds events, with no position to continue from: refused */
    char *dir = test_tmpdir();
    char *log = test_path(dir, "nx.jsonl");
    test_write(log, "{\"n\":1,\"user\":1,\"ts\":1}\n");
    s = serve(p, url, NULL, dir, err);
    assert_null(s);
    assert_non_null(strstr(err, "already holds 1 events from the state directory"));
    snprintf(url, sizeof url, "kafka://%s/tx?group=g&start=latest", rd_kafka_mock_cluster_bootstraps(mc));
    s = serve(p, url, NULL, dir, err);
    assert_non_null(s);
    rt_server_free(s);
    unlink(log);
    char *other = test_path(dir, "tx.jsonl");
    unlink(other);
    free(other);
    char *lock = test_path(dir, "lock");
    unlink(lock);
    rmdir(dir);
    free(lock);
    free(log);
    free(dir);

    rt_program_free(p);
    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(host);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redis_consumer),
        cmocka_unit_test(test_kafka_consumer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
