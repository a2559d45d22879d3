/* bench_ingest.c - streaming ingest throughput of one view: from decoded events and from JSON Lines. */
#include "bench_common.h"

#include "rt_engine.h"
#include "rt_reader.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Events decoded once, before any timing: nfields slots per event; strings copied to pool. */
typedef struct decoded {
    rt_slot *slots;
    size_t nevents;
    int nfields;
    char *pool;
} decoded;

/* Reads every valid event of path into memory with the engine's reader schema of src. */
static decoded decode_all(const rt_engine *e, int src, const char *path)
{
    const rt_schema *schema = rt_engine_schema(e, src);
    char err[512];
    rt_reader *r = rt_reader_open(path, schema, NULL, err, sizeof err);
    if (!r) {
        fprintf(stderr, "bench_ingest: %s\n", err);
        exit(1);
    }
    decoded d = {.nfields = schema->nfields};
    size_t cap = 1 << 16, pool_cap = 1 << 20, pool_len = 0;
    d.slots = malloc(cap * (size_t)d.nfields * sizeof *d.slots);
    d.pool = malloc(pool_cap);
    bench_check(d.slots && d.pool, "out of memory");
    rt_slot rec[64];
    bench_check(d.nfields <= 64, "too many fields");
    int got;
    while ((got = rt_reader_next(r, rec)) == 1) {
        if (d.nevents == cap) {
            cap *= 2;
            d.slots = realloc(d.slots, cap * (size_t)d.nfields * sizeof *d.slots);
            bench_check(d.slots != NULL, "out of memory");
        }
        rt_slot *out = &d.slots[d.nevents * (size_t)d.nfields];
        for (int f = 0; f < d.nfields; f++) {
            out[f] = rec[f];
            if (schema->fields[f].type == RT_STRING && !rec[f].null) {
                while (pool_len + rec[f].len > pool_cap) {
                    pool_cap *= 2;
                    d.pool = realloc(d.pool, pool_cap);
                    bench_check(d.pool != NULL, "out of memory");
                }
                memcpy(d.pool + pool_len, rec[f].v.s, rec[f].len);
                out[f].v.i = (int64_t)pool_len; /* an offset until the pool stops moving */
                pool_len += rec[f].len;
            }
        }
        d.nevents++;
    }
    bench_check(got == 0, "reading the events failed");
    rt_reader_close(r);
    for (size_t i = 0; i < d.nevents; i++)
        for (int f = 0; f < d.nfields; f++) {
            rt_slot *s = &d.slots[i * (size_t)d.nfields + f];
            if (schema->fields[f].type == RT_STRING && !s->null)
                s->v.s = d.pool + s->v.i;
        }
    return d;
}

/* Settles every view of src at its complete-until time minus retain, as the server does after
 * each batch of events. */
static void settle(rt_engine *e, const rt_program *p, int src, int64_t retain_us)
{
    int64_t h = rt_engine_complete_until(e, src);
    if (h == INT64_MIN)
        return;
    h = h < INT64_MIN + retain_us ? INT64_MIN : h - retain_us;
    for (int v = 0; v < p->nviews; v++)
        if (p->views[v].source == src)
            rt_engine_settle_view(e, v, h);
}

/* An engine keeping state for view v only. */
static rt_engine *new_engine(const bench_prog *bp, int v)
{
    bool active[256] = {false};
    bench_check(bp->program->nviews <= 256, "too many views");
    active[v] = true;
    char err[512];
    rt_engine *e = rt_engine_new(bp->program, bp->fns, active, err, sizeof err);
    if (!e) {
        fprintf(stderr, "bench_ingest: %s\n", err);
        exit(1);
    }
    return e;
}

/* Tells a `perf record --control` session to start or stop sampling (BENCH_PERF_CTL names
 * its control FIFO, BENCH_PERF_ACK its acknowledgement FIFO); no-op when unset. */
