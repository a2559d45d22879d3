# lib.sh - shell helpers shared by the benchmark scripts (sourced, not run): results, timing, medians.

# Results go to $RESULTS as tab-separated lines: name, value, unit, free text. A later line
# with the same name replaces an earlier one when the report is built.

# Reads program output on stdin; keeps RESULT lines (their names followed by $SUFFIX) and
# CHECK lines (into $CHECKS.$CHECK_SIDE); echoes everything.
collect() {
    local line
    while IFS= read -r line; do
        printf '%s\n' "$line"
        case $line in
            RESULT\ *)
                set -f
                # shellcheck disable=SC2086
                set -- $line
                set +f
                local name=$2${SUFFIX:-} value=$3 unit=$4
                shift 4
                printf '%s\t%s\t%s\t%s\n' "$name" "$value" "$unit" "$*" >>"$RESULTS"
                ;;
            CHECK\ *)
                printf '%s\n' "${line#CHECK }" >>"$CHECKS.$CHECK_SIDE"
                ;;
        esac
    done
}

# record NAME VALUE UNIT TEXT...
record() {
    local name=$1 value=$2 unit=$3
    shift 3
    printf 'RESULT %s %s %s %s\n' "$name" "$value" "$unit" "$*"
    printf '%s\t%s\t%s\t%s\n' "$name" "$value" "$unit" "$*" >>"$RESULTS"
}

# note TEXT...: a line for the report's "notes" section (skipped figures, anomalies).
note() {
    echo "note: $*" >&2
    printf '%s\n' "$*" >>"$NOTES"
}

now_s() { date +%s.%N; }

# elapsed START: seconds since START (from now_s), to the millisecond.
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.3f", b - a }'; }

# median VALUES...: the median (mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit 1
        if (NR % 2) printf "%.6g", v[(NR + 1) / 2]; else printf "%.6g", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# value NAME: the last recorded value of a result, or nothing.
value() { awk -F'\t' -v n="$1" '$1 == n { v = $2 } END { if (v != "") print v }' "$RESULTS"; }

# A free TCP port on loopback (asks the kernel for one, then releases it).
free_port() {
    local p
    for p in $(shuf -i 20000-60000 -n 50); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# wait_http URL SECONDS: polls until URL answers 200.
wait_http() {
    local url=$1 deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        curl -sf -o /dev/null "$url" && return 0
        sleep 0.2
    done
    return 1
}
