/* sqlgen_expr.c - plan expressions to guarded SQL fragments, shared by every dialect. */
#include "sqlgen_int.h"

#include "rt_fn.h"
#include "rt_format.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#define US_PER_HOUR INT64_C(3600000000)
#define US_PER_DAY INT64_C(86400000000)

const char *sg_float_text(sg_gen *g, double f)
{
    char buf[RT_FLOAT_BUF];
    rt_format_float(f, buf);
    return arena_strdup(&g->mem, buf);
}

sg_frag sg_lit_int(sg_gen *g, int64_t v)
{
    if (v == INT64_MIN)
        return sg_atom(g->d->int_min, 0);
    if (g->d->id == DB_SQLITE)
        return sg_atom(v < 0 ? sg_printf(g, "(%" PRId64 ")", v) : sg_printf(g, "%" PRId64, v), 0);
    return sg_atom(sg_printf(g, "CAST(%" PRId64 " AS %s)", v, g->d->type_int), 0);
}

sg_frag sg_lit_float(sg_gen *g, double f) { return g->d->lit_float(g, f); }

sg_frag sg_null(sg_gen *g, ftype t)
{
    const sg_dialect *d = g->d;
    const char *type = t == FT_BOOL     ? d->type_bool
                       : t == FT_INT || t == FT_TIMESTAMP ? d->type_int
                       : t == FT_FLOAT  ? d->type_float
                       : t == FT_STRING ? d->type_string
                                        : NULL;
    return sg_atom(type ? sg_printf(g, "CAST(NULL AS %s)", type) : "NULL", 0);
}

sg_frag sg_lit(sg_gen *g, const plan_value *v)
{
    if (v->is_null || v->type == FT_NULL)
        return sg_null(g, v->type);
    switch (v->type) {
    case FT_BOOL: return g->d->lit_bool(g, v->b);
    case FT_INT:
    case FT_TIMESTAMP:
    case FT_DURATION: return sg_lit_int(g, v->i);
    case FT_FLOAT: return sg_lit_float(g, v->f);
    case FT_STRING: {
        strbuf b = STRBUF_INIT;
        if (db_quote_string(g->d->id, v->s, v->s_len, &b) != 0)
            sg_fail(g, "a string literal contains a NUL byte, which no SQL string can hold");
        sg_frag f = sg_atom(arena_strndup(&g->mem, strbuf_cstr(&b), b.len), 0);
        strbuf_free(&b);
        return f;
    }
    default: break;
    }
    assert(!"constant of unexpected type");
    return sg_null(g, FT_NULL);
}

sg_frag sg_floor_div(sg_scope *sc, sg_frag a, int64_t b)
{
    assert(b > 0);
    sg_frag k = sg_lit_int(sc->g, b);
    const char *t = sg_printf(sc->g, "($1 %s $2 - CASE WHEN $1 %% $2 < 0 THEN $3 ELSE $4 END)", sc->g->d->idiv);
    return SG_T(sc, t, a, k, sg_lit_int(sc->g, 1), sg_lit_int(sc->g, 0));
}

sg_frag sg_floor_mod(sg_scope *sc, sg_frag a, int64_t b)
{
    assert(b > 0);
    return SG_T(sc, "CASE WHEN $1 % $2 < 0 THEN $1 % $2 + $2 ELSE $1 % $2 END", a, sg_lit_int(sc->g, b));
}

/* Joins n fragments as PREFIX a0 SEP a1 ... SUFFIX, each used once. */
static sg_frag join(sg_scope *sc, const char *prefix, const char *sep, const char *suffix, int n, const sg_frag *a)
{
    strbuf b = STRBUF_INIT;
    strbuf_append(&b, prefix);
    int level = 0, depth = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            strbuf_append(&b, sep);
        strbuf_append(&b, a[i].sql);
        if (a[i].level > level)
            level = a[i].level;
        if (a[i].depth > depth)
            depth = a[i].depth;
    }
    strbuf_append(&b, suffix);
    sg_frag r = {.sql = arena_strndup(&sc->g->mem, strbuf_cstr(&b), b.len), .level = level, .depth = depth + 1};
    strbuf_free(&b);
    return r.depth > 24 && sc->rel ? sg_hoist(sc, r) : r;
}

