/* rt_reader.c - the one event reader: decodes and validates JSON Lines, CSV (or hosted Parquet) events of a source. */
#include "rt_reader.h"

#include "rt_abi.h"
#include "rt_check.h"
#include "rt_csv.h"
#include "rt_input.h"
#include "rt_jsonl.h"
#include "rt_value.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_CAP 512
/* Bytes of the first block of a batch's string copies (kept between batches). */
#define BATCH_BLOCK ((size_t)64 * 1024)

/* Copies of strings that must outlive the next line: blocks, the first one kept. */
typedef struct str_block {
    struct str_block *next;
    size_t used, cap;
    char data[];
} str_block;

struct rt_reader {
    const rt_schema *schema;
    rt_reject_log *log;
    char *file;
    rt_event_format format;
    size_t max_record;
    /* JSON Lines */
    rt_input in;
    rt_jsonl *json;
    /* CSV */
    rt_csv *csv;
    /* Parquet: rows from the installed opener */
    rt_row_source rows;
    int ncols;
    int *col_field; /* per CSV column: the field it fills, or -1 */
    rt_reader_stats stats;
    uint64_t line;
    rt_reader_reject_fn on_reject;
    void *on_reject_ctx;
    char reason[REASON_CAP];
    char error[REASON_CAP];
    str_block *copies; /* rt_reader_next_batch: string copies of the current batch, newest first */
    int *not_null;     /* the fields declared not null, then the string fields (indices) */
    int nnot_null;
    int *strs;
    int nstrs;
    bool failed;       /* a read failed after a batch's first records: reported next call */
    int stamp;         /* rt_reader_stamp: the field set to stamp_us in every event, or -1 */
    int64_t stamp_us;
};

static rt_row_opener row_opener;

void rt_reader_set_row_opener(rt_row_opener open) {
    row_opener = open;
}

bool rt_event_format_from_path(const char *path, rt_event_format *out) {
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return false;
    if (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0) {
        *out = RT_EVENTS_JSONL;
        return true;
    }
    if (strcmp(dot, ".csv") == 0) {
        *out = RT_EVENTS_CSV;
        return true;
    }
    if (strcmp(dot, ".parquet") == 0) {
        *out = RT_EVENTS_PARQUET;
        return true;
    }
    return false;
}

int rt_expect_abi(void *ctx, const rt_slot *record) {
    const rt_expect_fn *fn = ctx;
    return (*fn)(record);
}

/* Checks the schema's invariants (a programming error when broken). */
static void check_schema(const rt_schema *s) {
    assert(s && s->name && s->nfields >= 0 && (s->nfields == 0 || s->fields));
    assert(s->time_field >= -1 && s->time_field < s->nfields);
    assert(s->time_field < 0 || s->fields[s->time_field].type == RT_TIMESTAMP);
    assert(!s->expect || s->nexpects >= 0);
    for (int f = 0; f < s->nfields; f++)
        assert(s->fields[f].name);
    (void)s;
}

/* Maps the CSV header's columns to fields; false with err set when a column repeats or a
 * required one is missing. */
