/* rt_catalog.c - the catalogue's table and the one rule for which inputs an aggregation takes. */
#include "rt_catalog.h"

#include <assert.h>

static const rt_agg_info AGGS[RT_AGG_COUNT_] = {
#define RT_CATALOG_ENTRY(id, name, word, in, res, text, param) [RT_AGG_##id] = {name, word, in, res, text, param},
    RT_CATALOG_AGGS(RT_CATALOG_ENTRY)
#undef RT_CATALOG_ENTRY
};

const rt_agg_info *rt_agg_info_of(rt_agg agg)
{
    assert((unsigned)agg < RT_AGG_COUNT_);
    return &AGGS[agg];
}

bool rt_agg_result(rt_agg agg, rt_type in, rt_type *out)
{
    const rt_agg_info *a = rt_agg_info_of(agg);
    if (a->inputs != RT_IN_NONE && !(in >= RT_BOOL && in <= RT_TIMESTAMP && (a->inputs & (1u << in))))
        return false;
    *out = a->result == RT_RES_INT ? RT_INT : a->result == RT_RES_FLOAT ? RT_FLOAT : in;
    return true;
}

static const rt_fn_info FNS[RT_FN_COUNT_] = {
#define RT_CATALOG_FN_ENTRY(id, name, lo, hi) {name, lo, hi},
    RT_CATALOG_FNS(RT_CATALOG_FN_ENTRY)
#undef RT_CATALOG_FN_ENTRY
};

const rt_fn_info *rt_fn_info_at(int i)
{
    assert(i >= 0 && i < RT_FN_COUNT_);
    return &FNS[i];
}
