/* rt_format.h - text forms of result values: numbers and CSV fields. */
#ifndef FEATRT_FORMAT_H
#define FEATRT_FORMAT_H

#include "rt_types.h"

#include <stdbool.h>
#include <stdio.h>

/* Buffer sizes (with the NUL) for rt_format_float and rt_format_int. */
#define RT_FLOAT_BUF 32
#define RT_INT_BUF 24

/* Writes the shortest decimal form of x that reads back (strtod) to the same double, and
 * a NUL; returns the length. "Shortest" is the smallest P in 1..17 such that x correctly
 * rounded to P significant digits reads back as x. With E the decimal exponent of that
 * form (d.ddd x 10^E), it is written positionally when -4 <= E < 17, without a trailing
 * ".0" or trailing zeros after the point ("3", "0.1", "100", "-0.0001", "-0"), and
 * otherwise as d[.ddd]e+XX / e-XX with at least two exponent digits ("1e+17", "1e-05",
 * "1.5e+300", "5e-324"). Non-finite values (never results) are "inf", "-inf", "nan". */
size_t rt_format_float(double x, char *buf);

/* Writes x in decimal (no '+', no leading zeros) and a NUL; returns the length. */
size_t rt_format_int(int64_t x, char *buf);

/* Writes one CSV field (no separator) for a value of type t: null is an empty unquoted
 * field; bools true/false; ints and floats as above; timestamps as rt_time_format; strings
 * as rt_format_csv_text. Returns false when writing to f fails. */
bool rt_format_csv_value(FILE *f, const rt_slot *v, rt_type t);

/* Writes the n bytes of s as one CSV field: quoted (with '"' doubled) when s is empty,
 * contains ',', '"', CR or LF, or begins or ends with a space or tab; else as is.
 * Returns false when writing to f fails. */
bool rt_format_csv_text(FILE *f, const char *s, size_t n);

/* Whether rt_format_csv_text quotes s. */
bool rt_format_csv_needs_quotes(const char *s, size_t n);

/* The field rt_format_csv_text writes, into dst, which has room for 2 * n + 2 bytes (no
 * NUL is added); returns its length. */
size_t rt_format_csv_text_mem(char *dst, const char *s, size_t n);

#endif
