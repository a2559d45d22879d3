/* rt_csv.c - a streaming RFC 4180 CSV record reader with a header line (events and spines). */
#include "rt_csv.h"

#include "rt_input.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rt_csv {
    rt_input in;
    char *name;
    size_t max_record;
    /* header, copied */
    int ncolumns;
    rt_csv_field *header;
    char *header_text;
    /* the current row */
    rt_csv_field *fields; /* RT_CSV_MAX_COLUMNS at most; grows */
    int fields_cap;
    char *scratch; /* unescaped quoted fields; at least as long as the record */
    size_t scratch_cap;
    const char *raw;
    size_t raw_len;
    /* positions and counts */
    uint64_t line;
    uint64_t lines;
    uint64_t blank;
    char problem[256];
};

/* Record-scanning states. */
enum { ST_FIELD_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_SEEN };

/* Finds the next record in the input and consumes it with its line break. Returns 1 with
 * the record in *rec and *len (valid until the input is read again; *rec NULL and *oversized
 * set when it was longer than max_record and was skipped), 0 at end of input, -1 on a read
 * error. *nlines counts the physical lines the record spans. */
static int find_record(rt_csv *c, const char **rec, size_t *len, bool *oversized, uint64_t *nlines) {
    rt_input *in = &c->in;
    size_t i = 0;
    int st = ST_FIELD_START;
    *oversized = false;
    *nlines = 1;
    for (;;) {
        const char *base = in->data + in->pos;
        size_t avail = in->end - in->pos;
        while (i < avail) {
            char ch = base[i];
            if (ch == '\n') {
                if (st != ST_QUOTED)
                    goto found;
                (*nlines)++;
            } else if (ch == '"') {
                st = st == ST_FIELD_START ? ST_QUOTED
                   : st == ST_QUOTED      ? ST_QUOTE_SEEN
                   : st == ST_QUOTE_SEEN  ? ST_QUOTED
                                          : ST_UNQUOTED;
            } else if (ch == ',') {
                if (st != ST_QUOTED)
                    st = ST_FIELD_START;
            } else if (st == ST_FIELD_START || st == ST_QUOTE_SEEN) {
                st = ST_UNQUOTED;
            }
            i++;
        }
        if (i > c->max_record) {
            *oversized = true;
            rt_input_consume(in, i);
            i = 0;
        }
        in->limit = c->max_record + RT_INPUT_CHUNK;
        int r = rt_input_more(in);
        if (r < 0)
            return -1;
        if (r == 0) {
            avail = in->end - in->pos;
            assert(avail == i);
            if (avail == 0 && !*oversized)
                return 0;
            base = in->data + in->pos;
            i = avail;
            rt_input_consume(in, avail);
            goto done;
        }
        continue;
    found:
        base = in->data + in->pos;
        rt_input_consume(in, i + 1);
    done:
        if (i > c->max_record)
            *oversized = true;
        *rec = *oversized ? NULL : base;
        *len = *oversized ? 0 : i;
        return 1;
    }
}

/* Makes room for n fields; false when out of memory. */
static bool ensure_fields(rt_csv *c, int n) {
    if (n <= c->fields_cap)
        return true;
    int cap = c->fields_cap ? c->fields_cap : 16;
    while (cap < n)
        cap *= 2;
    rt_csv_field *f = realloc(c->fields, (size_t)cap * sizeof *f);
    if (!f)
        return false;
    c->fields = f;
    c->fields_cap = cap;
    return true;
}

/* Splits a whole record into fields (at most cap are stored; all are counted). Quoted
 * fields with doubled quotes are unescaped into scratch, which must hold len bytes.
 * Returns the field count, -1 with c->problem set when the record is malformed, or -2 when
 * out of memory. */
