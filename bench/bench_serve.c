/* bench_serve.c - in-process serving latency (engine query + on_demand; whole HTTP handler) and request files for the wire tests. */
#include "bench_common.h"

#include "rt_engine.h"
#include "rt_reader.h"
#include "rt_serve.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SETTLE_EVERY = 1024, MAX_FIELDS = 64 };

/* One feature request: the account, the payment amount being scored, the query time. */
typedef struct query {
    int64_t account;
    double amount;
} query;

/* Latency percentiles of one run, in microseconds. */
typedef struct lat_stats {
    double p50, p99, p999, mean;
} lat_stats;

static lat_stats stats_of(double *ns, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ns[i];
    bench_median(ns, n); /* sorts */
    return (lat_stats){bench_quantile(ns, n, 0.50) / 1e3, bench_quantile(ns, n, 0.99) / 1e3,
                       bench_quantile(ns, n, 0.999) / 1e3, sum / (double)n / 1e3};
}

/* Reports the medians over runs of each percentile under prefix. */
static void report(const char *prefix, lat_stats *runs, int nruns, const char *what)
{
    double v[4][100];
    for (int r = 0; r < nruns; r++) {
        v[0][r] = runs[r].p50;
        v[1][r] = runs[r].p99;
        v[2][r] = runs[r].p999;
        v[3][r] = runs[r].mean;
    }
    static const char *const suffix[] = {"p50", "p99", "p999", "mean"};
    for (int k = 0; k < 4; k++) {
        char name[96], text[256];
        snprintf(name, sizeof name, "%s_%s", prefix, suffix[k]);
        snprintf(text, sizeof text, "%s; median of %d runs", what, nruns);
        bench_result(name, bench_median(v[k], (size_t)nruns), "us", text);
    }
}

/* The request body for q as the HTTP clients send it ("at" in epoch seconds). */
static int body_of(const query *q, int64_t at, char *buf, size_t cap)
{
    return snprintf(buf, cap, "{\"account_id\":%" PRId64 ",\"amount\":%.2f,\"at\":%" PRId64 ".%06" PRId64 "}",
                    q->account, q->amount, at / RT_US_PER_SEC, at % RT_US_PER_SEC);
}

