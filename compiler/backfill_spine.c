/* backfill_spine.c - the spine CSV: typed loading of query rows, and the output written beside it. */
#include "backfill.h"

#include "rt_csv.h"
#include "rt_format.h"
#include "rt_reject.h"
#include "rt_value.h"
#include "sql/sqlgen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The typed columns of a spine: _row, ts, keys, request fields that are not keys. */
typedef struct spine_cols {
    int n;
    const char **names;
    rt_type *types;
    int *csv_index; /* column in the CSV (-1 for _row) */
} spine_cols;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    return p;
}

static void spine_cols_init(spine_cols *sc, const plan *p, const plan_service *svc)
{
    int nreq = svc->request_source >= 0 ? p->sources[svc->request_source].nfields : 0;
    int cap = 2 + svc->nkeys + nreq;
    sc->names = xcalloc((size_t)cap, sizeof *sc->names);
    sc->types = xcalloc((size_t)cap, sizeof *sc->types);
    sc->csv_index = xcalloc((size_t)cap, sizeof *sc->csv_index);
    int n = 0;
    sc->names[n] = SQLGEN_ROW_COLUMN;
    sc->types[n++] = RT_INT;
    sc->names[n] = SQLGEN_TIME_COLUMN;
    sc->types[n++] = RT_TIMESTAMP;
    for (int k = 0; k < svc->nkeys; k++) {
        sc->names[n] = svc->keys[k].name;
        sc->types[n++] = (rt_type)svc->keys[k].type;
    }
    for (int i = 0; i < nreq; i++) {
        bool is_key = false;
        for (int k = 0; k < svc->nkeys; k++)
            is_key |= svc->key_request_field[k] == i;
        if (is_key)
            continue;
        const plan_field *f = &p->sources[svc->request_source].fields[i];
        sc->names[n] = f->name;
        sc->types[n++] = (rt_type)f->type;
    }
    sc->n = n;
}

static void spine_cols_free(spine_cols *sc)
{
    free(sc->names);
    free(sc->types);
    free(sc->csv_index);
}

void backfill_spine_free(backfill_spine *sp)
{
    free(sp->lines);
    sp->lines = NULL;
}

/* Converts one CSV row into typed values; false with the reason in why. */
static bool parse_row(const spine_cols *sc, const rt_csv_field *f, int nfields, int ncolumns, rt_slot *vals,
                      uint64_t row, char *why, size_t whylen)
{
    if (nfields != ncolumns) {
        snprintf(why, whylen, "row has %d field%s, header has %d", nfields, nfields == 1 ? "" : "s", ncolumns);
        return false;
    }
    vals[0] = (rt_slot){.v.i = (int64_t)row};
    for (int i = 1; i < sc->n; i++) {
        const rt_csv_field *x = &f[sc->csv_index[i]];
        bool is_null = !x->quoted && x->len == 0;
        const char *problem = NULL;
        if (is_null && i == 1) {
            snprintf(why, whylen, "column '%s' (the query time) is empty", sc->names[i]);
            return false;
        }
        if (!rt_value_from_text(sc->types[i], x->text, x->len, is_null, &vals[i], &problem)) {
            int k = snprintf(why, whylen, "column '%s': %s, got ", sc->names[i], problem ? problem : "invalid value");
            if (k > 0 && (size_t)k < whylen) {
                why[k] = '\0';
                rt_reject_excerpt(why, whylen, x->text, x->len, 64, true);
            }
            return false;
        }
    }
    return true;
}

