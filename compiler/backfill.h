/* backfill.h - `featc backfill`: load events and a spine into a database, run the query, write CSV. */
#ifndef FEATC_BACKFILL_H
#define FEATC_BACKFILL_H

#include "db.h"
#include "plan.h"
#include "rt_reject.h"
#include "sql/sqlgen.h"

#include <stdint.h>

/* One --events SOURCE=PATH. */
typedef struct backfill_events {
    const char *source;
    const char *path;
} backfill_events;

typedef struct backfill_options {
    const char *spine;   /* spine CSV path */
    const char *out;     /* output CSV path */
    const char *db_url;  /* NULL: embedded DuckDB in memory */
    const char *rejects; /* reject log path, "-" for stderr */
    int nevents;
    const backfill_events *events;
    bool simple_shape;   /* force the simple query shape (tests compare the shapes) */
    bool keep_late;      /* keep late and ahead events (not what serving saw) */
} backfill_options;

/* Runs the backfill of service svc. Messages go to stderr. Returns EXIT_VALID, or
 * EXIT_INVALID for bad input (unknown source, unreadable file, missing table or column,
 * a spine without a required column, a database error). */
int backfill_run(const plan *p, const plan_service *svc, const backfill_options *o);

/* ---- internals of the backfill: backfill.c, backfill_load.c, backfill_arrival.c, backfill_spine.c ---- */

/* The column of a loaded table holding each event's line in its file: its arrival order. */
#define BACKFILL_LINE_COLUMN "_line"

/* An invalid event (bad syntax, type, `not null`, a false expect rule) and why. */
typedef struct backfill_invalid_event {
    uint64_t line;
    char *reason;
} backfill_invalid_event;

typedef struct backfill_invalid {
    backfill_invalid_event *items;
    size_t n, cap;
} backfill_invalid;

/* What loading an events file found. */
typedef struct backfill_loaded {
    uint64_t valid;          /* events loaded that pass every validity rule */
    bool in_time_order;      /* each event read is at or after every event read before it */
    backfill_invalid invalid; /* in line order */
} backfill_loaded;

/* Loads the events file of source (index into p->sources) into its table, through the
 * shared event reader, with the extra column BACKFILL_LINE_COLUMN. Invalid events (the
 * reader's, and the expect rules' found with a query after loading) are listed in out,
 * not logged. Returns 0, or -1 with a message on stderr (out is then empty). */
int backfill_load_events(db_conn *c, const plan *p, int source, const char *path, backfill_loaded *out);
void backfill_loaded_free(backfill_loaded *l);

/* An event the arrival rules refuse. */
typedef struct backfill_refusal {
    uint64_t line;      /* the line of its file, or its place in a table's arrival order */
    rt_reject_kind kind;  /* RT_REJECT_AHEAD, _LATE or _DUPLICATE */
    int64_t time;       /* its event time */
    int64_t bound;      /* ahead: the arrival time; late: the watermark */
    char *unique_text;  /* duplicate: the unique value as the reject log shows it */
} backfill_refusal;

typedef struct backfill_refusals {
    backfill_refusal *items;
    size_t n, cap;
} backfill_refusals;

/* Lists, in line order, the events of source that the arrival rules refuse under o (the
 * same decisions as the backfill query's); nothing when sqlgen_arrival_applies is false.
 * Returns 0, or -1 with a message on stderr (out is then empty). */
int backfill_arrival_list(db_conn *c, const plan *p, int source, const sqlgen_options *o,
                          backfill_refusals *out);
/* Writes r to the reject log with the runtime's reason text, as found at file:line. */
void backfill_refusal_log(rt_reject_log *log, const plan_source *src, const char *file, const backfill_refusal *r);
void backfill_refusals_free(backfill_refusals *l);

/* The spine as loaded: every row the shared spine reader accepted, in file order (row i of
 * the table is the i-th), with its fields as they are written back. */
