#!/usr/bin/env bash
# The main job on the embedded default: compile the fraud example and show what featc makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
ex=examples/fraud
echo "== featc check $ex/fraud.feat"
"$B/featc" check "$ex/fraud.feat" && echo "ok: valid"
echo "== the typed plan both back ends compile"
"$B/featc" check --dump=plan "$ex/fraud.feat" | head -40
