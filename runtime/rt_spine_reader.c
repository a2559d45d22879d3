/* rt_spine_reader.c - the one spine reader: rows in file order, each checked once, the bad ones skipped and reported. */
#include "rt_spine_reader.h"

#include "rt_format.h"
#include "rt_reject.h"
#include "rt_value.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct rt_spine_reader {
    const rt_prog_service *svc;
    const rt_prog_source *req; /* NULL when the service takes none */
    rt_csv *csv;          /* a CSV spine, or */
    rt_spine_source ext;  /* one read by the installed opener (ext.next set) */
    const rt_csv_field *header;
    char *path;
    FILE *report;
    int ncolumns;
    int ts_col;
    int *key_col; /* per service key */
    int *req_col; /* per request field */
    rt_slot *keys;    /* the current row's, per service key */
    rt_slot *request; /* the current row's, per request field */
    uint64_t skipped;
};

static rt_spine_opener spine_opener;

void rt_spine_set_opener(rt_spine_opener open)
{
    spine_opener = open;
}

void rt_spine_close(rt_spine_reader *r)
{
    if (!r)
        return;
    rt_csv_close(r->csv);
    if (r->ext.close)
        r->ext.close(r->ext.ctx);
    free(r->path);
    free(r->key_col);
    free(r->req_col);
    free(r->keys);
    free(r);
}

/* Index of the header column named name, or -1. */
static int find_column(const rt_spine_reader *r, const char *name)
{
    const rt_csv_field *h = r->header;
    size_t n = strlen(name);
    for (int i = 0; i < r->ncolumns; i++)
        if (h[i].len == n && memcmp(h[i].text, name, n) == 0)
            return i;
    return -1;
}

/* Finds the columns the service needs; false with a message when the header does not fit. */
static bool map_header(rt_spine_reader *r, char *err, size_t errlen)
{
    const rt_csv_field *h = r->header;
    int dup = r->csv ? rt_csv_duplicate_column(r->csv) : -1;
    if (dup >= 0) {
        /* the name as an excerpt: a quoted header field may hold line breaks or any bytes */
        char name[160] = "";
        rt_reject_excerpt(name, sizeof name, h[dup].text, h[dup].len, 64, true);
        snprintf(err, errlen, "%s: the header repeats column %s", r->path, name);
        return false;
    }
    r->ts_col = find_column(r, "ts");
    if (r->ts_col < 0) {
        snprintf(err, errlen, "%s: the spine has no 'ts' column (the query time)", r->path);
        return false;
    }
    for (int k = 0; k < r->svc->nkeys; k++) {
        r->key_col[k] = find_column(r, r->svc->keys[k].name);
        if (r->key_col[k] < 0) {
            snprintf(err, errlen, "%s: the spine has no column '%.200s' (a key of service '%.200s')", r->path,
                     r->svc->keys[k].name, r->svc->name);
            return false;
        }
    }
    for (int j = 0; r->req && j < r->req->nfields; j++) {
        r->req_col[j] = find_column(r, r->req->fields[j].name);
        if (r->req_col[j] < 0) {
            snprintf(err, errlen, "%s: the spine has no column '%.200s' (a field of request '%.200s')", r->path,
                     r->req->fields[j].name, r->req->name);
            return false;
        }
    }
    for (int o = 0; o < r->svc->noutputs; o++)
        if (find_column(r, r->svc->outputs[o].column) >= 0) {
            snprintf(err, errlen, "%s: spine column '%.200s' has the name of an output column", r->path,
                     r->svc->outputs[o].column);
            return false;
        }
    return true;
}

/* Whether path names a Parquet spine (or a glob of them): it ends in .parquet. */
static bool is_parquet(const char *path)
{
    size_t n = strlen(path);
    return n >= 8 && strcmp(path + n - 8, ".parquet") == 0;
}

/* Opens the spine's rows: a CSV file, or a Parquet one through the installed opener, told
 * the columns the service needs and their types. Sets header and ncolumns. */
