#!/usr/bin/env bash
# Every example replays through the JIT (featc replay) and through a built binary (featc build)
# with byte-identical output, and the bad events in the example data are reported with reasons.
set -euo pipefail
featc=$(realpath "${FEATC:-build/featc}")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for env in examples/*/example.env; do
    dir=$(dirname "$env"); name=$(basename "$dir")
    # shellcheck disable=SC1090
    source "$env"
    ev=(); for e in $EVENTS; do ev+=(--events "$e"); done
    (cd "$dir" && "$featc" replay "$FEAT" --service "$SERVICE" --spine "$SPINE" --out "$tmp/$name.jit.csv" "${ev[@]}" \
        2> "$tmp/$name.jit.err")
    "$featc" build "$dir/$FEAT" -o "$tmp/$name.bin"
    (cd "$dir" && "$tmp/$name.bin" replay --service "$SERVICE" --spine "$SPINE" --out "$tmp/$name.aot.csv" "${ev[@]}" \
        2> "$tmp/$name.aot.err")
    if ! cmp -s "$tmp/$name.jit.csv" "$tmp/$name.aot.csv"; then
        echo "FAIL $name: JIT and AOT replay differ"; diff "$tmp/$name.jit.csv" "$tmp/$name.aot.csv" | head; fail=1
    fi
    rows=$(($(wc -l < "$dir/$SPINE") - 1)); got=$(($(wc -l < "$tmp/$name.jit.csv") - 1))
    if [[ $rows != "$got" ]]; then echo "FAIL $name: $got result rows for $rows spine rows"; fail=1; fi
    echo "$name: $got rows, JIT = AOT"
done
# The fraud data holds four bad lines; each is reported with its line and reason.
for want in "transactions.jsonl:11: source 'transactions': expect amount >= 0 failed" \
            "transactions.jsonl:21: source 'transactions': field 'amount': expected float, got string \"12.50\"" \
            "transactions.jsonl:31: source 'transactions': field 'card_id' is null but declared not null" \
            "transactions.jsonl:41: source 'transactions': invalid JSON"; do
    grep -qF "$want" "$tmp/fraud.jit.err" || { echo "FAIL fraud: missing reject: $want"; fail=1; }
done
# The ETA data holds one event far too late for its 1m lateness and one failing an expect rule.
grep -q "source 'deliveries': late: " "$tmp/eta.jit.err" || { echo "FAIL eta: late event not reported"; fail=1; }
grep -q "expect status in" "$tmp/eta.jit.err" || { echo "FAIL eta: expect reject not reported"; fail=1; }
exit $fail
