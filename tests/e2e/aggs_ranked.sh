#!/usr/bin/env bash
# percentile and median: known answers on the values 1..100 (the rank is max(1, ceil(p * n))
# with p * n one double multiplication: 0.07 * 100 is 7.000000000000001, so rank 8), then
# featc parity (replay against the backfill's default shape) on DuckDB, SQLite and PostgreSQL.
# FEATC_SKIP_PG=1 leaves PostgreSQL out. The simple shape is compared in backfill_shapes.sh.
set -u
FEATC=${FEATC:-build/featc}
cd "$(dirname "$0")/../.."
dir=tests/e2e/aggs
work=$(mktemp -d)
pg_base="" pg_db=""
cleanup() {
    if [[ -n $pg_db ]]; then psql -X -q "$pg_base" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1; fi
    rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
args=("$dir/ranked.feat" --service svc --spine "$dir/spine.csv" --events "tx=$dir/events.jsonl")

if "$FEATC" replay "${args[@]}" --out "$work/replay.csv" >"$work/log" 2>&1; then
    want='x,1700000101,8,1,100,50,50,2023-11-14T22:13:48.000000Z,90,33,2023-11-14T22:14:10.000000Z
x,1700000001,,,0,,,,,,
x,1700000051,4,1,50,25,25,2023-11-14T22:13:35.000000Z,45,17,2023-11-14T22:13:45.000000Z'
    got=$(sed -n 2,4p "$work/replay.csv")
    if [[ $got == "$want" ]]; then pass=$((pass + 1)); else
        echo "FAIL known answers:"; diff <(echo "$want") <(echo "$got"); fail=$((fail + 1)); fi
else
    echo "FAIL replay:"; tail -3 "$work/log"; fail=$((fail + 1))
fi

dbs=("duckdb=" "sqlite=sqlite:$work/ranked.sqlite")
if [[ ${FEATC_SKIP_PG:-} != 1 ]]; then
    pg_base=$(bash scripts/pg-start.sh) || { echo "FAIL: cannot start PostgreSQL (FEATC_SKIP_PG=1 skips it)"; exit 1; }
    pg_db="featc_ranked_$$_$RANDOM"
    psql -X -q "$pg_base" -c "CREATE DATABASE $pg_db" >/dev/null || { echo "FAIL: cannot create a database"; exit 1; }
    dbs+=("postgres=${pg_base%/*}/$pg_db")
fi
for d in "${dbs[@]}"; do
    label=${d%%=*} url=${d#*=}
    if "$FEATC" parity "${args[@]}" ${url:+--db "$url"} >"$work/parity.$label" 2>&1; then
        pass=$((pass + 1))
    else
        echo "FAIL parity on $label:"; tail -15 "$work/parity.$label"; fail=$((fail + 1))
    fi
done
echo "aggs_ranked: $pass passed, $fail failed"
((fail == 0))
