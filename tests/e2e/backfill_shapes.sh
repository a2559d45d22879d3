#!/usr/bin/env bash
# The window query shapes (DuckDB's fast shape; the RANGE/tile shape of SQLite and PostgreSQL)
# must give byte-identical results to the simple shape (correlated subqueries, checked against
# a brute-force reference in backfill_examples.sh) on the same database, for every example,
# every parity regression case, the edge cases in tests/e2e/shapes/ and the derived keys and
# session windows of tests/e2e/windows/.
# FEATC_SHAPES_DBS picks the databases (default "duckdb sqlite postgres"); FEATC_SKIP_PG=1
# leaves PostgreSQL out.
set -u
FEATC=${FEATC:-build/featc}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pg_base="" pg_db=""
cleanup() {
    if [[ -n $pg_db ]]; then psql -X -q "$pg_base" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1; fi
    rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0

# The databases: label=url ("" is embedded DuckDB).
dbs=()
for label in ${FEATC_SHAPES_DBS:-duckdb sqlite postgres}; do
    case $label in
        duckdb) dbs+=("duckdb=") ;;
        sqlite) dbs+=("sqlite=sqlite:$work/shapes.sqlite") ;;
        postgres)
            [[ ${FEATC_SKIP_PG:-} == 1 ]] && { echo "note: PostgreSQL skipped (FEATC_SKIP_PG=1)"; continue; }
            pg_base=$(bash scripts/pg-start.sh) || { echo "FAIL: cannot start PostgreSQL (FEATC_SKIP_PG=1 skips it)"; exit 1; }
            pg_db="featc_shapes_$$_$RANDOM"
            psql -X -q "$pg_base" -c "CREATE DATABASE $pg_db" >/dev/null || { echo "FAIL: cannot create a database"; exit 1; }
            dbs+=("postgres=${pg_base%/*}/$pg_db") ;;
        *) echo "unknown database '$label'"; exit 2 ;;
    esac
done

# same_shapes NAME DIR FEAT SERVICE SPINE EVENTS...: runs both shapes on each database and
# compares them there.
same_shapes() {
    local name=$1 dir=$2 feat=$3 service=$4 spine=$5
    shift 5
    local ev=() e d
    for e in "$@"; do ev+=(--events "${e%%=*}=$dir/${e#*=}"); done
    for d in "${dbs[@]}"; do
        local label=${d%%=*} url=${d#*=} shape ok=1
        for shape in simple auto; do
            if ! "$FEATC" backfill "$dir/$feat" --service "$service" --spine "$dir/$spine" "${ev[@]}" --shape "$shape" \
                ${url:+--db "$url"} --out "$work/$name.$shape.csv" >"$work/$name.$shape.log" 2>&1; then
                echo "FAIL $name on $label: backfill --shape $shape failed:"; tail -3 "$work/$name.$shape.log"
                fail=$((fail + 1)); ok=0; break
            fi
        done
        ((ok)) || continue
        if cmp -s "$work/$name.simple.csv" "$work/$name.auto.csv"; then
            pass=$((pass + 1))
        else
            echo "FAIL $name on $label: the window shape differs from the simple shape:"
            diff "$work/$name.simple.csv" "$work/$name.auto.csv" | head -6
            fail=$((fail + 1))
        fi
    done
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
same_shapes window tests/e2e/shapes/window window.feat svc spine.csv events=events.csv
# derived keys and session windows: every service, its sources' files named SOURCE.csv
for feat in tests/e2e/windows/*/*.feat; do
    dir=$(dirname "$feat")
    evs=()
    for f in "$dir"/*.csv; do
        [[ $(basename "$f") == spine.csv ]] || evs+=("$(basename "${f%.csv}")=$(basename "$f")")
    done
    for svc in $("$FEATC" check "$feat" --dump=plan | sed -n 's/^service [0-9]* \([A-Za-z0-9_]*\) .*/\1/p'); do
        same_shapes "$(basename "$dir")-$svc" "$dir" "$(basename "$feat")" "$svc" spine.csv "${evs[@]}"
    done
done
same_shapes ranked tests/e2e/aggs ranked.feat svc spine.csv tx=events.jsonl
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
