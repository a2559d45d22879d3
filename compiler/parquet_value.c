/* parquet_value.c - Parquet column types as DuckDB reads them, and their values as featc values or text, converted exactly. */
#include "parquet_int.h"

#include "db_backend.h"
#include "rt_format.h"
#include "rt_reject.h"
#include "rt_time.h"
#include "rt_value.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* Microseconds at 0000-01-01T00:00:00Z and at 10000-01-01T00:00:00Z: the years the ISO
 * text form holds. */
#define PQ_ISO_MIN_US (-62167219200LL * 1000000)
#define PQ_ISO_END_US (253402300800LL * 1000000)

static const char *base_type_name(duckdb_type t)
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
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_DECIMAL: return "DECIMAL";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_TIME_TZ: return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_ENUM: return "ENUM";
    case DUCKDB_TYPE_LIST: return "LIST";
    case DUCKDB_TYPE_ARRAY: return "ARRAY";
    case DUCKDB_TYPE_STRUCT: return "STRUCT";
    case DUCKDB_TYPE_MAP: return "MAP";
    case DUCKDB_TYPE_UNION: return "UNION";
    case DUCKDB_TYPE_BIT: return "BIT";
    case DUCKDB_TYPE_SQLNULL: return "NULL";
    default: return "an unknown type";
    }
}

void pq_column_init(pq_column *c, const char *name, duckdb_logical_type t)
{
    memset(c, 0, sizeof *c);
    c->name = strdup(name ? name : "");
    if (!c->name)
        abort();
    c->id = c->store = duckdb_get_type_id(t);
    if (c->id == DUCKDB_TYPE_DECIMAL) {
        c->store = duckdb_decimal_internal_type(t);
        c->scale = duckdb_decimal_scale(t);
        snprintf(c->type_name, sizeof c->type_name, "DECIMAL(%d,%d)", (int)duckdb_decimal_width(t), c->scale);
    } else {
        snprintf(c->type_name, sizeof c->type_name, "%s", base_type_name(c->id));
    }
}

void pq_columns_free(pq_column *cols, int n)
{
    for (int i = 0; i < n; i++)
        free(cols[i].name);
    free(cols);
}

static bool is_int(duckdb_type t)
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
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT: return true;
    default: return false;
    }
}

static bool is_timestamp(duckdb_type t)
{
    return t == DUCKDB_TYPE_TIMESTAMP || t == DUCKDB_TYPE_TIMESTAMP_TZ || t == DUCKDB_TYPE_TIMESTAMP_S ||
           t == DUCKDB_TYPE_TIMESTAMP_MS || t == DUCKDB_TYPE_TIMESTAMP_NS;
}

const char *pq_fits(const pq_column *c, rt_type want)
{
    duckdb_type t = c->id;
    if (t == DUCKDB_TYPE_SQLNULL)
        return NULL;
    switch (want) {
    case RT_BOOL:
        return t == DUCKDB_TYPE_BOOLEAN ? NULL : "a bool field takes a BOOLEAN column";
    case RT_INT:
        if (is_int(t) || t == DUCKDB_TYPE_DECIMAL)
            return NULL;
        return t == DUCKDB_TYPE_FLOAT || t == DUCKDB_TYPE_DOUBLE
                   ? "an int field takes an integer or DECIMAL column; floats are not converted to ints"
                   : "an int field takes an integer or DECIMAL column";
    case RT_FLOAT:
        return t == DUCKDB_TYPE_FLOAT || t == DUCKDB_TYPE_DOUBLE || is_int(t) || t == DUCKDB_TYPE_DECIMAL
                   ? NULL
                   : "a float field takes a DOUBLE, FLOAT, integer or DECIMAL column";
    case RT_STRING:
        return t == DUCKDB_TYPE_VARCHAR || t == DUCKDB_TYPE_ENUM ? NULL : "a string field takes a VARCHAR column";
    case RT_TIMESTAMP:
        if (is_timestamp(t) || t == DUCKDB_TYPE_VARCHAR)
            return NULL;
        if (t == DUCKDB_TYPE_DATE)
            return "a DATE has no time of day, so featc does not guess one: write the instant it stands for as a "
                   "TIMESTAMP (midnight UTC at its start is CAST(d AS TIMESTAMP))";
        if (is_int(t))
            return "an integer says nothing of its unit: write the time as a TIMESTAMP (DuckDB: make_timestamp(us) "
                   "for microseconds since the epoch)";
        return "a timestamp field takes a TIMESTAMP (or TIMESTAMP WITH TIME ZONE) column";
    }
    return "unknown field type";
}

bool pq_read_as_text(const pq_column *c, bool for_text)
{
    if (c->id == DUCKDB_TYPE_ENUM)
        return true;
    if (!for_text)
        return false;
    return !(is_int(c->id) || is_timestamp(c->id) || c->id == DUCKDB_TYPE_VARCHAR || c->id == DUCKDB_TYPE_BOOLEAN ||
             c->id == DUCKDB_TYPE_FLOAT || c->id == DUCKDB_TYPE_DOUBLE || c->id == DUCKDB_TYPE_DECIMAL ||
             c->id == DUCKDB_TYPE_SQLNULL);
}

