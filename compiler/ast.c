/* ast.c - operator spellings and the readable dump of the syntax tree (--dump=ast). */
#include "ast.h"

#include <inttypes.h>
#include <string.h>

/* Deeper trees are cut short in the dump; the parser never builds them (PARSE_DEPTH_MAX). */
enum { AST_DUMP_DEPTH_MAX = 2000 };

const char *ast_op_text(ast_op op)
{
    switch (op) {
    case AST_OP_NONE: return "?";
    case AST_OP_OR: return "or";
    case AST_OP_AND: return "and";
    case AST_OP_NOT: return "not";
    case AST_OP_EQ: return "=";
    case AST_OP_NE: return "!=";
    case AST_OP_LT: return "<";
    case AST_OP_LE: return "<=";
    case AST_OP_GT: return ">";
    case AST_OP_GE: return ">=";
    case AST_OP_ADD: return "+";
    case AST_OP_SUB: return "-";
    case AST_OP_CONCAT: return "||";
    case AST_OP_MUL: return "*";
    case AST_OP_DIV: return "/";
    case AST_OP_MOD: return "%";
    case AST_OP_NEG: return "-";
    }
    return "?";
}

static void indent(FILE *out, int depth)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", out);
}

bool ast_is_reserved(const char *s)
{
    static const char *const words[] = {
        "entity", "stream", "table", "request", "features", "on_demand", "service", "on",
        "by", "where", "let", "over", "hop", "default", "ttl", "time", "seq", "lateness",
        "expect", "and", "or", "not", "is", "null", "in", "case", "when", "then", "else",
        "end", "true", "false", "arrival", "max_ahead", "unique", "none", "session"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(s, words[i]) == 0)
            return true;
    return false;
}

/* Writes bytes printably: \xNN for control bytes; everything else as is. */
static void put_bytes(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
}

/* A name as it would be written: in backticks unless it is a plain, unreserved identifier. */
static void put_name(FILE *out, ast_name n)
{
    const char *s = n.text ? n.text : "";
    bool plain = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_';
    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '_';
    if (plain && !ast_is_reserved(s)) {
        fputs(s, out);
        return;
    }
    fputc('`', out);
    put_bytes(out, s, strlen(s));
    fputc('`', out);
}

static void put_string(FILE *out, const char *s, size_t n)
{
    fputc('\'', out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            fputs("''", out);
        else
            put_bytes(out, s + i, 1);
    }
    fputc('\'', out);
}

static void dump_expr(const ast_expr *e, FILE *out, int depth);

static void dump_child(const char *label, const ast_expr *e, FILE *out, int depth)
{
    indent(out, depth);
    fprintf(out, "%s\n", label);
    dump_expr(e, out, depth + 1);
}

