#!/usr/bin/env bash
# fig_ingest.sh - figure 1: streaming ingest of view `hot` (decoded events, JSON Lines) beside DuckDB on the same events.
set -euo pipefail
source bench/lib.sh

# compare_checks LABEL: the engine's and DuckDB's sums of every feature must agree.
compare_checks() {
    local label=$1 bad
    bad=$(awk 'NR == FNR { e[$1] = $2; next }
               ($1 in e) { d = $2 - e[$1]; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2;
                           if (d > 1e-9 * s + 1e-6) print $1 " engine=" e[$1] " duckdb=" $2; n++ }
               END { if (n == 0) print "no sums to compare" }' "$CHECKS.engine" "$CHECKS.duck")
    if [[ -z $bad ]]; then
        record "check_agree$label" 1 bool "the engine and DuckDB give the same sums for every feature, per event and final"
    else
        record "check_agree$label" 0 bool "the engine and DuckDB disagree"
        note "ingest $label: the engine and DuckDB disagree: $bad"
    fi
    rm -f "$CHECKS.engine" "$CHECKS.duck"
}

# ingest LABEL CSV JSONL RUNS PER_EVENT_RUNS
ingest() {
    local label=$1 csv=$2 jsonl=$3 runs=$4 pe_runs=$5
    echo "== ingest $label: engine, view hot, retain 0 (state for queries at the newest time only)"
    "$BIN/bench_ingest" "$FEAT" hot ingest "$csv" "$jsonl" "$runs" 0 all | SUFFIX=$label collect
    echo "== ingest $label: engine, view hot, retain 1 day (what serve keeps by default)"
    "$BIN/bench_ingest" "$FEAT" hot ingest "$csv" "$jsonl" "$runs" 86400 all | SUFFIX=${label}_retain1d collect
    echo "== ingest $label: engine, one query per event (the per-event answers DuckDB is checked against)"
    "$BIN/bench_ingest" "$FEAT" hot ingest "$csv" "$jsonl" 1 0 check | SUFFIX=$label CHECK_SIDE=engine collect
    echo "== ingest $label: DuckDB baseline, 1 thread"
    "$BIN/bench_duck" "$csv" "$jsonl" 1 "$runs" "$pe_runs" | SUFFIX=${label}_t1 CHECK_SIDE=duck collect
    compare_checks "$label"
    echo "== ingest $label: DuckDB baseline, $(nproc) threads"
    "$BIN/bench_duck" "$csv" "$jsonl" "$(nproc)" "$runs" 0 | SUFFIX=${label}_tn CHECK_SIDE=duck collect
    rm -f "$CHECKS.duck"
}

ingest @1m "$EV_CSV" "$EV_JSONL" "$RUNS" 3
if [[ $SCALE == full ]]; then
    ingest @10m "$EV10_CSV" "$EV10_JSONL" 3 1
fi