static const char *collate(sg_gen *g, ftype t) { return t == FT_STRING ? g->d->collate : ""; }

static sg_frag compare(sg_scope *sc, plan_cmp cmp, ftype t, sg_frag a, sg_frag b)
{
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    return SG_T(sc, sg_printf(sc->g, "($1%s %s $2)", collate(sc->g, t), ops[cmp]), a, b);
}

static sg_frag int_neg(sg_scope *sc, sg_frag a)
{
    return SG_T(sc, "CASE WHEN $1 = $2 THEN NULL ELSE (-($1)) END", a, sg_lit_int(sc->g, INT64_MIN));
}

static sg_frag int_mod(sg_scope *sc, sg_frag a, sg_frag b)
{
    sg_gen *g = sc->g;
    /* x % -1 is 0 (INT64_MIN % -1 must not reach the engine), but null when x is null. */
    return SG_T(sc, "CASE WHEN $2 = $3 THEN NULL WHEN $1 IS NULL THEN NULL WHEN $2 = $4 THEN $3 ELSE ($1 % $2) END", a, b,
                sg_lit_int(g, 0), sg_lit_int(g, -1));
}

/* a / k for int a >= 0 and constant k > 0 (truncating division is floor division here) */
static sg_frag idiv(sg_scope *sc, sg_frag a, int64_t k)
{
    return SG_T(sc, sg_printf(sc->g, "($1 %s $2)", sc->g->d->idiv), a, sg_lit_int(sc->g, k));
}

/* a * k + b (ints, no overflow possible where used) */
static sg_frag lin(sg_scope *sc, sg_frag a, int64_t k, sg_frag b)
{
    return SG_T(sc, "($1 * $2 + $3)", a, sg_lit_int(sc->g, k), b);
}

static sg_frag sub(sg_scope *sc, sg_frag a, sg_frag b) { return SG_T(sc, "($1 - $2)", a, b); }

/* The civil date and time of a timestamp, formatted as rt_time_format does
 * (civil_from_days after Howard Hinnant; every division is of a non-negative value or
 * floored). */
