/* db.h - one interface to DuckDB, SQLite and PostgreSQL for loading tables and running queries. */
#ifndef FEATC_DB_H
#define FEATC_DB_H

#include "rt_types.h"
#include "strbuf.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum db_dialect { DB_DUCKDB, DB_SQLITE, DB_POSTGRES } db_dialect;

typedef struct db_conn db_conn;
typedef struct db_loader db_loader;

/* Every function that can fail takes (err, errlen): on failure it writes a one-line,
 * NUL-terminated message there (truncated to errlen; err may be NULL when errlen is 0).
 * Messages name the database by its URL with any password replaced by "***". */

/* Opens a database. url:
 *   NULL or ""                      an in-memory DuckDB database
 *   "duckdb:PATH"                   a DuckDB file (":memory:" for in-memory)
 *   "sqlite:PATH"                   a SQLite file (":memory:" for in-memory)
 *   "postgres://..." / "postgresql://..."  a PostgreSQL connection URI
 * ("duckdb://PATH" and "sqlite://PATH" are accepted too, so sqlite:///tmp/x.db is /tmp/x.db.)
 * PostgreSQL sessions are set to UTF-8, TimeZone UTC and round-trippable float output.
 * Returns NULL with a message on failure. The caller closes the connection. */
db_conn *db_open(const char *url, char *err, size_t errlen);
/* Closes the connection and frees it (NULL is fine). Any open loader must be ended first. */
void db_close(db_conn *c);
db_dialect db_conn_dialect(const db_conn *c);
/* The URL the connection was opened with, password hidden; used in messages. */
const char *db_conn_label(const db_conn *c);
/* "DuckDB", "SQLite" or "PostgreSQL". */
const char *db_dialect_name(db_dialect d);

/* Runs one or more statements that return no rows we need. Returns 0 on success. */
int db_exec(db_conn *c, const char *sql, char *err, size_t errlen);

/* Receives one result row: ncols slots typed as requested in db_query. Strings point into
 * the database's buffers and are valid only until the callback returns. Return 0 to go on,
 * anything else to stop the query. The callback must not use the same connection. */
typedef int (*db_row_fn)(void *ctx, const rt_slot *row);

/* Runs ONE statement and streams its rows to row_cb. The result must have exactly ncols
 * columns; each value is converted to col_types[i]:
 *   RT_INT, RT_TIMESTAMP  any integer type, or an exact integral DECIMAL/NUMERIC/HUGEINT that
 *                         fits in int64 (timestamps are stored as int64 epoch microseconds)
 *   RT_FLOAT              any float, integer or decimal type (correctly rounded to double)
 *   RT_BOOL               a boolean, or an integer 0 or 1 (SQLite has no boolean type)
 *   RT_STRING             a text type
 * A value that does not fit (a string for an int, a fraction for an int, 2 for a bool, an
 * integer past int64) is an error naming the column and row, never a silent change.
 * Returns 0 when every row was delivered, -1 on error, 1 when row_cb stopped the query
 * (err then says so; the callback keeps its own reason in ctx). */
int db_query(db_conn *c, const char *sql, int ncols, const rt_type *col_types, db_row_fn row_cb,
             void *ctx, char *err, size_t errlen);

/* Bulk loading. db_load_begin drops the table if it exists and creates it with one column
 * per name (types: bool BOOLEAN, int BIGINT, float DOUBLE, string VARCHAR/TEXT, timestamp
 * BIGINT epoch microseconds; SQLite tables are STRICT with INTEGER/REAL/TEXT). table may be
 * "schema.table" (DuckDB, PostgreSQL: the schema is created when missing; SQLite: the dotted
 * name is one table name). Everything happens in one transaction: the new table becomes
 * visible only when db_load_end commits. The connection must not be inside a transaction.
 * Rows go through the fastest path of each database: the DuckDB appender, one prepared
 * INSERT in SQLite, COPY FROM STDIN (binary) in PostgreSQL. */
db_loader *db_load_begin(db_conn *c, const char *table, int ncols, const char *const *col_names,
                         const rt_type *col_types, char *err, size_t errlen);
/* Adds one row of ncols slots (typed as at db_load_begin; the data is copied or sent before
 * returning). Strings must be valid UTF-8 without NUL bytes (PostgreSQL cannot store either,
 * and the engines' string functions disagree about them), checked here the same way for
 * every dialect. Returns 0, or -1 after which the load is failed:
 * further rows are ignored and db_load_end reports the first error. The database may take
 * rows in batches (DuckDB: a chunk at a time, on a second thread), so its own error can show
 * at a later row or only at db_load_end, naming the table and, where known, the rows. */
int db_load_row(db_loader *l, const rt_slot *values);
/* Commits the load and frees the loader. On any error (now or in an earlier db_load_row)
 * everything is rolled back, the message goes to err and it returns -1. */
