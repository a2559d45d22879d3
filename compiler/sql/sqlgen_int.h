/* sqlgen_int.h - shared internals of the SQL back end: fragments, layered relations, dialects. */
#ifndef FEATC_SQLGEN_INT_H
#define FEATC_SQLGEN_INT_H

#include "arena.h"
#include "sqlgen.h"
#include "strbuf.h"

/* A piece of SQL that computes one value and never raises an error in any dialect (every
 * operation that could fail is guarded), so it can be evaluated early, twice or for rows
 * that are filtered out later. Text lives in the generator's arena. */
typedef struct sg_frag {
    const char *sql;
    int level;   /* the layer of the newest computed column it reads (0: base columns) */
    int depth;   /* nesting depth of the text, to keep engines' expression limits away */
    bool atomic; /* a column reference or a short literal: fine to repeat in the text */
} sg_frag;

typedef struct sg_gen sg_gen;
typedef struct sg_dialect sg_dialect;

/* An aggregate split into parts that each add up independently (so a window frame, a
 * tile or a whole window can sum them in any order and grouping): part k is fn[k](arg[k])
 * over the rows, and `combine` is a template over $1..$n (the part sums) giving the
 * result. */
enum { SG_SUM_MAX_PARTS = 6 };
typedef struct sg_sum_parts {
    int n;
    const char *fn[SG_SUM_MAX_PARTS];  /* "sum" or "total" */
    const char *arg[SG_SUM_MAX_PARTS]; /* row expressions over x */
    const char *combine;
} sg_sum_parts;

/* A relation built as a chain of CTEs STEM_0 (made by the caller), STEM_1, ...: layer k is
 * SELECT *, <columns> FROM STEM_{k-1}. A fragment repeated in a guard, or nested too deep,
 * becomes a column of the layer after the newest column it reads, so the text stays linear
 * in the size of the plan. */
typedef struct sg_rel {
    sg_gen *g;
    const char *stem;   /* unquoted CTE name stem */
    const char *base;   /* unquoted name of layer 0 when it is not STEM_0 (NULL: STEM_0) */
    const char *prefix; /* prefix of generated column names */
    ptrvec layers;      /* strbuf* per layer 1.. */
    int ncols;
} sg_rel;

/* An expression scope: the relation its columns live in (NULL: text is never hoisted,
 * for expressions inside a subquery), and how leaves (row columns,
 * request fields, features, now()) resolve to fragments. */
typedef struct sg_scope sg_scope;
struct sg_scope {
    sg_gen *g;
    sg_rel *rel;
    sg_frag (*leaf)(sg_scope *sc, const plan_expr *x);
    void *ctx;
};

