/* test_rt_state.c - window state on hand-computed cases: exactness, window edges, ties, ttl, defaults, memory bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_state.h"

#include <stdio.h>
#include <string.h>

#define MAXF 16

static rt_slot I(int64_t i)
{
    rt_slot s;
    memset(&s, 0, sizeof s);
    s.v.i = i;
    return s;
}
static rt_slot F(double f)
{
    rt_slot s;
    memset(&s, 0, sizeof s);
    s.v.f = f;
    return s;
}
static rt_slot S(const char *str)
{
    rt_slot s;
    memset(&s, 0, sizeof s);
    s.v.s = str;
    s.len = (uint32_t)strlen(str);
    return s;
}
static rt_slot N(void)
{
    rt_slot s;
    memset(&s, 0, sizeof s);
    s.null = 1;
    return s;
}

static rt_type out_of(rt_agg a, rt_type in)
{
    switch (a) {
    case RT_AGG_COUNT_ROWS:
    case RT_AGG_COUNT:
    case RT_AGG_COUNT_DISTINCT:
        return RT_INT;
    case RT_AGG_AVG:
    case RT_AGG_VARIANCE:
    case RT_AGG_STDDEV:
        return RT_FLOAT;
    default:
        return in;
    }
}

static rt_feature_desc feat(rt_agg a, rt_type in, rt_window_kind w, int64_t size, int64_t hop)
{
    rt_feature_desc d;
    memset(&d, 0, sizeof d);
    d.agg = a;
    d.in_type = in;
    d.out_type = out_of(a, in);
    d.win = w;
    d.size_us = size;
    d.hop_us = hop;
    return d;
}

static rt_view_state *view(const rt_feature_desc *fs, int n, bool has_seq)
{
    static const rt_type kt[1] = {RT_INT};
    rt_view_desc d = {1, kt, n, fs, has_seq};
    rt_view_state *s = rt_view_state_new(&d);
    assert_non_null(s);
    return s;
}

/* Ingests one event for int key k, the same input for every feature. */
static void put(rt_view_state *s, int n, int64_t k, int64_t ts, rt_slot in)
{
    rt_slot key = I(k), ins[MAXF];
    for (int i = 0; i < n; i++)
        ins[i] = in;
    rt_view_ingest(s, &key, ts, NULL, ins);
}

/* One query with a scratch area of its own (results never point into scratch). */
static void query_keys(rt_view_state *s, const rt_slot *keys, int64_t t, rt_slot *out)
{
    rt_scratch scratch = {0};
    rt_view_query(s, keys, t, &scratch, out);
    rt_scratch_free(&scratch);
}

static void query(rt_view_state *s, int64_t k, int64_t t, rt_slot *out)
{
    rt_slot key = I(k);
    query_keys(s, &key, t, out);
}

static void test_float_sum_cancellation(void **st)
{
    (void)st;
    rt_feature_desc fs[4] = {
        feat(RT_AGG_SUM, RT_FLOAT, RT_WIN_SLIDING, 10, 0),
        feat(RT_AGG_SUM, RT_FLOAT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_SUM, RT_FLOAT, RT_WIN_HOP, 10, 5),
        feat(RT_AGG_AVG, RT_FLOAT, RT_WIN_SLIDING, 10, 0),
    };
    rt_view_state *s = view(fs, 4, false);
    put(s, 4, 1, 0, F(1e17));
    put(s, 4, 1, 1, F(1));
    put(s, 4, 1, 2, F(-1e17));
    rt_slot out[4];
    query(s, 1, 3, out);
    for (int i = 0; i < 3; i++) {
        assert_false(out[i].null);
        assert_true(out[i].v.f == 1.0);
    }
    assert_true(out[3].v.f == 1.0 / 3.0);
    /* the same after folding into the lifetime total and the hop tile */
    rt_view_settle(s, 10);
    rt_view_compact(s);
    query(s, 1, 10, out);
    for (int i = 0; i < 3; i++)
        assert_true(out[i].v.f == 1.0);
    rt_view_state_free(s);

    /* the frame that a subtracting window gets wrong: 1e17, 1, 0, 0 two at a time */
    rt_feature_desc two = feat(RT_AGG_SUM, RT_FLOAT, RT_WIN_SLIDING, 2, 0);
    s = view(&two, 1, false);
    double xs[4] = {1e17, 1, 0, 0};
    for (int i = 0; i < 4; i++)
        put(s, 1, 7, i, F(xs[i]));
    query(s, 7, 2, out);
    assert_true(out[0].v.f == 1e17 + 1);
    rt_view_settle(s, 3);
    query(s, 7, 3, out);
    assert_true(out[0].v.f == 1.0);
    rt_view_settle(s, 4);
    query(s, 7, 4, out);
    assert_true(out[0].v.f == 0.0);
    rt_view_state_free(s);
}

