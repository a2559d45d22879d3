/* bench_duck.c - the DuckDB baseline: the five `hot` features of bench.feat computed by SQL over the same events. */
#include "bench_common.h"

#include <duckdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* The five features of view `hot` (bench/bench.feat), as of query time T (microseconds):
 *     n_1m   = count()      over 1m          T - 1m <= ts < T
 *     sum_1h = sum(amount)  over 1h          T - 1h <= ts < T
 *     max_1h = max(amount)  over 1h
 *     avg_1d = avg(amount)  over 1d hop 1h   floor((T - 1d) / 1h) * 1h <= ts < T
 *     n_30d  = count()      over 30d hop 1d  floor((T - 30d) / 1d) * 1d <= ts < T
 * Times are BIGINT microseconds and every boundary is an integer, so the SQL is exact. */

/* Final state: the features of every account as of T = (latest event) + 1 µs, which is what
 * the streaming engine holds after the last event. The WHERE clause lets DuckDB skip the
 * events no window reaches (the table is in time order, so its zone maps prune). */
static const char FINAL_SQL[] =
    "CREATE OR REPLACE TEMP TABLE final_state AS "
    "WITH t AS (SELECT max(ts) + 1 AS t FROM payments), "
    "b AS (SELECT t, t - 60000000 AS lo_1m, t - 3600000000 AS lo_1h, "
    "      (t - 86400000000) // 3600000000 * 3600000000 AS lo_1d, "
    "      (t - 2592000000000) // 86400000000 * 86400000000 AS lo_30d FROM t) "
    "SELECT account_id, "
    "  count(*) FILTER (WHERE ts >= lo_1m) AS n_1m, "
    "  sum(amount) FILTER (WHERE ts >= lo_1h) AS sum_1h, "
    "  max(amount) FILTER (WHERE ts >= lo_1h) AS max_1h, "
    "  avg(amount) FILTER (WHERE ts >= lo_1d) AS avg_1d, "
    "  count(*) AS n_30d "
    "FROM payments, b WHERE ts >= lo_30d AND ts < b.t GROUP BY account_id";

/* Per event: the features of the event's account as of the event's own time (events at
 * that same instant excluded), i.e. what an online model scoring each payment sees. Hop
 * windows use a frame start computed per row. */
static const char PER_EVENT_SQL[] =
    "CREATE OR REPLACE TEMP TABLE per_event AS "
    "SELECT account_id, ts, "
    "  count(*) OVER (PARTITION BY account_id ORDER BY ts "
    "    RANGE BETWEEN 60000000 PRECEDING AND 1 PRECEDING) AS n_1m, "
    "  sum(amount) OVER w1h AS sum_1h, "
    "  max(amount) OVER w1h AS max_1h, "
    "  avg(amount) OVER (PARTITION BY account_id ORDER BY ts "
    "    RANGE BETWEEN (ts - (ts - 86400000000) // 3600000000 * 3600000000) PRECEDING AND 1 PRECEDING) AS avg_1d, "
    "  count(*) OVER (PARTITION BY account_id ORDER BY ts "
    "    RANGE BETWEEN (ts - (ts - 2592000000000) // 86400000000 * 86400000000) PRECEDING AND 1 PRECEDING) AS n_30d "
    "FROM payments "
    "WINDOW w1h AS (PARTITION BY account_id ORDER BY ts RANGE BETWEEN 3600000000 PRECEDING AND 1 PRECEDING)";

static const char COLUMNS[] =
    "columns = {'account_id': 'BIGINT', 'amount': 'DOUBLE', 'kind': 'VARCHAR', 'ts': 'DECIMAL(18,6)'}";

static void run(duckdb_connection c, const char *sql)
{
    duckdb_result r;
    if (duckdb_query(c, sql, &r) == DuckDBError) {
        fprintf(stderr, "bench_duck: %s\n  in: %.200s\n", duckdb_result_error(&r), sql);
        exit(1);
    }
    duckdb_destroy_result(&r);
}

/* The first row of a query, as doubles (NULL as 0). */
static void first_row(duckdb_connection c, const char *sql, double *out, int n)
{
    duckdb_result r;
    if (duckdb_query(c, sql, &r) == DuckDBError) {
        fprintf(stderr, "bench_duck: %s\n", duckdb_result_error(&r));
        exit(1);
    }
    bench_check(duckdb_row_count(&r) >= 1 && (int)duckdb_column_count(&r) == n, "unexpected result shape");
    for (int i = 0; i < n; i++)
        out[i] = duckdb_value_double(&r, (idx_t)i, 0);
    duckdb_destroy_result(&r);
}

static double process_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Loads the events (CSV or JSON Lines) into table payments, in file order; returns seconds.
 * The time is read as DECIMAL(18,6) (exact for six fraction digits) and turned into BIGINT
 * microseconds in two parts, which stays in 64-bit decimals (a wider cast is ~10x slower). */
