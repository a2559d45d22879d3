/* fuzz_http.c - libFuzzer target: requests to the feature server in-process (no network), answers and state log checked. */
#include "fuzz_check.h"
#include "fuzz_program.h"
#include "fuzz_record.h"
#include "fuzz_response.h"
#include "rt_engine.h"
#include "rt_reader.h"
#include "rt_serve.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is up to MAX_REQUESTS requests separated by SEP: each a line "METHOD PATH"
 * and the body after it. A request "RETAIN US" before the first real one sets the
 * server's retention (microseconds; negative: keep everything, the default). */
#define SEP "\n~~~\n"
enum { MAX_REQUESTS = 16 };

static char dir[128];

/* Removes the state directory at exit (its logs are removed after every input). */
static void remove_state_dir(void)
{
    char lock[160];
    snprintf(lock, sizeof lock, "%s/lock", dir);
    unlink(lock);
    rmdir(dir);
}

/* The state directory of this process (emptied for every input, removed at exit). */
static const char *state_dir(void)
{
    if (!dir[0]) {
        struct stat st;
        snprintf(dir, sizeof dir, "%s/featc-fuzz-http-%d", stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp",
                 (int)getpid());
        FUZZ_CHECK(mkdir(dir, 0700) == 0 || access(dir, W_OK) == 0, "cannot make %s", dir);
        atexit(remove_state_dir);
    }
    return dir;
}

static char *state_log(const char *name)
{
    char *path = malloc(strlen(state_dir()) + strlen(name) + 8);
    FUZZ_CHECK(path != NULL, "out of memory");
    sprintf(path, "%s/%s.jsonl", state_dir(), name);
    return path;
}

/* An engine of the program for the sources' reader schemas. */
static const rt_engine *schema_engine(void)
{
    static rt_engine *e;
    char err[256];
    if (!e && !(e = rt_engine_new(fuzz_program(), &fuzz_program_fns, NULL, err, sizeof err)))
        fuzz_fail(__FILE__, __LINE__, "%s", err);
    return e;
}

/* A NUL-terminated copy of n bytes cut at the first NUL. */
static char *cstr(const char *s, size_t n)
{
    const char *z = memchr(s, '\0', n);
    return strndup(s, z ? (size_t)(z - s) : n);
}

typedef struct session {
    const rt_program *p;
    rt_serve_config cfg;
    rt_server *s;
    fuzz_ingest sum[8]; /* per source */
} session;

static void start(session *ss)
{
    if (ss->s)
        return;
    char err[512];
    ss->s = rt_server_new(ss->p, &fuzz_program_fns, &ss->cfg, err, sizeof err);
    FUZZ_CHECK(ss->s != NULL, "the server does not start: %s", err);
}

/* Runs one request [req, req + n) and checks its answer. With FUZZ_TRACE set in the
 * environment, each request's status and answer go to stderr (for writing seeds). */
static void run_request(session *ss, const char *req, size_t n)
{
    static int trace = -1;
    if (trace < 0)
        trace = getenv("FUZZ_TRACE") != NULL;
    const char *nl = memchr(req, '\n', n);
    size_t head = nl ? (size_t)(nl - req) : n;
    const char *sp = memchr(req, ' ', head);
    char *method = cstr(req, sp ? (size_t)(sp - req) : head);
    char *path = sp ? cstr(sp + 1, head - (size_t)(sp + 1 - req)) : strdup("");
    size_t blen = nl ? n - head - 1 : 0;
    char *body = malloc(blen + 1);
    FUZZ_CHECK(method && path && body, "out of memory");
    if (blen)
        memcpy(body, nl + 1, blen);
    body[blen] = '\0';
    if (strcmp(method, "RETAIN") == 0 && !ss->s) {
        ss->cfg.retain_us = strtoll(path, NULL, 10);
    } else {
        start(ss);
        uint64_t lines = 1;
        for (size_t i = 0; i < blen; i++)
            lines += body[i] == '\n';
        rt_http_response r;
        rt_server_handle(ss->s, method, path, body, blen, &r);
        fuzz_ingest ing;
        if (trace)
            fprintf(stderr, "%s %s -> %d %s", method, path, r.status, r.body ? r.body : "(no body)\n");
        fuzz_check_response(ss->p, method, path, lines, true, &r, &ing);
        free(r.body);
        if (strcmp(method, "POST") == 0 && strncmp(path, "/v1/events/", 11) == 0 && r.status == 200) {
            int src = rt_program_find_source(ss->p, path + 11);
            ss->sum[src].accepted += ing.accepted;
            ss->sum[src].rejected += ing.rejected;
            ss->sum[src].late += ing.late;
        }
    }
    free(method);
    free(path);
    free(body);
}

