/* fuzz_events.c - the event reader under fuzzing: three passes over one input, every record and reason checked. */
#include "fuzz_events.h"

#include "fuzz_check.h"
#include "fuzz_record.h"
#include "rt_reject.h"

#include <stdlib.h>
#include <string.h>

/* Records per rt_reader_next_batch call in the second pass: small, so that batches end
 * inside the input and strings are copied across calls. */
enum { BATCH = 3 };

typedef struct reject_seen {
    uint64_t count;
    uint64_t last_line;
} reject_seen;

static void on_reject(void *ctx, uint64_t line, const char *reason)
{
    reject_seen *rs = ctx;
    fuzz_check_one_line(reason, 1024, "reject reason");
    FUZZ_CHECK(line >= 1, "reject at line %llu: %s", (unsigned long long)line, reason);
    FUZZ_CHECK(line > rs->last_line, "reject at line %llu after one at line %llu: %s", (unsigned long long)line,
               (unsigned long long)rs->last_line, reason);
    rs->last_line = line;
    rs->count++;
}

/* The reject log shared by every input (opened once; it only counts and writes to /dev/null). */
static rt_reject_log *shared_log(void)
{
    static rt_reject_log *log;
    char err[256];
    if (!log && !(log = rt_reject_log_open("/dev/null", err, sizeof err)))
        fuzz_fail(__FILE__, __LINE__, "%s", err);
    return log;
}

/* Opens a reader, or checks the refusal's message and returns NULL. */
static rt_reader *open_reader(const char *data, size_t n, rt_event_format fmt, const rt_schema *schema,
                              rt_reject_log *log)
{
    char err[512];
    memset(err, 'x', sizeof err); /* an unwritten message shows as not terminated */
    rt_reader *r = rt_reader_open_mem(data, n, fmt, "fuzz", schema, log, err, sizeof err);
    if (!r) {
        FUZZ_CHECK(fmt == RT_EVENTS_CSV, "a JSON reader over memory was refused: %.200s", err);
        fuzz_check_one_line(err, sizeof err, "open error");
    }
    return r;
}

static void push(fuzz_events *ev, const rt_schema *schema, const rt_slot *rec, uint64_t line)
{
    if (ev->n == ev->cap) {
        ev->cap = ev->cap ? ev->cap * 2 : 16;
        ev->recs = realloc(ev->recs, ev->cap * sizeof *ev->recs);
        ev->lines = realloc(ev->lines, ev->cap * sizeof *ev->lines);
        FUZZ_CHECK(ev->recs && ev->lines, "out of memory");
    }
    ev->recs[ev->n] = fuzz_record_copy(schema, rec);
    ev->lines[ev->n++] = line;
}

/* The counts a finished pass must show. */
static void check_counts(const rt_reader_stats *st, rt_event_format fmt, size_t accepted)
{
    FUZZ_CHECK(st->accepted == accepted, "stats say %llu accepted, %zu were returned",
               (unsigned long long)st->accepted, accepted);
    uint64_t events = st->accepted + st->rejected + st->blank;
    if (fmt == RT_EVENTS_CSV)
        FUZZ_CHECK(events <= st->lines, "%llu rows and blank lines in %llu lines", (unsigned long long)events,
                   (unsigned long long)st->lines);
    else
        FUZZ_CHECK(events == st->lines, "%llu accepted + %llu rejected + %llu blank != %llu lines",
                   (unsigned long long)st->accepted, (unsigned long long)st->rejected,
                   (unsigned long long)st->blank, (unsigned long long)st->lines);
    FUZZ_CHECK(fmt != RT_EVENTS_JSON || st->lines <= 1, "a JSON document read as %llu events",
               (unsigned long long)st->lines);
}

/* Pass 1: one record at a time, each checked and kept. */
static void first_pass(const char *data, size_t n, rt_event_format fmt, const rt_schema *schema, fuzz_events *ev)
{
    rt_reject_log *log = shared_log();
    uint64_t logged = rt_reject_count(log, schema->name);
    rt_reader *r = open_reader(data, n, fmt, schema, log);
    if (!r)
        return;
    ev->opened = true;
    reject_seen rs = {0, 0};
    rt_reader_on_reject(r, on_reject, &rs);
    rt_slot *rec = calloc((size_t)schema->nfields + 1, sizeof *rec);
    FUZZ_CHECK(rec != NULL, "out of memory");
    int got;
    uint64_t last = 0;
    while ((got = rt_reader_next(r, rec)) == 1) {
        uint64_t line = rt_reader_line(r);
        FUZZ_CHECK(line > last && line <= rt_reader_stats_of(r)->lines, "record at line %llu after line %llu",
                   (unsigned long long)line, (unsigned long long)last);
        last = line;
        fuzz_check_record(schema, rec);
        fuzz_check_json_roundtrip(schema, rec);
        fuzz_check_csv_roundtrip(schema, rec);
        push(ev, schema, rec, line);
    }
    FUZZ_CHECK(got == 0, "reading memory failed: %s", rt_reader_error(r));
    ev->stats = *rt_reader_stats_of(r);
    check_counts(&ev->stats, fmt, ev->n);
    FUZZ_CHECK(rs.count == ev->stats.rejected, "%llu rejects reported, %llu counted", (unsigned long long)rs.count,
               (unsigned long long)ev->stats.rejected);
    FUZZ_CHECK(rt_reject_count(log, schema->name) - logged == ev->stats.rejected, "the reject log counted %llu, not %llu",
               (unsigned long long)(rt_reject_count(log, schema->name) - logged), (unsigned long long)ev->stats.rejected);
    free(rec);
    rt_reader_close(r);
}

