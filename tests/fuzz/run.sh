#!/usr/bin/env bash
# run.sh SECONDS - builds the front-end fuzzer (clang, libFuzzer + ASan + UBSan) into build-fuzz/ and runs it.
# Seeds: the examples, the golden cases and earlier crashers; new crashers land in tests/fuzz/crashers/.
set -euo pipefail
secs=${1:-60}
cd "$(dirname "$0")/../.."
out=build-fuzz
mkdir -p "$out/gen" "$out/corpus" "$out/seeds" tests/fuzz/crashers
bison -Wall -Werror --defines="$out/gen/parser.h" -o "$out/gen/parser.c" grammar/parser.y
flex --header-file="$out/gen/lexer.h" -o "$out/gen/lexer.c" grammar/lexer.l
clang -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Icompiler -I"$out/gen" -o "$out/fuzz_parse" \
    tests/fuzz/fuzz_parse.c compiler/parse.c compiler/ast.c compiler/diag.c compiler/arena.c \
    compiler/sema.c compiler/sema_expr.c compiler/sema_view.c compiler/sema_service.c compiler/symtab.c \
    compiler/plan.c compiler/types.c \
    "$out/gen/parser.c" "$out/gen/lexer.c"
for f in examples/*/*.feat tests/golden/cases/*.feat tests/fuzz/crashers/*; do
    [[ -f $f ]] && cp "$f" "$out/seeds/$(echo "$f" | tr / _)"
done
# Earlier crashers must not crash any more.
for f in tests/fuzz/crashers/*; do
    [[ -f $f ]] || continue
    "$out/fuzz_parse" "$f" >/dev/null 2>&1 || { echo "crasher still fails: $f"; exit 1; }
done
exec "$out/fuzz_parse" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -dict=tests/fuzz/feat.dict -artifact_prefix=tests/fuzz/crashers/ -print_final_stats=1 \
    "$out/corpus" "$out/seeds"
