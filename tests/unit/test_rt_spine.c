/* test_rt_spine.c - the one spine reader: every kind of skipped row, what an accepted row hands out, header checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_spine.h"
#include "rt_spine_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Service s keyed by user (a string, also the request's first field); request req: user
 * string not null, x float (nullable), tag string not null; one output v__cnt. */
static const char manifest[] = "featc-manifest 1\n"
                               "source \"ev\" stream 2 1 -1 0 0 -1 -1 -1\n"
                               "field \"user\" string notnull\n"
                               "field \"ts\" timestamp notnull\n"
                               "source \"req\" request 3 -1 -1 0 0 -1 -1 -1\n"
                               "field \"user\" string notnull\n"
                               "field \"x\" float null\n"
                               "field \"tag\" string notnull\n"
                               "view \"v\" 0 1 1\n"
                               "key string 0\n"
                               "feature \"cnt\" count_rows - int lifetime 0 0 0 -\n"
                               "service \"s\" 1 1 1 0 1\n"
                               "skey \"user\" string 0\n"
                               "sview 0 0\n"
                               "output \"v__cnt\" int view 0 0\n"
                               "end\n";

/* One line per kind of row; the comment says what becomes of it. */
static const char spine[] = "label,user,ts,x,tag\n"
                            "a,u1,100,1.5,t\n"                  /* 2: kept */
                            "b,u2,101,,t\n"                     /* 3: kept: x is nullable */
                            "\"c,\"\"q\"\"\nd\",u3,102,2,\"\"\n" /* 4-5: kept: quoted label, tag "" */
                            "e,u1,,1,t\n"                       /* 6: empty ts */
                            "f,u1,later,1,t\n"                  /* 7: bad ts */
                            "g,u1,103,x1,t\n"                   /* 8: x does not convert */
                            "h,,104,1,t\n"                      /* 9: user (key, not null) empty */
                            "i,u1,105,1,\n"                     /* 10: tag (not null) empty */
                            "j,u1,106,1\n"                      /* 11: a field short */
                            "k,u1,107,1,t,extra\n"              /* 12: a field over */
                            "l,u\"1,108,1,t\n"                  /* 13: malformed CSV */
                            "\n"                                /* 14: blank, not a row */
                            "m,u4,1970-01-01T00:00:01.5Z,-0,t\n"; /* 15: kept */

static const char report_want[] = "F:6: skipped spine row: column 'ts': the query time is empty\n"
                                   "F:7: skipped spine row: column 'ts': expected timestamp: \"later\"\n"
                                   "F:8: skipped spine row: column 'x': expected float: \"x1\"\n"
                                   "F:9: skipped spine row: column 'user': null in a not null field\n"
                                   "F:10: skipped spine row: column 'tag': null in a not null field\n"
                                   "F:11: skipped spine row: 4 fields where the header has 5\n"
                                   "F:12: skipped spine row: 6 fields where the header has 5\n"
                                   "F:13: skipped spine row: quote in an unquoted field (column 2)\n";

typedef struct fixture {
    rt_program *p;
    char path[64];
    char *report;
    size_t report_len;
    FILE *rf;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char err[256];
    f->p = rt_program_parse(manifest, strlen(manifest), err, sizeof err);
    if (!f->p)
        fprintf(stderr, "%s\n", err);
    snprintf(f->path, sizeof f->path, "/tmp/test_rt_spine_XXXXXX");
    int fd = mkstemp(f->path);
    if (fd >= 0)
        close(fd);
    f->rf = open_memstream(&f->report, &f->report_len);
    *state = f;
    return f->p && fd >= 0 && f->rf ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rt_program_free(f->p);
    fclose(f->rf);
    free(f->report);
    unlink(f->path);
    free(f);
    return 0;
}

static void write_spine(fixture *f, const char *text)
{
    FILE *sf = fopen(f->path, "w");
    assert_non_null(sf);
    fputs(text, sf);
    fclose(sf);
}

/* The report so far with the spine's path written as "F". */
static char *report_text(fixture *f)
{
    fflush(f->rf);
    size_t plen = strlen(f->path), k = 0;
    char *out = malloc(f->report_len + 1);
    for (const char *p = f->report; *p;)
        if (strncmp(p, f->path, plen) == 0) {
            out[k++] = 'F';
            p += plen;
        } else
            out[k++] = *p++;
    out[k] = '\0';
    return out;
}