static double load(duckdb_connection c, const char *path, bool json)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE OR REPLACE TABLE payments AS SELECT account_id, amount, kind, "
             "CAST(trunc(ts) AS BIGINT) * 1000000 + CAST((ts - trunc(ts)) * 1000000 AS BIGINT) AS ts "
             "FROM %s('%s', %s%s)",
             json ? "read_json" : "read_csv", path, COLUMNS,
             json ? ", format = 'newline_delimited'" : ", header = true");
    double t0 = bench_now();
    run(c, sql);
    return bench_now() - t0;
}

/* Times sql runs times; reports events per CPU-second of the median run under name (the
 * machine is shared, so CPU time is the steadier measure; wall time is in the text). */
static void time_query(duckdb_connection c, const char *sql, const char *name, int runs, double nevents,
                       const char *tag)
{
    double *wall = calloc((size_t)runs, sizeof *wall), *cpu = calloc((size_t)runs, sizeof *cpu);
    bench_check(wall && cpu, "out of memory");
    for (int r = 0; r < runs; r++) {
        double c0 = process_cpu(), t0 = bench_now();
        run(c, sql);
        wall[r] = bench_now() - t0;
        cpu[r] = process_cpu() - c0;
        fprintf(stderr, "bench_duck: %s run %d: %.3f s wall, %.3f s cpu\n", name, r + 1, wall[r], cpu[r]);
    }
    double mw = bench_median(wall, (size_t)runs), mc = bench_median(cpu, (size_t)runs);
    char text[256];
    snprintf(text, sizeof text, "%s runs=%d cpu_seconds=%.4g wall_seconds=%.4g wall_eps=%.4g", tag, runs, mc, mw,
             nevents / mw);
    bench_result(name, nevents / mc, "events/s", text);
    free(wall);
    free(cpu);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_duck EVENTS.csv EVENTS.jsonl THREADS RUNS RUNS_PER_EVENT\n");
        return 2;
    }
    const char *csv = argv[1], *jsonl = argv[2];
    int threads = atoi(argv[3]), runs = atoi(argv[4]), runs_pe = atoi(argv[5]);
    bench_check(threads > 0 && runs > 0 && runs_pe >= 0, "bad THREADS or RUNS");

    duckdb_database db;
    duckdb_connection c;
    bench_check(duckdb_open(NULL, &db) == DuckDBSuccess && duckdb_connect(db, &c) == DuckDBSuccess,
                "cannot open DuckDB");
    char sql[256], tag[64];
    snprintf(sql, sizeof sql, "SET threads = %d", threads);
    run(c, sql);
    snprintf(tag, sizeof tag, "threads=%d", threads);

    double load_s = load(c, csv, false);
    double n;
    first_row(c, "SELECT count(*) FROM payments", &n, 1);
    char text[256];
    snprintf(text, sizeof text, "%s events=%.0f (CSV into a table; not part of the timed queries)", tag, n);
    bench_result("duck_load_csv_s", load_s, "s", text);

    time_query(c, FINAL_SQL, "duck_final_eps", runs, n, tag);
    double sums[5];
    first_row(c, "SELECT sum(n_1m), sum(sum_1h), sum(max_1h), sum(avg_1d), sum(n_30d) FROM final_state", sums, 5);
    static const char *const names[] = {"n_1m", "sum_1h", "max_1h", "avg_1d", "n_30d"};
    for (int i = 0; i < 5; i++) {
        snprintf(sql, sizeof sql, "check_final_%s", names[i]);
        printf("CHECK %s %.17g\n", sql, sums[i]);
    }

    if (runs_pe > 0) {
        time_query(c, PER_EVENT_SQL, "duck_per_event_eps", runs_pe, n, tag);
        first_row(c, "SELECT sum(n_1m), sum(sum_1h), sum(max_1h), sum(avg_1d), sum(n_30d) FROM per_event", sums, 5);
        for (int i = 0; i < 5; i++) {
            snprintf(sql, sizeof sql, "check_event_%s", names[i]);
            printf("CHECK %s %.17g\n", sql, sums[i]);
        }
    }

    /* JSON Lines: decoding included, as in the engine's JSON Lines figure. */
    double *wall = calloc((size_t)runs, sizeof *wall), *cpu = calloc((size_t)runs, sizeof *cpu);
    bench_check(wall && cpu, "out of memory");
    for (int r = 0; r < runs; r++) {
        double c0 = process_cpu(), t0 = bench_now();
        load(c, jsonl, true);
        run(c, FINAL_SQL);
        wall[r] = bench_now() - t0;
        cpu[r] = process_cpu() - c0;
        fprintf(stderr, "bench_duck: jsonl load + final run %d: %.3f s wall, %.3f s cpu\n", r + 1, wall[r], cpu[r]);
    }
    double mw = bench_median(wall, (size_t)runs), mc = bench_median(cpu, (size_t)runs);
    snprintf(text, sizeof text, "%s runs=%d cpu_seconds=%.4g wall_seconds=%.4g wall_eps=%.4g", tag, runs, mc, mw,
             n / mw);
    bench_result("duck_jsonl_final_eps", n / mc, "events/s", text);
    free(wall);
    free(cpu);

    duckdb_disconnect(&c);
    duckdb_close(&db);
    return 0;
}
