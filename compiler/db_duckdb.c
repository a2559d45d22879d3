/* db_duckdb.c - the DuckDB back end: C API connection, statements, chunk-wise query results. */
#include "db_duckdb.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

static const db_ops duck_ops;

db_duck_conn *db_duck_of(db_conn *c)
{
    assert(c->dialect == DB_DUCKDB);
    return (db_duck_conn *)c;
}

const char *db_duck_memory_limit(char *buf, size_t len)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return NULL;
    /* half the address space: the rest holds code, thread stacks and allocator slack */
    unsigned long long mib = (unsigned long long)(rl.rlim_cur / 2) >> 20;
    if (mib < 64)
        mib = 64;
    snprintf(buf, len, "%lluMiB", mib);
    return buf;
}

db_conn *db_duckdb_open(const char *path, const char *label, char *err, size_t errlen)
{
    duckdb_config cfg = NULL;
    if (duckdb_create_config(&cfg) == DuckDBError) {
        db_errf(err, errlen, "cannot open DuckDB database %s: out of memory", label);
        return NULL;
    }
    /* Never reach for the network to fetch extensions behind the user's back. */
    duckdb_set_config(cfg, "autoinstall_known_extensions", "false");
    duckdb_set_config(cfg, "autoload_known_extensions", "false");
    /* every query featc runs orders its result; unordered scans let DuckDB stream */
    duckdb_set_config(cfg, "preserve_insertion_order", "false");
    char limit[32];
    if (db_duck_memory_limit(limit, sizeof limit))
        duckdb_set_config(cfg, "memory_limit", limit);
    duckdb_database db = NULL;
    char *msg = NULL;
    duckdb_state st = duckdb_open_ext(path, &db, cfg, &msg);
    duckdb_destroy_config(&cfg);
    if (st == DuckDBError) {
        db_errf(err, errlen, "cannot open DuckDB database \"%s\": %s", path ? path : ":memory:",
                msg ? msg : "unknown error");
        if (msg)
            duckdb_free(msg);
        return NULL;
    }
    duckdb_connection con = NULL;
    if (duckdb_connect(db, &con) == DuckDBError) {
        duckdb_close(&db);
        db_errf(err, errlen, "cannot connect to DuckDB database %s", label);
        return NULL;
    }
    db_duck_conn *c = calloc(1, sizeof *c);
    char *lab = strdup(label);
    if (!c || !lab)
        abort();
    c->base.ops = &duck_ops;
    c->base.dialect = DB_DUCKDB;
    c->base.label = lab;
    c->db = db;
    c->con = con;
    return &c->base;
}

static void duck_close(db_conn *base)
{
    db_duck_conn *c = db_duck_of(base);
    duckdb_disconnect(&c->con);
    duckdb_close(&c->db);
    free(c->base.label);
    free(c);
}

/* DuckDB messages may carry the query text and a caret on further lines: keep the first. */
void db_duck_errf(char *err, size_t errlen, const char *msg)
{
    if (!msg)
        msg = "unknown error";
    int n = (int)strcspn(msg, "\n");
    db_errf(err, errlen, "DuckDB: %.*s", n, msg);
}

int db_duck_exec(db_conn *base, const char *sql, char *err, size_t errlen)
{
    db_duck_conn *c = db_duck_of(base);
    duckdb_result res;
    int rc = 0;
    if (duckdb_query(c->con, sql, &res) == DuckDBError) {
        db_duck_errf(err, errlen, duckdb_result_error(&res));
        rc = -1;
    }
    duckdb_destroy_result(&res);
    return rc;
}

/* ---- query results ---- */

/* How one result column is read. */
typedef struct duck_col {
    duckdb_type id;       /* the column's type; for DECIMAL, its storage type is in store */
    duckdb_type store;    /* physical type of the values (== id except for DECIMAL) */
    int scale;            /* DECIMAL scale, else 0 */
    rt_type want;
    const char *name;
} duck_col;

static bool is_int_type(duckdb_type t)
{
    switch (t) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT: return true;
    default: return false;
    }
}

/* Whether values of type id can be converted to want (row by row some may still not fit). */
static bool duck_compatible(duckdb_type id, rt_type want)
{
    if (id == DUCKDB_TYPE_SQLNULL)
        return true;
    switch (want) {
    case RT_BOOL: return id == DUCKDB_TYPE_BOOLEAN || is_int_type(id);
    case RT_INT:
    case RT_TIMESTAMP: return is_int_type(id) || id == DUCKDB_TYPE_DECIMAL;
    case RT_FLOAT:
        return id == DUCKDB_TYPE_FLOAT || id == DUCKDB_TYPE_DOUBLE || is_int_type(id) ||
               id == DUCKDB_TYPE_DECIMAL;
    case RT_STRING: return id == DUCKDB_TYPE_VARCHAR;
    }
    return false;
}

