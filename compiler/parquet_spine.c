/* parquet_spine.c - Parquet spines for the runtime's spine reader: each row's columns as the text a CSV spine would hold. */
#include "parquet_int.h"

#include "db.h"
#include "rt_spine_reader.h"
#include "rt_value.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One open Parquet spine: every column of its files, in order. */
typedef struct pq_spine {
    const rt_spine_want *want;
    int nwant;
    pq_scan *scan;
    int ncolumns;        /* set by the first file; every other file must have the same names */
    rt_csv_field *header;
    char **names;
    rt_csv_field *fields; /* the current row */
    char *text;           /* PQ_TEXT_BUF bytes per column for values written as text */
} pq_spine;

/* Checks one file's columns against the first file's and the types of the columns the
 * service needs; selects every column, as text where pq_text does not write its type. */
static bool select_all(void *ctx, const char *file, int ncols, const pq_column *cols, strbuf *sel, char *err,
                       size_t errlen)
{
    pq_spine *s = ctx;
    if (!s->names) {
        s->ncolumns = ncols;
        s->names = calloc((size_t)ncols + 1, sizeof *s->names);
        s->header = calloc((size_t)ncols + 1, sizeof *s->header);
        s->fields = calloc((size_t)ncols + 1, sizeof *s->fields);
        s->text = malloc((size_t)(ncols + 1) * PQ_TEXT_BUF);
        if (!s->names || !s->header || !s->fields || !s->text)
            abort();
        for (int j = 0; j < ncols; j++) {
            s->names[j] = strdup(cols[j].name);
            if (!s->names[j])
                abort();
            s->header[j] = (rt_csv_field){.text = s->names[j], .len = strlen(s->names[j]), .quoted = true};
        }
    } else {
        bool same = ncols == s->ncolumns;
        for (int j = 0; same && j < ncols; j++)
            same = strcmp(cols[j].name, s->names[j]) == 0;
        if (!same) {
            snprintf(err, errlen, "%s: its columns are not those of the spine's first file, in the same order", file);
            return false;
        }
    }
    for (int w = 0; w < s->nwant; w++) {
        const char *near;
        int j = pq_find_column(cols, ncols, s->want[w].name, &near);
        const char *why = j >= 0 ? pq_fits(&cols[j], s->want[w].type) : NULL;
        if (why) {
            snprintf(err, errlen, "%s: spine column '%s' is %s, which cannot hold a%s %s: %s", file, cols[j].name,
                     cols[j].type_name, s->want[w].type == RT_INT ? "n" : "", rt_value_type_name(s->want[w].type),
                     why);
            return false;
        }
    }
    for (int j = 0; j < ncols; j++) {
        if (j)
            strbuf_append(sel, ", ");
        strbuf quoted = STRBUF_INIT;
        db_quote_ident(DB_DUCKDB, cols[j].name, &quoted);
        if (pq_read_as_text(&cols[j], true))
            strbuf_appendf(sel, "CAST(%s AS VARCHAR)", strbuf_cstr(&quoted));
        else
            strbuf_append(sel, strbuf_cstr(&quoted));
        strbuf_free(&quoted);
    }
    return true;
}

/* rt_spine_source.next: the next row's columns as text. */
static int spine_next(void *ctx, const rt_csv_field **fields, uint64_t *row, char *err, size_t errlen)
{
    pq_spine *s = ctx;
    int m = pq_scan_next(s->scan, err, errlen);
    if (m <= 0)
        return m;
    *row = pq_scan_row(s->scan);
    idx_t i = pq_scan_index(s->scan);
    for (int j = 0; j < s->ncolumns; j++) {
        const pq_column *c = pq_scan_column(s->scan, j);
        const uint64_t *valid = pq_scan_validity(s->scan, j);
        const void *data = pq_scan_data(s->scan, j);
        rt_csv_field *f = &s->fields[j];
        if (c->id == DUCKDB_TYPE_SQLNULL || (valid && !duckdb_validity_row_is_valid((uint64_t *)valid, i))) {
            *f = (rt_csv_field){.text = "", .len = 0, .quoted = false};
        } else if (c->id == DUCKDB_TYPE_VARCHAR) {
            duckdb_string_t *str = &((duckdb_string_t *)data)[i];
            *f = (rt_csv_field){.text = duckdb_string_t_data(str), .len = duckdb_string_t_length(*str), .quoted = true};
        } else {
            char *buf = s->text + (size_t)j * PQ_TEXT_BUF;
            *f = (rt_csv_field){.text = buf, .len = pq_text(c, data, i, buf), .quoted = false};
            assert(f->len > 0 && f->len < PQ_TEXT_BUF);
        }
    }
    *fields = s->fields;
    return 1;
}

static void spine_close(void *ctx)
{
    pq_spine *s = ctx;
    pq_scan_close(s->scan);
    for (int j = 0; s->names && j < s->ncolumns; j++)
        free(s->names[j]);
    free(s->names);
    free(s->header);
    free(s->fields);
    free(s->text);
    free(s);
}

/* rt_spine_opener for Parquet spines. */
static bool spine_open(const char *path, const rt_spine_want *want, int nwant, rt_spine_source *out, char *err,
                       size_t errlen)
{
    pq_spine *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->want = want;
    s->nwant = nwant;
    s->scan = pq_scan_open(path, select_all, s, err, errlen);
    /* want is the caller's only while opening */
    s->want = NULL;
    s->nwant = 0;
    if (!s->scan) {
        spine_close(s);
        return false;
    }
    *out = (rt_spine_source){
        .ctx = s, .ncolumns = s->ncolumns, .header = s->header, .next = spine_next, .close = spine_close};
    return true;
}

void parquet_install_spine(void)
{
    rt_spine_set_opener(spine_open);
}
