#!/usr/bin/env bash
# Backfills every example service and the query-shape edge cases on DuckDB, SQLite and
# PostgreSQL and checks the output against the brute-force reference (tests/e2e/featref.py).
source "$(dirname "$0")/backfill_lib.inc"
setup_dbs
for feat in examples/*/*.feat tests/e2e/shapes/edge.feat tests/e2e/shapes/window/window.feat; do
    run_feat "$feat"
done
finish backfill_examples
