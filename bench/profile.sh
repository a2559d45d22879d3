#!/usr/bin/env bash
# profile.sh - where the ingest loop's time goes: perf record of the decoded-events loop only (callgrind when perf cannot run).
set -euo pipefail
source bench/lib.sh

work=$DATA/profile
mkdir -p "$work"
prof=$OUT/profile.txt
ingest=("$BIN/bench_ingest" "$FEAT" hot ingest "$EV_CSV" "$EV_JSONL")

# The top symbols of a "pct symbol" listing become results (at most 8).
record_top() { # TOOL FILE
    local tool=$1 file=$2 n=0 pct sym
    while read -r pct sym && ((n < 8)); do
        sym=${sym//[^A-Za-z0-9_]/_}
        record "profile_${n}_$sym" "$pct" % "$tool, share of the ingest loop's samples (self time); decoded events, view hot"
        n=$((n + 1))
    done <"$file"
}

if command -v perf >/dev/null && perf record -q -o "$work/probe.data" -- true >/dev/null 2>&1; then
    echo "== profile: perf record of the ingest loop (sampling only while the loop runs)"
    rm -f "$work/ctl" "$work/ack"
    mkfifo "$work/ctl" "$work/ack"
    BENCH_PERF_CTL=$work/ctl BENCH_PERF_ACK=$work/ack \
        perf record -q -F 999 --call-graph dwarf,8192 -D -1 --control "fifo:$work/ctl,$work/ack" \
        -o "$work/perf.data" -- "${ingest[@]}" 3 0 decoded >/dev/null 2>"$work/perf.log"
    {
        echo "# perf: self time by symbol, ingest loop of view hot over decoded events (3 runs of $(($(wc -l <"$EV_CSV") - 1)) events)"
        perf report -i "$work/perf.data" --stdio --no-children --sort symbol --percent-limit 0.5 -g none 2>/dev/null |
            grep -E '^ +[0-9.]+%'
        echo
        echo "# perf: time including callees"
        perf report -i "$work/perf.data" --stdio --children --sort symbol --percent-limit 5 -g none 2>/dev/null |
            grep -E '^ +[0-9.]+%'
        echo
        echo "# perf: call chains of the hottest symbol"
        top=$(perf report -i "$work/perf.data" --stdio --no-children --sort symbol -g none 2>/dev/null |
            awk '/^ +[0-9.]+%/ && !done { print $3; done = 1 }')
        perf report -i "$work/perf.data" --stdio --no-children -S "$top" -G 2>/dev/null | grep -vE '^#|^$' | awk 'NR <= 40'
    } >"$prof"
    perf report -i "$work/perf.data" --stdio --no-children --sort symbol -g none 2>/dev/null |
        awk '/^ +[0-9.]+%/ { sub(/%/, "", $1); print $1, $2 == "[k]" ? "kernel:" $3 : $3 }' >"$work/top.txt"
    record_top "perf record" "$work/top.txt"
    rm -f "$work/ctl" "$work/ack" "$work/probe.data"
elif command -v valgrind >/dev/null; then
    echo "== profile: perf cannot sample here; valgrind --tool=callgrind on 100k events, rt_engine_apply only"
    head -100001 "$EV_CSV" >"$work/small.csv"
    head -100000 "$EV_JSONL" >"$work/small.jsonl"
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=rt_engine_apply \
        --callgrind-out-file="$work/callgrind.out" \
        "$BIN/bench_ingest" "$FEAT" hot ingest "$work/small.csv" "$work/small.jsonl" 1 0 decoded >/dev/null 2>&1
    callgrind_annotate --inclusive=no "$work/callgrind.out" 2>/dev/null | head -40 >"$prof"
    awk 'BEGIN { go = 0 } /^-+$/ { go++; next } go >= 2 && /\(/ {
             gsub(/,/, "", $1); n[++k] = $1; s[k] = $NF } /PROGRAM TOTALS/ { gsub(/,/, "", $1); tot = $1 }
         END { for (i = 1; i <= k; i++) printf "%.2f %s\n", 100 * n[i] / tot, s[i] }' "$prof" >"$work/top.txt" || true
    record_top "callgrind (instructions)" "$work/top.txt"
else
    note "profile: neither perf nor valgrind can run here"
    exit 0
fi
cat "$prof"
