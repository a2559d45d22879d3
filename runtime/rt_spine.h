/* rt_spine.h - the spine (query rows) of a service, read through the spine reader and kept for replay output. */
#ifndef FEATRT_SPINE_H
#define FEATRT_SPINE_H

#include "rt_manifest.h"

#include <stdbool.h>
#include <stdio.h>

/* Every row of a spine that rt_spine_reader accepts, in file order, kept in memory (replay
 * answers them in time order and writes them in file order). */
typedef struct rt_spine rt_spine;

/* Reads the whole spine for service svc of p through rt_spine_open / rt_spine_next: the
 * same header checks, the same skipped rows reported to report (when not NULL). Returns
 * NULL with a message in err when the reader fails. */
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

/* Writes the header's columns (rt_spine_write_names), or a row's fields as read
 * (rt_spine_write_field each), separated by commas, without a line break. Returns false
 * when writing fails. */
bool rt_spine_write_header(const rt_spine *s, FILE *out);
bool rt_spine_write_row(const rt_spine *s, size_t row, FILE *out);

#endif
