# backfill_lib.sh - shared steps of the backfill end-to-end tests (sourced, not run).
# Each case directory holds one or more .feat files, spine.csv and one events file per
# source, named SOURCE.jsonl or SOURCE.csv. Every service is backfilled on DuckDB (both
# query shapes), SQLite and PostgreSQL, and each output is checked against featref.py, a
# brute-force reference that shares nothing with the SQL generator.
set -u
FEATC=${FEATC:-build/featc}
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d)
PG_DB=""
PG_BASE=""
passes=0
fails=0

cleanup() {
    if [[ -n $PG_DB ]]; then psql -X -q "$PG_BASE" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Sets DBS to the database URLs to test: embedded DuckDB (""), a SQLite file and a fresh
# PostgreSQL database (unless FEATC_SKIP_PG=1).
setup_dbs() {
    DBS=("" "sqlite:$TMP/e2e.sqlite")
    if [[ ${FEATC_SKIP_PG:-} == 1 ]]; then
        echo "note: PostgreSQL skipped (FEATC_SKIP_PG=1)"
        return
    fi
    PG_BASE=$(bash scripts/pg-start.sh) || { fail "cannot start PostgreSQL (set FEATC_SKIP_PG=1 to skip)"; return; }
    PG_DB="featc_e2e_$$_$RANDOM"
    psql -X -q "$PG_BASE" -c "CREATE DATABASE $PG_DB" >/dev/null || { fail "cannot create a PostgreSQL database"; return; }
    DBS+=("${PG_BASE%/*}/$PG_DB")
}

# The --events arguments for the stream and table sources of a plan whose files exist in dir.
events_args() { # dir plan
    local dir=$1 plan=$2 src
    for src in $(sed -n 's/^source [0-9]* \(stream\|table\) \([A-Za-z0-9_]*\) .*/\2/p' "$plan"); do
        if [[ -f $dir/$src.jsonl ]]; then printf -- '--events\n%s=%s\n' "$src" "$dir/$src.jsonl"
        elif [[ -f $dir/$src.csv ]]; then printf -- '--events\n%s=%s\n' "$src" "$dir/$src.csv"; fi
    done
}

db_label() { case $1 in "") echo duckdb ;; sqlite:*) echo sqlite ;; *) echo postgres ;; esac; }

# Backfills every service of feat on every database and checks each output.
run_feat() { # feat
    local feat=$1 dir plan svc db shape out label
    dir=$(dirname "$feat")
    plan=$TMP/plan.txt
    if ! "$FEATC" check "$feat" --dump=plan > "$plan" 2> "$TMP/check.err"; then
        fail "$feat does not check: $(head -3 "$TMP/check.err")"; return
    fi
    mapfile -t ev < <(events_args "$dir" "$plan")
    for svc in $(sed -n 's/^service [0-9]* \([A-Za-z0-9_]*\) .*/\1/p' "$plan"); do
        for db in "${DBS[@]}"; do
            label=$(db_label "$db")
            for shape in simple auto; do
                [[ $shape == auto && $label != duckdb ]] && continue
                out=$TMP/out.csv
                rm -f "$out"
                if ! "$FEATC" backfill "$feat" --service "$svc" --spine "$dir/spine.csv" --out "$out" \
                        ${db:+--db "$db"} --shape "$shape" "${ev[@]}" --rejects "$TMP/rejects.txt" 2> "$TMP/err.txt"; then
                    fail "$feat $svc on $label ($shape): backfill failed: $(tail -3 "$TMP/err.txt")"; continue
                fi
                evf=()
                for ((i = 1; i < ${#ev[@]}; i += 2)); do evf+=(--events "${ev[$i]}"); done
                if python3 "$E2E_DIR/featref.py" "$plan" --service "$svc" --spine "$dir/spine.csv" "${evf[@]}" \
                        --check "$out" 2> "$TMP/ref.txt"; then
                    pass
                else
                    fail "$feat $svc on $label ($shape): differs from the reference"; head -25 "$TMP/ref.txt"
                fi
            done
        done
    done
}

finish() { # name
    echo "$1: $passes passed, $fails failed"
    ((fails == 0))
}
