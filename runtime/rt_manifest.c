/* rt_manifest.c - parses and checks manifest text into an rt_program (format: docs/runtime.md). */
#include "rt_manifest.h"

#include "rt_utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory: every piece of a program lives in one pool, freed at once ---- */

struct rt_pool {
    rt_pool *next;
    _Alignas(16) unsigned char data[];
};

/* Returns zeroed memory owned by p's pool, or NULL when memory runs out. */
static void *pool_alloc(rt_program *p, size_t size)
{
    rt_pool *b = calloc(1, sizeof(rt_pool) + (size ? size : 1));
    if (!b)
        return NULL;
    b->next = p->pool;
    p->pool = b;
    return b->data;
}

/* ---- names shared with compiler/manifest.c ---- */

static const char *const type_names[] = {[RT_BOOL] = "bool", [RT_INT] = "int", [RT_FLOAT] = "float",
                                         [RT_STRING] = "string", [RT_TIMESTAMP] = "timestamp"};


static const char *const window_names[] = {"lifetime", "sliding", "hop"};
static const char *const source_kinds[] = {"stream", "table", "request"};

const char *rt_prog_type_name(rt_type t)
{
    return t >= RT_BOOL && t <= RT_TIMESTAMP ? type_names[t] : NULL;
}

const char *rt_prog_agg_name(rt_prog_agg a)
{
    return (unsigned)a < RT_AGG_COUNT_ ? rt_agg_info_of(a)->word : NULL;
}

/* ---- lines and tokens ---- */

typedef struct mtok {
    const char *s; /* bare text (not NUL-terminated) or, quoted, the decoded bytes in the pool */
    size_t n;
    bool quoted;
} mtok;

typedef struct mparse {
    rt_program *p;
    const char *text;
    size_t len;
    size_t pos;
    int line;
    mtok *toks;
    int ntoks;
    int cap;
    char *err;
    size_t errlen;
    bool failed;
} mparse;

