/* db_catalog.c - looking up a table's columns in each database's catalog, for clear errors. */
#include "db_backend.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Collects (name, type) rows of a catalog query. */
typedef struct col_collect {
    db_columns *out;
    int cap;
} col_collect;

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        abort();
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static int collect_row(void *ctx, const rt_slot *row)
{
    col_collect *cc = ctx;
    db_columns *out = cc->out;
    if (out->n == cc->cap) {
        cc->cap = cc->cap ? cc->cap * 2 : 16;
        db_column *p = realloc(out->cols, (size_t)cc->cap * sizeof *p);
        if (!p)
            abort();
        out->cols = p;
    }
    db_column *col = &out->cols[out->n++];
    col->name = row[0].null ? dup_n("", 0) : dup_n(row[0].v.s, row[0].len);
    col->type_name = row[1].null ? dup_n("", 0) : dup_n(row[1].v.s, row[1].len);
    col->type = DB_COL_OTHER;
    return 0;
}

/* Whether the upper-cased type name u contains word. */
static bool has(const char *u, const char *word) { return strstr(u, word) != NULL; }

/* Classifies a catalog type name (see db_coltype). */
static db_coltype classify(db_dialect d, const char *type_name)
{
    char u[64];
    size_t n = strlen(type_name);
    if (n >= sizeof u)
        n = sizeof u - 1;
    for (size_t i = 0; i < n; i++)
        u[i] = (char)toupper((unsigned char)type_name[i]);
    u[n] = '\0';
    switch (d) {
    case DB_DUCKDB:
        if (!strcmp(u, "BOOLEAN"))
            return DB_COL_BOOL;
        if (!strcmp(u, "TINYINT") || !strcmp(u, "SMALLINT") || !strcmp(u, "INTEGER") ||
            !strcmp(u, "BIGINT") || !strcmp(u, "UTINYINT") || !strcmp(u, "USMALLINT") ||
            !strcmp(u, "UINTEGER"))
            return DB_COL_INT;
        if (!strcmp(u, "FLOAT") || !strcmp(u, "DOUBLE"))
            return DB_COL_FLOAT;
        if (!strcmp(u, "VARCHAR"))
            return DB_COL_STRING;
        if (!strcmp(u, "TIMESTAMP") || !strcmp(u, "TIMESTAMP WITH TIME ZONE") || !strcmp(u, "TIMESTAMP_S") ||
            !strcmp(u, "TIMESTAMP_MS"))
            return DB_COL_TIMESTAMP;
        if (!strcmp(u, "TIMESTAMP_NS"))
            return DB_COL_TIMESTAMP_NS;
        return DB_COL_OTHER;
    case DB_SQLITE: /* the column affinity rules of SQLite, plus BOOL* names */
        if (has(u, "INT"))
            return DB_COL_INT;
        if (has(u, "CHAR") || has(u, "CLOB") || has(u, "TEXT"))
            return DB_COL_STRING;
        if (has(u, "REAL") || has(u, "FLOA") || has(u, "DOUB"))
            return DB_COL_FLOAT;
        if (!strncmp(u, "BOOL", 4))
            return DB_COL_BOOL;
        return DB_COL_OTHER;
    case DB_POSTGRES:
        if (!strcmp(u, "BOOLEAN"))
            return DB_COL_BOOL;
        if (!strcmp(u, "BIGINT") || !strcmp(u, "INTEGER") || !strcmp(u, "SMALLINT"))
            return DB_COL_INT;
        if (!strcmp(u, "DOUBLE PRECISION") || !strcmp(u, "REAL"))
            return DB_COL_FLOAT;
        /* character(n) pads with blanks, so it is not a string column in our sense */
        if (!strcmp(u, "TEXT") || !strncmp(u, "CHARACTER VARYING", 17))
            return DB_COL_STRING;
        /* "timestamp without time zone", "timestamp(3) with time zone" */
        if (!strncmp(u, "TIMESTAMP", 9))
            return DB_COL_TIMESTAMP;
        return DB_COL_OTHER;
    }
    return DB_COL_OTHER;
}

