/* test_rt_arrival.c - the arrival rules: each rule, their order, extremes, forgetting, and a brute-force model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_arrival.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEC INT64_C(1000000)
#define DAY (86400 * SEC)

static const rt_slot null_slot = {.null = 1};

static rt_slot ival(int64_t i)
{
    return (rt_slot){.v.i = i};
}

static rt_slot sval(const char *s)
{
    return (rt_slot){.v.s = s, .len = (uint32_t)strlen(s)};
}

/* Offers an event with no arrival time and no unique value: the lateness rule alone. */
static rt_arrival_verdict late_only(rt_arrival *a, int64_t ts)
{
    return rt_arrival_offer(a, ts, false, 0, NULL);
}

static void test_nothing_late_before_first_event(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 0, -1, false, RT_INT);
    int64_t wm = 42;
    assert_false(rt_arrival_watermark(&a, &wm));
    assert_int_equal(wm, 42);
    assert_true(rt_arrival_complete_until(&a) == INT64_MIN);
    assert_false(rt_arrival_is_late(&a, INT64_MIN));
    assert_int_equal(late_only(&a, INT64_MIN), RT_ARRIVAL_ACCEPTED);
    assert_true(rt_arrival_watermark(&a, &wm));
    assert_true(wm == INT64_MIN);
    rt_arrival_free(&a);
}

static void test_boundary_is_accepted(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 10 * SEC, DAY, false, RT_INT);
    assert_int_equal(late_only(&a, 100 * SEC), RT_ARRIVAL_ACCEPTED);
    /* exactly watermark - lateness: not late */
    assert_false(rt_arrival_is_late(&a, 90 * SEC));
    assert_int_equal(late_only(&a, 90 * SEC), RT_ARRIVAL_ACCEPTED);
    /* one microsecond earlier: late, and the watermark stays */
    assert_true(rt_arrival_is_late(&a, 90 * SEC - 1));
    assert_int_equal(late_only(&a, 90 * SEC - 1), RT_ARRIVAL_LATE);
    int64_t wm;
    assert_true(rt_arrival_watermark(&a, &wm));
    assert_int_equal(wm, 100 * SEC);
    assert_int_equal(rt_arrival_complete_until(&a), 90 * SEC);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_ACCEPTED), 2);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_LATE), 1);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_AHEAD), 0);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_DUPLICATE), 0);
    rt_arrival_free(&a);
}

static void test_zero_lateness_allows_equal_times(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 0, -1, false, RT_INT);
    assert_int_equal(late_only(&a, 5), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(late_only(&a, 5), RT_ARRIVAL_ACCEPTED); /* equal times are in order */
    assert_int_equal(late_only(&a, 4), RT_ARRIVAL_LATE);
    assert_int_equal(late_only(&a, 6), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(late_only(&a, 5), RT_ARRIVAL_LATE);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_ACCEPTED), 3);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_LATE), 2);
    rt_arrival_free(&a);
}

static void test_late_event_does_not_move_watermark(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 1 * SEC, -1, false, RT_INT);
    assert_int_equal(late_only(&a, 10 * SEC), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(late_only(&a, 2 * SEC), RT_ARRIVAL_LATE);
    /* had the late event moved anything, 9s would now be judged differently */
    assert_int_equal(late_only(&a, 9 * SEC), RT_ARRIVAL_ACCEPTED);
    int64_t wm;
    assert_true(rt_arrival_watermark(&a, &wm));
    assert_int_equal(wm, 10 * SEC);
    rt_arrival_free(&a);
}

static void test_lateness_extremes_do_not_overflow(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, INT64_MAX, -1, false, RT_INT);
    assert_int_equal(late_only(&a, INT64_MAX), RT_ARRIVAL_ACCEPTED);
    /* INT64_MAX - INT64_MAX = 0: everything below 0 is late */
    assert_true(rt_arrival_is_late(&a, INT64_MIN));
    assert_true(rt_arrival_is_late(&a, -1));
    assert_false(rt_arrival_is_late(&a, 0));
    assert_true(rt_arrival_complete_until(&a) == 0);
    rt_arrival_free(&a);

    rt_arrival_init(&a, 0, -1, false, RT_INT);
    assert_int_equal(late_only(&a, INT64_MAX), RT_ARRIVAL_ACCEPTED);
    assert_true(rt_arrival_is_late(&a, INT64_MIN));
    assert_true(rt_arrival_is_late(&a, INT64_MAX - 1));
    assert_true(rt_arrival_complete_until(&a) == INT64_MAX);
    rt_arrival_free(&a);

    rt_arrival_init(&a, 5, -1, false, RT_INT);
    assert_int_equal(late_only(&a, INT64_MIN + 2), RT_ARRIVAL_ACCEPTED);
    assert_true(rt_arrival_complete_until(&a) == INT64_MIN); /* saturates */
    assert_false(rt_arrival_is_late(&a, INT64_MIN));
    rt_arrival_free(&a);
}

