/* db_backend.h - the function table each database back end fills in, and what they share. */
#ifndef FEATC_DB_BACKEND_H
#define FEATC_DB_BACKEND_H

#include "db.h"

#include <stdint.h>

/* A back end. The generic layer (db.c, db_load.c) validates arguments before calling in,
 * so back ends may assume non-NULL pointers, ncols >= 1 and checked names. */
typedef struct db_ops {
    void (*close)(db_conn *c); /* frees c */
    int (*exec)(db_conn *c, const char *sql, char *err, size_t errlen);
    int (*query)(db_conn *c, const char *sql, int ncols, const rt_type *types, db_row_fn cb,
                 void *ctx, char *err, size_t errlen);
    /* Creates the table (in a new transaction) and returns a loader whose first member is a
     * db_loader, or NULL with a message (nothing left open). */
    db_loader *(*load_begin)(db_conn *c, const char *table, int ncols, const char *const *names,
                             const rt_type *types, char *err, size_t errlen);
    /* Sends one row; on failure writes the reason to l->err and returns -1. */
    int (*load_row)(db_loader *l, const rt_slot *row);
    /* commit: finish and commit, else roll back. Frees l either way. */
    int (*load_finish)(db_loader *l, bool commit, char *err, size_t errlen);
} db_ops;

/* The part of every connection the generic layer sees; back ends embed it first. */
struct db_conn {
    const db_ops *ops;
    db_dialect dialect;
    char *label; /* malloc'd URL with the password hidden */
    bool loading; /* a loader is open: other calls would interleave with its transaction */
};

/* The part of every loader the generic layer sees; back ends embed it first. */
struct db_loader {
    db_conn *conn;
    char *table;        /* malloc'd, as given */
    int ncols;
    char **names;       /* malloc'd copies */
    rt_type *types;     /* malloc'd copy */
    int64_t rows;       /* rows accepted so far */
    bool failed;
    char err[1024];     /* the first error, when failed */
};

/* Back-end constructors: path/uri as taken from the URL, label for messages (copied). */
db_conn *db_duckdb_open(const char *path, const char *label, char *err, size_t errlen);
db_conn *db_sqlite_open(const char *path, const char *label, char *err, size_t errlen);
db_conn *db_postgres_open(const char *uri, const char *label, char *err, size_t errlen);

/* Fills the common fields of a loader (copies table, names, types). Aborts on OOM. */
void db_loader_init(db_loader *l, db_conn *c, const char *table, int ncols,
                    const char *const *names, const rt_type *types);
/* Frees what db_loader_init allocated (not l itself). */
void db_loader_release(db_loader *l);

/* printf into (err, errlen), safe for err == NULL / errlen == 0; trailing whitespace and
 * newlines inside database messages are folded so the message stays one line. */
void db_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* SQL type of an rt type in a dialect, for CREATE TABLE. */
const char *db_sql_type(db_dialect d, rt_type t);
/* Appends "CREATE TABLE <table> (<col> <type>, ...)" (+ " STRICT" for SQLite). */
void db_create_table_sql(db_dialect d, const char *table, int ncols, const char *const *names,
                         const rt_type *types, strbuf *out);
/* Checks a column name (one identifier; dots are part of the name): non-empty, and at most
 * 63 bytes for PostgreSQL. 0 if fine. */
int db_check_column_name(db_dialect d, const char *name, char *err, size_t errlen);
/* Splits "schema.table" at the first dot: *schema gets a malloc'd copy of the schema part
 * (NULL when unqualified), the return value points at the table part inside name. */
const char *db_split_table(const char *name, char **schema);

/* Whether s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF). Every database here would reject or mangle anything else. */
bool db_utf8_valid(const char *s, size_t n);
/* Exact conversion of a decimal integer text ("-123", "45.000") to int64: 0 on success,
 * -1 when it is not an integer or out of range. Used for NUMERIC / HUGEINT results. */
int db_parse_exact_int(const char *s, size_t n, int64_t *out);
/* Correctly rounded conversion of decimal text to double (strtod on a bounded copy). */
int db_parse_double(const char *s, size_t n, double *out);

#endif
