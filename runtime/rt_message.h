/* rt_message.h - decodes one stream message (a JSON event, or an entry's fields read as CSV text) into a checked record. */
#ifndef FEATRT_MESSAGE_H
#define FEATRT_MESSAGE_H

#include "rt_schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One field of a message made of named fields (a Redis stream entry): name and value bytes. */
typedef struct rt_message_field {
    const char *name, *value;
    size_t name_len, value_len;
} rt_message_field;

typedef struct rt_message rt_message;

/* A decoder for messages of schema (borrowed). stamp_field (-1: none) is the source's
 * arrival field: every message gets its arrival time there, whatever it holds, before the
 * checks (as the server stamps its receipt time into posted events). NULL when out of
 * memory. */
rt_message *rt_message_new(const rt_schema *schema, int stamp_field);
void rt_message_free(rt_message *m);

/* Decodes one JSON object data[0..n) (strict JSON, as a line of JSON Lines is read) that
 * arrived at arrival_us into record[nfields], then runs the checks (rt_check_record).
 * Returns false with the reason in rt_message_reason. Strings of the record point into
 * data or into copies kept until rt_message_reset. */
bool rt_message_json(rt_message *m, const char *data, size_t n, int64_t arrival_us, rt_slot *record);

/* Decodes the named fields f[0..nf) the way a CSV row's text fields are read: a field of the
 * schema takes the value of the pair of its name (the last one when repeated), converted as
 * CSV text is (rt_value_from_text); an empty value and a missing field are null; pairs of
 * other names are ignored. Then the checks. Strings point into the values. False with the
 * reason. */
bool rt_message_fields(rt_message *m, const rt_message_field *f, int nf, int64_t arrival_us, rt_slot *record);

/* Why the last message was refused (one line of text). */
const char *rt_message_reason(const rt_message *m);

/* Drops the string copies made since the last reset: call when the records decoded since
 * are no longer used (at the start of each batch). */
void rt_message_reset(rt_message *m);

#endif
