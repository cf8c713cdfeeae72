#!/usr/bin/env bash
# The README's second command, and what CI runs: build, run the unit tests (no services), then
# start real infrastructure (a 3-broker Apache Kafka cluster in KRaft mode and a throwaway
# PostgreSQL, both on loopback) and run the integration tests against it and against the
# embedded defaults. Everything started here is stopped on exit, whatever happens.
#   ASYNCBENCH_TEST_SERVICES=none scripts/test.sh   # skip the real services (their tests skip)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

ctest --test-dir build --output-on-failure --timeout 600 -L unit -j 2

work=$(mktemp -d -t asyncbench-test.XXXXXX)
cleanup() {
  [ -f "$work/kafka/bootstrap.txt" ] && scripts/kafka/stop.sh --dir "$work/kafka" || true
  [ -d "$work/postgres" ] && scripts/postgres/stop.sh --dir "$work/postgres" || true
}
trap cleanup EXIT

if [ "${ASYNCBENCH_TEST_SERVICES:-all}" != "none" ]; then
  echo "test.sh: starting a 3-broker Apache Kafka cluster"
  ASYNCBENCH_TEST_KAFKA=$(scripts/kafka/start.sh --brokers 3 --dir "$work/kafka" | tail -n 1)
  echo "test.sh: starting PostgreSQL"
  ASYNCBENCH_TEST_POSTGRES=$(scripts/postgres/start.sh --dir "$work/postgres" | tail -n 1)
  export ASYNCBENCH_TEST_KAFKA ASYNCBENCH_TEST_POSTGRES
  echo "test.sh: Kafka at $ASYNCBENCH_TEST_KAFKA, PostgreSQL at $ASYNCBENCH_TEST_POSTGRES"
  # The PostgreSQL store's own tests need the server too.
  ctest --test-dir build --output-on-failure --timeout 600 -R postgres -j 1
fi

ctest --test-dir build --output-on-failure --timeout 900 -L integration -j 1 "$@"
