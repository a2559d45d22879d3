/* test_parity.c - the parity comparison: CSV reading, cell agreement, row alignment, reject logs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "parity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static parity_table parse_ok(arena *mem, const char *text)
{
    parity_table t;
    char err[256] = "";
    bool ok = parity_csv_parse(mem, "t.csv", text, strlen(text), &t, err, sizeof err);
    if (!ok)
        fail_msg("parse failed: %s", err);
    return t;
}

static void parse_fails(const char *text, const char *want)
{
    arena mem;
    arena_init(&mem);
    parity_table t;
    char err[256] = "";
    assert_false(parity_csv_parse(&mem, "t.csv", text, strlen(text), &t, err, sizeof err));
    if (!strstr(err, want))
        fail_msg("message '%s' lacks '%s'", err, want);
    arena_free(&mem);
}

static parity_cell cell(const char *s, bool quoted) { return (parity_cell){s, strlen(s), quoted}; }

static void test_csv_fields(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    parity_table t = parse_ok(&mem, "a,b,c\r\n1,,\"\"\n\"x,\"\"y\"\"\nz\",plain,\"\"\"\"\n\n");
    assert_int_equal(t.ncols, 3);
    assert_string_equal(t.header[2].s, "c");
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.rows[0].cells[0].s, "1");
    assert_true(parity_cell_null(&t.rows[0].cells[1]));
    assert_false(parity_cell_null(&t.rows[0].cells[2])); /* "" is the empty string */
    assert_int_equal(t.rows[0].cells[2].len, 0);
    assert_string_equal(t.rows[1].cells[0].s, "x,\"y\"\nz");
    assert_int_equal(t.rows[1].line, 3);
    assert_string_equal(t.rows[1].cells[2].s, "\"");
    assert_int_equal(parity_table_column(&t, "b"), 1);
    assert_int_equal(parity_table_column(&t, "d"), -1);
    arena_free(&mem);
}

static void test_csv_last_line_without_break_and_one_column(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    parity_table t = parse_ok(&mem, "a,b\n1,2");
    assert_int_equal(t.nrows, 1);
    assert_string_equal(t.rows[0].cells[1].s, "2");
    /* one column: an empty line is a null value, not a blank line */
    t = parse_ok(&mem, "x\n1\n\n3\n");
    assert_int_equal(t.nrows, 3);
    assert_true(parity_cell_null(&t.rows[1].cells[0]));
    arena_free(&mem);
}

static void test_csv_crlf_and_quoted_ends(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    parity_table t = parse_ok(&mem, "a,b\r\n\"x\",\"y\"\r\n1,\"\"\r\n\"\",2\r");
    assert_int_equal(t.nrows, 3);
    assert_string_equal(t.rows[0].cells[0].s, "x");
    assert_string_equal(t.rows[0].cells[1].s, "y");
    assert_true(t.rows[1].cells[1].quoted && t.rows[1].cells[1].len == 0);
    assert_string_equal(t.rows[2].cells[1].s, "2");
    /* a CR not before a line break is data */
    t = parse_ok(&mem, "a,b\nx\ry,z\n");
    assert_int_equal(t.nrows, 1);
    assert_string_equal(t.rows[0].cells[0].s, "x\ry");
    arena_free(&mem);
}

