#!/usr/bin/env bash
# The README's second command, and what CI runs: build, run the unit tests (no services), then
# start real infrastructure (a 3-broker Apache Kafka cluster in KRaft mode, a throwaway
# PostgreSQL and a Redis, all on loopback) and run the integration tests against it and against the
# embedded defaults. Everything started here is stopped on exit, whatever happens.
#   ASYNCBENCH_TEST_SERVICES=none scripts/test.sh   # skip the real services (their tests skip)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
# An unformatted file fails the run before any test, so changes never conflict on whitespace.
scripts/check-format.sh

ctest --test-dir build --output-on-failure --timeout 600 -L unit -j 2
# Fuzz the scenario loader and the APIs' request parsing, ASYNCBENCH_FUZZ_SECONDS (30) per target.
scripts/fuzz.sh

work=$(mktemp -d -t asyncbench-test.XXXXXX)
# initdb runs as the postgres user, which must be able to enter this folder.
chmod 755 "$work"
# Stops whatever was started; a failure to stop one service must not skip the others.
cleanup() {
  if [ -f "$work/kafka/bootstrap.txt" ]; then scripts/kafka/stop.sh --dir "$work/kafka" || true; fi
  if [ -d "$work/postgres" ]; then scripts/postgres/stop.sh --dir "$work/postgres" || true; fi
  if [ -d "$work/redis" ]; then scripts/redis/stop.sh --dir "$work/redis" || true; fi
}
trap cleanup EXIT

if [ "${ASYNCBENCH_TEST_SERVICES:-all}" != "none" ]; then
  echo "test.sh: starting a 3-broker Apache Kafka cluster"
  ASYNCBENCH_TEST_KAFKA=$(scripts/kafka/start.sh --brokers 3 --dir "$work/kafka" | tail -n 1)
  echo "test.sh: starting PostgreSQL"
  ASYNCBENCH_TEST_POSTGRES=$(scripts/postgres/start.sh --dir "$work/postgres" | tail -n 1)
  echo "test.sh: starting Redis"
  ASYNCBENCH_TEST_REDIS=$(scripts/redis/start.sh --dir "$work/redis" | tail -n 1)
  # Broker-kill tests stop and restart nodes of this cluster through the same scripts.
  ASYNCBENCH_TEST_KAFKA_DIR="$work/kafka"
  export ASYNCBENCH_TEST_KAFKA ASYNCBENCH_TEST_KAFKA_DIR ASYNCBENCH_TEST_POSTGRES ASYNCBENCH_TEST_REDIS
  echo "test.sh: Kafka at $ASYNCBENCH_TEST_KAFKA, PostgreSQL at $ASYNCBENCH_TEST_POSTGRES," \
    "Redis at $ASYNCBENCH_TEST_REDIS"
  # The PostgreSQL store's and the Redis client's own tests need their servers.
  ctest --test-dir build --output-on-failure --timeout 600 -R "^(postgres_store_test|redis_client_test)\.|^backends/store_contract\..*/postgres" -j 1
fi

ctest --test-dir build --output-on-failure --timeout 900 -L integration -j 1 "$@"

# A 2-minute soak (1 minute measured per mode after 20 s of warm-up; README "Soak"): the
# harness's memory stays within its ledger, its threads and descriptors flat, both modes valid.
scripts/soak.sh --minutes 2 --warmup 20s --out "$work/soak"
