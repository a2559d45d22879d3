/* test_rt_state_random.c - window state against a brute-force reference on randomised event streams and queries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic random numbers ---- */

static uint64_t rng;
static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
static int64_t rnd_in(int64_t lo, int64_t hi) /* inclusive */
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}
static bool chance(int pct)
{
    return (int)(rnd() % 100) < pct;
}

/* ---- the events' columns: every feature reads one column through its own filter ---- */

enum { C_INT, C_FLOAT, C_STR, C_BOOL, C_TS, NCOLS };
static const rt_type col_type[NCOLS] = {RT_INT, RT_FLOAT, RT_STRING, RT_BOOL, RT_TIMESTAMP};

/* Strings chosen to exercise byte-wise order: prefixes, empty, NUL and high bytes. */
static const char *const strs[] = {"", "a", "ab", "abc", "b", "B", "\xff", "a\0b", "\0", "zz"};
static const uint32_t strlens[] = {0, 1, 2, 3, 1, 1, 1, 3, 1, 2};
#define NSTRS 10

typedef struct ev {
    int64_t k1;   /* int key */
    int k2;       /* index of the string key */
    bool k_null;  /* a null key part */
    int64_t ts;
    bool seq_null;
    int64_t seq;
    bool null[NCOLS];
    int64_t ival;   /* C_INT */
    int64_t fk;     /* C_FLOAT = fk / 1024 exactly */
    int sidx;       /* C_STR */
    bool bval;
    int64_t tval;
    uint64_t filt;  /* per-feature filter bits seed */
} ev;

typedef struct fspec {
    rt_feature_desc d;
    int col;
} fspec;

static double fval(int64_t fk)
{
    return (double)fk / 1024.0;
}

static bool dense_rows; /* the current run's config.dense */

static bool feature_takes(const ev *e, int fi)
{
    if (dense_rows)
        return true;
    /* a per-feature `where`: about three rows in four pass */
    uint64_t h = e->filt ^ ((uint64_t)fi * UINT64_C(0x9e3779b97f4a7c15));
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 32;
    return h % 4 != 0;
}

/* ---- reference ---- */

