/* backfill_spine.c - the spine through the shared spine reader into the database, and the output written beside it. */
#include "backfill.h"

#include "manifest.h"
#include "rt_format.h"
#include "rt_spine_reader.h"
#include "sql/sqlgen.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* The typed columns of the spine table: _row, ts, the keys, the request fields that are not
 * keys; and where each key and request field's value goes in a table row. */
typedef struct spine_cols {
    int n;
    const char **names;
    rt_type *types;
    int *req_slot; /* per request field: its column in the table, or -1 when it is a key */
} spine_cols;

static void spine_cols_init(spine_cols *sc, const rt_program *rp, const rt_prog_service *s)
{
    const rt_prog_source *req = s->request_source >= 0 ? &rp->sources[s->request_source] : NULL;
    int nreq = req ? req->nfields : 0;
    sc->names = xcalloc((size_t)(2 + s->nkeys + nreq), sizeof *sc->names);
    sc->types = xcalloc((size_t)(2 + s->nkeys + nreq), sizeof *sc->types);
    sc->req_slot = xcalloc((size_t)nreq + 1, sizeof *sc->req_slot);
    int n = 0;
    sc->names[n] = SQLGEN_ROW_COLUMN;
    sc->types[n++] = RT_INT;
    sc->names[n] = SQLGEN_TIME_COLUMN;
    sc->types[n++] = RT_TIMESTAMP;
    for (int k = 0; k < s->nkeys; k++) {
        sc->names[n] = s->keys[k].name;
        sc->types[n++] = s->keys[k].type;
    }
    for (int i = 0; i < nreq; i++) {
        sc->req_slot[i] = -1;
        bool is_key = false;
        for (int k = 0; k < s->nkeys; k++)
            if (s->keys[k].request_field == i) {
                assert(s->keys[k].type == req->fields[i].type); /* one column, one value */
                is_key = true;
            }
        if (is_key)
            continue;
        sc->req_slot[i] = n;
        sc->names[n] = req->fields[i].name;
        sc->types[n++] = req->fields[i].type;
    }
    sc->n = n;
}

static void spine_cols_free(spine_cols *sc)
{
    free(sc->names);
    free(sc->types);
    free(sc->req_slot);
}

void backfill_spine_free(backfill_spine *sp)
{
    free(sp->header);
    free(sp->text);
    free(sp->ends);
    memset(sp, 0, sizeof *sp);
}

/* The plan as the runtime sees it (the manifest), so that the spine reader checks rows with
 * exactly the service, keys and request fields `featc replay` gives it; NULL with a
 * message on stderr. */
static rt_program *runtime_program(const plan *p, const plan_service *svc, int *index)
{
    char err[512] = "out of memory";
    size_t len = 0;
    char *text = manifest_build(p, &len);
    rt_program *rp = text ? rt_program_parse(text, len, err, sizeof err) : NULL;
    free(text);
    if (!rp) {
        fprintf(stderr, "featc backfill: internal error: cannot describe the plan to the spine reader: %s\n", err);
        return NULL;
    }
    *index = rt_program_find_service(rp, svc->name);
    assert(*index >= 0);
    return rp;
}

/* Whether the header names the column that numbers the table's rows. */
static bool names_row_column(const rt_spine_reader *rd)
{
    const rt_csv_field *h = rt_spine_header(rd);
    size_t n = strlen(SQLGEN_ROW_COLUMN);
    for (int i = 0; i < rt_spine_ncolumns(rd); i++)
        if (h[i].len == n && memcmp(h[i].text, SQLGEN_ROW_COLUMN, n) == 0)
            return true;
    return false;
}

/* Room for need more bytes of text in sp (aborts when memory runs out). */
static void reserve_text(backfill_spine *sp, size_t *cap, size_t need)
{
    if (*cap - sp->text_len >= need)
        return;
    size_t grown = *cap ? *cap : 1 << 16;
    while (grown - sp->text_len < need)
        grown *= 2;
    sp->text = realloc(sp->text, grown);
    if (!sp->text) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    *cap = grown;
}

