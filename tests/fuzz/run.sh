#!/usr/bin/env bash
# run.sh [SECONDS] [TARGET] - builds every fuzz target (clang, libFuzzer + ASan + UBSan) into build-fuzz/ and runs each in turn.
# Each target runs SECONDS (default 60), or only TARGET does. Its kept crashers (tests/fuzz/crashers/TARGET/) are
# replayed first: one that still fails fails the run. Seeds: the project's own files (targets.sh), the hand-made
# tests/fuzz/seeds/TARGET/ and the crashers; new crashers land in tests/fuzz/crashers/TARGET/. A summary of
# libFuzzer's final stats per target closes the run (logs: build-fuzz/logs/).
set -euo pipefail
secs=${1:-60}
only=${2:-}
cd "$(dirname "$0")/../.."
source tests/fuzz/targets.sh
out=build-fuzz
bin=$out/fuzz/bin
targets=("${FUZZ_TARGETS[@]}")
if [[ -n $only ]]; then
    [[ " ${FUZZ_TARGETS[*]} " == *" $only "* ]] || { echo "run.sh: no fuzz target '$only' (${FUZZ_TARGETS[*]})" >&2; exit 2; }
    targets=("$only")
fi
mkdir -p "$out/logs"

# The front end's target: the compiler's sources compiled with it (no LLVM needed).
build_parse() {
    mkdir -p "$out/gen" "$bin"
    bison -Wall -Werror --defines="$out/gen/parser.h" -o "$out/gen/parser.c" grammar/parser.y
    flex --header-file="$out/gen/lexer.h" -o "$out/gen/lexer.c" grammar/lexer.l
    clang -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -Icompiler -I"$out/gen" -o "$bin/parse" \
        tests/fuzz/fuzz_parse.c compiler/parse.c compiler/ast.c compiler/diag.c compiler/arena.c \
        compiler/sema.c compiler/sema_expr.c compiler/sema_view.c compiler/sema_service.c compiler/symtab.c \
        compiler/plan.c compiler/types.c \
        "$out/gen/parser.c" "$out/gen/lexer.c"
}

# The runtime's targets: libfeatrt compiled for coverage (no LLVM needed).
build_runtime() {
    make -s B="$out" CC=clang OPT="-O1 -g" \
        SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
        "${@/#/$out/fuzz/bin/}"
}

# Fills $out/seeds/TARGET with the target's seeds.
collect_seeds() {
    local t=$1 dir=$out/seeds/$1 f
    rm -rf "$dir"
    mkdir -p "$dir"
    for f in $(fuzz_project_seeds "$t") tests/fuzz/seeds/"$t"/* tests/fuzz/crashers/"$t"/*; do
        [[ -f $f ]] && cp "$f" "$dir/$(echo "$f" | tr / _)"
    done
    if [[ $t == manifest ]]; then
        # the project's feature files compiled to manifests (needs the normal build, with LLVM)
        if make -s build/fuzz/manifest_seeds >/dev/null 2>&1; then
            build/fuzz/manifest_seeds "$dir" $(fuzz_feature_files) 2>/dev/null
        else
            echo "run.sh: cannot build build/fuzz/manifest_seeds; the manifest target starts from its own seeds" >&2
        fi
    fi
    return 0
}

rt=()
for t in "${targets[@]}"; do
    [[ $t == parse ]] && build_parse || rt+=("$t")
done
((${#rt[@]})) && build_runtime "${rt[@]}"

# Earlier crashers must pass now.
for t in "${targets[@]}"; do
    for f in tests/fuzz/crashers/"$t"/*; do
        [[ -f $f ]] || continue
        "$bin/$t" "$f" >"$out/logs/$t.replay.log" 2>&1 || { echo "run.sh: crasher still fails: $f (see $out/logs/$t.replay.log)"; exit 1; }
    done
done

failed=()
summary=()
for t in "${targets[@]}"; do
    collect_seeds "$t"
    mkdir -p "$out/corpus/$t" "tests/fuzz/crashers/$t"
    echo "== fuzz $t for ${secs}s"
    status=0
    "$bin/$t" -max_total_time="$secs" -max_len="$(fuzz_max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
        -dict="$(fuzz_dict "$t")" -artifact_prefix="tests/fuzz/crashers/$t/" -print_final_stats=1 \
        "$out/corpus/$t" "$out/seeds/$t" >"$out/logs/$t.log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$t.log" | tail -1)
    time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$out/logs/$t.log" | tail -1)
    corp=$(grep -a -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$out/logs/$t.log" | tail -1 | cut -d' ' -f2)
    summary+=("$(printf '%-9s %6ss %12s executions  corpus %-12s %6s files  %s' "$t" "${time:-?}" "${runs:-?}" \
        "${corp:-?}" "$(ls "$out/corpus/$t" | wc -l)" "$( ((status)) && echo "FAILED (exit $status)" || echo ok)")")
    if ((status)); then
        failed+=("$t")
        grep -E "^(==[0-9]+==ERROR|fuzz check failed|SUMMARY)|Test unit written" "$out/logs/$t.log" | head -5
    fi
done
echo "== summary (logs: $out/logs/)"
printf '%s\n' "${summary[@]}"
((${#failed[@]} == 0)) || { echo "run.sh: failed: ${failed[*]}"; exit 1; }
