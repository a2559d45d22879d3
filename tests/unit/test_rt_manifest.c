/* test_rt_manifest.c - parsing manifest text into rt_program, and rejecting corrupt text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A hand-written manifest of the fraud example: a stream, a table, a request source, two
 * views, one on_demand block and one service. */
static const char fraud[] =
    "featc-manifest 1\n"
    "# comment lines and blank lines are ignored\n"
    "\n"
    "source \"transactions\" stream 6 5 4 10000000 1 -1 86400000000 -1\n"
    "field \"card_id\" string notnull\n"
    "field \"merchant_id\" string null\n"
    "field \"amount\" float null\n"
    "field \"country\" string null\n"
    "field \"offset\" int null\n"
    "field \"ts\" timestamp notnull\n"
    "expect \"amount >= 0 \\\"quoted\\\" \\x09tab\"\n"
    "source \"customers\" table 3 2 -1 0 0 -1 86400000000 -1\n"
    "field \"card_id\" string notnull\n"
    "field \"segment\" string null\n"
    "field \"updated_at\" timestamp notnull\n"
    "source \"checkout\" request 2 -1 -1 0 0 -1 -1 -1\n"
    "field \"card_id\" string notnull\n"
    "field \"amount\" float null\n"
    "view \"card_activity\" 0 1 4\n"
    "key string 0\n"
    "feature \"txn_count_10m\" count_rows - int sliding 600000000 0 0 -\n"
    "feature \"amount_sum_1h\" sum float float sliding 3600000000 0 0 0x1.8p+1\n"
    "feature \"amount_avg_30d\" avg float float hop 2592000000000 86400000000 0 null\n"
    "feature \"last_country\" last string string lifetime 0 0 0 \"none\"\n"
    "view \"card_profile\" 1 1 1\n"
    "key string 0\n"
    "feature \"segment\" last string string lifetime 0 0 7776000000000 -\n"
    "block \"checkout_risk\" 2 2 0 2\n"
    "reads-view 0\n"
    "reads-view 1\n"
    "odfeature \"amount_ratio\" float\n"
    "odfeature \"over\" bool\n"
    "service \"fraud_v1\" 2 1 2 1 3\n"
    "skey \"card_id\" string 0\n"
    "sview 0 0\n"
    "sview 1 0\n"
    "sblock 0\n"
    "output \"card_activity__txn_count_10m\" int view 0 0\n"
    "output \"card_profile__segment\" string view 1 0\n"
    "output \"checkout_risk__over\" bool block 0 1\n"
    "end\n";

static rt_program *parse(const char *text, char *err)
{
    return rt_program_parse(text, strlen(text), err, 256);
}

static void test_parses_fraud(void **state)
{
    (void)state;
    char err[256];
    rt_program *p = parse(fraud, err);
    assert_non_null(p);
    assert_string_equal(err, "");
    assert_int_equal(p->nsources, 3);
    const rt_prog_source *tx = &p->sources[0];
    assert_string_equal(tx->name, "transactions");
    assert_int_equal(tx->kind, RT_SOURCE_STREAM);
    assert_int_equal(tx->nfields, 6);
    assert_string_equal(tx->fields[4].name, "offset");
    assert_int_equal(tx->fields[4].type, RT_INT);
    assert_true(tx->fields[0].not_null);
    assert_false(tx->fields[1].not_null);
    assert_int_equal(tx->time_field, 5);
    assert_int_equal(tx->seq_field, 4);
    assert_int_equal(tx->lateness_us, 10000000);
    assert_int_equal(tx->nexpects, 1);
    assert_string_equal(tx->expects[0], "amount >= 0 \"quoted\" \ttab");
    assert_int_equal(p->sources[1].kind, RT_SOURCE_TABLE);
    assert_int_equal(p->sources[1].seq_field, -1);
    assert_int_equal(p->sources[2].kind, RT_SOURCE_REQUEST);

    assert_int_equal(p->nviews, 2);
    const rt_prog_view *v = &p->views[0];
    assert_string_equal(v->name, "card_activity");
    assert_int_equal(v->nkeys, 1);
    assert_int_equal(v->key_types[0], RT_STRING);
    assert_int_equal(v->nfeatures, 4);
    assert_int_equal(v->features[0].agg, RT_AGG_COUNT_ROWS);
    assert_false(v->features[0].has_input);
    assert_int_equal(v->features[0].win, RT_PWIN_SLIDING);
    assert_int_equal(v->features[0].size_us, 600000000);
    assert_false(v->features[0].has_default);
    assert_true(v->features[1].has_default);
    assert_true(v->features[1].dflt.v.f == 3.0);
    assert_int_equal(v->features[2].win, RT_PWIN_HOP);
    assert_int_equal(v->features[2].hop_us, 86400000000);
    assert_false(v->features[2].has_default); /* `null` is no default */
    assert_int_equal(v->features[3].dflt.len, 4);
    assert_memory_equal(v->features[3].dflt.v.s, "none", 4);
    assert_int_equal(p->views[1].features[0].ttl_us, 7776000000000);

    assert_int_equal(p->nblocks, 1);
    assert_int_equal(p->blocks[0].request_source, 2);
    assert_int_equal(p->blocks[0].nviews, 2);
    assert_int_equal(p->blocks[0].features[1].type, RT_BOOL);

    assert_int_equal(p->nservices, 1);
    const rt_prog_service *s = &p->services[0];
    assert_int_equal(s->nkeys, 1);
    assert_int_equal(s->keys[0].request_field, 0);
    assert_int_equal(s->nviews, 2);
    assert_int_equal(s->views[1].view, 1);
    assert_int_equal(s->views[1].key_map[0], 0);
    assert_int_equal(s->noutputs, 3);
    assert_int_equal(s->outputs[2].kind, RT_OUT_BLOCK);
    assert_string_equal(s->outputs[2].column, "checkout_risk__over");

    assert_int_equal(rt_program_find_source(p, "customers"), 1);
    assert_int_equal(rt_program_find_source(p, "nope"), -1);
    assert_int_equal(rt_program_find_service(p, "fraud_v1"), 0);
    rt_program_free(p);
}

