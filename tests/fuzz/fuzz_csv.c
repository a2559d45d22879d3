/* fuzz_csv.c - libFuzzer target: CSV events of a schema with every field type, and the CSV record reader itself. */
#include "fuzz_check.h"
#include "fuzz_events.h"
#include "fuzz_schema.h"
#include "rt_csv.h"
#include "rt_format.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Naive duplicate search: the index of the first column repeating an earlier one, or -1. */
static int naive_duplicate(const rt_csv_field *h, int n)
{
    for (int i = 1; i < n; i++)
        for (int k = 0; k < i; k++)
            if (h[i].len == h[k].len && memcmp(h[i].text, h[k].text, h[i].len) == 0)
                return i;
    return -1;
}

/* Writes the n fields of a row with rt_format_csv_text (a null field stays empty) under a
 * header of n columns, reads it back and checks the same fields come out. */
static void check_row_roundtrip(const rt_csv_field *f, int n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    FUZZ_CHECK(out != NULL, "out of memory");
    for (int i = 0; i < n; i++)
        fprintf(out, "%sc%d", i ? "," : "", i);
    fputc('\n', out);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        if (f[i].quoted || f[i].len)
            FUZZ_CHECK(rt_format_csv_text(out, f[i].text, f[i].len), "rt_format_csv_text failed");
    }
    fputc('\n', out);
    fclose(out);
    char err[256];
    rt_csv *c = rt_csv_open_mem(text, len, "rewritten", 0, err, sizeof err);
    FUZZ_CHECK(c != NULL, "a rewritten row's header does not open: %s", err);
    const rt_csv_field *g;
    int m = 0;
    rt_csv_status st = rt_csv_next(c, &g, &m);
    if (n == 1 && !f[0].quoted && f[0].len == 0) {
        FUZZ_CHECK(st == RT_CSV_END, "a row of one null field is written as a blank line, which is not skipped");
    } else {
        FUZZ_CHECK(st == RT_CSV_ROW, "a row written back is not read back (%s):\n%s", rt_csv_problem(c), text);
        FUZZ_CHECK(m == n, "a row of %d fields is read back with %d:\n%s", n, m, text);
        for (int i = 0; i < n; i++) {
            bool null_a = !f[i].quoted && f[i].len == 0, null_b = !g[i].quoted && g[i].len == 0;
            FUZZ_CHECK(null_a == null_b && f[i].len == g[i].len && memcmp(f[i].text, g[i].text, f[i].len) == 0,
                       "field %d changes when written back:\n%s", i + 1, text);
        }
        FUZZ_CHECK(rt_csv_next(c, &g, &m) == RT_CSV_END, "one row written back reads as more:\n%s", text);
    }
    rt_csv_close(c);
    free(text);
}

/* The CSV record reader on its own: header, duplicate columns, rows and their problems. */
static void check_records(const char *data, size_t size)
{
    char err[512];
    rt_csv *c = rt_csv_open_mem(data, size, "fuzz", 0, err, sizeof err);
    if (!c) {
        fuzz_check_one_line(err, sizeof err, "CSV open error");
        return;
    }
    int ncols = rt_csv_ncolumns(c);
    FUZZ_CHECK(ncols >= 0 && ncols <= RT_CSV_MAX_COLUMNS, "%d columns", ncols);
    if (ncols <= 2000)
        FUZZ_CHECK(rt_csv_duplicate_column(c) == naive_duplicate(rt_csv_header(c), ncols),
                   "rt_csv_duplicate_column says %d, a naive search %d", rt_csv_duplicate_column(c),
                   naive_duplicate(rt_csv_header(c), ncols));
    uint64_t last = rt_csv_line(c);
    for (;;) {
        const rt_csv_field *f;
        int n = 0;
        rt_csv_status st = rt_csv_next(c, &f, &n);
        if (st == RT_CSV_END)
            break;
        FUZZ_CHECK(st != RT_CSV_IO_ERROR, "reading memory failed: %s", rt_csv_problem(c));
        FUZZ_CHECK(rt_csv_line(c) > last && rt_csv_line(c) <= rt_csv_lines_read(c), "row line %llu after %llu",
                   (unsigned long long)rt_csv_line(c), (unsigned long long)last);
        last = rt_csv_line(c);
        if (st == RT_CSV_BAD_ROW) {
            fuzz_check_one_line(rt_csv_problem(c), 256, "CSV problem");
            continue;
        }
        size_t rawlen;
        rt_csv_raw(c, &rawlen);
        FUZZ_CHECK(rawlen > 0 && n >= 1, "a row of %d fields from %zu bytes", n, rawlen);
        if (n <= ncols)
            check_row_roundtrip(f, n);
    }
    FUZZ_CHECK(rt_csv_blank_lines(c) <= rt_csv_lines_read(c), "more blank lines than lines");
    rt_csv_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_events ev;
    fuzz_events_read((const char *)data, size, RT_EVENTS_CSV, fuzz_event_schema(), &ev);
    fuzz_events_free(&ev);
    check_records((const char *)data, size);
    return 0;
}
