#!/usr/bin/env bash
# streams.sh - events from Kafka (mock brokers; 1 and 4 partitions) and from a Redis stream (entries as fields
# and as JSON) give the answers replay gives from the same events in a file, in replay and in a served runtime;
# a served runtime follows a redis-server restart and a broker outage, and one killed with SIGKILL and restarted
# from its state and position counts nothing twice; bad messages are counted.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
FEATC=$(realpath "${FEATC:-build/featc}")
MOCK=$(dirname "$FEATC")/tools/kafka_mock
[[ -x $MOCK ]] || make -s B="$(dirname "$FEATC")" "$(dirname "$FEATC")/tools/kafka_mock"
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log; do [[ -f $f ]] && sed "s|^|  $(basename "$f"): |" "$f" | tail -20 >&2; done
    exit 1
}
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cat >"$tmp/pay.feat" <<'FEAT'
entity card (card_id: string)

stream payments {
    card_id : string not null
    txn_id  : string
    amount  : float
    ts      : timestamp not null
    time ts
    lateness 1m
    unique txn_id
}

features spend on payments by card {
    n     = count() over 1h
    total = sum(amount) over 1h default 0
    last_amount = last(amount)
}

service risk {
    spend.*
}
FEAT

# 600 events over 12 cards in time order (jitter within the lateness), two retries (duplicates)
# and two bad lines; the spine asks about every card at six times.
python3 - "$tmp" <<'PY'
import json, random, sys
d = sys.argv[1]
random.seed(7)
base = 1714550400  # 2024-05-01T08:00:00Z
events = []
for i in range(600):
    t = base + i * 20 - random.randint(0, 40)
    events.append({"card_id": "c%d" % (i % 12), "txn_id": "t%d" % i, "amount": round(random.uniform(1, 100), 2),
                   "ts": "%d" % t})
events.insert(300, dict(events[299]))
events.insert(500, dict(events[499]))
lines = [json.dumps(e, separators=(",", ":")) for e in events]
lines.insert(100, "this is not json")
lines.insert(400, '{"card_id":"c1","amount":"ten","ts":"1714560000"}')
open(d + "/events.jsonl", "w").write("\n".join(lines) + "\n")
half = len(lines) // 2
open(d + "/a.jsonl", "w").write("\n".join(lines[:half]) + "\n")
open(d + "/b.jsonl", "w").write("\n".join(lines[half:]) + "\n")
# redis-cli commands: entries as fields (the bad JSON line becomes a bad amount), and as JSON
def fields(line):
    try:
        e = json.loads(line)
    except ValueError:
        return "XADD pay * amount oops ts 1"
    return "XADD pay * " + " ".join("%s %s" % (k, json.dumps(str(v))) for k, v in e.items())
def as_json(line, key):
    return "XADD %s * event '%s'" % (key, line)
open(d + "/pay.redis", "w").write("\n".join(fields(l) for l in lines) + "\n")
open(d + "/payjs.redis", "w").write("\n".join(as_json(l, "payjs") for l in lines) + "\n")
for part in ("a", "b"):
    src = lines[:half] if part == "a" else lines[half:]
    open(d + "/live_%s.redis" % part, "w").write("\n".join(as_json(l, "live") for l in src) + "\n")
with open(d + "/spine.csv", "w") as f:
    f.write("card_id,ts\n")
    for k in range(6):
        for c in range(12):
            f.write("c%d,%d\n" % (c, base + 1800 + k * 2000))
PY

"$FEATC" replay "$tmp/pay.feat" --service risk --spine "$tmp/spine.csv" --out "$tmp/want.csv" \
    --events payments="$tmp/events.jsonl" --rejects "$tmp/want.rejects" 2>"$tmp/want.log" || fail "file replay"
grep -q "600 accepted, 2 invalid, 0 ahead, 0 late, 2 duplicate" "$tmp/want.log" || fail "file replay counts: $(cat "$tmp/want.log")"
"$FEATC" build "$tmp/pay.feat" -o "$tmp/pay" || fail "build"

# replay ROWS_FILE LABEL URL: the built binary's replay of URL must equal the file's answers.
replay_same() {
    local label=$1 url=$2
    "$tmp/pay" replay --service risk --spine "$tmp/spine.csv" --out "$tmp/$label.csv" --events payments="$url" \
        --rejects "$tmp/$label.rejects" 2>"$tmp/$label.log" || fail "$label: replay"
    cmp -s "$tmp/want.csv" "$tmp/$label.csv" || fail "$label: answers differ: $(diff "$tmp/want.csv" "$tmp/$label.csv" | head -5)"
    grep -q "600 accepted, 2 invalid, 0 ahead, 0 late, 2 duplicate" "$tmp/$label.log" ||
        fail "$label: counts: $(cat "$tmp/$label.log")"
}

