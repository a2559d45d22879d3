/* test_rt_engine_serve.c - the HTTP API: endpoints, errors, state directory, real sockets, concurrency. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_http.h"
#include "rt_serve.h"
#include "test_rt_engine_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

typedef struct fixture {
    rt_program *p;
    char *dir;
    rt_server *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->p = test_program();
    f->dir = test_tmpdir();
    *state = f;
    return f->p && f->dir ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rt_server_free(f->s);
    rt_program_free(f->p);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

static rt_server *new_server(fixture *f, const rt_serve_config *cfg)
{
    char err[512];
    rt_server *s = rt_server_new(f->p, &test_fns, cfg, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    return s;
}

/* Calls the handler with a copy of body; returns the status and the body in *resp. */
static int call(rt_server *s, const char *method, const char *path, const char *body, char **resp)
{
    size_t n = strlen(body);
    char *copy = malloc(n + 1);
    memcpy(copy, body, n + 1);
    rt_http_response r;
    rt_server_handle(s, method, path, copy, n, &r);
    free(copy);
    assert_non_null(r.body);
    assert_int_equal(strlen(r.body), r.len);
    *resp = r.body;
    return r.status;
}

/* Expects status and a body containing want. */
static void expect(rt_server *s, const char *method, const char *path, const char *body, int status, const char *want)
{
    char *resp;
    int got = call(s, method, path, body, &resp);
    if (got != status || !strstr(resp, want))
        fail_msg("%s %s %s: expected %d with '%s', got %d: %s", method, path, body, status, want, got, resp);
    free(resp);
}

static const char events_body[] = "{\"user\":1,\"amount\":5,\"ts\":100}\n"
                                  "{\"user\":1,\"amount\":\"x\",\"ts\":101}\n" /* wrong type */
                                  "{\"user\":1,\"amount\":1,\"ts\":95}\n"
                                  "{\"user\":1,\"amount\":3,\"ts\":80}\n"; /* late: 80 < 100 - 10 */

