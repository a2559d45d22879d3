/* test_parser.c - the flex/bison front end: trees built, precedence, newlines, error messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ast.h"
#include "diag.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One parse: the arena, the diagnostics and the tree. The source is copied into a buffer
 * of exactly its length (no terminating NUL) so that over-reads are caught by ASan. */
typedef struct parsed {
    arena mem;
    diag_ctx d;
    char *buf;
    ast_file *file;
} parsed;

static parsed *parse_n(const char *src, size_t len)
{
    parsed *p = calloc(1, sizeof *p);
    assert_non_null(p);
    arena_init(&p->mem);
    p->buf = malloc(len ? len : 1);
    assert_non_null(p->buf);
    memcpy(p->buf, src, len);
    diag_init(&p->d, &p->mem, "t.feat", p->buf, len);
    p->d.limit = 0;
    p->file = parse_source(&p->mem, &p->d, p->buf, len);
    assert_non_null(p->file);
    return p;
}

static parsed *parse(const char *src) { return parse_n(src, strlen(src)); }

static void done(parsed *p)
{
    arena_free(&p->mem);
    free(p->buf);
    free(p);
}

/* Asserts that some error contains `text`; returns it. */
static const diag_item *find_err(const parsed *p, const char *text)
{
    for (int i = 0; i < p->d.items.len; i++) {
        const diag_item *it = p->d.items.items[i];
        if (strstr(it->message, text))
            return it;
    }
    fprintf(stderr, "no error containing \"%s\"; errors are:\n", text);
    for (int i = 0; i < p->d.items.len; i++)
        fprintf(stderr, "  %s\n", ((const diag_item *)p->d.items.items[i])->message);
    fail();
    return NULL;
}

static void assert_at(const parsed *p, const diag_item *it, int line, int col)
{
    int l, c;
    diag_line_col(&p->d, it->span.begin, &l, &c);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
}

static void show_errors(const parsed *p)
{
    for (int i = 0; i < p->d.items.len; i++) {
        const diag_item *it = p->d.items.items[i];
        int l, c;
        diag_line_col(&p->d, it->span.begin, &l, &c);
        fprintf(stderr, "  %d:%d: %s\n", l, c, it->message);
    }
}

static void assert_clean(const parsed *p)
{
    if (p->d.items.len)
        show_errors(p);
    assert_int_equal(diag_count(&p->d), 0);
}

static void assert_errors(const parsed *p, int n)
{
    if (p->d.items.len != n)
        show_errors(p);
    assert_int_equal(diag_count(&p->d), n);
}

static const ast_decl *decl(const parsed *p, int i)
{
    assert_true(i < p->file->decls.len);
    return p->file->decls.items[i];
}

/* The spec's §4 example, without its comments. */
static const char spec_example[] =
    "entity card (card_id: string)\n"
    "\n"
    "stream transactions {\n"
    "    card_id     : string not null\n"
    "    merchant_id : string\n"
    "    amount      : float\n"
    "    country     : string\n"
    "    offset      : int\n"
    "    ts          : timestamp not null\n"
    "    time ts\n"
    "    seq  offset\n"
    "    lateness 10s\n"
    "    expect amount >= 0\n"
    "    table 'raw.transactions'\n"
    "}\n"
    "\n"
    "table customers {\n"
    "    card_id      : string not null\n"
    "    segment      : string\n"
    "    credit_limit : float\n"
    "    updated_at   : timestamp not null\n"
    "    time updated_at\n"
    "}\n"
    "\n"
    "request checkout {\n"
    "    card_id : string not null\n"
    "    amount  : float\n"
    "    lat     : float\n"
    "    lon     : float\n"
    "}\n"
    "\n"
    "features card_activity on transactions by card {\n"
    "    where amount > 0\n"
    "    let big = amount > 1000\n"
    "    txn_count_10m  = count() over 10m\n"
    "    amount_sum_1h  = sum(amount) over 1h default 0\n"
    "    amount_avg_30d = avg(amount) over 30d hop 1d\n"
    "    big_count_1d   = count() over 1d where big\n"
    "    max_amount_1d  = max(amount) over 1d\n"
    "    last_country   = last(country)\n"
    "    last_txn_at    = last(ts)\n"
    "}\n"
    "\n"
    "features card_profile on customers by card {\n"
    "    segment      = last(segment)\n"
    "    credit_limit = last(credit_limit) ttl 90d\n"
    "}\n"
    "\n"
    "on_demand checkout_risk (checkout, card_activity, card_profile) {\n"
    "    amount_ratio     = checkout.amount / card_activity.amount_avg_30d\n"
    "    over_limit       = checkout.amount > card_profile.credit_limit\n"
    "    secs_since_last  = seconds_between(card_activity.last_txn_at, now())\n"
    "    cell             = geohash(checkout.lat, checkout.lon, 5)\n"
    "}\n"
    "\n"
    "service fraud_v1 (checkout) {\n"
    "    card_activity.txn_count_10m\n"
    "    card_activity.amount_sum_1h\n"
    "    card_profile.segment\n"
    "    checkout_risk.*\n"
    "}\n";

#define US_S INT64_C(1000000)
#define US_M (60 * US_S)
#define US_H (60 * US_M)
#define US_D (24 * US_H)

static void assert_field(const ast_field *f, const char *name, const char *type, bool not_null)
{
    assert_string_equal(f->name.text, name);
    assert_string_equal(f->type_name.text, type);
    assert_int_equal(f->not_null, not_null);
}

static void assert_name_expr(const ast_expr *e, const char *name)
{
    assert_non_null(e);
    assert_int_equal(e->kind, AST_NAME);
    assert_string_equal(e->name.text, name);
}

static void assert_int_expr(const ast_expr *e, int64_t v)
{
    assert_non_null(e);
    assert_int_equal(e->kind, AST_INT);
    assert_true(e->int_value == v);
}

static void assert_dot(const ast_expr *e, const char *q, const char *n)
{
    assert_non_null(e);
    assert_int_equal(e->kind, AST_DOT);
    assert_string_equal(e->qualifier.text, q);
    assert_string_equal(e->name.text, n);
}

