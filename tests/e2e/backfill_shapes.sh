#!/usr/bin/env bash
# The fast DuckDB query shape (window functions) must give byte-identical results to the simple
# shape (correlated subqueries, checked against a brute-force reference in backfill_examples.sh)
# for every example, every parity regression case and the edge cases in tests/e2e/shapes/.
set -u
FEATC=${FEATC:-build/featc}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

# same_shapes NAME DIR FEAT SERVICE SPINE EVENTS...: runs both shapes on DuckDB and compares.
same_shapes() {
    local name=$1 dir=$2 feat=$3 service=$4 spine=$5
    shift 5
    local ev=() e
    for e in "$@"; do ev+=(--events "${e%%=*}=$dir/${e#*=}"); done
    local shape
    for shape in simple auto; do
        if ! "$FEATC" backfill "$dir/$feat" --service "$service" --spine "$dir/$spine" "${ev[@]}" --shape "$shape" \
            --out "$work/$name.$shape.csv" >"$work/$name.$shape.log" 2>&1; then
            echo "FAIL $name: backfill --shape $shape failed:"; tail -3 "$work/$name.$shape.log"
            fail=$((fail + 1)); return
        fi
    done
    if cmp -s "$work/$name.simple.csv" "$work/$name.auto.csv"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name: the fast shape differs from the simple shape:"
        diff "$work/$name.simple.csv" "$work/$name.auto.csv" | head -6
        fail=$((fail + 1))
    fi
}

for env in examples/*/example.env; do
    (
        # shellcheck disable=SC1090
        source "$env"
        echo "$FEAT|$SERVICE|$SPINE|$EVENTS"
    ) >"$work/env"
    IFS='|' read -r feat service spine events <"$work/env"
    # shellcheck disable=SC2086
    same_shapes "$(basename "$(dirname "$env")")" "$(dirname "$env")" "$feat" "$service" "$spine" $events
done
same_shapes edge tests/e2e/shapes edge.feat svc spine.csv events=events.csv
for dir in tests/parity/regress/*/; do
    name=$(basename "$dir")
    [[ -f $dir/args && -f $dir/case.feat ]] || continue
    [[ $name == sqlite_* || $name == *_pg_* ]] && continue # cases about other databases
    mapfile -t args <"$dir/args"
    service= spine= events=()
    for ((i = 0; i < ${#args[@]}; i++)); do
        case ${args[i]} in
            --service) service=${args[i + 1]} ;;
            --spine) spine=${args[i + 1]} ;;
            --events) events+=("${args[i + 1]}") ;;
        esac
    done
    [[ -n $service && -n $spine ]] || continue
    same_shapes "$name" "$dir" case.feat "$service" "$spine" "${events[@]}"
done
echo "backfill_shapes: $pass passed, $fail failed"
((fail == 0))
