/* sqlgen.h - the SQL back end: one point-in-time backfill query per service and dialect. */
#ifndef FEATC_SQLGEN_H
#define FEATC_SQLGEN_H

#include "db.h"
#include "plan.h"

#include <stdbool.h>
#include <stddef.h>

/* Which query shape to generate. SIMPLE is a correlated subquery per feature: obviously
 * right, the same in every dialect, and the reference a fast shape is tested against.
 * FAST computes features with window functions (DuckDB: per-row ROWS frames found by a
 * probe pass; SQLite and PostgreSQL: constant RANGE frames and hop tiles); a feature
 * without such a form keeps SIMPLE. AUTO is FAST. */
typedef enum sqlgen_shape { SQLGEN_AUTO, SQLGEN_SIMPLE, SQLGEN_FAST } sqlgen_shape;

typedef struct sqlgen_options {
    db_dialect dialect;
    sqlgen_shape shape;
    /* true: the result starts with every spine column (s.*), as `featc sql` prints it;
     * false: it starts with the spine's "_row" only (backfill re-reads the spine file). */
    bool spine_columns;
    /* The spine table; NULL means "spine". */
    const char *spine_table;
    /* Per source, indexed like plan.sources (the array or an entry may be NULL): the int
     * column holding each row's place in its source's arrival order, such as the line of
     * the file it was loaded from. A source without one arrives in the contract's order for
     * tables: by its `arrival` field, time, `seq`, then every other field, nulls lowest. */
    const char *const *order_columns;
    /* Per source, like order_columns (may be NULL): true when the source's rows are known
     * to arrive in time order (each at or after every row before it), as a loader can tell
     * while reading a file; then no row is late and the watermark is not computed. */
    const bool *time_ordered;
    /* Keep late and ahead events (duplicates are still dropped): not what serving saw. */
    bool keep_late;
} sqlgen_options;

/* The spine table's fixed columns besides keys and request fields. */
#define SQLGEN_ROW_COLUMN "_row"
#define SQLGEN_TIME_COLUMN "ts"

/* Generates one query for service svc of plan p. Its tables: every source a view of svc
 * reads (by its sql_table name, every field a column, timestamps as BIGINT microseconds)
 * and the spine table, whose columns are the service's key columns, "ts", the request
 * source's fields that are not keys, "_row" (spine order) and anything else. The result
 * has the spine columns (or "_row") and then one column per service output, in order,
 * ordered by "_row". Returns malloc'd SQL, or NULL with a one-line message in err (for
 * input no dialect can express, e.g. a NUL byte in a string literal). */
char *sqlgen_query(const plan *p, const plan_service *svc, const sqlgen_options *o, char *err, size_t errlen);

/* Generates a query listing the rows of source `source` (a table holding its fields plus
 * an int column line_column) that the event reader would reject: a null `time` field or
 * `not null` field, or a false `expect` rule. Two int columns: the line, and the reason:
 * k >= 0 when expect rule k is the first false one, -(f + 1) when field f is null.
 * Ordered by line. Returns malloc'd SQL or NULL with a message in err. */
char *sqlgen_reject_query(const plan *p, int source, db_dialect d, const char *line_column, char *err,
                          size_t errlen);

/* Whether the arrival rules can refuse an event of source `source` under o: one with an
 * order column or an `arrival` field can have late events unless it is time_ordered (a
 * table in the contract's order without an `arrival` field is in time order too); one
 * with an `arrival` field ahead events (unless max_ahead is none); one with a `unique`
 * field duplicates. o->keep_late leaves duplicates only. */
bool sqlgen_arrival_applies(const plan *p, int source, const sqlgen_options *o);

/* The columns of sqlgen_arrival_query, in order. */
enum { SQLGEN_ARRIVAL_LINE, SQLGEN_ARRIVAL_KIND, SQLGEN_ARRIVAL_TIME, SQLGEN_ARRIVAL_BOUND, SQLGEN_ARRIVAL_UNIQUE };

/* Generates a query listing the valid events of source `source` that the arrival rules
 * refuse, exactly as sqlgen_query decides them with the same options. Columns: the line
 * (o's order column of the source; without one, the row's 1-based place in the contract's
 * order, counting every row of the table), the reason (an rt_reject_kind: ahead, late or
 * duplicate), the event time, the bound it broke (ahead: the arrival time; late: the
 * watermark; duplicate: null) and, when the source has a `unique` field, its value.
 * Ordered by line. Returns malloc'd SQL or NULL with a message in err. */
char *sqlgen_arrival_query(const plan *p, int source, const sqlgen_options *o, char *err, size_t errlen);

#endif
