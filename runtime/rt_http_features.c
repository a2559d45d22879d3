/* rt_http_features.c - the feature endpoint: decode a request body, query the engine, answer in JSON. */
#include "rt_http.h"

#include "rt_jsonl.h"
#include "rt_time.h"

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

/* Checks the body's shape with a tree parse: one JSON object holding every key. */
static bool check_shape(const rt_prog_service *ps, const char *body, rt_http_response *out)
{
    if (!rt_json_depth_within(body, strlen(body), RT_JSONL_MAX_DEPTH)) {
        rt_http_error(out, 400, "bad JSON: arrays and objects nested more than %d deep", RT_JSONL_MAX_DEPTH);
        return false;
    }
    char why[256] = "";
    yajl_val tree = yajl_tree_parse(body, why, sizeof why);
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

static void write_answer(const rt_prog_service *ps, const rt_slot *vals, rt_jbuf *b)
{
    rt_jbuf_puts(b, "{\"features\":{");
    for (int o = 0; o < ps->noutputs; o++) {
        if (o)
            rt_jbuf_put(b, ",", 1);
        rt_json_string(b, ps->outputs[o].column, strlen(ps->outputs[o].column));
        rt_jbuf_put(b, ":", 1);
        rt_json_value(b, &vals[o], ps->outputs[o].type);
    }
    rt_jbuf_puts(b, "}}\n");
}

/* Answers under the read lock; on a time below the settled horizon returns false with the
 * largest horizon of the service's views in *horizon. */
static bool answer(rt_server *s, int svc, const rt_slot *keys, const rt_slot *request, int64_t t,
                   rt_http_response *out, int64_t *horizon)
{
    const rt_prog_service *ps = &s->p->services[svc];
    rt_slot *vals = calloc((size_t)ps->noutputs + 1, sizeof *vals);
    if (!vals) {
        rt_http_error(out, 500, "out of memory");
        return true;
    }
    rt_scratch scratch;
    rt_scratch_init(&scratch);
    pthread_rwlock_rdlock(&s->lock);
    bool answered = rt_engine_query(s->engine, svc, keys, request, t, &scratch, vals);
    if (answered) {
        /* written under the lock: string values may point into the engine's state */
        *out = (rt_http_response){.status = 200, .content_type = "application/json"};
        rt_jbuf b = {0};
        write_answer(ps, vals, &b);
        rt_jbuf_to_body(&b, out);
    } else {
        *horizon = INT64_MIN;
        for (int i = 0; i < ps->nviews; i++) {
            int64_t h = rt_engine_horizon(s->engine, ps->views[i].view);
            *horizon = h > *horizon ? h : *horizon;
        }
    }
    pthread_rwlock_unlock(&s->lock);
    rt_scratch_free(&scratch);
    free(vals);
    return answered;
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

void rt_http_features(rt_server *s, int svc, const char *body, size_t len, int64_t now, rt_http_response *out)
{
    const rt_prog_service *ps = &s->p->services[svc];
    const http_service *hs = &s->services[svc];
    if (!rt_http_body_ok(body, len, "a JSON object of keys and request fields", out))
        return;
    rt_jsonl *dec = rt_jsonl_new(&hs->schema);
    rt_slot *rec = calloc((size_t)hs->schema.nfields + (size_t)hs->nreq + 1, sizeof *rec);
    if (!dec || !rec) {
        rt_jsonl_free(dec);
        free(rec);
        rt_http_error(out, 500, "out of memory");
        return;
    }
    rt_slot *request = rec + hs->schema.nfields;
    const rt_prog_source *req = ps->request_source >= 0 ? &s->p->sources[ps->request_source] : NULL;
    char reason[512] = "";
    /* The strict decoder runs first; the messages about the body's shape (bad JSON, not an
     * object, a key missing rather than null) come from check_shape, run only when the
     * decoder refuses the body or a key is null. The keys are the record's first fields. */
    rt_jsonl_status st = rt_jsonl_decode(dec, body, len, rec, reason, sizeof reason);
    if ((st != RT_JSONL_OK || !keys_all_set(ps, rec)) && !check_shape(ps, body, out))
        goto done;
    if (st != RT_JSONL_OK) {
        rt_http_error(out, 400, "%s", st == RT_JSONL_BLANK ? "empty body" : reason);
        goto done;
    }
    for (int j = 0; j < hs->nreq; j++) {
        request[j] = rec[hs->req_from[j]];
        if (request[j].null && req->fields[j].not_null) {
            rt_http_error(out, 400, "field '%s' is null but declared not null", req->fields[j].name);
            goto done;
        }
    }
    int64_t t = rec[hs->at_field].null ? now : rec[hs->at_field].v.i, horizon = 0;
    if (!answer(s, svc, rec, req ? request : NULL, t, out, &horizon)) {
        char tb[RT_TIME_BUF], hb[RT_TIME_BUF];
        rt_time_format(t, tb);
        rt_time_format(horizon, hb);
        rt_http_error(out, 422,
                      "cannot answer as of %s: state before %s is no longer kept (the server keeps what --retain "
                      "says before its newest complete event time)",
                      tb, hb);
    }
done:
    rt_jsonl_free(dec);
    free(rec);
}
