#!/usr/bin/env bash
# fig_serve.sh - figure 3: serving latency in-process, over HTTP to `BINARY serve`, and Redis GET as the floor.
set -euo pipefail
source bench/lib.sh

work=$DATA/serve
mkdir -p "$work"
rate=${BENCH_RATE:-10000}
conns=${BENCH_CONNS:-16}
if [[ $SCALE == full ]]; then dur=20 warm=5 wruns=3 nq=1000000; else dur=10 warm=2 wruns=3 nq=300000; fi

# BENCH_PIN=1 puts servers on the last CPU and clients on the first. Off by default: on a
# shared machine a pinned process cannot move away from a busy core, which hurts more than
# the pinning helps.
if [[ ${BENCH_PIN:-0} == 1 ]] && (($(nproc) >= 2)) && command -v taskset >/dev/null; then
    server_cpu=(taskset -c "$(($(nproc) - 1))")
    client_cpu=(taskset -c 0)
    pinning="server pinned to CPU $(($(nproc) - 1)), client to CPU 0"
else
    server_cpu=()
    client_cpu=()
    pinning="not pinned"
fi

pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT

echo "== serve: in-process (engine query + on_demand; the HTTP handler without a socket)"
"$BIN/bench_serve" "$FEAT" online "$EV_CSV" "$nq" "$RUNS" "$work/bodies.txt" "$work/keys.txt" "$work/redis.resp" |
    SUFFIX= collect

# loadgen_runs NAME PROTO PORT FILE RATE [PATH]: median percentiles over $wruns runs.
loadgen_runs() {
    local name=$1 proto=$2 port=$3 file=$4 r=$5 path=${6:-}
    local p50=() p99=() p999=() got=() i line text=
    for ((i = 1; i <= wruns; i++)); do
        "${client_cpu[@]}" "$BIN/loadgen" "$proto" "$name" 127.0.0.1 "$port" "$file" "$r" "$dur" "$conns" "$warm" \
            ${path:+"$path"} >"$work/loadgen.out" || note "$name run $i: loadgen reported errors"
        while IFS= read -r line; do
            set -f
            # shellcheck disable=SC2086
            set -- $line
            set +f
            case $2 in
                "${name}_p50") p50+=("$3") ;;
                "${name}_p99") p99+=("$3") ;;
                "${name}_p999") p999+=("$3") ;;
                "${name}_rate") got+=("$3"); shift 4; text="$*" ;;
            esac
        done <"$work/loadgen.out"
        echo "   run $i: p50 ${p50[-1]:-?} us, p99 ${p99[-1]:-?} us, ${got[-1]:-?} req/s"
    done
    ((${#p99[@]})) || return 1
    local what="$text; $pinning; median of ${#p99[@]} runs of ${dur}s (first ${warm}s not counted)"
    record "${name}_p50" "$(median "${p50[@]}")" us "$what"
    record "${name}_p99" "$(median "${p99[@]}")" us "$what"
    record "${name}_p999" "$(median "${p999[@]}")" us "$what"
    record "${name}_rate" "$(median "${got[@]}")" req/s "$what"
}

# wrk_runs NAME URL: closed loop at $conns connections; wrk's own percentiles.
wrk_runs() {
    local name=$1 url=$2 i p50=() p99=() rps=()
    command -v wrk >/dev/null || { note "serve: wrk is not installed"; return 0; }
    for ((i = 1; i <= wruns; i++)); do
        "${client_cpu[@]}" wrk -t1 -c"$conns" -d"${dur}s" --latency -s bench/wrk_features.lua "$url" \
            -- "$work/bodies.txt" >"$work/wrk.out" 2>&1 || { note "serve: wrk failed"; cat "$work/wrk.out"; return 0; }
        # Latency lines look like "     99%    1.23ms"; convert to microseconds.
        to_us() { awk -v k="$1" '$1 == k { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
                  m = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1e6 : 0; printf "%.1f", v * m }' "$work/wrk.out"; }
        p50+=("$(to_us 50%)")
        p99+=("$(to_us 99%)")
        rps+=("$(awk '/^Requests\/sec/ { print $2 }' "$work/wrk.out")")
        if grep -q 'Non-2xx' "$work/wrk.out"; then note "serve: wrk saw non-2xx answers: $(grep Non-2xx "$work/wrk.out")"; fi
        echo "   run $i: p50 ${p50[-1]} us, p99 ${p99[-1]} us, ${rps[-1]} req/s"
    done
    local what="wrk -t1 -c$conns, closed loop (no fixed rate; latency from the actual send); $pinning; median of $wruns runs of ${dur}s"
    record "${name}_p50" "$(median "${p50[@]}")" us "$what"
    record "${name}_p99" "$(median "${p99[@]}")" us "$what"
    record "${name}_rate" "$(median "${rps[@]}")" req/s "$what"
}

echo "== serve: featc build"
"$FEATC" build "$FEAT" -o "$work/featbin"
port=$(free_port)
echo "== serve: $work/featbin serve on 127.0.0.1:$port (--threads 1), $(($(wc -l <"$EV_CSV") - 1)) events loaded at start"
"${server_cpu[@]}" "$work/featbin" serve --listen "127.0.0.1:$port" --events "payments=$EV_CSV" --threads 1 \
    >"$work/serve.log" 2>&1 &
pids+=($!)
if ! wait_http "http://127.0.0.1:$port/healthz" 120; then
    cat "$work/serve.log" >&2
    note "serve: the feature server did not come up; no HTTP figures"
else
    echo "== serve: HTTP at a fixed $rate req/s, $conns connections (open loop, bench/loadgen)"
    loadgen_runs http http "$port" "$work/bodies.txt" "$rate" /v1/features/online
    echo "== serve: HTTP closed loop with wrk"
    wrk_runs wrk_http "http://127.0.0.1:$port/v1/features/online"
fi
kill "${pids[-1]}" 2>/dev/null && wait "${pids[-1]}" 2>/dev/null || true

if ! command -v redis-server >/dev/null; then
    note "serve: redis-server is not installed; no Redis floor"
    exit 0
fi
rport=$(free_port)
echo "== serve: redis-server on 127.0.0.1:$rport, the same answers stored as strings"
"${server_cpu[@]}" redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --daemonize no \
    >"$work/redis.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 50; i++)); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$rport" --pipe <"$work/redis.resp" >/dev/null
echo "== serve: Redis GET at a fixed $rate req/s, $conns connections (open loop, bench/loadgen)"
loadgen_runs redis resp "$rport" "$work/keys.txt" "$rate"
echo "== serve: redis-benchmark GET, closed loop"
size=$(value serve_answer_bytes)
size=${size%.*}
"${client_cpu[@]}" redis-benchmark -p "$rport" -t set,get -n 200000 -r 20000 -d "${size:-200}" -c "$conns" --csv \
    >"$work/redis-benchmark.csv" 2>/dev/null || note "serve: redis-benchmark failed"
# "GET","rps","avg","min","p50","p95","p99","max" in milliseconds
awk -F'"' '$2 == "GET" { printf "%s %s %s\n", $4, $10, $14 }' "$work/redis-benchmark.csv" | {
    read -r rps p50 p99 || exit 0
    text="redis-benchmark -c $conns -d ${size:-200}, closed loop; $pinning; one run"
    record redis_benchmark_p50 "$(awk -v v="$p50" 'BEGIN { printf "%.1f", v * 1000 }')" us "$text"
    record redis_benchmark_p99 "$(awk -v v="$p99" 'BEGIN { printf "%.1f", v * 1000 }')" us "$text"
    record redis_benchmark_rate "$rps" req/s "$text"
}
redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true