/* Appends a catalog query returning (name, type) of each column of table, in order. */
static int catalog_sql(db_dialect d, const char *table, strbuf *sql)
{
    int rc = 0;
    switch (d) {
    case DB_DUCKDB: {
        char *schema = NULL;
        const char *name = db_split_table(table, &schema);
        strbuf_append(sql, "SELECT column_name, data_type FROM information_schema.columns "
                           "WHERE table_catalog = current_database() AND lower(table_schema) = lower(");
        if (schema)
            rc |= db_quote_string(d, schema, strlen(schema), sql);
        else
            strbuf_append(sql, "current_schema()");
        strbuf_append(sql, ") AND lower(table_name) = lower(");
        rc |= db_quote_string(d, name, strlen(name), sql);
        strbuf_append(sql, ") ORDER BY ordinal_position");
        free(schema);
        break;
    }
    case DB_SQLITE:
        strbuf_append(sql, "SELECT name, type FROM pragma_table_info(");
        rc |= db_quote_string(d, table, strlen(table), sql);
        strbuf_append(sql, ") ORDER BY cid");
        break;
    case DB_POSTGRES: {
        strbuf quoted = STRBUF_INIT;
        db_quote_table(d, table, &quoted);
        strbuf_append(sql, "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod) "
                           "FROM pg_catalog.pg_attribute a "
                           "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                           "WHERE c.oid = pg_catalog.to_regclass(");
        rc |= db_quote_string(d, quoted.data, quoted.len, sql);
        strbuf_append(sql, ") AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
                           "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
        strbuf_free(&quoted);
        break;
    }
    }
    return rc;
}

static int count_row(void *ctx, const rt_slot *row)
{
    *(int64_t *)ctx = row[0].v.i;
    return 0;
}

/* PostgreSQL allows tables without columns: tell them apart from missing tables. */
static int pg_table_exists(db_conn *c, const char *table, char *err, size_t errlen)
{
    strbuf quoted = STRBUF_INIT, sql = STRBUF_INIT;
    db_quote_table(DB_POSTGRES, table, &quoted);
    strbuf_append(&sql, "SELECT count(*) FROM pg_catalog.pg_class "
                        "WHERE oid = pg_catalog.to_regclass(");
    db_quote_string(DB_POSTGRES, quoted.data, quoted.len, &sql);
    strbuf_append(&sql, ") AND relkind IN ('r', 'v', 'm', 'p', 'f')");
    int64_t n = 0;
    rt_type t = RT_INT;
    int rc = db_query(c, sql.data, 1, &t, count_row, &n, err, errlen);
    strbuf_free(&quoted);
    strbuf_free(&sql);
    return rc ? -1 : n > 0;
}

int db_table_columns(db_conn *c, const char *table, db_columns *out, char *err, size_t errlen)
{
    assert(c && out);
    out->n = 0;
    out->cols = NULL;
    if (db_check_table_name(c->dialect, table, err, errlen))
        return -1;
    strbuf sql = STRBUF_INIT;
    if (catalog_sql(c->dialect, table, &sql)) {
        strbuf_free(&sql);
        db_errf(err, errlen, "invalid table name \"%s\"", table);
        return -1;
    }
    col_collect cc = {out, 0};
    const rt_type types[2] = {RT_STRING, RT_STRING};
    int rc = db_query(c, sql.data, 2, types, collect_row, &cc, err, errlen);
    strbuf_free(&sql);
    if (rc) {
        db_columns_free(out);
        return -1;
    }
    for (int i = 0; i < out->n; i++)
        out->cols[i].type = classify(c->dialect, out->cols[i].type_name);
    if (out->n > 0)
        return 1;
    if (c->dialect == DB_POSTGRES) {
        int exists = pg_table_exists(c, table, err, errlen);
        if (exists != 0)
            return exists;
    }
    db_errf(err, errlen, "table \"%s\" not found in %s", table, c->label);
    return 0;
}

void db_columns_free(db_columns *cols)
{
    for (int i = 0; i < cols->n; i++) {
        free(cols->cols[i].name);
        free(cols->cols[i].type_name);
    }
    free(cols->cols);
    cols->cols = NULL;
    cols->n = 0;
}

int db_columns_find(const db_columns *cols, db_dialect d, const char *name)
{
    for (int i = 0; i < cols->n; i++) {
        const char *have = cols->cols[i].name;
        if (d == DB_POSTGRES ? !strcmp(have, name) : !strcasecmp(have, name))
            return i;
    }
    return -1;
}

bool db_coltype_fits(db_dialect d, db_coltype have, rt_type want)
{
    switch (want) {
    case RT_BOOL: return have == DB_COL_BOOL || (d == DB_SQLITE && have == DB_COL_INT);
    case RT_INT: return have == DB_COL_INT;
    case RT_TIMESTAMP: return have == DB_COL_INT || have == DB_COL_TIMESTAMP || have == DB_COL_TIMESTAMP_NS;
    case RT_FLOAT: return have == DB_COL_FLOAT;
    case RT_STRING: return have == DB_COL_STRING;
    }
    return false;
}

int db_check_table(db_conn *c, const char *table, int n, const char *const *names,
                   const rt_type *types, char *err, size_t errlen)
{
    db_columns cols;
    int found = db_table_columns(c, table, &cols, err, errlen);
    if (found != 1)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int k = db_columns_find(&cols, c->dialect, names[i]);
        if (k < 0) {
            db_errf(err, errlen, "column \"%s\" missing from table \"%s\" in %s", names[i], table,
                    c->label);
            rc = -1;
        } else if (types && !db_coltype_fits(c->dialect, cols.cols[k].type, types[i])) {
            db_errf(err, errlen, "column \"%s\" of table \"%s\" is %s, which cannot hold a%s %s%s", names[i], table,
                    cols.cols[k].type_name, types[i] == RT_INT ? "n" : "", db_rt_type_name(types[i]),
                    types[i] != RT_TIMESTAMP ? ""
                    : c->dialect == DB_DUCKDB
                        ? " (timestamps are read from TIMESTAMP, TIMESTAMP WITH TIME ZONE or BIGINT epoch microseconds)"
                    : c->dialect == DB_POSTGRES
                        ? " (timestamps are read from timestamp, timestamptz or bigint epoch microseconds)"
                        : " (SQLite has no timestamp type: timestamps are read from INTEGER epoch microseconds)");
            rc = -1;
        }
    }
    db_columns_free(&cols);
    return rc;
}
