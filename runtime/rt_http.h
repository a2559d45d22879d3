/* rt_http.h - internals shared by the server's files: the server struct, JSON output helpers. */
#ifndef FEATRT_HTTP_H
#define FEATRT_HTTP_H

#include "rt_engine.h"
#include "rt_metrics.h"
#include "rt_reader.h"
#include "rt_reject.h"
#include "rt_schema.h"
#include "rt_serve.h"

#include <pthread.h>
#include <stdio.h>

/* The request layout of one service: its keys, then its request fields that are not keys,
 * then the query time field ("at", or "@at" when a field already has that name). */
typedef struct http_service {
    rt_schema schema;
    rt_field *fields;
    int nreq;          /* fields of the request source (0 when none) */
    int *req_from;     /* per request field: its index in the request record */
    int at_field;
} http_service;

struct rt_server {
    const rt_program *p;
    rt_serve_config cfg;
    rt_engine *engine;
    /* Writers (event ingestion, settling) take it exclusively; queries and metrics share
     * it. Writers are preferred so that a stream of queries cannot starve ingestion. */
    pthread_rwlock_t lock;
    rt_reject_log *rejects;
    rt_metrics *metrics;
    http_service *services;
    FILE **state_logs; /* per source, when a state directory is used (else NULL) */
    /* Per source: the position (rt_source.h) of the last message of a stream source that was
     * applied, or NULL when none is known. Written under the write lock together with the
     * state it describes; read under either lock. A value set before the consumers start
     * (--resume, or restored with the state) is where its source continues. */
    char **positions;
    struct rt_consumer **consumers; /* per source: its stream consumer, or NULL */
    int state_lock_fd; /* holds the state directory's exclusive lock (-1: none) */
    struct MHD_Daemon *mhd;
    _Atomic size_t buffered; /* bytes of request bodies held by all connections */
    int listen_fd;
    int port;
};

/* A growing byte buffer that answers are written into (no stdio stream per request). It
 * is always NUL-terminated once anything was written. After an allocation fails, oom is set
 * and later writes are dropped. Zero-initialise; the owner frees p. */
typedef struct rt_jbuf {
    char *p;
    size_t len, cap;
    bool oom;
} rt_jbuf;

