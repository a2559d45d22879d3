/* rt_http_events.c - event ingestion for the server: stamp and decode outside the lock, apply, log refusals, persist, settle. */
#include "rt_http.h"

#include "rt_jsonl.h"
#include "rt_refusal.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

/* Records what applying one decoded event (its line for messages) to source src did: res,
 * with arrival_us as passed to the engine and wm the watermark when it was decided.
 * Accepted events are appended to state (may be NULL) through the line buffer logline;
 * refused ones are logged with their reason and passed to on_reject (may be NULL). */
void rt_http_record_applied(rt_server *s, int src, const rt_slot *rec, rt_apply_result res, int64_t arrival_us,
                            int64_t wm, uint64_t line, const char *file, FILE *state, rt_jbuf *logline,
                            rt_http_batch *batch, rt_http_reject_fn on_reject, void *ctx)
{
    if (res == RT_APPLY_ACCEPTED) {
        batch->accepted++;
        if (state) {
            logline->len = 0;
            rt_json_record(logline, rt_engine_schema(s->engine, src), rec);
            if (!logline->oom)
                fwrite(logline->p, 1, logline->len, state);
        }
    } else if (res == RT_APPLY_AHEAD || res == RT_APPLY_LATE || res == RT_APPLY_DUPLICATE) {
        char reason[RT_REFUSAL_REASON];
        rt_reject_kind k = rt_refusal_log(s->rejects, &s->p->sources[src], file, line, rec, res, arrival_us, wm,
                                          reason, sizeof reason);
        batch->refused[k]++;
        if (on_reject)
            on_reject(ctx, line, k, reason);
    }
}

/* Applies one decoded event to source src; the caller holds the write lock or is alone. */
static void apply_one(rt_server *s, int src, const rt_slot *rec, int64_t arrival_us, uint64_t line, const char *file,
                      FILE *state, rt_jbuf *logline, rt_http_batch *batch, rt_http_reject_fn on_reject, void *ctx)
{
    rt_apply_result res = rt_engine_apply(s->engine, src, rec, arrival_us);
    int64_t wm = 0;
    rt_engine_watermark(s->engine, src, &wm); /* a refusal left it as it was */
    rt_http_record_applied(s, src, rec, res, arrival_us, wm, line, file, state, logline, batch, on_reject, ctx);
}

/* Applies recs[0..n) (nf slots each), arrived at arrival_us, to source src in one engine
 * batch, then records each result with the watermark as it stood when that event was
 * decided: the largest time among the events accepted so far, which is how the engine
 * keeps it. The caller holds the lock. */
static void apply_chunk(rt_server *s, int src, const rt_slot *recs, int n, int64_t arrival_us, const uint64_t *lines,
                        rt_apply_result *results, const char *file, FILE *state, rt_jbuf *logline,
                        rt_http_batch *batch, rt_http_reject_fn on_reject, void *ctx)
{
    const rt_prog_source *ps = &s->p->sources[src];
    int nf = ps->nfields;
    int64_t wm = 0;
    bool had_wm = rt_engine_watermark(s->engine, src, &wm);
    rt_engine_apply_batch(s->engine, src, recs, (size_t)n, arrival_us, results);
    for (int i = 0; i < n; i++) {
        const rt_slot *rec = recs + (size_t)i * (size_t)nf;
        rt_http_record_applied(s, src, rec, results[i], arrival_us, wm, lines[i], file, state, logline, batch, on_reject,
                       ctx);
        if (results[i] == RT_APPLY_ACCEPTED) {
            int64_t ts = rec[ps->time_field].v.i;
            if (!had_wm || ts > wm)
                wm = ts;
            had_wm = true;
        }
    }
#ifndef NDEBUG
    int64_t check = 0;
    assert(!had_wm || (rt_engine_watermark(s->engine, src, &check) && check == wm));
#endif
}

bool rt_http_apply_events(rt_server *s, int src, rt_reader *r, const char *file, bool log_state, rt_http_batch *batch,
                          rt_http_reject_fn on_reject, void *ctx, char *err, size_t errlen)
{
    const rt_prog_source *ps = &s->p->sources[src];
    FILE *state = log_state && s->state_logs ? s->state_logs[src] : NULL;
    rt_slot *rec = calloc((size_t)ps->nfields + 1, sizeof *rec);
    if (!rec) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = true;
    rt_jbuf logline = {0};
    int got;
    while ((got = rt_reader_next(r, rec)) > 0)
        apply_one(s, src, rec, RT_ARRIVAL_UNKNOWN, rt_reader_line(r), file, state, &logline, batch, on_reject, ctx);
    if (got < 0) {
        snprintf(err, errlen, "%s", rt_reader_error(r));
        ok = false;
    }
    if (state && (logline.oom || fflush(state) != 0)) {
        snprintf(err, errlen, "cannot write the state log of source '%s'", ps->name);
        ok = false;
    }
    free(logline.p);
    free(rec);
    return ok;
}

