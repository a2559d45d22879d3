/* rt_agg.h - descriptors of a feature view's aggregations and windows, as the window state reads them. */
#ifndef FEATRT_AGG_H
#define FEATRT_AGG_H

#include "rt_catalog.h"
#include "rt_types.h"

/* Same order as plan_window_kind. */
typedef enum rt_window_kind { RT_WIN_LIFETIME, RT_WIN_SLIDING, RT_WIN_HOP } rt_window_kind;

/* One feature. size_us is D (sliding, hop), hop_us is H (hop only; D is a multiple of H);
 * ttl_us > 0 only on a lifetime first/last. dflt has type out_type (its string is copied
 * when the state is created). in_type is ignored for count(). */
typedef struct rt_feature_desc {
    rt_agg agg;
    rt_type in_type;
    rt_type out_type;
    rt_window_kind win;
    int64_t size_us;
    int64_t hop_us;
    int64_t ttl_us;
    double pct_p; /* percentile, median: the fraction p (median 0.5) */
    int list_n;   /* last_n, first_n: n */
    bool has_default;
    rt_slot dflt;
} rt_feature_desc;

/* A feature view: its entity key types, its features, whether events carry a seq field. */
typedef struct rt_view_desc {
    int nkeys;
    const rt_type *key_types;
    int nfeatures;
    const rt_feature_desc *features;
    bool has_seq;
} rt_view_desc;

/* "count", "sum", ... as written in a .feat file ("count" for both counts). */
const char *rt_agg_name(rt_agg agg);

#endif
