/* test_rt_engine.c - the engine: arrival rules, watermarks, queries through views and on_demand blocks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_engine.h"
#include "test_rt_engine_util.h"

#define S(x) ((int64_t)(x) * RT_US_PER_SEC)

static rt_slot ival(int64_t i)
{
    return (rt_slot){.v.i = i};
}

static rt_slot fval(double f)
{
    return (rt_slot){.v.f = f};
}

static const rt_slot null_slot = {.null = 1};

static rt_apply_result apply(rt_engine *e, int64_t user, double amount, int64_t ts)
{
    rt_slot rec[3] = {ival(user), fval(amount), ival(ts)};
    return rt_engine_apply(e, 0, rec, RT_ARRIVAL_UNKNOWN);
}

typedef struct answer {
    rt_slot v[5];
} answer;

static bool query(rt_engine *e, rt_slot user, rt_slot x, int64_t t, answer *a)
{
    rt_scratch scratch;
    rt_scratch_init(&scratch);
    rt_slot req[2] = {user, x};
    bool ok = rt_engine_query(e, 0, &user, req, t, &scratch, a->v);
    rt_scratch_free(&scratch);
    return ok;
}

static void test_watermark_and_lateness(void **state)
{
    (void)state;
    rt_program *p = test_program();
    assert_non_null(p);
    char err[256];
    rt_engine *e = rt_engine_new(p, &test_fns, NULL, err, sizeof err);
    assert_non_null(e);
    int64_t wm;
    assert_false(rt_engine_watermark(e, 0, &wm));
    assert_true(rt_engine_complete_until(e, 0) == INT64_MIN);

    assert_int_equal(apply(e, 1, 5, S(100)), RT_APPLY_ACCEPTED);
    assert_int_equal(apply(e, 1, 1, S(95)), RT_APPLY_ACCEPTED);     /* within 10s of the watermark */
    assert_int_equal(apply(e, 1, 2, S(90) - 1), RT_APPLY_LATE);     /* 1us before wm - lateness */
    assert_int_equal(apply(e, 1, 3, S(90)), RT_APPLY_ACCEPTED);     /* exactly wm - lateness */
    rt_slot rec[3] = {ival(1), fval(1), null_slot};
    assert_int_equal(rt_engine_apply(e, 0, rec, RT_ARRIVAL_UNKNOWN), RT_APPLY_NO_TIME);
    assert_int_equal(rt_engine_count(e, 0, RT_APPLY_NO_TIME), 1);
    assert_true(rt_engine_watermark(e, 0, &wm));
    assert_int_equal(wm, S(100));
    assert_int_equal(rt_engine_complete_until(e, 0), S(90));
    assert_int_equal(rt_engine_accepted(e, 0), 3);
    assert_int_equal(rt_engine_late(e, 0), 1);
    assert_int_equal(rt_engine_keys(e, 0), 1);
    assert_int_equal(rt_engine_keys(e, 1), 1);

    answer a;
    assert_true(query(e, ival(1), fval(18), S(200), &a));
    assert_int_equal(a.v[0].v.i, 3);        /* 100, 95, 90: the late one is not applied */
    assert_true(a.v[1].v.f == 9.0);         /* 5 + 1 + 3 */
    assert_true(a.v[2].v.f == 5.0);         /* last by time */
    assert_true(a.v[3].v.f == 5.0);         /* max */
    assert_true(a.v[4].v.f == 2.0);         /* 18 / 9 */

    /* As of 96s only 95 and 90 are visible: the engine answers past times exactly. */
    assert_true(query(e, ival(1), fval(4), S(96), &a));
    assert_int_equal(a.v[0].v.i, 2);
    assert_true(a.v[1].v.f == 4.0);
    assert_true(a.v[2].v.f == 1.0);
    assert_true(a.v[4].v.f == 1.0);

    /* An event stamped exactly t is not visible at t. */
    assert_true(query(e, ival(1), fval(4), S(100), &a));
    assert_int_equal(a.v[0].v.i, 2);

    /* Unknown and null keys match nothing: count 0, sum's default 0, the rest null. */
    for (int k = 0; k < 2; k++) {
        assert_true(query(e, k ? null_slot : ival(7), fval(1), S(200), &a));
        assert_int_equal(a.v[0].null, 0);
        assert_int_equal(a.v[0].v.i, 0);
        assert_int_equal(a.v[1].null, 0);
        assert_true(a.v[1].v.f == 0.0);
        assert_int_equal(a.v[2].null, 1);
        assert_int_equal(a.v[3].null, 1);
        assert_int_equal(a.v[4].null, 1); /* 1 / 0 is null */
    }

    /* After settling at 150s, earlier query times are refused, later ones answered. */
    rt_engine_settle(e, S(150));
    assert_int_equal(rt_engine_horizon(e, 0), S(150));
    assert_false(query(e, ival(1), fval(1), S(149), &a));
    assert_true(query(e, ival(1), fval(1), S(150), &a));
    assert_int_equal(a.v[0].v.i, 3);
    rt_engine_settle(e, S(100)); /* horizons never move back */
    assert_int_equal(rt_engine_horizon(e, 0), S(150));

    rt_engine_free(e);
    rt_program_free(p);
}