/* An integer-stored value (any width, also a DECIMAL's storage) as a 128-bit integer; a
 * UHUGEINT past the signed range sets *big instead. */
static i128 read_int(const void *data, duckdb_type store, idx_t i, bool *big)
{
    *big = false;
    switch (store) {
    case DUCKDB_TYPE_TINYINT: return ((const int8_t *)data)[i];
    case DUCKDB_TYPE_SMALLINT: return ((const int16_t *)data)[i];
    case DUCKDB_TYPE_INTEGER: return ((const int32_t *)data)[i];
    case DUCKDB_TYPE_BIGINT: return ((const int64_t *)data)[i];
    case DUCKDB_TYPE_UTINYINT: return ((const uint8_t *)data)[i];
    case DUCKDB_TYPE_USMALLINT: return ((const uint16_t *)data)[i];
    case DUCKDB_TYPE_UINTEGER: return ((const uint32_t *)data)[i];
    case DUCKDB_TYPE_UBIGINT: return ((const uint64_t *)data)[i];
    case DUCKDB_TYPE_HUGEINT: {
        duckdb_hugeint h = ((const duckdb_hugeint *)data)[i];
        return (i128)(((u128)(uint64_t)h.upper << 64) | h.lower);
    }
    case DUCKDB_TYPE_UHUGEINT: {
        duckdb_uhugeint h = ((const duckdb_uhugeint *)data)[i];
        u128 v = ((u128)h.upper << 64) | h.lower;
        *big = v >> 127 != 0;
        return (i128)v;
    }
    default: assert(!"not an integer storage type"); return 0;
    }
}

/* Writes the magnitude m in decimal with scale digits after a point, after a '-' when neg. */
static size_t decimal_text(bool neg, u128 m, int scale, char *buf)
{
    char digits[48];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    while (n <= scale)
        digits[n++] = '0';
    size_t k = 0;
    if (neg)
        buf[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        buf[k++] = digits[i];
        if (i == scale && scale > 0)
            buf[k++] = '.';
    }
    buf[k] = '\0';
    return k;
}

/* The integer (or DECIMAL) value i as exact decimal text. */
static size_t int_text(const pq_column *c, const void *data, idx_t i, char *buf)
{
    bool big;
    i128 v = read_int(data, c->store, i, &big);
    if (big)
        return decimal_text(false, (u128)v, c->scale, buf);
    return decimal_text(v < 0, v < 0 ? -(u128)v : (u128)v, c->scale, buf);
}

/* The microseconds of a timestamp-typed value, or false when it is infinite or (seconds,
 * milliseconds) past the int64 microsecond range. *sub gets the nanoseconds below the
 * microsecond (TIMESTAMP_NS only). */
static bool timestamp_us(duckdb_type t, const void *data, idx_t i, int64_t *us, int *sub, bool *infinite)
{
    int64_t v = ((const int64_t *)data)[i];
    *sub = 0;
    *infinite = v == INT64_MAX || v == -INT64_MAX;
    if (*infinite)
        return false;
    switch (t) {
    case DUCKDB_TYPE_TIMESTAMP_S: return !__builtin_mul_overflow(v, (int64_t)1000000, us);
    case DUCKDB_TYPE_TIMESTAMP_MS: return !__builtin_mul_overflow(v, (int64_t)1000, us);
    case DUCKDB_TYPE_TIMESTAMP_NS: {
        int64_t q = v / 1000, r = v % 1000;
        if (r < 0) {
            q--;
            r += 1000;
        }
        *us = q;
        *sub = (int)r;
        return true;
    }
    default: *us = v; return true;
    }
}

/* Writes a microsecond time (plus sub nanoseconds when nonzero) as text: ISO inside years
 * 0..9999, else epoch seconds. */
static size_t time_text(int64_t us, int sub, char *buf)
{
    if (us >= PQ_ISO_MIN_US && us < PQ_ISO_END_US) {
        size_t n = rt_time_format(us, buf);
        if (sub) {
            assert(n > 1 && buf[n - 1] == 'Z');
            n += (size_t)snprintf(buf + n - 1, 5, "%03dZ", sub) - 1;
        }
        return n;
    }
    bool neg = us < 0;
    u128 m = neg ? -(u128)(i128)us : (u128)us;
    if (!sub)
        return decimal_text(neg, m, 6, buf);
    /* a negative time with nanoseconds: us + sub/1000 has magnitude m - sub/1000 */
    u128 ns = neg ? m * 1000 - (u128)sub : m * 1000 + (u128)sub;
    return decimal_text(neg, ns, 9, buf);
}