static void test_endpoints(void **state)
{
    fixture *f = *state;
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = 0};
    rt_server *s = f->s = new_server(f, &cfg);

    expect(s, "GET", "/healthz", "", 200, "{\"status\":\"ok\"}");
    expect(s, "POST", "/healthz", "", 405, "not allowed");
    expect(s, "GET", "/nope", "", 404, "no such endpoint: /nope");
    expect(s, "GET", "/v1/features/s", "", 405, "method GET is not allowed");
    expect(s, "POST", "/v1/events/nope", "{}", 404, "no source named 'nope'");
    expect(s, "POST", "/v1/events/req", "{}", 400, "request source");
    expect(s, "POST", "/v1/events/ev", "  \n", 400, "empty body");

    char *resp;
    assert_int_equal(call(s, "POST", "/v1/events/ev", events_body, &resp), 200);
    assert_non_null(strstr(resp, "{\"accepted\":2,\"rejected\":1,\"late\":1,\"invalid\":1,\"ahead\":0,"
                                 "\"duplicate\":0,\"rejects\":[{\"line\":2,\"kind\":\"invalid\",\"reason\":"));
    assert_non_null(strstr(resp, "{\"line\":4,\"kind\":\"late\",\"reason\":\"late: event time "
                                 "1970-01-01T00:01:20.000000Z is before watermark 1970-01-01T00:01:40.000000Z minus "
                                 "lateness 10s\"}]}"));
    free(resp);
    /* One event spread over lines is one event. */
    expect(s, "POST", "/v1/events/ev", "{\n  \"user\": 2,\n  \"amount\": 7,\n  \"ts\": 99\n}\n", 200,
           "{\"accepted\":1,\"rejected\":0,\"late\":0,\"invalid\":0,\"ahead\":0,\"duplicate\":0,\"rejects\":[]}");

    /* 100 and 95 for user 1: count 2, total 6, last 5, max 5, ratio 18 / 6. */
    expect(s, "POST", "/v1/features/s", "{\"user\":1,\"x\":18,\"at\":200}", 200,
           "{\"features\":{\"v__cnt\":2,\"v__total\":6,\"v__last_amount\":5,\"w__mx\":5,\"od__ratio\":3}}");
    expect(s, "POST", "/v1/features/s", "{\"at\":\"1970-01-01T00:01:40Z\",\n\"user\":1}", 200,
           "{\"features\":{\"v__cnt\":1,\"v__total\":1,\"v__last_amount\":1,\"w__mx\":1,\"od__ratio\":null}}");
    expect(s, "POST", "/v1/features/s", "{\"user\":null,\"x\":1,\"at\":200}", 200,
           "{\"features\":{\"v__cnt\":0,\"v__total\":0,\"v__last_amount\":null,\"w__mx\":null,\"od__ratio\":null}}");
    /* Without "at", the server clock (long after 1970) is used. */
    expect(s, "POST", "/v1/features/s", "{\"user\":2}", 200, "\"v__cnt\":0,\"v__total\":7,");
    expect(s, "POST", "/v1/features/nope", "{}", 404, "no service named 'nope'");
    expect(s, "POST", "/v1/features/s", "{\"x\":1}", 400, "missing key 'user'");
    expect(s, "POST", "/v1/features/s", "{\"user\":1,", 400, "bad JSON");
    expect(s, "POST", "/v1/features/s", "[1]", 200,
           "{\"results\":[{\"error\":\"the body must be a JSON object of keys and request fields\"}]}");
    expect(s, "POST", "/v1/features/s", "", 400, "empty body");
    expect(s, "POST", "/v1/features/s", "{\"user\":\"abc\"}", 400, "user");
    expect(s, "POST", "/v1/features/s", "{\"user\":1.5}", 400, "user");
    expect(s, "POST", "/v1/features/s", "{\"user\":1,\"at\":true}", 400, "at");
    /* retain 0: the state was settled at watermark 100 - lateness 10 = 90s. */
    expect(s, "POST", "/v1/features/s", "{\"user\":1,\"at\":50}", 422, "cannot answer as of 1970-01-01T00:00:50");

    assert_int_equal(call(s, "GET", "/metrics", "", &resp), 200);
    const char *want[] = {"featc_events_ingested_total{source=\"ev\"} 3\n",
                          "featc_events_rejected_total{source=\"ev\",reason=\"invalid\"} 1\n",
                          "featc_events_rejected_total{source=\"ev\",reason=\"ahead\"} 0\n",
                          "featc_events_rejected_total{source=\"ev\",reason=\"late\"} 1\n",
                          "featc_events_rejected_total{source=\"ev\",reason=\"duplicate\"} 0\n",
                          "featc_events_late_total{source=\"ev\"} 1\n",
                          "featc_requests_total{service=\"s\",code=\"2xx\"} 5\n",
                          "featc_requests_total{service=\"s\",code=\"4xx\"} 7\n",
                          "featc_request_duration_seconds_count{service=\"s\"} 12\n",
                          "featc_request_duration_seconds_bucket{service=\"s\",le=\"+Inf\"} 12\n",
                          "featc_keys{view=\"v\"} 2\n",
                          "featc_watermark_seconds{source=\"ev\"} 100\n",
                          "# TYPE featc_request_duration_seconds histogram\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(resp, want[i]))
            fail_msg("metrics lack '%s':\n%s", want[i], resp);
    free(resp);
}

