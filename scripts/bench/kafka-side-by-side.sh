#!/usr/bin/env bash
# The async API's accept latency next to Kafka's own producer tool, on the same real cluster,
# in the same minutes: is the pipeline's cost Kafka's, or the harness's?
#
#   scripts/bench/kafka-side-by-side.sh [--rate N] [--seconds S] [--dir DIR]
#
# Starts a 3-broker Kafka 3.9.1 (scripts/kafka/start.sh, base port 29092 so it never meets
# the one scripts/test.sh starts), warms it up, then runs in turn:
#   1. Kafka's ProducerPerformance: RATE msg/s of 200 bytes to a 64-partition topic, acks=all,
#      idempotent, linger.ms=5 (lp-report's producer settings);
#   2. asyncbench run lp-report --mode async at RATE/s (64 consumers, key_ordered; a 30 s
#      warm-up, see below);
#   3. the same with async.consumer_model: per_partition (64 Kafka clients);
#   4. ProducerPerformance again.
# and prints a Markdown table: accept p50/p99 of each, with the producer tool's median of its
# two runs, the ratios, and the harness's peak threads. Not run by CI (it takes ~6 minutes and
# wants the machine to itself). Needs build/asyncbench (scripts/build.sh) and a JDK.
set -euo pipefail

rate=200
seconds=60
dir=""
while (($#)); do
    case $1 in
        --rate) rate=${2:?--rate needs messages per second}; shift 2 ;;
        --seconds) seconds=${2:?--seconds needs a duration in seconds}; shift 2 ;;
        --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
        -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "kafka-side-by-side.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ $rate =~ ^[0-9]+$ && $rate -gt 0 ]] || { echo "--rate must be a whole number > 0" >&2; exit 2; }
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 10 ]] || { echo "--seconds must be >= 10" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[[ -x build/asyncbench ]] || { echo "no build/asyncbench: run scripts/build.sh first" >&2; exit 2; }
command -v java >/dev/null || { echo "no java: run scripts/install-deps.sh" >&2; exit 2; }
[[ -n $dir ]] || dir="$(mktemp -d "${TMPDIR:-/tmp}/kafka-side-by-side.XXXXXX")"
mkdir -p "$dir"
say() { echo "kafka-side-by-side: $*" >&2; }

libs=$(scripts/kafka/fetch.sh | tail -n 1)
bootstrap=$(scripts/kafka/start.sh --brokers 3 --dir "$dir/kafka" --base-port 29092 | tail -n 1)
trap 'scripts/kafka/stop.sh --dir "$dir/kafka" >/dev/null 2>&1 || true' EXIT
tool=(java -Xmx256m -cp "$libs/*")
topic=side-by-side
"${tool[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create \
    --if-not-exists --topic "$topic" --partitions 64 --replication-factor 3 \
    --config min.insync.replicas=2 >/dev/null

# One ProducerPerformance run of SECONDS; prints "p50 p99" in ms from its summary line
# ("N records sent, ..., 21 ms 50th, 99 ms 95th, 286 ms 99th, 286 ms 99.9th.").
perf() {
    local records=$((rate * $1))
    "${tool[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$topic" \
        --num-records "$records" --record-size 200 --throughput "$rate" \
        --producer-props bootstrap.servers="$bootstrap" acks=all enable.idempotence=true \
        linger.ms=5 2>/dev/null | tail -n 1 | tee -a "$dir/perf.log" |
        sed -E 's/.* ([0-9.]+) ms 50th, [0-9.]+ ms 95th, ([0-9.]+) ms 99th.*/\1 \2/'
}

# asyncbench's async run; prints "p50 p99 threads" (2xx accept latency in ms, peak threads
# of the harness process).
asyncbench_run() {
    local name=$1 file=$2
    build/asyncbench run "$file" --mode async --kafka "$bootstrap" --rate "${rate}/s" \
        --duration "${seconds}s" --out "$dir/$name" >"$dir/$name.log" 2>&1 || true
    python3 - "$dir/$name/result.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["modes"]["async"]
lat = m["api_latency_2xx_us"]
threads = max((p["peak_threads"] for p in m.get("cost", []) if p["part"] == "harness process"), default=0)
print(f"{lat['p50'] / 1000:.1f} {lat['p99'] / 1000:.1f} {threads}")
PY
}

say "cluster at $bootstrap; warming up ($((seconds / 3)) s)"
perf $((seconds / 3)) >/dev/null
say "ProducerPerformance, before"
read -r before50 before99 < <(perf "$seconds")
# lp-report as shipped but for a 30 s warm-up: on a 2-core machine shared with three broker
# JVMs, the first ~20 s after a run's consumers join showed accept p99s of several seconds in
# both models (then ~50 ms): a start-up transient, not the steady cost this table compares.
for model in key_ordered per_partition; do
    cat >"$dir/lp-report-$model.yaml" <<YAML
extends: $root/scenarios/lp-report/lp-report.yaml
name: lp-report-${model//_/-}
load: {warmup: 30s}
async: {consumer_model: $model}
YAML
done
say "asyncbench lp-report --mode async (key_ordered)"
read -r ko50 ko99 ko_threads < <(asyncbench_run key-ordered "$dir/lp-report-key_ordered.yaml")
say "asyncbench lp-report --mode async (per_partition)"
read -r pp50 pp99 pp_threads < <(asyncbench_run per-partition "$dir/lp-report-per_partition.yaml")
say "ProducerPerformance, after"
read -r after50 after99 < <(perf "$seconds")

python3 - "$before50" "$before99" "$after50" "$after99" "$ko50" "$ko99" "$ko_threads" \
    "$pp50" "$pp99" "$pp_threads" "$rate" "$seconds" <<'PY'
import sys, datetime, platform, os
b50, b99, a50, a99, k50, k99, kt, p50, p99, pt = map(float, sys.argv[1:11])
rate, seconds = sys.argv[11], sys.argv[12]
m50, m99 = (b50 + a50) / 2, (b99 + a99) / 2
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"Kafka 3.9.1, 3 brokers on loopback; {rate} msg/s of 200 bytes, 64 partitions, acks=all, "
      f"idempotent, linger.ms=5; {seconds} s each; {datetime.date.today()}, "
      f"{os.cpu_count()}-core {cpu}")
print()
print("| same cluster, same minutes | accept p50 | accept p99 | p50 / tool's | harness threads |")
print("|---|---:|---:|---:|---:|")
print(f"| ProducerPerformance, before / after (median) | {b50:g} / {a50:g} ms ({m50:g}) | {b99:g} / {a99:g} ms ({m99:g}) | 1.0x | |")
for name, x50, x99, t in (("asyncbench lp-report async, key_ordered (64 workers, 1 client)", k50, k99, kt),
                          ("asyncbench lp-report async, per_partition (64 clients)", p50, p99, pt)):
    ratio = f"{x50 / m50:.1f}x" if m50 > 0 else "n/a"
    print(f"| {name} | {x50:g} ms | {x99:g} ms | {ratio} | {int(t)} |")
PY
say "runs kept in $dir"