static void perf_ctl(const char *cmd)
{
    const char *ctl = getenv("BENCH_PERF_CTL"), *ack = getenv("BENCH_PERF_ACK");
    if (!ctl || !*ctl)
        return;
    int fd = open(ctl, O_WRONLY);
    bench_check(fd >= 0, "cannot open BENCH_PERF_CTL");
    bench_check(write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd), "cannot write BENCH_PERF_CTL");
    close(fd);
    if (ack && *ack) {
        char buf[16];
        int afd = open(ack, O_RDONLY);
        if (afd >= 0) {
            if (read(afd, buf, sizeof buf) < 0)
                perror("bench_ingest: perf ack");
            close(afd);
        }
    }
}

/* Events between two settles (BENCH_SETTLE_EVERY, default 1024): the server settles after every
 * POSTed batch, so this stands for a batch size. */
static size_t settle_every(void)
{
    const char *env = getenv("BENCH_SETTLE_EVERY");
    long n = env ? atol(env) : 0;
    return n > 0 ? (size_t)n : 1024;
}

/* Prints "CHECK check_<kind>_<feature> <sum>" per output of service svc: sums over keys
 * (final) or over events (per event) of each non-null value, for bench/run.sh to compare
 * with the DuckDB baseline's sums. */
static void print_checks(const rt_program *p, int svc, const char *kind, const double *sums)
{
    const rt_prog_service *ps = &p->services[svc];
    for (int o = 0; o < ps->noutputs; o++) {
        const char *col = strstr(ps->outputs[o].column, "__");
        printf("CHECK check_%s_%s %.17g\n", kind, col ? col + 2 : ps->outputs[o].column, sums[o]);
    }
}

static void add_values(const rt_prog_service *ps, const rt_slot *out, double *sums)
{
    for (int o = 0; o < ps->noutputs; o++) {
        if (out[o].null)
            continue;
        switch (ps->outputs[o].type) {
        case RT_FLOAT: sums[o] += out[o].v.f; break;
        case RT_INT:
        case RT_BOOL:
        case RT_TIMESTAMP: sums[o] += (double)out[o].v.i; break;
        default: break;
        }
    }
}

/* The features of service svc (one int key) per event, as of the event's time before it is
 * applied (timed once: ingest plus one query per event), then for every key 1..max as of just
 * after the last event (untimed). Their sums are what DuckDB's answers are checked against. */
