/* rt_serve_source.c - the server's stream consumers: a thread per Kafka or Redis source feeding the engine under the write lock. */
#include "rt_http.h"
#include "rt_source.h"

#include <assert.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* How long one read waits: the longest a stop request waits for a consumer. */
enum { WAIT_MS = 200, BATCH = 1024 };

typedef struct rt_consumer {
    rt_server *s;
    int src;
    const char *url;
    rt_source *source;
    rt_source_batch batch;
    rt_apply_result *results;
    int64_t *wms;
    pthread_t thread;
    bool running;
    atomic_bool stop;
    pthread_mutex_t mu; /* guards status */
    rt_source_status status;
    char pos[RT_SOURCE_POS_MAX]; /* the consumer thread's scratch */
} rt_consumer;

/* Tells stderr when the connection comes or goes, or the problem changes. */
static void report(rt_consumer *c, const rt_source_status *was, const rt_source_status *now)
{
    const char *name = c->s->p->sources[c->src].name;
    if (now->connected && !was->connected)
        fprintf(stderr, "featc: source '%s': connected to %s\n", name, c->url);
    else if (!now->connected && now->error[0] && strcmp(now->error, was->error) != 0)
        fprintf(stderr, "featc: source '%s': %s; retrying\n", name, now->error);
    else if (now->connected && now->error[0] && strcmp(now->error, was->error) != 0)
        fprintf(stderr, "featc: source '%s': %s\n", name, now->error);
    else
        return;
    fflush(stderr);
}

/* Applies the batch (and records the position after it) under the write lock, as posted
 * events are applied: refusals to the reject log, accepted events to the state log. */
static void apply(rt_consumer *c, bool moved)
{
    rt_server *s = c->s;
    rt_source_batch *b = &c->batch;
    int src = c->src, parts = c->source->ops->parts(c->source);
    FILE *state = s->state_logs ? s->state_logs[src] : NULL;
    char *pos = moved ? strdup(c->pos) : NULL;
    rt_jbuf logline = {0};
    rt_http_batch counts = {0};
    pthread_rwlock_wrlock(&s->lock);
    if (parts > rt_engine_parts(s->engine, src) && !rt_engine_set_parts(s->engine, src, parts)) {
        fprintf(stderr, "featc: source '%s': out of memory\n", s->p->sources[src].name);
        abort(); /* as the window state does */
    }
    if (b->n > 0) {
        rt_engine_apply_parts(s->engine, src, b->records, (size_t)b->n, b->part, b->arrival_us, c->results, c->wms);
        for (int i = 0; i < b->n; i++) {
            char where[512];
            uint64_t line = 0;
            const char *file = c->results[i] == RT_APPLY_ACCEPTED
                                   ? NULL
                                   : c->source->ops->where(c->source, b, i, where, sizeof where, &line);
            rt_http_record_applied(s, src, b->records + (size_t)i * (size_t)b->nfields, c->results[i],
                                   b->arrival_us[i], c->wms[i], line, file, state, &logline, &counts, NULL, NULL);
        }
        rt_http_settle(s, src);
    }
    if (pos) {
        free(s->positions[src]);
        s->positions[src] = pos;
    }
    pthread_rwlock_unlock(&s->lock);
    if (state && (logline.oom || fflush(state) != 0))
        fprintf(stderr, "featc: cannot write the state log of source '%s'\n", s->p->sources[src].name);
    free(logline.p);
    c->source->ops->applied(c->source);
}

