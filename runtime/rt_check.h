/* rt_check.h - the checks every decoded event passes: `not null` fields, a non-null event time, then the expect rules. */
#ifndef FEATRT_CHECK_H
#define FEATRT_CHECK_H

#include "rt_schema.h"

#include <stdbool.h>
#include <stddef.h>

/* The indices of schema's fields declared `not null`, written to out (room for nfields);
 * returns how many. Readers compute this once. */
int rt_check_not_null(const rt_schema *schema, int *out);

/* Checks a decoded record of schema: every field of not_null[0..nnot_null) (as
 * rt_check_not_null lists them) holds a value, the event time is not null, then the expect
 * rules hold (or are null). Returns true, or false with the reason of the first failure
 * (one line of text) in reason[cap]. */
bool rt_check_record(const rt_schema *schema, const int *not_null, int nnot_null, const rt_slot *record, char *reason,
                     size_t cap);

#endif
