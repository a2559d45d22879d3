/* rt_http_features.c - the feature endpoint: decode a request body, query the engine, answer in JSON. */
#include "rt_http.h"

#include "rt_jsonl.h"
#include "rt_time.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

static bool service_init(const rt_program *p, int svc, http_service *hs)
{
    const rt_prog_service *ps = &p->services[svc];
    const rt_prog_source *req = ps->request_source >= 0 ? &p->sources[ps->request_source] : NULL;
    hs->nreq = req ? req->nfields : 0;
    hs->fields = calloc((size_t)(ps->nkeys + hs->nreq) + 1, sizeof *hs->fields);
    hs->req_from = calloc((size_t)hs->nreq + 1, sizeof *hs->req_from);
    if (!hs->fields || !hs->req_from)
        return false;
    int n = 0;
    bool at_taken = false;
    for (int k = 0; k < ps->nkeys; k++) {
        hs->fields[n++] = (rt_field){ps->keys[k].name, ps->keys[k].type, false};
        at_taken |= strcmp(ps->keys[k].name, "at") == 0;
    }
    for (int j = 0; j < hs->nreq; j++) {
        hs->req_from[j] = -1;
        for (int k = 0; k < ps->nkeys; k++)
            if (ps->keys[k].request_field == j)
                hs->req_from[j] = k;
        if (hs->req_from[j] < 0) {
            hs->req_from[j] = n;
            hs->fields[n++] = (rt_field){req->fields[j].name, req->fields[j].type, false};
            at_taken |= strcmp(req->fields[j].name, "at") == 0;
        }
    }
    hs->at_field = n;
    hs->fields[n++] = (rt_field){at_taken ? "@at" : "at", RT_TIMESTAMP, false};
    hs->schema = (rt_schema){.name = ps->name, .nfields = n, .fields = hs->fields, .time_field = -1};
    return true;
}

bool rt_http_services_init(rt_server *s)
{
    s->services = calloc((size_t)s->p->nservices + 1, sizeof *s->services);
    if (!s->services)
        return false;
    for (int i = 0; i < s->p->nservices; i++)
        if (!service_init(s->p, i, &s->services[i]))
            return false;
    return true;
}

void rt_http_services_free(rt_server *s)
{
    for (int i = 0; s->services && i < s->p->nservices; i++) {
        free(s->services[i].fields);
        free(s->services[i].req_from);
    }
    free(s->services);
    s->services = NULL;
}

/* Checks a request's shape with a tree parse: one JSON object holding every key. body is
 * len bytes (copied for the parse, which wants a NUL-terminated text). */
static bool check_shape(const rt_prog_service *ps, const char *body, size_t len, rt_http_response *out)
{
    if (!rt_json_depth_within(body, len, RT_JSONL_MAX_DEPTH)) {
        rt_http_error(out, 400, "bad JSON: arrays and objects nested more than %d deep", RT_JSONL_MAX_DEPTH);
        return false;
    }
    char why[256] = "", *text = malloc(len + 1);
    if (!text) {
        rt_http_error(out, 500, "out of memory");
        return false;
    }
    memcpy(text, body, len);
    text[len] = '\0';
    yajl_val tree = yajl_tree_parse(text, why, sizeof why);
    free(text);
    if (!tree) {
        char *nl = strchr(why, '\n');
        if (nl)
            *nl = '\0';
        rt_http_error(out, 400, "bad JSON: %s", why[0] ? why : "cannot parse the body");
        return false;
    }
    bool ok = false;
    if (!YAJL_IS_OBJECT(tree)) {
        rt_http_error(out, 400, "the body must be a JSON object of keys and request fields");
        goto done;
    }
    for (int k = 0; k < ps->nkeys; k++) {
        bool found = false;
        for (size_t i = 0; i < tree->u.object.len && !found; i++)
            found = strcmp(tree->u.object.keys[i], ps->keys[k].name) == 0;
        if (!found) {
            rt_http_error(out, 400, "missing key '%s' of service '%s'", ps->keys[k].name, ps->name);
            goto done;
        }
    }
    ok = true;
done:
    yajl_tree_free(tree);
    return ok;
}

/* {"features": {...}}, with a line break after it unless it is an item of a batch. */
static void write_answer(const rt_prog_service *ps, const rt_slot *vals, rt_jbuf *b, bool batch)
{
    rt_jbuf_puts(b, "{\"features\":{");
    for (int o = 0; o < ps->noutputs; o++) {
        if (o)
            rt_jbuf_put(b, ",", 1);
        rt_json_string(b, ps->outputs[o].column, strlen(ps->outputs[o].column));
        rt_jbuf_put(b, ":", 1);
        rt_json_value(b, &vals[o], ps->outputs[o].type);
    }
    rt_jbuf_puts(b, batch ? "}}" : "}}\n");
}

/* Whether each key of the service is non-null in the decoded record (then every key was
 * present in the body, and the tree parse of check_shape is not needed). */
