/* fuzz_record.c - records of a schema in fuzz targets: checks, deep copies, comparison, written and read back. */
#include "fuzz_record.h"

#include "fuzz_check.h"
#include "rt_format.h"
#include "rt_http.h"
#include "rt_reader.h"
#include "rt_value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The first and last microsecond of years 0000..9999. */
#define ISO_MIN_US INT64_C(-62167219200000000)
#define ISO_MAX_US (INT64_C(253402300800000000) - 1)

/* The record as one JSON line (for failure messages); the caller frees it. */
static char *describe(const rt_schema *schema, const rt_slot *record)
{
    rt_jbuf b = {0};
    rt_json_record(&b, schema, record);
    return b.p ? b.p : strdup("?");
}

void fuzz_check_record(const rt_schema *schema, const rt_slot *record)
{
    for (int f = 0; f < schema->nfields; f++) {
        const rt_field *fd = &schema->fields[f];
        const rt_slot *v = &record[f];
        FUZZ_CHECK(v->null <= 1, "field '%s': null flag %u", fd->name, v->null);
        FUZZ_CHECK(!v->null || !fd->not_null, "field '%s' is declared not null but accepted as null", fd->name);
        FUZZ_CHECK(!v->null || f != schema->time_field, "time field '%s' accepted as null", fd->name);
        if (v->null)
            continue;
        switch (fd->type) {
        case RT_BOOL: FUZZ_CHECK(v->v.i == 0 || v->v.i == 1, "bool field '%s' holds %lld", fd->name, (long long)v->v.i); break;
        case RT_FLOAT: FUZZ_CHECK(isfinite(v->v.f), "float field '%s' is not finite", fd->name); break;
        case RT_STRING: {
            FUZZ_CHECK(v->v.s || v->len == 0, "string field '%s' has no bytes", fd->name);
            const char *why = v->len ? rt_value_string_problem(v->v.s, v->len) : NULL;
            FUZZ_CHECK(!why, "string field '%s': %s", fd->name, why);
            break;
        }
        case RT_INT:
        case RT_TIMESTAMP: break;
        }
    }
    if (schema->expect) {
        int k = schema->expect(schema->expect_ctx, record);
        FUZZ_CHECK(k == -1, "accepted record breaks expect rule %d", k + 1);
    }
}

bool fuzz_record_valid(const rt_schema *schema, const rt_slot *record)
{
    for (int f = 0; f < schema->nfields; f++)
        if (record[f].null && (schema->fields[f].not_null || f == schema->time_field))
            return false;
    return !schema->expect || schema->expect(schema->expect_ctx, record) < 0;
}

rt_slot *fuzz_record_copy(const rt_schema *schema, const rt_slot *record)
{
    size_t n = (size_t)schema->nfields, bytes = 0;
    for (size_t f = 0; f < n; f++)
        if (schema->fields[f].type == RT_STRING && !record[f].null)
            bytes += record[f].len;
    rt_slot *c = malloc(n * sizeof *c + bytes + 1);
    FUZZ_CHECK(c != NULL, "out of memory");
    char *s = (char *)(c + n);
    for (size_t f = 0; f < n; f++) {
        c[f] = record[f];
        if (schema->fields[f].type == RT_STRING && !record[f].null) {
            if (record[f].len)
                memcpy(s, record[f].v.s, record[f].len);
            c[f].v.s = s;
            s += record[f].len;
        }
    }
    return c;
}

int fuzz_record_diff(const rt_schema *schema, const rt_slot *a, const rt_slot *b)
{
    for (int f = 0; f < schema->nfields; f++) {
        if (a[f].null != b[f].null)
            return f;
        if (a[f].null)
            continue;
        switch (schema->fields[f].type) {
        case RT_FLOAT:
            if (memcmp(&a[f].v.f, &b[f].v.f, sizeof(double)) != 0)
                return f;
            break;
        case RT_STRING:
            if (a[f].len != b[f].len || (a[f].len && memcmp(a[f].v.s, b[f].v.s, a[f].len) != 0))
                return f;
            break;
        default:
            if (a[f].v.i != b[f].v.i)
                return f;
            break;
        }
    }
    return -1;
}

/* Reads text (format fmt) back with the event reader and checks it gives exactly one
 * record equal to record. how names the writer for messages. */
static void read_back(const rt_schema *schema, const rt_slot *record, const char *text, size_t len,
                      rt_event_format fmt, const char *how)
{
    char err[512] = "";
    rt_reader *r = rt_reader_open_mem(text, len, fmt, "roundtrip", schema, NULL, err, sizeof err);
    FUZZ_CHECK(r != NULL, "%s: the written text does not open: %s\n%s", how, err, text);
    rt_slot *back = calloc((size_t)schema->nfields + 1, sizeof *back);
    FUZZ_CHECK(back != NULL, "out of memory");
    int got = rt_reader_next(r, back);
    if (got != 1) {
        char *d = describe(schema, record);
        fuzz_fail(__FILE__, __LINE__, "%s: the record written as\n%s\nis not read back (%llu rejected); record %s",
                  how, text, (unsigned long long)rt_reader_stats_of(r)->rejected, d);
    }
    int f = fuzz_record_diff(schema, record, back);
    if (f >= 0) {
        char *d1 = describe(schema, record), *d2 = describe(schema, back);
        fuzz_fail(__FILE__, __LINE__, "%s: field '%s' changes: written\n%s\nread back as %s (from %s)", how,
                  schema->fields[f].name, text, d2, d1);
    }
    FUZZ_CHECK(rt_reader_next(r, back) == 0, "%s: more than one record read back from\n%s", how, text);
    free(back);
    rt_reader_close(r);
}

void fuzz_check_json_roundtrip(const rt_schema *schema, const rt_slot *record)
{
    rt_jbuf b = {0};
    rt_json_record(&b, schema, record);
    FUZZ_CHECK(b.p && !b.oom, "rt_json_record wrote nothing");
    FUZZ_CHECK(b.len > 0 && b.p[b.len - 1] == '\n' && !memchr(b.p, '\n', b.len - 1),
               "rt_json_record did not write one line: %s", b.p);
    read_back(schema, record, b.p, b.len, RT_EVENTS_JSONL, "rt_json_record");
    free(b.p);
}

void fuzz_check_csv_roundtrip(const rt_schema *schema, const rt_slot *record)
{
    for (int f = 0; f < schema->nfields; f++)
        if (schema->fields[f].type == RT_TIMESTAMP && !record[f].null &&
            (record[f].v.i < ISO_MIN_US || record[f].v.i > ISO_MAX_US))
            return;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    FUZZ_CHECK(out != NULL, "out of memory");
    for (int f = 0; f < schema->nfields; f++) {
        if (f)
            fputc(',', out);
        const char *name = schema->fields[f].name;
        FUZZ_CHECK(rt_format_csv_text(out, name, strlen(name)), "rt_format_csv_text failed");
    }
    fputc('\n', out);
    for (int f = 0; f < schema->nfields; f++) {
        if (f)
            fputc(',', out);
        FUZZ_CHECK(rt_format_csv_value(out, &record[f], schema->fields[f].type), "rt_format_csv_value failed");
    }
    fputc('\n', out);
    fclose(out);
    read_back(schema, record, text, len, RT_EVENTS_CSV, "rt_format_csv_value");
    free(text);
}
