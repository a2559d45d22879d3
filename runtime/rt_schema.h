/* rt_schema.h - the record layout of a source as the event reader sees it. */
#ifndef FEATRT_SCHEMA_H
#define FEATRT_SCHEMA_H

#include "rt_types.h"

/* One field of a source; a decoded record holds one rt_slot per field, in order. */
typedef struct rt_field {
    const char *name; /* NUL-terminated; matched byte-wise against JSON keys and CSV headers */
    rt_type type;
    bool not_null;
} rt_field;

/* Checks a source's `expect` rules on a decoded record. Returns -1 when every rule is true
 * or null, else the index (0-based, in declaration order) of the first false rule. The
 * rules are compiled elsewhere; ctx is passed through untouched. */
typedef int (*rt_expect_hook)(void *ctx, const rt_slot *record);

/* A hook for generated expect functions (rt_abi.h's rt_expect_fn): pass it as `expect`
 * with expect_ctx pointing at the rt_expect_fn to call (e.g. &table->expect[i]). */
int rt_expect_abi(void *ctx, const rt_slot *record);

/* A source's schema. Everything is borrowed: it must outlive the readers using it. */
typedef struct rt_schema {
    const char *name; /* the source name, used in reject reasons */
    int nfields;
    const rt_field *fields;
    int time_field; /* index of the event-time field (a timestamp), or -1 for none */
    /* Optional `expect` rules: expect == NULL means none. expect_texts[i] is rule i as
     * written (for the reject reason); may be NULL, then the rule is named by number. */
    rt_expect_hook expect;
    void *expect_ctx;
    int nexpects;
    const char *const *expect_texts;
} rt_schema;

#endif
