/* cmd_parity.c - `featc parity`: runs replay and backfill on the same inputs and diffs the results. */
#include "driver.h"
#include "manifest.h"
#include "parity.h"
#include "parquet.h"
#include "rt_spine_reader.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_EVENTS = 256, MAX_LISTED = 10, ERR_LEN = 1024 };

static const char USAGE[] =
    "usage: featc parity FILE --service S --spine SPINE --events SOURCE=PATH ... [--db URL]\n"
    "                    [--keep-late] [--examples N] [--workdir DIR] [--timeout SECONDS] [--verbose]\n"
    "       featc parity FILE --service S --spine SPINE.csv --replay-out R.csv --backfill-out B.csv\n"
    "                    [--replay-rejects LOG --backfill-rejects LOG]\n";

typedef struct event_arg {
    const char *source;
    const char *path;
} event_arg;

typedef struct parity_opts {
    const char *file, *service, *spine, *db, *workdir, *exe;
    const char *given_out[2], *given_rejects[2]; /* compare existing results */
    event_arg events[MAX_EVENTS];
    int nevents;
    bool keep_late, verbose;
    int examples;
    double timeout_s;
} parity_opts;

static int usage_error(const char *fmt, const char *arg)
{
    fputs("featc parity: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    fputs(USAGE, stderr);
    return EXIT_USAGE;
}

/* Parses argv into o. Returns -1 when fine, else the exit code of a usage error. */
static int parse_args(int argc, char **argv, parity_opts *o)
{
    memset(o, 0, sizeof *o);
    o->examples = 5;
    o->exe = "/proc/self/exe";
    static const struct {
        const char *name;
        size_t off;
    } valued[] = {
        {"--service", offsetof(parity_opts, service)},
        {"--spine", offsetof(parity_opts, spine)},
        {"--db", offsetof(parity_opts, db)},
        {"--workdir", offsetof(parity_opts, workdir)},
        {"--featc", offsetof(parity_opts, exe)},
        {"--replay-out", offsetof(parity_opts, given_out[0])},
        {"--backfill-out", offsetof(parity_opts, given_out[1])},
        {"--replay-rejects", offsetof(parity_opts, given_rejects[0])},
        {"--backfill-rejects", offsetof(parity_opts, given_rejects[1])},
    };
    bool exe_given = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--keep-late") == 0) {
            o->keep_late = true;
            continue;
        }
        if (strcmp(a, "--verbose") == 0) {
            o->verbose = true;
            continue;
        }
        if (a[0] != '-' || !a[1]) {
            if (o->file)
                return usage_error("one feature file at a time ('%s' is extra)", a);
            o->file = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        char name[64];
        if (n >= sizeof name)
            return usage_error("unknown option '%s'", a);
        memcpy(name, a, n);
        name[n] = '\0';
        const char *val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        bool known = strcmp(name, "--events") == 0 || strcmp(name, "--examples") == 0 ||
                     strcmp(name, "--timeout") == 0;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            known |= strcmp(name, valued[k].name) == 0;
        if (!known)
            return usage_error("unknown option '%s'", a);
        if (!val)
            return usage_error("option '%s' needs a value", name);
        if (strcmp(name, "--events") == 0) {
            const char *sep = strchr(val, '=');
            if (!sep || sep == val || !sep[1])
                return usage_error("--events '%s': expected SOURCE=PATH", val);
            if (o->nevents == MAX_EVENTS)
                return usage_error("too many --events (at most %s)", "256");
            o->events[o->nevents++] = (event_arg){strndup(val, (size_t)(sep - val)), sep + 1};
            continue;
        }
        if (strcmp(name, "--examples") == 0 || strcmp(name, "--timeout") == 0) {
            char *end;
            errno = 0;
            double v = strtod(val, &end);
            if (errno || end == val || *end || !(v >= 0) || v > 1e9)
                return usage_error("'%s' is not a non-negative number", val);
            if (name[2] == 'e')
                o->examples = (int)v;
            else
                o->timeout_s = v;
            continue;
        }
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
            if (strcmp(name, valued[k].name) != 0)
                continue;
            const char **slot = (const char **)((char *)o + valued[k].off);
            if (strcmp(name, "--featc") == 0 ? exe_given : *slot != NULL)
                return usage_error("option '%s' is given twice", name);
            exe_given |= strcmp(name, "--featc") == 0;
            *slot = val;
        }
    }
    if (!o->file || !o->service || !o->spine)
        return usage_error("%s", "FILE, --service and --spine are required");
    bool given = o->given_out[0] || o->given_out[1];
    if (given && (!o->given_out[0] || !o->given_out[1]))
        return usage_error("%s", "--replay-out and --backfill-out go together");
    if ((o->given_rejects[0] || o->given_rejects[1]) && !given)
        return usage_error("%s", "--replay-rejects and --backfill-rejects need --replay-out and --backfill-out");
    if (!given && o->nevents == 0)
        return usage_error("%s", "at least one --events SOURCE=PATH is needed to run both paths");
    return -1;
}