static void assert_call(const ast_expr *e, const char *fn, int nargs)
{
    assert_non_null(e);
    assert_int_equal(e->kind, AST_CALL);
    assert_string_equal(e->name.text, fn);
    assert_int_equal(e->args.len, nargs);
}

static void assert_binary(const ast_expr *e, ast_op op)
{
    assert_non_null(e);
    assert_int_equal(e->kind, AST_BINARY);
    assert_int_equal(e->op, op);
}

static const ast_feature *feature_at(const ast_view *v, int i)
{
    const ast_view_member *m = v->members.items[i];
    assert_int_equal(m->kind, AST_MEMBER_FEATURE);
    return m->feature;
}

static void test_spec_example(void **state)
{
    (void)state;
    parsed *p = parse(spec_example);
    assert_clean(p);
    assert_int_equal(p->file->decls.len, 8);

    const ast_decl *d = decl(p, 0);
    assert_int_equal(d->kind, AST_DECL_ENTITY);
    assert_string_equal(d->entity->name.text, "card");
    assert_int_equal(d->entity->keys.len, 1);
    assert_field(d->entity->keys.items[0], "card_id", "string", false);

    d = decl(p, 1);
    assert_int_equal(d->kind, AST_DECL_SOURCE);
    const ast_source *s = d->source;
    assert_int_equal(s->kind, AST_STREAM);
    assert_string_equal(s->name.text, "transactions");
    assert_int_equal(s->fields.len, 6);
    assert_field(s->fields.items[0], "card_id", "string", true);
    assert_field(s->fields.items[1], "merchant_id", "string", false);
    assert_field(s->fields.items[4], "offset", "int", false);
    assert_field(s->fields.items[5], "ts", "timestamp", true);
    assert_int_equal(s->times.len, 1);
    assert_string_equal(((ast_name *)s->times.items[0])->text, "ts");
    assert_int_equal(s->seqs.len, 1);
    assert_string_equal(((ast_name *)s->seqs.items[0])->text, "offset");
    assert_int_equal(s->latenesses.len, 1);
    const ast_expr *late = s->latenesses.items[0];
    assert_int_equal(late->kind, AST_DURATION);
    assert_true(late->int_value == 10 * US_S);
    assert_int_equal(s->expects.len, 1);
    const ast_expr *ex = s->expects.items[0];
    assert_binary(ex, AST_OP_GE);
    assert_name_expr(ex->lhs, "amount");
    assert_int_expr(ex->rhs, 0);
    assert_int_equal(s->tables.len, 1);
    const ast_expr *tab = s->tables.items[0];
    assert_int_equal(tab->kind, AST_STRING);
    assert_int_equal(tab->str_len, strlen("raw.transactions"));
    assert_string_equal(tab->str, "raw.transactions");

    d = decl(p, 2);
    assert_int_equal(d->source->kind, AST_TABLE);
    assert_string_equal(d->source->name.text, "customers");
    assert_int_equal(d->source->fields.len, 4);
    assert_int_equal(d->source->times.len, 1);
    assert_string_equal(((ast_name *)d->source->times.items[0])->text, "updated_at");
    assert_int_equal(d->source->tables.len, 0);

    d = decl(p, 3);
    assert_int_equal(d->source->kind, AST_REQUEST);
    assert_int_equal(d->source->fields.len, 4);
    assert_int_equal(d->source->times.len, 0);
    assert_field(d->source->fields.items[3], "lon", "float", false);

    d = decl(p, 4);
    assert_int_equal(d->kind, AST_DECL_VIEW);
    const ast_view *v = d->view;
    assert_string_equal(v->name.text, "card_activity");
    assert_string_equal(v->source.text, "transactions");
    assert_string_equal(v->entity.text, "card");
    assert_false(v->has_key_list);
    assert_int_equal(v->key_fields.len, 0);
    assert_int_equal(v->members.len, 9);
    const ast_view_member *m = v->members.items[0];
    assert_int_equal(m->kind, AST_MEMBER_WHERE);
    assert_binary(m->where, AST_OP_GT);
    m = v->members.items[1];
    assert_int_equal(m->kind, AST_MEMBER_LET);
    assert_string_equal(m->let->name.text, "big");
    assert_binary(m->let->value, AST_OP_GT);
    assert_int_expr(m->let->value->rhs, 1000);

    const ast_feature *f = feature_at(v, 2);
    assert_string_equal(f->name.text, "txn_count_10m");
    assert_call(f->value, "count", 0);
    assert_true(f->over->int_value == 10 * US_M);
    assert_null(f->hop);
    assert_null(f->where);
    assert_null(f->ttl);
    assert_null(f->dflt);

    f = feature_at(v, 3);
    assert_string_equal(f->name.text, "amount_sum_1h");
    assert_call(f->value, "sum", 1);
    assert_name_expr(f->value->args.items[0], "amount");
    assert_true(f->over->int_value == US_H);
    assert_int_expr(f->dflt, 0);

    f = feature_at(v, 4);
    assert_true(f->over->int_value == 30 * US_D);
    assert_true(f->hop->int_value == US_D);

    f = feature_at(v, 5);
    assert_string_equal(f->name.text, "big_count_1d");
    assert_true(f->over->int_value == US_D);
    assert_name_expr(f->where, "big");

    f = feature_at(v, 7);
    assert_string_equal(f->name.text, "last_country");
    assert_null(f->over);
    assert_call(f->value, "last", 1);

    v = decl(p, 5)->view;
    assert_string_equal(v->source.text, "customers");
    assert_int_equal(v->members.len, 2);
    f = feature_at(v, 1);
    assert_string_equal(f->name.text, "credit_limit");
    assert_true(f->ttl->int_value == 90 * US_D);
    assert_null(f->over);

    d = decl(p, 6);
    assert_int_equal(d->kind, AST_DECL_ON_DEMAND);
    const ast_on_demand *o = d->on_demand;
    assert_string_equal(o->name.text, "checkout_risk");
    assert_int_equal(o->inputs.len, 3);
    assert_string_equal(((ast_name *)o->inputs.items[0])->text, "checkout");
    assert_string_equal(((ast_name *)o->inputs.items[2])->text, "card_profile");
    assert_int_equal(o->features.len, 4);
    const ast_let *l = o->features.items[0];
    assert_string_equal(l->name.text, "amount_ratio");
    assert_binary(l->value, AST_OP_DIV);
    assert_dot(l->value->lhs, "checkout", "amount");
    assert_dot(l->value->rhs, "card_activity", "amount_avg_30d");
    l = o->features.items[2];
    assert_call(l->value, "seconds_between", 2);
    assert_dot(l->value->args.items[0], "card_activity", "last_txn_at");
    assert_call(l->value->args.items[1], "now", 0);
    l = o->features.items[3];
    assert_call(l->value, "geohash", 3);
    assert_int_expr(l->value->args.items[2], 5);

    d = decl(p, 7);
    assert_int_equal(d->kind, AST_DECL_SERVICE);
    const ast_service *sv = d->service;
    assert_string_equal(sv->name.text, "fraud_v1");
    assert_string_equal(sv->request.text, "checkout");
    assert_int_equal(sv->items.len, 4);
    const ast_service_item *it = sv->items.items[0];
    assert_string_equal(it->block.text, "card_activity");
    assert_string_equal(it->feature.text, "txn_count_10m");
    assert_false(it->star);
    it = sv->items.items[3];
    assert_string_equal(it->block.text, "checkout_risk");
    assert_true(it->star);
    done(p);
}

