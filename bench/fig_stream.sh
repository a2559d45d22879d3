#!/usr/bin/env bash
# fig_stream.sh - figure: consuming Kafka (mock brokers) and Redis streams into the engine, beside the client libraries alone.
set -euo pipefail
source bench/lib.sh
n=$([[ $SCALE == full ]] && echo 1000000 || echo 300000)
port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
rpid=$!
trap 'kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
echo "== stream consumers: $n events from Kafka (mock brokers) and Redis into view hot"
"$BIN/bench_stream" "$FEAT" hot "$EV_JSONL" "$n" "$RUNS" "$port" | collect
