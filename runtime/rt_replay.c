/* rt_replay.c - replay: answer a spine's query rows from event files, in event-time order. */
#include "rt_replay.h"

#include "rt_engine.h"
#include "rt_format.h"
#include "rt_reader.h"
#include "rt_refusal.h"
#include "rt_source.h"
#include "rt_spine.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool rt_event_file_parse(const char *arg, char *name, size_t namelen, rt_event_file *out)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || eq[1] == '\0' || (size_t)(eq - arg) >= namelen)
        return false;
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    out->source = name;
    out->path = eq + 1;
    return true;
}

bool rt_event_files_check(const rt_program *p, const rt_event_file *events, int nevents, char *err, size_t errlen)
{
    for (int i = 0; i < nevents; i++) {
        int s = rt_program_find_source(p, events[i].source);
        if (s < 0) {
            snprintf(err, errlen, "--events %s: no source named '%s'", events[i].source, events[i].source);
            return false;
        }
        if (p->sources[s].kind == RT_SOURCE_REQUEST) {
            snprintf(err, errlen, "--events %s: '%s' is a request source; it takes no events", events[i].source,
                     events[i].source);
            return false;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(events[j].source, events[i].source) == 0) {
                snprintf(err, errlen, "--events %s is given twice", events[i].source);
                return false;
            }
    }
    return true;
}

/* One source being read: a file, or a stream read up to what it held at the start. */
typedef struct replay_source {
    int src;
    const char *path;
    rt_source *source; /* NULL once ended */
    rt_source_batch batch;
    int next;    /* the batch's next record to apply */
    bool needed; /* the service reads it: queries wait for it */
} replay_source;

typedef struct replay {
    const rt_program *p;
    rt_engine *e;
    rt_reject_log *log;
    int nsources;
    replay_source *sources;
    uint64_t rejected; /* by readers already closed */
    char *err;
    size_t errlen;
    bool failed;
} replay;

static void close_reader(replay *r, replay_source *rs)
{
    if (!rs->source)
        return;
    rt_source_status st;
    rs->source->ops->status(rs->source, &st);
    r->rejected += st.invalid;
    rt_source_close(rs->source);
    rs->source = NULL;
}

/* Reads and applies one event of rs. Returns false at its end or on a read error (then
 * r->failed is set). */
static bool step(replay *r, replay_source *rs)
{
    while (rs->next == rs->batch.n) {
        int rc = rt_source_next(rs->source, &rs->batch, -1, r->err, r->errlen);
        rs->next = 0;
        int parts = rc == RT_SOURCE_MORE ? rs->source->ops->parts(rs->source) : 0;
        if (rc == RT_SOURCE_MORE && parts > rt_engine_parts(r->e, rs->src) &&
            !rt_engine_set_parts(r->e, rs->src, parts)) {
            snprintf(r->err, r->errlen, "out of memory");
            rc = RT_SOURCE_FAILED;
        }
        if (rc != RT_SOURCE_MORE) {
            r->failed = rc == RT_SOURCE_FAILED;
            rs->batch.n = 0;
            close_reader(r, rs);
            return false;
        }
    }
    const rt_prog_source *ps = &r->p->sources[rs->src];
    int i = rs->next++;
    const rt_slot *rec = rs->batch.records + (size_t)i * (size_t)rs->batch.nfields;
    /* a file's events arrive in file order, their arrival time known only from the
     * source's arrival field; a stream's in its order, at its timestamps */
    int part = rs->batch.part[i];
    int64_t arrival = rs->batch.arrival_us[i];
    rt_apply_result res = rt_engine_apply_part(r->e, rs->src, part, rec, arrival);
    if (res == RT_APPLY_AHEAD || res == RT_APPLY_LATE || res == RT_APPLY_DUPLICATE || res == RT_APPLY_NO_TIME) {
        char buf[512];
        uint64_t line;
        const char *file = rs->source->ops->where(rs->source, &rs->batch, i, buf, sizeof buf, &line);
        int64_t wm = 0;
        rt_engine_part_watermark(r->e, rs->src, part, &wm); /* a refusal left it as it was */
        if (res == RT_APPLY_NO_TIME)
            rt_reject(r->log, ps->name, file, line, "event time is null");
        else
            rt_refusal_log(r->log, ps, file, line, rec, res, arrival, wm, NULL, 0);
    }
    return true;
}

