/* test_rt_keytab.c - the composite-key table against a brute-force model of keys and dense indices. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_keytab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state += UINT64_C(0x9e3779b97f4a7c15);
    return rt_hash_mix(rng_state);
}

static rt_slot sstr(const char *s, uint32_t n)
{
    rt_slot v;
    memset(&v, 0, sizeof v);
    v.v.s = s;
    v.len = n;
    return v;
}
static rt_slot sint(int64_t i)
{
    rt_slot v;
    memset(&v, 0, sizeof v);
    v.v.i = i;
    return v;
}
static rt_slot snull(void)
{
    rt_slot v;
    memset(&v, 0, sizeof v);
    v.null = 1;
    return v;
}

/* model key: a string of up to 40 bytes (may hold NULs) and an int */
typedef struct mkey {
    char s[40];
    uint32_t n;
    int64_t i;
} mkey;

static void mkey_slots(const mkey *k, rt_slot out[2])
{
    out[0] = sstr(k->s, k->n);
    out[1] = sint(k->i);
}

static bool mkey_eq_slots(const mkey *k, const rt_slot *s)
{
    return !s[0].null && !s[1].null && s[0].len == k->n && (k->n == 0 || !memcmp(s[0].v.s, k->s, k->n)) &&
           s[1].v.i == k->i;
}

static void random_key(mkey *k, int universe)
{
    int id = (int)(rnd() % (uint64_t)universe);
    memset(k, 0, sizeof *k);
    /* lengths 0..39, including embedded NULs, derived from the id so ids map to one key */
    uint64_t h = rt_hash_mix((uint64_t)id + 1);
    k->n = (uint32_t)(h % 40);
    for (uint32_t j = 0; j < k->n; j++)
        k->s[j] = (char)(rt_hash_mix(h + j) % 4); /* bytes 0..3: many near-duplicates */
    k->i = (int64_t)(id % 7) - 3;
}

/* Random upserts, finds and removals mirrored in a model; checks indices and stored keys. */
static void run_model(int universe, int steps, uint64_t seed)
{
    rng_state = seed;
    rt_type types[2] = {RT_STRING, RT_INT};
    rt_keytab *kt = rt_keytab_new(2, types);
    mkey *model = calloc((size_t)universe + 1, sizeof *model);
    size_t count = 0;
    for (int step = 0; step < steps; step++) {
        mkey k;
        random_key(&k, universe);
        rt_slot ks[2];
        mkey_slots(&k, ks);
        size_t m;
        for (m = 0; m < count; m++)
            if (mkey_eq_slots(&k, (rt_slot[]){sstr(model[m].s, model[m].n), sint(model[m].i)}))
                break;
        int op = (int)(rnd() % 10);
        if (op < 5) {
            bool ins;
            int64_t idx = rt_keytab_upsert(kt, ks, &ins);
            if (m < count) {
                assert_false(ins);
                assert_int_equal(idx, (int64_t)m);
            } else {
                assert_true(ins);
                assert_int_equal(idx, (int64_t)count);
                model[count++] = k;
            }
        } else if (op < 8) {
            int64_t idx = rt_keytab_find(kt, ks);
            assert_int_equal(idx, m < count ? (int64_t)m : -1);
        } else if (m < count) {
            size_t moved = rt_keytab_remove(kt, m);
            assert_int_equal(moved, count - 1);
            model[m] = model[count - 1];
            count--;
        }
        assert_int_equal(rt_keytab_count(kt), count);
        if (step % 97 == 0)
            for (size_t j = 0; j < count; j++) {
                assert_true(mkey_eq_slots(&model[j], rt_keytab_key(kt, j)));
                rt_slot q[2];
                mkey_slots(&model[j], q);
                assert_int_equal(rt_keytab_find(kt, q), (int64_t)j);
            }
    }
    free(model);
    rt_keytab_free(kt);
}

static void test_model_few_keys(void **st)
{
    (void)st;
    run_model(20, 20000, 1);
}

static void test_model_many_keys(void **st)
{
    (void)st;
    run_model(3000, 30000, 2);
}

/* A one-int key (kept in the table's slots): random upserts, finds and removals against a
 * model, with values at both ends of the range. */