static void *consume(void *arg)
{
    rt_consumer *c = arg;
    char err[512];
    while (!atomic_load(&c->stop)) {
        int rc = rt_source_next(c->source, &c->batch, WAIT_MS, err, sizeof err);
        if (rc == RT_SOURCE_FAILED) { /* a following source reconnects itself; this is unexpected */
            fprintf(stderr, "featc: source '%s': %s\n", c->s->p->sources[c->src].name, err);
            struct timespec ts = {0, WAIT_MS * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        rt_source_status st;
        c->source->ops->status(c->source, &st);
        pthread_mutex_lock(&c->mu);
        rt_source_status was = c->status;
        c->status = st;
        pthread_mutex_unlock(&c->mu);
        report(c, &was, &st);
        c->source->ops->position(c->source, c->pos, sizeof c->pos);
        /* the position only this thread writes: reading it without the lock is safe */
        const char *saved = c->s->positions[c->src];
        bool moved = c->pos[0] && (!saved || strcmp(saved, c->pos) != 0);
        if (c->batch.n > 0 || moved)
            apply(c, moved);
        if (rc == RT_SOURCE_END)
            break;
    }
    return NULL;
}

/* Whether the URL asks to start at the stream's end. */
static bool starts_latest(const char *url)
{
    const char *q = strchr(url, '?');
    return q && strstr(q, "start=latest") != NULL;
}

static void free_consumer(rt_consumer *c)
{
    rt_source_close(c->source);
    rt_source_batch_free(&c->batch);
    free(c->results);
    free(c->wms);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Opens the stream of --events NAME=URL for source src and starts its thread. */
static bool start_one(rt_server *s, int src, const char *url, char *err, size_t errlen)
{
    const rt_prog_source *ps = &s->p->sources[src];
    uint64_t held = 0;
    for (int r = RT_APPLY_ACCEPTED; r <= RT_APPLY_NO_TIME; r++)
        held += rt_engine_count(s->engine, src, (rt_apply_result)r);
    if (held > 0 && !s->positions[src] && !starts_latest(url)) {
        snprintf(err, errlen,
                 "source '%s' already holds %" PRIu64 " events from the state directory but no position of %s was "
                 "saved: reading it from the beginning would apply them twice. Give --resume %s=POSITION (GET /healthz "
                 "shows each source's position), add start=latest to the URL, or start with an empty state directory",
                 ps->name, held, url, ps->name);
        return false;
    }
    rt_consumer *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    c->s = s;
    c->src = src;
    c->url = url;
    pthread_mutex_init(&c->mu, NULL);
    c->results = calloc(BATCH, sizeof *c->results);
    c->wms = calloc(BATCH, sizeof *c->wms);
    if (!c->results || !c->wms || !rt_source_batch_init(&c->batch, ps->nfields, BATCH)) {
        snprintf(err, errlen, "out of memory");
        free_consumer(c);
        return false;
    }
    rt_source_args a = {.url = url,
                        .schema = rt_engine_schema(s->engine, src),
                        .stamp_field = ps->arrival_field,
                        .log = s->rejects,
                        .resume = s->positions[src],
                        .finite = false};
    char why[512];
    c->source = rt_source_open(&a, why, sizeof why);
    if (!c->source) {
        snprintf(err, errlen, "--events %s: %s", ps->name, why);
        free_consumer(c);
        return false;
    }
    fprintf(stderr, "featc: source '%s': reading %s%s%s\n", ps->name, url, s->positions[src] ? " after position " : "",
            s->positions[src] ? s->positions[src] : "");
    s->consumers[src] = c;
    if (pthread_create(&c->thread, NULL, consume, c) != 0) {
        snprintf(err, errlen, "cannot start the consumer of source '%s'", ps->name);
        return false;
    }
    c->running = true;
    return true;
}

bool rt_serve_sources_start(rt_server *s, char *err, size_t errlen)
{
    const rt_program *p = s->p;
    if (!s->positions)
        s->positions = calloc((size_t)p->nsources + 1, sizeof *s->positions);
    s->consumers = calloc((size_t)p->nsources + 1, sizeof *s->consumers);
    if (!s->positions || !s->consumers) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (int i = 0; i < s->cfg.nresume; i++) {
        const rt_event_file *r = &s->cfg.resume[i];
        int src = rt_program_find_source(p, r->source);
        bool streamed = false;
        for (int k = 0; k < s->cfg.nevents; k++)
            streamed |= strcmp(s->cfg.events[k].source, r->source) == 0 && rt_source_is_stream(s->cfg.events[k].path);
        if (src < 0 || !streamed) {
            snprintf(err, errlen, "--resume %s: no stream source of that name (--events %s=kafka://... or redis://...)",
                     r->source, r->source);
            return false;
        }
        free(s->positions[src]);
        s->positions[src] = strdup(r->path);
    }
    for (int k = 0; k < s->cfg.nevents; k++) {
        const rt_event_file *ev = &s->cfg.events[k];
        if (rt_source_is_stream(ev->path) && !start_one(s, rt_program_find_source(p, ev->source), ev->path, err, errlen))
            return false;
    }
    return true;
}

void rt_serve_sources_stop(rt_server *s)
{
    for (int src = 0; s->consumers && src < s->p->nsources; src++)
        if (s->consumers[src] && s->consumers[src]->running)
            atomic_store(&s->consumers[src]->stop, true);
    for (int src = 0; s->consumers && src < s->p->nsources; src++) {
        rt_consumer *c = s->consumers[src];
        if (!c)
            continue;
        if (c->running)
            pthread_join(c->thread, NULL);
        free_consumer(c);
        s->consumers[src] = NULL;
    }
    free(s->consumers);
    s->consumers = NULL;
}

static rt_source_status status_of(rt_consumer *c)
{
    pthread_mutex_lock(&c->mu);
    rt_source_status st = c->status;
    pthread_mutex_unlock(&c->mu);
    return st;
}

bool rt_serve_sources_health(rt_server *s, rt_jbuf *out)
{
    bool all = true, any = false;
    for (int src = 0; s->consumers && src < s->p->nsources; src++) {
        rt_consumer *c = s->consumers[src];
        if (!c)
            continue;
        rt_source_status st = status_of(c);
        all &= st.connected;
        rt_jbuf_puts(out, any ? "," : "\"sources\":{");
        any = true;
        const char *name = s->p->sources[src].name;
        rt_json_string(out, name, strlen(name));
        rt_jbuf_printf(out, ":{\"kind\":\"%s\",\"connected\":%s", c->source->ops->kind, st.connected ? "true" : "false");
        if (st.lag >= 0)
            rt_jbuf_printf(out, ",\"lag\":%" PRId64, st.lag);
        rt_jbuf_printf(out, ",\"invalid\":%" PRIu64 ",\"position\":", st.invalid);
        pthread_rwlock_rdlock(&s->lock);
        const char *pos = s->positions[src];
        if (pos)
            rt_json_string(out, pos, strlen(pos));
        else
            rt_jbuf_puts(out, "null");
        pthread_rwlock_unlock(&s->lock);
        if (st.error[0]) {
            rt_jbuf_puts(out, ",\"error\":");
            rt_json_string(out, st.error, strlen(st.error));
        }
        rt_jbuf_puts(out, "}");
    }
    if (any)
        rt_jbuf_puts(out, "}");
    return all;
}

/* Writes a label value with Prometheus escapes. */
static void put_label(FILE *out, const char *v)
{
    fputc('"', out);
    for (; *v; v++)
        if (*v == '\\' || *v == '"')
            fprintf(out, "\\%c", *v);
        else if (*v == '\n')
            fputs("\\n", out);
        else
            fputc(*v, out);
    fputc('"', out);
}

void rt_serve_sources_metrics(rt_server *s, FILE *out)
{
    bool any = false;
    for (int src = 0; s->consumers && src < s->p->nsources; src++)
        any |= s->consumers[src] != NULL;
    if (!any)
        return;
    fputs("# HELP featc_source_connected Whether a stream source's broker or server answers (1) or not (0).\n"
          "# TYPE featc_source_connected gauge\n",
          out);
    for (int src = 0; src < s->p->nsources; src++)
        if (s->consumers[src]) {
            fputs("featc_source_connected{source=", out);
            put_label(out, s->p->sources[src].name);
            fprintf(out, "} %d\n", status_of(s->consumers[src]).connected ? 1 : 0);
        }
    fputs("# HELP featc_source_lag Messages of a stream source not yet read (Kafka: high watermark minus position, "
          "summed over partitions; Redis: entries after the last one read); absent when not known.\n"
          "# TYPE featc_source_lag gauge\n",
          out);
    for (int src = 0; src < s->p->nsources; src++) {
        rt_source_status st;
        if (s->consumers[src] && (st = status_of(s->consumers[src])).lag >= 0) {
            fputs("featc_source_lag{source=", out);
            put_label(out, s->p->sources[src].name);
            fprintf(out, "} %" PRId64 "\n", st.lag);
        }
    }
}