/* Spans are byte ranges of the source. */
static void test_spans(void **state)
{
    (void)state;
    parsed *p = parse(spec_example);
    assert_clean(p);
    const ast_source *s = decl(p, 1)->source;
    const ast_expr *ex = s->expects.items[0];
    size_t at = (size_t)(strstr(spec_example, "amount >= 0") - spec_example);
    assert_int_equal(ex->span.begin, at);
    assert_int_equal(ex->span.end, at + strlen("amount >= 0"));
    assert_int_equal(ex->rhs->span.begin, at + strlen("amount >= "));
    const ast_view *v = decl(p, 4)->view;
    const ast_feature *f = feature_at(v, 3);
    at = (size_t)(strstr(spec_example, "amount_sum_1h  =") - spec_example);
    assert_int_equal(f->name.span.begin, at);
    assert_int_equal(f->name.span.end, at + strlen("amount_sum_1h"));
    assert_int_equal(f->span.begin, at);
    assert_int_equal(f->span.end, at + strlen("amount_sum_1h  = sum(amount) over 1h default 0"));
    const ast_service *sv = decl(p, 7)->service;
    assert_int_equal(sv->span.begin, (size_t)(strstr(spec_example, "service") - spec_example));
    assert_int_equal(sv->span.end, sizeof spec_example - 2); /* the last '}' */
    done(p);
}

/* Parses `expect TEXT` in a stream and returns the expression; asserts no error. */
static const ast_expr *expr_of(parsed **out, const char *text)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "stream s {\n    expect %s\n}\n", text);
    parsed *p = parse(buf);
    assert_clean(p);
    const ast_source *s = decl(p, 0)->source;
    assert_int_equal(s->expects.len, 1);
    *out = p;
    return s->expects.items[0];
}

static void test_precedence(void **state)
{
    (void)state;
    parsed *p;
    const ast_expr *e;

    e = expr_of(&p, "a or b and c");
    assert_binary(e, AST_OP_OR);
    assert_name_expr(e->lhs, "a");
    assert_binary(e->rhs, AST_OP_AND);
    done(p);

    e = expr_of(&p, "a and b or c");
    assert_binary(e, AST_OP_OR);
    assert_binary(e->lhs, AST_OP_AND);
    done(p);

    e = expr_of(&p, "not a = b and c");
    assert_binary(e, AST_OP_AND);
    assert_int_equal(e->lhs->kind, AST_UNARY);
    assert_int_equal(e->lhs->op, AST_OP_NOT);
    assert_binary(e->lhs->lhs, AST_OP_EQ);
    done(p);

    e = expr_of(&p, "a + b * c");
    assert_binary(e, AST_OP_ADD);
    assert_binary(e->rhs, AST_OP_MUL);
    done(p);

    e = expr_of(&p, "a - b - c");
    assert_binary(e, AST_OP_SUB);
    assert_binary(e->lhs, AST_OP_SUB);
    assert_name_expr(e->rhs, "c");
    done(p);

    e = expr_of(&p, "a || b + c");
    assert_binary(e, AST_OP_ADD);
    assert_binary(e->lhs, AST_OP_CONCAT);
    done(p);

    e = expr_of(&p, "a / b % c * d");
    assert_binary(e, AST_OP_MUL);
    assert_binary(e->lhs, AST_OP_MOD);
    assert_binary(e->lhs->lhs, AST_OP_DIV);
    done(p);

    e = expr_of(&p, "-a * b");
    assert_binary(e, AST_OP_MUL);
    assert_int_equal(e->lhs->kind, AST_UNARY);
    assert_int_equal(e->lhs->op, AST_OP_NEG);
    done(p);

    e = expr_of(&p, "- - 5");
    assert_int_equal(e->kind, AST_UNARY);
    assert_int_equal(e->lhs->kind, AST_UNARY);
    assert_int_expr(e->lhs->lhs, 5);
    done(p);

    e = expr_of(&p, "a + 1 >= b * 2");
    assert_binary(e, AST_OP_GE);
    assert_binary(e->lhs, AST_OP_ADD);
    assert_binary(e->rhs, AST_OP_MUL);
    done(p);

    e = expr_of(&p, "a is not null and b is null");
    assert_binary(e, AST_OP_AND);
    assert_int_equal(e->lhs->kind, AST_IS_NULL);
    assert_true(e->lhs->negated);
    assert_int_equal(e->rhs->kind, AST_IS_NULL);
    assert_false(e->rhs->negated);
    done(p);

    e = expr_of(&p, "x + 1 not in (1, 2, 3)");
    assert_int_equal(e->kind, AST_IN);
    assert_true(e->negated);
    assert_binary(e->lhs, AST_OP_ADD);
    assert_int_equal(e->args.len, 3);
    done(p);

    e = expr_of(&p, "x in ('a')");
    assert_int_equal(e->kind, AST_IN);
    assert_false(e->negated);
    assert_int_equal(e->args.len, 1);
    done(p);

    /* `not` followed by something other than `in` stays a prefix operator */
    e = expr_of(&p, "a = 1 and not b");
    assert_binary(e, AST_OP_AND);
    assert_int_equal(e->rhs->kind, AST_UNARY);
    done(p);

    e = expr_of(&p, "(a = b) = c");
    assert_binary(e, AST_OP_EQ);
    assert_binary(e->lhs, AST_OP_EQ);
    assert_true(e->lhs->parenthesized);
    assert_false(e->parenthesized);
    done(p);

    e = expr_of(&p, "(a + b) * c");
    assert_binary(e, AST_OP_MUL);
    assert_binary(e->lhs, AST_OP_ADD);
    assert_int_equal(e->lhs->span.end - e->lhs->span.begin, strlen("(a + b)"));
    done(p);

    e = expr_of(&p, "case when a then 1 when b then 2 else 3 end");
    assert_int_equal(e->kind, AST_CASE);
    assert_int_equal(e->args.len, 4);
    assert_name_expr(e->args.items[0], "a");
    assert_int_expr(e->args.items[3], 2);
    assert_int_expr(e->rhs, 3);
    done(p);

    e = expr_of(&p, "case when a > 1 then 'x' end");
    assert_int_equal(e->kind, AST_CASE);
    assert_int_equal(e->args.len, 2);
    assert_null(e->rhs);
    done(p);

    e = expr_of(&p, "if(a, b, c) = 1");
    assert_binary(e, AST_OP_EQ);
    assert_call(e->lhs, "if", 3);
    done(p);
}