static void test_model_int_keys(void **st)
{
    (void)st;
    rng_state = 3;
    enum { U = 2000 };
    static int64_t vals[U];
    static int64_t where[U]; /* dense index of value u, or -1 */
    static int owner[U];     /* value at each dense index */
    for (int u = 0; u < U; u++) {
        /* distinct: both ends of the range, then multiples spread around zero */
        vals[u] = u < 4 ? (u % 2 ? INT64_MAX - u : INT64_MIN + u) : ((int64_t)u - U / 2) * 1000003;
        where[u] = -1;
    }
    rt_type ti[1] = {RT_INT};
    rt_keytab *kt = rt_keytab_new(1, ti);
    size_t count = 0;
    for (int step = 0; step < 60000; step++) {
        int u = (int)(rnd() % U);
        rt_slot k = sint(vals[u]);
        int op = (int)(rnd() % 10);
        if (op < 5) {
            bool ins;
            int64_t idx = rt_keytab_upsert(kt, &k, &ins);
            assert_int_equal(ins, where[u] < 0);
            if (ins) {
                where[u] = (int64_t)count;
                owner[count++] = u;
            }
            assert_int_equal(idx, where[u]);
        } else if (op < 8) {
            assert_int_equal(rt_keytab_find(kt, &k), where[u]);
        } else if (where[u] >= 0) {
            size_t moved = rt_keytab_remove(kt, (size_t)where[u]);
            assert_int_equal(moved, count - 1);
            int last = owner[count - 1];
            owner[where[u]] = last;
            where[last] = where[u];
            where[u] = -1;
            count--;
        }
        assert_int_equal(rt_keytab_count(kt), count);
        if (step % 211 == 0)
            for (size_t j = 0; j < count; j++) {
                assert_int_equal(rt_keytab_key(kt, j)[0].v.i, vals[owner[j]]);
                rt_slot q = sint(vals[owner[j]]);
                assert_int_equal(rt_keytab_find(kt, &q), (int64_t)j);
            }
    }
    rt_slot n = sint(0);
    n.null = 1;
    bool ins;
    assert_int_equal(rt_keytab_upsert(kt, &n, &ins), -1);
    assert_false(ins);
    rt_keytab_free(kt);
}

/* rt_keytab_upsert_many gives what single upserts in the same order give, repeated and
 * null keys included, for word keys and for composite ones. */
static void test_upsert_many(void **st)
{
    (void)st;
    rng_state = 9;
    for (int composite = 0; composite < 2; composite++) {
        rt_type t1[1] = {RT_INT}, t2[2] = {RT_STRING, RT_INT};
        int nk = composite ? 2 : 1;
        rt_keytab *a = rt_keytab_new(nk, composite ? t2 : t1), *b = rt_keytab_new(nk, composite ? t2 : t1);
        enum { MAXN = 150 };
        static mkey mk[MAXN];
        static rt_slot slots[MAXN][2];
        const rt_slot *ptrs[MAXN];
        int64_t idx[MAXN];
        bool ins[MAXN];
        for (int round = 0; round < 300; round++) {
            size_t n = (size_t)(rnd() % MAXN);
            for (size_t i = 0; i < n; i++) {
                random_key(&mk[i], 500);
                if (composite)
                    mkey_slots(&mk[i], slots[i]);
                else
                    slots[i][0] = sint(mk[i].i * 1000 + (int64_t)mk[i].n);
                slots[i][0].null = rnd() % 40 == 0;
                ptrs[i] = slots[i];
            }
            rt_keytab_upsert_many(a, ptrs, n, idx, ins);
            for (size_t i = 0; i < n; i++) {
                bool one;
                assert_int_equal(idx[i], rt_keytab_upsert(b, ptrs[i], &one));
                assert_int_equal(ins[i], one);
                /* the hash of the prefetching call is the key's hash */
                if (!ptrs[i][0].null)
                    assert_true(rt_keytab_hash_prefetch(a, ptrs[i]) == rt_keytab_hash(b, ptrs[i]));
            }
            if (rt_keytab_count(a) > 100 && rnd() % 3 == 0) {
                size_t r = (size_t)(rnd() % rt_keytab_count(a));
                assert_int_equal(rt_keytab_remove(a, r), rt_keytab_remove(b, r));
            }
        }
        assert_int_equal(rt_keytab_count(a), rt_keytab_count(b));
        rt_keytab_free(a);
        rt_keytab_free(b);
    }
}

static void test_null_keys(void **st)
{
    (void)st;
    rt_type types[2] = {RT_STRING, RT_INT};
    rt_keytab *kt = rt_keytab_new(2, types);
    bool ins = true;
    rt_slot k1[2] = {snull(), sint(1)};
    rt_slot k2[2] = {sstr("a", 1), snull()};
    assert_int_equal(rt_keytab_upsert(kt, k1, &ins), -1);
    assert_false(ins);
    assert_int_equal(rt_keytab_upsert(kt, k2, &ins), -1);
    assert_int_equal(rt_keytab_find(kt, k1), -1);
    assert_int_equal(rt_keytab_count(kt), 0);
    rt_keytab_free(kt);
}