/* Reads every needed source until it is complete up to t or ended. */
static bool catch_up(replay *r, int64_t t)
{
    for (int i = 0; i < r->nsources; i++) {
        replay_source *rs = &r->sources[i];
        while (rs->needed && rs->source && rt_engine_complete_until(r->e, rs->src) < t)
            if (!step(r, rs) && r->failed)
                return false;
    }
    return true;
}

static bool open_sources(replay *r, const rt_event_file *events, int nevents, const bool *active)
{
    r->sources = calloc((size_t)nevents + 1, sizeof *r->sources);
    if (!r->sources) {
        snprintf(r->err, r->errlen, "out of memory");
        return false;
    }
    for (int i = 0; i < nevents; i++) {
        replay_source *rs = &r->sources[r->nsources++];
        rs->src = rt_program_find_source(r->p, events[i].source);
        rs->path = events[i].path;
        const rt_prog_source *ps = &r->p->sources[rs->src];
        for (int v = 0; v < r->p->nviews; v++)
            rs->needed |= active[v] && r->p->views[v].source == rs->src;
        /* a file is read one event at a time, so its reject log follows its lines */
        bool stream = rt_source_is_stream(rs->path);
        if (!rt_source_batch_init(&rs->batch, ps->nfields, stream ? 1024 : 1)) {
            snprintf(r->err, r->errlen, "out of memory");
            return false;
        }
        rt_source_args a = {.url = rs->path,
                            .schema = rt_engine_schema(r->e, rs->src),
                            .stamp_field = ps->arrival_field,
                            .log = r->log,
                            .finite = true};
        rs->source = rt_source_open(&a, r->err, r->errlen);
        if (!rs->source)
            return false;
    }
    return true;
}

static void close_sources(replay *r)
{
    for (int i = 0; i < r->nsources; i++) {
        close_reader(r, &r->sources[i]);
        rt_source_batch_free(&r->sources[i].batch);
    }
    free(r->sources);
}

typedef struct query_order {
    int64_t ts;
    size_t row;
} query_order;

