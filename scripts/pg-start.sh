#!/usr/bin/env bash
# Starts (or reuses) a throw-away PostgreSQL server on loopback for the tests; prints its URI.
# The data directory lives under /tmp, owned by the postgres user (initdb refuses root).
set -euo pipefail
port=${FEATC_PG_PORT:-54329}
data=${FEATC_PG_DATA:-/tmp/featc-pgdata-$port}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $bin/initdb ]] || { echo "pg-start: PostgreSQL server binaries not found (make deps)" >&2; exit 1; }
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
uri="postgresql://postgres@127.0.0.1:$port/postgres"
if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "$uri"; exit 0
fi
if [[ ! -f $data/PG_VERSION ]]; then
    rm -rf "$data"; mkdir -p "$data"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$data"
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
fi
as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
echo "$uri"
