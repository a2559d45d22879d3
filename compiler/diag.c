/* diag.c - collects errors with source spans and prints them with the line and a caret. */
#include "diag.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { DIAG_DEFAULT_LIMIT = 200, DIAG_LINE_WINDOW = 120 };

void diag_init(diag_ctx *d, arena *mem, const char *file_name, const char *src, size_t src_len)
{
    memset(d, 0, sizeof *d);
    d->mem = mem;
    d->file_name = file_name;
    d->src = src;
    d->src_len = src_len;
    d->limit = DIAG_DEFAULT_LIMIT;
}

static void diag_add(diag_ctx *d, src_span span, const char *hint, const char *fmt, va_list ap)
{
    if (d->limit && d->items.len >= d->limit)
        return;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    diag_item *it = arena_alloc(d->mem, sizeof *it);
    if (span.begin > d->src_len)
        span.begin = d->src_len;
    if (span.end < span.begin)
        span.end = span.begin;
    if (span.end > d->src_len)
        span.end = d->src_len;
    it->span = span;
    it->message = arena_strdup(d->mem, buf);
    it->hint = hint ? arena_strdup(d->mem, hint) : NULL;
    it->order = d->items.len;
    ptrvec_push(d->mem, &d->items, it);
}

void diag_error(diag_ctx *d, src_span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(d, span, NULL, fmt, ap);
    va_end(ap);
}

void diag_error_hint(diag_ctx *d, src_span span, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(d, span, hint, fmt, ap);
    va_end(ap);
}

int diag_count(const diag_ctx *d) { return d->items.len; }

/* True when byte c starts a code point (is not a UTF-8 continuation byte). */
static int starts_code_point(unsigned char c) { return (c & 0xC0) != 0x80; }

