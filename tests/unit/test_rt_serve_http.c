/* test_rt_serve_http.c - the server under many keep-alive clients, slow and vanishing clients, big ingests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_serve.h"
#include "test_rt_engine_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
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

/* Starts a server on a free loopback port with cfg. */
static rt_server *start_cfg(fixture *f, const rt_serve_config *cfg)
{
    char err[512];
    rt_server *s = rt_server_new(f->p, &test_fns, cfg, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    if (!rt_server_start(s, err, sizeof err))
        fail_msg("%s", err);
    return s;
}

/* Starts a server on a free loopback port with `threads` workers, keeping all state. */
static rt_server *start(fixture *f, unsigned threads, const char *state_dir)
{
    char err[512];
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1, .threads = threads, .timeout_s = 30,
                           .state_dir = state_dir};
    rt_server *s = rt_server_new(f->p, &test_fns, &cfg, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    if (!rt_server_start(s, err, sizeof err))
        fail_msg("%s", err);
    return s;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A connected loopback socket whose reads give up after 10 s (a stalled server fails the
 * test instead of hanging it); -1 on failure. */
static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 10};
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Sends one keep-alive POST of body to path. */
static bool post(int fd, const char *path, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", path,
                     strlen(body));
    return send_all(fd, head, (size_t)n) && send_all(fd, body, strlen(body));
}

/* Reads one response (Content-Length framed) into buf (NUL-terminated; the body starts at
 * *body); returns the status, or -1 when the connection closed or timed out first. */
static int read_response(int fd, char *buf, size_t cap, char **body)
{
    size_t len = 0, want = 0;
    char *end = NULL;
    for (;;) {
        if (end && len >= want)
            break;
        if (len + 1 >= cap)
            return -1;
        ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        buf[len] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            want = (size_t)(end + 4 - buf) + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
        }
    }
    *body = end + 4;
    int status = 0;
    return sscanf(buf, "HTTP/1.1 %d", &status) == 1 ? status : -1;
}

/* One POST and its answer on a keep-alive connection: the status (-1: no answer). */
static int roundtrip(int fd, const char *path, const char *body, char *buf, size_t cap, char **answer)
{
    if (!post(fd, path, body))
        return -1;
    return read_response(fd, buf, cap, answer);
}

/* Posts one event per user 0..n-1 with amount = the user's number. */
static void load_users(int port, int n)
{
    int fd = dial(port);
    assert_true(fd >= 0);
    char body[128], buf[4096], *answer;
    for (int u = 0; u < n; u++) {
        snprintf(body, sizeof body, "{\"user\":%d,\"amount\":%d,\"ts\":100}", u, u);
        assert_int_equal(roundtrip(fd, "/v1/events/ev", body, buf, sizeof buf, &answer), 200);
        assert_non_null(strstr(answer, "\"accepted\":1"));
    }
    close(fd);
}

typedef struct client {
    int port, user, requests;
    int answered, wrong;
    double worst;
} client;

/* Sends `requests` feature queries for its user on one keep-alive connection; counts right
 * answers and the slowest one. */
static void *client_run(void *arg)
{
    client *c = arg;
    int fd = dial(c->port);
    if (fd < 0)
        return NULL;
    char body[128], want[64], buf[4096], *answer;
    snprintf(body, sizeof body, "{\"user\":%d,\"at\":200}", c->user);
    snprintf(want, sizeof want, "\"v__total\":%d,", c->user);
    for (int i = 0; i < c->requests; i++) {
        double t0 = now_s();
        int st = roundtrip(fd, "/v1/features/s", body, buf, sizeof buf, &answer);
        double dt = now_s() - t0;
        c->worst = dt > c->worst ? dt : c->worst;
        if (st < 0)
            break;
        c->answered++;
        if (st != 200 || !strstr(answer, want))
            c->wrong++;
    }
    close(fd);
    return NULL;
}

/* 64 clients, each on its own keep-alive connection, against one worker thread and then
 * two: every request is answered, with its own user's value. */
static void test_many_keepalive_clients(void **state)
{
    fixture *f = *state;
    enum { NCLIENTS = 64, REQUESTS = 40 };
    for (unsigned threads = 1; threads <= 2; threads++) {
        rt_server_free(f->s);
        f->s = start(f, threads, NULL);
        int port = rt_server_port(f->s);
        load_users(port, NCLIENTS);
        client c[NCLIENTS];
        pthread_t th[NCLIENTS];
        for (int i = 0; i < NCLIENTS; i++) {
            c[i] = (client){.port = port, .user = i, .requests = REQUESTS};
            assert_int_equal(pthread_create(&th[i], NULL, client_run, &c[i]), 0);
        }
        for (int i = 0; i < NCLIENTS; i++) {
            pthread_join(th[i], NULL);
            if (c[i].answered != REQUESTS || c[i].wrong)
                fail_msg("threads %u, client %d: %d of %d answered, %d wrong", threads, i, c[i].answered, REQUESTS,
                         c[i].wrong);
        }
    }
}

