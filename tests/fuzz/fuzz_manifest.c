/* fuzz_manifest.c - libFuzzer target: manifest text parsed, checked, written back, and run by an engine and a server. */
#include "fuzz_check.h"
#include "fuzz_generic_fns.h"
#include "fuzz_manifest_text.h"
#include "fuzz_program_check.h"
#include "fuzz_response.h"
#include "rt_engine.h"
#include "rt_http.h"
#include "rt_metrics.h"
#include "rt_serve.h"
#include "rt_utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal says "manifest line N: ..." with N a line of the text (or one past its end). */
static void check_error(const char *err, size_t cap, const char *text, size_t size)
{
    FUZZ_CHECK(strnlen(err, cap) < cap, "the manifest error is not NUL-terminated");
    if (strcmp(err, "manifest: out of memory") == 0)
        return;
    unsigned long line = 0;
    int used = 0;
    FUZZ_CHECK(sscanf(err, "manifest line %lu: %n", &line, &used) == 1 && used > 0 && err[used] != '\0',
               "the manifest error is not 'manifest line N: ...': %s", err);
    uint64_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    /* (an empty text is "line 0: empty manifest") */
    FUZZ_CHECK((line >= 1 || strcmp(err + used, "empty manifest") == 0) && line <= lines + 1,
               "the manifest error names line %lu of %llu: %s", line, (unsigned long long)lines, err);
}

/* A record of source src with every field null but the time field and the `not null` ones. */
static rt_slot *event_of(const rt_prog_source *src)
{
    rt_slot *rec = calloc((size_t)src->nfields + 1, sizeof *rec);
    FUZZ_CHECK(rec != NULL, "out of memory");
    for (int f = 0; f < src->nfields; f++)
        rec[f] = src->fields[f].not_null || f == src->time_field ? fuzz_generic_value(src->fields[f].type)
                                                                 : (rt_slot){.null = 1};
    return rec;
}

/* The values a query of service s answered: null flags 0 or 1, bools 0 or 1, floats
 * finite, strings UTF-8 (a string default may hold NUL bytes: the manifest carries any). */
static void check_outputs(const rt_prog_service *s, const rt_slot *out)
{
    for (int i = 0; i < s->noutputs; i++) {
        const rt_slot *v = &out[i];
        const char *col = s->outputs[i].column;
        FUZZ_CHECK(v->null <= 1, "output '%s': null flag %u", col, v->null);
        if (v->null)
            continue;
        switch (s->outputs[i].type) {
        case RT_BOOL: FUZZ_CHECK(v->v.i == 0 || v->v.i == 1, "bool output '%s' is %lld", col, (long long)v->v.i); break;
        case RT_FLOAT: FUZZ_CHECK(isfinite(v->v.f), "float output '%s' is not finite", col); break;
        case RT_STRING:
            FUZZ_CHECK((v->v.s || !v->len) && rt_utf8_valid(v->v.s, v->len), "string output '%s' is not UTF-8", col);
            break;
        case RT_INT:
        case RT_TIMESTAMP: break;
        }
    }
}

/* The engine runs the program: one event per event source, then a query of every service. */
static void run_engine(const rt_program *p, const rt_fn_table *fns)
{
    char err[512];
    rt_engine *e = rt_engine_new(p, fns, NULL, err, sizeof err);
    FUZZ_CHECK(e != NULL, "a parsed program gets no engine: %s", err);
    for (int s = 0; s < p->nsources; s++) {
        if (p->sources[s].kind == RT_SOURCE_REQUEST)
            continue;
        rt_slot *rec = event_of(&p->sources[s]);
        FUZZ_CHECK(rt_engine_apply(e, s, rec, RT_ARRIVAL_UNKNOWN) == RT_APPLY_ACCEPTED, "the first event of source %d is not accepted", s);
        free(rec);
    }
    for (int i = 0; i < p->nservices; i++) {
        const rt_prog_service *s = &p->services[i];
        rt_slot *keys = calloc((size_t)s->nkeys + 1, sizeof *keys), *out = calloc((size_t)s->noutputs + 1, sizeof *out);
        rt_slot *req = s->request_source >= 0 ? event_of(&p->sources[s->request_source]) : NULL;
        FUZZ_CHECK(keys && out, "out of memory");
        for (int k = 0; k < s->nkeys; k++)
            keys[k] = fuzz_generic_value(s->keys[k].type);
        rt_scratch scratch;
        rt_scratch_init(&scratch);
        FUZZ_CHECK(rt_engine_query(e, i, keys, req, 0, &scratch, out), "service '%s' cannot be queried", s->name);
        check_outputs(s, out);
        rt_scratch_free(&scratch);
        free(keys);
        free(out);
        free(req);
    }
    rt_metrics *m = rt_metrics_new(p);
    FUZZ_CHECK(m != NULL, "out of memory");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    FUZZ_CHECK(f && rt_metrics_write(m, e, NULL, f), "writing metrics failed");
    fclose(f);
    fuzz_check_prometheus(text, len);
    free(text);
    rt_metrics_free(m);
    rt_engine_free(e);
}

