/* parity.c - compares the result files of the two paths cell by cell and prints the report. */
#include "parity.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { PARITY_MAX_UNMATCHED = 50, PARITY_KEEP_ROWS = 10 };

bool parity_floats_close(double a, double b)
{
    if (a == b)
        return true;
    double d = fabs(a - b);
    if (!isfinite(d))
        return false; /* NaN or an infinity involved, unequal */
    return d <= 1e-12 || d <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* Reads a float cell: only digits, sign, '.', 'e'/'E'; the whole text; finite. */
static bool read_float(const parity_cell *c, double *out)
{
    if (c->len == 0 || c->len > 64)
        return false;
    for (size_t i = 0; i < c->len; i++)
        if (!isdigit((unsigned char)c->s[i]) && !strchr("+-.eE", c->s[i]))
            return false;
    char *end;
    errno = 0;
    double v = strtod(c->s, &end);
    if (end != c->s + c->len || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool bytes_equal(const parity_cell *a, const parity_cell *b)
{
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

bool parity_cells_agree(ftype t, const parity_cell *a, const parity_cell *b)
{
    bool na = parity_cell_null(a), nb = parity_cell_null(b);
    if (na || nb)
        return na && nb;
    if (t == FT_FLOAT) {
        if (bytes_equal(a, b))
            return true;
        double x, y;
        return read_float(a, &x) && read_float(b, &y) && parity_floats_close(x, y);
    }
    return bytes_equal(a, b);
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* YYYY-MM-DDTHH:MM:SS.ffffffZ, the year 4 digits, or signed and at least 4 digits. */
static bool timestamp_form(const char *s, size_t n)
{
    size_t y = 0;
    if (n > 0 && (s[0] == '+' || s[0] == '-'))
        y = 1;
    size_t dash = y;
    while (dash < n && isdigit((unsigned char)s[dash]))
        dash++;
    if (dash - y < 4 || n - dash != 23)
        return false;
    const char *r = s + dash; /* -MM-DDTHH:MM:SS.ffffffZ */
    static const char shape[] = "-00-00T00:00:00.000000Z";
    for (size_t i = 0; i < 23; i++) {
        if (shape[i] == '0' ? !isdigit((unsigned char)r[i]) : r[i] != shape[i])
            return false;
    }
    return true;
}

bool parity_cell_well_formed(ftype t, const parity_cell *c)
{
    if (parity_cell_null(c))
        return true;
    const char *s = c->s;
    size_t n = c->len;
    switch (t) {
    case FT_BOOL:
        return (n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0);
    case FT_INT: {
        size_t neg = n > 0 && s[0] == '-';
        if (!all_digits(s + neg, n - neg) || (s[neg] == '0' && n - neg > 1) || (neg && n == 2 && s[1] == '0'))
            return false;
        errno = 0;
        char *end;
        (void)strtoll(s, &end, 10);
        return errno == 0 && end == s + n;
    }
    case FT_FLOAT: {
        double v;
        return read_float(c, &v);
    }
    case FT_TIMESTAMP:
        return timestamp_form(s, n);
    default:
        return true;
    }
}

void parity_spec_from_plan(arena *mem, const plan *p, const plan_service *s, parity_spec *spec)
{
    (void)p;
    spec->noutputs = s->noutputs;
    spec->columns = arena_alloc(mem, (size_t)(s->noutputs + 1) * sizeof *spec->columns);
    spec->types = arena_alloc(mem, (size_t)(s->noutputs + 1) * sizeof *spec->types);
    for (int i = 0; i < s->noutputs; i++) {
        spec->columns[i] = s->outputs[i].column;
        spec->types[i] = s->outputs[i].type;
    }
    spec->nids = s->nkeys + 1;
    spec->ids = arena_alloc(mem, (size_t)spec->nids * sizeof *spec->ids);
    for (int i = 0; i < s->nkeys; i++)
        spec->ids[i] = s->keys[i].name;
    spec->ids[s->nkeys] = "ts";
}

static bool cell_is(const parity_cell *c, const char *name)
{
    return strlen(name) == c->len && memcmp(c->s, name, c->len) == 0;
}

/* Maps the expected columns (spine's, then outputs) to columns of res: identity when the
 * header is exactly right, else by name (-1 when absent). Sets the header verdict. */
static int *map_columns(arena *mem, const parity_spec *spec, const parity_table *spine, const parity_table *res,
                        bool *ok, const char **problem)
{
    int want = spine->ncols + spec->noutputs;
    int *map = arena_alloc(mem, (size_t)(want + 1) * sizeof *map);
    *ok = res->ncols == want;
    *problem = NULL;
    for (int i = 0; i < want && *ok; i++) {
        bool same = i < spine->ncols ? bytes_equal(&res->header[i], &spine->header[i])
                                     : cell_is(&res->header[i], spec->columns[i - spine->ncols]);
        if (!same) {
            *ok = false;
            *problem = arena_printf(mem, "column %d is '%s', expected '%s'", i + 1, res->header[i].s,
                                    i < spine->ncols ? spine->header[i].s : spec->columns[i - spine->ncols]);
        }
    }
    if (*ok) {
        for (int i = 0; i < want; i++)
            map[i] = i;
        return map;
    }
    if (!*problem)
        *problem = arena_printf(mem, "%d columns, expected %d (the spine's %d, then %d outputs)", res->ncols, want,
                                spine->ncols, spec->noutputs);
    for (int i = 0; i < want; i++) {
        map[i] = i < spine->ncols ? parity_table_column(res, spine->header[i].s)
                                  : parity_table_column(res, spec->columns[i - spine->ncols]);
    }
    return map;
}

/* Whether result row rr carries spine row sr's values in its spine columns. */
static bool same_spine_row(const parity_table *spine, const parity_row *sr, const parity_row *rr, const int *map)
{
    for (int c = 0; c < spine->ncols; c++) {
        if (map[c] < 0)
            continue;
        if (!bytes_equal(&sr->cells[c], &rr->cells[map[c]]))
            return false;
    }
    return true;
}

/* For each spine row, the result row that answers it, or -1. Result rows are matched in
 * order to the next spine row with equal spine values; *unmatched counts those that match
 * none (after PARITY_MAX_UNMATCHED of them the rest are counted without searching). */
static int *align(arena *mem, const parity_table *spine, const parity_table *res, const int *map, uint64_t *unmatched)
{
    int *at = arena_alloc(mem, (size_t)(spine->nrows + 1) * sizeof *at);
    for (int i = 0; i < spine->nrows; i++)
        at[i] = -1;
    *unmatched = 0;
    int cursor = 0;
    for (int k = 0; k < res->nrows; k++) {
        int found = -1;
        if (*unmatched < PARITY_MAX_UNMATCHED) {
            for (int j = cursor; j < spine->nrows; j++)
                if (same_spine_row(spine, &spine->rows[j], &res->rows[k], map)) {
                    found = j;
                    break;
                }
        }
        if (found < 0) {
            (*unmatched)++;
            continue;
        }
        at[found] = k;
        cursor = found + 1;
    }
    return at;
}

void parity_compare(arena *mem, const parity_spec *spec, const parity_table *spine, const parity_table *res[2],
                    int max_examples, parity_result *out)
{
    memset(out, 0, sizeof *out);
    int *map[2], *at[2];
    for (int r = 0; r < 2; r++) {
        map[r] = map_columns(mem, spec, spine, res[r], &out->header_ok[r], &out->header_problem[r]);
        at[r] = align(mem, spine, res[r], map[r], &out->unmatched[r]);
        out->missing[r] = arena_alloc(mem, PARITY_KEEP_ROWS * sizeof *out->missing[r]);
    }
    out->features = arena_alloc(mem, (size_t)(spec->noutputs + 1) * sizeof *out->features);
    out->examples = arena_alloc(mem, (size_t)(max_examples + 1) * sizeof *out->examples);
    for (int j = 0; j < spine->nrows; j++) {
        for (int r = 0; r < 2; r++) {
            if (at[r][j] >= 0)
                out->rows_answered[r]++;
            else if (at[1 - r][j] >= 0) {
                if (out->nmissing[r] < PARITY_KEEP_ROWS)
                    out->missing[r][out->nmissing[r]] = j;
                out->nmissing[r]++;
            }
        }
        if (at[0][j] < 0 || at[1][j] < 0)
            continue;
        out->rows_both++;
        const parity_row *row[2] = {&res[0]->rows[at[0][j]], &res[1]->rows[at[1][j]]};
        for (int f = 0; f < spec->noutputs; f++) {
            int c0 = map[0][spine->ncols + f], c1 = map[1][spine->ncols + f];
            if (c0 < 0 || c1 < 0)
                continue;
            parity_feature_stats *st = &out->features[f];
            const parity_cell *v[2] = {&row[0]->cells[c0], &row[1]->cells[c1]};
            for (int r = 0; r < 2; r++)
                if (!parity_cell_well_formed(spec->types[f], v[r]))
                    st->malformed[r]++;
            st->compared++;
            if (parity_cells_agree(spec->types[f], v[0], v[1]))
                continue;
            st->mismatches++;
            out->mismatches++;
            if (out->nexamples < max_examples)
                out->examples[out->nexamples++] = (parity_example){f, j, {v[0], v[1]}};
        }
    }
}

bool parity_result_ok(const parity_result *r, const parity_spec *spec)
{
    if (!r->header_ok[0] || !r->header_ok[1] || r->unmatched[0] || r->unmatched[1] || r->nmissing[0] ||
        r->nmissing[1] || r->mismatches)
        return false;
    for (int f = 0; f < spec->noutputs; f++)
        if (r->features[f].malformed[0] || r->features[f].malformed[1])
            return false;
    return true;
}

static const char *const PATH_NAME[2] = {"replay", "backfill"};

/* Prints a cell for a person: null, a string in double quotes with escapes, else as is. */
static void print_cell(const parity_cell *c, ftype t, FILE *out)
{
    if (parity_cell_null(c)) {
        fputs("null", out);
        return;
    }
    bool quote = t == FT_STRING;
    if (quote)
        fputc('"', out);
    for (size_t i = 0; i < c->len && i < 200; i++) {
        unsigned char ch = (unsigned char)c->s[i];
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\x%02x", ch);
        else
            fputc(ch, out);
    }
    if (c->len > 200)
        fputs("...", out);
    if (quote)
        fputc('"', out);
}

/* "key=value ts=value" for a spine row, from the spec's identifying columns. */
static void print_row_id(const parity_spec *spec, const parity_table *spine, int j, FILE *out)
{
    const parity_row *row = &spine->rows[j];
    fprintf(out, "spine line %" PRIu64, row->line);
    for (int i = 0; i < spec->nids; i++) {
        int c = parity_table_column(spine, spec->ids[i]);
        if (c < 0)
            continue;
        fprintf(out, " %s=", spec->ids[i]);
        print_cell(&row->cells[c], FT_TIMESTAMP, out); /* unquoted */
    }
}

void parity_print_result(const parity_result *r, const parity_spec *spec, const parity_table *spine, FILE *out)
{
    for (int p = 0; p < 2; p++)
        if (!r->header_ok[p])
            fprintf(out, "%s result header is wrong: %s\n", PATH_NAME[p], r->header_problem[p]);
    fprintf(out, "rows: %d in the spine; replay answered %" PRIu64 ", backfill answered %" PRIu64 "; compared %" PRIu64
                 "\n",
            spine->nrows, r->rows_answered[0], r->rows_answered[1], r->rows_both);
    for (int p = 0; p < 2; p++) {
        if (r->unmatched[p])
            fprintf(out, "%s wrote %" PRIu64 " row%s that match no spine row in order\n", PATH_NAME[p],
                    r->unmatched[p], r->unmatched[p] == 1 ? "" : "s");
        if (r->nmissing[p]) {
            fprintf(out, "%s left out %d spine row%s that %s answered:", PATH_NAME[p], r->nmissing[p],
                    r->nmissing[p] == 1 ? "" : "s", PATH_NAME[1 - p]);
            for (int i = 0; i < r->nmissing[p] && i < PARITY_KEEP_ROWS; i++)
                fprintf(out, " line %" PRIu64, spine->rows[r->missing[p][i]].line);
            fputs(r->nmissing[p] > PARITY_KEEP_ROWS ? " ...\n" : "\n", out);
        }
    }
    int w = 7;
    for (int f = 0; f < spec->noutputs; f++)
        if ((int)strlen(spec->columns[f]) > w)
            w = (int)strlen(spec->columns[f]);
    fprintf(out, "\n%-*s  %-9s  %8s  %10s\n", w, "feature", "type", "compared", "mismatches");
    for (int f = 0; f < spec->noutputs; f++) {
        const parity_feature_stats *st = &r->features[f];
        fprintf(out, "%-*s  %-9s  %8" PRIu64 "  %10" PRIu64, w, spec->columns[f], ftype_name(spec->types[f]),
                st->compared, st->mismatches);
        for (int p = 0; p < 2; p++)
            if (st->malformed[p])
                fprintf(out, "  (%s: %" PRIu64 " malformed %s value%s)", PATH_NAME[p], st->malformed[p],
                        ftype_name(spec->types[f]), st->malformed[p] == 1 ? "" : "s");
        if (st->mismatches && spec->types[f] == FT_FLOAT)
            fputs("  (beyond 1e-9 relative and 1e-12 absolute)", out);
        fputc('\n', out);
    }
    if (r->nexamples == 0)
        return;
    fprintf(out, "\nfirst mismatches (%d of %" PRIu64 "):\n", r->nexamples, r->mismatches);
    for (int i = 0; i < r->nexamples; i++) {
        const parity_example *e = &r->examples[i];
        fprintf(out, "  %s at ", spec->columns[e->feature]);
        print_row_id(spec, spine, e->spine_row, out);
        fputc('\n', out);
        for (int p = 0; p < 2; p++) {
            fprintf(out, "      %-9s ", PATH_NAME[p]);
            print_cell(e->value[p], spec->types[e->feature], out);
            fputc('\n', out);
        }
    }
}
