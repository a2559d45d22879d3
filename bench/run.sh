#!/usr/bin/env bash
# run.sh - `make bench`: builds the benchmark programs and data, runs every figure, writes bench/out/results.md.
#
#   bash bench/run.sh [BUILD_DIR]          (BUILD_DIR defaults to build; featc and libfeatrt must be built)
#   BENCH_SCALE=small   1M events, 100k spine rows, 5 runs (default; a few minutes)
#   BENCH_SCALE=full    also 10M events / 1M spine rows for ingest and backfill
#   BENCH_ONLY="check ingest backfill serve stream compile profile"   run only these figures
#   BENCH_RUNS=N        runs per fast measurement (default 5)
set -euo pipefail
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export B
export SCALE=${BENCH_SCALE:-small}
export RUNS=${BENCH_RUNS:-5}
export OUT=$top/bench/out
export DATA=${BENCH_DATA:-$OUT/data}
export BIN=$top/$B/bench
export FEATC=$top/$B/featc
export RESULTS=$OUT/results.tsv NOTES=$OUT/notes.txt CHECKS=$OUT/checks
export FEAT=$top/bench/bench.feat
only=${BENCH_ONLY:-check ingest backfill serve stream compile profile}
case $SCALE in
    small | full) ;;
    *) echo "run.sh: BENCH_SCALE must be small or full" >&2; exit 2 ;;
esac
[[ -x $FEATC && -f $B/libfeatrt.a ]] || { echo "run.sh: build featc first (make B=$B)" >&2; exit 1; }

mkdir -p "$OUT" "$DATA"
: >"$RESULTS"
: >"$NOTES"
rm -f "$CHECKS".*
# shellcheck source=bench/lib.sh
source bench/lib.sh

echo "== building the benchmark programs"
make -s -f Makefile -f bench/bench.mk B="$B" bench-tools

# Pressure stall information: the share of time tasks waited for a CPU or for memory in the
# last 5 minutes (other work on a shared machine shows up here).
psi() {
    local r
    for r in cpu memory; do
        [[ -r /proc/pressure/$r ]] &&
            echo "$r pressure (some, avg300): $(awk '/^some/ { sub(/avg300=/, "", $4); print $4 "%" }' /proc/pressure/$r)"
    done
    return 0
}

echo "== the machine"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpus: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel: $(uname -r)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    psi
    echo "scale: $SCALE, runs: $RUNS"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} | tee "$OUT/machine.txt"

# Data: deterministic, so files of the same size are reused between runs.
gen() { # EVENTS KEYS SPINE NAME: writes $DATA/NAME.csv, NAME.jsonl and NAME-spine.csv
    local base=$DATA/$4
    if [[ ! -s $base.csv || ! -s $base.jsonl || ! -s $base-spine.csv ]]; then
        echo "== generating $4: $1 events over $2 keys, $3 spine rows"
        "$BIN/gen_events" "$1" "$2" "$3" "$base.csv" "$base-spine.csv"
        "$BIN/gen_events" "$1" "$2" "$3" "$base.jsonl" "$base-spine.csv"
    fi
}
gen 100000 1000000 10000 e100k
gen 1000000 1000000 100000 e1m
export EV100K_CSV=$DATA/e100k.csv SPINE100K=$DATA/e100k-spine.csv
export EV_CSV=$DATA/e1m.csv EV_JSONL=$DATA/e1m.jsonl SPINE=$DATA/e1m-spine.csv
if [[ $SCALE == full ]]; then
    gen 10000000 1000000 1000000 e10m
    export EV10_CSV=$DATA/e10m.csv EV10_JSONL=$DATA/e10m.jsonl SPINE10=$DATA/e10m-spine.csv
fi

for fig in $only; do
    case $fig in
        ingest) bash bench/fig_ingest.sh ;;
        backfill) bash bench/fig_backfill.sh ;;
        serve) bash bench/fig_serve.sh ;;
        stream) bash bench/fig_stream.sh ;;
        check) bash bench/fig_check.sh ;;
        compile) bash bench/fig_compile.sh ;;
        profile) bash bench/profile.sh ;;
        *) echo "run.sh: unknown figure '$fig'" >&2; exit 2 ;;
    esac
done

{
    echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    psi
} | tee -a "$OUT/machine.txt"
bash bench/report.sh