/* Lateness arithmetic at the ends of the int64 range, with no view state involved. */
static void test_extreme_times(void **state)
{
    (void)state;
    rt_program *p = test_program();
    assert_non_null(p);
    char err[256];
    bool active[2] = {false, false};
    rt_engine *e = rt_engine_new(p, &test_fns, active, err, sizeof err);
    assert_non_null(e);
    assert_int_equal(apply(e, 1, 1, INT64_MIN), RT_APPLY_ACCEPTED);
    assert_true(rt_engine_complete_until(e, 0) == INT64_MIN); /* saturates */
    assert_int_equal(apply(e, 1, 1, INT64_MAX), RT_APPLY_ACCEPTED);
    assert_true(rt_engine_complete_until(e, 0) == INT64_MAX - S(10));
    assert_int_equal(apply(e, 1, 1, INT64_MIN), RT_APPLY_LATE);
    assert_int_equal(apply(e, 1, 1, INT64_MAX - S(10)), RT_APPLY_ACCEPTED);
    assert_int_equal(apply(e, 1, 1, INT64_MAX - S(10) - 1), RT_APPLY_LATE);
    assert_int_equal(rt_engine_keys(e, 0), 0);
    answer a;
    assert_false(query(e, ival(1), fval(1), 0, &a)); /* its views hold no state */
    rt_engine_free(e);
    rt_program_free(p);
}

static void test_rejects_mismatched_functions(void **state)
{
    (void)state;
    rt_program *p = test_program();
    assert_non_null(p);
    char err[256];
    rt_fn_table bad = test_fns;
    bad.nviews = 1;
    assert_null(rt_engine_new(p, &bad, NULL, err, sizeof err));
    assert_non_null(strstr(err, "counts"));
    rt_program_free(p);
}

/* rt_engine_apply_batch against one rt_engine_apply per event: the same results, counts,
 * watermarks and answers, with late events and null times mixed in, in groups of 1..150. */
