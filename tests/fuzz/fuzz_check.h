/* fuzz_check.h - the checks fuzz targets make besides "no crash": a failed one prints why and aborts. */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Aborts with "fuzz check failed: MESSAGE" (and the source line) unless cond holds. */
#define FUZZ_CHECK(cond, ...) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, __VA_ARGS__))

void fuzz_fail(const char *file, int line, const char *fmt, ...) __attribute__((noreturn, format(printf, 3, 4)));

/* Checks that text is a message fit for one line of a log or a JSON string: not empty,
 * NUL-terminated within cap bytes, valid UTF-8, no line break. what names it. */
void fuzz_check_one_line(const char *text, size_t cap, const char *what);

/* The process-wide /dev/null stream (for output that is produced only to be exercised). */
FILE *fuzz_null(void);

#endif
