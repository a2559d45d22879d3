/* test_rt_reader_reject.c - the reject log: line format, late events, counts, threads, excerpts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_reject.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *temp_path(void) {
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/test_rt_reject_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void test_log_lines_and_counts(void **state) {
    (void)state;
    char *path = temp_path(), err[256];
    rt_reject_log *log = rt_reject_log_open(path, err, sizeof err);
    assert_non_null(log);
    rt_reject(log, "tx", "events.jsonl", 7, "field 'n': expected int, got number 5.5");
    rt_reject(log, "tx", "events.jsonl", 0, "whole file problem");
    rt_reject(log, "users", NULL, 3, "from a request");
    rt_reject_late(log, "tx", "events.jsonl", 9, 1000000, 20000000, 10000000);
    rt_reject_late(log, "tx", "e.csv", 10, -1, 0, 250000);
    rt_reject_ahead(log, "tx", "e.csv", 11, 4102444800000000, 1765152000000000, 86400000000);
    rt_reject_duplicate(log, "tx", "e.csv", 12, "txn_id", "\"t-1\"", 3000000);
    assert_int_equal(rt_reject_kind_count(log, "tx", RT_REJECT_AHEAD), 1);
    assert_int_equal(rt_reject_kind_count(log, "tx", RT_REJECT_DUPLICATE), 1);
    assert_int_equal(rt_reject_kind_count(log, NULL, RT_REJECT_DUPLICATE), 1);
    assert_int_equal(rt_reject_kind_count(log, "users", RT_REJECT_AHEAD), 0);
    assert_string_equal(rt_reject_kind_name(RT_REJECT_DUPLICATE), "duplicate");
    assert_int_equal(rt_reject_count(log, "tx"), 2);
    assert_int_equal(rt_reject_count(log, "users"), 1);
    assert_int_equal(rt_reject_count(log, "nobody"), 0);
    assert_int_equal(rt_reject_late_count(log, "tx"), 2);
    assert_int_equal(rt_reject_late_count(log, "users"), 0);
    assert_int_equal(rt_reject_total(log), 3);
    assert_int_equal(rt_reject_late_total(log), 2);
    assert_true(rt_reject_log_close(log));
    char *text = slurp(path);
    assert_string_equal(text,
                        "events.jsonl:7: source 'tx': field 'n': expected int, got number 5.5\n"
                        "events.jsonl: source 'tx': whole file problem\n"
                        "source 'users': from a request\n"
                        "events.jsonl:9: source 'tx': late: event time 1970-01-01T00:00:01.000000Z is before "
                        "watermark 1970-01-01T00:00:20.000000Z minus lateness 10s\n"
                        "e.csv:10: source 'tx': late: event time 1969-12-31T23:59:59.999999Z is before "
                        "watermark 1970-01-01T00:00:00.000000Z minus lateness 250ms\n"
                        "e.csv:11: source 'tx': ahead: event time 2100-01-01T00:00:00.000000Z is more than 1d "
                        "after its arrival time 2025-12-08T00:00:00.000000Z\n"
                        "e.csv:12: source 'tx': duplicate: txn_id \"t-1\" at event time "
                        "1970-01-01T00:00:03.000000Z was already accepted\n");
    free(text);
    unlink(path);
    free(path);
}

static void test_log_counting_only_and_errors(void **state) {
    (void)state;
    char err[256];
    rt_reject_log *log = rt_reject_log_open(NULL, err, sizeof err);
    assert_non_null(log);
    for (int i = 0; i < 1000; i++)
        rt_reject(log, i % 2 ? "a" : "b", "f", (uint64_t)i + 1, "r");
    assert_int_equal(rt_reject_count(log, "a"), 500);
    assert_int_equal(rt_reject_count(log, "b"), 500);
    assert_true(rt_reject_log_close(log));
    assert_true(rt_reject_log_close(NULL));
    /* a NULL log is accepted everywhere and counts nothing */
    rt_reject(NULL, "a", "f", 1, "r");
    rt_reject_late(NULL, "a", "f", 1, 0, 0, 0);
    assert_int_equal(rt_reject_total(NULL), 0);

    assert_null(rt_reject_log_open("/nonexistent/dir/rejects.log", err, sizeof err));
    assert_string_equal(err, "cannot open reject log '/nonexistent/dir/rejects.log': No such file or directory");
}