/* Checks the --events sources against the plan: each an event source, at most once. Warns
 * about event sources the service reads that get no file. Returns -1 or an exit code. */
static int check_sources(const parity_opts *o, const plan *p, const plan_service *s)
{
    for (int i = 0; i < o->nevents; i++) {
        int found = -1;
        for (int k = 0; k < p->nsources; k++)
            if (strcmp(p->sources[k].name, o->events[i].source) == 0)
                found = k;
        if (found < 0)
            return usage_error("--events: '%s' is not a source of the file", o->events[i].source);
        if (p->sources[found].kind == PS_REQUEST)
            return usage_error("--events: '%s' is a request source; its fields come from the spine",
                               o->events[i].source);
        for (int k = 0; k < i; k++)
            if (strcmp(o->events[k].source, o->events[i].source) == 0)
                return usage_error("--events: source '%s' is given twice", o->events[i].source);
    }
    for (int v = 0; v < s->nviews; v++) {
        const char *src = p->sources[p->views[s->views[v].view].source].name;
        bool has = false;
        for (int i = 0; i < o->nevents; i++)
            has |= strcmp(o->events[i].source, src) == 0;
        if (!has && !o->given_out[0])
            fprintf(stderr, "featc parity: warning: no --events for source '%s'; replay sees no events of it%s\n",
                    src, o->db ? " while the backfill reads its table" : "");
    }
    return -1;
}

/* One run of both paths on one set of event files. */
typedef struct path_run {
    const char *tag;
    const event_arg *events;
    int nevents;
    char *out[2], *rejects[2], *log[2];
} path_run;

static const char *const PATHS[2] = {"replay", "backfill"};

/* Prints up to 4 KB of a child's stderr file, indented. */
static void show_log(const char *path, FILE *out)
{
    char err[ERR_LEN];
    size_t len;
    char *data = parity_read_file(path, &len, err, sizeof err);
    if (!data)
        return;
    size_t shown = len > 4096 ? 4096 : len;
    fputs("    ", out);
    for (size_t i = 0; i < shown; i++) {
        fputc(data[i], out);
        if (data[i] == '\n' && i + 1 < shown)
            fputs("    ", out);
    }
    if (shown && data[shown - 1] != '\n')
        fputc('\n', out);
    if (shown < len)
        fputs("    ...\n", out);
    free(data);
}

