/* plan.h - the feature plan: the one typed form both back ends (LLVM, SQL) are lowered from.
 *
 * Every semantic decision is explicit here: implicit int->float promotions are PX_TO_FLOAT
 * nodes, each operator carries the type it operates on, `if` is a PX_CASE, durations are
 * microsecond constants, defaults are already converted to the result type. A back end maps
 * nodes to code and must not re-decide types. */
#ifndef FEATC_PLAN_H
#define FEATC_PLAN_H

#include "arena.h"
#include "rt_catalog.h"
#include "types.h"

#include <stdio.h>

/* A constant value. type is never FT_ERROR; for FT_NULL or is_null the payload is unused. */
typedef struct plan_value {
    ftype type;
    bool is_null;
    bool b;
    int64_t i; /* FT_INT, FT_TIMESTAMP, FT_DURATION (microseconds) */
    double f;
    const char *s; /* FT_STRING: bytes, NUL-terminated */
    size_t s_len;
} plan_value;

typedef enum plan_expr_kind {
    PX_CONST,    /* value */
    PX_COLUMN,   /* index: a row column of the view or source (fields, then lets) */
    PX_REQUEST,  /* index: a field of the request source (on_demand only) */
    PX_FEATURE,  /* view, index: a feature of a view (on_demand only) */
    PX_OD_FEATURE, /* block, index: a feature of another on_demand block */
    PX_NOW,      /* the query time (on_demand only) */
    PX_TO_FLOAT, /* args[0] int -> float (exact IEEE conversion) */
    PX_NEG,      /* args[0]; type int (null on overflow) or float */
    PX_NOT,      /* args[0] bool, three-valued */
    PX_AND,      /* args[0..1] bool, three-valued */
    PX_OR,       /* args[0..1] bool, three-valued */
    PX_ARITH,    /* op on args[0..1]; operand_type int or float (see plan_arith) */
    PX_TS_ADD,   /* args[0] timestamp + args[1] duration-or-int microseconds; null on overflow */
    PX_TS_SUB,   /* args[0] timestamp - args[1] microseconds; null on overflow */
    PX_CONCAT,   /* args[0] || args[1], strings */
    PX_COMPARE,  /* cmp on args[0..1], both of operand_type (strings byte-wise) */
    PX_IS_NULL,  /* args[0] is null (negated: is not null); never null itself */
    PX_IN,       /* args[0] in (args[1..]); all of operand_type; SQL semantics; negated: not in */
    PX_CASE,     /* args: when0, then0, ..., [else at the end when has_else] */
    PX_CALL,     /* fn on args */
} plan_expr_kind;

typedef enum plan_arith { PA_ADD, PA_SUB, PA_MUL, PA_DIV, PA_MOD } plan_arith;
/* PA_DIV: operands float (promoted), result float, null when the divisor is 0.
 * PA_MOD: ints only; sign of the dividend; x % 0 and overflow give null.
 * int results outside int64 are null; float results that are NaN or infinite are null. */

typedef enum plan_cmp { PC_EQ, PC_NE, PC_LT, PC_LE, PC_GT, PC_GE } plan_cmp;

/* Built-in functions, made from the catalogue (runtime/rt_catalog.h), in its order. */
typedef enum plan_fn {
#define PLAN_FN_ENUM(id, name, lo, hi) PF_##id,
    RT_CATALOG_FNS(PLAN_FN_ENUM)
#undef PLAN_FN_ENUM
    PF_COUNT_ /* number of functions */
} plan_fn;

const char *plan_fn_name(plan_fn fn);

typedef struct plan_expr plan_expr;
struct plan_expr {
    plan_expr_kind kind;
    ftype type;         /* result type; FT_NULL only for an untyped null constant */
    ftype operand_type; /* PX_ARITH, PX_COMPARE, PX_IN: the type the operands share */
    plan_arith arith;
    plan_cmp cmp;
    plan_fn fn;
    bool negated;
    bool has_else;
    int index;
    int view;  /* PX_FEATURE */
    int block; /* PX_OD_FEATURE */
    plan_value value;
    int nargs;
    plan_expr **args;
};

typedef struct plan_field {
    const char *name;
    ftype type;
    bool not_null;
} plan_field;

typedef enum plan_source_kind { PS_STREAM, PS_TABLE, PS_REQUEST } plan_source_kind;

typedef struct plan_expect {
    plan_expr *cond; /* over the source's fields (PX_COLUMN = field index) */
    const char *text; /* the rule as written, for reject reasons */
} plan_expect;

typedef struct plan_source {
    const char *name;
    plan_source_kind kind;
    const char *sql_table; /* `table 'a.b'` or the source name; schema dot kept */
    int nfields;
    plan_field *fields;
    int time_field;   /* -1 for request sources */
    int seq_field;    /* -1 when not declared */
    int64_t lateness_us;
    int arrival_field;    /* `arrival F`: a timestamp not null field; -1 when not declared */
    int64_t max_ahead_us; /* `max_ahead D`; PLAN_NO_MAX_AHEAD for `max_ahead none` */
    int unique_field;     /* `unique F`: an int or string field; -1 when not declared */
    int nexpects;
    plan_expect *expects;
} plan_source;

