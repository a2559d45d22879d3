/* test_rt_source_kafka.c - the Kafka source against librdkafka's mock brokers: order per partition, positions, resume, errors, reconnects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_engine.h"
#include "rt_source.h"
#include "test_rt_engine_util.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <time.h>

#define NX 1 /* n int, user int not null, ts timestamp not null */

typedef struct fixture {
    rt_program *p;
    rt_engine *e;
    rd_kafka_t *host, *producer;
    rd_kafka_mock_cluster_t *mc;
    char url[512];
    rt_reject_log *log;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->p = test_parse(test_arrival_manifest);
    char err[512];
    f->e = rt_engine_new(f->p, &test_arrival_fns, NULL, err, sizeof err);
    rd_kafka_conf_t *hconf = rd_kafka_conf_new();
    rd_kafka_conf_set(hconf, "log_level", "0", err, sizeof err);
    f->host = rd_kafka_new(RD_KAFKA_PRODUCER, hconf, err, sizeof err);
    f->mc = rd_kafka_mock_cluster_new(f->host, 1);
    if (!f->e || !f->mc)
        return -1;
    rd_kafka_mock_topic_create(f->mc, "one", 1, 1);
    rd_kafka_mock_topic_create(f->mc, "four", 4, 1);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(f->mc), err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "1", err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    f->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    f->log = rt_reject_log_open(NULL, err, sizeof err);
    *state = f;
    return f->producer && f->log ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rd_kafka_destroy(f->producer);
    rd_kafka_mock_cluster_destroy(f->mc);
    rd_kafka_destroy(f->host);
    rt_reject_log_close(f->log);
    rt_engine_free(f->e);
    rt_program_free(f->p);
    free(f);
    return 0;
}

/* Produces events n = from..to-1 keyed by user n % 7, at times 1000 + n seconds; bad
 * (non-NULL) is sent as one more message after them. */
static void produce(fixture *f, const char *topic, int from, int to, const char *bad)
{
    char msg[256], key[16];
    for (int n = from; n < to; n++) {
        snprintf(msg, sizeof msg, "{\"n\":%d,\"user\":%d,\"ts\":%d}", n, n % 7, 1000 + n);
        snprintf(key, sizeof key, "%d", n % 7);
        assert_int_equal(rd_kafka_producev(f->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(msg, strlen(msg)),
                                           RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_END),
                         0);
    }
    if (bad)
        assert_int_equal(rd_kafka_producev(f->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE((void *)bad, strlen(bad)),
                                           RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_END),
                         0);
    assert_int_equal(rd_kafka_flush(f->producer, 10000), 0);
}

static rt_source *open_topic(fixture *f, const char *topic, const char *extra, const char *resume, bool finite)
{
    snprintf(f->url, sizeof f->url, "kafka://%s/%s?group=g%s", rd_kafka_mock_cluster_bootstraps(f->mc), topic,
             extra ? extra : "");
    rt_source_args a = {.url = f->url,
                        .schema = rt_engine_schema(f->e, NX),
                        .stamp_field = -1,
                        .log = f->log,
                        .resume = resume,
                        .finite = finite};
    char err[512];
    rt_source *s = rt_source_open(&a, err, sizeof err);
    if (!s)
        fprintf(stderr, "%s\n", err);
    return s;
}

/* Reads a finite source to its end: the n values in order of arrival (seen[k] per
 * partition checks offsets increase), returns the count. */
static int drain(rt_source *s, int64_t *ns, int max, int *parts_out)
{
    rt_source_batch b;
    assert_true(rt_source_batch_init(&b, 3, 100));
    char err[512];
    int count = 0, rc;
    int64_t last[16];
    for (int i = 0; i < 16; i++)
        last[i] = -1;
    while ((rc = rt_source_next(s, &b, -1, err, sizeof err)) == RT_SOURCE_MORE) {
        for (int i = 0; i < b.n; i++) {
            assert_true(count < max);
            ns[count++] = b.records[i * 3].v.i;
            int p = b.part[i];
            assert_true(p >= 0 && p < 16);
            assert_true((int64_t)b.where[i][0] > last[p]); /* offset order within a partition */
            last[p] = (int64_t)b.where[i][0];
            assert_true(b.arrival_us[i] > 0); /* the message timestamp */
        }
    }
    assert_int_equal(rc, RT_SOURCE_END);
    *parts_out = s->ops->parts(s);
    rt_source_batch_free(&b);
    return count;
}

static void test_one_partition_in_order(void **state)
{
    fixture *f = *state;
    produce(f, "one", 0, 500, "not json");
    rt_source *s = open_topic(f, "one", NULL, NULL, true);
    assert_non_null(s);
    int64_t ns[600];
    int parts;
    assert_int_equal(drain(s, ns, 600, &parts), 500);
    for (int i = 0; i < 500; i++)
        assert_int_equal(ns[i], i);
    assert_int_equal(parts, 1);
    char pos[64];
    s->ops->position(s, pos, sizeof pos);
    assert_string_equal(pos, "0:501");
    rt_source_status st;
    s->ops->status(s, &st);
    assert_int_equal(st.invalid, 1);
    assert_true(st.connected);
    assert_int_equal(rt_reject_count(f->log, "nx"), 1);
    rt_source_close(s);

    /* resumed after offset 299: the rest only */
    s = open_topic(f, "one", NULL, "0:300", true);
    assert_int_equal(drain(s, ns, 600, &parts), 200);
    assert_int_equal(ns[0], 300);
    rt_source_close(s);
    /* start=latest: nothing that exists */
    s = open_topic(f, "one", "&start=latest", NULL, true);
    assert_int_equal(drain(s, ns, 600, &parts), 0);
    rt_source_close(s);
}