static bool keys_all_set(const rt_prog_service *ps, const rt_slot *rec)
{
    for (int k = 0; k < ps->nkeys; k++)
        if (rec[k].null)
            return false;
    return true;
}

/* One request of a service being answered: its decoded record (keys, request fields, then
 * `at`), the request source's fields in their order, and its time. */
typedef struct query {
    rt_slot *rec;
    rt_slot *request;
    int64_t t;
    bool ok;              /* decoded; else err holds the answer */
    rt_http_response err; /* an error answer (status and JSON body) */
} query;

/* Decodes one request object text[0..n) into q (records from q->rec). The strict decoder runs
 * first; the messages about the body's shape (bad JSON, not an object, a key missing rather
 * than null) come from check_shape, run only when the decoder refuses it or a key is null.
 * With keep, strings are copied into keep (the decoder's own buffer is reused by the next
 * request). */
static void decode_query(rt_server *s, int svc, rt_jsonl *dec, const char *text, size_t n, int64_t now, query *q,
                         rt_scratch *keep)
{
    const rt_prog_service *ps = &s->p->services[svc];
    const http_service *hs = &s->services[svc];
    const rt_prog_source *req = ps->request_source >= 0 ? &s->p->sources[ps->request_source] : NULL;
    char reason[512] = "";
    q->ok = false;
    q->err = (rt_http_response){0};
    rt_jsonl_status st = rt_jsonl_decode(dec, text, n, q->rec, reason, sizeof reason);
    if ((st != RT_JSONL_OK || !keys_all_set(ps, q->rec)) && !check_shape(ps, text, n, &q->err))
        return;
    if (st != RT_JSONL_OK) {
        rt_http_error(&q->err, 400, "%s", st == RT_JSONL_BLANK ? "empty body" : reason);
        return;
    }
    for (int j = 0; j < hs->nreq; j++) {
        q->request[j] = q->rec[hs->req_from[j]];
        if (q->request[j].null && req->fields[j].not_null) {
            rt_http_error(&q->err, 400, "field '%s' is null but declared not null", req->fields[j].name);
            return;
        }
    }
    for (int f = 0; keep && f < hs->schema.nfields; f++)
        if (!q->rec[f].null && hs->schema.fields[f].type == RT_STRING && q->rec[f].len) {
            char *copy = rt_scratch_alloc(keep, q->rec[f].len);
            memcpy(copy, q->rec[f].v.s, q->rec[f].len);
            q->rec[f].v.s = copy;
        }
    for (int j = 0; j < hs->nreq; j++)
        q->request[j] = q->rec[hs->req_from[j]];
    q->t = q->rec[hs->at_field].null ? now : q->rec[hs->at_field].v.i;
    q->ok = true;
}

/* The 422 answer of a query below the settled horizon of the views it reads. */
static void too_old(rt_server *s, int svc, int64_t t, rt_http_response *out)
{
    const rt_prog_service *ps = &s->p->services[svc];
    int64_t horizon = INT64_MIN;
    for (int i = 0; i < ps->nviews; i++) {
        int64_t h = rt_engine_horizon(s->engine, ps->views[i].view);
        horizon = h > horizon ? h : horizon;
    }
    char tb[RT_TIME_BUF], hb[RT_TIME_BUF];
    rt_time_format(t, tb);
    rt_time_format(horizon, hb);
    rt_http_error(out, 422,
                  "cannot answer as of %s: state before %s is no longer kept (the server keeps what --retain "
                  "says before its newest complete event time)",
                  tb, hb);
}

/* Answers qs[0..n) in order under one read lock, each as `{"features": {...}}` or (for a
 * batch) `{"error": "..."}`, separated by commas when batch. A single query's error is
 * its whole answer (with its status). */
static void answer_all(rt_server *s, int svc, query *qs, size_t n, bool batch, rt_jbuf *b, rt_http_response *out)
{
    const rt_prog_service *ps = &s->p->services[svc];
    rt_slot *vals = calloc((size_t)ps->noutputs + 1, sizeof *vals);
    if (!vals) {
        rt_http_error(out, 500, "out of memory");
        return;
    }
    rt_scratch scratch;
    rt_scratch_init(&scratch);
    pthread_rwlock_rdlock(&s->lock);
    for (size_t i = 0; i < n; i++) {
        query *q = &qs[i];
        if (batch && i)
            rt_jbuf_put(b, ",", 1);
        if (q->ok && !rt_engine_query(s->engine, svc, q->rec, ps->request_source >= 0 ? q->request : NULL, q->t,
                                      &scratch, vals)) {
            q->ok = false;
            too_old(s, svc, q->t, &q->err);
        }
        if (q->ok) /* written under the lock: string values may point into the engine's state */
            write_answer(ps, vals, b, batch);
        else if (batch) {
            const char *e = q->err.body ? q->err.body : "{\"error\":\"out of memory\"}";
            rt_jbuf_put(b, e, strcspn(e, "\n"));
        }
        rt_scratch_reset(&scratch);
    }
    pthread_rwlock_unlock(&s->lock);
    rt_scratch_free(&scratch);
    free(vals);
}

