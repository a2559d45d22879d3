#!/usr/bin/env bash
# featc fmt: idempotent on every example, golden case and generated file; the plan and every
# comment survive; --check names what it would change; -w rewrites; a broken file is left alone.
set -u
FEATC=${FEATC:-build/featc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
comments() { grep -o "#.*" "$1" | sed 's/[[:space:]]*$//' | sort; }

files=(examples/*/*.feat tests/golden/cases/*.feat tests/e2e/shapes/*/*.feat)
for seed in 1 2 3 5 8 13 21 34; do
    python3 tests/parity/gen.py "$seed" "$tmp/gen$seed" >/dev/null && files+=("$tmp/gen$seed/case.feat")
done
checked=0
for f in "${files[@]}"; do
    "$FEATC" fmt "$f" >"$tmp/once.feat" 2>"$tmp/err" || {
        grep -q "has syntax errors" "$tmp/err" || fail "$f: fmt failed: $(head -3 "$tmp/err")"
        continue
    }
    "$FEATC" fmt "$tmp/once.feat" >"$tmp/twice.feat" 2>"$tmp/err" || { fail "$f: fmt of its output failed"; continue; }
    cmp -s "$tmp/once.feat" "$tmp/twice.feat" || { fail "$f: not idempotent"; diff "$tmp/once.feat" "$tmp/twice.feat" | head -5; }
    diff <(comments "$f") <(comments "$tmp/once.feat") >/dev/null || fail "$f: comments were lost or changed"
    if "$FEATC" check "$f" --dump=plan >"$tmp/plan1" 2>/dev/null; then
        "$FEATC" check "$tmp/once.feat" --dump=plan >"$tmp/plan2" 2>/dev/null || fail "$f: formatted file does not check"
        cmp -s "$tmp/plan1" "$tmp/plan2" || fail "$f: the plan changed"
    else
        "$FEATC" check "$f" 2>&1 >/dev/null | grep -c "error:" >"$tmp/n1"
        "$FEATC" check "$tmp/once.feat" 2>&1 >/dev/null | grep -c "error:" >"$tmp/n2"
        cmp -s "$tmp/n1" "$tmp/n2" || fail "$f: a different number of errors after formatting"
    fi
    checked=$((checked + 1))
done
((checked > 40)) || fail "only $checked files were formatted"

# --check names unformatted files and exits 1; -w rewrites them; then --check passes.
printf 'entity u (id: int)   # the key\nstream s {\n  id : int not null\n  ts:timestamp not null\n  lateness 1m\n  time ts\n}\n' >"$tmp/a.feat"
cp examples/fraud/fraud.feat "$tmp/b.feat"
"$FEATC" fmt -w "$tmp/b.feat" || fail "-w on the example"
out=$("$FEATC" fmt --check "$tmp/a.feat" "$tmp/b.feat"); rc=$?
[[ $rc == 1 && $out == *"$tmp/a.feat: not in the canonical layout"* && $out != *b.feat* ]] || fail "--check: rc $rc, output: $out"
"$FEATC" fmt -w "$tmp/a.feat" "$tmp/b.feat" || fail "-w failed"
"$FEATC" fmt --check "$tmp/a.feat" "$tmp/b.feat" >/dev/null || fail "--check after -w"
want=$'entity u (id: int)  # the key\n\nstream s {\n    id : int not null\n    ts : timestamp not null\n    time ts\n    lateness 1m\n}'
[[ $(cat "$tmp/a.feat") == "$want" ]] || { fail "-w result:"; cat "$tmp/a.feat"; }

# A file with a syntax error is reported and left untouched; usage errors exit 2.
printf 'stream s {\n  x : int\n  time = \n}\n' >"$tmp/bad.feat"
cp "$tmp/bad.feat" "$tmp/bad.orig"
"$FEATC" fmt -w "$tmp/bad.feat" 2>"$tmp/err"; rc=$?
[[ $rc == 1 ]] && grep -q "has syntax errors" "$tmp/err" && cmp -s "$tmp/bad.feat" "$tmp/bad.orig" || fail "bad file: rc $rc"
"$FEATC" fmt "$tmp/a.feat" "$tmp/b.feat" >/dev/null 2>&1; [[ $? == 2 ]] || fail "two files without a mode should be a usage error"
"$FEATC" fmt --check -w "$tmp/a.feat" >/dev/null 2>&1; [[ $? == 2 ]] || fail "--check with -w should be a usage error"
"$FEATC" fmt "$tmp/missing.feat" >/dev/null 2>&1; [[ $? == 2 ]] || fail "a missing file should exit 2"

echo "fmt: $checked files formatted, $fails failures"
((fails == 0))
