/* fuzz_response.c - checks of the server's answers: status, JSON bodies per endpoint, Prometheus text. */
#include "fuzz_response.h"

#include "fuzz_check.h"
#include "rt_http.h"
#include "rt_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

/* The member key of object o, or NULL. */
static yajl_val member(yajl_val o, const char *key)
{
    for (size_t i = 0; i < o->u.object.len; i++)
        if (strcmp(o->u.object.keys[i], key) == 0)
            return o->u.object.values[i];
    return NULL;
}

/* A member that must be a non-negative integer. */
static uint64_t count_of(yajl_val o, const char *key)
{
    yajl_val v = member(o, key);
    FUZZ_CHECK(v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0, "events answer: '%s' is not a count", key);
    return (uint64_t)YAJL_GET_INTEGER(v);
}

static void check_events(yajl_val o, uint64_t body_lines, bool one_line, fuzz_ingest *ingest)
{
    ingest->accepted = count_of(o, "accepted");
    ingest->rejected = count_of(o, "rejected");
    ingest->late = count_of(o, "late");
    /* "rejected" is the invalid count (also given as "invalid"); ahead and duplicate events
     * are refused too */
    FUZZ_CHECK(count_of(o, "invalid") == ingest->rejected, "events answer: invalid and rejected differ");
    uint64_t refused = ingest->rejected + ingest->late + count_of(o, "ahead") + count_of(o, "duplicate");
    FUZZ_CHECK(ingest->accepted + refused <= body_lines, "%llu events answered for a body of %llu lines",
               (unsigned long long)(ingest->accepted + refused), (unsigned long long)body_lines);
    yajl_val list = member(o, "rejects"), cut = member(o, "rejects_truncated");
    FUZZ_CHECK(list && YAJL_IS_ARRAY(list), "events answer without a rejects array");
    size_t n = list->u.array.len;
    if (refused <= 100)
        FUZZ_CHECK(n == refused && !cut, "%zu rejects listed of %llu", n, (unsigned long long)refused);
    else
        FUZZ_CHECK(n == 100 && cut && YAJL_IS_TRUE(cut), "%zu rejects listed of %llu (truncated: %s)", n,
                   (unsigned long long)refused, cut ? "yes" : "no");
    long long last = 0;
    for (size_t i = 0; i < n; i++) {
        yajl_val e = list->u.array.values[i];
        FUZZ_CHECK(YAJL_IS_OBJECT(e), "a listed reject is not an object");
        yajl_val line = member(e, "line"), reason = member(e, "reason");
        FUZZ_CHECK(line && YAJL_IS_INTEGER(line) && YAJL_GET_INTEGER(line) > last &&
                       (uint64_t)YAJL_GET_INTEGER(line) <= body_lines,
                   "listed reject %zu: line out of order or range", i);
        last = YAJL_GET_INTEGER(line);
        FUZZ_CHECK(reason && YAJL_IS_STRING(reason), "listed reject %zu has no reason", i);
        if (one_line)
            fuzz_check_one_line(reason->u.string, strlen(reason->u.string) + 1, "reject reason");
    }
}

/* A feature value of type t as the server writes it. */
static void check_value(const char *column, rt_type t, yajl_val v)
{
    if (YAJL_IS_NULL(v))
        return;
    switch (t) {
    case RT_BOOL: FUZZ_CHECK(YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v), "bool output '%s' is not true or false", column); break;
    case RT_INT: FUZZ_CHECK(YAJL_IS_INTEGER(v), "int output '%s' is not an integer", column); break;
    case RT_FLOAT:
        /* from the text: yajl calls a subnormal number (ERANGE) not a double */
        FUZZ_CHECK(YAJL_IS_NUMBER(v) && isfinite(strtod(YAJL_GET_NUMBER(v), NULL)),
                   "float output '%s' is not a finite number", column);
        break;
    case RT_STRING: FUZZ_CHECK(YAJL_IS_STRING(v), "string output '%s' is not a string", column); break;
    case RT_TIMESTAMP: {
        FUZZ_CHECK(YAJL_IS_STRING(v), "timestamp output '%s' is not a string", column);
        const char *s = v->u.string;
        int64_t us;
        FUZZ_CHECK(rt_time_parse(s, strlen(s), &us) || s[0] == '+' || s[0] == '-',
                   "timestamp output '%s' is \"%s\"", column, s);
        break;
    }
    }
}

