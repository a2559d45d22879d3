/* rt_source_redis.c - a Redis stream as a source (hiredis): one event per entry, read with blocking XREAD in entry id order. */
#include "rt_engine.h"
#include "rt_message.h"
#include "rt_source.h"
#include "rt_url.h"

#include <assert.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* redis://HOST[:PORT]/KEY[?field=F][&start=latest]
 *
 * Each entry of stream KEY is one event: its fields are the event's fields, read as CSV
 * text is (rt_message_fields), or with field=F its field F holds one JSON event. The arrival
 * time is the entry id's milliseconds. Reading waits in XREAD BLOCK for at most the
 * caller's timeout; a lost connection is opened again after 100 ms, doubling to 5 s, and
 * reading goes on after the last entry read. */

enum { STATUS_MS = 1000, CONNECT_TIMEOUT_MS = 1000 };

typedef struct entry_id {
    uint64_t ms, seq;
} entry_id;

typedef struct redis_source {
    rt_source base;
    rt_url url;
    char host[256];
    int port;
    const char *field; /* field=F, or NULL */
    bool latest, finite;
    const rt_schema *schema;
    rt_reject_log *log;
    rt_message *dec;
    redisContext *c;
    redisReply *held; /* the reply the last batch's strings point into */
    bool positioned;  /* pos is set (from resume, or at the first connection) */
    entry_id pos;     /* the last entry read */
    entry_id end;     /* finite: the last entry that existed at the first connection */
    bool ended;
    rt_message_field *pairs;
    int pairs_cap;
    /* health */
    bool connected;
    char error[256];
    uint64_t invalid, nread;
    int backoff_ms;
    int64_t retry_at_ms, status_at_ms;
    int64_t lag;
    bool anchored; /* lag: entries_added was anchor_added when nread was anchor_read */
    uint64_t anchor_added, anchor_read;
} redis_source;

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

/* Parses "MS-SEQ" (or "MS", sequence 0) of n bytes. */
static bool parse_id(const char *s, size_t n, entry_id *id)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    if (buf[0] < '0' || buf[0] > '9')
        return false;
    id->ms = strtoull(buf, &end, 10);
    id->seq = 0;
    if (*end == '-') {
        const char *q = end + 1;
        if (*q < '0' || *q > '9')
            return false;
        id->seq = strtoull(q, &end, 10);
    }
    return *end == '\0';
}

static int id_cmp(entry_id a, entry_id b)
{
    return a.ms != b.ms ? (a.ms < b.ms ? -1 : 1) : a.seq != b.seq ? (a.seq < b.seq ? -1 : 1) : 0;
}

static void redis_close(rt_source *s);

static rt_source *redis_open(const rt_source_args *a, char *err, size_t errlen)
{
    static const char *const allowed[] = {"field", "start", NULL};
    redis_source *rs = calloc(1, sizeof *rs);
    if (!rs) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    rs->base.ops = &rt_source_redis_ops;
    rs->schema = a->schema;
    rs->log = a->log;
    rs->finite = a->finite;
    rs->backoff_ms = RT_SOURCE_BACKOFF_MIN_MS;
    rs->lag = -1;
    if (!rt_url_parse(a->url, "redis", allowed, &rs->url, err, errlen))
        goto fail;
    if (strchr(rs->url.hosts, ',') || !rt_url_host_port(rs->url.hosts, 6379, rs->host, sizeof rs->host, &rs->port)) {
        snprintf(err, errlen, "'%.200s': expected redis://HOST[:PORT]/KEY (one host, a port from 1 to 65535)", a->url);
        goto fail;
    }
    const char *start = rt_url_param(&rs->url, "start");
    if (start && strcmp(start, "latest") != 0 && strcmp(start, "earliest") != 0) {
        snprintf(err, errlen, "'%.200s': start=%s: expected start=earliest or start=latest", a->url, start);
        goto fail;
    }
    rs->latest = start && strcmp(start, "latest") == 0;
    rs->field = rt_url_param(&rs->url, "field");
    if (rs->field && !*rs->field) {
        snprintf(err, errlen, "'%.200s': field= needs the name of the entry's field holding a JSON event", a->url);
        goto fail;
    }
    if (a->resume && !rt_source_redis_ops.seek(&rs->base, a->resume, err, errlen))
        goto fail;
    rs->dec = rt_message_new(a->schema, a->stamp_field);
    if (!rs->dec) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    return &rs->base;
fail:
    redis_close(&rs->base);
    return NULL;
}

static void drop_connection(redis_source *rs, const char *why)
{
    snprintf(rs->error, sizeof rs->error, "Redis at %.200s:%d: %s", rs->host, rs->port, why);
    if (rs->c)
        redisFree(rs->c);
    rs->c = NULL;
    rs->connected = false;
    rs->anchored = false;
    rs->retry_at_ms = now_ms() + rs->backoff_ms;
    rs->backoff_ms = rs->backoff_ms * 2 > RT_SOURCE_BACKOFF_MAX_MS ? RT_SOURCE_BACKOFF_MAX_MS : rs->backoff_ms * 2;
}

