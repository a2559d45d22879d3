/* rt_reader.h - the one event reader: decodes and validates JSON Lines, CSV (or hosted Parquet) events of a source. */
#ifndef FEATRT_READER_H
#define FEATRT_READER_H

#include "rt_reject.h"
#include "rt_schema.h"

typedef enum rt_event_format {
    RT_EVENTS_JSONL, /* one JSON object per line (.jsonl, .ndjson) */
    RT_EVENTS_CSV,   /* CSV with a header line (.csv) */
    RT_EVENTS_JSON,  /* memory only: the whole input is one JSON object (may span lines) */
    RT_EVENTS_PARQUET, /* .parquet (a glob too): rows decoded by the installed rt_row_opener */
} rt_event_format;

/* The format a path's extension names; false when it names none. */
bool rt_event_format_from_path(const char *path, rt_event_format *out);

typedef struct rt_reader rt_reader;

/* Formats the runtime leaves to the program that links it: Parquet. featc installs an
 * opener that reads Parquet through DuckDB; a built runtime has none, and refuses such
 * files. The source hands out typed rows; the reader applies its usual checks to each
 * (`not null`, the event time, expect rules, a stamped field), so invalid rows are
 * rejected, logged and counted exactly as in the other formats. */
typedef struct rt_row_source {
    void *ctx;
    /* Fills record (one slot per schema field) with the next row and *row with its 1-based
     * number in arrival order. Returns 1 for a row (its strings valid until the next call),
     * 2 for a row with a value that cannot be converted (reason written: one line, such as
     * "field 'n': int out of range, got 1e20"), 0 at the end, and -1 when reading failed
     * (the message written to reason). */
    int (*next)(void *ctx, rt_slot *record, uint64_t *row, char *reason, size_t reasonlen);
    void (*close)(void *ctx);
} rt_row_source;

/* Opens path for records of schema (borrowed; outlives the source). Returns false with a
 * message naming the file (unreadable, a column missing or of a type that cannot hold its
 * field) in err. */
typedef bool (*rt_row_opener)(const char *path, const rt_schema *schema, rt_row_source *out, char *err,
                              size_t errlen);

/* Installs the opener of RT_EVENTS_PARQUET files (NULL: none). Set once, before any reader
 * is opened. */
void rt_reader_set_row_opener(rt_row_opener open);

typedef struct rt_reader_stats {
    uint64_t lines;    /* physical lines consumed, header and blank lines included */
    uint64_t blank;    /* blank lines skipped (not events) */
    uint64_t accepted; /* events returned */
    uint64_t rejected; /* events rejected */
} rt_reader_stats;

/* Opens the events file at path, its format chosen by extension, for records of schema
 * (Parquet: through the installed rt_row_opener; the row number stands for the line).
 * Rejected events are reported to log (NULL: only counted here) with the path as file
 * name and schema->name as source. schema and log are borrowed and must outlive the reader.
 * Returns NULL with a message in err when the file cannot be opened, its extension is not
 * known, or (CSV) its header is malformed, repeats a column, or lacks a column for the time
 * field or a `not null` field. */
rt_reader *rt_reader_open(const char *path, const rt_schema *schema, rt_reject_log *log, char *err,
                          size_t errlen);

/* The same over n bytes at data in the given format (borrowed: they must outlive the
 * reader, and record strings may point into them); name stands for the file in messages. */
rt_reader *rt_reader_open_mem(const char *data, size_t n, rt_event_format format, const char *name,
                              const rt_schema *schema, rt_reject_log *log, char *err, size_t errlen);

/* Fills record[schema->nfields] with the next valid event and returns 1; returns 0 at the
 * end of input, -1 when reading failed (rt_reader_error). Invalid events are counted,
 * written to the reject log and skipped. Strings in the record stay valid until the next
 * call. */
int rt_reader_next(rt_reader *r, rt_slot *record);

/* Fills up to max records with the next valid events: record i is records[i *
 * schema->nfields ..], its line goes to lines[i] when lines is not NULL. Returns how many
 * (0 at the end of input; -1 when reading failed before any, see rt_reader_error; a failure
 * after some is reported by the next call). Invalid events are counted, logged and skipped
 * as by rt_reader_next. Strings in all the records stay valid until the next call of either
 * function: they are copied when they could move. */
int rt_reader_next_batch(rt_reader *r, rt_slot *records, int max, uint64_t *lines);

/* 1-based line where the last returned (or rejected) record began. */
uint64_t rt_reader_line(const rt_reader *r);

const rt_reader_stats *rt_reader_stats_of(const rt_reader *r);

/* The message of the failure rt_reader_next reported. */
const char *rt_reader_error(const rt_reader *r);

/* Calls fn(ctx, line, reason) for each rejected event, besides logging it (for callers
 * that answer a client). */
typedef void (*rt_reader_reject_fn)(void *ctx, uint64_t line, const char *reason);
void rt_reader_on_reject(rt_reader *r, rt_reader_reject_fn fn, void *ctx);

/* Sends rejected events to log from now on (NULL: counted only), e.g. after skipping lines
 * already read by an earlier run. */
void rt_reader_set_log(rt_reader *r, rt_reject_log *log);

/* Makes field (a timestamp field of the schema; -1: none) hold us in every event read from
 * now on, whatever the input says: its JSON key is skipped like an unknown key and its CSV
 * column is ignored (a CSV header still needs the column when the field is not null), and
 * the checks after decoding (`not null`, expect rules) see us. The server stamps its
 * receipt time into a source's arrival field this way. */
void rt_reader_stamp(rt_reader *r, int field, int64_t us);

/* Bounds the bytes of one line (CSV: one record); longer ones are rejected without being
 * held in memory. Default RT_READER_MAX_RECORD. */
#define RT_READER_MAX_RECORD ((size_t)256 << 20)
void rt_reader_set_max_record(rt_reader *r, size_t bytes);

void rt_reader_close(rt_reader *r);

#endif
