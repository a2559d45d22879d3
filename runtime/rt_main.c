/* rt_main.c - the command line of a built feature binary (`featc build`): serve and replay. */
#include "rt_main.h"

#include "rt_info.h"
#include "rt_manifest.h"
#include "rt_replay.h"
#include "rt_serve.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_EVENTS = 256, NAME_CAP = 256 };

/* Options of both subcommands; which ones apply depends on the subcommand. */
typedef struct cli {
    const char *prog;
    const char *cmd;
    const char *listen, *state, *rejects, *service, *spine, *out, *retain, *threads;
    rt_event_file events[MAX_EVENTS];
    char names[MAX_EVENTS][NAME_CAP];
    int nevents;
    rt_event_file resume[MAX_EVENTS];
    char resume_names[MAX_EVENTS][NAME_CAP];
    int nresume;
} cli;

/* Prints the usage of cmd (both subcommands when cmd is NULL) and what p offers. */
static void usage(FILE *f, const char *prog, const char *cmd, const rt_program *p)
{
    int w = (int)strlen(prog);
    const char *lead = "usage:";
    if (!cmd || strcmp(cmd, "serve") == 0) {
        fprintf(f,
                "%s %s serve  --listen HOST:PORT [--events SOURCE=PATH|URL ...] [--state DIR]\n"
                "       %*s        [--rejects PATH] [--retain DURATION|all] [--threads N]\n"
                "       %*s        [--resume SOURCE=POSITION ...]\n"
                "       URL: kafka://HOST:PORT[,HOST:PORT...]/TOPIC?group=GROUP[&start=latest]\n"
                "            redis://HOST:PORT/STREAMKEY[?field=F][&start=latest]\n",
                lead, prog, w, "", w, "");
        lead = "      ";
    }
    if (!cmd || strcmp(cmd, "replay") == 0)
        fprintf(f,
                "%s %s replay --service S --spine SPINE.csv --out OUT.csv [--events SOURCE=PATH|URL ...]\n"
                "       %*s        [--rejects PATH]\n",
                lead, prog, w, "");
    if (!cmd)
        fprintf(f, "       %s info   (JSON: featc version, definition fingerprint, services, sources)\n", prog);
    if (!p)
        return;
    fputs("services:", f);
    for (int i = 0; i < p->nservices; i++)
        fprintf(f, " %s", p->services[i].name);
    fputs("\nevent sources:", f);
    for (int i = 0; i < p->nsources; i++)
        if (p->sources[i].kind != RT_SOURCE_REQUEST)
            fprintf(f, " %s", p->sources[i].name);
    fputc('\n', f);
}

static int bad_usage(const cli *c, const rt_program *p, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s%s%s: ", c->prog, c->cmd ? " " : "", c->cmd ? c->cmd : "");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr, c->prog, c->cmd, p);
    return 2;
}

/* The options: which subcommand takes each, and where its value goes (--events aside). */
static const struct option_def {
    const char *name;
    bool serve, replay;
    size_t off; /* of the const char * in cli; 0 for --events, 1 for --resume */
} options[] = {
    {"--events", true, true, 0},
    {"--resume", true, false, 1},
    {"--rejects", true, true, offsetof(cli, rejects)},
    {"--listen", true, false, offsetof(cli, listen)},
    {"--state", true, false, offsetof(cli, state)},
    {"--retain", true, false, offsetof(cli, retain)},
    {"--threads", true, false, offsetof(cli, threads)},
    {"--service", false, true, offsetof(cli, service)},
    {"--spine", false, true, offsetof(cli, spine)},
    {"--out", false, true, offsetof(cli, out)},
};

/* Parses "--name value" and "--name=value" options after the subcommand. Returns 0 or the
 * exit code of a usage error. */
static int parse_options(cli *c, int argc, char **argv, const rt_program *p)
{
    bool serve = strcmp(c->cmd, "serve") == 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        const struct option_def *o = NULL;
        for (size_t k = 0; k < sizeof options / sizeof options[0]; k++)
            if (strlen(options[k].name) == n && strncmp(a, options[k].name, n) == 0 &&
                (serve ? options[k].serve : options[k].replay))
                o = &options[k];
        if (!o)
            return bad_usage(c, p, "unknown option '%s'", a);
        const char *val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!val)
            return bad_usage(c, p, "option '%s' needs a value", a);
        if (o->off == 1) {
            if (c->nresume == MAX_EVENTS)
                return bad_usage(c, p, "too many --resume (at most %s)", "256");
            if (!rt_event_file_parse(val, c->resume_names[c->nresume], NAME_CAP, &c->resume[c->nresume]))
                return bad_usage(c, p, "--resume '%s': expected SOURCE=POSITION", val);
            c->nresume++;
            continue;
        }
        if (o->off == 0) {
            if (c->nevents == MAX_EVENTS)
                return bad_usage(c, p, "too many --events (at most %s)", "256");
            if (!rt_event_file_parse(val, c->names[c->nevents], NAME_CAP, &c->events[c->nevents]))
                return bad_usage(c, p, "--events '%s': expected SOURCE=PATH", val);
            c->nevents++;
            continue;
        }
        const char **slot = (const char **)((char *)c + o->off);
        if (*slot)
            return bad_usage(c, p, "option '%s' is given twice", o->name);
        *slot = val;
    }
    return 0;
}