static void test_literals(void **state)
{
    (void)state;
    parsed *p;
    const ast_expr *e;

    e = expr_of(&p, "-9223372036854775808");
    assert_int_expr(e, INT64_MIN);
    done(p);
    e = expr_of(&p, "1 - -9223372036854775808");
    assert_binary(e, AST_OP_SUB);
    assert_int_expr(e->rhs, INT64_MIN);
    done(p);
    e = expr_of(&p, "9223372036854775807");
    assert_int_expr(e, INT64_MAX);
    done(p);

    static const struct { const char *text; int64_t us; } durs[] = {
        {"250ms", 250000}, {"2s", 2 * US_S}, {"3m", 3 * US_M}, {"4h", 4 * US_H},
        {"5d", 5 * US_D}, {"0s", 0}, {"106751d", 106751 * US_D},
    };
    for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++) {
        e = expr_of(&p, durs[i].text);
        assert_int_equal(e->kind, AST_DURATION);
        assert_true(e->int_value == durs[i].us);
        done(p);
    }

    static const struct { const char *text; double v; } floats[] = {
        {"1.5", 1.5}, {"2e-3", 2e-3}, {"1E3", 1000.0}, {"0.25e+2", 25.0}, {"007.5", 7.5},
    };
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        e = expr_of(&p, floats[i].text);
        assert_int_equal(e->kind, AST_FLOAT);
        assert_true(e->float_value == floats[i].v);
        done(p);
    }

    e = expr_of(&p, "'it''s'");
    assert_int_equal(e->kind, AST_STRING);
    assert_int_equal(e->str_len, 4);
    assert_memory_equal(e->str, "it's", 4);
    done(p);
    e = expr_of(&p, "''");
    assert_int_equal(e->kind, AST_STRING);
    assert_int_equal(e->str_len, 0);
    done(p);
    e = expr_of(&p, "'caf\xc3\xa9 \xe2\x82\xac # not a comment'");
    assert_int_equal(e->kind, AST_STRING);
    assert_string_equal(e->str, "caf\xc3\xa9 \xe2\x82\xac # not a comment");
    done(p);
    e = expr_of(&p, "true and false or null");
    assert_int_equal(e->lhs->lhs->kind, AST_BOOL);
    assert_true(e->lhs->lhs->bool_value);
    assert_int_equal(e->lhs->rhs->kind, AST_BOOL);
    assert_false(e->lhs->rhs->bool_value);
    assert_int_equal(e->rhs->kind, AST_NULL);
    done(p);

    /* default values: numbers may be negated and are folded into the literal */
    p = parse("entity e (k: int)\nstream s { k : int\n ts : timestamp\n time ts }\n"
              "features v on s by e {\n"
              "  a = sum(k) default -3\n"
              "  b = avg(k) default -2.5\n"
              "  c = last(k) default -9223372036854775808\n"
              "  d = last(k) default 'x'\n"
              "  f = last(k) default null\n"
              "}\n");
    assert_clean(p);
    const ast_view *v = decl(p, 2)->view;
    assert_int_expr(feature_at(v, 0)->dflt, -3);
    assert_int_equal(feature_at(v, 1)->dflt->kind, AST_FLOAT);
    assert_true(feature_at(v, 1)->dflt->float_value == -2.5);
    assert_int_expr(feature_at(v, 2)->dflt, INT64_MIN);
    assert_int_equal(feature_at(v, 3)->dflt->kind, AST_STRING);
    assert_int_equal(feature_at(v, 4)->dflt->kind, AST_NULL);
    done(p);
}

