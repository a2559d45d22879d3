#!/usr/bin/env bash
# Backfills every example service on DuckDB, SQLite and PostgreSQL and checks the output
# against the brute-force reference (tests/e2e/featref.py).
source "$(dirname "$0")/backfill_lib.inc"
setup_dbs
for feat in examples/*/*.feat; do
    run_feat "$feat"
done
finish backfill_examples