/* Events posted to a server with a state directory come back after a restart. */
static void test_state_directory(void **state)
{
    fixture *f = *state;
    char *sd = test_path(f->dir, "state");
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .state_dir = sd, .retain_us = -1};
    rt_server *s = new_server(f, &cfg);
    expect(s, "POST", "/v1/events/ev", events_body, 200, "\"accepted\":2");
    expect(s, "POST", "/v1/events/ev",
           "{\"user\":1,\"amount\":0.1,\"ts\":\"2000-01-01T00:00:00.000001Z\"}\n{\"user\":1,\"ts\":-1.5}", 200,
           "\"accepted\":1,\"rejected\":0,\"late\":1");
    rt_server_free(s);
    char *log = test_path(sd, "ev.jsonl");
    char *text = test_read(log);
    assert_non_null(text);
    assert_string_equal(text, "{\"user\":1,\"amount\":5,\"ts\":100.000000}\n"
                              "{\"user\":1,\"amount\":1,\"ts\":95.000000}\n"
                              "{\"user\":1,\"amount\":0.1,\"ts\":946684800.000001}\n");
    free(text);

    s = f->s = new_server(f, &cfg);
    expect(s, "POST", "/v1/features/s", "{\"user\":1,\"x\":6.1,\"at\":\"2000-01-01T00:00:01Z\"}", 200,
           "{\"features\":{\"v__cnt\":1,\"v__total\":6.1,\"v__last_amount\":0.1,\"w__mx\":5,\"od__ratio\":1}}");
    free(log);
    free(sd);
}

/* A second server on a state directory in use refuses to start, with a message naming the
 * directory; once the first is gone the directory can be used again. */
static void test_state_directory_lock(void **state)
{
    fixture *f = *state;
    char *sd = test_path(f->dir, "state");
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .state_dir = sd, .retain_us = -1};
    rt_server *first = new_server(f, &cfg);
    char err[512] = "";
    rt_server *second = rt_server_new(f->p, &test_fns, &cfg, err, sizeof err);
    assert_null(second);
    assert_non_null(strstr(err, "is in use by another running server"));
    assert_non_null(strstr(err, sd));
    expect(first, "POST", "/v1/events/ev", "{\"user\":1,\"amount\":5,\"ts\":100}", 200, "\"accepted\":1");
    rt_server_free(first);
    rt_server *third = f->s = new_server(f, &cfg);
    expect(third, "POST", "/v1/features/s", "{\"user\":1,\"x\":5,\"at\":200}", 200, "\"v__total\":5");
    free(sd);
}

/* A crash in the middle of a write leaves a torn last line in a state log. On restart it
 * is cut off, so an event acknowledged after the restart is a line of its own: it and the
 * events acknowledged before the crash all count after the next restart. */
static void test_state_log_torn_tail(void **state)
{
    fixture *f = *state;
    char *sd = test_path(f->dir, "state");
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .state_dir = sd, .retain_us = -1};
    rt_server *s = new_server(f, &cfg);
    expect(s, "POST", "/v1/events/ev", "{\"user\":1,\"amount\":5,\"ts\":100}", 200, "\"accepted\":1");
    rt_server_free(s);
    char *log = test_path(sd, "ev.jsonl");
    FILE *fp = fopen(log, "a");
    assert_non_null(fp);
    fputs("{\"user\":1,\"amount\":7,\"t", fp); /* cut short: never acknowledged */
    fclose(fp);
    s = new_server(f, &cfg);
    expect(s, "POST", "/v1/events/ev", "{\"user\":1,\"amount\":2,\"ts\":101}", 200, "\"accepted\":1");
    rt_server_free(s);
    char *text = test_read(log);
    assert_string_equal(text, "{\"user\":1,\"amount\":5,\"ts\":100.000000}\n"
                              "{\"user\":1,\"amount\":2,\"ts\":101.000000}\n");
    free(text);
    s = f->s = new_server(f, &cfg);
    expect(s, "POST", "/v1/features/s", "{\"user\":1,\"x\":7,\"at\":200}", 200, "\"v__total\":7");
    free(log);
    free(sd);
}