static void test_names(void **state)
{
    (void)state;
    parsed *p = parse("stream `stream` {\n"
                      "    `time` : timestamp not null\n"
                      "    `order id` : int\n"
                      "    `caf\xc3\xa9` : string\n"
                      "    Int : Int\n"
                      "    time `time`\n"
                      "}\n"
                      "features f on `stream` by e(`order id`, x) {\n"
                      "    `where` = count()\n"
                      "}\n"
                      "service s { f.`where` }\n");
    assert_clean(p);
    const ast_source *s = decl(p, 0)->source;
    assert_string_equal(s->name.text, "stream");
    assert_field(s->fields.items[0], "time", "timestamp", true);
    assert_field(s->fields.items[1], "order id", "int", false);
    assert_field(s->fields.items[2], "caf\xc3\xa9", "string", false);
    assert_field(s->fields.items[3], "Int", "Int", false);
    assert_string_equal(((ast_name *)s->times.items[0])->text, "time");
    /* the name's span covers the backticks */
    assert_int_equal(((ast_name *)s->times.items[0])->span.end -
                         ((ast_name *)s->times.items[0])->span.begin,
                     strlen("`time`"));
    const ast_view *v = decl(p, 1)->view;
    assert_true(v->has_key_list);
    assert_int_equal(v->key_fields.len, 2);
    assert_string_equal(((ast_name *)v->key_fields.items[0])->text, "order id");
    assert_string_equal(feature_at(v, 0)->name.text, "where");
    const ast_service *sv = decl(p, 2)->service;
    assert_null(sv->request.text);
    assert_string_equal(((ast_service_item *)sv->items.items[0])->feature.text, "where");
    done(p);

    p = parse("features f on s by e() {\n}\n");
    assert_clean(p);
    assert_true(decl(p, 0)->view->has_key_list);
    assert_int_equal(decl(p, 0)->view->key_fields.len, 0);
    done(p);
}

/* Inside { } a newline ends a member, except within ( ) or case ... end. */
static void test_newlines(void **state)
{
    (void)state;
    parsed *p = parse("entity e (k: string)\n"
                      "stream s {\n"
                      "\n"
                      "    # a comment line\n"
                      "    k : string   # trailing comment\n"
                      "\n"
                      "    ts : timestamp\n"
                      "    time ts\n"
                      "}\n"
                      "features\n"
                      "  v on s\n"
                      "  by e\n"
                      "{\n"
                      "    x = sum(\n"
                      "        k\n"
                      "    ) over 1h\n"
                      "    y = last(case\n"
                      "            when k = 'a' then 1\n"
                      "            when k = 'b'\n"
                      "              then 2\n"
                      "            else 3\n"
                      "        end)\n"
                      "    z = last(k)\n"
                      "    w = last(k in ('a',\n"
                      "                   'b'))\n"
                      "    u = last(k not\n"
                      "             in ('a'))\n"
                      "}\n"
                      "service one { v.x }\n"
                      "service nothing {}\n"
                      "service crlf {\r\n    v.y\r\n\r\n    v.z\r\n}\r\n");
    assert_clean(p);
    assert_int_equal(p->file->decls.len, 6);
    const ast_source *s = decl(p, 1)->source;
    assert_int_equal(s->fields.len, 2);
    const ast_view *v = decl(p, 2)->view;
    assert_int_equal(v->members.len, 5);
    const ast_feature *f = feature_at(v, 0);
    assert_call(f->value, "sum", 1);
    assert_true(f->over->int_value == US_H);
    f = feature_at(v, 1);
    assert_call(f->value, "last", 1);
    const ast_expr *c = f->value->args.items[0];
    assert_int_equal(c->kind, AST_CASE);
    assert_int_equal(c->args.len, 4);
    assert_int_expr(c->rhs, 3);
    assert_int_equal(((ast_expr *)feature_at(v, 3)->value->args.items[0])->args.len, 2);
    c = feature_at(v, 4)->value->args.items[0];
    assert_int_equal(c->kind, AST_IN);
    assert_true(c->negated);
    assert_int_equal(decl(p, 3)->service->items.len, 1);
    assert_int_equal(decl(p, 4)->service->items.len, 0);
    assert_int_equal(decl(p, 5)->service->items.len, 2);
    done(p);

    /* A newline outside parentheses ends the member, even mid-expression. */
    p = parse("stream s {\n    expect a +\n        b\n}\n");
    assert_errors(p, 2);
    assert_at(p, find_err(p, "unexpected end of line, expected an expression"), 2, 15);
    assert_at(p, find_err(p, "unexpected end of line, expected ':'"), 3, 10);
    done(p);

    /* Two members on one line are an error. */
    p = parse("stream s { a : int b : int }\n");
    assert_errors(p, 1);
    assert_at(p, find_err(p, "unexpected name 'b'"), 1, 20);
    done(p);
}

static void test_empty_inputs(void **state)
{
    (void)state;
    static const char bytes[] = "#\x00\xff bytes in a comment\n# \x01";
    const char *clean[] = {"", "\n\n", "# only a comment", "   \t\r\n# c\n  ", bytes};
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
        size_t n = clean[i] == bytes ? sizeof bytes - 1 : strlen(clean[i]);
        parsed *p = parse_n(clean[i], n);
        assert_clean(p);
        assert_int_equal(p->file->decls.len, 0);
        done(p);
    }
    /* a byte order mark is skipped at the start, and only there */
    parsed *p = parse("\xef\xbb\xbf" "entity e (k: int)\n");
    assert_clean(p);
    assert_int_equal(p->file->decls.len, 1);
    done(p);
    p = parse("entity e (k: int)\n\xef\xbb\xbf");
    assert_errors(p, 1);
    find_err(p, "unexpected character U+FEFF");
    done(p);
}

