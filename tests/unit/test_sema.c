/* test_sema.c - the type checker: names resolve, types and promotions land in the plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "sema.h"

typedef struct checked {
    arena mem;
    diag_ctx d;
    plan *p;
} checked;

static const char *const HEADER =
    "entity card (card_id: string)\n"
    "stream tx {\n"
    "    card_id : string not null\n"
    "    amount  : float\n"
    "    n       : int\n"
    "    country : string\n"
    "    off     : int\n"
    "    ts      : timestamp not null\n"
    "    time ts\n"
    "    seq off\n"
    "    lateness 10s\n"
    "    expect amount >= 0\n"
    "}\n"
    "request r { card_id : string not null\n amount : float }\n";

/* Parses and checks HEADER + body; the plan is meaningful when c->d has no errors. */
static void check_src(checked *c, const char *body)
{
    static char src[8192];
    snprintf(src, sizeof src, "%s%s", HEADER, body);
    arena_init(&c->mem);
    diag_init(&c->d, &c->mem, "t.feat", src, strlen(src));
    ast_file *f = parse_source(&c->mem, &c->d, src, strlen(src));
    c->p = diag_count(&c->d) ? NULL : sema_build_plan(&c->mem, &c->d, f);
}

/* The messages of all errors joined by newlines. */
static const char *messages(checked *c)
{
    static char buf[4096];
    buf[0] = '\0';
    for (int i = 0; i < c->d.items.len; i++) {
        const diag_item *it = c->d.items.items[i];
        strncat(buf, it->message, sizeof buf - strlen(buf) - 2);
        strcat(buf, "\n");
    }
    return buf;
}

static void test_source_plan(void **state)
{
    (void)state;
    checked c;
    check_src(&c, "features v on tx by card { c = count() }\nservice s { v.c }\n");
    assert_int_equal(diag_count(&c.d), 0);
    const plan_source *s = &c.p->sources[0];
    assert_string_equal(s->name, "tx");
    assert_int_equal(s->nfields, 6);
    assert_int_equal(s->time_field, 5);
    assert_int_equal(s->seq_field, 4);
    assert_true(s->lateness_us == 10 * INT64_C(1000000));
    assert_int_equal(s->nexpects, 1);
    assert_string_equal(s->expects[0].text, "amount >= 0");
    /* amount >= 0 compares floats: the int literal became a float constant */
    const plan_expr *e = s->expects[0].cond;
    assert_int_equal(e->kind, PX_COMPARE);
    assert_int_equal(e->operand_type, FT_FLOAT);
    assert_int_equal(e->args[1]->kind, PX_CONST);
    assert_int_equal(e->args[1]->type, FT_FLOAT);
    assert_int_equal(c.p->sources[1].kind, PS_REQUEST);
    assert_int_equal(c.p->sources[1].time_field, -1);
    arena_free(&c.mem);
}

static void test_features_and_windows(void **state)
{
    (void)state;
    checked c;
    check_src(&c, "features v on tx by card {\n"
                  "  where amount > 0\n"
                  "  let big = n * 2 > 10\n"
                  "  a = sum(n) over 1h where big\n"
                  "  b = avg(n) over 1d hop 1h default 0\n"
                  "  l = last(country) ttl 7d default 'none'\n"
                  "  d = count_distinct(country) over 30m\n"
                  "  k = count()\n"
                  "}\n"
                  "service s { v.* }\n");
    assert_int_equal(diag_count(&c.d), 0);
    const plan_view *v = &c.p->views[0];
    assert_int_equal(v->nlets, 1);
    assert_int_equal(v->lets[0].type, FT_BOOL);
    assert_non_null(v->where);
    assert_int_equal(v->nfeatures, 5);
    assert_int_equal(v->features[0].agg, PG_SUM);
    assert_int_equal(v->features[0].type, FT_INT);
    assert_int_equal(v->features[0].window.kind, PW_SLIDING);
    assert_true(v->features[0].window.size_us == 3600 * INT64_C(1000000));
    assert_non_null(v->features[0].filter);
    assert_int_equal(v->features[0].filter->kind, PX_COLUMN);
    assert_int_equal(v->features[0].filter->index, 6); /* first let after 6 fields */
    assert_int_equal(v->features[1].type, FT_FLOAT);
    assert_int_equal(v->features[1].window.kind, PW_HOP);
    assert_true(v->features[1].has_default);
    assert_int_equal(v->features[1].dflt.type, FT_FLOAT); /* int literal serves a float */
    assert_true(v->features[2].ttl_us == 7 * 86400 * INT64_C(1000000));
    assert_string_equal(v->features[2].dflt.s, "none");
    assert_int_equal(v->features[4].agg, PG_COUNT_ROWS);
    assert_null(v->features[4].input);
    const plan_service *s = &c.p->services[0];
    assert_int_equal(s->noutputs, 5);
    assert_string_equal(s->outputs[1].column, "v__b");
    assert_int_equal(s->nkeys, 1);
    assert_string_equal(s->keys[0].name, "card_id");
    arena_free(&c.mem);
}