/* Random tables written with random quoting and line breaks read back exactly. */
static void test_csv_roundtrip(void **state)
{
    (void)state;
    static const char *const pieces[] = {"", "a", ",", "\"", "\n", "\r\n", "x y", "\xc3\xa9", "\"\"", "\r"};
    unsigned seed = 12345;
    for (int round = 0; round < 300; round++) {
        arena mem;
        arena_init(&mem);
        int ncols = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 4;
        int nrows = (int)((seed = seed * 1103515245 + 12345) >> 16) % 6;
        char *want[7][4];
        bool wnull[7][4];
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        for (int r = 0; r <= nrows; r++) {
            for (int c = 0; c < ncols; c++) {
                char buf[64] = "";
                int np = (int)((seed = seed * 1103515245 + 12345) >> 16) % 4;
                for (int k = 0; k < np; k++)
                    strcat(buf, pieces[((seed = seed * 1103515245 + 12345) >> 16) % 10]);
                if (r == 0 && !buf[0])
                    strcpy(buf, "h"); /* keep header names non-empty */
                bool null = buf[0] == '\0' && ((seed = seed * 1103515245 + 12345) >> 16) % 2;
                bool must_quote = strpbrk(buf, ",\"\r\n") || (!buf[0] && !null) || (ncols == 1 && !buf[0]);
                bool quote = must_quote || ((seed = seed * 1103515245 + 12345) >> 16) % 3 == 0;
                if (ncols == 1 && null)
                    null = false, quote = true; /* a lone empty line would be a null row; keep it simple */
                want[r][c] = arena_strdup(&mem, buf);
                wnull[r][c] = null;
                if (c)
                    fputc(',', f);
                if (quote && !null) {
                    fputc('"', f);
                    for (const char *p = buf; *p; p++) {
                        if (*p == '"')
                            fputc('"', f);
                        fputc(*p, f);
                    }
                    fputc('"', f);
                } else
                    fputs(buf, f);
            }
            fputs(((seed = seed * 1103515245 + 12345) >> 16) % 2 ? "\r\n" : "\n", f);
        }
        fclose(f);
        parity_table t;
        char err[256] = "";
        if (!parity_csv_parse(&mem, "r.csv", text, len, &t, err, sizeof err))
            fail_msg("round %d: %s", round, err);
        assert_int_equal(t.ncols, ncols);
        /* no line is blank: rows of several columns hold commas, lone fields are quoted */
        assert_int_equal(t.nrows, nrows);
        for (int r = 0; r < nrows; r++)
            for (int c = 0; c < ncols; c++) {
                assert_string_equal(t.rows[r].cells[c].s, want[r + 1][c]);
                assert_int_equal(parity_cell_null(&t.rows[r].cells[c]), wnull[r + 1][c]);
            }
        for (int c = 0; c < ncols; c++)
            assert_string_equal(t.header[c].s, want[0][c]);
        free(text);
        arena_free(&mem);
    }
}

static void test_csv_errors(void **state)
{
    (void)state;
    parse_fails("", "no header");
    parse_fails("a,b\n1\n", "t.csv:2: 1 field, but the header has 2");
    parse_fails("a,b\n1,2,3\n", "t.csv:2: 3 fields");
    parse_fails("a\n\"open\n", "t.csv:2: a quoted field is not closed");
    parse_fails("a\n\"x\"y\n", "t.csv:2: unexpected text after a closing quote");
    parse_fails("a\nx\"y\n", "t.csv:2: a quote inside an unquoted field");
}

static void test_floats_close(void **state)
{
    (void)state;
    assert_true(parity_floats_close(1.0, 1.0));
    assert_true(parity_floats_close(0.0, -0.0));
    assert_true(parity_floats_close(1e9, 1e9 + 0.5));     /* 5e-10 relative */
    assert_false(parity_floats_close(1e9, 1e9 + 2.0));    /* 2e-9 relative */
    assert_true(parity_floats_close(1e-13, 5e-13));       /* 4e-13 absolute */
    assert_false(parity_floats_close(1e-11, 3e-11));      /* 2e-11 absolute, 0.67 relative */
    assert_true(parity_floats_close(0.1 + 0.2, 0.3));
    assert_false(parity_floats_close(NAN, NAN));
    assert_false(parity_floats_close(INFINITY, -INFINITY));
    assert_false(parity_floats_close(1.0, 1.0 + 1e-8));
}