static char *fields_text(const rt_csv_field *fields, int n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_true(rt_spine_write_fields(m, fields, n));
    fclose(m);
    return text;
}

static void slot_string_is(const rt_slot *s, const char *want)
{
    assert_false(s->null);
    assert_int_equal(s->len, strlen(want));
    assert_memory_equal(s->v.s, want, s->len);
}

/* Every accepted row comes out with its line, typed values and fields; every other row is
 * reported once, with its line and reason, and never handed out. */
static void test_reader_rows(void **state)
{
    fixture *f = *state;
    write_spine(f, spine);
    char err[256] = "";
    rt_spine_reader *r = rt_spine_open(f->p, 0, f->path, f->rf, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(rt_spine_ncolumns(r), 5);
    assert_int_equal(rt_spine_ts_column(r), 2);
    assert_int_equal(rt_spine_key_column(r, 0), 1);
    assert_int_equal(rt_spine_request_column(r, 2), 4);
    static const uint64_t lines[] = {2, 3, 4, 15};
    static const int64_t ts[] = {100000000, 101000000, 102000000, 1500000};
    static const char *const users[] = {"u1", "u2", "u3", "u4"};
    static const char *const texts[] = {"a,u1,100,1.5,t", "b,u2,101,,t", "\"c,\"\"q\"\"\nd\",u3,102,2,\"\"",
                                        "m,u4,1970-01-01T00:00:01.5Z,-0,t"};
    rt_spine_row row;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rt_spine_next(r, &row, err, sizeof err), RT_SPINE_ROW);
        assert_int_equal(row.line, lines[i]);
        assert_int_equal(row.ts, ts[i]);
        slot_string_is(&row.keys[0], users[i]);
        assert_non_null(row.request);
        slot_string_is(&row.request[0], users[i]);
        char *text = fields_text(row.fields, 5);
        assert_string_equal(text, texts[i]);
        free(text);
    }
    assert_int_equal(rt_spine_next(r, &row, err, sizeof err), RT_SPINE_END);
    assert_int_equal(rt_spine_reader_skipped(r), 8);
    rt_spine_close(r);
    char *rep = report_text(f);
    assert_string_equal(rep, report_want);
    free(rep);
}

/* The typed request values: a nullable field may be null, "" is an empty string. */
static void test_reader_values(void **state)
{
    fixture *f = *state;
    write_spine(f, spine);
    char err[256];
    rt_spine_reader *r = rt_spine_open(f->p, 0, f->path, NULL, err, sizeof err);
    assert_non_null(r);
    rt_spine_row row;
    assert_int_equal(rt_spine_next(r, &row, err, sizeof err), RT_SPINE_ROW);
    assert_false(row.request[1].null);
    assert_true(row.request[1].v.f == 1.5);
    assert_int_equal(rt_spine_next(r, &row, err, sizeof err), RT_SPINE_ROW);
    assert_true(row.request[1].null);
    assert_int_equal(rt_spine_next(r, &row, err, sizeof err), RT_SPINE_ROW);
    slot_string_is(&row.request[2], "");
    assert_true(row.fields[0].quoted);
    assert_int_equal(row.fields[0].len, strlen("c,\"q\"\nd"));
    rt_spine_close(r);
}

