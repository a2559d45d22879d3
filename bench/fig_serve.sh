#!/usr/bin/env bash
# fig_serve.sh - figure 3: serving latency in-process, over HTTP to `BINARY serve`, and Redis GET as the floor.
set -euo pipefail
source bench/lib.sh

work=$DATA/serve
mkdir -p "$work"
rate=${BENCH_RATE:-10000}
conns=${BENCH_CONNS:-16}
if [[ $SCALE == full ]]; then dur=20 warm=5 wruns=3 nq=1000000; else dur=10 warm=2 wruns=3 nq=300000; fi
pairs=${BENCH_SERVE_PAIRS:-5} # alternating featc / Redis open-loop runs

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

# The load generator's own scheduling delays would otherwise count as server latency on a
# busy machine (it measures from the intended send time): it runs at real-time priority
# (SCHED_FIFO 1) when allowed, the servers at normal priority. BENCH_CLIENT_RT=0 turns it off.
client_rt=()
client_prio="load generator at normal priority"
if [[ ${BENCH_CLIENT_RT:-1} == 1 ]] && command -v chrt >/dev/null && chrt -f 1 true 2>/dev/null; then
    client_rt=(chrt -f 1)
    client_prio="load generator at SCHED_FIFO 1, servers at normal priority"
fi

# loadgen_once NAME PROTO PORT FILE RATE [PATH]: one run; appends "p50 p99 p999 rate lag99 lost"
# to $work/NAME.runs and keeps the last RESULT text in $work/NAME.text.
loadgen_once() {
    local name=$1 proto=$2 port=$3 file=$4 r=$5 path=${6:-} line p50='' p99='' p999='' got='' lag='' lost='' text=''
    "${client_cpu[@]}" "${client_rt[@]}" "$BIN/loadgen" "$proto" "$name" 127.0.0.1 "$port" "$file" "$r" "$dur" \
        "$conns" "$warm" ${path:+"$path"} >"$work/loadgen.out" 2>"$work/loadgen.err" ||
        note "$name: loadgen reported errors or lost requests: $(grep -v '^loadgen .*: sent' "$work/loadgen.err" | head -3)"
    while IFS= read -r line; do
        set -f
        # shellcheck disable=SC2086
        set -- $line
        set +f
        case $2 in
            "${name}_p50") p50=$3 ;;
            "${name}_p99") p99=$3 ;;
            "${name}_p999") p999=$3 ;;
            "${name}_rate") got=$3; shift 4; text="$*" ;;
        esac
    done <"$work/loadgen.out"
    lag=$(sed -n 's/.*p99_send_lag_us=\([0-9.]*\).*/\1/p' <<<"$text")
    lost=$(sed -n 's/.* lost=\([0-9]*\).*/\1/p' <<<"$text")
    echo "${p50:-nan} ${p99:-nan} ${p999:-nan} ${got:-0} ${lag:-nan} ${lost:-0}" >>"$work/$name.runs"
    echo "$text" >"$work/$name.text"
}