/* Pass 2: batches of BATCH records must repeat pass 1 exactly. */
static void batch_pass(const char *data, size_t n, rt_event_format fmt, const rt_schema *schema, const fuzz_events *ev)
{
    rt_reader *r = open_reader(data, n, fmt, schema, NULL);
    FUZZ_CHECK(r != NULL, "the input opened once but not twice");
    rt_slot *recs = calloc((size_t)BATCH * (size_t)schema->nfields + 1, sizeof *recs);
    uint64_t lines[BATCH];
    FUZZ_CHECK(recs != NULL, "out of memory");
    size_t k = 0;
    int got;
    while ((got = rt_reader_next_batch(r, recs, BATCH, lines)) > 0) {
        for (int i = 0; i < got; i++, k++) {
            FUZZ_CHECK(k < ev->n, "batches return more records than single calls (%zu)", ev->n);
            FUZZ_CHECK(lines[i] == ev->lines[k], "batch record %zu at line %llu, single call at %llu", k,
                       (unsigned long long)lines[i], (unsigned long long)ev->lines[k]);
            int f = fuzz_record_diff(schema, recs + (size_t)i * (size_t)schema->nfields, ev->recs[k]);
            FUZZ_CHECK(f < 0, "batch record %zu differs from the single call's in field '%s'", k,
                       schema->fields[f].name);
        }
    }
    FUZZ_CHECK(got == 0, "reading memory in batches failed: %s", rt_reader_error(r));
    FUZZ_CHECK(k == ev->n, "batches return %zu records, single calls %zu", k, ev->n);
    const rt_reader_stats *st = rt_reader_stats_of(r);
    FUZZ_CHECK(memcmp(st, &ev->stats, sizeof *st) == 0, "batches count differently from single calls");
    free(recs);
    rt_reader_close(r);
}

/* Pass 3: with a record limit of limit bytes, every record accepted is pass 1's at its line. */
static void limit_pass(const char *data, size_t n, rt_event_format fmt, const rt_schema *schema, const fuzz_events *ev,
                       size_t limit)
{
    rt_reader *r = open_reader(data, n, fmt, schema, NULL);
    if (!r)
        return; /* the header may be longer than the limit */
    rt_reader_set_max_record(r, limit);
    reject_seen rs = {0, 0};
    rt_reader_on_reject(r, on_reject, &rs);
    rt_slot *rec = calloc((size_t)schema->nfields + 1, sizeof *rec);
    FUZZ_CHECK(rec != NULL, "out of memory");
    size_t k = 0, accepted = 0;
    int got;
    while ((got = rt_reader_next(r, rec)) == 1) {
        uint64_t line = rt_reader_line(r);
        while (k < ev->n && ev->lines[k] < line)
            k++;
        FUZZ_CHECK(k < ev->n && ev->lines[k] == line, "with a %zu-byte limit a record at line %llu is accepted that "
                   "was not without it", limit, (unsigned long long)line);
        int f = fuzz_record_diff(schema, rec, ev->recs[k]);
        FUZZ_CHECK(f < 0, "with a %zu-byte limit field '%s' of the record at line %llu differs", limit,
                   schema->fields[f].name, (unsigned long long)line);
        accepted++;
    }
    FUZZ_CHECK(got == 0, "reading memory failed: %s", rt_reader_error(r));
    check_counts(rt_reader_stats_of(r), fmt, accepted);
    if (fmt != RT_EVENTS_CSV)
        FUZZ_CHECK(rt_reader_stats_of(r)->lines == ev->stats.lines, "a record limit changes the line count");
    free(rec);
    rt_reader_close(r);
}

void fuzz_events_read(const char *data, size_t n, rt_event_format fmt, const rt_schema *schema, fuzz_events *out)
{
    memset(out, 0, sizeof *out);
    first_pass(data, n, fmt, schema, out);
    if (!out->opened)
        return;
    batch_pass(data, n, fmt, schema, out);
    limit_pass(data, n, fmt, schema, out, 1 + n % 97);
}

void fuzz_events_free(fuzz_events *ev)
{
    for (size_t i = 0; i < ev->n; i++)
        free(ev->recs[i]);
    free(ev->recs);
    free(ev->lines);
    memset(ev, 0, sizeof *ev);
}
