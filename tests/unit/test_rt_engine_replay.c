/* test_rt_engine_replay.c - replay: waiting on watermarks, spine order, bad rows, brute-force comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_format.h"
#include "rt_replay.h"
#include "test_rt_engine_util.h"

typedef struct fixture {
    char *dir;
    char *events;
    char *spine;
    char *out;
    char *rejects;
    rt_program *p;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    f->events = test_path(f->dir, "ev.jsonl");
    f->spine = test_path(f->dir, "spine.csv");
    f->out = test_path(f->dir, "out.csv");
    f->rejects = test_path(f->dir, "rejects.log");
    f->p = test_program();
    *state = f;
    return f->dir && f->p ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rt_program_free(f->p);
    free(f->events);
    free(f->spine);
    free(f->out);
    free(f->rejects);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

/* Runs replay of service s over the fixture's files; returns its result. */
static bool run(fixture *f, rt_replay_stats *st, char *err, size_t errlen)
{
    rt_event_file ev = {"ev", f->events};
    rt_reject_log *log = rt_reject_log_open(f->rejects, err, errlen);
    assert_non_null(log);
    FILE *report = fopen("/dev/null", "w");
    bool ok = rt_replay_run(f->p, &test_fns, "s", f->spine, &ev, 1, f->out, log, report, st, err, errlen);
    fclose(report);
    assert_true(rt_reject_log_close(log));
    return ok;
}

/* Every expected value was worked out by hand from the events (see the comments). */
static void test_replay_by_hand(void **state)
{
    fixture *f = *state;
    test_write(f->events, "{\"user\":1,\"amount\":5,\"ts\":100}\n"  /* accepted */
                          "{\"user\":1,\"amount\":1,\"ts\":95}\n"   /* accepted: within 10s */
                          "{\"user\":2,\"amount\":7,\"ts\":120}\n"  /* accepted */
                          "{\"user\":1,\"amount\":2,\"ts\":80}\n"   /* late: 80 < 120 - 10 */
                          "{\"user\":1,\"amount\":-1,\"ts\":130}\n" /* rejected by expect */
                          "not json\n"                              /* rejected */
                          "{\"user\":1,\"amount\":4,\"ts\":3700}\n");
    test_write(f->spine, "label,user,ts,x\n"
                         "a,1,97,10\n"   /* sees 95 only (100 is not before 97); needs 95 read first */
                         "b,1,3800,8\n"  /* 1h window [200, 3800): 3700; lifetime 5+1+4 */
                         "c,2,121,\n"    /* x null */
                         "d,,200,1\n"    /* null key: no events */
                         "e,1,bad,1\n"   /* skipped: bad ts */
                         "\"f,\",1,101,\"2\"\n" /* 100 and 95 */
                         "g,3\n");       /* skipped: 2 fields */
    char err[256];
    rt_replay_stats st;
    if (!run(f, &st, err, sizeof err))
        fail_msg("%s", err);
    char *out = test_read(f->out);
    assert_string_equal(out, "label,user,ts,x,v__cnt,v__total,v__last_amount,w__mx,od__ratio\n"
                             "a,1,97,10,1,1,1,1,10\n"
                             "b,1,3800,8,1,10,4,5,0.8\n"
                             "c,2,121,,1,7,7,7,\n"
                             "d,,200,1,0,0,,,\n"
                             "\"f,\",1,101,2,2,6,5,5,0.3333333333333333\n");
    free(out);
    assert_int_equal(st.rows, 5);
    assert_int_equal(st.skipped_rows, 2);
    assert_int_equal(st.accepted, 4);
    assert_int_equal(st.rejected, 2);
    assert_int_equal(st.late, 1);
    char *rejects = test_read(f->rejects);
    assert_non_null(strstr(rejects, "ev.jsonl:4: source 'ev': late"));
    assert_non_null(strstr(rejects, "ev.jsonl:5: source 'ev':"));
    assert_non_null(strstr(rejects, "ev.jsonl:6: source 'ev':"));
    free(rejects);
}

/* The arrival rules in replay: each file in file order, the arrival time from the arrival
 * field (tx) or unknown (nx: never ahead); every refused event in the reject log with its
 * file, line and reason, and counted per reason. */
