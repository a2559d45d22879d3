#!/usr/bin/env bash
# fuzz_regress.sh - every fuzz target's checks, built without libFuzzer, over its kept crashers and its seeds.
set -u
B=${B:-build}
cd "$(dirname "$0")/../.."
source tests/fuzz/targets.sh
make -s B="$B" fuzz-replay || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$B/fuzz/manifest_seeds" "$tmp" $(fuzz_feature_files) >/dev/null 2>&1 || { echo "fuzz_regress: manifest_seeds failed"; exit 1; }
fail=0
for t in "${FUZZ_TARGETS[@]}"; do
    inputs=($(fuzz_project_seeds "$t"))
    for d in tests/fuzz/seeds/"$t" tests/fuzz/crashers/"$t"; do
        [[ -d $d ]] && inputs+=("$d")
    done
    [[ $t == manifest ]] && inputs+=("$tmp")
    "$B/fuzz/replay/$t" "${inputs[@]}" || { echo "fuzz_regress: target $t failed"; fail=1; }
done
exit $fail