# record_runs NAME: medians over the runs in $work/NAME.runs.
record_runs() {
    local name=$1 what
    [[ -s $work/$name.runs ]] || return 1
    col() { awk -v c="$1" '{ print $c }' "$work/$name.runs"; }
    what="$(cat "$work/$name.text"); $pinning; $client_prio; median of $(wc -l <"$work/$name.runs") runs of ${dur}s (first ${warm}s not counted), alternating with the other server"
    # shellcheck disable=SC2046
    record "${name}_p50" "$(median $(col 1))" us "$what"
    # shellcheck disable=SC2046
    record "${name}_p99" "$(median $(col 2))" us "$what"
    # shellcheck disable=SC2046
    record "${name}_p999" "$(median $(col 3))" us "$what"
    # shellcheck disable=SC2046
    record "${name}_rate" "$(median $(col 4))" req/s "$what"
    # shellcheck disable=SC2046
    record "${name}_send_lag_p99" "$(median $(col 5))" us "the load generator's own lateness in sending (p99), $what"
    record "${name}_lost" "$(awk '{ s += $6 } END { print s + 0 }' "$work/$name.runs")" requests \
        "requests without an answer (connection closed, or none 5 s after the run), summed over the runs"
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
featc_pid=$!
if ! wait_http "http://127.0.0.1:$port/healthz" 120; then
    cat "$work/serve.log" >&2
    note "serve: the feature server did not come up; no HTTP figures"
    exit 0
fi
rport=
if command -v redis-server >/dev/null; then
    rport=$(free_port)
    echo "== serve: redis-server on 127.0.0.1:$rport, the same answers stored as strings"
    "${server_cpu[@]}" redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --daemonize no \
        >"$work/redis.log" 2>&1 &
    pids+=($!)
    redis_pid=$!
    for ((i = 0; i < 50; i++)); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$rport" --pipe <"$work/redis.resp" >/dev/null
else
    note "serve: redis-server is not installed; no Redis floor"
fi

# Both servers are up for the whole figure and the runs alternate (featc, Redis, featc, ...)
# so that both see the same machine; the ratio is taken per pair of runs.
rm -f "$work/http.runs" "$work/redis.runs"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
featc_ticks0=$(ticks "$featc_pid")
[[ -n $rport ]] && redis_ticks0=$(ticks "$redis_pid")
echo "== serve: open loop at a fixed $rate req/s, $conns connections, $pairs alternating pairs of runs (bench/loadgen; $client_prio); load average $load_start"
for ((i = 1; i <= pairs; i++)); do
    loadgen_once http http "$port" "$work/bodies.txt" "$rate" /v1/features/online
    h=$(tail -1 "$work/http.runs")
    if [[ -n $rport ]]; then
        loadgen_once redis resp "$rport" "$work/keys.txt" "$rate"
        r=$(tail -1 "$work/redis.runs")
    else
        r="nan nan nan 0 nan 0"
    fi
    read -r hp50 hp99 _ hrate hlag hlost <<<"$h"
    read -r rp50 rp99 _ rrate rlag rlost <<<"$r"
    echo "   pair $i (load $(cut -d' ' -f1 /proc/loadavg)): featc p50 $hp50 us, p99 $hp99 us ($hrate/s, send lag p99 $hlag us, lost $hlost) | Redis p50 $rp50 us, p99 $rp99 us ($rrate/s, send lag p99 $rlag us, lost $rlost)"
    echo "$hp99 $rp99" >>"$work/pairs.txt.$$"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
record_runs http || true
[[ -n $rport ]] && { record_runs redis || true; }
if [[ -n $rport ]]; then
    # shellcheck disable=SC2046
    record http_redis_p99_ratio "$(median $(awk '$2 > 0 { printf "%.4f\n", $1 / $2 }' "$work/pairs.txt.$$"))" x \
        "median over $pairs pairs of (featc p99 / Redis p99) of runs taken one after the other; load average $load_start at the start, $load_end at the end"
fi
rm -f "$work/pairs.txt.$$"
record serve_loadavg "${load_start%% *}" load "1-minute load average at the start of the open-loop runs ($load_start; at the end $load_end) on $(nproc) CPUs"
# CPU time per request of each server over its open-loop runs (utime + stime from /proc):
# unlike latency, hardly changed by other work on the machine.
tck=$(getconf CLK_TCK)
cpu_us() { # PID TICKS_BEFORE
    awk -v b="$2" -v t="$tck" -v n="$(awk -v r="$rate" -v d="$dur" -v k="$pairs" 'BEGIN { print r * d * k }')" \
        '{ printf "%.1f", ($14 + $15 - b) / t * 1e6 / n }' "/proc/$1/stat"
}
record http_cpu_per_request "$(cpu_us "$featc_pid" "$featc_ticks0")" us "CPU time (user + system) of the featc server per request over its open-loop runs"
[[ -n $rport ]] && record redis_cpu_per_request "$(cpu_us "$redis_pid" "$redis_ticks0")" us "CPU time (user + system) of redis-server per request over its open-loop runs"
echo "== serve: HTTP closed loop with wrk"
wrk_runs wrk_http "http://127.0.0.1:$port/v1/features/online"
kill "$featc_pid" 2>/dev/null && wait "$featc_pid" 2>/dev/null || true

[[ -n $rport ]] || exit 0
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
