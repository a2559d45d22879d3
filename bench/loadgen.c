/* loadgen.c - open-loop load generator for HTTP/1.1 POSTs or Redis GETs at a fixed rate, with latency percentiles. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Requests are sent at fixed intended times (start + i / rate), each on an idle connection
 * (one request in flight per connection, no pipelining). When every connection is busy the
 * request waits, and its latency is still measured from its intended time, so a slow server
 * cannot hide its queueing (no "coordinated omission"). rate 0 means closed loop: every
 * connection sends its next request as soon as the previous answer is in, as wrk does.
 *
 * A request goes on the connection idle the longest. Its latency has three parts: waiting
 * for an idle connection (the server is slow: all are busy), the generator's own lateness
 * (send_lag: the send came later than both the intended time and the moment a connection
 * was free, because the generator itself did not run), and the service time (from the
 * send). The send lag is reported apart, so that a stall of the generator is not taken for
 * one of the server. A request
 * whose connection the server closes, or that has no answer 5 s after the run ends, is
 * counted as lost (and named on stderr); lost requests make the exit status 1. */

typedef enum proto { PROTO_HTTP, PROTO_RESP } proto;

typedef struct conn {
    int fd;
    bool busy;
    double intended; /* when the request in flight should have been sent */
    double sent;     /* when it was sent */
    double lag;      /* the generator's lateness in sending it */
    double free_at;  /* when it last became idle (its previous answer came, or it opened) */
    uint64_t seq;    /* which request it is (for the report of lost ones) */
    char *buf;
    size_t len, cap;
} conn;

typedef struct options {
    proto proto;
    const char *host, *path, *name;
    int port, nconns;
    double rate, duration, warmup;
    char **lines;
    size_t nlines;
} options;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "loadgen: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
    exit(1);
}

/* Reads the request file: one request per line (HTTP: a JSON body; RESP: a key). */
static char **read_lines(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open the request file");
    size_t cap = 1024;
    char **lines = malloc(cap * sizeof *lines);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    *n = 0;
    while ((got = getline(&line, &lcap, f)) > 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (got == 0)
            continue;
        if (*n == cap) {
            cap *= 2;
            lines = realloc(lines, cap * sizeof *lines);
        }
        if (!lines)
            die("out of memory");
        lines[(*n)++] = strdup(line);
    }
    free(line);
    fclose(f);
    if (*n == 0)
        die("the request file is empty");
    return lines;
}

static int connect_to(const options *o)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1)
        die("the host must be an IPv4 address");
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Formats request i into out (which has room for cap bytes); returns its length. */
static size_t format_request(const options *o, size_t i, char *out, size_t cap)
{
    const char *line = o->lines[i % o->nlines];
    size_t len = strlen(line);
    int n;
    if (o->proto == PROTO_HTTP)
        n = snprintf(out, cap,
                     "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     o->path, o->host, len, line);
    else
        n = snprintf(out, cap, "*2\r\n$3\r\nGET\r\n$%zu\r\n%s\r\n", len, line);
    if (n < 0 || (size_t)n >= cap)
        die("a request is too long");
    return (size_t)n;
}

/* Sends a whole request on a blocking write loop (requests are small; the socket buffer
 * takes them at once). */
static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            die("send");
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Length of the complete response at the start of buf, 0 when incomplete; *ok tells whether
 * it was a success (HTTP 200, or a Redis bulk string). */
static size_t response_length(proto pr, const char *buf, size_t len, bool *ok)
{
    if (pr == PROTO_RESP) {
        const char *eol = memmem(buf, len, "\r\n", 2);
        if (!eol)
            return 0;
        size_t head = (size_t)(eol - buf) + 2;
        if (buf[0] != '$') {
            *ok = false;
            return head;
        }
        long n = strtol(buf + 1, NULL, 10);
        if (n < 0) {
            *ok = false;
            return head;
        }
        *ok = true;
        return len >= head + (size_t)n + 2 ? head + (size_t)n + 2 : 0;
    }
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head = (size_t)(end - buf) + 4;
    *ok = len > 12 && memcmp(buf + 9, "200", 3) == 0;
    size_t body = 0;
    for (const char *p = buf; p < end; p++) {
        if ((p == buf || p[-1] == '\n') && strncasecmp(p, "Content-Length:", 15) == 0) {
            body = (size_t)strtoull(p + 15, NULL, 10);
            break;
        }
    }
    return len >= head + body ? head + body : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return NAN;
    size_t rank = (size_t)ceil(p * (double)n);
    rank = rank < 1 ? 1 : rank > n ? n : rank;
    return sorted[rank - 1];
}

static void usage(void)
{
    fputs("usage: loadgen http|resp NAME HOST PORT REQUEST_FILE RATE DURATION_S CONNECTIONS WARMUP_S [PATH]\n"
          "  RATE requests/s (0: closed loop); PATH is the HTTP path (http only)\n",
          stderr);
    exit(2);
}

/* Latencies of the measured requests (seconds): from the intended send time, from the
 * actual send time, and the generator's own lateness in sending. */
typedef struct samples {
    double *lat, *svc, *lag;
    size_t n, cap;
} samples;

static void samples_add(samples *s, double lat, double svc, double lag)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1 << 16;
        s->lat = realloc(s->lat, s->cap * sizeof *s->lat);
        s->svc = realloc(s->svc, s->cap * sizeof *s->svc);
        s->lag = realloc(s->lag, s->cap * sizeof *s->lag);
        if (!s->lat || !s->svc || !s->lag)
            die("out of memory");
    }
    s->lat[s->n] = lat;
    s->svc[s->n] = svc;
    s->lag[s->n] = lag;
    s->n++;
}

