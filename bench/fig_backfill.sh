#!/usr/bin/env bash
# fig_backfill.sh - figure 2: `featc backfill` per SQL dialect (and native `featc replay`) at 1M and 10M events.
set -euo pipefail
source bench/lib.sh

work=$DATA/backfill
mkdir -p "$work"
big_dialects=${BENCH_BACKFILL_10M:-duckdb}

if ! "$FEATC" --help 2>&1 | grep -q 'featc backfill'; then
    note "backfill: this featc has no 'backfill' command yet; figure 2 has only the native replay"
    have_backfill=0
else
    have_backfill=1
fi

# timed_runs NAME UNIT_TEXT CMD...: runs CMD until it has enough samples (RUNS when a run takes
# under 10 s, 3 under 60 s, else 1) and records the median wall time. Returns CMD's status.
timed_runs() {
    local name=$1 text=$2
    shift 2
    local times=() t0 want=1
    while ((${#times[@]} < want)); do
        t0=$(now_s)
        if ! "$@" >"$work/cmd.log" 2>&1; then
            tail -5 "$work/cmd.log" >&2
            note "$name: command failed: $* (see $work/cmd.log)"
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
        if [[ $d == postgres && -z $pg_uri ]]; then
            start_pg || { note "backfill: PostgreSQL could not be started; no postgres figures"; continue; }
        fi
        url=$(db_url "$d" "${label#@}")
        rm -f "$work/${label#@}.duckdb" "$work/${label#@}.sqlite"
        echo "== backfill $label on $d: load the events and compute (featc backfill --events)"
        timed_runs "backfill_s${label}_$d" "featc backfill --db $d --events: load CSV, compute, write CSV" \
            "$FEATC" backfill "$FEAT" --service backfill --spine "$spine" --out "$work/bf$label-$d.csv" \
            --db "$url" --events "payments=$events" || continue
        echo "== backfill $label on $d: compute only (the events are already in the database)"
        timed_runs "backfill_query_s${label}_$d" "featc backfill --db $d on loaded events: compute and write CSV" \
            "$FEATC" backfill "$FEAT" --service backfill --spine "$spine" --out "$work/bf$label-$d.csv" \
            --db "$url" || true
        if [[ -f $work/replay$label.csv ]]; then
            if cmp -s "$work/replay$label.csv" "$work/bf$label-$d.csv"; then
                record "backfill_same${label}_$d" 1 bool "the backfill output is byte-identical to featc replay's"
            else
                record "backfill_same${label}_$d" 0 bool "the backfill output differs from featc replay's byte-wise"
                note "backfill $label $d: output differs byte-wise from featc replay (diff $work/replay$label.csv $work/bf$label-$d.csv)"
            fi
        fi
    done
    rm -f "$work"/*.duckdb "$work"/*.sqlite "$work"/*.wal
}

backfill @1m "$EV_CSV" "$SPINE" duckdb sqlite postgres
if [[ $SCALE == full ]]; then
    # shellcheck disable=SC2086
    backfill @10m "$EV10_CSV" "$SPINE10" $big_dialects
fi
