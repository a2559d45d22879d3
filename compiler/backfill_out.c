/* backfill_out.c - where a backfill's result goes: a CSV file, or a Parquet file written from it. */
#include "backfill.h"

#include "parquet.h"

#include <stdio.h>
#include <stdlib.h>

int backfill_output(db_conn *c, const plan *p, const plan_service *svc, const char *query, const backfill_spine *sp,
                    const char *spine_path, const char *out)
{
    if (!parquet_path(out))
        return backfill_write(c, svc, query, sp, out);
    strbuf tmp = STRBUF_INIT;
    strbuf_appendf(&tmp, "%s.tmp.csv", out);
    int rc = backfill_write(c, svc, query, sp, strbuf_cstr(&tmp));
    if (rc == 0) {
        char err[1024];
        rc = parquet_write_result(p, svc, spine_path, strbuf_cstr(&tmp), out, err, sizeof err);
        if (rc != 0)
            fprintf(stderr, "featc backfill: %s\n", err);
    }
    remove(strbuf_cstr(&tmp));
    strbuf_free(&tmp);
    return rc;
}
