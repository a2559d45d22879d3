/* fuzz_schema.h - the event schema the reader targets decode against: every field type, with and without not null. */
#ifndef FUZZ_SCHEMA_H
#define FUZZ_SCHEMA_H

#include "rt_schema.h"

/* Source "fz": not null ts timestamp (the time field), id int, card_id string, flag bool;
 * nullable amount float, ok bool, n int, s string, t2 timestamp, merchant_id string,
 * a_rather_long_field_name float and `w\u00e9"ird\\` string: names of 1..7, 8..16 and more
 * than 16 bytes and one that needs JSON escapes (the decoder's key matching paths). Expect
 * rules: amount >= 0 (its text spans two lines) and, unnamed, n != 13. */
const rt_schema *fuzz_event_schema(void);

#endif
