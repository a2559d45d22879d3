#!/usr/bin/env bash
# Re-runs every kept parity case under tests/parity/regress/ on the three databases.
#   tests/parity/regress.sh [FEATC]
# Each case directory holds case.feat, its event files, spine.csv and args (featc parity's
# options, one per line), and an expect file: one line per verdict, optionally for one
# database ("pg: ..."), the unprefixed line serving the others:
#   pass           parity must hold
#   known: WHY     an open disagreement: reported, not a failure; announced once it passes
#   skip: WHY      not run there (e.g. a query that PostgreSQL cannot cancel once started)
# Environment: PARITY_OPTS adds featc parity options (e.g. --featc PATH for a stand-in);
# REGRESS_TIMEOUT bounds each run (seconds, default 60); FEATC_PG_URL names the server.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
featc=$(realpath "${1:-${FEATC:-$root/build/featc}}")
pg=${FEATC_PG_URL:-}
fail=0 known=0 passed=0 skipped=0
verdict() { # case-dir db -> the expect line that applies
    local line
    line=$(grep -m1 "^$2: " "$1/expect" 2>/dev/null) && { echo "${line#$2: }"; return; }
    line=$(grep -m1 -v -E '^(duckdb|sqlite|pg): ' "$1/expect" 2>/dev/null) && { echo "$line"; return; }
    echo pass
}
for d in "$here"/regress/*/; do
    [[ -f $d/case.feat ]] || continue
    name=$(basename "$d")
    mapfile -t args <"$d/args"
    for db in duckdb sqlite pg; do
        expect=$(verdict "$d" "$db")
        if [[ $expect == skip:* ]]; then
            skipped=$((skipped + 1)); echo "skip  $name $db: ${expect#skip: }"; continue
        fi
        extra=()
        case $db in
            sqlite) extra=(--db "sqlite:$(mktemp -u /tmp/featc-regress-XXXXXX).sqlite") ;;
            pg)
                [[ -n $pg ]] || pg=$(bash "$root/scripts/pg-start.sh" 2>/dev/null) || pg=
                [[ -n $pg ]] || { echo "skip  $name pg: no PostgreSQL server"; continue; }
                # one database per case, so that a query left running cannot block the next case
                dbname=featc_regress_$(echo "$name" | tr -c 'a-z0-9_\n' _ | cut -c1-40)
                psql "$pg" -tAc "select 1 from pg_database where datname = '$dbname'" 2>/dev/null | grep -q 1 ||
                    psql "$pg" -qc "create database \"$dbname\"" >/dev/null 2>&1
                extra=(--db "${pg%/*}/$dbname") ;;
        esac
        out=$(cd "$d" && "$featc" parity case.feat "${args[@]}" "${extra[@]}" --timeout "${REGRESS_TIMEOUT:-60}" \
            ${PARITY_OPTS:-} 2>&1)
        rc=$?
        [[ $db == sqlite ]] && rm -f "${extra[1]#sqlite:}"
        if [[ $db == pg && $out == *"did not finish"* ]]; then # stop what the killed path left running
            psql "$pg" -qAc "select pg_terminate_backend(pid) from pg_stat_activity where datname = '$dbname'" \
                >/dev/null 2>&1
        fi
        if [[ $expect == pass ]]; then
            if ((rc == 0)); then passed=$((passed + 1)); echo "ok    $name $db"
            else fail=1; echo "FAIL  $name $db (exit $rc)"; echo "$out" | tail -20 | sed 's/^/     | /'; fi
        elif ((rc == 0)); then
            echo "XPASS $name $db: passes now; set its expect to pass"; passed=$((passed + 1))
        else
            known=$((known + 1)); echo "known $name $db: ${expect#known: }"
        fi
    done
done
echo "parity regressions: $passed passed, $known known open, $skipped skipped, $([[ $fail == 1 ]] && echo failures || echo no failures)"
exit $fail
