#!/usr/bin/env bash
# The main job on the embedded default: compile an example to a native runtime, stream its
# events through it, backfill the same spine in DuckDB, and show that both paths agree.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
featc=$(realpath "$B/featc")
example=${1:-fraud}
dir=examples/$example
# shellcheck disable=SC1090
source "$dir/example.env"
out=$B/demo/$example
mkdir -p "$out"
ev=(); for e in $EVENTS; do ev+=(--events "$e"); done

echo "== 1. check: $dir/$FEAT"
"$featc" check "$dir/$FEAT" && echo "valid"

echo "== 2. compile: featc build -> $out/runtime (native code + libfeatrt)"
"$featc" build "$dir/$FEAT" -o "$out/runtime"

echo "== 3. stream: events and spine queries through the generated runtime, in time order"
(cd "$dir" && "$OLDPWD/$out/runtime" replay --service "$SERVICE" --spine "$SPINE" \
    --out "$OLDPWD/$out/stream.csv" "${ev[@]}" --rejects "$OLDPWD/$out/stream.rejects")
echo "   rejected events (file:line: reason) are in $out/stream.rejects:"
sed 's/^/     /' "$out/stream.rejects" | head -5

echo "== 4. backfill: the same spine, point-in-time SQL on embedded DuckDB"
(cd "$dir" && "$featc" backfill "$FEAT" --service "$SERVICE" --spine "$SPINE" \
    --out "$OLDPWD/$out/backfill.csv" "${ev[@]}" 2> "$OLDPWD/$out/backfill.rejects")
echo "   first rows:"
cut -d, -f1-2,9-12 "$out/backfill.csv" | head -4 | sed 's/^/     /'

echo "== 5. parity: both paths, compared feature by feature"
(cd "$dir" && "$featc" parity "$FEAT" --service "$SERVICE" --spine "$SPINE" "${ev[@]}")
if cmp -s "$out/stream.csv" "$out/backfill.csv"; then
    echo "== the streamed and backfilled files are byte-identical: $out/stream.csv = $out/backfill.csv"
else
    echo "== the streamed and backfilled files differ only within the float tolerance parity allows"
fi
