/* test_manifest_plan.c - real plans through the manifest, the JIT and replay: the `featc replay` path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "driver.h"
#include "llvm/llgen.h"
#include "manifest.h"
#include "rt_manifest.h"
#include "rt_replay.h"
#include "test_rt_engine_util.h"

/* A compiled .feat file: plan, manifest, program and JIT-compiled functions. */
typedef struct compiled {
    driver_unit u;
    char *manifest;
    size_t manifest_len;
    rt_program *prog;
    llgen_unit *lu;
    const rt_fn_table *fns;
} compiled;

static void compile(compiled *c, const char *path)
{
    memset(c, 0, sizeof *c);
    assert_true(driver_read(&c->u, path));
    assert_true(driver_compile(&c->u));
    c->manifest = manifest_build(c->u.plan, &c->manifest_len);
    assert_non_null(c->manifest);
    char err[512];
    c->prog = rt_program_parse(c->manifest, c->manifest_len, err, sizeof err);
    if (!c->prog)
        fail_msg("%s: %s\n%s", path, err, c->manifest);
    c->lu = llgen_compile(c->u.plan, NULL, 0, false, err, sizeof err);
    if (!c->lu)
        fail_msg("%s: %s", path, err);
    c->fns = llgen_jit(c->lu, err, sizeof err);
    if (!c->fns)
        fail_msg("%s: %s", path, err);
    if (!rt_program_check_fns(c->prog, c->fns, err, sizeof err))
        fail_msg("%s: %s", path, err);
}

static void release(compiled *c)
{
    llgen_free(c->lu);
    rt_program_free(c->prog);
    free(c->manifest);
    driver_free(&c->u);
}

/* A small program whose answers are worked out by hand below. Key `uid` is also a request
 * field; the view maps entity key `id` to source field `who`; block `late_b` reads the
 * earlier block `r`. */
static const char small_feat[] =
    "entity user (id: int)\n"
    "stream ev {\n"
    "    who : int not null\n"
    "    amount : float\n"
    "    at : timestamp not null\n"
    "    time at\n"
    "    lateness 5s\n"
    "    expect amount >= 0\n"
    "}\n"
    "request q {\n"
    "    id : int\n"
    "    x : float\n"
    "}\n"
    "features v on ev by user(who) {\n"
    "    n = count() over 1h\n"
    "    s = sum(amount) default 0\n"
    "    last_at = last(at)\n"
    "}\n"
    "on_demand r (q, v) {\n"
    "    ratio = q.x / v.s\n"
    "}\n"
    "on_demand r2 (q, v, r) {\n"
    "    double = r.ratio * 2\n"
    "    age = seconds_between(v.last_at, now())\n"
    "}\n"
    "service svc (q) {\n"
    "    v.n\n"
    "    v.s\n"
    "    r2.*\n"
    "}\n";

static void test_small_program(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *feat = test_path(dir, "small.feat"), *ev = test_path(dir, "ev.jsonl"), *spine = test_path(dir, "spine.csv"),
         *out = test_path(dir, "out.csv");
    test_write(feat, small_feat);
    test_write(ev, "{\"who\":1,\"amount\":2,\"at\":10}\n"
                   "{\"who\":1,\"amount\":3,\"at\":7}\n"    /* within 5s: accepted */
                   "{\"who\":1,\"amount\":100,\"at\":4}\n"  /* late: 4 < 10 - 5 */
                   "{\"who\":1,\"amount\":-5,\"at\":11}\n"  /* rejected: expect */
                   "{\"who\":2,\"amount\":4,\"at\":3700}\n");
    test_write(spine, "id,ts,x,label\n"
                      "1,9,6,a\n"    /* sees 7 (3): n 1, s 3, ratio 2, double 4, age 2s */
                      "1,3700,5,b\n" /* 1h window [100, 3700): nothing; s 5; ratio 1; double 2; age 3690 */
                      "2,3701,,c\n"  /* n 1, s 4, x null; age 1 */
                      ",20,1,d\n");  /* null key: n 0, s 0, 1/0 null */
    compiled c;
    compile(&c, feat);
    assert_int_equal(c.prog->nservices, 1);
    assert_int_equal(c.prog->services[0].nkeys, 1);
    assert_int_equal(c.prog->views[0].key_columns[0], 0);
    char err[512];
    rt_reject_log *log = rt_reject_log_open(NULL, err, sizeof err);
    rt_event_file evs = {"ev", ev};
    rt_replay_stats st;
    if (!rt_replay_run(c.prog, c.fns, "svc", spine, &evs, 1, out, log, stderr, &st, err, sizeof err))
        fail_msg("%s", err);
    char *text = test_read(out);
    assert_string_equal(text, "id,ts,x,label,v__n,v__s,r2__double,r2__age\n"
                              "1,9,6,a,1,3,4,2\n"
                              "1,3700,5,b,0,5,2,3690\n"
                              "2,3701,,c,1,4,,1\n"
                              ",20,1,d,0,0,,\n");
    free(text);
    assert_int_equal(st.late, 1);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(rt_reject_late_count(log, "ev"), 1);
    rt_reject_log_close(log);
    release(&c);
    free(feat);
    free(ev);
    free(spine);
    free(out);
    test_rmdir(dir);
}

/* A derived key: the entity key is a let, a string built in scratch memory by the row
 * function (lower, then ||). The manifest marks it `let`; rows whose key is null (a null
 * name) are left out; rows of different names that derive one key share it. */
