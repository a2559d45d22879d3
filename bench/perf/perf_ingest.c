/* perf_ingest.c - micro-benchmark of the streaming ingest path: a .feat view compiled through the real pipeline, events pre-built in memory. */
#include "driver.h"
#include "llgen.h"
#include "manifest.h"
#include "rt_engine.h"
#include "rt_reader.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the workload: bench/gen_events.c's generator (same seed, same Zipf(1.1) keys) ---- */

static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double next_unit(uint64_t *s)
{
    return (double)(next_u64(s) >> 11) * 0x1.0p-53;
}

typedef struct zipf {
    double *cdf;
    int64_t n;
} zipf;

static void zipf_init(zipf *z, int64_t n, double s)
{
    z->n = n;
    z->cdf = malloc(sizeof(double) * (size_t)n);
    double total = 0;
    for (int64_t k = 1; k <= n; k++)
        total += 1.0 / pow((double)k, s);
    double acc = 0;
    for (int64_t k = 1; k <= n; k++) {
        acc += 1.0 / pow((double)k, s) / total;
        z->cdf[k - 1] = acc;
    }
}

static int64_t zipf_draw(const zipf *z, uint64_t *s)
{
    double u = next_unit(s);
    int64_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (z->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo + 1;
}

/* One payments event, as gen_events writes it. */
typedef struct pev {
    int64_t account;
    double amount;
    int kind;
    int64_t ts;
} pev;

static const char *const kinds[] = {"card", "card", "card", "transfer", "refund"};

/* n events over 60 days from 2026-01-01 with keys Zipf(1.1) over [1, nkeys], in time order.
 * shuffle_keys: the key ids are scrambled (a hot key is not a small integer). */
static pev *make_events(int64_t n, int64_t nkeys)
{
    uint64_t seed = 42;
    zipf z;
    zipf_init(&z, nkeys, 1.1);
    const int64_t start = INT64_C(1767225600) * 1000000, span = INT64_C(60) * 86400 * 1000000;
    int64_t step = span / n;
    pev *e = malloc(sizeof *e * (size_t)n);
    int64_t t = start;
    for (int64_t i = 0; i < n; i++) {
        t += (int64_t)(next_unit(&seed) * 2.0 * (double)step);
        double amount = floor(exp(next_unit(&seed) * 8.0) * 100.0) / 100.0;
        e[i].account = zipf_draw(&z, &seed);
        e[i].amount = amount;
        e[i].kind = (int)(next_u64(&seed) % 5);
        e[i].ts = t;
    }
    free(z.cdf);
    return e;
}

/* The same events as JSON Lines text. */
static char *make_jsonl(const pev *e, int64_t n, size_t *len)
{
    size_t cap = (size_t)n * 96 + 1, k = 0;
    char *buf = malloc(cap);
    for (int64_t i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, cap - k,
                              "{\"account_id\":%" PRId64 ",\"amount\":%.2f,\"kind\":\"%s\",\"ts\":%" PRId64
                              ".%06" PRId64 "}\n",
                              e[i].account, e[i].amount, kinds[e[i].kind], e[i].ts / 1000000, e[i].ts % 1000000);
    *len = k;
    return buf;
}

/* ---- timing ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread: waiting for a CPU on a shared machine does not count. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- options ---- */

typedef struct opts {
    const char *feat, *view, *mode;
    int64_t events, keys;
    int runs;
    int64_t settle_every; /* settle the view at the watermark every this many events (0: never) */
    int batch;            /* events per rt_engine_apply_batch call (0: one rt_engine_apply each) */
    int64_t warm;         /* events applied before the measured part (not timed or counted) */
} opts;

static void usage(void)
{
    fputs("usage: perf_ingest [--feat FILE] [--view NAME] [--events N] [--keys K] [--runs R]\n"
          "                   [--mode ingest|jsonl|decode] [--settle-every N] [--batch B] [--warm N]\n",
          stderr);
    exit(2);
}

static opts parse_opts(int argc, char **argv)
{
    opts o = {"bench/bench.feat", "hot", "ingest", 2000000, 1000000, 5, 4096, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--feat"))
            o.feat = v;
        else if (!strcmp(a, "--view"))
            o.view = v;
        else if (!strcmp(a, "--mode"))
            o.mode = v;
        else if (!strcmp(a, "--events"))
            o.events = strtoll(v, NULL, 10);
        else if (!strcmp(a, "--keys"))
            o.keys = strtoll(v, NULL, 10);
        else if (!strcmp(a, "--runs"))
            o.runs = atoi(v);
        else if (!strcmp(a, "--settle-every"))
            o.settle_every = strtoll(v, NULL, 10);
        else if (!strcmp(a, "--batch"))
            o.batch = atoi(v);
        else if (!strcmp(a, "--warm"))
            o.warm = strtoll(v, NULL, 10);
        else
            usage();
    }
    if (o.events <= 0 || o.keys <= 0 || o.runs <= 0 || o.settle_every < 0 || o.batch < 0 || o.warm < 0 ||
        o.warm >= o.events)
        usage();
    return o;
}

/* ---- the measured loops (not inlined: callgrind --toggle-collect=perf_* counts only them) ---- */

typedef struct bench {
    const rt_program *p;
    const rt_fn_table *fns;
    int src, view;
    bool *active;
    opts o;
} bench;

/* Applies records [from, n) as the options say. */
static int64_t apply_events(rt_engine *e, const bench *b, const rt_slot *recs, int64_t from, int64_t n, int nf)
{
    int64_t accepted = 0, every = b->o.settle_every;
    int64_t step = b->o.batch > 0 ? b->o.batch : 1;
    for (int64_t i = from; i < n; i += step) {
        int64_t m = n - i < step ? n - i : step;
        if (b->o.batch > 0)
            accepted +=
                (int64_t)rt_engine_apply_batch(e, b->src, recs + i * nf, (size_t)m, RT_ARRIVAL_UNKNOWN, NULL);
        else
            for (int64_t j = 0; j < m; j++)
                accepted += rt_engine_apply(e, b->src, recs + (i + j) * nf, RT_ARRIVAL_UNKNOWN) == RT_APPLY_ACCEPTED;
        if (every && (i + m) / every != i / every)
            rt_engine_settle_view(e, b->view, rt_engine_complete_until(e, b->src));
    }
    return accepted;
}

__attribute__((noinline)) int64_t warm_apply(rt_engine *e, const bench *b, const rt_slot *recs, int64_t n, int nf);
__attribute__((noinline)) int64_t warm_apply(rt_engine *e, const bench *b, const rt_slot *recs, int64_t n, int nf)
{
    return apply_events(e, b, recs, 0, n, nf);
}

__attribute__((noinline)) int64_t perf_apply_loop(rt_engine *e, const bench *b, const rt_slot *recs, int64_t from,
                                                  int64_t n, int nf);
__attribute__((noinline)) int64_t perf_apply_loop(rt_engine *e, const bench *b, const rt_slot *recs, int64_t from,
                                                  int64_t n, int nf)
{
    return apply_events(e, b, recs, from, n, nf);
}

__attribute__((noinline)) int64_t perf_jsonl_loop(rt_engine *e, const bench *b, const char *text, size_t len,
                                                  bool apply);
__attribute__((noinline)) int64_t perf_jsonl_loop(rt_engine *e, const bench *b, const char *text, size_t len,
                                                  bool apply)
{
    char err[256];
    rt_reader *r = rt_reader_open_mem(text, len, RT_EVENTS_JSONL, "bench.jsonl", rt_engine_schema(e, b->src), NULL,
                                      err, sizeof err);
    if (!r) {
        fprintf(stderr, "perf_ingest: %s\n", err);
        exit(1);
    }
    int64_t n = 0, every = b->o.settle_every;
    int nf = rt_engine_schema(e, b->src)->nfields;
    if (b->o.batch > 0) {
        rt_slot *recs = malloc(sizeof(rt_slot) * (size_t)nf * (size_t)b->o.batch);
        int k;
        while ((k = rt_reader_next_batch(r, recs, b->o.batch, NULL)) > 0) {
            if (apply)
                rt_engine_apply_batch(e, b->src, recs, (size_t)k, RT_ARRIVAL_UNKNOWN, NULL);
            if (apply && every && (n + k) / every != n / every)
                rt_engine_settle_view(e, b->view, rt_engine_complete_until(e, b->src));
            n += k;
        }
        free(recs);
    } else {
        rt_slot rec[64];
        while (rt_reader_next(r, rec) == 1) {
            n++;
            if (!apply)
                continue;
            rt_engine_apply(e, b->src, rec, RT_ARRIVAL_UNKNOWN);
            if (every && n % every == 0)
                rt_engine_settle_view(e, b->view, rt_engine_complete_until(e, b->src));
        }
    }
    if (rt_reader_stats_of(r)->rejected)
        fprintf(stderr, "perf_ingest: %" PRIu64 " events rejected\n", rt_reader_stats_of(r)->rejected);
    rt_reader_close(r);
    return n;
}

/* Fills one record per event for the source's fields (by name). */
static rt_slot *make_records(const rt_prog_source *ps, const pev *ev, int64_t n)
{
    int nf = ps->nfields;
    rt_slot *recs = calloc((size_t)n * (size_t)nf, sizeof *recs);
    for (int f = 0; f < nf; f++) {
        const char *name = ps->fields[f].name;
        for (int64_t i = 0; i < n; i++) {
            rt_slot *s = &recs[i * nf + f];
            if (!strcmp(name, "account_id"))
                s->v.i = ev[i].account;
            else if (!strcmp(name, "amount"))
                s->v.f = ev[i].amount;
            else if (!strcmp(name, "kind")) {
                s->v.s = kinds[ev[i].kind];
                s->len = (uint32_t)strlen(kinds[ev[i].kind]);
            } else if (!strcmp(name, "ts"))
                s->v.i = ev[i].ts;
            else
                s->null = 1;
        }
    }
    return recs;
}

int main(int argc, char **argv)
{
    opts o = parse_opts(argc, argv);
    driver_unit u;
    if (!driver_read(&u, o.feat) || !driver_compile(&u))
        return 1;
    size_t mlen = 0;
    char *manifest = manifest_build(u.plan, &mlen);
    char err[1024];
    llgen_unit *code = llgen_compile(u.plan, NULL, 0, false, err, sizeof err);
    const rt_fn_table *fns = code ? llgen_jit(code, err, sizeof err) : NULL;
    rt_program *p = fns ? rt_program_parse(manifest, mlen, err, sizeof err) : NULL;
    if (!p) {
        fprintf(stderr, "perf_ingest: %s\n", err);
        return 1;
    }
    bench b = {.p = p, .fns = fns, .view = -1, .o = o};
    for (int v = 0; v < p->nviews; v++)
        if (!strcmp(p->views[v].name, o.view))
            b.view = v;
    if (b.view < 0) {
        fprintf(stderr, "perf_ingest: no view '%s'\n", o.view);
        return 1;
    }
    b.src = p->views[b.view].source;
    b.active = calloc((size_t)p->nviews, sizeof *b.active);
    b.active[b.view] = true;
    const rt_prog_source *ps = &p->sources[b.src];

    double t0 = now_s();
    pev *ev = make_events(o.events, o.keys);
    rt_slot *recs = NULL;
    char *text = NULL;
    size_t tlen = 0;
    bool jsonl = !strcmp(o.mode, "jsonl") || !strcmp(o.mode, "decode");
    if (jsonl)
        text = make_jsonl(ev, o.events, &tlen);
    else if (!strcmp(o.mode, "ingest"))
        recs = make_records(ps, ev, o.events);
    else
        usage();
    free(ev);
    fprintf(stderr, "prepared %" PRId64 " events over %" PRId64 " keys in %.1f s\n", o.events, o.keys, now_s() - t0);

    double *rates = malloc(sizeof(double) * (size_t)o.runs);
    for (int r = 0; r < o.runs; r++) {
        rt_engine *e = rt_engine_new(p, fns, b.active, err, sizeof err);
        if (!e) {
            fprintf(stderr, "perf_ingest: %s\n", err);
            return 1;
        }
        if (!jsonl && o.warm)
            warm_apply(e, &b, recs, o.warm, ps->nfields);
        double s = now_s(), c = cpu_s();
        int64_t n = jsonl ? perf_jsonl_loop(e, &b, text, tlen, !strcmp(o.mode, "jsonl"))
                          : perf_apply_loop(e, &b, recs, o.warm, o.events, ps->nfields);
        double dc = cpu_s() - c, dt = now_s() - s;
        rates[r] = (double)n / dc;
        fprintf(stderr,
                "run %d: %" PRId64 " events in %.3f s of CPU = %.3f M events/s (%.0f ns/event; wall %.3f s), "
                "%zu keys, %.1f B/key\n",
                r, n, dc, rates[r] / 1e6, dc / (double)n * 1e9, dt, rt_engine_keys(e, b.view),
                (double)rt_engine_state_bytes(e, b.view) / (double)(rt_engine_keys(e, b.view) + 1));
        rt_engine_free(e);
    }
    qsort(rates, (size_t)o.runs, sizeof *rates, cmp_double);
    printf("mode=%s view=%s events=%" PRId64 " measured=%" PRId64 " keys=%" PRId64 " settle_every=%" PRId64
           " batch=%d median=%.3f Mev/s (%.0f ns/event) min=%.3f max=%.3f\n",
           o.mode, o.view, o.events, o.events - (jsonl ? 0 : o.warm), o.keys, o.settle_every, o.batch,
           rates[o.runs / 2] / 1e6,
           1e9 / rates[o.runs / 2], rates[0] / 1e6, rates[o.runs - 1] / 1e6);
    free(rates);
    free(recs);
    free(text);
    free(b.active);
    rt_program_free(p);
    llgen_free(code);
    free(manifest);
    driver_free(&u);
    return 0;
}