static void test_cells_agree(void **state)
{
    (void)state;
    parity_cell null = cell("", false), empty = cell("", true);
    assert_true(parity_cells_agree(FT_STRING, &null, &null));
    assert_false(parity_cells_agree(FT_STRING, &null, &empty));
    assert_true(parity_cells_agree(FT_STRING, &empty, &empty));
    parity_cell a = cell("0.30000000000000004", false), b = cell("0.3", true);
    assert_true(parity_cells_agree(FT_FLOAT, &a, &b));
    /* strings and ints are byte-for-byte, quoting aside */
    parity_cell i1 = cell("5", false), i2 = cell("5.0", false), i3 = cell("5", true);
    assert_false(parity_cells_agree(FT_INT, &i1, &i2));
    assert_true(parity_cells_agree(FT_INT, &i1, &i3));
    assert_false(parity_cells_agree(FT_FLOAT, &i1, &null));
    parity_cell t1 = cell("2026-01-01T00:00:00.000000Z", false), t2 = cell("2026-01-01T00:00:00.000001Z", false);
    assert_false(parity_cells_agree(FT_TIMESTAMP, &t1, &t2));
    parity_cell n1 = cell("nan", false), x1 = cell("1e400", false);
    assert_false(parity_cells_agree(FT_FLOAT, &n1, &x1));
    assert_true(parity_cells_agree(FT_FLOAT, &n1, &n1)); /* equal text */
    parity_cell s1 = cell("a\xc3\xa9", false), s2 = cell("A\xc3\xa9", false);
    assert_false(parity_cells_agree(FT_STRING, &s1, &s2));
}

