/* parquet_int.h - what the Parquet files share: a private DuckDB, scans of a file or glob, exact value conversions. */
#ifndef FEATC_PARQUET_INT_H
#define FEATC_PARQUET_INT_H

#include "parquet.h"
#include "rt_types.h"
#include "strbuf.h"

#include <duckdb.h>

/* ---- a private in-memory DuckDB (parquet_db.c) ---- */

/* Parquet is read and written in an in-memory DuckDB of its own, whatever database the
 * backfill runs on: no extension is fetched, insertion order is kept (a file's row order is
 * its arrival order) and the session is in UTC. */
typedef struct pq_db {
    duckdb_database db;
    duckdb_connection con;
} pq_db;

/* Opens one; false with a message. */
bool pq_db_open(pq_db *d, char *err, size_t errlen);
void pq_db_close(pq_db *d);
/* Runs statements whose results are not needed; 0, or -1 with "DuckDB: first line". */
int pq_db_exec(pq_db *d, const char *sql, char *err, size_t errlen);
/* Appends path as a DuckDB string literal; -1 (nothing appended) when it cannot be one. */
int pq_quote_path(const char *path, strbuf *out);

/* The files a path names, sorted by name: the path itself, or every file a glob (a path
 * with *, ? or [) matches. Returns how many (at least 1) with *files malloc'd (free with
 * pq_files_free), or -1 with a message: no file matches, or the file cannot be opened. */
int pq_expand(const char *path, char ***files, char *err, size_t errlen);
void pq_files_free(char **files, int n);

/* ---- columns and values (parquet_value.c) ---- */

/* A column as DuckDB reads it from a Parquet file. */
typedef struct pq_column {
    char *name;
    duckdb_type id;     /* the logical type */
    duckdb_type store;  /* DECIMAL: the integer type that stores it; else id */
    int scale;          /* DECIMAL: digits after the point */
    char type_name[48]; /* for messages and casts: "BIGINT", "DECIMAL(10,2)", "TIMESTAMP WITH TIME ZONE" */
} pq_column;

/* Fills c from a logical type (name copied). */
void pq_column_init(pq_column *c, const char *name, duckdb_logical_type t);
void pq_columns_free(pq_column *cols, int n);

/* Whether values of column c can become values of featc type want; NULL when they can (a
 * value may still not fit: an integer out of range, a NaN, an infinite timestamp), else a
 * phrase saying why not (DATE: no time of day; an integer: no unit; ...). */
const char *pq_fits(const pq_column *c, rt_type want);

/* Whether the column is read as text (CAST AS VARCHAR): ENUM columns, and for text output
 * (spines) every type pq_text does not write itself. */
bool pq_read_as_text(const pq_column *c, bool for_text);

/* Converts value i of a vector (data, validity) of column c, which pq_fits allows for
 * want, into *out. Strings point into the vector. Returns true, or false with a phrase and
 * the value in why ("int out of range, got 18446744073709551615"). */
bool pq_value(const pq_column *c, const void *data, const uint64_t *valid, idx_t i, rt_type want, rt_slot *out,
              char *why, size_t whylen);

/* Room for pq_text of any non-string value. */
#define PQ_TEXT_BUF 64

/* Writes value i (not null, not a VARCHAR) as a CSV spine would hold it: ints and decimals
 * exactly, floats in their shortest form ("nan", "inf" for those), bools true/false,
 * timestamps as YYYY-MM-DDTHH:MM:SS.ffffffZ (epoch seconds outside years 0..9999, nine
 * fraction digits for nanoseconds, "infinity" and "-infinity"). Returns the length. */
size_t pq_text(const pq_column *c, const void *data, idx_t i, char *buf);

/* ---- scanning a file or glob (parquet_scan.c) ---- */

/* Chooses, for one file, the columns to read: appends a select list (SQL expressions
 * separated by commas, names quoted) to select, or returns false with a message naming
 * the file and column. */
typedef bool (*pq_select_fn)(void *ctx, const char *file, int ncols, const pq_column *cols, strbuf *select,
                             char *err, size_t errlen);

typedef struct pq_scan pq_scan;

/* Opens a scan of the files path names (pq_expand), which are read one after another, each
 * in its row order, the select list chosen per file by select. The first file is opened
 * here. Returns NULL with a message naming the file (not found, not Parquet, corrupt). */
pq_scan *pq_scan_open(const char *path, pq_select_fn select, void *ctx, char *err, size_t errlen);
/* Moves to the next row: 1, 0 after the last, -1 with a message naming the file. */
int pq_scan_next(pq_scan *s, char *err, size_t errlen);
/* The current row: its number over all files (from 1), the file it is in, and selected
 * column j's type, vector data and validity (index pq_scan_index). */
uint64_t pq_scan_row(const pq_scan *s);
const char *pq_scan_file(const pq_scan *s);
const pq_column *pq_scan_column(const pq_scan *s, int j);
const void *pq_scan_data(const pq_scan *s, int j);
const uint64_t *pq_scan_validity(const pq_scan *s, int j);
idx_t pq_scan_index(const pq_scan *s);
void pq_scan_close(pq_scan *s);

/* The columns of one Parquet file: how many, with *cols malloc'd (pq_columns_free), or -1
 * with a message naming the file. */
int pq_describe(pq_db *d, const char *file, pq_column **cols, char *err, size_t errlen);

/* Index of the column named name (exactly), or -1; *near gets a column whose name differs
 * only in case (or NULL), for a hint. */
int pq_find_column(const pq_column *cols, int n, const char *name, const char **near);

/* ---- the spine opener (parquet_spine.c) ---- */

/* Installs the Parquet spine opener into the runtime's spine reader. */
void parquet_install_spine(void);

#endif
