#!/usr/bin/env bash
# report.sh - turns bench/out/results.tsv into bench/out/results.md (tables with baselines, ratios, targets) and prints it.
set -euo pipefail
OUT=${OUT:-$(cd "$(dirname "$0")" && pwd)/out}
RESULTS=${RESULTS:-$OUT/results.tsv}
NOTES=${NOTES:-$OUT/notes.txt}
md=$OUT/results.md
[[ -f $RESULTS ]] || { echo "report.sh: no $RESULTS (run bench/run.sh first)" >&2; exit 1; }

v() { awk -F'\t' -v n="$1" '$1 == n { x = $2 } END { if (x != "") print x }' "$RESULTS"; }
text() { awk -F'\t' -v n="$1" '$1 == n { x = $4 } END { print x }' "$RESULTS"; }
# calc EXPR with variables a, b: prints "-" when an input is missing.
calc() { # A B AWK_EXPR FORMAT
    [[ -n $1 && -n $2 ]] || { echo "-"; return; }
    awk -v a="$1" -v b="$2" "BEGIN { x = $3; printf \"$4\", x }"
}
mps() { [[ -n $1 ]] && awk -v a="$1" 'BEGIN { printf "%.2f M/s", a / 1e6 }' || echo "-"; }
num() { [[ -n $1 ]] && awk -v a="$1" -v f="${2:-%.1f}" 'BEGIN { printf f, a }' || echo "-"; }
# verdict VALUE OP LIMIT: met / MISSED / -
verdict() {
    [[ -n $1 && $1 != "-" ]] || { echo "-"; return; }
    awk -v a="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == ">=" ? a >= l : a < l; print ok ? "met" : "**missed**" }'
}
# field NAME KEY: a key=value pair from a result's text.
field() { text "$1" | tr ' ;' '\n\n' | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }

