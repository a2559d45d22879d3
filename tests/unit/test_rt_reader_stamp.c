/* test_rt_reader_stamp.c - a stamped field: whatever the input holds, the checks and the record see the stamp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_reader.h"

#include <string.h>

enum { F_ID, F_TS, F_RECV, NF };

static const rt_field fields[NF] = {
    {"id", RT_INT, true},
    {"ts", RT_TIMESTAMP, true},
    {"recv", RT_TIMESTAMP, true},
};

/* expect recv >= ts: the rule must see the stamped value */
static int recv_after_ts(void *ctx, const rt_slot *rec)
{
    (void)ctx;
    return !rec[F_RECV].null && !rec[F_TS].null && rec[F_RECV].v.i < rec[F_TS].v.i ? 0 : -1;
}

static const char *const rule_texts[] = {"recv >= ts"};

static const rt_schema schema = {.name = "tx",
                                 .nfields = NF,
                                 .fields = fields,
                                 .time_field = F_TS,
                                 .expect = recv_after_ts,
                                 .nexpects = 1,
                                 .expect_texts = rule_texts};

#define STAMP INT64_C(1700000000000000)

/* Reads text (format fmt) stamped with STAMP; writes each event's id and recv, returns how
 * many; *rejected gets the rejected count. */
static int read_all(const char *text, rt_event_format fmt, int64_t *ids, int64_t *recvs, uint64_t *rejected)
{
    char err[256];
    rt_reader *r = rt_reader_open_mem(text, strlen(text), fmt, "body", &schema, NULL, err, sizeof err);
    assert_non_null(r);
    rt_reader_stamp(r, F_RECV, STAMP);
    rt_slot rec[NF];
    int n = 0;
    while (rt_reader_next(r, rec) == 1) {
        assert_int_equal(rec[F_RECV].null, 0);
        ids[n] = rec[F_ID].v.i;
        recvs[n++] = rec[F_RECV].v.i;
    }
    *rejected = rt_reader_stats_of(r)->rejected;
    rt_reader_close(r);
    return n;
}

static void test_json_lines(void **state)
{
    (void)state;
    /* the fast path (compact lines) and the general one (spaces, escapes) alike */
    const char *text = "{\"id\":1,\"ts\":5,\"recv\":1}\n"               /* replaced: else expect fails */
                       "{\"id\":2,\"ts\":5}\n"                          /* missing: not null, yet fine */
                       "{\"id\":3,\"ts\":5,\"recv\":null}\n"            /* null: the same */
                       "{\"id\":4,\"ts\":5,\"recv\":\"junk\"}\n"        /* not a time: not even read */
                       "{\"id\":5,\"ts\":5,\"recv\":{\"a\":[1,2]}}\n"   /* an object */
                       "{ \"recv\" : 7, \"id\" : 6, \"ts\" : 5 }\n"     /* general path */
                       "{\"re\\u0063v\":7,\"id\":7,\"ts\":5}\n"         /* an escaped key */
                       "{\"id\":8,\"ts\":5,\"recv\":1,\"recv\":2}\n"    /* a repeated key is still refused */
                       "{\"id\":9,\"ts\":5,\"recv\":tru}\n"             /* bad JSON is still refused */
                       "{\"id\":10,\"ts\":\"2100-01-01T00:00:00Z\"}\n"; /* expect sees the stamp: fails */
    int64_t ids[16], recvs[16];
    uint64_t rejected;
    int n = read_all(text, RT_EVENTS_JSONL, ids, recvs, &rejected);
    assert_int_equal(n, 7);
    assert_int_equal(rejected, 3);
    for (int i = 0; i < n; i++) {
        assert_int_equal(ids[i], i + 1);
        assert_true(recvs[i] == STAMP);
    }
}

static void test_one_json_object(void **state)
{
    (void)state;
    int64_t ids[4], recvs[4];
    uint64_t rejected;
    assert_int_equal(read_all("{\n  \"id\": 1,\n  \"ts\": 5,\n  \"recv\": \"x\"\n}\n", RT_EVENTS_JSON, ids, recvs,
                              &rejected),
                     1);
    assert_true(recvs[0] == STAMP);
    assert_int_equal(rejected, 0);
}

static void test_csv(void **state)
{
    (void)state;
    const char *text = "id,ts,recv\n"
                       "1,5,1\n"
                       "2,5,\n"
                       "3,5,not a time\n"
                       "4,2100-01-01T00:00:00Z,1\n";
    int64_t ids[8], recvs[8];
    uint64_t rejected;
    int n = read_all(text, RT_EVENTS_CSV, ids, recvs, &rejected);
    assert_int_equal(n, 3);
    assert_int_equal(rejected, 1);
    for (int i = 0; i < n; i++)
        assert_true(recvs[i] == STAMP);
}

/* Batches stamp too; -1 turns stamping off again. */
static void test_batch_and_off(void **state)
{
    (void)state;
    const char *text = "{\"id\":1,\"ts\":5,\"recv\":6}\n"
                       "{\"id\":2,\"ts\":5,\"recv\":7}\n"
                       "{\"id\":3,\"ts\":5,\"recv\":8}\n";
    char err[256];
    rt_reader *r = rt_reader_open_mem(text, strlen(text), RT_EVENTS_JSONL, "body", &schema, NULL, err, sizeof err);
    assert_non_null(r);
    rt_reader_stamp(r, F_RECV, STAMP);
    rt_slot recs[2 * NF];
    assert_int_equal(rt_reader_next_batch(r, recs, 2, NULL), 2);
    assert_true(recs[F_RECV].v.i == STAMP && recs[NF + F_RECV].v.i == STAMP);
    rt_reader_stamp(r, -1, 0);
    assert_int_equal(rt_reader_next_batch(r, recs, 2, NULL), 1);
    assert_true(recs[F_RECV].v.i == 8 * INT64_C(1000000));
    rt_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_lines),
        cmocka_unit_test(test_one_json_object),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_batch_and_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