/* Replaces the first occurrence of from in fraud by to and expects an error mentioning want. */
static void expect_error(const char *from, const char *to, const char *want)
{
    const char *at = strstr(fraud, from);
    assert_non_null(at);
    size_t n = strlen(fraud) - strlen(from) + strlen(to) + 1;
    char *text = malloc(n);
    assert_non_null(text);
    size_t pre = (size_t)(at - fraud);
    memcpy(text, fraud, pre);
    strcpy(text + pre, to);
    strcat(text, at + strlen(from));
    char err[256];
    rt_program *p = parse(text, err);
    if (p || !strstr(err, want))
        fail_msg("replacing '%s' by '%s': expected an error with '%s', got '%s'", from, to, want, p ? "(parsed)" : err);
    assert_non_null(strstr(err, "manifest line "));
    free(text);
}

/* The fraud manifest with its amount_sum_1h feature line replaced by line. */
static rt_program *with_feature(const char *line, char *err)
{
    const char *from = "feature \"amount_sum_1h\" sum float float sliding 3600000000 0 0 0x1.8p+1\n";
    const char *at = strstr(fraud, from);
    assert_non_null(at);
    char *text = malloc(strlen(fraud) + strlen(line) + 2);
    assert_non_null(text);
    memcpy(text, fraud, (size_t)(at - fraud));
    sprintf(text + (at - fraud), "%s\n%s", line, at + strlen(from));
    rt_program *p = parse(text, err);
    free(text);
    return p;
}