typedef struct backfill_spine {
    uint64_t nrows;
    uint64_t bad;  /* rows the reader skipped and reported */
    char *header;  /* the header's names as written back */
    size_t header_len;
    char *text;    /* each row's fields as written back, back to back */
    size_t text_len;
    size_t *ends;  /* row i's text is [ends[i - 1] (0 for row 0), ends[i]) */
} backfill_spine;

/* Reads the spine CSV through the shared spine reader (rt_spine_reader.h) and loads each
 * row it accepts into table: _row (the row's index), ts, the keys and the request fields
 * that are not keys. The rows it skips are reported on stderr as PATH:LINE: skipped spine
 * row: REASON, exactly as `featc replay` reports them. Returns 0, or -1 with a message (a
 * header the reader refuses, an unreadable file, a database error). */
int backfill_load_spine(db_conn *c, const plan *p, const plan_service *svc, const char *path, const char *table,
                        backfill_spine *sp);

/* Runs query (columns: _row, then every output of svc) and writes out_path: the spine's
 * header and fields as loaded, then the outputs. Returns 0 or -1 with a message. */
int backfill_write(db_conn *c, const plan_service *svc, const char *query, const backfill_spine *sp,
                   const char *out_path);

void backfill_spine_free(backfill_spine *sp);

struct sqlgen_options;

/* Sources read from tables that already exist (loaded[s] false for every source s the
 * service reads) keep their timestamps in engine types or integers (backfill_tables.c).
 * Where a timestamp field is held in an engine timestamp column, the table is read through
 * a temporary view with that field as BIGINT epoch microseconds (db_timestamp_sql), and
 * *query (from sqlgen_query with so) is replaced by one reading the views. The tables have
 * been checked (db_check_table). Returns 0, or -1 with a message on stderr. */
int backfill_table_views(db_conn *c, const plan *p, const plan_service *svc, const bool *loaded,
                         const struct sqlgen_options *so, char **query);

/* A --spine or --out argument that names a table of the database: "table:NAME". */
#define BACKFILL_TABLE_ARG "table:"
/* NAME when arg is "table:NAME", else NULL (a file). */
const char *backfill_table_arg(const char *arg);

/* Makes table (the spine the query reads) from the spine table name in SQL, without the
 * rows leaving the database (backfill_spine_table.c): _row numbers the rows in the order of
 * ts, the keys and the request fields; ts and timestamp request fields are read as epoch
 * microseconds (db_timestamp_sql); every column of name is kept as featc_c0, featc_c1, ...
 * Rows with a null (or unreadable) ts or a null `not null` request field are reported on
 * stderr and left out. sp gets the counts only. Returns 0, or -1 with a message (no such
 * table, a needed column missing or of a type that cannot hold it). */
int backfill_spine_from_table(db_conn *c, const plan *p, const plan_service *svc, const char *name,
                              const char *table, backfill_spine *sp);
/* backfill_spine_from_table for "table:NAME", else backfill_load_spine. */
int backfill_spine_in(db_conn *c, const plan *p, const plan_service *svc, const char *spine, const char *table,
                      backfill_spine *sp);

/* Writes the result to out (backfill_out.c): a CSV file (backfill_write), a Parquet file (a
 * name ending in .parquet: typed columns, see parquet_write_result) or "table:NAME", a table
 * of the database replaced in one transaction (features as BIGINT, DOUBLE, text, BOOLEAN
 * and the engine's timestamp type; SQLite keeps epoch microseconds). The spine's columns
 * come first, as the spine had them. spine_path is the --spine argument, spine_table the
 * spine the query reads (for a table spine the result is joined to it in SQL). Returns 0
 * or -1 with a message on stderr. */
int backfill_output(db_conn *c, const plan *p, const plan_service *svc, const char *query, const backfill_spine *sp,
                    const char *spine_path, const char *spine_table, const char *out);

#endif
