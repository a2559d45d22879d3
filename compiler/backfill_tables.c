/* backfill_tables.c - sources read from warehouse tables as they are: engine timestamps read as epoch microseconds through views. */
#include "backfill.h"

#include "sql/sqlgen.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The relation backfill reads a source through when its table keeps timestamps in an engine
 * type: a temporary view, private to the connection. */
#define BACKFILL_VIEW_PREFIX "featc_src_"

/* Creates the view of source s of p over its table (columns cols) when a timestamp field is
 * held in an engine timestamp column: every field, under its own name, timestamps as BIGINT
 * microseconds. *view gets its malloc'd name, or stays NULL when the table is read as it is.
 * Returns 0, or -1 with a message in err. */
static int make_view(db_conn *c, const plan *p, int s, const db_columns *cols, char **view, char *err,
                     size_t errlen)
{
    const plan_source *src = &p->sources[s];
    db_dialect d = db_conn_dialect(c);
    bool needed = false;
    for (int f = 0; f < src->nfields; f++) {
        int k = db_columns_find(cols, d, src->fields[f].name);
        assert(k >= 0); /* db_check_table found every field */
        needed |= src->fields[f].type == FT_TIMESTAMP &&
                  (cols->cols[k].type == DB_COL_TIMESTAMP || cols->cols[k].type == DB_COL_TIMESTAMP_NS);
    }
    if (!needed)
        return 0;
    assert(d != DB_SQLITE); /* no engine timestamp type there */
    strbuf name = STRBUF_INIT, sql = STRBUF_INIT;
    strbuf_appendf(&name, BACKFILL_VIEW_PREFIX "%d", s);
    strbuf_append(&sql, "CREATE OR REPLACE TEMP VIEW ");
    db_quote_ident(d, strbuf_cstr(&name), &sql);
    strbuf_append(&sql, " AS SELECT ");
    for (int f = 0; f < src->nfields; f++) {
        const db_column *col = &cols->cols[db_columns_find(cols, d, src->fields[f].name)];
        strbuf quoted = STRBUF_INIT;
        db_quote_ident(d, col->name, &quoted);
        if (f)
            strbuf_append(&sql, ", ");
        db_timestamp_sql(d, src->fields[f].type == FT_TIMESTAMP ? col->type : DB_COL_OTHER, strbuf_cstr(&quoted),
                         &sql);
        strbuf_append(&sql, " AS ");
        db_quote_ident(d, src->fields[f].name, &sql);
        strbuf_free(&quoted);
    }
    strbuf_append(&sql, " FROM ");
    db_quote_table(d, src->sql_table, &sql);
    int rc = db_exec(c, strbuf_cstr(&sql), err, errlen);
    strbuf_free(&sql);
    if (rc == 0)
        *view = strbuf_detach(&name);
    else
        strbuf_free(&name);
    return rc;
}

int backfill_table_views(db_conn *c, const plan *p, const plan_service *svc, const bool *loaded,
                         const struct sqlgen_options *so, char **query)
{
    char **view = calloc((size_t)p->nsources + 1, sizeof *view);
    if (!view) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    int rc = 0, made = 0;
    char err[512];
    for (int i = 0; i < svc->nviews && rc == 0; i++) {
        int s = p->views[svc->views[i].view].source;
        if (loaded[s] || view[s])
            continue;
        db_columns cols;
        if (db_table_columns(c, p->sources[s].sql_table, &cols, err, sizeof err) != 1 ||
            make_view(c, p, s, &cols, &view[s], err, sizeof err) != 0) {
            fprintf(stderr, "featc backfill: source '%s': %s\n", p->sources[s].name, err);
            rc = -1;
        }
        made += view[s] != NULL;
        db_columns_free(&cols);
    }
    if (rc == 0 && made > 0) {
        /* the same plan, its sources read through the views */
        plan_source *srcs = calloc((size_t)p->nsources + 1, sizeof *srcs);
        if (!srcs) {
            fputs("featc: out of memory\n", stderr);
            abort();
        }
        memcpy(srcs, p->sources, (size_t)p->nsources * sizeof *srcs);
        for (int s = 0; s < p->nsources; s++)
            if (view[s])
                srcs[s].sql_table = view[s];
        plan over = *p;
        over.sources = srcs;
        char *q = sqlgen_query(&over, svc, so, err, sizeof err);
        free(srcs);
        if (!q) {
            fprintf(stderr, "featc backfill: %s\n", err);
            rc = -1;
        } else {
            free(*query);
            *query = q;
        }
    }
    for (int s = 0; s < p->nsources; s++)
        free(view[s]);
    free(view);
    return rc;
}
