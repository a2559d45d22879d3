#!/usr/bin/env bash
# Golden diagnostics: each tests/golden/cases/NAME.feat must make `featc check` exit 1 and print
# exactly NAME.expected on stderr. The examples must check clean. UPDATE=1 rewrites expectations.
# --format json and github must carry the same errors and locations (formats.py).
set -u
featc=${1:-build/featc}
pass=0; fail=0
for f in tests/golden/cases/*.feat; do
    [[ -e $f ]] || continue
    exp=${f%.feat}.expected
    got=$("$featc" check "$f" 2>&1 >/dev/null); rc=$?
    if [[ ${UPDATE:-} == 1 ]]; then printf '%s\n' "$got" > "$exp"; fi
    if [[ $rc != 1 ]]; then
        echo "FAIL $f: exit $rc, expected 1"; fail=$((fail + 1)); continue
    fi
    if [[ ! -f $exp ]] || ! diff -u "$exp" <(printf '%s\n' "$got") > /tmp/golden.diff.$$; then
        echo "FAIL $f: diagnostics differ"; cat /tmp/golden.diff.$$ 2>/dev/null | head -40; fail=$((fail + 1)); continue
    fi
    pass=$((pass + 1))
done
rm -f /tmp/golden.diff.$$
for f in examples/*/*.feat; do
    if "$featc" check "$f" >/dev/null 2>/tmp/golden.err.$$; then pass=$((pass + 1)); else
        echo "FAIL $f: example does not check clean"; cat /tmp/golden.err.$$; fail=$((fail + 1)); fi
done
rm -f /tmp/golden.err.$$
# The machine formats report what the text form reports, at the same places.
if python3 tests/golden/formats.py "$featc" tests/golden/cases/*.feat examples/*/*.feat; then pass=$((pass + 1)); else
    fail=$((fail + 1)); fi
echo "golden: $pass passed, $fail failed"
((fail == 0))
