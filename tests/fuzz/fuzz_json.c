/* fuzz_json.c - libFuzzer target: one JSON event body (an object over any number of lines), checked against yajl. */
#include "fuzz_check.h"
#include "fuzz_events.h"
#include "fuzz_record.h"
#include "fuzz_schema.h"
#include "rt_jsonl.h"
#include "rt_time.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value of key name in object o, or NULL when absent. */
static yajl_val member(yajl_val o, const char *name)
{
    for (size_t i = 0; i < o->u.object.len; i++)
        if (strcmp(o->u.object.keys[i], name) == 0)
            return o->u.object.values[i];
    return NULL;
}

/* Checks that field f of a decoded record holds what yajl read for it. */
static void check_field(const rt_field *f, const rt_slot *v, yajl_val y)
{
    if (!y || YAJL_IS_NULL(y)) {
        FUZZ_CHECK(v->null, "field '%s' is absent or null for yajl but decoded as a value", f->name);
        return;
    }
    FUZZ_CHECK(!v->null, "field '%s' is a value for yajl but decoded as null", f->name);
    if (YAJL_IS_TRUE(y) || YAJL_IS_FALSE(y)) {
        FUZZ_CHECK(f->type == RT_BOOL && v->v.i == YAJL_IS_TRUE(y), "bool field '%s' decoded wrongly", f->name);
    } else if (YAJL_IS_STRING(y)) {
        const char *s = y->u.string;
        if (f->type == RT_STRING) {
            FUZZ_CHECK(v->len == strlen(s) && memcmp(v->v.s, s, v->len) == 0,
                       "string field '%s' decoded as other bytes than yajl's", f->name);
        } else {
            int64_t t = 0;
            FUZZ_CHECK(f->type == RT_TIMESTAMP && rt_time_parse(s, strlen(s), &t) && t == v->v.i,
                       "field '%s' accepted from the string \"%s\"", f->name, s);
        }
    } else if (YAJL_IS_NUMBER(y)) {
        const char *r = YAJL_GET_NUMBER(y);
        if (f->type == RT_FLOAT) {
            double x = strtod(r, NULL);
            FUZZ_CHECK(memcmp(&x, &v->v.f, sizeof x) == 0, "float field '%s': %s decoded as %.17g, strtod gives %.17g",
                       f->name, r, v->v.f, x);
        } else if (f->type == RT_INT && !strpbrk(r, ".eE")) {
            errno = 0;
            long long i = strtoll(r, NULL, 10);
            FUZZ_CHECK(errno == 0 && i == v->v.i, "int field '%s': %s decoded as %lld", f->name, r, (long long)v->v.i);
        } else {
            FUZZ_CHECK(f->type == RT_INT || f->type == RT_TIMESTAMP, "field '%s' accepted from the number %s", f->name, r);
        }
    } else {
        fuzz_fail(__FILE__, __LINE__, "field '%s' accepted from an object or array", f->name);
    }
}

/* A body the decoder accepts is strict JSON: yajl must read it as an object holding the
 * same values. (Only this way round: yajl allows comments and lone surrogates.) */
static void check_against_yajl(const char *body, size_t size, const rt_schema *schema, const rt_slot *rec)
{
    if (memmem(body, size, "\\u0000", 6))
        return; /* yajl's keys and strings end at a NUL */
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, body, size);
    text[size] = '\0';
    char why[256] = "";
    yajl_val tree = yajl_tree_parse(text, why, sizeof why);
    FUZZ_CHECK(tree && YAJL_IS_OBJECT(tree), "the decoder accepts a body yajl does not read as an object: %s", why);
    for (int f = 0; f < schema->nfields; f++)
        check_field(&schema->fields[f], &rec[f], member(tree, schema->fields[f].name));
    yajl_tree_free(tree);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const rt_schema *schema = fuzz_event_schema();
    const char *body = (const char *)data;
    fuzz_events ev;
    fuzz_events_read(body, size, RT_EVENTS_JSON, schema, &ev);
    /* the reader's verdict is the line decoder's on the whole body plus the checks after it */
    bool nonempty = size > 0;
    if (size >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
        body += 3;
        size -= 3;
    }
    rt_jsonl *d = rt_jsonl_new(schema);
    rt_slot *rec = calloc((size_t)schema->nfields, sizeof *rec);
    FUZZ_CHECK(d && rec, "out of memory");
    char reason[512];
    rt_jsonl_status st = rt_jsonl_decode(d, body, size, rec, reason, sizeof reason);
    if (st == RT_JSONL_REJECT)
        fuzz_check_one_line(reason, sizeof reason, "decoder reason");
    bool accepted = st == RT_JSONL_OK && fuzz_record_valid(schema, rec);
    FUZZ_CHECK(ev.n == (accepted ? 1u : 0u), "the reader accepted %zu events, the decoder says %d", ev.n, (int)st);
    FUZZ_CHECK(ev.stats.blank == (nonempty && st == RT_JSONL_BLANK), "blank count %llu for decoder status %d",
               (unsigned long long)ev.stats.blank, (int)st);
    if (accepted)
        FUZZ_CHECK(fuzz_record_diff(schema, rec, ev.recs[0]) < 0, "the reader and the decoder disagree on a value");
    if (st == RT_JSONL_OK)
        check_against_yajl(body, size, schema, rec);
    free(rec);
    rt_jsonl_free(d);
    fuzz_events_free(&ev);
    return 0;
}