static void test_batch_matches_single(void **state)
{
    (void)state;
    rt_program *p = test_program();
    assert_non_null(p);
    char err[256];
    rt_engine *one = rt_engine_new(p, &test_fns, NULL, err, sizeof err);
    rt_engine *many = rt_engine_new(p, &test_fns, NULL, err, sizeof err);
    assert_non_null(one);
    assert_non_null(many);
    uint64_t seed = 7;
    enum { N = 3000 };
    static rt_slot recs[N][3];
    int64_t base = S(1000);
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        uint64_t r = seed >> 33;
        base += (int64_t)(r % 3) * S(1);
        int64_t ts = base - (int64_t)((r >> 4) % 15) * S(1); /* some beyond the 10s lateness */
        recs[i][0] = r % 50 == 0 ? null_slot : ival((int64_t)((r >> 8) % 40));
        recs[i][1] = r % 7 == 0 ? null_slot : fval((double)((r >> 12) % 1000) / 8);
        recs[i][2] = r % 97 == 0 ? null_slot : ival(ts);
    }
    static rt_apply_result got[N];
    size_t done = 0, accepted = 0;
    while (done < N) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t m = 1 + (seed >> 40) % 150;
        if (m > N - done)
            m = N - done;
        accepted += rt_engine_apply_batch(many, 0, recs[done], m, RT_ARRIVAL_UNKNOWN, got + done);
        for (size_t i = done; i < done + m; i++)
            assert_int_equal(got[i], rt_engine_apply(one, 0, recs[i], RT_ARRIVAL_UNKNOWN));
        done += m;
        if ((seed >> 20) % 4 == 0) {
            int64_t h = rt_engine_complete_until(one, 0) - S(30);
            rt_engine_settle(one, h);
            rt_engine_settle(many, h);
        }
    }
    assert_int_equal(accepted, rt_engine_accepted(one, 0));
    assert_int_equal(rt_engine_accepted(many, 0), rt_engine_accepted(one, 0));
    assert_int_equal(rt_engine_late(many, 0), rt_engine_late(one, 0));
    assert_true(rt_engine_late(one, 0) > 50);
    int64_t w1, w2;
    assert_true(rt_engine_watermark(one, 0, &w1) && rt_engine_watermark(many, 0, &w2));
    assert_int_equal(w1, w2);
    for (int v = 0; v < 2; v++)
        assert_int_equal(rt_engine_keys(many, v), rt_engine_keys(one, v));
    for (int64_t user = 0; user < 40; user++)
        for (int64_t t = w1 - S(20); t <= w1 + S(1); t += S(3)) {
            answer a, b;
            assert_true(query(one, ival(user), fval(3), t, &a));
            assert_true(query(many, ival(user), fval(3), t, &b));
            for (int k = 0; k < 5; k++) {
                assert_int_equal(a.v[k].null, b.v[k].null);
                assert_true(a.v[k].null || a.v[k].v.i == b.v[k].v.i);
            }
        }
    rt_engine_free(one);
    rt_engine_free(many);
    rt_program_free(p);
}

static rt_slot sval(const char *s)
{
    return (rt_slot){.v.s = s, .len = (uint32_t)strlen(s)};
}

/* An event of tx: id (NULL: null), user, amount, time, arrival field. */
static rt_apply_result apply_tx(rt_engine *e, const char *id, int64_t user, double amount, int64_t ts, int64_t recv,
                                int64_t arrival_us)
{
    char copy[32]; /* transient, as a reader's record is */
    rt_slot rec[5] = {null_slot, ival(user), fval(amount), ival(ts), ival(recv)};
    if (id) {
        snprintf(copy, sizeof copy, "%s", id);
        rec[0] = sval(copy);
    }
    rt_apply_result r = rt_engine_apply(e, 0, rec, arrival_us);
    memset(copy, 'x', sizeof copy);
    return r;
}

static rt_apply_result apply_nx(rt_engine *e, rt_slot n, int64_t user, int64_t ts, int64_t arrival_us)
{
    rt_slot rec[3] = {n, ival(user), ival(ts)};
    return rt_engine_apply(e, 1, rec, arrival_us);
}

/* Answers s2 for user at t: vt__cnt, vt__total, vn__cnt. */
static void query_s2(rt_engine *e, int64_t user, int64_t t, int64_t *cnt, double *total, int64_t *ncnt)
{
    rt_scratch scratch;
    rt_scratch_init(&scratch);
    rt_slot key = ival(user), req = ival(user), out[3];
    assert_true(rt_engine_query(e, 0, &key, &req, t, &scratch, out));
    *cnt = out[0].v.i;
    *total = out[1].v.f;
    *ncnt = out[2].v.i;
    rt_scratch_free(&scratch);
}

/* The arrival rules through the engine: the arrival field wins over the caller's arrival
 * time, the caller's counts when there is no field, refused events reach no view. */