/* The kept spine replay uses holds exactly the reader's rows and reports the same lines. */
static void test_load_matches_reader(void **state)
{
    fixture *f = *state;
    write_spine(f, spine);
    char err[256];
    rt_spine *s = rt_spine_load(f->p, 0, f->path, f->rf, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(rt_spine_rows(s), 4);
    assert_int_equal(rt_spine_skipped(s), 8);
    char *rep = report_text(f);
    assert_string_equal(rep, report_want);
    free(rep);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_true(rt_spine_write_header(s, m));
    for (size_t i = 0; i < rt_spine_rows(s); i++) {
        fputc('\n', m);
        assert_true(rt_spine_write_row(s, i, m));
    }
    fclose(m);
    assert_string_equal(text, "label,user,ts,x,tag\n"
                              "a,u1,100,1.5,t\n"
                              "b,u2,101,,t\n"
                              "\"c,\"\"q\"\"\nd\",u3,102,2,\"\"\n"
                              "m,u4,1970-01-01T00:00:01.5Z,-0,t");
    free(text);
    slot_string_is(&rt_spine_keys(s, 2)[0], "u3");
    slot_string_is(&rt_spine_request(s, 2)[2], "");
    assert_int_equal(rt_spine_ts(s, 3), 1500000);
    rt_spine_free(s);
}

/* Headers the reader refuses, each with its message. */
static void test_header_errors(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"user,x,tag\n", "the spine has no 'ts' column (the query time)"},
        {"ts,x,tag\n", "the spine has no column 'user' (a key of service 's')"},
        {"ts,user,x\n", "the spine has no column 'tag' (a field of request 'req')"},
        {"ts,user,x,tag,x\n", "the header repeats column \"x\""},
        /* a repeated name is an escaped excerpt: a fuzzed header once split the message over
         * two lines with a quoted line break */
        {"ts,user,x,tag,\"a\nb\",\"a\nb\"\n1,2,3,4,5,6\n", "repeats column \"a\\nb\""},
        {"ts,user,x,tag,n\xdcu,n\xdcu\n", "repeats column \"n\\xDCu\""},
        {"ts,user,x,tag,v__cnt\n", "spine column 'v__cnt' has the name of an output column"},
        {"", "the spine has no 'ts' column"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_spine(f, cases[i].text);
        char err[256] = "";
        assert_null(rt_spine_open(f->p, 0, f->path, NULL, err, sizeof err));
        if (!strstr(err, cases[i].want))
            fail_msg("header '%s': got '%s', want '%s'", cases[i].text, err, cases[i].want);
        assert_null(strchr(err, '\n'));
        assert_null(rt_spine_load(f->p, 0, f->path, NULL, err, sizeof err));
    }
    char err[256];
    assert_null(rt_spine_open(f->p, 0, "/nonexistent/spine.csv", NULL, err, sizeof err));
}

/* Fields go back as read: null stays empty, "" stays "", text is quoted when it must be;
 * header names are always text. */
static void test_write_fields(void **state)
{
    (void)state;
    const rt_csv_field fields[] = {
        {"", 0, false}, {"", 0, true}, {"a,b", 3, false}, {" x", 2, true}, {"q\"", 2, true}, {"7", 1, true},
    };
    char *text = fields_text(fields, 6);
    assert_string_equal(text, ",\"\",\"a,b\",\" x\",\"q\"\"\",7");
    char mem[64];
    assert_true(rt_spine_fields_text_max(fields, 6) <= sizeof mem);
    size_t n = rt_spine_fields_text(mem, fields, 6);
    assert_int_equal(n, strlen(text));
    assert_memory_equal(mem, text, n);
    free(text);
    size_t len = 0;
    text = NULL;
    FILE *m = open_memstream(&text, &len);
    assert_true(rt_spine_write_names(m, fields, 3));
    fclose(m);
    assert_string_equal(text, "\"\",\"\",\"a,b\"");
    free(text);
}

/* The in-memory text (backfill's) is what the stream writer (replay's) writes, within its
 * bound, for fields made of the bytes that matter to quoting. */
static void test_fields_text_random(void **state)
{
    (void)state;
    static const char alphabet[] = {'a', ',', '"', ' ', '\t', '\r', '\n', 'z'};
    char bytes[8][12];
    rt_csv_field fields[8];
    char mem[8 * 26 + 8];
    srand(7);
    for (int round = 0; round < 20000; round++) {
        int n = 1 + rand() % 8;
        for (int i = 0; i < n; i++) {
            size_t len = (size_t)(rand() % 12);
            for (size_t j = 0; j < len; j++)
                bytes[i][j] = alphabet[rand() % (int)sizeof alphabet];
            fields[i] = (rt_csv_field){bytes[i], len, rand() % 2 == 0};
        }
        char *text = fields_text(fields, n);
        size_t max = rt_spine_fields_text_max(fields, n);
        assert_true(max <= sizeof mem);
        size_t len = rt_spine_fields_text(mem, fields, n);
        assert_true(len <= max);
        assert_int_equal(len, strlen(text));
        assert_memory_equal(mem, text, len);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reader_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_matches_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_errors, setup, teardown),
        cmocka_unit_test(test_write_fields),
        cmocka_unit_test(test_fields_text_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