static sg_frag format_timestamp(sg_scope *sc, sg_frag us)
{
    sg_gen *g = sc->g;
    const sg_dialect *d = g->d;
    sg_frag zero = sg_lit_int(g, 0);
    sg_frag days = sg_floor_div(sc, us, US_PER_DAY);
    sg_frag rem = sg_hoist(sc, sg_floor_mod(sc, us, US_PER_DAY));
    sg_frag z = sg_hoist(sc, SG_T(sc, "($1 + $2)", days, sg_lit_int(g, 719468)));
    sg_frag era = sg_hoist(sc, sg_floor_div(sc, z, 146097));
    sg_frag doe = sg_hoist(sc, lin(sc, era, -146097, z));
    /* yoe = (doe - doe/1460 + doe/36524 - doe/146096) / 365 */
    sg_frag yoe = sg_hoist(
        sc, idiv(sc, SG_T(sc, "($1 - $2 + $3 - $4)", doe, idiv(sc, doe, 1460), idiv(sc, doe, 36524), idiv(sc, doe, 146096)),
                 365));
    /* doy = doe - (365 * yoe + yoe/4 - yoe/100) */
    sg_frag doy = sg_hoist(sc, sub(sc, doe, SG_T(sc, "($1 + $2 - $3)", lin(sc, yoe, 365, zero), idiv(sc, yoe, 4),
                                                 idiv(sc, yoe, 100))));
    sg_frag mp = sg_hoist(sc, idiv(sc, lin(sc, doy, 5, sg_lit_int(g, 2)), 153));
    /* day = doy - (153 * mp + 2) / 5 + 1 */
    sg_frag day = SG_T(sc, "($1 - $2 + $3)", doy, idiv(sc, lin(sc, mp, 153, sg_lit_int(g, 2)), 5), sg_lit_int(g, 1));
    sg_frag mon = sg_hoist(sc, SG_T(sc, "CASE WHEN $1 < $2 THEN $1 + $3 ELSE $1 - $4 END", mp, sg_lit_int(g, 10),
                                    sg_lit_int(g, 3), sg_lit_int(g, 9)));
    sg_frag year = sg_hoist(sc, SG_T(sc, "($1 + $2 + CASE WHEN $3 <= $4 THEN $5 ELSE $6 END)", yoe,
                                     lin(sc, era, 400, zero), mon, sg_lit_int(g, 2), sg_lit_int(g, 1), zero));
    sg_frag secs = sg_hoist(sc, idiv(sc, rem, 1000000));
    sg_frag hh = idiv(sc, secs, 3600);
    sg_frag mi = SG_T(sc, "($1 % $2)", idiv(sc, secs, 60), sg_lit_int(g, 60));
    sg_frag ss = SG_T(sc, "($1 % $2)", secs, sg_lit_int(g, 60));
    sg_frag frac = SG_T(sc, "($1 % $2)", rem, sg_lit_int(g, 1000000));
    sg_frag absy = SG_T(sc, "CASE WHEN $1 < $2 THEN (-($1)) ELSE $1 END", year, zero);
    sg_frag sign = SG_T(sc, "CASE WHEN $1 < $2 THEN '-' WHEN $1 > $3 THEN '+' ELSE '' END", year, zero,
                        sg_lit_int(g, 9999));
    sg_frag parts[] = {sign,           d->pad(sc, absy, 4), sg_atom("'-'", 0), d->pad(sc, mon, 2),
                       sg_atom("'-'", 0), d->pad(sc, day, 2),  sg_atom("'T'", 0), d->pad(sc, hh, 2),
                       sg_atom("':'", 0), d->pad(sc, mi, 2),   sg_atom("':'", 0), d->pad(sc, ss, 2),
                       sg_atom("'.'", 0), d->pad(sc, frac, 6), sg_atom("'Z'", 0)};
    sg_frag text = join(sc, "(", " || ", ")", (int)(sizeof parts / sizeof parts[0]), parts);
    return SG_T(sc, "CASE WHEN $1 IS NULL THEN NULL ELSE $2 END", us, text);
}

/* geohash(lat, lon, precision): the cell index of each coordinate is the number of
 * bisection boundaries at or below it. An estimate from one double division is off by at
 * most one and is corrected against the exact boundaries lo + k * (range / 2^bits), so the
 * result is the bisection's, bit for bit. */
static sg_frag cell_index(sg_scope *sc, sg_frag v, double lo, double range, int bits)
{
    sg_gen *g = sc->g;
    int64_t n = INT64_C(1) << bits;
    double step = range / (double)n; /* exact: a power-of-two fraction of 360 or 180 */
    sg_frag est = sg_hoist(sc, SG_T(sc, sg_printf(g, "CAST(floor(($1 - $2) / $3 * $4) AS %s)", g->d->type_int), v,
                                    sg_lit_float(g, lo), sg_lit_float(g, range), sg_lit_float(g, (double)n)));
    sg_frag k0 = sg_hoist(sc, SG_T(sc, "CASE WHEN $1 < $2 THEN $2 WHEN $1 > $3 THEN $3 ELSE $1 END", est,
                                   sg_lit_int(g, 0), sg_lit_int(g, n - 1)));
    const char *t = sg_printf(g,
                              "CASE WHEN $1 < $2 + CAST($3 AS %s) * $4 THEN $3 - $5 "
                              "WHEN $3 < $6 AND $1 >= $2 + CAST($3 + $5 AS %s) * $4 THEN $3 + $5 ELSE $3 END",
                              g->d->type_float, g->d->type_float);
    return sg_hoist(sc, SG_T(sc, t, v, sg_lit_float(g, lo), k0, sg_lit_float(g, step), sg_lit_int(g, 1),
                             sg_lit_int(g, n - 1)));
}

