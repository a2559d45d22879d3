/* duckdb_sql.c - runs SQL in DuckDB for shell tests: writes Parquet files, reads them back with COPY ... TO '/dev/stdout'. */
#include <duckdb.h>
#include <stdio.h>
#include <string.h>

/* duckdb_sql [--db PATH] SQL...: runs each argument as statements, in order, in an in-memory
 * database (or the DuckDB file PATH). Exit 0, or 1 after printing the first error. */
int main(int argc, char **argv)
{
    const char *path = NULL;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--db") == 0) {
        path = argv[2];
        first = 3;
    }
    if (first >= argc) {
        fputs("usage: duckdb_sql [--db PATH] SQL...\n", stderr);
        return 2;
    }
    duckdb_database db;
    duckdb_connection con;
    if (duckdb_open(path, &db) == DuckDBError || duckdb_connect(db, &con) == DuckDBError) {
        fprintf(stderr, "duckdb_sql: cannot open %s\n", path ? path : "an in-memory database");
        return 1;
    }
    int rc = 0;
    for (int i = first; i < argc && rc == 0; i++) {
        duckdb_result res;
        if (duckdb_query(con, argv[i], &res) == DuckDBError) {
            fprintf(stderr, "duckdb_sql: %s\n", duckdb_result_error(&res));
            rc = 1;
        }
        duckdb_destroy_result(&res);
    }
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return rc;
}
