/* rt_http_api.c - routes a request to its endpoint: features, events, health and metrics. */
#include "rt_http.h"
#include "rt_info.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The rest of path after prefix, or NULL when path does not start with it. */
static const char *after(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 ? path + n : NULL;
}

/* The path cut to 120 bytes with unprintable bytes escaped, for messages; returns buf. */
static const char *excerpt(char *buf, size_t cap, const char *path)
{
    rt_reject_excerpt(buf, cap, path, strlen(path), 120, false);
    return buf;
}

static void method_not_allowed(rt_http_response *out, const char *method, const char *path, const char *allow)
{
    char m[40] = "";
    rt_reject_excerpt(m, sizeof m, method, strlen(method), 16, false);
    rt_http_error(out, 405, "method %s is not allowed on %s (allowed: %s)", m, path, allow);
    out->allow = allow;
}

static void not_found(rt_http_response *out, const char *what, const char *name)
{
    char shown[160] = "";
    rt_reject_excerpt(shown, sizeof shown, name, strlen(name), 100, false);
    rt_http_error(out, 404, "no %s named '%s'", what, shown);
}

static void metrics(rt_server *s, rt_http_response *out)
{
    *out = (rt_http_response){.status = 200, .content_type = "text/plain; version=0.0.4; charset=utf-8"};
    FILE *f = open_memstream(&out->body, &out->len);
    if (!f) {
        rt_http_error(out, 500, "out of memory");
        return;
    }
    pthread_rwlock_rdlock(&s->lock);
    rt_metrics_write(s->metrics, s->engine, s->rejects, f);
    pthread_rwlock_unlock(&s->lock);
    rt_serve_sources_metrics(s, f);
    fclose(f);
}

/* What this runtime is (rt_info_json): for routers, deploy checks and people. */
static void services(rt_server *s, rt_http_response *out)
{
    *out = (rt_http_response){.status = 200, .content_type = "application/json"};
    rt_jbuf b = {0};
    rt_info_json(s->p, &b);
    rt_jbuf_to_body(&b, out);
}

/* {"status": "ok"}, with each stream source's health when there are any ("degraded" while
 * one is not connected: answers go on, from state that may lag). */
static void healthz(rt_server *s, rt_http_response *out)
{
    *out = (rt_http_response){.status = 200, .content_type = "application/json"};
    rt_jbuf src = {0}, b = {0};
    bool connected = rt_serve_sources_health(s, &src);
    rt_jbuf_printf(&b, "{\"status\":\"%s\"%s%s}\n", connected ? "ok" : "degraded", src.len ? "," : "",
                   src.len ? src.p : "");
    if (src.oom)
        b.oom = true;
    free(src.p);
    rt_jbuf_to_body(&b, out);
}

void rt_server_handle(rt_server *s, const char *method, const char *path, const char *body, size_t len,
                      rt_http_response *out)
{
    *out = (rt_http_response){0};
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    char shown[200] = ""; /* the path as messages show it; made only for an error */
    const char *name;
    if (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0 || strcmp(path, "/v1/services") == 0) {
        if (!get)
            method_not_allowed(out, method, excerpt(shown, sizeof shown, path), "GET, HEAD");
        else if (strcmp(path, "/healthz") == 0)
            healthz(s, out);
        else if (strcmp(path, "/v1/services") == 0)
            services(s, out);
        else
            metrics(s, out);
    } else if ((name = after(path, "/v1/features/")) != NULL) {
        int svc = rt_program_find_service(s->p, name);
        if (!post) {
            method_not_allowed(out, method, excerpt(shown, sizeof shown, path), "POST");
        } else if (svc < 0) {
            not_found(out, "service", name);
        } else {
            double start = monotonic_seconds();
            rt_http_features(s, svc, body, len, rt_http_now(), out);
            rt_metrics_observe(s->metrics, svc, out->status, monotonic_seconds() - start);
        }
    } else if ((name = after(path, "/v1/events/")) != NULL) {
        int src = rt_program_find_source(s->p, name);
        if (!post)
            method_not_allowed(out, method, excerpt(shown, sizeof shown, path), "POST");
        else if (src < 0)
            not_found(out, "source", name);
        else if (s->p->sources[src].kind == RT_SOURCE_REQUEST)
            rt_http_error(out, 400, "'%s' is a request source: it takes no events", s->p->sources[src].name);
        else
            rt_http_ingest(s, src, body, len, out);
    } else {
        rt_http_error(out, 404, "no such endpoint: %s (try POST /v1/features/SERVICE, POST /v1/events/SOURCE, "
                                "GET /v1/services, GET /healthz, GET /metrics)",
                      excerpt(shown, sizeof shown, path));
    }
    if (!out->body && out->status != 500)
        rt_http_error(out, 500, "out of memory");
}
