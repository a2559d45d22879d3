/* rt_csv.h - a streaming RFC 4180 CSV record reader with a header line (events and spines). */
#ifndef FEATRT_CSV_H
#define FEATRT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One field of a row. A null field is an unquoted empty one (!quoted && len == 0); "" is
 * quoted and empty. text is not NUL-terminated and stays valid until the next rt_csv_next
 * (header fields: until rt_csv_close). */
typedef struct rt_csv_field {
    const char *text;
    size_t len;
    bool quoted;
} rt_csv_field;

typedef enum rt_csv_status {
    RT_CSV_ROW,      /* a well-formed row (its field count may differ from the header's) */
    RT_CSV_BAD_ROW,  /* a malformed row, skipped; rt_csv_problem says why */
    RT_CSV_END,      /* no more rows */
    RT_CSV_IO_ERROR, /* reading failed; rt_csv_problem says why */
} rt_csv_status;

typedef struct rt_csv rt_csv;

/* Opens a CSV file and reads its header: the first line that is not blank (a UTF-8 byte
 * order mark before it is skipped). A file with no header (empty or blank) has 0 columns
 * and no rows. Returns NULL with a message in err when the file cannot be read or the
 * header is malformed. max_record bounds the bytes of one record (0: the default,
 * RT_CSV_MAX_RECORD); longer records are skipped as bad rows without being buffered. */
rt_csv *rt_csv_open(const char *path, size_t max_record, char *err, size_t errlen);

/* The same over n bytes at data (borrowed; they must outlive the reader). name is used in
 * messages. */
rt_csv *rt_csv_open_mem(const char *data, size_t n, const char *name, size_t max_record, char *err,
                        size_t errlen);

#define RT_CSV_MAX_RECORD ((size_t)256 << 20)
#define RT_CSV_MAX_COLUMNS 100000

/* The header: ncolumns fields. */
int rt_csv_ncolumns(const rt_csv *c);
const rt_csv_field *rt_csv_header(const rt_csv *c);

/* Index of the first header column whose name repeats an earlier one, or -1. */
int rt_csv_duplicate_column(const rt_csv *c);

/* Reads the next row, skipping blank lines (empty or a lone CR). On RT_CSV_ROW,
 * *fields points at min(*nfields, ncolumns) fields and *nfields is the row's real field
 * count. Lines are separated by LF or CRLF; quoted fields may hold commas, doubled quotes
 * and line breaks. */
rt_csv_status rt_csv_next(rt_csv *c, const rt_csv_field **fields, int *nfields);

/* Why the last row was bad, or the I/O error. */
const char *rt_csv_problem(const rt_csv *c);

/* 1-based line where the last row (or header) began; total lines consumed so far; blank
 * lines skipped so far. */
uint64_t rt_csv_line(const rt_csv *c);
uint64_t rt_csv_lines_read(const rt_csv *c);
uint64_t rt_csv_blank_lines(const rt_csv *c);

/* The raw bytes of the last row (without its line break); empty after a row longer than
 * max_record. Valid until the next rt_csv_next. */
const char *rt_csv_raw(const rt_csv *c, size_t *len);

/* Changes the bound on the bytes of one record (see rt_csv_open). */
void rt_csv_set_max_record(rt_csv *c, size_t bytes);

void rt_csv_close(rt_csv *c);

#endif
