/* rt_reject.h - the reject log: one line per refused event (invalid, ahead, late, duplicate), and counts per source and reason. */
#ifndef FEATRT_REJECT_H
#define FEATRT_REJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rt_reject_log rt_reject_log;

/* Why an event was refused: the arrival rules, in the order they are tried. The names
 * ("invalid", "ahead", "late", "duplicate") start each reason text but "invalid", and name
 * the counters in metrics and reports. */
typedef enum rt_reject_kind {
    RT_REJECT_INVALID,
    RT_REJECT_AHEAD,
    RT_REJECT_LATE,
    RT_REJECT_DUPLICATE,
} rt_reject_kind;
#define RT_REJECT_NKINDS 4

/* "invalid", "ahead", "late" or "duplicate". */
const char *rt_reject_kind_name(rt_reject_kind k);

/* Opens a reject log writing to path (created or truncated), to stderr when path is "-",
 * or counting only when path is NULL. Returns NULL with a message in err on failure.
 * The log is safe to share between threads (writes and counts take a lock). */
rt_reject_log *rt_reject_log_open(const char *path, char *err, size_t errlen);

/* Flushes and closes; false when a write to the file failed at any point. NULL is fine. */
bool rt_reject_log_close(rt_reject_log *log);

/* Records an invalid event of source `source` found at file:line and writes
 *     FILE:LINE: source 'SOURCE': REASON
 * (without "FILE:LINE: " when file is NULL, without "LINE:" when line is 0). reason is one
 * line of text. Counted as rejected. */
void rt_reject(rt_reject_log *log, const char *source, const char *file, uint64_t line, const char *reason);

/* Records an event of source `source` refused for kind (not RT_REJECT_INVALID: see rt_reject)
 * found at file:line (as for rt_reject), with reason, a text made by one of the
 * rt_reject_*_reason functions below. Counted under kind. */
void rt_reject_as(rt_reject_log *log, rt_reject_kind kind, const char *source, const char *file, uint64_t line,
                  const char *reason);

/* The reasons of the arrival rules, written to buf (cap bytes, always NUL-terminated; 160
 * bytes hold any late or ahead reason), as rt_reject_late, rt_reject_ahead and
 * rt_reject_duplicate write them. Return buf. */
char *rt_reject_late_reason(char *buf, size_t cap, int64_t event_us, int64_t watermark_us, int64_t lateness_us);
char *rt_reject_ahead_reason(char *buf, size_t cap, int64_t event_us, int64_t arrival_us, int64_t max_ahead_us);
char *rt_reject_duplicate_reason(char *buf, size_t cap, const char *field, const char *value_text, int64_t event_us);

/* Records an event older than its source's watermark minus its lateness, with the reason
 *     late: event time X is before watermark Y minus lateness Z
 * (X, Y as rt_time_format, Z as a duration such as 10s or 250ms). Counted as late, not as
 * rejected. */
void rt_reject_late(rt_reject_log *log, const char *source, const char *file, uint64_t line, int64_t event_us,
                    int64_t watermark_us, int64_t lateness_us);

/* Records an event stamped more than max_ahead after its arrival time, with the reason
 *     ahead: event time X is more than D after its arrival time A
 * Counted as ahead. */
void rt_reject_ahead(rt_reject_log *log, const char *source, const char *file, uint64_t line, int64_t event_us,
                     int64_t arrival_us, int64_t max_ahead_us);

/* Records a repeat of an accepted event, with the reason
 *     duplicate: FIELD VALUE at event time X was already accepted
 * (VALUE as text: an int in decimal, a string quoted and cut as rt_reject_excerpt does).
 * Counted as duplicate. */
void rt_reject_duplicate(rt_reject_log *log, const char *source, const char *file, uint64_t line,
                         const char *field, const char *value_text, int64_t event_us);

/* The count of one kind for one source (0 for a source never seen), or over all sources
 * when source is NULL. */
uint64_t rt_reject_kind_count(rt_reject_log *log, const char *source, rt_reject_kind kind);

/* Counts for one source (0 for a source never seen), and over all sources: invalid
 * (rt_reject_count) and late events. */
uint64_t rt_reject_count(rt_reject_log *log, const char *source);
uint64_t rt_reject_late_count(rt_reject_log *log, const char *source);
uint64_t rt_reject_total(rt_reject_log *log);
uint64_t rt_reject_late_total(rt_reject_log *log);

/* Appends to dst (a NUL-terminated string in a buffer of cap bytes) an excerpt of the n
 * bytes at s, for a reason text: at most max bytes of s, then "..." when cut; valid UTF-8
 * is kept, other bytes and control characters are written as \n, \r, \t or \xNN; with
 * quote, the excerpt is wrapped in double quotes and '"' and '\' are escaped too. Never
 * overflows dst (the excerpt is cut short instead). */
void rt_reject_excerpt(char *dst, size_t cap, const char *s, size_t n, size_t max, bool quote);

/* Writes a duration in microseconds the way .feat files do: the largest of d, h, m, s, ms
 * that divides it (0 is "0s"), else "Nus". buf must hold 32 bytes. Returns buf. */
char *rt_reject_duration(int64_t us, char *buf);

#endif