/* One node per line, children indented below it. */
static void dump_expr(const ast_expr *e, FILE *out, int depth)
{
    indent(out, depth);
    if (!e) {
        fputs("<none>\n", out);
        return;
    }
    if (depth > AST_DUMP_DEPTH_MAX) {
        fputs("...\n", out);
        return;
    }
    switch (e->kind) {
    case AST_INT:
        fprintf(out, "int %" PRId64 "\n", e->int_value);
        return;
    case AST_FLOAT:
        fprintf(out, "float %.17g\n", e->float_value);
        return;
    case AST_STRING:
        fputs("string ", out);
        put_string(out, e->str, e->str_len);
        fputc('\n', out);
        return;
    case AST_BOOL:
        fputs(e->bool_value ? "bool true\n" : "bool false\n", out);
        return;
    case AST_NULL:
        fputs("null\n", out);
        return;
    case AST_DURATION:
        fprintf(out, "duration %" PRId64 "us\n", e->int_value);
        return;
    case AST_NAME:
        fputs("name ", out);
        put_name(out, e->name);
        fputc('\n', out);
        return;
    case AST_DOT:
        fputs("dot ", out);
        put_name(out, e->qualifier);
        fputc('.', out);
        put_name(out, e->name);
        fputc('\n', out);
        return;
    case AST_UNARY:
        fprintf(out, "unary %s\n", ast_op_text(e->op));
        dump_expr(e->lhs, out, depth + 1);
        return;
    case AST_BINARY:
        fprintf(out, "binary %s\n", ast_op_text(e->op));
        dump_expr(e->lhs, out, depth + 1);
        dump_expr(e->rhs, out, depth + 1);
        return;
    case AST_IS_NULL:
        fputs(e->negated ? "is not null\n" : "is null\n", out);
        dump_expr(e->lhs, out, depth + 1);
        return;
    case AST_IN:
        fputs(e->negated ? "not in\n" : "in\n", out);
        dump_expr(e->lhs, out, depth + 1);
        indent(out, depth + 1);
        fputs("list\n", out);
        for (int i = 0; i < e->args.len; i++)
            dump_expr(e->args.items[i], out, depth + 2);
        return;
    case AST_CASE:
        fputs("case\n", out);
        for (int i = 0; i + 1 < e->args.len; i += 2) {
            dump_child("when", e->args.items[i], out, depth + 1);
            dump_child("then", e->args.items[i + 1], out, depth + 1);
        }
        if (e->rhs)
            dump_child("else", e->rhs, out, depth + 1);
        return;
    case AST_CALL:
        fputs("call ", out);
        put_name(out, e->name);
        fputs(e->args.len ? "\n" : "()\n", out);
        for (int i = 0; i < e->args.len; i++)
            dump_expr(e->args.items[i], out, depth + 1);
        return;
    }
    fputs("<bad expression>\n", out);
}

static void dump_field(const char *what, const ast_field *f, FILE *out, int depth)
{
    indent(out, depth);
    fprintf(out, "%s ", what);
    put_name(out, f->name);
    fputs(": ", out);
    put_name(out, f->type_name);
    fputs(f->not_null ? " not null\n" : "\n", out);
}

static void dump_name_line(const char *what, const ast_name *n, FILE *out, int depth)
{
    indent(out, depth);
    fprintf(out, "%s ", what);
    put_name(out, *n);
    fputc('\n', out);
}

static void dump_names(const ptrvec *v, FILE *out)
{
    for (int i = 0; i < v->len; i++) {
        if (i)
            fputs(", ", out);
        put_name(out, *(const ast_name *)v->items[i]);
    }
}

static void dump_source(const ast_source *s, FILE *out)
{
    static const char *const kinds[] = {"stream", "table", "request"};
    fprintf(out, "%s ", kinds[s->kind]);
    put_name(out, s->name);
    fputc('\n', out);
    for (int i = 0; i < s->fields.len; i++)
        dump_field("field", s->fields.items[i], out, 1);
    for (int i = 0; i < s->times.len; i++)
        dump_name_line("time", s->times.items[i], out, 1);
    for (int i = 0; i < s->seqs.len; i++)
        dump_name_line("seq", s->seqs.items[i], out, 1);
    for (int i = 0; i < s->latenesses.len; i++) {
        const ast_expr *e = s->latenesses.items[i];
        indent(out, 1);
        fprintf(out, "lateness %" PRId64 "us\n", e->int_value);
    }
    for (int i = 0; i < s->arrivals.len; i++)
        dump_name_line("arrival", s->arrivals.items[i], out, 1);
    for (int i = 0; i < s->max_aheads.len; i++) {
        const ast_expr *e = s->max_aheads.items[i];
        indent(out, 1);
        if (e->kind == AST_NULL)
            fputs("max_ahead none\n", out);
        else
            fprintf(out, "max_ahead %" PRId64 "us\n", e->int_value);
    }
    for (int i = 0; i < s->uniques.len; i++)
        dump_name_line("unique", s->uniques.items[i], out, 1);
    for (int i = 0; i < s->expects.len; i++)
        dump_child("expect", s->expects.items[i], out, 1);
    for (int i = 0; i < s->tables.len; i++) {
        const ast_expr *e = s->tables.items[i];
        indent(out, 1);
        fputs("table ", out);
        put_string(out, e->str, e->str_len);
        fputc('\n', out);
    }
}

