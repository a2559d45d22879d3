/* parquet_db.c - the private in-memory DuckDB that reads and writes Parquet, and the files a path or glob names. */
#include "parquet_int.h"

#include "db_duckdb.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool parquet_path(const char *path)
{
    size_t n = strlen(path);
    return n >= 8 && strcmp(path + n - 8, ".parquet") == 0;
}

bool pq_db_open(pq_db *d, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    duckdb_config cfg = NULL;
    if (duckdb_create_config(&cfg) == DuckDBError) {
        snprintf(err, errlen, "cannot start DuckDB to read Parquet: out of memory");
        return false;
    }
    /* the parquet extension is built in; nothing is fetched from the network */
    duckdb_set_config(cfg, "autoinstall_known_extensions", "false");
    duckdb_set_config(cfg, "autoload_known_extensions", "false");
    /* a scan hands rows out in file order: their arrival order */
    duckdb_set_config(cfg, "preserve_insertion_order", "true");
    char limit[32];
    if (db_duck_memory_limit(limit, sizeof limit))
        duckdb_set_config(cfg, "memory_limit", limit);
    char *msg = NULL;
    duckdb_state st = duckdb_open_ext(NULL, &d->db, cfg, &msg);
    duckdb_destroy_config(&cfg);
    if (st == DuckDBError) {
        snprintf(err, errlen, "cannot start DuckDB to read Parquet: %s", msg ? msg : "unknown error");
        if (msg)
            duckdb_free(msg);
        d->db = NULL;
        return false;
    }
    if (duckdb_connect(d->db, &d->con) == DuckDBError) {
        duckdb_close(&d->db);
        snprintf(err, errlen, "cannot connect to DuckDB to read Parquet");
        return false;
    }
    /* casts between TIMESTAMP and TIMESTAMP WITH TIME ZONE are then plain UTC */
    if (pq_db_exec(d, "SET TimeZone = 'UTC'", err, errlen) != 0) {
        pq_db_close(d);
        return false;
    }
    return true;
}

void pq_db_close(pq_db *d)
{
    if (d->con)
        duckdb_disconnect(&d->con);
    if (d->db)
        duckdb_close(&d->db);
    memset(d, 0, sizeof *d);
}

int pq_db_exec(pq_db *d, const char *sql, char *err, size_t errlen)
{
    duckdb_result res;
    int rc = 0;
    if (duckdb_query(d->con, sql, &res) == DuckDBError) {
        db_duck_errf(err, errlen, duckdb_result_error(&res));
        rc = -1;
    }
    duckdb_destroy_result(&res);
    return rc;
}

int pq_quote_path(const char *path, strbuf *out)
{
    return db_quote_string(DB_DUCKDB, path, strlen(path), out);
}

/* Whether path holds a glob character. */
static bool is_glob(const char *path)
{
    return strpbrk(path, "*?[") != NULL;
}

/* Checks that one named file can be opened for reading and is not a directory. */
static bool readable(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    bool dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    close(fd);
    if (dir)
        snprintf(err, errlen, "cannot read '%s': it is a directory", path);
    return !dir;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    return p;
}

int pq_expand(const char *path, char ***files, char *err, size_t errlen)
{
    *files = NULL;
    if (!is_glob(path)) {
        if (!readable(path, err, errlen))
            return -1;
        *files = malloc(sizeof **files);
        if (!*files)
            abort();
        (*files)[0] = xstrdup(path);
        return 1;
    }
    glob_t g;
    memset(&g, 0, sizeof g);
    int rc = glob(path, GLOB_ERR, NULL, &g);
    if (rc != 0 || g.gl_pathc == 0) {
        if (rc == GLOB_NOMATCH || rc == 0)
            snprintf(err, errlen, "no file matches '%s'", path);
        else
            snprintf(err, errlen, "cannot list the files matching '%s': %s", path,
                     rc == GLOB_NOSPACE ? "out of memory" : "a directory cannot be read");
        globfree(&g);
        return -1;
    }
    /* glob sorts by name (strcoll; featc never sets a locale, so byte order) */
    int n = (int)g.gl_pathc;
    *files = calloc((size_t)n, sizeof **files);
    if (!*files)
        abort();
    for (int i = 0; i < n; i++)
        (*files)[i] = xstrdup(g.gl_pathv[i]);
    globfree(&g);
    for (int i = 0; i < n; i++)
        if (!readable((*files)[i], err, errlen)) {
            pq_files_free(*files, n);
            *files = NULL;
            return -1;
        }
    return n;
}

void pq_files_free(char **files, int n)
{
    for (int i = 0; i < n; i++)
        free(files[i]);
    free(files);
}
