/* rt_engine.h - the streaming engine: arrival rules, view state, and answering services. */
#ifndef FEATRT_ENGINE_H
#define FEATRT_ENGINE_H

#include "rt_abi.h"
#include "rt_arrival.h"
#include "rt_manifest.h"
#include "rt_schema.h"
#include "rt_scratch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The engine holds, per source, its arrival rules (rt_arrival.h: the watermark, the largest
 * event time accepted so far in arrival order, and the pairs remembered for `unique`) and,
 * per active view, its keyed window state. One writer at a time may
 * call rt_engine_apply/settle; rt_engine_query does not change the engine, so any number of
 * queries may run at once when no writer runs (the caller provides the locking). */
typedef struct rt_engine rt_engine;

/* Creates an engine for program p (borrowed; must outlive the engine) with generated
 * functions fns (checked against p). active[v] selects which views keep state (NULL: all);
 * events of a source whose views are all inactive are still decided by the arrival rules
 * and counted. Returns NULL with a message in err when fns do not match p or memory runs out. */
rt_engine *rt_engine_new(const rt_program *p, const rt_fn_table *fns, const bool *active, char *err, size_t errlen);
void rt_engine_free(rt_engine *e);

const rt_program *rt_engine_program(const rt_engine *e);

/* The reader's schema of source src (fields, time field, expect hook and rule texts);
 * valid as long as the engine. */
const rt_schema *rt_engine_schema(const rt_engine *e, int src);

/* What applying one event did. Every value but NO_TIME is the rt_arrival_verdict of the
 * same name. */
typedef enum rt_apply_result {
    RT_APPLY_ACCEPTED = RT_ARRIVAL_ACCEPTED,
    RT_APPLY_AHEAD = RT_ARRIVAL_AHEAD,         /* time more than max_ahead after arrival: not applied */
    RT_APPLY_LATE = RT_ARRIVAL_LATE,           /* time before the watermark minus lateness: not applied */
    RT_APPLY_DUPLICATE = RT_ARRIVAL_DUPLICATE, /* (unique value, time) accepted before: not applied */
    RT_APPLY_NO_TIME,                          /* the time field is null: not applied (the reader rejects these) */
} rt_apply_result;

/* The arrival time a caller passes when it has none (file replay): the event is then never
 * ahead, unless its source declares an arrival field. No clock reads this value. */
#define RT_ARRIVAL_UNKNOWN INT64_MIN

/* The arrival time of a record of source ps, given the caller's arrival_us: the source's
 * arrival field when it declares one (and it is not null), else arrival_us. False when
 * that is RT_ARRIVAL_UNKNOWN. */
static inline bool rt_engine_arrival_of(const rt_prog_source *ps, const rt_slot *record, int64_t arrival_us,
                                        int64_t *arrival)
{
    if (ps->arrival_field >= 0 && !record[ps->arrival_field].null) {
        *arrival = record[ps->arrival_field].v.i;
        return true;
    }
    *arrival = arrival_us;
    return arrival_us != RT_ARRIVAL_UNKNOWN;
}

/* Applies one valid record (one slot per field of source src) of an event stream or
 * table that arrived at arrival_us (RT_ARRIVAL_UNKNOWN when not known; see
 * rt_engine_arrival_of). The arrival rules decide it; a refused event changes nothing but
 * its count. An accepted one advances the watermark, runs the row function of every
 * active view on src and is ingested. Strings in record are copied as needed. */
rt_apply_result rt_engine_apply(rt_engine *e, int src, const rt_slot *record, int64_t arrival_us);

/* Applies records[0..n) of source src (n records of nfields slots each, one after the
 * other), all arrived at arrival_us, in order, with the same effect as n calls of
 * rt_engine_apply, and writes each one's result to results[i] when results is not NULL.
 * Returns the number accepted. Faster than single calls when a view has many keys: the key
 * lookups and state loads of neighbouring events overlap. */
size_t rt_engine_apply_batch(rt_engine *e, int src, const rt_slot *records, size_t n, int64_t arrival_us,
                             rt_apply_result *results);

