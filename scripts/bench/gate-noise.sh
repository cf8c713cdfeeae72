#!/usr/bin/env bash
# Does the CI gate cry wolf, and does it catch a real regression? On this machine, in one go:
#
#   scripts/bench/gate-noise.sh [--compares 5] [--repeat 5] [--dir DIR] [-- RUN-OPTIONS...]
#
#   1. runs scenarios/lp-report/lp-report-ci.yaml COMPARES + 1 times with --repeat REPEAT
#      --quick (embedded defaults, both modes), and compares each run with the next: the same
#      settings against each other, so every verdict should be "no metric worse" (exit 0);
#   2. runs tests/data/lp-report-ci-slow-lp.yaml (the LP system twice as slow, same name and
#      settings) the same way and compares the first run with it: the declared latency gates
#      should be worse (exit 1).
# Prints one line per compare (exit code and verdict) and writes every result.json and
# compare summary under DIR. Not run by CI: ~18 minutes with the defaults, and it wants the
# machine to itself (a build beside it is noise the gate would rightly see).
set -euo pipefail

compares=5
repeat=5
dir=""
while (($#)); do
    case $1 in
        --compares) compares=${2:?--compares needs a number}; shift 2 ;;
        --repeat) repeat=${2:?--repeat needs a number}; shift 2 ;;
        --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
        --) shift; break ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "gate-noise.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
extra=("$@")  # passed to every run
[[ $compares =~ ^[0-9]+$ && $compares -ge 1 ]] || { echo "--compares must be >= 1" >&2; exit 2; }
[[ $repeat =~ ^[0-9]+$ && $repeat -ge 1 ]] || { echo "--repeat must be >= 1" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[[ -x build/asyncbench ]] || { echo "no build/asyncbench: run scripts/build.sh first" >&2; exit 2; }
[[ -n $dir ]] || dir="$(mktemp -d "${TMPDIR:-/tmp}/gate-noise.XXXXXX")"
mkdir -p "$dir"
echo "gate-noise: $(date -u +%FT%TZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); output in $dir"

run() {  # run NAME SCENARIO: one --repeat run into DIR/NAME; its exit code is recorded
    local status=0
    build/asyncbench run "$2" --repeat "$repeat" --quick --out "$dir/$1" "${extra[@]}" \
        >"$dir/$1.log" 2>&1 || status=$?
    echo "  run $1: exit $status"
}

compare() {  # compare BASELINE CANDIDATE LABEL
    local status=0
    build/asyncbench compare "$dir/$1/result.json" "$dir/$2/result.json" \
        --markdown "$dir/compare-$1-$2.md" >"$dir/compare-$1-$2.log" 2>&1 || status=$?
    printf '%-28s exit %d  %s\n' "$3" "$status" "$(sed -n 3p "$dir/compare-$1-$2.md" 2>/dev/null)"
}

for ((i = 0; i <= compares; i++)); do
    run "same-$i" scenarios/lp-report/lp-report-ci.yaml
done
run slow-lp tests/data/lp-report-ci-slow-lp.yaml

echo
echo "Same settings against each other (expected: exit 0, nothing worse):"
for ((i = 0; i < compares; i++)); do
    compare "same-$i" "same-$((i + 1))" "same-$i vs same-$((i + 1))"
done
echo "LP twice as slow (expected: exit 1, the latency gates worse):"
compare same-0 slow-lp "same-0 vs slow-lp"