size_t pq_text(const pq_column *c, const void *data, idx_t i, char *buf)
{
    switch (c->id) {
    case DUCKDB_TYPE_BOOLEAN: return (size_t)sprintf(buf, "%s", ((const bool *)data)[i] ? "true" : "false");
    case DUCKDB_TYPE_FLOAT: return rt_format_float((double)((const float *)data)[i], buf);
    case DUCKDB_TYPE_DOUBLE: return rt_format_float(((const double *)data)[i], buf);
    default: break;
    }
    if (is_int(c->id) || c->id == DUCKDB_TYPE_DECIMAL)
        return int_text(c, data, i, buf);
    assert(is_timestamp(c->id));
    int64_t us;
    int sub;
    bool infinite;
    if (!timestamp_us(c->id, data, i, &us, &sub, &infinite)) {
        if (infinite)
            return (size_t)sprintf(buf, "%s", ((const int64_t *)data)[i] > 0 ? "infinity" : "-infinity");
        /* seconds or milliseconds past the microsecond range: their own digits */
        int64_t v = ((const int64_t *)data)[i];
        return decimal_text(v < 0, v < 0 ? -(u128)(i128)v : (u128)v, c->id == DUCKDB_TYPE_TIMESTAMP_MS ? 3 : 0, buf);
    }
    return time_text(us, sub, buf);
}

/* "PHRASE, got VALUE" into why. */
static bool refuse(char *why, size_t whylen, const char *phrase, const char *value)
{
    snprintf(why, whylen, "%s, got %s", phrase, value);
    return false;
}

bool pq_value(const pq_column *c, const void *data, const uint64_t *valid, idx_t i, rt_type want, rt_slot *out,
              char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    if (c->id == DUCKDB_TYPE_SQLNULL || (valid && !duckdb_validity_row_is_valid((uint64_t *)valid, i))) {
        out->null = 1;
        return true;
    }
    assert(pq_fits(c, want) == NULL);
    char text[PQ_TEXT_BUF];
    switch (want) {
    case RT_BOOL:
        out->v.i = ((const bool *)data)[i] ? 1 : 0;
        return true;
    case RT_STRING: {
        assert(c->id == DUCKDB_TYPE_VARCHAR); /* an ENUM is read as VARCHAR */
        duckdb_string_t *s = &((duckdb_string_t *)data)[i];
        out->v.s = duckdb_string_t_data(s);
        out->len = duckdb_string_t_length(*s);
        const char *problem = rt_value_string_problem(out->v.s, out->len);
        if (!problem)
            return true;
        char excerpt[160] = "";
        rt_reject_excerpt(excerpt, sizeof excerpt, out->v.s, out->len, 64, true);
        return refuse(why, whylen, problem, excerpt);
    }
    case RT_INT: {
        bool big;
        i128 v = read_int(data, c->store, i, &big);
        if (!big && c->scale > 0) {
            i128 p = 1;
            for (int k = 0; k < c->scale; k++)
                p *= 10;
            if (v % p != 0) {
                int_text(c, data, i, text);
                return refuse(why, whylen, "expected int", text);
            }
            v /= p;
        }
        if (big || v < INT64_MIN || v > INT64_MAX) {
            int_text(c, data, i, text);
            return refuse(why, whylen, "int out of range", text);
        }
        out->v.i = (int64_t)v;
        return true;
    }
    case RT_FLOAT: {
        double d;
        if (c->id == DUCKDB_TYPE_DOUBLE)
            d = ((const double *)data)[i];
        else if (c->id == DUCKDB_TYPE_FLOAT)
            d = ((const float *)data)[i];
        else if (c->id == DUCKDB_TYPE_DECIMAL) {
            size_t n = int_text(c, data, i, text);
            int rc = db_parse_double(text, n, &d); /* correctly rounded */
            assert(rc == 0);
            (void)rc;
        } else {
            bool big;
            i128 v = read_int(data, c->store, i, &big);
            /* the nearest double, ties to even, as every int -> float conversion of featc */
            d = big ? (double)(u128)v : (double)v;
        }
        if (d - d != 0) {
            rt_format_float(d, text);
            return refuse(why, whylen, "expected a finite float", text);
        }
        out->v.f = d;
        return true;
    }
    case RT_TIMESTAMP: {
        if (c->id == DUCKDB_TYPE_VARCHAR) {
            duckdb_string_t *s = &((duckdb_string_t *)data)[i];
            const char *p = duckdb_string_t_data(s);
            size_t n = duckdb_string_t_length(*s);
            if (rt_time_parse(p, n, &out->v.i))
                return true;
            char excerpt[160] = "";
            rt_reject_excerpt(excerpt, sizeof excerpt, p, n, 64, true);
            return refuse(why, whylen, "expected timestamp", excerpt);
        }
        int64_t us;
        int sub;
        bool infinite;
        if (!timestamp_us(c->id, data, i, &us, &sub, &infinite)) {
            pq_text(c, data, i, text);
            return refuse(why, whylen, infinite ? "timestamp is infinite" : "timestamp out of range", text);
        }
        if (sub) {
            pq_text(c, data, i, text);
            return refuse(why, whylen, "timestamp has a fraction of a microsecond (featc keeps microseconds)", text);
        }
        out->v.i = us;
        return true;
    }
    }
    snprintf(why, whylen, "unknown field type");
    return false;
}