/* Runs both paths into dir. Returns true when both exit 0. */
static bool run_round(arena *mem, const parity_opts *o, const char *dir, path_run *r)
{
    fflush(stdout); /* the report so far, before the paths' messages on stderr */
    char *argv[2][32 + 2 * MAX_EVENTS];
    pid_t pid[2];
    char err[ERR_LEN];
    for (int p = 0; p < 2; p++) {
        r->out[p] = arena_printf(mem, "%s/%s%s.csv", dir, PATHS[p], r->tag);
        r->rejects[p] = arena_printf(mem, "%s/%s%s.rejects", dir, PATHS[p], r->tag);
        r->log[p] = arena_printf(mem, "%s/%s%s.stderr", dir, PATHS[p], r->tag);
        remove(r->rejects[p]);
        int n = 0;
        char **a = argv[p];
        a[n++] = "featc";
        a[n++] = (char *)PATHS[p];
        a[n++] = (char *)o->file;
        a[n++] = "--service";
        a[n++] = (char *)o->service;
        a[n++] = "--spine";
        a[n++] = (char *)o->spine;
        a[n++] = "--out";
        a[n++] = r->out[p];
        a[n++] = "--rejects";
        a[n++] = r->rejects[p];
        if (p == 1 && o->db) {
            a[n++] = "--db";
            a[n++] = (char *)o->db;
        }
        if (p == 1 && o->keep_late)
            a[n++] = "--keep-late";
        for (int i = 0; i < r->nevents; i++) {
            a[n++] = "--events";
            a[n++] = arena_printf(mem, "%s=%s", r->events[i].source, r->events[i].path);
        }
        a[n] = NULL;
        if (o->verbose) {
            fputs("+", stderr);
            for (int i = 1; i < n; i++)
                fprintf(stderr, " %s", a[i]);
            fputc('\n', stderr);
        }
    }
    for (int p = 0; p < 2; p++) {
        pid[p] = parity_spawn(o->exe, argv[p], arena_printf(mem, "%s.stdout", r->log[p]), r->log[p], err, sizeof err);
        if (pid[p] < 0) {
            fprintf(stderr, "featc parity: %s\n", err);
            if (p == 1)
                parity_wait(pid[0], 0);
            return false;
        }
    }
    bool ok = true;
    for (int p = 0; p < 2; p++) {
        int rc = parity_wait(pid[p], o->timeout_s);
        if (o->verbose)
            show_log(r->log[p], stderr);
        if (rc == 0)
            continue;
        ok = false;
        if (rc == 128 + 9 && o->timeout_s > 0)
            fprintf(stderr, "featc parity: the %s path did not finish within %g s and was stopped\n", PATHS[p],
                    o->timeout_s);
        else
            fprintf(stderr, "featc parity: the %s path failed (exit %d):\n", PATHS[p], rc);
        show_log(r->log[p], stderr);
    }
    return ok;
}

/* Prints per source: each path's counts per reason (invalid, ahead, late, duplicate) side
 * by side. */
static void print_reject_counts(const parity_opts *o, const parity_rejects rj[2], FILE *out)
{
    int w = 6;
    for (int i = 0; i < o->nevents; i++)
        if ((int)strlen(o->events[i].source) > w)
            w = (int)strlen(o->events[i].source);
    fprintf(out, "%-*s  %-38s  %s\n", w, "events", "replay",
            o->keep_late ? "backfill --keep-late" : "backfill");
    fprintf(out, "%-*s ", w, "source");
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < RT_REJECT_NKINDS; k++)
            fprintf(out, " %9s", rt_reject_kind_name((rt_reject_kind)k));
    fputc('\n', out);
    for (int i = 0; i < o->nevents; i++) {
        fprintf(out, "%-*s ", w, o->events[i].source);
        for (int p = 0; p < 2; p++) {
            uint64_t n[RT_REJECT_NKINDS];
            parity_rejects_count(&rj[p], o->events[i].source, n);
            for (int k = 0; k < RT_REJECT_NKINDS; k++)
                fprintf(out, " %9llu", (unsigned long long)n[k]);
        }
        fputc('\n', out);
    }
}

/* Whether d is what --keep-late asks for: an event replay refused as late or ahead that
 * the backfill kept. */
static bool kept_on_purpose(const parity_opts *o, const parity_reject_diff *d)
{
    const parity_reject *r = d->side[0];
    return o->keep_late && r && (r->kind == RT_REJECT_LATE || r->kind == RT_REJECT_AHEAD) && !d->side[1];
}

static void print_side(const parity_reject *r, FILE *out)
{
    fputs(r ? r->reason : "accepted", out);
}

/* Reports events treated differently. With --keep-late, events late or ahead in replay that
 * the backfill kept are expected and only counted. Returns the number of real
 * disagreements. */
