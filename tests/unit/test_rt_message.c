/* test_rt_message.c - stream messages decoded into checked records: JSON events and named fields read as CSV text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_engine.h"
#include "rt_message.h"
#include "test_rt_engine_util.h"

#define TX 0 /* id string, user int not null, amount float, ts timestamp not null, recv (arrival) */

typedef struct fixture {
    rt_program *p;
    rt_engine *e;
    rt_message *m;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->p = test_parse(test_arrival_manifest);
    char err[256];
    f->e = rt_engine_new(f->p, &test_arrival_fns, NULL, err, sizeof err);
    f->m = rt_message_new(rt_engine_schema(f->e, TX), f->p->sources[TX].arrival_field);
    *state = f;
    return f->m ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rt_message_free(f->m);
    rt_engine_free(f->e);
    rt_program_free(f->p);
    free(f);
    return 0;
}

static bool json(fixture *f, const char *text, rt_slot *rec)
{
    return rt_message_json(f->m, text, strlen(text), 1700000000000000, rec);
}

static void test_json_event(void **state)
{
    fixture *f = *state;
    rt_slot rec[5];
    /* the arrival field takes the arrival time, whatever the message says */
    assert_true(json(f, "{\"id\":\"a\\u00e9\",\"user\":3,\"amount\":1.5,\"ts\":\"2024-05-01T10:00:00Z\","
                        "\"recv\":\"1999-01-01T00:00:00Z\"}", rec));
    assert_int_equal(rec[0].len, 3);
    assert_memory_equal(rec[0].v.s, "a\xc3\xa9", 3);
    assert_int_equal(rec[1].v.i, 3);
    assert_true(rec[2].v.f == 1.5);
    assert_true(rec[3].v.i == 1714557600000000);
    assert_true(rec[4].v.i == 1700000000000000 && !rec[4].null);
    /* an unescaped copy outlives later messages until the reset */
    const char *kept = rec[0].v.s;
    rt_slot other[5];
    assert_true(json(f, "{\"id\":\"\\u0041\\u0042\\u0043\",\"user\":4,\"ts\":1}", other));
    assert_memory_equal(kept, "a\xc3\xa9", 3);
    assert_memory_equal(other[0].v.s, "ABC", 3);
    assert_true(other[2].null);
    rt_message_reset(f->m);
}

static void test_json_refusals(void **state)
{
    fixture *f = *state;
    rt_slot rec[5];
    assert_false(json(f, "not json", rec));
    assert_non_null(strstr(rt_message_reason(f->m), "JSON"));
    assert_false(json(f, "", rec));
    assert_string_equal(rt_message_reason(f->m), "empty message: expected a JSON object");
    assert_false(json(f, "{\"ts\":1}", rec));
    assert_string_equal(rt_message_reason(f->m), "field 'user' is null but declared not null");
    assert_false(json(f, "{\"user\":1}", rec));
    assert_string_equal(rt_message_reason(f->m), "field 'ts' is null but declared not null");
    assert_false(json(f, "{\"user\":\"1\",\"ts\":1}", rec));
}

static rt_message_field pair(const char *name, const char *value)
{
    return (rt_message_field){name, value, strlen(name), strlen(value)};
}

static void test_fields(void **state)
{
    fixture *f = *state;
    rt_slot rec[5];
    rt_message_field in[] = {pair("user", "7"), pair("other", "x"), pair("amount", ""),
                             pair("ts", "2024-05-01 10:00:00"), pair("id", "k\"1"), pair("recv", "junk")};
    assert_true(rt_message_fields(f->m, in, 6, 42, rec));
    assert_int_equal(rec[1].v.i, 7);
    assert_true(rec[2].null); /* empty: null, as an unquoted empty CSV field */
    assert_true(rec[3].v.i == 1714557600000000);
    assert_int_equal(rec[0].len, 3);
    assert_ptr_equal(rec[0].v.s, in[4].value);
    assert_true(rec[4].v.i == 42); /* stamped; its own value is never read */

    rt_message_field bad[] = {pair("user", "seven"), pair("ts", "1")};
    assert_false(rt_message_fields(f->m, bad, 2, 42, rec));
    assert_string_equal(rt_message_reason(f->m), "field 'user': expected int, got \"seven\"");
    rt_message_field missing[] = {pair("ts", "1")};
    assert_false(rt_message_fields(f->m, missing, 1, 42, rec));
    assert_string_equal(rt_message_reason(f->m), "field 'user' is null but declared not null");
}

/* The expect rules run as for files (source ev: amount >= 0). */
static void test_expect(void **state)
{
    (void)state;
    rt_program *p = test_program();
    char err[256];
    rt_engine *e = rt_engine_new(p, &test_fns, NULL, err, sizeof err);
    rt_message *m = rt_message_new(rt_engine_schema(e, 0), -1);
    rt_slot rec[3];
    const char *ok = "{\"user\":1,\"amount\":2,\"ts\":3}", *neg = "{\"user\":1,\"amount\":-2,\"ts\":3}";
    assert_true(rt_message_json(m, ok, strlen(ok), 0, rec));
    assert_false(rt_message_json(m, neg, strlen(neg), 0, rec));
    assert_string_equal(rt_message_reason(m), "expect amount >= 0 failed");
    rt_message_free(m);
    rt_engine_free(e);
    rt_program_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
        cmocka_unit_test(test_expect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