/* What differs between dialects. Every hook returns a guarded (never failing) fragment. */
struct sg_dialect {
    db_dialect id;
    const char *type_bool, *type_int, *type_float, *type_string, *type_hugeint;
    const char *collate; /* appended to string operands of comparisons and ORDER BY ("" or COLLATE) */
    const char *idiv;    /* truncating integer division operator */
    const char *int_min; /* the int64 minimum as an int expression */
    /* r, or null when it is inf or NaN */
    sg_frag (*finite)(sg_scope *sc, sg_frag r);
    sg_frag (*lit_bool)(sg_gen *g, bool b);
    sg_frag (*lit_float)(sg_gen *g, double f);
    /* int a + b, a - b, a * b: null when the exact result leaves int64 */
    sg_frag (*int_arith)(sg_scope *sc, plan_arith op, sg_frag a, sg_frag b);
    /* float a + b, a - b, a * b, a / b: IEEE double; null for NaN/inf and for b = 0 */
    sg_frag (*float_arith)(sg_scope *sc, plan_arith op, sg_frag a, sg_frag b);
    /* sqrt, ln, exp, pow on floats, as rt_fn.h defines them */
    sg_frag (*float_fn)(sg_scope *sc, plan_fn fn, const sg_frag *args);
    /* sin, cos, asin (for haversine); argument finite, asin's in [0, 1] */
    const char *fn_sin, *fn_cos, *fn_asin;
    /* to_float(string), to_int(string) */
    sg_frag (*to_float_string)(sg_scope *sc, sg_frag s);
    sg_frag (*to_int_string)(sg_scope *sc, sg_frag s);
    /* ASCII-only case mapping */
    sg_frag (*lower)(sg_scope *sc, sg_frag s, bool upper);
    /* p is a byte prefix of s / p occurs in s (both non-null strings or null) */
    sg_frag (*starts_with)(sg_scope *sc, sg_frag s, sg_frag p);
    sg_frag (*contains)(sg_scope *sc, sg_frag s, sg_frag p);
    /* zero-padded decimal of a non-negative int: width digits at least */
    sg_frag (*pad)(sg_scope *sc, sg_frag x, int width);
    /* least/greatest functions; whether they skip nulls (the contract wants null) */
    const char *fn_least, *fn_greatest;
    bool least_skips_null;
    /* Aggregate texts over a row value expression x (SQL text over the aggregated rows):
     * the exact int sum (null when it leaves int64), and the float sum (which may be inf or
     * NaN: callers apply `finite`), as described in docs/sql.md. They are complete scalar
     * expressions of aggregate functions. */
    const char *(*agg_sum_int)(sg_gen *g, const char *x);
    const char *(*agg_sum_float)(sg_gen *g, const char *x);
    /* the exact int sum as a double (for avg), and (x - m)^2 for variance (x, m doubles;
     * an overflow gives inf, which the float sum turns into null) */
    const char *(*agg_sum_int_float)(sg_gen *g, const char *x);
    const char *(*agg_sq_dev)(sg_gen *g, const char *x, const char *m);
    /* SQLite, PostgreSQL (NULL elsewhere): the float sum as parts that add up exactly in
     * any order, used by sum and avg in every shape; agg_sum_float stays for variance */
    void (*sum_float_parts)(sg_gen *g, const char *x, sg_sum_parts *out);
};

extern const sg_dialect sg_dialect_duckdb;
extern const sg_dialect sg_dialect_sqlite;
extern const sg_dialect sg_dialect_postgres;

/* The generator: owns the arena for fragments and the CTE list of the query. */
struct sg_gen {
    arena mem;
    const plan *p;
    const sg_dialect *d;
    strbuf ctes; /* "name AS (...)" items joined by ",\n" */
    int nctes;
    /* How sources arrive (sqlgen_options): order columns and time order per source (may
     * be NULL), and whether late and ahead events are kept. */
    const char *const *order_columns;
    const bool *time_ordered;
    bool keep_late;
    const char **source_cte; /* per source: its accepted events' CTE once built, else NULL */
    bool failed;
    char err[256];
};