static const char derived_feat[] = "entity tag (t: string)\n"
                                   "stream ev {\n"
                                   "    name : string\n"
                                   "    v : int\n"
                                   "    at : timestamp not null\n"
                                   "    time at\n"
                                   "}\n"
                                   "features by_tag on ev by tag {\n"
                                   "    n = count()\n"
                                   "    s = sum(v) over 10s\n"
                                   "    let t = lower(name) || '#'\n"
                                   "}\n"
                                   "service svc { by_tag.* }\n";

static void test_derived_key(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *feat = test_path(dir, "derived.feat"), *ev = test_path(dir, "ev.jsonl"), *spine = test_path(dir, "spine.csv"),
         *out = test_path(dir, "out.csv");
    test_write(feat, derived_feat);
    test_write(ev, "{\"name\":\"Ab\",\"v\":1,\"at\":1}\n"
                   "{\"name\":\"aB\",\"v\":2,\"at\":2}\n"
                   "{\"name\":null,\"v\":50,\"at\":3}\n"
                   "{\"name\":\"cd\",\"v\":4,\"at\":4}\n"
                   "{\"name\":\"AB\",\"v\":8,\"at\":20}\n");
    test_write(spine, "t,ts\n"
                      "ab#,3\n"   /* Ab and aB: n 2, s 3 */
                      "cd#,5\n"   /* n 1, s 4 */
                      "ab#,21\n"  /* n 3, window [11, 21): s 8 */
                      ",21\n"     /* a null key matches nothing, the null name's row least of all */
                      "ab,21\n"); /* no such key */
    compiled c;
    compile(&c, feat);
    assert_int_equal(c.prog->views[0].nkeys, 1);
    assert_int_equal(c.prog->views[0].key_columns[0], -1);
    assert_non_null(strstr(c.manifest, "\nkey string let\n"));
    char err[512];
    rt_reject_log *log = rt_reject_log_open(NULL, err, sizeof err);
    rt_event_file evs = {"ev", ev};
    rt_replay_stats st;
    if (!rt_replay_run(c.prog, c.fns, "svc", spine, &evs, 1, out, log, stderr, &st, err, sizeof err))
        fail_msg("%s", err);
    char *text = test_read(out);
    assert_string_equal(text, "t,ts,by_tag__n,by_tag__s\n"
                              "ab#,3,2,3\n"
                              "cd#,5,1,4\n"
                              "ab#,21,3,8\n"
                              ",21,0,\n"
                              "ab,21,0,\n");
    free(text);
    rt_reject_log_close(log);
    release(&c);
    free(feat);
    free(ev);
    free(spine);
    free(out);
    test_rmdir(dir);
}

/* Every example compiles to a manifest the runtime accepts and replays each of its
 * services over its data: one output row per good spine row, columns as declared. */
static void test_examples(void **state)
{
    (void)state;
    static const struct {
        const char *feat, *spine;
        const char *events[3];
    } ex[] = {
        {"examples/fraud/fraud.feat", "examples/fraud/spine.csv",
         {"transactions=examples/fraud/transactions.jsonl", "cardholders=examples/fraud/cardholders.csv", NULL}},
        {"examples/eta/eta.feat", "examples/eta/spine.csv", {"deliveries=examples/eta/deliveries.csv", NULL}},
        {"examples/ranking/ranking.feat", "examples/ranking/spine.csv",
         {"interactions=examples/ranking/interactions.jsonl", "items=examples/ranking/items.csv", NULL}},
    };
    char *dir = test_tmpdir();
    char *out = test_path(dir, "out.csv");
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        if (access(ex[i].feat, R_OK) != 0)
            fail_msg("%s is missing", ex[i].feat);
        compiled c;
        compile(&c, ex[i].feat);
        rt_event_file evs[3];
        char names[3][64];
        int n = 0;
        for (; ex[i].events[n]; n++)
            assert_true(rt_event_file_parse(ex[i].events[n], names[n], sizeof names[n], &evs[n]));
        for (int s = 0; s < c.prog->nservices; s++) {
            const rt_prog_service *svc = &c.prog->services[s];
            char err[512];
            rt_reject_log *log = rt_reject_log_open(NULL, err, sizeof err);
            rt_replay_stats st;
            /* The example spines are written for their first service. */
            bool ok = rt_replay_run(c.prog, c.fns, svc->name, ex[i].spine, evs, n, out, log, NULL, &st, err, sizeof err);
            rt_reject_log_close(log);
            if (s > 0 && !ok)
                continue; /* another service may need other spine columns */
            if (!ok)
                fail_msg("%s service %s: %s", ex[i].feat, svc->name, err);
            char *text = test_read(out);
            size_t lines = 0;
            for (const char *p = text; *p; p++)
                lines += *p == '\n';
            assert_int_equal(lines, st.rows + 1);
            assert_true(st.rows > 0);
            assert_true(st.accepted > 0);
            char *header_end = strchr(text, '\n');
            *header_end = '\0';
            const char *last = svc->noutputs ? svc->outputs[svc->noutputs - 1].column : "";
            size_t ll = strlen(last);
            assert_true(strlen(text) >= ll && strcmp(text + strlen(text) - ll, last) == 0);
            free(text);
        }
        release(&c);
    }
    free(out);
    test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_program),
        cmocka_unit_test(test_derived_key),
        cmocka_unit_test(test_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
