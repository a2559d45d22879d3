/* rt_spine_reader.h - the one spine reader: rows in file order, each checked once, the bad ones skipped and reported. */
#ifndef FEATRT_SPINE_READER_H
#define FEATRT_SPINE_READER_H

#include "rt_csv.h"
#include "rt_manifest.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A spine is a CSV file (or a Parquet file, through an installed opener) whose header holds the service's key columns, a `ts` column (the
 * query time) and the request source's fields; other columns pass through. Both `featc
 * replay` and `featc backfill` read it with this reader, so both answer the same rows.
 *
 * A row is skipped (reported, counted, never handed out) when it is malformed CSV, has
 * another field count than the header, its ts is empty or not a timestamp, a key or
 * request value does not convert to its type, or a `not null` request field is empty.
 * An unquoted empty field is null; "" is the empty string. */
typedef struct rt_spine_reader rt_spine_reader;

/* A row that can be answered. Everything points into the reader and stays valid until the
 * next rt_spine_next or rt_spine_close. */
typedef struct rt_spine_row {
    uint64_t line;              /* 1-based line where the row begins (Parquet: its row number) */
    int64_t ts;                 /* the query time, epoch microseconds */
    const rt_slot *keys;        /* one per service key */
    const rt_slot *request;     /* one per request field; NULL when the service takes none */
    const rt_csv_field *fields; /* every column as read, pass-through ones included */
} rt_spine_row;

/* Spines in a format the runtime leaves to the program that links it (Parquet, which featc
 * reads through DuckDB; a built runtime refuses it). The source hands out each row's
 * fields as text, as a CSV spine would hold them (a null is unquoted and empty), and this
 * reader checks and converts them exactly as it does CSV fields. */
typedef struct rt_spine_source {
    void *ctx;
    int ncolumns;
    const rt_csv_field *header; /* the column names, valid until close */
    /* The next row: 1 with *fields (ncolumns of them, valid until the next call) and *row,
     * its 1-based number; 0 at the end; -1 when reading failed, with a message in err. */
    int (*next)(void *ctx, const rt_csv_field **fields, uint64_t *row, char *err, size_t errlen);
    void (*close)(void *ctx);
} rt_spine_source;

/* A column the service needs from the spine, and the type it must convert to. */
typedef struct rt_spine_want {
    const char *name;
    rt_type type;
} rt_spine_want;

/* Opens path as a spine source. want lists the columns the service needs (ts, its keys and
 * request fields), so that a column of a type that cannot convert is refused before any
 * row; a missing one is left for the reader to report. Returns false with a message. */
typedef bool (*rt_spine_opener)(const char *path, const rt_spine_want *want, int nwant, rt_spine_source *out,
                                char *err, size_t errlen);

/* Installs the opener of spines named *.parquet (NULL: none). Set once, at start. */
void rt_spine_set_opener(rt_spine_opener open);

typedef enum rt_spine_status {
    RT_SPINE_ROW,    /* *row holds the next row that can be answered */
    RT_SPINE_END,    /* no more rows */
    RT_SPINE_FAILED, /* reading failed (I/O, memory); the message is in err */
} rt_spine_status;

/* Opens the spine of service svc of p and checks its header. Each skipped row is reported
 * to report (when not NULL) as "PATH:LINE: skipped spine row: REASON". Returns NULL with a
 * message in err when the file cannot be read, or its header is malformed, lacks a needed
 * column, repeats a column name or has a column named like one of the service's outputs. */
rt_spine_reader *rt_spine_open(const rt_program *p, int svc, const char *path, FILE *report, char *err,
                               size_t errlen);
void rt_spine_close(rt_spine_reader *r);

/* Reads on to the next row that can be answered, skipping and reporting the others. */
rt_spine_status rt_spine_next(rt_spine_reader *r, rt_spine_row *row, char *err, size_t errlen);

/* The header's columns, rows skipped so far, and where the ts, each key and each request
 * field are among the columns. */
int rt_spine_ncolumns(const rt_spine_reader *r);
const rt_csv_field *rt_spine_header(const rt_spine_reader *r);
uint64_t rt_spine_reader_skipped(const rt_spine_reader *r);
int rt_spine_ts_column(const rt_spine_reader *r);
int rt_spine_key_column(const rt_spine_reader *r, int key);
int rt_spine_request_column(const rt_spine_reader *r, int field);

/* Writes one field as both paths write spine fields back: re-quoted with the shared CSV
 * quoting, a null field (unquoted and empty) left empty. False when writing fails. */
bool rt_spine_write_field(FILE *out, const char *text, size_t len, bool quoted);

/* Writes n fields so, separated by commas, without a line break. */
bool rt_spine_write_fields(FILE *out, const rt_csv_field *f, int n);

/* The same text in memory: rt_spine_fields_text writes it to dst, which has room for
 * rt_spine_fields_text_max(f, n) bytes, and returns its length. */
size_t rt_spine_fields_text_max(const rt_csv_field *f, int n);
size_t rt_spine_fields_text(char *dst, const rt_csv_field *f, int n);

/* Writes the header the same way, except that every name is text (an empty one is ""). */
bool rt_spine_write_names(FILE *out, const rt_csv_field *f, int n);

#endif
