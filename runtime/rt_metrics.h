/* rt_metrics.h - serving metrics: request counts and latency per service, engine gauges, Prometheus text. */
#ifndef FEATRT_METRICS_H
#define FEATRT_METRICS_H

#include "rt_engine.h"
#include "rt_reject.h"

#include <stdio.h>

/* Counters are atomics: rt_metrics_observe may run on any thread at any time. */
typedef struct rt_metrics rt_metrics;

/* Metrics for the services of p (borrowed). NULL when out of memory. */
rt_metrics *rt_metrics_new(const rt_program *p);
void rt_metrics_free(rt_metrics *m);

/* Records one feature request of service svc answered with HTTP status after seconds. */
void rt_metrics_observe(rt_metrics *m, int svc, int status, double seconds);

/* Writes every metric in the Prometheus text format (version 0.0.4): per service requests
 * by status class and a latency histogram; per source events ingested, rejected per
 * reason (invalid from log, which may be NULL; ahead, late and duplicate from e), late,
 * and the watermark; per view keys held and state bytes. The
 * caller keeps writers off e meanwhile. Returns false when writing fails. */
bool rt_metrics_write(const rt_metrics *m, const rt_engine *e, rt_reject_log *log, FILE *out);

#endif