static sg_frag geohash(sg_scope *sc, sg_frag lat, sg_frag lon, int precision)
{
    sg_gen *g = sc->g;
    assert(precision >= 1 && precision <= 12);
    int nbits = 5 * precision, nlon = (nbits + 1) / 2, nlat = nbits / 2;
    /* clamped copies, so that no column computes anything out of range */
    sg_frag ok = sg_hoist(sc, SG_T(sc, "($1 >= $3 AND $1 <= $4 AND $2 >= $5 AND $2 <= $6)", lat, lon,
                                   sg_lit_float(g, -90.0), sg_lit_float(g, 90.0), sg_lit_float(g, -180.0),
                                   sg_lit_float(g, 180.0)));
    sg_frag latc = sg_hoist(sc, SG_T(sc, "CASE WHEN $1 THEN $2 ELSE $3 END", ok, lat, sg_lit_float(g, 0.0)));
    sg_frag lonc = sg_hoist(sc, SG_T(sc, "CASE WHEN $1 THEN $2 ELSE $3 END", ok, lon, sg_lit_float(g, 0.0)));
    sg_frag klon = cell_index(sc, lonc, -180.0, 360.0, nlon);
    sg_frag klat = cell_index(sc, latc, -90.0, 180.0, nlat);
    sg_frag chars[12];
    for (int c = 0; c < precision; c++) {
        strbuf b = STRBUF_INIT;
        strbuf_appendf(&b, "substr('0123456789bcdefghjkmnpqrstuvwxyz', CAST(1");
        for (int j = 0; j < 5; j++) {
            int i = 5 * c + j; /* bit index in the interleaved sequence, lon first */
            bool is_lon = i % 2 == 0;
            int shift = is_lon ? nlon - 1 - i / 2 : nlat - 1 - i / 2;
            strbuf_appendf(&b, " + ((%s >> %d) & 1) * %d", is_lon ? "$1" : "$2", shift, 1 << (4 - j));
        }
        strbuf_append(&b, " AS INTEGER), 1)");
        chars[c] = SG_T(sc, arena_strndup(&g->mem, strbuf_cstr(&b), b.len), klon, klat);
        strbuf_free(&b);
    }
    sg_frag text = join(sc, "(", " || ", ")", precision, chars);
    return SG_T(sc, "CASE WHEN $1 THEN $2 END", ok, text);
}

/* haversine_km, operation by operation as rt_fn_haversine_km. */
static sg_frag haversine(sg_scope *sc, const sg_frag *a)
{
    sg_gen *g = sc->g;
    const sg_dialect *d = g->d;
    sg_frag rad = sg_lit_float(g, RT_DEG2RAD), two = sg_lit_float(g, 2.0);
    sg_frag p1 = d->float_arith(sc, PA_MUL, a[0], rad);
    sg_frag p2 = d->float_arith(sc, PA_MUL, a[2], rad);
    sg_frag dp = d->float_arith(sc, PA_MUL, d->float_arith(sc, PA_SUB, a[2], a[0]), rad);
    sg_frag dl = d->float_arith(sc, PA_MUL, d->float_arith(sc, PA_SUB, a[3], a[1]), rad);
    sg_frag s1 = SG_T(sc, sg_printf(g, "%s($1)", d->fn_sin), d->float_arith(sc, PA_DIV, dp, two));
    sg_frag s2 = SG_T(sc, sg_printf(g, "%s($1)", d->fn_sin), d->float_arith(sc, PA_DIV, dl, two));
    sg_frag c1 = SG_T(sc, sg_printf(g, "%s($1)", d->fn_cos), p1);
    sg_frag c2 = SG_T(sc, sg_printf(g, "%s($1)", d->fn_cos), p2);
    sg_frag h = d->float_arith(sc, PA_ADD, d->float_arith(sc, PA_MUL, s1, s1),
                               d->float_arith(sc, PA_MUL, d->float_arith(sc, PA_MUL, c1, c2),
                                              d->float_arith(sc, PA_MUL, s2, s2)));
    sg_frag hc = SG_T(sc, "CASE WHEN $1 < $2 THEN $2 WHEN $1 > $3 THEN $3 ELSE $1 END", h, sg_lit_float(g, 0.0),
                      sg_lit_float(g, 1.0));
    sg_frag as = SG_T(sc, sg_printf(g, "%s(sqrt($1))", d->fn_asin), hc);
    return d->float_arith(sc, PA_MUL, sg_lit_float(g, 2.0 * RT_EARTH_RADIUS_KM), as);
}