static void test_start_problems(void **state)
{
    fixture *f = *state;
    char err[512];
    rt_event_file ev = {"nope", "/dev/null"};
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .events = &ev, .nevents = 1};
    assert_null(rt_server_new(f->p, &test_fns, &cfg, err, sizeof err));
    assert_non_null(strstr(err, "no source named 'nope'"));
    ev = (rt_event_file){"ev", "/nonexistent/ev.jsonl"};
    assert_null(rt_server_new(f->p, &test_fns, &cfg, err, sizeof err));
    cfg.nevents = 0;
    const char *bad[] = {"127.0.0.1", "127.0.0.1:x", "127.0.0.1:70000", "no.such.host.invalid:80", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg.listen = bad[i];
        rt_server *s = new_server(f, &cfg);
        if (rt_server_start(s, err, sizeof err))
            fail_msg("listening on '%s' worked", bad[i]);
        rt_server_free(s);
    }
}

/* ---- over a real socket ---- */

/* Sends raw bytes to 127.0.0.1:port and reads the reply until the server closes. Returns
 * the status code (0 when there is none) and the reply in *reply. */
static int raw_http(int port, const char *req, size_t len, char **reply)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may close early (413) */
        off += (size_t)w;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ssize_t r;
    while ((r = recv(fd, buf + n, cap - n - 1, 0)) > 0) {
        n += (size_t)r;
        if (cap - n < 2)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    close(fd);
    *reply = buf;
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    return status;
}

