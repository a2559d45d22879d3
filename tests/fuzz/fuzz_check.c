/* fuzz_check.c - failure reporting and the shared message checks of the fuzz targets. */
#include "fuzz_check.h"

#include "rt_utf8.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz check failed (%s:%d): ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
    abort();
}

void fuzz_check_one_line(const char *text, size_t cap, const char *what)
{
    FUZZ_CHECK(text != NULL, "%s is NULL", what);
    size_t n = strnlen(text, cap);
    FUZZ_CHECK(n < cap, "%s is not NUL-terminated within %zu bytes", what, cap);
    FUZZ_CHECK(n > 0, "%s is empty", what);
    FUZZ_CHECK(!memchr(text, '\n', n) && !memchr(text, '\r', n), "%s spans lines: %s", what, text);
    FUZZ_CHECK(rt_utf8_valid(text, n), "%s is not valid UTF-8: %s", what, text);
}

FILE *fuzz_null(void)
{
    static FILE *sink; /* opened once: reopening it per input would dominate the run time */
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    return sink;
}
