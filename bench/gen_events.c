/* gen_events.c - deterministic benchmark data: Zipf-skewed payments (CSV or JSON Lines) and a spine (CSV). */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: small, fast, reproducible across platforms. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double next_unit(uint64_t *s) { return (double)(next_u64(s) >> 11) * 0x1.0p-53; }

/* Zipf(s=1.1) over [1, n] by inverting a precomputed CDF (binary search). */
typedef struct zipf {
    double *cdf;
    int64_t n;
} zipf;

static void zipf_init(zipf *z, int64_t n, double s)
{
    z->n = n;
    z->cdf = malloc(sizeof(double) * (size_t)n);
    double total = 0;
    for (int64_t k = 1; k <= n; k++)
        total += 1.0 / pow((double)k, s);
    double acc = 0;
    for (int64_t k = 1; k <= n; k++) {
        acc += 1.0 / pow((double)k, s) / total;
        z->cdf[k - 1] = acc;
    }
}

static int64_t zipf_draw(const zipf *z, uint64_t *s)
{
    double u = next_unit(s);
    int64_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (z->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo + 1;
}

/* Whether path ends in suffix. */
static int ends_with(const char *path, const char *suffix)
{
    size_t n = strlen(path), m = strlen(suffix);
    return n >= m && strcmp(path + n - m, suffix) == 0;
}

/* Writes the same events and spine for the same arguments every time; the events file is
 * JSON Lines when its name ends in .jsonl, else CSV. Both forms carry identical values: the
 * time as epoch seconds with six fraction digits, the amount with two. */
int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: gen_events EVENTS KEYS SPINE_ROWS EVENTS_OUT.csv|.jsonl SPINE_OUT.csv\n");
        return 2;
    }
    int jsonl = ends_with(argv[4], ".jsonl");
    int64_t nevents = strtoll(argv[1], NULL, 10), nkeys = strtoll(argv[2], NULL, 10);
    int64_t nspine = strtoll(argv[3], NULL, 10);
    FILE *ev = fopen(argv[4], "w"), *sp = fopen(argv[5], "w");
    if (!ev || !sp || nevents <= 0 || nkeys <= 0 || nspine < 0) {
        fprintf(stderr, "gen_events: bad arguments or cannot write output\n");
        return 2;
    }
    uint64_t seed = 42;
    zipf z;
    zipf_init(&z, nkeys, 1.1);
    /* Events spread over 60 days starting 2026-01-01, in time order. */
    const int64_t start = INT64_C(1767225600) * 1000000, span = INT64_C(60) * 86400 * 1000000;
    int64_t step = span / nevents;
    static const char *const kinds[] = {"card", "card", "card", "transfer", "refund"};
    if (!jsonl)
        fputs("account_id,amount,kind,ts\n", ev);
    int64_t t = start;
    for (int64_t i = 0; i < nevents; i++) {
        t += (int64_t)(next_unit(&seed) * 2.0 * (double)step);
        double amount = floor(exp(next_unit(&seed) * 8.0) * 100.0) / 100.0;
        int64_t key = zipf_draw(&z, &seed);
        const char *kind = kinds[next_u64(&seed) % 5];
        if (jsonl)
            fprintf(ev, "{\"account_id\":%" PRId64 ",\"amount\":%.2f,\"kind\":\"%s\",\"ts\":%" PRId64 ".%06" PRId64 "}\n",
                    key, amount, kind, t / 1000000, t % 1000000);
        else
            fprintf(ev, "%" PRId64 ",%.2f,%s,%" PRId64 ".%06" PRId64 "\n", key, amount, kind, t / 1000000,
                    t % 1000000);
    }
    fputs("account_id,ts\n", sp);
    for (int64_t i = 0; i < nspine; i++) {
        int64_t q = start + (int64_t)(next_unit(&seed) * (double)(t - start));
        fprintf(sp, "%" PRId64 ",%" PRId64 ".%06" PRId64 "\n", zipf_draw(&z, &seed), q / 1000000, q % 1000000);
    }
    int bad = ferror(ev) | ferror(sp);
    bad |= fclose(ev) != 0;
    bad |= fclose(sp) != 0;
    free(z.cdf);
    if (bad) {
        fprintf(stderr, "gen_events: write failed\n");
        return 1;
    }
    return 0;
}