static int report_reject_diffs(const parity_opts *o, const parity_reject_diff *d, int n, const char *when, FILE *out)
{
    int expected = 0, real = 0;
    for (int i = 0; i < n; i++) {
        if (kept_on_purpose(o, &d[i]))
            expected++;
        else
            real++;
    }
    if (expected)
        fprintf(out, "%d late or ahead event%s of replay the backfill kept (--keep-late)%s\n", expected,
                expected == 1 ? "" : "s", when);
    if (!real)
        return 0;
    fprintf(out, "%d event%s treated differently by the two paths%s:\n", real, real == 1 ? "" : "s", when);
    int shown = 0;
    for (int i = 0; i < n && shown < MAX_LISTED; i++) {
        if (kept_on_purpose(o, &d[i]))
            continue;
        shown++;
        fprintf(out, "  %s line %llu\n      replay:   ", d[i].source, (unsigned long long)d[i].line);
        print_side(d[i].side[0], out);
        fputs("\n      backfill: ", out);
        print_side(d[i].side[1], out);
        fputc('\n', out);
    }
    if (real > shown)
        fprintf(out, "  ... and %d more\n", real - shown);
    return real;
}

/* Writes each event file without the events either path rejected into dir/common-SOURCE. */
static bool write_common_inputs(arena *mem, const parity_opts *o, const parity_rejects rj[2], const char *dir,
                                event_arg *common)
{
    char err[ERR_LEN];
    for (int i = 0; i < o->nevents; i++) {
        const char *src = o->events[i].source, *path = o->events[i].path;
        bool csv = parity_path_is_csv(path);
        const char *slash = strrchr(path, '/');
        common[i].source = src;
        common[i].path = parquet_path(path) /* a glob's files become one */
                             ? arena_printf(mem, "%s/common-%s.parquet", dir, src)
                             : arena_printf(mem, "%s/common-%s-%s", dir, src, slash ? slash + 1 : path);
        uint64_t *drop = arena_alloc(mem, (size_t)(rj[0].n + rj[1].n + 1) * sizeof *drop);
        int n = 0;
        for (int p = 0; p < 2; p++)
            for (int k = 0; k < rj[p].n; k++)
                if (strcmp(rj[p].items[k].source, src) == 0 && rj[p].items[k].line > 0)
                    drop[n++] = rj[p].items[k].line;
        /* sort (insertion; both lists are sorted already, so this is a merge in effect) */
        for (int a = 1; a < n; a++)
            for (int b = a; b > 0 && drop[b - 1] > drop[b]; b--) {
                uint64_t t = drop[b];
                drop[b] = drop[b - 1];
                drop[b - 1] = t;
            }
        if (!parity_filter_events(path, common[i].path, csv, drop, n, err, sizeof err)) {
            fprintf(stderr, "featc parity: %s\n", err);
            return false;
        }
    }
    return true;
}

static bool read_rejects(arena *mem, const char *path, parity_rejects *out)
{
    char err[ERR_LEN];
    if (!path) {
        memset(out, 0, sizeof *out);
        return true;
    }
    if (!parity_rejects_read(mem, path, out, err, sizeof err)) {
        fprintf(stderr, "featc parity: %s\n", err);
        return false;
    }
    return true;
}

static bool read_results(arena *mem, const char *const path[2], const parity_table *res[2])
{
    char err[ERR_LEN];
    for (int p = 0; p < 2; p++) {
        parity_table *t = arena_alloc(mem, sizeof *t);
        if (!parity_csv_read(mem, path[p], t, err, sizeof err)) {
            fprintf(stderr, "featc parity: %s result: %s\n", PATHS[p], err);
            return false;
        }
        res[p] = t;
    }
    return true;
}

/* Reads the spine through the reader both paths use (rt_spine_reader), so that parity lines
 * up exactly the rows they answer: the rows it skips (malformed CSV, a bad ts or key, a null
 * not null request field) are left out here too, without a report (the paths make it). */
