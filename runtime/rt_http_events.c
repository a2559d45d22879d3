/* rt_http_events.c - event ingestion for the server: apply, log late events, persist, settle. */
#include "rt_http.h"

#include "rt_time.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

bool rt_http_apply_events(rt_server *s, int src, rt_reader *r, const char *file, bool log_state, rt_http_batch *batch,
                          rt_http_reject_fn on_reject, void *ctx, char *err, size_t errlen)
{
    const rt_prog_source *ps = &s->p->sources[src];
    const rt_schema *schema = rt_engine_schema(s->engine, src);
    FILE *state = log_state && s->state_logs ? s->state_logs[src] : NULL;
    rt_slot *rec = calloc((size_t)ps->nfields + 1, sizeof *rec);
    if (!rec) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = true;
    int got;
    while ((got = rt_reader_next(r, rec)) > 0) {
        int64_t wm = 0;
        bool had_wm = rt_engine_watermark(s->engine, src, &wm);
        rt_apply_result res = rt_engine_apply(s->engine, src, rec);
        if (res == RT_APPLY_ACCEPTED) {
            batch->accepted++;
            if (state)
                rt_json_record(state, schema, rec);
        } else if (res == RT_APPLY_LATE && had_wm) {
            int64_t ts = rec[ps->time_field].v.i;
            uint64_t line = rt_reader_line(r);
            batch->late++;
            rt_reject_late(s->rejects, ps->name, file, line, ts, wm, ps->lateness_us);
            if (on_reject) {
                char tb[RT_TIME_BUF], wb[RT_TIME_BUF], lb[32], reason[160];
                rt_time_format(ts, tb);
                rt_time_format(wm, wb);
                snprintf(reason, sizeof reason, "late: event time %s is before watermark %s minus lateness %s", tb,
                         wb, rt_reject_duration(ps->lateness_us, lb));
                on_reject(ctx, line, reason);
            }
        }
    }
    if (got < 0) {
        snprintf(err, errlen, "%s", rt_reader_error(r));
        ok = false;
    }
    if (state && fflush(state) != 0) {
        snprintf(err, errlen, "cannot write the state log of source '%s'", ps->name);
        ok = false;
    }
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

/* Reject reasons of one request, listed in its response (at most MAX_LISTED). */
enum { MAX_LISTED = 100 };
typedef struct reject_list {
    FILE *out;
    uint64_t n;
} reject_list;

static void list_reject(void *ctx, uint64_t line, const char *reason)
{
    reject_list *l = ctx;
    if (l->n++ >= MAX_LISTED)
        return;
    fprintf(l->out, "%s{\"line\":%llu,\"reason\":", l->n > 1 ? "," : "", (unsigned long long)line);
    rt_json_string(l->out, reason, strlen(reason));
    fputc('}', l->out);
}

/* Whether body is one JSON object spread over several lines (which JSON Lines would read
 * as several bad events). */
static bool is_multiline_object(const char *body, size_t len)
{
    size_t b = 0, e = len;
    while (b < e && isspace((unsigned char)body[b]))
        b++;
    while (e > b && isspace((unsigned char)body[e - 1]))
        e--;
    if (b == e || body[b] != '{' || !memchr(body + b, '\n', e - b))
        return false;
    yajl_val v = yajl_tree_parse(body, NULL, 0);
    bool one = v && YAJL_IS_OBJECT(v);
    yajl_tree_free(v);
    return one;
}

void rt_http_ingest(rt_server *s, int src, const char *body, size_t len, rt_http_response *out)
{
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
    char *list = NULL;
    size_t list_len = 0;
    reject_list rl = {open_memstream(&list, &list_len), 0};
    if (!rl.out) {
        rt_reader_close(r);
        rt_http_error(out, 500, "out of memory");
        return;
    }
    rt_reader_on_reject(r, list_reject, &rl);
    rt_http_batch batch = {0, 0};
    pthread_rwlock_wrlock(&s->lock);
    bool ok = rt_http_apply_events(s, src, r, file, true, &batch, list_reject, &rl, err, sizeof err);
    rt_http_settle(s, src);
    pthread_rwlock_unlock(&s->lock);
    uint64_t rejected = rt_reader_stats_of(r)->rejected;
    rt_reader_close(r);
    fclose(rl.out);
    if (!ok) {
        free(list);
        rt_http_error(out, 500, "%s", err);
        return;
    }
    *out = (rt_http_response){.status = 200, .content_type = "application/json"};
    FILE *f = open_memstream(&out->body, &out->len);
    if (f) {
        fprintf(f, "{\"accepted\":%llu,\"rejected\":%llu,\"late\":%llu,\"rejects\":[%s]",
                (unsigned long long)batch.accepted, (unsigned long long)rejected, (unsigned long long)batch.late,
                list ? list : "");
        if (rl.n > MAX_LISTED)
            fputs(",\"rejects_truncated\":true", f);
        fputs("}\n", f);
        fclose(f);
    }
    free(list);
}
