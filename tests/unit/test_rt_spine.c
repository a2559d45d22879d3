/* test_rt_spine.c - spine loading: messages about the header stay one line whatever bytes its names hold. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_spine.h"
#include "rt_utf8.h"
#include "test_rt_engine_util.h"

/* Loads text as the spine of service s; expects a refusal whose message holds want and is
 * one line of UTF-8. */
static void expect_refused(const char *text, const char *want)
{
    rt_program *p = test_program();
    assert_non_null(p);
    char *dir = test_tmpdir(), *path = test_path(dir, "spine.csv"), err[512];
    test_write(path, text);
    rt_spine *s = rt_spine_load(p, 0, path, NULL, err, sizeof err);
    assert_null(s);
    if (!strstr(err, want))
        fail_msg("'%s' does not say '%s'", err, want);
    assert_null(strchr(err, '\n'));
    assert_true(rt_utf8_valid(err, strlen(err)));
    free(path);
    test_rmdir(dir);
    rt_program_free(p);
}

/* A repeated column is named as an excerpt: line breaks and bytes that are not UTF-8 are
 * escaped (a fuzzed header once split the message over two lines). */
static void test_repeated_column_is_escaped(void **state)
{
    (void)state;
    expect_refused("ts,user,x,\"a\nb\",\"a\nb\"\n1,2,3,4,5\n", "repeats column \"a\\nb\"");
    expect_refused("ts,user,x,n\xdcu,n\xdcu\n", "repeats column \"n\\xDCu\"");
    expect_refused("ts,user,x,ts\n1,2,3,4\n", "repeats column \"ts\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeated_column_is_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
