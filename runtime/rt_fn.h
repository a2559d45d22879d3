/* rt_fn.h - the value semantics of expressions: operators and built-in functions on slots. */
#ifndef FEATRT_FN_H
#define FEATRT_FN_H

#include "rt_scratch.h"
#include "rt_types.h"

/* These functions are the single definition of expression semantics for the native path;
 * the SQL back ends reproduce them operation by operation.
 *
 * Calling convention (the same for every entry, so generated code calls them uniformly):
 *     void rt_fn_NAME(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
 *     void rt_fn_NAME(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
 * The second form is for the variadic functions (coalesce, least, greatest; nargs >= 1).
 * Argument types are fixed by the function's name (suffix _int, _float, ... or, without a
 * suffix, the types written below). Bool and timestamp values live in v.i (bool: 0 or 1);
 * timestamps and durations are epoch/int microseconds.
 * - A null argument gives a null result unless the line below says otherwise.
 * - A null result has null = 1 and v.i = 0, len = 0.
 * - A string result points into an argument's bytes, into static text or into memory
 *   taken from scratch (valid until the scratch is reset). scratch may be NULL for the
 *   functions that never allocate (all but lower, upper, concat, to_float_string,
 *   to_string_int, to_string_timestamp and geohash).
 * - out may be the same slot as one of args (arguments are read before out is written).
 * - Errors become null: an int result outside int64, a NaN or infinite float result.
 * - Floats passed in are never NaN or infinite (nothing produces them); strings are
 *   UTF-8 (code points are counted as bytes outside 0x80..0xBF, so malformed input is
 *   handled without crashing, just not meaningfully).
 * - Every float formula below is a sequence of separately rounded double operations: no
 *   fused multiply-add (GCC's -std=c11 keeps contraction off; generated code must too).
 */

/* ---- operators (rt_fn_math.c, rt_fn_string.c, rt_fn_time.c) ---- */

/* int a + b, a - b, a * b; null when the exact result is outside int64. */
void rt_op_add_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
void rt_op_sub_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
void rt_op_mul_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* int -a; null for INT64_MIN. */
void rt_op_neg_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* int a % b: remainder with the sign of a (C's %); null when b == 0; INT64_MIN % -1 is 0. */
void rt_op_mod_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args);

/* float a + b, a - b, a * b (IEEE double); null when the result is NaN or infinite. */
void rt_op_add_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
void rt_op_sub_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
void rt_op_mul_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* float a / b; null when b is 0 (either sign) or the result is NaN or infinite. */
void rt_op_div_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* float -a (exact; -0.0 for 0.0). */
void rt_op_neg_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);

