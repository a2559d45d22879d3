#!/usr/bin/env bash
# featc plan: held-out changes classified by meaning, in text and JSON, with the exit codes
# (0 nothing breaks, 3 something does, 1 invalid input, 2 usage).
set -u
FEATC=${FEATC:-build/featc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
old=examples/fraud/fraud.feat

# case NAME WANT_RC SED_SCRIPT PATTERN... : NEW = sed SED_SCRIPT OLD; the JSON output must hold
# every pattern (fixed strings) and the exit code be WANT_RC.
case_() {
    local name=$1 want=$2 script=$3; shift 3
    sed -e "$script" "$old" >"$tmp/$name.feat"
    cmp -s "$old" "$tmp/$name.feat" && { echo "FAIL $name: the edit changed nothing"; fails=$((fails + 1)); return; }
    out=$("$FEATC" plan "$old" "$tmp/$name.feat" --format json 2>&1); rc=$?
    local ok=1
    [[ $rc == "$want" ]] || ok=0
    for p in "$@"; do [[ $out == *"$p"* ]] || ok=0; done
    python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$out" 2>/dev/null || ok=0
    text=$("$FEATC" plan "$old" "$tmp/$name.feat" 2>&1); trc=$?
    [[ $trc == "$want" && $text == "featc plan: "* ]] || ok=0
    if ((ok)); then echo "ok   $name"; else
        echo "FAIL $name: rc $rc (want $want)"; echo "$out" | head -20 | sed 's/^/     | /'; fails=$((fails + 1)); fi
}

# format only: fmt's layout, a comment, a renamed let
"$FEATC" fmt "$old" >"$tmp/fmt.feat"
printf '\n# a trailing comment\n' >>"$tmp/fmt.feat"
out=$("$FEATC" plan "$old" "$tmp/fmt.feat"); rc=$?
[[ $rc == 0 && $out == *"no change in meaning"* ]] && echo "ok   format-only" || { echo "FAIL format-only: $rc $out"; fails=$((fails + 1)); }
case_ renamed-let 0 's/let big = /let large = /; s/where big$/where large/' '"changes": []' '"breaking": false'

case_ added-feature 0 's/^    last_txn_at      = last(ts)$/&\n    n_2d = count() over 2d/' \
    '"kind": "added", "object": "feature", "name": "card_velocity.n_2d", "breaking": false' \
    '"kind": "added", "object": "output", "name": "fraud_v1.card_velocity__n_2d", "breaking": false' '"breaking": false}'
case_ new-service 0 's/^service fraud_v1 (checkout) {$/service lite (checkout) {\n    card_profile.segment\n}\n\n&/' \
    '"kind": "added", "object": "service", "name": "lite", "breaking": false' '"breaking": false}'
case_ changed-window 3 's/txn_count_1h     = count() over 1h/txn_count_1h     = count() over 2h/' \
    '"name": "card_velocity.txn_count_1h", "breaking": true, "why": "window over 1h -> over 2h", "state": "rebuild"' \
    '"kind": "changed", "object": "output", "name": "fraud_v1.card_velocity__txn_count_1h", "breaking": true' \
    '"breaking": true}'
case_ changed-default 3 's/sum(amount) over 1h default 0/sum(amount) over 1h/' \
    '"why": "default 0 -> none", "state": "keep"' '"name": "fraud_v1.card_velocity__amount_sum_1h", "breaking": true'
case_ changed-on-demand 3 's/hour_of_day(now()) < 6/hour_of_day(now()) < 7/' \
    '"object": "on_demand", "name": "checkout_risk.night", "breaking": true, "why": "expression hour_of_day(now()) < 6 -> hour_of_day(now()) < 7"' \
    '"name": "fraud_v1.checkout_risk__night", "breaking": true'
case_ removed-output 3 '/^    merchant_risk.cards_1d$/d' \
    '"kind": "removed", "object": "output", "name": "fraud_v1.merchant_risk__cards_1d", "breaking": true'
case_ renamed-source-field 3 '/^stream transactions/,/^}/s/^    country     : string$/    country_code : string/; s/(country)/(country_code)/g' \
    '"kind": "removed", "object": "source", "name": "transactions.country"' \
    '"kind": "added", "object": "source", "name": "transactions.country_code"' \
    '"name": "card_velocity.last_country", "breaking": true, "why": "input country -> country_code"' \
    '"name": "card_velocity.countries_7d"'
case_ changed-lateness 3 's/lateness 30s/lateness 1m/' \
    '"kind": "changed", "object": "source", "name": "transactions", "breaking": true, "why": "lateness 30s -> lateness 1m"' \
    '"why": "source transactions: lateness 30s -> lateness 1m", "state": "rebuild"'
case_ new-not-null-field 3 's/^    channel     : string          # .*$/&\n    device      : string not null/' \
    '"kind": "added", "object": "source", "name": "transactions.device", "breaking": true' \
    '"why": "required fields card_id: string, merchant_id: string, ts: timestamp -> card_id: string, merchant_id: string, device: string, ts: timestamp"'
case_ service-keys 3 '/^    merchant_risk\./d' \
    '"kind": "changed", "object": "service", "name": "fraud_v1", "breaking": true, "why": "keys (card_id: string, merchant_id: string) -> (card_id: string)"'

# a derived key means its let's expression: renaming the let changes nothing, changing it does
d=tests/e2e/windows/derived/derived.feat
sed 's/let cell = geohash/let cell2 = geohash/; s/area(cell)/area(cell2)/' "$d" >"$tmp/d1.feat"
out=$("$FEATC" plan "$d" "$tmp/d1.feat"); rc=$?
[[ $rc == 0 && $out == *"no change in meaning"* ]] && echo "ok   derived-key-renamed" || {
    echo "FAIL derived-key-renamed: $rc $out"; fails=$((fails + 1)); }
sed 's/geohash(lat, lon, 5)/geohash(lat, lon, 6)/' "$d" >"$tmp/d2.feat"
out=$("$FEATC" plan "$d" "$tmp/d2.feat"); rc=$?
[[ $rc == 3 && $out == *"changed feature by_cell.visits_1h: key area("*"5:int"*"-> area("*"6:int"* ]] &&
    echo "ok   derived-key-changed" || { echo "FAIL derived-key-changed: $rc $out"; fails=$((fails + 1)); }

# --allow-breaking: the CI owner decides
sed 's/over 10m/over 15m/' "$old" >"$tmp/b.feat"
"$FEATC" plan "$old" "$tmp/b.feat" --allow-breaking >/dev/null; rc=$?
[[ $rc == 0 ]] && echo "ok   allow-breaking" || { echo "FAIL allow-breaking: rc $rc"; fails=$((fails + 1)); }

# bad input: an invalid file on either side (1), a missing file, a missing argument, a bad option (2)
printf 'stream s {\n  x : int\n}\n' >"$tmp/bad.feat"
for args in "$old $tmp/bad.feat:1" "$tmp/bad.feat $old:1" "$old $tmp/missing.feat:2" "$old:2" \
            "$old $old --format yaml:2" "$old $old --bogus:2" "$old $old $old:2"; do
    a=${args%:*}; want=${args##*:}
    # shellcheck disable=SC2086
    "$FEATC" plan $a >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [[ $rc == "$want" && -s $tmp/err ]]; then echo "ok   bad: $a"; else
        echo "FAIL bad input '$a': rc $rc (want $want)"; fails=$((fails + 1)); fi
done

echo "plan: $fails failures"
((fails == 0))
