/* sqlgen_sqlite.c - what SQLite's SQL needs: int overflow turns REAL, exact float literals, no regexp. */
#include "sqlgen_int.h"

#include <math.h>
#include <string.h>

/* SQLite turns inf into the REAL Inf (9e999) and NaN into NULL by itself. */
static sg_frag not_inf(sg_scope *sc, sg_frag r) { return SG_T(sc, "nullif(nullif($1, 9e999), -9e999)", r); }

static sg_frag lit_bool(sg_gen *g, bool b) { return sg_atom(b ? "1" : "0", 0); }

/* SQLite's decimal-to-double conversion is not always correctly rounded, so a double is
 * written as m * 2^e with an integer m below 2^53 (converted exactly) and a power of two
 * (whose shortest text SQLite reads exactly); exact short decimals are written as such. */
static sg_frag lit_float(sg_gen *g, double f)
{
    if (f == 0.0)
        return sg_atom(signbit(f) ? "(-0.0)" : "0.0", 0);
    int e;
    double m = frexp(f, &e); /* f = m * 2^e, 0.5 <= |m| < 1 */
    double mi = ldexp(m, 53);
    e -= 53;
    while (fmod(mi, 2.0) == 0.0 && e < 0) {
        mi /= 2.0;
        e++;
    }
    if (e >= 0 && fabs(f) < 9007199254740992.0) /* an integer below 2^53 */
        return sg_atom(sg_printf(g, "%.1f", f), 0);
    /* a dyadic value with a short exact decimal (0.5, 2.25, 1e+20 ...) reads exactly */
    const char *text = sg_float_text(g, f);
    if (strlen(text) <= 17 && fabs(mi) < 1e6 && e >= -20 && e <= 20)
        return sg_atom(strchr(text, '.') || strchr(text, 'e') ? text : sg_printf(g, "%s.0", text), 0);
    return sg_atom(sg_printf(g, "(%.0f.0 * %s)", mi, sg_float_text(g, ldexp(1.0, e))), 0);
}

static const char *const ARITH[] = {"+", "-", "*", "/", "%"};

/* Integer + - * that overflow give a REAL in SQLite: keep only integer results. */
static sg_frag int_arith(sg_scope *sc, plan_arith op, sg_frag a, sg_frag b)
{
    sg_frag r = SG_T(sc, sg_printf(sc->g, "($1 %s $2)", ARITH[op]), a, b);
    return SG_T(sc, "CASE WHEN typeof($1) = 'integer' THEN $1 END", r);
}

/* x / 0 is NULL in SQLite; overflow gives Inf. */
static sg_frag float_arith(sg_scope *sc, plan_arith op, sg_frag a, sg_frag b)
{
    return not_inf(sc, SG_T(sc, sg_printf(sc->g, "($1 %s $2)", ARITH[op]), a, b));
}

/* sqrt and ln of values outside their domain are NULL in SQLite. */
static sg_frag float_fn(sg_scope *sc, plan_fn fn, const sg_frag *a)
{
    switch (fn) {
    case PF_SQRT: return SG_T(sc, "sqrt($1)", a[0]);
    case PF_LN: return SG_T(sc, "ln($1)", a[0]);
    case PF_EXP: return not_inf(sc, SG_T(sc, "exp($1)", a[0]));
    case PF_POW: return not_inf(sc, SG_T(sc, "pow($1, $2)", a[0], a[1]));
    default: break;
    }
    return sg_null(sc->g, FT_FLOAT);
}

/* [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)? without regexp: strip one sign, split
 * at the one e/E, then check characters with trim() (digits only when trimming every digit
 * leaves nothing). */
