/* test_rt_engine_main.c - the built binary's command line: usage errors, replay, exit codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_main.h"
#include "test_rt_engine_util.h"

#include <fcntl.h>

/* Runs rt_binary_main on a NULL-terminated argument list with stderr silenced. */
static int run_with(const rt_fn_table *fns, const char *manifest, const char *arg0, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stderr);
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    int rc = rt_binary_main(argc, argv, fns, manifest, (int64_t)strlen(manifest));
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    return rc;
}

#define RUN(...) run_with(&test_fns, test_manifest, "bin", __VA_ARGS__, (const char *)NULL)

static void test_usage_errors(void **state)
{
    (void)state;
    assert_int_equal(run_with(&test_fns, test_manifest, "bin", (const char *)NULL), 2);
    assert_int_equal(RUN("--help"), 0);
    assert_int_equal(RUN("frobnicate"), 2);
    assert_int_equal(RUN("serve"), 2);                                 /* --listen is required */
    assert_int_equal(RUN("serve", "--listen"), 2);                     /* no value */
    assert_int_equal(RUN("serve", "--listen", "x:1", "--spine", "s"), 2); /* a replay option */
    assert_int_equal(RUN("serve", "--listen", "x:1", "--listen", "y:2"), 2);
    assert_int_equal(RUN("serve", "--listen=x:1", "--events", "nosign"), 2);
    assert_int_equal(RUN("serve", "--listen=x:1", "--retain", "10min"), 2);
    assert_int_equal(RUN("serve", "--listen=x:1", "--retain", "-1d"), 2);
    assert_int_equal(RUN("serve", "--listen=x:1", "--threads", "0"), 2);
    assert_int_equal(RUN("replay", "--service", "s", "--spine", "a.csv"), 2); /* no --out */
    assert_int_equal(RUN("replay", "--bogus", "1"), 2);
    assert_int_equal(RUN("replay", "stray"), 2);
    /* A server that cannot listen is a failure, not a usage error. */
    assert_int_equal(RUN("serve", "--listen", "127.0.0.1:99999"), 1);
}

static void test_corrupt_program(void **state)
{
    (void)state;
    assert_int_equal(run_with(&test_fns, "featc-manifest 1\nsource", "bin", "--help", (const char *)NULL), 1);
    assert_int_equal(run_with(&test_fns, "", "bin", "--help", (const char *)NULL), 1);
    rt_fn_table bad = test_fns;
    bad.nblocks = 0;
    assert_int_equal(run_with(&bad, test_manifest, "bin", "replay", "--service", "s", (const char *)NULL), 1);
}

static void test_replay(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *ev = test_path(dir, "ev.csv"), *spine = test_path(dir, "spine.csv"), *out = test_path(dir, "out.csv");
    char *rej = test_path(dir, "rejects.log");
    test_write(ev, "ts,user,amount\n10,1,2.5\n20,1,-4\n30,2,1\n");
    test_write(spine, "user,ts,x\n1,25,5\n2,31,\n");
    char evarg[512];
    snprintf(evarg, sizeof evarg, "--events=ev=%s", ev);
    assert_int_equal(RUN("replay", "--service", "s", "--spine", spine, "--out", out, evarg, "--rejects", rej), 0);
    char *text = test_read(out);
    assert_string_equal(text, "user,ts,x,v__cnt,v__total,v__last_amount,w__mx,od__ratio\n"
                              "1,25,5,1,2.5,2.5,2.5,2\n"
                              "2,31,,1,1,1,1,\n");
    free(text);
    text = test_read(rej);
    assert_non_null(strstr(text, "ev.csv:3: source 'ev': "));
    free(text);
    assert_int_equal(RUN("replay", "--service", "t", "--spine", spine, "--out", out), 1);
    /* featc replay: the options alone. */
    unlink(out);
    char *opts[] = {"--service", "s", "--spine", spine, "--out", out, evarg, "--rejects", rej};
    assert_int_equal(rt_replay_main("featc", 9, opts, &test_fns, test_manifest, (int64_t)strlen(test_manifest)), 0);
    text = test_read(out);
    assert_non_null(text);
    assert_non_null(strstr(text, "1,25,5,1,2.5,2.5,2.5,2\n"));
    free(text);
    char *bad[] = {"--listen", "x:1"};
    fflush(stderr);
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    int rc = rt_replay_main("featc", 2, bad, &test_fns, test_manifest, (int64_t)strlen(test_manifest));
    dup2(saved, 2);
    close(saved);
    close(devnull);
    assert_int_equal(rc, 2);
    free(ev);
    free(spine);
    free(out);
    free(rej);
    test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_corrupt_program),
        cmocka_unit_test(test_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
