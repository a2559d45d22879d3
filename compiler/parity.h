/* parity.h - `featc parity`: run both paths on the same inputs and compare their answers. */
#ifndef FEATC_PARITY_H
#define FEATC_PARITY_H

#include "arena.h"
#include "plan.h"
#include "rt_reject.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- CSV tables (spines and result files), parity_csv.c ---- */

/* One decoded field. s is NUL-terminated (quotes removed, "" unescaped) and may hold NULs
 * (then len counts them). A field is null when it is empty and was not quoted. */
typedef struct parity_cell {
    const char *s;
    size_t len;
    bool quoted;
} parity_cell;

typedef struct parity_row {
    parity_cell *cells; /* ncols of the table */
    uint64_t line;      /* 1-based line where the record begins */
} parity_row;

typedef struct parity_table {
    const char *path; /* for messages */
    int ncols;
    parity_cell *header;
    int nrows;
    parity_row *rows;
} parity_table;

static inline bool parity_cell_null(const parity_cell *c) { return c->len == 0 && !c->quoted; }

/* Parses CSV text (RFC 4180: a header record, then records of the same width; CRLF or LF;
 * blank lines skipped unless the table has one column) into t, allocating from mem. path
 * names the text in messages. Returns false with "PATH:LINE: problem" in err when the text
 * is not such a table. */
bool parity_csv_parse(arena *mem, const char *path, const char *data, size_t len, parity_table *t, char *err,
                      size_t errlen);
/* Reads a whole file into malloc'd memory (*len bytes, then a NUL). NULL with a message. */
char *parity_read_file(const char *path, size_t *len, char *err, size_t errlen);
/* Reads the file at path and parses it as parity_csv_parse does. */
bool parity_csv_read(arena *mem, const char *path, parity_table *t, char *err, size_t errlen);
/* Index of the header column named name, or -1. */
int parity_table_column(const parity_table *t, const char *name);

/* Byte ranges of the records of an event file: CSV records (quote-aware, the header is
 * record 0) or lines (JSON Lines). line is the 1-based line where each record begins. */
typedef struct parity_span {
    size_t begin, end; /* end includes the line break */
    uint64_t line;
} parity_span;
/* Splits data into records; csv selects quote-aware splitting. Returns the count and sets
 * *out (from mem). An unterminated quote runs to the end of the data as one record. */
int parity_split_records(arena *mem, const char *data, size_t len, bool csv, parity_span **out);

/* ---- comparing two result files, parity_compare.c ---- */

/* Floats agree when equal, within 1e-12 absolutely, or within 1e-9 of the larger magnitude. */
bool parity_floats_close(double a, double b);
/* Whether two cells of a column of type t agree: both null; or both non-null and, for a
 * float, both read as finite doubles that are close; for every other type, byte-equal. */
bool parity_cells_agree(ftype t, const parity_cell *a, const parity_cell *b);
/* Whether a non-null cell is written as LANGUAGE.md §8 says a value of type t is. */
bool parity_cell_well_formed(ftype t, const parity_cell *c);

/* What to compare: the result columns (view__feature, typed from the plan), and which spine
 * columns identify a row in messages (the service's keys, then ts). */
typedef struct parity_spec {
    int noutputs;
    const char **columns;
    ftype *types;
    int nids;
    const char **ids;
} parity_spec;

/* The spec of service s of plan p (strings borrowed from the plan). */
void parity_spec_from_plan(arena *mem, const plan *p, const plan_service *s, parity_spec *spec);

typedef struct parity_feature_stats {
    uint64_t compared;
    uint64_t mismatches;
    uint64_t malformed[2]; /* values not in the §8 form, per path (0 replay, 1 backfill) */
} parity_feature_stats;

/* One mismatching cell kept as an example. */
typedef struct parity_example {
    int feature;   /* index into spec */
    int spine_row; /* index into the spine's rows */
    const parity_cell *value[2];
} parity_example;

