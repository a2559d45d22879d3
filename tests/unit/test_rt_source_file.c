/* test_rt_source_file.c - an events file as a source: records in file order with their lines, positions, resuming after one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_engine.h"
#include "rt_source.h"
#include "test_rt_engine_util.h"

#define NX 1 /* n int, user int not null, ts timestamp not null */

static const char events[] = "{\"n\":1,\"user\":1,\"ts\":1}\n"
                             "not json\n"
                             "{\"n\":2,\"user\":1,\"ts\":2}\n"
                             "\n"
                             "{\"n\":3,\"user\":1,\"ts\":3}\n";

/* Reads the source to its end: the n values and their lines. */
static int drain(rt_source *s, int64_t *ns, uint64_t *lines)
{
    rt_source_batch b;
    assert_true(rt_source_batch_init(&b, 3, 2));
    char err[256];
    int count = 0, rc;
    while ((rc = rt_source_next(s, &b, 0, err, sizeof err)) == RT_SOURCE_MORE)
        for (int i = 0; i < b.n; i++) {
            assert_true(b.arrival_us[i] == RT_ARRIVAL_UNKNOWN);
            assert_int_equal(b.part[i], -1);
            char buf[64];
            uint64_t line;
            const char *file = s->ops->where(s, &b, i, buf, sizeof buf, &line);
            assert_non_null(strstr(file, "ev.jsonl"));
            lines[count] = line;
            ns[count++] = b.records[i * 3].v.i;
        }
    assert_int_equal(rc, RT_SOURCE_END);
    rt_source_batch_free(&b);
    return count;
}

static void test_file_positions(void **state)
{
    (void)state;
    rt_program *p = test_parse(test_arrival_manifest);
    char err[256];
    rt_engine *e = rt_engine_new(p, &test_arrival_fns, NULL, err, sizeof err);
    char *dir = test_tmpdir(), *path = test_path(dir, "ev.jsonl");
    test_write(path, events);
    rt_reject_log *log = rt_reject_log_open(NULL, err, sizeof err);
    rt_source_args a = {.url = path, .schema = rt_engine_schema(e, NX), .stamp_field = -1, .log = log, .finite = true};
    assert_false(rt_source_is_stream(path));
    rt_source *s = rt_source_open(&a, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(s->ops->kind, "file");
    int64_t ns[8];
    uint64_t lines[8];
    assert_int_equal(drain(s, ns, lines), 3);
    assert_int_equal(ns[2], 3);
    assert_int_equal(lines[0], 1);
    assert_int_equal(lines[1], 3);
    assert_int_equal(lines[2], 5);
    char pos[32];
    s->ops->position(s, pos, sizeof pos);
    assert_string_equal(pos, "line 5");
    rt_source_status st;
    s->ops->status(s, &st);
    assert_int_equal(st.invalid, 1);
    rt_source_close(s);

    /* after line 2: the bad line is not read (nor logged) again */
    a.resume = "line 2";
    s = rt_source_open(&a, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(drain(s, ns, lines), 2);
    assert_int_equal(ns[0], 2);
    assert_int_equal(lines[0], 3);
    s->ops->status(s, &st);
    assert_int_equal(st.invalid, 0);
    assert_int_equal(rt_reject_count(log, "nx"), 1);
    rt_source_close(s);
    a.resume = "line x";
    assert_null(rt_source_open(&a, err, sizeof err));
    assert_non_null(strstr(err, "expected 'line N'"));

    rt_reject_log_close(log);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    rt_engine_free(e);
    rt_program_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