/* round(x, n) for a float x, by the contract's formula in doubles. */
static sg_frag round_float(sg_scope *sc, sg_frag x, int n)
{
    sg_gen *g = sc->g;
    double p = 1.0;
    for (int i = 0; i < n; i++)
        p *= 10.0; /* exact up to 10^15 */
    sg_frag lim = sg_lit_float(g, 4503599627370496.0); /* 2^52 */
    sg_frag pf = sg_lit_float(g, p);
    return SG_T(sc,
                "CASE WHEN abs($1) >= $2 THEN $1 WHEN abs($1) * $3 >= $2 THEN $1 "
                "ELSE (sign($1) * floor(abs($1) * $3 + $4)) / $3 END",
                x, lim, pf, sg_lit_float(g, 0.5));
}

/* least/greatest: null when any argument is null. */
static sg_frag least(sg_scope *sc, bool greatest, ftype t, int n, sg_frag *v)
{
    sg_gen *g = sc->g;
    /* One argument is its own least and greatest; and in SQLite min(x)/max(x) with one
     * argument is the aggregate, which would collapse the whole query to one row. */
    if (n == 1)
        return v[0];
    for (int i = 0; i < n; i++)
        if (g->d->least_skips_null || (t == FT_STRING && *g->d->collate))
            v[i] = sg_hoist(sc, v[i]);
    strbuf b = STRBUF_INIT;
    strbuf_appendf(&b, "%s(", greatest ? g->d->fn_greatest : g->d->fn_least);
    for (int i = 0; i < n; i++)
        strbuf_appendf(&b, "%s%s%s", i ? ", " : "", v[i].sql, collate(g, t));
    strbuf_append(&b, ")");
    sg_frag call_text = sg_atom(arena_strndup(&g->mem, strbuf_cstr(&b), b.len), 0);
    strbuf_free(&b);
    int level = 0;
    for (int i = 0; i < n; i++)
        if (v[i].level > level)
            level = v[i].level;
    call_text.level = level;
    call_text.atomic = false;
    call_text.depth = 1;
    if (!g->d->least_skips_null)
        return call_text;
    sg_frag *parts = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)(n + 2));
    for (int i = 0; i < n; i++)
        parts[i] = (sg_frag){.sql = sg_printf(g, "%s IS NULL", v[i].sql), .level = v[i].level, .depth = 1};
    sg_frag any_null = join(sc, "(", " OR ", ")", n, parts);
    return SG_T(sc, "CASE WHEN $1 THEN NULL ELSE $2 END", any_null, call_text);
}

