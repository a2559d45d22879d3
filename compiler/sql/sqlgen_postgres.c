/* sqlgen_postgres.c - what PostgreSQL's SQL needs: guards before every operation that raises. */
#include "sqlgen_int.h"

#include <math.h>
#include <string.h>

/* PostgreSQL raises an error where the contract wants null or an IEEE value: int and float
 * overflow, float underflow to zero, division by zero, sqrt/ln/pow outside their domain.
 * Each operation below first decides, with comparisons and exact power-of-two scalings that
 * cannot fail themselves, whether the result would overflow (null) or underflow to zero
 * (a signed zero); the derivations are in docs/sql.md. */

/* The exact decimal of 2^-1075 (at or below it a decimal reads as zero) and of
 * 2^1024 - 2^970 (at or above it, as infinity). */
static const char PG_UNDERFLOW_DEC[] =
    "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991"
    "818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392"
    "290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769"
    "269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374"
    "006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968"
    "951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386"
    "591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995"
    "657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145"
    "437693412532098591327667236328125e-324"
    ;
static const char PG_OVERFLOW_DEC[] =
    "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017"
    "977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273"
    "854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704"
    "342711559699508093042880177904174497792"
    ;

/* PostgreSQL never produces inf or NaN from finite values: it raises instead. */
static sg_frag pg_finite(sg_scope *sc, sg_frag r)
{
    (void)sc;
    return r;
}

static sg_frag p2(sg_gen *g, int k) { return sg_lit_float(g, ldexp(1.0, k)); }

static sg_frag lit_bool(sg_gen *g, bool b) { return sg_atom(b ? "TRUE" : "FALSE", 0); }

static sg_frag lit_float(sg_gen *g, double f)
{
    return sg_atom(sg_printf(g, "CAST('%s' AS double precision)", sg_float_text(g, f)), 0);
}

static sg_frag int_arith(sg_scope *sc, plan_arith op, sg_frag a, sg_frag b)
{
    sg_gen *g = sc->g;
    sg_frag max = sg_lit_int(g, INT64_MAX), min = sg_lit_int(g, INT64_MIN), zero = sg_lit_int(g, 0);
    switch (op) {
    case PA_ADD:
        return SG_T(sc,
                    "CASE WHEN $2 > $5 THEN CASE WHEN $1 > $3 - $2 THEN NULL ELSE $1 + $2 END "
                    "WHEN $1 < $4 - $2 THEN NULL ELSE $1 + $2 END",
                    a, b, max, min, zero);
    case PA_SUB:
        return SG_T(sc,
                    "CASE WHEN $2 < $5 THEN CASE WHEN $1 > $3 + $2 THEN NULL ELSE $1 - $2 END "
                    "WHEN $1 < $4 + $2 THEN NULL ELSE $1 - $2 END",
                    a, b, max, min, zero);
    case PA_MUL:
        return SG_T(sc, "CASE WHEN CAST($1 AS numeric) * $2 BETWEEN $3 AND $4 THEN $1 * $2 END", a, b, min, max);
    default: break;
    }
    return sg_null(g, FT_INT);
}