static void test_well_formed(void **state)
{
    (void)state;
    struct {
        ftype t;
        const char *s;
        bool ok;
    } cases[] = {
        {FT_INT, "0", true},          {FT_INT, "-12", true},         {FT_INT, "007", false},
        {FT_INT, "-0", false},        {FT_INT, "1.0", false},        {FT_INT, "9223372036854775807", true},
        {FT_INT, "-9223372036854775808", true}, {FT_INT, "9223372036854775808", false},
        {FT_BOOL, "true", true},      {FT_BOOL, "1", false},         {FT_BOOL, "True", false},
        {FT_FLOAT, "1.5e-7", true},   {FT_FLOAT, "inf", false},      {FT_FLOAT, "0x1p3", false},
        {FT_FLOAT, "1e999", false},   {FT_FLOAT, "-0", true},
        {FT_TIMESTAMP, "2026-03-02T08:10:00.000000Z", true},
        {FT_TIMESTAMP, "2026-03-02T08:10:00Z", false},
        {FT_TIMESTAMP, "2026-03-02 08:10:00.000000Z", false},
        {FT_TIMESTAMP, "-0001-12-31T23:59:59.999999Z", true},
        {FT_TIMESTAMP, "+10000-01-01T00:00:00.000000Z", true},
        {FT_TIMESTAMP, "999-01-01T00:00:00.000000Z", false},
        {FT_STRING, "anything, at all", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parity_cell c = cell(cases[i].s, false);
        if (parity_cell_well_formed(cases[i].t, &c) != cases[i].ok)
            fail_msg("%s '%s': expected %s", ftype_name(cases[i].t), cases[i].s, cases[i].ok ? "ok" : "malformed");
    }
    parity_cell null = cell("", false);
    assert_true(parity_cell_well_formed(FT_INT, &null));
}

/* The spec of a two-output service keyed by k. */
static parity_spec small_spec(void)
{
    static const char *cols[] = {"v__n", "v__avg"};
    static ftype types[] = {FT_INT, FT_FLOAT};
    static const char *ids[] = {"k", "ts"};
    return (parity_spec){2, cols, types, 2, ids};
}

static void test_compare_agree_and_mismatch(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    parity_spec spec = small_spec();
    parity_table spine = parse_ok(&mem, "k,ts,label\na,2026-01-01T00:00:00Z,1\nb,2026-01-01T00:00:00Z,0\nc,5,\n");
    parity_table r = parse_ok(&mem, "k,ts,label,v__n,v__avg\n"
                                    "a,2026-01-01T00:00:00Z,1,3,0.1\n"
                                    "b,2026-01-01T00:00:00Z,0,0,\n"
                                    "c,5,,1,2.5\n");
    parity_table b = parse_ok(&mem, "k,ts,label,v__n,v__avg\n"
                                    "a,2026-01-01T00:00:00Z,1,3,0.10000000000000002\n"
                                    "b,2026-01-01T00:00:00Z,0,1,\n"
                                    "c,5,,1,\n");
    const parity_table *res[2] = {&r, &b};
    parity_result out;
    parity_compare(&mem, &spec, &spine, res, 10, &out);
    assert_true(out.header_ok[0] && out.header_ok[1]);
    assert_int_equal(out.rows_both, 3);
    assert_int_equal(out.features[0].compared, 3);
    assert_int_equal(out.features[0].mismatches, 1);
    assert_int_equal(out.features[1].mismatches, 1);
    assert_int_equal(out.mismatches, 2);
    assert_int_equal(out.nexamples, 2);
    assert_int_equal(out.examples[0].feature, 0);
    assert_int_equal(out.examples[0].spine_row, 1);
    assert_string_equal(out.examples[0].value[1]->s, "1");
    assert_int_equal(out.examples[1].spine_row, 2);
    assert_true(parity_cell_null(out.examples[1].value[1]));
    assert_false(parity_result_ok(&out, &spec));

    const parity_table *same[2] = {&r, &r};
    parity_compare(&mem, &spec, &spine, same, 10, &out);
    assert_true(parity_result_ok(&out, &spec));
    assert_int_equal(out.mismatches, 0);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    parity_compare(&mem, &spec, &spine, res, 1, &out);
    parity_print_result(&out, &spec, &spine, f);
    fclose(f);
    assert_non_null(strstr(text, "v__n"));
    assert_non_null(strstr(text, "first mismatches (1 of 2)"));
    assert_non_null(strstr(text, "spine line 3 k=b ts=2026-01-01T00:00:00Z"));
    free(text);
    arena_free(&mem);
}

static void test_compare_skipped_rows_and_headers(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    parity_spec spec = small_spec();
    parity_table spine = parse_ok(&mem, "k,ts\na,1\nbad,x\nc,3\nbad,y\n");
    /* replay skips both bad rows; backfill skips only the first */
    parity_table r = parse_ok(&mem, "k,ts,v__n,v__avg\na,1,1,1.5\nc,3,2,\n");
    parity_table b = parse_ok(&mem, "k,ts,v__n,v__avg\na,1,1,1.5\nc,3,2,\nbad,y,0,\n");
    const parity_table *res[2] = {&r, &b};
    parity_result out;
    parity_compare(&mem, &spec, &spine, res, 10, &out);
    assert_int_equal(out.rows_answered[0], 2);
    assert_int_equal(out.rows_answered[1], 3);
    assert_int_equal(out.rows_both, 2);
    assert_int_equal(out.nmissing[0], 1);
    assert_int_equal(out.missing[0][0], 3);
    assert_int_equal(out.nmissing[1], 0);
    assert_int_equal(out.mismatches, 0);
    assert_false(parity_result_ok(&out, &spec));

    /* both skip the same row: that is agreement */
    const parity_table *rr[2] = {&r, &r};
    parity_compare(&mem, &spec, &spine, rr, 10, &out);
    assert_true(parity_result_ok(&out, &spec));

    /* columns in another order: found by name, but the header is reported */
    parity_table swapped = parse_ok(&mem, "k,ts,v__avg,v__n\na,1,1.5,1\nc,3,,2\n");
    const parity_table *sw[2] = {&r, &swapped};
    parity_compare(&mem, &spec, &spine, sw, 10, &out);
    assert_true(out.header_ok[0]);
    assert_false(out.header_ok[1]);
    assert_non_null(strstr(out.header_problem[1], "column 3 is 'v__avg', expected 'v__n'"));
    assert_int_equal(out.mismatches, 0);
    assert_int_equal(out.features[0].compared, 2);
    assert_false(parity_result_ok(&out, &spec));

    /* a row that matches no spine row */
    parity_table junk = parse_ok(&mem, "k,ts,v__n,v__avg\nzz,9,1,1.5\na,1,1,1.5\nc,3,2,\n");
    const parity_table *jk[2] = {&r, &junk};
    parity_compare(&mem, &spec, &spine, jk, 10, &out);
    assert_int_equal(out.unmatched[1], 1);
    assert_int_equal(out.rows_both, 2);
    assert_false(parity_result_ok(&out, &spec));
    arena_free(&mem);
}

static void test_malformed_values_fail(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    parity_spec spec = small_spec();
    parity_table spine = parse_ok(&mem, "k,ts\na,1\n");
    parity_table r = parse_ok(&mem, "k,ts,v__n,v__avg\na,1,01,inf\n");
    const parity_table *res[2] = {&r, &r};
    parity_result out;
    parity_compare(&mem, &spec, &spine, res, 10, &out);
    assert_int_equal(out.mismatches, 0); /* equal text */
    assert_int_equal(out.features[0].malformed[0], 1);
    assert_int_equal(out.features[1].malformed[1], 1);
    assert_false(parity_result_ok(&out, &spec));
    arena_free(&mem);
}

static void test_rejects_parse_and_diff(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    const char *a = "ev.jsonl:7: source 'tx': late: event time 2026-01-01T00:00:00.000000Z is before watermark "
                    "2026-01-01T00:01:00.000000Z minus lateness 10s\n"
                    "ev.jsonl:3: source 'tx': field 'amount': expected a number\n"
                    "c:/x.csv:12: source 'prof': missing time\n"
                    "source 'tx': no location\n"
                    "ev.jsonl:20: source 'tx': ahead: event time x is more than 1d after its arrival time y\n"
                    "ev.jsonl:21: source 'tx': duplicate: id 5 at event time x was already accepted\n"
                    "ev.jsonl:22: source 'tx': duplicated: an invalid reason that only looks alike\n"
                    "featc replay: 3 rows written\n";
    const char *b = "ev.jsonl:3: source 'tx': field 'amount': not a number\n"
                    "ev.jsonl:20: source 'tx': ahead: event time x is more than 1d after its arrival time y\n"
                    "ev.jsonl:21: source 'tx': late: event time x is before watermark y minus lateness 0s\n"
                    "ev.jsonl:22: source 'tx': bad\n"
                    "ev.jsonl:9: source 'tx': late: event time x is before watermark y minus lateness 10s\n"
                    "c:/x.csv:12: source 'prof': late: z\r\n";
    parity_rejects ra, rb;
    parity_rejects_parse(&mem, a, strlen(a), &ra);
    parity_rejects_parse(&mem, b, strlen(b), &rb);
    assert_int_equal(ra.n, 7);
    assert_int_equal(ra.nother, 1);
    assert_string_equal(ra.items[0].source, "prof");
    assert_string_equal(ra.items[0].file, "c:/x.csv");
    assert_int_equal(ra.items[0].line, 12);
    assert_null(ra.items[1].file); /* no location sorts first among tx */
    assert_int_equal(ra.items[1].line, 0);
    assert_int_equal(ra.items[2].line, 3);
    assert_int_equal(ra.items[2].kind, RT_REJECT_INVALID);
    assert_int_equal(ra.items[3].kind, RT_REJECT_LATE);
    assert_int_equal(ra.items[4].kind, RT_REJECT_AHEAD);
    assert_int_equal(ra.items[5].kind, RT_REJECT_DUPLICATE);
    assert_int_equal(ra.items[6].kind, RT_REJECT_INVALID);
    assert_string_equal(ra.items[2].reason, "field 'amount': expected a number");
    uint64_t n4[RT_REJECT_NKINDS];
    parity_rejects_count(&ra, "tx", n4);
    assert_int_equal(n4[RT_REJECT_INVALID], 3);
    assert_int_equal(n4[RT_REJECT_LATE], 1);
    assert_int_equal(n4[RT_REJECT_AHEAD], 1);
    assert_int_equal(n4[RT_REJECT_DUPLICATE], 1);
    parity_rejects_count(&rb, "prof", n4);
    assert_int_equal(n4[RT_REJECT_INVALID], 0);
    assert_int_equal(n4[RT_REJECT_LATE], 1);

    parity_reject_diff *d;
    int n = parity_rejects_diff(&mem, &ra, &rb, &d);
    /* prof:12 invalid vs late; tx:0 only in a; tx:3 same kind (reasons may differ); tx:7 and tx:9 one-sided;
     * tx:20 and tx:22 alike; tx:21 duplicate vs late */
    assert_int_equal(n, 5);
    assert_string_equal(d[0].source, "prof");
    assert_true(d[0].side[0] && d[0].side[1]);
    assert_int_equal(d[1].line, 0);
    assert_null(d[1].side[1]);
    assert_int_equal(d[2].line, 7);
    assert_null(d[2].side[1]);
    assert_int_equal(d[3].line, 9);
    assert_null(d[3].side[0]);
    assert_int_equal(d[4].line, 21);
    assert_int_equal(d[4].side[0]->kind, RT_REJECT_DUPLICATE);
    assert_int_equal(d[4].side[1]->kind, RT_REJECT_LATE);
    assert_int_equal(parity_rejects_diff(&mem, &ra, &ra, &d), 0);
    arena_free(&mem);
}

static void test_split_and_filter(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    const char *csv = "a,b\n1,\"x\ny\"\n2,z\n3,w";
    parity_span *s;
    int n = parity_split_records(&mem, csv, strlen(csv), true, &s);
    assert_int_equal(n, 4);
    assert_int_equal(s[1].line, 2);
    assert_int_equal(s[2].line, 4);
    assert_int_equal(s[3].line, 5);
    assert_int_equal(s[3].end, strlen(csv));
    n = parity_split_records(&mem, csv, strlen(csv), false, &s);
    assert_int_equal(n, 5);

    char in[] = "/tmp/test_parity_in_XXXXXX";
    int fd = mkstemp(in);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, csv, strlen(csv)), (ssize_t)strlen(csv));
    close(fd);
    char out[sizeof in + 8];
    snprintf(out, sizeof out, "%s.out", in);
    uint64_t drop[] = {2, 5, 99};
    char err[256];
    assert_true(parity_filter_events(in, out, true, drop, 3, err, sizeof err));
    size_t len;
    char *got = parity_read_file(out, &len, err, sizeof err);
    assert_non_null(got);
    assert_string_equal(got, "a,b\n2,z\n");
    free(got);
    assert_true(parity_path_is_csv("x/y.csv"));
    assert_false(parity_path_is_csv("x/y.jsonl"));
    assert_false(parity_filter_events("/nonexistent/in.csv", out, true, drop, 0, err, sizeof err));
    assert_non_null(strstr(err, "cannot open"));
    unlink(in);
    unlink(out);
    arena_free(&mem);
}