static void test_int_sum_overflow(void **st)
{
    (void)st;
    rt_feature_desc fs[4] = {
        feat(RT_AGG_SUM, RT_INT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_SUM, RT_INT, RT_WIN_SLIDING, 100, 0),
        feat(RT_AGG_SUM, RT_INT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_AVG, RT_INT, RT_WIN_LIFETIME, 0, 0),
    };
    fs[2].has_default = true;
    fs[2].dflt = I(0);
    rt_view_state *s = view(fs, 4, false);
    rt_slot out[4];
    /* key 1: MAX, 1, -1 -> MAX (the total fits although a prefix does not) */
    put(s, 4, 1, 0, I(INT64_MAX));
    put(s, 4, 1, 1, I(1));
    query(s, 1, 2, out);
    assert_true(out[0].null && out[1].null);
    assert_false(out[2].null);
    assert_int_equal(out[2].v.i, 0); /* default replaces the overflow's null */
    put(s, 4, 1, 2, I(-1));
    query(s, 1, 3, out);
    assert_false(out[0].null);
    assert_true(out[0].v.i == INT64_MAX && out[1].v.i == INT64_MAX && out[2].v.i == INT64_MAX);
    /* key 2: MIN, -1 -> null; folded first */
    put(s, 4, 2, 0, I(INT64_MIN));
    put(s, 4, 2, 1, I(-1));
    rt_view_settle(s, 5);
    rt_view_compact(s);
    query(s, 2, 5, out);
    assert_true(out[0].null && out[1].null);
    /* avg of two MAX values: the exact total converted, then divided */
    put(s, 4, 3, 0, I(INT64_MAX));
    put(s, 4, 3, 1, I(INT64_MAX));
    query(s, 3, 10, out);
    assert_true(out[3].v.f == (double)INT64_MAX);
    /* no rows: null */
    query(s, 4, 10, out);
    assert_true(out[0].null && out[1].null && out[3].null);
    rt_view_state_free(s);
}

static void test_variance_identical_values(void **st)
{
    (void)st;
    rt_feature_desc fs[8];
    rt_window_kind ws[4] = {RT_WIN_SLIDING, RT_WIN_LIFETIME, RT_WIN_HOP, RT_WIN_HOP};
    for (int i = 0; i < 4; i++) {
        fs[2 * i] = feat(RT_AGG_VARIANCE, RT_FLOAT, ws[i], i == 3 ? 30 : 1000, i >= 2 ? (i == 3 ? 3 : 10) : 0);
        fs[2 * i + 1] = feat(RT_AGG_STDDEV, RT_FLOAT, ws[i], i == 3 ? 30 : 1000, i >= 2 ? (i == 3 ? 3 : 10) : 0);
    }
    rt_view_state *s = view(fs, 8, false);
    rt_slot out[8];
    put(s, 8, 1, 0, F(0.1));
    query(s, 1, 1, out);
    for (int i = 0; i < 8; i++)
        assert_true(!out[i].null && out[i].v.f == 0.0); /* one row */
    for (int64_t ts = 1; ts < 25; ts++)
        put(s, 8, 1, ts, F(0.1));
    query(s, 1, 25, out);
    for (int i = 0; i < 8; i++)
        assert_true(out[i].v.f == 0.0);
    /* settled: lifetime folded, hop tiles merged */
    rt_view_settle(s, 25);
    rt_view_compact(s);
    query(s, 1, 26, out);
    for (int i = 0; i < 8; i++)
        assert_true(out[i].v.f == 0.0);
    /* and the variance of 1, 2, 3, 4 is 1.25 */
    for (int i = 1; i <= 4; i++)
        put(s, 8, 2, 100 + i, F(i));
    rt_view_settle(s, 103);
    query(s, 2, 105, out);
    assert_true(out[0].v.f == 1.25 && out[2].v.f == 1.25 && out[4].v.f == 1.25);
    rt_view_state_free(s);

    rt_feature_desc vi = feat(RT_AGG_VARIANCE, RT_INT, RT_WIN_LIFETIME, 0, 0);
    s = view(&vi, 1, false);
    for (int i = 0; i < 5; i++)
        put(s, 1, 1, i, I(INT64_MAX - 7));
    rt_view_settle(s, 3);
    query(s, 1, 5, out);
    assert_true(out[0].v.f == 0.0);
    rt_view_state_free(s);
}