/* Runs a command of argc arguments; NULL (the connection dropped, with the reason) on an
 * I/O error. A reply of type error is returned as it is. */
static redisReply *command(redis_source *rs, int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(rs->c, argc, argv, NULL);
    if (!r)
        drop_connection(rs, rs->c->errstr[0] ? rs->c->errstr : "connection lost");
    return r;
}

/* The id of the newest entry of the stream (0-0 when it is empty or missing); false when the
 * connection dropped. */
static bool last_id(redis_source *rs, entry_id *id)
{
    const char *argv[] = {"XREVRANGE", rs->url.name, "+", "-", "COUNT", "1"};
    redisReply *r = command(rs, 6, argv);
    if (!r)
        return false;
    *id = (entry_id){0, 0};
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
        r->element[0]->elements >= 1 && r->element[0]->element[0]->type == REDIS_REPLY_STRING)
        parse_id(r->element[0]->element[0]->str, r->element[0]->element[0]->len, id);
    bool ok = r->type != REDIS_REPLY_ERROR;
    if (!ok)
        snprintf(rs->error, sizeof rs->error, "Redis stream '%.100s': %.120s", rs->url.name, r->str);
    freeReplyObject(r);
    return ok;
}

/* Opens the connection and, the first time, settles where to start and (finite) where to
 * end. False with rs->error set. */
static bool connect_redis(redis_source *rs)
{
    struct timeval tv = {CONNECT_TIMEOUT_MS / 1000, (CONNECT_TIMEOUT_MS % 1000) * 1000};
    rs->c = redisConnectWithTimeout(rs->host, rs->port, tv);
    if (!rs->c || rs->c->err) {
        char why[160];
        snprintf(why, sizeof why, "cannot connect: %s", rs->c ? rs->c->errstr : "out of memory");
        drop_connection(rs, why);
        return false;
    }
    entry_id newest = {0, 0};
    if ((!rs->positioned && rs->latest) || (rs->finite && !rs->ended && rs->end.ms == 0 && rs->end.seq == 0)) {
        if (!last_id(rs, &newest)) {
            if (rs->c)
                drop_connection(rs, rs->error);
            return false;
        }
        if (rs->finite)
            rs->end = newest;
    }
    if (!rs->positioned) {
        rs->pos = rs->latest ? newest : (entry_id){0, 0};
        rs->positioned = true;
    }
    if (rs->finite && id_cmp(rs->pos, rs->end) >= 0)
        rs->ended = true;
    rs->connected = true;
    rs->error[0] = '\0';
    rs->backoff_ms = RT_SOURCE_BACKOFF_MIN_MS;
    return true;
}

/* Looks at the stream's counters once a second to know the lag: entries added since a
 * moment the reader was level with the stream (or since the start, reading from 0-0). */
static void update_lag(redis_source *rs)
{
    int64_t now = now_ms();
    if (now < rs->status_at_ms || !rs->c)
        return;
    rs->status_at_ms = now + STATUS_MS;
    const char *argv[] = {"XINFO", "STREAM", rs->url.name};
    redisReply *r = command(rs, 3, argv);
    if (!r)
        return;
    if (r->type == REDIS_REPLY_ERROR) { /* no such key: nothing to read */
        rs->lag = 0;
        freeReplyObject(r);
        return;
    }
    long long added = -1, length = -1;
    entry_id newest = {0, 0};
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type != REDIS_REPLY_STRING)
            continue;
        if (strcmp(k->str, "entries-added") == 0 && v->type == REDIS_REPLY_INTEGER)
            added = v->integer;
        else if (strcmp(k->str, "length") == 0 && v->type == REDIS_REPLY_INTEGER)
            length = v->integer;
        else if (strcmp(k->str, "last-generated-id") == 0 && v->type == REDIS_REPLY_STRING)
            parse_id(v->str, v->len, &newest);
    }
    freeReplyObject(r);
    if (added < 0) {
        rs->lag = -1;
        return;
    }
    if (id_cmp(rs->pos, newest) >= 0) {
        rs->anchored = true;
        rs->anchor_added = (uint64_t)added;
        rs->anchor_read = rs->nread;
    } else if (!rs->anchored && rs->nread == 0 && rs->pos.ms == 0 && rs->pos.seq == 0 && length >= 0) {
        rs->anchored = true;
        rs->anchor_added = (uint64_t)(added - length);
        rs->anchor_read = 0;
    }
    if (!rs->anchored) {
        rs->lag = -1;
        return;
    }
    int64_t behind = (int64_t)((uint64_t)added - rs->anchor_added) - (int64_t)(rs->nread - rs->anchor_read);
    rs->lag = behind > 0 ? behind : 0;
}