/* The error messages users see, where they point, and that recovery finds later errors. */
static void test_errors(void **state)
{
    (void)state;
    parsed *p;
    const diag_item *it;

    p = parse("stream s {\n    expect a = b = c\n}\n");
    assert_errors(p, 1);
    it = find_err(p, "unexpected '=' after a comparison: comparisons do not chain");
    assert_at(p, it, 2, 18);
    assert_non_null(it->hint);
    done(p);

    p = parse("stream s {\n    expect a < b is null\n    expect a is null = b\n    expect a in (1) not in (2)\n}\n");
    assert_errors(p, 3);
    assert_at(p, find_err(p, "unexpected 'is' after a comparison"), 2, 18);
    assert_at(p, find_err(p, "unexpected '=' after a comparison"), 3, 22);
    assert_at(p, find_err(p, "unexpected 'not in' after a comparison"), 4, 21);
    done(p);

    p = parse("features v on s by e {\n    x = count() over 10min\n    y = count() over 5x\n    z = count() over 1.5h\n}\n");
    assert_errors(p, 3);
    it = find_err(p, "invalid duration '10min': unknown unit 'min'");
    assert_at(p, it, 2, 22);
    assert_int_equal(it->span.end - it->span.begin, 5);
    assert_at(p, find_err(p, "invalid duration '5x': unknown unit 'x'"), 3, 22);
    assert_at(p, find_err(p, "invalid duration '1.5h'"), 4, 22);
    done(p);

    p = parse("features v on s by e {\n    x = count() over 10\n}\n");
    assert_errors(p, 1);
    it = find_err(p, "unexpected number 10, expected a duration");
    assert_non_null(it->hint);
    done(p);

    p = parse("features v on s by e {\n    x = sum(a) ttl 1d over 1h\n    y = sum(a) where a > 0 over 1h\n}\n");
    assert_errors(p, 2);
    it = find_err(p, "unexpected 'over', expected 'default' or end of line");
    assert_at(p, it, 2, 23);
    assert_non_null(it->hint);
    assert_non_null(strstr(it->hint, "order"));
    it = find_err(p, "unexpected 'over', expected an operator, 'ttl', 'default' or end of line");
    assert_at(p, it, 3, 28);
    done(p);

    p = parse("stream s {\n    a : string\n    expect a = 'abc\n    expect a = 'ok'\n}\n");
    assert_errors(p, 1);
    it = find_err(p, "unterminated string");
    assert_at(p, it, 3, 16);
    assert_int_equal(it->span.end - it->span.begin, 1);
    done(p);

    p = parse("stream s {\n    `a b : int\n}\n");
    assert_errors(p, 1);
    assert_at(p, find_err(p, "unterminated name in backticks"), 2, 5);
    done(p);

    p = parse("stream s {\n    a__b : int\n    `x__y` : int\n    _ok_ : int\n}\n");
    assert_errors(p, 2);
    assert_at(p, find_err(p, "name 'a__b' must not contain '__'"), 2, 5);
    assert_at(p, find_err(p, "name `x__y` must not contain '__'"), 3, 5);
    done(p);

    p = parse("stream s {\n    expect a > 99999999999999999999\n    expect a > 9223372036854775808\n"
              "    expect d = 9999999999999999d\n}\n");
    assert_errors(p, 3);
    assert_at(p, find_err(p, "integer 99999999999999999999 is out of range"), 2, 16);
    assert_at(p, find_err(p, "integer 9223372036854775808 is out of range for int (only"), 3, 16);
    assert_at(p, find_err(p, "duration 9999999999999999d is out of range"), 4, 16);
    done(p);

    p = parse("stream s {\n    expect a > .5\n    expect a > 5.\n    expect a > 1e999\n    expect a > 1e\n}\n");
    assert_errors(p, 4);
    assert_at(p, find_err(p, "a number needs a digit before '.': write 0.5"), 2, 16);
    assert_at(p, find_err(p, "a number needs a digit after '.'"), 3, 16);
    assert_at(p, find_err(p, "number 1e999 is out of range for float"), 4, 16);
    assert_at(p, find_err(p, "invalid number '1e': the exponent has no digits"), 5, 16);
    done(p);

    p = parse("stream s {\n    expect a == b\n    expect a <> b\n    expect a && b\n    expect a = \"x\"\n}\n");
    assert_errors(p, 4);
    find_err(p, "'==' is written '='");
    find_err(p, "'<>' is written '!='");
    find_err(p, "'&&' is written 'and'");
    find_err(p, "strings are written in single quotes");
    done(p);

    /* a reserved word used as a name */
    p = parse("stream s {\n    time : timestamp\n    expect where > 1\n}\n");
    assert_errors(p, 2);
    it = find_err(p, "unexpected ':', expected a name");
    assert_at(p, it, 2, 10);
    assert_string_equal(it->hint, "'time' is a reserved word; write `time` to use it as a name");
    it = find_err(p, "unexpected 'where', expected an expression");
    assert_string_equal(it->hint, "'where' is a reserved word; write `where` to use it as a name");
    done(p);

    p = parse("features v on s by e {\n    n = count(*)\n}\n");
    assert_errors(p, 1);
    it = find_err(p, "unexpected '*', expected an expression or ')'");
    assert_string_equal(it->hint, "write count() to count rows");
    done(p);

    p = parse("features v on s {\n    n = count()\n}\nfoo bar\nentity e (k: int)\n");
    assert_errors(p, 2);
    assert_at(p, find_err(p, "unexpected '{', expected 'by'"), 1, 17);
    assert_at(p, find_err(p, "unexpected name 'foo', expected a declaration or end of file"), 4, 1);
    assert_int_equal(p->file->decls.len, 1);
    assert_int_equal(decl(p, 0)->kind, AST_DECL_ENTITY);
    done(p);

    p = parse("service s {\n    a.b c.d\n    a\n    a.*.b\n    a.c\n}\n");
    assert_errors(p, 3);
    assert_at(p, find_err(p, "unexpected name 'c', expected end of line"), 2, 9);
    assert_at(p, find_err(p, "unexpected end of line, expected '.'"), 3, 6);
    assert_at(p, find_err(p, "unexpected '.', expected end of line"), 4, 8);
    assert_int_equal(decl(p, 0)->service->items.len, 1);
    done(p);

    p = parse("stream s {\n    x : int\n    expect (a\n    expect b\n}\n");
    assert_errors(p, 1);
    it = find_err(p, "unexpected 'expect', expected an operator or ')'");
    assert_string_equal(it->hint, "the '(' on line 3 is not closed");
    done(p);
}

/* Each error is found, once; recovery resynchronises at the end of a member and at the
 * next declaration. */