typedef struct parity_result {
    bool header_ok[2];       /* each result's header is the spine's then the outputs */
    const char *header_problem[2];
    uint64_t rows_answered[2]; /* spine rows each path answered */
    uint64_t rows_both;        /* spine rows both answered (compared) */
    uint64_t unmatched[2];     /* result rows that match no spine row in order */
    int nmissing[2];           /* spine rows a path left out that the other answered ... */
    int *missing[2];           /* ... the first few of them (spine row indices) */
    parity_feature_stats *features; /* spec->noutputs */
    int nexamples;
    parity_example *examples;
    uint64_t mismatches;      /* over all features */
} parity_result;

/* Compares the results of the two paths (res[0] replay, res[1] backfill) for spine, keeping
 * up to max_examples mismatching cells. Each result row is matched, in order, to the next
 * spine row with the same spine-column values; spine rows a path skipped are reported, not
 * compared. Everything is allocated from mem. */
void parity_compare(arena *mem, const parity_spec *spec, const parity_table *spine, const parity_table *res[2],
                    int max_examples, parity_result *out);
/* True when nothing differs: both headers right, the same rows answered, no unmatched
 * rows, no mismatches and no malformed values. */
bool parity_result_ok(const parity_result *r, const parity_spec *spec);
/* Prints the per-feature table, the row accounting and the examples. */
void parity_print_result(const parity_result *r, const parity_spec *spec, const parity_table *spine, FILE *out);

/* ---- reject logs, parity_rejects.c ---- */

/* One line of a reject log: "FILE:LINE: source 'SOURCE': REASON"; its kind is ahead, late
 * or duplicate when REASON starts with "ahead:", "late:" or "duplicate:", else invalid.
 * file is NULL and line 0 when the log line has no location. */
typedef struct parity_reject {
    const char *source;
    const char *file;
    uint64_t line;
    rt_reject_kind kind;
    const char *reason;
} parity_reject;

typedef struct parity_rejects {
    int n;
    parity_reject *items; /* sorted by source, then line */
    int nother;           /* log lines that are not reject lines */
} parity_rejects;

/* Parses a reject log's text. Never fails: lines that do not fit are counted in nother. */
void parity_rejects_parse(arena *mem, const char *data, size_t len, parity_rejects *out);
/* Reads and parses the log at path; a missing file is an empty log. False with a message
 * when the file exists but cannot be read. */
bool parity_rejects_read(arena *mem, const char *path, parity_rejects *out, char *err, size_t errlen);
/* Counts of source in a log, per kind (indexed by rt_reject_kind). */
void parity_rejects_count(const parity_rejects *r, const char *source, uint64_t counts[RT_REJECT_NKINDS]);

/* An event that the two paths treated differently; a NULL side accepted it. */
typedef struct parity_reject_diff {
    const char *source;
    uint64_t line;
    const parity_reject *side[2];
} parity_reject_diff;

/* The events (by source and line) that are rejected by one log and not the other, or
 * rejected for different kinds of reason. Returns the count; *out from mem, sorted. */
int parity_rejects_diff(arena *mem, const parity_rejects *a, const parity_rejects *b, parity_reject_diff **out);

/* ---- event files and child processes, parity_run.c ---- */

/* Writes in_path to out_path without the records that begin on the given lines (sorted
 * ascending; the header of a CSV file, line 1... is never dropped unless listed). csv as in
 * parity_split_records. A Parquet file (or glob) is written as one Parquet file without the
 * rows of those numbers (parquet_copy_without). */
bool parity_filter_events(const char *in_path, const char *out_path, bool csv, const uint64_t *drop, int ndrop,
                          char *err, size_t errlen);
/* Whether an event path is read as CSV (its name ends in .csv). */
bool parity_path_is_csv(const char *path);

/* Starts exe with argv (NULL-terminated), its stdout and stderr going to the given files.
 * Returns the pid, or -1 with a message. */
pid_t parity_spawn(const char *exe, char *const argv[], const char *out_path, const char *err_path, char *err,
                   size_t errlen);
/* Waits for pid, killing it after timeout_s seconds (0: no limit). Returns its exit code,
 * 128+signal when it was killed by a signal, or -1 when waiting failed. */
int parity_wait(pid_t pid, double timeout_s);

/* Removes a directory tree (best effort). */
void parity_remove_tree(const char *dir);

#endif