/* Counts of one run. */
typedef struct tally {
    uint64_t sent, done, errors, lost, measured_sent;
} tally;

/* Opens connection c (again, after the server closed it) and watches it for answers. */
static void open_conn(const options *o, int ep, conn *cn, int c)
{
    cn->fd = connect_to(o);
    cn->len = 0;
    cn->busy = false;
    cn->free_at = now_s();
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, cn->fd, &ev) != 0)
        die("epoll_ctl");
}

/* Reports on stderr a request that got no answer: which one, on which connection, sent how
 * long before now. */
static void report_lost(const conn *cn, int c, double now, const char *why)
{
    fprintf(stderr, "loadgen: request %llu on connection %d lost: %s (sent %.3f s before)\n",
            (unsigned long long)cn->seq, c, why, now - cn->sent);
}

int main(int argc, char **argv)
{
    if (argc < 10 || argc > 11)
        usage();
    options o = {0};
    if (strcmp(argv[1], "http") == 0)
        o.proto = PROTO_HTTP;
    else if (strcmp(argv[1], "resp") == 0)
        o.proto = PROTO_RESP;
    else
        usage();
    o.name = argv[2];
    o.host = argv[3];
    o.port = atoi(argv[4]);
    o.lines = read_lines(argv[5], &o.nlines);
    o.rate = atof(argv[6]);
    o.duration = atof(argv[7]);
    o.nconns = atoi(argv[8]);
    o.warmup = atof(argv[9]);
    o.path = argc == 11 ? argv[10] : "/";
    if (o.port <= 0 || o.port > 65535 || o.rate < 0 || o.duration <= 0 || o.duration > 600 || o.nconns <= 0 ||
        o.nconns > 1000 || o.warmup < 0 || o.warmup >= o.duration || (o.proto == PROTO_HTTP && argc != 11))
        usage();
    signal(SIGPIPE, SIG_IGN);
    /* The kernel may delay a timed wait by the timer slack, 50 us by default: that much
     * lateness on every send would be charged to the server. */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

    int ep = epoll_create1(0);
    if (ep < 0)
        die("epoll_create1");
    conn *conns = calloc((size_t)o.nconns, sizeof *conns);
    if (!conns)
        die("out of memory");
    for (int c = 0; c < o.nconns; c++) {
        conns[c].cap = 1 << 16;
        conns[c].buf = malloc(conns[c].cap);
        if (!conns[c].buf)
            die("out of memory");
        open_conn(&o, ep, &conns[c], c);
    }

    samples sm = {0};
    tally tl = {0};
    char req[8192];
    double start = now_s() + 0.05, stop = start + o.duration, measure_from = start + o.warmup;
    double deadline = stop + 5.0; /* answers still missing then are counted as lost */
    int idle = o.nconns;

    for (;;) {
        double t = now_s();
        /* Send every request whose time has come, while a connection is idle. */
        while (t < stop && idle > 0) {
            double intended = o.rate > 0 ? start + (double)tl.sent / o.rate : t;
            if (intended > t)
                break;
            int c = -1;
            for (int k = 0; k < o.nconns; k++)
                if (!conns[k].busy && (c < 0 || conns[k].free_at < conns[c].free_at))
                    c = k;
            size_t n = format_request(&o, tl.sent, req, sizeof req);
            conns[c].busy = true;
            conns[c].intended = intended;
            conns[c].seq = tl.sent;
            conns[c].sent = now_s();
            double ready = intended > conns[c].free_at ? intended : conns[c].free_at;
            conns[c].lag = conns[c].sent > ready ? conns[c].sent - ready : 0;
            send_all(conns[c].fd, req, n);
            idle--;
            tl.sent++;
            if (intended >= measure_from)
                tl.measured_sent++;
        }
        if (t >= stop && idle == o.nconns)
            break;
        if (t >= deadline) {
            for (int c = 0; c < o.nconns; c++)
                if (conns[c].busy) {
                    report_lost(&conns[c], c, t, "no answer 5 s after the run ended");
                    tl.lost++;
                }
            break;
        }
        /* Wait for answers, or until the next request is due. */
        struct timespec to = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
        if (o.rate > 0 && t < stop && idle > 0) {
            double due = start + (double)tl.sent / o.rate - t;
            due = due < 0 ? 0 : due;
            to.tv_sec = (time_t)due;
            to.tv_nsec = (long)((due - (double)to.tv_sec) * 1e9);
        }
        struct epoll_event evs[64];
        int nev = epoll_pwait2(ep, evs, 64, &to, NULL);
        if (nev < 0 && errno != EINTR)
            die("epoll_pwait2");
        for (int k = 0; k < nev; k++) {
            int c = (int)evs[k].data.u32;
            conn *cn = &conns[c];
            if (cn->len == cn->cap) {
                cn->cap *= 2;
                cn->buf = realloc(cn->buf, cn->cap);
                if (!cn->buf)
                    die("out of memory");
            }
            ssize_t r = recv(cn->fd, cn->buf + cn->len, cn->cap - cn->len, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (r <= 0) {
                /* The server closed the connection: a request in flight is lost; open
                 * another connection and go on. */
                if (cn->busy) {
                    report_lost(cn, c, now_s(), r == 0 ? "the server closed the connection" : strerror(errno));
                    tl.lost++;
                    idle++;
                }
                epoll_ctl(ep, EPOLL_CTL_DEL, cn->fd, NULL);
                close(cn->fd);
                open_conn(&o, ep, cn, c);
                continue;
            }
            cn->len += (size_t)r;
            bool ok = false;
            size_t whole = response_length(o.proto, cn->buf, cn->len, &ok);
            if (whole == 0)
                continue;
            if (!cn->busy) {
                errno = 0;
                die("an answer came without a request");
            }
            double end = now_s();
            memmove(cn->buf, cn->buf + whole, cn->len - whole);
            cn->len -= whole;
            cn->busy = false;
            cn->free_at = end;
            idle++;
            tl.done++;
            if (!ok)
                tl.errors++;
            if (cn->intended >= measure_from && ok)
                samples_add(&sm, end - cn->intended, end - cn->sent, cn->lag);
        }
    }
    double elapsed = o.duration - o.warmup;
    qsort(sm.lat, sm.n, sizeof *sm.lat, cmp_double);
    qsort(sm.svc, sm.n, sizeof *sm.svc, cmp_double);
    qsort(sm.lag, sm.n, sizeof *sm.lag, cmp_double);
    const char *kind = o.rate > 0 ? "open-loop" : "closed-loop";
    char text[640];
    snprintf(text, sizeof text,
             "%s target_rate=%g achieved_rate=%.0f connections=%d measured=%zu errors=%llu lost=%llu "
             "p50_service_us=%.1f p99_service_us=%.1f p50_send_lag_us=%.1f p99_send_lag_us=%.1f max_us=%.1f",
             kind, o.rate, (double)sm.n / elapsed, o.nconns, sm.n, (unsigned long long)tl.errors,
             (unsigned long long)tl.lost, quantile(sm.svc, sm.n, 0.50) * 1e6, quantile(sm.svc, sm.n, 0.99) * 1e6,
             quantile(sm.lag, sm.n, 0.50) * 1e6, quantile(sm.lag, sm.n, 0.99) * 1e6,
             quantile(sm.lat, sm.n, 1.0) * 1e6);
    printf("RESULT %s_p50 %.1f us %s\n", o.name, quantile(sm.lat, sm.n, 0.50) * 1e6, text);
    printf("RESULT %s_p99 %.1f us %s\n", o.name, quantile(sm.lat, sm.n, 0.99) * 1e6, text);
    printf("RESULT %s_p999 %.1f us %s\n", o.name, quantile(sm.lat, sm.n, 0.999) * 1e6, text);
    printf("RESULT %s_rate %.0f req/s %s\n", o.name, (double)sm.n / elapsed, text);
    fprintf(stderr,
            "loadgen %s: sent %llu, answered %llu, errors %llu, lost %llu, measured %zu (of %llu sent after "
            "warm-up)\n",
            o.name, (unsigned long long)tl.sent, (unsigned long long)tl.done, (unsigned long long)tl.errors,
            (unsigned long long)tl.lost, sm.n, (unsigned long long)tl.measured_sent);
    for (int c = 0; c < o.nconns; c++) {
        close(conns[c].fd);
        free(conns[c].buf);
    }
    free(conns);
    free(sm.lat);
    free(sm.svc);
    free(sm.lag);
    for (size_t i = 0; i < o.nlines; i++)
        free(o.lines[i]);
    free(o.lines);
    close(ep);
    return tl.errors > 0 || tl.lost > 0 ? 1 : 0;
}