void diag_line_col(const diag_ctx *d, size_t offset, int *line, int *col)
{
    assert(offset <= d->src_len);
    int l = 1, c = 1;
    size_t start = 0;
    if (d->src_len >= 3 && memcmp(d->src, "\xEF\xBB\xBF", 3) == 0 && offset >= 3)
        start = 3; /* a byte-order mark is not a column */
    for (size_t i = start; i < offset; i++) {
        unsigned char ch = (unsigned char)d->src[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if (starts_code_point(ch)) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int diag_cmp(const void *a, const void *b)
{
    const diag_item *x = *(const diag_item *const *)a, *y = *(const diag_item *const *)b;
    if (x->span.begin != y->span.begin)
        return x->span.begin < y->span.begin ? -1 : 1;
    return x->order - y->order;
}

/* Bytes of the displayed character at s[i] (one terminal column): a valid UTF-8 sequence,
 * else a single byte. */
static size_t display_char_len(const char *s, size_t i, size_t end)
{
    unsigned char c = (unsigned char)s[i];
    size_t n = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
    if (n == 1 || i + n > end)
        return 1;
    for (size_t k = 1; k < n; k++)
        if (((unsigned char)s[i + k] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* Prints the displayed character at s[i]: printable ASCII and valid UTF-8 as is, a tab as a
 * space, anything else as '?'. Returns the bytes consumed. */
static size_t print_display_char(const char *s, size_t i, size_t end, FILE *out)
{
    size_t n = display_char_len(s, i, end);
    unsigned char c = (unsigned char)s[i];
    if (n > 1)
        fwrite(s + i, 1, n, out);
    else if (c >= 0x20 && c < 0x7F)
        fputc(c, out);
    else if (c == '\t')
        fputc(' ', out);
    else
        fputc('?', out);
    return n;
}

/* Number of displayed characters in s[from, to). */
static size_t display_width(const char *s, size_t from, size_t to)
{
    size_t w = 0;
    for (size_t i = from; i < to; i += display_char_len(s, i, to))
        w++;
    return w;
}

/* Advances from i over up to n displayed characters, not past limit. */
static size_t display_advance(const char *s, size_t i, size_t limit, size_t n)
{
    while (n-- > 0 && i < limit)
        i += display_char_len(s, i, limit);
    return i;
}

/* Prints the source line holding span.begin (a window of it when it is long) and a caret
 * line under the span, clipped to that line. */
static void print_excerpt(const diag_ctx *d, src_span span, FILE *out)
{
    const char *s = d->src;
    size_t ls = span.begin, le = span.begin;
    while (ls > 0 && s[ls - 1] != '\n')
        ls--;
    while (le < d->src_len && s[le] != '\n')
        le++;
    if (le > ls && s[le - 1] == '\r')
        le--;
    size_t begin = span.begin < le ? span.begin : le;
    size_t end = span.end < le ? span.end : le;
    size_t before = display_width(s, ls, begin);
    size_t ws = ls;
    if (before > DIAG_LINE_WINDOW / 2)
        ws = display_advance(s, ls, begin, before - DIAG_LINE_WINDOW / 2);
    size_t we = display_advance(s, ws, le, DIAG_LINE_WINDOW);
    fputs("    ", out);
    if (ws > ls)
        fputs("...", out);
    for (size_t i = ws; i < we;)
        i += print_display_char(s, i, we, out);
    if (we < le)
        fputs("...", out);
    fputs("\n    ", out);
    if (ws > ls)
        fputs("   ", out);
    for (size_t k = display_width(s, ws, begin); k > 0; k--)
        fputc(' ', out);
    fputc('^', out);
    size_t width = end > begin && begin < we ? display_width(s, begin, end < we ? end : we) : 1;
    for (size_t k = 1; k < width; k++)
        fputc('~', out);
    fputc('\n', out);
}

void diag_print(diag_ctx *d, FILE *out)
{
    if (d->items.len > 1)
        qsort(d->items.items, (size_t)d->items.len, sizeof(void *), diag_cmp);
    for (int i = 0; i < d->items.len; i++) {
        const diag_item *it = d->items.items[i];
        int line, col;
        diag_line_col(d, it->span.begin, &line, &col);
        fprintf(out, "%s:%d:%d: error: %s\n", d->file_name, line, col, it->message);
        print_excerpt(d, it->span, out);
        if (it->hint)
            fprintf(out, "    hint: %s\n", it->hint);
    }
    if (d->limit && d->items.len >= d->limit)
        fprintf(out, "%s: too many errors; stopped after %d\n", d->file_name, d->limit);
}

bool diag_format_parse(const char *name, diag_format *out)
{
    static const char *const names[] = {"text", "json", "github"};
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (diag_format)i;
            return true;
        }
    return false;
}

/* Writes s as a JSON string: quotes, backslashes and control bytes escaped (messages are
 * UTF-8 already: the excerpts in them are made printable). */
static void put_json_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Writes s escaped for a GitHub workflow command: '%', CR and LF always; ':' and ',' too
 * in a property value. */
static void put_github(const char *s, bool property, FILE *out)
{
    for (const char *p = s; *p; p++) {
        if (*p == '%')
            fputs("%25", out);
        else if (*p == '\r')
            fputs("%0D", out);
        else if (*p == '\n')
            fputs("%0A", out);
        else if (property && *p == ':')
            fputs("%3A", out);
        else if (property && *p == ',')
            fputs("%2C", out);
        else
            fputc(*p, out);
    }
}

void diag_print_as(diag_ctx *d, diag_format f, FILE *out)
{
    if (f == DIAG_TEXT) {
        diag_print(d, out);
        return;
    }
    if (d->items.len > 1)
        qsort(d->items.items, (size_t)d->items.len, sizeof(void *), diag_cmp);
    if (f == DIAG_JSON)
        fputs("{\"diagnostics\": [", out);
    for (int i = 0; i < d->items.len; i++) {
        const diag_item *it = d->items.items[i];
        int line, col, end_line, end_col;
        diag_line_col(d, it->span.begin, &line, &col);
        diag_line_col(d, it->span.end > it->span.begin ? it->span.end : it->span.begin, &end_line, &end_col);
        if (f == DIAG_JSON) {
            fputs(i ? ",\n  {\"file\": " : "\n  {\"file\": ", out);
            put_json_string(d->file_name, out);
            fprintf(out, ", \"line\": %d, \"column\": %d, \"end_line\": %d, \"end_column\": %d, ", line, col,
                    end_line, end_col);
            fputs("\"severity\": \"error\", \"message\": ", out);
            put_json_string(it->message, out);
            fputs(", \"hint\": ", out);
            if (it->hint)
                put_json_string(it->hint, out);
            else
                fputs("null", out);
            fputc('}', out);
        } else {
            fputs("::error file=", out);
            put_github(d->file_name, true, out);
            fprintf(out, ",line=%d,col=%d,endLine=%d,endColumn=%d::", line, col, end_line, end_col);
            put_github(it->message, false, out);
            if (it->hint) {
                fputs("%0Ahint: ", out);
                put_github(it->hint, false, out);
            }
            fputc('\n', out);
        }
    }
    if (f == DIAG_JSON)
        fprintf(out, "%s], \"truncated\": %s}\n", d->items.len ? "\n" : "",
                d->limit && d->items.len >= d->limit ? "true" : "false");
}

/* Levenshtein distance, capped: returns cap+1 once the distance must exceed cap. */
static int edit_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return cap + 1;
    int prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            cur[j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (row_min > cap)
            return cap + 1;
        memcpy(prev, cur, sizeof(int) * (lb + 1));
    }
    return prev[lb];
}

const char *diag_suggest(const char *name, const char *const *candidates, int n)
{
    size_t len = strlen(name);
    int cap = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    const char *best = NULL;
    int best_d = cap + 1;
    for (int i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        int dist = edit_distance(name, candidates[i], cap);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    return best;
}
