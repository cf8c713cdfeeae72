#!/usr/bin/env bash
# The README's first command: build, then run lp-report on the embedded defaults (in-process
# Kafka mock cluster, SQLite, mock LP system): no services, no Docker. Extra arguments go to
# `asyncbench run`, e.g. scripts/demo.sh --quick.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec build/asyncbench run scenarios/lp-report/lp-report.yaml "$@"
