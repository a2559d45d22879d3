#!/usr/bin/env bash
# run-one.sh BUILD NAME - runs one test: a unit test (test_x), a golden case (its .expected is
# compared and the diff shown) or an end-to-end script (tests/e2e/NAME.sh).
set -u
B=$1 name=$2
if [[ -f tests/unit/$name.c ]]; then
    make -s B="$B" "$B/tests/$name" && exec "$B/tests/$name"
elif [[ -f tests/golden/cases/$name.feat ]]; then
    case=tests/golden/cases/$name.feat
    got=$("$B/featc" check "$case" 2>&1 >/dev/null); rc=$?
    if [[ $rc == 1 ]] && diff -u "${case%.feat}.expected" <(printf '%s\n' "$got"); then echo "ok $name"; exit 0; fi
    echo "FAIL $name (exit $rc; the diff above is expected vs got)"; exit 1
elif [[ -f tests/e2e/$name.sh ]]; then
    FEATC=$B/featc B=$B exec bash "tests/e2e/$name.sh"
else
    echo "no unit test, golden case or e2e script named '$name'" >&2
    exit 2
fi