/* timestamp a + int b, timestamp a - int b (microseconds); null when outside int64. */
void rt_op_ts_add(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
void rt_op_ts_sub(rt_scratch *scratch, rt_slot *out, const rt_slot *args);

/* string a || b, new bytes in scratch; null when the result would exceed UINT32_MAX bytes. */
void rt_op_concat(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* Byte-wise order of two non-null strings: memcmp over the common prefix, then the shorter
 * first. Returns <0, 0 or >0. (Not slot-convention: comparisons produce the bool inline.) */
int rt_op_compare_string(const rt_slot *a, const rt_slot *b);

/* ---- null handling and choice (rt_fn_math.c) ---- */

/* coalesce(args...): a copy of the first non-null argument, else null. Any type. */
void rt_fn_coalesce(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
/* least/greatest(args...): null if any argument is null; else the smallest/largest, the
 * earliest argument among equal ones. Strings byte-wise (rt_op_compare_string), bools
 * false < true, timestamps as int. A string result points into the chosen argument. */
void rt_fn_least_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_least_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_least_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_least_timestamp(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_least_bool(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_greatest_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_greatest_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_greatest_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_greatest_timestamp(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);
void rt_fn_greatest_bool(rt_scratch *scratch, rt_slot *out, const rt_slot *args, int64_t nargs);

/* ---- numbers (rt_fn_math.c) ---- */

/* abs(int): null for INT64_MIN. abs(float): fabs. */
void rt_fn_abs_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
void rt_fn_abs_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* floor/ceil of a float, as a float (floor/ceil/round of an int is the int itself and is
 * not a call). */
void rt_fn_floor_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
void rt_fn_ceil_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* round(float x, int n), n in 0..15 (else null): with p = 10^n (an exact double),
 *     x                                    when fabs(x) * p >= 2^52
 *     (sign(x) * floor(fabs(x) * p + 0.5)) / p   otherwise (sign(x) in {-1.0, 0.0, 1.0}),
 * every operation a double operation, in this order. Half away from zero on the scaled
 * double: round(2.5, 0) = 3, round(-2.5, 0) = -3, round(0.285, 2) = 0.28. */
void rt_fn_round_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* sqrt(float): null for x < 0 (sqrt(-0.0) is -0.0). */
void rt_fn_sqrt(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* ln(float): natural log; null for x <= 0. */
void rt_fn_ln(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* exp(float): null when the result is infinite; an underflow keeps its value (exp(-1000) = 0). */
void rt_fn_exp(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* pow(float x, float y): C pow; null when the result is NaN or infinite (pow(0, -1),
 * pow(-8, 1.0/3)); pow(0, 0) = 1. */
void rt_fn_pow(rt_scratch *scratch, rt_slot *out, const rt_slot *args);

/* ---- strings (rt_fn_string.c) ---- */

/* lower/upper(string): maps A-Z to a-z (resp. a-z to A-Z); every other byte unchanged. */
void rt_fn_lower(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
void rt_fn_upper(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* length(string) -> int: number of code points. */
void rt_fn_length(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* substr(string s, int start, int len): code points start .. start+len-1 (1-based) of s,
 * cut at the end of s (empty when start is past the end); null when start < 1 or len < 0.
 * Points into s. */
void rt_fn_substr(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* starts_with(string s, string p) -> bool: p is a byte prefix of s (true for empty p). */
void rt_fn_starts_with(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* contains(string s, string p) -> bool: p occurs in s as bytes (true for empty p). */
void rt_fn_contains(rt_scratch *scratch, rt_slot *out, const rt_slot *args);

/* ---- conversions (rt_fn_convert.c) ---- */

/* to_float(int): the nearest double (ties to even), as C's (double) conversion. */
void rt_fn_to_float_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* to_float(string): the whole string must match
 *     [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?
 * (no spaces, no inf/nan/hex), else null; the value is the correctly rounded double of the
 * decimal (strtod, C locale); null when that overflows to infinity; underflow keeps its
 * value (to 0 or a subnormal). */
void rt_fn_to_float_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* to_int(float): truncated toward zero; null when the result is outside int64. */
void rt_fn_to_int_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* to_int(bool): 0 or 1. */
void rt_fn_to_int_bool(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* to_int(string): the whole string must match [+-]?[0-9]+ (leading zeros allowed), else
 * null; null when the value is outside int64. */
void rt_fn_to_int_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* to_string(int): decimal, '-' for negatives, no '+' or leading zeros. */
void rt_fn_to_string_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* to_string(bool): "true" or "false". */
void rt_fn_to_string_bool(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* to_string(string): the argument itself. */
void rt_fn_to_string_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* to_string(timestamp): rt_time_format's YYYY-MM-DDTHH:MM:SS.ffffffZ. */
void rt_fn_to_string_timestamp(rt_scratch *scratch, rt_slot *out, const rt_slot *args);

/* ---- time (rt_fn_time.c) ---- */

/* seconds_between(timestamp a, timestamp b) -> float: d = b - a computed exactly in int64
 * (null when that overflows), then (double)d / 1e6 (two IEEE roundings, in this order). */
void rt_fn_seconds_between(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* hour_of_day(timestamp) -> int 0..23: floor_mod(floor_div(us, 3600 * 10^6), 24). */
void rt_fn_hour_of_day(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* day_of_week(timestamp) -> int 0..6, 0 = Monday:
 * floor_mod(floor_div(us, 86400 * 10^6) + 3, 7) (1970-01-01 was a Thursday). */
void rt_fn_day_of_week(rt_scratch *scratch, rt_slot *out, const rt_slot *args);

/* ---- geography (rt_fn_geo.c) ---- */

/* geohash(float lat, float lon, int precision) -> string of `precision` characters from
 * "0123456789bcdefghjkmnpqrstuvwxyz"; null when precision is outside 1..12, lat outside
 * [-90, 90] or lon outside [-180, 180]. Bits alternate starting with lon; for each bit the
 * interval [lo, hi] (lon from [-180, 180], lat from [-90, 90]) is halved at
 * mid = (lo + hi) / 2: value >= mid gives bit 1 and lo = mid, else bit 0 and hi = mid
 * (all these doubles are exact). Five bits per character, most significant first. */
void rt_fn_geohash(rt_scratch *scratch, rt_slot *out, const rt_slot *args);
/* haversine_km(float lat1, float lon1, float lat2, float lon2) -> float, in this order of
 * double operations (RT_DEG2RAD = M_PI / 180.0, RT_EARTH_RADIUS_KM = 6371.0088):
 *     p1 = lat1 * RT_DEG2RAD            p2 = lat2 * RT_DEG2RAD
 *     dp = (lat2 - lat1) * RT_DEG2RAD   dl = (lon2 - lon1) * RT_DEG2RAD
 *     s1 = sin(dp / 2.0)                s2 = sin(dl / 2.0)
 *     h  = s1 * s1 + ((cos(p1) * cos(p2)) * (s2 * s2))
 *     h  = h < 0.0 ? 0.0 : (h > 1.0 ? 1.0 : h)
 *     d  = (2.0 * RT_EARTH_RADIUS_KM) * asin(sqrt(h))
 * No range check on the inputs. */
#define RT_DEG2RAD (3.14159265358979323846 / 180.0) /* M_PI / 180.0 */
#define RT_EARTH_RADIUS_KM 6371.0088
void rt_fn_haversine_km(rt_scratch *scratch, rt_slot *out, const rt_slot *args);

#endif