static void test_sliding_edges(void **st)
{
    (void)st;
    rt_feature_desc c = feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_SLIDING, 10, 0);
    rt_view_state *s = view(&c, 1, false);
    put(s, 1, 1, 0, I(0));
    put(s, 1, 1, 10, I(0));
    rt_slot out[1];
    int64_t ts[] = {0, 1, 10, 11, 20, 21};
    int64_t want[] = {0, 1, 1, 1, 1, 0}; /* t-D <= ts < t */
    for (int i = 0; i < 6; i++) {
        query(s, 1, ts[i], out);
        assert_int_equal(out[0].v.i, want[i]);
    }
    rt_view_state_free(s);
}

static void test_hop_negative_times(void **st)
{
    (void)st;
    rt_feature_desc c = feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_HOP, 10, 5);
    rt_view_state *s = view(&c, 1, false);
    int64_t evs[] = {-16, -15, -4, -3};
    for (int i = 0; i < 4; i++)
        put(s, 1, 1, evs[i], I(0));
    rt_slot out[1];
    /* t=-3: floor(-13/5)*5 = -15 <= ts < -3 */
    query(s, 1, -3, out);
    assert_int_equal(out[0].v.i, 2);
    query(s, 1, -1, out);
    assert_int_equal(out[0].v.i, 3);
    /* t=0: floor(-10/5)*5 = -10 */
    query(s, 1, 0, out);
    assert_int_equal(out[0].v.i, 2);
    /* the same once the tiles before -5 are settled */
    rt_view_settle(s, -2);
    rt_view_compact(s);
    query(s, 1, -1, out);
    assert_int_equal(out[0].v.i, 3);
    rt_view_settle(s, 0);
    rt_view_compact(s);
    query(s, 1, 0, out);
    assert_int_equal(out[0].v.i, 2);
    rt_view_state_free(s);
}

static void test_ttl_and_default(void **st)
{
    (void)st;
    rt_feature_desc fs[2] = {
        feat(RT_AGG_LAST, RT_INT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_FIRST, RT_INT, RT_WIN_LIFETIME, 0, 0),
    };
    for (int i = 0; i < 2; i++) {
        fs[i].ttl_us = 10;
        fs[i].has_default = true;
        fs[i].dflt = I(-1);
    }
    rt_view_state *s = view(fs, 2, false);
    rt_slot out[2];
    query(s, 1, 0, out);
    assert_int_equal(out[0].v.i, -1); /* no rows: default */
    put(s, 2, 1, 0, I(5));
    query(s, 1, 10, out);
    assert_int_equal(out[0].v.i, 5); /* ts 0 >= 10 - 10 */
    query(s, 1, 11, out);
    assert_int_equal(out[0].v.i, -1);
    put(s, 2, 1, 8, I(6));
    rt_view_settle(s, 11);
    query(s, 1, 11, out);
    assert_int_equal(out[0].v.i, 6);
    /* first chose ts 0, which is past its ttl: null, then the default */
    assert_int_equal(out[1].v.i, -1);
    rt_view_state_free(s);
}

static void test_first_last_ties(void **st)
{
    (void)st;
    rt_feature_desc fs[2] = {
        feat(RT_AGG_FIRST, RT_STRING, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_LAST, RT_STRING, RT_WIN_LIFETIME, 0, 0),
    };
    for (int with_seq = 0; with_seq < 2; with_seq++)
        for (int settle = 0; settle < 2; settle++) {
            rt_view_state *s = view(fs, 2, with_seq);
            struct {
                rt_slot seq;
                const char *v;
            } evs[] = {{N(), "b"}, {I(1), "a"}, {I(1), "c"}, {I(0), "z"}, {I(-5), "ab"}};
            rt_slot key = I(1);
            for (int i = 0; i < 5; i++) {
                rt_slot in[2] = {S(evs[i].v), S(evs[i].v)};
                rt_view_ingest(s, &key, 5, &evs[i].seq, in);
            }
            if (settle)
                rt_view_settle(s, 6);
            rt_slot out[2];
            query(s, 1, 6, out);
            /* with seq: null lowest, then seq, then the value; without: the value alone */
            const char *want_first = with_seq ? "b" : "a", *want_last = with_seq ? "c" : "z";
            assert_int_equal(out[0].len, strlen(want_first));
            assert_memory_equal(out[0].v.s, want_first, out[0].len);
            assert_int_equal(out[1].len, strlen(want_last));
            assert_memory_equal(out[1].v.s, want_last, out[1].len);
            rt_view_state_free(s);
        }
}

