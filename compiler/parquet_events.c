/* parquet_events.c - Parquet events for the runtime's event reader: one typed record per row, in file order. */
#include "parquet_int.h"

#include "db.h"
#include "rt_reader.h"
#include "rt_value.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One open Parquet event source: field f of the schema is column f of the scan. */
typedef struct pq_events {
    const rt_schema *schema;
    pq_scan *scan;
} pq_events;

/* Chooses the columns of one file: every field of the schema, by exact name, each of a
 * type that can hold it; an ENUM is read as text. */
static bool select_fields(void *ctx, const char *file, int ncols, const pq_column *cols, strbuf *sel, char *err,
                          size_t errlen)
{
    const rt_schema *sc = ((pq_events *)ctx)->schema;
    for (int f = 0; f < sc->nfields; f++) {
        const rt_field *fd = &sc->fields[f];
        const char *near;
        int j = pq_find_column(cols, ncols, fd->name, &near);
        if (j < 0) {
            snprintf(err, errlen, "%s: no column '%s' for field '%s' of source '%s'%s%s%s", file, fd->name, fd->name,
                     sc->name, near ? " (there is '" : "", near ? near : "", near ? "'; names match exactly)" : "");
            return false;
        }
        const char *why = pq_fits(&cols[j], fd->type);
        if (why) {
            snprintf(err, errlen, "%s: column '%s' is %s, which cannot hold field '%s' (%s) of source '%s': %s", file,
                     cols[j].name, cols[j].type_name, fd->name, rt_value_type_name(fd->type), sc->name, why);
            return false;
        }
        if (f)
            strbuf_append(sel, ", ");
        strbuf quoted = STRBUF_INIT;
        db_quote_ident(DB_DUCKDB, cols[j].name, &quoted);
        if (pq_read_as_text(&cols[j], false))
            strbuf_appendf(sel, "CAST(%s AS VARCHAR)", strbuf_cstr(&quoted));
        else
            strbuf_append(sel, strbuf_cstr(&quoted));
        strbuf_free(&quoted);
    }
    return true;
}

/* rt_row_source.next: the next row, converted field by field. */
static int events_next(void *ctx, rt_slot *record, uint64_t *row, char *reason, size_t reasonlen)
{
    pq_events *e = ctx;
    int m = pq_scan_next(e->scan, reason, reasonlen);
    if (m <= 0)
        return m;
    *row = pq_scan_row(e->scan);
    idx_t i = pq_scan_index(e->scan);
    const rt_schema *sc = e->schema;
    for (int f = 0; f < sc->nfields; f++) {
        char why[384];
        if (!pq_value(pq_scan_column(e->scan, f), pq_scan_data(e->scan, f), pq_scan_validity(e->scan, f), i,
                      sc->fields[f].type, &record[f], why, sizeof why)) {
            snprintf(reason, reasonlen, "field '%s': %s", sc->fields[f].name, why);
            return 2;
        }
    }
    return 1;
}

static void events_close(void *ctx)
{
    pq_events *e = ctx;
    pq_scan_close(e->scan);
    free(e);
}

/* rt_row_opener for Parquet event files. */
static bool events_open(const char *path, const rt_schema *schema, rt_row_source *out, char *err, size_t errlen)
{
    pq_events *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    e->schema = schema;
    e->scan = pq_scan_open(path, select_fields, e, err, errlen);
    if (!e->scan) {
        free(e);
        return false;
    }
    *out = (rt_row_source){.ctx = e, .next = events_next, .close = events_close};
    return true;
}

void parquet_install(void)
{
    rt_reader_set_row_opener(events_open);
    parquet_install_spine();
}