/* Loads every row the reader accepts, keeping its fields' text in sp. Returns 0, or -1
 * with a message on stderr. */
static int load_rows(rt_spine_reader *rd, db_loader *ld, const spine_cols *sc, int nkeys, int nreq,
                     backfill_spine *sp)
{
    char err[512];
    int ncolumns = rt_spine_ncolumns(rd);
    rt_slot *vals = xcalloc((size_t)sc->n, sizeof *vals);
    size_t text_cap = 0;
    uint64_t cap = 0;
    rt_spine_row row;
    rt_spine_status st;
    while ((st = rt_spine_next(rd, &row, err, sizeof err)) == RT_SPINE_ROW) {
        vals[0] = (rt_slot){.v.i = (int64_t)sp->nrows};
        vals[1] = (rt_slot){.v.i = row.ts};
        for (int k = 0; k < nkeys; k++)
            vals[2 + k] = row.keys[k];
        for (int i = 0; i < nreq; i++)
            if (sc->req_slot[i] >= 0)
                vals[sc->req_slot[i]] = row.request[i];
        if (db_load_row(ld, vals) != 0)
            break; /* db_load_end reports it */
        if (sp->nrows == cap) {
            cap = cap ? 2 * cap : 1024;
            sp->ends = realloc(sp->ends, cap * sizeof *sp->ends);
            if (!sp->ends) {
                fputs("featc: out of memory\n", stderr);
                abort();
            }
        }
        reserve_text(sp, &text_cap, rt_spine_fields_text_max(row.fields, ncolumns));
        sp->text_len += rt_spine_fields_text(sp->text + sp->text_len, row.fields, ncolumns);
        sp->ends[sp->nrows++] = sp->text_len;
    }
    sp->bad = rt_spine_reader_skipped(rd);
    free(vals);
    if (st == RT_SPINE_FAILED) {
        fprintf(stderr, "featc backfill: %s\n", err);
        return -1;
    }
    return 0;
}

int backfill_load_spine(db_conn *c, const plan *p, const plan_service *svc, const char *path, const char *table,
                        backfill_spine *sp)
{
    char err[512];
    memset(sp, 0, sizeof *sp);
    int si;
    rt_program *rp = runtime_program(p, svc, &si);
    if (!rp)
        return -1;
    const rt_prog_service *s = &rp->services[si];
    int nreq = s->request_source >= 0 ? rp->sources[s->request_source].nfields : 0;
    spine_cols sc;
    spine_cols_init(&sc, rp, s);
    int rc = -1;
    db_loader *ld = NULL;
    rt_spine_reader *rd = rt_spine_open(rp, si, path, stderr, err, sizeof err);
    if (!rd) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    if (names_row_column(rd)) {
        fprintf(stderr, "featc backfill: %s: the spine may not have a column named '%s' (it numbers the rows)\n",
                path, SQLGEN_ROW_COLUMN);
        goto out;
    }
    FILE *names = open_memstream(&sp->header, &sp->header_len);
    bool named = names && rt_spine_write_names(names, rt_spine_header(rd), rt_spine_ncolumns(rd));
    if (names && fclose(names) != 0)
        named = false;
    if (!named) {
        fputs("featc backfill: out of memory\n", stderr);
        goto out;
    }
    if (!(ld = db_load_begin(c, table, sc.n, sc.names, sc.types, err, sizeof err))) {
        fprintf(stderr, "featc backfill: loading the spine: %s\n", err);
        goto out;
    }
    if (load_rows(rd, ld, &sc, s->nkeys, nreq, sp) != 0)
        goto out;
    int end = db_load_end(ld, err, sizeof err);
    ld = NULL;
    if (end != 0) {
        fprintf(stderr, "featc backfill: loading the spine: %s\n", err);
        goto out;
    }
    rc = 0;
out:
    db_load_abort(ld);
    rt_spine_close(rd);
    spine_cols_free(&sc);
    rt_program_free(rp);
    return rc;
}