void rt_jbuf_put(rt_jbuf *b, const char *s, size_t n);
void rt_jbuf_puts(rt_jbuf *b, const char *s);
void rt_jbuf_printf(rt_jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes b (taken) the body of out: out->body and out->len; on oom frees it and leaves the
 * body NULL (the router then answers 500). b is emptied. */
void rt_jbuf_to_body(rt_jbuf *b, rt_http_response *out);

/* Writes n bytes as a JSON string (quoted; control characters escaped; bytes that are not
 * UTF-8 become U+FFFD). */
void rt_json_string(rt_jbuf *out, const char *s, size_t n);
/* Writes a value: null, true/false, an int, a float (shortest round-trip form), a string,
 * or a timestamp as a string in the result format. */
void rt_json_value(rt_jbuf *out, const rt_slot *v, rt_type t);
/* Writes a record of schema as one JSON object line that the event reader reads back to
 * the same values (timestamps as exact epoch seconds). */
void rt_json_record(rt_jbuf *out, const rt_schema *schema, const rt_slot *record);

/* Fills out with status and {"error": MESSAGE}. */
void rt_http_error(rt_http_response *out, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Checks that a body holds something besides whitespace and no NUL byte; otherwise fills
 * out with a 400 saying what was expected and returns false. */
bool rt_http_body_ok(const char *body, size_t len, const char *expected, rt_http_response *out);

/* Whether the JSON text s[0..n) nests arrays and objects at most max levels deep. Brackets
 * inside strings do not count; the text need not be valid JSON (an unbalanced text is
 * judged by its deepest point). A tree parse (whose free recurses) runs only on text
 * that passes. */
bool rt_json_depth_within(const char *s, size_t n, int max);

/* Current wall-clock time in epoch microseconds. */
int64_t rt_http_now(void);

/* POST /v1/events/{source}: applies the body's events (JSON Lines, or one JSON object
 * over several lines) to source src under the write lock, all arrived at the server clock
 * when the request is handled (written into the source's arrival field, if it declares
 * one, before the events are checked). Fills out. */
void rt_http_ingest(rt_server *s, int src, const char *body, size_t len, rt_http_response *out);

/* Counts of one batch of events: accepted, and refused per reason (the invalid ones, which
 * the reader counts, are filled in by the caller that needs them). */
typedef struct rt_http_batch {
    uint64_t accepted;
    uint64_t refused[RT_REJECT_NKINDS];
} rt_http_batch;

/* Applies every valid event reader r yields to source src (the caller holds the write lock
 * or is alone), with an unknown arrival time (a file: its source's arrival field, if any,
 * tells): refused events (ahead, late, duplicate) are logged to the reject log (as found
 * in file) and passed to on_reject (may be NULL) with their kind and reason; accepted ones
 * are appended to the state log when log_state. False with a message when reading fails. */
typedef void (*rt_http_reject_fn)(void *ctx, uint64_t line, rt_reject_kind kind, const char *reason);
bool rt_http_apply_events(rt_server *s, int src, rt_reader *r, const char *file, bool log_state, rt_http_batch *batch,
                          rt_http_reject_fn on_reject, void *ctx, char *err, size_t errlen);

/* Records what applying one decoded event to source src did (the engine's result res, at
 * arrival_us, with wm its part's watermark when decided): an accepted event is appended to
 * state (may be NULL) through the line buffer logline; a refused one is written to the
 * reject log as found at file:line and passed to on_reject (may be NULL). */
void rt_http_record_applied(rt_server *s, int src, const rt_slot *rec, rt_apply_result res, int64_t arrival_us,
                            int64_t wm, uint64_t line, const char *file, FILE *state, rt_jbuf *logline,
                            rt_http_batch *batch, rt_http_reject_fn on_reject, void *ctx);

/* Stream consumers (rt_serve_source.c). rt_serve_sources_start opens every stream source of
 * the configuration (--events NAME=kafka://... or redis://...), each continuing after
 * s->positions[src] when set, and starts a thread per source that applies what it reads
 * under the write lock. False with a message (a bad URL or position, or a source that
 * already holds events from the state directory without a saved position). */
bool rt_serve_sources_start(rt_server *s, char *err, size_t errlen);
/* Stops and joins the consumer threads and closes their sources (the positions stay). */
void rt_serve_sources_stop(rt_server *s);
/* Writes "sources": {NAME: {kind, connected, lag, position, error}} for /healthz; returns
 * whether every source is connected. Nothing is written when there are none. */
bool rt_serve_sources_health(rt_server *s, rt_jbuf *out);
/* Writes featc_source_connected and featc_source_lag for /metrics. */
void rt_serve_sources_metrics(rt_server *s, FILE *out);

/* Builds (and frees) the request layout of every service. False when memory runs out. */
bool rt_http_services_init(rt_server *s);
void rt_http_services_free(rt_server *s);

/* POST /v1/features/{service}: decodes the body (keys, request fields, optional query
 * time), answers as of that time or now (epoch microseconds) under the read lock. */
/* The most requests one batch (a JSON array body) may hold. */
#define RT_HTTP_MAX_BATCH 1000

/* Answers POST /v1/features/{service}: one JSON object of keys and request fields, answered
 * `{"features": {...}}` (4xx with an error otherwise), or a JSON array of such objects, answered
 * `{"results": [...]}` in order, each item as the single request would be (`{"error": ...}`
 * for one that fails), all under one read lock; more than RT_HTTP_MAX_BATCH items → 413. */
void rt_http_features(rt_server *s, int svc, const char *body, size_t len, int64_t now, rt_http_response *out);

/* Starts libmicrohttpd on the bound, listening socket fd (which it then owns): worker
 * threads, timeouts and body limits from s->cfg. NULL when it cannot start. */
struct MHD_Daemon *rt_http_mhd_start(rt_server *s, int fd, bool ipv6);

/* Lets each view of src forget what queries at or after the retention bound cannot see. */
void rt_http_settle(rt_server *s, int src);

#endif
