/* test_rt_scratch.c - the scratch bump allocator: alignment, growth, reset and reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rt_scratch.h"

static void test_empty_and_zero(void **state) {
    (void)state;
    rt_scratch s = {0}; /* zero-initialised is valid */
    rt_scratch_reset(&s);
    void *p = rt_scratch_alloc(&s, 0);
    assert_non_null(p);
    void *q = rt_scratch_alloc(&s, 0);
    assert_ptr_not_equal(p, q);
    rt_scratch_free(&s);
    rt_scratch_free(&s); /* freeing twice is harmless: free leaves it empty */
    assert_int_equal(rt_scratch_reserved(&s), 0);
}

static void test_alignment_and_distinct(void **state) {
    (void)state;
    rt_scratch s;
    rt_scratch_init(&s);
    char *prev = NULL;
    size_t prev_n = 0;
    for (size_t n = 1; n < 300; n++) {
        char *p = rt_scratch_alloc(&s, n);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, (int)(n & 0xFF), n);
        if (prev) /* the previous allocation is intact */
            for (size_t i = 0; i < prev_n; i++)
                assert_int_equal((unsigned char)prev[i], (unsigned char)(prev_n & 0xFF));
        prev = p;
        prev_n = n;
    }
    rt_scratch_free(&s);
}

/* Many allocations spanning several blocks keep their contents until reset. */
static void test_growth_keeps_data(void **state) {
    (void)state;
    rt_scratch s;
    rt_scratch_init(&s);
    enum { N = 2000 };
    char *ptrs[N];
    ptrs[0] = rt_scratch_alloc(&s, 1);
    size_t first_block = rt_scratch_reserved(&s);
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 97) + 1;
        ptrs[i] = rt_scratch_alloc(&s, n);
        memset(ptrs[i], i & 0xFF, n);
    }
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 97) + 1;
        for (size_t j = 0; j < n; j++)
            assert_int_equal((unsigned char)ptrs[i][j], (unsigned char)(i & 0xFF));
    }
    assert_true(rt_scratch_reserved(&s) > first_block); /* it needed more than one block */
    char *big = rt_scratch_alloc(&s, 1 << 20);
    memset(big, 7, 1 << 20);
    assert_int_equal(big[(1 << 20) - 1], 7);
    rt_scratch_free(&s);
}

/* A reset keeps the memory as one block, reused from its start. */
static void test_reset_reuses(void **state) {
    (void)state;
    rt_scratch s;
    rt_scratch_init(&s);
    for (int i = 0; i < 100; i++)
        rt_scratch_alloc(&s, 1000);
    size_t before = rt_scratch_reserved(&s);
    rt_scratch_reset(&s);
    size_t kept = rt_scratch_reserved(&s);
    assert_int_equal(kept, before);
    char *first = rt_scratch_alloc(&s, 10);
    char *second = rt_scratch_alloc(&s, 10);
    assert_ptr_equal(second, first + 16);
    rt_scratch_reset(&s);
    assert_ptr_equal(rt_scratch_alloc(&s, 10), first);
    /* the same load now fits in the kept block: nothing more is reserved */
    for (int i = 0; i < 100; i++)
        rt_scratch_alloc(&s, 1000);
    assert_int_equal(rt_scratch_reserved(&s), kept);
    rt_scratch_free(&s);
    assert_int_equal(rt_scratch_reserved(&s), 0);
    /* usable again after free */
    assert_non_null(rt_scratch_alloc(&s, 5));
    rt_scratch_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_zero),
        cmocka_unit_test(test_alignment_and_distinct),
        cmocka_unit_test(test_growth_keeps_data),
        cmocka_unit_test(test_reset_reuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
