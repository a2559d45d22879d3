/* bench_stream.c - consuming a Kafka topic (mock brokers) and a Redis stream into the engine, beside the client libraries' own read rate. */
#include "bench_common.h"

#include "rt_engine.h"
#include "rt_source.h"

#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* usage: bench_stream FEAT VIEW EVENTS.jsonl N RUNS REDIS_PORT
 * Loads the first N lines of EVENTS into a topic of an in-process mock cluster, partitioned by
 * account (so each account's events stay in time order, as keyed producers do) over a partition
 * per MB of events (the mock brokers keep at most 5 MB a partition)
 * and into Redis stream bench:events (field event), then, RUNS times each, reads them all:
 *   floor   the client library alone (librdkafka consume_batch_queue; hiredis XREAD COUNT
 *           1000), touching each message, no decoding;
 *   engine  rt_source (decode, checks) and rt_engine_apply_parts into view VIEW's state.
 * Prints medians of events per CPU-second of the reading thread (and per process
 * CPU-second, and per wall second, in the text). */

static double process_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

typedef struct timing {
    double thread, process, wall;
} timing;

static timing start_timing(void)
{
    return (timing){bench_thread_cpu(), process_cpu(), bench_now()};
}

static timing stop_timing(timing t0)
{
    return (timing){bench_thread_cpu() - t0.thread, process_cpu() - t0.process, bench_now() - t0.wall};
}

static char **read_lines(const char *path, size_t n, size_t *got)
{
    FILE *f = fopen(path, "r");
    bench_check(f != NULL, "cannot open the events");
    char **lines = calloc(n, sizeof *lines);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    *got = 0;
    while (*got < n && (len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        lines[(*got)++] = strdup(line);
    }
    free(line);
    fclose(f);
    return lines;
}

/* The partition of an event: its account_id modulo nparts. */
static int32_t partition_of(const char *line, int nparts)
{
    const char *k = strstr(line, "\"account_id\":");
    long long id = k ? atoll(k + 13) : 0;
    return (int32_t)((id < 0 ? -id : id) % nparts);
}

/* The floor for Kafka: librdkafka alone reads every message of partitions 0..nparts-1. */
static size_t kafka_floor(const char *boot, int nparts, size_t n)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", boot, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "floor", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(nparts);
    for (int p = 0; p < nparts; p++)
        rd_kafka_topic_partition_list_add(l, "bench", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *msgs[1024];
    size_t seen = 0, bytes = 0;
    int idle = 0;
    while (seen < n) {
        rd_kafka_message_t *m = rd_kafka_consume_queue(q, 1000);
        if (!m) {
            bench_check(++idle < 10, "kafka floor: messages are missing (trimmed by the mock brokers?)");
            continue;
        }
        idle = 0;
        msgs[0] = m;
        ssize_t got = 1 + rd_kafka_consume_batch_queue(q, 0, msgs + 1, 1023);
        for (ssize_t i = 0; i < got; i++) {
            if (!msgs[i]->err) {
                seen++;
                bytes += msgs[i]->len;
            }
            rd_kafka_message_destroy(msgs[i]);
        }
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return seen + (bytes == 0);
}

/* The floor for Redis: hiredis alone reads every entry with XREAD COUNT 1000. */
static size_t redis_floor(int port, size_t n)
{
    redisContext *c = redisConnect("127.0.0.1", port);
    bench_check(c && !c->err, "cannot reach redis");
    char from[64] = "0-0";
    size_t seen = 0;
    while (seen < n) {
        redisReply *r = redisCommand(c, "XREAD COUNT 1000 STREAMS bench:events %s", from);
        bench_check(r && r->type == REDIS_REPLY_ARRAY, "XREAD failed");
        redisReply *es = r->element[0]->element[1];
        for (size_t i = 0; i < es->elements; i++)
            seen += es->element[i]->element[1]->elements / 2;
        snprintf(from, sizeof from, "%s", es->element[es->elements - 1]->element[0]->str);
        freeReplyObject(r);
    }
    redisFree(c);
    return seen;
}

/* Reads the whole source at url into a fresh engine; returns the events accepted. */
static size_t into_engine(const bench_prog *bp, int v, const char *url)
{
    const rt_program *p = bp->program;
    bool active[256] = {false};
    active[v] = true;
    char err[512];
    rt_engine *e = rt_engine_new(p, bp->fns, active, err, sizeof err);
    bench_check(e != NULL, "engine");
    int src = p->views[v].source;
    rt_source_args a = {.url = url, .schema = rt_engine_schema(e, src), .stamp_field = -1, .finite = true};
    rt_source *s = rt_source_open(&a, err, sizeof err);
    bench_check(s != NULL, err);
    rt_source_batch b;
    bench_check(rt_source_batch_init(&b, p->sources[src].nfields, 1024), "batch");
    rt_apply_result *res = calloc(1024, sizeof *res);
    size_t accepted = 0;
    int rc;
    while ((rc = rt_source_next(s, &b, -1, err, sizeof err)) == RT_SOURCE_MORE) {
        int parts = s->ops->parts(s);
        if (parts > rt_engine_parts(e, src))
            rt_engine_set_parts(e, src, parts);
        accepted += rt_engine_apply_parts(e, src, b.records, (size_t)b.n, b.part, b.arrival_us, res, NULL);
    }
    bench_check(rc == RT_SOURCE_END, err);
    free(res);
    rt_source_batch_free(&b);
    rt_source_close(s);
    rt_engine_free(e);
    return accepted;
}

static void report(const char *name, const char *what, size_t n, timing *t, int runs)
{
    double th[64], pr[64], wa[64];
    for (int i = 0; i < runs; i++) {
        th[i] = (double)n / t[i].thread;
        pr[i] = (double)n / t[i].process;
        wa[i] = (double)n / t[i].wall;
    }
    char text[256];
    double mp = bench_median(pr, (size_t)runs), mw = bench_median(wa, (size_t)runs);
    snprintf(text, sizeof text, "%s events=%zu runs=%d process_eps=%.0f wall_eps=%.0f", what, n, runs, mp, mw);
    bench_result(name, bench_median(th, (size_t)runs), "events/s", text);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: bench_stream FEAT VIEW EVENTS.jsonl N RUNS REDIS_PORT\n");
        return 2;
    }
    size_t want = (size_t)atol(argv[4]), n;
    int runs = atoi(argv[5]), port = atoi(argv[6]);
    bench_check(runs > 0 && runs <= 64, "RUNS must be 1 to 64");
    bench_prog bp;
    bench_check(bench_prog_load(&bp, argv[1]), "cannot compile the .feat");
    int v = bench_find_view(bp.program, argv[2]);
    bench_check(v >= 0, "no such view");
    char **lines = read_lines(argv[3], want, &n);

    /* Kafka: a one-partition topic on in-process mock brokers */
    char err[512];
    rd_kafka_conf_t *hconf = rd_kafka_conf_new();
    rd_kafka_conf_set(hconf, "log_level", "0", err, sizeof err);
    rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, hconf, err, sizeof err);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(host, 1);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(lines[i]);
    int nparts = (int)(bytes / (1u << 20)) + 1; /* a hot account fills its partition faster */
    rd_kafka_mock_topic_create(mc, "bench", nparts, 1);
    const char *boot = rd_kafka_mock_cluster_bootstraps(mc);
    rd_kafka_conf_t *pconf = rd_kafka_conf_new();
    rd_kafka_conf_set(pconf, "bootstrap.servers", boot, err, sizeof err);
    rd_kafka_conf_set(pconf, "linger.ms", "20", err, sizeof err);
    rd_kafka_conf_set(pconf, "queue.buffering.max.messages", "1000000", err, sizeof err);
    rd_kafka_t *prod = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err);
    for (size_t i = 0; i < n; i++)
        while (rd_kafka_producev(prod, RD_KAFKA_V_TOPIC("bench"), RD_KAFKA_V_VALUE(lines[i], strlen(lines[i])),
                                 RD_KAFKA_V_PARTITION(partition_of(lines[i], nparts)),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(prod, 10);
    bench_check(rd_kafka_flush(prod, 60000) == 0, "producing failed");
    rd_kafka_destroy(prod);

    /* Redis: stream bench:events, one JSON event per entry, loaded in pipelined batches */
    redisContext *c = redisConnect("127.0.0.1", port);
    bench_check(c && !c->err, "cannot reach redis");
    freeReplyObject(redisCommand(c, "DEL bench:events"));
    for (size_t i = 0; i < n; i++) {
        redisAppendCommand(c, "XADD bench:events * event %s", lines[i]);
        if (i % 1000 == 999 || i + 1 == n)
            for (size_t k = i - i % 1000; k <= i; k++) {
                redisReply *r;
                bench_check(redisGetReply(c, (void **)&r) == REDIS_OK, "XADD failed");
                freeReplyObject(r);
            }
    }
    redisFree(c);

    char kurl[512], rurl[256];
    snprintf(kurl, sizeof kurl, "kafka://%s/bench?group=bench", boot);
    snprintf(rurl, sizeof rurl, "redis://127.0.0.1:%d/bench:events?field=event", port);
    timing t[4][64];
    for (int r = 0; r < runs; r++) {
        timing t0 = start_timing();
        bench_check(kafka_floor(boot, nparts, n) >= n, "kafka floor");
        t[0][r] = stop_timing(t0);
        t0 = start_timing();
        bench_check(into_engine(&bp, v, kurl) == n, "kafka: not every event was accepted");
        t[1][r] = stop_timing(t0);
        t0 = start_timing();
        bench_check(redis_floor(port, n) >= n, "redis floor");
        t[2][r] = stop_timing(t0);
        t0 = start_timing();
        bench_check(into_engine(&bp, v, rurl) == n, "redis: not every event was accepted");
        t[3][r] = stop_timing(t0);
    }
    char what[128];
    snprintf(what, sizeof what, "librdkafka consume_batch_queue alone (mock brokers, partitions=%d)", nparts);
    report("stream_kafka_floor_eps", what, n, t[0], runs);
    report("stream_kafka_engine_eps", "kafka source: decode, checks, arrival rules, view state", n, t[1], runs);
    report("stream_redis_floor_eps", "hiredis XREAD COUNT 1000 alone", n, t[2], runs);
    report("stream_redis_engine_eps", "redis source (field=event): decode, checks, arrival rules, view state", n, t[3],
           runs);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(host);
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    bench_prog_free(&bp);
    return 0;
}