static int by_time(const void *a, const void *b)
{
    const query_order *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Where a row's formatted outputs (",v1,v2...") lie in the results text. */
typedef struct result_span {
    size_t off;
    size_t len;
} result_span;

/* Answers every spine row in time order, writing each row's outputs to results. */
static bool answer_all(replay *r, int svc, const rt_spine *spine, FILE *results, result_span *spans)
{
    size_t n = rt_spine_rows(spine);
    const rt_prog_service *s = &r->p->services[svc];
    query_order *order = malloc((n + 1) * sizeof *order);
    rt_slot *out = calloc((size_t)s->noutputs + 1, sizeof *out);
    if (!order || !out) {
        free(order);
        free(out);
        snprintf(r->err, r->errlen, "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (query_order){rt_spine_ts(spine, i), i};
    qsort(order, n, sizeof *order, by_time);
    rt_scratch scratch;
    rt_scratch_init(&scratch);
    bool ok = true;
    for (size_t q = 0; q < n && ok; q++) {
        int64_t t = order[q].ts;
        size_t row = order[q].row;
        if (!catch_up(r, t)) {
            ok = false;
            break;
        }
        rt_engine_settle(r->e, t);
        bool answered = rt_engine_query(r->e, svc, rt_spine_keys(spine, row), rt_spine_request(spine, row), t,
                                        &scratch, out);
        assert(answered); /* queries come in time order and every view read is active */
        (void)answered;
        long start = ftell(results);
        for (int o = 0; o < s->noutputs; o++) {
            fputc(',', results);
            rt_format_csv_value(results, &out[o], s->outputs[o].type);
        }
        long end = ftell(results);
        if (start < 0 || end < start) {
            snprintf(r->err, r->errlen, "out of memory buffering results");
            ok = false;
        }
        spans[row] = (result_span){(size_t)start, (size_t)(end - start)};
        rt_scratch_reset(&scratch);
    }
    rt_scratch_free(&scratch);
    free(order);
    free(out);
    return ok;
}

/* Writes the output file: header, then each spine row with its results, in spine order. */
static bool write_output(const rt_program *p, int svc, const rt_spine *spine, const char *results,
                         const result_span *spans, const char *out_path, char *err, size_t errlen)
{
    FILE *out = fopen(out_path, "w");
    if (!out) {
        snprintf(err, errlen, "cannot write '%s': %s", out_path, strerror(errno));
        return false;
    }
    const rt_prog_service *s = &p->services[svc];
    bool ok = rt_spine_write_header(spine, out);
    for (int o = 0; o < s->noutputs; o++) {
        ok &= fputc(',', out) != EOF;
        ok &= rt_format_csv_text(out, s->outputs[o].column, strlen(s->outputs[o].column));
    }
    ok &= fputc('\n', out) != EOF;
    size_t n = rt_spine_rows(spine);
    for (size_t i = 0; i < n && ok; i++) {
        ok &= rt_spine_write_row(spine, i, out);
        ok &= fwrite(results + spans[i].off, 1, spans[i].len, out) == spans[i].len;
        ok &= fputc('\n', out) != EOF;
    }
    int saved = errno;
    ok &= !ferror(out);
    if (fclose(out) != 0) {
        saved = errno;
        ok = false;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write '%s': %s", out_path, strerror(saved ? saved : EIO));
        unlink(out_path);
    }
    return ok;
}

/* Reads what is left of every source, so that every invalid and refused event is reported. */
static bool drain(replay *r)
{
    for (int i = 0; i < r->nsources; i++)
        while (r->sources[i].source)
            if (!step(r, &r->sources[i]) && r->failed)
                return false;
    return true;
}

bool rt_replay_run(const rt_program *p, const rt_fn_table *fns, const char *service, const char *spine_path,
                   const rt_event_file *events, int nevents, const char *out_path, rt_reject_log *log, FILE *report,
                   rt_replay_stats *stats, char *err, size_t errlen)
{
    int svc = rt_program_find_service(p, service);
    if (svc < 0) {
        snprintf(err, errlen, "no service named '%s'", service);
        return false;
    }
    if (!rt_event_files_check(p, events, nevents, err, errlen))
        return false;
    const rt_prog_service *s = &p->services[svc];
    bool *active = calloc((size_t)p->nviews + 1, sizeof *active);
    if (!active) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (int i = 0; i < s->nviews; i++)
        active[s->views[i].view] = true;
    replay r = {.p = p, .log = log, .err = err, .errlen = errlen};
    rt_spine *spine = NULL;
    result_span *spans = NULL;
    char *results = NULL;
    size_t results_len = 0;
    FILE *rf = NULL;
    bool ok = false;
    r.e = rt_engine_new(p, fns, active, err, errlen);
    if (!r.e || !open_sources(&r, events, nevents, active))
        goto done;
    spine = rt_spine_load(p, svc, spine_path, report, err, errlen);
    if (!spine)
        goto done;
    spans = calloc(rt_spine_rows(spine) + 1, sizeof *spans);
    rf = open_memstream(&results, &results_len);
    if (!spans || !rf) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (!answer_all(&r, svc, spine, rf, spans) || !drain(&r))
        goto done;
    if (fclose(rf) != 0) {
        rf = NULL;
        snprintf(err, errlen, "out of memory buffering results");
        goto done;
    }
    rf = NULL;
    ok = write_output(p, svc, spine, results, spans, out_path, err, errlen);
    if (ok && stats) {
        *stats = (rt_replay_stats){.rows = rt_spine_rows(spine), .skipped_rows = rt_spine_skipped(spine)};
        for (int i = 0; i < p->nsources; i++) {
            stats->accepted += rt_engine_accepted(r.e, i);
            stats->ahead += rt_engine_count(r.e, i, RT_APPLY_AHEAD);
            stats->late += rt_engine_late(r.e, i);
            stats->duplicate += rt_engine_count(r.e, i, RT_APPLY_DUPLICATE);
        }
        stats->rejected = r.rejected; /* every reader has ended */
    }
done:
    if (rf)
        fclose(rf);
    free(results);
    free(spans);
    rt_spine_free(spine);
    close_sources(&r);
    rt_engine_free(r.e);
    free(active);
    return ok;
}
