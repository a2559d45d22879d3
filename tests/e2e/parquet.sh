#!/usr/bin/env bash
# Parquet events (a file and a glob), a Parquet spine and a Parquet result: the same answers
# and the same rejected events as JSON Lines, on DuckDB, SQLite and PostgreSQL and in replay;
# corrupt and mistyped files give clear errors naming the file and column.
source "$(dirname "$0")/backfill_lib.inc"
setup_dbs
B=${B:-build}
make -s B="$B" "$B/tools/duckdb_sql" >/dev/null || { echo "FAIL: cannot build $B/tools/duckdb_sql"; exit 1; }
DUCK=$B/tools/duckdb_sql
D=tests/e2e/parquet
F=$D/pq.feat

CLICK_COLS="{user_id: 'VARCHAR', amount: 'DOUBLE', n: 'BIGINT', kind: 'VARCHAR', ok: 'BOOLEAN', \"at\": 'VARCHAR'}"
CLICKS="SELECT user_id, amount, n, kind, ok, CAST(\"at\" AS TIMESTAMP) AS \"at\" FROM read_json('$D/clicks.jsonl', columns = $CLICK_COLS)"
"$DUCK" "COPY ($CLICKS) TO '$TMP/clicks.parquet' (FORMAT PARQUET)" \
    "COPY ($CLICKS LIMIT 6) TO '$TMP/part-1.parquet' (FORMAT PARQUET)" \
    "COPY ($CLICKS OFFSET 6) TO '$TMP/part-2.parquet' (FORMAT PARQUET)" \
    "COPY (SELECT user_id, tier, CAST(since AS TIMESTAMPTZ) AS since FROM read_json('$D/profiles.jsonl',
           columns = {user_id: 'VARCHAR', tier: 'VARCHAR', since: 'VARCHAR'})) TO '$TMP/profiles.parquet' (FORMAT PARQUET)" \
    "COPY (SELECT user_id, CAST(ts AS TIMESTAMP) AS ts, spend, label FROM read_csv('$D/spine.csv',
           columns = {user_id: 'VARCHAR', ts: 'VARCHAR', spend: 'DOUBLE', label: 'INTEGER'}, header = true))
           TO '$TMP/spine.parquet' (FORMAT PARQUET)" || { echo "FAIL: cannot write the Parquet inputs"; exit 1; }

JSONL_EV=(--events "clicks=$D/clicks.jsonl" --events "profiles=$D/profiles.jsonl")
PQ_EV=(--events "clicks=$TMP/clicks.parquet" --events "profiles=$TMP/profiles.parquet")
GLOB_EV=(--events "clicks=$TMP/part-*.parquet" --events "profiles=$TMP/profiles.parquet")

# The reject log without file names (each path names its own files).
strip_files() { sed -E 's#^[^:]*(clicks|part-\*|profiles)[^:]*:#\1:#; s#^part-\*:#clicks:#' "$1"; }

# Backfills on db with the given events; out and rejects go to $TMP/$tag.csv, $tag.rejects.
backfill() { # tag db spine out events...
    local tag=$1 db=$2 spine=$3 out=$4; shift 4
    "$FEATC" backfill "$F" --service visits --spine "$spine" --out "$out" ${db:+--db "$db"} "$@" \
        --rejects "$TMP/$tag.rejects" 2> "$TMP/$tag.err"
}

for db in "${DBS[@]}"; do
    label=$(db_label "$db")
    backfill j-$label "$db" "$D/spine.csv" "$TMP/j-$label.csv" "${JSONL_EV[@]}" || { fail "$label: JSON Lines backfill: $(tail -2 "$TMP/j-$label.err")"; continue; }
    for kind in p g; do
        if [[ $kind == p ]]; then ev=("${PQ_EV[@]}"); else ev=("${GLOB_EV[@]}"); fi
        if ! backfill $kind-$label "$db" "$D/spine.csv" "$TMP/$kind-$label.csv" "${ev[@]}"; then
            fail "$label: Parquet backfill ($kind): $(tail -2 "$TMP/$kind-$label.err")"; continue
        fi
        if cmp -s "$TMP/j-$label.csv" "$TMP/$kind-$label.csv"; then pass; else
            fail "$label: Parquet ($kind) and JSON Lines backfills differ"; diff "$TMP/j-$label.csv" "$TMP/$kind-$label.csv" | head -5
        fi
        if diff <(strip_files "$TMP/j-$label.rejects") <(strip_files "$TMP/$kind-$label.rejects") > "$TMP/d.txt"; then pass; else
            fail "$label: Parquet ($kind) rejects other events"; head -5 "$TMP/d.txt"
        fi
    done
    # the rejected rows are counted the same way
    if grep -q "source 'clicks': events: 11 accepted, 3 invalid" "$TMP/p-$label.err"; then pass; else
        fail "$label: counts: $(grep clicks "$TMP/p-$label.err")"
    fi