static void test_four_partitions(void **state)
{
    fixture *f = *state;
    produce(f, "four", 0, 1000, NULL);
    rt_source *s = open_topic(f, "four", NULL, NULL, true);
    int64_t ns[1100];
    int parts;
    assert_int_equal(drain(s, ns, 1100, &parts), 1000);
    assert_int_equal(parts, 4);
    bool seen[1000] = {false};
    for (int i = 0; i < 1000; i++) {
        assert_false(seen[ns[i]]);
        seen[ns[i]] = true;
    }
    char pos[128];
    s->ops->position(s, pos, sizeof pos);
    rt_source_close(s);
    /* everything after that position: nothing; after more are produced, exactly those */
    produce(f, "four", 1000, 1100, NULL);
    s = open_topic(f, "four", NULL, pos, true);
    assert_int_equal(drain(s, ns, 1100, &parts), 100);
    for (int i = 0; i < 100; i++)
        assert_true(ns[i] >= 1000);
    rt_source_close(s);
}

static void test_bad_topic_and_urls(void **state)
{
    fixture *f = *state;
    rt_source *s = open_topic(f, "missing", NULL, NULL, true);
    assert_non_null(s);
    rt_source_batch b;
    assert_true(rt_source_batch_init(&b, 3, 10));
    char err[512];
    assert_int_equal(rt_source_next(s, &b, -1, err, sizeof err), RT_SOURCE_FAILED);
    assert_non_null(strstr(err, "Kafka topic 'missing' does not exist"));
    rt_source_close(s);
    rt_source_batch_free(&b);
    const char *bad[] = {"kafka://h:1/t", "kafka:///t?group=g", "kafka://h:1/?group=g", "kafka://h:1/t?group=g&x=1",
                         "kafka://h:1/t?group=g&start=now", "kafka://h:1/t?group=g&group=h"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_source_args a = {.url = bad[i], .schema = rt_engine_schema(f->e, NX), .stamp_field = -1, .finite = true};
        assert_null(rt_source_open(&a, err, sizeof err));
    }
    rt_source_args a = {.url = "kafka://h:1/t?group=g", .schema = rt_engine_schema(f->e, NX), .stamp_field = -1,
                        .resume = "0:1,x"};
    assert_null(rt_source_open(&a, err, sizeof err));
    assert_non_null(strstr(err, "PARTITION:OFFSET"));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Following the topic: waits return promptly; the lag is seen; a broker that goes down and
 * comes back is noticed and reading goes on where it stopped. */
static void test_follow_and_reconnect(void **state)
{
    fixture *f = *state;
    produce(f, "one", 0, 50, NULL);
    rt_source *s = open_topic(f, "one", NULL, NULL, false);
    rt_source_batch b;
    assert_true(rt_source_batch_init(&b, 3, 1000));
    char err[512];
    int got = 0;
    double t0 = now_s();
    while (got < 50 && now_s() - t0 < 10) {
        assert_int_equal(rt_source_next(s, &b, 200, err, sizeof err), RT_SOURCE_MORE);
        got += b.n;
        s->ops->applied(s);
    }
    assert_int_equal(got, 50);
    double t1 = now_s();
    assert_int_equal(rt_source_next(s, &b, 200, err, sizeof err), RT_SOURCE_MORE);
    assert_int_equal(b.n, 0);
    assert_true(now_s() - t1 < 1.0);
    rt_source_status st;
    s->ops->status(s, &st);
    assert_true(st.connected);
    assert_int_equal(st.lag, 0);

    rd_kafka_mock_broker_set_down(f->mc, 1);
    t0 = now_s();
    do {
        rt_source_next(s, &b, 200, err, sizeof err);
        s->ops->status(s, &st);
    } while (st.connected && now_s() - t0 < 10);
    assert_false(st.connected);
    rd_kafka_mock_broker_set_up(f->mc, 1);
    produce(f, "one", 50, 80, NULL);
    t0 = now_s();
    got = 0;
    while (got < 30 && now_s() - t0 < 15) {
        rt_source_next(s, &b, 200, err, sizeof err);
        for (int i = 0; i < b.n; i++)
            assert_int_equal(b.records[i * 3].v.i, 50 + got + i);
        got += b.n;
    }
    assert_int_equal(got, 30);
    s->ops->status(s, &st);
    assert_true(st.connected);
    rt_source_batch_free(&b);
    rt_source_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_partition_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_four_partitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_topic_and_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follow_and_reconnect, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
