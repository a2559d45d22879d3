/* db_postgres_signal.h - cancel the running PostgreSQL statement when featc is stopped by a signal. */
#ifndef FEATC_DB_POSTGRES_SIGNAL_H
#define FEATC_DB_POSTGRES_SIGNAL_H

#include <postgresql/libpq-fe.h>
#include <stdbool.h>

/* Without this, a featc stopped by Ctrl-C or `timeout` while PostgreSQL runs its query
 * leaves the server computing it (and holding its locks) until the server next writes to
 * the dead connection, which for a long window query can be many minutes. */
typedef struct db_pq_guard {
    PGcancel *cancel;
    bool active;
} db_pq_guard;

/* From here until db_pq_guard_end, SIGINT, SIGTERM and SIGHUP first cancel the statement
 * running on pg, then take their previous course. Not nested: an inner guard is inert. */
void db_pq_guard_begin(PGconn *pg, db_pq_guard *g);

/* Restores the previous handlers and frees the cancel handle. */
void db_pq_guard_end(db_pq_guard *g);

#endif
