/* db_timestamp.c - a table's own timestamp columns read as featc reads a timestamp: exact epoch microseconds, UTC. */
#include "db_backend.h"

#include <assert.h>

void db_timestamp_sql(db_dialect d, db_coltype have, const char *expr, strbuf *out)
{
    switch (have) {
    case DB_COL_TIMESTAMP:
        if (d == DB_DUCKDB) {
            /* exact for TIMESTAMP (naive, taken as UTC), WITH TIME ZONE (an instant: no
             * session zone involved), _S and _MS; NULL for infinity */
            strbuf_appendf(out, "epoch_us(%s)", expr);
        } else {
            assert(d == DB_POSTGRES);
            /* whole seconds and the microseconds within the minute, both exact in every
             * server version (EXTRACT was a double before PostgreSQL 14); the session is
             * in UTC, so date_trunc cuts a timestamptz at UTC seconds */
            strbuf_appendf(out,
                           "(CASE WHEN isfinite(%s) THEN "
                           "CAST(EXTRACT(EPOCH FROM date_trunc('second', %s)) AS bigint) * 1000000 + "
                           "CAST(EXTRACT(MICROSECONDS FROM %s) AS bigint) %% 1000000 END)",
                           expr, expr, expr);
        }
        return;
    case DB_COL_TIMESTAMP_NS:
        assert(d == DB_DUCKDB);
        /* a time between two microseconds has no exact featc value: left out like a null */
        strbuf_appendf(out, "(CASE WHEN epoch_ns(%s) %% 1000 = 0 THEN epoch_ns(%s) // 1000 END)", expr, expr);
        return;
    default:
        strbuf_append(out, expr);
        return;
    }
}

void db_timestamp_from_us_sql(db_dialect d, const char *expr, strbuf *out)
{
    switch (d) {
    case DB_DUCKDB: strbuf_appendf(out, "make_timestamp(%s)", expr); return;
    case DB_POSTGRES:
        /* whole days, then the microseconds left (below 2^37, so exact in the double that
         * interval arithmetic goes through); in the UTC session a day is 24 hours */
        strbuf_appendf(out,
                       "(TIMESTAMPTZ '1970-01-01 00:00:00+00' + make_interval(days => CAST(%s / 86400000000 AS integer))"
                       " + (%s %% 86400000000) * INTERVAL '1 microsecond')",
                       expr, expr);
        return;
    case DB_SQLITE: strbuf_appendf(out, "CAST(%s AS INTEGER)", expr); return;
    }
}