static bool read_spine(arena *mem, const plan *pl, const plan_service *svc, const char *path, parity_table *t,
                       char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->path = arena_strdup(mem, path);
    size_t len = 0;
    char *text = manifest_build(pl, &len);
    rt_program *rp = text ? rt_program_parse(text, len, err, errlen) : NULL;
    free(text);
    if (!rp)
        return false;
    rt_spine_reader *rd = rt_spine_open(rp, rt_program_find_service(rp, svc->name), path, NULL, err, errlen);
    bool ok = rd != NULL;
    if (ok) {
        t->ncols = rt_spine_ncolumns(rd);
        t->header = arena_alloc(mem, sizeof *t->header * (size_t)(t->ncols + 1));
        const rt_csv_field *h = rt_spine_header(rd);
        for (int c = 0; c < t->ncols; c++)
            t->header[c] = (parity_cell){arena_strndup(mem, h[c].text, h[c].len), h[c].len, h[c].quoted};
        int cap = 0;
        rt_spine_row row;
        rt_spine_status st;
        while ((st = rt_spine_next(rd, &row, err, errlen)) == RT_SPINE_ROW) {
            if (t->nrows == cap) {
                cap = cap ? cap * 2 : 64;
                parity_row *rows = arena_alloc(mem, sizeof *rows * (size_t)cap);
                if (t->nrows)
                    memcpy(rows, t->rows, sizeof *rows * (size_t)t->nrows);
                t->rows = rows;
            }
            parity_row *r = &t->rows[t->nrows++];
            r->line = row.line;
            r->cells = arena_alloc(mem, sizeof *r->cells * (size_t)(t->ncols + 1));
            for (int c = 0; c < t->ncols; c++)
                r->cells[c] = (parity_cell){arena_strndup(mem, row.fields[c].text, row.fields[c].len),
                                            row.fields[c].len, row.fields[c].quoted};
        }
        ok = st == RT_SPINE_END;
        rt_spine_close(rd);
    }
    rt_program_free(rp);
    return ok;
}

/* The comparison proper, once the inputs are decided. Returns the exit code. */
static int run(arena *mem, const parity_opts *o, const plan *pl, const plan_service *svc, const char *dir)
{
    char err[ERR_LEN];
    parity_table spine;
    if (!read_spine(mem, pl, svc, o->spine, &spine, err, sizeof err)) {
        fprintf(stderr, "featc parity: spine: %s\n", err);
        return EXIT_INVALID;
    }
    parity_spec spec;
    parity_spec_from_plan(mem, pl, svc, &spec);
    const char *final_out[2];
    const parity_table *res[2], *first_backfill = NULL;
    parity_rejects rj[2];
    int disagreements = 0;
    printf("featc parity: %s, service %s, %d spine rows, %d features\n", o->file, o->service, spine.nrows,
           spec.noutputs);
    if (o->given_out[0]) {
        for (int p = 0; p < 2; p++) {
            final_out[p] = o->given_out[p];
            if (!read_rejects(mem, o->given_rejects[p], &rj[p]))
                return EXIT_INVALID;
        }
        parity_reject_diff *d;
        int nd = parity_rejects_diff(mem, &rj[0], &rj[1], &d);
        disagreements += report_reject_diffs(o, d, nd, "", stdout);
    } else {
        path_run r1 = {.tag = "", .events = o->events, .nevents = o->nevents};
        if (!run_round(mem, o, dir, &r1))
            return EXIT_INVALID;
        for (int p = 0; p < 2; p++)
            if (!read_rejects(mem, r1.rejects[p], &rj[p]))
                return EXIT_INVALID;
        print_reject_counts(o, rj, stdout);
        parity_reject_diff *d;
        int nd = parity_rejects_diff(mem, &rj[0], &rj[1], &d);
        disagreements += report_reject_diffs(o, d, nd, "", stdout);
        final_out[0] = r1.out[0];
        final_out[1] = r1.out[1];
        if (nd > 0) {
            /* Compare on the events both paths accept, so that one input read differently
             * does not show up as many spurious feature mismatches. */
            event_arg *common = arena_alloc(mem, (size_t)o->nevents * sizeof *common);
            if (!write_common_inputs(mem, o, rj, dir, common))
                return EXIT_INVALID;
            path_run r2 = {.tag = "-common", .events = common, .nevents = o->nevents};
            printf("comparing features on the events both paths accept (rerun on filtered inputs)\n");
            if (!run_round(mem, o, dir, &r2))
                return EXIT_INVALID;
            parity_rejects rj2[2];
            for (int p = 0; p < 2; p++)
                if (!read_rejects(mem, r2.rejects[p], &rj2[p]))
                    return EXIT_INVALID;
            nd = parity_rejects_diff(mem, &rj2[0], &rj2[1], &d);
            disagreements += report_reject_diffs(o, d, nd, " in the rerun", stdout);
            if (o->keep_late) {
                parity_table *t = arena_alloc(mem, sizeof *t);
                if (parity_csv_read(mem, r1.out[1], t, err, sizeof err))
                    first_backfill = t;
            }
            final_out[0] = r2.out[0];
            final_out[1] = r2.out[1];
        }
    }
    if (!read_results(mem, final_out, res))
        return EXIT_INVALID;
    parity_result result;
    parity_compare(mem, &spec, &spine, res, o->examples, &result);
    fputc('\n', stdout);
    parity_print_result(&result, &spec, &spine, stdout);
    if (first_backfill) {
        const parity_table *pair[2] = {first_backfill, res[1]};
        parity_result impact;
        parity_compare(mem, &spec, &spine, pair, 0, &impact);
        printf("\nlate and ahead events the backfill kept change %llu value%s of its result (of %llu compared)\n",
               (unsigned long long)impact.mismatches, impact.mismatches == 1 ? "" : "s",
               (unsigned long long)(impact.rows_both * (uint64_t)spec.noutputs));
    }
    bool ok = parity_result_ok(&result, &spec) && disagreements == 0;
    if (ok)
        printf("\nparity: OK: %llu rows x %d features agree\n", (unsigned long long)result.rows_both,
               spec.noutputs);
    else
        printf("\nparity: MISMATCH: %llu differing value%s, %d event%s treated differently\n",
               (unsigned long long)result.mismatches, result.mismatches == 1 ? "" : "s", disagreements,
               disagreements == 1 ? "" : "s");
    return ok ? EXIT_VALID : EXIT_INVALID;
}

