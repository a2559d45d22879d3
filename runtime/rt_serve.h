/* rt_serve.h - the feature server (`BINARY serve`): an engine behind an HTTP API. */
#ifndef FEATRT_SERVE_H
#define FEATRT_SERVE_H

#include "rt_abi.h"
#include "rt_manifest.h"
#include "rt_replay.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What `serve` is told on its command line. Strings are borrowed. */
typedef struct rt_serve_config {
    const char *listen;         /* HOST:PORT ([v6]:PORT for IPv6); port 0 picks a free one */
    const rt_event_file *events; /* files are loaded at start, in order, before accepting requests;
                                    streams (kafka://, redis://) are followed by a thread each */
    int nevents;
    const rt_event_file *resume; /* SOURCE=POSITION: where a stream source continues (rt_source.h) */
    int nresume;
    const char *state_dir;      /* NULL: nothing persists; else events posted are logged there and
                                   replayed at the next start */
    const char *rejects;        /* reject log path ("-" for stderr); NULL: counted only */
    int64_t retain_us;          /* how far before the complete-until time `at` may look; <0: forever */
    size_t max_body;            /* bytes; 0 means the default, 1 MiB */
    unsigned timeout_s;         /* idle connection timeout; 0 means the default, 30 s */
    unsigned threads;           /* worker threads; 0 means one per CPU (at most 16) */
    size_t max_buffered;        /* request body bytes held at once over all connections; beyond
                                   it requests get 503; 0 means the default, 256 MiB */
    unsigned body_timeout_s;    /* a request whose body is not complete this long after its
                                   headers has its connection closed; 0 means the default, 60 s */
} rt_serve_config;

#define RT_SERVE_MAX_BODY ((size_t)1 << 20)
#define RT_SERVE_MAX_BUFFERED ((size_t)256 << 20)
#define RT_SERVE_RETAIN_DEFAULT (INT64_C(86400) * 1000000)

typedef struct rt_server rt_server;

/* Creates a server for p (borrowed) with generated functions fns: builds the engine, opens
 * the reject log, replays the state directory's event logs, then loads config->events.
 * Progress lines go to stderr. Returns NULL with a message in err on failure. */
rt_server *rt_server_new(const rt_program *p, const rt_fn_table *fns, const rt_serve_config *config, char *err,
                         size_t errlen);

/* Binds config->listen and starts answering on worker threads. False with a message. */
bool rt_server_start(rt_server *s, char *err, size_t errlen);

/* The bound port (after rt_server_start). */
int rt_server_port(const rt_server *s);

/* Stops answering (waits for requests in flight) and frees everything. NULL is fine. */
void rt_server_free(rt_server *s);

/* An HTTP response built by rt_server_handle; body is malloc'd (the caller frees it). */
typedef struct rt_http_response {
    int status;
    const char *content_type;
    const char *allow; /* the Allow header of a 405, else NULL */
    char *body;
    size_t len;
} rt_http_response;

/* Answers one request without the network (the HTTP layer calls this; so do tests):
 * method, path (decoded, without the query string) and the body: len bytes followed by a
 * NUL byte. Thread-safe. */
void rt_server_handle(rt_server *s, const char *method, const char *path, const char *body, size_t len,
                      rt_http_response *out);

/* Runs `serve` until SIGINT or SIGTERM: new, start, print the address, wait, free.
 * Returns the process exit code (0 after a signal, 1 when the server could not start). */
int rt_serve_run(const rt_program *p, const rt_fn_table *fns, const rt_serve_config *config);

#endif