/* percentile and median carry their fraction after the default; other features have none. */
static void test_feature_params(void **state)
{
    (void)state;
    char err[256];
    rt_program *p = with_feature("feature \"p\" percentile float float sliding 60 0 0 - 0x1.ccccccccccccdp-1", err);
    assert_non_null(p);
    assert_int_equal(p->views[0].features[1].agg, RT_AGG_PERCENTILE);
    assert_true(p->views[0].features[1].pct_p == 0.9);
    rt_program_free(p);
    p = with_feature("feature \"m\" median int int hop 60 20 0 0 0x1p-1", err);
    assert_non_null(p);
    assert_true(p->views[0].features[1].pct_p == 0.5);
    rt_program_free(p);
    static const struct {
        const char *line, *want;
    } bad[] = {
        {"feature \"p\" percentile float float sliding 60 0 0 -", "takes 10 values"},
        {"feature \"p\" percentile float float sliding 60 0 0 - 1.5", "not between 0 and 1"},
        {"feature \"p\" percentile float float sliding 60 0 0 - x", "not between 0 and 1"},
        {"feature \"p\" percentile string string sliding 60 0 0 - 0.5", "cannot take string"},
        {"feature \"m\" median int int sliding 60 0 0 - 0.25", "not 0.5"},
        {"feature \"s\" sum float float sliding 60 0 0 - 0.5", "takes 9 values"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = with_feature(bad[i].line, err);
        if (p || !strstr(err, bad[i].want))
            fail_msg("'%s': expected an error with '%s', got '%s'", bad[i].line, bad[i].want, p ? "(parsed)" : err);
    }
}

static void test_rejects_defects(void **state)
{
    (void)state;
    expect_error("featc-manifest 1", "featc-manifest 2", "version '2'");
    expect_error("featc-manifest 1", "hello", "not a featc manifest");
    expect_error("field \"merchant_id\" string null", "field \"merchant_id\" strin null", "unknown type 'strin'");
    expect_error("field \"merchant_id\" string null", "field \"merchant_id\" string", "takes 3 values");
    expect_error("field \"merchant_id\" string null", "field merchant_id string null", "quoted");
    expect_error("stream 6 5 4", "stream 6 9 4", "time field 9 is out of range");
    expect_error("stream 6 5 4", "stream 6 4 4", "timestamp time field");
    expect_error("stream 6 5 4", "stream 6 5 3", "seq field");
    expect_error("10000000 1 -1", "-5 1 -1", "lateness -5");
    expect_error("10000000 1 -1 86400000000 -1", "10000000 1 1 86400000000 -1", "arrival field");
    expect_error("10000000 1 -1 86400000000 -1", "10000000 1 4 86400000000 -1", "arrival field");
    expect_error("10000000 1 -1 86400000000 -1", "10000000 1 -1 -2 -1", "max_ahead -2");
    expect_error("10000000 1 -1 86400000000 -1", "10000000 1 -1 86400000000 5", "unique field");
    expect_error("10000000 1 -1 86400000000 -1", "10000000 1 -1 86400000000", "takes 10 values");
    expect_error("view \"card_activity\" 0 1 4", "view \"card_activity\" 2 1 4", "request source");
    expect_error("view \"card_activity\" 0 1 4", "view \"card_activity\" 7 1 4", "source 7");
    expect_error("key string 0", "key int 0", "key 0 of view 'card_activity' is a int");
    expect_error("key string 0", "key string lets", "key column");
    expect_error("key string 0", "key string let 0", "takes 2 values");
    expect_error("count_rows - int", "count_rows float int", "cannot take");
    expect_error("sum float float", "sum string string", "cannot take");
    expect_error("sliding 600000000 0", "sliding 0 0", "window size 0");
    expect_error("hop 2592000000000 86400000000", "hop 2592000000000 86400000001", "do not fit");
    expect_error("lifetime 0 0 7776000000000", "sliding 5 0 7776000000000", "ttl");
    expect_error("0x1.8p+1", "abc", "default 'abc' is not a float");
    expect_error("\"none\"", "none", "not a string");
    /* string defaults and names are UTF-8 (a fuzzed default was once answered as bytes
     * that are not) */
    expect_error("\"none\"", "\"no\\xc0e\"", "default of feature 'last_country' is not valid UTF-8");
    expect_error("field \"merchant_id\"", "field \"merchant\\xffid\"", "field name is not valid UTF-8");
    expect_error("reads-view 1", "reads-view 2", "view 2 is out of range");
    expect_error("sview 1 0", "sview 0 0", "listed twice");
    expect_error("sview 1 0", "sview 1 0 0", "maps 2");
    expect_error("sview 1 0", "sview 1 1", "service key 1");
    expect_error("sview 1 0\n", "sview 0 0\nsview 0 0\n", "listed twice");
    expect_error("sblock 0", "sblock 1", "block 1 is out of range");
    expect_error("output \"card_profile__segment\" string", "output \"card_profile__segment\" int", "is a int but");
    expect_error("bool block 0 1", "bool block 0 2", "feature 2 is out of range");
    expect_error("skey \"card_id\" string 0", "skey \"card_id\" string 1", "is a string but request field");
    expect_error("\"amount >= 0", "\"amount \\q", "unknown escape");
    expect_error("\"amount >= 0", "\"amount \\x4", "bad \\x escape");
    expect_error("end\n", "", "truncated");
    expect_error("end\n", "end\nend\n", "after the 'end'");
    expect_error("end\n", "bogus 1\nend\n", "unknown record 'bogus'");
    expect_error("block \"checkout_risk\"", "source \"x\" request 0 -1 -1 0 0 -1 -1 -1\nblock \"checkout_risk\"", "must come before");
    expect_error("source \"customers\"", "source \"x\" table 0 -1 -1 0 0 -1 86400000000 -1\nsource \"customers\"",
                 "needs a timestamp time field");
    expect_error("source \"customers\"", "source \"transactions\" table 0 -1 -1 0 0 -1 86400000000 -1\nsource \"customers\"",
                 "declared twice");
    expect_error("service \"fraud_v1\" 2 1 2 1 3", "service \"fraud_v1\" 2 1 2 1 999999999", "more than the lines");
}

/* A key derived from a let: `key TYPE let`, its column -1 (the row function computes it). */
static void test_derived_key_line(void **state)
{
    (void)state;
    const char *from = "key string 0\n";
    const char *at = strstr(fraud, from);
    assert_non_null(at);
    char *text = malloc(strlen(fraud) + 8);
    assert_non_null(text);
    memcpy(text, fraud, (size_t)(at - fraud));
    strcpy(text + (at - fraud), "key string let\n");
    strcat(text, at + strlen(from));
    char err[256];
    rt_program *p = parse(text, err);
    if (!p)
        fail_msg("%s", err);
    assert_int_equal(p->views[0].key_columns[0], -1);
    assert_int_equal(p->views[0].key_types[0], RT_STRING);
    rt_program_free(p);
    free(text);
}

/* Every prefix that stops before the end line is an error, never a crash. */
static void test_truncations(void **state)
{
    (void)state;
    size_t end = (size_t)(strstr(fraud, "\nend\n") - fraud) + 1;
    char err[256];
    for (size_t n = 0; n < end; n++) {
        rt_program *p = rt_program_parse(fraud, n, err, sizeof err);
        if (p)
            fail_msg("prefix of %zu bytes parsed", n);
        assert_true(strlen(err) > 0);
    }
    rt_program *p = rt_program_parse(fraud, end + 3, err, sizeof err);
    assert_non_null(p);
    rt_program_free(p);
}

/* Corrupting any single byte gives a program or an error, never a crash (ASan checks). */
static void test_byte_flips(void **state)
{
    (void)state;
    size_t n = strlen(fraud);
    char *text = malloc(n);
    assert_non_null(text);
    const char repl[] = {'\0', '"', '\\', ' ', '\n', '9', '-', 'x'};
    int errors = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < sizeof repl; r++) {
            memcpy(text, fraud, n);
            text[i] = repl[r];
            char err[64];
            rt_program *p = rt_program_parse(text, n, err, sizeof err);
            if (!p) {
                errors++;
                assert_true(strlen(err) > 0);
            }
            rt_program_free(p);
        }
    assert_true(errors > 0);
    free(text);
}

