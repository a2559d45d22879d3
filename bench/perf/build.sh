#!/usr/bin/env bash
# build.sh - builds the ingest micro-benchmark against build/ (B=...) libraries: bench/perf/build.sh [B]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
make -s B="$B" "$B/libfeatc.a" "$B/libfeatrt.a"
mkdir -p "$B/perf"
LLVM_INC=$(llvm-config --includedir)
LLVM_LIBS=$(llvm-config --link-shared --ldflags --libs)
DUCKDB=third_party/duckdb
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
   -Wno-unused-parameter -Wvla \
   -Icompiler -Icompiler/llvm -Iruntime -I"$B/gen" -isystem "$LLVM_INC" \
   -o "$B/perf/perf_ingest" bench/perf/perf_ingest.c \
   "$B/libfeatc.a" "$B/libfeatrt.a" \
   -L"$(realpath $DUCKDB/lib)" -Wl,-rpath,"$(realpath $DUCKDB/lib)" -rdynamic \
   $LLVM_LIBS -lduckdb -lsqlite3 -lpq -lmicrohttpd -lyajl -lm -lpthread -ldl
echo "$B/perf/perf_ingest"
