/* rt_serve.c - the feature server's life: engine, start-up loading, state directory, socket, signals. */
#include "rt_http.h"
#include "rt_source.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Loads one events file into source src (a state log too); reports a line to stderr. */
static bool load_file(rt_server *s, int src, const char *path, char *err, size_t errlen)
{
    rt_reader *r = rt_reader_open(path, rt_engine_schema(s->engine, src), s->rejects, err, errlen);
    if (!r)
        return false;
    rt_http_batch batch = {0};
    bool ok = rt_http_apply_events(s, src, r, path, false, &batch, NULL, NULL, err, errlen);
    fprintf(stderr,
            "featc: loaded %s into '%s': %llu accepted, %llu invalid, %llu ahead, %llu late, %llu duplicate\n", path,
            s->p->sources[src].name, (unsigned long long)batch.accepted,
            (unsigned long long)rt_reader_stats_of(r)->rejected, (unsigned long long)batch.refused[RT_REJECT_AHEAD],
            (unsigned long long)batch.refused[RT_REJECT_LATE],
            (unsigned long long)batch.refused[RT_REJECT_DUPLICATE]);
    rt_reader_close(r);
    return ok;
}

/* DIR/NAME.jsonl with bytes other than [A-Za-z0-9_.-] written as %XX. */
static char *state_log_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 3 * strlen(name) + 16;
    char *p = malloc(n);
    if (!p)
        return NULL;
    size_t k = (size_t)snprintf(p, n, "%s/", dir);
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                     *c == '-' || (*c == '.' && c != (const unsigned char *)name);
        k += (size_t)snprintf(p + k, n - k, plain ? "%c" : "%%%02X", *c);
    }
    snprintf(p + k, n - k, ".jsonl");
    return p;
}

/* Takes the state directory's exclusive lock (DIR/lock, held until the server is freed):
 * two servers writing one directory would interleave and corrupt its logs. */
static bool lock_state(rt_server *s, const char *dir, char *err, size_t errlen)
{
    char *path = malloc(strlen(dir) + 8);
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    sprintf(path, "%s/lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the lock file '%s': %s", path, strerror(errno));
        free(path);
        return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            snprintf(err, errlen,
                     "state directory '%s' is in use by another running server (it holds '%s'); "
                     "stop that server or give this one another --state directory",
                     dir, path);
        else
            snprintf(err, errlen, "cannot lock '%s': %s", path, strerror(errno));
        close(fd);
        free(path);
        return false;
    }
    free(path);
    s->state_lock_fd = fd;
    return true;
}

/* Cuts a torn last line (bytes after the last line break: a write that a crash cut short,
 * never acknowledged) off the state log at path, so that the next appended event does not
 * run on from it. Reports what it cut to stderr. False with a message on an I/O error. */
static bool repair_tail(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return true;
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    bool ok = fstat(fd, &st) == 0;
    off_t end = ok ? st.st_size : 0, keep = end;
    char buf[4096];
    while (ok && keep > 0) {
        off_t from = keep > (off_t)sizeof buf ? keep - (off_t)sizeof buf : 0;
        ssize_t n = pread(fd, buf, (size_t)(keep - from), from);
        if (n != keep - from) {
            ok = false;
            break;
        }
        char *nl = memrchr(buf, '\n', (size_t)n);
        if (nl) {
            keep = from + (nl - buf) + 1;
            break;
        }
        keep = from;
    }
    if (ok && keep < end) {
        ok = ftruncate(fd, keep) == 0 && fsync(fd) == 0;
        if (ok)
            fprintf(stderr, "featc: %s: dropped a torn last line of %lld bytes (a write cut short, never acknowledged)\n",
                    path, (long long)(end - keep));
    }
    if (!ok)
        snprintf(err, errlen, "cannot repair the end of '%s': %s", path, strerror(errno));
    close(fd);
    return ok;
}

/* Locks the state directory, then replays each source's state log (its torn tail cut off
 * first) and opens it for appending. */
static bool open_state(rt_server *s, char *err, size_t errlen)
{
    const char *dir = s->cfg.state_dir;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create state directory '%s': %s", dir, strerror(errno));
        return false;
    }
    if (!lock_state(s, dir, err, errlen))
        return false;
    s->state_logs = calloc((size_t)s->p->nsources + 1, sizeof *s->state_logs);
    if (!s->state_logs) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (int src = 0; src < s->p->nsources; src++) {
        if (s->p->sources[src].kind == RT_SOURCE_REQUEST)
            continue;
        char *path = state_log_path(dir, s->p->sources[src].name);
        if (!path) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        bool ok = repair_tail(path, err, errlen) && (access(path, F_OK) != 0 || load_file(s, src, path, err, errlen));
        if (ok) {
            s->state_logs[src] = fopen(path, "a");
            if (!s->state_logs[src]) {
                snprintf(err, errlen, "cannot append to '%s': %s", path, strerror(errno));
                ok = false;
            } else {
                /* a request's lines are written under the engine lock but reach the file
                 * only at its flush, after the lock is released (1 MiB: a whole body) */
                setvbuf(s->state_logs[src], NULL, _IOFBF, RT_SERVE_MAX_BODY);
            }
        }
        free(path);
        if (!ok)
            return false;
    }
    return true;
}