/* Clients that stall mid-request, never send anything, or vanish mid-body do not hold up
 * a client on the same (single) worker thread; the stalled request is answered once its
 * body is complete, and the server then stops promptly with connections still open. */
static void test_slow_clients_do_not_stall_others(void **state)
{
    fixture *f = *state;
    f->s = start(f, 1, NULL);
    int port = rt_server_port(f->s);
    load_users(port, 4);

    const char body[] = "{\"user\":3,\"at\":200}";
    char head[256];
    int hn = snprintf(head, sizeof head, "POST /v1/features/s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
                      strlen(body));
    int slow = dial(port), silent = dial(port), gone = dial(port);
    assert_true(slow >= 0 && silent >= 0 && gone >= 0);
    assert_true(send_all(slow, head, (size_t)hn) && send_all(slow, body, 5)); /* headers and 5 bytes */
    assert_true(send_all(gone, head, (size_t)hn) && send_all(gone, body, 3));
    close(gone);

    client c = {.port = port, .user = 2, .requests = 200};
    client_run(&c);
    assert_int_equal(c.answered, 200);
    assert_int_equal(c.wrong, 0);
    /* generous for a loaded machine; a server stuck behind the slow client would not answer
     * at all within the 10 s read timeout */
    if (c.worst > 2.0)
        fail_msg("a request took %.3f s while another client stalled", c.worst);

    char buf[4096], *answer;
    assert_true(send_all(slow, body + 5, strlen(body) - 5));
    assert_int_equal(read_response(slow, buf, sizeof buf, &answer), 200);
    assert_non_null(strstr(answer, "\"v__total\":3,"));

    double t0 = now_s();
    rt_server_free(f->s);
    f->s = NULL;
    assert_true(now_s() - t0 < 5.0);
    close(slow);
    close(silent);
}

/* Request headers of a few KiB fit the connection's memory; far larger ones are refused
 * with an answer or a closed connection, and the server goes on answering. */
static void test_header_sizes(void **state)
{
    fixture *f = *state;
    f->s = start(f, 1, NULL);
    int port = rt_server_port(f->s);
    static char req[80000], buf[4096];
    char *answer;
    for (int k = 0; k < 2; k++) {
        size_t pad = k == 0 ? 4000 : 70000;
        int n = snprintf(req, sizeof req, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ");
        memset(req + n, 'a', pad);
        n += (int)pad;
        n += snprintf(req + n, sizeof req - (size_t)n, "\r\n\r\n");
        int fd = dial(port);
        assert_true(fd >= 0);
        bool sent = send_all(fd, req, (size_t)n);
        int st = read_response(fd, buf, sizeof buf, &answer);
        if (k == 0) {
            assert_true(sent);
            assert_int_equal(st, 200);
        } else {
            assert_true(st == -1 || (st >= 400 && st < 500));
        }
        close(fd);
    }
    int fd = dial(port);
    assert_int_equal(roundtrip(fd, "/v1/features/s", "{\"user\":1}", buf, sizeof buf, &answer), 200);
    close(fd);
}

/* Two Content-Length headers that differ are refused (a proxy in front might frame the
 * body by the other one); the same length twice is harmless. */
static void test_conflicting_lengths(void **state)
{
    fixture *f = *state;
    f->s = start(f, 1, NULL);
    int port = rt_server_port(f->s);
    char buf[4096], *answer;
    const char *reqs[] = {
        "POST /v1/features/s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 2\r\n\r\n{\"user\":1}",
        "POST /v1/features/s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 10\r\n\r\n{\"user\":1}",
    };
    for (int k = 0; k < 2; k++) {
        int fd = dial(port);
        assert_true(fd >= 0);
        assert_true(send_all(fd, reqs[k], strlen(reqs[k])));
        int st = read_response(fd, buf, sizeof buf, &answer);
        if (k == 0) {
            assert_int_equal(st, 400);
            assert_non_null(strstr(answer, "Content-Length headers that differ"));
        } else {
            assert_int_equal(st, 200);
        }
        close(fd);
    }
}

/* Bodies held open by many clients count against one budget of buffered bytes: past it a
 * request is answered 503 at once, while /healthz and small requests go on answering. */
static void test_buffer_budget(void **state)
{
    fixture *f = *state;
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1, .threads = 2, .timeout_s = 30,
                           .max_buffered = (size_t)4 << 20};
    f->s = start_cfg(f, &cfg);
    int port = rt_server_port(f->s);
    enum { N = 12 };
    size_t body = ((size_t)1 << 20) - 1;
    char *junk = malloc(body); /* one event with a long unknown field */
    memset(junk, 'a', body);
    const char pre[] = "{\"user\":1,\"amount\":1,\"ts\":100,\"pad\":\"";
    memcpy(junk, pre, strlen(pre));
    memcpy(junk + body - 2, "\"}", 2);
    int fds[N];
    for (int i = 0; i < N; i++) {
        fds[i] = dial(port);
        assert_true(fds[i] >= 0);
        char head[256];
        int n = snprintf(head, sizeof head, "POST /v1/events/ev HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
                         body);
        assert_true(send_all(fds[i], head, (size_t)n));
        send_all(fds[i], junk, body - 1); /* all but the last byte: held open */
    }
    usleep(300000);
    char buf[4096], *answer;
    int hz = dial(port);
    assert_true(hz >= 0);
    const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_true(send_all(hz, get, strlen(get)));
    assert_int_equal(read_response(hz, buf, sizeof buf, &answer), 200);
    close(hz);
    int busy = 0, done = 0;
    for (int i = 0; i < N; i++) {
        send_all(fds[i], "}", 1);
        int st = read_response(fds[i], buf, sizeof buf, &answer);
        if (st == 503) {
            assert_non_null(strstr(answer, "too many request bodies"));
            busy++;
        } else if (st == 200) {
            done++;
        }
        close(fds[i]);
    }
    free(junk);
    assert_true(busy >= N - 4);
    assert_true(done >= 1 && done <= 4);
    assert_int_equal(busy + done, N);
}

