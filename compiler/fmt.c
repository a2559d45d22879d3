/* fmt.c - the canonical layout of a feature file (`featc fmt`): declarations, members, expressions, comments. */
#include "fmt.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* A comment of the source: its text (from '#' to the end of its line) and whether code
 * comes before it on its line. */
typedef struct fmt_comment {
    size_t pos, len;
    int line;
    bool trailing;
    bool used;
} fmt_comment;

/* One line of a block being laid out: an optional name padded to the block's name column
 * (`name : type`, `name = expr`), the rest, and its comments. */
typedef struct fmt_line {
    char *lead; /* text before the name ("let ", "") or the whole line when name is NULL */
    char *name; /* NULL: no alignment */
    char *sep;  /* " : " or " = " */
    char *rest;
    size_t first; /* source offset of the member (comments before it lead it) */
    int first_line, last_line;
    bool blank_before;
} fmt_line;

typedef struct fmt_ctx {
    const char *src;
    size_t len;
    fmt_comment *comments;
    int ncomments;
    strbuf *out;
} fmt_ctx;

static int line_of(const fmt_ctx *c, size_t pos)
{
    int line = 1;
    for (size_t i = 0; i < pos && i < c->len; i++)
        line += c->src[i] == '\n';
    return line;
}

/* Finds every comment: '#' outside strings ('...' with '' inside) and backtick names. */
static void find_comments(fmt_ctx *c)
{
    int cap = 16, line = 1;
    c->comments = malloc(sizeof *c->comments * (size_t)cap);
    bool code_on_line = false;
    for (size_t i = 0; i < c->len; i++) {
        char ch = c->src[i];
        if (ch == '\n') {
            line++;
            code_on_line = false;
        } else if (ch == '\'' || ch == '`') {
            /* a string ('' inside is a quote) or a name in backticks; neither spans lines */
            for (i++; i < c->len && c->src[i] != '\n'; i++) {
                if (c->src[i] != ch)
                    continue;
                if (ch == '\'' && i + 1 < c->len && c->src[i + 1] == '\'') {
                    i++;
                    continue;
                }
                break;
            }
            if (i < c->len && c->src[i] == '\n')
                i--;
            code_on_line = true;
        } else if (ch == '#') {
            size_t e = i;
            while (e < c->len && c->src[e] != '\n')
                e++;
            while (e > i && isspace((unsigned char)c->src[e - 1]))
                e--;
            if (c->ncomments == cap)
                c->comments = realloc(c->comments, sizeof *c->comments * (size_t)(cap *= 2));
            c->comments[c->ncomments++] = (fmt_comment){i, e - i, line, code_on_line, false};
            while (i + 1 < c->len && c->src[i + 1] != '\n')
                i++;
        } else if (!isspace((unsigned char)ch)) {
            code_on_line = true;
        }
    }
}

/* ---- expressions ---- */