/* Sends one request to the server and checks the answer. */
static void request(rt_server *srv, const rt_program *p, const char *method, const char *path, rt_jbuf *body)
{
    char *copy = strdup(body->p ? body->p : "");
    FUZZ_CHECK(copy != NULL, "out of memory");
    rt_http_response r;
    rt_server_handle(srv, method, path, copy, strlen(copy), &r);
    fuzz_ingest ing;
    uint64_t lines = 1;
    for (const char *c = copy; *c; c++)
        lines += *c == '\n';
    fuzz_check_response(p, method, path, lines, false, &r, &ing);
    free(r.body);
    free(copy);
    body->len = 0;
    if (body->p)
        body->p[0] = '\0';
}

/* A server runs the program in-process: events to every event source, a query of every
 * service, then the metrics. */
static void run_server(const rt_program *p, const rt_fn_table *fns)
{
    char err[512];
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1, .threads = 1};
    rt_server *srv = rt_server_new(p, fns, &cfg, err, sizeof err);
    FUZZ_CHECK(srv != NULL, "a parsed program gets no server: %s", err);
    rt_jbuf body = {0}, path = {0};
    for (int s = 0; s < p->nsources; s++) {
        if (p->sources[s].kind == RT_SOURCE_REQUEST)
            continue;
        rt_slot *rec = event_of(&p->sources[s]);
        rt_json_record(&body, rt_engine_schema(srv->engine, s), rec);
        free(rec);
        path.len = 0;
        rt_jbuf_printf(&path, "/v1/events/%s", p->sources[s].name);
        request(srv, p, "POST", path.p, &body);
    }
    for (int i = 0; i < p->nservices; i++) {
        const rt_prog_service *s = &p->services[i];
        rt_jbuf_puts(&body, "{");
        for (int k = 0; k < s->nkeys; k++) {
            rt_slot v = fuzz_generic_value(s->keys[k].type);
            rt_jbuf_puts(&body, k ? "," : "");
            rt_json_string(&body, s->keys[k].name, strlen(s->keys[k].name));
            rt_jbuf_puts(&body, ":");
            rt_json_value(&body, &v, s->keys[k].type);
        }
        rt_jbuf_puts(&body, "}");
        path.len = 0;
        rt_jbuf_printf(&path, "/v1/features/%s", s->name);
        request(srv, p, "POST", path.p, &body);
    }
    request(srv, p, "GET", "/metrics", &body);
    free(body.p);
    free(path.p);
    rt_server_free(srv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[512];
    memset(err, 'x', sizeof err);
    rt_program *p = rt_program_parse(text, size, err, sizeof err);
    if (!p) {
        check_error(err, sizeof err, text, size);
        char small[16];
        memset(small, 'x', sizeof small);
        FUZZ_CHECK(!rt_program_parse(text, size, small, sizeof small) && strnlen(small, sizeof small) < sizeof small,
                   "a short error buffer is not NUL-terminated");
        FUZZ_CHECK(!rt_program_parse(text, size, NULL, 0), "the manifest parses without an error buffer");
        return 0;
    }
    fuzz_check_program(p);
    /* written back, the program parses to the same program and writes the same text */
    size_t len1 = 0, len2 = 0;
    char *text1 = fuzz_manifest_print(p, &len1);
    rt_program *p2 = rt_program_parse(text1, len1, err, sizeof err);
    FUZZ_CHECK(p2 != NULL, "a program written back does not parse: %s\n%s", err, text1);
    const char *diff = fuzz_program_diff(p, p2);
    FUZZ_CHECK(!diff, "a program written back parses differently (%s):\n%s", diff, text1);
    char *text2 = fuzz_manifest_print(p2, &len2);
    FUZZ_CHECK(len1 == len2 && memcmp(text1, text2, len1) == 0, "written twice, the manifest changes");
    free(text1);
    free(text2);
    rt_program_free(p2);
    rt_fn_table fns;
    if (fuzz_generic_fns(p, &fns)) {
        FUZZ_CHECK(rt_program_check_fns(p, &fns, err, sizeof err), "generic functions refused: %s", err);
        run_engine(p, &fns);
        run_server(p, &fns);
    }
    rt_program_free(p);
    return 0;
}