rt_server *rt_server_new(const rt_program *p, const rt_fn_table *fns, const rt_serve_config *config, char *err,
                         size_t errlen)
{
    rt_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->p = p;
    s->cfg = *config;
    s->listen_fd = -1;
    s->state_lock_fd = -1;
    if (!s->cfg.max_body)
        s->cfg.max_body = RT_SERVE_MAX_BODY;
    if (!s->cfg.timeout_s)
        s->cfg.timeout_s = 30;
    if (!s->cfg.max_buffered)
        s->cfg.max_buffered = RT_SERVE_MAX_BUFFERED;
    if (!s->cfg.body_timeout_s)
        s->cfg.body_timeout_s = 60;
    if (!s->cfg.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
    }
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (!rt_event_files_check(p, config->events, config->nevents, err, errlen))
        goto fail;
    s->engine = rt_engine_new(p, fns, NULL, err, errlen);
    if (!s->engine)
        goto fail;
    s->rejects = rt_reject_log_open(config->rejects, err, errlen);
    if (!s->rejects)
        goto fail;
    s->metrics = rt_metrics_new(p);
    if (!s->metrics || !rt_http_services_init(s)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (int i = 0; i < config->nevents; i++)
        if (!rt_source_is_stream(config->events[i].path) &&
            !load_file(s, rt_program_find_source(p, config->events[i].source), config->events[i].path, err, errlen))
            goto fail;
    if (config->state_dir && !open_state(s, err, errlen))
        goto fail;
    for (int src = 0; src < p->nsources; src++)
        if (p->sources[src].kind != RT_SOURCE_REQUEST)
            rt_http_settle(s, src);
    if (!rt_serve_sources_start(s, err, errlen))
        goto fail;
    /* Loading a large file leaves freed memory (decoding buffers, rows settled away) in
     * malloc's arenas: give it back, so the server starts at its steady size. */
    malloc_trim(0);
    return s;
fail:
    rt_server_free(s);
    return NULL;
}

/* Splits HOST:PORT ([HOST]:PORT for IPv6; an empty host means every interface). */
static bool split_listen(const char *listen, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon[1] == '\0' || strlen(colon + 1) >= portlen)
        return false;
    for (const char *c = colon + 1; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    if (atol(colon + 1) > 65535)
        return false;
    strcpy(port, colon + 1);
    const char *h = listen;
    size_t n = (size_t)(colon - listen);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n >= hostlen)
        return false;
    memcpy(host, h, n);
    host[n] = '\0';
    return true;
}

bool rt_server_start(rt_server *s, char *err, size_t errlen)
{
    char host[256], port[8];
    const char *listen_at = s->cfg.listen ? s->cfg.listen : "";
    if (!split_listen(listen_at, host, sizeof host, port, sizeof port)) {
        snprintf(err, errlen, "--listen '%s': expected HOST:PORT (port 0 to 65535)", listen_at);
        return false;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (gai != 0) {
        snprintf(err, errlen, "--listen '%s': %s", listen_at, gai_strerror(gai));
        return false;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    int one = 1;
    bool ipv6 = ai->ai_family == AF_INET6;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        snprintf(err, errlen, "cannot listen on '%s': %s", listen_at, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return false;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage sa;
    socklen_t salen = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &salen) == 0)
        s->port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                                  : ((struct sockaddr_in *)&sa)->sin_port);
    s->mhd = rt_http_mhd_start(s, fd, ipv6);
    if (!s->mhd) {
        close(fd);
        snprintf(err, errlen, "cannot start the HTTP server on '%s'", listen_at);
        return false;
    }
    return true;
}

int rt_server_port(const rt_server *s)
{
    return s->port;
}

void rt_server_free(rt_server *s)
{
    if (!s)
        return;
    rt_serve_sources_stop(s);
    if (s->mhd)
        MHD_stop_daemon(s->mhd); /* waits for requests in flight; closes the socket */
    for (int i = 0; s->state_logs && i < s->p->nsources; i++)
        if (s->state_logs[i])
            fclose(s->state_logs[i]);
    free(s->state_logs);
    if (s->state_lock_fd >= 0)
        close(s->state_lock_fd); /* releases the lock, after the logs are closed */
    rt_http_services_free(s);
    rt_metrics_free(s->metrics);
    if (!rt_reject_log_close(s->rejects))
        fprintf(stderr, "featc: writing the reject log failed\n");
    rt_engine_free(s->engine);
    for (int i = 0; s->positions && i < s->p->nsources; i++)
        free(s->positions[i]);
    free(s->positions);
    pthread_rwlock_destroy(&s->lock);
    free(s);
}

int rt_serve_run(const rt_program *p, const rt_fn_table *fns, const rt_serve_config *config)
{
    /* Workers inherit this mask, so the signals reach only the sigwait below. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    char err[1024];
    rt_server *s = rt_server_new(p, fns, config, err, sizeof err);
    if (!s || !rt_server_start(s, err, sizeof err)) {
        fprintf(stderr, "featc: %s\n", err);
        rt_server_free(s);
        return 1;
    }
    char host[256] = "", port[8];
    split_listen(config->listen, host, sizeof host, port, sizeof port);
    fprintf(stderr, "featc: serving on %s%s%s:%d\n", strchr(host, ':') ? "[" : "", host[0] ? host : "0.0.0.0",
            strchr(host, ':') ? "]" : "", rt_server_port(s));
    fflush(stderr);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "featc: stopping (signal %d)\n", sig);
    rt_server_free(s);
    return 0;
}