/* Writing state: the query's rows, each after its spine row's text. */
typedef struct writer {
    FILE *out;
    const backfill_spine *sp;
    const plan_service *svc;
    const rt_type *types; /* per query column */
    uint64_t next;        /* next spine row expected */
    char problem[256];
} writer;

static int on_result_row(void *ctx, const rt_slot *row)
{
    writer *w = ctx;
    if (w->next >= w->sp->nrows || row[0].v.i != (int64_t)w->next) {
        snprintf(w->problem, sizeof w->problem, "the query returned row %" PRId64 " where row %" PRIu64 " was expected",
                 row[0].v.i, w->next);
        return 1;
    }
    size_t begin = w->next ? w->sp->ends[w->next - 1] : 0, end = w->sp->ends[w->next];
    assert(begin <= end && end <= w->sp->text_len);
    bool ok = fwrite(w->sp->text + begin, 1, end - begin, w->out) == end - begin;
    for (int i = 0; ok && i < w->svc->noutputs; i++)
        ok = putc(',', w->out) != EOF && rt_format_csv_value(w->out, &row[i + 1], w->types[i + 1]);
    if (!ok || putc('\n', w->out) == EOF) {
        snprintf(w->problem, sizeof w->problem, "writing failed: %s", strerror(errno));
        return 1;
    }
    w->next++;
    return 0;
}

int backfill_write(db_conn *c, const plan_service *svc, const char *query, const backfill_spine *sp,
                   const char *out_path)
{
    char err[512];
    int rc = -1;
    size_t tlen = strlen(out_path) + 16;
    char *tmp = xcalloc(tlen, 1);
    snprintf(tmp, tlen, "%s.tmp", out_path);
    rt_type *types = xcalloc((size_t)svc->noutputs + 1, sizeof *types);
    types[0] = RT_INT;
    for (int i = 0; i < svc->noutputs; i++)
        types[i + 1] = (rt_type)svc->outputs[i].type;
    writer w = {.sp = sp, .svc = svc, .types = types};
    w.out = fopen(tmp, "w");
    if (!w.out) {
        fprintf(stderr, "featc backfill: cannot write '%s': %s\n", tmp, strerror(errno));
        goto out;
    }
    __fsetlocking(w.out, FSETLOCKING_BYCALLER); /* written by this thread alone (the query's callback) */
    bool ok = fwrite(sp->header, 1, sp->header_len, w.out) == sp->header_len;
    for (int i = 0; ok && i < svc->noutputs; i++)
        ok = putc(',', w.out) != EOF && rt_format_csv_text(w.out, svc->outputs[i].column, strlen(svc->outputs[i].column));
    ok = ok && putc('\n', w.out) != EOF;
    if (!ok) {
        fprintf(stderr, "featc backfill: writing '%s' failed: %s\n", tmp, strerror(errno));
        goto out;
    }
    int q = db_query(c, query, svc->noutputs + 1, types, on_result_row, &w, err, sizeof err);
    if (q != 0) {
        fprintf(stderr, "featc backfill: %s\n", q == 1 && w.problem[0] ? w.problem : err);
        goto out;
    }
    if (w.next != sp->nrows) {
        fprintf(stderr, "featc backfill: the query returned %" PRIu64 " rows for %" PRIu64 " spine rows\n", w.next,
                sp->nrows);
        goto out;
    }
    FILE *f = w.out;
    w.out = NULL;
    if (fclose(f) != 0) {
        fprintf(stderr, "featc backfill: writing '%s' failed: %s\n", tmp, strerror(errno));
        goto out;
    }
    if (rename(tmp, out_path) != 0) {
        fprintf(stderr, "featc backfill: cannot move '%s' to '%s': %s\n", tmp, out_path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (w.out)
        fclose(w.out);
    if (rc != 0)
        remove(tmp);
    free(types);
    free(tmp);
    return rc;
}
