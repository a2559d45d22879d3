/* test_strbuf.c - the growable string: appends, formatting, growth, reset, detach. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_empty(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    assert_string_equal(strbuf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    char *p = strbuf_detach(&b);
    assert_string_equal(p, "");
    free(p);
    strbuf_free(&b);
}

static void test_appends(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    strbuf_append(&b, "SELECT ");
    strbuf_append_char(&b, '"');
    strbuf_append_n(&b, "abcdef", 3);
    strbuf_append_char(&b, '"');
    strbuf_appendf(&b, " + %d = %s", 42, "x");
    assert_string_equal(strbuf_cstr(&b), "SELECT \"abc\" + 42 = x");
    assert_int_equal(b.len, strlen("SELECT \"abc\" + 42 = x"));
    strbuf_append_n(&b, NULL, 0);
    assert_int_equal(b.len, strlen("SELECT \"abc\" + 42 = x"));
    strbuf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    strbuf_append_n(&b, "a\0b", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4); /* the terminating NUL follows */
    strbuf_free(&b);
}

/* Growth by doubling keeps every byte, and long formatted output is not truncated. */
static void test_growth(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    for (int i = 0; i < 10000; i++)
        strbuf_appendf(&b, "%04d,", i % 10000);
    assert_int_equal(b.len, 50000);
    assert_true(b.cap >= b.len + 1);
    assert_int_equal(b.cap & (b.cap - 1), 0); /* a power of two */
    for (int i = 0; i < 10000; i++) {
        char want[16];
        snprintf(want, sizeof want, "%04d,", i);
        assert_memory_equal(b.data + 5 * i, want, 5);
    }
    char big[3000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    strbuf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(strbuf_cstr(&b), "");
    strbuf_appendf(&b, "<%s>", big);
    assert_int_equal(b.len, sizeof big + 1);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[sizeof big], '>');
    assert_int_equal(b.data[1500], 'q');
    char *p = strbuf_detach(&b);
    assert_null(b.data);
    assert_int_equal(strlen(p), sizeof big + 1);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
