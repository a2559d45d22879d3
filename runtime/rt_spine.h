/* rt_spine.h - the spine (query rows) of a service: read, checked and kept for replay output. */
#ifndef FEATRT_SPINE_H
#define FEATRT_SPINE_H

#include "rt_manifest.h"

#include <stdbool.h>
#include <stdio.h>

/* A spine is a CSV file whose header holds the service's key columns, a `ts` column (the
 * query time) and the request source's fields; other columns pass through. A row is
 * skipped (reported and counted, not fatal, left out of the output) when it is malformed
 * CSV, has another field count than the header, its ts is empty or not a timestamp, a key
 * or request value does not convert to its type, or a `not null` request field is empty. */
typedef struct rt_spine rt_spine;

/* Reads the whole spine for service svc of p. Each skipped row is reported to report (when
 * not NULL) as "FILE:LINE: skipped spine row: REASON". Returns NULL with a message in err
 * when the file cannot be read, or its header is malformed, lacks a needed column, repeats
 * a column name or has a column named like one of the service's outputs. */
rt_spine *rt_spine_load(const rt_program *p, int svc, const char *path, FILE *report, char *err, size_t errlen);
void rt_spine_free(rt_spine *s);

/* Rows kept (in file order, 0-based) and rows skipped. */
size_t rt_spine_rows(const rt_spine *s);
uint64_t rt_spine_skipped(const rt_spine *s);

/* Query time, service keys (one slot per service key) and request fields (one slot per
 * field of the request source, or NULL when the service takes none) of a kept row. */
int64_t rt_spine_ts(const rt_spine *s, size_t row);
const rt_slot *rt_spine_keys(const rt_spine *s, size_t row);
const rt_slot *rt_spine_request(const rt_spine *s, size_t row);

/* Writes the header's columns, or a row's fields, as read: each re-quoted with the shared
 * CSV quoting (a null field stays empty), separated by commas, without a line break.
 * Returns false when writing fails. */
bool rt_spine_write_header(const rt_spine *s, FILE *out);
bool rt_spine_write_row(const rt_spine *s, size_t row, FILE *out);

#endif