static void test_null_keys_and_inputs(void **st)
{
    (void)st;
    rt_feature_desc fs[2] = {
        feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_SUM, RT_INT, RT_WIN_LIFETIME, 0, 0),
    };
    fs[1].has_default = true;
    fs[1].dflt = I(42);
    rt_view_state *s = view(fs, 2, false);
    rt_slot nk = N(), in[2] = {I(1), I(1)}, out[2];
    rt_view_ingest(s, &nk, 0, NULL, in);
    assert_int_equal(rt_view_state_keys(s), 0);
    rt_slot none[2] = {N(), N()};
    rt_slot k1 = I(1);
    rt_view_ingest(s, &k1, 0, NULL, none);
    assert_int_equal(rt_view_state_keys(s), 0);
    query_keys(s, &nk, 5, out);
    assert_false(out[0].null);
    assert_int_equal(out[0].v.i, 0);
    assert_int_equal(out[1].v.i, 42);
    /* count() counts the row even when sum's input is null */
    rt_slot half[2] = {I(0), N()};
    rt_view_ingest(s, &k1, 0, NULL, half);
    query_keys(s, &k1, 5, out);
    assert_int_equal(out[0].v.i, 1);
    assert_int_equal(out[1].v.i, 42);
    rt_view_state_free(s);
}

static void test_events_at_or_after_t_excluded(void **st)
{
    (void)st;
    rt_feature_desc fs[4] = {
        feat(RT_AGG_COUNT, RT_INT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_COUNT, RT_INT, RT_WIN_SLIDING, 100, 0),
        feat(RT_AGG_COUNT, RT_INT, RT_WIN_HOP, 100, 10),
        feat(RT_AGG_LAST, RT_INT, RT_WIN_LIFETIME, 0, 0),
    };
    rt_view_state *s = view(fs, 4, false);
    put(s, 4, 1, 10, I(1));
    put(s, 4, 1, 20, I(2));
    put(s, 4, 1, 15, I(3)); /* out of order */
    rt_slot out[4];
    query(s, 1, 10, out);
    for (int i = 0; i < 3; i++)
        assert_int_equal(out[i].v.i, 0);
    assert_true(out[3].null);
    query(s, 1, 16, out);
    for (int i = 0; i < 3; i++)
        assert_int_equal(out[i].v.i, 2);
    assert_int_equal(out[3].v.i, 3);
    rt_view_settle(s, 16);
    query(s, 1, 20, out);
    assert_int_equal(out[0].v.i, 2);
    assert_int_equal(out[3].v.i, 3);
    rt_view_state_free(s);
}

/* An event older than the horizon still counts for the queries that can see it. */
static void test_late_event_after_settle(void **st)
{
    (void)st;
    rt_feature_desc fs[5] = {
        feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_SLIDING, 60, 0),
        feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_SLIDING, 40, 0),
        feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_HOP, 60, 20),
        feat(RT_AGG_COUNT_DISTINCT, RT_INT, RT_WIN_HOP, 60, 20),
    };
    rt_view_state *s = view(fs, 5, false);
    put(s, 5, 1, 95, I(7));
    rt_view_settle(s, 100);
    put(s, 5, 1, 50, I(8));
    rt_slot out[5];
    query(s, 1, 100, out);
    assert_int_equal(out[0].v.i, 2);
    assert_int_equal(out[1].v.i, 2); /* 40 <= 50 */
    assert_int_equal(out[2].v.i, 1); /* 60 > 50 */
    assert_int_equal(out[3].v.i, 2); /* tail floor(40/20)*20 = 40 */
    assert_int_equal(out[4].v.i, 2);
    query(s, 1, 120, out);
    assert_int_equal(out[3].v.i, 1); /* tail 60 */
    assert_int_equal(out[4].v.i, 1);
    rt_view_state_free(s);
}