static void dump_feature(const ast_feature *f, FILE *out)
{
    indent(out, 1);
    fputs("feature ", out);
    put_name(out, f->name);
    fputc('\n', out);
    dump_expr(f->value, out, 2);
    if (f->over) {
        indent(out, 2);
        fprintf(out, "over %" PRId64 "us\n", f->over->int_value);
    }
    if (f->hop) {
        indent(out, 2);
        fprintf(out, "hop %" PRId64 "us\n", f->hop->int_value);
    }
    if (f->where)
        dump_child("where", f->where, out, 2);
    if (f->ttl) {
        indent(out, 2);
        fprintf(out, "ttl %" PRId64 "us\n", f->ttl->int_value);
    }
    if (f->dflt)
        dump_child("default", f->dflt, out, 2);
}

static void dump_view(const ast_view *v, FILE *out)
{
    fputs("view ", out);
    put_name(out, v->name);
    fputs(" on ", out);
    put_name(out, v->source);
    fputs(" by ", out);
    put_name(out, v->entity);
    if (v->has_key_list) {
        fputc('(', out);
        dump_names(&v->key_fields, out);
        fputc(')', out);
    }
    fputc('\n', out);
    for (int i = 0; i < v->members.len; i++) {
        const ast_view_member *m = v->members.items[i];
        switch (m->kind) {
        case AST_MEMBER_WHERE:
            dump_child("where", m->where, out, 1);
            break;
        case AST_MEMBER_LET:
            indent(out, 1);
            fputs("let ", out);
            put_name(out, m->let->name);
            fputc('\n', out);
            dump_expr(m->let->value, out, 2);
            break;
        case AST_MEMBER_FEATURE:
            dump_feature(m->feature, out);
            break;
        }
    }
}

static void dump_on_demand(const ast_on_demand *o, FILE *out)
{
    fputs("on_demand ", out);
    put_name(out, o->name);
    fputs(" (", out);
    dump_names(&o->inputs, out);
    fputs(")\n", out);
    for (int i = 0; i < o->features.len; i++) {
        const ast_let *l = o->features.items[i];
        indent(out, 1);
        fputs("feature ", out);
        put_name(out, l->name);
        fputc('\n', out);
        dump_expr(l->value, out, 2);
    }
}

static void dump_service(const ast_service *s, FILE *out)
{
    fputs("service ", out);
    put_name(out, s->name);
    if (s->request.text) {
        fputs(" (", out);
        put_name(out, s->request);
        fputc(')', out);
    }
    fputc('\n', out);
    for (int i = 0; i < s->items.len; i++) {
        const ast_service_item *it = s->items.items[i];
        indent(out, 1);
        fputs("item ", out);
        put_name(out, it->block);
        fputc('.', out);
        if (it->star)
            fputc('*', out);
        else
            put_name(out, it->feature);
        fputc('\n', out);
    }
}

void ast_dump(const ast_file *file, FILE *out)
{
    for (int i = 0; i < file->decls.len; i++) {
        const ast_decl *d = file->decls.items[i];
        switch (d->kind) {
        case AST_DECL_ENTITY:
            fputs("entity ", out);
            put_name(out, d->entity->name);
            fputc('\n', out);
            for (int k = 0; k < d->entity->keys.len; k++)
                dump_field("key", d->entity->keys.items[k], out, 1);
            break;
        case AST_DECL_SOURCE:
            dump_source(d->source, out);
            break;
        case AST_DECL_VIEW:
            dump_view(d->view, out);
            break;
        case AST_DECL_ON_DEMAND:
            dump_on_demand(d->on_demand, out);
            break;
        case AST_DECL_SERVICE:
            dump_service(d->service, out);
            break;
        }
    }
}
