/* rt_manifest.h - the compiled program as the runtime sees it, parsed from manifest text. */
#ifndef FEATRT_MANIFEST_H
#define FEATRT_MANIFEST_H

#include "rt_abi.h"
#include "rt_catalog.h"
#include "rt_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The manifest format version written on its first line ("featc-manifest 1"). */
#define RT_MANIFEST_VERSION 1

typedef enum rt_source_kind { RT_SOURCE_STREAM, RT_SOURCE_TABLE, RT_SOURCE_REQUEST } rt_source_kind;

/* Aggregations, in the order of the compiler's plan_agg. */
/* Aggregations: the catalogue's (rt_catalog.h). */
typedef rt_agg rt_prog_agg;

/* Window kinds, in the order of the compiler's plan_window_kind. */
typedef enum rt_prog_win { RT_PWIN_LIFETIME, RT_PWIN_SLIDING, RT_PWIN_HOP } rt_prog_win;

typedef struct rt_prog_field {
    const char *name;
    rt_type type;
    bool not_null;
} rt_prog_field;

typedef struct rt_prog_source {
    const char *name;
    rt_source_kind kind;
    int nfields;
    rt_prog_field *fields;
    int time_field; /* -1 for request sources */
    int seq_field;  /* -1 when none */
    int64_t lateness_us;
    int nexpects;
    const char **expects; /* rule texts, for reject reasons */
    int arrival_field;    /* a timestamp not null field holding the arrival time; -1 when none */
    int64_t max_ahead_us; /* events more than this after their arrival time are ahead; -1: no limit */
    int unique_field;     /* an int or string field naming an event; -1 when none */
} rt_prog_source;

typedef struct rt_prog_feature {
    const char *name;
    rt_prog_agg agg;
    bool has_input;   /* false only for count() */
    rt_type in_type;  /* meaningful when has_input */
    rt_type out_type;
    rt_prog_win win;
    int64_t size_us; /* 0 for lifetime */
    int64_t hop_us;  /* 0 unless RT_PWIN_HOP */
    int64_t ttl_us;  /* 0 when none */
    double pct_p;    /* percentile: p in [0, 1]; median: 0.5; else 0 */
    int list_n;      /* last_n, first_n: n in 1..RT_LIST_MAX; else 0 */
    bool has_default;
    rt_slot dflt;     /* of out_type; strings point into the program */
} rt_prog_feature;

typedef struct rt_prog_view {
    const char *name;
    int source;
    int nkeys;
    rt_type *key_types;
    int *key_columns; /* source field holding each key; -1: derived from a let by the row function */
    int nfeatures;
    rt_prog_feature *features;
} rt_prog_view;

typedef struct rt_prog_od_feature {
    const char *name;
    rt_type type;
} rt_prog_od_feature;

typedef struct rt_prog_block {
    const char *name;
    int request_source; /* -1 when none */
    int nviews;
    int *views;         /* views it reads */
    int nblocks;
    int *blocks;        /* earlier blocks it reads */
    int nfeatures;
    rt_prog_od_feature *features;
} rt_prog_block;

typedef struct rt_prog_key {
    const char *name;
    rt_type type;
    int request_field; /* field of the service's request source that is this key, or -1 */
} rt_prog_key;

typedef struct rt_prog_sview {
    int view;
    int *key_map; /* per key of the view: index into the service's keys */
} rt_prog_sview;

typedef enum rt_output_kind { RT_OUT_VIEW, RT_OUT_BLOCK } rt_output_kind;

typedef struct rt_prog_output {
    const char *column; /* "view__feature" */
    rt_type type;
    rt_output_kind kind;
    int owner;   /* view or block index */
    int feature; /* feature index within the owner */
} rt_prog_output;

typedef struct rt_prog_service {
    const char *name;
    int request_source; /* -1 when none */
    int nkeys;
    rt_prog_key *keys;
    int nviews;
    rt_prog_sview *views;
    int nblocks;
    int *blocks; /* evaluation order */
    int noutputs;
    rt_prog_output *outputs;
} rt_prog_service;

typedef struct rt_pool rt_pool;

/* Everything the runtime knows about a compiled plan. Indexes match the plan's (and so the
 * generated rt_fn_table's). Immutable after parsing; owns all its memory. */
typedef struct rt_program {
    int nsources;
    rt_prog_source *sources;
    int nviews;
    rt_prog_view *views;
    int nblocks;
    rt_prog_block *blocks;
    int nservices;
    rt_prog_service *services;
    rt_pool *pool;
    char fingerprint[17]; /* the definition's: 64-bit FNV-1a of the manifest text, in hex */
} rt_program;

/* Parses manifest text (len bytes, need not be NUL-terminated). On success returns a
 * program the caller frees with rt_program_free. On any defect (syntax, counts, indexes out
 * of range, types that do not agree) returns NULL and writes "manifest line N: ..." to
 * err (errlen bytes, always NUL-terminated when errlen > 0). */
rt_program *rt_program_parse(const char *text, size_t len, char *err, size_t errlen);
void rt_program_free(rt_program *p);

/* Checks that a generated function table matches the program: counts agree and every view
 * has a row function, every block an on_demand function. Returns false with a message. */
bool rt_program_check_fns(const rt_program *p, const rt_fn_table *fns, char *err, size_t errlen);

/* Lookups by name; -1 when absent. */
int rt_program_find_source(const rt_program *p, const char *name);
int rt_program_find_service(const rt_program *p, const char *name);

/* Names used in the manifest text ("int", "sum", "hop", ...); NULL when out of range. */
const char *rt_prog_type_name(rt_type t);
const char *rt_prog_agg_name(rt_prog_agg a);

#endif
