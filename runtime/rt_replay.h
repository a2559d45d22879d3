/* rt_replay.h - replay: answer a spine's query rows from event files, in event-time order. */
#ifndef FEATRT_REPLAY_H
#define FEATRT_REPLAY_H

#include "rt_abi.h"
#include "rt_manifest.h"
#include "rt_reject.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One --events SOURCE=PATH argument. */
typedef struct rt_event_file {
    const char *source;
    const char *path;
} rt_event_file;

/* Splits "SOURCE=PATH" at its first '=' (pointing into arg, which the caller keeps; the
 * source part is copied into name[namelen]). False when there is no '=' or either side is
 * empty or the name does not fit. */
bool rt_event_file_parse(const char *arg, char *name, size_t namelen, rt_event_file *out);

/* Checks event files against p: each names an event source (not a request source) at most
 * once. Returns false with a message. */
bool rt_event_files_check(const rt_program *p, const rt_event_file *events, int nevents, char *err, size_t errlen);

typedef struct rt_replay_stats {
    uint64_t rows;         /* spine rows answered and written */
    uint64_t skipped_rows; /* bad spine rows, reported and left out */
    uint64_t accepted;     /* events applied, over all sources */
    uint64_t rejected;     /* invalid events */
    uint64_t ahead;        /* events stamped more than max_ahead after their arrival time */
    uint64_t late;         /* events older than their source's watermark minus lateness */
    uint64_t duplicate;    /* repeats of an accepted event's (unique value, time) */
} rt_replay_stats;

/* Replays service `service` of p with generated functions fns: reads the spine, reads each
 * source's events in file order (their arrival order; the arrival time is the source's
 * arrival field, else unknown), answers every spine row at its ts once each source the
 * service reads is complete up to ts (its watermark minus lateness >= ts, or its file has
 * ended), and writes out_path: the spine's columns then one column per output, rows in
 * spine order. Invalid events and those the arrival rules refuse (ahead, late, duplicate)
 * go to log with their reason (borrowed; counted there too); bad spine rows are reported
 * to report (NULL: not reported) and left out. Sources without a file have no events.
 * stats (may be NULL) receives the counts. Returns false with a message in err on a fatal
 * problem: an unknown service or source, an unreadable file, a bad spine header, a write
 * failure (out_path is then removed). */
bool rt_replay_run(const rt_program *p, const rt_fn_table *fns, const char *service, const char *spine_path,
                   const rt_event_file *events, int nevents, const char *out_path, rt_reject_log *log, FILE *report,
                   rt_replay_stats *stats, char *err, size_t errlen);

#endif
