/* rt_source_kafka.c - a Kafka topic as a source (librdkafka): one JSON event per message, every partition read in offset order. */
#include "rt_engine.h"
#include "rt_message.h"
#include "rt_source.h"
#include "rt_url.h"

#include <assert.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* kafka://HOST:PORT[,HOST:PORT...]/TOPIC?group=GROUP[&start=latest]
 *
 * Every partition of the topic is assigned to this consumer (a feature server answers for
 * every key), each from its saved offset, else from its first message (start=earliest, the
 * default) or from its end (start=latest). The consumer group only receives the offsets the
 * caller has applied (stored by `applied`, committed in the background) for tools that
 * watch it; where to start never comes from it. librdkafka reconnects by itself (100 ms
 * doubling to 5 s) and fetching goes on from where it stopped. */

enum { PROBE_MS = 1000, META_TIMEOUT_MS = 2000 };

typedef struct kafka_source {
    rt_source base;
    rt_url url;
    const rt_schema *schema;
    rt_reject_log *log;
    rt_message *dec;
    bool finite, latest;
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    bool assigned;
    int nparts;
    int64_t *next;  /* per partition: the offset of the next message to read */
    int64_t *high;  /* per partition: the newest high watermark known */
    int64_t *end;   /* finite: per partition, the high watermark at the start */
    bool *done;     /* finite: partition read up to its end */
    int nresume;    /* the saved position, until assigned */
    int32_t *rpart;
    int64_t *roff;
    rd_kafka_message_t **held; /* messages whose payloads the last batch's strings point into */
    int nheld, held_cap;
    /* health */
    bool connected, brokers_down;
    char error[256];
    uint64_t invalid;
    int backoff_ms;
    int64_t retry_at_ms, probe_at_ms;
} kafka_source;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Parses "P:O,P:O,..." into ks->rpart/roff. Empty text: no partition known. */
static bool parse_position(kafka_source *ks, const char *pos, char *err, size_t errlen)
{
    int n = *pos ? 1 : 0;
    for (const char *c = pos; *c; c++)
        n += *c == ',';
    int32_t *rp = calloc((size_t)n + 1, sizeof *rp);
    int64_t *ro = calloc((size_t)n + 1, sizeof *ro);
    if (!rp || !ro) {
        free(rp);
        free(ro);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    const char *c = pos;
    for (int i = 0; i < n; i++) {
        char *end;
        long long p = strtoll(c, &end, 10);
        bool ok = end != c && *end == ':' && p >= 0 && p < INT32_MAX;
        const char *o = end + 1;
        long long off = ok ? strtoll(o, &end, 10) : -1;
        ok = ok && end != o && off >= 0 && (*end == ',' || *end == '\0') && (*end == ',') == (i + 1 < n);
        for (int j = 0; ok && j < i; j++)
            ok = rp[j] != (int32_t)p;
        if (!ok) {
            free(rp);
            free(ro);
            snprintf(err, errlen, "Kafka position '%.200s': expected PARTITION:OFFSET pairs joined by ',', each partition once",
                     pos);
            return false;
        }
        rp[i] = (int32_t)p;
        ro[i] = off;
        c = end + 1;
    }
    free(ks->rpart);
    free(ks->roff);
    ks->rpart = rp;
    ks->roff = ro;
    ks->nresume = n;
    return true;
}

/* librdkafka's error events (served by rd_kafka_poll on the reading thread). */
static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    kafka_source *ks = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
        err == RD_KAFKA_RESP_ERR__RESOLVE) {
        ks->brokers_down = err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
        if (ks->brokers_down)
            ks->connected = false;
    }
    snprintf(ks->error, sizeof ks->error, "%s", reason);
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 2) /* connection trouble is reported through the status, once per change */
        fprintf(stderr, "featc: kafka %s: %s\n", fac, buf);
}

static bool set(rd_kafka_conf_t *conf, const char *name, const char *value, char *err, size_t errlen)
{
    char why[256];
    if (rd_kafka_conf_set(conf, name, value, why, sizeof why) == RD_KAFKA_CONF_OK)
        return true;
    snprintf(err, errlen, "Kafka setting %s=%s: %s", name, value, why);
    return false;
}

static void kafka_close(rt_source *s);

