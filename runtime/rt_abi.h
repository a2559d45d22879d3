/* rt_abi.h - the functions generated code exports to libfeatrt, and how they are found. */
#ifndef FEATRT_ABI_H
#define FEATRT_ABI_H

#include "rt_types.h"

typedef struct rt_scratch rt_scratch; /* runtime/rt_scratch.h */

/* Checks a source's `expect` rules on a decoded record (one slot per source field).
 * Returns -1 when every rule is true or null, else the index of the first false rule. */
typedef int32_t (*rt_expect_fn)(const rt_slot *record);

/* Evaluates a view on one accepted event of its source. Returns 0 when the view's `where`
 * is not true or a key is null (the event does not reach the view). Otherwise writes the
 * entity key values to keys[nkeys] and one input per feature to inputs[nfeatures]: null
 * when the row does not contribute to that feature (its `where` is not true or its input
 * is null), else the input value (for count(): any non-null slot). Strings written may
 * point into the record or into scratch. Returns 1. */
typedef int32_t (*rt_row_fn)(rt_scratch *scratch, const rt_slot *record, rt_slot *keys, rt_slot *inputs);

/* Evaluates an on_demand block. request: the request source's fields (or NULL);
 * view_values[v]: the feature values of plan view v (NULL when not computed);
 * block_values[b]: the feature values of block b, for blocks computed before this one;
 * now: the query time (epoch microseconds). Writes out[nfeatures]. */
typedef void (*rt_od_fn)(rt_scratch *scratch, const rt_slot *request, const rt_slot *const *view_values,
                         const rt_slot *const *block_values, int64_t now, rt_slot *out);

/* Emitted by the code generator as the global `featc_fn_table`; arrays are indexed like
 * the plan's sources, views and on_demand blocks. expect[i] is NULL when source i has no
 * rules. */
typedef struct rt_fn_table {
    int32_t nsources;
    const rt_expect_fn *expect;
    int32_t nviews;
    const rt_row_fn *row;
    int32_t nblocks;
    const rt_od_fn *od;
} rt_fn_table;

#endif