/* Partitions. A stream consumer (Kafka) delivers a source as several partitions, each in
 * its own order: rt_engine_set_parts gives src nparts parts, each with arrival rules of its
 * own (watermark, duplicate memory, counts), as a file-fed source has one. Part -1 is the
 * source's own rules, which rt_engine_apply and rt_engine_apply_batch use (files, posted
 * events, state logs). The number of parts only grows; parts keep their state. False when
 * memory runs out. */
bool rt_engine_set_parts(rt_engine *e, int src, int nparts);
int rt_engine_parts(const rt_engine *e, int src);

/* rt_engine_apply for part `part` of src (-1: the source's own rules). */
rt_apply_result rt_engine_apply_part(rt_engine *e, int src, int part, const rt_slot *record, int64_t arrival_us);

/* Applies records[0..n) of src as rt_engine_apply_batch does, record i decided by the rules
 * of part parts[i] (-1: the source's own; parts NULL: all -1) with arrival time
 * arrival_us[i]. Writes each result to results[i] and, when wms is not NULL, the watermark of
 * its part once it was decided to wms[i] (INT64_MIN when that part has none): what a
 * refusal's reason names. Returns the number accepted. */
size_t rt_engine_apply_parts(rt_engine *e, int src, const rt_slot *records, size_t n, const int32_t *parts,
                             const int64_t *arrival_us, rt_apply_result *results, int64_t *wms);

/* Watermark of src: the largest time accepted over all its parts; false when no event has
 * been accepted yet. rt_engine_part_watermark: of one part (-1: the source's own rules). */
bool rt_engine_watermark(const rt_engine *e, int src, int64_t *wm);
bool rt_engine_part_watermark(const rt_engine *e, int src, int part, int64_t *wm);

/* The time up to which src is complete: no event with a time below it can still be
 * accepted (watermark minus lateness, saturating). INT64_MIN before the first event. With
 * parts, the least over its parts: a query at t is final once every part is complete up to
 * t (the source's own rules, fed before the parts existed, do not hold it back). A query
 * at t reading src can be answered exactly once this is >= t or src has ended. */
int64_t rt_engine_complete_until(const rt_engine *e, int src);

/* Promises that no later query reads view v at a time below horizon (horizons only move
 * forward), letting its state fold and evict. rt_engine_settle does it for every view. */
void rt_engine_settle_view(rt_engine *e, int v, int64_t horizon);
void rt_engine_settle(rt_engine *e, int64_t horizon);
/* The settled horizon of view v (INT64_MIN when never settled). */
int64_t rt_engine_horizon(const rt_engine *e, int v);

/* Answers service svc as of t: keys[nkeys of the service] (a null key matches no events),
 * request = the request source's fields (or NULL when the service takes none). Looks up
 * each view's state with the service keys it maps to, then runs the on_demand blocks in
 * order. Writes out[noutputs]; strings in out point into the engine's state or into
 * scratch and stay valid until the next scratch reset or engine write. Returns false
 * (writing nothing) when t is below the settled horizon of a view the service reads, or a
 * view it reads is inactive. */
bool rt_engine_query(const rt_engine *e, int svc, const rt_slot *keys, const rt_slot *request, int64_t t,
                     rt_scratch *scratch, rt_slot *out);

/* Per-source count of events applied with result r (over all parts); rt_engine_accepted and
 * rt_engine_late are its ACCEPTED and LATE counts. Per-view number of keys held (0 for an inactive view). */
uint64_t rt_engine_count(const rt_engine *e, int src, rt_apply_result r);
uint64_t rt_engine_accepted(const rt_engine *e, int src);
uint64_t rt_engine_late(const rt_engine *e, int src);
/* The (unique value, time) pairs src remembers for its duplicate rule over all its parts (0
 * without `unique`). */
size_t rt_engine_remembered(const rt_engine *e, int src);
size_t rt_engine_keys(const rt_engine *e, int v);
/* Bytes of memory held by view v's state (0 for an inactive view). */
size_t rt_engine_state_bytes(const rt_engine *e, int v);

#endif
