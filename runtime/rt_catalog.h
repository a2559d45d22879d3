/* rt_catalog.h - the one list of aggregations: names, manifest words, input and result types; every table is made from
 * it. */
#ifndef FEATRT_CATALOG_H
#define FEATRT_CATALOG_H

#include "rt_types.h"

#include <stdbool.h>

/* Input type sets, as bit masks over rt_type (1 << RT_BOOL ...). RT_IN_NONE: takes no input
 * (count()). */
#define RT_IN_NONE     0u
#define RT_IN_NUM      ((1u << RT_INT) | (1u << RT_FLOAT))
#define RT_IN_ORDERED  ((1u << RT_INT) | (1u << RT_FLOAT) | (1u << RT_STRING) | (1u << RT_TIMESTAMP))
#define RT_IN_ANY      ((1u << RT_BOOL) | (1u << RT_INT) | (1u << RT_FLOAT) | (1u << RT_STRING) | (1u << RT_TIMESTAMP))
#define RT_IN_DISTINCT ((1u << RT_INT) | (1u << RT_STRING) | (1u << RT_BOOL))
#define RT_IN_RANKED   ((1u << RT_INT) | (1u << RT_FLOAT) | (1u << RT_TIMESTAMP))

/* How the result type follows from the input type. */
typedef enum rt_result_rule {
    RT_RES_INT,   /* always int */
    RT_RES_FLOAT, /* always float */
    RT_RES_SAME,  /* the input's type */
} rt_result_rule;

/* What an aggregation takes after its input: nothing, a fraction (a float literal in
 * [0, 1], percentile's p) or a count (an int literal in 1..RT_LIST_MAX). median is
 * percentile with p = 0.5 and takes nothing more. */
typedef enum rt_param {
    RT_PARAM_NONE,
    RT_PARAM_FRACTION,
    RT_PARAM_COUNT,
} rt_param;

/* The largest n of last_n and first_n. */
#define RT_LIST_MAX 1000

/* X(ID, NAME, WORD, INPUTS, RESULT, INPUTS_TEXT, PARAM): the enum suffix, the name in .feat
 * files, the manifest's word, the input types taken, the result rule, how diagnostics name
 * the inputs, and the literal parameter after the input. count() and count(x) share a name;
 * the checker picks by arity. To add an aggregation: a line here, its accumulator in the
 * runtime (rt_agg_acc.c) and its SQL (compiler/sql/sqlgen_agg.c and the window shapes). */
#define RT_CATALOG_AGGS(X)                                                                                             \
    X(COUNT_ROWS, "count", "count_rows", RT_IN_NONE, RT_RES_INT, "nothing", RT_PARAM_NONE)                             \
    X(COUNT, "count", "count", RT_IN_ANY, RT_RES_INT, "any value", RT_PARAM_NONE)                                      \
    X(SUM, "sum", "sum", RT_IN_NUM, RT_RES_SAME, "an int or a float", RT_PARAM_NONE)                                   \
    X(AVG, "avg", "avg", RT_IN_NUM, RT_RES_FLOAT, "an int or a float", RT_PARAM_NONE)                                  \
    X(MIN, "min", "min", RT_IN_ORDERED, RT_RES_SAME, "an int, float, string or timestamp", RT_PARAM_NONE)              \
    X(MAX, "max", "max", RT_IN_ORDERED, RT_RES_SAME, "an int, float, string or timestamp", RT_PARAM_NONE)              \
    X(FIRST, "first", "first", RT_IN_ANY, RT_RES_SAME, "any value", RT_PARAM_NONE)                                     \
    X(LAST, "last", "last", RT_IN_ANY, RT_RES_SAME, "any value", RT_PARAM_NONE)                                        \
    X(VARIANCE, "variance", "variance", RT_IN_NUM, RT_RES_FLOAT, "an int or a float", RT_PARAM_NONE)                   \
    X(STDDEV, "stddev", "stddev", RT_IN_NUM, RT_RES_FLOAT, "an int or a float", RT_PARAM_NONE)                         \
    X(COUNT_DISTINCT, "count_distinct", "count_distinct", RT_IN_DISTINCT, RT_RES_INT, "an int, string or bool",        \
      RT_PARAM_NONE)                                                                                                   \
    X(PERCENTILE, "percentile", "percentile", RT_IN_RANKED, RT_RES_SAME, "an int, float or timestamp",                 \
      RT_PARAM_FRACTION)                                                                                               \
    X(MEDIAN, "median", "median", RT_IN_RANKED, RT_RES_SAME, "an int, float or timestamp", RT_PARAM_NONE)