static bool open_input(rt_spine_reader *r, const char *path, char *err, size_t errlen)
{
    if (!is_parquet(path)) {
        r->csv = rt_csv_open(path, 0, err, errlen);
        if (!r->csv)
            return false;
        r->ncolumns = rt_csv_ncolumns(r->csv);
        r->header = rt_csv_header(r->csv);
        return true;
    }
    if (!spine_opener) {
        snprintf(err, errlen, "%s: Parquet spines are read by featc (replay, backfill, parity); this program reads CSV",
                 path);
        return false;
    }
    int nkeys = r->svc->nkeys, nreq = r->req ? r->req->nfields : 0, n = 0;
    rt_spine_want *want = calloc((size_t)(1 + nkeys + nreq), sizeof *want);
    if (!want) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    want[n++] = (rt_spine_want){"ts", RT_TIMESTAMP};
    for (int k = 0; k < nkeys; k++)
        want[n++] = (rt_spine_want){r->svc->keys[k].name, r->svc->keys[k].type};
    for (int j = 0; j < nreq; j++)
        want[n++] = (rt_spine_want){r->req->fields[j].name, r->req->fields[j].type};
    bool ok = spine_opener(path, want, n, &r->ext, err, errlen);
    free(want);
    if (!ok) {
        r->ext = (rt_spine_source){0};
        return false;
    }
    assert(r->ext.next && r->ext.close && r->ext.ncolumns >= 0);
    r->ncolumns = r->ext.ncolumns;
    r->header = r->ext.header;
    return true;
}

rt_spine_reader *rt_spine_open(const rt_program *p, int svc, const char *path, FILE *report, char *err,
                               size_t errlen)
{
    assert(p && path && svc >= 0 && svc < p->nservices);
    rt_spine_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->svc = &p->services[svc];
    r->req = r->svc->request_source >= 0 ? &p->sources[r->svc->request_source] : NULL;
    r->report = report;
    int nkeys = r->svc->nkeys, nreq = r->req ? r->req->nfields : 0;
    r->path = strdup(path);
    r->key_col = calloc((size_t)nkeys + 1, sizeof *r->key_col);
    r->req_col = calloc((size_t)nreq + 1, sizeof *r->req_col);
    r->keys = calloc((size_t)(nkeys + nreq) + 1, sizeof *r->keys);
    if (!r->path || !r->key_col || !r->req_col || !r->keys) {
        snprintf(err, errlen, "out of memory");
        rt_spine_close(r);
        return NULL;
    }
    r->request = r->keys + nkeys;
    if (!open_input(r, path, err, errlen)) {
        rt_spine_close(r);
        return NULL;
    }
    if (!map_header(r, err, errlen)) {
        rt_spine_close(r);
        return NULL;
    }
    return r;
}

