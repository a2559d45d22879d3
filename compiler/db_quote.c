/* db_quote.c - identifier and literal quoting, table-name checks and CREATE TABLE text per dialect. */
#include "db_backend.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated. */
enum { DB_PG_MAX_IDENT = 63 };

void db_quote_ident(db_dialect d, const char *name, strbuf *out)
{
    (void)d; /* all three dialects quote identifiers the SQL-standard way */
    strbuf_append_char(out, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            strbuf_append_char(out, '"');
        strbuf_append_char(out, *p);
    }
    strbuf_append_char(out, '"');
}

void db_quote_table(db_dialect d, const char *name, strbuf *out)
{
    if (d == DB_SQLITE) {
        db_quote_ident(d, name, out);
        return;
    }
    const char *p = name;
    for (;;) {
        size_t n = strcspn(p, ".");
        char *part = strndup(p, n);
        if (!part)
            abort();
        db_quote_ident(d, part, out);
        free(part);
        if (!p[n])
            break;
        strbuf_append_char(out, '.');
        p += n + 1;
    }
}

int db_quote_string(db_dialect d, const char *s, size_t n, strbuf *out)
{
    if ((n && memchr(s, '\0', n)) || !db_utf8_valid(s, n))
        return -1;
    strbuf_reserve(out, n + 4);
    if (d == DB_POSTGRES)
        strbuf_append_char(out, 'E'); /* escapes mean the same whatever standard_conforming_strings says */
    strbuf_append_char(out, '\'');
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\'')
            strbuf_append_char(out, '\'');
        else if (ch == '\\' && d == DB_POSTGRES)
            strbuf_append_char(out, '\\');
        strbuf_append_char(out, ch);
    }
    strbuf_append_char(out, '\'');
    return 0;
}

/* Checks one identifier: non-empty, and short enough for PostgreSQL. */
static int check_part(db_dialect d, const char *what, const char *whole, const char *part,
                      size_t n, char *err, size_t errlen)
{
    if (n == 0) {
        db_errf(err, errlen, "invalid %s name \"%s\": empty name or name part", what, whole);
        return -1;
    }
    if (d == DB_POSTGRES && n > DB_PG_MAX_IDENT) {
        db_errf(err, errlen,
                "%s name \"%s\" is too long for PostgreSQL: \"%.*s\" has %zu bytes, at most %d "
                "are kept",
                what, whole, (int)n, part, n, DB_PG_MAX_IDENT);
        return -1;
    }
    return 0;
}

int db_check_table_name(db_dialect d, const char *name, char *err, size_t errlen)
{
    if (!name) {
        db_errf(err, errlen, "missing table name");
        return -1;
    }
    if (d == DB_SQLITE)
        return check_part(d, "table", name, name, strlen(name), err, errlen);
    int parts = 0;
    const char *p = name;
    for (;;) {
        size_t n = strcspn(p, ".");
        if (check_part(d, "table", name, p, n, err, errlen))
            return -1;
        parts++;
        if (!p[n])
            break;
        p += n + 1;
    }
    if (parts > 2) {
        db_errf(err, errlen, "invalid table name \"%s\": expected TABLE or SCHEMA.TABLE", name);
        return -1;
    }
    return 0;
}

int db_check_column_name(db_dialect d, const char *name, char *err, size_t errlen)
{
    if (!name) {
        db_errf(err, errlen, "missing column name");
        return -1;
    }
    return check_part(d, "column", name, name, strlen(name), err, errlen);
}

const char *db_split_table(const char *name, char **schema)
{
    const char *dot = strchr(name, '.');
    if (!dot) {
        *schema = NULL;
        return name;
    }
    *schema = strndup(name, (size_t)(dot - name));
    if (!*schema)
        abort();
    return dot + 1;
}

const char *db_sql_type(db_dialect d, rt_type t)
{
    switch (d) {
    case DB_DUCKDB:
        switch (t) {
        case RT_BOOL: return "BOOLEAN";
        case RT_INT: return "BIGINT";
        case RT_FLOAT: return "DOUBLE";
        case RT_STRING: return "VARCHAR";
        case RT_TIMESTAMP: return "BIGINT";
        }
        break;
    case DB_SQLITE: /* STRICT tables accept only INTEGER, REAL, TEXT, BLOB and ANY */
        switch (t) {
        case RT_BOOL: return "INTEGER";
        case RT_INT: return "INTEGER";
        case RT_FLOAT: return "REAL";
        case RT_STRING: return "TEXT";
        case RT_TIMESTAMP: return "INTEGER";
        }
        break;
    case DB_POSTGRES:
        switch (t) {
        case RT_BOOL: return "boolean";
        case RT_INT: return "bigint";
        case RT_FLOAT: return "double precision";
        case RT_STRING: return "text";
        case RT_TIMESTAMP: return "bigint";
        }
        break;
    }
    assert(!"invalid dialect or type");
    return "?";
}

void db_create_table_sql(db_dialect d, const char *table, int ncols, const char *const *names,
                         const rt_type *types, strbuf *out)
{
    strbuf_append(out, "CREATE TABLE ");
    db_quote_table(d, table, out);
    strbuf_append(out, " (");
    for (int i = 0; i < ncols; i++) {
        if (i)
            strbuf_append(out, ", ");
        db_quote_ident(d, names[i], out);
        strbuf_append_char(out, ' ');
        strbuf_append(out, db_sql_type(d, types[i]));
    }
    strbuf_append_char(out, ')');
    if (d == DB_SQLITE)
        strbuf_append(out, " STRICT");
}
