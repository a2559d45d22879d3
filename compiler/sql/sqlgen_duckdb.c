/* sqlgen_duckdb.c - what DuckDB's SQL needs: guards for failing operations, inf/NaN to null. */
#include "sqlgen_int.h"

#include <string.h>

/* DuckDB's double operations return inf and NaN instead of failing. (Not nullif: DuckDB
 * expands it as a macro that repeats its argument, so nested calls grow exponentially.) */
static sg_frag not_inf(sg_scope *sc, sg_frag r) { return SG_T(sc, "CASE WHEN isfinite($1) THEN $1 END", r); }

static sg_frag lit_bool(sg_gen *g, bool b) { return sg_atom(b ? "TRUE" : "FALSE", 0); }

static sg_frag lit_float(sg_gen *g, double f) { return sg_atom(sg_printf(g, "CAST('%s' AS DOUBLE)", sg_float_text(g, f)), 0); }

static const char *const ARITH[] = {"+", "-", "*", "/", "%"};

/* BIGINT overflow raises an error in DuckDB. The exact result is computed in HUGEINT (a
 * product of two int64 values always fits) and kept when it fits in BIGINT. Not TRY():
 * DuckDB 1.4's TRY nulls other columns of rows whose vector also holds a NULL. */
static sg_frag int_arith(sg_scope *sc, plan_arith op, sg_frag a, sg_frag b)
{
    sg_frag wide = sg_hoist(sc, SG_T(sc, sg_printf(sc->g, "(CAST($1 AS HUGEINT) %s CAST($2 AS HUGEINT))", ARITH[op]), a, b));
    return SG_T(sc, "CASE WHEN $1 BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST($1 AS BIGINT) END", wide);
}

static sg_frag float_arith(sg_scope *sc, plan_arith op, sg_frag a, sg_frag b)
{
    return not_inf(sc, SG_T(sc, sg_printf(sc->g, "($1 %s $2)", ARITH[op]), a, b));
}

static sg_frag float_fn(sg_scope *sc, plan_fn fn, const sg_frag *a)
{
    switch (fn) {
    case PF_SQRT: /* negative: an error */
        return SG_T(sc, "CASE WHEN $1 >= 0 THEN sqrt($1) END", sg_hoist(sc, a[0]));
    case PF_LN: /* zero or negative: an error */
        return SG_T(sc, "CASE WHEN $1 > 0 THEN ln($1) END", sg_hoist(sc, a[0]));
    case PF_EXP: return not_inf(sc, SG_T(sc, "exp($1)", a[0]));
    case PF_POW: return not_inf(sc, SG_T(sc, "pow($1, $2)", a[0], a[1]));
    default: break;
    }
    return sg_null(sc->g, FT_FLOAT);
}

#define FLOAT_RE "'[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?'"

static sg_frag to_float_string(sg_scope *sc, sg_frag s)
{
    /* TRY_CAST gives inf on overflow (null here) and the correctly rounded double */
    return not_inf(sc, SG_T(sc, "CASE WHEN regexp_full_match($1, " FLOAT_RE ") THEN TRY_CAST($1 AS DOUBLE) END", s));
}

static sg_frag to_int_string(sg_scope *sc, sg_frag s)
{
    return SG_T(sc, "CASE WHEN regexp_full_match($1, '[+-]?[0-9]+') THEN TRY_CAST($1 AS BIGINT) END", s);
}

static sg_frag lower(sg_scope *sc, sg_frag s, bool upper)
{
    return SG_T(sc, upper ? "translate($1, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"
                          : "translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
                s);
}

static sg_frag starts_with(sg_scope *sc, sg_frag s, sg_frag p) { return SG_T(sc, "starts_with($1, $2)", s, p); }

static sg_frag contains(sg_scope *sc, sg_frag s, sg_frag p) { return SG_T(sc, "contains($1, $2)", s, p); }

static sg_frag pad(sg_scope *sc, sg_frag x, int width)
{
    /* lpad cuts longer text, so numbers of more digits are written as they are */
    return SG_T(sc, sg_printf(sc->g, "CASE WHEN $1 < %s THEN lpad(CAST($1 AS VARCHAR), %d, '0') ELSE CAST($1 AS VARCHAR) END",
                              width == 2 ? "100" : width == 4 ? "10000" : "1000000", width),
                x);
}

/* Exact: sum(BIGINT) is a HUGEINT. */
static const char *agg_sum_int(sg_gen *g, const char *x)
{
    return sg_printf(g,
                     "CASE WHEN sum(%s) BETWEEN -9223372036854775808 AND 9223372036854775807 "
                     "THEN CAST(sum(%s) AS BIGINT) END",
                     x, x);
}

/* The integer parts of values below 2^64 are summed exactly as HUGEINTs, their fractions
 * (|f| < 1) and the rare larger values as doubles; see docs/sql.md. */
static const char *agg_sum_float(sg_gen *g, const char *x)
{
    const char *big = "18446744073709551616.0";
    return sg_printf(g,
                     "(CAST(sum(CASE WHEN abs(%s) >= %s THEN 0 ELSE CAST(trunc(%s) AS HUGEINT) END) AS DOUBLE)"
                     " + sum(CASE WHEN abs(%s) >= %s THEN CAST(0 AS DOUBLE) ELSE %s - trunc(%s) END))"
                     " + sum(CASE WHEN abs(%s) >= %s THEN %s ELSE CAST(0 AS DOUBLE) END)",
                     x, big, x, x, big, x, x, x, big, x);
}

static const char *agg_sum_int_float(sg_gen *g, const char *x) { return sg_printf(g, "CAST(sum(%s) AS DOUBLE)", x); }

static const char *agg_sq_dev(sg_gen *g, const char *x, const char *m)
{
    return sg_printf(g, "((%s - %s) * (%s - %s))", x, m, x, m);
}

const sg_dialect sg_dialect_duckdb = {
    .id = DB_DUCKDB,
    .type_bool = "BOOLEAN",
    .type_int = "BIGINT",
    .type_float = "DOUBLE",
    .type_string = "VARCHAR",
    .type_hugeint = "HUGEINT",
    .collate = "",
    .idiv = "//",
    .int_min = "CAST(-9223372036854775808 AS BIGINT)",
    .finite = not_inf,
    .lit_bool = lit_bool,
    .lit_float = lit_float,
    .int_arith = int_arith,
    .float_arith = float_arith,
    .float_fn = float_fn,
    .fn_sin = "sin",
    .fn_cos = "cos",
    .fn_asin = "asin",
    .to_float_string = to_float_string,
    .to_int_string = to_int_string,
    .lower = lower,
    .starts_with = starts_with,
    .contains = contains,
    .pad = pad,
    .fn_least = "least",
    .fn_greatest = "greatest",
    .least_skips_null = true,
    .agg_sum_int = agg_sum_int,
    .agg_sum_float = agg_sum_float,
    .agg_sum_int_float = agg_sum_int_float,
    .agg_sq_dev = agg_sq_dev,
};