void sg_gen_init(sg_gen *g, const plan *p, db_dialect d);
void sg_gen_free(sg_gen *g);
/* Records the first error (printf-style); later calls are ignored. */
void sg_fail(sg_gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds "name AS (body)" to the WITH list; name is quoted here. */
void sg_add_cte(sg_gen *g, const char *name, const char *body);

/* ---- text helpers (sqlgen_rel.c) ---- */

/* A quoted identifier, in the arena. */
const char *sg_ident(sg_gen *g, const char *name);
/* A table name quoted per dialect (schema dot kept where the dialect has schemas). */
const char *sg_table(sg_gen *g, const char *name);
/* printf into the arena. */
const char *sg_printf(sg_gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An atomic fragment of fixed text (a literal or a column name) at level. */
sg_frag sg_atom(const char *sql, int level);

/* Expands tpl, replacing $1..$9 by the n fragments in args. An argument that appears more
 * than once and is not atomic is first made a column (sg_hoist), so its text appears once.
 * The result is hoisted as well when its nesting grows too deep. */
sg_frag sg_tpl(sg_scope *sc, const char *tpl, int n, const sg_frag *args);
#define SG_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, N, ...) N
#define SG_NARGS(...) SG_NARGS_(__VA_ARGS__, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define SG_T(sc, tpl, ...) sg_tpl((sc), (tpl), SG_NARGS(__VA_ARGS__), (const sg_frag[]){__VA_ARGS__})

/* ---- layered relations (sqlgen_rel.c) ---- */

void sg_rel_init(sg_rel *r, sg_gen *g, const char *stem, const char *prefix);
/* The same, for a relation whose layer 0 is the existing relation `base`. */
void sg_rel_init_on(sg_rel *r, sg_gen *g, const char *stem, const char *prefix, const char *base);
/* Makes f a column of the relation (unless atomic) and returns a reference to it. */
sg_frag sg_hoist(sg_scope *sc, sg_frag f);
/* Adds f as a column with the given (internal, unquoted) name; returns its reference. */
sg_frag sg_rel_column(sg_rel *r, sg_frag f, const char *name);
/* The name of STEM_k (layer 0: the base relation when there is one). */
const char *sg_rel_layer_name(const sg_rel *r, int k);
/* Emits the layers as CTEs and returns the (unquoted) name of the last one. The caller
 * must have added STEM_0. */
const char *sg_rel_finish(sg_rel *r);

/* ---- literals and expressions (sqlgen_expr.c) ---- */

sg_frag sg_lit_int(sg_gen *g, int64_t v);
sg_frag sg_lit_float(sg_gen *g, double f);
/* A plan constant as a typed literal. */
sg_frag sg_lit(sg_gen *g, const plan_value *v);
/* A typed null of type t. */
sg_frag sg_null(sg_gen *g, ftype t);
/* The expression x in scope sc. */
sg_frag sg_expr(sg_scope *sc, const plan_expr *x);
/* Shared guarded helpers dialects build on. */
sg_frag sg_floor_div(sg_scope *sc, sg_frag a, int64_t b); /* b > 0 */
sg_frag sg_floor_mod(sg_scope *sc, sg_frag a, int64_t b); /* b > 0 */
/* The exact decimal text of a double constant, shortest round trip ("0.1", "1e+300"). */
const char *sg_float_text(sg_gen *g, double f);

/* The aggregate text of a split sum: combine with each $k replaced by fn[k](arg[k]). */
const char *sg_sum_parts_text(sg_gen *g, const sg_sum_parts *sp);

/* ---- sources and the arrival rules (sqlgen_source.c) ---- */

/* Takes the arrival options (order columns, time order, keep_late) of o (NULL: none)
 * into g. */
void sg_gen_arrival(sg_gen *g, const sqlgen_options *o);
/* The name of source field i in every source relation: "c<i>" (quoted). */
const char *sg_field_col(sg_gen *g, int i);
/* A leaf resolver for expressions over a source's own fields (expect rules). */
sg_frag sg_source_leaf(sg_scope *sc, const plan_expr *x);
/* Adds STEM_0: every field of src renamed c<i> (user names appear only here), and the
 * column extra_col as extra_as when extra_col is given. */
void sg_source_base(sg_gen *g, const plan_source *src, const char *stem, const char *extra_col, const char *extra_as);
/* The condition that keeps a row as the event reader would: the time and every `not null`
 * field present, no expect rule false. Over c<i> in scope sc. */
sg_frag sg_source_valid(sg_scope *sc, const plan_source *src);

/* The CTEs that decide source s's events, as built by sg_source_decide. */
typedef struct sg_decided {
    const char *valid;   /* every row of the table: fields c<i>, a_ok (valid as the reader
                          * would find it), a_ah (ahead) when `ahead` is set, and a_o (the
                          * place in arrival order) when there is an order column or rows
                          * are numbered */
    const char *decided; /* the valid rows that are not ahead (with --keep-late: all valid
                          * rows), with the columns the conditions below read */
    const char *ahead;   /* condition on `valid` rows: ahead; NULL when no event can be */
    const char *late;    /* condition on `decided` rows: late; NULL when none can be */
    const char *dup;     /* condition on `decided` rows: a duplicate; NULL without `unique` */
    const char *bound;   /* on `decided` rows: the watermark (NULL without `late`) */
} sg_decided;

/* Adds the CTEs deciding source s's events under the generator's options (see
 * sqlgen_arrival_applies). number_rows: a source without an order column gets a_o, its
 * row's 1-based place in the contract's order (for the reject listing; the query itself
 * orders by the fields). A row is accepted iff it is in `decided` and neither late nor
 * a duplicate; every other row of `valid` with a_ok is ahead. */
void sg_source_decide(sg_gen *g, int s, bool number_rows, sg_decided *out);

/* The CTE of source s's accepted events, columns c<i> (the fields, in order): built on
 * first use and shared by every view on s. */
const char *sg_source_cte(sg_gen *g, int s);

/* ---- views (sqlgen_view.c) ---- */

/* Adds the CTEs of view v's rows under name stem: columns e_k<i> (entity keys), e_ts,
 * e_sq (when the source has a seq field), and for each used feature f its input e_i<f>
 * and filter e_w<f> (a bool, true when the row counts). Rows are the source's accepted
 * events (sg_source_cte) passing the view's where. Returns stem. */
const char *sg_view_cte(sg_gen *g, const plan_view *v, const bool *used, const char *stem);

/* ---- the query (sqlgen_query.c, sqlgen_agg.c, sqlgen_fast.c, sqlgen_window.c) ---- */

/* The spine side of a query under construction: one relation with a row per spine row. */
typedef struct sg_query {
    sg_gen *g;
    const plan_service *svc;
    sg_rel rel;    /* "__s": spine columns, then aggregates, features, on_demand values */
    sg_scope sc;   /* expressions over it (on_demand blocks) */
    sg_frag row;   /* "_row" */
    sg_frag t;     /* the query time */
    sg_frag *keys; /* per service key */
    sg_frag *req;  /* per request field (keys resolve to keys[]) */
    const char **view_rel; /* per service view: the CTE of its rows */
    sg_frag **feat;        /* [service view][feature]: final value (after ttl, default) */
    sg_frag **od;          /* [block][feature] */
    bool **od_done;
    ptrvec bounds;         /* cached window bounds (struct sg_bound *) */
    struct sg_fast *fast;  /* the fast shape's window CTEs; NULL in the simple shape */
    struct sg_win *win;    /* the window shape's CTEs (SQLite, PostgreSQL); NULL otherwise */
} sg_query;

/* The lowest event time a window admits at the query time: t - D (sliding, ttl) or
 * floor((t - D) / H) * H (hop), saturating at the int64 minimum. */
sg_frag sg_window_low(sg_query *q, int64_t size_us, int64_t hop_us);
/* The same bound for time t in scope sc: each step becomes a column of sc's relation, or
 * stays inline text when sc has none. */
sg_frag sg_low_expr(sg_scope *sc, sg_frag t, int64_t size_us, int64_t hop_us);

/* A feature's value for every spine row as correlated subqueries (the simple shape);
 * includes ttl and default. */
sg_frag sg_feature_simple(sg_query *q, int sv, int f);
/* The fast shape (DuckDB): adds the window CTEs of every service view with a feature that
 * has a fast form, reading the views' CTEs and the spine table; sets q->fast. Must run
 * after the view CTEs and before the spine relation is built. */
void sg_fast_build(sg_query *q, const char *spine);
/* Appends the fast CTEs' columns to the spine base's select list and their joins (on the
 * spine alias s) to its FROM clause. */
void sg_fast_join(sg_query *q, strbuf *select, strbuf *from);
/* A feature's value from the fast CTEs, finished (ttl, default); NULL frag sql when the
 * feature has no fast form (or the query is in the simple shape). */
sg_frag sg_feature_fast(sg_query *q, int sv, int f);
/* The window shape (SQLite, PostgreSQL; sqlgen_window.c): adds the window CTEs of every
 * service view with a feature that has a window form, reading the views' CTEs and the
 * spine table; sets q->win. Must run after the view CTEs and before the spine relation. */
void sg_win_build(sg_query *q, const char *spine);
/* Appends the window CTEs' columns to the spine base's select list and their joins (on
 * the spine alias s) to its FROM clause. */
void sg_win_join(sg_query *q, strbuf *select, strbuf *from);
/* A feature's value from the window CTEs, finished (ttl, default); NULL frag sql when the
 * feature keeps the simple shape. */
sg_frag sg_feature_window(sg_query *q, int sv, int f);
/* The rank k = max(1, ceil(p * n)) of percentile p among n values (n: SQL text of an
 * int), as an int expression; p * n is one double multiplication, as in the runtime. */
const char *sg_pct_rank(sg_gen *g, const char *n, double p);
/* Applies ttl (chosen event time chosen_ts) and the default to value. */
sg_frag sg_feature_finish(sg_query *q, const plan_feature *ft, sg_frag value, sg_frag chosen_ts);

#endif
