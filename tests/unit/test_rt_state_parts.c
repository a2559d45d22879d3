/* test_rt_state_parts.c - the window state's building blocks against brute force: deques, value sets, allocator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_state_impl.h"

#include <stdlib.h>

static uint64_t rng;
static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

typedef struct el {
    int64_t key;
    uint64_t serial;
} el;

/* Inserts keep key order with equal keys in arrival order; searches match a linear scan. */
static void test_deque_against_array(void **st)
{
    (void)st;
    rng = 3;
    rt_mem m;
    rt_mem_init(&m);
    rt_deque q;
    memset(&q, 0, sizeof q);
    enum { MAX = 5000 };
    el *model = calloc(MAX, sizeof *model);
    size_t n = 0;
    int64_t base = -100;
    for (uint64_t step = 0; step < 60000; step++) {
        int op = (int)(rnd() % 10);
        if (op < 6 && n < MAX) {
            base += (int64_t)(rnd() % 3);
            el e = {base - (int64_t)(rnd() % 20), step};
            if (rnd() % 50 == 0)
                e.key = INT64_MAX - (int64_t)(rnd() % 2);
            rt_dq_insert(&q, sizeof(el), 16, &e, &m);
            size_t at = n;
            while (at > 0 && model[at - 1].key > e.key)
                at--;
            memmove(model + at + 1, model + at, (n - at) * sizeof *model);
            model[at] = e;
            n++;
        } else if (op < 7 && n) {
            size_t k = rnd() % (n / 4 + 1);
            rt_dq_drop_front(&q, sizeof(el), 16, k, &m);
            memmove(model, model + k, (n - k) * sizeof *model);
            n -= k;
        } else if (n) {
            int64_t key = model[rnd() % n].key;
            int64_t nudge = (int64_t)(rnd() % 3) - 1;
            if (key < INT64_MAX - 1)
                key += nudge;
            size_t want = 0;
            while (want < n && model[want].key < key)
                want++;
            assert_int_equal(rt_dq_lower_front(&q, sizeof(el), key), want);
            assert_int_equal(rt_dq_lower_back(&q, sizeof(el), key), want);
        }
        assert_int_equal(q.len, n);
        if (step % 1000 == 0)
            for (size_t i = 0; i < n; i++) {
                const el *e = (const el *)rt_dq_at(&q, sizeof(el), i);
                assert_true(e->key == model[i].key && e->serial == model[i].serial);
            }
    }
    rt_dq_release(&q, sizeof(el), 16, &m);
    free(model);
    rt_mem_destroy(&m);
}

/* put_max, get, count_from and purge against an array, with the sentinel word as a key. */
static void test_vset_against_array(void **st)
{
    (void)st;
    rng = 4;
    rt_mem m;
    rt_mem_init(&m);
    rt_vset s;
    memset(&s, 0, sizeof s);
    enum { U = 300 };
    bool has[U];
    int64_t pay[U];
    memset(has, 0, sizeof has);
    uint64_t words[U];
    for (int i = 0; i < U; i++)
        words[i] = i == 0 ? RT_VSET_EMPTY : (uint64_t)(i * 7919) - 1000;
    for (int step = 0; step < 50000; step++) {
        int i = (int)(rnd() % U);
        int op = (int)(rnd() % 10);
        if (op < 6) {
            int64_t v = (int64_t)(rnd() % 1000);
            bool fresh = rt_vset_put_max(&s, &m, words[i], v);
            assert_int_equal(fresh, !has[i]);
            if (!has[i] || v > pay[i])
                pay[i] = v;
            has[i] = true;
        } else if (op < 8) {
            int64_t v = -1;
            assert_int_equal(rt_vset_get(&s, words[i], &v), has[i]);
            if (has[i])
                assert_int_equal(v, pay[i]);
            int64_t lo = (int64_t)(rnd() % 1000);
            size_t want = 0;
            for (int j = 0; j < U; j++)
                want += has[j] && pay[j] >= lo;
            assert_int_equal(rt_vset_count_from(&s, lo), want);
        } else if (op == 8 && rnd() % 20 == 0) {
            int64_t lo = (int64_t)(rnd() % 1000);
            rt_vset_purge(&s, &m, lo, NULL);
            for (int j = 0; j < U; j++)
                if (has[j] && pay[j] < lo)
                    has[j] = false;
        }
        size_t count = 0;
        for (int j = 0; j < U; j++)
            count += has[j];
        assert_int_equal(s.count, count);
    }
    rt_vset_release(&s, &m, NULL);
    assert_int_equal(s.count, 0);
    rt_mem_destroy(&m);
}

/* The query set: each round starts empty, holds what was added, and lives in the
 * query's scratch memory. */
static void test_scratch_set(void **st)
{
    (void)st;
    rt_scratch mem = {0};
    for (int round = 0; round < 50; round++) {
        size_t n = (size_t)round * 40;
        rt_vscratch sc;
        rt_vscratch_init(&sc, &mem, n + 1);
        for (uint64_t k = 0; k < n; k++)
            assert_true(rt_vscratch_add(&sc, k * 3));
        for (uint64_t k = 0; k < n; k++)
            assert_false(rt_vscratch_add(&sc, k * 3));
        assert_true(rt_vscratch_add(&sc, RT_VSET_EMPTY));
        assert_int_equal(sc.count, n + 1);
        rt_scratch_reset(&mem);
    }
    rt_scratch_free(&mem);
}

/* Blocks keep their contents through interleaved frees; freed blocks are reused. */
static void test_allocator(void **st)
{
    (void)st;
    rng = 5;
    rt_mem m;
    rt_mem_init(&m);
    enum { N = 3000 };
    unsigned char *p[N];
    size_t sz[N];
    memset(p, 0, sizeof p);
    for (int step = 0; step < 100000; step++) {
        int i = (int)(rnd() % N);
        if (p[i]) {
            for (size_t j = 0; j < sz[i]; j++)
                assert_int_equal(p[i][j], (unsigned char)(i + j));
            rt_mem_free(&m, p[i], sz[i]);
            p[i] = NULL;
        } else {
            sz[i] = 1 + rnd() % (rnd() % 8 == 0 ? 9000 : 300);
            p[i] = rt_mem_alloc(&m, sz[i]);
            assert_int_equal((uintptr_t)p[i] % 16, 0);
            for (size_t j = 0; j < sz[i]; j++)
                p[i][j] = (unsigned char)(i + j);
        }
    }
    size_t held = rt_mem_bytes(&m);
    /* the same pattern again reuses the free lists: no new slabs beyond a few */
    for (int step = 0; step < 100000; step++) {
        int i = (int)(rnd() % N);
        if (p[i]) {
            rt_mem_free(&m, p[i], sz[i]);
            p[i] = NULL;
        } else {
            sz[i] = 1 + rnd() % 300;
            p[i] = rt_mem_alloc(&m, sz[i]);
        }
    }
    assert_true(rt_mem_bytes(&m) <= held + 4 * 65536);
    for (int i = 0; i < N; i++)
        if (p[i])
            rt_mem_free(&m, p[i], sz[i]);
    assert_int_equal(m.large, 0);
    rt_mem_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deque_against_array),
        cmocka_unit_test(test_vset_against_array),
        cmocka_unit_test(test_scratch_set),
        cmocka_unit_test(test_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