static int split_record(rt_csv *c, const char *r, size_t len, int cap) {
    if (len > 0 && r[len - 1] == '\r')
        len--;
    size_t i = 0, out = 0;
    int n = 0;
    for (;;) {
        rt_csv_field f;
        if (i < len && r[i] == '"') {
            size_t start = ++i;
            bool doubled = false;
            for (;;) {
                const char *q = memchr(r + i, '"', len - i);
                if (!q) {
                    snprintf(c->problem, sizeof c->problem, "unterminated quoted field (column %d)", n + 1);
                    return -1;
                }
                i = (size_t)(q - r);
                if (i + 1 < len && r[i + 1] == '"') {
                    doubled = true;
                    i += 2;
                    continue;
                }
                break;
            }
            size_t end = i++;
            if (i < len && r[i] != ',') {
                snprintf(c->problem, sizeof c->problem, "text after the closing quote (column %d)", n + 1);
                return -1;
            }
            f.quoted = true;
            if (!doubled) {
                f.text = r + start;
                f.len = end - start;
            } else {
                char *o = c->scratch + out;
                size_t k = 0;
                for (size_t j = start; j < end; j++) {
                    o[k++] = r[j];
                    if (r[j] == '"')
                        j++; /* skip the second quote of a pair */
                }
                f.text = o;
                f.len = k;
                out += k;
            }
        } else {
            size_t start = i;
            while (i < len && r[i] != ',') {
                if (r[i] == '"') {
                    snprintf(c->problem, sizeof c->problem, "quote in an unquoted field (column %d)", n + 1);
                    return -1;
                }
                i++;
            }
            f.quoted = false;
            f.text = r + start;
            f.len = i - start;
        }
        if (n < cap) {
            if (!ensure_fields(c, n + 1))
                return -2;
            c->fields[n] = f;
        }
        n++;
        if (n > RT_CSV_MAX_COLUMNS) {
            snprintf(c->problem, sizeof c->problem, "more than %d fields", RT_CSV_MAX_COLUMNS);
            return -1;
        }
        if (i >= len)
            return n;
        assert(r[i] == ',');
        i++;
    }
}

/* Makes scratch at least n bytes (and gives memory back after a huge record); false when
 * out of memory. */
static bool ensure_scratch(rt_csv *c, size_t n) {
    bool shrink = c->scratch_cap > ((size_t)4 << 20) && n < c->scratch_cap / 16; /* after a huge record */
    if (n <= c->scratch_cap && !shrink)
        return true;
    size_t cap = 4096;
    while (cap < n)
        cap *= 2;
    char *s = malloc(cap); /* contents need not survive */
    if (!s)
        return false;
    free(c->scratch);
    c->scratch = s;
    c->scratch_cap = cap;
    return true;
}

/* Reads the next non-blank record and splits it into at most cap stored fields. */
static rt_csv_status next_record(rt_csv *c, int cap, int *nfields) {
    for (;;) {
        const char *rec;
        size_t len;
        bool oversized;
        uint64_t nlines;
        c->raw = "";
        c->raw_len = 0;
        int r = find_record(c, &rec, &len, &oversized, &nlines);
        if (r < 0) {
            snprintf(c->problem, sizeof c->problem, "cannot read '%s': %s", c->name, strerror(c->in.err));
            return RT_CSV_IO_ERROR;
        }
        if (r == 0)
            return RT_CSV_END;
        c->line = c->lines + 1;
        c->lines += nlines;
        if (oversized) {
            snprintf(c->problem, sizeof c->problem, "record longer than %zu bytes", c->max_record);
            return RT_CSV_BAD_ROW;
        }
        if (len == 0 || (len == 1 && rec[0] == '\r')) {
            c->blank++;
            continue;
        }
        c->raw = rec;
        c->raw_len = len;
        int n = ensure_scratch(c, len) ? split_record(c, rec, len, cap) : -2;
        if (n == -2) {
            snprintf(c->problem, sizeof c->problem, "out of memory");
            return RT_CSV_IO_ERROR;
        }
        if (n < 0)
            return RT_CSV_BAD_ROW;
        *nfields = n;
        return RT_CSV_ROW;
    }
}