static sg_frag float_arith(sg_scope *sc, plan_arith op, sg_frag a, sg_frag b)
{
    sg_gen *g = sc->g;
    sg_frag one = sg_lit_float(g, 1.0), zero = sg_lit_float(g, 0.0);
    switch (op) {
    case PA_ADD:
    case PA_SUB: {
        /* only overflow raises; with both |a|, |b| >= 1 the halves are exact */
        const char *o = op == PA_ADD ? "+" : "-";
        const char *t = sg_printf(g,
                                  "CASE WHEN abs($1) < $3 OR abs($2) < $3 THEN $1 %s $2 "
                                  "WHEN abs($1 * $4 %s $2 * $4) >= $5 THEN NULL ELSE $1 %s $2 END",
                                  o, o, o);
        return SG_T(sc, t, a, b, one, sg_lit_float(g, 0.5), p2(g, 1023));
    }
    case PA_MUL:
        return SG_T(sc,
                    "CASE WHEN $1 = $3 OR $2 = $3 THEN $1 * $2 "
                    "WHEN abs($1) >= $4 AND abs($2) >= $4 THEN "
                    "CASE WHEN abs(($1 * $5) * ($2 * $5)) >= $4 THEN NULL ELSE $1 * $2 END "
                    "WHEN abs($1) >= $4 OR abs($2) >= $4 OR (abs($1) >= $6 AND abs($2) >= $6) THEN $1 * $2 "
                    "WHEN abs(($1 * $7) * ($2 * $7)) <= $8 THEN ($1 * $3) * $2 "
                    "ELSE $1 * $2 END",
                    a, b, zero, one, p2(g, -512), p2(g, -537), p2(g, 537), sg_lit_float(g, 0.5));
    case PA_DIV: {
        sg_frag under = SG_T(sc,
                             "CASE WHEN abs($1) >= $3 THEN $1 / $2 "
                             "WHEN abs($2) < $4 THEN CASE WHEN abs(($1 * $5) / $2) <= $6 THEN ($1 * $9) / $2 ELSE $1 / $2 END "
                             "WHEN abs(($1 * $5) / ($2 * $7)) <= $8 THEN ($1 * $9) / $2 ELSE $1 / $2 END",
                             a, b, p2(g, -50), p2(g, 500), p2(g, 600), p2(g, -475), p2(g, -600), p2(g, 125), zero);
        sg_frag mid = SG_T(sc, "CASE WHEN abs($1) < $3 THEN $1 / $2 WHEN abs(($1 * $4) / $2) >= $5 THEN NULL ELSE $1 / $2 END",
                           a, b, p2(g, -422), p2(g, -600), p2(g, 424));
        sg_frag tiny = SG_T(sc,
                            "CASE WHEN abs($1) < $3 THEN $1 / $2 WHEN abs($1) >= $4 THEN NULL "
                            "WHEN abs($1 / ($2 * $5)) >= $6 THEN NULL ELSE $1 / $2 END",
                            a, b, p2(g, -500), p2(g, 550), p2(g, 1000), p2(g, 24));
        return SG_T(sc,
                    "CASE WHEN $2 = $3 THEN NULL WHEN $1 = $3 THEN $1 / $2 WHEN abs($2) >= $4 THEN $6 "
                    "WHEN abs($2) >= $5 THEN $7 ELSE $8 END",
                    a, b, zero, one, p2(g, -500), under, mid, tiny);
    }
    default: break;
    }
    return sg_null(g, FT_FLOAT);
}

/* pow: domain errors first, then the size of y * ln|x| decides overflow (null) and
 * underflow (zero) away from the boundaries; see docs/sql.md for the narrow margins. */
static sg_frag pow_fn(sg_scope *sc, sg_frag x, sg_frag y)
{
    sg_gen *g = sc->g;
    sg_frag zero = sg_lit_float(g, 0.0), one = sg_lit_float(g, 1.0);
    sg_frag lx = SG_T(sc, "ln(CASE WHEN $1 = $2 THEN $3 ELSE abs($1) END)", x, zero, one);
    sg_frag l = float_arith(sc, PA_MUL, y, lx);
    return SG_T(sc,
                "CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL "
                "WHEN $1 = $3 AND $2 < $3 THEN NULL "
                "WHEN $1 < $3 AND $2 <> floor($2) THEN NULL "
                "WHEN $1 = $3 OR $2 = $3 OR abs($1) = $4 THEN power($1, $2) "
                "WHEN $5 IS NULL THEN CASE WHEN ($2 > $3) = ($1 > $4 OR $1 < -($4)) THEN NULL ELSE $3 END "
                "WHEN $5 >= $6 THEN NULL WHEN $5 <= $7 THEN $3 ELSE power($1, $2) END",
                x, y, zero, one, l, sg_lit_float(g, 709.78271289), sg_lit_float(g, -745.1332));
}

