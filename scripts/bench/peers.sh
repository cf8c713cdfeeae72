#!/usr/bin/env bash
# AsyncBench's load generator next to its peers, on this machine, in the same minutes: does
# `asyncbench load` measure what wrk and vegeta measure, and at what cost?
#
#   scripts/bench/peers.sh [--parts abc] [--rounds N] [--seconds S] [--users N] [--rate R]
#                          [--accept-users N] [--kafka HOST:PORT]
#
#   (a) throughput: `asyncbench load --users N` against a mock operation answering at once,
#       versus wrk with the same N connections on 2 threads, alternated N rounds (default 3);
#       medians of requests/s and their ratio (we record every latency; the target is >= 0.8x);
#   (b) fidelity: at a fixed rate (default 200/s), `asyncbench load --rate` versus vegeta
#       (`attack -rate`, its own open loop) on (1) an operation with a tailed latency
#       (lognormal, p50 20 ms, p99 200 ms) and (2) one answering in 5 ms but held for 1 s in
#       the middle of the run; p50 / p90 / p99 / max of each and the ratios (targets: within 5%
#       at p50 and p90, 10% at p99);
#   (c) the async API's ceiling: a minimal workflow (one stage, one call answering at once)
#       driven by `--accept-users` closed-loop users (default 64, no think time) through
#       `asyncbench run --mode async`, requests accepted (202, the broker's ack) per second,
#       versus Kafka's ProducerPerformance at unlimited throughput (`--throughput -1`) with the
#       same message size and producer settings (acks=all, idempotent, linger.ms=5) on the same
#       broker, alternated N rounds; medians and their ratio. No target: every accepted
#       request costs us an HTTP round trip and a JSON parse, the tool's only a send().
#       The broker is a 1-node Kafka from scripts/kafka/start.sh (base port 39092), or
#       `--kafka HOST:PORT` for a running one.
# `--parts` picks which of the three to run (default abc).
# Prints one Markdown table. Not run by CI (it wants the machine to itself: ~8 minutes). Needs
# build/asyncbench and, for (c), a JDK (scripts/install-deps.sh); installs wrk (Debian) and
# vegeta (`go install`, Go module proxy) when they are missing. The async API's accept latency
# at a fixed rate against ProducerPerformance's is scripts/bench/kafka-side-by-side.sh.
set -euo pipefail

rounds=3
seconds=10
users=32
rate=200
accept_users=64
kafka=""
parts=abc
while (($#)); do
    case $1 in
        --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
        --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
        --users) users=${2:?--users needs a number}; shift 2 ;;
        --rate) rate=${2:?--rate needs requests per second}; shift 2 ;;
        --accept-users) accept_users=${2:?--accept-users needs a number}; shift 2 ;;
        --kafka) kafka=${2:?--kafka needs HOST:PORT}; shift 2 ;;
        --parts) parts=${2:?--parts needs letters among a, b and c}; shift 2 ;;
        -h | --help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "peers.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ $parts =~ ^[abc]+$ ]] || { echo "peers.sh: --parts takes letters among a, b and c" >&2; exit 2; }
want() { [[ $parts == *$1* ]]; }
for n in "$rounds" "$seconds" "$users" "$rate" "$accept_users"; do
    [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || { echo "peers.sh: numbers must be whole and > 0" >&2; exit 2; }
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
ab="$root/build/asyncbench"
[[ -x $ab ]] || { echo "no build/asyncbench: run scripts/build.sh first" >&2; exit 2; }
if want c && ! command -v java >/dev/null; then
    echo "(c) needs a JDK: run scripts/install-deps.sh, or leave c out of --parts" >&2
    exit 2
fi
say() { echo "peers: $*" >&2; }
sudo_if() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if want a && ! command -v wrk >/dev/null; then
    say "installing wrk (Debian)"
    sudo_if apt-get install -y -qq wrk >/dev/null
fi
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
if want b && ! command -v vegeta >/dev/null; then
    command -v go >/dev/null || { say "installing Go (Debian)"; sudo_if apt-get install -y -qq golang-go >/dev/null; }
    say "installing vegeta (go install, Go module proxy)"
    go install github.com/tsenart/vegeta/v12@v12.13.0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/peers.XXXXXX")"
pids=()
started_kafka=false
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if $started_kafka; then scripts/kafka/stop.sh --dir "$work/kafka" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# A mock system from a bare operation spec, in the background; sets the variable NAME to its
# port (not a $(...) subshell, so its pid stays in `pids` for the cleanup).
start_mock() {
    local name=$1 spec=$2
    echo "$spec" >"$work/$name.yaml"
    "$ab" mock "$name" --config "$work/$name.yaml" >"$work/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do
        if grep -q "listening on" "$work/$name.log"; then
            printf -v "$name" '%s' "$(grep "listening on" "$work/$name.log" |
                sed -E 's/.*127\.0\.0\.1:([0-9]+).*/\1/;q')"
            return
        fi
        sleep 0.1
    done
    say "mock $name did not start:"; cat "$work/$name.log" >&2; exit 1
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf (b > 0 ? "%.2fx" : "-"), a / b}'; }

