/* rt_spine.c - the spine (query rows) of a service: read, checked and kept for replay output. */
#include "rt_spine.h"

#include "rt_csv.h"
#include "rt_format.h"
#include "rt_reject.h"
#include "rt_value.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A field as read: offset and length of its bytes in the row, and whether it was quoted. */
typedef struct spine_field {
    uint32_t off;
    uint32_t len;
    bool quoted;
} spine_field;

/* A kept row, in one allocation: the struct, keys, request, fields, then the bytes. */
typedef struct spine_row {
    int64_t ts;
    rt_slot *keys;
    rt_slot *request;
    spine_field *fields;
    char *bytes;
} spine_row;

typedef struct spine_chunk {
    struct spine_chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} spine_chunk;

struct rt_spine {
    const rt_program *p;
    const rt_prog_service *svc;
    const rt_prog_source *req; /* NULL when the service takes none */
    int ncolumns;
    char **header;
    size_t *header_len;
    int ts_col;
    int *key_col; /* per service key */
    int *req_col; /* per request field */
    spine_row **rows;
    size_t nrows, cap;
    uint64_t skipped;
    spine_chunk *chunks;
};

/* Memory for rows, freed with the spine; NULL when out of memory. */
static void *chunk_alloc(rt_spine *s, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    spine_chunk *c = s->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = s->chunks;
        s->chunks = c;
    }
    void *r = c->data + c->used;
    c->used += n;
    return r;
}

void rt_spine_free(rt_spine *s)
{
    if (!s)
        return;
    for (int i = 0; s->header && i < s->ncolumns; i++)
        free(s->header[i]);
    free(s->header);
    free(s->header_len);
    free(s->key_col);
    free(s->req_col);
    free(s->rows);
    for (spine_chunk *c = s->chunks, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(s);
}

static int find_column(const rt_spine *s, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < s->ncolumns; i++)
        if (s->header_len[i] == n && memcmp(s->header[i], name, n) == 0)
            return i;
    return -1;
}

/* Copies the header and finds the columns the service needs. */
static bool map_header(rt_spine *s, rt_csv *csv, const char *path, char *err, size_t errlen)
{
    s->ncolumns = rt_csv_ncolumns(csv);
    const rt_csv_field *h = rt_csv_header(csv);
    s->header = calloc((size_t)s->ncolumns + 1, sizeof *s->header);
    s->header_len = calloc((size_t)s->ncolumns + 1, sizeof *s->header_len);
    s->key_col = calloc((size_t)s->svc->nkeys + 1, sizeof *s->key_col);
    s->req_col = calloc((size_t)(s->req ? s->req->nfields : 0) + 1, sizeof *s->req_col);
    if (!s->header || !s->header_len || !s->key_col || !s->req_col) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (int i = 0; i < s->ncolumns; i++) {
        s->header[i] = malloc(h[i].len + 1);
        if (!s->header[i]) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        memcpy(s->header[i], h[i].text, h[i].len);
        s->header[i][h[i].len] = '\0';
        s->header_len[i] = h[i].len;
    }
    int dup = rt_csv_duplicate_column(csv);
    if (dup >= 0) {
        /* the name as an excerpt: a quoted header field may hold line breaks or any bytes */
        char name[160] = "";
        rt_reject_excerpt(name, sizeof name, s->header[dup], s->header_len[dup], 64, true);
        snprintf(err, errlen, "%s: the header repeats column %s", path, name);
        return false;
    }
    s->ts_col = find_column(s, "ts");
    if (s->ts_col < 0) {
        snprintf(err, errlen, "%s: the spine has no 'ts' column (the query time)", path);
        return false;
    }
    for (int k = 0; k < s->svc->nkeys; k++) {
        s->key_col[k] = find_column(s, s->svc->keys[k].name);
        if (s->key_col[k] < 0) {
            snprintf(err, errlen, "%s: the spine has no column '%.200s' (a key of service '%.200s')", path,
                     s->svc->keys[k].name, s->svc->name);
            return false;
        }
    }
    for (int j = 0; s->req && j < s->req->nfields; j++) {
        s->req_col[j] = find_column(s, s->req->fields[j].name);
        if (s->req_col[j] < 0) {
            snprintf(err, errlen, "%s: the spine has no column '%.200s' (a field of request '%.200s')", path,
                     s->req->fields[j].name, s->req->name);
            return false;
        }
    }
    for (int o = 0; o < s->svc->noutputs; o++)
        if (find_column(s, s->svc->outputs[o].column) >= 0) {
            snprintf(err, errlen, "%s: spine column '%.200s' has the name of an output column", path,
                     s->svc->outputs[o].column);
            return false;
        }
    return true;
}