static bool fail(mparse *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the first error as "manifest line N: MESSAGE". Returns false for chaining. */
static bool fail(mparse *m, const char *fmt, ...)
{
    if (m->failed)
        return false;
    m->failed = true;
    if (!m->err || !m->errlen)
        return false;
    int n = snprintf(m->err, m->errlen, "manifest line %d: ", m->line);
    if (n >= 0 && (size_t)n < m->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m->err + n, m->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool push_tok(mparse *m, mtok t)
{
    if (m->ntoks == m->cap) {
        int cap = m->cap ? m->cap * 2 : 16;
        mtok *nt = realloc(m->toks, (size_t)cap * sizeof *nt);
        if (!nt)
            return fail(m, "out of memory");
        m->toks = nt;
        m->cap = cap;
    }
    m->toks[m->ntoks++] = t;
    return true;
}

/* Splits line [s, e) into tokens: bare words separated by spaces, or "quoted" strings with
 * \\, \" and \xHH escapes. */
static bool tokenize(mparse *m, const char *s, const char *e)
{
    m->ntoks = 0;
    while (s < e) {
        if (*s == ' ' || *s == '\t' || *s == '\r') {
            s++;
            continue;
        }
        if (*s != '"') {
            const char *b = s;
            while (s < e && *s != ' ' && *s != '\t' && *s != '\r') {
                if (*s == '"' || *s == '\\')
                    return fail(m, "stray '%c' inside a word", *s);
                s++;
            }
            if (!push_tok(m, (mtok){b, (size_t)(s - b), false}))
                return false;
            continue;
        }
        s++;
        char *out = pool_alloc(m->p, (size_t)(e - s) + 1);
        if (!out)
            return fail(m, "out of memory");
        size_t n = 0;
        for (;;) {
            if (s >= e)
                return fail(m, "unterminated string");
            char c = *s++;
            if (c == '"')
                break;
            if (c == '\\') {
                if (s >= e)
                    return fail(m, "unterminated string");
                c = *s++;
                if (c == 'x') {
                    int hi = s < e ? hexval(s[0]) : -1, lo = s + 1 < e ? hexval(s[1]) : -1;
                    if (hi < 0 || lo < 0)
                        return fail(m, "bad \\x escape in a string");
                    c = (char)(hi * 16 + lo);
                    s += 2;
                } else if (c != '\\' && c != '"') {
                    return fail(m, "unknown escape '\\%c' in a string", c);
                }
            }
            out[n++] = c;
        }
        out[n] = '\0';
        if (s < e && *s != ' ' && *s != '\t' && *s != '\r')
            return fail(m, "a string must be followed by a space or the end of the line");
        if (!push_tok(m, (mtok){out, n, true}))
            return false;
    }
    return true;
}

/* Advances to the next line holding tokens (blank lines and lines starting with '#' are
 * skipped). Returns false at the end of the text or on a tokenizing error. */
static bool next_line(mparse *m)
{
    while (m->pos < m->len && !m->failed) {
        const char *s = m->text + m->pos;
        const char *nl = memchr(s, '\n', m->len - m->pos);
        const char *e = nl ? nl : m->text + m->len;
        m->pos = (size_t)(e - m->text) + (nl ? 1 : 0);
        m->line++;
        if (memchr(s, '\0', (size_t)(e - s))) {
            fail(m, "NUL byte in the text");
            return false;
        }
        if (!tokenize(m, s, e))
            return false;
        if (m->ntoks > 0 && !(m->toks[0].n > 0 && m->toks[0].s[0] == '#' && !m->toks[0].quoted))
            return true;
    }
    return false;
}

static bool tok_is(const mtok *t, const char *word)
{
    return !t->quoted && t->n == strlen(word) && memcmp(t->s, word, t->n) == 0;
}

/* Reads the next line and checks that it is `word` followed by exactly nargs tokens. */
static bool expect_line(mparse *m, const char *word, int nargs)
{
    if (!next_line(m))
        return m->failed ? false : fail(m, "the text ends where a '%s' line was expected", word);
    if (!tok_is(&m->toks[0], word))
        return fail(m, "expected a '%s' line, found '%.*s'", word, (int)m->toks[0].n, m->toks[0].s);
    if (m->ntoks != nargs + 1)
        return fail(m, "a '%s' line takes %d values, found %d", word, nargs, m->ntoks - 1);
    return true;
}

static bool parse_i64(const mtok *t, int64_t *out)
{
    if (t->quoted || t->n == 0 || t->n > 24)
        return false;
    char buf[32];
    memcpy(buf, t->s, t->n);
    buf[t->n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end || !(buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')))
        return false;
    *out = v;
    return true;
}

/* Token i as an integer in [lo, hi]. */
static bool get_int(mparse *m, int i, int64_t lo, int64_t hi, const char *what, int64_t *out)
{
    int64_t v = 0;
    if (!parse_i64(&m->toks[i], &v))
        return fail(m, "%s: '%.*s' is not an integer", what, (int)m->toks[i].n, m->toks[i].s);
    if (v < lo || v > hi)
        return fail(m, "%s %" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]", what, v, lo, hi);
    *out = v;
    return true;
}

static bool get_index(mparse *m, int i, int lo, int hi, const char *what, int *out)
{
    int64_t v = 0;
    if (!get_int(m, i, lo, hi, what, &v))
        return false;
    *out = (int)v;
    return true;
}

/* A count of sub-lines: each needs at least two bytes of the remaining text, which bounds
 * what a corrupt count can make us allocate. */
static bool get_count(mparse *m, int i, const char *what, int *out)
{
    int64_t room = (int64_t)(m->len - m->pos) / 2;
    if (room > INT32_MAX / 64)
        room = INT32_MAX / 64;
    int64_t v = 0;
    if (!parse_i64(&m->toks[i], &v))
        return fail(m, "%s: '%.*s' is not an integer", what, (int)m->toks[i].n, m->toks[i].s);
    if (v < 0 || v > room)
        return fail(m, "%s %" PRId64 " is negative or more than the lines that follow", what, v);
    *out = (int)v;
    return true;
}

/* A quoted name of UTF-8 without NUL bytes (as the language's names are: answers and
 * metrics name things by them), owned by the pool. */
static bool get_name(mparse *m, int i, const char *what, const char **out)
{
    const mtok *t = &m->toks[i];
    if (!t->quoted)
        return fail(m, "%s must be a quoted string", what);
    if (t->n == 0 || memchr(t->s, '\0', t->n))
        return fail(m, "%s is empty or holds a NUL byte", what);
    if (!rt_utf8_valid(t->s, t->n))
        return fail(m, "%s is not valid UTF-8", what);
    *out = t->s;
    return true;
}

static bool get_type(mparse *m, int i, rt_type *out)
{
    for (int t = RT_BOOL; t <= RT_TIMESTAMP; t++)
        if (tok_is(&m->toks[i], type_names[t])) {
            *out = (rt_type)t;
            return true;
        }
    return fail(m, "unknown type '%.*s'", (int)m->toks[i].n, m->toks[i].s);
}

/* The catalogue's aggregation whose manifest word is token i. */
static bool get_agg(mparse *m, int i, int *out)
{
    for (int a = 0; a < RT_AGG_COUNT_; a++)
        if (tok_is(&m->toks[i], rt_agg_info_of((rt_agg)a)->word)) {
            *out = a;
            return true;
        }
    return fail(m, "unknown aggregation '%.*s'", (int)m->toks[i].n, m->toks[i].s);
}

static bool get_word(mparse *m, int i, const char *const *words, int nwords, const char *what, int *out)
{
    for (int w = 0; w < nwords; w++)
        if (tok_is(&m->toks[i], words[w])) {
            *out = w;
            return true;
        }
    return fail(m, "unknown %s '%.*s'", what, (int)m->toks[i].n, m->toks[i].s);
}

/* Allocates n zeroed elements in the pool (n may be 0). */
#define POOL_ARRAY(m, ptr, n) (((ptr) = pool_alloc((m)->p, sizeof *(ptr) * (size_t)(n))) != NULL || fail((m), "out of memory"))

/* Grows a top-level array by one zeroed element; returns it or NULL. */
static void *grow(mparse *m, void **arr, int *n, size_t elem)
{
    void *na = realloc(*arr, elem * (size_t)(*n + 1));
    if (!na) {
        fail(m, "out of memory");
        return NULL;
    }
    *arr = na;
    void *e = (char *)na + elem * (size_t)*n;
    memset(e, 0, elem);
    (*n)++;
    return e;
}

/* ---- records ---- */

static bool parse_source(mparse *m)
{
    if (m->ntoks != 11)
        return fail(m, "a 'source' line takes 10 values, found %d", m->ntoks - 1);
    rt_prog_source *s = grow(m, (void **)&m->p->sources, &m->p->nsources, sizeof *s);
    if (!s)
        return false;
    int kind = 0;
    int64_t lateness = 0;
    if (!get_name(m, 1, "source name", &s->name) || !get_word(m, 2, source_kinds, 3, "source kind", &kind) ||
        !get_count(m, 3, "field count", &s->nfields) ||
        !get_index(m, 4, -1, s->nfields - 1, "time field", &s->time_field) ||
        !get_index(m, 5, -1, s->nfields - 1, "seq field", &s->seq_field) ||
        !get_int(m, 6, 0, INT64_MAX, "lateness", &lateness) || !get_count(m, 7, "expect count", &s->nexpects) ||
        !get_index(m, 8, -1, s->nfields - 1, "arrival field", &s->arrival_field) ||
        !get_int(m, 9, -1, INT64_MAX, "max_ahead", &s->max_ahead_us) ||
        !get_index(m, 10, -1, s->nfields - 1, "unique field", &s->unique_field))
        return false;
    s->kind = (rt_source_kind)kind;
    s->lateness_us = lateness;
    for (int i = 0; i < m->p->nsources - 1; i++)
        if (strcmp(m->p->sources[i].name, s->name) == 0)
            return fail(m, "source '%s' is declared twice", s->name);
    if (!POOL_ARRAY(m, s->fields, s->nfields) || !POOL_ARRAY(m, s->expects, s->nexpects))
        return false;
    for (int i = 0; i < s->nfields; i++) {
        rt_prog_field *f = &s->fields[i];
        int nn = 0;
        static const char *const nullness[] = {"null", "notnull"};
        if (!expect_line(m, "field", 3) || !get_name(m, 1, "field name", &f->name) || !get_type(m, 2, &f->type) ||
            !get_word(m, 3, nullness, 2, "nullness", &nn))
            return false;
        f->not_null = nn == 1;
    }
    for (int i = 0; i < s->nexpects; i++) {
        if (!expect_line(m, "expect", 1))
            return false;
        if (!m->toks[1].quoted)
            return fail(m, "an expect rule must be a quoted string");
        s->expects[i] = m->toks[1].s;
    }
    /* Checks that need the fields. */
    if (s->kind == RT_SOURCE_REQUEST) {
        if (s->time_field != -1 || s->seq_field != -1 || s->lateness_us != 0 || s->nexpects != 0 ||
            s->arrival_field != -1 || s->max_ahead_us != -1 || s->unique_field != -1)
            return fail(m, "request source '%s' has a time, seq, lateness, expect or arrival rule", s->name);
    } else {
        if (s->time_field < 0 || s->fields[s->time_field].type != RT_TIMESTAMP)
            return fail(m, "source '%s' needs a timestamp time field", s->name);
        if (s->seq_field >= 0 && s->fields[s->seq_field].type != RT_INT)
            return fail(m, "the seq field of source '%s' is not an int", s->name);
        if (s->arrival_field >= 0 &&
            (s->fields[s->arrival_field].type != RT_TIMESTAMP || !s->fields[s->arrival_field].not_null))
            return fail(m, "the arrival field of source '%s' is not a timestamp not null", s->name);
        if (s->unique_field >= 0 && s->fields[s->unique_field].type != RT_INT &&
            s->fields[s->unique_field].type != RT_STRING)
            return fail(m, "the unique field of source '%s' is not an int or a string", s->name);
    }
    return true;
}

/* The default token of a feature of type t. */
static bool parse_default(mparse *m, int i, rt_prog_feature *f)
{
    const mtok *t = &m->toks[i];
    if (tok_is(t, "-") || tok_is(t, "null"))
        return true;
    f->has_default = true;
    rt_slot *d = &f->dflt;
    switch (f->out_type) {
    case RT_BOOL:
        if (tok_is(t, "true") || tok_is(t, "false")) {
            d->v.i = tok_is(t, "true");
            return true;
        }
        break;
    case RT_INT:
    case RT_TIMESTAMP:
        if (parse_i64(t, &d->v.i))
            return true;
        break;
    case RT_FLOAT: {
        if (t->quoted || t->n == 0 || t->n > 60)
            break;
        char buf[64], *end;
        memcpy(buf, t->s, t->n);
        buf[t->n] = '\0';
        d->v.f = strtod(buf, &end);
        if (*end == '\0' && isfinite(d->v.f))
            return true;
        break;
    }
    case RT_STRING:
        /* UTF-8 like the language's strings (a NUL byte survives: the format carries any) */
        if (t->quoted && !rt_utf8_valid(t->s, t->n))
            return fail(m, "default of feature '%s' is not valid UTF-8", f->name);
        if (t->quoted) {
            d->v.s = t->s;
            d->len = (uint32_t)t->n;
            return true;
        }
        break;
    }
    return fail(m, "default '%.*s' is not a %s", (int)t->n, t->s, type_names[f->out_type]);
}

/* Whether agg may take in (or no input) and give out: the catalogue's rule. */
static bool agg_types_ok(const rt_prog_feature *f)
{
    rt_type result;
    bool takes_input = rt_agg_info_of(f->agg)->inputs != RT_IN_NONE;
    return f->has_input == takes_input && rt_agg_result(f->agg, f->in_type, &result) && result == f->out_type;
}

/* The number of parameter tokens after a feature's default: percentile's p, median's 0.5
 * and last_n/first_n's n. */
static int agg_nparams(rt_agg agg)
{
    return rt_agg_info_of(agg)->param != RT_PARAM_NONE || agg == RT_AGG_MEDIAN;
}

/* The parameter token 10 of a feature line, when its aggregation takes one. */
static bool parse_param(mparse *m, rt_prog_feature *f)
{
    f->pct_p = 0;
    f->list_n = 0;
    if (!agg_nparams(f->agg))
        return true;
    const mtok *t = &m->toks[10];
    if (rt_agg_info_of(f->agg)->param == RT_PARAM_COUNT) {
        int64_t n;
        if (!parse_i64(t, &n) || n < 1 || n > RT_LIST_MAX)
            return fail(m, "feature '%s': count '%.*s' is not between 1 and %d", f->name, (int)t->n, t->s, RT_LIST_MAX);
        f->list_n = (int)n;
        return true;
    }
    char buf[64], *end;
    if (t->quoted || t->n == 0 || t->n >= sizeof buf)
        return fail(m, "feature '%s': fraction '%.*s' is not a number", f->name, (int)t->n, t->s);
    memcpy(buf, t->s, t->n);
    buf[t->n] = '\0';
    f->pct_p = strtod(buf, &end);
    if (*end != '\0' || !(f->pct_p >= 0 && f->pct_p <= 1) || (f->agg == RT_AGG_MEDIAN && f->pct_p != 0.5))
        return fail(m, "feature '%s': fraction '%s' is not %s", f->name, buf,
                    f->agg == RT_AGG_MEDIAN ? "0.5" : "between 0 and 1");
    return true;
}

static bool parse_feature(mparse *m, rt_prog_feature *f)
{
    int agg = 0, win = 0;
    if (!next_line(m))
        return m->failed ? false : fail(m, "the text ends where a 'feature' line was expected");
    if (!tok_is(&m->toks[0], "feature"))
        return fail(m, "expected a 'feature' line, found '%.*s'", (int)m->toks[0].n, m->toks[0].s);
    if (!get_name(m, 1, "feature name", &f->name) || !get_agg(m, 2, &agg))
        return false;
    /* 9 values, and a tenth for the aggregations that take a parameter */
    int nparams = agg_nparams((rt_agg)agg);
    if (m->ntoks != 10 + nparams)
        return fail(m, "a 'feature' line of %s takes %d values, found %d", rt_agg_info_of((rt_agg)agg)->word,
                    9 + nparams, m->ntoks - 1);
    f->agg = (rt_prog_agg)agg;
    f->has_input = !tok_is(&m->toks[3], "-");
    if ((f->has_input && !get_type(m, 3, &f->in_type)) || !get_type(m, 4, &f->out_type) ||
        !get_word(m, 5, window_names, 3, "window kind", &win) ||
        !get_int(m, 6, 0, INT64_MAX, "window size", &f->size_us) ||
        !get_int(m, 7, 0, INT64_MAX, "window hop", &f->hop_us) || !get_int(m, 8, 0, INT64_MAX, "ttl", &f->ttl_us))
        return false;
    f->win = (rt_prog_win)win;
    if (!agg_types_ok(f))
        return fail(m, "feature '%s': %s cannot take %s and give %s", f->name, rt_agg_info_of(f->agg)->word,
                    f->has_input ? type_names[f->in_type] : "no input", type_names[f->out_type]);
    bool win_ok = (f->win == RT_PWIN_LIFETIME && f->size_us == 0 && f->hop_us == 0) ||
                  (f->win == RT_PWIN_SLIDING && f->size_us > 0 && f->hop_us == 0) ||
                  (f->win == RT_PWIN_HOP && f->size_us > 0 && f->hop_us > 0 && f->size_us % f->hop_us == 0);
    if (!win_ok)
        return fail(m, "feature '%s': window size %" PRId64 " and hop %" PRId64 " do not fit a %s window", f->name,
                    f->size_us, f->hop_us, window_names[f->win]);
    if (f->ttl_us && !(f->win == RT_PWIN_LIFETIME && (f->agg == RT_AGG_FIRST || f->agg == RT_AGG_LAST)))
        return fail(m, "feature '%s': only a lifetime first or last may have a ttl", f->name);
    return parse_default(m, 9, f) && parse_param(m, f);
}

static bool parse_view(mparse *m)
{
    rt_program *p = m->p;
    if (m->ntoks != 5)
        return fail(m, "a 'view' line takes 4 values, found %d", m->ntoks - 1);
    rt_prog_view *v = grow(m, (void **)&p->views, &p->nviews, sizeof *v);
    if (!v || !get_name(m, 1, "view name", &v->name) || !get_index(m, 2, 0, p->nsources - 1, "source", &v->source) ||
        !get_count(m, 3, "key count", &v->nkeys) || !get_count(m, 4, "feature count", &v->nfeatures))
        return false;
    const rt_prog_source *src = &p->sources[v->source];
    if (src->kind == RT_SOURCE_REQUEST)
        return fail(m, "view '%s' reads request source '%s'", v->name, src->name);
    if (v->nkeys == 0)
        return fail(m, "view '%s' has no keys", v->name);
    if (!POOL_ARRAY(m, v->key_types, v->nkeys) || !POOL_ARRAY(m, v->key_columns, v->nkeys) ||
        !POOL_ARRAY(m, v->features, v->nfeatures))
        return false;
    for (int k = 0; k < v->nkeys; k++) {
        if (!expect_line(m, "key", 2) || !get_type(m, 1, &v->key_types[k]))
            return false;
        if (tok_is(&m->toks[2], "let")) { /* derived from a let: its type is the row function's */
            v->key_columns[k] = -1;
            continue;
        }
        if (!get_index(m, 2, 0, src->nfields - 1, "key column", &v->key_columns[k]))
            return false;
        if (src->fields[v->key_columns[k]].type != v->key_types[k])
            return fail(m, "key %d of view '%s' is a %s but field '%s' is a %s", k, v->name,
                        type_names[v->key_types[k]], src->fields[v->key_columns[k]].name,
                        type_names[src->fields[v->key_columns[k]].type]);
    }
    for (int i = 0; i < v->nfeatures; i++)
        if (!parse_feature(m, &v->features[i]))
            return false;
    return true;
}

static bool parse_block(mparse *m)
{
    rt_program *p = m->p;
    if (m->ntoks != 6)
        return fail(m, "a 'block' line takes 5 values, found %d", m->ntoks - 1);
    int self = p->nblocks;
    rt_prog_block *b = grow(m, (void **)&p->blocks, &p->nblocks, sizeof *b);
    if (!b || !get_name(m, 1, "block name", &b->name) ||
        !get_index(m, 2, -1, p->nsources - 1, "request source", &b->request_source) ||
        !get_count(m, 3, "view count", &b->nviews) || !get_count(m, 4, "block count", &b->nblocks) ||
        !get_count(m, 5, "feature count", &b->nfeatures))
        return false;
    if (b->request_source >= 0 && p->sources[b->request_source].kind != RT_SOURCE_REQUEST)
        return fail(m, "block '%s' takes '%s', which is not a request source", b->name,
                    p->sources[b->request_source].name);
    if (!POOL_ARRAY(m, b->views, b->nviews) || !POOL_ARRAY(m, b->blocks, b->nblocks) ||
        !POOL_ARRAY(m, b->features, b->nfeatures))
        return false;
    for (int i = 0; i < b->nviews; i++)
        if (!expect_line(m, "reads-view", 1) || !get_index(m, 1, 0, p->nviews - 1, "view", &b->views[i]))
            return false;
    for (int i = 0; i < b->nblocks; i++)
        if (!expect_line(m, "reads-block", 1) || !get_index(m, 1, 0, self - 1, "earlier block", &b->blocks[i]))
            return false;
    for (int i = 0; i < b->nfeatures; i++)
        if (!expect_line(m, "odfeature", 2) || !get_name(m, 1, "feature name", &b->features[i].name) ||
            !get_type(m, 2, &b->features[i].type))
            return false;
    return true;
}

static int index_of(const int *a, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (a[i] == x)
            return i;
    return -1;
}

static int service_view_slot(const rt_prog_service *s, int view)
{
    for (int i = 0; i < s->nviews; i++)
        if (s->views[i].view == view)
            return i;
    return -1;
}

static bool parse_output(mparse *m, const rt_prog_service *s, rt_prog_output *o)
{
    rt_program *p = m->p;
    static const char *const kinds[] = {"view", "block"};
    int kind = 0;
    if (!expect_line(m, "output", 5) || !get_name(m, 1, "output column", &o->column) || !get_type(m, 2, &o->type) ||
        !get_word(m, 3, kinds, 2, "output kind", &kind))
        return false;
    o->kind = (rt_output_kind)kind;
    rt_type ft;
    if (o->kind == RT_OUT_VIEW) {
        if (!get_index(m, 4, 0, p->nviews - 1, "view", &o->owner) ||
            !get_index(m, 5, 0, p->views[o->owner].nfeatures - 1, "feature", &o->feature))
            return false;
        if (service_view_slot(s, o->owner) < 0)
            return fail(m, "output '%s' reads view '%s', which the service does not list", o->column,
                        p->views[o->owner].name);
        ft = p->views[o->owner].features[o->feature].out_type;
    } else {
        if (!get_index(m, 4, 0, p->nblocks - 1, "block", &o->owner) ||
            !get_index(m, 5, 0, p->blocks[o->owner].nfeatures - 1, "feature", &o->feature))
            return false;
        if (index_of(s->blocks, s->nblocks, o->owner) < 0)
            return fail(m, "output '%s' reads block '%s', which the service does not run", o->column,
                        p->blocks[o->owner].name);
        ft = p->blocks[o->owner].features[o->feature].type;
    }
    if (ft != o->type)
        return fail(m, "output '%s' is a %s but its feature is a %s", o->column, type_names[o->type], type_names[ft]);
    return true;
}

static bool parse_service(mparse *m)
{
    rt_program *p = m->p;
    if (m->ntoks != 7)
        return fail(m, "a 'service' line takes 6 values, found %d", m->ntoks - 1);
    rt_prog_service *s = grow(m, (void **)&p->services, &p->nservices, sizeof *s);
    if (!s || !get_name(m, 1, "service name", &s->name) ||
        !get_index(m, 2, -1, p->nsources - 1, "request source", &s->request_source) ||
        !get_count(m, 3, "key count", &s->nkeys) || !get_count(m, 4, "view count", &s->nviews) ||
        !get_count(m, 5, "block count", &s->nblocks) || !get_count(m, 6, "output count", &s->noutputs))
        return false;
    for (int i = 0; i < p->nservices - 1; i++)
        if (strcmp(p->services[i].name, s->name) == 0)
            return fail(m, "service '%s' is declared twice", s->name);
    const rt_prog_source *req = s->request_source >= 0 ? &p->sources[s->request_source] : NULL;
    if (req && req->kind != RT_SOURCE_REQUEST)
        return fail(m, "service '%s' takes '%s', which is not a request source", s->name, req->name);
    if (!POOL_ARRAY(m, s->keys, s->nkeys) || !POOL_ARRAY(m, s->views, s->nviews) ||
        !POOL_ARRAY(m, s->blocks, s->nblocks) || !POOL_ARRAY(m, s->outputs, s->noutputs))
        return false;
    for (int k = 0; k < s->nkeys; k++) {
        rt_prog_key *key = &s->keys[k];
        if (!expect_line(m, "skey", 3) || !get_name(m, 1, "key name", &key->name) || !get_type(m, 2, &key->type) ||
            !get_index(m, 3, -1, req ? req->nfields - 1 : -1, "request field", &key->request_field))
            return false;
        if (req && key->request_field >= 0 && req->fields[key->request_field].type != key->type)
            return fail(m, "key '%s' is a %s but request field '%s' is a %s", key->name, type_names[key->type],
                        req->fields[key->request_field].name, type_names[req->fields[key->request_field].type]);
        for (int j = 0; j < k; j++)
            if (strcmp(s->keys[j].name, key->name) == 0)
                return fail(m, "key '%s' is listed twice", key->name);
    }
    for (int i = 0; i < s->nviews; i++) {
        rt_prog_sview *sv = &s->views[i];
        if (!next_line(m))
            return m->failed ? false : fail(m, "the text ends where an 'sview' line was expected");
        if (!tok_is(&m->toks[0], "sview") || m->ntoks < 2)
            return fail(m, "expected an 'sview' line");
        if (!get_index(m, 1, 0, p->nviews - 1, "view", &sv->view))
            return false;
        const rt_prog_view *v = &p->views[sv->view];
        if (service_view_slot(s, sv->view) != i)
            return fail(m, "view '%s' is listed twice", v->name);
        if (m->ntoks != 2 + v->nkeys)
            return fail(m, "view '%s' has %d keys but the line maps %d", v->name, v->nkeys, m->ntoks - 2);
        if (!POOL_ARRAY(m, sv->key_map, v->nkeys))
            return false;
        for (int k = 0; k < v->nkeys; k++) {
            if (!get_index(m, 2 + k, 0, s->nkeys - 1, "service key", &sv->key_map[k]))
                return false;
            if (s->keys[sv->key_map[k]].type != v->key_types[k])
                return fail(m, "key %d of view '%s' is a %s but service key '%s' is a %s", k, v->name,
                            type_names[v->key_types[k]], s->keys[sv->key_map[k]].name,
                            type_names[s->keys[sv->key_map[k]].type]);
        }
    }
    for (int i = 0; i < s->nblocks; i++) {
        if (!expect_line(m, "sblock", 1) || !get_index(m, 1, 0, p->nblocks - 1, "block", &s->blocks[i]))
            return false;
        const rt_prog_block *b = &p->blocks[s->blocks[i]];
        if (index_of(s->blocks, i, s->blocks[i]) >= 0)
            return fail(m, "block '%s' is listed twice", b->name);
        if (b->request_source >= 0 && b->request_source != s->request_source)
            return fail(m, "block '%s' takes a request source the service does not", b->name);
        for (int j = 0; j < b->nviews; j++)
            if (service_view_slot(s, b->views[j]) < 0)
                return fail(m, "block '%s' reads view '%s', which the service does not list", b->name,
                            p->views[b->views[j]].name);
        for (int j = 0; j < b->nblocks; j++)
            if (index_of(s->blocks, i, b->blocks[j]) < 0)
                return fail(m, "block '%s' reads block '%s', which does not run before it", b->name,
                            p->blocks[b->blocks[j]].name);
    }
    for (int i = 0; i < s->noutputs; i++)
        if (!parse_output(m, s, &s->outputs[i]))
            return false;
    return true;
}

rt_program *rt_program_parse(const char *text, size_t len, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    rt_program *p = calloc(1, sizeof *p);
    if (!p) {
        if (err && errlen)
            snprintf(err, errlen, "manifest: out of memory");
        return NULL;
    }
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; text && i < len; i++)
        h = (h ^ (unsigned char)text[i]) * UINT64_C(1099511628211);
    snprintf(p->fingerprint, sizeof p->fingerprint, "%016" PRIx64, h);
    mparse m = {.p = p, .text = text, .len = text ? len : 0, .err = err, .errlen = errlen};
    enum { PH_SOURCES, PH_VIEWS, PH_BLOCKS, PH_SERVICES } phase = PH_SOURCES;
    bool ended = false;
    if (!next_line(&m)) {
        if (!m.failed)
            fail(&m, "empty manifest");
    } else if (m.ntoks != 2 || !tok_is(&m.toks[0], "featc-manifest")) {
        fail(&m, "not a featc manifest (expected 'featc-manifest %d')", RT_MANIFEST_VERSION);
    } else if (!tok_is(&m.toks[1], "1")) {
        fail(&m, "manifest version '%.*s' is not the supported version %d", (int)m.toks[1].n, m.toks[1].s,
             RT_MANIFEST_VERSION);
    }
    while (!m.failed && next_line(&m)) {
        const mtok *t = &m.toks[0];
        if (ended) {
            fail(&m, "text after the 'end' line");
        } else if (tok_is(t, "end") && m.ntoks == 1) {
            ended = true;
        } else if (tok_is(t, "source") && phase <= PH_SOURCES) {
            parse_source(&m);
        } else if (tok_is(t, "view") && phase <= PH_VIEWS) {
            phase = PH_VIEWS;
            parse_view(&m);
        } else if (tok_is(t, "block") && phase <= PH_BLOCKS) {
            phase = PH_BLOCKS;
            parse_block(&m);
        } else if (tok_is(t, "service")) {
            phase = PH_SERVICES;
            parse_service(&m);
        } else if (tok_is(t, "source") || tok_is(t, "view") || tok_is(t, "block")) {
            fail(&m, "'%.*s' records must come before later kinds (sources, views, blocks, services)", (int)t->n,
                 t->s);
        } else {
            fail(&m, "unknown record '%.*s'", (int)t->n, t->s);
        }
    }
    if (!m.failed && !ended) {
        m.line++;
        fail(&m, "the manifest is truncated (no 'end' line)");
    }
    free(m.toks);
    if (m.failed) {
        rt_program_free(p);
        return NULL;
    }
    return p;
}

void rt_program_free(rt_program *p)
{
    if (!p)
        return;
    rt_pool *b = p->pool;
    while (b) {
        rt_pool *next = b->next;
        free(b);
        b = next;
    }
    free(p->sources);
    free(p->views);
    free(p->blocks);
    free(p->services);
    free(p);
}

bool rt_program_check_fns(const rt_program *p, const rt_fn_table *fns, char *err, size_t errlen)
{
    const char *why = NULL;
    if (!fns)
        why = "no function table";
    else if (fns->nsources != p->nsources || fns->nviews != p->nviews || fns->nblocks != p->nblocks)
        why = "the function table's counts of sources, views and blocks differ from the manifest's";
    else if (p->nsources && !fns->expect)
        why = "the function table has no expect array";
    else {
        for (int i = 0; i < p->nviews && !why; i++)
            if (!fns->row || !fns->row[i])
                why = "a view has no row function";
        for (int i = 0; i < p->nblocks && !why; i++)
            if (!fns->od || !fns->od[i])
                why = "an on_demand block has no function";
        for (int i = 0; i < p->nsources && !why; i++)
            if (p->sources[i].nexpects > 0 && !fns->expect[i])
                why = "a source with expect rules has no expect function";
    }
    if (why && err && errlen)
        snprintf(err, errlen, "%s", why);
    return why == NULL;
}

int rt_program_find_source(const rt_program *p, const char *name)
{
    for (int i = 0; i < p->nsources; i++)
        if (strcmp(p->sources[i].name, name) == 0)
            return i;
    return -1;
}

int rt_program_find_service(const rt_program *p, const char *name)
{
    for (int i = 0; i < p->nservices; i++)
        if (strcmp(p->services[i].name, name) == 0)
            return i;
    return -1;
}
