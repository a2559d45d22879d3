/* rt_message.c - decodes one stream message (a JSON event, or an entry's fields read as CSV text) into a checked record. */
#include "rt_message.h"

#include "rt_check.h"
#include "rt_jsonl.h"
#include "rt_reject.h"
#include "rt_scratch.h"
#include "rt_value.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rt_message {
    const rt_schema *schema;
    int stamp;
    rt_jsonl *json;
    rt_scratch copies; /* strings decoded from escapes, kept until rt_message_reset */
    int *not_null;
    int nnot_null;
    int *strs; /* the string fields */
    int nstrs;
    char reason[512];
};

rt_message *rt_message_new(const rt_schema *schema, int stamp_field)
{
    assert(stamp_field >= -1 && stamp_field < schema->nfields);
    assert(stamp_field < 0 || schema->fields[stamp_field].type == RT_TIMESTAMP);
    rt_message *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->schema = schema;
    m->stamp = stamp_field;
    m->json = rt_jsonl_new(schema);
    m->not_null = malloc(sizeof(int) * (size_t)(2 * schema->nfields + 1));
    if (!m->json || !m->not_null) {
        rt_message_free(m);
        return NULL;
    }
    rt_jsonl_skip_field(m->json, stamp_field);
    rt_scratch_init(&m->copies);
    m->nnot_null = rt_check_not_null(schema, m->not_null);
    m->strs = m->not_null + schema->nfields;
    for (int f = 0; f < schema->nfields; f++)
        if (schema->fields[f].type == RT_STRING)
            m->strs[m->nstrs++] = f;
    return m;
}

void rt_message_free(rt_message *m)
{
    if (!m)
        return;
    rt_jsonl_free(m->json);
    rt_scratch_free(&m->copies);
    free(m->not_null);
    free(m);
}

/* Stamps the arrival field, then runs the checks. */
static bool check(rt_message *m, rt_slot *record, int64_t arrival_us)
{
    if (m->stamp >= 0)
        record[m->stamp] = (rt_slot){.v.i = arrival_us};
    return rt_check_record(m->schema, m->not_null, m->nnot_null, record, m->reason, sizeof m->reason);
}

bool rt_message_json(rt_message *m, const char *data, size_t n, int64_t arrival_us, rt_slot *record)
{
    switch (rt_jsonl_decode(m->json, data, n, record, m->reason, sizeof m->reason)) {
    case RT_JSONL_BLANK:
        snprintf(m->reason, sizeof m->reason, "empty message: expected a JSON object");
        return false;
    case RT_JSONL_REJECT:
        return false;
    case RT_JSONL_OK:
        break;
    }
    /* strings the decoder unescaped live in its scratch until the next message: copy them */
    for (int i = 0; i < m->nstrs; i++) {
        rt_slot *v = &record[m->strs[i]];
        if (v->null || v->len == 0 || (v->v.s >= data && v->v.s + v->len <= data + n))
            continue;
        char *c = rt_scratch_alloc(&m->copies, v->len);
        memcpy(c, v->v.s, v->len);
        v->v.s = c;
    }
    return check(m, record, arrival_us);
}

bool rt_message_fields(rt_message *m, const rt_message_field *f, int nf, int64_t arrival_us, rt_slot *record)
{
    const rt_schema *sc = m->schema;
    for (int k = 0; k < sc->nfields; k++)
        record[k] = (rt_slot){.null = 1};
    for (int i = 0; i < nf; i++) {
        int k = -1;
        for (int j = 0; j < sc->nfields && k < 0; j++)
            if (strlen(sc->fields[j].name) == f[i].name_len && memcmp(sc->fields[j].name, f[i].name, f[i].name_len) == 0)
                k = j;
        if (k < 0 || k == m->stamp)
            continue;
        const char *why;
        if (!rt_value_from_text(sc->fields[k].type, f[i].value, f[i].value_len, f[i].value_len == 0, &record[k],
                                &why)) {
            snprintf(m->reason, sizeof m->reason, "field '%s': %s, got ", sc->fields[k].name, why);
            rt_reject_excerpt(m->reason, sizeof m->reason, f[i].value, f[i].value_len, 64, true);
            return false;
        }
    }
    return check(m, record, arrival_us);
}

const char *rt_message_reason(const rt_message *m)
{
    return m->reason;
}

void rt_message_reset(rt_message *m)
{
    rt_scratch_reset(&m->copies);
}