/* Writes the Redis protocol command SET key value to f (for redis-cli --pipe). */
static void resp_set(FILE *f, const char *key, const char *val, size_t len)
{
    fprintf(f, "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$%zu\r\n", strlen(key), key, len);
    fwrite(val, 1, len, f);
    fputs("\r\n", f);
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: bench_serve FILE.feat SERVICE EVENTS.csv QUERIES RUNS HTTP_BODIES.txt "
                        "REDIS_KEYS.txt REDIS_LOAD.resp\n");
        return 2;
    }
    const char *feat = argv[1], *service = argv[2], *events = argv[3];
    long nq = atol(argv[4]);
    int runs = atoi(argv[5]);
    bench_check(nq > 0 && runs > 0 && runs <= 100, "bad QUERIES or RUNS");

    bench_prog bp;
    if (!bench_prog_load(&bp, feat))
        return 1;
    const rt_program *p = bp.program;
    int svc = rt_program_find_service(p, service);
    bench_check(svc >= 0, "no such service");
    const rt_prog_service *ps = &p->services[svc];
    bench_check(ps->nkeys == 1 && ps->keys[0].type == RT_INT && ps->request_source >= 0 && ps->noutputs <= MAX_FIELDS,
                "the service must take one int key and a request");
    bool active[256] = {false};
    bench_check(p->nviews <= 256, "too many views");
    for (int i = 0; i < ps->nviews; i++)
        active[ps->views[i].view] = true;
    char err[512];
    rt_engine *e = rt_engine_new(p, bp.fns, active, err, sizeof err);
    bench_check(e != NULL, err);
    int src = p->views[ps->views[0].view].source;
    int keycol = p->views[ps->views[0].view].key_columns[0];
    int amount_col = -1;
    for (int f = 0; f < p->sources[src].nfields; f++)
        if (strcmp(p->sources[src].fields[f].name, "amount") == 0)
            amount_col = f;
    bench_check(amount_col >= 0, "the source has no amount field");

    /* Load the events as the server does at start: apply, settling a day behind. */
    rt_reader *r = rt_reader_open(events, rt_engine_schema(e, src), NULL, err, sizeof err);
    bench_check(r != NULL, err);
    rt_slot rec[MAX_FIELDS];
    size_t n = 0, cap = 1 << 16;
    query *seen = malloc(cap * sizeof *seen);
    bench_check(seen != NULL, "out of memory");
    int got;
    while ((got = rt_reader_next(r, rec)) == 1) {
        rt_engine_apply(e, src, rec, RT_ARRIVAL_UNKNOWN);
        if (n == cap) {
            cap *= 2;
            seen = realloc(seen, cap * sizeof *seen);
            bench_check(seen != NULL, "out of memory");
        }
        seen[n++] = (query){rec[keycol].v.i, rec[amount_col].null ? 0 : rec[amount_col].v.f};
        if (n % SETTLE_EVERY == 0)
            rt_engine_settle(e, rt_engine_complete_until(e, src) - RT_SERVE_RETAIN_DEFAULT);
    }
    bench_check(got == 0 && n > 0, "reading the events failed");
    rt_reader_close(r);
    int64_t wm = 0;
    bench_check(rt_engine_watermark(e, src, &wm), "no watermark");
    rt_engine_settle(e, wm - RT_SERVE_RETAIN_DEFAULT);
    int64_t at = wm + 1;

    /* Queries: the accounts and amounts of randomly chosen events, so busy accounts are asked
     * about as often as they pay (Zipf), as of just after the last event. */
    query *qs = malloc((size_t)nq * sizeof *qs);
    double *ns = malloc((size_t)nq * sizeof *ns);
    bench_check(qs && ns, "out of memory");
    uint64_t seed = 7;
    for (long i = 0; i < nq; i++)
        qs[i] = seen[bench_rand(&seed) % n];
    free(seen);

    /* (1) rt_engine_query: view state lookups and the on_demand block, nothing else. */
    rt_scratch scratch;
    rt_scratch_init(&scratch);
    rt_slot out[MAX_FIELDS], key, req[MAX_FIELDS];
    const rt_prog_source *rs = &p->sources[ps->request_source];
    bench_check(rs->nfields <= MAX_FIELDS, "too many request fields");
    lat_stats st[100];
    for (int run = 0; run < runs; run++) {
        for (long i = 0; i < nq; i++) {
            key = (rt_slot){.v.i = qs[i].account};
            for (int f = 0; f < rs->nfields; f++) {
                if (strcmp(rs->fields[f].name, ps->keys[0].name) == 0)
                    req[f] = key;
                else if (strcmp(rs->fields[f].name, "amount") == 0)
                    req[f] = (rt_slot){.v.f = qs[i].amount};
                else
                    req[f] = (rt_slot){.null = 1};
            }
            double t0 = bench_now();
            bool ok = rt_engine_query(e, svc, &key, req, at, &scratch, out);
            double t1 = bench_now();
            rt_scratch_reset(&scratch);
            bench_check(ok, "a query was refused");
            ns[i] = (t1 - t0) * 1e9;
        }
        st[run] = stats_of(ns, (size_t)nq);
        fprintf(stderr, "bench_serve: engine run %d: p50 %.2f us, p99 %.2f us\n", run + 1, st[run].p50, st[run].p99);
    }
    char what[256];
    snprintf(what, sizeof what, "rt_engine_query of service %s (%d outputs), %ld queries, one thread", service,
             ps->noutputs, nq);
    report("serve_engine", st, runs, what);
    rt_scratch_free(&scratch);
    rt_engine_free(e);

    /* (2) The server's request handler without the network: JSON decode, query, JSON answer. */
    rt_event_file ef = {p->sources[src].name, events};
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .events = &ef, .nevents = 1,
                           .retain_us = RT_SERVE_RETAIN_DEFAULT, .threads = 1};
    rt_server *server = rt_server_new(p, bp.fns, &cfg, err, sizeof err);
    bench_check(server != NULL, err);
    char path[256], body[512];
    snprintf(path, sizeof path, "/v1/features/%s", service);
    long nh = nq < 200000 ? nq : 200000;
    for (int run = 0; run < runs; run++) {
        for (long i = 0; i < nh; i++) {
            int len = body_of(&qs[i], at, body, sizeof body);
            rt_http_response resp = {0};
            double t0 = bench_now();
            rt_server_handle(server, "POST", path, body, (size_t)len, &resp);
            double t1 = bench_now();
            if (resp.status != 200)
                fprintf(stderr, "bench_serve: %d %.*s\n", resp.status, (int)resp.len, resp.body ? resp.body : "");
            bench_check(resp.status == 200, "the handler did not answer 200");
            free(resp.body);
            ns[i] = (t1 - t0) * 1e9;
        }
        st[run] = stats_of(ns, (size_t)nh);
        fprintf(stderr, "bench_serve: handler run %d: p50 %.2f us, p99 %.2f us\n", run + 1, st[run].p50, st[run].p99);
    }
    snprintf(what, sizeof what, "rt_server_handle (JSON body in, JSON answer out), %ld requests, one thread", nh);
    report("serve_handler", st, runs, what);

    /* Files for the wire tests: HTTP bodies, and for Redis the same accounts' answers stored
     * under feat:ACCOUNT (the exact bytes the server answered), keyed in the same order. */
    FILE *fb = fopen(argv[6], "w"), *fk = fopen(argv[7], "w"), *fr = fopen(argv[8], "w");
    bench_check(fb && fk && fr, "cannot write the request files");
    long nfile = nq < 20000 ? nq : 20000;
    size_t value_bytes = 0;
    for (long i = 0; i < nfile; i++) {
        int len = body_of(&qs[i], at, body, sizeof body);
        fprintf(fb, "%s\n", body);
        char rkey[64];
        snprintf(rkey, sizeof rkey, "feat:%" PRId64, qs[i].account);
        fprintf(fk, "%s\n", rkey);
        rt_http_response resp = {0};
        rt_server_handle(server, "POST", path, body, (size_t)len, &resp);
        bench_check(resp.status == 200, "the handler did not answer 200");
        resp_set(fr, rkey, resp.body, resp.len);
        value_bytes += resp.len;
        free(resp.body);
    }
    bench_check(fclose(fb) == 0 && fclose(fk) == 0 && fclose(fr) == 0, "writing the request files failed");
    snprintf(what, sizeof what, "mean size of an answer body (the value stored in Redis), %ld requests", nfile);
    bench_result("serve_answer_bytes", (double)value_bytes / (double)nfile, "B", what);
    rt_server_free(server);
    free(qs);
    free(ns);
    bench_prog_free(&bp);
    return 0;
}