static __int128 floordiv128(__int128 a, __int128 b)
{
    __int128 q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static bool visible(const rt_feature_desc *d, int64_t ts, int64_t t)
{
    if (ts >= t)
        return false;
    switch (d->win) {
    case RT_WIN_LIFETIME:
        return true;
    case RT_WIN_SLIDING:
        return (__int128)ts >= (__int128)t - d->size_us;
    case RT_WIN_HOP:
        return (__int128)ts >= floordiv128((__int128)t - d->size_us, d->hop_us) * d->hop_us;
    }
    return false;
}

static int cmp_str(int a, int b)
{
    uint32_t n = strlens[a] < strlens[b] ? strlens[a] : strlens[b];
    int c = n ? memcmp(strs[a], strs[b], n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return (strlens[a] > strlens[b]) - (strlens[a] < strlens[b]);
}

/* Compares two events' values of column col. */
static int cmp_val(int col, const ev *a, const ev *b)
{
    switch (col) {
    case C_INT: return (a->ival > b->ival) - (a->ival < b->ival);
    case C_FLOAT: return (a->fk > b->fk) - (a->fk < b->fk);
    case C_STR: return cmp_str(a->sidx, b->sidx);
    case C_BOOL: return (int)a->bval - (int)b->bval;
    default: return (a->tval > b->tval) - (a->tval < b->tval);
    }
}

/* first/last order: ts, then seq (null lowest), then the value. */
static int cmp_order(int col, const ev *a, const ev *b, bool has_seq)
{
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    if (has_seq) {
        if (a->seq_null != b->seq_null)
            return a->seq_null ? -1 : 1;
        if (!a->seq_null && a->seq != b->seq)
            return a->seq < b->seq ? -1 : 1;
    }
    return cmp_val(col, a, b);
}

static int sort_col;
static int cmp_rows(const void *a, const void *b)
{
    return cmp_val(sort_col, *(const ev *const *)a, *(const ev *const *)b);
}

typedef struct ref {
    bool null;
    int64_t i;
    long double f; /* float results: the exact value (as exact as long double holds it) */
    int s;         /* string index */
    bool exact_float; /* f is the exact, correctly rounded double of the answer */
} ref;

static void set_from_event(ref *r, int col, const ev *e)
{
    r->null = false;
    switch (col) {
    case C_INT: r->i = e->ival; break;
    case C_FLOAT: r->f = fval(e->fk); r->exact_float = true; break;
    case C_STR: r->s = e->sidx; break;
    case C_BOOL: r->i = e->bval; break;
    default: r->i = e->tval; break;
    }
}

static ref reference(const fspec *fs, int fi, bool has_seq, const ev *evs, size_t nev, const ev *key, int64_t t)
{
    const rt_feature_desc *d = &fs->d;
    int col = fs->col;
    ref r = {.null = true};
    int64_t n = 0;
    __int128 isum = 0;
    const ev *best = NULL;
    static const ev *rows[1 << 16];
    size_t nrows = 0;
    for (size_t i = 0; i < nev; i++) {
        const ev *e = &evs[i];
        if (e->k_null || e->k1 != key->k1 || e->k2 != key->k2)
            continue;
        if (!feature_takes(e, fi) || e->null[col] || !visible(d, e->ts, t))
            continue;
        assert_true(nrows < (1 << 16));
        rows[nrows++] = e;
        n++;
        if (col == C_INT)
            isum += e->ival;
        else if (col == C_FLOAT)
            isum += e->fk;
    }
    switch (d->agg) {
    case RT_AGG_COUNT_ROWS:
    case RT_AGG_COUNT:
        r.null = false;
        r.i = n;
        break;
    case RT_AGG_SUM:
        if (!n)
            break;
        if (col == C_INT) {
            if (isum < INT64_MIN || isum > INT64_MAX)
                break;
            r.null = false;
            r.i = (int64_t)isum;
        } else {
            r.null = false;
            r.f = (double)isum / 1024.0; /* correctly rounded, then an exact scaling */
            r.exact_float = true;
        }
        break;
    case RT_AGG_AVG:
        if (!n)
            break;
        r.null = false;
        r.f = (long double)isum / (col == C_FLOAT ? 1024.0L : 1.0L) / (long double)n;
        break;
    case RT_AGG_MIN:
    case RT_AGG_MAX:
        for (size_t i = 0; i < nrows; i++) {
            int c = best ? cmp_val(col, rows[i], best) : 0;
            if (!best || (d->agg == RT_AGG_MAX ? c > 0 : c < 0))
                best = rows[i];
        }
        if (best)
            set_from_event(&r, col, best);
        break;
    case RT_AGG_FIRST:
    case RT_AGG_LAST:
        for (size_t i = 0; i < nrows; i++) {
            int c = best ? cmp_order(col, rows[i], best, has_seq) : 0;
            if (!best || (d->agg == RT_AGG_LAST ? c > 0 : c < 0))
                best = rows[i];
        }
        if (best) {
            set_from_event(&r, col, best);
            if (d->ttl_us > 0 && (__int128)best->ts < (__int128)t - d->ttl_us)
                r.null = true;
        }
        break;
    case RT_AGG_VARIANCE:
    case RT_AGG_STDDEV: {
        if (!n)
            break;
        /* deviations from the first row taken exactly in 128 bits, then long double */
        __int128 k = col == C_FLOAT ? rows[0]->fk : rows[0]->ival, sd = 0;
        for (size_t i = 0; i < nrows; i++)
            sd += (col == C_FLOAT ? rows[i]->fk : rows[i]->ival) - k;
        long double mean_d = (long double)sd / (long double)n, m2 = 0;
        for (size_t i = 0; i < nrows; i++) {
            long double dev = (long double)((col == C_FLOAT ? rows[i]->fk : rows[i]->ival) - k) - mean_d;
            m2 += dev * dev;
        }
        r.null = false;
        r.f = m2 / (long double)n / (col == C_FLOAT ? 1024.0L * 1024.0L : 1.0L);
        if (d->agg == RT_AGG_STDDEV)
            r.f = sqrtl(r.f);
        break;
    }
    case RT_AGG_PERCENTILE:
    case RT_AGG_MEDIAN: {
        if (!n)
            break;
        sort_col = col;
        qsort(rows, nrows, sizeof rows[0], cmp_rows);
        double x = d->pct_p * (double)n;
        int64_t k = (int64_t)ceil(x);
        set_from_event(&r, col, rows[(k < 1 ? 1 : k) - 1]);
        break;
    }
    case RT_AGG_COUNT_DISTINCT: {
        r.null = false;
        sort_col = col;
        qsort(rows, nrows, sizeof rows[0], cmp_rows);
        for (size_t i = 0; i < nrows; i++)
            r.i += i == 0 || cmp_val(col, rows[i], rows[i - 1]) != 0;
        break;
    }
    }
    if (r.null && d->has_default) {
        r.null = false;
        r.i = d->dflt.v.i;
        r.f = d->dflt.v.f;
        r.exact_float = true;
        if (d->out_type == RT_STRING)
            for (int s = 0; s < NSTRS; s++)
                if (strlens[s] == d->dflt.len && !memcmp(strs[s], d->dflt.v.s, strlens[s]))
                    r.s = s;
    }
    return r;
}

static bool float_close(double got, long double want, bool exact)
{
    if (exact && got == (double)want)
        return true;
    long double diff = fabsl((long double)got - want);
    long double mag = fmaxl(fabsl((long double)got), fabsl(want));
    return diff <= 1e-12L || diff <= 1e-9L * mag;
}

static int failures;

static void check(const fspec *fs, int fi, const rt_slot *got, const ref *want, int64_t t, const char *what)
{
    const rt_feature_desc *d = &fs->d;
    bool ok = got->null == want->null;
    if (ok && !want->null) {
        switch (d->out_type) {
        case RT_FLOAT: {
            /* sums of exactly representable grid values: Neumaier gets the exact sum here
             * unless cancellation is extreme, so allow only the contract's tolerance */
            ok = float_close(got->v.f, want->f, want->exact_float);
            break;
        }
        case RT_STRING:
            ok = got->len == strlens[want->s] && (got->len == 0 || !memcmp(got->v.s, strs[want->s], got->len));
            break;
        default:
            ok = got->v.i == want->i;
        }
    }
    if (!ok && failures++ < 10) {
        fprintf(stderr, "%s: feature %d (agg %s win %d D %lld H %lld ttl %lld col %d) at t=%lld: got %s", what, fi,
                rt_agg_name(d->agg), (int)d->win, (long long)d->size_us, (long long)d->hop_us,
                (long long)d->ttl_us, fs->col, (long long)t, got->null ? "null" : "");
        if (!got->null)
            fprintf(stderr, "i=%lld f=%.17g", (long long)got->v.i, got->v.f);
        fprintf(stderr, " want %s", want->null ? "null" : "");
        if (!want->null)
            fprintf(stderr, "i=%lld f=%.17Lg s=%d", (long long)want->i, want->f, want->s);
        fprintf(stderr, "\n");
    }
}

/* ---- the feature set: every aggregation x input type x window kind ---- */

typedef struct win {
    rt_window_kind kind;
    int64_t size, hop;
} win;

static int build_features(fspec *out, const win *wins, int nwins, int64_t unit, int64_t wscale)
{
    static const struct {
        rt_agg agg;
        int col;
    } combos[] = {
        {RT_AGG_COUNT_ROWS, C_INT}, {RT_AGG_COUNT, C_STR},      {RT_AGG_SUM, C_INT},
        {RT_AGG_SUM, C_FLOAT},      {RT_AGG_AVG, C_INT},        {RT_AGG_AVG, C_FLOAT},
        {RT_AGG_MIN, C_INT},        {RT_AGG_MIN, C_FLOAT},      {RT_AGG_MIN, C_STR},
        {RT_AGG_MIN, C_TS},         {RT_AGG_MAX, C_INT},        {RT_AGG_MAX, C_FLOAT},
        {RT_AGG_MAX, C_STR},        {RT_AGG_MAX, C_TS},         {RT_AGG_FIRST, C_INT},
        {RT_AGG_FIRST, C_FLOAT},    {RT_AGG_FIRST, C_STR},      {RT_AGG_FIRST, C_BOOL},
        {RT_AGG_FIRST, C_TS},       {RT_AGG_LAST, C_INT},       {RT_AGG_LAST, C_FLOAT},
        {RT_AGG_LAST, C_STR},       {RT_AGG_LAST, C_BOOL},      {RT_AGG_LAST, C_TS},
        {RT_AGG_VARIANCE, C_INT},   {RT_AGG_VARIANCE, C_FLOAT}, {RT_AGG_STDDEV, C_INT},
        {RT_AGG_STDDEV, C_FLOAT},   {RT_AGG_COUNT_DISTINCT, C_INT}, {RT_AGG_COUNT_DISTINCT, C_STR},
        {RT_AGG_COUNT_DISTINCT, C_BOOL},
        {RT_AGG_PERCENTILE, C_INT},
        {RT_AGG_PERCENTILE, C_FLOAT},
        {RT_AGG_PERCENTILE, C_TS},
        {RT_AGG_MEDIAN, C_INT},
        {RT_AGG_MEDIAN, C_FLOAT},
    };
    static const double fractions[] = {0.0, 0.1, 0.5, 0.9, 1.0, 1.0 / 3.0, 0.999};
    int n = 0;
    for (int w = 0; w < nwins; w++)
        for (size_t c = 0; c < sizeof combos / sizeof combos[0]; c++) {
            fspec *f = &out[n++];
            memset(f, 0, sizeof *f);
            f->col = combos[c].col;
            f->d.agg = combos[c].agg;
            f->d.in_type = col_type[f->col];
            f->d.win = wins[w].kind;
            f->d.size_us = wins[w].size * unit * wscale;
            f->d.hop_us = wins[w].hop * unit * wscale;
            if (f->d.agg == RT_AGG_PERCENTILE)
                f->d.pct_p = fractions[(c + (size_t)w) % (sizeof fractions / sizeof fractions[0])];
            if (f->d.agg == RT_AGG_MEDIAN)
                f->d.pct_p = 0.5;
            switch (f->d.agg) {
            case RT_AGG_COUNT_ROWS:
            case RT_AGG_COUNT:
            case RT_AGG_COUNT_DISTINCT:
                f->d.out_type = RT_INT;
                break;
            case RT_AGG_AVG:
            case RT_AGG_VARIANCE:
            case RT_AGG_STDDEV:
                f->d.out_type = RT_FLOAT;
                break;
            default:
                f->d.out_type = f->d.in_type;
            }
            /* defaults on about a third of the features that can be null */
            if (f->d.agg != RT_AGG_COUNT_ROWS && f->d.agg != RT_AGG_COUNT &&
                f->d.agg != RT_AGG_COUNT_DISTINCT && (c + (size_t)w) % 3 == 0) {
                f->d.has_default = true;
                switch (f->d.out_type) {
                case RT_FLOAT: f->d.dflt.v.f = -2.5; break;
                case RT_STRING: f->d.dflt.v.s = "zz"; f->d.dflt.len = 2; break;
                default: f->d.dflt.v.i = -77;
                }
            }
        }
    /* ttl on lifetime first/last, with and without a default */
    for (int c = 0; c < 4; c++) {
        fspec *f = &out[n++];
        memset(f, 0, sizeof *f);
        f->col = c < 2 ? C_INT : C_STR;
        f->d.agg = c % 2 ? RT_AGG_LAST : RT_AGG_FIRST;
        f->d.in_type = f->d.out_type = col_type[f->col];
        f->d.win = RT_WIN_LIFETIME;
        f->d.ttl_us = (3 + c) * unit;
        if (c >= 2) {
            f->d.has_default = true;
            f->d.dflt.v.s = "b";
            f->d.dflt.len = 1;
        }
    }
    return n;
}

/* ---- one randomised run ---- */

typedef struct config {
    uint64_t seed;
    int nevents;
    int nkeys;        /* key universe */
    int64_t lateness; /* in units */
    int64_t start;    /* first base time, in units */
    int64_t unit;     /* microseconds per unit */
    int settle_pct;   /* chance of a settle after an event */
    int query_pct;    /* chance of a query after an event */
    int int_range;    /* C_INT values in [-int_range, int_range]; 0: near INT64 limits */
    bool has_seq;
    bool compact;     /* call rt_view_compact now and then */
    int64_t wscale;   /* window sizes are multiplied by this (0: 1) */
    bool batch;       /* hand events over in batches of 1..MAXBATCH (rt_view_ingest_batch) */
    bool dense;       /* every row feeds every feature (no filters, no null inputs) */
} config;

/* ---- events held back for rt_view_ingest_batch: each keeps its own key, seq, inputs and
 * string bytes until the batch is applied (then they are overwritten, so the state must
 * have copied what it keeps) ---- */

#define MAXBATCH 40

typedef struct pending {
    int n, target, nf;
    rt_view_event ev[MAXBATCH];
    rt_slot keys[MAXBATCH][2];
    char kbuf[MAXBATCH][8];
    rt_slot seq[MAXBATCH];
    rt_slot *in[MAXBATCH];
    char (*strbufs[MAXBATCH])[8];
} pending;

static void pending_init(pending *p, int nf)
{
    memset(p, 0, sizeof *p);
    p->nf = nf;
    p->target = 1;
    for (int i = 0; i < MAXBATCH; i++) {
        p->in[i] = calloc((size_t)nf, sizeof *p->in[i]);
        p->strbufs[i] = calloc((size_t)nf, sizeof *p->strbufs[i]);
    }
}

static void pending_flush(pending *p, rt_view_state *st)
{
    if (!p->n)
        return;
    rt_view_ingest_batch(st, p->ev, (size_t)p->n);
    for (int i = 0; i < p->n; i++) {
        memset(p->kbuf[i], '#', sizeof p->kbuf[i]);
        memset(p->strbufs[i], '#', (size_t)p->nf * sizeof *p->strbufs[i]);
        memset(p->in[i], 0x5a, (size_t)p->nf * sizeof *p->in[i]);
    }
    p->n = 0;
    p->target = (int)rnd_in(1, MAXBATCH);
}

static void pending_free(pending *p)
{
    for (int i = 0; i < MAXBATCH; i++) {
        free(p->in[i]);
        free(p->strbufs[i]);
    }
}

static void fill_input(const ev *e, int col, rt_slot *s, char *strbuf)
{
    memset(s, 0, sizeof *s);
    if (e->null[col]) {
        s->null = 1;
        return;
    }
    switch (col) {
    case C_INT: s->v.i = e->ival; break;
    case C_FLOAT: s->v.f = fval(e->fk); break;
    case C_STR:
        /* the caller's buffer is reused: the state must copy */
        memcpy(strbuf, strs[e->sidx], strlens[e->sidx]);
        s->v.s = strbuf;
        s->len = strlens[e->sidx];
        break;
    case C_BOOL: s->v.i = e->bval; break;
    default: s->v.i = e->tval;
    }
}

static void key_slots(const ev *e, rt_slot k[2], char *buf)
{
    memset(k, 0, 2 * sizeof *k);
    k[0].v.i = e->k1;
    memcpy(buf, "key-", 4);
    buf[4] = (char)('a' + e->k2);
    k[1].v.s = buf;
    k[1].len = 5;
    if (e->k_null)
        k[e->k1 % 2 ? 0 : 1].null = 1;
}

static void run(const config *cfg)
{
    rng = cfg->seed;
    failures = 0;
    dense_rows = cfg->dense;
    const win wins[] = {
        {RT_WIN_LIFETIME, 0, 0}, {RT_WIN_SLIDING, 1, 0}, {RT_WIN_SLIDING, 5, 0},
        {RT_WIN_SLIDING, 23, 0}, {RT_WIN_HOP, 6, 3},     {RT_WIN_HOP, 5, 5},
        {RT_WIN_HOP, 20, 4},     {RT_WIN_SLIDING, 0, 0},
    };
    static fspec fs[512];
    int nf = build_features(fs, wins, sizeof wins / sizeof wins[0], cfg->unit, cfg->wscale ? cfg->wscale : 1);
    rt_feature_desc *descs = calloc((size_t)nf, sizeof *descs);
    for (int i = 0; i < nf; i++)
        descs[i] = fs[i].d;
    rt_type ktypes[2] = {RT_INT, RT_STRING};
    rt_view_desc vd = {2, ktypes, nf, descs, cfg->has_seq};
    rt_view_state *st = rt_view_state_new(&vd);
    rt_scratch scratch = {0};
    assert_non_null(st);
    free(descs); /* the state keeps copies */

    ev *evs = calloc((size_t)cfg->nevents, sizeof *evs);
    rt_slot *in = calloc((size_t)nf, sizeof *in);
    rt_slot *out = calloc((size_t)nf, sizeof *out);
    char (*strbufs)[8] = calloc((size_t)nf, sizeof *strbufs);
    pending *pend = calloc(1, sizeof *pend);
    pending_init(pend, nf);
    size_t nev = 0;
    int64_t base = cfg->start, wm = INT64_MIN, horizon = INT64_MIN;
    long nqueries = 0;
    for (int step = 0; step < cfg->nevents; step++) {
        ev *e = &evs[nev];
        base += rnd_in(0, 2);
        int64_t ts_units = base - (cfg->lateness && chance(40) ? rnd_in(0, cfg->lateness) : 0);
        e->ts = ts_units * cfg->unit + (chance(10) ? rnd_in(1, cfg->unit - 1 > 0 ? cfg->unit - 1 : 1) % cfg->unit : 0);
        /* the watermark rule: events older than watermark - lateness are rejected upstream */
        if (wm != INT64_MIN && e->ts < wm - cfg->lateness * cfg->unit)
            continue;
        /* and the horizon promise: no query before it, but events may still be older */
        e->k1 = rnd_in(0, cfg->nkeys - 1) % 3;
        e->k2 = (int)(rnd_in(0, cfg->nkeys - 1) / 3) % 26;
        e->k_null = chance(2);
        e->seq_null = chance(20);
        e->seq = rnd_in(-2, 2);
        for (int c = 0; c < NCOLS; c++)
            e->null[c] = !cfg->dense && chance(10);
        e->ival = cfg->int_range ? rnd_in(-cfg->int_range, cfg->int_range)
                                 : (chance(50) ? INT64_MAX - rnd_in(0, 3) : INT64_MIN + rnd_in(0, 3));
        e->fk = chance(3) ? (chance(50) ? 1 : -1) * (int64_t)1e17 * 1024 : rnd_in(-3000, 3000);
        e->sidx = (int)rnd_in(0, NSTRS - 1);
        e->bval = chance(50);
        e->tval = rnd_in(-5, 5) * 1000000 - 86400000000LL;
        e->filt = rnd();
        nev++;
        if (e->ts > wm)
            wm = e->ts;

        if (cfg->batch) {
            int b = pend->n++;
            key_slots(e, pend->keys[b], pend->kbuf[b]);
            memset(&pend->seq[b], 0, sizeof pend->seq[b]);
            pend->seq[b].null = e->seq_null;
            pend->seq[b].v.i = e->seq;
            for (int f = 0; f < nf; f++) {
                fill_input(e, fs[f].col, &pend->in[b][f], pend->strbufs[b][f]);
                if (!feature_takes(e, f))
                    pend->in[b][f].null = 1;
            }
            pend->ev[b] = (rt_view_event){pend->keys[b], e->ts, cfg->has_seq ? &pend->seq[b] : NULL, pend->in[b]};
            if (pend->n >= pend->target)
                pending_flush(pend, st);
        } else {
            rt_slot keys[2];
            char kbuf[8];
            key_slots(e, keys, kbuf);
            rt_slot seq;
            memset(&seq, 0, sizeof seq);
            seq.null = e->seq_null;
            seq.v.i = e->seq;
            for (int f = 0; f < nf; f++) {
                fill_input(e, fs[f].col, &in[f], strbufs[f]);
                if (!feature_takes(e, f))
                    in[f].null = 1;
            }
            rt_view_ingest(st, keys, e->ts, cfg->has_seq ? &seq : NULL, in);
            memset(kbuf, '#', sizeof kbuf);
            for (int f = 0; f < nf; f++)
                memset(strbufs[f], '#', sizeof strbufs[f]);
        }

        /* everything before safe = watermark - lateness has arrived */
        int64_t safe = wm - cfg->lateness * cfg->unit;
        /* what was handed over is ingested before any settle, compaction or query */
        if (chance(cfg->settle_pct)) {
            pending_flush(pend, st);
            /* a horizon may run ahead of what has arrived: events older than it may still
             * come, queries wait until they are safe */
            int64_t h = safe + (chance(25) ? rnd_in(1, cfg->lateness + 2) : -rnd_in(0, 3)) * cfg->unit;
            rt_view_settle(st, h);
            if (h > horizon)
                horizon = h;
        }
        if (cfg->compact && chance(2)) {
            pending_flush(pend, st);
            rt_view_compact(st);
        }
        if (safe >= horizon && chance(cfg->query_pct)) {
            pending_flush(pend, st);
            int64_t lo = horizon > safe - 30 * cfg->unit ? horizon : safe - 30 * cfg->unit;
            if (lo < horizon)
                lo = horizon;
            int64_t t;
            int pick = (int)rnd_in(0, 3);
            if (pick == 0 && nev > 1)
                t = evs[rnd_in((int64_t)nev / 2, (int64_t)nev - 1)].ts; /* exactly at an event */
            else if (pick == 1 && nev > 1)
                t = evs[rnd_in((int64_t)nev / 2, (int64_t)nev - 1)].ts + fs[rnd_in(0, nf - 1)].d.size_us;
            else
                t = lo + rnd_in(0, safe - lo);
            if (t < horizon || t > safe)
                t = safe;
            ev qk;
            memset(&qk, 0, sizeof qk);
            qk.k1 = rnd_in(0, cfg->nkeys - 1) % 3;
            qk.k2 = (int)(rnd_in(0, cfg->nkeys - 1) / 3) % 26;
            rt_slot qkeys[2];
            char qbuf[8];
            key_slots(&qk, qkeys, qbuf);
            rt_view_query(st, qkeys, t, &scratch, out);
            rt_scratch_reset(&scratch);
            nqueries++;
            for (int f = 0; f < nf; f++) {
                ref want = reference(&fs[f], f, cfg->has_seq, evs, nev, &qk, t);
                check(&fs[f], f, &out[f], &want, t, "query");
            }
        }
    }
    if (failures)
        fprintf(stderr, "seed %llu: %d mismatches in %ld queries\n", (unsigned long long)cfg->seed, failures,
                nqueries);
    assert_int_equal(failures, 0);
    assert_true(nqueries > cfg->nevents * cfg->query_pct / 400);
    pending_flush(pend, st);
    rt_view_state_free(st);
    rt_scratch_free(&scratch);
    pending_free(pend);
    free(pend);
    free(evs);
    free(in);
    free(out);
    free(strbufs);
}

static void test_few_keys_in_order(void **s)
{
    (void)s;
    config c = {.seed = 11, .nevents = 1500, .nkeys = 2, .lateness = 0, .start = -40, .unit = 1,
                .settle_pct = 30, .query_pct = 40, .int_range = 1000, .has_seq = true};
    run(&c);
}

static void test_few_keys_late(void **s)
{
    (void)s;
    config c = {.seed = 12, .nevents = 1500, .nkeys = 3, .lateness = 7, .start = -200, .unit = 1000000,
                .settle_pct = 20, .query_pct = 40, .int_range = 50, .has_seq = true};
    run(&c);
}

static void test_many_keys_late_no_seq(void **s)
{
    (void)s;
    config c = {.seed = 13, .nevents = 3000, .nkeys = 60, .lateness = 12, .start = 100, .unit = 1000,
                .settle_pct = 50, .query_pct = 30, .int_range = 1000000, .has_seq = false, .compact = true};
    run(&c);
}

static void test_rare_settles(void **s)
{
    (void)s;
    config c = {.seed = 14, .nevents = 1500, .nkeys = 4, .lateness = 3, .start = -1000, .unit = 7,
                .settle_pct = 2, .query_pct = 40, .int_range = 3, .has_seq = true};
    run(&c);
}

static void test_int_extremes(void **s)
{
    (void)s;
    config c = {.seed = 15, .nevents = 1500, .nkeys = 2, .lateness = 4, .start = -30, .unit = 1,
                .settle_pct = 30, .query_pct = 40, .int_range = 0, .has_seq = true, .compact = true};
    run(&c);
}

static void test_far_negative_times(void **s)
{
    (void)s;
    /* around -2^62 microseconds: floor division and saturated bounds far from zero */
    config c = {.seed = 16, .nevents = 1000, .nkeys = 3, .lateness = 5, .start = -(INT64_C(1) << 62) / 999983,
                .unit = 999983, .settle_pct = 30, .query_pct = 40, .int_range = 100, .has_seq = true};
    run(&c);
}

/* windows holding hundreds of events: block partials and galloping searches */
static void test_long_windows(void **s)
{
    (void)s;
    config c = {.seed = 17, .nevents = 2500, .nkeys = 1, .lateness = 40, .start = -300, .unit = 1,
                .settle_pct = 20, .query_pct = 30, .int_range = 1000000, .has_seq = true, .wscale = 40};
    run(&c);
    config d = {.seed = 18, .nevents = 2500, .nkeys = 2, .lateness = 3, .start = 0, .unit = 1000,
                .settle_pct = 60, .query_pct = 30, .int_range = 0, .has_seq = false, .wscale = 25};
    run(&d);
}

static void test_more_seeds(void **s)
{
    (void)s;
    for (uint64_t seed = 100; seed < 106; seed++) {
        config c = {.seed = seed, .nevents = 800, .nkeys = (int)(seed % 5) * 7 + 1,
                    .lateness = (int64_t)(seed % 3) * 4, .start = (int64_t)seed * -3, .unit = 1,
                    .settle_pct = (int)(seed % 4) * 20 + 5, .query_pct = 50, .int_range = 20,
                    .has_seq = seed % 2, .compact = seed % 3 == 0};
        run(&c);
    }
}

/* every row feeds every feature: block partials computed without bit tests */
static void test_dense_long_windows(void **s)
{
    (void)s;
    config c = {.seed = 31, .nevents = 2500, .nkeys = 1, .lateness = 20, .start = -300, .unit = 1,
                .settle_pct = 20, .query_pct = 30, .int_range = 1000000, .has_seq = true, .wscale = 40,
                .dense = true};
    run(&c);
    config d = {.seed = 32, .nevents = 2500, .nkeys = 2, .lateness = 3, .start = 0, .unit = 1000,
                .settle_pct = 60, .query_pct = 30, .int_range = 0, .has_seq = false, .wscale = 25, .dense = true,
                .batch = true};
    run(&d);
}

/* the batch path gives the same answers (events handed over 1..40 at a time) */
static void test_batches(void **s)
{
    (void)s;
    config a = {.seed = 21, .nevents = 2000, .nkeys = 40, .lateness = 6, .start = -100, .unit = 1000,
                .settle_pct = 20, .query_pct = 30, .int_range = 1000, .has_seq = true, .compact = true,
                .batch = true};
    run(&a);
    config b = {.seed = 22, .nevents = 2500, .nkeys = 2, .lateness = 30, .start = -300, .unit = 1,
                .settle_pct = 10, .query_pct = 30, .int_range = 0, .has_seq = false, .wscale = 30, .batch = true};
    run(&b);
    for (uint64_t seed = 200; seed < 204; seed++) {
        config c = {.seed = seed, .nevents = 800, .nkeys = (int)(seed % 5) * 9 + 1,
                    .lateness = (int64_t)(seed % 3) * 5, .start = (int64_t)seed * -3, .unit = 1,
                    .settle_pct = (int)(seed % 4) * 15 + 5, .query_pct = 50, .int_range = 20,
                    .has_seq = seed % 2, .compact = seed % 3 == 0, .batch = true};
        run(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_few_keys_in_order),  cmocka_unit_test(test_few_keys_late),
        cmocka_unit_test(test_many_keys_late_no_seq), cmocka_unit_test(test_rare_settles),
        cmocka_unit_test(test_int_extremes),       cmocka_unit_test(test_far_negative_times),
        cmocka_unit_test(test_long_windows),     cmocka_unit_test(test_more_seeds),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_dense_long_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