static void test_ahead(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 0, 3600 * SEC, false, RT_INT);
    int64_t arr = 1000 * SEC;
    /* exactly arrival + max_ahead is not ahead; one microsecond more is */
    assert_false(rt_arrival_is_ahead(&a, arr + 3600 * SEC, arr));
    assert_int_equal(rt_arrival_offer(&a, arr + 3600 * SEC + 1, true, arr, NULL), RT_ARRIVAL_AHEAD);
    /* an ahead event does not move the watermark */
    int64_t wm;
    assert_false(rt_arrival_watermark(&a, &wm));
    assert_int_equal(rt_arrival_offer(&a, arr + 3600 * SEC, true, arr, NULL), RT_ARRIVAL_ACCEPTED);
    /* events before their arrival time are never ahead */
    assert_int_equal(rt_arrival_offer(&a, arr + 3600 * SEC, true, INT64_MAX, NULL), RT_ARRIVAL_ACCEPTED);
    /* an unknown arrival time: never ahead, however far the time */
    assert_int_equal(rt_arrival_offer(&a, INT64_MAX, false, arr, NULL), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_AHEAD), 1);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_ACCEPTED), 3);
    rt_arrival_free(&a);
}

static void test_ahead_extremes_do_not_overflow(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 0, DAY, false, RT_INT);
    /* arrival + max_ahead above INT64_MAX: nothing is ahead */
    assert_false(rt_arrival_is_ahead(&a, INT64_MAX, INT64_MAX - 1));
    assert_false(rt_arrival_is_ahead(&a, INT64_MAX, INT64_MAX - DAY));
    assert_true(rt_arrival_is_ahead(&a, INT64_MAX, INT64_MAX - DAY - 1));
    /* the widest gap: INT64_MIN arrival, INT64_MAX time */
    assert_true(rt_arrival_is_ahead(&a, INT64_MAX, INT64_MIN));
    assert_false(rt_arrival_is_ahead(&a, INT64_MIN + DAY, INT64_MIN));
    assert_true(rt_arrival_is_ahead(&a, INT64_MIN + DAY + 1, INT64_MIN));
    rt_arrival_free(&a);

    /* the largest max_ahead: only the full range is more than it */
    rt_arrival_init(&a, 0, INT64_MAX, false, RT_INT);
    assert_true(rt_arrival_is_ahead(&a, INT64_MAX, INT64_MIN));
    assert_true(rt_arrival_is_ahead(&a, INT64_MAX, -1));
    assert_false(rt_arrival_is_ahead(&a, INT64_MAX, 0));
    assert_false(rt_arrival_is_ahead(&a, INT64_MAX - 1, -1));
    rt_arrival_free(&a);

    /* max_ahead 0: any time after the arrival is ahead */
    rt_arrival_init(&a, 0, 0, false, RT_INT);
    assert_false(rt_arrival_is_ahead(&a, 7, 7));
    assert_true(rt_arrival_is_ahead(&a, 8, 7));
    rt_arrival_free(&a);
}

static void test_max_ahead_none(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 0, -1, false, RT_INT);
    assert_false(rt_arrival_is_ahead(&a, INT64_MAX, INT64_MIN));
    assert_int_equal(rt_arrival_offer(&a, INT64_MAX, true, INT64_MIN, NULL), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_AHEAD), 0);
    rt_arrival_free(&a);
}