/* Generated function tables must agree with the program. */
static int32_t row_stub(rt_scratch *s, const rt_slot *r, rt_slot *k, rt_slot *i)
{
    (void)s, (void)r, (void)k, (void)i;
    return 0;
}
static void od_stub(rt_scratch *s, const rt_slot *r, const rt_slot *const *v, const rt_slot *const *b, int64_t now,
                    rt_slot *o)
{
    (void)s, (void)r, (void)v, (void)b, (void)now, (void)o;
}
static int32_t expect_stub(const rt_slot *r)
{
    (void)r;
    return -1;
}

static void test_check_fns(void **state)
{
    (void)state;
    char err[256];
    rt_program *p = parse(fraud, err);
    assert_non_null(p);
    rt_expect_fn ex[3] = {expect_stub, NULL, NULL};
    rt_row_fn rows[2] = {row_stub, row_stub};
    rt_od_fn ods[1] = {od_stub};
    rt_fn_table t = {3, ex, 2, rows, 1, ods};
    assert_true(rt_program_check_fns(p, &t, err, sizeof err));
    t.nviews = 1;
    assert_false(rt_program_check_fns(p, &t, err, sizeof err));
    assert_non_null(strstr(err, "counts"));
    t.nviews = 2;
    ex[0] = NULL;
    assert_false(rt_program_check_fns(p, &t, err, sizeof err));
    assert_non_null(strstr(err, "expect"));
    ex[0] = expect_stub;
    rows[1] = NULL;
    assert_false(rt_program_check_fns(p, &t, err, sizeof err));
    assert_false(rt_program_check_fns(p, NULL, err, sizeof err));
    rt_program_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parses_fraud),
        cmocka_unit_test(test_rejects_defects),
        cmocka_unit_test(test_derived_key_line),
        cmocka_unit_test(test_feature_params),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_check_fns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
