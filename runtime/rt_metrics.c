/* rt_metrics.c - serving metrics: request counts and latency per service, engine gauges, Prometheus text. */
#include "rt_metrics.h"

#include "rt_format.h"
#include "rt_version.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds (seconds) of the latency buckets; +Inf is implied. */
static const double bucket_le[] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                   0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5};
enum { NBUCKETS = sizeof bucket_le / sizeof bucket_le[0] };

/* Status classes counted: 2xx, 4xx, 5xx (others count as 5xx). */
static const char *const class_names[] = {"2xx", "4xx", "5xx"};
enum { NCLASSES = 3 };

typedef struct svc_metrics {
    _Atomic uint64_t by_class[NCLASSES];
    _Atomic uint64_t buckets[NBUCKETS + 1]; /* non-cumulative; the last is above every bound */
    _Atomic uint64_t sum_ns;
} svc_metrics;

struct rt_metrics {
    const rt_program *p;
    svc_metrics *svc;
};

rt_metrics *rt_metrics_new(const rt_program *p)
{
    rt_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->p = p;
    m->svc = calloc((size_t)p->nservices + 1, sizeof *m->svc);
    if (!m->svc) {
        free(m);
        return NULL;
    }
    return m;
}

void rt_metrics_free(rt_metrics *m)
{
    if (!m)
        return;
    free(m->svc);
    free(m);
}

