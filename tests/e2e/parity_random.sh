#!/usr/bin/env bash
# Differential test: generated feature files must pass featc check, and featc parity must find
# the replay and backfill paths in agreement on DuckDB, SQLite and PostgreSQL for fixed seeds.
# PARITY_SEEDS overrides the seeds (ranges like 1-40 allowed); tests/parity/soak.sh runs many more.
set -u
FEATC=${FEATC:-build/featc}
cd "$(dirname "$0")/../.."
python3 tests/parity/run.py -q --check-only --featc "$FEATC" 1-150 || exit 1
if ! "$FEATC" --help 2>&1 | grep -q "featc backfill" || ! "$FEATC" --help 2>&1 | grep -q "featc replay"; then
    echo "parity_random: featc has no replay or backfill command; only featc check was tested"
    exit 0
fi
seeds=${PARITY_SEEDS:-1-12}
python3 tests/parity/run.py -q --featc "$FEATC" --db duckdb,sqlite,pg --pg-db featc_parity \
    --out "${B:-build}/parity-failures" --timeout 300 $seeds