static void test_duplicate_int(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 10 * SEC, -1, true, RT_INT);
    rt_slot one = ival(1), two = ival(2);
    assert_int_equal(rt_arrival_offer(&a, 100 * SEC, false, 0, &one), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, 100 * SEC, false, 0, &one), RT_ARRIVAL_DUPLICATE);
    /* the same value at another time, another value at the same time: new events */
    assert_int_equal(rt_arrival_offer(&a, 95 * SEC, false, 0, &one), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, 100 * SEC, false, 0, &two), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, 95 * SEC, false, 0, &one), RT_ARRIVAL_DUPLICATE);
    /* extreme values and times */
    rt_slot lo = ival(INT64_MIN), hi = ival(INT64_MAX);
    assert_int_equal(rt_arrival_offer(&a, INT64_MAX, false, 0, &lo), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, INT64_MAX, false, 0, &hi), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, INT64_MAX, false, 0, &lo), RT_ARRIVAL_DUPLICATE);
    assert_int_equal(rt_arrival_offer(&a, INT64_MAX, false, 0, &hi), RT_ARRIVAL_DUPLICATE);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_DUPLICATE), 4);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_ACCEPTED), 5);
    assert_int_equal(rt_arrival_remembered(&a), 5);
    rt_arrival_free(&a);
}

static void test_duplicate_string_copied_and_bytewise(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 0, -1, true, RT_STRING);
    char buf[16];
    strcpy(buf, "tx-1");
    rt_slot v = sval(buf);
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &v), RT_ARRIVAL_ACCEPTED);
    /* the record's bytes are transient: the rules keep their own copy */
    strcpy(buf, "tx-2");
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &v), RT_ARRIVAL_ACCEPTED);
    strcpy(buf, "tx-1");
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &v), RT_ARRIVAL_DUPLICATE);
    /* byte-wise: case, a prefix, an embedded byte and the empty string all differ */
    rt_slot upper = sval("TX-1"), prefix = sval("tx-"), empty = sval("");
    rt_slot nul = {.v.s = "tx-1\0x", .len = 6};
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &upper), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &prefix), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &nul), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &empty), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &empty), RT_ARRIVAL_DUPLICATE);
    assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &nul), RT_ARRIVAL_DUPLICATE);
    rt_arrival_free(&a);
}

static void test_null_is_never_a_duplicate(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 0, -1, true, RT_STRING);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rt_arrival_offer(&a, 5, false, 0, &null_slot), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_remembered(&a), 0);
    /* without a unique field nothing is a duplicate either */
    rt_arrival b;
    rt_arrival_init(&b, 0, -1, false, RT_INT);
    assert_int_equal(rt_arrival_offer(&b, 5, false, 0, NULL), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&b, 5, false, 0, NULL), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_remembered(&b), 0);
    assert_int_equal(rt_arrival_bytes(&b), 0);
    rt_arrival_free(&a);
    rt_arrival_free(&b);
}

/* The first rule that applies wins: ahead before late before duplicate; a refused event is
 * not remembered and does not move the watermark. */
static void test_rule_order(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 10 * SEC, 60 * SEC, true, RT_INT);
    rt_slot id = ival(7), other = ival(8);
    int64_t arr = 1000 * SEC;
    assert_int_equal(rt_arrival_offer(&a, 1000 * SEC, true, arr, &id), RT_ARRIVAL_ACCEPTED);
    /* ahead and a duplicate pair: ahead */
    assert_int_equal(rt_arrival_offer(&a, 1000 * SEC, true, 1000 * SEC - 61 * SEC, &id), RT_ARRIVAL_AHEAD);
    /* ahead and late at once (a past arrival time): ahead */
    assert_int_equal(rt_arrival_offer(&a, 900 * SEC, true, 800 * SEC, &other), RT_ARRIVAL_AHEAD);
    /* late and a would-be duplicate of a late pair: late */
    assert_int_equal(rt_arrival_offer(&a, 900 * SEC, true, arr, &other), RT_ARRIVAL_LATE);
    assert_int_equal(rt_arrival_offer(&a, 900 * SEC, true, arr, &other), RT_ARRIVAL_LATE);
    /* the refused events above were not remembered: (8, 1000s) is new */
    assert_int_equal(rt_arrival_offer(&a, 1000 * SEC, true, arr, &other), RT_ARRIVAL_ACCEPTED);
    assert_int_equal(rt_arrival_offer(&a, 1000 * SEC, true, arr, &id), RT_ARRIVAL_DUPLICATE);
    /* an ahead event far in the future did not move the watermark: 995s is not late */
    assert_int_equal(rt_arrival_offer(&a, 995 * SEC, true, arr, &id), RT_ARRIVAL_ACCEPTED);
    int64_t wm;
    assert_true(rt_arrival_watermark(&a, &wm));
    assert_int_equal(wm, 1000 * SEC);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_ACCEPTED), 3);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_AHEAD), 2);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_LATE), 2);
    assert_int_equal(rt_arrival_count(&a, RT_ARRIVAL_DUPLICATE), 1);
    rt_arrival_free(&a);
}