/* The items of a top-level JSON array body: their byte ranges, found by a scan that follows
 * strings and nesting (each item is then decoded strictly on its own). Returns the count,
 * or -1 with out set to the error (400 malformed, 413 too many). */
static long split_array(const char *body, size_t len, size_t max_items, size_t *from, size_t *to,
                        rt_http_response *out)
{
    size_t i = 0, n = 0;
    while (i < len && isspace((unsigned char)body[i]))
        i++;
    assert(i < len && body[i] == '[');
    i++;
    int depth = 0;
    bool in_string = false, empty = true;
    size_t start = i;
    for (; i < len; i++) {
        char c = body[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '[' || c == '{')
            depth++;
        else if ((c == ']' || c == '}') && depth > 0)
            depth--;
        else if (depth == 0 && (c == ',' || c == ']')) {
            bool blank = true;
            for (size_t k = start; k < i && blank; k++)
                blank = isspace((unsigned char)body[k]);
            if (c == ']' && blank && empty) /* [] */
                break;
            if (blank) {
                rt_http_error(out, 400, "bad JSON: an empty item in the request array (item %zu)", n + 1);
                return -1;
            }
            if (n == max_items) {
                rt_http_error(out, 413, "a batch holds at most %zu requests", max_items);
                return -1;
            }
            from[n] = start;
            to[n] = i;
            n++;
            empty = false;
            start = i + 1;
            if (c == ']')
                break;
        }
        if (!isspace((unsigned char)c))
            empty = false;
    }
    if (i >= len || body[i] != ']') {
        rt_http_error(out, 400, "bad JSON: the request array is not closed");
        return -1;
    }
    for (i++; i < len; i++)
        if (!isspace((unsigned char)body[i])) {
            rt_http_error(out, 400, "bad JSON: text after the request array");
            return -1;
        }
    return (long)n;
}

void rt_http_features(rt_server *s, int svc, const char *body, size_t len, int64_t now, rt_http_response *out)
{
    const http_service *hs = &s->services[svc];
    if (!rt_http_body_ok(body, len, "a JSON object of keys and request fields, or an array of them", out))
        return;
    size_t lead = 0;
    while (lead < len && isspace((unsigned char)body[lead]))
        lead++;
    bool batch = body[lead] == '[';
    if (batch && !rt_json_depth_within(body, len, RT_JSONL_MAX_DEPTH)) {
        rt_http_error(out, 400, "bad JSON: arrays and objects nested more than %d deep", RT_JSONL_MAX_DEPTH);
        return;
    }
    size_t cap = batch ? RT_HTTP_MAX_BATCH : 1;
    size_t *from = calloc(cap + 1, sizeof *from), *to = calloc(cap + 1, sizeof *to);
    size_t width = (size_t)hs->schema.nfields + (size_t)hs->nreq;
    query *qs = calloc(cap + 1, sizeof *qs);
    rt_slot *slots = calloc(cap * width + 1, sizeof *slots);
    rt_jsonl *dec = rt_jsonl_new(&hs->schema);
    rt_scratch keep;
    rt_scratch_init(&keep);
    long n = 1;
    if (!from || !to || !qs || !slots || !dec) {
        rt_http_error(out, 500, "out of memory");
        goto done;
    }
    if (batch)
        n = split_array(body, len, RT_HTTP_MAX_BATCH, from, to, out);
    else
        to[0] = len;
    if (n < 0)
        goto done;
    for (long i = 0; i < n; i++) {
        qs[i].rec = slots + (size_t)i * width;
        qs[i].request = qs[i].rec + hs->schema.nfields;
        decode_query(s, svc, dec, body + from[i], to[i] - from[i], now, &qs[i], batch ? &keep : NULL);
    }
    rt_jbuf b = {0};
    if (!batch && !qs[0].ok) {
        *out = qs[0].err;
        qs[0].err.body = NULL;
        goto done;
    }
    if (batch)
        rt_jbuf_puts(&b, "{\"results\":[");
    answer_all(s, svc, qs, (size_t)n, batch, &b, out);
    if (!batch && !qs[0].ok) {
        free(b.p);
        *out = qs[0].err;
        qs[0].err.body = NULL;
        goto done;
    }
    if (batch)
        rt_jbuf_puts(&b, "]}\n");
    *out = (rt_http_response){.status = 200, .content_type = "application/json"};
    rt_jbuf_to_body(&b, out);
done:
    for (long i = 0; qs && i < n; i++)
        free(qs[i].err.body);
    rt_scratch_free(&keep);
    rt_jsonl_free(dec);
    free(slots);
    free(qs);
    free(from);
    free(to);
}