static void test_over_socket(void **state)
{
    fixture *f = *state;
    char err[512];
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1, .max_body = 200, .threads = 2, .timeout_s = 1};
    rt_server *s = f->s = new_server(f, &cfg);
    assert_true(rt_server_start(s, err, sizeof err));
    int port = rt_server_port(s);
    assert_true(port > 0);
    char *reply;
    const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_int_equal(raw_http(port, get, strlen(get), &reply), 200);
    assert_non_null(strstr(reply, "Content-Type: application/json"));
    assert_non_null(strstr(reply, "{\"status\":\"ok\"}"));
    free(reply);

    char req[1024];
    const char *body = "{\"user\":3,\"amount\":2.5,\"ts\":10}";
    int n = snprintf(req, sizeof req,
                     "POST /v1/events/ev HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                     strlen(body), body);
    assert_int_equal(raw_http(port, req, (size_t)n, &reply), 200);
    assert_non_null(strstr(reply, "\"accepted\":1"));
    free(reply);

    body = "{\"user\":3,\"at\":11}";
    n = snprintf(req, sizeof req,
                 "POST /v1/features/s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                 strlen(body), body);
    assert_int_equal(raw_http(port, req, (size_t)n, &reply), 200);
    assert_non_null(strstr(reply, "\"v__total\":2.5"));
    free(reply);

    /* A declared length over the limit is refused before the body is read. */
    const char big[] = "POST /v1/events/ev HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n{";
    assert_int_equal(raw_http(port, big, strlen(big), &reply), 413);
    assert_non_null(strstr(reply, "larger than the limit of 200 bytes"));
    free(reply);
    /* So is a chunked body that grows past it. */
    char chunked[2048];
    n = snprintf(chunked, sizeof chunked,
                 "POST /v1/events/ev HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 5; i++)
        n += snprintf(chunked + n, sizeof chunked - (size_t)n, "64\r\n%0100d\r\n", 0);
    n += snprintf(chunked + n, sizeof chunked - (size_t)n, "0\r\n\r\n");
    assert_int_equal(raw_http(port, chunked, (size_t)n, &reply), 413);
    free(reply);
    /* Garbage is answered (or the connection closed), never a crash. */
    const char junk[] = "\x01\x02 nonsense\r\n\r\n";
    raw_http(port, junk, sizeof junk - 1, &reply);
    free(reply);
    /* A client that stalls is dropped after the timeout. */
    const char half[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    assert_int_equal(raw_http(port, half, strlen(half), &reply), 0);
    free(reply);
    assert_int_equal(raw_http(port, get, strlen(get), &reply), 200);
    free(reply);
}

typedef struct worker {
    int port;
    int id;
    int failures;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 100; i++) {
        char body[128], req[512], *reply;
        bool post_event = (i + w->id) % 3 == 0;
        if (post_event)
            snprintf(body, sizeof body, "{\"user\":%d,\"amount\":%d,\"ts\":%d}", w->id, i, 1000 + i);
        else
            snprintf(body, sizeof body, "{\"user\":%d,\"x\":2}", w->id);
        int n = snprintf(req, sizeof req, "POST /v1/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                         post_event ? "events/ev" : "features/s", strlen(body), body);
        int st = raw_http(w->port, req, (size_t)n, &reply);
        if (st != 200)
            w->failures++;
        free(reply);
    }
    return NULL;
}

/* Queries and ingestion from several clients at once all succeed (run under the
 * sanitizers, this also checks the locking). */
static void test_concurrency(void **state)
{
    fixture *f = *state;
    char err[512];
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1, .threads = 4};
    rt_server *s = f->s = new_server(f, &cfg);
    assert_true(rt_server_start(s, err, sizeof err));
    worker w[6];
    pthread_t th[6];
    for (int i = 0; i < 6; i++) {
        w[i] = (worker){rt_server_port(s), i, 0};
        pthread_create(&th[i], NULL, hammer, &w[i]);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    char *resp;
    assert_int_equal(call(s, "GET", "/metrics", "", &resp), 200);
    assert_non_null(strstr(resp, "featc_keys{view=\"v\"} 6\n"));
    free(resp);
}

/* Corrupted bodies and paths get an answer (never a crash; under the sanitizers, never a
 * memory error), and every answer is a JSON object. */
static void test_garbage(void **state)
{
    fixture *f = *state;
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = 0};
    rt_server *s = f->s = new_server(f, &cfg);
    static const char *const seeds[] = {
        "{\"user\":1,\"x\":18.5,\"at\":\"1970-01-01T00:03:20Z\"}",
        "{\"user\":1,\"amount\":5,\"ts\":100}\n{\"user\":2,\"amount\":1e308,\"ts\":\"2020-01-01 00:00:00+01:00\"}\n",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "{\"user\":\"\\ud800\",\"x\":-0.0}",
    };
    static const char *const paths[] = {"/v1/features/s", "/v1/events/ev", "/v1/features/", "/v1/events/",
                                        "/metrics", "/v1/features/s/x"};
    static const char junk[] = "{}[]\":,\\ \n0-9eE.+tfnu\x01\xff\xc3\x00";
    uint64_t x = 88172645463325252u;
    char body[256];
    for (int i = 0; i < 4000; i++) {
        const char *seed = seeds[i % 4];
        size_t n = strlen(seed);
        memcpy(body, seed, n);
        for (int k = 0; k < 1 + i % 4; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            body[x % n] = junk[(x >> 32) % (sizeof junk - 1)];
        }
        body[n] = '\0';
        rt_http_response r;
        rt_server_handle(s, i % 7 ? "POST" : "GET", paths[i % 6], body, n, &r);
        assert_non_null(r.body);
        assert_true(r.status >= 200 && r.status < 500);
        if (r.status != 200 || strcmp(paths[i % 6], "/metrics") != 0)
            assert_true(r.body[0] == '{');
        free(r.body);
    }
}

/* A body of hundreds of thousands of nested arrays (under the body limit) gets a 400 on
 * the feature endpoint and per-line rejects on the event endpoint, and the server goes on
 * answering: the tree parse that explains a bad body never sees such nesting (its free
 * recursed once per level and overflowed the stack). */
static void test_deep_body(void **state)
{
    fixture *f = *state;
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1};
    rt_server *s = f->s = new_server(f, &cfg);
    size_t n = 800000;
    char *deep = malloc(n + 16);
    for (size_t i = 0; i < n / 2; i++)
        deep[i] = '[', deep[n - 1 - i] = ']';
    deep[n] = '\0';
    expect(s, "POST", "/v1/features/s", deep, 400, "nested more than 1000 deep");
    /* an object spread over lines with deep nesting in it: read as JSON Lines, each line
     * rejected with its reason */
    memcpy(deep, "{\"user\":1,\n\"x\":", 16);
    expect(s, "POST", "/v1/events/ev", deep, 200, "\"rejected\":2");
    deep[0] = '{';
    deep[1] = '\n';
    memset(deep + 2, '{', n - 2);
    expect(s, "POST", "/v1/features/s", deep, 400, "bad JSON");
    expect(s, "POST", "/v1/events/ev", deep, 200, "\"rejected\":2");
    free(deep);
    expect(s, "POST", "/v1/events/ev", "{\"user\":1,\"amount\":5,\"ts\":100}", 200, "\"accepted\":1");
    expect(s, "POST", "/v1/features/s", "{\"user\":1,\"x\":10,\"at\":200}", 200, "\"v__total\":5");
}

/* A JSON array of requests is answered in order, each item as the single request would be
 * (an error item for a bad one); an empty array gives no results; malformed arrays and more
 * than RT_HTTP_MAX_BATCH items are refused whole. */
static void test_batch(void **state)
{
    fixture *f = *state;
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1};
    rt_server *s = f->s = new_server(f, &cfg);
    expect(s, "POST", "/v1/events/ev", "{\"user\":1,\"amount\":5,\"ts\":100}\n{\"user\":2,\"amount\":3,\"ts\":101}", 200,
           "\"accepted\":2");
    const char *single[] = {"{\"user\":1,\"x\":10,\"at\":200}", "{\"x\":1}", "{\"user\":2,\"x\":6,\"at\":200}",
                            "{\"user\":3,\"at\":\"bad\"}"};
    char batch[512] = " [ ", want[2048] = "{\"results\":[";
    for (int i = 0; i < 4; i++) {
        char *resp;
        int st = call(s, "POST", "/v1/features/s", single[i], &resp);
        assert_int_equal(st, i % 2 ? 400 : 200);
        resp[strcspn(resp, "\n")] = '\0';
        snprintf(batch + strlen(batch), sizeof batch - strlen(batch), "%s%s", i ? " ,\n" : "", single[i]);
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? "," : "", resp);
        free(resp);
    }
    strcat(batch, "]\n");
    strcat(want, "]}");
    expect(s, "POST", "/v1/features/s", batch, 200, want);
    expect(s, "POST", "/v1/features/s", "[]", 200, "{\"results\":[]}");
    expect(s, "POST", "/v1/features/s", "[{\"user\":1},]", 400, "an empty item");
    expect(s, "POST", "/v1/features/s", "[{\"user\":1}", 400, "not closed");
    expect(s, "POST", "/v1/features/s", "[{\"user\":1}] x", 400, "text after the request array");
    expect(s, "POST", "/v1/features/s", "[{\"user\":\"a]\\\"\"}]", 200, "{\"results\":[{\"error\":");
    size_t n = RT_HTTP_MAX_BATCH + 1, len = 0;
    char *big = malloc(n * 12 + 8);
    big[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(big + len, "%s{\"user\":1}", i ? "," : "");
    strcpy(big + len, "]");
    expect(s, "POST", "/v1/features/s", big, 413, "at most 1000 requests");
    big[len - 11] = ']'; /* 1000 items: answered */
    big[len - 10] = '\0';
    char *resp;
    assert_int_equal(call(s, "POST", "/v1/features/s", big, &resp), 200);
    int items = 0;
    for (char *p = resp; (p = strstr(p, "{\"features\"")); p++)
        items++;
    assert_int_equal(items, RT_HTTP_MAX_BATCH);
    free(resp);
    free(big);
}

