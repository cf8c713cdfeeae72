#!/usr/bin/env bash
# Configures and builds AsyncBench into build/ (Release with debug info). Used by the README's
# commands and by CI; safe to re-run (incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# Two parallel jobs: Beast translation units take over 1 GiB each to compile.
cmake --build build -j "${ASYNCBENCH_BUILD_JOBS:-2}"
