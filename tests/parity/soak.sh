#!/usr/bin/env bash
# Runs N generated parity seeds on every database in parallel; failures are shrunk and kept.
#   tests/parity/soak.sh N [START]      (START defaults to a random seed, printed first)
# Environment: FEATC (default build/featc), JOBS (default: the number of CPUs), DBS
# (default duckdb,sqlite,pg), OUT (default build/parity-soak). Exit 1 when any seed fails.
set -u
cd "$(dirname "$0")/../.."
n=${1:?usage: tests/parity/soak.sh N [START]}
start=${2:-$(( (RANDOM << 15 | RANDOM) % 100000000 ))}
jobs=${JOBS:-$(nproc)}
featc=${FEATC:-build/featc}
out=${OUT:-build/parity-soak}
dbs=${DBS:-duckdb,sqlite,pg}
[[ -x $featc ]] || { echo "soak: $featc is not built (make)" >&2; exit 2; }
echo "soak: seeds $start..$((start + n - 1)) on $dbs, $jobs jobs, failures in $out/"
per=$(( (n + jobs - 1) / jobs ))
pids=()
for ((j = 0; j < jobs; j++)); do
    a=$((start + j * per)); b=$((a + per - 1)); end=$((start + n - 1))
    ((b > end)) && b=$end
    ((a > b)) && break
    python3 tests/parity/run.py -q --shrink --featc "$featc" --db "$dbs" --pg-db "featc_soak_$j" --out "$out" \
        "$a-$b" >"$out.log.$j" 2>&1 &
    pids+=($!)
done
mkdir -p "$out"
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
cat "$out".log.* | grep -v '^parity run:' || true
grep -h '^parity run:' "$out".log.* | awk '{s += $3; f += $5} END {printf "soak: %d seeds, %d failures\n", s, f}'
rm -f "$out".log.*
exit $fail