static rt_source *kafka_open(const rt_source_args *a, char *err, size_t errlen)
{
    static const char *const allowed[] = {"group", "start", NULL};
    kafka_source *ks = calloc(1, sizeof *ks);
    if (!ks) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ks->base.ops = &rt_source_kafka_ops;
    ks->schema = a->schema;
    ks->log = a->log;
    ks->finite = a->finite;
    ks->backoff_ms = RT_SOURCE_BACKOFF_MIN_MS;
    if (!rt_url_parse(a->url, "kafka", allowed, &ks->url, err, errlen))
        goto fail;
    const char *group = rt_url_param(&ks->url, "group"), *start = rt_url_param(&ks->url, "start");
    if (!group || !*group) {
        snprintf(err, errlen, "'%.200s': a Kafka source needs ?group=GROUP (the consumer group its offsets are committed to)",
                 a->url);
        goto fail;
    }
    if (start && strcmp(start, "latest") != 0 && strcmp(start, "earliest") != 0) {
        snprintf(err, errlen, "'%.200s': start=%s: expected start=earliest or start=latest", a->url, start);
        goto fail;
    }
    ks->latest = start && strcmp(start, "latest") == 0;
    if (a->resume && !parse_position(ks, a->resume, err, errlen))
        goto fail;
    ks->dec = rt_message_new(a->schema, a->stamp_field);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!ks->dec || !conf) {
        if (conf)
            rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    char backoff_min[16], backoff_max[16];
    snprintf(backoff_min, sizeof backoff_min, "%d", RT_SOURCE_BACKOFF_MIN_MS);
    snprintf(backoff_max, sizeof backoff_max, "%d", RT_SOURCE_BACKOFF_MAX_MS);
    bool ok = set(conf, "bootstrap.servers", ks->url.hosts, err, errlen) && set(conf, "group.id", group, err, errlen) &&
              set(conf, "client.id", "featc", err, errlen) &&
              set(conf, "enable.auto.offset.store", "false", err, errlen) &&
              set(conf, "enable.auto.commit", ks->finite ? "false" : "true", err, errlen) &&
              set(conf, "auto.offset.reset", "earliest", err, errlen) &&
              set(conf, "enable.partition.eof", ks->finite ? "true" : "false", err, errlen) &&
              set(conf, "reconnect.backoff.ms", backoff_min, err, errlen) &&
              set(conf, "reconnect.backoff.max.ms", backoff_max, err, errlen) &&
              set(conf, "fetch.wait.max.ms", "100", err, errlen) &&
              set(conf, "allow.auto.create.topics", "false", err, errlen) &&
              set(conf, "log.connection.close", "false", err, errlen);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        goto fail;
    }
    rd_kafka_conf_set_opaque(conf, ks);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    char why[512];
    ks->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!ks->rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "'%.200s': %s", a->url, why);
        goto fail;
    }
    ks->q = rd_kafka_queue_get_consumer(ks->rk);
    if (!ks->q) {
        snprintf(err, errlen, "'%.200s': no consumer queue", a->url);
        goto fail;
    }
    return &ks->base;
fail:
    kafka_close(&ks->base);
    return NULL;
}

/* The saved offset of partition p, or -1. */
static int64_t resume_offset(const kafka_source *ks, int32_t p)
{
    for (int i = 0; i < ks->nresume; i++)
        if (ks->rpart[i] == p)
            return ks->roff[i];
    return -1;
}

/* Learns the topic's partitions and their offsets and assigns them all, each from its saved
 * offset, else its start. False (with ks->error, and err for a finite source) when the
 * brokers cannot be reached or the topic does not exist. */
