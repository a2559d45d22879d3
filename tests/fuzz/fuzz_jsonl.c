/* fuzz_jsonl.c - libFuzzer target: JSON Lines events of a schema with every field type, decoded and checked. */
#include "fuzz_check.h"
#include "fuzz_events.h"
#include "fuzz_record.h"
#include "fuzz_schema.h"
#include "rt_jsonl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The line decoder's fast path must fill a record exactly as its general path would: a
 * line that starts with '{' goes through both (a leading space keeps the fast path out),
 * and the two must agree on the status and every value. */
static void check_fast_path(const char *data, size_t size)
{
    const rt_schema *schema = fuzz_event_schema();
    rt_jsonl *fast = rt_jsonl_new(schema), *slow = rt_jsonl_new(schema);
    rt_slot *a = calloc((size_t)schema->nfields, sizeof *a), *b = calloc((size_t)schema->nfields, sizeof *b);
    char *spaced = malloc(size + 1);
    FUZZ_CHECK(fast && slow && a && b && spaced, "out of memory");
    char ra[512], rb[512];
    for (size_t pos = 0; pos < size;) {
        const char *line = data + pos, *nl = memchr(line, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - line) : size - pos;
        pos += n + 1;
        if (n == 0 || line[0] != '{')
            continue;
        spaced[0] = ' ';
        memcpy(spaced + 1, line, n);
        rt_jsonl_status sa = rt_jsonl_decode(fast, line, n, a, ra, sizeof ra);
        rt_jsonl_status sb = rt_jsonl_decode(slow, spaced, n + 1, b, rb, sizeof rb);
        FUZZ_CHECK(sa == sb, "the line decodes to status %d, with a leading space to %d (%s / %s)", sa, sb,
                   sa == RT_JSONL_REJECT ? ra : "-", sb == RT_JSONL_REJECT ? rb : "-");
        if (sa == RT_JSONL_OK) {
            int f = fuzz_record_diff(schema, a, b);
            FUZZ_CHECK(f < 0, "field '%s' decodes differently with a leading space", schema->fields[f].name);
        } else if (sa == RT_JSONL_REJECT) {
            fuzz_check_one_line(ra, sizeof ra, "decoder reason");
            fuzz_check_one_line(rb, sizeof rb, "decoder reason");
        }
    }
    free(spaced);
    free(a);
    free(b);
    rt_jsonl_free(fast);
    rt_jsonl_free(slow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_events ev;
    fuzz_events_read((const char *)data, size, RT_EVENTS_JSONL, fuzz_event_schema(), &ev);
    fuzz_events_free(&ev);
    check_fast_path((const char *)data, size);
    return 0;
}
