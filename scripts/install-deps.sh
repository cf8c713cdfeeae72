#!/usr/bin/env bash
# Installs AsyncBench's build and test dependencies from Debian 12 packages. Idempotent: it
# installs only what is missing, so a second run is quick. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  libboost1.81-all-dev   # Asio and Beast (HTTP server and clients)
  libboost-json1.81-dev  # Boost.JSON is not pulled in by libboost1.81-all-dev on Debian 12
  librdkafka-dev         # Kafka client, and the mock cluster used as the embedded broker
  libyaml-cpp-dev        # scenario files
  libcli11-dev           # command line
  libspdlog-dev libfmt-dev
  libsqlite3-dev         # the embedded database
  libpq-dev              # the PostgreSQL store backend
  postgresql             # a throwaway server for tests and serious runs (scripts/postgres)
  openjdk-17-jre-headless maven  # Apache Kafka brokers, fetched from Maven Central (scripts/kafka)
  redis-server libhiredis-dev    # Redis for the scenarios that use it (scripts/redis)
  libgtest-dev           # unit and integration tests
  libbenchmark-dev       # benchmarks of the harness's own instruments
  clang libclang-rt-14-dev  # fuzz targets (scripts/fuzz.sh): clang-14 and its libFuzzer runtime
  clang-format-14        # the repo's format, checked by scripts/check-format.sh
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
