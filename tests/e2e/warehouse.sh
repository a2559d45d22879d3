#!/usr/bin/env bash
# Warehouse tables as they are: sources whose time is a DuckDB TIMESTAMP / TIMESTAMP WITH TIME
# ZONE, a PostgreSQL timestamp / timestamptz or SQLite INTEGER microseconds; a spine table
# (--spine table:NAME) and a result table (--out table:NAME). The answers are those of the
# JSON Lines files; missing tables and unreadable columns are clear errors.
source "$(dirname "$0")/backfill_lib.inc"
setup_dbs
B=${B:-build}
make -s B="$B" "$B/tools/duckdb_sql" >/dev/null || { echo "FAIL: cannot build $B/tools/duckdb_sql"; exit 1; }
DUCK=$B/tools/duckdb_sql
D=tests/e2e/parquet
F=$D/pq.feat
EV=(--events "clicks=$D/clicks.jsonl" --events "profiles=$D/profiles.jsonl")

# The reference: the JSON Lines files loaded by featc, on the embedded DuckDB.
"$FEATC" backfill "$F" --service visits --spine "$D/spine.csv" --out "$TMP/ref.csv" "${EV[@]}" --rejects "$TMP/ref.rejects" \
    2> "$TMP/ref.err" || { fail "reference backfill: $(cat "$TMP/ref.err")"; finish warehouse; exit 1; }
# A table spine is answered in the order of ts and keys: compare the key and the features of
# each row, whatever the order.
answers() { cut -d, -f1,5- "$1" | tail -n +2 | LC_ALL=C sort; }

# The same rows as the JSON Lines files hold, as CSV for any database: times as UTC text.
CLICK_COLS="{user_id: 'VARCHAR', amount: 'DOUBLE', n: 'BIGINT', kind: 'VARCHAR', ok: 'BOOLEAN', \"at\": 'VARCHAR'}"
"$DUCK" "SET TimeZone = 'UTC'" \
    "COPY (SELECT user_id, amount, n, kind, ok, CAST(CAST(\"at\" AS TIMESTAMPTZ) AS TIMESTAMP) AS \"at\"
           FROM read_json('$D/clicks.jsonl', columns = $CLICK_COLS)) TO '$TMP/clicks.csv' (FORMAT CSV, HEADER)" \
    "COPY (SELECT user_id, tier, CAST(CAST(since AS TIMESTAMPTZ) AS TIMESTAMP) AS since FROM read_json('$D/profiles.jsonl',
           columns = {user_id: 'VARCHAR', tier: 'VARCHAR', since: 'VARCHAR'})) TO '$TMP/profiles.csv' (FORMAT CSV, HEADER)" \
    "COPY (SELECT user_id, CAST(CAST(ts AS TIMESTAMPTZ) AS TIMESTAMP) AS ts, spend, label FROM read_csv('$D/spine.csv',
           columns = {user_id: 'VARCHAR', ts: 'VARCHAR', spend: 'DOUBLE', label: 'INTEGER'}, header = true))
           TO '$TMP/spine_rows.csv' (FORMAT CSV, HEADER)" || { fail "cannot write the table rows"; finish warehouse; exit 1; }

# DuckDB: TIMESTAMP and TIMESTAMP WITH TIME ZONE columns, written in another session zone.
DUCKDB_FILE=$TMP/wh.duckdb
"$DUCK" --db "$DUCKDB_FILE" "SET TimeZone = 'Asia/Kolkata'" \
    "CREATE TABLE pq_clicks AS SELECT * REPLACE (CAST(\"at\" AS TIMESTAMP) AS \"at\") FROM read_csv('$TMP/clicks.csv', header = true, all_varchar = true, allow_quoted_nulls = false)" \
    "ALTER TABLE pq_clicks ALTER amount TYPE DOUBLE; ALTER TABLE pq_clicks ALTER n TYPE BIGINT; ALTER TABLE pq_clicks ALTER ok TYPE BOOLEAN" \
    "CREATE TABLE pq_profiles AS SELECT user_id, tier, CAST(since || '+00' AS TIMESTAMPTZ) AS since FROM read_csv('$TMP/profiles.csv', header = true, all_varchar = true)" \
    "CREATE TABLE visits_spine AS SELECT user_id, CAST(ts AS TIMESTAMP) AS ts, CAST(spend AS DOUBLE) AS spend, CAST(label AS INTEGER) AS label
     FROM read_csv('$TMP/spine_rows.csv', header = true, all_varchar = true)" || fail "cannot make the DuckDB tables"

