/* rt_http_json.c - JSON output for the server: strings, values, event records, errors; body checks. */
#include "rt_http.h"

#include "rt_format.h"
#include "rt_time.h"
#include "rt_utf8.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void rt_json_string(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c < 0x20) {
            static const char short_esc[] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
            if (c < sizeof short_esc && short_esc[c])
                fprintf(out, "\\%c", short_esc[c]);
            else
                fprintf(out, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            fputc(c, out);
            i++;
        } else {
            size_t k = rt_utf8_char((const unsigned char *)s + i, n - i);
            if (k == 0) {
                fputs("\\ufffd", out);
                i++;
            } else {
                fwrite(s + i, 1, k, out);
                i += k;
            }
        }
    }
    fputc('"', out);
}

void rt_json_value(FILE *out, const rt_slot *v, rt_type t)
{
    if (v->null) {
        fputs("null", out);
        return;
    }
    char buf[RT_TIME_BUF > RT_FLOAT_BUF ? RT_TIME_BUF : RT_FLOAT_BUF];
    switch (t) {
    case RT_BOOL: fputs(v->v.i ? "true" : "false", out); break;
    case RT_INT: fprintf(out, "%" PRId64, v->v.i); break;
    case RT_FLOAT:
        rt_format_float(v->v.f, buf);
        fputs(buf, out);
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
static void put_epoch_seconds(FILE *out, int64_t us)
{
    uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    fprintf(out, "%s%" PRIu64 ".%06" PRIu64, us < 0 ? "-" : "", mag / 1000000, mag % 1000000);
}

void rt_json_record(FILE *out, const rt_schema *schema, const rt_slot *record)
{
    fputc('{', out);
    for (int i = 0; i < schema->nfields; i++) {
        if (i)
            fputc(',', out);
        const rt_field *f = &schema->fields[i];
        rt_json_string(out, f->name, strlen(f->name));
        fputc(':', out);
        if (f->type == RT_TIMESTAMP && !record[i].null)
            put_epoch_seconds(out, record[i].v.i);
        else
            rt_json_value(out, &record[i], f->type);
    }
    fputs("}\n", out);
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
    FILE *f = open_memstream(&out->body, &out->len);
    if (!f) {
        out->body = NULL;
        out->len = 0;
        return;
    }
    fputs("{\"error\":", f);
    rt_json_string(f, msg, strlen(msg));
    fputs("}\n", f);
    fclose(f);
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

int64_t rt_http_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
