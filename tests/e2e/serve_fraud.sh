#!/usr/bin/env bash
# serve_fraud.sh - a built binary serving the fraud example: answers equal replay's, bad requests
# get 4xx, SIGTERM stops it cleanly, and events posted with --state survive a restart.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
FEATC=${FEATC:-build/featc}
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

if ! "$FEATC" build examples/fraud/fraud.feat -o "$tmp/fraud" 2>"$tmp/build.err"; then
    if grep -q "unknown command 'build'" "$tmp/build.err"; then
        echo "SKIP: $FEATC has no build command yet"
        exit 0
    fi
    cat "$tmp/build.err" >&2
    fail "featc build failed"
fi
events=(--events transactions=examples/fraud/transactions.jsonl --events cardholders=examples/fraud/cardholders.csv)

# Starts the binary in the background with the given flags; sets pid and port.
start() {
    : >"$tmp/serve.log"
    "$tmp/fraud" serve --listen 127.0.0.1:0 "$@" 2>"$tmp/serve.log" &
    pid=$!
    for _ in $(seq 100); do
        port=$(sed -n 's/^featc: serving on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/serve.log")
        [[ -n $port ]] && return 0
        kill -0 "$pid" 2>/dev/null || fail "the server exited at start"
        sleep 0.1
    done
    fail "the server did not start"
}
# Stops it with SIGTERM and checks the exit code.
stop() {
    kill -TERM "$pid"
    local rc=0
    wait "$pid" || rc=$?
    pid=
    ((rc == 0)) || fail "the server exited with $rc after SIGTERM"
}
# status METHOD PATH [BODY-FILE]: prints the HTTP status.
status() {
    curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" ${3:+--data-binary @"$3"} "http://127.0.0.1:$port$2"
}
expect_status() { # want method path [body-file]
    local got
    got=$(status "$2" "$3" "${4:-}")
    [[ $got == "$1" ]] || fail "$2 $3: expected $1, got $got: $(cat "$tmp/body")"
    grep -q '"error"' "$tmp/body" || [[ $1 == 200 ]] || fail "$2 $3: no JSON error in $(cat "$tmp/body")"
}

# 1. Every spine row, asked over HTTP as of its ts, gets replay's answer.
"$tmp/fraud" replay --service fraud_v1 --spine examples/fraud/spine.csv --out "$tmp/replay.csv" "${events[@]}" \
    --rejects "$tmp/rejects.log" 2>/dev/null || fail "replay failed"
start "${events[@]}" --retain all
python3 - "$port" examples/fraud/spine.csv "$tmp/replay.csv" <<'EOF' || fail "serve and replay disagree"
import csv, json, sys, urllib.request
port, spine_path, replay_path = sys.argv[1:4]
numeric = {"amount", "lat", "lon"}          # float fields of request `checkout`
spine = list(csv.DictReader(open(spine_path, newline="")))
replay = list(csv.reader(open(replay_path, newline="")))
header, rows = replay[0], replay[1:]
outputs = [c for c in header if "__" in c]
assert len(rows) == len(spine) > 0, (len(rows), len(spine))
bad = 0
for srow, rrow in zip(spine, rows):
    body = {k: (None if v == "" else float(v) if k in numeric else v) for k, v in srow.items() if k != "ts"}
    body["at"] = srow["ts"]
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/features/fraud_v1", json.dumps(body).encode())
    got = json.load(urllib.request.urlopen(req))["features"]
    assert list(got) == outputs, (list(got), outputs)
    want = dict(zip(header, rrow))
    for col in outputs:
        g, w = got[col], want[col]
        if g is None:
            same = w == ""
        elif isinstance(g, bool):
            same = w == ("true" if g else "false")
        elif isinstance(g, (int, float)):
            same = w != "" and float(w) == g
        else:
            same = w == g
        if not same:
            bad += 1
            print(f"row {srow}: {col}: serve {g!r}, replay {w!r}", file=sys.stderr)
# The same rows as one batch (with a bad request and a key written with JSON escapes in the
# middle): each item equals the single request's answer, in order.
bodies, singles = [], []
for srow in spine:
    body = {k: (None if v == "" else float(v) if k in numeric else v) for k, v in srow.items() if k != "ts"}
    body["at"] = srow["ts"]
    bodies.append(body)
bodies.insert(len(bodies) // 2, {"merchant_id": "m1"})
bodies.insert(1, dict(bodies[0]))
text = json.dumps(bodies, ensure_ascii=True).replace('"c', '"\\u0063', 5)
for body in bodies:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/features/fraud_v1", json.dumps(body).encode())
    try:
        singles.append(json.load(urllib.request.urlopen(req)))
    except urllib.error.HTTPError as e:
        singles.append({"error": json.load(e)["error"]})
req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/features/fraud_v1", text.encode())
batch = json.load(urllib.request.urlopen(req))["results"]
assert batch == singles, "batch differs from single requests"
assert sum("error" in r for r in batch) == 1
print(f"{len(rows)} rows x {len(outputs)} features agree" if not bad else f"{bad} mismatches")
sys.exit(1 if bad else 0)
EOF

# 2. Events posted over HTTP are applied at once.
printf '%s\n' '{"card_id":"c999","merchant_id":"m_new","amount":10.5,"currency":"EUR","ts":"2026-03-04T10:00:00Z","offset":1}' \
    '{"card_id":"c999","merchant_id":"m_new","amount":-1,"ts":"2026-03-04T10:00:01Z","offset":2}' >"$tmp/ev.jsonl"
expect_status 200 POST /v1/events/transactions "$tmp/ev.jsonl"
grep -q '"accepted":1,"rejected":1,"late":0' "$tmp/body" || fail "event counts: $(cat "$tmp/body")"
echo '{"card_id":"c999","merchant_id":"m_new","amount":21,"at":"2026-03-04T10:05:00Z"}' >"$tmp/q.json"
expect_status 200 POST /v1/features/fraud_v1 "$tmp/q.json"
grep -q '"card_velocity__txn_count_10m":1,' "$tmp/body" || fail "posted event not seen: $(cat "$tmp/body")"
grep -q '"checkout_risk__amount_ratio":2,' "$tmp/body" || fail "amount ratio: $(cat "$tmp/body")"

# 3. Bad requests are 4xx with a JSON error; the server keeps running.
echo '{"card_id":' >"$tmp/bad.json"
echo '{"merchant_id":"m_new","amount":1}' >"$tmp/nokey.json"
echo '{"card_id":"c001","merchant_id":"m_new","amount":"12"}' >"$tmp/type.json"
head -c 2000000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
expect_status 404 POST /v1/features/nope "$tmp/q.json"
expect_status 405 GET /v1/features/fraud_v1
expect_status 400 POST /v1/features/fraud_v1 "$tmp/bad.json"
expect_status 400 POST /v1/features/fraud_v1 "$tmp/nokey.json"
expect_status 400 POST /v1/features/fraud_v1 "$tmp/type.json"
expect_status 413 POST /v1/events/transactions "$tmp/big.json"
expect_status 404 POST /v1/events/nope "$tmp/ev.jsonl"
expect_status 404 GET /nope
expect_status 200 GET /healthz
expect_status 200 GET /metrics
grep -q '^featc_events_ingested_total{source="transactions"} [1-9]' "$tmp/body" || fail "metrics: ingested"
grep -q '^featc_events_late_total{source="cardholders"} [0-9]' "$tmp/body" || fail "metrics: late"
grep -q '^featc_requests_total{service="fraud_v1",code="4xx"} 4$' "$tmp/body" || fail "metrics: 4xx count (3 bad requests, 1 from the batch check)"
grep -q '^featc_keys{view="card_velocity"} [1-9]' "$tmp/body" || fail "metrics: keys"
# The runtime says what it is: `info`, GET /v1/services and the build_info gauge agree.
fp=$("$tmp/fraud" info | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["services"][0]
assert d["featc_version"] and s["name"] == "fraud_v1" and s["request"] == "checkout"
assert [k["name"] for k in s["keys"]] == ["card_id", "merchant_id"] and len(s["outputs"]) == 24
assert {x["name"] for x in d["sources"]} == {"transactions", "cardholders", "checkout"}
print(d["fingerprint"])') || fail "info: not the expected JSON"
grep -q "^featc_build_info{version=\"[0-9.]*\",fingerprint=\"$fp\"} 1$" "$tmp/body" || fail "metrics: build_info"
expect_status 200 GET /v1/services
grep -q "\"fingerprint\":\"$fp\"" "$tmp/body" || fail "/v1/services: fingerprint"
stop

# 4. With --state, posted events come back after a restart.
start --state "$tmp/state" --retain all
expect_status 200 POST /v1/events/transactions "$tmp/ev.jsonl"
stop
start --state "$tmp/state" --retain all
expect_status 200 POST /v1/features/fraud_v1 "$tmp/q.json"
grep -q '"card_velocity__txn_count_10m":1,' "$tmp/body" || fail "state not restored: $(cat "$tmp/body")"
stop
echo "serve_fraud: ok"