# PostgreSQL: timestamptz events, a timestamp (without time zone) table, a timestamptz spine.
PG_URL=""
for db in "${DBS[@]}"; do [[ $db == postgres* ]] && PG_URL=$db; done
if [[ -n $PG_URL ]]; then
    psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" > "$TMP/psql.err" 2>&1 <<EOF || fail "cannot make the PostgreSQL tables: $(cat "$TMP/psql.err")"
SET TimeZone = 'America/Los_Angeles';
CREATE TABLE pq_clicks (user_id text, amount double precision, n bigint, kind text, ok boolean, at timestamptz);
CREATE TABLE pq_profiles (user_id text, tier text, since timestamp);
CREATE TABLE visits_spine (user_id text, ts timestamptz, spend double precision, label integer);
CREATE TEMP TABLE clicks_raw (user_id text, amount double precision, n bigint, kind text, ok boolean, at text);
\copy clicks_raw FROM '$TMP/clicks.csv' CSV HEADER
INSERT INTO pq_clicks SELECT user_id, amount, n, kind, ok, (at || '+00')::timestamptz FROM clicks_raw;
\copy pq_profiles FROM '$TMP/profiles.csv' CSV HEADER
CREATE TEMP TABLE spine_raw (user_id text, ts text, spend double precision, label integer);
\copy spine_raw FROM '$TMP/spine_rows.csv' CSV HEADER
INSERT INTO visits_spine SELECT user_id, (ts || '+00')::timestamptz, spend, label FROM spine_raw;
EOF
fi

# SQLite: INTEGER microseconds, as featc itself loads them; a spine table of the same kind.
SQLITE_DB=""
for db in "${DBS[@]}"; do [[ $db == sqlite:* ]] && SQLITE_DB=$db; done
"$FEATC" backfill "$F" --service visits --spine "$D/spine.csv" --out "$TMP/load.csv" --db "$SQLITE_DB" "${EV[@]}" 2> /dev/null \
    || fail "cannot load the SQLite tables"
sqlite3 "${SQLITE_DB#sqlite:}" "CREATE TABLE visits_spine (user_id TEXT, ts INTEGER, spend REAL, label INTEGER);
    INSERT INTO visits_spine VALUES ('u1', 1772439120000000, 20.0, 1), ('u2', 1772440260000000, 5.5, 0),
      ('u3', 1772443800000000, NULL, 1), ('u1', 1772442900000000, 100, 0), ('u4', 1772442900000000, 1.5, 0),
      ('u2', 1772445600000000, 8.25, 1), ('u1', 1772440200000000, 3, 0), ('u2', 1772521200000000, 2, 0);" \
    || fail "cannot make the SQLite spine table"