{
    echo "# featc benchmark results"
    echo
    echo '```'
    cat "$OUT/machine.txt" 2>/dev/null || true
    echo '```'
    echo
    echo "Throughputs are events per CPU-second of the measuring thread (or, for DuckDB, of the"
    echo "process), the median of several runs; the machine is shared, so wall-clock rates (in"
    echo "results.tsv) are lower and noisier. Latencies are wall-clock."

    for set in @1m @10m; do
        dec=$(v "ingest_decoded_eps$set")
        [[ -n $dec ]] || continue
        jl=$(v "ingest_jsonl_eps$set")
        q=$(v "ingest_query_eps$set")
        dfin=$(v "duck_final_eps${set}_t1")
        djl=$(v "duck_jsonl_final_eps${set}_t1")
        dpe=$(v "duck_per_event_eps${set}_t1")
        echo
        echo "## 1. Streaming ingest, view hot, $(tr m M <<<"${set#@}") events over 1M Zipf keys"
        echo
        echo "| measure | featc | DuckDB, 1 thread | featc / DuckDB | target | verdict |"
        echo "|---|---|---|---|---|---|"
        echo "| (a) decoded events: ingest (row fn + state) vs DuckDB final-state SQL | $(mps "$dec") | $(mps "$dfin") | $(calc "$dec" "$dfin" 'a/b' '%.2fx') | >= 5M/s, >= 5x | $(verdict "$dec" '>=' 5e6) / $(verdict "$(calc "$dec" "$dfin" 'a/b' '%.3f')" '>=' 5) |"
        echo "| (b) JSON Lines: reader + ingest vs DuckDB read_json + final-state SQL | $(mps "$jl") | $(mps "$djl") | $(calc "$jl" "$djl" 'a/b' '%.2fx') | >= 2M/s | $(verdict "$jl" '>=' 2e6) |"
        echo "| per-event answers: ingest + one query per event vs DuckDB window functions | $(mps "$q") | $(mps "$dpe") | $(calc "$q" "$dpe" 'a/b' '%.2fx') | | |"
        echo "| (a) with 1 day retained (serve's default) | $(mps "$(v "ingest_decoded_eps${set}_retain1d")") | | | | |"
        echo "| (b) with 1 day retained | $(mps "$(v "ingest_jsonl_eps${set}_retain1d")") | | | | |"
        echo "| DuckDB with $(nproc) threads: final state / JSON Lines / per event | | $(mps "$(v "duck_final_eps${set}_tn")") / $(mps "$(v "duck_jsonl_final_eps${set}_tn")") / $(mps "$(v "duck_per_event_eps${set}_tn")") | | | |"
        agree=$(v "check_agree$set")
        echo
        echo "Wall-clock: featc (a) $(mps "$(field "ingest_decoded_eps$set" wall_eps)"), (b) $(mps "$(field "ingest_jsonl_eps$set" wall_eps)");" \
            "DuckDB final state $(mps "$(field "duck_final_eps${set}_t1" wall_eps)"), per event $(mps "$(field "duck_per_event_eps${set}_t1" wall_eps)")."
        echo "DuckDB loaded the CSV in $(num "$(v "duck_load_csv_s${set}_t1")" '%.2f') s (not in its figures)." \
            "Same answers as DuckDB (sums of every feature, per event and final): $([[ $agree == 1 ]] && echo yes || echo "**no or not checked**")."
        echo
        echo "| state (view hot) | retain 0 | retain 1 day |"
        echo "|---|---|---|"
        echo "| keys held | $(field "state_bytes_per_key$set" keys) | $(field "state_bytes_per_key${set}_retain1d" keys) |"
        echo "| state bytes per key (rt_engine_state_bytes / keys) | $(num "$(v "state_bytes_per_key$set")" '%.0f') | $(num "$(v "state_bytes_per_key${set}_retain1d")" '%.0f') |"
        echo "| state bytes per key and window (5 windows) | $(num "$(v "state_bytes_per_key_window$set")" '%.0f') | $(num "$(v "state_bytes_per_key_window${set}_retain1d")" '%.0f') |"
        echo "| RSS growth per key (first run) | $(num "$(v "rss_bytes_per_key$set")" '%.0f') | $(num "$(v "rss_bytes_per_key${set}_retain1d")" '%.0f') |"
    done

    if grep -q '^stream_' "$RESULTS"; then
    echo
    echo "## Stream consumers: Kafka (mock brokers) and Redis into view hot"
    echo
    echo "| source | into the engine | client library alone (floor) | engine / floor | target | verdict |"
    echo "|---|---|---|---|---|---|"
    for k in kafka redis; do
        e=$(v "stream_${k}_engine_eps"); f=$(v "stream_${k}_floor_eps")
        echo "| $k | $(mps "$e") | $(mps "$f") | $(calc "$e" "$f" 'a/b' '%.2f') | >= 1M/s per core | $(verdict "$e" '>=' 1e6) |"
    done
    echo
    echo "Per CPU-second of the reading thread (librdkafka's fetch threads and the in-process mock brokers, or"
    echo "redis-server, work beside it). Per process CPU-second: Kafka engine $(mps "$(field stream_kafka_engine_eps process_eps)"),"
    echo "floor $(mps "$(field stream_kafka_floor_eps process_eps)"); Redis engine $(mps "$(field stream_redis_engine_eps process_eps)"),"
    echo "floor $(mps "$(field stream_redis_floor_eps process_eps)"). Wall clock: Kafka $(mps "$(field stream_kafka_engine_eps wall_eps)"),"
    echo "Redis $(mps "$(field stream_redis_engine_eps wall_eps)")."
    fi

    if grep -qE '^(replay|backfill)_' "$RESULTS"; then
    echo
    echo "## 2. Backfill, service backfill (10 features)"
    echo
    echo "Wall-clock seconds of the whole command (load the CSV, compute, write the CSV); \"compute\" is a"
    echo "second command on the already loaded database. \">\" marks a run stopped at the time limit."
    echo
    echo "| engine | 100k ev / 10k rows | 1M ev / 100k rows | compute only | 10M ev / 1M rows | compute only | exponent 100k->1M | exponent 1M->10M | same values as replay |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for d in replay duckdb sqlite postgres; do
        if [[ $d == replay ]]; then
            p=replay_s q= label="featc replay (native)"
        else
            p=backfill_s q=backfill_query_s label="featc backfill, $d"
        fi
        sfx() { [[ $d == replay ]] && echo "$1" || echo "${1}_$d"; }
        a=$(v "$p$(sfx @100k)") b=$(v "$p$(sfx @1m)") c=$(v "$p$(sfx @10m)")
        [[ -n $a || -n $b || -n $c ]] || continue
        qb= qc=
        [[ -n $q ]] && qb=$(v "$q$(sfx @1m)") qc=$(v "$q$(sfx @10m)")
        cell() { # VALUE NAME
            [[ -n $1 ]] || { echo "-"; return; }
            if [[ $(v "${2}_timeout") == 1 ]]; then echo "> $(num "$1" '%.0f s')"; else num "$1" '%.2f s'; fi
        }
        exp10() { # A B NAME_A NAME_B
            [[ $(v "${3}_timeout") == 1 || $(v "${4}_timeout") == 1 ]] && { echo "-"; return; }
            calc "$1" "$2" 'log(b/a)/log(10)' '%.2f'
        }
        same=-
        if [[ $d != replay ]]; then
            same=$(v "backfill_same@1m_$d")
            [[ -n $same ]] || same=$(v "backfill_same@100k_$d")
            same=${same/1/yes}
            same=${same/0/no}
        fi
        echo "| $label | $(cell "$a" "$p$(sfx @100k)") | $(cell "$b" "$p$(sfx @1m)") | $(cell "$qb" "$q$(sfx @1m)") | $(cell "$c" "$p$(sfx @10m)") | $(cell "$qc" "$q$(sfx @10m)") | $(exp10 "$a" "$b" "$p$(sfx @100k)" "$p$(sfx @1m)") | $(exp10 "$b" "$c" "$p$(sfx @1m)" "$p$(sfx @10m)") | ${same:--} |"
    done
    b=$(v backfill_s@10m_duckdb)
    echo
    echo "Target: DuckDB at 10M events / 1M rows under 30 s: $(verdict "$b" '<' 30)$([[ -n $b ]] && echo " ($(num "$b" '%.1f') s$([[ $(v backfill_s@10m_duckdb_timeout) == 1 ]] && echo ", stopped at the limit"))")."
    fi

    if grep -qE '^serve_' "$RESULTS"; then
    echo
    echo "## 3. Serving latency, service online (hot + on_demand risk)"
    echo
    echo "| path | p50 | p99 | p99.9 | rate | how |"
    echo "|---|---|---|---|---|---|"
    row() { # LABEL PREFIX HOW
        [[ -n $(v "${2}_p99") ]] || return 0
        echo "| $1 | $(num "$(v "${2}_p50")" '%.2f us') | $(num "$(v "${2}_p99")" '%.2f us') | $(num "$(v "${2}_p999")" '%.2f us') | $(num "$(v "${2}_rate")" '%.0f/s') | $3 |"
    }
    row "engine query + on_demand, in-process" serve_engine "one thread, random accounts weighted by activity"
    row "HTTP handler without the socket" serve_handler "JSON in, JSON out, one thread"
    row "HTTP on loopback, BINARY serve" http "open loop at $(field http_p99 target_rate)/s, $(field http_p99 connections) connections (bench/loadgen)"
    row "Redis GET of the stored answer" redis "open loop at $(field redis_p99 target_rate)/s, $(field redis_p99 connections) connections (bench/loadgen)"
    row "HTTP on loopback, wrk" wrk_http "closed loop, max rate"
    row "Redis GET, redis-benchmark" redis_benchmark "closed loop, max rate"
    hp=$(v http_p99) rp=$(v redis_p99) ep=$(v serve_engine_p99)
    echo
    echo "Targets: in-process p99 < 5 us: $(verdict "$ep" '<' 5); HTTP p99 < 1 ms at 10k req/s: $(verdict "$hp" '<' 1000);" \
        "HTTP p99 within 3x Redis p99: $(verdict "$(calc "$hp" "$rp" 'a/b' '%.3f')" '<' 3) (ratio $(calc "$hp" "$rp" 'a/b' '%.2f'))."
    echo "Answer body: $(num "$(v serve_answer_bytes)" '%.0f') bytes on average (Redis stores exactly these bytes)."
    fi

    if grep -qE '^compile_' "$RESULTS"; then
    echo
    echo "## 4. Compile times"
    echo
    echo "| file | JIT (front end + IR + machine code) | AOT (front end + IR + object + link) | featc build (process) |"
    echo "|---|---|---|---|"
    for n in $(awk -F'\t' '$1 ~ /^compile_jit_ms_/ { sub(/^compile_jit_ms_/, "", $1); print $1 }' "$RESULTS" | sort -u); do
        echo "| $n | $(num "$(v "compile_jit_ms_$n")" '%.1f ms') | $(num "$(v "compile_aot_ms_$n")" '%.1f ms') | $(num "$(v "featc_build_ms_$n")" '%.1f ms') |"
    done
    fi

    if grep -q '^check_ms_' "$RESULTS"; then
    echo
    echo "## 5. Front end"
    echo
    echo "featc check of a 5,000-feature file: $(num "$(v check_ms_wide5000)" '%.1f ms') (median, whole process);" \
        "of bench.feat, the start-up floor: $(num "$(v check_ms_bench)" '%.1f ms'); ratio $(v check_ratio_wide_to_small)x." \
        "Target: well under a second: $(verdict "$(v check_ms_wide5000)" '<' 1000)."
    if grep -q '^plan_ms_' "$RESULTS"; then
        echo
        echo "featc plan of two 5,000-feature files: $(num "$(v plan_ms_wide5000)" '%.1f ms') (median, whole process;" \
            "$(v plan_ratio_to_check)x one check). Target under a second: $(verdict "$(v plan_ms_wide5000)" '<' 1000)."
    fi
    fi

    if grep -q '^profile_' "$RESULTS"; then
        echo
        echo "## Profile of the ingest loop (self time)"
        echo
        echo "| share | function |"
        echo "|---|---|"
        awk -F'\t' '$1 ~ /^profile_[0-9]+_/ { s = $1; sub(/^profile_[0-9]+_/, "", s); printf "| %s%% | %s |\n", $2, s }' "$RESULTS"
    fi

    if [[ -s $NOTES ]]; then
        echo
        echo "## Notes"
        echo
        sed 's/^/- /' "$NOTES"
    fi
} >"$md"
cat "$md"
echo
echo "written: $md"