static void test_arrival_rules(void **state)
{
    (void)state;
    rt_program *p = test_parse(test_arrival_manifest);
    assert_non_null(p);
    char err[256];
    rt_engine *e = rt_engine_new(p, &test_arrival_fns, NULL, err, sizeof err);
    assert_non_null(e);
    int64_t h = S(3600), now = S(100000);

    /* tx: arrival from its recv field, whatever the caller passes */
    assert_int_equal(apply_tx(e, "a", 1, 1, now, now, RT_ARRIVAL_UNKNOWN), RT_APPLY_ACCEPTED);
    assert_int_equal(apply_tx(e, "a", 1, 8, now, now, RT_ARRIVAL_UNKNOWN), RT_APPLY_DUPLICATE);
    assert_int_equal(apply_tx(e, "c", 1, 4, now + h + 1, now, now + h), RT_APPLY_AHEAD);
    assert_int_equal(apply_tx(e, "a", 1, 16, now + 1, now, RT_ARRIVAL_UNKNOWN), RT_APPLY_ACCEPTED);
    assert_int_equal(apply_tx(e, NULL, 1, 32, now + 1, now, RT_ARRIVAL_UNKNOWN), RT_APPLY_ACCEPTED);
    assert_int_equal(apply_tx(e, NULL, 1, 64, now + 1, now, RT_ARRIVAL_UNKNOWN), RT_APPLY_ACCEPTED);
    assert_int_equal(apply_tx(e, "b", 1, 2, now + h, now, RT_ARRIVAL_UNKNOWN), RT_APPLY_ACCEPTED);
    /* late (before now + 1h - 10s), and a duplicate too: late first */
    assert_int_equal(apply_tx(e, "a", 1, 128, now, now, RT_ARRIVAL_UNKNOWN), RT_APPLY_LATE);
    assert_int_equal(rt_engine_count(e, 0, RT_APPLY_ACCEPTED), 5);
    assert_int_equal(rt_engine_count(e, 0, RT_APPLY_AHEAD), 1);
    assert_int_equal(rt_engine_count(e, 0, RT_APPLY_LATE), 1);
    assert_int_equal(rt_engine_count(e, 0, RT_APPLY_DUPLICATE), 1);
    assert_int_equal(rt_engine_remembered(e, 0), 3); /* (a, now), (b, now + 1h), (a, now + 1) */

    /* nx: no arrival field, so the caller's arrival time (1d default max_ahead) */
    int64_t day = 24 * h;
    assert_int_equal(apply_nx(e, ival(1), 1, now + day, now), RT_APPLY_ACCEPTED);
    assert_int_equal(apply_nx(e, ival(1), 1, now + day, now + day), RT_APPLY_DUPLICATE);
    assert_int_equal(apply_nx(e, ival(2), 1, now + day + 1, now), RT_APPLY_AHEAD);
    assert_int_equal(apply_nx(e, ival(2), 1, now + day + 1, RT_ARRIVAL_UNKNOWN), RT_APPLY_ACCEPTED);
    assert_int_equal(apply_nx(e, null_slot, 1, now + day + 1, now + day), RT_APPLY_ACCEPTED);
    assert_int_equal(apply_nx(e, null_slot, 1, now + day + 1, now + day), RT_APPLY_ACCEPTED);
    assert_int_equal(rt_engine_count(e, 1, RT_APPLY_ACCEPTED), 4);
    assert_int_equal(rt_engine_count(e, 1, RT_APPLY_AHEAD), 1);
    assert_int_equal(rt_engine_count(e, 1, RT_APPLY_DUPLICATE), 1);
    assert_int_equal(rt_engine_count(e, 1, RT_APPLY_LATE), 0);

    /* only accepted events reached the views: 1 + 2 + 16 + 32 + 64 */
    int64_t cnt, ncnt;
    double total;
    query_s2(e, 1, now + 2 * day, &cnt, &total, &ncnt);
    assert_int_equal(cnt, 5);
    assert_true(total == 115.0);
    assert_int_equal(ncnt, 4);
    rt_engine_free(e);
    rt_program_free(p);
}