static bool assign(kafka_source *ks, int timeout_ms, char *err, size_t errlen)
{
    const char *topic = ks->url.name;
    /* every topic's metadata: asking for this one alone could create it on a broker that
     * creates topics on demand */
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(ks->rk, 1, NULL, &md, timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(ks->error, sizeof ks->error, "cannot reach the Kafka brokers %.100s: %s", ks->url.hosts,
                 rd_kafka_err2str(e));
        ks->connected = false;
        snprintf(err, errlen, "%s", ks->error);
        return false;
    }
    ks->connected = true;
    int n = 0;
    for (int t = 0; t < md->topic_cnt; t++)
        if (strcmp(md->topics[t].topic, topic) == 0 && md->topics[t].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            n = md->topics[t].partition_cnt;
    rd_kafka_metadata_destroy(md);
    if (n <= 0) {
        snprintf(ks->error, sizeof ks->error, "Kafka topic '%.100s' does not exist on %.100s", topic, ks->url.hosts);
        snprintf(err, errlen, "%s", ks->error);
        return false;
    }
    int64_t *next = calloc((size_t)n, sizeof *next), *high = calloc((size_t)n, sizeof *high),
            *end = calloc((size_t)n, sizeof *end);
    bool *done = calloc((size_t)n, sizeof *done);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(n);
    bool ok = next && high && end && done && list;
    if (!ok)
        snprintf(ks->error, sizeof ks->error, "out of memory");
    for (int p = 0; ok && p < n; p++) {
        int64_t lo = 0, hi = 0;
        e = rd_kafka_query_watermark_offsets(ks->rk, topic, p, &lo, &hi, timeout_ms);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(ks->error, sizeof ks->error, "cannot read the offsets of Kafka topic '%.100s' partition %d: %s", topic,
                     p, rd_kafka_err2str(e));
            ok = false;
            break;
        }
        int64_t from = resume_offset(ks, p);
        if (from >= 0 && from < lo)
            fprintf(stderr,
                    "featc: Kafka topic '%.100s' partition %d: the saved offset %" PRId64 " is gone (the oldest kept is %" PRId64
                    "): %" PRId64 " messages were deleted before they were read\n",
                    topic, p, from, lo, lo - from);
        if (from >= 0 && from > hi)
            fprintf(stderr,
                    "featc: Kafka topic '%.100s' partition %d: the saved offset %" PRId64
                    " is past its end %" PRId64 " (was the topic recreated?); reading from the end\n",
                    topic, p, from, hi);
        from = from < 0 ? (ks->latest ? hi : lo) : from < lo ? lo : from > hi ? hi : from;
        next[p] = from;
        high[p] = hi;
        end[p] = hi;
        done[p] = ks->finite && from >= hi;
        if (!done[p])
            rd_kafka_topic_partition_list_add(list, topic, p)->offset = from;
    }
    if (ok) {
        e = rd_kafka_assign(ks->rk, list);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(ks->error, sizeof ks->error, "cannot assign Kafka topic '%.100s': %s", topic, rd_kafka_err2str(e));
            ok = false;
        }
    }
    if (list)
        rd_kafka_topic_partition_list_destroy(list);
    if (!ok) {
        free(next), free(high), free(end), free(done);
        snprintf(err, errlen, "%s", ks->error);
        return false;
    }
    free(ks->next), free(ks->high), free(ks->end), free(ks->done);
    ks->next = next, ks->high = high, ks->end = end, ks->done = done;
    ks->nparts = n;
    ks->assigned = true;
    ks->error[0] = '\0';
    return true;
}

static void release_held(kafka_source *ks)
{
    for (int i = 0; i < ks->nheld; i++)
        rd_kafka_message_destroy(ks->held[i]);
    ks->nheld = 0;
}

static bool all_done(const kafka_source *ks)
{
    for (int p = 0; p < ks->nparts; p++)
        if (!ks->done[p])
            return false;
    return true;
}

/* Takes one message: a record in b (kept alive in held), an invalid message logged, an
 * end-of-partition or error event noted. */
static void take(kafka_source *ks, rd_kafka_message_t *m, rt_source_batch *b)
{
    int32_t p = m->partition;
    bool known = p >= 0 && p < ks->nparts;
    if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (known && ks->finite && m->offset >= ks->end[p])
                ks->done[p] = true;
        } else {
            snprintf(ks->error, sizeof ks->error, "Kafka topic '%.100s': %s", ks->url.name, rd_kafka_message_errstr(m));
            if (m->err == RD_KAFKA_RESP_ERR__TRANSPORT || m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
                m->err == RD_KAFKA_RESP_ERR__RESOLVE)
                ks->connected = false;
        }
        rd_kafka_message_destroy(m);
        return;
    }
    ks->connected = true;
    ks->brokers_down = false;
    if (!known || (ks->finite && (ks->done[p] || m->offset >= ks->end[p]))) {
        if (known)
            ks->done[p] = true;
        rd_kafka_message_destroy(m);
        return;
    }
    ks->next[p] = m->offset + 1;
    if (ks->finite && ks->next[p] >= ks->end[p])
        ks->done[p] = true;
    rd_kafka_timestamp_type_t tstype;
    int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    int64_t arrival = tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < 0 ? RT_ARRIVAL_UNKNOWN : ts * 1000;
    int i = b->n;
    rt_slot *rec = b->records + (size_t)i * (size_t)b->nfields;
    if (rt_message_json(ks->dec, m->payload ? m->payload : "", m->payload ? m->len : 0, arrival, rec)) {
        b->arrival_us[i] = arrival;
        b->part[i] = p;
        b->where[i][0] = (uint64_t)m->offset;
        b->where[i][1] = (uint64_t)p;
        b->n++;
        ks->held[ks->nheld++] = m;
        return;
    }
    char where[512];
    snprintf(where, sizeof where, "kafka topic %.200s partition %d offset %" PRId64, ks->url.name, p, m->offset);
    rt_reject(ks->log, ks->schema->name, where, 0, rt_message_reason(ks->dec));
    ks->invalid++;
    rd_kafka_message_destroy(m);
}

