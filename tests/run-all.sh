#!/usr/bin/env bash
# Runs every test group (unit, golden, end-to-end) and prints one closing tally line.
set -u
B=${1:-build}
passed=0; failed=0; failures=()
run() { # name command...
    local name=$1; shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}
make -s B="$B" $(ls tests/unit/test_*.c 2>/dev/null | sed "s#tests/unit/\(.*\)\.c#$B/tests/\1#") || exit 1
for t in tests/unit/test_*.c; do
    [[ -e $t ]] || continue
    bin=$B/tests/$(basename "${t%.c}")
    echo "== unit: $bin"
    run "$bin" "$bin"
done
if [[ -f tests/golden/run.sh ]]; then
    echo "== golden diagnostics"
    run golden bash tests/golden/run.sh "$B/featc"
fi
for t in tests/e2e/*.sh; do
    [[ -e $t ]] || continue
    echo "== e2e: $t"
    run "$t" env FEATC="$B/featc" B="$B" bash "$t"
done
((failed)) && printf 'FAILED: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