static bool map_columns(rt_reader *r, char *err, size_t errlen) {
    const rt_schema *sc = r->schema;
    if (rt_csv_ncolumns(r->csv) == 0)
        return true; /* an empty file: no events */
    int dup = rt_csv_duplicate_column(r->csv);
    const rt_csv_field *h = rt_csv_header(r->csv);
    if (dup >= 0) {
        char name[128] = "";
        rt_reject_excerpt(name, sizeof name, h[dup].text, h[dup].len, 64, true);
        snprintf(err, errlen, "%s: CSV header repeats column %s (column %d)", r->file, name, dup + 1);
        return false;
    }
    r->ncols = rt_csv_ncolumns(r->csv);
    r->col_field = malloc((size_t)r->ncols * sizeof *r->col_field);
    if (!r->col_field) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (int c = 0; c < r->ncols; c++) {
        r->col_field[c] = -1;
        for (int f = 0; f < sc->nfields; f++)
            if (strlen(sc->fields[f].name) == h[c].len && memcmp(sc->fields[f].name, h[c].text, h[c].len) == 0)
                r->col_field[c] = f;
    }
    for (int f = 0; f < sc->nfields; f++) {
        bool needed = sc->fields[f].not_null || f == sc->time_field;
        bool present = false;
        for (int c = 0; c < r->ncols; c++)
            present |= r->col_field[c] == f;
        if (needed && !present) {
            snprintf(err, errlen, "%s: CSV header has no column '%s' (%s of source '%s')", r->file,
                     sc->fields[f].name, f == sc->time_field ? "the event time" : "a field declared not null",
                     sc->name);
            return false;
        }
    }
    return true;
}

/* Common part of the two open functions: input (JSONL) or csv is already opened. */
static rt_reader *finish_open(rt_reader *r, char *err, size_t errlen) {
    if (r->format != RT_EVENTS_CSV) {
        r->json = rt_jsonl_new(r->schema);
        if (!r->json) {
            snprintf(err, errlen, "out of memory");
            rt_reader_close(r);
            return NULL;
        }
    } else if (!map_columns(r, err, errlen)) {
        rt_reader_close(r);
        return NULL;
    }
    return r;
}

