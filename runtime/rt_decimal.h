/* rt_decimal.h - exact conversion of decimal number text to scaled integers and doubles. */
#ifndef FEATRT_DECIMAL_H
#define FEATRT_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Results of rt_decimal_scaled. */
typedef enum rt_dec_status {
    RT_DEC_OK = 0,
    RT_DEC_SYNTAX,  /* the text is not one decimal number */
    RT_DEC_RANGE,   /* the (rounded) result is outside int64 */
    RT_DEC_INEXACT, /* RT_DEC_EXACT mode only: the value is not an integer after scaling */
} rt_dec_status;

typedef enum rt_dec_mode {
    RT_DEC_EXACT,     /* the scaled value must be an integer */
    RT_DEC_HALF_EVEN, /* round the scaled value to the nearest integer, ties to even */
} rt_dec_mode;

/* True when s[0..n) is a number of the form [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?
 * (the text form to_float accepts; a superset of JSON numbers). */
bool rt_decimal_valid(const char *s, size_t n);

/* Computes value(s) * 10^scale as an int64 from the decimal text alone (no floating
 * point), for s of the form rt_decimal_valid accepts and any size of digits or exponent.
 * On RT_DEC_OK writes *out (zero is never negative); otherwise leaves it alone. */
rt_dec_status rt_decimal_scaled(const char *s, size_t n, int scale, rt_dec_mode mode, int64_t *out);

/* Converts s (rt_decimal_valid form) to the nearest double, ties to even, as strtod in the
 * C locale would. Returns false when s is not valid or the magnitude overflows to
 * infinity; underflow gives the IEEE result (possibly zero or subnormal). */
bool rt_decimal_to_double(const char *s, size_t n, double *out);

#endif
