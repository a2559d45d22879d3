#!/usr/bin/env bash
# Golden SQL: `featc sql` for every example service, and the arrival rules' test service, in
# every dialect prints exactly the committed query in tests/golden/sql/NAME.DIALECT.sql
# (UPDATE=1 rewrites them after a reviewed change).
set -u
featc=${FEATC:-build/featc}
fail=0
cases=()
for env in examples/*/example.env; do
    # shellcheck disable=SC1090
    source "$env"
    dir=$(dirname "$env")
    cases+=("$(basename "$dir")|$dir/$FEAT|$SERVICE")
done
cases+=("arrival|tests/e2e/arrival/arrival.feat|orders_svc")
for c in "${cases[@]}"; do
    IFS='|' read -r name feat service <<<"$c"
    for dialect in duckdb sqlite postgres; do
        want=tests/golden/sql/$name.$dialect.sql
        got=$("$featc" sql "$feat" --service "$service" --dialect "$dialect") || { echo "FAIL $name $dialect: featc sql failed"; fail=1; continue; }
        [[ ${UPDATE:-} == 1 ]] && printf '%s\n' "$got" > "$want"
        if ! diff -q "$want" <(printf '%s\n' "$got") >/dev/null; then
            echo "FAIL $name $dialect: the query differs from $want"; fail=1
        fi
    done
done
((fail == 0)) && echo "golden sql: all match"
exit $fail