static void check_features(const rt_prog_service *svc, yajl_val o)
{
    yajl_val f = member(o, "features");
    FUZZ_CHECK(o->u.object.len == 1 && f && YAJL_IS_OBJECT(f), "a features answer is not {\"features\": {...}}");
    FUZZ_CHECK(f->u.object.len == (size_t)svc->noutputs, "%zu features answered, service '%s' has %d outputs",
               f->u.object.len, svc->name, svc->noutputs);
    for (int i = 0; i < svc->noutputs; i++) {
        const char *col = svc->outputs[i].column;
        /* output names are UTF-8 without NUL (yajl's keys end at one) */
        FUZZ_CHECK(strcmp(f->u.object.keys[i], col) == 0, "feature %d is '%s', not '%s'", i, f->u.object.keys[i], col);
        check_value(col, svc->outputs[i].type, f->u.object.values[i]);
    }
}

void fuzz_check_response(const rt_program *p, const char *method, const char *path, uint64_t body_lines,
                         bool one_line_errors, const rt_http_response *r, fuzz_ingest *ingest)
{
    *ingest = (fuzz_ingest){0, 0, 0};
    FUZZ_CHECK(r->status >= 200 && r->status <= 599, "%s %s: status %d", method, path, r->status);
    FUZZ_CHECK(r->content_type != NULL, "%s %s: no content type", method, path);
    FUZZ_CHECK(r->body != NULL && strlen(r->body) == r->len, "%s %s: the body is missing or holds a NUL", method, path);
    FUZZ_CHECK((r->status == 405) == (r->allow != NULL), "%s %s: status %d with Allow %s", method, path, r->status,
               r->allow ? r->allow : "(none)");
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (r->status == 200 && get && strcmp(path, "/metrics") == 0) {
        FUZZ_CHECK(strncmp(r->content_type, "text/plain", 10) == 0, "metrics as %s", r->content_type);
        fuzz_check_prometheus(r->body, r->len);
        return;
    }
    FUZZ_CHECK(strcmp(r->content_type, "application/json") == 0, "%s %s: a %d as %s", method, path, r->status,
               r->content_type);
    char why[256] = "";
    yajl_val o = yajl_tree_parse(r->body, why, sizeof why);
    FUZZ_CHECK(o && YAJL_IS_OBJECT(o), "%s %s: status %d with a body that is not a JSON object (%s): %s", method,
               path, r->status, why, r->body);
    if (r->status >= 400) {
        yajl_val e = member(o, "error");
        FUZZ_CHECK(o->u.object.len == 1 && e && YAJL_IS_STRING(e), "%s %s: a %d without {\"error\": ...}: %s", method,
                   path, r->status, r->body);
        if (one_line_errors)
            fuzz_check_one_line(e->u.string, strlen(e->u.string) + 1, "error message");
    } else if (strcmp(path, "/healthz") == 0) {
        yajl_val st = member(o, "status");
        FUZZ_CHECK(st && YAJL_IS_STRING(st) && strcmp(st->u.string, "ok") == 0, "healthz: %s", r->body);
    } else if (strncmp(path, "/v1/events/", 11) == 0) {
        FUZZ_CHECK(r->status == 200, "events: status %d", r->status);
        check_events(o, body_lines, one_line_errors, ingest);
    } else if (strncmp(path, "/v1/features/", 13) == 0) {
        int svc = rt_program_find_service(p, path + 13);
        FUZZ_CHECK(svc >= 0 && r->status == 200, "features: status %d for service index %d", r->status, svc);
        yajl_val results = member(o, "results");
        if (!results) {
            check_features(&p->services[svc], o);
        } else { /* a batch: each item a features answer or an error, at most the batch limit */
            FUZZ_CHECK(o->u.object.len == 1 && YAJL_IS_ARRAY(results) && results->u.array.len <= RT_HTTP_MAX_BATCH,
                       "a batch answer is not {\"results\": [...]}");
            for (size_t i = 0; i < results->u.array.len; i++) {
                yajl_val item = results->u.array.values[i], e = member(item, "error");
                FUZZ_CHECK(YAJL_IS_OBJECT(item), "batch item %zu is not an object", i);
                if (e) {
                    FUZZ_CHECK(item->u.object.len == 1 && YAJL_IS_STRING(e), "batch item %zu: a bad error", i);
                    if (one_line_errors)
                        fuzz_check_one_line(e->u.string, strlen(e->u.string) + 1, "error message");
                } else {
                    check_features(&p->services[svc], item);
                }
            }
        }
    } else {
        fuzz_fail(__FILE__, __LINE__, "%s %s: status %d from an unknown endpoint", method, path, r->status);
    }
    yajl_tree_free(o);
}

