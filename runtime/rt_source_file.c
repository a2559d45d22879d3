/* rt_source_file.c - an events file (JSON Lines or CSV) as a source: read once, in file order. */
#include "rt_engine.h"
#include "rt_reader.h"
#include "rt_source.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct file_source {
    rt_source base;
    rt_reader *reader;
    char *path;
    rt_reject_log *log;
    int nfields;
    const char *name;         /* the source's, for the reject log */
    uint64_t skip_to;         /* seek: lines up to this one were read before */
    uint64_t skipped_invalid; /* invalid events among the lines skipped by seek */
    rt_slot *pending;         /* seek read one record past the position: returned first */
    uint64_t pending_line;
    bool started;             /* next was called: seek no longer allowed */
    bool ended;
} file_source;

static rt_source *file_open(const rt_source_args *a, char *err, size_t errlen)
{
    file_source *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(a->url))) {
        free(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    f->base.ops = &rt_source_file_ops;
    f->log = a->log;
    f->nfields = a->schema->nfields;
    f->name = a->schema->name;
    f->reader = rt_reader_open(a->url, a->schema, a->log, err, errlen);
    if (!f->reader || (a->resume && !rt_source_file_ops.seek(&f->base, a->resume, err, errlen))) {
        rt_source_file_ops.close(&f->base);
        return NULL;
    }
    return &f->base;
}

static int file_next(rt_source *s, rt_source_batch *b, int timeout_ms, char *err, size_t errlen)
{
    (void)timeout_ms; /* a file never waits */
    file_source *f = (file_source *)s;
    f->started = true;
    b->n = 0;
    if (f->ended)
        return RT_SOURCE_END;
    uint64_t lines[256];
    int max = b->cap < 256 ? b->cap : 256;
    int n;
    if (f->pending) { /* its strings stay valid until the reader reads again */
        memcpy(b->records, f->pending, (size_t)f->nfields * sizeof *f->pending);
        lines[0] = f->pending_line;
        free(f->pending);
        f->pending = NULL;
        n = 1;
    } else if (max == 1) { /* one at a time: the record's strings need no copies */
        n = rt_reader_next(f->reader, b->records);
        lines[0] = rt_reader_line(f->reader);
    } else {
        n = rt_reader_next_batch(f->reader, b->records, max, lines);
    }
    if (n < 0) {
        snprintf(err, errlen, "%s", rt_reader_error(f->reader));
        return RT_SOURCE_FAILED;
    }
    if (n == 0) {
        f->ended = true;
        return RT_SOURCE_END;
    }
    for (int i = 0; i < n; i++) {
        b->arrival_us[i] = RT_ARRIVAL_UNKNOWN; /* the source's arrival field, if any, tells */
        b->part[i] = -1;
        b->where[i][0] = lines[i];
        b->where[i][1] = 0;
    }
    b->n = n;
    return RT_SOURCE_MORE;
}

static int file_parts(const rt_source *s)
{
    (void)s;
    return 0;
}

static void file_position(const rt_source *s, char *buf, size_t cap)
{
    const file_source *f = (const file_source *)s;
    snprintf(buf, cap, "line %" PRIu64, rt_reader_stats_of(f->reader)->lines);
}

/* While seeking: logs the invalid events past the position (those before it were logged by
 * the run that read them). */
static void skip_reject(void *ctx, uint64_t line, const char *reason)
{
    file_source *f = ctx;
    if (line > f->skip_to)
        rt_reject(f->log, f->name, f->path, line, reason);
    else
        f->skipped_invalid++;
}

/* Skips the events of the first N lines without logging them again (before any next); the
 * first event past them is kept for next. */
static bool file_seek(rt_source *s, const char *pos, char *err, size_t errlen)
{
    file_source *f = (file_source *)s;
    char *end;
    unsigned long long n = strncmp(pos, "line ", 5) == 0 ? strtoull(pos + 5, &end, 10) : 0;
    if (strncmp(pos, "line ", 5) != 0 || end == pos + 5 || *end) {
        snprintf(err, errlen, "%s: position '%.100s': expected 'line N'", f->path, pos);
        return false;
    }
    if (f->started || rt_reader_stats_of(f->reader)->lines > 0) {
        snprintf(err, errlen, "%s: a file can only be positioned before it is read", f->path);
        return false;
    }
    f->skip_to = n;
    rt_reader_set_log(f->reader, NULL);
    rt_reader_on_reject(f->reader, skip_reject, f);
    rt_slot *rec = calloc((size_t)f->nfields + 1, sizeof *rec);
    bool oom = !rec;
    int got = oom ? -1 : 1;
    while (got > 0 && rt_reader_stats_of(f->reader)->lines < n) {
        got = rt_reader_next(f->reader, rec);
        if (got > 0 && rt_reader_line(f->reader) > n) {
            f->pending = rec;
            f->pending_line = rt_reader_line(f->reader);
            rec = NULL;
            break;
        }
    }
    rt_reader_on_reject(f->reader, NULL, NULL);
    rt_reader_set_log(f->reader, f->log);
    free(rec);
    if (got < 0) {
        snprintf(err, errlen, "%s", oom ? "out of memory" : rt_reader_error(f->reader));
        return false;
    }
    return true;
}

static void file_applied(rt_source *s)
{
    (void)s;
}

static void file_status(rt_source *s, rt_source_status *st)
{
    file_source *f = (file_source *)s;
    *st = (rt_source_status){.connected = true,
                             .lag = -1,
                             .invalid = rt_reader_stats_of(f->reader)->rejected - f->skipped_invalid};
}

static const char *file_where(const rt_source *s, const rt_source_batch *b, int i, char *buf, size_t cap,
                              uint64_t *line)
{
    (void)buf, (void)cap;
    *line = b->where[i][0];
    return ((const file_source *)s)->path;
}

static void file_close(rt_source *s)
{
    file_source *f = (file_source *)s;
    rt_reader_close(f->reader);
    free(f->pending);
    free(f->path);
    free(f);
}

const rt_source_ops rt_source_file_ops = {
    .kind = "file",
    .open = file_open,
    .next = file_next,
    .parts = file_parts,
    .position = file_position,
    .seek = file_seek,
    .applied = file_applied,
    .status = file_status,
    .where = file_where,
    .close = file_close,
};