void rt_metrics_observe(rt_metrics *m, int svc, int status, double seconds)
{
    if (svc < 0 || svc >= m->p->nservices)
        return;
    svc_metrics *s = &m->svc[svc];
    int cls = status >= 200 && status < 300 ? 0 : status >= 400 && status < 500 ? 1 : 2;
    atomic_fetch_add_explicit(&s->by_class[cls], 1, memory_order_relaxed);
    int b = 0;
    while (b < NBUCKETS && seconds > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    double ns = seconds > 0 ? seconds * 1e9 : 0;
    atomic_fetch_add_explicit(&s->sum_ns, ns < 1.8e19 ? (uint64_t)ns : UINT64_MAX / 2, memory_order_relaxed);
}

/* Writes a label value with Prometheus escapes (backslash, quote, line feed). */
static void put_label(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(out, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void put_head(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_double(FILE *out, double x)
{
    char buf[RT_FLOAT_BUF];
    rt_format_float(x, buf);
    fputs(buf, out);
}

static void write_requests(const rt_metrics *m, FILE *out)
{
    const rt_program *p = m->p;
    put_head(out, "featc_requests_total", "counter", "Feature requests answered, by service and status class.");
    for (int i = 0; i < p->nservices; i++)
        for (int c = 0; c < NCLASSES; c++) {
            fputs("featc_requests_total{service=", out);
            put_label(out, p->services[i].name);
            fprintf(out, ",code=\"%s\"} %" PRIu64 "\n", class_names[c],
                    atomic_load_explicit(&m->svc[i].by_class[c], memory_order_relaxed));
        }
    put_head(out, "featc_request_duration_seconds", "histogram", "Time to answer a feature request.");
    for (int i = 0; i < p->nservices; i++) {
        const svc_metrics *s = &m->svc[i];
        uint64_t cum = 0;
        for (int b = 0; b <= NBUCKETS; b++) {
            cum += atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
            fputs("featc_request_duration_seconds_bucket{service=", out);
            put_label(out, p->services[i].name);
            fputs(",le=\"", out);
            if (b < NBUCKETS)
                put_double(out, bucket_le[b]);
            else
                fputs("+Inf", out);
            fprintf(out, "\"} %" PRIu64 "\n", cum);
        }
        fputs("featc_request_duration_seconds_sum{service=", out);
        put_label(out, p->services[i].name);
        fputs("} ", out);
        put_double(out, (double)atomic_load_explicit(&s->sum_ns, memory_order_relaxed) / 1e9);
        fputs("\nfeatc_request_duration_seconds_count{service=", out);
        put_label(out, p->services[i].name);
        fprintf(out, "} %" PRIu64 "\n", cum);
    }
}

/* One gauge or counter line per event source (request sources take no events). */
static void write_per_source(const rt_program *p, FILE *out, const char *name, const char *type, const char *help,
                             uint64_t (*get)(const rt_engine *, rt_reject_log *, int), const rt_engine *e,
                             rt_reject_log *log)
{
    put_head(out, name, type, help);
    for (int s = 0; s < p->nsources; s++) {
        if (p->sources[s].kind == RT_SOURCE_REQUEST)
            continue;
        fprintf(out, "%s{source=", name);
        put_label(out, p->sources[s].name);
        fprintf(out, "} %" PRIu64 "\n", get(e, log, s));
    }
}

static uint64_t get_ingested(const rt_engine *e, rt_reject_log *log, int s)
{
    (void)log;
    return rt_engine_accepted(e, s);
}

/* featc_events_rejected_total: one line per event source and reason. Invalid events are
 * the reader's (counted in log), the others the engine's arrival rules'. */
static void write_rejected(const rt_program *p, FILE *out, const rt_engine *e, rt_reject_log *log)
{
    static const rt_apply_result by_kind[RT_REJECT_NKINDS] = {
        [RT_REJECT_AHEAD] = RT_APPLY_AHEAD, [RT_REJECT_LATE] = RT_APPLY_LATE,
        [RT_REJECT_DUPLICATE] = RT_APPLY_DUPLICATE};
    put_head(out, "featc_events_rejected_total", "counter",
             "Events refused, by reason: invalid (parse, type, not null, expect), ahead (time too far past "
             "arrival), late (before the watermark minus the lateness) or duplicate (repeated unique value and time).");
    for (int s = 0; s < p->nsources; s++) {
        if (p->sources[s].kind == RT_SOURCE_REQUEST)
            continue;
        for (int k = 0; k < RT_REJECT_NKINDS; k++) {
            uint64_t n = k == RT_REJECT_INVALID ? (log ? rt_reject_count(log, p->sources[s].name) : 0)
                                                : rt_engine_count(e, s, by_kind[k]);
            fputs("featc_events_rejected_total{source=", out);
            put_label(out, p->sources[s].name);
            fprintf(out, ",reason=\"%s\"} %" PRIu64 "\n", rt_reject_kind_name((rt_reject_kind)k), n);
        }
    }
}

static uint64_t get_late(const rt_engine *e, rt_reject_log *log, int s)
{
    (void)log;
    return rt_engine_late(e, s);
}

bool rt_metrics_write(const rt_metrics *m, const rt_engine *e, rt_reject_log *log, FILE *out)
{
    put_head(out, "featc_build_info", "gauge", "The featc version that built this runtime and its definition's fingerprint.");
    fputs("featc_build_info{version=", out);
    put_label(out, FEATC_VERSION);
    fputs(",fingerprint=", out);
    put_label(out, m->p->fingerprint);
    fputs("} 1\n", out);
    const rt_program *p = m->p;
    write_requests(m, out);
    write_per_source(p, out, "featc_events_ingested_total", "counter", "Events accepted and applied.", get_ingested,
                     e, log);
    write_rejected(p, out, e, log);
    write_per_source(p, out, "featc_events_late_total", "counter",
                     "Events not applied: older than the watermark minus the lateness (as reason late above).",
                     get_late, e, log);
    put_head(out, "featc_watermark_seconds", "gauge", "Largest event time accepted per source (epoch seconds).");
    for (int s = 0; s < p->nsources; s++) {
        int64_t wm;
        if (p->sources[s].kind == RT_SOURCE_REQUEST || !rt_engine_watermark(e, s, &wm))
            continue;
        fputs("featc_watermark_seconds{source=", out);
        put_label(out, p->sources[s].name);
        fputs("} ", out);
        put_double(out, (double)wm / 1e6);
        fputc('\n', out);
    }
    put_head(out, "featc_keys", "gauge", "Entity keys held in a view's window state.");
    for (int v = 0; v < p->nviews; v++) {
        fputs("featc_keys{view=", out);
        put_label(out, p->views[v].name);
        fprintf(out, "} %zu\n", rt_engine_keys(e, v));
    }
    put_head(out, "featc_state_bytes", "gauge", "Bytes of memory held by a view's window state.");
    for (int v = 0; v < p->nviews; v++) {
        fputs("featc_state_bytes{view=", out);
        put_label(out, p->views[v].name);
        fprintf(out, "} %zu\n", rt_engine_state_bytes(e, v));
    }
    return !ferror(out);
}
