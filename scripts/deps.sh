#!/usr/bin/env bash
# Installs everything featc needs to build and test: Debian packages and DuckDB from npm.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

packages=(build-essential flex bison llvm-dev clang libclang-rt-14-dev libcmocka-dev
          libsqlite3-dev libpq-dev postgresql libmicrohttpd-dev libyajl-dev librdkafka-dev libhiredis-dev
          wrk redis-server hyperfine python3)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# DuckDB: the shared library and its matching C header come from npm packages.
duck="$top/third_party/duckdb"
if [[ ! -f "$duck/lib/libduckdb.so" || ! -f "$duck/include/duckdb.h" ]]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent '@duckdb/node-bindings-linux-x64@1.4.4-r.4' >/dev/null \
               && npm pack --silent 'duckdb@1.4.4' >/dev/null)
    mkdir -p "$duck/lib" "$duck/include" "$tmp/bind" "$tmp/hdr"
    tar -xzf "$tmp"/duckdb-node-bindings-linux-x64-*.tgz -C "$tmp/bind"
    tar -xzf "$tmp"/duckdb-1.4.4.tgz -C "$tmp/hdr" package/src/duckdb/src/include/duckdb.h
    cp "$(find "$tmp/bind" -name libduckdb.so | head -1)" "$duck/lib/libduckdb.so"
    cp "$tmp/hdr/package/src/duckdb/src/include/duckdb.h" "$duck/include/duckdb.h"
fi
echo "deps: ok"