/* Many in-order events with distinct values: once a pair's time is late it is forgotten,
 * so the table stays near the lateness horizon however long the stream. */
static void test_forgetting_keeps_the_table_small(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 10 * SEC, DAY, true, RT_STRING);
    size_t most = 0, most_bytes = 0;
    char buf[32];
    for (int i = 0; i < 200000; i++) {
        snprintf(buf, sizeof buf, "event-%d", i);
        rt_slot v = sval(buf);
        /* one event a second: about ten within the lateness at any time */
        assert_int_equal(rt_arrival_offer(&a, (int64_t)i * SEC, true, (int64_t)i * SEC, &v), RT_ARRIVAL_ACCEPTED);
        size_t n = rt_arrival_remembered(&a), b = rt_arrival_bytes(&a);
        most = n > most ? n : most;
        most_bytes = b > most_bytes ? b : most_bytes;
    }
    assert_true(most <= 1024);
    assert_true(most_bytes < 256 * 1024);
    /* what is still within the lateness is still remembered */
    snprintf(buf, sizeof buf, "event-%d", 199995);
    rt_slot v = sval(buf);
    assert_int_equal(rt_arrival_offer(&a, (int64_t)199995 * SEC, false, 0, &v), RT_ARRIVAL_DUPLICATE);
    /* and a forgotten pair's time is late anyway */
    snprintf(buf, sizeof buf, "event-%d", 5);
    v = sval(buf);
    assert_int_equal(rt_arrival_offer(&a, 5 * SEC, false, 0, &v), RT_ARRIVAL_LATE);
    rt_arrival_free(&a);
}

/* A burst of pairs within the lateness is all remembered; once the watermark has passed
 * them they go at the next sweep (when the table has doubled), and its memory with them. */
static void test_forgetting_after_a_burst(void **state)
{
    (void)state;
    rt_arrival a;
    rt_arrival_init(&a, 100 * SEC, -1, true, RT_INT);
    for (int64_t i = 0; i < 50000; i++) {
        rt_slot v = ival(i);
        assert_int_equal(rt_arrival_offer(&a, 50 * SEC, false, 0, &v), RT_ARRIVAL_ACCEPTED);
    }
    assert_int_equal(rt_arrival_remembered(&a), 50000);
    size_t burst_bytes = rt_arrival_bytes(&a);
    for (int64_t i = 0; i < 50000; i++) {
        rt_slot v = ival(i);
        assert_int_equal(rt_arrival_offer(&a, 50 * SEC, false, 0, &v), RT_ARRIVAL_DUPLICATE);
    }
    for (int64_t i = 0; i < 60000; i++) {
        rt_slot v = ival(i);
        assert_int_equal(rt_arrival_offer(&a, 1000 * SEC + i * SEC, false, 0, &v), RT_ARRIVAL_ACCEPTED);
    }
    assert_true(rt_arrival_remembered(&a) <= 1024);
    assert_true(rt_arrival_bytes(&a) < burst_bytes / 2);
    rt_arrival_free(&a);
}

/* A tiny deterministic generator (xorshift64). */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The rules written out with 128-bit arithmetic and a list of every accepted pair (never
 * forgetting), against rt_arrival_offer on random sequences: times near both ends of the
 * int64 range, small value domains (many repeats), known and unknown arrival times, and
 * sequences long enough for several sweeps. */