typedef struct worker {
    rt_reject_log *log;
    int id;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    char source[16], reason[64];
    snprintf(source, sizeof source, "s%d", w->id);
    for (int i = 0; i < 5000; i++) {
        snprintf(reason, sizeof reason, "reason %d from worker %d", i, w->id);
        if (i % 5 == 0)
            rt_reject_late(w->log, source, "f", (uint64_t)i + 1, 0, 1, 0);
        else
            rt_reject(w->log, source, "f", (uint64_t)i + 1, reason);
    }
    return NULL;
}

/* Shared between threads: counts are exact and lines are never interleaved. */
static void test_log_threads(void **state) {
    (void)state;
    char *path = temp_path(), err[256];
    rt_reject_log *log = rt_reject_log_open(path, err, sizeof err);
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){log, i};
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        char source[16];
        snprintf(source, sizeof source, "s%d", i);
        assert_int_equal(rt_reject_count(log, source), 4000);
        assert_int_equal(rt_reject_late_count(log, source), 1000);
    }
    assert_true(rt_reject_log_close(log));
    char *text = slurp(path);
    int lines = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int n, id, id2;
        char tail[8];
        if (strstr(line, ": late: ")) {
            assert_true(sscanf(line, "f:%d: source 's%d'", &n, &id) == 2);
        } else if (sscanf(line, "f:%d: source 's%d': reason %*d from worker %d%1s", &n, &id, &id2, tail) != 3 ||
                   id != id2) {
            fail_msg("mangled line: %s", line);
        }
        lines++;
    }
    assert_int_equal(lines, 20000);
    free(text);
    unlink(path);
    free(path);
}

static void test_excerpt(void **state) {
    (void)state;
    char buf[64];
    strcpy(buf, "got ");
    rt_reject_excerpt(buf, sizeof buf, "a\"b\\c\n\t\x01\xff", 9, 64, true);
    assert_string_equal(buf, "got \"a\\\"b\\\\c\\n\\t\\x01\\xFF\"");
    strcpy(buf, "");
    rt_reject_excerpt(buf, sizeof buf, "a\"b", 3, 64, false);
    assert_string_equal(buf, "a\"b");
    strcpy(buf, "");
    rt_reject_excerpt(buf, sizeof buf, "abcdefgh", 8, 5, true);
    assert_string_equal(buf, "\"abcde\"...");
    /* a multibyte character is kept whole or left out whole */
    strcpy(buf, "");
    rt_reject_excerpt(buf, sizeof buf, "ab\xc3\xa9z", 5, 3, false);
    assert_string_equal(buf, "ab...");
    strcpy(buf, "");
    rt_reject_excerpt(buf, sizeof buf, "ab\xc3\xa9z", 5, 4, false);
    assert_string_equal(buf, "ab\xc3\xa9...");
    /* never past the buffer, whatever the sizes */
    for (size_t cap = 1; cap < 24; cap++) {
        char small[40];
        memset(small, '#', sizeof small);
        small[0] = 'x';
        small[1] = '\0';
        rt_reject_excerpt(small, cap, "0123456789\n0123456789", 21, 100, true);
        assert_true(strlen(small) < cap);
        for (size_t k = cap < 2 ? 2 : cap; k < sizeof small; k++)
            assert_int_equal(small[k], '#');
    }
}

static void test_duration(void **state) {
    (void)state;
    char b[32];
    assert_string_equal(rt_reject_duration(0, b), "0s");
    assert_string_equal(rt_reject_duration(10000000, b), "10s");
    assert_string_equal(rt_reject_duration(90000000, b), "90s");
    assert_string_equal(rt_reject_duration(60000000, b), "1m");
    assert_string_equal(rt_reject_duration(INT64_C(7200000000), b), "2h");
    assert_string_equal(rt_reject_duration(INT64_C(604800000000), b), "7d");
    assert_string_equal(rt_reject_duration(250000, b), "250ms");
    assert_string_equal(rt_reject_duration(1500, b), "1500us");
    assert_string_equal(rt_reject_duration(-5000000, b), "-5s");
    assert_string_equal(rt_reject_duration(INT64_MIN, b), "-9223372036854775808us");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_lines_and_counts),
        cmocka_unit_test(test_log_counting_only_and_errors),
        cmocka_unit_test(test_log_threads),
        cmocka_unit_test(test_excerpt),
        cmocka_unit_test(test_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
