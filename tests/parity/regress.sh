#!/usr/bin/env bash
# Re-runs every kept parity case under tests/parity/regress/ on the databases it names.
#   tests/parity/regress.sh [FEATC]
# Each case directory holds case.feat, its event files, spine.csv, args (featc parity's
# options, one per line), and expect: "pass", or "known: WHY" for a disagreement still open
# (reported, not counted as a failure; a known case that passes is announced so that its
# expect can be set to pass). An optional dbs file lists databases (default: all three).
# PARITY_OPTS adds options to every featc parity run (e.g. --featc PATH to test a stand-in).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
featc=$(realpath "${1:-${FEATC:-$root/build/featc}}")
pg=${FEATC_PG_URL:-}
fail=0 known=0 passed=0
for d in "$here"/regress/*/; do
    [[ -f $d/case.feat ]] || continue
    name=$(basename "$d")
    expect=$(head -1 "$d/expect" 2>/dev/null || echo pass)
    dbs=$(cat "$d/dbs" 2>/dev/null || echo "duckdb sqlite pg")
    mapfile -t args <"$d/args"
    for db in $dbs; do
        extra=()
        case $db in
            sqlite) extra=(--db "sqlite:$(mktemp -u /tmp/featc-regress-XXXXXX).sqlite") ;;
            pg)
                [[ -n $pg ]] || pg=$(bash "$root/scripts/pg-start.sh" 2>/dev/null) || pg=
                [[ -n $pg ]] || { echo "skip $name pg: no PostgreSQL server"; continue; }
                extra=(--db "$pg") ;;
        esac
        out=$(cd "$d" && "$featc" parity case.feat "${args[@]}" "${extra[@]}" ${PARITY_OPTS:-} 2>&1)
        rc=$?
        [[ $db == sqlite ]] && rm -f "${extra[1]#sqlite:}"
        if [[ $expect == pass ]]; then
            if ((rc == 0)); then passed=$((passed + 1)); echo "ok   $name $db"
            else fail=1; echo "FAIL $name $db (exit $rc)"; echo "$out" | tail -20 | sed 's/^/     | /'; fi
        elif ((rc == 0)); then
            echo "XPASS $name $db: passes now; set its expect to pass"; passed=$((passed + 1))
        else
            known=$((known + 1)); echo "known $name $db: ${expect#known: }"
        fi
    done
done
echo "parity regressions: $passed passed, $known known open, $([[ $fail == 1 ]] && echo failures || echo no failures)"
exit $fail