/* Takes one entry (an array [id, [field, value, ...]]) into b, or logs it as invalid. */
static void take(redis_source *rs, const redisReply *e, rt_source_batch *b)
{
    entry_id id;
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || e->element[0]->type != REDIS_REPLY_STRING ||
        !parse_id(e->element[0]->str, e->element[0]->len, &id))
        return; /* not an entry */
    if (id_cmp(id, rs->pos) <= 0 || (rs->finite && id_cmp(id, rs->end) > 0))
        return;
    rs->pos = id;
    rs->nread++;
    if (rs->lag > 0)
        rs->lag--; /* until the next look at the stream's counters */
    const redisReply *fv = e->element[1];
    int nf = fv->type == REDIS_REPLY_ARRAY ? (int)(fv->elements / 2) : 0;
    int64_t arrival = id.ms > (uint64_t)(INT64_MAX / 1000) ? RT_ARRIVAL_UNKNOWN : (int64_t)id.ms * 1000;
    rt_slot *rec = b->records + (size_t)b->n * (size_t)b->nfields;
    bool ok;
    if (rs->field) {
        const redisReply *json = NULL;
        for (int i = 0; i < nf; i++)
            if (fv->element[2 * i]->type == REDIS_REPLY_STRING && strcmp(fv->element[2 * i]->str, rs->field) == 0)
                json = fv->element[2 * i + 1];
        ok = json && json->type == REDIS_REPLY_STRING && rt_message_json(rs->dec, json->str, json->len, arrival, rec);
    } else {
        if (nf > rs->pairs_cap) {
            rt_message_field *p = realloc(rs->pairs, (size_t)nf * sizeof *p);
            if (!p)
                return;
            rs->pairs = p;
            rs->pairs_cap = nf;
        }
        int k = 0;
        for (int i = 0; i < nf; i++) {
            const redisReply *n = fv->element[2 * i], *v = fv->element[2 * i + 1];
            if (n->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING)
                rs->pairs[k++] = (rt_message_field){n->str, v->str, n->len, v->len};
        }
        ok = rt_message_fields(rs->dec, rs->pairs, k, arrival, rec);
    }
    if (ok) {
        b->arrival_us[b->n] = arrival;
        b->part[b->n] = -1;
        b->where[b->n][0] = id.ms;
        b->where[b->n][1] = id.seq;
        b->n++;
        return;
    }
    char where[400], reason[600];
    snprintf(where, sizeof where, "redis stream %.200s entry %" PRIu64 "-%" PRIu64, rs->url.name, id.ms, id.seq);
    bool missing = true;
    for (int i = 0; rs->field && i < nf; i++)
        missing &= !(fv->element[2 * i]->type == REDIS_REPLY_STRING && strcmp(fv->element[2 * i]->str, rs->field) == 0);
    if (rs->field && missing)
        snprintf(reason, sizeof reason, "entry has no field '%.100s' holding a JSON event", rs->field);
    else
        snprintf(reason, sizeof reason, "%s", rt_message_reason(rs->dec));
    rt_reject(rs->log, rs->schema->name, where, 0, reason);
    rs->invalid++;
}

