#!/usr/bin/env bash
# fig_check.sh - front-end speed: `featc check` of a generated 5,000-feature file, beside the
# check of bench.feat (process start-up and a small file) as the floor.
set -euo pipefail
source bench/lib.sh

work=$DATA/check
mkdir -p "$work"
wide=$work/wide5000.feat
# 50 views of 100 features each, every aggregation and window form, filters and lets.
awk 'BEGIN {
    print "entity card (card_id: string)"
    print "stream tx {\n  card_id : string not null\n  amount : float\n  n : int\n  country : string\n  ts : timestamp not null\n  time ts\n}"
    split("count()|sum(amount)|avg(amount)|max(amount)|min(n)|count_distinct(country)|last(country)|stddev(amount)", agg, "|")
    split("over 1m|over 10m|over 1h|over 1d hop 1h|over 7d hop 1d|", win, "|")
    for (v = 0; v < 50; v++) {
        printf "features v%d on tx by card {\n  where amount > 0\n  let big = amount * 2 > 100 and country != %cNL%c\n", v, 39, 39
        for (f = 0; f < 100; f++)
            printf "  f%d = %s %s%s\n", f, agg[(v * 7 + f) % 8 + 1], win[(v + f * 3) % 6 + 1], (f % 3 == 0 ? " where big" : "")
        print "}"
    }
    print "service s {"
    for (v = 0; v < 50; v++) printf "  v%d.*\n", v
    print "}"
}' > "$wide"
"$FEATC" check "$wide" >/dev/null || { echo "fig_check: the generated file does not check" >&2; exit 1; }
echo "== check: featc check of $(grep -c ' = ' "$wide") features vs bench.feat"
for f in "$wide" "$FEAT"; do
    times=()
    for ((i = 0; i < RUNS; i++)); do
        t0=$(now_s)
        "$FEATC" check "$f" >/dev/null
        times+=("$(elapsed "$t0")")
    done
    ms=$(awk -v s="$(median "${times[@]}")" 'BEGIN { printf "%.1f", s * 1000 }')
    record "check_ms_$(basename "${f%.feat}")" "$ms" ms "featc check $(basename "$f") as a process; median of $RUNS runs"
done
big=$(value check_ms_wide5000); small=$(value check_ms_bench)
record check_ratio_wide_to_small "$(awk -v a="$big" -v b="$small" 'BEGIN { printf "%.1f", a / b }')" x \
    "5,000-feature check time over the small file's (start-up floor), same run"

# featc plan of the 5,000-feature file against a copy with one window changed and one
# feature renamed: the whole comparison as a process.
sed 's/^  f7 = /  f7x = /; s/over 1m/over 2m/' "$wide" >"$work/wide5000b.feat"
times=()
for ((i = 0; i < RUNS; i++)); do
    t0=$(now_s)
    "$FEATC" plan "$wide" "$work/wide5000b.feat" >/dev/null || [[ $? == 3 ]]
    times+=("$(elapsed "$t0")")
done
ms=$(awk -v s="$(median "${times[@]}")" 'BEGIN { printf "%.1f", s * 1000 }')
record plan_ms_wide5000 "$ms" ms "featc plan of two 5,000-feature files as a process; median of $RUNS runs (target < 1000)"
record plan_ratio_to_check "$(awk -v a="$ms" -v b="$big" 'BEGIN { printf "%.1f", a / b }')" x \
    "plan of two wide files over one check of the wide file, same run"