echo "== kafka: replay from 1 and 4 partitions"
# start_mock NAME TOPIC PARTITIONS: a mock cluster driven through two pipes; its bootstrap
# address in boot_NAME; mock NAME COMMAND... sends a command and prints the answer.
start_mock() {
    mkfifo "$tmp/$1.in" "$tmp/$1.out"
    "$MOCK" "$2" "$3" <"$tmp/$1.in" >"$tmp/$1.out" 2>"$tmp/$1.log" &
    pids+=("$!")
    eval "exec {in_$1}>\"\$tmp/$1.in\" {out_$1}<\"\$tmp/$1.out\""
    local b
    read -r -t 10 b <&"$(eval echo "\$out_$1")" || fail "mock $1 did not start"
    eval "boot_$1=\$b"
}
mock() {
    local name=$1 r
    shift
    echo "$*" >&"$(eval echo "\$in_$name")"
    read -r -t 60 r <&"$(eval echo "\$out_$name")" || fail "mock $name: no answer to $*"
    echo "$r"
}
start_mock k1 tx1 1
start_mock k4 tx4 4
boot=$boot_k1 boot4=$boot_k4
[[ $(mock k1 produce "$tmp/events.jsonl" card_id) == "produced 604" ]] || fail "produce tx1"
[[ $(mock k4 produce "$tmp/events.jsonl" card_id) == "produced 604" ]] || fail "produce tx4"
replay_same kafka1 "kafka://$boot/tx1?group=replay"
replay_same kafka4 "kafka://$boot4/tx4?group=replay"
grep -q "kafka topic tx1 partition 0 offset 100: source 'payments': " "$tmp/kafka1.rejects" || fail "kafka reject origin"
"$FEATC" replay "$tmp/pay.feat" --service risk --spine "$tmp/spine.csv" --out "$tmp/jit4.csv" \
    --events payments="kafka://$boot4/tx4?group=replay" --rejects "$tmp/jit4.rejects" 2>"$tmp/jit4.log" || fail "jit replay"
cmp -s "$tmp/want.csv" "$tmp/jit4.csv" || fail "featc replay from kafka differs"
if "$tmp/pay" replay --service risk --spine "$tmp/spine.csv" --out "$tmp/x.csv" \
    --events payments="kafka://$boot/nope?group=g" 2>"$tmp/nope.log"; then fail "a missing topic replayed"; fi
grep -q "Kafka topic 'nope' does not exist" "$tmp/nope.log" || fail "missing topic message: $(cat "$tmp/nope.log")"

echo "== redis: replay of entries as fields and as JSON"
rport=$(free_port)
start_redis() {
    redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
    rpid=$!
    pids+=("$rpid")
    for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
    fail "redis-server did not start"
}
start_redis
redis-cli -p "$rport" <"$tmp/pay.redis" >/dev/null
redis-cli -p "$rport" <"$tmp/payjs.redis" >/dev/null
replay_same redis "redis://127.0.0.1:$rport/pay"
replay_same redisjs "redis://127.0.0.1:$rport/payjs?field=event"
if "$tmp/pay" replay --service risk --spine "$tmp/spine.csv" --out "$tmp/x.csv" \
    --events payments="redis://127.0.0.1:1/pay" 2>"$tmp/down.log"; then fail "replay from a redis that is down"; fi
grep -q "cannot connect" "$tmp/down.log" || fail "redis down message: $(cat "$tmp/down.log")"

# serve_check PORT LABEL: every spine row asked of the server "at" its time equals the file replay's answer.
serve_check() {
    python3 - "$1" "$tmp/spine.csv" "$tmp/want.csv" "$2" <<'PY' || fail "$2: served answers differ"
import csv, json, sys, urllib.request
port, spine, want, label = sys.argv[1:]
rows = list(csv.DictReader(open(spine)))
expect = list(csv.DictReader(open(want)))
for row, w in zip(rows, expect):
    body = json.dumps({"card_id": row["card_id"], "at": int(row["ts"])}).encode()
    req = urllib.request.Request("http://127.0.0.1:%s/v1/features/risk" % port, body, {"Content-Type": "application/json"})
    got = json.load(urllib.request.urlopen(req))["features"]
    for k, v in got.items():
        e = w[k]
        ok = (v is None and e == "") or (v is not None and e != "" and abs(float(v) - float(e)) <= 1e-9 * max(1, abs(float(e))))
        if not ok:
            sys.exit("%s: %s at %s: %s = %r, replay says %r" % (label, row["card_id"], row["ts"], k, v, e))
PY
}
# wait_for PORT WHAT PYTHON_CONDITION: polls /healthz (h) and /metrics (m) until the condition holds.
wait_for() {
    python3 - "$1" "$2" "$3" <<'PY' || fail "$2"
import json, sys, time, urllib.request
port, what, cond = sys.argv[1:]
for _ in range(300):
    try:
        h = json.load(urllib.request.urlopen("http://127.0.0.1:%s/healthz" % port))
        m = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port).read().decode()
        if eval(cond):
            print(json.dumps(h))
            sys.exit(0)
    except (OSError, KeyError, ValueError):
        pass
    time.sleep(0.1)