static sg_frag to_float_string(sg_scope *sc, sg_frag s)
{
    sg_frag body = sg_hoist(sc, SG_T(sc, "CASE WHEN substr($1, 1, 1) IN ('+', '-') THEN substr($1, 2) ELSE $1 END", s));
    sg_frag epos = sg_hoist(sc, SG_T(sc, "instr(replace($1, 'E', 'e'), 'e')", body));
    sg_frag mant = sg_hoist(sc, SG_T(sc, "CASE WHEN $2 > 0 THEN substr($1, 1, $2 - 1) ELSE $1 END", body, epos));
    sg_frag expo = sg_hoist(sc, SG_T(sc, "CASE WHEN $2 > 0 THEN substr($1, $2 + 1) END", body, epos));
    sg_frag edig = SG_T(sc, "CASE WHEN substr($1, 1, 1) IN ('+', '-') THEN substr($1, 2) ELSE $1 END", expo);
    sg_frag ok = SG_T(sc,
                      "(replace($1, '.', '') <> '' AND trim(replace($1, '.', ''), '0123456789') = '' "
                      "AND length($1) - length(replace($1, '.', '')) <= 1 "
                      "AND ($2 IS NULL OR ($3 <> '' AND trim($3, '0123456789') = '')))",
                      mant, expo, edig);
    return not_inf(sc, SG_T(sc, "CASE WHEN $2 THEN CAST($1 AS REAL) END", s, ok));
}

/* [+-]?[0-9]+ within int64: compared as digit strings, since CAST clamps. */
static sg_frag to_int_string(sg_scope *sc, sg_frag s)
{
    sg_frag neg = sg_hoist(sc, SG_T(sc, "(substr($1, 1, 1) = '-')", s));
    sg_frag digits = sg_hoist(sc, SG_T(sc, "CASE WHEN substr($1, 1, 1) IN ('+', '-') THEN substr($1, 2) ELSE $1 END", s));
    sg_frag sig = sg_hoist(sc, SG_T(sc, "ltrim($1, '0')", digits));
    return SG_T(sc,
                "CASE WHEN $2 <> '' AND trim($2, '0123456789') = '' AND (length($3) < 19 OR length($3) = 19 AND "
                "$3 <= CASE WHEN $4 THEN '9223372036854775808' ELSE '9223372036854775807' END) "
                "THEN CAST($1 AS INTEGER) END",
                s, digits, sig, neg);
}

/* SQLite's lower() and upper() change ASCII letters only. */
static sg_frag lower(sg_scope *sc, sg_frag s, bool upper) { return SG_T(sc, upper ? "upper($1)" : "lower($1)", s); }

/* substr and length count characters; for valid UTF-8 a character prefix is a byte prefix */
static sg_frag starts_with(sg_scope *sc, sg_frag s, sg_frag p)
{
    return SG_T(sc, "(substr($1, 1, length($2)) = $2)", s, p);
}

static sg_frag contains(sg_scope *sc, sg_frag s, sg_frag p) { return SG_T(sc, "(instr($1, $2) > 0)", s, p); }

static sg_frag pad(sg_scope *sc, sg_frag x, int width) { return SG_T(sc, sg_printf(sc->g, "printf('%%0%dd', $1)", width), x); }

/* SQLite's sum() fails on an intermediate overflow, so values are split into a high part
 * (x >> 32, below 2^31 in magnitude) and a low part (x & 0xFFFFFFFF) summed separately;
 * the total is (h + l >> 32) * 2^32 + (l & 0xFFFFFFFF), in range when the first factor is
 * within 32 signed bits. */
static const char *agg_sum_int(sg_gen *g, const char *x)
{
    const char *h = sg_printf(g, "sum(%s >> 32)", x), *l = sg_printf(g, "sum(%s & 4294967295)", x);
    return sg_printf(g,
                     "CASE WHEN %s + (%s >> 32) BETWEEN -2147483648 AND 2147483647 "
                     "THEN (%s + (%s >> 32)) * 4294967296 + (%s & 4294967295) END",
                     h, l, h, l, l);
}

static const char *agg_sum_int_float(sg_gen *g, const char *x)
{
    return sg_printf(g, "(CAST(sum(%s >> 32) AS REAL) * 4294967296.0 + CAST(sum(%s & 4294967295) AS REAL))", x, x);
}

