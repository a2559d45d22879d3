#!/usr/bin/env bash
# ab.sh - interleaved runs of two perf_ingest binaries (A/B) on a noisy machine; prints each one's median rate.
#   bench/perf/ab.sh BIN_A BIN_B ROUNDS [perf_ingest options]
set -euo pipefail
a=$1 b=$2 rounds=$3; shift 3
ra=() rb=()
for ((i = 0; i < rounds; i++)); do
    ra+=("$("$a" --runs 1 "$@" 2>/dev/null | grep -o 'median=[0-9.]*' | cut -d= -f2)")
    rb+=("$("$b" --runs 1 "$@" 2>/dev/null | grep -o 'median=[0-9.]*' | cut -d= -f2)")
done
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "A $a: median $(med "${ra[@]}") Mev/s  (${ra[*]})"
echo "B $b: median $(med "${rb[@]}") Mev/s  (${rb[*]})"