/* The runtime's aggregation ids (the compiler's plan_agg has the same order). */
typedef enum rt_agg {
#define RT_CATALOG_ENUM(id, name, word, in, res, text, param) RT_AGG_##id,
    RT_CATALOG_AGGS(RT_CATALOG_ENUM)
#undef RT_CATALOG_ENUM
} rt_agg;

/* The number of aggregations (outside the enum, so that switches over it stay exhaustive). */
#define RT_CATALOG_ONE(id, name, word, in, res, text, param) +1
enum { RT_AGG_COUNT_ = 0 RT_CATALOG_AGGS(RT_CATALOG_ONE) };
#undef RT_CATALOG_ONE

/* One catalogue entry. */
typedef struct rt_agg_info {
    const char *name; /* as written in .feat files */
    const char *word; /* in the manifest */
    unsigned inputs;  /* RT_IN_* mask; RT_IN_NONE for count() */
    rt_result_rule result;
    const char *inputs_text;
    rt_param param;
} rt_agg_info;

/* The entry of agg (agg must be valid). */
const rt_agg_info *rt_agg_info_of(rt_agg agg);

/* The result type of agg for input type in (ignored for count()), or false when agg does not
 * take in. The one rule both the checker and the runtime use. */
bool rt_agg_result(rt_agg agg, rt_type in, rt_type *out);

/* X(ID, NAME, MIN_ARGS, MAX_ARGS): the built-in functions of expressions (MAX_ARGS -1: any
 * number). Their type rules are the checker's (compiler/sema_expr.c), their runtime variants
 * are in rt_fn.h (listed for the JIT in rt_symbols.c, with whether each allocates), their SQL
 * in compiler/sql/sqlgen_expr.c. round's second argument is an int constant 0..15, geohash's
 * third an int constant 1..12. */
#define RT_CATALOG_FNS(X)                                                                                              \
    X(COALESCE, "coalesce", 1, -1)                                                                                     \
    X(LEAST, "least", 1, -1)                                                                                           \
    X(GREATEST, "greatest", 1, -1)                                                                                     \
    X(ABS, "abs", 1, 1)                                                                                                \
    X(FLOOR, "floor", 1, 1)                                                                                            \
    X(CEIL, "ceil", 1, 1)                                                                                              \
    X(ROUND, "round", 1, 2)                                                                                            \
    X(SQRT, "sqrt", 1, 1)                                                                                              \
    X(LN, "ln", 1, 1)                                                                                                  \
    X(EXP, "exp", 1, 1)                                                                                                \
    X(POW, "pow", 2, 2)                                                                                                \
    X(LOWER, "lower", 1, 1)                                                                                            \
    X(UPPER, "upper", 1, 1)                                                                                            \
    X(LENGTH, "length", 1, 1)                                                                                          \
    X(SUBSTR, "substr", 3, 3)                                                                                          \
    X(STARTS_WITH, "starts_with", 2, 2)                                                                                \
    X(CONTAINS, "contains", 2, 2)                                                                                      \
    X(TO_FLOAT, "to_float", 1, 1)                                                                                      \
    X(TO_INT, "to_int", 1, 1)                                                                                          \
    X(TO_STRING, "to_string", 1, 1)                                                                                    \
    X(SECONDS_BETWEEN, "seconds_between", 2, 2)                                                                        \
    X(HOUR_OF_DAY, "hour_of_day", 1, 1)                                                                                \
    X(DAY_OF_WEEK, "day_of_week", 1, 1)                                                                                \
    X(GEOHASH, "geohash", 3, 3)                                                                                        \
    X(HAVERSINE_KM, "haversine_km", 4, 4)

/* One function of the catalogue. */
typedef struct rt_fn_info {
    const char *name;
    int min_args, max_args;
} rt_fn_info;

#define RT_CATALOG_ONE_FN(id, name, lo, hi) +1
enum { RT_FN_COUNT_ = 0 RT_CATALOG_FNS(RT_CATALOG_ONE_FN) };
#undef RT_CATALOG_ONE_FN

/* The entry of function i (0 <= i < RT_FN_COUNT_, in the catalogue's order). */
const rt_fn_info *rt_fn_info_at(int i);

#endif