static void test_recovery(void **state)
{
    (void)state;
    parsed *p = parse("entity e (k: string)\n"
                      "stream s {\n"
                      "    k : string\n"
                      "    a : : int\n"
                      "    ts : timestamp\n"
                      "    time ts\n"
                      "    lateness 5\n"
                      "}\n"
                      "features v on s by e {\n"
                      "    x = count() over 1h hop\n"
                      "    y = last(k)\n"
                      "    let = 3\n"
                      "    z = (a +) * 2\n"
                      "}\n"
                      "on_demand o (v) { r = v.y + }\n"
                      "service svc { v.y }\n");
    assert_errors(p, 6);
    assert_at(p, find_err(p, "unexpected ':', expected a name"), 4, 9);
    assert_at(p, find_err(p, "unexpected number 5, expected a duration"), 7, 14);
    assert_at(p, find_err(p, "unexpected end of line, expected a duration"), 10, 28);
    assert_at(p, find_err(p, "unexpected '=', expected a name"), 12, 9);
    assert_at(p, find_err(p, "unexpected ')', expected an expression"), 13, 13);
    assert_at(p, find_err(p, "unexpected '}', expected an expression"), 15, 29);
    assert_int_equal(p->file->decls.len, 5);
    const ast_source *s = decl(p, 1)->source;
    assert_int_equal(s->fields.len, 2);
    assert_int_equal(s->times.len, 1);
    const ast_view *v = decl(p, 2)->view;
    assert_int_equal(v->members.len, 1);
    assert_string_equal(feature_at(v, 0)->name.text, "y");
    assert_int_equal(decl(p, 3)->on_demand->features.len, 0);
    assert_int_equal(decl(p, 4)->service->items.len, 1);
    done(p);
}

static void test_missing_brace(void **state)
{
    (void)state;
    parsed *p = parse("entity e (k: string)\n"
                      "stream s {\n"
                      "    k : string\n"
                      "    request : string\n"
                      "    ts : timestamp\n"
                      "    time ts\n"
                      "features v on s by e {\n"
                      "    n = count()\n"
                      "}\n");
    assert_errors(p, 2);
    const diag_item *it = find_err(p, "missing '}' before 'features'");
    assert_at(p, it, 7, 1);
    assert_string_equal(it->hint, "the block opened on line 2 is not closed");
    it = find_err(p, "unexpected 'request'");
    assert_at(p, it, 4, 5);
    assert_int_equal(p->file->decls.len, 3);
    assert_int_equal(decl(p, 1)->source->fields.len, 2);
    assert_int_equal(decl(p, 2)->view->members.len, 1);
    done(p);

    p = parse("stream s {\n    a : int\n    expect a > (1\n");
    assert_errors(p, 2);
    assert_at(p, find_err(p, "missing '}': the block opened here is not closed"), 1, 10);
    assert_at(p, find_err(p, "unexpected end of file, expected an operator or ')'"), 4, 1);
    assert_int_equal(p->file->decls.len, 1);
    assert_int_equal(decl(p, 0)->source->fields.len, 1);
    done(p);

    p = parse("service s {\n}\n}\n");
    assert_errors(p, 1);
    assert_at(p, find_err(p, "unexpected '}', expected a declaration or end of file"), 3, 1);
    done(p);
}

static void test_bad_bytes(void **state)
{
    (void)state;
    parsed *p;
    const diag_item *it;

    static const char nul[] = "stream s {\n    a\0 : int\n    b : int\n}\n";
    p = parse_n(nul, sizeof nul - 1);
    assert_errors(p, 1);
    it = find_err(p, "unexpected character '\\x00'");
    assert_at(p, it, 2, 6);
    assert_int_equal(decl(p, 0)->source->fields.len, 1);
    done(p);

    p = parse("stream s {\n    caf\xc3\xa9 : int\n    b : int @\n    c : int ;\n}\n");
    assert_errors(p, 3);
    it = find_err(p, "unexpected character U+00E9");
    assert_at(p, it, 2, 8);
    assert_non_null(it->hint);
    find_err(p, "unexpected character '@'");
    find_err(p, "unexpected character ';'");
    done(p);

    /* a run of bad bytes is one error */
    p = parse("\x01\x02\x03\xff\xfe entity e (k: int)\n");
    assert_errors(p, 1);
    assert_at(p, find_err(p, "unexpected characters, starting with '\\x01'"), 1, 1);
    assert_int_equal(p->file->decls.len, 1);
    done(p);

    p = parse("stream s {\n    expect a = 'ok\xff\xfe'\n    expect a = 'bad \xc0\xaf overlong'\n"
              "    expect a = '\xed\xa0\x80 surrogate'\n}\n");
    assert_errors(p, 3);
    it = find_err(p, "invalid UTF-8 in string (byte '\\xff')");
    assert_at(p, it, 2, 19);
    find_err(p, "invalid UTF-8 in string (byte '\\xc0')");
    find_err(p, "invalid UTF-8 in string (byte '\\xed')");
    done(p);

    static const char nul_str[] = "stream s {\n    expect a = 'x\0y'\n}\n";
    p = parse_n(nul_str, sizeof nul_str - 1);
    assert_errors(p, 1);
    assert_at(p, find_err(p, "NUL byte in string"), 2, 18);
    done(p);

    p = parse("stream s {\n    `` : int\n    `a\x01` : int\n    `\xff` : int\n}\n");
    assert_errors(p, 3);
    find_err(p, "empty name ``");
    find_err(p, "control character '\\x01' in name");
    find_err(p, "invalid UTF-8 in name (byte '\\xff')");
    done(p);

    /* random binary: errors, no crash, a bounded number of them */
    unsigned char junk[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    p = parse_n((const char *)junk, sizeof junk);
    assert_true(diag_count(&p->d) >= 1);
    assert_true(diag_count(&p->d) <= 101);
    done(p);
}

/* Nesting deeper than the limit is one clear error, and parsing goes on after it. */
static void test_deep_nesting(void **state)
{
    (void)state;
    static const char *const shapes[][3] = {
        {"(", "a", ")"},       {"f(", "a", ")"},        {"- ", "a", ""},
        {"not ", "a", ""},     {"case when ", "a", " then 1 end"},
        {"-(", "a", ")"},
    };
    const int levels = 100000;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t lo = strlen(shapes[s][0]), hi = strlen(shapes[s][2]);
        size_t cap = 64 + (lo + hi) * (size_t)levels + 64;
        char *src = malloc(cap);
        size_t n = (size_t)sprintf(src, "stream s {\n    expect ");
        for (int i = 0; i < levels; i++, n += lo)
            memcpy(src + n, shapes[s][0], lo);
        n += (size_t)sprintf(src + n, "%s", shapes[s][1]);
        for (int i = 0; i < levels; i++, n += hi)
            memcpy(src + n, shapes[s][2], hi);
        n += (size_t)sprintf(src + n, "\n    expect b = = 1\n}\n");
        parsed *p = parse_n(src, n);
        assert_errors(p, 2);
        int line, col;
        diag_line_col(&p->d, find_err(p, "expression nested too deeply (more than 1000 levels)")->span.begin,
                      &line, &col);
        assert_int_equal(line, 2);
        assert_at(p, find_err(p, "unexpected '=', expected an expression"), 3, 16);
        done(p);
        free(src);
    }

    /* a long flat chain makes a deep tree too */
    size_t cap = 64 + 4 * 20000;
    char *src = malloc(cap);
    size_t n = (size_t)sprintf(src, "stream s {\n    expect a");
    for (int i = 0; i < 20000; i++)
        n += (size_t)sprintf(src + n, " + a");
    n += (size_t)sprintf(src + n, "\n    expect a + a + a\n}\n");
    parsed *p = parse_n(src, n);
    assert_errors(p, 1);
    find_err(p, "expression nested too deeply");
    assert_int_equal(decl(p, 0)->source->expects.len, 2);
    done(p);
    free(src);

    /* 999 levels are fine */
    src = malloc(4096);
    n = (size_t)sprintf(src, "stream s {\n    expect ");
    for (int i = 0; i < 999; i++)
        src[n++] = '(';
    src[n++] = 'a';
    for (int i = 0; i < 999; i++)
        src[n++] = ')';
    n += (size_t)sprintf(src + n, "\n}\n");
    p = parse_n(src, n);
    assert_clean(p);
    done(p);
    free(src);
}

