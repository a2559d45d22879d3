#!/usr/bin/env bash
# featc parity's command line against a stand-in for the two paths: verdicts, reports, exit codes.
set -u
FEATC=${FEATC:-build/featc}
FEATC=$(realpath "$FEATC")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name expected-exit expected-substring... -- command...
    local name=$1 want=$2; shift 2
    local pats=()
    while [[ $1 != -- ]]; do pats+=("$1"); shift; done
    shift
    "$@" >"$tmp/out" 2>&1
    local rc=$?
    local ok=1
    [[ $rc == "$want" ]] || { echo "FAIL $name: exit $rc, expected $want"; ok=0; }
    for p in "${pats[@]}"; do
        grep -qF -- "$p" "$tmp/out" || { echo "FAIL $name: output lacks '$p'"; ok=0; }
    done
    if ((ok)); then echo "ok   $name"; else fails=$((fails + 1)); sed 's/^/     | /' "$tmp/out"; fi
}

cat >"$tmp/t.feat" <<'FEAT'
entity user (uid: string)
stream clicks {
    uid : string not null
    n   : int
    ts  : timestamp not null
    time ts
    lateness 10s
}
request req {
    uid : string not null
    x   : float
}
features act on clicks by user {
    cnt   = count() over 1h
    avg_n = avg(n) over 1h
}
on_demand od (req, act) {
    ratio = req.x / act.avg_n
}
service svc (req) {
    act.*
    od.*
}
FEAT
printf 'uid,n,ts\nu1,1,100\nu1,2,200\nu2,x,50\nu1,3,150\nu1,4,300\n' >"$tmp/clicks.csv"
printf 'uid,ts,x,label\nu1,250,1.5,1\nu2,400,,0\n' >"$tmp/spine.csv"

# The stand-in: copies $FAKE/<path><suffix>.csv and .rejects, where the suffix is -common
# when the events come from parity's filtered copies. $FAKE/<path>.fail makes it fail.
cat >"$tmp/fake" <<'SH'
#!/usr/bin/env bash
cmd=$1; shift; out= rej= suffix= all=" $* "
echo "$cmd $*" >>"$FAKE/calls"
while (($#)); do
    case $1 in
        --out) out=$2; shift ;;
        --rejects) rej=$2; shift ;;
        --events) [[ $2 == *common-* ]] && suffix=-common; shift ;;
        --service|--spine|--db) shift ;;
    esac
    shift
done
[[ -f $FAKE/$cmd.fail ]] && { echo "$cmd: something broke" >&2; exit 1; }
cp "$FAKE/$cmd$suffix.csv" "$out"
[[ -f $FAKE/$cmd$suffix.rejects ]] && cp "$FAKE/$cmd$suffix.rejects" "$rej"
echo "$cmd: done" >&2
exit 0
SH
chmod +x "$tmp/fake"
export FAKE=$tmp/f
mkdir -p "$FAKE"
H='uid,ts,x,label,act__cnt,act__avg_n,od__ratio'
good="$H
u1,250,1.5,1,3,2,0.75
u2,400,,0,0,,"
P=("$FEATC" parity "$tmp/t.feat" --service svc --spine "$tmp/spine.csv" --events "clicks=$tmp/clicks.csv" --featc "$tmp/fake")
bad_line="$tmp/clicks.csv:4: source 'clicks': field 'n': expected an integer"

echo "$good" >"$FAKE/replay.csv"
echo "$good" | sed 's/0\.75/0.7500000000001/' >"$FAKE/backfill.csv"
echo "$bad_line" >"$FAKE/replay.rejects"
echo "$bad_line" >"$FAKE/backfill.rejects"
check agree 0 "parity: OK: 2 rows x 3 features agree" \
    "source    invalid     ahead      late duplicate   invalid     ahead      late duplicate" \
    "clicks          1         0         0         0         1         0         0         0" \
    "act__avg_n  float             2           0" -- "${P[@]}"
grep -q -- "-late" "$FAKE/calls" && { echo "FAIL a path was given a lateness option"; fails=$((fails + 1)); }

echo "$good" | sed 's/u1,250,1.5,1,3,2,0.75/u1,250,1.5,1,4,2.5,0.6/' >"$FAKE/backfill.csv"
check mismatch 1 "act__cnt    int               2           1" "first mismatches (2 of 3)" \
    "act__cnt at spine line 2 uid=u1 ts=250" "replay    3" "backfill  4" "parity: MISMATCH: 3 differing values" \
    -- "${P[@]}" --examples 2

# Late events rejected alike: counted, not mismatches.
late="$tmp/clicks.csv:5: source 'clicks': late: event time X is before watermark Y minus lateness 10s"
printf '%s\n%s\n' "$bad_line" "$late" >"$FAKE/replay.rejects"
printf '%s\n%s\n' "$bad_line" "$late" >"$FAKE/backfill.rejects"
echo "$good" >"$FAKE/backfill.csv"
check late-alike 0 "clicks          1         0         1         0         1         0         1         0" \
    "parity: OK" -- "${P[@]}"