void rt_http_settle(rt_server *s, int src)
{
    if (s->cfg.retain_us < 0)
        return;
    int64_t h = rt_engine_complete_until(s->engine, src), now = rt_http_now();
    if (now < h)
        h = now;
    h = h < INT64_MIN + s->cfg.retain_us ? INT64_MIN : h - s->cfg.retain_us;
    for (int v = 0; v < s->p->nviews; v++)
        if (s->p->views[v].source == src)
            rt_engine_settle_view(s->engine, v, h);
}

/* Whether body is one JSON object spread over several lines (which JSON Lines would read
 * as several bad events). A body nested too deep for the line decoder is not: its lines
 * are then rejected one by one, with the reason. */
static bool is_multiline_object(const char *body, size_t len)
{
    size_t b = 0, e = len;
    while (b < e && isspace((unsigned char)body[b]))
        b++;
    while (e > b && isspace((unsigned char)body[e - 1]))
        e--;
    if (b == e || body[b] != '{' || !memchr(body + b, '\n', e - b) ||
        !rt_json_depth_within(body + b, e - b, RT_JSONL_MAX_DEPTH))
        return false;
    yajl_val v = yajl_tree_parse(body, NULL, 0);
    bool one = v && YAJL_IS_OBJECT(v);
    yajl_tree_free(v);
    return one;
}

/* The rejects of one request listed in its response: the MAX_LISTED of smallest line, in
 * line order, each with its kind. Invalid events are found while decoding (outside the
 * lock) and refused ones (ahead, late, duplicate) while applying, so the two come in
 * separate runs; every line of a later chunk is past every line of an earlier one. Entries
 * are kept per run up to MAX_LISTED, sorted and cut back after each chunk: memory stays
 * bounded however many events are rejected. */
enum { MAX_LISTED = 100, CHUNK = 1024 };
typedef struct reject_entry {
    uint64_t line;
    rt_reject_kind kind;
    char *reason;
} reject_entry;
typedef struct reject_list {
    reject_entry e[3 * MAX_LISTED];
    int n;       /* entries held */
    int in_run;  /* entries taken in the current run */
    bool full;   /* MAX_LISTED held after a chunk: later rejects are only counted */
    uint64_t seen;
    bool oom;
} reject_list;

static void list_reject(void *ctx, uint64_t line, rt_reject_kind kind, const char *reason)
{
    reject_list *l = ctx;
    l->seen++;
    if (l->full || l->in_run >= MAX_LISTED)
        return;
    assert(l->n < 3 * MAX_LISTED);
    char *copy = strdup(reason);
    if (!copy) {
        l->oom = true;
        return;
    }
    l->e[l->n++] = (reject_entry){line, kind, copy};
    l->in_run++;
}

/* The reader's reject callback: an invalid event. */
static void list_invalid(void *ctx, uint64_t line, const char *reason)
{
    list_reject(ctx, line, RT_REJECT_INVALID, reason);
}

static int by_line(const void *a, const void *b)
{
    uint64_t x = ((const reject_entry *)a)->line, y = ((const reject_entry *)b)->line;
    return (x > y) - (x < y);
}

/* Ends a run: sorts, keeps the first MAX_LISTED. At the end of a chunk (both runs seen),
 * MAX_LISTED entries mean no later reject can be listed. */
static void list_cut(reject_list *l, bool chunk_done)
{
    qsort(l->e, (size_t)l->n, sizeof *l->e, by_line);
    while (l->n > MAX_LISTED)
        free(l->e[--l->n].reason);
    l->full = chunk_done && l->n == MAX_LISTED;
    l->in_run = 0;
}

static void list_free(reject_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->e[i].reason);
    l->n = 0;
}

/* Decodes the request's events (arrived at arrival_us) CHUNK at a time without the lock (JSON parsing, checks and
 * invalid events' messages are most of the work), then applies each chunk under the write
 * lock, so that queries wait only for the engine updates. Chunks of concurrent requests to
 * one source may interleave; the state log holds them in the order applied. False with a
 * message when decoding fails. */