static void test_descriptor_validation(void **st)
{
    (void)st;
    rt_feature_desc bad[] = {
        feat(RT_AGG_SUM, RT_STRING, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_VARIANCE, RT_BOOL, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_COUNT, RT_INT, RT_WIN_HOP, 10, 3),
        feat(RT_AGG_COUNT, RT_INT, RT_WIN_HOP, 10, 0),
        feat(RT_AGG_COUNT, RT_INT, RT_WIN_SLIDING, -1, 0),
        feat(RT_AGG_LAST, RT_INT, RT_WIN_SLIDING, 10, 0),
        feat(RT_AGG_SUM, RT_INT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_MIN, RT_INT, (rt_window_kind)7, 0, 0),
    };
    bad[5].ttl_us = 5;             /* ttl on a sliding window */
    bad[6].out_type = RT_FLOAT;    /* sum of ints is an int */
    static const rt_type kt[1] = {RT_INT};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_feature_desc fs[2] = {feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_LIFETIME, 0, 0), bad[i]};
        rt_view_desc d = {1, kt, 2, fs, false};
        assert_null(rt_view_state_new(&d));
    }
    rt_view_desc nokeys = {0, kt, 0, NULL, false};
    assert_null(rt_view_state_new(&nokeys));
}

static void test_strings_copied(void **st)
{
    (void)st;
    rt_feature_desc fs[3] = {
        feat(RT_AGG_MAX, RT_STRING, RT_WIN_SLIDING, 100, 0),
        feat(RT_AGG_LAST, RT_STRING, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_MIN, RT_STRING, RT_WIN_LIFETIME, 0, 0),
    };
    fs[2].has_default = true;
    char dflt[4] = "dfl";
    fs[2].dflt = S(dflt);
    static const rt_type kt[1] = {RT_STRING};
    rt_view_desc d = {1, kt, 3, fs, false};
    rt_view_state *s = rt_view_state_new(&d);
    memcpy(dflt, "xxx", 3); /* the state keeps its own copy of the default */
    char kbuf[8], vbuf[8];
    strcpy(kbuf, "card");
    strcpy(vbuf, "abc");
    rt_slot key = S(kbuf), in[3] = {S(vbuf), S(vbuf), S(vbuf)};
    rt_view_ingest(s, &key, 1, NULL, in);
    strcpy(vbuf, "abd"); /* same length, greater */
    rt_view_ingest(s, &key, 2, NULL, in);
    strcpy(kbuf, "zzzz");
    strcpy(vbuf, "zzz");
    rt_slot qk = S("card"), out[3];
    query_keys(s, &qk, 3, out);
    assert_int_equal(out[0].len, 3);
    assert_memory_equal(out[0].v.s, "abd", 3);
    assert_memory_equal(out[1].v.s, "abd", 3);
    assert_memory_equal(out[2].v.s, "abc", 3);
    rt_slot other = S("nobody");
    query_keys(s, &other, 3, out);
    assert_true(out[0].null && out[1].null);
    assert_int_equal(out[2].len, 3);
    assert_memory_equal(out[2].v.s, "dfl", 3);
    rt_view_state_free(s);
}

/* A long stream on fixed windows: after settling, bytes stop growing. */
static void test_memory_bound(void **st)
{
    (void)st;
    rt_feature_desc fs[9] = {
        feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_SLIDING, 1000, 0),
        feat(RT_AGG_SUM, RT_FLOAT, RT_WIN_SLIDING, 1000, 0),
        feat(RT_AGG_MAX, RT_STRING, RT_WIN_SLIDING, 500, 0),
        feat(RT_AGG_AVG, RT_FLOAT, RT_WIN_HOP, 2000, 100),
        feat(RT_AGG_COUNT_DISTINCT, RT_STRING, RT_WIN_HOP, 2000, 100),
        feat(RT_AGG_COUNT_DISTINCT, RT_STRING, RT_WIN_SLIDING, 300, 0),
        feat(RT_AGG_LAST, RT_STRING, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_VARIANCE, RT_FLOAT, RT_WIN_LIFETIME, 0, 0),
        feat(RT_AGG_MIN, RT_STRING, RT_WIN_HOP, 300, 30),
    };
    rt_view_state *s = view(fs, 9, false);
    size_t mid = 0;
    char buf[32];
    for (int64_t ts = 0; ts < 400000; ts++) {
        snprintf(buf, sizeof buf, "v%lld", (long long)ts); /* every string new */
        rt_slot key = I(ts % 3), in[9];
        for (int i = 0; i < 9; i++)
            in[i] = i == 1 || i == 3 || i == 7 ? F((double)(ts % 17)) : S(buf);
        rt_view_ingest(s, &key, ts, NULL, in);
        rt_view_settle(s, ts - 50);
        if (ts % 1000 == 0) {
            rt_slot out[9];
            query(s, ts % 3, ts - 10, out);
            int64_t want = 0; /* ts-1010 <= e < ts-10, of this key */
            for (int64_t e = ts - 1010 < 0 ? 0 : ts - 1010; e < ts - 10; e++)
                want += e % 3 == ts % 3;
            assert_int_equal(out[0].v.i, want);
        }
        if (ts == 40000)
            mid = rt_view_state_bytes(s);
    }
    size_t end = rt_view_state_bytes(s);
    assert_true(mid > 0);
    assert_true(end <= mid + 65536);
    assert_int_equal(rt_view_state_keys(s), 3);
    rt_view_state_free(s);
}

