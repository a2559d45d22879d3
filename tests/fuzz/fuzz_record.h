/* fuzz_record.h - records of a schema in fuzz targets: checks, deep copies, comparison, written and read back. */
#ifndef FUZZ_RECORD_H
#define FUZZ_RECORD_H

#include "rt_schema.h"

/* Checks that record obeys schema: each slot's null flag is 0 or 1, `not null` fields and
 * the time field are set, bools are 0 or 1, floats finite, strings valid UTF-8 without
 * NUL, and the expect hook passes. */
void fuzz_check_record(const rt_schema *schema, const rt_slot *record);

/* Whether a record the decoder produced passes the reader's checks after decoding (not
 * null fields, the time field, the expect rules), as rt_reader documents them. */
bool fuzz_record_valid(const rt_schema *schema, const rt_slot *record);

/* A deep copy of record (slots and strings in one malloc'd block; free() it). */
rt_slot *fuzz_record_copy(const rt_schema *schema, const rt_slot *record);

/* Whether two records hold the same values (floats bit for bit, strings byte for byte);
 * when not, the first differing field's index, else -1. */
int fuzz_record_diff(const rt_schema *schema, const rt_slot *a, const rt_slot *b);

/* Writes record as the state log does (rt_json_record) and reads that line back with the
 * event reader: it must be accepted with the same values. */
void fuzz_check_json_roundtrip(const rt_schema *schema, const rt_slot *record);

/* Writes a CSV header of the schema's names and record as one row (rt_format_csv_text and
 * rt_format_csv_value) and reads it back with the event reader: it must be accepted with
 * the same values. Timestamps outside years 0000..9999 are written in rt_time_format's
 * signed extended form, which rt_time_parse does not read; such records are skipped. */
void fuzz_check_csv_roundtrip(const rt_schema *schema, const rt_slot *record);

#endif
