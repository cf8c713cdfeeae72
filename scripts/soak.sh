#!/usr/bin/env bash
# Does the measuring system stay steady over a long run? Runs a scenario's sync and async modes
# for a long measured phase at a rate both sustain, then reads the harness's own memory, threads
# and file descriptors (result.json's cost samples, every 5 s, of the harness process and of
# every worker and broker process) and each mode's latency per minute, and writes soak.md:
#
#   scripts/soak.sh [--minutes 30] [--rate 120/s] [--warmup 60s] [--out DIR]
#                   [--kafka ...] [--db ...] [SCENARIO.yaml]
#
# --minutes is the soak's measured time, split evenly between the two modes (sync, then async),
# so `--minutes 30` takes a little over half an hour (plus each mode's warm-up and drain).
# SCENARIO defaults to scenarios/lp-report/lp-report.yaml; it must not itself be a variant
# (`extends:`): the soak is a variant of it with the rate and durations above. --kafka and --db
# go to `asyncbench run` as they are (--kafka local keeps the embedded broker's retained
# messages out of the harness's memory).
#
# The verdict, per mode, on the samples after the warm-up:
#   - memory: the harness's RSS growth, less what is documented to grow (the reconciliation
#     ledger, LEDGER_BYTES per accepted request, default 600: README "Soak"), is under 5% of
#     its RSS at the end of the warm-up;
#   - threads and descriptors are flat: the median of the last tenth of the samples is at most
#     5% (and at least 5) above the median of the first tenth;
#   - the mode is valid (exit 3 otherwise), and p99 per minute (the median of that minute's
#     per-second p99s) is shown, first against last minute, as drift.
# Exit: 0 steady, 1 a finding (growth or a mode that lost requests), 2 bad arguments, 3 a mode
# whose measurement cannot be trusted.
set -euo pipefail

minutes=30
rate=120/s
warmup=60s
out=""
scenario=""
run_args=()
while (($#)); do
    case $1 in
        --minutes) minutes=${2:?--minutes needs a number}; shift 2 ;;
        --rate) rate=${2:?--rate needs a rate, e.g. 120/s}; shift 2 ;;
        --warmup) warmup=${2:?--warmup needs a duration, e.g. 60s}; shift 2 ;;
        --out) out=${2:?--out needs a folder}; shift 2 ;;
        --kafka | --db) run_args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        -h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "soak.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
        *) [[ -z $scenario ]] || { echo "soak.sh: one scenario only" >&2; exit 2; }
           scenario=$1; shift ;;
    esac
done
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 2 ]] || { echo "soak.sh: --minutes must be a whole number >= 2" >&2; exit 2; }
[[ $warmup =~ ^[0-9]+s$ ]] || { echo "soak.sh: --warmup takes seconds, e.g. 60s" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ab="$root/build/asyncbench"
[[ -x $ab ]] || { echo "soak.sh: no build/asyncbench: run scripts/build.sh first" >&2; exit 2; }
scenario=$(realpath "${scenario:-$root/scenarios/lp-report/lp-report.yaml}")
[[ -f $scenario ]] || { echo "soak.sh: no such scenario file: $scenario" >&2; exit 2; }
if grep -qE '^extends:' "$scenario"; then
    echo "soak.sh: $scenario is a variant (extends:); give the scenario it extends" >&2
    exit 2
fi
name=$(sed -nE 's/^name: *"?([^"#]*[^"# ])"? *(#.*)?$/\1/p' "$scenario" | head -n 1)
out=${out:-$root/out/soak-$name-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
seconds=$((minutes * 60 / 2))

cat >"$out/soak.yaml" <<YAML
# Written by scripts/soak.sh: $scenario for a ${minutes}-minute soak.
extends: $scenario
name: $name-soak
load: {rate: $rate, warmup: $warmup, duration: ${seconds}s}
YAML

echo "soak: $name at $rate, $warmup warm-up and ${seconds} s measured per mode; output in $out" >&2
code=0
"$ab" run "$out/soak.yaml" --out "$out/run" "${run_args[@]}" || code=$?
if [[ ! -f $out/run/result.json ]]; then
    echo "soak: the run wrote no result.json (exit $code)" >&2
    exit $((code == 0 ? 3 : code))
fi
python3 "$root/scripts/soak_report.py" "$out/run/result.json" --warmup "${warmup%s}" \
    --ledger-bytes "${LEDGER_BYTES:-600}" --run-exit "$code" --out "$out/soak.md"
