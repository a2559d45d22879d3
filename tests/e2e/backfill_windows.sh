#!/usr/bin/env bash
# Derived keys and session windows (tests/e2e/windows/*/): every service is backfilled on
# DuckDB, SQLite and PostgreSQL in both query shapes and replayed natively, and each output
# is checked against the brute-force reference (tests/e2e/featref.py).
source "$(dirname "$0")/backfill_lib.inc"
setup_dbs
for feat in tests/e2e/windows/*/*.feat; do
    run_feat "$feat"
    dir=$(dirname "$feat")
    plan=$TMP/plan.txt
    "$FEATC" check "$feat" --dump=plan >"$plan" || { fail "$feat does not check"; continue; }
    mapfile -t ev < <(events_args "$dir" "$plan")
    evf=()
    for ((i = 1; i < ${#ev[@]}; i += 2)); do evf+=(--events "${ev[$i]}"); done
    for svc in $(sed -n 's/^service [0-9]* \([A-Za-z0-9_]*\) .*/\1/p' "$plan"); do
        if ! "$FEATC" replay "$feat" --service "$svc" --spine "$dir/spine.csv" --out "$TMP/replay.csv" "${ev[@]}" \
                2>"$TMP/err.txt"; then
            fail "$feat $svc: replay failed: $(tail -3 "$TMP/err.txt")"; continue
        fi
        if python3 "$E2E_DIR/featref.py" "$plan" --service "$svc" --spine "$dir/spine.csv" "${evf[@]}" \
                --check "$TMP/replay.csv" 2>"$TMP/ref.txt"; then
            pass
        else
            fail "$feat $svc (replay): differs from the reference"; head -25 "$TMP/ref.txt"
        fi
    done
done
finish backfill_windows
