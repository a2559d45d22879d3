/* db.c - opening a database by URL and dispatching calls to its back end. */
#include "db_backend.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

void db_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* Database messages often end in (or contain) newlines and tabs: keep one line, with
     * each run of white space folded into one blank. */
    size_t w = 0;
    bool blank = false;
    for (size_t r = 0; err[r]; r++) {
        char ch = err[r];
        if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
            blank = true;
            continue;
        }
        if (blank && w > 0)
            err[w++] = ' ';
        blank = false;
        err[w++] = ch;
    }
    err[w] = '\0';
}

const char *db_dialect_name(db_dialect d)
{
    switch (d) {
    case DB_DUCKDB: return "DuckDB";
    case DB_SQLITE: return "SQLite";
    case DB_POSTGRES: return "PostgreSQL";
    }
    return "?";
}

const char *db_rt_type_name(rt_type t)
{
    switch (t) {
    case RT_BOOL: return "bool";
    case RT_INT: return "int";
    case RT_FLOAT: return "float";
    case RT_STRING: return "string";
    case RT_TIMESTAMP: return "timestamp";
    }
    return "?";
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Appends "***" for a value starting at p and returns where the value ends: at a
 * separator of URI queries (& #) or of keyword lists (whitespace), or at a closing quote
 * when the value is quoted ('...'). */
static const char *mask_value(strbuf *b, const char *p)
{
    strbuf_append(b, "***");
    if (*p == '\'') {
        for (p++; *p && *p != '\''; p++)
            if (*p == '\\' && p[1])
                p++;
        return *p ? p + 1 : p;
    }
    return p + strcspn(p, "&# \t\r\n");
}

/* Returns a malloc'd copy of url safe to print: the password of a scheme://user:password@
 * authority (everything from the first ':' after the user to the last '@' of the whole
 * text, so that an unescaped '@' or '/' in a password cannot leak a part of it) and every
 * password=... value (URI query or keyword form, any case, spaces around '=') replaced by
 * "***". */
static char *db_redact_url(const char *url)
{
    strbuf b = STRBUF_INIT;
    const char *p = url;
    const char *auth = strstr(url, "://");
    if (auth) {
        auth += 3;
        const char *at = strrchr(auth, '@');
        size_t user = strcspn(auth, ":@");
        if (at && auth + user < at) {
            strbuf_append_n(&b, url, (size_t)(auth + user + 1 - url));
            strbuf_append(&b, "***");
            p = at;
        }
    }
    while (*p) {
        if (strncasecmp(p, "password", 8) == 0 && (p == url || !isalnum((unsigned char)p[-1]))) {
            const char *q = p + 8;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '=') {
                q++;
                while (*q == ' ' || *q == '\t')
                    q++;
                strbuf_append_n(&b, p, (size_t)(q - p));
                p = mask_value(&b, q);
                continue;
            }
        }
        strbuf_append_char(&b, *p++);
    }
    return strbuf_detach(&b);
}

/* The path of a "duckdb:PATH" / "sqlite:PATH" URL ("//" after the colon is dropped). */
static const char *url_path(const char *url, size_t prefix_len)
{
    const char *path = url + prefix_len;
    if (path[0] == '/' && path[1] == '/')
        path += 2;
    return path;
}

db_conn *db_open(const char *url, char *err, size_t errlen)
{
    if (!url || !*url)
        return db_duckdb_open(NULL, "duckdb::memory:", err, errlen);
    char *label = db_redact_url(url);
    db_conn *c = NULL;
    if (starts_with(url, "duckdb:") || starts_with(url, "sqlite:")) {
        bool duck = url[0] == 'd';
        const char *path = url_path(url, 7);
        if (!*path)
            db_errf(err, errlen,
                    "database URL \"%s\" has no file path (use %s:PATH, or %s::memory: for a "
                    "database in memory)",
                    label, duck ? "duckdb" : "sqlite", duck ? "duckdb" : "sqlite");
        else if (duck)
            c = db_duckdb_open(path, label, err, errlen);
        else
            c = db_sqlite_open(path, label, err, errlen);
    } else if (starts_with(url, "postgres://") || starts_with(url, "postgresql://")) {
        c = db_postgres_open(url, label, err, errlen);
    } else {
        db_errf(err, errlen,
                "unsupported database URL \"%s\": expected duckdb:PATH, sqlite:PATH or a "
                "postgresql:// URI",
                label);
    }
    free(label);
    return c;
}

void db_close(db_conn *c)
{
    if (!c)
        return;
    assert(!c->loading && "db_close with a load in progress");
    c->ops->close(c);
}

db_dialect db_conn_dialect(const db_conn *c) { return c->dialect; }

const char *db_conn_label(const db_conn *c) { return c->label; }

/* Refuses work on a connection whose loader is still open. */
static int check_idle(const db_conn *c, char *err, size_t errlen)
{
    if (c->loading) {
        db_errf(err, errlen, "%s: a table load is in progress on this connection", c->label);
        return -1;
    }
    return 0;
}

int db_exec(db_conn *c, const char *sql, char *err, size_t errlen)
{
    assert(c && sql);
    if (check_idle(c, err, errlen))
        return -1;
    return c->ops->exec(c, sql, err, errlen);
}

static bool valid_rt_type(rt_type t)
{
    return t == RT_BOOL || t == RT_INT || t == RT_FLOAT || t == RT_STRING || t == RT_TIMESTAMP;
}

int db_query(db_conn *c, const char *sql, int ncols, const rt_type *col_types, db_row_fn row_cb,
             void *ctx, char *err, size_t errlen)
{
    assert(c && sql && row_cb);
    if (check_idle(c, err, errlen))
        return -1;
    if (ncols < 1 || !col_types) {
        db_errf(err, errlen, "db_query needs at least one result column");
        return -1;
    }
    for (int i = 0; i < ncols; i++)
        if (!valid_rt_type(col_types[i])) {
            db_errf(err, errlen, "db_query: result column %d has invalid type code %d", i + 1,
                    (int)col_types[i]);
            return -1;
        }
    return c->ops->query(c, sql, ncols, col_types, row_cb, ctx, err, errlen);
}
