/* backfill.h - `featc backfill`: load events and a spine into a database, run the query, write CSV. */
#ifndef FEATC_BACKFILL_H
#define FEATC_BACKFILL_H

#include "db.h"
#include "plan.h"
#include "rt_reject.h"

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
} backfill_options;

/* Runs the backfill of service svc. Messages go to stderr. Returns EXIT_VALID, or
 * EXIT_INVALID for bad input (unknown source, unreadable file, missing table or column,
 * a spine without a required column, a database error). */
int backfill_run(const plan *p, const plan_service *svc, const backfill_options *o);

/* ---- internals shared by backfill.c and backfill_spine.c ---- */

/* Loads the events file of source (index into p->sources) into its table, through the
 * shared event reader, with an extra "_line" column; rejects (the reader's and failed
 * expect rules, found with a query after loading) go to log in line order. Returns 0,
 * or -1 with a message on stderr. */
int backfill_load_events(db_conn *c, const plan *p, int source, const char *path, rt_reject_log *log,
                         uint64_t *loaded);

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

/* Writes the result to out (backfill_out.c): a CSV file through backfill_write, or a
 * Parquet file (a name ending in .parquet) with typed columns, written from that CSV.
 * spine_path is the spine read, whose columns' types a Parquet result keeps. Returns 0 or
 * -1 with a message on stderr. */
int backfill_output(db_conn *c, const plan *p, const plan_service *svc, const char *query, const backfill_spine *sp,
                    const char *spine_path, const char *out);

#endif