static sg_frag float_fn(sg_scope *sc, plan_fn fn, const sg_frag *a)
{
    sg_gen *g = sc->g;
    sg_frag zero = sg_lit_float(g, 0.0);
    switch (fn) {
    case PF_SQRT: return SG_T(sc, "CASE WHEN $1 < $2 THEN NULL ELSE sqrt($1) END", a[0], zero);
    case PF_LN: return SG_T(sc, "CASE WHEN $1 <= $2 THEN NULL ELSE ln($1) END", a[0], zero);
    case PF_EXP:
        /* the largest argument with a finite exp, the smallest with a non-zero one (glibc) */
        return SG_T(sc, "CASE WHEN $1 > $2 THEN NULL WHEN $1 < $3 THEN $4 ELSE exp($1) END", a[0],
                    sg_lit_float(g, 709.78271289338397), sg_lit_float(g, -745.13321910194111), zero);
    case PF_POW: return pow_fn(sc, a[0], a[1]);
    default: break;
    }
    return sg_null(g, FT_FLOAT);
}

#define FLOAT_RE "'^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$'"

/* to_float(string): the decimal exponent of the first significant digit decides the easy
 * cases; near the limits the exact numeric value is compared with the rounding bounds,
 * since the double input function raises on overflow and on underflow to zero. */
static sg_frag to_float_string(sg_scope *sc, sg_frag s)
{
    sg_gen *g = sc->g;
    sg_frag ok = sg_hoist(sc, SG_T(sc, "($1 ~ " FLOAT_RE ")", s));
    sg_frag parts = sg_hoist(
        sc, SG_T(sc, "CASE WHEN $2 THEN regexp_match($1, '^[+-]?0*([0-9]*)\\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?$') END", s, ok));
    sg_frag ex = sg_hoist(sc, SG_T(sc, "CAST(COALESCE($1[3], '0') AS numeric)", parts));
    sg_frag fz = SG_T(sc, "(length($1[2]) - length(ltrim($1[2], '0')))", parts);
    sg_frag mag = sg_hoist(sc, SG_T(sc, "CASE WHEN $1[1] <> '' THEN $2 + length($1[1]) ELSE $2 - $3 END", parts, ex, fz));
    sg_frag zero_digits = SG_T(sc, "(ltrim($1[1] || $1[2], '0') = '')", parts);
    const char *t = sg_printf(g,
                              "CASE WHEN NOT $2 THEN NULL WHEN $6 THEN CAST($1 AS double precision) "
                              "WHEN $3 > 310 THEN NULL WHEN $3 < -330 THEN $5 "
                              "WHEN $3 BETWEEN -300 AND 300 THEN CAST($1 AS double precision) "
                              "WHEN abs($4) > 1000 THEN NULL "
                              "WHEN abs(CAST($1 AS numeric)) >= %s THEN NULL "
                              "WHEN abs(CAST($1 AS numeric)) <= %s THEN $5 "
                              "ELSE CAST($1 AS double precision) END",
                              PG_OVERFLOW_DEC, PG_UNDERFLOW_DEC);
    /* Casts read the text only where it is valid (see to_int_string on constant folding). */
    sg_frag valid = sg_hoist(sc, SG_T(sc, "CASE WHEN $2 THEN $1 END", s, ok));
    return SG_T(sc, t, valid, ok, mag, ex, sg_lit_float(g, 0.0), zero_digits);
}

/* [+-]?[0-9]+ within int64, compared as digit strings before the cast (which raises). */
static sg_frag to_int_string(sg_scope *sc, sg_frag s)
{
    sg_frag neg = sg_hoist(sc, SG_T(sc, "(substr($1, 1, 1) = '-')", s));
    sg_frag sig = sg_hoist(sc, SG_T(sc, "ltrim(ltrim($1, '+-'), '0')", s));
    /* The cast sits outside the CASE: PostgreSQL folds constant subexpressions while planning,
     * so CAST('M' AS bigint) inside a branch would raise even when the branch is never taken. */
    sg_frag valid = sg_hoist(sc, SG_T(sc,
                "CASE WHEN $1 ~ '^[+-]?[0-9]+$' AND (length($2) < 19 OR length($2) = 19 AND "
                "$2 COLLATE \"C\" <= CASE WHEN $3 THEN '9223372036854775808' ELSE '9223372036854775807' END) "
                "THEN $1 END",
                s, sig, neg));
    return SG_T(sc, "CAST($1 AS bigint)", valid);
}

