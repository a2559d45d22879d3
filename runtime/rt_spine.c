/* rt_spine.c - the spine (query rows) of a service, read through the spine reader and kept for replay output. */
#include "rt_spine.h"

#include "rt_spine_reader.h"

#include <assert.h>
#include <inttypes.h>
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
    const rt_prog_service *svc;
    const rt_prog_source *req; /* NULL when the service takes none */
    int ncolumns;
    rt_csv_field *header; /* names point into header_text */
    char *header_text;
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
    free(s->header);
    free(s->header_text);
    free(s->rows);
    for (spine_chunk *c = s->chunks, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(s);
}

/* Copies the header's names, which outlive the reader. */
static bool copy_header(rt_spine *s, const rt_spine_reader *rd)
{
    s->ncolumns = rt_spine_ncolumns(rd);
    const rt_csv_field *h = rt_spine_header(rd);
    size_t bytes = 0;
    for (int i = 0; i < s->ncolumns; i++)
        bytes += h[i].len;
    s->header = calloc((size_t)s->ncolumns + 1, sizeof *s->header);
    s->header_text = malloc(bytes + 1);
    if (!s->header || !s->header_text)
        return false;
    size_t off = 0;
    for (int i = 0; i < s->ncolumns; i++) {
        if (h[i].len)
            memcpy(s->header_text + off, h[i].text, h[i].len);
        s->header[i] = (rt_csv_field){s->header_text + off, h[i].len, h[i].quoted};
        off += h[i].len;
    }
    return true;
}

/* Keeps a row the reader accepted: copies its bytes and points string slots at the copy. */
static bool keep_row(rt_spine *s, const rt_spine_reader *rd, const rt_spine_row *row)
{
    int nkeys = s->svc->nkeys, nreq = s->req ? s->req->nfields : 0;
    const rt_csv_field *f = row->fields;
    size_t bytes = 0;
    for (int i = 0; i < s->ncolumns; i++)
        bytes += f[i].len;
    if (bytes > UINT32_MAX)
        return false;
    size_t size = sizeof(spine_row) + sizeof(rt_slot) * (size_t)(nkeys + nreq) +
                  sizeof(spine_field) * (size_t)s->ncolumns + bytes;
    spine_row *r = chunk_alloc(s, size);
    if (!r)
        return false;
    r->ts = row->ts;
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
        r->keys[k] = row->keys[k];
        if (s->svc->keys[k].type == RT_STRING && !row->keys[k].null)
            r->keys[k].v.s = r->bytes + r->fields[rt_spine_key_column(rd, k)].off;
    }
    for (int j = 0; j < nreq; j++) {
        r->request[j] = row->request[j];
        if (s->req->fields[j].type == RT_STRING && !row->request[j].null)
            r->request[j].v.s = r->bytes + r->fields[rt_spine_request_column(rd, j)].off;
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

rt_spine *rt_spine_load(const rt_program *p, int svc, const char *path, FILE *report, char *err, size_t errlen)
{
    assert(svc >= 0 && svc < p->nservices);
    rt_spine_reader *rd = rt_spine_open(p, svc, path, report, err, errlen);
    if (!rd)
        return NULL;
    rt_spine *s = calloc(1, sizeof *s);
    bool ok = s != NULL;
    if (ok) {
        s->svc = &p->services[svc];
        s->req = s->svc->request_source >= 0 ? &p->sources[s->svc->request_source] : NULL;
        ok = copy_header(s, rd);
    }
    if (!ok)
        snprintf(err, errlen, "out of memory");
    rt_spine_row row;
    rt_spine_status st = RT_SPINE_END;
    while (ok && (st = rt_spine_next(rd, &row, err, errlen)) == RT_SPINE_ROW)
        if (!keep_row(s, rd, &row)) {
            snprintf(err, errlen, "%s:%" PRIu64 ": out of memory keeping the spine", path, row.line);
            ok = false;
        }
    ok = ok && st == RT_SPINE_END;
    if (s)
        s->skipped = rt_spine_reader_skipped(rd);
    rt_spine_close(rd);
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
    return rt_spine_write_names(out, s->header, s->ncolumns);
}

bool rt_spine_write_row(const rt_spine *s, size_t row, FILE *out)
{
    assert(row < s->nrows);
    const spine_row *r = s->rows[row];
    bool ok = true;
    for (int i = 0; i < s->ncolumns; i++) {
        if (i)
            ok &= putc(',', out) != EOF;
        const spine_field *f = &r->fields[i];
        ok &= rt_spine_write_field(out, r->bytes + f->off, f->len, f->quoted);
    }
    return ok;
}
