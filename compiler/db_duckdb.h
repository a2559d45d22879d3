/* db_duckdb.h - what the DuckDB back end's files share: the connection, messages, the loader. */
#ifndef FEATC_DB_DUCKDB_H
#define FEATC_DB_DUCKDB_H

#include "db_backend.h"

#include <duckdb.h>

/* A DuckDB connection: the generic part first, then the database and its one connection. */
typedef struct db_duck_conn {
    db_conn base;
    duckdb_database db;
    duckdb_connection con;
} db_duck_conn;

/* The DuckDB connection behind c (asserts that c is one). */
db_duck_conn *db_duck_of(db_conn *c);

/* Writes "DuckDB: <first line of msg>" to (err, errlen); msg NULL means "unknown error". */
void db_duck_errf(char *err, size_t errlen, const char *msg);

/* DuckDB sizes its buffer pool from physical memory; under an address-space limit
 * (ulimit -v) that pool would fail to allocate instead of spilling to disk. Returns the
 * memory_limit setting to use ("4GiB"-like, in buf) or NULL to keep DuckDB's default. */
const char *db_duck_memory_limit(char *buf, size_t len);

/* Runs statements that return nothing we need; 0, or -1 with the message. */
int db_duck_exec(db_conn *c, const char *sql, char *err, size_t errlen);

/* The loader (db_duckdb_load.c), as described by db_ops in db_backend.h. */
db_loader *db_duck_load_begin(db_conn *c, const char *table, int ncols, const char *const *names,
                              const rt_type *types, char *err, size_t errlen);
int db_duck_load_row(db_loader *l, const rt_slot *row);
int db_duck_load_finish(db_loader *l, bool commit, char *err, size_t errlen);

#endif
