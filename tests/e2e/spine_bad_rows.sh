#!/usr/bin/env bash
# A spine with every kind of bad row through `featc replay` and `featc backfill` on DuckDB,
# SQLite and PostgreSQL: the same rows answered, the same rows skipped and reported, and
# `featc parity` content when only the skipped rows are bad.
source "$(dirname "$0")/backfill_lib.inc"
setup_dbs
FEATC=$(realpath "$FEATC")
d=$TMP/spine
mkdir -p "$d"

cat >"$d/t.feat" <<'FEAT'
entity user (uid: int)
entity shop (sid: string)
stream orders {
    uid    : int not null
    sid    : string not null
    amount : int
    ts     : timestamp not null
    time ts
    lateness 1h
}
request checkout {
    uid : int not null
    x   : float
    tag : string not null
}
features by_user on orders by user {
    n     = count() over 1d
    total = sum(amount) over 1d default 0
}
features by_shop on orders by shop {
    n = count() over 1d
}
on_demand od (checkout, by_user) {
    x2      = checkout.x * 2.0
    tag_len = length(checkout.tag)
    spend   = by_user.total + 1
}
service svc (checkout) {
    by_user.*
    by_shop.*
    od.*
}
FEAT

cat >"$d/orders.csv" <<'CSV'
uid,sid,amount,ts
2,s2,7,2026-01-01T00:10:00Z
3,s2,1,2026-01-01T00:20:00Z
1,s1,10,2026-01-01T00:30:00Z
1,s1,5,2026-01-01T01:30:00Z
CSV

# Lines 2, 3, 4-5 and 15 are answered; every other row is skipped. Line 3 has a null in a
# nullable request field, line 4 a null key that is no request field and an empty string
# in a not null one, line 15 extra columns carried through.
cat >"$d/spine.csv" <<'CSV'
uid,sid,ts,x,tag,label,note
1,s1,2026-01-01T01:00:00Z,1.5,t,a,plain
1,s1,2026-01-01T02:00:00Z,,t,b,"x null, kept"
2,,2026-01-01T02:00:00Z,0.25,"",c,"quoted ""note"", with
a line break"
1,s1,,1,t,d,empty ts
1,s1,noon,1,t,e,bad ts
one,s1,2026-01-01T03:00:00Z,1,t,f,key does not convert
1,s1,2026-01-01T03:00:00Z,1,,g,empty not null tag
,s1,2026-01-01T03:00:00Z,1,t,h,empty not null uid
1,s1,2026-01-01T03:00:00Z,1,t,i
1,s1,2026-01-01T03:00:00Z,1,t,j,k,extra
1,s"1,2026-01-01T03:00:00Z,1,t,k,malformed
1,s1,2026-01-01T03:00:00Z,abc,t,l,bad float
3,s2,1767232800,2,t,m,epoch seconds
CSV

want_out='uid,sid,ts,x,tag,label,note,by_user__n,by_user__total,by_shop__n,od__x2,od__tag_len,od__spend
1,s1,2026-01-01T01:00:00Z,1.5,t,a,plain,1,10,1,3,1,11
1,s1,2026-01-01T02:00:00Z,,t,b,"x null, kept",2,15,2,,1,16
2,,2026-01-01T02:00:00Z,0.25,"",c,"quoted ""note"", with
a line break",1,7,0,0.5,0,8
3,s2,1767232800,2,t,m,epoch seconds,1,1,2,4,1,2'

want_report="S:6: skipped spine row: column 'ts': the query time is empty
S:7: skipped spine row: column 'ts': expected timestamp: \"noon\"
S:8: skipped spine row: column 'uid': expected int: \"one\"
S:9: skipped spine row: column 'tag': null in a not null field
S:10: skipped spine row: column 'uid': null in a not null field
S:11: skipped spine row: 6 fields where the header has 7
S:12: skipped spine row: 8 fields where the header has 7
S:13: skipped spine row: quote in an unquoted field (column 2)
S:14: skipped spine row: column 'x': expected float: \"abc\""

# The skip reports of a run's stderr, the spine's path written as S.
reports() { grep -F 'skipped spine row' "$1" | sed "s#^$d/spine.csv:#S:#"; }

# check_run NAME OUT ERR: the output and the skip reports are the expected ones.
check_run() {
    local name=$1 out=$2 err=$3
    if [[ $(cat "$out") != "$want_out" ]]; then
        fail "$name: output differs"; diff <(echo "$want_out") "$out" | head -20; return
    fi
    if [[ $(reports "$err") != "$want_report" ]]; then
        fail "$name: skip reports differ"; diff <(echo "$want_report") <(reports "$err") | head -20; return
    fi
    grep -qF '9 bad spine rows skipped' "$err" || { fail "$name: no count of the skipped rows"; return; }
    pass
}

ev=(--events "orders=$d/orders.csv")
if "$FEATC" replay "$d/t.feat" --service svc --spine "$d/spine.csv" --out "$d/replay.csv" "${ev[@]}" \
        --rejects "$d/rej.txt" 2>"$d/replay.err"; then
    check_run replay "$d/replay.csv" "$d/replay.err"
else
    fail "replay failed: $(tail -3 "$d/replay.err")"
fi
for db in "${DBS[@]}"; do
    label=$(db_label "$db")
    for shape in simple auto; do
        rm -f "$d/backfill.csv"
        if "$FEATC" backfill "$d/t.feat" --service svc --spine "$d/spine.csv" --out "$d/backfill.csv" \
                ${db:+--db "$db"} --shape "$shape" "${ev[@]}" --rejects "$d/rej.txt" 2>"$d/backfill.err"; then
            check_run "backfill on $label ($shape)" "$d/backfill.csv" "$d/backfill.err"
            cmp -s "$d/replay.csv" "$d/backfill.csv" || fail "backfill on $label ($shape): not byte for byte replay's"
        else
            fail "backfill on $label ($shape) failed: $(tail -3 "$d/backfill.err")"
        fi
    done
done

# featc parity reads the spine through the same reader, so every bad row, the malformed ones
# included, is left out alike: parity agrees on the whole spine.
cp "$d/spine.csv" "$d/values.csv"
for db in "${DBS[@]}"; do
    label=$(db_label "$db")
    if "$FEATC" parity "$d/t.feat" --service svc --spine "$d/values.csv" "${ev[@]}" ${db:+--db "$db"} \
            --workdir "$d/parity" >"$d/parity.out" 2>&1; then
        if grep -qF 'parity: OK: 4 rows x 6 features agree' "$d/parity.out"; then pass; else
            fail "parity on $label: no OK verdict for 4 rows"; tail -5 "$d/parity.out"; fi
    else
        fail "parity on $label failed"; tail -15 "$d/parity.out"
    fi
done
finish spine_bad_rows