static void verify(const bench_prog *bp, int v, int svc, const decoded *d, int64_t retain_us)
{
    const rt_program *p = bp->program;
    const rt_prog_service *ps = &p->services[svc];
    int src = p->views[v].source, keycol = p->views[v].key_columns[0];
    bench_check(ps->nkeys == 1 && ps->request_source < 0 && ps->noutputs <= 64,
                "the check service must take one key and no request");
    rt_engine *e = new_engine(bp, v);
    size_t every = settle_every();
    rt_scratch scratch;
    rt_scratch_init(&scratch);
    rt_slot out[64];
    double sums[64] = {0};
    int64_t max_key = 0, max_ts = INT64_MIN;
    double c0 = bench_thread_cpu(), t0 = bench_now();
    for (size_t i = 0; i < d->nevents; i++) {
        const rt_slot *rec = &d->slots[i * (size_t)d->nfields];
        int64_t ts = rec[p->sources[src].time_field].v.i;
        bench_check(rt_engine_query(e, svc, &rec[keycol], NULL, ts, &scratch, out), "a per-event query was refused");
        add_values(ps, out, sums);
        rt_scratch_reset(&scratch);
        rt_engine_apply(e, src, rec, RT_ARRIVAL_UNKNOWN);
        if (i % every == every - 1)
            settle(e, p, src, retain_us);
        if (!rec[keycol].null && rec[keycol].v.i > max_key)
            max_key = rec[keycol].v.i;
        max_ts = ts > max_ts ? ts : max_ts;
    }
    settle(e, p, src, retain_us);
    double t1 = bench_now(), c1 = bench_thread_cpu();
    char text[256];
    snprintf(text, sizeof text, "service=%s retain=%llds events=%zu runs=1 cpu_seconds=%.4g wall_seconds=%.4g",
             ps->name, (long long)(retain_us / RT_US_PER_SEC), d->nevents, c1 - c0, t1 - t0);
    bench_result("ingest_query_eps", (double)d->nevents / (c1 - c0), "events/s", text);
    print_checks(p, svc, "event", sums);
    memset(sums, 0, sizeof sums);
    for (int64_t k = 1; k <= max_key; k++) {
        rt_slot key = {.v.i = k};
        bench_check(rt_engine_query(e, svc, &key, NULL, max_ts + 1, &scratch, out), "a final query was refused");
        add_values(ps, out, sums);
        rt_scratch_reset(&scratch);
    }
    print_checks(p, svc, "final", sums);
    rt_scratch_free(&scratch);
    rt_engine_free(e);
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: bench_ingest FILE.feat VIEW SERVICE EVENTS.csv EVENTS.jsonl RUNS RETAIN_SECONDS "
                        "all|decoded|check\n");
        return 2;
    }
    const char *feat = argv[1], *view = argv[2], *service = argv[3], *csv = argv[4], *jsonl = argv[5];
    int runs = atoi(argv[6]);
    int64_t retain_us = (int64_t)atoll(argv[7]) * RT_US_PER_SEC;
    const char *mode = argv[8];
    bool only_decoded = strcmp(mode, "decoded") == 0;
    bench_check(runs > 0 && runs <= 100 && retain_us >= 0, "bad RUNS or RETAIN_SECONDS");

    bench_prog bp;
    if (!bench_prog_load(&bp, feat))
        return 1;
    const rt_program *p = bp.program;
    int v = bench_find_view(p, view);
    bench_check(v >= 0, "no such view");
    int src = p->views[v].source;
    size_t every = settle_every();
    char tag[160];
    snprintf(tag, sizeof tag, "view=%s retain=%llds settle_every=%zu", view, (long long)(retain_us / RT_US_PER_SEC),
             every);

    rt_engine *e0 = new_engine(&bp, v);
    decoded d = decode_all(e0, src, csv);
    rt_engine_free(e0);
    fprintf(stderr, "bench_ingest: %zu events decoded\n", d.nevents);
    if (strcmp(mode, "check") == 0) {
        int svc = rt_program_find_service(p, service);
        bench_check(svc >= 0, "no such service");
        verify(&bp, v, svc, &d, retain_us);
        free(d.slots);
        free(d.pool);
        bench_prog_free(&bp);
        return 0;
    }

    /* (a) decoded events: only the engine's batch apply (row function + state update) and the
     * settle after each batch are timed. */
    double *wall = calloc((size_t)runs, sizeof *wall), *cpu = calloc((size_t)runs, sizeof *cpu);
    bench_check(wall && cpu, "out of memory");
    size_t keys = 0, bytes = 0, rss_delta = 0;
    for (int r = 0; r < runs; r++) {
        size_t rss0 = bench_rss();
        rt_engine *e = new_engine(&bp, v);
        perf_ctl("enable");
        double c0 = bench_thread_cpu(), t0 = bench_now();
        /* one batch of `every` events per rt_engine_apply_batch call, then a settle: what the
         * server does with each POSTed batch */
        for (size_t i = 0; i < d.nevents; i += every) {
            size_t m = d.nevents - i < every ? d.nevents - i : every;
            rt_engine_apply_batch(e, src, &d.slots[i * (size_t)d.nfields], m, RT_ARRIVAL_UNKNOWN, NULL);
            if (m == every)
                settle(e, p, src, retain_us);
        }
        settle(e, p, src, retain_us);
        double t1 = bench_now(), c1 = bench_thread_cpu();
        perf_ctl("disable");
        wall[r] = t1 - t0;
        cpu[r] = c1 - c0;
        bench_check(rt_engine_accepted(e, src) == d.nevents && rt_engine_late(e, src) == 0,
                    "not every event was accepted");
        if (r == 0) {
            keys = rt_engine_keys(e, v);
            bytes = rt_engine_state_bytes(e, v);
            size_t rss1 = bench_rss();
            rss_delta = rss1 > rss0 ? rss1 - rss0 : 0;
        }
        rt_engine_free(e);
        fprintf(stderr, "bench_ingest: decoded run %d: %.3f s wall, %.3f s cpu\n", r + 1, wall[r], cpu[r]);
    }
    double mw = bench_median(wall, (size_t)runs), mc = bench_median(cpu, (size_t)runs);
    char text[256];
    snprintf(text, sizeof text, "%s events=%zu runs=%d cpu_seconds=%.4g wall_seconds=%.4g wall_eps=%.4g", tag,
             d.nevents, runs, mc, mw, (double)d.nevents / mw);
    bench_result("ingest_decoded_eps", (double)d.nevents / mc, "events/s", text);
    int nfeat = p->views[v].nfeatures;
    snprintf(text, sizeof text, "%s keys=%zu bytes=%zu features=%d", tag, keys, bytes, nfeat);
    bench_result("state_bytes_per_key", keys ? (double)bytes / (double)keys : 0, "B", text);
    bench_result("state_bytes_per_key_window", keys ? (double)bytes / (double)keys / nfeat : 0, "B", text);
    snprintf(text, sizeof text, "%s keys=%zu rss_delta=%zu", tag, keys, rss_delta);
    bench_result("rss_bytes_per_key", keys ? (double)rss_delta / (double)keys : 0, "B", text);

    /* (b) JSON Lines: the reader (read, parse, validate) and the engine, timed together. */
    if (!only_decoded) {
        rt_slot *recs = malloc(every * (size_t)d.nfields * sizeof *recs);
        bench_check(recs != NULL, "out of memory");
        for (int r = 0; r < runs; r++) {
            rt_engine *e = new_engine(&bp, v);
            char err[512];
            double c0 = bench_thread_cpu(), t0 = bench_now();
            rt_reader *rd = rt_reader_open(jsonl, rt_engine_schema(e, src), NULL, err, sizeof err);
            if (!rd) {
                fprintf(stderr, "bench_ingest: %s\n", err);
                return 1;
            }
            /* the reader hands over batches of up to `every` events (strings valid for the
             * whole batch), each applied with one call and followed by a settle */
            size_t n = 0, pending = 0;
            int got;
            while ((got = rt_reader_next_batch(rd, recs, (int)every, NULL)) > 0) {
                rt_engine_apply_batch(e, src, recs, (size_t)got, RT_ARRIVAL_UNKNOWN, NULL);
                n += (size_t)got;
                pending += (size_t)got;
                if (pending >= every) {
                    settle(e, p, src, retain_us);
                    pending = 0;
                }
            }
            settle(e, p, src, retain_us);
            double t1 = bench_now(), c1 = bench_thread_cpu();
            bench_check(got == 0 && rt_reader_stats_of(rd)->rejected == 0, "the JSON Lines file did not read cleanly");
            bench_check(n == d.nevents, "the JSON Lines file has other events than the CSV file");
            rt_reader_close(rd);
            rt_engine_free(e);
            wall[r] = t1 - t0;
            cpu[r] = c1 - c0;
            fprintf(stderr, "bench_ingest: jsonl run %d: %.3f s wall, %.3f s cpu\n", r + 1, wall[r], cpu[r]);
        }
        mw = bench_median(wall, (size_t)runs);
        mc = bench_median(cpu, (size_t)runs);
        snprintf(text, sizeof text, "%s events=%zu runs=%d cpu_seconds=%.4g wall_seconds=%.4g wall_eps=%.4g", tag,
                 d.nevents, runs, mc, mw, (double)d.nevents / mw);
        bench_result("ingest_jsonl_eps", (double)d.nevents / mc, "events/s", text);
        free(recs);
    }
    free(wall);
    free(cpu);
    free(d.slots);
    free(d.pool);
    bench_prog_free(&bp);
    return 0;
}