static sg_frag call(sg_scope *sc, const plan_expr *x)
{
    sg_gen *g = sc->g;
    const sg_dialect *d = g->d;
    sg_frag a[12];
    int n = x->nargs;
    assert(n >= 1);
    if (x->fn != PF_COALESCE && x->fn != PF_LEAST && x->fn != PF_GREATEST) {
        assert(n <= 4);
        for (int i = 0; i < n; i++)
            a[i] = sg_expr(sc, x->args[i]);
    }
    ftype t0 = x->args[0]->type;
    switch (x->fn) {
    case PF_COALESCE:
    case PF_LEAST:
    case PF_GREATEST: {
        sg_frag *v = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)n);
        for (int i = 0; i < n; i++)
            v[i] = sg_expr(sc, x->args[i]);
        if (x->fn == PF_COALESCE)
            return n == 1 ? v[0] : join(sc, "COALESCE(", ", ", ")", n, v);
        return least(sc, x->fn == PF_GREATEST, x->type, n, v);
    }
    case PF_ABS:
        if (t0 == FT_INT)
            return SG_T(sc, "CASE WHEN $1 = $2 THEN NULL ELSE abs($1) END", a[0], sg_lit_int(g, INT64_MIN));
        return SG_T(sc, "abs($1)", a[0]);
    case PF_FLOOR:
    case PF_CEIL:
        if (t0 == FT_INT)
            return a[0];
        return SG_T(sc, x->fn == PF_FLOOR ? "floor($1)" : "ceil($1)", a[0]);
    case PF_ROUND:
        if (t0 == FT_INT)
            return a[0];
        assert(x->args[1]->kind == PX_CONST);
        return round_float(sc, a[0], (int)x->args[1]->value.i);
    case PF_SQRT:
    case PF_LN:
    case PF_EXP:
    case PF_POW: return d->float_fn(sc, x->fn, a);
    case PF_LOWER:
    case PF_UPPER: return d->lower(sc, a[0], x->fn == PF_UPPER);
    case PF_LENGTH: return SG_T(sc, sg_printf(g, "CAST(length($1) AS %s)", d->type_int), a[0]);
    case PF_SUBSTR: {
        const char *t = sg_printf(g,
                                  "CASE WHEN $2 < $4 OR $3 < $5 THEN NULL ELSE substr($1, "
                                  "CAST(CASE WHEN $2 > $6 THEN $6 ELSE $2 END AS INTEGER), "
                                  "CAST(CASE WHEN $3 > $6 THEN $6 ELSE $3 END AS INTEGER)) END");
        return SG_T(sc, t, a[0], a[1], a[2], sg_lit_int(g, 1), sg_lit_int(g, 0), sg_lit_int(g, 1000000000));
    }
    case PF_STARTS_WITH: return d->starts_with(sc, a[0], a[1]);
    case PF_CONTAINS: return d->contains(sc, a[0], a[1]);
    case PF_TO_FLOAT:
        if (t0 == FT_INT)
            return SG_T(sc, sg_printf(g, "CAST($1 AS %s)", d->type_float), a[0]);
        assert(t0 == FT_STRING);
        return d->to_float_string(sc, a[0]);
    case PF_TO_INT:
        if (t0 == FT_FLOAT) {
            const char *t = sg_printf(g, "CASE WHEN $1 >= $2 OR $1 < $3 THEN NULL ELSE CAST(trunc($1) AS %s) END",
                                      d->type_int);
            return SG_T(sc, t, a[0], sg_lit_float(g, 9223372036854775808.0), sg_lit_float(g, -9223372036854775808.0));
        }
        if (t0 == FT_BOOL)
            return SG_T(sc, "CASE WHEN $1 THEN $2 WHEN NOT $1 THEN $3 END", a[0], sg_lit_int(g, 1), sg_lit_int(g, 0));
        assert(t0 == FT_STRING);
        return d->to_int_string(sc, a[0]);
    case PF_TO_STRING:
        if (t0 == FT_INT)
            return SG_T(sc, sg_printf(g, "CAST($1 AS %s)", d->type_string), a[0]);
        if (t0 == FT_BOOL)
            return SG_T(sc, "CASE WHEN $1 THEN 'true' WHEN NOT $1 THEN 'false' END", a[0]);
        assert(t0 == FT_TIMESTAMP);
        return format_timestamp(sc, a[0]);
    case PF_SECONDS_BETWEEN: {
        sg_frag diff = d->int_arith(sc, PA_SUB, a[1], a[0]);
        return SG_T(sc, sg_printf(g, "(CAST($1 AS %s) / $2)", d->type_float), diff, sg_lit_float(g, 1e6));
    }
    case PF_HOUR_OF_DAY: return sg_floor_mod(sc, sg_floor_div(sc, a[0], US_PER_HOUR), 24);
    case PF_DAY_OF_WEEK:
        return sg_floor_mod(sc, SG_T(sc, "($1 + $2)", sg_floor_div(sc, a[0], US_PER_DAY), sg_lit_int(g, 3)), 7);
    case PF_GEOHASH:
        assert(x->args[2]->kind == PX_CONST);
        return geohash(sc, a[0], a[1], (int)x->args[2]->value.i);
    case PF_HAVERSINE_KM: return haversine(sc, a);
    case PF_COUNT_: break;
    }
    assert(!"unknown function");
    return sg_null(g, x->type);
}

