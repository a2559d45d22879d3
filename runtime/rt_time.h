/* rt_time.h - parsing and formatting of timestamps (epoch microseconds, UTC). */
#ifndef FEATRT_TIME_H
#define FEATRT_TIME_H

#include "rt_types.h"

/* Parses the text forms of a timestamp: YYYY-MM-DD[T ]HH:MM:SS[.ffffff][Z|+HH:MM|-HH:MM]
 * (at most six fraction digits, no leap seconds, no 24:00) or a decimal number of epoch
 * seconds (sign, fraction and exponent allowed), rounded to the nearest microsecond with
 * ties to even, from its decimal text. Returns false (and leaves *out alone) when s is not
 * exactly one such timestamp or it is outside the int64 microsecond range. */
bool rt_time_parse(const char *s, size_t n, int64_t *out);

/* Formats as YYYY-MM-DDTHH:MM:SS.ffffffZ (27 bytes; years outside 0..9999 are written with
 * a sign and as many digits as needed). Writes a NUL; buf must hold RT_TIME_BUF bytes.
 * Returns the length. */
#define RT_TIME_BUF 40
size_t rt_time_format(int64_t us, char *buf);

#endif