/* A reader with its common fields set; NULL when out of memory. */
static rt_reader *new_reader(const char *name, rt_event_format format, const rt_schema *schema, rt_reject_log *log,
                             char *err, size_t errlen) {
    check_schema(schema);
    rt_reader *r = calloc(1, sizeof *r);
    char *file = strdup(name);
    if (!r || !file) {
        free(r);
        free(file);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->not_null = malloc(sizeof(int) * (size_t)(2 * schema->nfields + 1));
    if (!r->not_null) {
        free(r);
        free(file);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->strs = r->not_null + schema->nfields;
    r->nnot_null = rt_check_not_null(schema, r->not_null);
    for (int f = 0; f < schema->nfields; f++) {
        if (schema->fields[f].type == RT_STRING)
            r->strs[r->nstrs++] = f;
    }
    r->schema = schema;
    r->log = log;
    r->file = file;
    r->format = format;
    r->max_record = RT_READER_MAX_RECORD;
    r->in.fd = -1;
    r->stamp = -1;
    return r;
}

rt_reader *rt_reader_open(const char *path, const rt_schema *schema, rt_reject_log *log, char *err,
                          size_t errlen) {
    rt_event_format format;
    if (!rt_event_format_from_path(path, &format)) {
        snprintf(err, errlen, "%s: unknown events format: the file name must end in .jsonl, .ndjson%s .csv%s",
                 path, row_opener ? "," : " or", row_opener ? " or .parquet" : "");
        return NULL;
    }
    if (format == RT_EVENTS_PARQUET && !row_opener) {
        snprintf(err, errlen, "%s: Parquet events are read by featc (replay, backfill, parity); this program reads "
                 "JSON Lines and CSV", path);
        return NULL;
    }
    rt_reader *r = new_reader(path, format, schema, log, err, errlen);
    if (!r)
        return NULL;
    if (format == RT_EVENTS_PARQUET) {
        if (!row_opener(path, schema, &r->rows, err, errlen)) {
            r->rows = (rt_row_source){0};
            rt_reader_close(r);
            return NULL;
        }
        assert(r->rows.next && r->rows.close);
        return r;
    }
    if (format == RT_EVENTS_JSONL) {
        if (!rt_input_open_file(&r->in, path, err, errlen)) {
            rt_reader_close(r);
            return NULL;
        }
    } else {
        r->csv = rt_csv_open(path, r->max_record, err, errlen);
        if (!r->csv) {
            rt_reader_close(r);
            return NULL;
        }
    }
    return finish_open(r, err, errlen);
}

rt_reader *rt_reader_open_mem(const char *data, size_t n, rt_event_format format, const char *name,
                              const rt_schema *schema, rt_reject_log *log, char *err, size_t errlen) {
    if (format == RT_EVENTS_PARQUET) {
        snprintf(err, errlen, "%s: Parquet is read from files only", name);
        return NULL;
    }
    rt_reader *r = new_reader(name, format, schema, log, err, errlen);
    if (!r)
        return NULL;
    if (format != RT_EVENTS_CSV) {
        rt_input_open_mem(&r->in, data, n);
    } else {
        r->csv = rt_csv_open_mem(data, n, name, r->max_record, err, errlen);
        if (!r->csv) {
            rt_reader_close(r);
            return NULL;
        }
    }
    return finish_open(r, err, errlen);
}

/* Counts, logs and reports one rejected event at r->line. */
static void reject(rt_reader *r, const char *reason) {
    r->stats.rejected++;
    rt_reject(r->log, r->schema->name, r->file, r->line, reason);
    if (r->on_reject)
        r->on_reject(r->on_reject_ctx, r->line, reason);
}

/* The checks after decoding (rt_check_record), after the stamped field (if any) takes its
 * value. Writes the reason and returns false on the first failure. */
static bool validate(rt_reader *r, rt_slot *rec) {
    if (r->stamp >= 0)
        rec[r->stamp] = (rt_slot){.v.i = r->stamp_us};
    return rt_check_record(r->schema, r->not_null, r->nnot_null, rec, r->reason, sizeof r->reason);
}

/* The next physical line of a JSON Lines input (without its LF), consumed. Returns 1 with
 * *line and *len (*line NULL when the line was longer than max and skipped), 0 at the end, -1
 * on a read error. */
static int next_line(rt_reader *r, const char **line, size_t *len) {
    rt_input *in = &r->in;
    size_t scanned = 0;
    bool oversized = false;
    for (;;) {
        const char *base = in->data + in->pos;
        size_t avail = in->end - in->pos;
        const char *nl = memchr(base + scanned, '\n', avail - scanned);
        size_t n;
        if (nl) {
            n = (size_t)(nl - base);
            rt_input_consume(in, n + 1);
        } else {
            scanned = avail;
            if (scanned > r->max_record) {
                oversized = true;
                rt_input_consume(in, scanned);
                scanned = 0;
            }
            in->limit = r->max_record + RT_INPUT_CHUNK;
            int m = rt_input_more(in);
            if (m < 0)
                return -1;
            if (m > 0)
                continue;
            n = in->end - in->pos; /* a last line without LF */
            base = in->data + in->pos;
            if (n == 0 && !oversized)
                return 0;
            rt_input_consume(in, n);
        }
        if (n > r->max_record)
            oversized = true;
        *line = oversized ? NULL : base;
        *len = oversized ? 0 : n;
        return 1;
    }
}

/* A JSON document: the whole (memory) input as one line, once; its line breaks count. */
static int whole_input(rt_reader *r, const char **line, size_t *len) {
    rt_input *in = &r->in;
    assert(in->fd < 0);
    size_t n = in->end - in->pos;
    if (n == 0)
        return 0;
    *line = n > r->max_record ? NULL : in->data + in->pos;
    *len = n > r->max_record ? 0 : n;
    rt_input_consume(in, n);
    return 1;
}

static int next_jsonl(rt_reader *r, rt_slot *record) {
    for (;;) {
        const char *line;
        size_t n;
        int m = r->format == RT_EVENTS_JSON ? whole_input(r, &line, &n) : next_line(r, &line, &n);
        if (m < 0) {
            snprintf(r->error, sizeof r->error, "cannot read '%s': %s", r->file, strerror(r->in.err));
            return -1;
        }
        if (m == 0)
            return 0;
        r->line = ++r->stats.lines;
        if (!line) {
            snprintf(r->reason, sizeof r->reason, "%s longer than %zu bytes",
                     r->format == RT_EVENTS_JSON ? "document" : "line", r->max_record);
            reject(r, r->reason);
            continue;
        }
        if (r->line == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3; /* a byte order mark */
            n -= 3;
        }
        switch (rt_jsonl_decode(r->json, line, n, record, r->reason, sizeof r->reason)) {
        case RT_JSONL_BLANK:
            r->stats.blank++;
            continue;
        case RT_JSONL_REJECT:
            reject(r, r->reason);
            continue;
        case RT_JSONL_OK:
            break;
        }
        if (!validate(r, record)) {
            reject(r, r->reason);
            continue;
        }
        r->stats.accepted++;
        return 1;
    }
}

/* Converts the fields of one well-formed CSV row; false with r->reason set on a problem. */
static bool convert_row(rt_reader *r, const rt_csv_field *fields, int nfields, rt_slot *record) {
    const rt_schema *sc = r->schema;
    if (nfields != r->ncols) {
        snprintf(r->reason, sizeof r->reason, "row has %d field%s, header has %d", nfields, nfields == 1 ? "" : "s",
                 r->ncols);
        return false;
    }
    for (int f = 0; f < sc->nfields; f++)
        record[f] = (rt_slot){.null = 1};
    for (int c = 0; c < r->ncols; c++) {
        int f = r->col_field[c];
        if (f < 0 || f == r->stamp)
            continue;
        const rt_csv_field *x = &fields[c];
        const char *why;
        if (!rt_value_from_text(sc->fields[f].type, x->text, x->len, !x->quoted && x->len == 0, &record[f], &why)) {
            snprintf(r->reason, sizeof r->reason, "field '%s': %s, got ", sc->fields[f].name, why);
            rt_reject_excerpt(r->reason, sizeof r->reason, x->text, x->len, 64, true);
            return false;
        }
    }
    return true;
}

static int next_csv(rt_reader *r, rt_slot *record) {
    for (;;) {
        const rt_csv_field *fields;
        int nfields;
        rt_csv_status st = rt_csv_next(r->csv, &fields, &nfields);
        r->stats.lines = rt_csv_lines_read(r->csv);
        r->stats.blank = rt_csv_blank_lines(r->csv);
        r->line = rt_csv_line(r->csv);
        switch (st) {
        case RT_CSV_END:
            return 0;
        case RT_CSV_IO_ERROR:
            snprintf(r->error, sizeof r->error, "%s", rt_csv_problem(r->csv));
            return -1;
        case RT_CSV_BAD_ROW:
            reject(r, rt_csv_problem(r->csv));
            continue;
        case RT_CSV_ROW:
            break;
        }
        if (!convert_row(r, fields, nfields, record) || !validate(r, record)) {
            reject(r, r->reason);
            continue;
        }
        r->stats.accepted++;
        return 1;
    }
}

/* The next row of a row source (Parquet) that passes the checks after decoding. */
static int next_row(rt_reader *r, rt_slot *record) {
    for (;;) {
        uint64_t row = 0;
        int m = r->rows.next(r->rows.ctx, record, &row, r->reason, sizeof r->reason);
        if (m == 0)
            return 0;
        if (m < 0) {
            snprintf(r->error, sizeof r->error, "%s", r->reason);
            return -1;
        }
        assert(m == 1 || m == 2);
        r->line = row;
        r->stats.lines++;
        if (m == 2 || !validate(r, record)) {
            reject(r, r->reason);
            continue;
        }
        r->stats.accepted++;
        return 1;
    }
}

int rt_reader_next(rt_reader *r, rt_slot *record) {
    if (r->format == RT_EVENTS_PARQUET)
        return next_row(r, record);
    return r->format == RT_EVENTS_CSV ? next_csv(r, record) : next_jsonl(r, record);
}

uint64_t rt_reader_line(const rt_reader *r) {
    return r->line;
}

const rt_reader_stats *rt_reader_stats_of(const rt_reader *r) {
    return &r->stats;
}

const char *rt_reader_error(const rt_reader *r) {
    return r->error;
}

void rt_reader_on_reject(rt_reader *r, rt_reader_reject_fn fn, void *ctx) {
    r->on_reject = fn;
    r->on_reject_ctx = ctx;
}

void rt_reader_set_log(rt_reader *r, rt_reject_log *log) {
    r->log = log;
}

void rt_reader_stamp(rt_reader *r, int field, int64_t us) {
    assert(field >= -1 && field < r->schema->nfields);
    assert(field < 0 || r->schema->fields[field].type == RT_TIMESTAMP);
    r->stamp = field;
    r->stamp_us = us;
    if (r->json)
        rt_jsonl_skip_field(r->json, field);
}

void rt_reader_set_max_record(rt_reader *r, size_t bytes) {
    assert(bytes > 0);
    r->max_record = bytes;
    if (r->csv)
        rt_csv_set_max_record(r->csv, bytes);
}

/* Drops every copy block but the first one (when of the usual size), which is emptied. */
static void copies_reset(rt_reader *r) {
    str_block *b = r->copies;
    while (b && (b->next || b->cap > BATCH_BLOCK)) {
        r->copies = b->next;
        free(b);
        b = r->copies;
    }
    if (b)
        b->used = 0;
}

/* A stable copy of n bytes at s; NULL when out of memory. */
static const char *copy_str(rt_reader *r, const char *s, size_t n) {
    str_block *b = r->copies;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > BATCH_BLOCK ? n : BATCH_BLOCK;
        str_block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->cap = cap;
        /* the kept first block stays last in the list */
        nb->next = b;
        r->copies = nb;
        b = nb;
    }
    char *d = b->data + b->used;
    memcpy(d, s, n);
    b->used += n;
    return d;
}

int rt_reader_next_batch(rt_reader *r, rt_slot *records, int max, uint64_t *lines) {
    assert(max > 0);
    if (r->failed)
        return -1;
    copies_reset(r);
    const rt_schema *sc = r->schema;
    /* strings pointing into a memory input never move */
    const char *stable =
        r->format != RT_EVENTS_CSV && r->format != RT_EVENTS_PARQUET && r->in.fd < 0 ? r->in.data : NULL;
    const char *stable_end = stable ? stable + r->in.end : NULL;
    int n = 0;
    while (n < max) {
        rt_slot *rec = records + (size_t)n * (size_t)sc->nfields;
        int m = rt_reader_next(r, rec);
        if (m < 0) {
            if (n == 0)
                return -1;
            r->failed = true;
            break;
        }
        if (m == 0)
            break;
        for (int i = 0; i < r->nstrs; i++) {
            rt_slot *v = &rec[r->strs[i]];
            if (v->null || v->len == 0 ||
                (stable && v->v.s >= stable && v->v.s + v->len <= stable_end))
                continue;
            const char *c = copy_str(r, v->v.s, v->len);
            if (!c) {
                snprintf(r->error, sizeof r->error, "out of memory");
                if (n == 0)
                    return -1;
                r->failed = true;
                return n;
            }
            v->v.s = c;
        }
        if (lines)
            lines[n] = r->line;
        n++;
    }
    return n;
}

void rt_reader_close(rt_reader *r) {
    if (!r)
        return;
    while (r->copies) {
        str_block *b = r->copies->next;
        free(r->copies);
        r->copies = b;
    }
    if (r->rows.close)
        r->rows.close(r->rows.ctx);
    rt_input_close(&r->in);
    rt_jsonl_free(r->json);
    rt_csv_close(r->csv);
    free(r->col_field);
    free(r->file);
    free(r->not_null);
    free(r);
}
