/* rt_catalog.h - the one list of aggregations: names, manifest words, input and result types; every table is made from it. */
#ifndef FEATRT_CATALOG_H
#define FEATRT_CATALOG_H

#include "rt_types.h"

#include <stdbool.h>

/* Input type sets, as bit masks over rt_type (1 << RT_BOOL ...). RT_IN_NONE: takes no input
 * (count()). */
#define RT_IN_NONE 0u
#define RT_IN_NUM ((1u << RT_INT) | (1u << RT_FLOAT))
#define RT_IN_ORDERED ((1u << RT_INT) | (1u << RT_FLOAT) | (1u << RT_STRING) | (1u << RT_TIMESTAMP))
#define RT_IN_ANY ((1u << RT_BOOL) | (1u << RT_INT) | (1u << RT_FLOAT) | (1u << RT_STRING) | (1u << RT_TIMESTAMP))
#define RT_IN_DISTINCT ((1u << RT_INT) | (1u << RT_STRING) | (1u << RT_BOOL))

/* How the result type follows from the input type. */
typedef enum rt_result_rule {
    RT_RES_INT,   /* always int */
    RT_RES_FLOAT, /* always float */
    RT_RES_SAME,  /* the input's type */
} rt_result_rule;

/* X(ID, NAME, WORD, INPUTS, RESULT, INPUTS_TEXT): the enum suffix, the name in .feat files,
 * the manifest's word, the input types taken, the result rule, and how diagnostics name the
 * inputs. count() and count(x) share a name; the checker picks by arity. To add an
 * aggregation: a line here, its accumulator in the runtime (rt_agg_acc.c) and its SQL
 * (compiler/sql/sqlgen_agg.c and the window shapes). */
#define RT_CATALOG_AGGS(X)                                                                                \
    X(COUNT_ROWS, "count", "count_rows", RT_IN_NONE, RT_RES_INT, "nothing")                               \
    X(COUNT, "count", "count", RT_IN_ANY, RT_RES_INT, "any value")                                        \
    X(SUM, "sum", "sum", RT_IN_NUM, RT_RES_SAME, "an int or a float")                                     \
    X(AVG, "avg", "avg", RT_IN_NUM, RT_RES_FLOAT, "an int or a float")                                    \
    X(MIN, "min", "min", RT_IN_ORDERED, RT_RES_SAME, "an int, float, string or timestamp")                \
    X(MAX, "max", "max", RT_IN_ORDERED, RT_RES_SAME, "an int, float, string or timestamp")                \
    X(FIRST, "first", "first", RT_IN_ANY, RT_RES_SAME, "any value")                                       \
    X(LAST, "last", "last", RT_IN_ANY, RT_RES_SAME, "any value")                                          \
    X(VARIANCE, "variance", "variance", RT_IN_NUM, RT_RES_FLOAT, "an int or a float")                     \
    X(STDDEV, "stddev", "stddev", RT_IN_NUM, RT_RES_FLOAT, "an int or a float")                           \
    X(COUNT_DISTINCT, "count_distinct", "count_distinct", RT_IN_DISTINCT, RT_RES_INT, "an int, string or bool")

/* The runtime's aggregation ids (the compiler's plan_agg has the same order). */
typedef enum rt_agg {
#define RT_CATALOG_ENUM(id, name, word, in, res, text) RT_AGG_##id,
    RT_CATALOG_AGGS(RT_CATALOG_ENUM)
#undef RT_CATALOG_ENUM
} rt_agg;

/* The number of aggregations (outside the enum, so that switches over it stay exhaustive). */
#define RT_CATALOG_ONE(id, name, word, in, res, text) +1
enum { RT_AGG_COUNT_ = 0 RT_CATALOG_AGGS(RT_CATALOG_ONE) };
#undef RT_CATALOG_ONE

/* One catalogue entry. */
typedef struct rt_agg_info {
    const char *name;   /* as written in .feat files */
    const char *word;   /* in the manifest */
    unsigned inputs;    /* RT_IN_* mask; RT_IN_NONE for count() */
    rt_result_rule result;
    const char *inputs_text;
} rt_agg_info;

/* The entry of agg (agg must be valid). */
const rt_agg_info *rt_agg_info_of(rt_agg agg);

/* The result type of agg for input type in (ignored for count()), or false when agg does not
 * take in. The one rule both the checker and the runtime use. */
bool rt_agg_result(rt_agg agg, rt_type in, rt_type *out);

#endif
