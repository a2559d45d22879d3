/* test_rt_engine_parts.c - a source split into parts (stream partitions): arrival rules per part, completeness over all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_engine.h"
#include "test_rt_engine_util.h"

#define S(x) ((int64_t)(x) * RT_US_PER_SEC)
#define NX 1 /* source nx: n int (unique), user int, ts; lateness 0, max_ahead 1d */

static rt_slot ival(int64_t i)
{
    return (rt_slot){.v.i = i};
}

static rt_engine *new_engine(rt_program **p)
{
    *p = test_parse(test_arrival_manifest);
    assert_non_null(*p);
    char err[256];
    rt_engine *e = rt_engine_new(*p, &test_arrival_fns, NULL, err, sizeof err);
    assert_non_null(e);
    return e;
}

static rt_apply_result nx(rt_engine *e, int part, int64_t n, int64_t ts)
{
    rt_slot rec[3] = {ival(n), ival(1), ival(ts)};
    return rt_engine_apply_part(e, NX, part, rec, RT_ARRIVAL_UNKNOWN);
}

/* Each part has its own watermark and duplicate memory; completeness is the least part's. */
static void test_parts_decide_alone(void **state)
{
    (void)state;
    rt_program *p;
    rt_engine *e = new_engine(&p);
    assert_int_equal(rt_engine_parts(e, NX), 0);
    assert_true(rt_engine_set_parts(e, NX, 2));
    assert_int_equal(rt_engine_parts(e, NX), 2);
    assert_true(rt_engine_complete_until(e, NX) == INT64_MIN);

    int64_t t = S(100000), wm;
    assert_int_equal(nx(e, 0, 1, t + S(3600)), RT_APPLY_ACCEPTED);
    /* part 1 has seen nothing: an hour earlier is not late there, nor a repeat of part 0's pair */
    assert_true(rt_engine_complete_until(e, NX) == INT64_MIN);
    assert_int_equal(nx(e, 1, 2, t), RT_APPLY_ACCEPTED);
    assert_int_equal(nx(e, 1, 1, t + S(3600)), RT_APPLY_ACCEPTED);
    assert_true(rt_engine_complete_until(e, NX) == t + S(3600));
    /* within a part: late, duplicate */
    assert_int_equal(nx(e, 0, 3, t), RT_APPLY_LATE);
    assert_int_equal(nx(e, 1, 1, t + S(3600)), RT_APPLY_DUPLICATE);
    assert_true(rt_engine_part_watermark(e, NX, 0, &wm) && wm == t + S(3600));
    assert_true(rt_engine_part_watermark(e, NX, 1, &wm) && wm == t + S(3600));
    assert_false(rt_engine_part_watermark(e, NX, -1, &wm));

    /* growing keeps the parts; a new part holds completeness back until it has events */
    assert_true(rt_engine_set_parts(e, NX, 3));
    assert_true(rt_engine_set_parts(e, NX, 1)); /* never shrinks */
    assert_int_equal(rt_engine_parts(e, NX), 3);
    assert_true(rt_engine_complete_until(e, NX) == INT64_MIN);
    assert_int_equal(nx(e, 2, 4, t + S(10)), RT_APPLY_ACCEPTED);
    assert_true(rt_engine_complete_until(e, NX) == t + S(10));

    /* the source's own rules (part -1) do not hold completeness back */
    assert_int_equal(nx(e, -1, 5, t - S(99)), RT_APPLY_ACCEPTED);
    assert_true(rt_engine_complete_until(e, NX) == t + S(10));

    /* counts and the watermark span every part */
    assert_int_equal(rt_engine_accepted(e, NX), 5);
    assert_int_equal(rt_engine_late(e, NX), 1);
    assert_int_equal(rt_engine_count(e, NX, RT_APPLY_DUPLICATE), 1);
    assert_true(rt_engine_watermark(e, NX, &wm) && wm == t + S(3600));
    assert_int_equal(rt_engine_remembered(e, NX), 5);
    rt_engine_free(e);
    rt_program_free(p);
}

/* rt_engine_apply_parts on interleaved parts decides every event as rt_engine_apply does
 * on an engine holding that part's events alone, and reports the part's watermark. */
static void test_apply_parts_matches_separate_engines(void **state)
{
    (void)state;
    enum { N = 3000, P = 4 };
    rt_program *p;
    rt_engine *mixed = new_engine(&p);
    rt_engine *alone[P];
    rt_program *alone_p[P];
    for (int k = 0; k < P; k++)
        alone[k] = new_engine(&alone_p[k]);
    assert_true(rt_engine_set_parts(mixed, NX, P));
    static rt_slot recs[N][3];
    static int32_t parts[N];
    static int64_t arrivals[N], wms[N];
    static rt_apply_result got[N];
    uint64_t seed = 7;
    int64_t base[P] = {S(1000), S(5000), S(3000), S(9000)};
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        uint64_t r = seed >> 33;
        int k = (int)(r % P);
        base[k] += (int64_t)((r >> 3) % 3) * S(1);
        int64_t ts = base[k] - ((r >> 6) % 4 == 0 ? S(2) : 0);
        parts[i] = k;
        recs[i][0] = ival((int64_t)((r >> 10) % 3));
        recs[i][1] = ival((int64_t)((r >> 16) % 5));
        recs[i][2] = ival(ts);
        arrivals[i] = (r >> 20) % 5 == 0 ? ts - S(90000) : ts; /* some ahead of their arrival */
    }
    size_t accepted = 0;
    for (size_t done = 0; done < N;) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t m = 1 + (seed >> 40) % 200;
        m = m > N - done ? N - done : m;
        accepted += rt_engine_apply_parts(mixed, NX, recs[done], m, parts + done, arrivals + done, got + done,
                                          wms + done);
        done += m;
    }
    size_t want_accepted = 0;
    for (int i = 0; i < N; i++) {
        rt_engine *a = alone[parts[i]];
        assert_int_equal(got[i], rt_engine_apply(a, NX, recs[i], arrivals[i]));
        want_accepted += got[i] == RT_APPLY_ACCEPTED;
        int64_t wm = INT64_MIN;
        rt_engine_watermark(a, NX, &wm);
        assert_true(wms[i] == wm);
    }
    assert_int_equal(accepted, want_accepted);
    int64_t least = INT64_MAX;
    for (int k = 0; k < P; k++) {
        int64_t c = rt_engine_complete_until(alone[k], NX);
        least = c < least ? c : least;
        rt_engine_free(alone[k]);
        rt_program_free(alone_p[k]);
    }
    assert_true(rt_engine_complete_until(mixed, NX) == least);
    assert_true(rt_engine_count(mixed, NX, RT_APPLY_LATE) > 50);
    assert_true(rt_engine_count(mixed, NX, RT_APPLY_DUPLICATE) > 50);
    assert_true(rt_engine_count(mixed, NX, RT_APPLY_AHEAD) > 50);
    rt_engine_free(mixed);
    rt_program_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_decide_alone),
        cmocka_unit_test(test_apply_parts_matches_separate_engines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