int backfill_load_spine(db_conn *c, const plan *p, const plan_service *svc, const char *path, const char *table,
                        backfill_spine *sp)
{
    char err[512];
    memset(sp, 0, sizeof *sp);
    spine_cols sc;
    spine_cols_init(&sc, p, svc);
    int rc = -1;
    db_loader *ld = NULL;
    rt_slot *vals = xcalloc((size_t)sc.n, sizeof *vals);
    rt_csv *csv = rt_csv_open(path, 0, err, sizeof err);
    if (!csv) {
        fprintf(stderr, "featc backfill: spine: %s\n", err);
        goto out;
    }
    int ncol = rt_csv_ncolumns(csv);
    const rt_csv_field *hdr = rt_csv_header(csv);
    int dup = rt_csv_duplicate_column(csv);
    if (dup >= 0) {
        fprintf(stderr, "featc backfill: %s: the spine header repeats column '%.*s'\n", path, (int)hdr[dup].len,
                hdr[dup].text);
        goto out;
    }
    sc.csv_index[0] = -1;
    for (int i = 0; i < ncol; i++)
        if (hdr[i].len == strlen(SQLGEN_ROW_COLUMN) && memcmp(hdr[i].text, SQLGEN_ROW_COLUMN, hdr[i].len) == 0) {
            fprintf(stderr, "featc backfill: %s: the spine may not have a column named '%s' (it numbers the rows)\n",
                    path, SQLGEN_ROW_COLUMN);
            goto out;
        }
    for (int k = 1; k < sc.n; k++) {
        sc.csv_index[k] = -1;
        for (int i = 0; i < ncol; i++)
            if (hdr[i].len == strlen(sc.names[k]) && memcmp(hdr[i].text, sc.names[k], hdr[i].len) == 0)
                sc.csv_index[k] = i;
        if (sc.csv_index[k] < 0) {
            fprintf(stderr, "featc backfill: %s: the spine has no column '%s' (%s of service '%s')\n", path,
                    sc.names[k],
                    k == 1 ? "the query time" : k < 2 + svc->nkeys ? "a key" : "a request field", svc->name);
            goto out;
        }
    }
    for (int i = 0; i < svc->noutputs; i++)
        for (int h = 0; h < ncol; h++)
            if (hdr[h].len == strlen(svc->outputs[i].column) &&
                memcmp(hdr[h].text, svc->outputs[i].column, hdr[h].len) == 0) {
                fprintf(stderr, "featc backfill: %s: spine column '%s' has the name of a feature output\n", path,
                        svc->outputs[i].column);
                goto out;
            }
    if (db_check_table_name(db_conn_dialect(c), table, err, sizeof err) != 0 ||
        !(ld = db_load_begin(c, table, sc.n, sc.names, sc.types, err, sizeof err))) {
        fprintf(stderr, "featc backfill: loading the spine: %s\n", err);
        goto out;
    }
    uint64_t cap = 0;
    for (;;) {
        const rt_csv_field *f;
        int nf;
        rt_csv_status st = rt_csv_next(csv, &f, &nf);
        if (st == RT_CSV_END)
            break;
        if (st == RT_CSV_IO_ERROR) {
            fprintf(stderr, "featc backfill: %s: %s\n", path, rt_csv_problem(csv));
            goto out;
        }
        char why[384];
        bool good = st == RT_CSV_ROW;
        if (!good)
            snprintf(why, sizeof why, "%s", rt_csv_problem(csv));
        else
            good = parse_row(&sc, f, nf, ncol, vals, sp->nrows, why, sizeof why);
        if (!good) {
            fprintf(stderr, "%s:%" PRIu64 ": bad spine row skipped: %s\n", path, rt_csv_line(csv), why);
            sp->bad++;
            continue;
        }
        if (db_load_row(ld, vals) != 0)
            break;
        if (sp->nrows == cap) {
            cap = cap ? 2 * cap : 1024;
            sp->lines = realloc(sp->lines, cap * sizeof *sp->lines);
            if (!sp->lines) {
                fputs("featc: out of memory\n", stderr);
                abort();
            }
        }
        sp->lines[sp->nrows++] = rt_csv_line(csv);
    }
    int end = db_load_end(ld, err, sizeof err);
    ld = NULL;
    if (end != 0) {
        fprintf(stderr, "featc backfill: loading the spine: %s\n", err);
        goto out;
    }
    rc = 0;
out:
    db_load_abort(ld);
    rt_csv_close(csv);
    free(vals);
    spine_cols_free(&sc);
    return rc;
}

/* Writing state: the spine re-read in step with the query's rows. */
typedef struct writer {
    FILE *out;
    rt_csv *csv;
    const backfill_spine *sp;
    const plan_service *svc;
    const rt_type *types; /* per query column */
    uint64_t next;        /* next spine row expected */
    char problem[256];
} writer;

static bool write_raw(FILE *out, const rt_csv_field *f, int n)
{
    for (int i = 0; i < n; i++) {
        if (i && fputc(',', out) == EOF)
            return false;
        if ((f[i].quoted || f[i].len) && !rt_format_csv_text(out, f[i].text, f[i].len))
            return false;
    }
    return true;
}

static int on_result_row(void *ctx, const rt_slot *row)
{
    writer *w = ctx;
    if (w->next >= w->sp->nrows || row[0].v.i != (int64_t)w->next) {
        snprintf(w->problem, sizeof w->problem, "the query returned row %" PRId64 " where row %" PRIu64 " was expected",
                 row[0].v.i, w->next);
        return 1;
    }
    uint64_t want = w->sp->lines[w->next];
    const rt_csv_field *f;
    int nf;
    for (;;) {
        rt_csv_status st = rt_csv_next(w->csv, &f, &nf);
        if (st != RT_CSV_ROW && st != RT_CSV_BAD_ROW) {
            snprintf(w->problem, sizeof w->problem, "the spine changed while it was read");
            return 1;
        }
        if (st == RT_CSV_ROW && rt_csv_line(w->csv) == want)
            break;
    }
    bool ok = write_raw(w->out, f, nf);
    for (int i = 0; ok && i < w->svc->noutputs; i++)
        ok = fputc(',', w->out) != EOF && rt_format_csv_value(w->out, &row[i + 1], w->types[i + 1]);
    if (!ok || fputc('\n', w->out) == EOF) {
        snprintf(w->problem, sizeof w->problem, "writing failed: %s", strerror(errno));
        return 1;
    }
    w->next++;
    return 0;
}

int backfill_write(db_conn *c, const plan_service *svc, const char *query, const char *spine_path,
                   const backfill_spine *sp, const char *out_path)
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
    w.csv = rt_csv_open(spine_path, 0, err, sizeof err);
    if (!w.csv) {
        fprintf(stderr, "featc backfill: spine: %s\n", err);
        goto out;
    }
    w.out = fopen(tmp, "w");
    if (!w.out) {
        fprintf(stderr, "featc backfill: cannot write '%s': %s\n", tmp, strerror(errno));
        goto out;
    }
    bool ok = write_raw(w.out, rt_csv_header(w.csv), rt_csv_ncolumns(w.csv));
    for (int i = 0; ok && i < svc->noutputs; i++)
        ok = fputc(',', w.out) != EOF && rt_format_csv_text(w.out, svc->outputs[i].column, strlen(svc->outputs[i].column));
    ok = ok && fputc('\n', w.out) != EOF;
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
    if (w.out) {
        fclose(w.out);
        remove(tmp);
    } else if (rc != 0) {
        remove(tmp);
    }
    rt_csv_close(w.csv);
    free(types);
    free(tmp);
    return rc;
}