/* rt_engine_apply_batch against single calls with the arrival rules at work: ahead events
 * (by the field and by the caller's time), duplicates and late events mixed. */
static void test_batch_matches_single_arrival(void **state)
{
    (void)state;
    rt_program *p = test_parse(test_arrival_manifest);
    assert_non_null(p);
    char err[256];
    rt_engine *one = rt_engine_new(p, &test_arrival_fns, NULL, err, sizeof err);
    rt_engine *many = rt_engine_new(p, &test_arrival_fns, NULL, err, sizeof err);
    assert_non_null(one);
    assert_non_null(many);
    enum { N = 2000 };
    static rt_slot tx[N][5], nx[N][3];
    static char ids[N][8];
    uint64_t seed = 11;
    int64_t base = S(100000);
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        uint64_t r = seed >> 33;
        base += (int64_t)(r % 2) * S(1);
        int64_t ts = base - (int64_t)((r >> 3) % 15) * S(1) + ((r >> 9) % 50 == 0 ? S(7200) : 0);
        snprintf(ids[i], sizeof ids[i], "k%d", (int)((r >> 16) % 30));
        tx[i][0] = (r >> 24) % 10 == 0 ? null_slot : sval(ids[i]);
        tx[i][1] = ival((int64_t)((r >> 12) % 5));
        tx[i][2] = fval((double)(r % 100));
        tx[i][3] = ival(ts);
        tx[i][4] = ival(base);
        nx[i][0] = (r >> 24) % 10 == 1 ? null_slot : ival((int64_t)((r >> 16) % 30));
        nx[i][1] = tx[i][1];
        nx[i][2] = ival(ts + ((r >> 9) % 50 == 1 ? S(90000) : 0));
        if (i >= 5 && (r >> 28) % 6 == 0) { /* a retry of a recent event */
            int j = i - 1 - (int)((r >> 5) % 5);
            memcpy(tx[i], tx[j], sizeof tx[i]);
            memcpy(nx[i], nx[j], sizeof nx[i]);
        }
    }
    static rt_apply_result got[N];
    for (int src = 0; src < 2; src++) {
        size_t done = 0;
        while (done < N) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            size_t m = 1 + (seed >> 40) % 150;
            if (m > N - done)
                m = N - done;
            int64_t arrival = (seed >> 20) % 3 == 0 ? RT_ARRIVAL_UNKNOWN : base - S(1000);
            const rt_slot *recs = src == 0 ? tx[done] : nx[done];
            rt_engine_apply_batch(many, src, recs, m, arrival, got + done);
            for (size_t i = done; i < done + m; i++)
                assert_int_equal(got[i], rt_engine_apply(one, src, src == 0 ? tx[i] : nx[i], arrival));
            done += m;
        }
        for (int r = RT_APPLY_ACCEPTED; r <= RT_APPLY_NO_TIME; r++)
            assert_int_equal(rt_engine_count(many, src, (rt_apply_result)r),
                             rt_engine_count(one, src, (rt_apply_result)r));
        assert_true(rt_engine_count(one, src, RT_APPLY_AHEAD) > 10);
        assert_true(rt_engine_count(one, src, RT_APPLY_LATE) > 10);
        assert_true(rt_engine_count(one, src, RT_APPLY_DUPLICATE) > 10);
    }
    for (int64_t user = 0; user < 5; user++) {
        int64_t c1, c2, n1, n2;
        double t1, t2;
        query_s2(one, user, INT64_MAX, &c1, &t1, &n1);
        query_s2(many, user, INT64_MAX, &c2, &t2, &n2);
        assert_int_equal(c1, c2);
        assert_true(t1 == t2);
        assert_int_equal(n1, n2);
    }
    rt_engine_free(one);
    rt_engine_free(many);
    rt_program_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watermark_and_lateness),
        cmocka_unit_test(test_extreme_times),
        cmocka_unit_test(test_rejects_mismatched_functions),
        cmocka_unit_test(test_batch_matches_single),
        cmocka_unit_test(test_arrival_rules),
        cmocka_unit_test(test_batch_matches_single_arrival),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