/* Asks a broker for partition 0's offsets, at most once a second when nothing comes: the
 * only way to learn that a connection lost earlier is back while the topic is quiet. */
static void probe(kafka_source *ks)
{
    int64_t now = now_ms();
    if (now < ks->probe_at_ms)
        return;
    ks->probe_at_ms = now + PROBE_MS;
    int64_t lo, hi;
    rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(ks->rk, ks->url.name, 0, &lo, &hi, 500);
    ks->connected = e == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (ks->connected) {
        ks->brokers_down = false;
        ks->error[0] = '\0';
        if (hi > ks->high[0])
            ks->high[0] = hi;
    } else {
        snprintf(ks->error, sizeof ks->error, "cannot reach the Kafka brokers %.100s: %s", ks->url.hosts,
                 rd_kafka_err2str(e));
    }
}

static int kafka_next(rt_source *s, rt_source_batch *b, int timeout_ms, char *err, size_t errlen)
{
    kafka_source *ks = (kafka_source *)s;
    b->n = 0;
    release_held(ks);
    rt_message_reset(ks->dec);
    rd_kafka_poll(ks->rk, 0); /* error callbacks */
    if (!ks->assigned) {
        int64_t wait = ks->retry_at_ms - now_ms();
        if (!ks->finite && wait > 0) {
            sleep_ms(timeout_ms >= 0 && wait > timeout_ms ? timeout_ms : wait);
            return RT_SOURCE_MORE;
        }
        if (!assign(ks, ks->finite ? 10000 : META_TIMEOUT_MS, err, errlen)) {
            if (ks->finite)
                return RT_SOURCE_FAILED;
            ks->retry_at_ms = now_ms() + ks->backoff_ms;
            ks->backoff_ms = ks->backoff_ms * 2 > RT_SOURCE_BACKOFF_MAX_MS ? RT_SOURCE_BACKOFF_MAX_MS : ks->backoff_ms * 2;
            return RT_SOURCE_MORE;
        }
        ks->backoff_ms = RT_SOURCE_BACKOFF_MIN_MS;
    }
    if (ks->held_cap < b->cap) {
        free(ks->held);
        ks->held = calloc((size_t)b->cap, sizeof *ks->held);
        ks->held_cap = ks->held ? b->cap : 0;
        if (!ks->held) {
            snprintf(err, errlen, "out of memory");
            return RT_SOURCE_FAILED;
        }
    }
    if (ks->finite && all_done(ks))
        return RT_SOURCE_END;
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : now_ms() + timeout_ms;
    while (b->n == 0) {
        int64_t left = deadline - now_ms();
        int wait = left > 100 ? 100 : left < 0 ? 0 : (int)left; /* wake up to serve callbacks */
        rd_kafka_message_t *first = rd_kafka_consume_queue(ks->q, wait);
        if (first) {
            take(ks, first, b);
            rd_kafka_message_t *more[1024];
            ssize_t got;
            while (b->n < b->cap) {
                size_t want = (size_t)(b->cap - b->n) < 1024 ? (size_t)(b->cap - b->n) : 1024;
                got = rd_kafka_consume_batch_queue(ks->q, 0, more, want);
                if (got <= 0)
                    break;
                for (ssize_t k = 0; k < got; k++)
                    take(ks, more[k], b);
            }
        } else {
            rd_kafka_poll(ks->rk, 0);
        }
        if (!ks->finite && b->n == 0)
            probe(ks); /* nothing came: is anyone there? (error events alone do not say) */
        if (ks->finite && all_done(ks))
            return b->n > 0 ? RT_SOURCE_MORE : RT_SOURCE_END;
        if (now_ms() >= deadline)
            break;
    }
    return RT_SOURCE_MORE;
}