/* A body that trickles in for longer than the body timeout has its connection closed and
 * its buffer given back, however active the connection stays; others are still served. */
static void test_slow_body(void **state)
{
    fixture *f = *state;
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1, .threads = 1, .timeout_s = 30,
                           .body_timeout_s = 1};
    f->s = start_cfg(f, &cfg);
    int fd = dial(rt_server_port(f->s));
    assert_true(fd >= 0);
    const char head[] = "POST /v1/events/ev HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"user\":";
    assert_true(send_all(fd, head, strlen(head)));
    usleep(1300000);
    send_all(fd, "1,", 2);
    char buf[4096], *answer;
    assert_int_equal(read_response(fd, buf, sizeof buf, &answer), -1);
    close(fd);
    fd = dial(rt_server_port(f->s));
    assert_int_equal(roundtrip(fd, "/v1/features/s", "{\"user\":1}", buf, sizeof buf, &answer), 200);
    close(fd);
}

/* Whether line i (1-based) of the big body is an invalid event, a late one, or valid. */
static bool is_invalid(int i)
{
    return i % 7 == 0;
}

static bool is_late(int i)
{
    return !is_invalid(i) && i % 11 == 0 && i > 11;
}

/* A body of 2600 events (several decoding chunks) with invalid and late events spread
 * through it: the counts are exact, the rejects listed are the first 100 by line in line
 * order whichever kind, the state log holds exactly the accepted events, and the total
 * answered afterwards is the sum of the accepted amounts. */