sg_frag sg_expr(sg_scope *sc, const plan_expr *x)
{
    sg_gen *g = sc->g;
    const sg_dialect *d = g->d;
    switch (x->kind) {
    case PX_CONST: return sg_lit(g, &x->value);
    case PX_COLUMN:
    case PX_REQUEST:
    case PX_FEATURE:
    case PX_OD_FEATURE:
    case PX_NOW: return sc->leaf(sc, x);
    case PX_TO_FLOAT: return SG_T(sc, sg_printf(g, "CAST($1 AS %s)", d->type_float), sg_expr(sc, x->args[0]));
    case PX_NEG: {
        sg_frag a = sg_expr(sc, x->args[0]);
        return x->type == FT_INT ? int_neg(sc, a) : SG_T(sc, "(-($1))", a);
    }
    case PX_NOT: return SG_T(sc, "(NOT $1)", sg_expr(sc, x->args[0]));
    case PX_AND: return SG_T(sc, "($1 AND $2)", sg_expr(sc, x->args[0]), sg_expr(sc, x->args[1]));
    case PX_OR: return SG_T(sc, "($1 OR $2)", sg_expr(sc, x->args[0]), sg_expr(sc, x->args[1]));
    case PX_ARITH: {
        sg_frag a = sg_expr(sc, x->args[0]), b = sg_expr(sc, x->args[1]);
        if (x->operand_type == FT_FLOAT)
            return d->float_arith(sc, x->arith, a, b);
        assert(x->operand_type == FT_INT && x->arith != PA_DIV);
        return x->arith == PA_MOD ? int_mod(sc, a, b) : d->int_arith(sc, x->arith, a, b);
    }
    case PX_TS_ADD:
    case PX_TS_SUB:
        return d->int_arith(sc, x->kind == PX_TS_ADD ? PA_ADD : PA_SUB, sg_expr(sc, x->args[0]), sg_expr(sc, x->args[1]));
    case PX_CONCAT: return SG_T(sc, "($1 || $2)", sg_expr(sc, x->args[0]), sg_expr(sc, x->args[1]));
    case PX_COMPARE:
        return compare(sc, x->cmp, x->operand_type, sg_expr(sc, x->args[0]), sg_expr(sc, x->args[1]));
    case PX_IS_NULL:
        return SG_T(sc, x->negated ? "($1 IS NOT NULL)" : "($1 IS NULL)", sg_expr(sc, x->args[0]));
    case PX_IN: {
        sg_frag *v = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)x->nargs);
        for (int i = 0; i < x->nargs; i++)
            v[i] = sg_expr(sc, x->args[i]);
        sg_frag items = join(sc, "(", ", ", ")", x->nargs - 1, v + 1);
        const char *t = sg_printf(g, "($1%s %sIN $2)", collate(g, x->operand_type), x->negated ? "NOT " : "");
        return SG_T(sc, t, v[0], items);
    }
    case PX_CASE: {
        int n = x->nargs;
        sg_frag *v = arena_alloc(&g->mem, sizeof(sg_frag) * (size_t)(2 * n + 2));
        int k = 0, pairs = x->has_else ? (n - 1) / 2 : n / 2;
        for (int i = 0; i < pairs; i++) {
            v[k++] = sg_atom(" WHEN ", 0);
            v[k++] = sg_expr(sc, x->args[2 * i]);
            v[k++] = sg_atom(" THEN ", 0);
            v[k++] = sg_expr(sc, x->args[2 * i + 1]);
        }
        if (x->has_else) {
            v[k++] = sg_atom(" ELSE ", 0);
            v[k++] = sg_expr(sc, x->args[n - 1]);
        }
        return join(sc, "CASE", "", " END", k, v);
    }
    case PX_CALL: return call(sc, x);
    }
    assert(!"unknown expression");
    return sg_null(g, x->type);
}
