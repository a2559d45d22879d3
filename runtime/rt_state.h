/* rt_state.h - per-entity-key window state of one feature view: ingest events, answer point-in-time queries. */
#ifndef FEATRT_STATE_H
#define FEATRT_STATE_H

#include "rt_agg.h"
#include "rt_scratch.h"

typedef struct rt_view_state rt_view_state;

/* Creates the state of one view. Copies everything it needs from d (d may be freed after).
 * Returns NULL when d is inconsistent: an unknown aggregation or window kind, a hop window
 * whose size is not a positive multiple of its hop, a negative size or ttl, a ttl on
 * anything but a lifetime first/last, an input type the aggregation does not take, or an
 * out_type that is not the aggregation's result type. */
rt_view_state *rt_view_state_new(const rt_view_desc *d);
void rt_view_state_free(rt_view_state *s);

/* Applies one accepted event: keys[nkeys] (a key with a null part matches nothing and the
 * event is ignored), its event time ts, its seq (NULL or a null slot when it has none) and
 * inputs[nfeatures], one per feature: a null slot means the row does not contribute to that
 * feature. Strings are copied as needed. Events may arrive in any time order; an event that
 * no future query can see (older than every window after the last settle) is dropped. */
void rt_view_ingest(rt_view_state *s, const rt_slot *keys, int64_t ts, const rt_slot *seq,
                    const rt_slot *inputs);

/* One event for rt_view_ingest_batch: the arguments of one rt_view_ingest call. */
typedef struct rt_view_event {
    const rt_slot *keys;   /* nkeys slots */
    int64_t ts;
    const rt_slot *seq;    /* NULL or a slot */
    const rt_slot *inputs; /* nfeatures slots */
} rt_view_event;

/* Applies evs[0..n) in order, with the same result as calling rt_view_ingest on each; the
 * key lookups and state loads of neighbouring events overlap, which makes it faster when
 * keys are many (their state is not in cache). */
void rt_view_ingest_batch(rt_view_state *s, const rt_view_event *evs, size_t n);

/* A promise: no later query has t < horizon (horizons only move forward; a smaller one is
 * ignored). Lets the state fold settled events into partial aggregates and drop events no
 * query can see any more. Does a small, bounded amount of clean-up work per call on keys
 * that receive no events; rt_view_compact does all of it at once. */
void rt_view_settle(rt_view_state *s, int64_t horizon);

/* Feature values for keys as of t: only events with ts < t, even when later ones were
 * already ingested; ttl, then defaults applied. t must not be below the settled horizon.
 * Writes out[nfeatures]; strings in out stay valid until the next ingest, settle or
 * compact. Does not change the state: temporary memory comes from scratch (owned by the
 * calling thread; reset it between queries to reuse it), so any number of threads may
 * query at once while none ingests, settles or compacts. */
void rt_view_query(const rt_view_state *s, const rt_slot *keys, int64_t t, rt_scratch *scratch, rt_slot *out);

/* Folds and evicts on every key, and forgets keys whose state became empty. */
void rt_view_compact(rt_view_state *s);

/* Number of keys held, and bytes of memory held by the whole state. */
size_t rt_view_state_keys(const rt_view_state *s);
size_t rt_view_state_bytes(const rt_view_state *s);

#endif
