/* rt_http_mhd.c - the libmicrohttpd glue: collects bodies within the limit and sends responses. */
#include "rt_http.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of libmicrohttpd's memory pool per connection (request line, headers, buffers). */
#define RT_HTTP_CONN_MEMORY ((size_t)16 << 10)

/* One request in flight: its body so far. */
typedef struct http_conn {
    char *body;
    size_t len;
    size_t cap;
    bool too_large;
} http_conn;

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

static enum MHD_Result too_large(rt_server *s, struct MHD_Connection *c)
{
    rt_http_response r = {0};
    rt_http_error(&r, 413, "the body is larger than the limit of %zu bytes", s->cfg.max_body);
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
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->cfg.max_body) {
            hc->too_large = true;
            return too_large(s, c); /* answered before the body is read; MHD then closes */
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (hc->too_large)
            return MHD_YES;
        if (n > s->cfg.max_body - hc->len) {
            hc->too_large = true;
            free(hc->body);
            hc->body = NULL;
            hc->len = hc->cap = 0;
            return MHD_YES;
        }
        if (hc->len + n + 1 > hc->cap) {
            size_t cap = hc->cap ? hc->cap : 1024;
            while (cap < hc->len + n + 1)
                cap *= 2;
            char *nb = realloc(hc->body, cap);
            if (!nb)
                return MHD_NO;
            hc->body = nb;
            hc->cap = cap;
        }
        memcpy(hc->body + hc->len, upload, n);
        hc->len += n;
        return MHD_YES;
    }
    if (hc->too_large)
        return too_large(s, c);
    if (!hc->body) {
        hc->body = malloc(1);
        if (!hc->body)
            return MHD_NO;
        hc->cap = 1;
    }
    hc->body[hc->len] = '\0';
    rt_http_response r;
    rt_server_handle(s, method, url, hc->body, hc->len, &r);
    return send_response(c, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    http_conn *hc = *con_cls;
    if (hc) {
        free(hc->body);
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