static void skip_row(rt_spine *s, FILE *report, const char *path, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void skip_row(rt_spine *s, FILE *report, const char *path, uint64_t line, const char *fmt, ...)
{
    s->skipped++;
    if (!report)
        return;
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    fprintf(report, "%s:%" PRIu64 ": skipped spine row: %s\n", path, line, why);
}

/* Converts field f of a row to type t; on failure reports the row and returns false. */
static bool convert(rt_spine *s, const rt_csv_field *f, int col, rt_type t, bool not_null, rt_slot *out,
                    FILE *report, const char *path, uint64_t line)
{
    bool is_null = !f->quoted && f->len == 0;
    const char *why = NULL;
    if (is_null && not_null)
        why = "null in a not null field";
    else if (!rt_value_from_text(t, f->text, f->len, is_null, out, &why) && !why)
        why = "bad value";
    if (why) {
        char excerpt[160] = "";
        rt_reject_excerpt(excerpt, sizeof excerpt, f->text, f->len, 64, true);
        skip_row(s, report, path, line, "column '%.200s': %s: %s", s->header[col], why, excerpt);
        return false;
    }
    return true;
}

/* Keeps a row that converted: copies its bytes and points string slots at the copy. */
static bool keep_row(rt_spine *s, const rt_csv_field *f, int64_t ts, const rt_slot *keys, const rt_slot *req)
{
    int nkeys = s->svc->nkeys, nreq = s->req ? s->req->nfields : 0;
    size_t bytes = 0;
    for (int i = 0; i < s->ncolumns; i++)
        bytes += f[i].len;
    size_t size = sizeof(spine_row) + sizeof(rt_slot) * (size_t)(nkeys + nreq) + sizeof(spine_field) * (size_t)s->ncolumns +
                  bytes;
    if (bytes > UINT32_MAX)
        return false;
    spine_row *r = chunk_alloc(s, size);
    if (!r)
        return false;
    r->ts = ts;
    r->keys = (rt_slot *)(r + 1);
    r->request = s->req ? r->keys + nkeys : NULL;
    r->fields = (spine_field *)(r->keys + nkeys + nreq);
    r->bytes = (char *)(r->fields + s->ncolumns);
    uint32_t off = 0;
    for (int i = 0; i < s->ncolumns; i++) {
        r->fields[i] = (spine_field){off, (uint32_t)f[i].len, f[i].quoted};
        if (f[i].len)
            memcpy(r->bytes + off, f[i].text, f[i].len);
        off += (uint32_t)f[i].len;
    }
    for (int k = 0; k < nkeys; k++) {
        r->keys[k] = keys[k];
        if (s->svc->keys[k].type == RT_STRING && !keys[k].null)
            r->keys[k].v.s = r->bytes + r->fields[s->key_col[k]].off;
    }
    for (int j = 0; j < nreq; j++) {
        r->request[j] = req[j];
        if (s->req->fields[j].type == RT_STRING && !req[j].null)
            r->request[j].v.s = r->bytes + r->fields[s->req_col[j]].off;
    }
    if (s->nrows == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        spine_row **nr = realloc(s->rows, cap * sizeof *nr);
        if (!nr)
            return false;
        s->rows = nr;
        s->cap = cap;
    }
    s->rows[s->nrows++] = r;
    return true;
}

/* Reads every row; false (with err) on an I/O error or when memory runs out. */
static bool read_rows(rt_spine *s, rt_csv *csv, const char *path, FILE *report, char *err, size_t errlen)
{
    int nkeys = s->svc->nkeys, nreq = s->req ? s->req->nfields : 0;
    rt_slot *keys = calloc((size_t)(nkeys + nreq) + 1, sizeof *keys);
    if (!keys) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    rt_slot *req = keys + nkeys;
    bool ok = true;
    for (;;) {
        const rt_csv_field *f;
        int nf;
        rt_csv_status st = rt_csv_next(csv, &f, &nf);
        uint64_t line = rt_csv_line(csv);
        if (st == RT_CSV_END)
            break;
        if (st == RT_CSV_IO_ERROR) {
            snprintf(err, errlen, "%s", rt_csv_problem(csv));
            ok = false;
            break;
        }
        if (st == RT_CSV_BAD_ROW) {
            skip_row(s, report, path, line, "%s", rt_csv_problem(csv));
            continue;
        }
        if (nf != s->ncolumns) {
            skip_row(s, report, path, line, "%d fields where the header has %d", nf, s->ncolumns);
            continue;
        }
        rt_slot ts;
        if (!convert(s, &f[s->ts_col], s->ts_col, RT_TIMESTAMP, true, &ts, report, path, line))
            continue;
        bool good = true;
        for (int k = 0; k < nkeys && good; k++)
            good = convert(s, &f[s->key_col[k]], s->key_col[k], s->svc->keys[k].type, false, &keys[k], report, path,
                           line);
        for (int j = 0; j < nreq && good; j++)
            good = convert(s, &f[s->req_col[j]], s->req_col[j], s->req->fields[j].type, s->req->fields[j].not_null,
                           &req[j], report, path, line);
        if (good && !keep_row(s, f, ts.v.i, keys, req)) {
            snprintf(err, errlen, "%s:%" PRIu64 ": out of memory keeping the spine", path, line);
            ok = false;
            break;
        }
    }
    free(keys);
    return ok;
}

rt_spine *rt_spine_load(const rt_program *p, int svc, const char *path, FILE *report, char *err, size_t errlen)
{
    assert(svc >= 0 && svc < p->nservices);
    rt_csv *csv = rt_csv_open(path, 0, err, errlen);
    if (!csv)
        return NULL;
    rt_spine *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        rt_csv_close(csv);
        return NULL;
    }
    s->p = p;
    s->svc = &p->services[svc];
    s->req = s->svc->request_source >= 0 ? &p->sources[s->svc->request_source] : NULL;
    bool ok = map_header(s, csv, path, err, errlen) && read_rows(s, csv, path, report, err, errlen);
    rt_csv_close(csv);
    if (!ok) {
        rt_spine_free(s);
        return NULL;
    }
    return s;
}

