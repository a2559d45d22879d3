#!/usr/bin/env bash
# fig_backfill.sh - figure 2: `featc backfill` per SQL dialect (and native `featc replay`) at 1M and 10M events.
set -euo pipefail
source bench/lib.sh

work=$DATA/backfill
mkdir -p "$work"
big_dialects=${BENCH_BACKFILL_10M:-duckdb}
# Every run is bounded in time and memory, so that a query plan that explodes ends as a
# recorded lower bound instead of taking the machine down.
if [[ $SCALE == full ]]; then limit_s=${BENCH_BACKFILL_TIMEOUT:-1800}; else limit_s=${BENCH_BACKFILL_TIMEOUT:-240}; fi
# DuckDB takes half the cap as its memory limit (and spills past it); 10M events need ~6 GiB
if [[ $SCALE == full ]]; then limit_gb=${BENCH_MEM_LIMIT_GB:-16}; else limit_gb=${BENCH_MEM_LIMIT_GB:-8}; fi
declare -A gave_up=()

if ! "$FEATC" --help 2>&1 | grep -q 'featc backfill'; then
    note "backfill: this featc has no 'backfill' command yet; figure 2 has only the native replay"
    have_backfill=0
else
    have_backfill=1
fi

# timed_runs NAME UNIT_TEXT CMD...: runs CMD until it has enough samples (RUNS when a run takes
# under 10 s, 3 under 60 s, else 1) and records the median wall time. A run that passes the
# time limit is recorded as a lower bound (NAME_timeout = 1); one that fails or runs out of
# memory is noted. Returns non-zero in both cases.
timed_runs() {
    local name=$1 text=$2
    shift 2
    local times=() t0 want=1 rc
    while ((${#times[@]} < want)); do
        t0=$(now_s)
        rc=0
        (ulimit -v $((limit_gb * 1024 * 1024)) && exec timeout --kill-after=10 "$limit_s" "$@") >"$work/cmd.log" 2>&1 || rc=$?
        if ((rc == 124 || rc == 137)); then
            record "$name" "$limit_s" s "$text; stopped at the ${limit_s} s limit: at least this long"
            record "${name}_timeout" 1 bool "stopped at the time limit"
            note "$name: stopped after ${limit_s} s (BENCH_BACKFILL_TIMEOUT); the figure is a lower bound"
            return 1
        elif ((rc != 0)); then
            tail -5 "$work/cmd.log" >&2
            note "$name: failed (exit $rc, memory limit ${limit_gb} GiB): $(grep -m1 -iE 'error|memory' "$work/cmd.log" | cut -c1-200)"
            return 1
        fi
        times+=("$(elapsed "$t0")")
        echo "   run ${#times[@]}: ${times[-1]} s"
        if ((${#times[@]} == 1)); then
            want=$(awk -v t="${times[0]}" -v r="$RUNS" 'BEGIN { print (t < 10 ? r : t < 60 ? 3 : 1) }')
        fi
    done
    record "$name" "$(median "${times[@]}")" s "$text; median of ${#times[@]} runs (wall)"
}

# Starts a private PostgreSQL server (scripts/pg-start.sh) and stops it on exit.
pg_uri=
pg_data=
start_pg() {
    local port
    port=$(free_port) || return 1
    pg_data=/tmp/featc-bench-pg-$port
    pg_uri=$(FEATC_PG_PORT=$port FEATC_PG_DATA=$pg_data bash scripts/pg-start.sh) || return 1
    trap stop_pg EXIT
}
stop_pg() {
    [[ -n $pg_data && -d $pg_data ]] || return 0
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [[ $(id -u) == 0 ]]; then
        runuser -u postgres -- "$bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
    else
        "$bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_data"
}

db_url() { # DIALECT LABEL
    case $1 in
        duckdb) echo "duckdb:$work/$2.duckdb" ;;
        sqlite) echo "sqlite:$work/$2.sqlite" ;;
        postgres) echo "$pg_uri" ;;
    esac
}

# backfill LABEL EVENTS SPINE DIALECTS...
backfill() {
    local label=$1 events=$2 spine=$3
    shift 3
    local rows
    rows=$(($(wc -l <"$spine") - 1))
    echo "== replay $label (native, JIT): $(($(wc -l <"$events") - 1)) events, $rows spine rows"
    timed_runs "replay_s$label" "featc replay, service backfill, events from CSV" \
        "$FEATC" replay "$FEAT" --service backfill --spine "$spine" --out "$work/replay$label.csv" \
        --events "payments=$events" || true
    ((have_backfill)) || return 0
    local d url
    for d in "$@"; do
        if [[ -n ${gave_up[$d]:-} ]]; then
            note "backfill $label on $d: not run, a smaller size already failed or hit the time limit"
            continue
        fi
        if [[ $d == postgres && -z $pg_uri ]]; then
            start_pg || { note "backfill: PostgreSQL could not be started; no postgres figures"; continue; }
        fi
        url=$(db_url "$d" "${label#@}")
        rm -f "$work/${label#@}.duckdb" "$work/${label#@}.sqlite"
        echo "== backfill $label on $d: load the events and compute (featc backfill --events)"
        timed_runs "backfill_s${label}_$d" "featc backfill --db $d --events: load CSV, compute, write CSV" \
            "$FEATC" backfill "$FEAT" --service backfill --spine "$spine" --out "$work/bf$label-$d.csv" \
            --db "$url" --events "payments=$events" || { gave_up[$d]=1; continue; }
        echo "== backfill $label on $d: compute only (the events are already in the database)"
        timed_runs "backfill_query_s${label}_$d" "featc backfill --db $d on loaded events: compute and write CSV" \
            "$FEATC" backfill "$FEAT" --service backfill --spine "$spine" --out "$work/bf$label-$d.csv" \
            --db "$url" || true
        if [[ -f $work/replay$label.csv ]]; then
            local cmp
            cmp=$(awk -F, -f bench/same_csv.awk "$work/replay$label.csv" "$work/bf$label-$d.csv")
            if [[ $cmp == same* ]]; then
                record "backfill_same${label}_$d" 1 bool "same values as featc replay (floats within 1e-9 relative; ${cmp#same } cells differ only so)"
            else
                record "backfill_same${label}_$d" 0 bool "values differ from featc replay: ${cmp#differ }"
                note "backfill $label $d: values differ from featc replay: ${cmp#differ }"
            fi
        fi
    done
    rm -f "$work"/*.duckdb "$work"/*.sqlite "$work"/*.wal
}

backfill @100k "$EV100K_CSV" "$SPINE100K" duckdb sqlite postgres
backfill @1m "$EV_CSV" "$SPINE" duckdb sqlite postgres
if [[ $SCALE == full ]]; then
    # shellcheck disable=SC2086
    backfill @10m "$EV10_CSV" "$SPINE10" $big_dialects
fi