done
if [[ $(wc -l < "$TMP/p-duckdb.rejects") == 3 ]] && grep -q "^$TMP/clicks.parquet:5: source 'clicks': field 'user_id' is null" "$TMP/p-duckdb.rejects" \
    && grep -q "^$TMP/part-\*.parquet:6: source 'clicks': expect amount is null or amount >= 0 failed" "$TMP/g-duckdb.rejects"; then pass; else
    fail "reject log of Parquet rows: $(cat "$TMP/p-duckdb.rejects" "$TMP/g-duckdb.rejects")"
fi

# replay: the same answers and rejects from JSON Lines, a Parquet file and a glob
replay() { # tag spine out events...
    local tag=$1 spine=$2 out=$3; shift 3
    "$FEATC" replay "$F" --service visits --spine "$spine" --out "$out" "$@" --rejects "$TMP/r$tag.rejects" 2> "$TMP/r$tag.err"
}
replay j "$D/spine.csv" "$TMP/rj.csv" "${JSONL_EV[@]}" || fail "replay of JSON Lines: $(tail -2 "$TMP/rj.err")"
for kind in p g; do
    if [[ $kind == p ]]; then ev=("${PQ_EV[@]}"); else ev=("${GLOB_EV[@]}"); fi
    replay $kind "$D/spine.csv" "$TMP/r$kind.csv" "${ev[@]}" || { fail "replay of Parquet ($kind): $(tail -2 "$TMP/r$kind.err")"; continue; }
    if cmp -s "$TMP/rj.csv" "$TMP/r$kind.csv" && diff -q <(strip_files "$TMP/rj.rejects") <(strip_files "$TMP/r$kind.rejects") >/dev/null; then pass; else
        fail "replay of Parquet ($kind) differs from JSON Lines"; diff "$TMP/rj.csv" "$TMP/r$kind.csv" | head -5
    fi
    if grep -q "events: 15 accepted, 3 invalid, 0 ahead, 0 late" "$TMP/r$kind.err"; then pass; else fail "replay counts ($kind): $(tail -1 "$TMP/r$kind.err")"; fi
done
if cmp -s "$TMP/rj.csv" "$TMP/j-duckdb.csv"; then pass; else fail "replay and backfill differ on JSON Lines"; diff "$TMP/rj.csv" "$TMP/j-duckdb.csv" | head -5; fi

# parity on Parquet events and a Parquet spine
if "$FEATC" parity "$F" --service visits --spine "$TMP/spine.parquet" "${PQ_EV[@]}" > "$TMP/parity.txt" 2>&1; then pass; else
    fail "parity on Parquet inputs: $(tail -5 "$TMP/parity.txt")"
fi

# A Parquet spine answers the same rows; its own columns come back in its own forms.
features() { cut -d, -f5- "$1"; }
for db in "${DBS[@]}"; do
    label=$(db_label "$db")
    if backfill s-$label "$db" "$TMP/spine.parquet" "$TMP/s-$label.csv" "${PQ_EV[@]}" \
        && cmp -s <(features "$TMP/j-$label.csv") <(features "$TMP/s-$label.csv"); then pass; else
        fail "$label: a Parquet spine gives other answers: $(tail -2 "$TMP/s-$label.err")"
    fi
    if backfill o-$label "$db" "$TMP/spine.parquet" "$TMP/o-$label.parquet" "${PQ_EV[@]}"; then pass; else
        fail "$label: Parquet result: $(tail -2 "$TMP/o-$label.err")"
    fi
done
if head -2 "$TMP/s-duckdb.csv" | tail -1 | grep -q '^u1,2026-03-02T08:12:00.000000Z,20,1,'; then pass; else
    fail "Parquet spine columns as text: $(head -2 "$TMP/s-duckdb.csv")"
fi
replay o "$TMP/spine.parquet" "$TMP/o-replay.parquet" "${PQ_EV[@]}" || fail "replay to Parquet: $(tail -2 "$TMP/ro.err")"
for label in sqlite postgres replay; do
    [[ -f $TMP/o-$label.parquet ]] || continue
    if cmp -s "$TMP/o-duckdb.parquet" "$TMP/o-$label.parquet"; then pass; else fail "Parquet results of duckdb and $label differ"; fi
done

# The result's columns are typed: the spine's own types, then each feature's.
"$DUCK" "COPY (SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '$TMP/o-duckdb.parquet')) TO '$TMP/types.csv' (FORMAT CSV, HEADER false)"
want_types="user_id,VARCHAR
ts,TIMESTAMP
spend,DOUBLE
label,INTEGER
activity__clicks_1h,BIGINT
activity__amount_1h,DOUBLE
activity__n_sum_1d,BIGINT
activity__ok_1d,BIGINT
activity__avg_2h,DOUBLE
activity__max_1d,DOUBLE
activity__last_kind,VARCHAR
activity__first_at,TIMESTAMP
activity__last_at,TIMESTAMP
profile__tier,VARCHAR
profile__since,TIMESTAMP
visit_risk__spend_ratio,DOUBLE
visit_risk__gold,BOOLEAN
visit_risk__idle_secs,DOUBLE"
if [[ $(cat "$TMP/types.csv") == "$want_types" ]]; then pass; else fail "Parquet result types:"; cat "$TMP/types.csv"; fi