/* The default `max_ahead` (one day), and the value of `max_ahead none`. */
#define PLAN_DEFAULT_MAX_AHEAD_US INT64_C(86400000000)
#define PLAN_NO_MAX_AHEAD (-1)

typedef struct plan_entity {
    const char *name;
    int nkeys;
    plan_field *keys;
} plan_entity;

/* Aggregations, made from the catalogue (runtime/rt_catalog.h), in its order: PG_COUNT_ROWS
 * is count(), PG_COUNT count(x), ... */
typedef enum plan_agg {
#define PLAN_AGG_ENUM(id, name, word, in, res, text, param) PG_##id,
    RT_CATALOG_AGGS(PLAN_AGG_ENUM)
#undef PLAN_AGG_ENUM
} plan_agg;

const char *plan_agg_name(plan_agg agg);

typedef enum plan_window_kind { PW_LIFETIME, PW_SLIDING, PW_HOP } plan_window_kind;

typedef struct plan_window {
    plan_window_kind kind;
    int64_t size_us; /* D; 0 for lifetime */
    int64_t hop_us;  /* H; 0 unless PW_HOP (size_us is a multiple of hop_us) */
} plan_window;

typedef struct plan_feature {
    const char *name;
    plan_agg agg;
    plan_expr *input;  /* NULL for count(); over the view's row columns */
    ftype input_type;  /* FT_ERROR for count() */
    ftype type;        /* result type */
    plan_window window;
    plan_expr *filter; /* per-feature `where`, or NULL */
    int64_t ttl_us;    /* 0 when no ttl (only lifetime first/last may have one) */
    double pct_p;      /* percentile's p in [0, 1] (median: 0.5); 0 for other aggregations */
    int list_n;        /* last_n/first_n's n in 1..RT_LIST_MAX; 0 for other aggregations */
    bool has_default;
    plan_value dflt;   /* converted to `type` */
} plan_feature;

typedef struct plan_let {
    const char *name;
    ftype type;
    plan_expr *value; /* may use the source's fields and earlier lets */
} plan_let;

/* A feature view: one source, one entity, row filters and lets, then aggregations.
 * A row has ncolumns = source fields followed by lets: PX_COLUMN index < nfields is a
 * source field, otherwise lets[index - nfields]. */
typedef struct plan_view {
    const char *name;
    int source;
    int entity;
    int *key_columns; /* per entity key: the row column that holds it (a source field or a let) */
    plan_expr *where; /* or NULL; all `where` members joined with AND, in order */
    int nlets;
    plan_let *lets;
    int nfeatures;
    plan_feature *features;
} plan_view;

typedef struct plan_od_feature {
    const char *name;
    ftype type;
    plan_expr *value;
} plan_od_feature;

typedef struct plan_on_demand {
    const char *name;
    int request_source; /* -1 when it takes none */
    int nviews;
    int *views;         /* views it reads, as listed */
    int nblocks;
    int *blocks;        /* other on_demand blocks it reads */
    int nfeatures;
    plan_od_feature *features;
} plan_on_demand;

typedef enum plan_output_kind { PO_VIEW_FEATURE, PO_OD_FEATURE } plan_output_kind;

typedef struct plan_output {
    plan_output_kind kind;
    int owner;   /* view index or on_demand index */
    int feature; /* feature index within it */
    const char *column; /* "view__feature" */
    ftype type;
} plan_output;

/* The view a service reads and how its entity keys map to the service's key columns. */
typedef struct plan_service_view {
    int view;
    int *key_map;        /* per entity key of the view: index into plan_service.keys */
    bool *feature_used;  /* per feature of the view: output or read by an on_demand block */
} plan_service_view;

typedef struct plan_service {
    const char *name;
    int request_source; /* -1 when none */
    int nkeys;
    plan_field *keys;   /* the spine's key columns (union of entity keys, by name) */
    int *key_request_field; /* per key: request field index that is this key, or -1 */
    int nviews;
    plan_service_view *views;
    int nblocks;
    int *blocks;        /* on_demand blocks to evaluate, in dependency order */
    int noutputs;
    plan_output *outputs;
} plan_service;

typedef struct plan {
    int nsources;
    plan_source *sources;
    int nentities;
    plan_entity *entities;
    int nviews;
    plan_view *views;
    int nblocks;
    plan_on_demand *blocks; /* in dependency order: a block only reads earlier blocks */
    int nservices;
    plan_service *services;
} plan;

/* Prints the plan readably (featc check --dump=plan). */
void plan_dump(const plan *p, FILE *out);
/* Writes the shortest decimal text that reads back as the finite f ("0.9") to buf. */
#define PLAN_FLOAT_TEXT 32
void plan_float_fmt(char buf[PLAN_FLOAT_TEXT], double f);
/* Looks up a service by name; NULL when absent. */
const plan_service *plan_find_service(const plan *p, const char *name);
/* The number of row columns of a view (source fields + lets). */
int plan_view_ncolumns(const plan *p, const plan_view *v);
/* Name and type of a view's row column. */
const char *plan_view_column_name(const plan *p, const plan_view *v, int column);
ftype plan_view_column_type(const plan *p, const plan_view *v, int column);

#endif