static void test_replay_arrival_rules(void **state)
{
    fixture *f = *state;
    rt_program *p = test_parse(test_arrival_manifest);
    assert_non_null(p);
    char *tx = test_path(f->dir, "tx.jsonl"), *nx = test_path(f->dir, "nx.jsonl");
    test_write(tx, "{\"id\":\"a\",\"user\":1,\"amount\":1,\"ts\":100,\"recv\":100}\n"      /* accepted */
                   "{\"id\":\"a\",\"user\":1,\"amount\":2,\"ts\":100,\"recv\":101}\n"      /* duplicate */
                   "{\"id\":\"b\",\"user\":1,\"amount\":4,\"ts\":5000,\"recv\":100}\n"     /* ahead */
                   "{\"id\":\"c\",\"user\":1,\"amount\":8,\"ts\":3700,\"recv\":100}\n"     /* exactly 1h */
                   "{\"id\":\"a\",\"user\":1,\"amount\":16,\"ts\":100,\"recv\":3700}\n"    /* late first */
                   "{\"id\":\"a\",\"user\":1,\"amount\":32,\"ts\":3700,\"recv\":3700}\n"   /* new time */
                   "{\"user\":1,\"amount\":64,\"ts\":3695,\"recv\":3700}\n"                 /* null id */
                   "{\"id\":\"c\",\"user\":1,\"amount\":128,\"ts\":3700,\"recv\":3700}\n"  /* duplicate */
                   "{\"id\":\"x\",\"user\":1,\"amount\":256,\"ts\":3700}\n");             /* invalid */
    test_write(nx, "{\"n\":5,\"user\":1,\"ts\":\"2125-01-01T00:00:00Z\"}\n" /* unknown arrival: accepted */
                   "{\"n\":6,\"user\":1,\"ts\":100}\n"                   /* late */
                   "{\"n\":5,\"user\":1,\"ts\":\"2125-01-01T00:00:00Z\"}\n"); /* duplicate */
    test_write(f->spine, "user,ts\n1,3800\n1,2200-01-01T00:00:00Z\n2,3800\n");
    char err[256];
    rt_reject_log *log = rt_reject_log_open(f->rejects, err, sizeof err);
    assert_non_null(log);
    rt_event_file ev[2] = {{"tx", tx}, {"nx", nx}};
    rt_replay_stats st;
    if (!rt_replay_run(p, &test_arrival_fns, "s2", f->spine, ev, 2, f->out, log, NULL, &st, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(rt_reject_kind_count(log, "tx", RT_REJECT_AHEAD), 1);
    assert_int_equal(rt_reject_kind_count(log, "tx", RT_REJECT_LATE), 1);
    assert_int_equal(rt_reject_kind_count(log, "tx", RT_REJECT_DUPLICATE), 2);
    assert_int_equal(rt_reject_kind_count(log, "tx", RT_REJECT_INVALID), 1);
    assert_int_equal(rt_reject_kind_count(log, "nx", RT_REJECT_AHEAD), 0);
    assert_int_equal(rt_reject_kind_count(log, "nx", RT_REJECT_LATE), 1);
    assert_int_equal(rt_reject_kind_count(log, "nx", RT_REJECT_DUPLICATE), 1);
    assert_true(rt_reject_log_close(log));
    assert_int_equal(st.accepted, 5);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.ahead, 1);
    assert_int_equal(st.late, 2);
    assert_int_equal(st.duplicate, 3);

    /* 1 + 8 + 32 + 64 before 3800s; the 2125 event only at 2200 */
    char *out = test_read(f->out);
    assert_string_equal(out, "user,ts,vt__cnt,vt__total,vn__cnt\n"
                             "1,3800,4,105,0\n"
                             "1,2200-01-01T00:00:00Z,4,105,1\n"
                             "2,3800,0,0,0\n");
    free(out);
    char *rejects = test_read(f->rejects);
    const char *want[] = {
        "tx.jsonl:2: source 'tx': duplicate: id \"a\" at event time 1970-01-01T00:01:40.000000Z was already "
        "accepted\n",
        "tx.jsonl:3: source 'tx': ahead: event time 1970-01-01T01:23:20.000000Z is more than 1h after its arrival "
        "time 1970-01-01T00:01:40.000000Z\n",
        "tx.jsonl:5: source 'tx': late: event time 1970-01-01T00:01:40.000000Z is before watermark "
        "1970-01-01T01:01:40.000000Z minus lateness 10s\n",
        "tx.jsonl:8: source 'tx': duplicate: id \"c\" at event time 1970-01-01T01:01:40.000000Z was already "
        "accepted\n",
        "tx.jsonl:9: source 'tx': field 'recv' is null but declared not null\n",
        "nx.jsonl:2: source 'nx': late: event time 1970-01-01T00:01:40.000000Z is before watermark "
        "2125-01-01T00:00:00.000000Z minus lateness 0s\n",
        "nx.jsonl:3: source 'nx': duplicate: n 5 at event time 2125-01-01T00:00:00.000000Z was already accepted\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(rejects, want[i]))
            fail_msg("reject log lacks '%s':\n%s", want[i], rejects);
    int lines = 0;
    for (const char *c = rejects; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 7);
    free(rejects);
    free(tx);
    free(nx);
    rt_program_free(p);
}

static void expect_failure(fixture *f, const char *spine, const char *want)
{
    test_write(f->spine, spine);
    char err[256];
    rt_replay_stats st;
    if (run(f, &st, err, sizeof err))
        fail_msg("spine '%s' was accepted", spine);
    if (!strstr(err, want))
        fail_msg("expected '%s' in '%s'", want, err);
}

static void test_fatal_problems(void **state)
{
    fixture *f = *state;
    test_write(f->events, "");
    expect_failure(f, "user,x\n1,2\n", "no 'ts' column");
    expect_failure(f, "ts,x\n1,2\n", "no column 'user'");
    expect_failure(f, "ts,user\n1,2\n", "no column 'x'");
    expect_failure(f, "ts,user,x,ts\n1,2,3,4\n", "repeats column");
    expect_failure(f, "ts,user,x,v__cnt\n1,2,3,4\n", "name of an output column");
    expect_failure(f, "ts,user,\"x\n", "bad CSV header");

    char err[256];
    rt_replay_stats st;
    test_write(f->spine, "ts,user,x\n");
    rt_reject_log *log = rt_reject_log_open(NULL, err, sizeof err);
    rt_event_file ev[2] = {{"ev", f->events}, {"ev", f->events}};
    assert_false(rt_replay_run(f->p, &test_fns, "nope", f->spine, ev, 1, f->out, log, NULL, &st, err, sizeof err));
    assert_non_null(strstr(err, "no service named 'nope'"));
    assert_false(rt_replay_run(f->p, &test_fns, "s", f->spine, ev, 2, f->out, log, NULL, &st, err, sizeof err));
    assert_non_null(strstr(err, "given twice"));
    rt_event_file req = {"req", f->events};
    assert_false(rt_replay_run(f->p, &test_fns, "s", f->spine, &req, 1, f->out, log, NULL, &st, err, sizeof err));
    assert_non_null(strstr(err, "request source"));
    rt_event_file missing = {"ev", "/nonexistent/ev.jsonl"};
    assert_false(rt_replay_run(f->p, &test_fns, "s", f->spine, &missing, 1, f->out, log, NULL, &st, err, sizeof err));
    assert_false(rt_replay_run(f->p, &test_fns, "s", f->spine, ev, 1, "/nonexistent/out.csv", log, NULL, &st, err,
                               sizeof err));
    assert_non_null(strstr(err, "cannot write"));
    /* An empty spine gives a header only; no events file means no events. */
    assert_true(rt_replay_run(f->p, &test_fns, "s", f->spine, NULL, 0, f->out, log, NULL, &st, err, sizeof err));
    char *out = test_read(f->out);
    assert_string_equal(out, "ts,user,x,v__cnt,v__total,v__last_amount,w__mx,od__ratio\n");
    free(out);
    rt_reject_log_close(log);
}

static void test_event_file_parse(void **state)
{
    (void)state;
    char name[16];
    rt_event_file ev;
    assert_true(rt_event_file_parse("ev=a=b.jsonl", name, sizeof name, &ev));
    assert_string_equal(ev.source, "ev");
    assert_string_equal(ev.path, "a=b.jsonl");
    assert_false(rt_event_file_parse("ev", name, sizeof name, &ev));
    assert_false(rt_event_file_parse("=x", name, sizeof name, &ev));
    assert_false(rt_event_file_parse("ev=", name, sizeof name, &ev));
    assert_false(rt_event_file_parse("a_very_long_source_name=x", name, sizeof name, &ev));
}

/* ---- randomized: brute force over the accepted events, any spine order ---- */

typedef struct tev {
    int user;
    int amount; /* small integers: float sums are exact in any order */
    int64_t ts; /* seconds */
    bool accepted;
} tev;

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* The expected output columns of one query, computed from the accepted events directly. */
static void brute_force(const tev *evs, int n, int user, bool x_null, int x, int64_t t, char *out, size_t cap)
{
    int64_t cnt = 0;
    double total = 0, last = 0, mx = 0;
    int64_t last_ts = 0;
    bool any = false;
    for (int i = 0; i < n; i++) {
        const tev *e = &evs[i];
        if (!e->accepted || e->user != user || e->ts * RT_US_PER_SEC >= t)
            continue;
        if (e->ts * RT_US_PER_SEC >= t - 3600 * RT_US_PER_SEC)
            cnt++;
        total += e->amount;
        /* last: greatest ts, then greatest value */
        if (!any || e->ts > last_ts || (e->ts == last_ts && e->amount > last)) {
            last_ts = e->ts;
            last = e->amount;
        }
        if (!any || e->amount > mx)
            mx = e->amount;
        any = true;
    }
    char tb[RT_FLOAT_BUF], lb[RT_FLOAT_BUF] = "", mb[RT_FLOAT_BUF] = "", rb[RT_FLOAT_BUF] = "";
    rt_format_float(total, tb);
    if (any) {
        rt_format_float(last, lb);
        rt_format_float(mx, mb);
    }
    if (!x_null && total != 0)
        rt_format_float((double)x / total, rb);
    snprintf(out, cap, ",%lld,%s,%s,%s,%s", (long long)cnt, tb, lb, mb, rb);
}

static void test_random_against_brute_force(void **state)
{
    fixture *f = *state;
    rng_state = 0x9e3779b97f4a7c15u;
    for (int round = 0; round < 20; round++) {
        enum { NEV = 300, NQ = 120 };
        tev evs[NEV];
        int64_t wm = INT64_MIN;
        FILE *ef = fopen(f->events, "w");
        for (int i = 0; i < NEV; i++) {
            tev *e = &evs[i];
            e->user = (int)(rnd() % 4);
            e->amount = (int)(rnd() % 50);
            /* mostly increasing time with jitter up to 15s back: some in time, some late */
            e->ts = 1000 + i * 20 - (int64_t)(rnd() % 16) - (rnd() % 10 == 0 ? (int64_t)(rnd() % 200) : 0);
            e->accepted = wm == INT64_MIN || e->ts >= wm - 10;
            if (e->accepted && e->ts > wm)
                wm = e->ts;
            fprintf(ef, "{\"user\":%d,\"amount\":%d,\"ts\":%lld}\n", e->user, e->amount, (long long)e->ts);
        }
        fclose(ef);
        /* Queries at random times (some on event times exactly), written in a random order. */
        char expected[NQ][256];
        FILE *sf = fopen(f->spine, "w");
        fputs("id,ts,user,x\n", sf);
        for (int q = 0; q < NQ; q++) {
            int user = (int)(rnd() % 5);
            bool x_null = rnd() % 5 == 0;
            int x = (int)(rnd() % 100);
            int64_t t = rnd() % 3 == 0 ? evs[rnd() % NEV].ts : 900 + (int64_t)(rnd() % (NEV * 20 + 200));
            fprintf(sf, "q%d,%lld,%d,", q, (long long)t, user);
            if (!x_null)
                fprintf(sf, "%d", x);
            fputc('\n', sf);
            char cols[192];
            brute_force(evs, NEV, user, x_null, x, t * RT_US_PER_SEC, cols, sizeof cols);
            char xs[16] = "";
            if (!x_null)
                snprintf(xs, sizeof xs, "%d", x);
            snprintf(expected[q], sizeof expected[q], "q%d,%lld,%d,%s%s\n", q, (long long)t, user, xs, cols);
        }
        fclose(sf);
        char err[256];
        rt_replay_stats st;
        if (!run(f, &st, err, sizeof err))
            fail_msg("%s", err);
        char *out = test_read(f->out);
        const char *line = strchr(out, '\n') + 1;
        for (int q = 0; q < NQ; q++) {
            size_t n = strlen(expected[q]);
            if (strncmp(line, expected[q], n) != 0)
                fail_msg("round %d query %d: expected %sgot %.*s", round, q, expected[q], (int)n, line);
            line += n;
        }
        assert_string_equal(line, "");
        free(out);
        int late = 0;
        for (int i = 0; i < NEV; i++)
            late += !evs[i].accepted;
        assert_int_equal(st.late, late);
        assert_int_equal(st.accepted, NEV - late);
    }
}

/* Corrupted spines are read or refused with a message, never a crash. */
static void test_corrupt_spines(void **state)
{
    fixture *f = *state;
    test_write(f->events, "{\"user\":1,\"amount\":5,\"ts\":100}\n{\"user\":2,\"amount\":7,\"ts\":120}\n");
    static const char spine[] = "label,user,ts,x\na,1,97,10\n\"b\"\"\",2,2026-01-01T00:00:00Z,1.5e3\nc,,-5,\n";
    static const char junk[] = ",\"\n\r x0-9.eE:TZ\xff\x00";
    uint64_t x = 0x2545F4914F6CDD1Du;
    size_t n = sizeof spine - 1;
    char text[sizeof spine];
    for (int i = 0; i < 600; i++) {
        memcpy(text, spine, sizeof spine);
        for (int k = 0; k < 1 + i % 3; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            text[x % n] = junk[(x >> 40) % (sizeof junk - 1)];
        }
        FILE *sf = fopen(f->spine, "w");
        fwrite(text, 1, n, sf);
        fclose(sf);
        char err[256] = "";
        rt_replay_stats st;
        if (!run(f, &st, err, sizeof err))
            assert_true(strlen(err) > 0);
        else {
            uint64_t lines = 1;
            for (size_t k = 0; k < n; k++)
                lines += text[k] == '\n';
            assert_true(st.rows + st.skipped_rows < lines); /* the header is one of them */
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_replay_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_arrival_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fatal_problems, setup, teardown),
        cmocka_unit_test(test_event_file_parse),
        cmocka_unit_test_setup_teardown(test_random_against_brute_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_spines, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