/* Keys that stop receiving events are forgotten once their windows are empty. */
static void test_key_churn(void **st)
{
    (void)st;
    rt_feature_desc fs[2] = {
        feat(RT_AGG_COUNT_ROWS, RT_INT, RT_WIN_SLIDING, 20, 0),
        feat(RT_AGG_SUM, RT_INT, RT_WIN_HOP, 20, 10),
    };
    rt_view_state *s = view(fs, 2, false);
    size_t mid = 0, maxkeys = 0;
    for (int64_t ts = 0; ts < 300000; ts++) {
        put(s, 2, ts / 10, ts, I(1)); /* key k lives for 10 microseconds */
        rt_view_settle(s, ts);
        if (rt_view_state_keys(s) > maxkeys)
            maxkeys = rt_view_state_keys(s);
        if (ts == 30000)
            mid = rt_view_state_bytes(s);
    }
    assert_true(maxkeys < 20);
    assert_true(rt_view_state_bytes(s) <= mid + 65536);
    rt_slot out[2];
    query(s, 29999, 300000, out);
    assert_int_equal(out[0].v.i, 10);
    assert_int_equal(out[1].v.i, 10);
    rt_view_settle(s, 1000000);
    rt_view_compact(s);
    assert_int_equal(rt_view_state_keys(s), 0);
    rt_view_state_free(s);
}

/* Lifetime state survives compaction; window-only keys do not. */
static void test_compact_keeps_lifetime(void **st)
{
    (void)st;
    rt_feature_desc a = feat(RT_AGG_COUNT_DISTINCT, RT_STRING, RT_WIN_LIFETIME, 0, 0);
    rt_feature_desc b = feat(RT_AGG_MAX, RT_INT, RT_WIN_SLIDING, 10, 0);
    rt_view_state *sa = view(&a, 1, false), *sb = view(&b, 1, false);
    const char *vals[] = {"x", "y", "x", "", "y"};
    for (int i = 0; i < 5; i++) {
        put(sa, 1, 1, i, S(vals[i]));
        put(sb, 1, 1, i, I(i));
    }
    rt_view_settle(sa, 100);
    rt_view_settle(sb, 100);
    rt_view_compact(sa);
    rt_view_compact(sb);
    assert_int_equal(rt_view_state_keys(sa), 1);
    assert_int_equal(rt_view_state_keys(sb), 0);
    rt_slot out[1];
    query(sa, 1, 100, out);
    assert_int_equal(out[0].v.i, 3);
    put(sa, 1, 1, 200, S("z"));
    put(sa, 1, 1, 150, S("x"));
    query(sa, 1, 201, out);
    assert_int_equal(out[0].v.i, 4);
    query(sb, 1, 100, out);
    assert_true(out[0].null);
    rt_view_state_free(sa);
    rt_view_state_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_sum_cancellation),
        cmocka_unit_test(test_int_sum_overflow),
        cmocka_unit_test(test_variance_identical_values),
        cmocka_unit_test(test_sliding_edges),
        cmocka_unit_test(test_hop_negative_times),
        cmocka_unit_test(test_ttl_and_default),
        cmocka_unit_test(test_first_last_ties),
        cmocka_unit_test(test_null_keys_and_inputs),
        cmocka_unit_test(test_events_at_or_after_t_excluded),
        cmocka_unit_test(test_late_event_after_settle),
        cmocka_unit_test(test_descriptor_validation),
        cmocka_unit_test(test_strings_copied),
        cmocka_unit_test(test_memory_bound),
        cmocka_unit_test(test_key_churn),
        cmocka_unit_test(test_compact_keeps_lifetime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