static int redis_next(rt_source *s, rt_source_batch *b, int timeout_ms, char *err, size_t errlen)
{
    redis_source *rs = (redis_source *)s;
    b->n = 0;
    if (rs->held) {
        freeReplyObject(rs->held);
        rs->held = NULL;
    }
    rt_message_reset(rs->dec);
    if (rs->finite && rs->ended)
        return RT_SOURCE_END;
    if (!rs->c) {
        int64_t wait = rs->retry_at_ms - now_ms();
        if (!rs->finite && wait > 0) {
            sleep_ms(timeout_ms >= 0 && wait > timeout_ms ? timeout_ms : wait);
            return RT_SOURCE_MORE;
        }
        if (!connect_redis(rs)) {
            if (!rs->finite)
                return RT_SOURCE_MORE;
            snprintf(err, errlen, "%s", rs->error);
            return RT_SOURCE_FAILED;
        }
        if (rs->finite && rs->ended)
            return RT_SOURCE_END;
    }
    if (!rs->finite)
        update_lag(rs);
    if (!rs->c)
        return RT_SOURCE_MORE;
    /* a finite read never waits: everything it wants exists */
    int block = rs->finite ? -1 : timeout_ms < 0 ? 0 : timeout_ms;
    char count[16], blockms[16], from[48];
    snprintf(count, sizeof count, "%d", b->cap);
    snprintf(blockms, sizeof blockms, "%d", block);
    snprintf(from, sizeof from, "%" PRIu64 "-%" PRIu64, rs->pos.ms, rs->pos.seq);
    const char *argv[] = {"XREAD", "COUNT", count, "BLOCK", blockms, "STREAMS", rs->url.name, from};
    const char **args = argv;
    int argc = 8;
    const char *nonblock[] = {"XREAD", "COUNT", count, "STREAMS", rs->url.name, from};
    if (block < 0) {
        args = nonblock;
        argc = 6;
    }
    /* the socket waits a little longer than the server blocks (0: for ever) */
    struct timeval tv = {0, 0};
    if (block > 0) {
        tv.tv_sec = (block + 2000) / 1000;
        tv.tv_usec = ((block + 2000) % 1000) * 1000;
    } else if (block < 0) {
        tv.tv_sec = 10;
    }
    redisSetTimeout(rs->c, tv);
    redisReply *r = command(rs, argc, args);
    if (!r) {
        if (!rs->finite)
            return RT_SOURCE_MORE;
        snprintf(err, errlen, "%s", rs->error);
        return RT_SOURCE_FAILED;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        snprintf(rs->error, sizeof rs->error, "Redis stream '%.100s': %.120s", rs->url.name, r->str);
        freeReplyObject(r);
        if (rs->finite) {
            snprintf(err, errlen, "%s", rs->error);
            return RT_SOURCE_FAILED;
        }
        sleep_ms(timeout_ms > 0 && timeout_ms < 1000 ? timeout_ms : 1000); /* e.g. the key is not a stream */
        return RT_SOURCE_MORE;
    }
    rs->connected = true;
    /* [[key, [[id, [f, v, ...]], ...]]] or nil when nothing came */
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
        r->element[0]->elements == 2 && r->element[0]->element[1]->type == REDIS_REPLY_ARRAY) {
        const redisReply *entries = r->element[0]->element[1];
        for (size_t i = 0; i < entries->elements && b->n < b->cap; i++)
            take(rs, entries->element[i], b);
        if (entries->elements == 0 && rs->finite)
            rs->ended = true;
    } else if (rs->finite) {
        rs->ended = true; /* nothing after the position: what existed was trimmed */
    }
    if (rs->finite && id_cmp(rs->pos, rs->end) >= 0)
        rs->ended = true;
    rs->held = r;
    return rs->finite && rs->ended && b->n == 0 ? RT_SOURCE_END : RT_SOURCE_MORE;
}

static int redis_parts(const rt_source *s)
{
    (void)s;
    return 0;
}

static void redis_position(const rt_source *s, char *buf, size_t cap)
{
    const redis_source *rs = (const redis_source *)s;
    if (!rs->positioned)
        buf[0] = '\0';
    else
        snprintf(buf, cap, "%" PRIu64 "-%" PRIu64, rs->pos.ms, rs->pos.seq);
}

static bool redis_seek(rt_source *s, const char *pos, char *err, size_t errlen)
{
    redis_source *rs = (redis_source *)s;
    entry_id id;
    if (!*pos) { /* nothing was known: as if no position was saved */
        rs->positioned = false;
        return true;
    }
    if (!parse_id(pos, strlen(pos), &id)) {
        snprintf(err, errlen, "Redis position '%.200s': expected an entry id MS-SEQ", pos);
        return false;
    }
    rs->pos = id;
    rs->positioned = true;
    rs->anchored = false;
    return true;
}

static void redis_applied(rt_source *s)
{
    (void)s;
}

static void redis_status(rt_source *s, rt_source_status *st)
{
    redis_source *rs = (redis_source *)s;
    *st = (rt_source_status){.connected = rs->connected, .lag = rs->connected ? rs->lag : -1, .invalid = rs->invalid};
    snprintf(st->error, sizeof st->error, "%s", rs->error);
}

static const char *redis_where(const rt_source *s, const rt_source_batch *b, int i, char *buf, size_t cap,
                               uint64_t *line)
{
    const redis_source *rs = (const redis_source *)s;
    snprintf(buf, cap, "redis stream %.200s entry %" PRIu64 "-%" PRIu64, rs->url.name, b->where[i][0],
             b->where[i][1]);
    *line = 0;
    return buf;
}

static void redis_close(rt_source *s)
{
    redis_source *rs = (redis_source *)s;
    if (!rs)
        return;
    if (rs->held)
        freeReplyObject(rs->held);
    if (rs->c)
        redisFree(rs->c);
    rt_message_free(rs->dec);
    free(rs->pairs);
    free(rs);
}

const rt_source_ops rt_source_redis_ops = {
    .kind = "redis",
    .open = redis_open,
    .next = redis_next,
    .parts = redis_parts,
    .position = redis_position,
    .seek = redis_seek,
    .applied = redis_applied,
    .status = redis_status,
    .where = redis_where,
    .close = redis_close,
};