# --- (a) throughput against an operation that answers at once -------------------------------
if want a; then
    start_mock zero "latency: {distribution: fixed, value: 0ms}"
    cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
LUA
    ours=(); theirs=()
    for r in $(seq "$rounds"); do
        say "(a) round $r of $rounds: asyncbench load --users $users, then wrk -c $users"
        "$ab" load "http://127.0.0.1:$zero/op" --method POST --users "$users" --duration "${seconds}s" \
            --warmup 1s --out "$work/a$r" >"$work/a$r.txt" 2>&1
        ours+=("$(sed -nE 's/.*Requests\/sec: ([0-9.,]+) answered.*/\1/p' "$work/a$r.txt" | tr -d ,)")
        wrk -t2 -c "$users" -d "${seconds}s" -s "$work/post.lua" "http://127.0.0.1:$zero/op" \
            >"$work/wrk$r.txt" 2>&1
        theirs+=("$(awk '/Requests\/sec/ {print $2}' "$work/wrk$r.txt")")
    done
    a_ours=$(printf '%s\n' "${ours[@]}" | median)
    a_wrk=$(printf '%s\n' "${theirs[@]}" | median)
fi

# --- (b) latency at a fixed rate ------------------------------------------------------------
if want b; then
    # "p50 p90 p99 max" in ms from asyncbench's load.json (microseconds).
    ours_pct() {
        python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["api_latency_all_us"]; print(*(round(l[k]/1000,2) for k in ("p50","p90","p99","max")))' "$1"
    }
    # The same from `vegeta report -type=json` (nanoseconds).
    vegeta_pct() {
        python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["latencies"]; print(*(round(l[k]/1e6,2) for k in ("50th","90th","99th","max")))' "$1"
    }
    start_mock tailed "latency: {distribution: lognormal, p50: 20ms, p99: 200ms}"
    start_mock held "latency: {distribution: fixed, value: 5ms}"
    hold_mid_run() {  # the held operation stops answering for 1 s, halfway through the run
        sleep "$(awk -v s="$seconds" 'BEGIN {print s / 2}')"
        curl -fsS -X PUT "http://127.0.0.1:$held/_mock/operations/op" -d '{"latency": {"distribution": "fixed", "value": "5ms"}, "outage": "hang"}' >/dev/null
        sleep 1
        curl -fsS -X PUT "http://127.0.0.1:$held/_mock/operations/op" -d '{"latency": {"distribution": "fixed", "value": "5ms"}, "outage": "none"}' >/dev/null
    }
    declare -A b
    for case in tailed held; do
        port=${!case}
        say "(b) $case at $rate/s for ${seconds}s: asyncbench load, then vegeta attack"
        hold=""
        [[ $case == held ]] && { hold_mid_run & hold=$!; }
        "$ab" load "http://127.0.0.1:$port/op" --method POST --rate "$rate/s" --duration "${seconds}s" \
            --warmup 0s --out "$work/b-$case" >"$work/b-$case.txt" 2>&1 || true
        [[ -z $hold ]] || wait "$hold"
        b[$case.ours]=$(ours_pct "$work/b-$case/load.json")
        [[ $case == held ]] && { hold_mid_run & hold=$!; }
        echo '{}' >"$work/body.json"
        echo "POST http://127.0.0.1:$port/op" |
            vegeta attack -rate "$rate/1s" -duration "${seconds}s" -body "$work/body.json" >"$work/v-$case.bin"
        [[ -z $hold ]] || wait "$hold"
        vegeta report -type=json "$work/v-$case.bin" >"$work/v-$case.json"
        b[$case.vegeta]=$(vegeta_pct "$work/v-$case.json")
    done
fi