static void test_distinct_strings_and_floats(void **st)
{
    (void)st;
    rt_type ts[1] = {RT_STRING};
    rt_keytab *kt = rt_keytab_new(1, ts);
    const char zeros[3] = {0, 0, 0};
    bool ins;
    for (uint32_t n = 0; n <= 3; n++) {
        rt_slot k = sstr(zeros, n);
        assert_int_equal(rt_keytab_upsert(kt, &k, &ins), (int64_t)n);
        assert_true(ins);
    }
    rt_slot ab = sstr("ab", 2), abc = sstr("abc", 2); /* same bytes, other buffer */
    int64_t i1 = rt_keytab_upsert(kt, &ab, &ins);
    assert_true(ins);
    assert_int_equal(rt_keytab_upsert(kt, &abc, &ins), i1);
    assert_false(ins);
    rt_keytab_free(kt);

    rt_type tf[1] = {RT_FLOAT};
    kt = rt_keytab_new(1, tf);
    rt_slot z, nz;
    memset(&z, 0, sizeof z);
    memset(&nz, 0, sizeof nz);
    z.v.f = 0.0;
    nz.v.f = -0.0;
    int64_t iz = rt_keytab_upsert(kt, &z, &ins);
    assert_int_equal(rt_keytab_find(kt, &nz), iz);
    rt_keytab_free(kt);
}

/* Removing most long keys compacts the string arena; the survivors keep their bytes. */
static void test_arena_compaction(void **st)
{
    (void)st;
    rt_type ts[1] = {RT_STRING};
    rt_keytab *kt = rt_keytab_new(1, ts);
    enum { N = 20000, LEN = 100 };
    char buf[LEN];
    bool ins;
    for (int i = 0; i < N; i++) {
        memset(buf, 'a' + i % 26, LEN);
        snprintf(buf, LEN, "%d", i);
        rt_slot k = sstr(buf, LEN);
        rt_keytab_upsert(kt, &k, &ins);
        assert_true(ins);
    }
    size_t before = rt_keytab_bytes(kt);
    /* remove every key except those with i % 100 == 0, looked up by content */
    for (int i = 0; i < N; i++) {
        if (i % 100 == 0)
            continue;
        memset(buf, 'a' + i % 26, LEN);
        snprintf(buf, LEN, "%d", i);
        rt_slot k = sstr(buf, LEN);
        int64_t idx = rt_keytab_find(kt, &k);
        assert_true(idx >= 0);
        rt_keytab_remove(kt, (size_t)idx);
    }
    assert_int_equal(rt_keytab_count(kt), N / 100);
    assert_true(rt_keytab_bytes(kt) < before - N * LEN / 2);
    for (int i = 0; i < N; i += 100) {
        memset(buf, 'a' + i % 26, LEN);
        snprintf(buf, LEN, "%d", i);
        rt_slot k = sstr(buf, LEN);
        int64_t idx = rt_keytab_find(kt, &k);
        assert_true(idx >= 0);
        const rt_slot *stored = rt_keytab_key(kt, (size_t)idx);
        assert_int_equal(stored->len, LEN);
        assert_memory_equal(stored->v.s, buf, LEN);
    }
    rt_keytab_free(kt);
}

/* The hash spreads sequential ints and short strings evenly over 1024 buckets. */
static void test_hash_spread(void **st)
{
    (void)st;
    enum { B = 1024, N = 1 << 20 };
    static unsigned buckets[B];
    memset(buckets, 0, sizeof buckets);
    rt_type ti[1] = {RT_INT};
    rt_keytab *kt = rt_keytab_new(1, ti);
    for (int64_t i = 0; i < N; i++) {
        rt_slot k = sint(i << 20); /* low bits all zero */
        buckets[rt_keytab_hash(kt, &k) % B]++;
    }
    for (int b = 0; b < B; b++) /* mean 1024, sd 32 */
        assert_true(buckets[b] > 850 && buckets[b] < 1200);
    rt_keytab_free(kt);
    memset(buckets, 0, sizeof buckets);
    for (int i = 0; i < N; i++) {
        char s[16];
        int n = snprintf(s, sizeof s, "k%d", i);
        buckets[rt_hash_bytes(s, (size_t)n, 0) % B]++;
    }
    for (int b = 0; b < B; b++)
        assert_true(buckets[b] > 850 && buckets[b] < 1200);
    const char z[2] = {0, 0};
    assert_true(rt_hash_bytes(z, 0, 0) != rt_hash_bytes(z, 1, 0));
    assert_true(rt_hash_bytes(z, 1, 0) != rt_hash_bytes(z, 2, 0));
    assert_true(rt_hash_bytes("ab", 2, 0) != rt_hash_bytes("ab", 2, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_few_keys),
        cmocka_unit_test(test_model_many_keys),
        cmocka_unit_test(test_model_int_keys),
        cmocka_unit_test(test_upsert_many),
        cmocka_unit_test(test_null_keys),
        cmocka_unit_test(test_distinct_strings_and_floats),
        cmocka_unit_test(test_arena_compaction),
        cmocka_unit_test(test_hash_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