sys.exit("timed out waiting: " + what)
PY
}
ingested() { echo "'featc_events_ingested_total{source=\"payments\"} $1\n' in m"; }
serve() { # LOG ARGS...: starts the runtime on a free port (in $sport, pid in $spid)
    local log=$1
    shift
    sport=$(free_port)
    "$tmp/pay" serve --listen "127.0.0.1:$sport" --retain all --rejects "$tmp/$log.rejects" "$@" >"$tmp/$log.log" 2>&1 &
    spid=$!
    pids+=("$spid")
}

echo "== redis: served through a redis-server restart, then killed and resumed from its state and position"
redis-cli -p "$rport" <"$tmp/live_a.redis" >/dev/null
serve live1 --events payments="redis://127.0.0.1:$rport/live?field=event" --state "$tmp/state"
wait_for "$sport" "first half applied" "h['sources']['payments']['connected'] and h['sources']['payments'].get('lag') == 0 and 'featc_events_ingested_total{source=\"payments\"} 0' not in m" >/dev/null
kill -9 "$rpid"
wait_for "$sport" "redis down seen" "h['status'] == 'degraded' and not h['sources']['payments']['connected']" >/dev/null
start_redis # empty: it kept nothing; new entries get later ids
head -n 100 "$tmp/live_b.redis" | redis-cli -p "$rport" >/dev/null
h=$(wait_for "$sport" "reconnected and caught up" "h['status'] == 'ok' and h['sources']['payments'].get('lag') == 0 and h['sources']['payments']['position'] == '$(redis-cli -p "$rport" xrevrange live + - count 1 | head -1)'")
kill -9 "$spid"
wait "$spid" 2>/dev/null || true
pos=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["sources"]["payments"]["position"])' "$h")
tail -n +101 "$tmp/live_b.redis" | redis-cli -p "$rport" >/dev/null
serve live2 --events payments="redis://127.0.0.1:$rport/live?field=event" --state "$tmp/state" --resume "payments=$pos"
wait_for "$sport" "all applied once" "$(ingested 600) and h['sources']['payments'].get('lag') == 0" >/dev/null
serve_check "$sport" redis-served
# the second half held one retry; the first run counted the other
grep -q 'featc_events_rejected_total{source="payments",reason="duplicate"} 1' <(curl -sf "http://127.0.0.1:$sport/metrics") ||
    fail "served duplicates"
grep -q "redis stream payjs entry .*: source 'payments': " "$tmp/redisjs.rejects" || fail "redis reject origin"
kill "$spid"
wait "$spid" 2>/dev/null || true
if "$tmp/pay" serve --listen 127.0.0.1:0 --events payments="redis://127.0.0.1:$rport/live?field=event" \
    --state "$tmp/state" 2>"$tmp/refused.log"; then fail "a state directory without a position was accepted"; fi
grep -q "no position of" "$tmp/refused.log" || fail "refusal message: $(cat "$tmp/refused.log")"

echo "== kafka: served from 4 partitions through a broker outage"
serve k4 --events payments="kafka://$boot4/tx4?group=serve"
wait_for "$sport" "kafka applied" "$(ingested 600) and h['sources']['payments'].get('lag') == 0" >/dev/null
[[ $(mock k4 down) == ok ]] || fail "mock down"
wait_for "$sport" "broker outage seen" "not h['sources']['payments']['connected']" >/dev/null
[[ $(mock k4 up) == ok ]] || fail "mock up"
wait_for "$sport" "broker back" "h['sources']['payments']['connected']" >/dev/null
serve_check "$sport" kafka-served
grep -q 'featc_events_rejected_total{source="payments",reason="invalid"} 2' <(curl -sf "http://127.0.0.1:$sport/metrics") ||
    fail "served invalid count"
echo "streams: ok"