static void test_matches_model(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    int64_t *pair_v = malloc(sizeof(int64_t) * 5000), *pair_t = malloc(sizeof(int64_t) * 5000);
    assert_non_null(pair_v);
    assert_non_null(pair_t);
    bool forgot = false;
    for (int round = 0; round < 1200; round++) {
        int64_t lateness = (int64_t)(next_rand(&seed) % 4);
        if (next_rand(&seed) % 5 == 0)
            lateness = INT64_MAX - (int64_t)(next_rand(&seed) % 3);
        int64_t max_ahead = (int64_t)(next_rand(&seed) % 6) - 1; /* -1 (none) .. 4 */
        if (next_rand(&seed) % 7 == 0)
            max_ahead = INT64_MAX;
        bool unique = next_rand(&seed) % 4 != 0;
        bool strings = next_rand(&seed) % 2;
        int len = round % 50 == 0 ? 5000 : 40;
        int spread = len > 40 ? 4000 : 21;
        int base_kind = (int)(next_rand(&seed) % 3);
        __int128 base = base_kind == 0   ? 0
                        : base_kind == 1 ? (__int128)INT64_MIN
                                         : (__int128)INT64_MAX - spread + 1;
        rt_arrival a;
        rt_arrival_init(&a, lateness, max_ahead, unique, strings ? RT_STRING : RT_INT);
        bool has = false;
        __int128 wm = 0;
        int npairs = 0;
        uint64_t counts[RT_ARRIVAL_NVERDICTS] = {0};
        for (int k = 0; k < len; k++) {
            /* the long sequences mostly in order, so that the watermark moves on */
            int64_t off = len > 40 ? (int64_t)(k * 3 / 4) + (int64_t)(next_rand(&seed) % 8)
                                   : (int64_t)(next_rand(&seed) % (uint64_t)spread);
            int64_t ts = (int64_t)(base + off);
            bool has_arr = next_rand(&seed) % 3 != 0;
            int64_t arr = (int64_t)(base + (__int128)(next_rand(&seed) % (uint64_t)spread));
            bool vnull = next_rand(&seed) % 8 == 0;
            int64_t vnum = (int64_t)(next_rand(&seed) % 4);
            char vtext[4] = {'v', (char)('0' + vnum), 0, 0};
            rt_slot v = strings ? (rt_slot){.v.s = vtext, .len = vnum == 3 ? 0 : 2} : ival(vnum - 2 + INT64_MAX - 1);
            v.null = vnull;
            int64_t vkey = vnum == 3 && strings ? -1 : vnum;

            rt_arrival_verdict want;
            if (has_arr && max_ahead >= 0 && (__int128)ts > (__int128)arr + max_ahead) {
                want = RT_ARRIVAL_AHEAD;
            } else if (has && (__int128)ts < wm - (__int128)lateness) {
                want = RT_ARRIVAL_LATE;
            } else {
                bool dup = false;
                if (unique && !vnull)
                    for (int p = 0; p < npairs && !dup; p++)
                        dup = pair_v[p] == vkey && pair_t[p] == ts;
                want = dup ? RT_ARRIVAL_DUPLICATE : RT_ARRIVAL_ACCEPTED;
                if (!dup) {
                    if (unique && !vnull) {
                        assert_true(npairs < 5000);
                        pair_v[npairs] = vkey;
                        pair_t[npairs++] = ts;
                    }
                    if (!has || ts > wm)
                        wm = ts;
                    has = true;
                }
            }
            counts[want]++;
            assert_int_equal(rt_arrival_offer(&a, ts, has_arr, arr, unique ? &v : NULL), want);
            __int128 cu = wm - lateness;
            int64_t cu_want = !has ? INT64_MIN : cu < (__int128)INT64_MIN ? INT64_MIN : (int64_t)cu;
            assert_true(rt_arrival_complete_until(&a) == cu_want);
        }
        for (int v = 0; v < RT_ARRIVAL_NVERDICTS; v++)
            assert_int_equal(rt_arrival_count(&a, (rt_arrival_verdict)v), counts[v]);
        forgot |= rt_arrival_remembered(&a) < (size_t)npairs;
        rt_arrival_free(&a);
    }
    assert_true(forgot); /* some sequences did sweep while the model kept everything */
    free(pair_v);
    free(pair_t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_late_before_first_event),
        cmocka_unit_test(test_boundary_is_accepted),
        cmocka_unit_test(test_zero_lateness_allows_equal_times),
        cmocka_unit_test(test_late_event_does_not_move_watermark),
        cmocka_unit_test(test_lateness_extremes_do_not_overflow),
        cmocka_unit_test(test_ahead),
        cmocka_unit_test(test_ahead_extremes_do_not_overflow),
        cmocka_unit_test(test_max_ahead_none),
        cmocka_unit_test(test_duplicate_int),
        cmocka_unit_test(test_duplicate_string_copied_and_bytewise),
        cmocka_unit_test(test_null_is_never_a_duplicate),
        cmocka_unit_test(test_rule_order),
        cmocka_unit_test(test_forgetting_keeps_the_table_small),
        cmocka_unit_test(test_forgetting_after_a_burst),
        cmocka_unit_test(test_matches_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