size_t rt_spine_rows(const rt_spine *s)
{
    return s->nrows;
}

uint64_t rt_spine_skipped(const rt_spine *s)
{
    return s->skipped;
}

int64_t rt_spine_ts(const rt_spine *s, size_t row)
{
    assert(row < s->nrows);
    return s->rows[row]->ts;
}

const rt_slot *rt_spine_keys(const rt_spine *s, size_t row)
{
    assert(row < s->nrows);
    return s->rows[row]->keys;
}

const rt_slot *rt_spine_request(const rt_spine *s, size_t row)
{
    assert(row < s->nrows);
    return s->rows[row]->request;
}

bool rt_spine_write_header(const rt_spine *s, FILE *out)
{
    bool ok = true;
    for (int i = 0; i < s->ncolumns; i++) {
        if (i)
            ok &= fputc(',', out) != EOF;
        ok &= rt_format_csv_text(out, s->header[i], s->header_len[i]);
    }
    return ok;
}

bool rt_spine_write_row(const rt_spine *s, size_t row, FILE *out)
{
    assert(row < s->nrows);
    const spine_row *r = s->rows[row];
    bool ok = true;
    for (int i = 0; i < s->ncolumns; i++) {
        if (i)
            ok &= fputc(',', out) != EOF;
        const spine_field *f = &r->fields[i];
        if (f->quoted || f->len)
            ok &= rt_format_csv_text(out, r->bytes + f->off, f->len);
    }
    return ok;
}