/* Skips a byte order mark and reads the header; false with err set on failure. */
static bool read_header(rt_csv *c, char *err, size_t errlen) {
    while (c->in.end - c->in.pos < 3) {
        int r = rt_input_more(&c->in);
        if (r <= 0)
            break;
    }
    if (c->in.end - c->in.pos >= 3 && memcmp(c->in.data + c->in.pos, "\xEF\xBB\xBF", 3) == 0)
        rt_input_consume(&c->in, 3);
    int n = 0;
    rt_csv_status st = next_record(c, RT_CSV_MAX_COLUMNS, &n);
    if (st == RT_CSV_END)
        return true;
    if (st != RT_CSV_ROW) {
        snprintf(err, errlen, "%s:%llu: bad CSV header: %s", c->name, (unsigned long long)c->line, c->problem);
        return false;
    }
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += c->fields[i].len;
    c->header = malloc((size_t)n * sizeof *c->header);
    c->header_text = malloc(total + 1);
    if (!c->header || !c->header_text) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        memcpy(c->header_text + off, c->fields[i].text, c->fields[i].len);
        c->header[i] = (rt_csv_field){c->header_text + off, c->fields[i].len, c->fields[i].quoted};
        off += c->fields[i].len;
    }
    c->ncolumns = n;
    return true;
}

/* Common part of the two open functions; takes over an opened input. */
static rt_csv *open_input(rt_input *in, const char *name, size_t max_record, char *err, size_t errlen) {
    rt_csv *c = calloc(1, sizeof *c);
    char *nm = strdup(name);
    if (!c || !nm) {
        snprintf(err, errlen, "out of memory");
        free(c);
        free(nm);
        rt_input_close(in);
        return NULL;
    }
    c->in = *in;
    c->name = nm;
    c->max_record = max_record ? max_record : RT_CSV_MAX_RECORD;
    if (!read_header(c, err, errlen)) {
        rt_csv_close(c);
        return NULL;
    }
    return c;
}

rt_csv *rt_csv_open(const char *path, size_t max_record, char *err, size_t errlen) {
    rt_input in;
    if (!rt_input_open_file(&in, path, err, errlen))
        return NULL;
    return open_input(&in, path, max_record, err, errlen);
}

rt_csv *rt_csv_open_mem(const char *data, size_t n, const char *name, size_t max_record, char *err,
                        size_t errlen) {
    rt_input in;
    rt_input_open_mem(&in, data, n);
    return open_input(&in, name, max_record, err, errlen);
}

int rt_csv_ncolumns(const rt_csv *c) {
    return c->ncolumns;
}

const rt_csv_field *rt_csv_header(const rt_csv *c) {
    return c->header;
}

/* FNV-1a of a header name. */
static uint32_t name_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

int rt_csv_duplicate_column(const rt_csv *c) {
    if (c->ncolumns < 2)
        return -1;
    size_t size = 4;
    while (size < 2 * (size_t)c->ncolumns)
        size *= 2;
    int *table = malloc(size * sizeof *table);
    if (!table)
        return -1;
    for (size_t k = 0; k < size; k++)
        table[k] = -1;
    int dup = -1;
    for (int i = 0; i < c->ncolumns && dup < 0; i++) {
        const rt_csv_field *a = &c->header[i];
        size_t k = name_hash(a->text, a->len) & (size - 1);
        for (; table[k] >= 0; k = (k + 1) & (size - 1)) {
            const rt_csv_field *b = &c->header[table[k]];
            if (a->len == b->len && memcmp(a->text, b->text, a->len) == 0) {
                dup = i;
                break;
            }
        }
        table[k] = i;
    }
    free(table);
    return dup;
}

rt_csv_status rt_csv_next(rt_csv *c, const rt_csv_field **fields, int *nfields) {
    if (c->ncolumns == 0)
        return RT_CSV_END;
    rt_csv_status st = next_record(c, c->ncolumns, nfields);
    *fields = c->fields;
    return st;
}

const char *rt_csv_problem(const rt_csv *c) {
    return c->problem;
}

uint64_t rt_csv_line(const rt_csv *c) {
    return c->line;
}

uint64_t rt_csv_lines_read(const rt_csv *c) {
    return c->lines;
}

uint64_t rt_csv_blank_lines(const rt_csv *c) {
    return c->blank;
}

const char *rt_csv_raw(const rt_csv *c, size_t *len) {
    *len = c->raw_len;
    return c->raw;
}

void rt_csv_set_max_record(rt_csv *c, size_t bytes) {
    c->max_record = bytes ? bytes : RT_CSV_MAX_RECORD;
}

void rt_csv_close(rt_csv *c) {
    if (!c)
        return;
    rt_input_close(&c->in);
    free(c->name);
    free(c->header);
    free(c->header_text);
    free(c->fields);
    free(c->scratch);
    free(c);
}