/* Values below 2^62 are split into their integer part's high and low 31 bits and their
 * fraction scaled by 2^52: the integer part of that (as its high and low 26 bits), and a
 * remainder below 1 that is non-zero only for |x| < 1 with bits under 2^-52.
 * The integers add up exactly in any order (a window frame adds and removes them), so
 * the result is one rounding of the exact sum for such values; the remainder and values
 * of 2^62 or more are summed as doubles (total() never fails). */
static void sum_float_parts(sg_gen *g, const char *x, sg_sum_parts *o)
{
    const char *lim = "4611686018427387904.0", *half = "2147483648.0", *two52 = "4503599627370496.0";
    const char *fr = sg_printf(g, "(%s - CAST(%s AS INTEGER)) * %s", x, x, two52);
    const char *fi = sg_printf(g, "CAST(%s AS INTEGER)", fr);
    o->n = 6;
    o->fn[0] = o->fn[1] = o->fn[2] = o->fn[3] = "sum";
    o->fn[4] = o->fn[5] = "total";
    o->arg[0] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0 ELSE CAST(%s / %s AS INTEGER) END", x, lim, x, half);
    o->arg[1] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0 ELSE CAST(%s - CAST(%s / %s AS INTEGER) * %s AS INTEGER) END",
                          x, lim, x, x, half, half);
    o->arg[2] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0 ELSE %s >> 26 END", x, lim, fi);
    o->arg[3] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0 ELSE %s & 67108863 END", x, lim, fi);
    o->arg[4] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0.0 ELSE %s - %s END", x, lim, fr, fi);
    o->arg[5] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN %s ELSE 0.0 END", x, lim, x);
    /* with a = $3 + ($4 >> 26): integer part $1 * 2^31 + $2 + (a >> 26), fraction
     * ((a & (2^26 - 1)) * 2^26 + ($4 & (2^26 - 1)) + $5) / 2^52 */
    o->combine = "((CAST($1 * 2147483648 + $2 + (($3 + ($4 >> 26)) >> 26) AS REAL) + "
                 "(CAST((($3 + ($4 >> 26)) & 67108863) * 67108864 + ($4 & 67108863) AS REAL) + $5) / 4503599627370496.0) "
                 "+ $6)";
}

/* For variance: values below 2^62 are split into their integer part's high and low 31
 * bits, summed exactly as integers, and a fraction (|f| < 1) summed as a double; larger
 * values are summed as doubles (total() never fails). Shorter than sum_float_parts, which
 * matters when x repeats a correlated subquery. */
static const char *agg_sum_float(sg_gen *g, const char *x)
{
    const char *lim = "4611686018427387904.0", *half = "2147483648.0";
    const char *hi = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0 ELSE CAST(%s / %s AS INTEGER) END", x, lim, x, half);
    const char *lo = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0 ELSE CAST(%s - CAST(%s / %s AS INTEGER) * %s AS INTEGER) END",
                               x, lim, x, x, half, half);
    const char *fr = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0.0 ELSE %s - CAST(%s AS INTEGER) END", x, lim, x, x);
    const char *bg = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN %s ELSE 0.0 END", x, lim, x);
    return sg_printf(g, "(CAST(sum(%s) * 2147483648 + sum(%s) AS REAL) + total(%s)) + total(%s)", hi, lo, fr, bg);
}

static const char *agg_sq_dev(sg_gen *g, const char *x, const char *m)
{
    return sg_printf(g, "((%s - %s) * (%s - %s))", x, m, x, m);
}

const sg_dialect sg_dialect_sqlite = {
    .id = DB_SQLITE,
    .type_bool = "INTEGER",
    .type_int = "INTEGER",
    .type_float = "REAL",
    .type_string = "TEXT",
    .type_hugeint = NULL,
    .collate = "",
    .idiv = "/",
    .int_min = "(-9223372036854775807 - 1)",
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
    .fn_least = "min",
    .fn_greatest = "max",
    .least_skips_null = false,
    .agg_sum_int = agg_sum_int,
    .agg_sum_float = agg_sum_float,
    .agg_sum_int_float = agg_sum_int_float,
    .agg_sq_dev = agg_sq_dev,
    .sum_float_parts = sum_float_parts,
};