static sg_frag lower(sg_scope *sc, sg_frag s, bool upper)
{
    return SG_T(sc, upper ? "translate($1, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"
                          : "translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
                s);
}

static sg_frag starts_with(sg_scope *sc, sg_frag s, sg_frag p)
{
    return SG_T(sc, "starts_with($1 COLLATE \"C\", $2)", s, p);
}

static sg_frag contains(sg_scope *sc, sg_frag s, sg_frag p) { return SG_T(sc, "(strpos($1 COLLATE \"C\", $2) > 0)", s, p); }

static sg_frag pad(sg_scope *sc, sg_frag x, int width)
{
    return SG_T(sc, sg_printf(sc->g, "CASE WHEN $1 < %s THEN lpad(CAST($1 AS text), %d, '0') ELSE CAST($1 AS text) END",
                              width == 2 ? "100" : width == 4 ? "10000" : "1000000", width),
                x);
}

/* Exact: sum(bigint) is a numeric. */
static const char *agg_sum_int(sg_gen *g, const char *x)
{
    return sg_printf(g,
                     "CASE WHEN sum(%s) BETWEEN -9223372036854775808 AND 9223372036854775807 "
                     "THEN CAST(sum(%s) AS bigint) END",
                     x, x);
}

/* Integer parts below 2^62 as two bigint halves and fractions scaled by 2^52 as a bigint,
 * all summed exactly (numeric) and converted once; what remains of the fractions (below
 * 1, non-zero only for |x| < 1 with bits under 2^-52) as doubles; values of 2^62 or more
 * scaled by 2^-600 so that their sum cannot overflow. The exact parts add up the same in
 * any order (a window frame, a tile, a whole window). */
static void sum_float_parts(sg_gen *g, const char *x, sg_sum_parts *o)
{
    const char *lim = "CAST('4611686018427387904' AS double precision)";  /* 2^62 */
    const char *half = "CAST('2147483648' AS double precision)";          /* 2^31 */
    const char *two52 = "CAST('4503599627370496' AS double precision)";   /* 2^52 */
    const char *down = sg_float_text(g, ldexp(1.0, -600));
    const char *fr = sg_printf(g, "(%s - trunc(%s)) * %s", x, x, two52);
    o->n = 5;
    for (int k = 0; k < o->n; k++)
        o->fn[k] = "sum";
    o->arg[0] = sg_printf(g, "CASE WHEN abs(%s) < %s OR abs(%s) >= %s THEN 0 ELSE CAST(trunc(%s / %s) AS bigint) END", x,
                          half, x, lim, x, half);
    o->arg[1] = sg_printf(g,
                          "CASE WHEN abs(%s) >= %s THEN 0 WHEN abs(%s) < %s THEN CAST(trunc(%s) AS bigint) "
                          "ELSE CAST(trunc(%s) - trunc(%s / %s) * %s AS bigint) END",
                          x, lim, x, half, x, x, x, half, half);
    o->arg[2] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN 0 ELSE CAST(trunc(%s) AS bigint) END", x, lim, fr);
    o->arg[3] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN CAST(0 AS double precision) ELSE %s - trunc(%s) END", x, lim,
                          fr, fr);
    o->arg[4] = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN %s * CAST('%s' AS double precision) "
                             "ELSE CAST(0 AS double precision) END",
                          x, lim, x, down);
    /* 2^-52 as an exact decimal, so that the numeric sum stays exact */
    o->combine = sg_printf(g,
                           "((CAST($1 * 2147483648 + $2 + $3 * 0.0000000000000002220446049250313080847263336181640625 "
                           "AS double precision) + $4 * CAST('%s' AS double precision)) + "
                           "CASE WHEN abs($5) >= CAST('%s' AS double precision) THEN NULL "
                           "ELSE $5 * CAST('%s' AS double precision) END)",
                           sg_float_text(g, ldexp(1.0, -52)), sg_float_text(g, ldexp(1.0, 424)),
                           sg_float_text(g, ldexp(1.0, 600)));
}