static const char *duck_type_name(duckdb_type t)
{
    switch (t) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_DECIMAL: return "DECIMAL";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    default: return "a type featc does not read";
    }
}

/* Reads an integer-typed value (any width) as a 128-bit integer. */
static i128 read_int(const void *data, duckdb_type store, idx_t row)
{
    switch (store) {
    case DUCKDB_TYPE_TINYINT: return ((const int8_t *)data)[row];
    case DUCKDB_TYPE_SMALLINT: return ((const int16_t *)data)[row];
    case DUCKDB_TYPE_INTEGER: return ((const int32_t *)data)[row];
    case DUCKDB_TYPE_BIGINT: return ((const int64_t *)data)[row];
    case DUCKDB_TYPE_UTINYINT: return ((const uint8_t *)data)[row];
    case DUCKDB_TYPE_USMALLINT: return ((const uint16_t *)data)[row];
    case DUCKDB_TYPE_UINTEGER: return ((const uint32_t *)data)[row];
    case DUCKDB_TYPE_UBIGINT: return ((const uint64_t *)data)[row];
    case DUCKDB_TYPE_HUGEINT: {
        duckdb_hugeint h = ((const duckdb_hugeint *)data)[row];
        return (i128)(((u128)(uint64_t)h.upper << 64) | h.lower);
    }
    default: assert(!"not an integer storage type"); return 0;
    }
}

