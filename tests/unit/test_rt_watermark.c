/* test_rt_watermark.c - the shared lateness rule: hand cases, extremes and a brute-force model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_watermark.h"

#define SEC INT64_C(1000000)

static void test_nothing_late_before_first_event(void **state)
{
    (void)state;
    rt_watermark w;
    rt_watermark_init(&w, 0);
    int64_t wm = 42;
    assert_false(rt_watermark_get(&w, &wm));
    assert_int_equal(wm, 42);
    assert_true(rt_watermark_complete_until(&w) == INT64_MIN);
    assert_false(rt_watermark_is_late(&w, INT64_MIN));
    assert_true(rt_watermark_offer(&w, INT64_MIN));
    assert_true(rt_watermark_get(&w, &wm));
    assert_true(wm == INT64_MIN);
}

static void test_boundary_is_accepted(void **state)
{
    (void)state;
    rt_watermark w;
    rt_watermark_init(&w, 10 * SEC);
    assert_true(rt_watermark_offer(&w, 100 * SEC));
    /* exactly watermark - lateness: not late */
    assert_false(rt_watermark_is_late(&w, 90 * SEC));
    assert_true(rt_watermark_offer(&w, 90 * SEC));
    /* one microsecond earlier: late, and the watermark stays */
    assert_true(rt_watermark_is_late(&w, 90 * SEC - 1));
    assert_false(rt_watermark_offer(&w, 90 * SEC - 1));
    int64_t wm;
    assert_true(rt_watermark_get(&w, &wm));
    assert_int_equal(wm, 100 * SEC);
    assert_int_equal(rt_watermark_complete_until(&w), 90 * SEC);
    assert_int_equal(w.accepted, 2);
    assert_int_equal(w.late, 1);
}

static void test_zero_lateness_allows_equal_times(void **state)
{
    (void)state;
    rt_watermark w;
    rt_watermark_init(&w, 0);
    assert_true(rt_watermark_offer(&w, 5));
    assert_true(rt_watermark_offer(&w, 5)); /* duplicate timestamps are in order */
    assert_false(rt_watermark_offer(&w, 4));
    assert_true(rt_watermark_offer(&w, 6));
    assert_false(rt_watermark_offer(&w, 5));
    assert_int_equal(w.accepted, 3);
    assert_int_equal(w.late, 2);
}

static void test_late_event_does_not_move_watermark(void **state)
{
    (void)state;
    rt_watermark w;
    rt_watermark_init(&w, 1 * SEC);
    assert_true(rt_watermark_offer(&w, 10 * SEC));
    assert_false(rt_watermark_offer(&w, 2 * SEC));
    /* accepted events older than the watermark do not lower it either */
    assert_true(rt_watermark_offer(&w, 9 * SEC));
    int64_t wm;
    assert_true(rt_watermark_get(&w, &wm));
    assert_int_equal(wm, 10 * SEC);
}

static void test_extremes_do_not_overflow(void **state)
{
    (void)state;
    rt_watermark w;
    rt_watermark_init(&w, INT64_MAX);
    assert_true(rt_watermark_offer(&w, INT64_MAX));
    /* INT64_MAX - INT64_MAX = 0: negative times are late, 0 is not */
    assert_true(rt_watermark_is_late(&w, INT64_MIN));
    assert_true(rt_watermark_is_late(&w, -1));
    assert_false(rt_watermark_is_late(&w, 0));
    assert_true(rt_watermark_complete_until(&w) == 0);

    rt_watermark_init(&w, 0);
    assert_true(rt_watermark_offer(&w, INT64_MAX));
    assert_true(rt_watermark_is_late(&w, INT64_MIN));
    assert_true(rt_watermark_is_late(&w, INT64_MAX - 1));
    assert_true(rt_watermark_complete_until(&w) == INT64_MAX);

    rt_watermark_init(&w, 5);
    assert_true(rt_watermark_offer(&w, INT64_MIN + 2));
    assert_true(rt_watermark_complete_until(&w) == INT64_MIN); /* saturates */
    assert_false(rt_watermark_is_late(&w, INT64_MIN));
}

/* A tiny deterministic generator (xorshift64). */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Brute force with 128-bit arithmetic against rt_watermark_offer on random sequences,
 * including times near both ends of the int64 range. */
static void test_matches_model(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int round = 0; round < 2000; round++) {
        int64_t lateness = (int64_t)(next_rand(&seed) % 4);
        int base_kind = (int)(next_rand(&seed) % 3);
        __int128 base = base_kind == 0 ? 0 : base_kind == 1 ? (__int128)INT64_MIN : (__int128)INT64_MAX - 20;
        if (next_rand(&seed) % 5 == 0)
            lateness = INT64_MAX - (int64_t)(next_rand(&seed) % 3);
        rt_watermark w;
        rt_watermark_init(&w, lateness);
        bool has = false;
        __int128 wm = 0;
        uint64_t acc = 0, late = 0;
        for (int k = 0; k < 30; k++) {
            int64_t ts = (int64_t)(base + (__int128)(next_rand(&seed) % 21));
            bool model_late = has && (__int128)ts < wm - (__int128)lateness;
            assert_int_equal(rt_watermark_is_late(&w, ts), model_late);
            assert_int_equal(rt_watermark_offer(&w, ts), !model_late);
            if (model_late) {
                late++;
            } else {
                if (!has || ts > wm)
                    wm = ts;
                has = true;
                acc++;
            }
            __int128 cu = wm - lateness;
            int64_t want = cu < (__int128)INT64_MIN ? INT64_MIN : (int64_t)cu;
            assert_true(rt_watermark_complete_until(&w) == want);
        }
        assert_int_equal(w.accepted, acc);
        assert_int_equal(w.late, late);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_late_before_first_event),
        cmocka_unit_test(test_boundary_is_accepted),
        cmocka_unit_test(test_zero_lateness_allows_equal_times),
        cmocka_unit_test(test_late_event_does_not_move_watermark),
        cmocka_unit_test(test_extremes_do_not_overflow),
        cmocka_unit_test(test_matches_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