static void test_on_demand_and_service(void **state)
{
    (void)state;
    checked c;
    check_src(&c, "features v on tx by card { c = count() over 1h\n last_at = last(ts) }\n"
                  "on_demand b (o) { twice = o.ratio * 2 }\n"
                  "on_demand o (r, v) {\n"
                  "  ratio = r.amount / v.c\n"
                  "  age = seconds_between(v.last_at, now())\n"
                  "  pick = if(r.amount > 3, 1, 2.5)\n"
                  "}\n"
                  "service s (r) { b.twice\n o.age }\n");
    assert_int_equal(diag_count(&c.d), 0);
    /* blocks are in dependency order: o before b */
    assert_string_equal(c.p->blocks[0].name, "o");
    assert_string_equal(c.p->blocks[1].name, "b");
    const plan_od_feature *ratio = &c.p->blocks[0].features[0];
    assert_int_equal(ratio->type, FT_FLOAT);
    assert_int_equal(ratio->value->kind, PX_ARITH);
    assert_int_equal(ratio->value->arith, PA_DIV);
    assert_int_equal(ratio->value->args[1]->kind, PX_TO_FLOAT); /* count is an int */
    assert_int_equal(c.p->blocks[0].features[2].type, FT_FLOAT);
    assert_int_equal(c.p->blocks[0].features[2].value->kind, PX_CASE);
    const plan_service *s = &c.p->services[0];
    assert_int_equal(s->nblocks, 2);
    assert_int_equal(s->blocks[0], 0);
    assert_int_equal(s->nviews, 1);
    /* v.c and v.last_at are read by o though not output */
    assert_true(s->views[0].feature_used[0]);
    assert_true(s->views[0].feature_used[1]);
    assert_int_equal(s->key_request_field[0], 0); /* r.card_id is the key */
    arena_free(&c.mem);
}

static void expect_error(const char *body, const char *needle)
{
    checked c;
    check_src(&c, body);
    assert_true(diag_count(&c.d) > 0);
    const char *m = messages(&c);
    if (!strstr(m, needle))
        fail_msg("expected an error containing '%s', got:\n%s", needle, m);
    arena_free(&c.mem);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("features v on tx by card { s = sum(country) }\n", "sum() takes an int or a float");
    expect_error("features v on tx by card { s = count() where now() > ts }\n", "now() is only allowed");
    expect_error("features v on tx by card { s = count() over 1d hop 5h }\n", "hop does not divide");
    expect_error("features v on tx by card { s = count() over 1h ttl 1d }\n", "ttl applies only");
    expect_error("features v on tx by card { s = count()\n s = count() }\n", "duplicate feature 's'");
    expect_error("features v on tx by card { s = count() }\non_demand o (r, v) { x = r.amount % 2 }\n",
                 "takes ints only");
    expect_error("features v on tx by card { s = count() }\non_demand o (r, v) { x = v.s + 'a' }\n",
                 "takes numbers");
    expect_error("features v on tx by card { s = count() }\nservice s { v.nope }\n", "has no feature 'nope'");
    expect_error("features v on tx by card { s = max(amont) }\n", "unknown field 'amont'");
    expect_error("request q { card_id : string }\nfeatures v on tx by card { s = count() }\n"
                 "on_demand a (r, v) { x = v.s }\non_demand b (q, v) { y = v.s }\nservice s (r) { a.x\n b.y }\n",
                 "mixes request sources");
}

static void test_hint_for_misspelling(void **state)
{
    (void)state;
    checked c;
    check_src(&c, "features v on tx by card { s = max(amont) }\n");
    assert_int_equal(diag_count(&c.d), 1);
    const diag_item *it = c.d.items.items[0];
    assert_non_null(it->hint);
    assert_string_equal(it->hint, "did you mean 'amount'?");
    arena_free(&c.mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_plan),
        cmocka_unit_test(test_features_and_windows),
        cmocka_unit_test(test_on_demand_and_service),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_hint_for_misspelling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