# --- (c) the async API's accept ceiling against Kafka's own producer -------------------------
if want c; then
    libs=$(scripts/kafka/fetch.sh | tail -n 1)
    if [[ -z $kafka ]]; then
        say "(c) starting a 1-broker Kafka (scripts/kafka/start.sh, base port 39092)"
        started_kafka=true
        kafka=$(scripts/kafka/start.sh --brokers 1 --dir "$work/kafka" --base-port 39092 | tail -n 1)
    fi
    tool=(java -Xmx512m -cp "$libs/*")
    partitions=12
    # The least a workflow can be: the API validates the request, produces it and answers 202
    # on the broker's ack; one consumer group calls a mock that answers at once. Each round has
    # a topic of its own, so no round's consumers meet another's messages.
    accept_path_yaml() {
        cat <<YAML
name: accept-path
description: "The async API's accept path: one stage, one call answering at once"
plugin: lp-report
load: {model: closed, users: $accept_users, think_time: 0s, warmup: 3s, duration: ${seconds}s, request_timeout: 30s}
async: {partitions: $partitions, consumers_per_group: $partitions, topic: peers.accept-path.$1}
systems:
  sink:
    operations:
      take: {latency: {distribution: fixed, value: 0ms}, concurrency: 1000}
workflow:
  - stage: take
    steps:
      - {name: take, call: sink.take, timeout: 5s}
drain_timeout: 120s
YAML
    }
    "${tool[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$kafka" --create \
        --if-not-exists --topic peers.producer-perf --partitions "$partitions" \
        --replication-factor 1 >/dev/null
    accepted=(); produced=(); size=""
    for r in $(seq "$rounds"); do
        say "(c) round $r of $rounds: asyncbench run --mode async, $accept_users users, then ProducerPerformance"
        accept_path_yaml "$r" >"$work/accept-path-$r.yaml"
        "$ab" run "$work/accept-path-$r.yaml" --mode async --kafka "$kafka" --out "$work/c$r" \
            >"$work/c$r.log" 2>&1 || true
        [[ -f $work/c$r/result.json ]] || { say "(c) the run wrote no result:"; tail -n 20 "$work/c$r.log" >&2; exit 1; }
        accepted+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["modes"]["async"]["achieved_per_s"])' "$work/c$r/result.json")")
        if [[ -z $size ]]; then  # the size of the value our API produced, read back from the topic
            size=$("${tool[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$kafka" \
                --topic peers.accept-path.1 --from-beginning --max-messages 1 --timeout-ms 20000 \
                2>/dev/null | head -n 1 | tr -d "\n" | wc -c || true)
            [[ $size -gt 0 ]] || { say "(c) could not read a message back from peers.accept-path.1"; exit 1; }
        fi
        # At least ~10 s of sending at the rates a JVM producer reaches here.
        "${tool[@]}" org.apache.kafka.tools.ProducerPerformance --topic peers.producer-perf \
            --num-records 2000000 --record-size "$size" --throughput -1 \
            --producer-props bootstrap.servers="$kafka" acks=all enable.idempotence=true \
            linger.ms=5 2>/dev/null | tail -n 1 >"$work/perf$r.txt"
        produced+=("$(sed -nE 's/.* records sent, ([0-9.]+) records\/sec.*/\1/p' "$work/perf$r.txt")")
    done
    c_ours=$(printf '%s\n' "${accepted[@]}" | median)
    c_perf=$(printf '%s\n' "${produced[@]}" | median)
fi

cpu=$(lscpu | sed -nE 's/^Model name: +//p' | head -n 1)
echo
echo "scripts/bench/peers.sh on $(date -u +%Y-%m-%d), $(nproc) cores ($cpu)"
echo
echo "| | asyncbench | peer | ratio |"
echo "|---|---:|---:|---:|"
want a && echo "| (a) req/s, $users connections, 0 ms operation, median of $rounds | $a_ours | $a_wrk (wrk -t2) | $(ratio "$a_ours" "$a_wrk") |"
want b && for case in tailed held; do
    read -r o50 o90 o99 omax <<<"${b[$case.ours]}"
    read -r v50 v90 v99 vmax <<<"${b[$case.vegeta]}"
    label=$([[ $case == tailed ]] && echo "lognormal p50 20 / p99 200 ms" || echo "5 ms, held 1 s mid-run")
    for p in 50:$o50:$v50 90:$o90:$v90 99:$o99:$v99 max:$omax:$vmax; do
        IFS=: read -r name ours_v peer_v <<<"$p"
        [[ $name == max ]] || name="p$name"
        echo "| (b) $label, $rate/s: $name ms | $ours_v | $peer_v (vegeta) | $(ratio "$ours_v" "$peer_v") |"
    done
done
if want c; then
    echo "| (c) accepted/s, minimal workflow, $accept_users users vs ProducerPerformance unlimited, $size-byte values, acks=all, idempotent, linger.ms=5, 1 broker, median of $rounds | $(printf '%.0f' "$c_ours") | $(printf '%.0f' "$c_perf") (ProducerPerformance) | $(ratio "$c_ours" "$c_perf") |"
fi
