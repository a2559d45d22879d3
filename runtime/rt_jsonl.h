/* rt_jsonl.h - decodes one JSON Lines line into a typed record of a schema. */
#ifndef FEATRT_JSONL_H
#define FEATRT_JSONL_H

#include "rt_schema.h"

typedef struct rt_jsonl rt_jsonl;

typedef enum rt_jsonl_status {
    RT_JSONL_OK,     /* record filled */
    RT_JSONL_BLANK,  /* the line holds only whitespace: not an event */
    RT_JSONL_REJECT, /* the reason was written */
} rt_jsonl_status;

/* A decoder for records of schema (borrowed; must outlive it). NULL when out of memory. */
rt_jsonl *rt_jsonl_new(const rt_schema *schema);
void rt_jsonl_free(rt_jsonl *d);

/* From the next line on, the key of field (an index into the schema, or -1 for none) is
 * treated as unknown: checked for syntax only, the field left null. */
void rt_jsonl_skip_field(rt_jsonl *d, int field);

/* Decodes the n bytes of one line (without its line break; a whole JSON document, line
 * breaks included, works too) into record[nfields]: one
 * strict RFC 8259 JSON object; known keys are converted to their field's type, unknown
 * ones are checked for syntax only, absent fields and JSON null are null. Strings in the
 * record point into line or into the decoder's scratch, valid until the next call.
 * Checks types only (not `not null`, the time field or expect rules). On RT_JSONL_REJECT
 * writes the reason (one line of text) to reason[reasonlen]. */
rt_jsonl_status rt_jsonl_decode(rt_jsonl *d, const char *line, size_t n, rt_slot *record, char *reason,
                                size_t reasonlen);

/* Deepest nesting of arrays and objects accepted inside a value. */
#define RT_JSONL_MAX_DEPTH 1000

#endif
