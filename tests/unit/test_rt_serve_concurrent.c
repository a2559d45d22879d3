/* test_rt_serve_concurrent.c - many threads asking the same question at once get the same answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_http.h"
#include "rt_serve.h"
#include "test_rt_engine_util.h"

#include <pthread.h>
#include <time.h>

/* Source ev(user int, item int, ts timestamp); view v by user: count_distinct(item) over
 * 1h, lifetime, and over 1h hop 10m, plus count() over 1h; service s(user) outputs all
 * four. count_distinct reads a set built per query: the part shared state would race on. */
static const char distinct_manifest[] = "featc-manifest 1\n"
                                        "source \"ev\" stream 3 2 -1 0 0 -1 86400000000 -1\n"
                                        "field \"user\" int notnull\n"
                                        "field \"item\" int null\n"
                                        "field \"ts\" timestamp notnull\n"
                                        "view \"v\" 0 1 4\n"
                                        "key int 0\n"
                                        "feature \"nd_1h\" count_distinct int int sliding 3600000000 0 0 -\n"
                                        "feature \"nd_all\" count_distinct int int lifetime 0 0 0 -\n"
                                        "feature \"nd_hop\" count_distinct int int hop 3600000000 600000000 0 -\n"
                                        "feature \"n_1h\" count_rows - int sliding 3600000000 0 0 -\n"
                                        "service \"s\" -1 1 1 0 4\n"
                                        "skey \"user\" int -1\n"
                                        "sview 0 0\n"
                                        "output \"v__nd_1h\" int view 0 0\n"
                                        "output \"v__nd_all\" int view 0 1\n"
                                        "output \"v__nd_hop\" int view 0 2\n"
                                        "output \"v__n_1h\" int view 0 3\n"
                                        "end\n";

static int32_t distinct_row(rt_scratch *scratch, const rt_slot *rec, rt_slot *keys, rt_slot *inputs)
{
    (void)scratch;
    keys[0] = rec[0];
    inputs[0] = rec[1];
    inputs[1] = rec[1];
    inputs[2] = rec[1];
    inputs[3] = (rt_slot){.v.i = 1};
    return 1;
}

static const rt_expect_fn distinct_expects[] = {NULL};
static const rt_row_fn distinct_rows[] = {distinct_row};
static const rt_fn_table distinct_fns = {1, distinct_expects, 1, distinct_rows, 0, NULL};

enum { NTHREADS = 8 };

typedef struct asker {
    rt_server *s;
    const char *body;     /* the question */
    const char *expected; /* the answer given with nobody else asking */
    double until;         /* monotonic seconds */
    long asked, differed;
} asker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *ask(void *arg)
{
    asker *a = arg;
    do {
        for (int i = 0; i < 64; i++) {
            rt_http_response r;
            rt_server_handle(a->s, "POST", "/v1/features/s", a->body, strlen(a->body), &r);
            a->asked++;
            if (r.status != 200 || !r.body || strcmp(r.body, a->expected) != 0)
                a->differed++;
            free(r.body);
        }
    } while (now_s() < a->until);
    return NULL;
}

/* Eight threads ask the same question for TEST_CONCURRENT_SECONDS (default 2) and every
 * answer equals the one given to a lone caller. With a set shared between queries the
 * count_distinct answers mixed values of concurrent queries. */
static void test_same_question_same_answer(void **state)
{
    (void)state;
    char err[512];
    rt_program *p = rt_program_parse(distinct_manifest, strlen(distinct_manifest), err, sizeof err);
    if (!p)
        fail_msg("%s", err);
    rt_serve_config cfg = {.listen = "127.0.0.1:0", .retain_us = -1};
    rt_server *s = rt_server_new(p, &distinct_fns, &cfg, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    /* 3000 events for user 1 with 1500 distinct items over the last 2 hours; recent events
     * stay raw, so every query builds its own set of a few hundred values */
    rt_jbuf events = {0};
    for (int i = 0; i < 3000; i++)
        rt_jbuf_printf(&events, "{\"user\":1,\"item\":%d,\"ts\":%d}\n", (i * 7919) % 1500, 1000000 + i * 2);
    rt_http_response r;
    rt_server_handle(s, "POST", "/v1/events/ev", events.p, events.len, &r);
    assert_int_equal(r.status, 200);
    free(r.body);
    free(events.p);
    const char body[] = "{\"user\":1,\"at\":1006000}";
    rt_server_handle(s, "POST", "/v1/features/s", body, strlen(body), &r);
    assert_int_equal(r.status, 200);
    char *expected = r.body;
    assert_non_null(strstr(expected, "\"v__nd_all\":1500"));
    assert_non_null(strstr(expected, "\"v__n_1h\":1800"));

    const char *secs = getenv("TEST_CONCURRENT_SECONDS");
    double until = now_s() + (secs ? atof(secs) : 2.0);
    asker a[NTHREADS];
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        a[i] = (asker){.s = s, .body = body, .expected = expected, .until = until};
        assert_int_equal(pthread_create(&th[i], NULL, ask, &a[i]), 0);
    }
    long asked = 0, differed = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        asked += a[i].asked;
        differed += a[i].differed;
    }
    print_message("%ld answers, %ld different from the lone caller's\n", asked, differed);
    assert_true(asked >= NTHREADS * 64);
    assert_int_equal(differed, 0);
    free(expected);
    rt_server_free(s);
    rt_program_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_question_same_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
