/* plan_diff.h - what a change to a feature file does, by meaning: two checked plans compared object by object. */
#ifndef FEATC_PLAN_DIFF_H
#define FEATC_PLAN_DIFF_H

#include "arena.h"
#include "plan.h"

#include <stdio.h>

typedef enum pdiff_kind { PD_ADDED, PD_REMOVED, PD_CHANGED } pdiff_kind;
typedef enum pdiff_object {
    PD_SOURCE,
    PD_ENTITY,
    PD_VIEW,
    PD_FEATURE,
    PD_ON_DEMAND,
    PD_SERVICE,
    PD_OUTPUT
} pdiff_object;
typedef enum pdiff_state { PD_STATE_NONE, PD_STATE_KEEP, PD_STATE_REBUILD } pdiff_state;

/* One change. name is dotted (view.feature, source.field, service.column); why is a
 * sentence ("window 10m -> 15m"); state says, for view features, whether a running
 * runtime's state for it can be kept. */
typedef struct pdiff_change {
    pdiff_kind kind;
    pdiff_object object;
    const char *name;
    bool breaking;
    const char *why;
    pdiff_state state;
} pdiff_change;

typedef struct pdiff {
    int n;
    pdiff_change *changes; /* sources, entities, views, features, on_demand, services, outputs;
                              by name within each */
    bool breaking;
} pdiff;

/* Compares old and new (both checked without errors) by meaning: names of lets, layout,
 * comments and declaration order do not count; a feature's meaning is its aggregation,
 * input (lets inlined), window, filters, ttl, default, type, key and everything of its
 * source it depends on (fields it reads, time, seq, lateness, arrival rules, expect rules).
 * Breaking: a served output that disappears or changes meaning, a source change that makes
 * old events invalid or kept state incompatible, a service whose keys change or that
 * disappears. Allocates from mem. */
void pdiff_compare(arena *mem, const plan *old, const plan *new_, pdiff *out);

/* Writes the changes as a review comment (text) or as {"changes": [...], "breaking": B}. */
void pdiff_print_text(const pdiff *d, const char *old_name, const char *new_name, FILE *out);
void pdiff_print_json(const pdiff *d, FILE *out);

const char *pdiff_kind_name(pdiff_kind k);
const char *pdiff_object_name(pdiff_object o);

#endif