static bool name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

/* Checks one sample line [p, end): NAME[{LABELS}] VALUE. */
static void check_sample(const char *p, const char *end)
{
    const char *line = p;
    int len = (int)(end - line);
    FUZZ_CHECK(p < end && name_char(*p, true), "metrics: a line does not start with a name: %.*s", len, line);
    while (p < end && name_char(*p, false))
        p++;
    if (p < end && *p == '{') {
        p++;
        while (p < end && *p != '}') {
            FUZZ_CHECK(name_char(*p, true), "metrics: bad label name: %.*s", len, line);
            while (p < end && name_char(*p, false))
                p++;
            FUZZ_CHECK(end - p >= 2 && p[0] == '=' && p[1] == '"', "metrics: label without =\"...\": %.*s", len, line);
            for (p += 2; p < end && *p != '"'; p++)
                if (*p == '\\') {
                    FUZZ_CHECK(p + 1 < end && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'),
                               "metrics: bad escape in a label value: %.*s", len, line);
                    p++;
                }
            FUZZ_CHECK(p < end, "metrics: unterminated label value: %.*s", len, line);
            p++;
            if (p < end && *p == ',')
                p++;
        }
        FUZZ_CHECK(p < end, "metrics: unterminated labels: %.*s", len, line);
        p++;
    }
    FUZZ_CHECK(p < end && *p == ' ', "metrics: no space before the value: %.*s", len, line);
    p++;
    char num[64];
    size_t n = (size_t)(end - p);
    FUZZ_CHECK(n > 0 && n < sizeof num, "metrics: bad value: %.*s", len, line);
    memcpy(num, p, n);
    num[n] = '\0';
    char *stop;
    strtod(num, &stop);
    FUZZ_CHECK(*stop == '\0' || strcmp(num, "+Inf") == 0 || strcmp(num, "-Inf") == 0 || strcmp(num, "NaN") == 0,
               "metrics: the value is not a number: %.*s", len, line);
}

void fuzz_check_prometheus(const char *text, size_t len)
{
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        FUZZ_CHECK(nl != NULL, "metrics: the text does not end with a line break");
        if (*p == '#')
            FUZZ_CHECK(strncmp(p, "# HELP ", 7) == 0 || strncmp(p, "# TYPE ", 7) == 0, "metrics: comment %.*s",
                       (int)(nl - p), p);
        else
            check_sample(p, nl);
        p = nl + 1;
    }
}

double fuzz_prometheus_value(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, prefix, n) == 0)
            return strtod(p + n, NULL);
    return -1;
}