/* ---- the arrival rules over HTTP ---- */

static int setup_arrival(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->p = test_parse(test_arrival_manifest);
    f->dir = test_tmpdir();
    *state = f;
    return f->p && f->dir ? 0 : -1;
}

static rt_server *new_arrival_server(fixture *f, const rt_serve_config *cfg)
{
    char err[512];
    rt_server *s = rt_server_new(f->p, &test_arrival_fns, cfg, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    return s;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The answers that must not change over a restart: features of users 1 and 2. */
static char *arrival_answers(rt_server *s)
{
    char *a, *b;
    assert_int_equal(call(s, "POST", "/v1/features/s2", "{\"user\":1,\"at\":\"2100-01-01T00:00:00Z\"}", &a), 200);
    assert_int_equal(call(s, "POST", "/v1/features/s2", "{\"user\":2,\"at\":\"2100-01-01T00:00:00Z\"}", &b), 200);
    size_t n = strlen(a) + strlen(b) + 1;
    char *both = malloc(n);
    snprintf(both, n, "%s%s", a, b);
    free(a);
    free(b);
    return both;
}

/* The refusals a restarted server must repeat: the century-ahead event, a duplicate. */
static void post_refused(rt_server *s)
{
    expect(s, "POST", "/v1/events/nx", "{\"n\":1,\"user\":1,\"ts\":\"2125-06-01T00:00:00Z\"}", 200,
           "{\"accepted\":0,\"rejected\":0,\"late\":0,\"invalid\":0,\"ahead\":1,\"duplicate\":0,"
           "\"rejects\":[{\"line\":1,\"kind\":\"ahead\",\"reason\":\"ahead: event time "
           "2125-06-01T00:00:00.000000Z is more than 1d after its arrival time ");
    expect(s, "POST", "/v1/events/nx", "{\"n\":7,\"user\":2,\"ts\":86400}", 200,
           "\"accepted\":0,\"rejected\":0,\"late\":0,\"invalid\":0,\"ahead\":0,\"duplicate\":1,"
           "\"rejects\":[{\"line\":1,\"kind\":\"duplicate\",\"reason\":\"duplicate: n 7 at event time "
           "1970-01-02T00:00:00.000000Z was already accepted\"}]}");
}

/* A server refuses an event a century ahead of its clock and goes on accepting; a repeated
 * event counts once; the arrival field carries the receipt time into the state log; a
 * restart on the state directory gives the same answers and the same refusals. */
static void test_arrival_over_http(void **state)
{
    fixture *f = *state;
    char *sd = test_path(f->dir, "state");
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .state_dir = sd, .retain_us = -1};
    rt_server *s = new_arrival_server(f, &cfg);

    /* nx has no arrival field: the receipt time is the arrival time, max_ahead 1d */
    expect(s, "POST", "/v1/events/nx", "{\"n\":1,\"user\":1,\"ts\":\"2125-06-01T00:00:00Z\"}", 200,
           "\"accepted\":0,\"rejected\":0,\"late\":0,\"invalid\":0,\"ahead\":1,\"duplicate\":0,");
    /* the watermark did not jump to 2125: an event of 1970 is not late */
    expect(s, "POST", "/v1/events/nx", "{\"n\":1,\"user\":1,\"ts\":86400}", 200,
           "{\"accepted\":1,\"rejected\":0,\"late\":0,\"invalid\":0,\"ahead\":0,\"duplicate\":0,\"rejects\":[]}");
    /* the same event twice in one body, then again in another request: counted once */
    expect(s, "POST", "/v1/events/nx", "{\"n\":7,\"user\":2,\"ts\":86400}\n{\"n\":7,\"user\":2,\"ts\":86400}\n", 200,
           "\"accepted\":1,\"rejected\":0,\"late\":0,\"invalid\":0,\"ahead\":0,\"duplicate\":1,");
    post_refused(s);
    /* a null unique value is never a duplicate */
    expect(s, "POST", "/v1/events/nx", "{\"user\":2,\"ts\":86400}\n{\"n\":null,\"user\":2,\"ts\":86400}", 200,
           "\"accepted\":2,");

    /* tx: the server's receipt time replaces whatever recv holds, before the checks: a
     * recv of 1970 would make this event ahead, a missing or malformed one invalid */
    double before = wall_seconds();
    expect(s, "POST", "/v1/events/tx",
           "{\"id\":\"a\",\"user\":1,\"amount\":1,\"ts\":172800,\"recv\":\"1970-01-01T00:00:00Z\"}\n"
           "{\"id\":\"b\",\"user\":1,\"amount\":2,\"ts\":172800}\n"
           "{\"id\":\"c\",\"user\":1,\"amount\":4,\"ts\":172800,\"recv\":[\"not\",\"a\",\"time\"]}\n"
           "{\"id\":\"a\",\"user\":1,\"amount\":8,\"ts\":172800,\"recv\":null}\n"
           "{\"id\":\"d\",\"user\":1,\"amount\":16,\"ts\":\"2125-06-01T00:00:00Z\","
           "\"recv\":\"2125-06-01T00:00:00Z\"}\n",
           200, "{\"accepted\":3,\"rejected\":0,\"late\":0,\"invalid\":0,\"ahead\":1,\"duplicate\":1,");
    double after = wall_seconds();
    char *answers = arrival_answers(s);
    assert_non_null(strstr(answers, "{\"features\":{\"vt__cnt\":3,\"vt__total\":7,\"vn__cnt\":1}}"));
    assert_non_null(strstr(answers, "{\"features\":{\"vt__cnt\":0,\"vt__total\":0,\"vn__cnt\":3}}"));

    char *resp;
    assert_int_equal(call(s, "GET", "/metrics", "", &resp), 200);
    const char *want[] = {"featc_events_ingested_total{source=\"nx\"} 4\n",
                          "featc_events_rejected_total{source=\"nx\",reason=\"ahead\"} 2\n",
                          "featc_events_rejected_total{source=\"nx\",reason=\"duplicate\"} 2\n",
                          "featc_events_rejected_total{source=\"nx\",reason=\"late\"} 0\n",
                          "featc_events_rejected_total{source=\"nx\",reason=\"invalid\"} 0\n",
                          "featc_events_rejected_total{source=\"tx\",reason=\"ahead\"} 1\n",
                          "featc_events_rejected_total{source=\"tx\",reason=\"duplicate\"} 1\n",
                          "featc_events_ingested_total{source=\"tx\"} 3\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(resp, want[i]))
            fail_msg("metrics lack '%s':\n%s", want[i], resp);
    free(resp);
    rt_server_free(s);

    /* the state log holds the accepted events, recv stamped with the receipt time */
    char *log = test_path(sd, "tx.jsonl");
    char *text = test_read(log);
    assert_non_null(text);
    int lines = 0;
    for (const char *l = text; (l = strstr(l, "\"recv\":")) != NULL; l++) {
        double recv = strtod(l + 7, NULL);
        assert_true(recv >= before - 1e-6 && recv <= after + 1e-6);
        lines++;
    }
    assert_int_equal(lines, 3);
    assert_non_null(strstr(text, "{\"id\":\"a\",\"user\":1,\"amount\":1,\"ts\":172800.000000,\"recv\":"));
    free(text);
    free(log);

    /* restart: the logged events are accepted again, and so are the answers */
    s = f->s = new_arrival_server(f, &cfg);
    char *again = arrival_answers(s);
    assert_string_equal(again, answers);
    free(again);
    free(answers);
    assert_int_equal(call(s, "GET", "/metrics", "", &resp), 200);
    assert_non_null(strstr(resp, "featc_events_ingested_total{source=\"nx\"} 4\n"));
    assert_non_null(strstr(resp, "featc_events_ingested_total{source=\"tx\"} 3\n"));
    assert_non_null(strstr(resp, "featc_events_rejected_total{source=\"tx\",reason=\"ahead\"} 0\n"));
    free(resp);
    /* and the same posts are refused the same way */
    post_refused(s);
    expect(s, "POST", "/v1/events/tx", "{\"id\":\"b\",\"user\":1,\"amount\":2,\"ts\":172800}", 200,
           "\"accepted\":0,\"rejected\":0,\"late\":0,\"invalid\":0,\"ahead\":0,\"duplicate\":1,");
    free(sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_endpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_directory_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_log_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_problems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_over_socket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arrival_over_http, setup_arrival, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
