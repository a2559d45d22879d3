#!/usr/bin/env bash
# fig_compile.sh - figure 4b: JIT and AOT compile times of bench.feat and the examples, by stage and as `featc build`.
set -euo pipefail
source bench/lib.sh

work=$DATA/compile
mkdir -p "$work"
files=("$FEAT" examples/*/*.feat)
echo "== compile: in-process stages (bench/bench_compile), ${#files[@]} files"
"$BIN/bench_compile" "$RUNS" "$B" "$work" "${files[@]}" | SUFFIX= collect
for f in "${files[@]}"; do
    name=$(basename "${f%.feat}")
    times=()
    for ((i = 0; i < RUNS; i++)); do
        t0=$(now_s)
        "$FEATC" build "$f" -o "$work/$name.bin" >/dev/null
        times+=("$(elapsed "$t0")")
    done
    ms=$(awk -v s="$(median "${times[@]}")" 'BEGIN { printf "%.1f", s * 1000 }')
    record "featc_build_ms_$name" "$ms" ms "featc build $f as a process (start-up included); median of $RUNS runs"
done