int cmd_parity(int argc, char **argv)
{
    parity_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        goto done;
    driver_unit u;
    if (!driver_read(&u, o.file)) {
        driver_free(&u);
        rc = EXIT_USAGE;
        goto done;
    }
    if (!driver_compile(&u)) {
        driver_free(&u);
        rc = EXIT_INVALID;
        goto done;
    }
    const plan_service *svc = plan_find_service(u.plan, o.service);
    if (!svc) {
        fprintf(stderr, "featc parity: no service '%s' in %s; services:", o.service, o.file);
        for (int i = 0; i < u.plan->nservices; i++)
            fprintf(stderr, " %s", u.plan->services[i].name);
        fputc('\n', stderr);
        driver_free(&u);
        rc = EXIT_USAGE;
        goto done;
    }
    rc = check_sources(&o, u.plan, svc);
    if (rc < 0) {
        char tmp[PATH_MAX];
        const char *dir = o.workdir;
        if (!dir && !o.given_out[0]) {
            const char *base = getenv("TMPDIR");
            snprintf(tmp, sizeof tmp, "%s/featc-parity-XXXXXX", base && *base ? base : "/tmp");
            dir = mkdtemp(tmp);
            if (!dir)
                fprintf(stderr, "featc parity: cannot make a temporary directory: %s\n", strerror(errno));
        } else if (dir && mkdir(dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "featc parity: cannot make '%s': %s\n", dir, strerror(errno));
            dir = NULL;
        }
        if (!dir && !o.given_out[0])
            rc = EXIT_INVALID;
        else {
            rc = run(&u.mem, &o, u.plan, svc, dir);
            fflush(stdout);
            if (!o.workdir && dir)
                parity_remove_tree(dir);
        }
    }
    driver_free(&u);
done:
    for (int i = 0; i < o.nevents; i++)
        free((char *)o.events[i].source);
    return rc;
}
