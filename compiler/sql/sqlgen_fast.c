/* sqlgen_fast.c - the fast shape for DuckDB: window functions over events and spine rows. */
#include "sqlgen_int.h"

/* The fast form of feature f of service view sv, or an empty fragment when it has none, in
 * which case the caller uses the simple shape. Not written yet: every feature falls back. */
sg_frag sg_feature_fast(sg_query *q, int sv, int f)
{
    (void)q;
    (void)sv;
    (void)f;
    sg_frag none = {0};
    return none;
}
