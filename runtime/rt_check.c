/* rt_check.c - the checks every decoded event passes: `not null` fields, a non-null event time, then the expect rules. */
#include "rt_check.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

int rt_check_not_null(const rt_schema *schema, int *out)
{
    int n = 0;
    for (int f = 0; f < schema->nfields; f++)
        if (schema->fields[f].not_null)
            out[n++] = f;
    return n;
}

/* Writes "expect RULE failed" with each run of whitespace in the rule (which may span lines
 * inside parentheses) as one space, so the reason stays on one line. */
static void expect_reason(char *buf, size_t cap, const char *rule)
{
    assert(cap > 16);
    size_t k = (size_t)snprintf(buf, cap, "expect ");
    bool space = false, any = false;
    for (const char *p = rule; *p && k + 1 < cap; p++) {
        bool ws = *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';
        if (ws) {
            space = true;
            continue;
        }
        if (space && any && k + 2 < cap)
            buf[k++] = ' ';
        any = true;
        space = false;
        buf[k++] = *p;
    }
    buf[k] = '\0';
    size_t len = strlen(buf);
    snprintf(buf + len, cap - len, " failed");
}

bool rt_check_record(const rt_schema *sc, const int *not_null, int nnot_null, const rt_slot *rec, char *reason,
                     size_t cap)
{
    for (int i = 0; i < nnot_null; i++) {
        int f = not_null[i];
        if (rec[f].null) {
            snprintf(reason, cap, "field '%s' is null but declared not null", sc->fields[f].name);
            return false;
        }
    }
    if (sc->time_field >= 0 && rec[sc->time_field].null) {
        snprintf(reason, cap, "event time field '%s' is null", sc->fields[sc->time_field].name);
        return false;
    }
    if (sc->expect) {
        int k = sc->expect(sc->expect_ctx, rec);
        if (k >= 0) {
            if (k < sc->nexpects && sc->expect_texts && sc->expect_texts[k])
                expect_reason(reason, cap, sc->expect_texts[k]);
            else
                snprintf(reason, cap, "expect rule %d failed", k + 1);
            return false;
        }
    }
    return true;
}
