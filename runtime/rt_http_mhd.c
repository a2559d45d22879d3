/* rt_http_mhd.c - the libmicrohttpd glue: collects bodies within the limit and sends responses. */
#include "rt_http.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Bytes of libmicrohttpd's memory pool per connection (request line, headers, buffers). */
#define RT_HTTP_CONN_MEMORY ((size_t)16 << 10)

/* Why a request's body is being discarded instead of kept. */
typedef enum body_refusal { KEEP_BODY, TOO_LARGE, SERVER_BUSY } body_refusal;

/* One request in flight: its body so far (cap bytes counted in the server's buffered
 * total), and when its headers were complete. */
typedef struct http_conn {
    char *body;
    size_t len;
    size_t cap;
    body_refusal refused;
    struct timespec started;
} http_conn;

/* Gives back a connection's body buffer and its share of the buffered total. */
static void drop_body(rt_server *s, http_conn *hc)
{
    atomic_fetch_sub(&s->buffered, hc->cap);
    free(hc->body);
    hc->body = NULL;
    hc->len = hc->cap = 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Counts Content-Length headers and whether two of them differ. */
typedef struct length_headers {
    int n;
    const char *first;
    bool differ;
} length_headers;

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    length_headers *lh = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
        return MHD_YES;
    if (lh->n++ == 0)
        lh->first = value;
    else if (strcmp(lh->first ? lh->first : "", value ? value : "") != 0)
        lh->differ = true;
    return MHD_YES;
}

static enum MHD_Result send_response(struct MHD_Connection *c, rt_http_response *r)
{
    struct MHD_Response *resp =
        r->body ? MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE)
                : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r->body);
        return MHD_NO;
    }
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result refuse(rt_server *s, struct MHD_Connection *c, body_refusal why)
{
    rt_http_response r = {0};
    if (why == TOO_LARGE)
        rt_http_error(&r, 413, "the body is larger than the limit of %zu bytes", s->cfg.max_body);
    else
        rt_http_error(&r, 503, "the server holds too many request bodies at once (%zu bytes); retry later",
                      s->cfg.max_buffered);
    return send_response(c, &r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    rt_server *s = cls;
    http_conn *hc = *con_cls;
    if (!hc) {
        hc = calloc(1, sizeof *hc);
        if (!hc)
            return MHD_NO;
        *con_cls = hc;
        clock_gettime(CLOCK_MONOTONIC, &hc->started);
        /* Two different lengths: a proxy in front may frame the body by the other one
         * (request smuggling). Answered before the body is read; MHD then closes. */
        length_headers lh = {0};
        MHD_get_connection_values(c, MHD_HEADER_KIND, count_length, &lh);
        if (lh.differ) {
            rt_http_response r = {0};
            rt_http_error(&r, 400, "the request has Content-Length headers that differ");
            return send_response(c, &r);
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->cfg.max_body) {
            hc->refused = TOO_LARGE;
            return refuse(s, c, TOO_LARGE); /* answered before the body is read; MHD then closes */
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (hc->refused)
            return MHD_YES;
        if (n > s->cfg.max_body - hc->len) {
            hc->refused = TOO_LARGE;
            drop_body(s, hc);
            return MHD_YES;
        }
        if (seconds_since(&hc->started) > (double)s->cfg.body_timeout_s) {
            /* a trickling body would hold its buffer for ever; MHD cannot answer before the
             * body is complete, so the connection is closed */
            drop_body(s, hc);
            return MHD_NO;
        }
        if (hc->len + n + 1 > hc->cap) {
            size_t cap = hc->cap ? hc->cap : 1024;
            while (cap < hc->len + n + 1)
                cap *= 2;
            /* the growth is counted before it is allocated: over the budget, refuse */
            size_t before = atomic_fetch_add(&s->buffered, cap - hc->cap);
            if (before + (cap - hc->cap) > s->cfg.max_buffered) {
                atomic_fetch_sub(&s->buffered, cap - hc->cap);
                hc->refused = SERVER_BUSY; /* the rest is read and dropped, then answered */
                drop_body(s, hc);
                return MHD_YES;
            }
            char *nb = realloc(hc->body, cap);
            if (!nb) {
                atomic_fetch_sub(&s->buffered, cap - hc->cap);
                return MHD_NO;
            }
            hc->body = nb;
            hc->cap = cap;
        }
        memcpy(hc->body + hc->len, upload, n);
        hc->len += n;
        return MHD_YES;
    }
    if (hc->refused)
        return refuse(s, c, hc->refused);
    if (!hc->body) {
        hc->body = malloc(1);
        if (!hc->body)
            return MHD_NO;
        hc->cap = 1;
        atomic_fetch_add(&s->buffered, 1);
    }
    hc->body[hc->len] = '\0';
    rt_http_response r;
    rt_server_handle(s, method, url, hc->body, hc->len, &r);
    return send_response(c, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)c, (void)toe;
    http_conn *hc = *con_cls;
    if (hc) {
        drop_body(cls, hc);
        free(hc);
        *con_cls = NULL;
    }
}

/* The configuration, chosen by measurement (docs/performance.md, serving):
 * - MHD_USE_AUTO_INTERNAL_THREAD with a pool of cfg.threads: on Linux each worker waits on
 *   its own epoll set; a keep-alive request costs one recv and one sendmsg (headers and body
 *   in one write; MHD sets TCP_NODELAY on each accepted socket, so Nagle never delays an
 *   answer). A thread per connection cost about 30% more CPU per request and a thread for
 *   each of up to 10000 connections; MHD_USE_TURBO saved nothing measurable and MHD
 *   documents it as unsafe.
 * - 16 KiB of memory per connection instead of 32: MHD clears the connection's memory pool
 *   before each keep-alive request, which was a tenth of the user CPU time per request;
 *   16 KiB still holds request headers of several KiB (larger ones get 431). Bodies do not
 *   live there: they stream through on_request into our own buffer. */
struct MHD_Daemon *rt_http_mhd_start(rt_server *s, int fd, bool ipv6)
{
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | (ipv6 ? MHD_USE_IPv6 : 0);
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)s->cfg.timeout_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)10000,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)RT_HTTP_CONN_MEMORY,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
}
