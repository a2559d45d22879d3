/* rt_reject.c - the reject log: one line per refused event (invalid, ahead, late, duplicate), and counts per source and reason. */
#include "rt_reject.h"

#include "rt_time.h"
#include "rt_utf8.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reject_source {
    char *name;
    uint64_t n[RT_REJECT_NKINDS];
} reject_source;

struct rt_reject_log {
    pthread_mutex_t lock;
    FILE *out; /* NULL: counting only */
    bool own_out;
    bool write_failed;
    int nsources;
    int cap;
    reject_source *sources;
    uint64_t n[RT_REJECT_NKINDS];
};

const char *rt_reject_kind_name(rt_reject_kind k) {
    static const char *const names[RT_REJECT_NKINDS] = {"invalid", "ahead", "late", "duplicate"};
    return k >= 0 && k < RT_REJECT_NKINDS ? names[k] : "?";
}

rt_reject_log *rt_reject_log_open(const char *path, char *err, size_t errlen) {
    rt_reject_log *log = calloc(1, sizeof *log);
    if (!log) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (path && strcmp(path, "-") == 0) {
        log->out = stderr;
    } else if (path) {
        log->out = fopen(path, "w");
        if (!log->out) {
            snprintf(err, errlen, "cannot open reject log '%s': %s", path, strerror(errno));
            free(log);
            return NULL;
        }
        log->own_out = true;
    }
    pthread_mutex_init(&log->lock, NULL);
    return log;
}

bool rt_reject_log_close(rt_reject_log *log) {
    if (!log)
        return true;
    bool ok = !log->write_failed;
    if (log->out && fflush(log->out) != 0)
        ok = false;
    if (log->own_out && fclose(log->out) != 0)
        ok = false;
    for (int i = 0; i < log->nsources; i++)
        free(log->sources[i].name);
    free(log->sources);
    pthread_mutex_destroy(&log->lock);
    free(log);
    return ok;
}

/* The counters of a source, created on first use; NULL when out of memory. Lock held. */
static reject_source *source_counts(rt_reject_log *log, const char *source) {
    for (int i = 0; i < log->nsources; i++)
        if (strcmp(log->sources[i].name, source) == 0)
            return &log->sources[i];
    if (log->nsources == log->cap) {
        int cap = log->cap ? log->cap * 2 : 8;
        reject_source *s = realloc(log->sources, (size_t)cap * sizeof *s);
        if (!s)
            return NULL;
        log->sources = s;
        log->cap = cap;
    }
    char *name = strdup(source);
    if (!name)
        return NULL;
    reject_source *s = &log->sources[log->nsources++];
    *s = (reject_source){.name = name};
    return s;
}

/* Writes one log line; lock held. */
static void write_line(rt_reject_log *log, const char *source, const char *file, uint64_t line,
                       const char *reason) {
    if (!log->out)
        return;
    int r;
    if (!file)
        r = fprintf(log->out, "source '%s': %s\n", source, reason);
    else if (line == 0)
        r = fprintf(log->out, "%s: source '%s': %s\n", file, source, reason);
    else
        r = fprintf(log->out, "%s:%" PRIu64 ": source '%s': %s\n", file, line, source, reason);
    if (r < 0)
        log->write_failed = true;
}

static void record(rt_reject_log *log, const char *source, const char *file, uint64_t line, const char *reason,
                   rt_reject_kind kind) {
    if (!log)
        return;
    pthread_mutex_lock(&log->lock);
    reject_source *s = source_counts(log, source);
    if (s)
        s->n[kind]++;
    log->n[kind]++;
    write_line(log, source, file, line, reason);
    pthread_mutex_unlock(&log->lock);
}

void rt_reject(rt_reject_log *log, const char *source, const char *file, uint64_t line, const char *reason) {
    record(log, source, file, line, reason, RT_REJECT_INVALID);
}

void rt_reject_as(rt_reject_log *log, rt_reject_kind kind, const char *source, const char *file, uint64_t line,
                  const char *reason) {
    assert(kind > RT_REJECT_INVALID && kind < RT_REJECT_NKINDS);
    record(log, source, file, line, reason, kind);
}

char *rt_reject_late_reason(char *buf, size_t cap, int64_t event_us, int64_t watermark_us, int64_t lateness_us) {
    char ev[RT_TIME_BUF], wm[RT_TIME_BUF], lat[32];
    rt_time_format(event_us, ev);
    rt_time_format(watermark_us, wm);
    snprintf(buf, cap, "late: event time %s is before watermark %s minus lateness %s", ev, wm,
             rt_reject_duration(lateness_us, lat));
    return buf;
}

char *rt_reject_ahead_reason(char *buf, size_t cap, int64_t event_us, int64_t arrival_us, int64_t max_ahead_us) {
    char ev[RT_TIME_BUF], ar[RT_TIME_BUF], d[32];
    rt_time_format(event_us, ev);
    rt_time_format(arrival_us, ar);
    snprintf(buf, cap, "ahead: event time %s is more than %s after its arrival time %s", ev,
             rt_reject_duration(max_ahead_us, d), ar);
    return buf;
}