static void test_error_cap(void **state)
{
    (void)state;
    size_t cap = 20 + 600 * 16;
    char *src = malloc(cap);
    size_t n = (size_t)sprintf(src, "stream s {\n");
    for (int i = 0; i < 600; i++)
        n += (size_t)sprintf(src + n, "    a : : int\n");
    n += (size_t)sprintf(src + n, "}\n");
    parsed *p = parse_n(src, n);
    assert_int_equal(diag_count(&p->d), 101);
    find_err(p, "too many errors");
    done(p);
    free(src);
}

static char *dump_text(const parsed *p)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    ast_dump(p->file, f);
    fclose(f);
    return text;
}

static void test_dump(void **state)
{
    (void)state;
    parsed *p = parse("entity card (card_id: string, n: int not null)\n"
                      "stream s {\n"
                      "    `time` : timestamp not null\n"
                      "    time `time`\n"
                      "    lateness 2s\n"
                      "    expect a in (1, 2) and b is not null\n"
                      "    table 'x.y'\n"
                      "}\n"
                      "features card_activity on s by card(k) {\n"
                      "    where not a\n"
                      "    let big = -a * 2 >= 1.5\n"
                      "    txn_count_10m = count() over 10m hop 5m where big ttl 1d default -1\n"
                      "    c = last(case when a then 'it''s' else null end)\n"
                      "}\n"
                      "on_demand o (card_activity) {\n"
                      "    r = card_activity.c || 'x'\n"
                      "}\n"
                      "service svc (req) {\n"
                      "    o.r\n"
                      "    card_activity.*\n"
                      "}\n");
    assert_clean(p);
    char *text = dump_text(p);
    const char *want =
        "entity card\n"
        "  key card_id: string\n"
        "  key n: int not null\n"
        "stream s\n"
        "  field `time`: timestamp not null\n"
        "  time `time`\n"
        "  lateness 2000000us\n"
        "  expect\n"
        "    binary and\n"
        "      in\n"
        "        name a\n"
        "        list\n"
        "          int 1\n"
        "          int 2\n"
        "      is not null\n"
        "        name b\n"
        "  table 'x.y'\n"
        "view card_activity on s by card(k)\n"
        "  where\n"
        "    unary not\n"
        "      name a\n"
        "  let big\n"
        "    binary >=\n"
        "      binary *\n"
        "        unary -\n"
        "          name a\n"
        "        int 2\n"
        "      float 1.5\n"
        "  feature txn_count_10m\n"
        "    call count()\n"
        "    over 600000000us\n"
        "    hop 300000000us\n"
        "    where\n"
        "      name big\n"
        "    ttl 86400000000us\n"
        "    default\n"
        "      int -1\n"
        "  feature c\n"
        "    call last\n"
        "      case\n"
        "        when\n"
        "          name a\n"
        "        then\n"
        "          string 'it''s'\n"
        "        else\n"
        "          null\n"
        "on_demand o (card_activity)\n"
        "  feature r\n"
        "    binary ||\n"
        "      dot card_activity.c\n"
        "      string 'x'\n"
        "service svc (req)\n"
        "  item o.r\n"
        "  item card_activity.*\n";
    assert_string_equal(text, want);
    free(text);
    done(p);
}

static void test_op_text(void **state)
{
    (void)state;
    assert_string_equal(ast_op_text(AST_OP_OR), "or");
    assert_string_equal(ast_op_text(AST_OP_NOT), "not");
    assert_string_equal(ast_op_text(AST_OP_NE), "!=");
    assert_string_equal(ast_op_text(AST_OP_LE), "<=");
    assert_string_equal(ast_op_text(AST_OP_CONCAT), "||");
    assert_string_equal(ast_op_text(AST_OP_MOD), "%");
    assert_string_equal(ast_op_text(AST_OP_NEG), "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_newlines),
        cmocka_unit_test(test_empty_inputs),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_missing_brace),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_op_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