static bool ingest_chunks(rt_server *s, int src, rt_reader *r, const char *file, int64_t arrival_us,
                          rt_http_batch *batch, reject_list *rl, char *err, size_t errlen)
{
    int nf = s->p->sources[src].nfields;
    FILE *state = s->state_logs ? s->state_logs[src] : NULL;
    rt_slot *recs = calloc((size_t)CHUNK * (size_t)(nf + 1), sizeof *recs);
    uint64_t *lines = calloc(CHUNK, sizeof *lines);
    rt_apply_result *results = calloc(CHUNK, sizeof *results);
    rt_jbuf logline = {0};
    bool ok = recs && lines && results;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    while (ok) {
        int n = rt_reader_next_batch(r, recs, CHUNK, lines);
        if (n < 0) {
            snprintf(err, errlen, "%s", rt_reader_error(r));
            ok = false;
        }
        list_cut(rl, false);
        if (n <= 0)
            break;
        pthread_rwlock_wrlock(&s->lock);
        apply_chunk(s, src, recs, n, arrival_us, lines, results, file, state, &logline, batch, list_reject, rl);
        pthread_rwlock_unlock(&s->lock);
        list_cut(rl, true);
    }
    pthread_rwlock_wrlock(&s->lock);
    rt_http_settle(s, src);
    pthread_rwlock_unlock(&s->lock);
    /* The stream keeps the order of the writes made under the lock; pushing it to the file
     * needs no engine lock. */
    if (state && (logline.oom || fflush(state) != 0) && ok) {
        snprintf(err, errlen, "cannot write the state log of source '%s'", s->p->sources[src].name);
        ok = false;
    }
    free(logline.p);
    free(recs);
    free(lines);
    free(results);
    return ok;
}

void rt_http_ingest(rt_server *s, int src, const char *body, size_t len, rt_http_response *out)
{
    /* the receipt time: every event of the body arrived now */
    int64_t arrival_us = rt_http_now();
    if (!rt_http_body_ok(body, len, "a JSON event or JSON Lines", out))
        return;
    rt_event_format format = is_multiline_object(body, len) ? RT_EVENTS_JSON : RT_EVENTS_JSONL;
    char err[512];
    const char *file = "request";
    rt_reader *r =
        rt_reader_open_mem(body, len, format, file, rt_engine_schema(s->engine, src), s->rejects, err, sizeof err);
    if (!r) {
        rt_http_error(out, 500, "%s", err);
        return;
    }
    /* the arrival field holds the receipt time, whatever was sent, before any check */
    int arrival_field = s->p->sources[src].arrival_field;
    if (arrival_field >= 0)
        rt_reader_stamp(r, arrival_field, arrival_us);
    reject_list *rl = calloc(1, sizeof *rl);
    if (!rl) {
        rt_reader_close(r);
        rt_http_error(out, 500, "out of memory");
        return;
    }
    rt_reader_on_reject(r, list_invalid, rl);
    rt_http_batch batch = {0};
    bool ok = ingest_chunks(s, src, r, file, arrival_us, &batch, rl, err, sizeof err);
    batch.refused[RT_REJECT_INVALID] = rt_reader_stats_of(r)->rejected;
    rt_reader_close(r);
    if (!ok || rl->oom) {
        list_free(rl);
        free(rl);
        rt_http_error(out, 500, "%s", ok ? "out of memory" : err);
        return;
    }
    /* "rejected" counts the invalid events, as it did before the other reasons existed */
    rt_jbuf b = {0};
    rt_jbuf_printf(&b, "{\"accepted\":%llu,\"rejected\":%llu,\"late\":%llu", (unsigned long long)batch.accepted,
                   (unsigned long long)batch.refused[RT_REJECT_INVALID],
                   (unsigned long long)batch.refused[RT_REJECT_LATE]);
    for (int k = 0; k < RT_REJECT_NKINDS; k++)
        if (k != RT_REJECT_LATE)
            rt_jbuf_printf(&b, ",\"%s\":%llu", rt_reject_kind_name((rt_reject_kind)k),
                           (unsigned long long)batch.refused[k]);
    rt_jbuf_puts(&b, ",\"rejects\":[");
    for (int i = 0; i < rl->n; i++) {
        rt_jbuf_printf(&b, "%s{\"line\":%llu,\"kind\":\"%s\",\"reason\":", i ? "," : "",
                       (unsigned long long)rl->e[i].line, rt_reject_kind_name(rl->e[i].kind));
        rt_json_string(&b, rl->e[i].reason, strlen(rl->e[i].reason));
        rt_jbuf_put(&b, "}", 1);
    }
    rt_jbuf_puts(&b, "]");
    if (rl->seen > MAX_LISTED)
        rt_jbuf_puts(&b, ",\"rejects_truncated\":true");
    rt_jbuf_puts(&b, "}\n");
    *out = (rt_http_response){.status = 200, .content_type = "application/json"};
    rt_jbuf_to_body(&b, out);
    list_free(rl);
    free(rl);
}