/* For variance: integer parts below 2^62 as two bigint halves summed exactly (numeric),
 * fractions as doubles, larger values scaled by 2^-600 so that their sum cannot overflow.
 * Shorter than sum_float_parts, which matters when x repeats a correlated subquery. */
static const char *agg_sum_float(sg_gen *g, const char *x)
{
    const char *lim = "CAST('4611686018427387904' AS double precision)";  /* 2^62 */
    const char *half = "CAST('2147483648' AS double precision)";          /* 2^31 */
    const char *down = sg_float_text(g, ldexp(1.0, -600));
    const char *up = sg_float_text(g, ldexp(1.0, 600));
    const char *top = sg_float_text(g, ldexp(1.0, 424));
    const char *hi = sg_printf(g, "CASE WHEN abs(%s) < %s OR abs(%s) >= %s THEN 0 ELSE CAST(trunc(%s / %s) AS bigint) END",
                               x, half, x, lim, x, half);
    const char *lo = sg_printf(g,
                               "CASE WHEN abs(%s) >= %s THEN 0 WHEN abs(%s) < %s THEN CAST(trunc(%s) AS bigint) "
                               "ELSE CAST(trunc(%s) - trunc(%s / %s) * %s AS bigint) END",
                               x, lim, x, half, x, x, x, half, half);
    const char *fr = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN CAST(0 AS double precision) ELSE %s - trunc(%s) END", x,
                               lim, x, x);
    const char *bg = sg_printf(g, "CASE WHEN abs(%s) >= %s THEN %s * CAST('%s' AS double precision) "
                                  "ELSE CAST(0 AS double precision) END",
                               x, lim, x, down);
    return sg_printf(g,
                     "(CAST(sum(%s) * 2147483648 + sum(%s) AS double precision) + sum(%s)) + "
                     "CASE WHEN abs(sum(%s)) >= CAST('%s' AS double precision) THEN NULL "
                     "ELSE sum(%s) * CAST('%s' AS double precision) END",
                     hi, lo, fr, bg, top, bg, up);
}

static const char *agg_sum_int_float(sg_gen *g, const char *x)
{
    return sg_printf(g, "CAST(sum(%s) AS double precision)", x);
}

/* (x - m)^2 without raising: inf when it would overflow, 0 when it would underflow. */
static const char *agg_sq_dev(sg_gen *g, const char *x, const char *m)
{
    return sg_printf(g,
                     "CASE WHEN abs(%s) >= CAST('%s' AS double precision) OR abs(%s) >= CAST('%s' AS double precision) "
                     "THEN CAST('Infinity' AS double precision) "
                     "WHEN abs(%s - %s) >= CAST('%s' AS double precision) THEN CAST('Infinity' AS double precision) "
                     "WHEN abs(%s - %s) < CAST('%s' AS double precision) THEN CAST(0 AS double precision) "
                     "ELSE (%s - %s) * (%s - %s) END",
                     x, sg_float_text(g, ldexp(1.0, 1022)), m, sg_float_text(g, ldexp(1.0, 1022)), x, m,
                     sg_float_text(g, ldexp(1.0, 511)), x, m, sg_float_text(g, ldexp(1.0, -537)), x, m, x, m);
}

const sg_dialect sg_dialect_postgres = {
    .id = DB_POSTGRES,
    .type_bool = "boolean",
    .type_int = "bigint",
    .type_float = "double precision",
    .type_string = "text",
    .type_hugeint = "numeric",
    .collate = " COLLATE \"C\"",
    .idiv = "/",
    .int_min = "CAST(-9223372036854775808 AS bigint)",
    .finite = pg_finite,
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
    .sum_float_parts = sum_float_parts,
};
