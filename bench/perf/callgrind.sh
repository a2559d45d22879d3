#!/usr/bin/env bash
# callgrind.sh - instructions per event of the measured loop only: bench/perf/callgrind.sh TAG [perf_ingest options]
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=$1; shift
out=${PERF_OUT:-/tmp/perf}
mkdir -p "$out"
valgrind --tool=callgrind --toggle-collect='perf_*_loop' --callgrind-out-file="$out/cg.$tag.out" \
    build/perf/perf_ingest --runs 1 "$@" >"$out/cg.$tag.txt" 2>&1
events=$(grep -o 'measured=[0-9]*' "$out/cg.$tag.txt" | head -1 | cut -d= -f2)
ir=$(grep -o 'Collected : [0-9]*' "$out/cg.$tag.txt" | awk '{print $3}')
echo "$tag: $ir instructions, $events events, $((ir / events)) instructions/event"