int db_load_end(db_loader *l, char *err, size_t errlen);
/* Rolls the load back and frees the loader (NULL is fine). */
void db_load_abort(db_loader *l);

/* Quoting: the only way names and values are written into SQL text. */
/* Appends name as one quoted identifier: "a""b". */
void db_quote_ident(db_dialect d, const char *name, strbuf *out);
/* Appends a table name: DuckDB and PostgreSQL quote each dot-separated part ("raw"."tx");
 * SQLite, which has no schemas, quotes the whole name as one identifier ("raw.tx"). */
void db_quote_table(db_dialect d, const char *name, strbuf *out);
/* Appends n bytes of s as a string literal: 'it''s' (PostgreSQL: E'it''s' with backslashes
 * doubled, so the setting standard_conforming_strings cannot change its meaning).
 * Returns -1 and appends nothing when s contains a NUL byte (which no literal can carry) or
 * is not valid UTF-8. */
int db_quote_string(db_dialect d, const char *s, size_t n, strbuf *out);
/* Checks a table name for use with db_load_begin / db_table_columns: non-empty, no empty
 * dot-separated part, at most schema.table for DuckDB and PostgreSQL, each part at most
 * 63 bytes for PostgreSQL (which would silently truncate longer names). 0 if fine. */
int db_check_table_name(db_dialect d, const char *name, char *err, size_t errlen);

/* What a database column can hold, for checking a table before generating SQL for it. */
typedef enum db_coltype {
    DB_COL_OTHER, /* decimal, date, blob, ...: not usable directly */
    DB_COL_BOOL,
    DB_COL_INT,
    DB_COL_FLOAT,
    DB_COL_STRING,
    DB_COL_TIMESTAMP,    /* an engine timestamp of microseconds or coarser: DuckDB TIMESTAMP (also
                          * WITH TIME ZONE, _S, _MS), PostgreSQL timestamp and timestamptz */
    DB_COL_TIMESTAMP_NS, /* DuckDB TIMESTAMP_NS */
} db_coltype;

typedef struct db_column {
    char *name;      /* as stored in the catalog */
    char *type_name; /* as the database spells it: "BIGINT", "double precision", ... */
    db_coltype type;
} db_column;

typedef struct db_columns {
    int n;
    db_column *cols; /* malloc'd; free with db_columns_free */
} db_columns;

/* Lists the columns of table (or view) in declaration order. Returns 1 when the table
 * exists, 0 when it does not (err: table "raw.tx" not found in URL), -1 on other errors.
 * On 1, out owns memory the caller frees with db_columns_free; otherwise out is empty. */
int db_table_columns(db_conn *c, const char *table, db_columns *out, char *err, size_t errlen);
void db_columns_free(db_columns *cols);
/* Index of the column called name, by the dialect's rule for quoted names (PostgreSQL:
 * exact; DuckDB and SQLite: ASCII case-insensitive), or -1. */
int db_columns_find(const db_columns *cols, db_dialect d, const char *name);
/* Whether a column of this kind can be read as rt type want in dialect d
 * (an int column holds ints and timestamps; in SQLite also bools; an engine timestamp
 * column holds timestamps, read through db_timestamp_sql). */
bool db_coltype_fits(db_dialect d, db_coltype have, rt_type want);
/* Appends SQL reading expr, a column of kind have that holds a timestamp, as BIGINT epoch
 * microseconds, exactly: a timestamp without time zone is taken as UTC, one with a time
 * zone is converted to UTC (PostgreSQL: the session is in UTC); infinity is NULL, and so
 * is a TIMESTAMP_NS value between two microseconds. Any other column is read as it is. */
void db_timestamp_sql(db_dialect d, db_coltype have, const char *expr, strbuf *out);
/* The other way: appends SQL turning expr, BIGINT epoch microseconds, into the engine's
 * timestamp, exactly: DuckDB TIMESTAMP (UTC), PostgreSQL timestamptz; SQLite, which has
 * none, keeps the integer. */
void db_timestamp_from_us_sql(db_dialect d, const char *expr, strbuf *out);
/* Checks that table exists and has the n named columns, each able to hold types[i]
 * (types may be NULL to check names only). Returns 0, or -1 with a message such as
 *   table "raw.tx" not found in sqlite:x.db
 *   column "amount" missing from table "raw.tx" in sqlite:x.db
 *   column "amount" of table "raw.tx" is VARCHAR, which cannot hold a float
 * A timestamp fits an integer column (epoch microseconds) or an engine timestamp column. */
int db_check_table(db_conn *c, const char *table, int n, const char *const *names,
                   const rt_type *types, char *err, size_t errlen);

/* "bool", "int", "float", "string", "timestamp" (or "?" for an invalid value). */
const char *db_rt_type_name(rt_type t);

#endif
