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

/* The spine as loaded: which CSV lines became rows, in order (row i is line lines[i]). */
typedef struct backfill_spine {
    uint64_t nrows;
    uint64_t *lines;
    uint64_t bad;  /* rows reported and skipped */
} backfill_spine;

/* Reads the spine CSV and loads its typed columns (_row, ts, keys, request fields) into
 * table. Bad rows are reported as PATH:LINE: reason on stderr and skipped. Returns 0, or
 * -1 with a message (missing column, unreadable file, database error). */
int backfill_load_spine(db_conn *c, const plan *p, const plan_service *svc, const char *path, const char *table,
                        backfill_spine *sp);

/* Runs query (columns: _row, then every output of svc) and writes out_path: the spine's
 * header and fields as read, then the outputs. Returns 0 or -1 with a message. */
int backfill_write(db_conn *c, const plan_service *svc, const char *query, const char *spine_path,
                   const backfill_spine *sp, const char *out_path);

void backfill_spine_free(backfill_spine *sp);

#endif
