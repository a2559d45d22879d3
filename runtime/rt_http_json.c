/* rt_http_json.c - JSON output for the server: a byte buffer, strings, values, event records, errors; body checks. */
#include "rt_http.h"

#include "rt_format.h"
#include "rt_time.h"
#include "rt_utf8.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Makes room for n more bytes and the NUL; false (oom set) when memory runs out. */
static bool jbuf_room(rt_jbuf *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->len + n + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void rt_jbuf_put(rt_jbuf *b, const char *s, size_t n)
{
    if (!jbuf_room(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void rt_jbuf_puts(rt_jbuf *b, const char *s)
{
    rt_jbuf_put(b, s, strlen(s));
}

static void jbuf_putc(rt_jbuf *b, char c)
{
    if (!jbuf_room(b, 1))
        return;
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void rt_jbuf_printf(rt_jbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !jbuf_room(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rt_jbuf_to_body(rt_jbuf *b, rt_http_response *out)
{
    if (b->oom || !b->p) {
        free(b->p);
        out->body = NULL;
        out->len = 0;
    } else {
        out->body = b->p;
        out->len = b->len;
    }
    *b = (rt_jbuf){0};
}

/* Writes a signed integer in decimal. */
static void put_int(rt_jbuf *out, int64_t v)
{
    char buf[24];
    char *e = buf + sizeof buf, *p = e;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0)
        *--p = '-';
    rt_jbuf_put(out, p, (size_t)(e - p));
}

/* Writes x as rt_format_float does, without its printf and strtod tries, when x has a
 * plain decimal form of at most 15 significant digits and 0.0001 <= |x| < 1e15 (most
 * feature values: amounts, averages, ratios). The fewest decimals k for which m / 10^k
 * (m = x * 10^k rounded) reads back as x give that form: a decimal of at most 15 digits
 * that reads back as a double is its rounding to 15 digits, so it is the one
 * rt_format_float finds, and it prints as fixed point in that range. The check is exact:
 * m < 2^53 and 10^k are exact doubles and the division rounds correctly. False: use
 * rt_format_float. */
static bool put_float_fast(rt_jbuf *out, double x)
{
    static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    double a = fabs(x);
    if (!(a >= 1e-4 && a < 1e15))
        return false;
    for (int k = 0; k <= 15; k++) {
        double scaled = a * p10[k];
        if (scaled >= 1e15)
            return false;
        double m = nearbyint(scaled);
        if (m / p10[k] != a)
            continue;
        /* digits of m, with the point k places from the right */
        char digits[24], buf[32];
        int nd = 0;
        uint64_t v = (uint64_t)m;
        do {
            digits[nd++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        char *o = buf;
        if (signbit(x))
            *o++ = '-';
        if (nd <= k) { /* 0.00ddd */
            *o++ = '0';
            *o++ = '.';
            for (int i = nd; i < k; i++)
                *o++ = '0';
            for (int i = nd - 1; i >= 0; i--)
                *o++ = digits[i];
        } else {
            for (int i = nd - 1; i >= 0; i--) {
                *o++ = digits[i];
                if (i == k && k > 0)
                    *o++ = '.';
            }
        }
        rt_jbuf_put(out, buf, (size_t)(o - buf));
        return true;
    }
    return false;
}

void rt_json_string(rt_jbuf *out, const char *s, size_t n)
{
    jbuf_putc(out, '"');
    size_t i = 0;
    while (i < n) {
        /* the run of bytes that need no escape goes in one copy */
        size_t j = i;
        while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x80 && s[j] != '"' && s[j] != '\\')
            j++;
        if (j > i) {
            rt_jbuf_put(out, s + i, j - i);
            i = j;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rt_jbuf_put(out, esc, 2);
            i++;
        } else if (c < 0x20) {
            static const char short_esc[] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
            if (c < sizeof short_esc && short_esc[c]) {
                char esc[2] = {'\\', short_esc[c]};
                rt_jbuf_put(out, esc, 2);
            } else {
                rt_jbuf_printf(out, "\\u%04x", c);
            }
            i++;
        } else {
            size_t k = rt_utf8_char((const unsigned char *)s + i, n - i);
            if (k == 0) {
                rt_jbuf_puts(out, "\\ufffd");
                i++;
            } else {
                rt_jbuf_put(out, s + i, k);
                i += k;
            }
        }
    }
    jbuf_putc(out, '"');
}

void rt_json_value(rt_jbuf *out, const rt_slot *v, rt_type t)
{
    if (v->null) {
        rt_jbuf_put(out, "null", 4);
        return;
    }
    char buf[RT_TIME_BUF > RT_FLOAT_BUF ? RT_TIME_BUF : RT_FLOAT_BUF];
    switch (t) {
    case RT_BOOL: rt_jbuf_puts(out, v->v.i ? "true" : "false"); break;
    case RT_INT: put_int(out, v->v.i); break;
    case RT_FLOAT:
        if (!put_float_fast(out, v->v.f)) {
            rt_format_float(v->v.f, buf);
            rt_jbuf_puts(out, buf);
        }
        break;
    case RT_STRING: rt_json_string(out, v->v.s, v->len); break;
    case RT_TIMESTAMP: {
        size_t n = rt_time_format(v->v.i, buf);
        rt_json_string(out, buf, n);
        break;
    }
    }
}

/* Epoch seconds with six decimals, exact: what rt_time_parse reads back to the same value. */
static void put_epoch_seconds(rt_jbuf *out, int64_t us)
{
    uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    rt_jbuf_printf(out, "%s%" PRIu64 ".%06" PRIu64, us < 0 ? "-" : "", mag / 1000000, mag % 1000000);
}

void rt_json_record(rt_jbuf *out, const rt_schema *schema, const rt_slot *record)
{
    jbuf_putc(out, '{');
    for (int i = 0; i < schema->nfields; i++) {
        if (i)
            jbuf_putc(out, ',');
        const rt_field *f = &schema->fields[i];
        rt_json_string(out, f->name, strlen(f->name));
        jbuf_putc(out, ':');
        if (f->type == RT_TIMESTAMP && !record[i].null)
            put_epoch_seconds(out, record[i].v.i);
        else
            rt_json_value(out, &record[i], f->type);
    }
    rt_jbuf_put(out, "}\n", 2);
}

void rt_http_error(rt_http_response *out, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(out->body);
    *out = (rt_http_response){.status = status, .content_type = "application/json"};
    rt_jbuf b = {0};
    rt_jbuf_puts(&b, "{\"error\":");
    rt_json_string(&b, msg, strlen(msg));
    rt_jbuf_puts(&b, "}\n");
    rt_jbuf_to_body(&b, out);
}

bool rt_http_body_ok(const char *body, size_t len, const char *expected, rt_http_response *out)
{
    size_t b = 0;
    while (b < len && isspace((unsigned char)body[b]))
        b++;
    if (b == len) {
        rt_http_error(out, 400, "empty body: expected %s", expected);
        return false;
    }
    if (memchr(body, '\0', len)) {
        rt_http_error(out, 400, "the body holds a NUL byte");
        return false;
    }
    return true;
}

bool rt_json_depth_within(const char *s, size_t n, int max)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++; /* the escaped character is never a closing quote */
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

int64_t rt_http_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
