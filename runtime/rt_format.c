/* rt_format.c - text forms of result values: shortest round-trip floats and CSV fields. */
#include "rt_format.h"
#include "rt_time.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Finds the fewest significant digits that read back as x (finite): writes them (no
 * point, no trailing zeros beyond the first digit) to digits, sets *exp10 to the decimal
 * exponent of d.ddd x 10^exp10 and returns the number of digits. */
static int shortest_digits(double x, char digits[18], int *exp10) {
    char tmp[40];
    /* For a normal double, any decimal of at most 15 digits that reads back as x lies within
     * 2^-53 relative of x, so rounding x to 15 digits gives exactly that decimal (padded with
     * zeros): one try at 15 digits finds every short form, then 16 and 17 remain. Subnormals
     * have less relative precision and take the plain search from 1 digit. */
    int first = fabs(x) >= DBL_MIN ? 15 : 1;
    for (int prec = first; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x);
        if (strtod(tmp, NULL) == x || prec == 17)
            break;
    }
    /* tmp is [-]d[.ddd]e[+-]dd */
    const char *p = tmp;
    if (*p == '-')
        p++;
    int n = 0;
    for (; *p != 'e'; p++)
        if (*p != '.')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = atoi(p + 1);
    return n;
}

size_t rt_format_float(double x, char *buf) {
    if (isnan(x))
        return (size_t)snprintf(buf, RT_FLOAT_BUF, "nan");
    if (isinf(x))
        return (size_t)snprintf(buf, RT_FLOAT_BUF, x < 0 ? "-inf" : "inf");
    char digits[18];
    int e;
    int n = shortest_digits(x, digits, &e);
    char *o = buf;
    if (signbit(x))
        *o++ = '-';
    if (e >= -4 && e < 17) {
        if (e < 0) { /* 0.000ddd */
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -e - 1; i++)
                *o++ = '0';
            memcpy(o, digits, (size_t)n);
            o += n;
        } else if (n <= e + 1) { /* ddd000 */
            memcpy(o, digits, (size_t)n);
            o += n;
            for (int i = n; i < e + 1; i++)
                *o++ = '0';
        } else { /* dd.ddd */
            memcpy(o, digits, (size_t)e + 1);
            o += e + 1;
            *o++ = '.';
            memcpy(o, digits + e + 1, (size_t)(n - e - 1));
            o += n - e - 1;
        }
        *o = '\0';
    } else {
        *o++ = digits[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)n - 1);
            o += n - 1;
        }
        o += snprintf(o, (size_t)(buf + RT_FLOAT_BUF - o), "e%c%02d", e < 0 ? '-' : '+', abs(e));
    }
    assert(o < buf + RT_FLOAT_BUF);
    return (size_t)(o - buf);
}

size_t rt_format_int(int64_t x, char *buf) {
    /* Build the digits from the negated value, which covers INT64_MIN. */
    char tmp[RT_INT_BUF];
    int n = 0;
    int64_t v = x < 0 ? x : -x;
    do {
        tmp[n++] = (char)('0' - v % 10);
        v /= 10;
    } while (v != 0);
    size_t len = 0;
    if (x < 0)
        buf[len++] = '-';
    while (n > 0)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

bool rt_format_csv_needs_quotes(const char *s, size_t n) {
    bool quote = n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    return quote;
}

size_t rt_format_csv_text_mem(char *dst, const char *s, size_t n) {
    if (!rt_format_csv_needs_quotes(s, n)) {
        memcpy(dst, s, n);
        return n;
    }
    size_t len = 0;
    dst[len++] = '"';
    for (size_t i = 0; i < n; i++) {
        dst[len++] = s[i];
        if (s[i] == '"')
            dst[len++] = '"';
    }
    dst[len++] = '"';
    assert(len <= 2 * n + 2);
    return len;
}

bool rt_format_csv_text(FILE *f, const char *s, size_t n) {
    if (!rt_format_csv_needs_quotes(s, n))
        return n == 0 || fwrite(s, 1, n, f) == n;
    if (putc('"', f) == EOF)
        return false;
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') { /* write through the quote, then write it again */
            if (fwrite(s + from, 1, i + 1 - from, f) != i + 1 - from)
                return false;
            from = i;
        }
    }
    if (n > from && fwrite(s + from, 1, n - from, f) != n - from)
        return false;
    return putc('"', f) != EOF;
}

bool rt_format_csv_value(FILE *f, const rt_slot *v, rt_type t) {
    if (v->null)
        return true;
    char buf[RT_TIME_BUF > RT_FLOAT_BUF ? RT_TIME_BUF : RT_FLOAT_BUF];
    size_t n;
    switch (t) {
    case RT_BOOL:
        n = (size_t)snprintf(buf, sizeof buf, "%s", v->v.i ? "true" : "false");
        break;
    case RT_INT:
        n = rt_format_int(v->v.i, buf);
        break;
    case RT_FLOAT:
        n = rt_format_float(v->v.f, buf);
        break;
    case RT_TIMESTAMP:
        n = rt_time_format(v->v.i, buf);
        break;
    case RT_STRING:
        return rt_format_csv_text(f, v->v.s, v->len);
    default:
        assert(!"rt_format_csv_value: unknown type");
        return false;
    }
    return fwrite(buf, 1, n, f) == n;
}