static void put_name(strbuf *b, const char *s)
{
    bool plain = s[0] && (isalpha((unsigned char)s[0]) || s[0] == '_');
    for (const char *p = s; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || *p == '_';
    if (plain && !ast_is_reserved(s)) {
        strbuf_append(b, s);
        return;
    }
    strbuf_append_char(b, '`');
    strbuf_append(b, s);
    strbuf_append_char(b, '`');
}

static void put_string(strbuf *b, const char *s, size_t n)
{
    strbuf_append_char(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            strbuf_append_char(b, '\'');
        strbuf_append_char(b, s[i]);
    }
    strbuf_append_char(b, '\'');
}

/* A literal as written, without the spaces a folded sign may have had ("- 3" -> "-3") and
 * without the parentheses its span may take in ("(-9223372036854775808)"; put_expr writes
 * the ones that were written). */
static void put_source_text(const fmt_ctx *c, strbuf *b, src_span span)
{
    for (size_t i = span.begin; i < span.end && i < c->len; i++)
        if (!isspace((unsigned char)c->src[i]) && c->src[i] != '(' && c->src[i] != ')')
            strbuf_append_char(b, c->src[i]);
}

/* Binding strength, loosest first, as the grammar's precedence levels. */
enum { P_OR = 1, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_ATOM };

static int prec_of(const ast_expr *e)
{
    switch (e->kind) {
    case AST_BINARY:
        switch (e->op) {
        case AST_OP_OR: return P_OR;
        case AST_OP_AND: return P_AND;
        case AST_OP_ADD:
        case AST_OP_SUB:
        case AST_OP_CONCAT: return P_ADD;
        case AST_OP_MUL:
        case AST_OP_DIV:
        case AST_OP_MOD: return P_MUL;
        default: return P_CMP;
        }
    case AST_UNARY: return e->op == AST_OP_NOT ? P_NOT : P_NEG;
    case AST_IS_NULL:
    case AST_IN: return P_CMP;
    default: return P_ATOM;
    }
}

static void put_expr(const fmt_ctx *c, strbuf *b, const ast_expr *e, int min_prec);

static void put_list(const fmt_ctx *c, strbuf *b, const ptrvec *v)
{
    for (int i = 0; i < v->len; i++) {
        if (i)
            strbuf_append(b, ", ");
        put_expr(c, b, v->items[i], 0);
    }
}

/* Writes e; in parentheses when it was written so or when it binds looser than min_prec. */
static void put_expr(const fmt_ctx *c, strbuf *b, const ast_expr *e, int min_prec)
{
    int p = prec_of(e);
    bool paren = e->parenthesized || p < min_prec;
    if (paren)
        strbuf_append_char(b, '(');
    switch (e->kind) {
    case AST_INT:
    case AST_FLOAT:
    case AST_DURATION: put_source_text(c, b, e->span); break;
    case AST_STRING: put_string(b, e->str, e->str_len); break;
    case AST_BOOL: strbuf_append(b, e->bool_value ? "true" : "false"); break;
    case AST_NULL: strbuf_append(b, "null"); break;
    case AST_NAME: put_name(b, e->name.text); break;
    case AST_DOT:
        put_name(b, e->qualifier.text);
        strbuf_append_char(b, '.');
        put_name(b, e->name.text);
        break;
    case AST_UNARY:
        strbuf_append(b, e->op == AST_OP_NOT ? "not " : "-");
        put_expr(c, b, e->lhs, p);
        break;
    case AST_BINARY:
        /* left-associative: the left operand may bind as loosely as the operator, the right
         * one must bind tighter; comparisons do not chain at all */
        put_expr(c, b, e->lhs, p == P_CMP ? p + 1 : p);
        strbuf_appendf(b, " %s ", ast_op_text(e->op));
        put_expr(c, b, e->rhs, p + 1);
        break;
    case AST_IS_NULL:
        put_expr(c, b, e->lhs, P_CMP + 1);
        strbuf_append(b, e->negated ? " is not null" : " is null");
        break;
    case AST_IN:
        put_expr(c, b, e->lhs, P_CMP + 1);
        strbuf_append(b, e->negated ? " not in (" : " in (");
        put_list(c, b, &e->args);
        strbuf_append_char(b, ')');
        break;
    case AST_CASE:
        strbuf_append(b, "case");
        for (int i = 0; i + 1 < e->args.len; i += 2) {
            strbuf_append(b, " when ");
            put_expr(c, b, e->args.items[i], 0);
            strbuf_append(b, " then ");
            put_expr(c, b, e->args.items[i + 1], 0);
        }
        if (e->rhs) {
            strbuf_append(b, " else ");
            put_expr(c, b, e->rhs, 0);
        }
        strbuf_append(b, " end");
        break;
    case AST_CALL:
        put_name(b, e->name.text);
        strbuf_append_char(b, '(');
        put_list(c, b, &e->args);
        strbuf_append_char(b, ')');
        break;
    }
    if (paren)
        strbuf_append_char(b, ')');
}

static char *expr_text(const fmt_ctx *c, const ast_expr *e)
{
    strbuf b = STRBUF_INIT;
    put_expr(c, &b, e, 0);
    return strbuf_detach(&b);
}

static char *name_text(const char *s)
{
    strbuf b = STRBUF_INIT;
    put_name(&b, s);
    return strbuf_detach(&b);
}

static char *dup_text(const char *s)
{
    strbuf b = STRBUF_INIT;
    strbuf_append(&b, s);
    return strbuf_detach(&b);
}

/* ---- comments and blocks ---- */

/* Writes the unused own-line comments before offset limit (and after from), each on its
 * own line at the given indent. */
static void put_leading_comments(fmt_ctx *c, size_t from, size_t limit, const char *indent)
{
    for (int i = 0; i < c->ncomments; i++) {
        fmt_comment *k = &c->comments[i];
        if (k->used || k->trailing || k->pos < from || k->pos >= limit)
            continue;
        k->used = true;
        strbuf_append(c->out, indent);
        strbuf_append_n(c->out, c->src + k->pos, k->len);
        strbuf_append_char(c->out, '\n');
    }
}

/* The unused trailing comment on one of the lines first..last within [from, limit), or
 * NULL; marks it used. */
static fmt_comment *take_trailing(fmt_ctx *c, int first, int last, size_t from, size_t limit)
{
    for (int i = 0; i < c->ncomments; i++) {
        fmt_comment *k = &c->comments[i];
        if (!k->used && k->trailing && k->line >= first && k->line <= last && k->pos >= from && k->pos < limit) {
            k->used = true;
            return k;
        }
    }
    return NULL;
}

/* Whether a blank line lies between byte offsets a and b (ignoring comment lines). */
static bool blank_between(const fmt_ctx *c, size_t a, size_t b)
{
    bool seen_nl = false;
    for (size_t i = a; i < b && i < c->len; i++) {
        char ch = c->src[i];
        if (ch == '#') {
            while (i < b && c->src[i] != '\n')
                i++;
            seen_nl = true;
            continue;
        }
        if (ch == '\n') {
            if (seen_nl)
                return true;
            seen_nl = true;
        } else if (!isspace((unsigned char)ch)) {
            seen_nl = false;
        }
    }
    return false;
}

/* Lays out the lines of one block body (decl spans [body, end)): leading comments, names
 * padded to one column per kind of line (fields, lets, features), trailing comments aligned
 * in one column, then the comments left before the closing brace. */
static void put_block(fmt_ctx *c, fmt_line *lines, int n, size_t body, size_t end)
{
    char **text = calloc((size_t)n + 1, sizeof *text);
    fmt_comment **trail = calloc((size_t)n + 1, sizeof *trail);
    size_t comment_col = 0;
    for (int i = 0; i < n; i++) {
        fmt_line *l = &lines[i];
        size_t width = 0;
        for (int k = 0; k < n; k++)
            if (lines[k].name && l->name && !strcmp(lines[k].lead, l->lead) && strlen(lines[k].name) > width)
                width = strlen(lines[k].name);
        strbuf t = STRBUF_INIT;
        strbuf_append(&t, "    ");
        strbuf_append(&t, l->lead);
        if (l->name) {
            strbuf_append(&t, l->name);
            for (size_t k = strlen(l->name); k < width; k++)
                strbuf_append_char(&t, ' ');
            strbuf_append(&t, l->sep);
        }
        strbuf_append(&t, l->rest);
        trail[i] = take_trailing(c, l->first_line, l->last_line, body, end);
        if (trail[i] && t.len + 2 > comment_col)
            comment_col = t.len + 2;
        text[i] = strbuf_detach(&t);
    }
    for (int i = 0; i < n; i++) {
        fmt_line *l = &lines[i];
        if (i > 0 && l->blank_before)
            strbuf_append_char(c->out, '\n');
        put_leading_comments(c, body, l->first, "    ");
        strbuf_append(c->out, text[i]);
        if (trail[i]) {
            for (size_t k = strlen(text[i]); k < comment_col; k++)
                strbuf_append_char(c->out, ' ');
            strbuf_append_n(c->out, c->src + trail[i]->pos, trail[i]->len);
        }
        /* more trailing comments of a member written over several lines follow on lines
         * of their own */
        for (fmt_comment *t; (t = take_trailing(c, l->first_line, l->last_line, body, end));) {
            strbuf_append(c->out, "\n    ");
            strbuf_append_n(c->out, c->src + t->pos, t->len);
        }
        strbuf_append_char(c->out, '\n');
        free(text[i]);
        free(l->lead);
        free(l->name);
        free(l->rest);
    }
    free(text);
    free(trail);
    put_leading_comments(c, body, end, "    ");
}

/* A line for a member spanning [begin, end) of the source. */
static fmt_line member_line(const fmt_ctx *c, size_t begin, size_t end, const char *lead, char *name, const char *sep,
                            char *rest)
{
    return (fmt_line){dup_text(lead), name, (char *)sep, rest, begin, line_of(c, begin), line_of(c, end ? end - 1 : 0),
                      false};
}

/* Opens a block: header text, a trailing comment on the header's line, " {". */
static size_t open_block(fmt_ctx *c, const char *header, src_span decl)
{
    strbuf_append(c->out, header);
    strbuf_append(c->out, " {");
    size_t brace = decl.begin;
    while (brace < decl.end && c->src[brace] != '{')
        brace++;
    int line = line_of(c, brace);
    fmt_comment *t = take_trailing(c, line, line, decl.begin, decl.end);
    if (t) {
        strbuf_append(c->out, "  ");
        strbuf_append_n(c->out, c->src + t->pos, t->len);
    }
    strbuf_append_char(c->out, '\n');
    return brace + 1;
}

/* Closes a block: "}", and a comment trailing it on its line. */
static void close_block(fmt_ctx *c, src_span decl)
{
    strbuf_append_char(c->out, '}');
    int line = line_of(c, decl.end ? decl.end - 1 : 0);
    fmt_comment *t = take_trailing(c, line, line, decl.begin, c->len);
    if (t) {
        strbuf_append(c->out, "  ");
        strbuf_append_n(c->out, c->src + t->pos, t->len);
    }
    strbuf_append_char(c->out, '\n');
}

static int by_first(const void *a, const void *b)
{
    const fmt_line *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* ---- declarations ---- */

static void put_entity(fmt_ctx *c, const ast_entity *e)
{
    strbuf_append(c->out, "entity ");
    put_name(c->out, e->name.text);
    strbuf_append(c->out, " (");
    for (int i = 0; i < e->keys.len; i++) {
        const ast_field *f = e->keys.items[i];
        if (i)
            strbuf_append(c->out, ", ");
        put_name(c->out, f->name.text);
        strbuf_append(c->out, ": ");
        put_name(c->out, f->type_name.text);
        if (f->not_null)
            strbuf_append(c->out, " not null");
    }
    strbuf_append_char(c->out, ')');
    int line = line_of(c, e->span.begin);
    fmt_comment *t = take_trailing(c, line, line_of(c, e->span.end ? e->span.end - 1 : 0), e->span.begin, c->len);
    if (t) {
        strbuf_append(c->out, "  ");
        strbuf_append_n(c->out, c->src + t->pos, t->len);
    }
    strbuf_append_char(c->out, '\n');
}

static void add_clause(const fmt_ctx *c, fmt_line *lines, int *n, const char *word, src_span at, char *rest)
{
    char lead[32];
    snprintf(lead, sizeof lead, "%s ", word);
    lines[(*n)++] = member_line(c, at.begin, at.end, lead, NULL, "", rest);
}

static void put_source(fmt_ctx *c, const ast_source *s)
{
    static const char *const kinds[] = {"stream", "table", "request"};
    strbuf h = STRBUF_INIT;
    strbuf_appendf(&h, "%s ", kinds[s->kind]);
    put_name(&h, s->name.text);
    size_t body = open_block(c, strbuf_cstr(&h), s->span);
    strbuf_free(&h);
    int cap = s->fields.len + s->times.len + s->seqs.len + s->latenesses.len + s->arrivals.len + s->max_aheads.len +
              s->uniques.len + s->expects.len + s->tables.len + 1;
    fmt_line *lines = calloc((size_t)cap, sizeof *lines);
    int n = 0;
    for (int i = 0; i < s->fields.len; i++) {
        const ast_field *f = s->fields.items[i];
        strbuf t = STRBUF_INIT;
        put_name(&t, f->type_name.text);
        if (f->not_null)
            strbuf_append(&t, " not null");
        lines[n++] = member_line(c, f->span.begin, f->span.end, "", name_text(f->name.text), " : ", strbuf_detach(&t));
    }
    /* the clauses, in the contract's order */
    const struct {
        const char *word;
        const ptrvec *v;
        bool names;
    } clauses[] = {
        {"time", &s->times, true},
        {"seq", &s->seqs, true},
        {"lateness", &s->latenesses, false},
        {"arrival", &s->arrivals, true},
        {"max_ahead", &s->max_aheads, false},
        {"unique", &s->uniques, true},
        {"expect", &s->expects, false},
        {"table", &s->tables, false},
    };
    for (size_t k = 0; k < sizeof clauses / sizeof clauses[0]; k++)
        for (int i = 0; i < clauses[k].v->len; i++) {
            const void *item = clauses[k].v->items[i];
            if (clauses[k].names) {
                const ast_name *nm = item;
                add_clause(c, lines, &n, clauses[k].word, nm->span, name_text(nm->text));
            } else {
                const ast_expr *e = item;
                char *rest =
                    e->kind == AST_NULL && !strcmp(clauses[k].word, "max_ahead") ? dup_text("none") : expr_text(c, e);
                add_clause(c, lines, &n, clauses[k].word, e->span, rest);
            }
        }
    put_block(c, lines, n, body, s->span.end);
    free(lines);
    close_block(c, s->span);
}

static char *feature_text(const fmt_ctx *c, const ast_feature *f)
{
    strbuf b = STRBUF_INIT;
    put_expr(c, &b, f->value, 0);
    if (f->over) {
        strbuf_append(&b, " over ");
        put_expr(c, &b, f->over, 0);
    }
    if (f->hop) {
        strbuf_append(&b, " hop ");
        put_expr(c, &b, f->hop, 0);
    }
    if (f->where) {
        strbuf_append(&b, " where ");
        put_expr(c, &b, f->where, 0);
    }
    if (f->ttl) {
        strbuf_append(&b, " ttl ");
        put_expr(c, &b, f->ttl, 0);
    }
    if (f->dflt) {
        strbuf_append(&b, " default ");
        put_expr(c, &b, f->dflt, 0);
    }
    return strbuf_detach(&b);
}

/* Marks each line after a blank source line (in source order). */
static void mark_blank_lines(const fmt_ctx *c, fmt_line *lines, int n, size_t body)
{
    size_t prev = body;
    for (int i = 0; i < n; i++) {
        lines[i].blank_before = i > 0 && blank_between(c, prev, lines[i].first);
        prev = lines[i].first;
        /* the end of this member: the end of its last line */
        while (prev < c->len && c->src[prev] != '\n')
            prev++;
        for (int l = lines[i].first_line; l < lines[i].last_line && prev < c->len; l++)
            for (prev++; prev < c->len && c->src[prev] != '\n'; prev++)
                ;
    }
}

static void put_view(fmt_ctx *c, const ast_view *v)
{
    strbuf h = STRBUF_INIT;
    strbuf_append(&h, "features ");
    put_name(&h, v->name.text);
    strbuf_append(&h, " on ");
    put_name(&h, v->source.text);
    strbuf_append(&h, " by ");
    put_name(&h, v->entity.text);
    if (v->has_key_list || v->key_fields.len) {
        strbuf_append_char(&h, '(');
        for (int i = 0; i < v->key_fields.len; i++) {
            if (i)
                strbuf_append(&h, ", ");
            put_name(&h, ((const ast_name *)v->key_fields.items[i])->text);
        }
        strbuf_append_char(&h, ')');
    }
    size_t body = open_block(c, strbuf_cstr(&h), v->span);
    strbuf_free(&h);
    fmt_line *lines = calloc((size_t)v->members.len + 1, sizeof *lines);
    int n = 0;
    for (int i = 0; i < v->members.len; i++) {
        const ast_view_member *m = v->members.items[i];
        if (m->kind == AST_MEMBER_WHERE) {
            size_t at = m->where->span.begin;
            while (at > body && strncmp(c->src + at, "where", 5) != 0)
                at--;
            lines[n++] = member_line(c, at, m->where->span.end, "where ", NULL, "", expr_text(c, m->where));
        } else if (m->kind == AST_MEMBER_LET) {
            lines[n++] = member_line(c, m->let->span.begin, m->let->span.end, "let ", name_text(m->let->name.text),
                                     " = ", expr_text(c, m->let->value));
        } else {
            const ast_feature *f = m->feature;
            lines[n++] =
                member_line(c, f->span.begin, f->span.end, "", name_text(f->name.text), " = ", feature_text(c, f));
        }
    }
    qsort(lines, (size_t)n, sizeof *lines, by_first);
    mark_blank_lines(c, lines, n, body);
    put_block(c, lines, n, body, v->span.end);
    free(lines);
    close_block(c, v->span);
}

static void put_on_demand(fmt_ctx *c, const ast_on_demand *o)
{
    strbuf h = STRBUF_INIT;
    strbuf_append(&h, "on_demand ");
    put_name(&h, o->name.text);
    strbuf_append(&h, " (");
    for (int i = 0; i < o->inputs.len; i++) {
        if (i)
            strbuf_append(&h, ", ");
        put_name(&h, ((const ast_name *)o->inputs.items[i])->text);
    }
    strbuf_append_char(&h, ')');
    size_t body = open_block(c, strbuf_cstr(&h), o->span);
    strbuf_free(&h);
    fmt_line *lines = calloc((size_t)o->features.len + 1, sizeof *lines);
    int n = 0;
    for (int i = 0; i < o->features.len; i++) {
        const ast_let *l = o->features.items[i];
        lines[n++] =
            member_line(c, l->span.begin, l->span.end, "", name_text(l->name.text), " = ", expr_text(c, l->value));
    }
    mark_blank_lines(c, lines, n, body);
    put_block(c, lines, n, body, o->span.end);
    free(lines);
    close_block(c, o->span);
}

static void put_service(fmt_ctx *c, const ast_service *s)
{
    strbuf h = STRBUF_INIT;
    strbuf_append(&h, "service ");
    put_name(&h, s->name.text);
    if (s->request.text) {
        strbuf_append(&h, " (");
        put_name(&h, s->request.text);
        strbuf_append_char(&h, ')');
    }
    size_t body = open_block(c, strbuf_cstr(&h), s->span);
    strbuf_free(&h);
    fmt_line *lines = calloc((size_t)s->items.len + 1, sizeof *lines);
    int n = 0;
    for (int i = 0; i < s->items.len; i++) {
        const ast_service_item *it = s->items.items[i];
        strbuf t = STRBUF_INIT;
        put_name(&t, it->block.text);
        strbuf_append_char(&t, '.');
        if (it->star)
            strbuf_append_char(&t, '*');
        else
            put_name(&t, it->feature.text);
        lines[n++] = member_line(c, it->span.begin, it->span.end, "", NULL, "", strbuf_detach(&t));
    }
    mark_blank_lines(c, lines, n, body);
    put_block(c, lines, n, body, s->span.end);
    free(lines);
    close_block(c, s->span);
}

void fmt_file(const ast_file *file, const char *src, size_t len, strbuf *out)
{
    fmt_ctx c = {.src = src, .len = len, .out = out};
    find_comments(&c);
    size_t prev_end = 0;
    for (int i = 0; i < file->decls.len; i++) {
        const ast_decl *d = file->decls.items[i];
        src_span span = d->kind == AST_DECL_ENTITY      ? d->entity->span
                        : d->kind == AST_DECL_SOURCE    ? d->source->span
                        : d->kind == AST_DECL_VIEW      ? d->view->span
                        : d->kind == AST_DECL_ON_DEMAND ? d->on_demand->span
                                                        : d->service->span;
        if (i > 0 &&
            (d->kind != AST_DECL_ENTITY || ((const ast_decl *)file->decls.items[i - 1])->kind != AST_DECL_ENTITY ||
             blank_between(&c, prev_end, span.begin)))
            strbuf_append_char(out, '\n');
        put_leading_comments(&c, prev_end, span.begin, "");
        if (i == 0 && out->len > 0 && blank_between(&c, 0, span.begin))
            strbuf_append_char(out, '\n');
        switch (d->kind) {
        case AST_DECL_ENTITY: put_entity(&c, d->entity); break;
        case AST_DECL_SOURCE: put_source(&c, d->source); break;
        case AST_DECL_VIEW: put_view(&c, d->view); break;
        case AST_DECL_ON_DEMAND: put_on_demand(&c, d->on_demand); break;
        case AST_DECL_SERVICE: put_service(&c, d->service); break;
        }
        prev_end = span.end;
    }
    bool any = false;
    for (int i = 0; i < c.ncomments; i++)
        any |= !c.comments[i].used;
    if (any && out->len)
        strbuf_append_char(out, '\n');
    /* whatever is left: comments after the last declaration (or in places no member took) */
    for (int i = 0; i < c.ncomments; i++) {
        if (c.comments[i].used)
            continue;
        strbuf_append_n(out, src + c.comments[i].pos, c.comments[i].len);
        strbuf_append_char(out, '\n');
    }
    free(c.comments);
}
