#!/usr/bin/env bash
# arrival_rules.sh - a source with arrival, max_ahead and unique: replay (JIT and a built binary) refuses
# ahead, late and duplicate events with their reasons and counts; a server does the same over HTTP,
# stamps its receipt time into the arrival field, and after a restart from its state gives the same answers.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
FEATC=$(realpath "${FEATC:-build/featc}")
tmp=$(mktemp -d)
pid=
cleanup() {
    [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    [[ -f $tmp/serve.log ]] && sed 's/^/  serve: /' "$tmp/serve.log" >&2
    exit 1
}

cat >"$tmp/pay.feat" <<'FEAT'
entity card (card_id: string)

stream payments {
    card_id : string not null
    txn_id  : string
    amount  : float
    ts      : timestamp not null
    recv    : timestamp not null
    time ts
    lateness 1m
    arrival recv
    max_ahead 1h
    unique txn_id
}

features spend on payments by card {
    n     = count()
    total = sum(amount) default 0
}

service risk {
    spend.*
}
FEAT

# Line by line: accepted; a retry (duplicate); stamped 2099 (ahead); accepted, the watermark
# now 10:30; 10:05 (late: before 10:30 - 1m); t1 again at another time (accepted); a null
# txn_id twice (never a duplicate); t3 again (duplicate); exactly 1h after its arrival
# (accepted); no arrival time (invalid).
cat >"$tmp/payments.jsonl" <<'EV'
{"card_id":"c1","txn_id":"t1","amount":10,"ts":"2024-05-01T10:00:00Z","recv":"2024-05-01T10:00:05Z"}
{"card_id":"c1","txn_id":"t1","amount":10,"ts":"2024-05-01T10:00:00Z","recv":"2024-05-01T10:00:09Z"}
{"card_id":"c1","txn_id":"t2","amount":20,"ts":"2099-01-01T00:00:00Z","recv":"2024-05-01T10:01:00Z"}
{"card_id":"c2","txn_id":"t3","amount":5,"ts":"2024-05-01T10:30:00Z","recv":"2024-05-01T10:30:01Z"}
{"card_id":"c1","txn_id":"t4","amount":7,"ts":"2024-05-01T10:05:00Z","recv":"2024-05-01T10:30:02Z"}
{"card_id":"c1","txn_id":"t1","amount":10,"ts":"2024-05-01T10:29:30Z","recv":"2024-05-01T10:30:03Z"}
{"card_id":"c2","txn_id":null,"amount":1,"ts":"2024-05-01T10:29:30Z","recv":"2024-05-01T10:30:04Z"}
{"card_id":"c2","amount":1,"ts":"2024-05-01T10:29:30Z","recv":"2024-05-01T10:30:04Z"}
{"card_id":"c2","txn_id":"t3","amount":5,"ts":"2024-05-01T10:30:00Z","recv":"2024-05-01T10:31:00Z"}
{"card_id":"c2","txn_id":"t5","amount":3,"ts":"2024-05-01T11:30:00Z","recv":"2024-05-01T10:30:00Z"}
{"card_id":"c1","txn_id":"t6","amount":2,"ts":"2024-05-01T11:30:00Z"}
EV
cat >"$tmp/spine.csv" <<'SP'
card_id,ts
c1,2024-05-01T10:10:00Z
c1,2024-05-01T12:00:00Z
c2,2024-05-01T12:00:00Z
c2,2024-05-01T10:29:45Z
SP
cat >"$tmp/want.csv" <<'OUT'
card_id,ts,spend__n,spend__total
c1,2024-05-01T10:10:00Z,1,10
c1,2024-05-01T12:00:00Z,2,20
c2,2024-05-01T12:00:00Z,4,10
c2,2024-05-01T10:29:45Z,2,2
OUT
cat >"$tmp/want.rejects" <<'REJ'
payments.jsonl:2: source 'payments': duplicate: txn_id "t1" at event time 2024-05-01T10:00:00.000000Z was already accepted
payments.jsonl:3: source 'payments': ahead: event time 2099-01-01T00:00:00.000000Z is more than 1h after its arrival time 2024-05-01T10:01:00.000000Z
payments.jsonl:5: source 'payments': late: event time 2024-05-01T10:05:00.000000Z is before watermark 2024-05-01T10:30:00.000000Z minus lateness 1m
payments.jsonl:9: source 'payments': duplicate: txn_id "t3" at event time 2024-05-01T10:30:00.000000Z was already accepted
payments.jsonl:11: source 'payments': field 'recv' is null but declared not null
REJ

# 1. Replay, through the JIT and through a built binary: the same results, rejects and counts.
"$FEATC" build "$tmp/pay.feat" -o "$tmp/pay"
cd "$tmp"
"$FEATC" replay pay.feat --service risk --spine spine.csv --out jit.csv --events payments=payments.jsonl \
    --rejects jit.rejects 2>jit.err || fail "featc replay: $(cat jit.err)"
./pay replay --service risk --spine spine.csv --out aot.csv --events payments=payments.jsonl --rejects aot.rejects \
    2>aot.err || fail "pay replay: $(cat aot.err)"
for run in jit aot; do
    diff want.csv "$run.csv" >&2 || fail "$run: results differ"
    diff want.rejects "$run.rejects" >&2 || fail "$run: reject log differs"
    grep -q "events: 6 accepted, 1 invalid, 1 ahead, 1 late, 2 duplicate$" "$run.err" ||
        fail "$run: summary: $(cat "$run.err")"
done
echo "replay: ahead, late and duplicate refused with their reasons, JIT = AOT"

# 2. Serve: the receipt time is the arrival time, whatever recv says.
start() {
    : >serve.log
    ./pay serve --listen 127.0.0.1:0 --state state --retain all 2>serve.log &
    pid=$!
    for _ in $(seq 100); do
        port=$(sed -n 's/^featc: serving on 127.0.0.1:\([0-9]*\)$/\1/p' serve.log)
        [[ -n $port ]] && return 0
        kill -0 "$pid" 2>/dev/null || fail "the server exited at start"
        sleep 0.1
    done
    fail "the server did not start"
}
stop() {
    kill -TERM "$pid"
    local rc=0
    wait "$pid" || rc=$?
    pid=
    ((rc == 0)) || fail "the server exited with $rc after SIGTERM"
}
post() { # path body: prints the answer
    curl -s -X POST --data-binary "$2" "http://127.0.0.1:$port$1"
}
expect_post() { # path body want
    local got
    got=$(post "$1" "$2")
    [[ $got == *"$3"* ]] || fail "POST $1 $2: expected '$3' in $got"
}
queries() { # the answers that must survive a restart
    post /v1/features/risk '{"card_id":"c1","at":"2030-01-01T00:00:00Z"}'
    post /v1/features/risk '{"card_id":"c2","at":"2030-01-01T00:00:00Z"}'
}
before=$(date +%s)
start
# recv sent as 2024 and 2099: both replaced by the server clock, so the first event is
# accepted (its time is before the receipt time) and the second is refused as ahead
expect_post /v1/events/payments \
    '{"card_id":"c1","txn_id":"h1","amount":4,"ts":"2024-05-01T10:00:00Z","recv":"2024-05-01T09:00:00Z"}' \
    '"accepted":1,'
expect_post /v1/events/payments \
    '{"card_id":"c1","txn_id":"h2","amount":8,"ts":"2125-01-01T00:00:00Z","recv":"2125-01-01T00:00:00Z"}' \
    '"accepted":0,"rejected":0,"late":0,"invalid":0,"ahead":1,"duplicate":0,"rejects":[{"line":1,"kind":"ahead","reason":"ahead: event time 2125-01-01T00:00:00.000000Z is more than 1h after its arrival time '
# the watermark stayed in 2024: normal events go on being accepted; a retry counts once
expect_post /v1/events/payments '{"card_id":"c1","txn_id":"h3","amount":16,"ts":"2024-05-01T10:00:30Z"}' \
    '"accepted":1,'
expect_post /v1/events/payments '{"card_id":"c1","txn_id":"h3","amount":16,"ts":"2024-05-01T10:00:30Z"}' \
    '"accepted":0,"rejected":0,"late":0,"invalid":0,"ahead":0,"duplicate":1,'
curl -s "http://127.0.0.1:$port/metrics" >metrics
for want in 'featc_events_ingested_total{source="payments"} 2' \
            'featc_events_rejected_total{source="payments",reason="ahead"} 1' \
            'featc_events_rejected_total{source="payments",reason="duplicate"} 1' \
            'featc_events_rejected_total{source="payments",reason="late"} 0' \
            'featc_events_rejected_total{source="payments",reason="invalid"} 0'; do
    grep -qxF "$want" metrics || fail "metrics lack: $want"
done
queries >answers.before
grep -qF '"spend__n":2,"spend__total":20' answers.before || fail "answers: $(cat answers.before)"
stop
after=$(date +%s)
# the state log carries recv: the receipt time, not what was sent
[[ $(wc -l <state/payments.jsonl) == 2 ]] || fail "state log: $(cat state/payments.jsonl)"
while read -r recv; do
    ((${recv%.*} >= before && ${recv%.*} <= after)) || fail "recv $recv is not the receipt time"
done < <(sed 's/.*"recv":\([0-9.]*\).*/\1/' state/payments.jsonl)

# 3. A restart replays the state log: the same answers, and the same refusals.
start
queries >answers.after
cmp -s answers.before answers.after || fail "answers changed over a restart: $(cat answers.before answers.after)"
expect_post /v1/events/payments '{"card_id":"c1","txn_id":"h1","amount":4,"ts":"2024-05-01T10:00:00Z"}' \
    '"accepted":0,"rejected":0,"late":0,"invalid":0,"ahead":0,"duplicate":1,'
stop
echo "serve: ahead refused, duplicates counted once, recv stamped and logged, same answers after a restart"