/* A duration as .feat files write it (an integer then ms, s, m, h or d), or "all" (-1). */
static bool parse_retain(const char *s, int64_t *out)
{
    if (strcmp(s, "all") == 0) {
        *out = -1;
        return true;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v < 0 || s[0] == '-' || s[0] == '+')
        return false;
    static const struct {
        const char *unit;
        int64_t us;
    } units[] = {{"ms", 1000}, {"s", 1000000}, {"m", 60000000}, {"h", 3600000000}, {"d", 86400000000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            if (v > INT64_MAX / units[i].us)
                return false;
            *out = v * units[i].us;
            return true;
        }
    return false;
}

static int run_serve(cli *c, const rt_program *p, const rt_fn_table *fns)
{
    if (!c->listen)
        return bad_usage(c, p, "%s", "--listen HOST:PORT is required");
    rt_serve_config cfg = {.listen = c->listen,
                           .events = c->events,
                           .nevents = c->nevents,
                           .resume = c->resume,
                           .nresume = c->nresume,
                           .state_dir = c->state,
                           .rejects = c->rejects,
                           .retain_us = RT_SERVE_RETAIN_DEFAULT};
    if (c->retain && !parse_retain(c->retain, &cfg.retain_us))
        return bad_usage(c, p, "--retain '%s': expected a duration such as 30m, 1d, or all", c->retain);
    if (c->threads) {
        char *end;
        long t = strtol(c->threads, &end, 10);
        if (*end || end == c->threads || t < 1 || t > 1024)
            return bad_usage(c, p, "--threads '%s': expected a number from 1 to 1024", c->threads);
        cfg.threads = (unsigned)t;
    }
    return rt_serve_run(p, fns, &cfg);
}

static int run_replay(cli *c, const rt_program *p, const rt_fn_table *fns)
{
    if (!c->service || !c->spine || !c->out)
        return bad_usage(c, p, "%s", "--service, --spine and --out are required");
    char err[1024];
    rt_reject_log *log = rt_reject_log_open(c->rejects ? c->rejects : "-", err, sizeof err);
    if (!log) {
        fprintf(stderr, "%s replay: %s\n", c->prog, err);
        return 1;
    }
    rt_replay_stats st;
    bool ok = rt_replay_run(p, fns, c->service, c->spine, c->events, c->nevents, c->out, log, stderr, &st, err,
                            sizeof err);
    if (!rt_reject_log_close(log) && ok) {
        snprintf(err, sizeof err, "writing the reject log failed");
        ok = false;
    }
    if (!ok) {
        fprintf(stderr, "%s replay: %s\n", c->prog, err);
        return 1;
    }
    fprintf(stderr,
            "%s replay: %llu rows written to %s (%llu bad spine rows skipped); events: %llu accepted, %llu "
            "invalid, %llu ahead, %llu late, %llu duplicate\n",
            c->prog, (unsigned long long)st.rows, c->out, (unsigned long long)st.skipped_rows,
            (unsigned long long)st.accepted, (unsigned long long)st.rejected, (unsigned long long)st.ahead,
            (unsigned long long)st.late, (unsigned long long)st.duplicate);
    return 0;
}

/* Runs subcommand cmd ("serve" or "replay") with its options argv[0..argc). */
static int run_command(const char *prog, const char *cmd, int argc, char **argv, const rt_program *p,
                       const rt_fn_table *fns)
{
    cli *c = calloc(1, sizeof *c); /* large: the --events names */
    if (!c) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    c->prog = prog;
    c->cmd = cmd;
    int rc = parse_options(c, argc, argv, p);
    if (rc == 0)
        rc = strcmp(cmd, "serve") == 0 ? run_serve(c, p, fns) : run_replay(c, p, fns);
    free(c);
    return rc;
}

/* The program of manifest, checked against fns; NULL after printing why. */
static rt_program *load_program(const char *prog, const rt_fn_table *fns, const char *manifest, int64_t manifest_len)
{
    char err[1024];
    rt_program *p = manifest && manifest_len >= 0 ? rt_program_parse(manifest, (size_t)manifest_len, err, sizeof err)
                                                  : NULL;
    if (!p)
        snprintf(err, sizeof err, "%s", manifest && manifest_len >= 0 ? err : "no manifest");
    else if (!rt_program_check_fns(p, fns, err, sizeof err)) {
        rt_program_free(p);
        p = NULL;
    }
    if (!p)
        fprintf(stderr, "%s: the compiled program is corrupt: %s\n", prog, err);
    return p;
}

int rt_binary_main(int argc, char **argv, const rt_fn_table *fns, const char *manifest, int64_t manifest_len)
{
    const char *prog = argc > 0 && argv[0] ? argv[0] : "featc-binary";
    const char *slash = strrchr(prog, '/');
    if (slash && slash[1])
        prog = slash + 1;
    rt_program *p = load_program(prog, fns, manifest, manifest_len);
    if (!p)
        return 1;
    int rc;
    if (argc < 2) {
        usage(stderr, prog, NULL, p);
        rc = 2;
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout, prog, NULL, p);
        rc = 0;
    } else if (strcmp(argv[1], "info") == 0) {
        rt_jbuf b = {0};
        rt_info_json(p, &b);
        rc = b.oom || fwrite(b.p, 1, b.len, stdout) != b.len ? 1 : 0;
        free(b.p);
        if (argc > 2) {
            fprintf(stderr, "%s info: takes no options\n", prog);
            rc = 2;
        }
    } else if (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "replay") != 0) {
        fprintf(stderr, "%s: unknown command '%s' (expected serve, replay or info)\n", prog, argv[1]);
        usage(stderr, prog, NULL, p);
        rc = 2;
    } else {
        rc = run_command(prog, argv[1], argc - 2, argv + 2, p, fns);
    }
    rt_program_free(p);
    return rc;
}

int rt_replay_main(const char *prog, int argc, char **argv, const rt_fn_table *fns, const char *manifest,
                   int64_t manifest_len)
{
    rt_program *p = load_program(prog, fns, manifest, manifest_len);
    if (!p)
        return 1;
    int rc = run_command(prog, "replay", argc, argv, p, fns);
    rt_program_free(p);
    return rc;
}