static int kafka_parts(const rt_source *s)
{
    return ((const kafka_source *)s)->nparts;
}

static void kafka_position(const rt_source *s, char *buf, size_t cap)
{
    const kafka_source *ks = (const kafka_source *)s;
    size_t k = 0;
    buf[0] = '\0';
    if (!ks->assigned) { /* not connected yet: the saved position stands */
        for (int i = 0; i < ks->nresume && k < cap; i++)
            k += (size_t)snprintf(buf + k, cap - k, "%s%d:%" PRId64, i ? "," : "", ks->rpart[i], ks->roff[i]);
        return;
    }
    for (int p = 0; p < ks->nparts && k < cap; p++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%d:%" PRId64, p ? "," : "", p, ks->next[p]);
}

static bool kafka_seek(rt_source *s, const char *pos, char *err, size_t errlen)
{
    kafka_source *ks = (kafka_source *)s;
    if (!parse_position(ks, pos, err, errlen))
        return false;
    if (!ks->assigned)
        return true;
    release_held(ks);
    ks->assigned = false; /* the next call assigns every partition from the new offsets */
    ks->retry_at_ms = 0;
    return true;
}

static void kafka_applied(rt_source *s)
{
    kafka_source *ks = (kafka_source *)s;
    if (ks->finite || !ks->assigned)
        return;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(ks->nparts);
    if (!list)
        return;
    for (int p = 0; p < ks->nparts; p++)
        rd_kafka_topic_partition_list_add(list, ks->url.name, p)->offset = ks->next[p];
    rd_kafka_offsets_store(ks->rk, list); /* committed in the background */
    rd_kafka_topic_partition_list_destroy(list);
}

static void kafka_status(rt_source *s, rt_source_status *st)
{
    kafka_source *ks = (kafka_source *)s;
    *st = (rt_source_status){.connected = ks->connected && !ks->brokers_down, .lag = -1, .invalid = ks->invalid};
    snprintf(st->error, sizeof st->error, "%s", ks->error);
    if (!ks->assigned)
        return;
    int64_t lag = 0;
    for (int p = 0; p < ks->nparts; p++) {
        int64_t lo = -1, hi = -1;
        if (rd_kafka_get_watermark_offsets(ks->rk, ks->url.name, p, &lo, &hi) == RD_KAFKA_RESP_ERR_NO_ERROR &&
            hi > ks->high[p])
            ks->high[p] = hi;
        lag += ks->high[p] > ks->next[p] ? ks->high[p] - ks->next[p] : 0;
    }
    st->lag = lag;
}

static const char *kafka_where(const rt_source *s, const rt_source_batch *b, int i, char *buf, size_t cap,
                               uint64_t *line)
{
    const kafka_source *ks = (const kafka_source *)s;
    snprintf(buf, cap, "kafka topic %.200s partition %d offset %" PRIu64, ks->url.name, (int)b->where[i][1],
             b->where[i][0]);
    *line = 0;
    return buf;
}

static void kafka_close(rt_source *s)
{
    kafka_source *ks = (kafka_source *)s;
    if (!ks)
        return;
    release_held(ks);
    if (ks->q)
        rd_kafka_queue_destroy(ks->q);
    if (ks->rk) {
        rd_kafka_consumer_close(ks->rk); /* commits the offsets stored last */
        rd_kafka_destroy(ks->rk);
    }
    rt_message_free(ks->dec);
    free(ks->held);
    free(ks->next), free(ks->high), free(ks->end), free(ks->done);
    free(ks->rpart), free(ks->roff);
    free(ks);
}

const rt_source_ops rt_source_kafka_ops = {
    .kind = "kafka",
    .open = kafka_open,
    .next = kafka_next,
    .parts = kafka_parts,
    .position = kafka_position,
    .seek = kafka_seek,
    .applied = kafka_applied,
    .status = kafka_status,
    .where = kafka_where,
    .close = kafka_close,
};