static void test_big_ingest(void **state)
{
    fixture *f = *state;
    enum { N = 2600 };
    char statedir[1024];
    snprintf(statedir, sizeof statedir, "%s/state", f->dir);
    f->s = start(f, 2, statedir);
    int port = rt_server_port(f->s);
    size_t cap = (size_t)N * 64, len = 0;
    char *body = malloc(cap);
    assert_non_null(body);
    int accepted = 0, invalid = 0, late = 0, want_lines[100], nwant = 0;
    long total = 0;
    for (int i = 1; i <= N; i++) {
        if (is_invalid(i))
            len += (size_t)snprintf(body + len, cap - len, "{\"user\":5,\"amount\":\"x\",\"ts\":%d}\n", 1000 + i);
        else if (is_late(i))
            len += (size_t)snprintf(body + len, cap - len, "{\"user\":5,\"amount\":1,\"ts\":1}\n");
        else
            len += (size_t)snprintf(body + len, cap - len, "{\"user\":5,\"amount\":%d,\"ts\":%d}\n", i % 10,
                                    1000 + i);
        if (is_invalid(i) || is_late(i)) {
            if (nwant < 100)
                want_lines[nwant++] = i;
        } else {
            accepted++;
            total += i % 10;
        }
        invalid += is_invalid(i);
        late += is_late(i);
    }
    int fd = dial(port);
    assert_true(fd >= 0);
    static char buf[1 << 16];
    char *answer;
    assert_int_equal(roundtrip(fd, "/v1/events/ev", body, buf, sizeof buf, &answer), 200);
    char want[128];
    snprintf(want, sizeof want,
             "{\"accepted\":%d,\"rejected\":%d,\"late\":%d,\"invalid\":%d,\"ahead\":0,\"duplicate\":0,\"rejects\":[",
             accepted, invalid, late, invalid);
    if (strncmp(answer, want, strlen(want)) != 0)
        fail_msg("expected %s..., got %.200s", want, answer);
    assert_non_null(strstr(answer, "],\"rejects_truncated\":true}"));
    const char *p = answer;
    for (int k = 0; k < nwant; k++) {
        p = strstr(p, "{\"line\":");
        assert_non_null(p);
        int line = atoi(p + 8);
        if (line != want_lines[k])
            fail_msg("reject %d: line %d, expected %d", k, line, want_lines[k]);
        p += 8;
    }
    assert_null(strstr(p, "{\"line\":"));

    snprintf(want, sizeof want, "\"v__total\":%ld,", total);
    assert_int_equal(roundtrip(fd, "/v1/features/s", "{\"user\":5,\"at\":9999}", buf, sizeof buf, &answer), 200);
    if (!strstr(answer, want))
        fail_msg("expected %s in %s", want, answer);
    close(fd);

    char path[1100];
    snprintf(path, sizeof path, "%s/ev.jsonl", statedir);
    FILE *log = fopen(path, "r");
    assert_non_null(log);
    int lines = 0, c;
    while ((c = fgetc(log)) != EOF)
        lines += c == '\n';
    fclose(log);
    assert_int_equal(lines, accepted);
    free(body);
}

typedef struct poster {
    int port, bodies, events_per_body, failures;
} poster;

/* Posts bodies of events for user 7 (amount 1 each, increasing times). */
static void *poster_run(void *arg)
{
    poster *w = arg;
    int fd = dial(w->port);
    if (fd < 0) {
        w->failures++;
        return NULL;
    }
    size_t cap = (size_t)w->events_per_body * 48;
    char *body = malloc(cap);
    static char buf[4096];
    char *answer;
    int ts = 1000;
    for (int b = 0; b < w->bodies; b++) {
        size_t len = 0;
        for (int i = 0; i < w->events_per_body; i++)
            len += (size_t)snprintf(body + len, cap - len, "{\"user\":7,\"amount\":1,\"ts\":%d}\n", ts++);
        if (roundtrip(fd, "/v1/events/ev", body, buf, sizeof buf, &answer) != 200)
            w->failures++;
    }
    free(body);
    close(fd);
    return NULL;
}

/* Queries keep being answered while big bodies are ingested on another worker, and no
 * event is lost: the count afterwards is every event posted. */
static void test_queries_during_ingest(void **state)
{
    fixture *f = *state;
    f->s = start(f, 4, NULL);
    int port = rt_server_port(f->s);
    load_users(port, 4);
    poster w = {.port = port, .bodies = 20, .events_per_body = 3000};
    pthread_t pt, qt[3];
    client c[3];
    assert_int_equal(pthread_create(&pt, NULL, poster_run, &w), 0);
    for (int i = 0; i < 3; i++) {
        c[i] = (client){.port = port, .user = i + 1, .requests = 300};
        assert_int_equal(pthread_create(&qt[i], NULL, client_run, &c[i]), 0);
    }
    pthread_join(pt, NULL);
    for (int i = 0; i < 3; i++) {
        pthread_join(qt[i], NULL);
        assert_int_equal(c[i].answered, 300);
        assert_int_equal(c[i].wrong, 0);
    }
    assert_int_equal(w.failures, 0);
    int fd = dial(port);
    char buf[4096], *answer, want[64];
    snprintf(want, sizeof want, "\"v__total\":%d,", w.bodies * w.events_per_body);
    assert_int_equal(roundtrip(fd, "/v1/features/s", "{\"user\":7}", buf, sizeof buf, &answer), 200);
    if (!strstr(answer, want))
        fail_msg("expected %s in %s", want, answer);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_many_keepalive_clients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_clients_do_not_stall_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicting_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffer_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_ingest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queries_during_ingest, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
