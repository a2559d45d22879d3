/* parity_csv.c - a small, strict CSV reader for spines and result files, and record splitting. */
#include "parity.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* A growable array of cells while one record is read. */
typedef struct cellvec {
    parity_cell *items;
    int len, cap;
} cellvec;

static void cellvec_push(cellvec *v, parity_cell c)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = realloc(v->items, (size_t)v->cap * sizeof *v->items);
        if (!v->items)
            abort();
    }
    v->items[v->len++] = c;
}

/* Reads one record starting at *pos (not at the end, not on a blank line) into cells,
 * decoding fields in place: each field's text is unescaped where it lies and NUL-terminated
 * over its delimiter (d[n] must be writable). Advances *pos past the record's line break and
 * *line by the lines consumed. Returns false with a message on a quote error. */
static bool read_record(const char *path, char *d, size_t n, size_t *pos, uint64_t *line, cellvec *cells, char *err,
                        size_t errlen)
{
    size_t i = *pos;
    cells->len = 0;
    for (;;) {
        parity_cell c = {0};
        char *o;
        if (i < n && d[i] == '"') {
            uint64_t start_line = *line;
            c.quoted = true;
            o = d + ++i; /* the decoded text is never longer than the raw text */
            c.s = o;
            for (;;) {
                if (i >= n)
                    return fail(err, errlen, "%s:%llu: a quoted field is not closed", path,
                                (unsigned long long)start_line);
                if (d[i] == '"') {
                    if (i + 1 < n && d[i + 1] == '"') {
                        *o++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (d[i] == '\n')
                    (*line)++;
                *o++ = d[i++];
            }
            c.len = (size_t)(o - c.s);
            if (i < n && d[i] != ',' && d[i] != '\n' && !(d[i] == '\r' && (i + 1 == n || d[i + 1] == '\n')))
                return fail(err, errlen, "%s:%llu: unexpected text after a closing quote", path,
                            (unsigned long long)*line);
        } else {
            size_t b = i;
            while (i < n && d[i] != ',' && d[i] != '\n' && !(d[i] == '\r' && (i + 1 == n || d[i + 1] == '\n'))) {
                if (d[i] == '"')
                    return fail(err, errlen, "%s:%llu: a quote inside an unquoted field", path,
                                (unsigned long long)*line);
                i++;
            }
            c.s = d + b;
            c.len = i - b;
            o = d + i;
        }
        cellvec_push(cells, c);
        char delim = i < n ? d[i] : '\0';
        *o = '\0'; /* over the delimiter, or inside the field's own raw text */
        if (delim == ',') {
            i++;
            continue;
        }
        if (delim == '\r')
            i++; /* a CR ends a record only before a LF or at the end */
        if (delim == '\n' || (delim == '\r' && i < n))
            i++;
        (*line)++;
        *pos = i;
        return true;
    }
}

/* Whether the line at pos is blank (empty or a lone CR before the line break or the end). */
static bool blank_line(const char *d, size_t n, size_t pos, size_t *next)
{
    size_t i = pos;
    if (i < n && d[i] == '\r')
        i++;
    if (i < n && d[i] != '\n')
        return false;
    if (i == pos && i == n)
        return false;
    *next = i < n ? i + 1 : i;
    return true;
}

bool parity_csv_parse(arena *mem, const char *path, const char *text, size_t len, parity_table *t, char *err,
                      size_t errlen)
{
    memset(t, 0, sizeof *t);
    char *data = arena_strndup(mem, text, len); /* fields are decoded in this copy */
    t->path = arena_strdup(mem, path);
    size_t pos = 0, next;
    uint64_t line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (blank_line(data, len, pos, &next)) {
        pos = next;
        line++;
    }
    if (pos >= len)
        return fail(err, errlen, "%s: no header line", path);
    cellvec cells = {0};
    if (!read_record(path, data, len, &pos, &line, &cells, err, errlen)) {
        free(cells.items);
        return false;
    }
    t->ncols = cells.len;
    t->header = arena_alloc(mem, (size_t)cells.len * sizeof *t->header);
    memcpy(t->header, cells.items, (size_t)cells.len * sizeof *t->header);
    int cap = 0;
    while (pos < len) {
        if (t->ncols > 1 && blank_line(data, len, pos, &next)) {
            pos = next;
            line++;
            continue;
        }
        uint64_t start = line;
        if (!read_record(path, data, len, &pos, &line, &cells, err, errlen)) {
            free(cells.items);
            return false;
        }
        if (cells.len != t->ncols) {
            free(cells.items);
            return fail(err, errlen, "%s:%llu: %d field%s, but the header has %d", path, (unsigned long long)start,
                        cells.len, cells.len == 1 ? "" : "s", t->ncols);
        }
        if (t->nrows == cap) {
            cap = cap ? cap * 2 : 64;
            parity_row *rows = arena_alloc(mem, (size_t)cap * sizeof *rows);
            if (t->nrows)
                memcpy(rows, t->rows, (size_t)t->nrows * sizeof *rows);
            t->rows = rows;
        }
        parity_row *r = &t->rows[t->nrows++];
        r->line = start;
        r->cells = arena_alloc(mem, (size_t)cells.len * sizeof *r->cells);
        memcpy(r->cells, cells.items, (size_t)cells.len * sizeof *r->cells);
    }
    free(cells.items);
    return true;
}

char *parity_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf)
            abort();
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        buf = realloc(buf, cap + 1);
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fail(err, errlen, "cannot read '%s'", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

bool parity_csv_read(arena *mem, const char *path, parity_table *t, char *err, size_t errlen)
{
    size_t len;
    char *data = parity_read_file(path, &len, err, errlen);
    if (!data) {
        memset(t, 0, sizeof *t);
        return false;
    }
    bool ok = parity_csv_parse(mem, path, data, len, t, err, errlen);
    free(data);
    return ok;
}

int parity_table_column(const parity_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strlen(name) == t->header[i].len && memcmp(t->header[i].s, name, t->header[i].len) == 0)
            return i;
    return -1;
}

int parity_split_records(arena *mem, const char *data, size_t len, bool csv, parity_span **out)
{
    int n = 0, cap = 0;
    parity_span *spans = NULL;
    size_t i = 0;
    uint64_t line = 1;
    while (i < len) {
        parity_span s = {.begin = i, .line = line};
        bool quoted = false;
        for (; i < len; i++) {
            if (csv && data[i] == '"')
                quoted = !quoted;
            else if (data[i] == '\n') {
                line++;
                if (!quoted) {
                    i++;
                    break;
                }
            }
        }
        s.end = i;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            parity_span *grown = arena_alloc(mem, (size_t)cap * sizeof *grown);
            if (n)
                memcpy(grown, spans, (size_t)n * sizeof *grown);
            spans = grown;
        }
        spans[n++] = s;
    }
    *out = spans;
    return n;
}