/* The metrics agree with the answers: per source, events ingested, rejected and late. */
static void check_metrics(session *ss)
{
    rt_http_response r;
    rt_server_handle(ss->s, "GET", "/metrics", "", 0, &r);
    fuzz_ingest none;
    fuzz_check_response(ss->p, "GET", "/metrics", 1, true, &r, &none);
    static const char *const names[] = {"ingested", "rejected", "late"};
    static const char *const reasons[] = {"", ",reason=\"invalid\"", ""}; /* rejected: the invalid series */
    for (int src = 0; src < ss->p->nsources; src++) {
        if (ss->p->sources[src].kind == RT_SOURCE_REQUEST)
            continue;
        uint64_t want[] = {ss->sum[src].accepted, ss->sum[src].rejected, ss->sum[src].late};
        for (int k = 0; k < 3; k++) {
            char prefix[128];
            snprintf(prefix, sizeof prefix, "featc_events_%s_total{source=\"%s\"%s} ", names[k],
                     ss->p->sources[src].name, reasons[k]);
            double got = fuzz_prometheus_value(r.body, prefix);
            FUZZ_CHECK(got == (double)want[k], "metrics: %s%g, the answers say %llu", prefix, got,
                       (unsigned long long)want[k]);
        }
    }
    free(r.body);
}

/* Each source's state log reads back with every line accepted: one per event accepted. */
static void check_state_logs(session *ss)
{
    for (int src = 0; src < ss->p->nsources; src++) {
        if (ss->p->sources[src].kind == RT_SOURCE_REQUEST)
            continue;
        char *path = state_log(ss->p->sources[src].name), err[512];
        const rt_schema *schema = rt_engine_schema(schema_engine(), src);
        rt_reader *r = rt_reader_open(path, schema, NULL, err, sizeof err);
        FUZZ_CHECK(r != NULL, "the state log does not open: %s", err);
        rt_slot rec[16];
        FUZZ_CHECK(schema->nfields <= 16, "a source of %d fields", schema->nfields);
        int got;
        while ((got = rt_reader_next(r, rec)) == 1)
            fuzz_check_record(schema, rec);
        const rt_reader_stats *st = rt_reader_stats_of(r);
        FUZZ_CHECK(got == 0 && st->rejected == 0 && st->accepted == ss->sum[src].accepted,
                   "state log of '%s': %llu read back, %llu rejected; %llu were accepted", schema->name,
                   (unsigned long long)st->accepted, (unsigned long long)st->rejected,
                   (unsigned long long)ss->sum[src].accepted);
        rt_reader_close(r);
        unlink(path);
        free(path);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    session ss = {.p = fuzz_program(),
                  .cfg = {.listen = "127.0.0.1:0", .retain_us = -1, .state_dir = state_dir(), .threads = 1}};
    FUZZ_CHECK(ss.p->nsources <= 8, "too many sources");
    for (int src = 0; src < ss.p->nsources; src++) {
        char *path = state_log(ss.p->sources[src].name);
        unlink(path);
        free(path);
    }
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < MAX_REQUESTS && p < end; i++) {
        const char *sep = memmem(p, (size_t)(end - p), SEP, strlen(SEP));
        size_t n = sep ? (size_t)(sep - p) : (size_t)(end - p);
        run_request(&ss, p, n);
        p = sep ? sep + strlen(SEP) : end;
    }
    start(&ss);
    check_metrics(&ss);
    rt_server_free(ss.s);
    check_state_logs(&ss);
    return 0;
}