static void skip_row(rt_spine_reader *r, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Counts a skipped row and reports it with its line and reason. */
static void skip_row(rt_spine_reader *r, uint64_t line, const char *fmt, ...)
{
    r->skipped++;
    if (!r->report)
        return;
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    fprintf(r->report, "%s:%" PRIu64 ": skipped spine row: %s\n", r->path, line, why);
}

/* Converts field f (column col) to type t into *out; when it cannot be answered, reports
 * the row and returns false. */
static bool convert(rt_spine_reader *r, const rt_csv_field *f, int col, rt_type t, bool not_null, rt_slot *out,
                    uint64_t line)
{
    const rt_csv_field *name = &r->header[col];
    int nlen = (int)(name->len > 200 ? 200 : name->len);
    bool is_null = !f->quoted && f->len == 0;
    if (is_null && col == r->ts_col) {
        skip_row(r, line, "column '%.*s': the query time is empty", nlen, name->text);
        return false;
    }
    if (is_null && not_null) {
        skip_row(r, line, "column '%.*s': null in a not null field", nlen, name->text);
        return false;
    }
    const char *why = NULL;
    if (rt_value_from_text(t, f->text, f->len, is_null, out, &why))
        return true;
    char excerpt[160] = "";
    rt_reject_excerpt(excerpt, sizeof excerpt, f->text, f->len, 64, true);
    skip_row(r, line, "column '%.*s': %s: %s", nlen, name->text, why ? why : "bad value", excerpt);
    return false;
}

/* The next row's fields from the CSV file or the opened source. A source's failure is
 * RT_CSV_IO_ERROR with its message already in err. */
static rt_csv_status next_fields(rt_spine_reader *r, const rt_csv_field **f, int *nf, uint64_t *line, char *err,
                                 size_t errlen)
{
    if (r->csv) {
        rt_csv_status st = rt_csv_next(r->csv, f, nf);
        *line = rt_csv_line(r->csv);
        return st;
    }
    *line = 0;
    int m = r->ext.next(r->ext.ctx, f, line, err, errlen);
    *nf = r->ncolumns;
    return m > 0 ? RT_CSV_ROW : m == 0 ? RT_CSV_END : RT_CSV_IO_ERROR;
}

rt_spine_status rt_spine_next(rt_spine_reader *r, rt_spine_row *row, char *err, size_t errlen)
{
    int nkeys = r->svc->nkeys, nreq = r->req ? r->req->nfields : 0;
    for (;;) {
        const rt_csv_field *f;
        int nf;
        uint64_t line;
        rt_csv_status st = next_fields(r, &f, &nf, &line, err, errlen);
        if (st == RT_CSV_IO_ERROR && !r->csv)
            return RT_SPINE_FAILED;
        if (st == RT_CSV_END)
            return RT_SPINE_END;
        if (st == RT_CSV_IO_ERROR) {
            snprintf(err, errlen, "%s: %s", r->path, rt_csv_problem(r->csv));
            return RT_SPINE_FAILED;
        }
        if (st == RT_CSV_BAD_ROW) {
            skip_row(r, line, "%s", rt_csv_problem(r->csv));
            continue;
        }
        if (nf != r->ncolumns) {
            skip_row(r, line, "%d field%s where the header has %d", nf, nf == 1 ? "" : "s", r->ncolumns);
            continue;
        }
        rt_slot ts;
        if (!convert(r, &f[r->ts_col], r->ts_col, RT_TIMESTAMP, true, &ts, line))
            continue;
        bool good = true;
        for (int k = 0; k < nkeys && good; k++)
            good = convert(r, &f[r->key_col[k]], r->key_col[k], r->svc->keys[k].type, false, &r->keys[k], line);
        for (int j = 0; j < nreq && good; j++)
            good = convert(r, &f[r->req_col[j]], r->req_col[j], r->req->fields[j].type, r->req->fields[j].not_null,
                           &r->request[j], line);
        if (!good)
            continue;
        *row = (rt_spine_row){.line = line,
                              .ts = ts.v.i,
                              .keys = r->keys,
                              .request = r->req ? r->request : NULL,
                              .fields = f};
        return RT_SPINE_ROW;
    }
}

int rt_spine_ncolumns(const rt_spine_reader *r)
{
    return r->ncolumns;
}

const rt_csv_field *rt_spine_header(const rt_spine_reader *r)
{
    return r->header;
}

uint64_t rt_spine_reader_skipped(const rt_spine_reader *r)
{
    return r->skipped;
}

int rt_spine_ts_column(const rt_spine_reader *r)
{
    return r->ts_col;
}

int rt_spine_key_column(const rt_spine_reader *r, int key)
{
    assert(key >= 0 && key < r->svc->nkeys);
    return r->key_col[key];
}

int rt_spine_request_column(const rt_spine_reader *r, int field)
{
    assert(r->req && field >= 0 && field < r->req->nfields);
    return r->req_col[field];
}

bool rt_spine_write_field(FILE *out, const char *text, size_t len, bool quoted)
{
    return (!quoted && len == 0) || rt_format_csv_text(out, text, len);
}

bool rt_spine_write_fields(FILE *out, const rt_csv_field *f, int n)
{
    bool ok = true;
    for (int i = 0; i < n; i++) {
        if (i)
            ok &= putc(',', out) != EOF;
        ok &= rt_spine_write_field(out, f[i].text, f[i].len, f[i].quoted);
    }
    return ok;
}

size_t rt_spine_fields_text_max(const rt_csv_field *f, int n)
{
    size_t max = (size_t)n;
    for (int i = 0; i < n; i++)
        max += 2 * f[i].len + 2;
    return max;
}

size_t rt_spine_fields_text(char *dst, const rt_csv_field *f, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            dst[len++] = ',';
        if (f[i].quoted || f[i].len)
            len += rt_format_csv_text_mem(dst + len, f[i].text, f[i].len);
    }
    return len;
}

bool rt_spine_write_names(FILE *out, const rt_csv_field *f, int n)
{
    bool ok = true;
    for (int i = 0; i < n; i++) {
        if (i)
            ok &= putc(',', out) != EOF;
        ok &= rt_format_csv_text(out, f[i].text, f[i].len);
    }
    return ok;
}