for db in "duckdb:$DUCKDB_FILE" "$SQLITE_DB" ${PG_URL:+"$PG_URL"}; do
    label=$(db_label "$db"); [[ $db == duckdb:* ]] && label=duckdb
    run() { "$FEATC" backfill "$F" --service visits --db "$db" "$@" 2> "$TMP/$label.err"; }
    # events from the tables as they are, the spine from a file
    if run --spine "$D/spine.csv" --out "$TMP/$label-tables.csv" && cmp -s "$TMP/ref.csv" "$TMP/$label-tables.csv"; then pass; else
        fail "$label: tables as they are: $(tail -2 "$TMP/$label.err")"; diff "$TMP/ref.csv" "$TMP/$label-tables.csv" 2>/dev/null | head -5
    fi
    # a spine table, the result as CSV, Parquet and a table
    if run --spine table:visits_spine --out "$TMP/$label-spine.csv" && cmp -s <(answers "$TMP/ref.csv") <(answers "$TMP/$label-spine.csv"); then pass; else
        fail "$label: spine table: $(tail -2 "$TMP/$label.err")"; diff <(answers "$TMP/ref.csv") <(answers "$TMP/$label-spine.csv") 2>/dev/null | head -5
    fi
    if run --spine table:visits_spine --out "$TMP/$label-spine.parquet"; then pass; else fail "$label: spine table to Parquet: $(tail -2 "$TMP/$label.err")"; fi
    if run --spine table:visits_spine --out table:visits_features && run --spine "$D/spine.csv" --out table:visits_features_csv; then pass; else
        fail "$label: result table: $(tail -2 "$TMP/$label.err")"
    fi
    # the result table read back: the features of the JSON Lines run
    case $label in
    duckdb)
        "$DUCK" --db "$DUCKDB_FILE" "COPY (SELECT * FROM visits_features) TO '$TMP/back.csv' (FORMAT CSV, HEADER)" \
            "COPY (SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = 'visits_features'
                   ORDER BY ordinal_position) TO '$TMP/types.txt' (FORMAT CSV, HEADER false)"
        back_ts="2026-03-02 08:12:00" ;;
    sqlite)
        sqlite3 -csv -header "${SQLITE_DB#sqlite:}" "SELECT * FROM visits_features" > "$TMP/back.csv"
        sqlite3 "${SQLITE_DB#sqlite:}" "SELECT name || ' ' || type FROM pragma_table_info('visits_features')" > "$TMP/types.txt"
        back_ts="1772439120000000" ;;
    postgres)
        psql -X -q "$PG_URL" -c "\copy (SELECT * FROM visits_features) TO '$TMP/back.csv' CSV HEADER"
        psql -X -q -A -t "$PG_URL" -c "SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = 'visits_features'::regclass AND attnum > 0 ORDER BY attnum" > "$TMP/types.txt"
        back_ts="2026-03-02 08:12:00+00" ;;
    esac
    if grep -q "^u1,$back_ts,20\(\.0\)\?,1,3,12.6,9007199254741003,3,4.2,10.5,buy," "$TMP/back.csv"; then pass; else
        fail "$label: result table rows: $(head -3 "$TMP/back.csv")"
    fi
    want_ts=$(case $label in duckdb) echo TIMESTAMP ;; sqlite) echo INT ;; postgres) echo "timestamp with time zone" ;; esac)
    want_int=$(case $label in duckdb) echo BIGINT ;; sqlite) echo INT ;; postgres) echo bigint ;; esac)
    if grep -qx "activity__last_at $want_ts" "$TMP/types.txt" && grep -qx "activity__clicks_1h $want_int" "$TMP/types.txt" \
        && grep -qx "label \(INTEGER\|INT\|integer\)" "$TMP/types.txt"; then pass; else
        fail "$label: result table types: $(tr '\n' ';' < "$TMP/types.txt")"
    fi
    # bad input: no such table, a spine table without ts, a column that cannot hold a time
    if run --spine table:no_such_spine --out "$TMP/bad.csv"; then fail "$label: missing spine table accepted"
    elif grep -q 'table "no_such_spine" not found' "$TMP/$label.err"; then pass; else fail "$label: $(cat "$TMP/$label.err")"; fi
    if run --spine table:pq_profiles --out "$TMP/bad.csv"; then fail "$label: spine table without ts accepted"
    elif grep -q 'the spine table "pq_profiles" has no column "ts"' "$TMP/$label.err"; then pass; else fail "$label: $(cat "$TMP/$label.err")"; fi
done

# Unreadable time columns and missing tables name the table and column.
"$DUCK" --db "$DUCKDB_FILE" "ALTER TABLE pq_profiles ALTER since TYPE DATE" "DROP TABLE pq_clicks"
"$FEATC" backfill "$F" --service visits --db "duckdb:$DUCKDB_FILE" --spine "$D/spine.csv" --out "$TMP/bad.csv" 2> "$TMP/bad.err"
if grep -q "source 'clicks' (no --events given): table \"pq_clicks\" not found" "$TMP/bad.err"; then pass; else fail "missing table: $(cat "$TMP/bad.err")"; fi
"$FEATC" backfill "$F" --service visits --db "duckdb:$DUCKDB_FILE" --spine "$D/spine.csv" --out "$TMP/bad.csv" \
    --events "clicks=$D/clicks.jsonl" 2> "$TMP/bad.err"
if grep -q 'column "since" of table "pq_profiles" is DATE, which cannot hold a timestamp' "$TMP/bad.err"; then pass; else
    fail "DATE column: $(cat "$TMP/bad.err")"
fi
if [[ -n $PG_URL ]]; then
    psql -X -q "$PG_URL" -c "ALTER TABLE pq_clicks ALTER at TYPE text"
    "$FEATC" backfill "$F" --service visits --db "$PG_URL" --spine "$D/spine.csv" --out "$TMP/bad.csv" 2> "$TMP/bad.err"
    if grep -q 'column "at" of table "pq_clicks" is text, which cannot hold a timestamp (timestamps are read from timestamp, timestamptz' "$TMP/bad.err"; then pass; else
        fail "text time column: $(cat "$TMP/bad.err")"
    fi
fi
finish warehouse
