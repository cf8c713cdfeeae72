#!/usr/bin/env bash
# The README's second command, and what CI runs: build, then every test (unit, then
# integration runs of each scenario in both modes on the embedded defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 600 -j 1 "$@"