static void test_spawn_and_wait(void **state)
{
    (void)state;
    char err[256];
    char *ok_argv[] = {"sh", "-c", "echo hi; echo oops >&2; exit 3", NULL};
    pid_t pid = parity_spawn("/bin/sh", ok_argv, "/tmp/test_parity_spawn.out", "/tmp/test_parity_spawn.err", err,
                             sizeof err);
    assert_true(pid > 0);
    assert_int_equal(parity_wait(pid, 0), 3);
    size_t len;
    char *o = parity_read_file("/tmp/test_parity_spawn.err", &len, err, sizeof err);
    assert_string_equal(o, "oops\n");
    free(o);
    char *slow_argv[] = {"sh", "-c", "sleep 5", NULL};
    pid = parity_spawn("/bin/sh", slow_argv, "/tmp/test_parity_spawn.out", "/tmp/test_parity_spawn.err", err,
                       sizeof err);
    assert_int_equal(parity_wait(pid, 0.2), 128 + 9);
    char *missing[] = {"nope", NULL};
    pid = parity_spawn("/nonexistent/featc", missing, "/tmp/test_parity_spawn.out", "/tmp/test_parity_spawn.err",
                       err, sizeof err);
    assert_int_equal(parity_wait(pid, 0), 127);
    unlink("/tmp/test_parity_spawn.out");
    unlink("/tmp/test_parity_spawn.err");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_fields),
        cmocka_unit_test(test_csv_last_line_without_break_and_one_column),
        cmocka_unit_test(test_csv_crlf_and_quoted_ends),
        cmocka_unit_test(test_csv_roundtrip),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_floats_close),
        cmocka_unit_test(test_cells_agree),
        cmocka_unit_test(test_well_formed),
        cmocka_unit_test(test_compare_agree_and_mismatch),
        cmocka_unit_test(test_compare_skipped_rows_and_headers),
        cmocka_unit_test(test_malformed_values_fail),
        cmocka_unit_test(test_rejects_parse_and_diff),
        cmocka_unit_test(test_split_and_filter),
        cmocka_unit_test(test_spawn_and_wait),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