# ... and hold the CSV result's values: every column of the CSV read as the Parquet type.
select=""
while IFS=, read -r name type; do
    select+="${select:+, }CAST(\"$name\" AS $type) AS \"$name\""
done < "$TMP/types.csv"
csv="read_csv('$TMP/s-duckdb.csv', header = true, all_varchar = true, allow_quoted_nulls = false)"
"$DUCK" "COPY (SELECT count(*) FROM (
           (SELECT row_number() OVER () AS rn, $select FROM $csv
            EXCEPT ALL SELECT row_number() OVER () AS rn, * FROM '$TMP/o-duckdb.parquet')
           UNION ALL
           (SELECT row_number() OVER () AS rn, * FROM '$TMP/o-duckdb.parquet'
            EXCEPT ALL SELECT row_number() OVER () AS rn, $select FROM $csv))) TO '$TMP/nd.csv' (FORMAT CSV, HEADER false)" \
    || fail "cannot compare the Parquet result with the CSV result"
if [[ $(cat "$TMP/nd.csv" 2>/dev/null) == 0 ]]; then pass; else fail "the Parquet result differs from the CSV result in $(cat "$TMP/nd.csv") rows"; fi

# Bad input: a corrupt file, a column of a type that cannot convert, a missing column.
expect_error() { # what pattern command... (backfill and replay keep their messages in bad.err, rbad.err)
    local what=$1 pattern=$2; shift 2
    rm -f "$TMP/bad.err" "$TMP/rbad.err"
    if "$@" > "$TMP/bad.out" 2> "$TMP/bad.msg"; then fail "$what: accepted"; return; fi
    if cat "$TMP/bad.msg" "$TMP/bad.err" "$TMP/rbad.err" 2>/dev/null | grep -q -- "$pattern"; then pass; else
        fail "$what: unclear error: $(cat "$TMP/bad.msg" "$TMP/bad.err" "$TMP/rbad.err" 2>/dev/null)"
    fi
}
printf 'PAR1 not really Parquet' > "$TMP/corrupt.parquet"
"$DUCK" "COPY (SELECT user_id, amount, CAST(n AS DOUBLE) AS n, kind, ok, \"at\" FROM '$TMP/clicks.parquet') TO '$TMP/float_n.parquet' (FORMAT PARQUET)" \
    "COPY (SELECT user_id, amount, n, kind, ok, CAST(\"at\" AS DATE) AS \"at\" FROM '$TMP/clicks.parquet') TO '$TMP/date_at.parquet' (FORMAT PARQUET)" \
    "COPY (SELECT user_id, amount, n, ok, \"at\" FROM '$TMP/clicks.parquet') TO '$TMP/no_kind.parquet' (FORMAT PARQUET)"
for db in "${DBS[@]}"; do
    label=$(db_label "$db")
    expect_error "$label: corrupt Parquet" "corrupt.parquet: cannot read it as Parquet" \
        backfill bad "$db" "$D/spine.csv" "$TMP/bad.csv" --events "clicks=$TMP/corrupt.parquet"
    expect_error "$label: a DOUBLE column for an int field" "float_n.parquet: column 'n' is DOUBLE, which cannot hold field 'n' (int)" \
        backfill bad "$db" "$D/spine.csv" "$TMP/bad.csv" --events "clicks=$TMP/float_n.parquet"
done
expect_error "replay: a DATE column for a timestamp" "date_at.parquet: column 'at' is DATE, which cannot hold field 'at' (timestamp)" \
    replay bad "$D/spine.csv" "$TMP/bad.csv" --events "clicks=$TMP/date_at.parquet"
expect_error "replay: a missing column" "no_kind.parquet: no column 'kind' for field 'kind' of source 'clicks'" \
    replay bad "$D/spine.csv" "$TMP/bad.csv" --events "clicks=$TMP/no_kind.parquet"
expect_error "replay: a corrupt spine" "corrupt.parquet: cannot read it as Parquet" \
    replay bad "$TMP/corrupt.parquet" "$TMP/bad.csv" "${PQ_EV[@]}"
expect_error "backfill: a glob that matches nothing" "no file matches" \
    backfill bad "" "$D/spine.csv" "$TMP/bad.csv" --events "clicks=$TMP/none-*.parquet"

# A built runtime reads JSON Lines and CSV only, and says so.
if "$FEATC" build "$F" -o "$TMP/pq_bin" 2> "$TMP/build.err"; then
    expect_error "built binary: Parquet events" "Parquet events are read by featc" \
        "$TMP/pq_bin" replay --service visits --spine "$D/spine.csv" --out "$TMP/bad.csv" --events "clicks=$TMP/clicks.parquet"
else
    fail "featc build: $(tail -2 "$TMP/build.err")"
fi
finish parquet