char *rt_reject_duplicate_reason(char *buf, size_t cap, const char *field, const char *value_text, int64_t event_us) {
    char ev[RT_TIME_BUF];
    rt_time_format(event_us, ev);
    snprintf(buf, cap, "duplicate: %s %s at event time %s was already accepted", field, value_text, ev);
    return buf;
}

void rt_reject_late(rt_reject_log *log, const char *source, const char *file, uint64_t line, int64_t event_us,
                    int64_t watermark_us, int64_t lateness_us) {
    char reason[160];
    record(log, source, file, line, rt_reject_late_reason(reason, sizeof reason, event_us, watermark_us, lateness_us),
           RT_REJECT_LATE);
}

void rt_reject_ahead(rt_reject_log *log, const char *source, const char *file, uint64_t line, int64_t event_us,
                     int64_t arrival_us, int64_t max_ahead_us) {
    char reason[160];
    record(log, source, file, line, rt_reject_ahead_reason(reason, sizeof reason, event_us, arrival_us, max_ahead_us),
           RT_REJECT_AHEAD);
}

void rt_reject_duplicate(rt_reject_log *log, const char *source, const char *file, uint64_t line,
                         const char *field, const char *value_text, int64_t event_us) {
    char reason[512];
    record(log, source, file, line, rt_reject_duplicate_reason(reason, sizeof reason, field, value_text, event_us),
           RT_REJECT_DUPLICATE);
}

uint64_t rt_reject_kind_count(rt_reject_log *log, const char *source, rt_reject_kind kind) {
    if (!log)
        return 0;
    uint64_t n = 0;
    pthread_mutex_lock(&log->lock);
    if (!source) {
        n = log->n[kind];
    } else {
        for (int i = 0; i < log->nsources; i++)
            if (strcmp(log->sources[i].name, source) == 0)
                n = log->sources[i].n[kind];
    }
    pthread_mutex_unlock(&log->lock);
    return n;
}

uint64_t rt_reject_count(rt_reject_log *log, const char *source) {
    return rt_reject_kind_count(log, source, RT_REJECT_INVALID);
}

uint64_t rt_reject_late_count(rt_reject_log *log, const char *source) {
    return rt_reject_kind_count(log, source, RT_REJECT_LATE);
}

uint64_t rt_reject_total(rt_reject_log *log) {
    return rt_reject_kind_count(log, NULL, RT_REJECT_INVALID);
}

uint64_t rt_reject_late_total(rt_reject_log *log) {
    return rt_reject_kind_count(log, NULL, RT_REJECT_LATE);
}

/* Appends s[0..n) to dst if it fits whole (with the NUL); returns false otherwise. */
static bool put(char *dst, size_t cap, size_t *len, const char *s, size_t n) {
    if (*len + n + 1 > cap)
        return false;
    memcpy(dst + *len, s, n);
    *len += n;
    dst[*len] = '\0';
    return true;
}

void rt_reject_excerpt(char *dst, size_t cap, const char *s, size_t n, size_t max, bool quote) {
    if (cap == 0)
        return;
    size_t len = strnlen(dst, cap - 1);
    dst[len] = '\0';
    /* room kept for the closing quote and "..." */
    size_t tail = (quote ? 1 : 0) + 3;
    if (quote && !put(dst, cap, &len, "\"", 1))
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && i < max) {
        char esc[8];
        size_t k = rt_utf8_char(p + i, n - i), elen;
        const char *out = (const char *)p + i;
        if (k == 0 || p[i] < 0x20 || p[i] == 0x7F || (quote && (p[i] == '"' || p[i] == '\\'))) {
            unsigned char c = p[i];
            if (c == '\n')
                elen = (size_t)snprintf(esc, sizeof esc, "\\n");
            else if (c == '\r')
                elen = (size_t)snprintf(esc, sizeof esc, "\\r");
            else if (c == '\t')
                elen = (size_t)snprintf(esc, sizeof esc, "\\t");
            else if (c == '"' || c == '\\')
                elen = (size_t)snprintf(esc, sizeof esc, "\\%c", c);
            else
                elen = (size_t)snprintf(esc, sizeof esc, "\\x%02X", c);
            out = esc;
            k = 1;
        } else {
            if (i + k > max)
                break;
            elen = k;
        }
        if (len + elen + tail + 1 > cap)
            break;
        put(dst, cap, &len, out, elen);
        i += k;
    }
    if (quote)
        put(dst, cap, &len, "\"", 1);
    if (i < n)
        put(dst, cap, &len, "...", 3);
}

char *rt_reject_duration(int64_t us, char *buf) {
    static const struct {
        int64_t us;
        const char *unit;
    } units[] = {
        {INT64_C(86400000000), "d"}, {INT64_C(3600000000), "h"}, {INT64_C(60000000), "m"},
        {INT64_C(1000000), "s"},     {INT64_C(1000), "ms"},      {INT64_C(1), "us"},
    };
    if (us == 0) {
        snprintf(buf, 32, "0s");
        return buf;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (us % units[i].us == 0) {
            snprintf(buf, 32, "%" PRId64 "%s", us / units[i].us, units[i].unit);
            break;
        }
    }
    return buf;
}