static i128 pow10_i128(int n)
{
    i128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* Correctly rounded double of the decimal v * 10^-scale (via its exact decimal text). */
static double decimal_to_double(i128 v, int scale)
{
    char digits[48];
    int n = 0;
    u128 m = v < 0 ? -(u128)v : (u128)v;
    do {
        digits[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    while (n <= scale)
        digits[n++] = '0';
    char text[64];
    int k = 0;
    if (v < 0)
        text[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        text[k++] = digits[i];
        if (i == scale && scale > 0)
            text[k++] = '.';
    }
    double d = 0;
    int rc = db_parse_double(text, (size_t)k, &d);
    assert(rc == 0);
    (void)rc;
    return d;
}

/* Converts row `row` of column col (data, validity) into *out. Returns 0, or -1 with a
 * message when the value does not fit the requested type. */
static int duck_convert(const duck_col *col, void *data, uint64_t *validity, idx_t row,
                        int64_t rowno, rt_slot *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (col->id == DUCKDB_TYPE_SQLNULL || (validity && !duckdb_validity_row_is_valid(validity, row))) {
        out->null = 1;
        return 0;
    }
    const char *problem = NULL;
    switch (col->want) {
    case RT_STRING: {
        duckdb_string_t *s = &((duckdb_string_t *)data)[row];
        out->v.s = duckdb_string_t_data(s);
        out->len = duckdb_string_t_length(*s);
        return 0;
    }
    case RT_FLOAT:
        if (col->id == DUCKDB_TYPE_DOUBLE)
            out->v.f = ((const double *)data)[row];
        else if (col->id == DUCKDB_TYPE_FLOAT)
            out->v.f = ((const float *)data)[row];
        else if (col->id == DUCKDB_TYPE_DECIMAL)
            out->v.f = decimal_to_double(read_int(data, col->store, row), col->scale);
        else
            out->v.f = (double)read_int(data, col->store, row);
        return 0;
    case RT_BOOL:
        if (col->id == DUCKDB_TYPE_BOOLEAN) {
            out->v.i = ((const bool *)data)[row] ? 1 : 0;
            return 0;
        } else {
            i128 v = read_int(data, col->store, row);
            if (v == 0 || v == 1) {
                out->v.i = (int64_t)v;
                return 0;
            }
            problem = "an integer other than 0 or 1 where a bool is expected";
        }
        break;
    case RT_INT:
    case RT_TIMESTAMP: {
        i128 v = read_int(data, col->store, row);
        if (col->id == DUCKDB_TYPE_DECIMAL && col->scale > 0) {
            i128 p = pow10_i128(col->scale);
            if (v % p != 0) {
                problem = "a decimal with a fraction where an int is expected";
                break;
            }
            v /= p;
        }
        if (v < INT64_MIN || v > INT64_MAX) {
            problem = "an integer outside the 64-bit range";
            break;
        }
        out->v.i = (int64_t)v;
        return 0;
    }
    }
    db_errf(err, errlen, "DuckDB: result row %lld, column %s: %s", (long long)rowno, col->name,
            problem);
    return -1;
}

/* Delivers the rows of a materialized result chunk by chunk. */
static int duck_deliver(duckdb_result *res, duck_col *cols, int ncols, db_row_fn cb, void *ctx,
                        char *err, size_t errlen)
{
    rt_slot *row = calloc((size_t)ncols, sizeof *row);
    void **data = calloc((size_t)ncols, sizeof *data);
    uint64_t **valid = calloc((size_t)ncols, sizeof *valid);
    if (!row || !data || !valid)
        abort();
    int rc = 0;
    int64_t rowno = 0;
    duckdb_data_chunk chunk;
    while (rc == 0 && (chunk = duckdb_fetch_chunk(*res)) != NULL) {
        idx_t n = duckdb_data_chunk_get_size(chunk);
        for (int j = 0; j < ncols; j++) {
            duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, (idx_t)j);
            data[j] = duckdb_vector_get_data(vec);
            valid[j] = duckdb_vector_get_validity(vec);
        }
        for (idx_t r = 0; r < n && rc == 0; r++) {
            rowno++;
            for (int j = 0; j < ncols && rc == 0; j++)
                rc = duck_convert(&cols[j], data[j], valid[j], r, rowno, &row[j], err, errlen);
            if (rc == 0 && cb(ctx, row) != 0) {
                db_errf(err, errlen, "query stopped by its row handler at row %lld",
                        (long long)rowno);
                rc = 1;
            }
        }
        duckdb_destroy_data_chunk(&chunk);
    }
    free(row);
    free(data);
    free(valid);
    return rc;
}

static int duck_query(db_conn *base, const char *sql, int ncols, const rt_type *types,
                      db_row_fn cb, void *ctx, char *err, size_t errlen)
{
    db_duck_conn *c = db_duck_of(base);
    duckdb_prepared_statement st = NULL;
    if (duckdb_prepare(c->con, sql, &st) == DuckDBError) {
        db_duck_errf(err, errlen, duckdb_prepare_error(st));
        duckdb_destroy_prepare(&st);
        return -1;
    }
    duckdb_result res;
    duckdb_state state = duckdb_execute_prepared(st, &res);
    duckdb_destroy_prepare(&st);
    if (state == DuckDBError) {
        db_duck_errf(err, errlen, duckdb_result_error(&res));
        duckdb_destroy_result(&res);
        return -1;
    }
    int rc = 0;
    idx_t have = duckdb_column_count(&res);
    duck_col *cols = calloc((size_t)ncols, sizeof *cols);
    if (!cols)
        abort();
    if (have != (idx_t)ncols) {
        db_errf(err, errlen, "DuckDB: the query returns %llu columns, expected %d",
                (unsigned long long)have, ncols);
        rc = -1;
    }
    for (int j = 0; j < ncols && rc == 0; j++) {
        duck_col *col = &cols[j];
        duckdb_logical_type lt = duckdb_column_logical_type(&res, (idx_t)j);
        col->id = col->store = duckdb_get_type_id(lt);
        if (col->id == DUCKDB_TYPE_DECIMAL) {
            col->store = duckdb_decimal_internal_type(lt);
            col->scale = duckdb_decimal_scale(lt);
        }
        duckdb_destroy_logical_type(&lt);
        col->want = types[j];
        col->name = duckdb_column_name(&res, (idx_t)j);
        if (!duck_compatible(col->id, col->want)) {
            db_errf(err, errlen, "DuckDB: result column %d (%s) is %s, which cannot be read as %s",
                    j + 1, col->name, duck_type_name(col->id), db_rt_type_name(col->want));
            rc = -1;
        }
    }
    if (rc == 0)
        rc = duck_deliver(&res, cols, ncols, cb, ctx, err, errlen);
    free(cols);
    duckdb_destroy_result(&res);
    return rc;
}

static const db_ops duck_ops = {
    .close = duck_close,
    .exec = db_duck_exec,
    .query = duck_query,
    .load_begin = db_duck_load_begin,
    .load_row = db_duck_load_row,
    .load_finish = db_duck_load_finish,
};
