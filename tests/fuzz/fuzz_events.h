/* fuzz_events.h - the event reader under fuzzing: three passes over one input, every record and reason checked. */
#ifndef FUZZ_EVENTS_H
#define FUZZ_EVENTS_H

#include "rt_reader.h"

/* The records a first pass accepted (deep copies, see fuzz_record_copy) and their lines. */
typedef struct fuzz_events {
    rt_slot **recs;
    uint64_t *lines;
    size_t n, cap;
    rt_reader_stats stats;
    bool opened; /* false: rt_reader_open_mem refused the input (a CSV header) */
} fuzz_events;

/* Reads the n bytes at data as events of schema in format fmt, and checks: a refusal to
 * open, and every reject reason, is one line of text; every accepted record obeys the
 * schema and reads back the same after rt_json_record (the state log's writer) and after
 * the CSV writers; record lines increase; the counts add up (JSON: every line is an event,
 * blank or rejected). A second pass with rt_reader_next_batch must give the same records,
 * lines and counts; a third with a small record limit must accept only records of the
 * first pass. Fills out (the caller frees it with fuzz_events_free). */
void fuzz_events_read(const char *data, size_t n, rt_event_format fmt, const rt_schema *schema, fuzz_events *out);
void fuzz_events_free(fuzz_events *ev);

#endif