# Refused for different reasons: a duplicate on one side, late on the other, is a mismatch.
dup="$tmp/clicks.csv:5: source 'clicks': duplicate: uid \"u1\" at event time X was already accepted"
printf '%s\n%s\n' "$bad_line" "$dup" >"$FAKE/replay.rejects"
echo "$good" >"$FAKE/replay-common.csv"
echo "$good" >"$FAKE/backfill-common.csv"
check reason-differs 1 "clicks          1         0         0         1         1         0         1         0" \
    "1 event treated differently by the two paths:" "replay:   duplicate: uid" "backfill: late: event time X" \
    "parity: MISMATCH: 0 differing values, 1 event treated differently" -- "${P[@]}"
printf '%s\n%s\n' "$bad_line" "$late" >"$FAKE/replay.rejects"

# One path rejects an event the other accepts: listed side by side, compared on common inputs.
printf '%s\n' "$bad_line" >"$FAKE/backfill.rejects"
echo "$good" | sed 's/,3,2,0.75/,4,2.5,0.6/' >"$FAKE/backfill.csv"
echo "$good" >"$FAKE/replay-common.csv"
echo "$good" >"$FAKE/backfill-common.csv"
rm -f "$FAKE/calls"
check one-sided 1 "1 event treated differently by the two paths:" "clicks line 5" "replay:   late: event time X" \
    "backfill: accepted" "rerun on filtered inputs" "act__cnt    int               2           0" \
    "parity: MISMATCH: 0 differing values, 1 event treated differently" -- "${P[@]}" --workdir "$tmp/wd"
if ! printf 'uid,n,ts\nu1,1,100\nu1,2,200\nu1,4,300\n' | cmp -s - "$tmp/wd/common-clicks-clicks.csv"; then
    echo "FAIL filtered input is wrong:"; cat "$tmp/wd/common-clicks-clicks.csv"; fails=$((fails + 1))
fi
[[ $(wc -l <"$FAKE/calls") == 4 ]] || { echo "FAIL expected 4 runs"; fails=$((fails + 1)); }

# --keep-late: late events the backfill keeps are expected; their effect is measured.
rm -f "$FAKE/calls"
check keep-late 0 "1 late or ahead event of replay the backfill kept (--keep-late)" \
    "late and ahead events the backfill kept change 3 values of its result (of 6 compared)" "parity: OK" \
    -- "${P[@]}" --keep-late
grep -q -- "^backfill .*--keep-late" "$FAKE/calls" || { echo "FAIL --keep-late was not passed to the backfill"; fails=$((fails + 1)); }

# A failing path.
touch "$FAKE/backfill.fail"
check child-fails 1 "the backfill path failed (exit 1)" "something broke" -- "${P[@]}"
rm "$FAKE/backfill.fail"

# Existing results.
echo "$good" >"$tmp/r.csv"
echo "$good" | sed 's/,0,,$/,0,0,/' >"$tmp/b.csv"
check compare-files 1 "od__ratio   float             2           0" "act__avg_n at spine line 3 uid=u2 ts=400" \
    "replay    null" "backfill  0" -- "$FEATC" parity "$tmp/t.feat" --service svc --spine "$tmp/spine.csv" \
    --replay-out "$tmp/r.csv" --backfill-out "$tmp/b.csv"
echo "$H" >"$tmp/short.csv"
check missing-rows 1 "backfill left out 2 spine rows that replay answered: line 2 line 3" -- "$FEATC" parity \
    "$tmp/t.feat" --service svc --spine "$tmp/spine.csv" --replay-out "$tmp/r.csv" --backfill-out "$tmp/short.csv"
check bad-result 1 "backfill result: cannot open '$tmp/nope.csv'" -- "$FEATC" parity "$tmp/t.feat" --service svc \
    --spine "$tmp/spine.csv" --replay-out "$tmp/r.csv" --backfill-out "$tmp/nope.csv"

# Usage and input errors.
check no-args 2 "usage: featc parity" -- "$FEATC" parity
check no-events 2 "at least one --events" -- "$FEATC" parity "$tmp/t.feat" --service svc --spine "$tmp/spine.csv"
check bad-option 2 "unknown option '--frob'" -- "${P[@]}" --frob
check no-service 2 "no service 'nope' in $tmp/t.feat; services: svc" -- "$FEATC" parity "$tmp/t.feat" \
    --service nope --spine "$tmp/spine.csv" --events "clicks=$tmp/clicks.csv"
check unknown-source 2 "'views' is not a source of the file" -- "${P[@]}" --events "views=$tmp/clicks.csv"
check request-source 2 "'req' is a request source" -- "${P[@]}" --events "req=$tmp/clicks.csv"
check twice 2 "source 'clicks' is given twice" -- "${P[@]}" --events "clicks=$tmp/clicks.csv"
check bad-events 2 "expected SOURCE=PATH" -- "${P[@]}" --events "clicks="
check bad-number 2 "'x' is not a non-negative number" -- "${P[@]}" --examples x
check missing-file 2 "cannot open" -- "$FEATC" parity "$tmp/none.feat" --service svc --spine s --events a=b
printf 'entity e (k: int)\nservice s { nope.x }\n' >"$tmp/bad.feat"
check bad-feat 1 "error" -- "$FEATC" parity "$tmp/bad.feat" --service s --spine s --events a=b
check bad-spine 1 "spine: cannot open" -- "${P[@]/$tmp\/spine.csv/$tmp/nospine.csv}"

((fails == 0)) && echo "parity_cli: all passed"
((fails == 0))
