#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz with clang (into build-fuzz/, incremental) and runs
# each one for a bounded time on a copy of its seed corpus (tests/fuzz/corpus/<target>/), so
# the repository is never modified. Called by scripts/test.sh; runs on its own too.
#
#   scripts/fuzz.sh [--seconds N] [--target NAME]
#
#   --seconds N    fuzzing time per target (default: $ASYNCBENCH_FUZZ_SECONDS, else 30);
#                  0 only replays the seed corpus once (a quick regression check)
#   --target NAME  run only this target (e.g. fuzz_scenario_loader); default: every one
#
# Each input gets at most 5 s and 1 GiB. Prints the executions and executions per second of
# every target. Exits non-zero on any crash, invariant failure, timeout, leak or out-of-memory,
# and prints the reproducer's path (kept in a temporary folder) and how to replay it:
#   build-fuzz/<target> <reproducer>
# A reproducer worth keeping goes to tests/fuzz/corpus/<target>/crash-<what>: every later run
# replays it first, so it fails until the bug is fixed and guards against its return after.
set -euo pipefail
cd "$(dirname "$0")/.."

# Progress and errors go to stderr, prefixed with the script's name, as in scripts/kafka.
log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
# Prints the script's header comment (from line 2 to `set -euo`) as its help.
usage() {
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit "${1:-1}"
}

seconds=${ASYNCBENCH_FUZZ_SECONDS:-30} only=""
while (($#)); do
    case $1 in
        --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
        --target) only=${2:?--target needs a target name}; shift 2 ;;
        -h | --help) usage 0 ;;
        *) log "unknown argument: $1"; usage 1 ;;
    esac
done
[[ $seconds =~ ^[0-9]+$ ]] || die "--seconds must be whole seconds, not '$seconds'"

scripts/install-deps.sh >&2
command -v clang++ >/dev/null || die "clang++ not found (scripts/install-deps.sh installs it)"
cmake -S tests/fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build-fuzz -j "${ASYNCBENCH_BUILD_JOBS:-2}" >&2

targets=()
for source in tests/fuzz/fuzz_*.cpp; do
    name=$(basename "$source" .cpp)
    [[ -z $only || $name == "$only" ]] && targets+=("$name")
done
[[ ${#targets[@]} -gt 0 ]] || die "no fuzz target named '$only' in tests/fuzz"

work=$(mktemp -d -t asyncbench-fuzz.XXXXXX)
failed=()
# The temporary folder holds the reproducers: it is deleted only when every target passed.
cleanup() { if [[ ${#failed[@]} -eq 0 ]]; then rm -rf "$work"; fi; }
trap cleanup EXIT

# One line of libFuzzer's -print_final_stats output, e.g. "number_of_executed_units".
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

for target in "${targets[@]}"; do
    corpus="$work/$target/corpus" artifacts="$work/$target/artifacts" output="$work/$target.log"
    mkdir -p "$corpus" "$artifacts"
    if [[ -d tests/fuzz/corpus/$target ]]; then cp -R "tests/fuzz/corpus/$target/." "$corpus/"; fi
    options=(-timeout=5 -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$artifacts/")
    if [[ -f tests/fuzz/$target.dict ]]; then options+=(-dict="tests/fuzz/$target.dict"); fi
    seeds=$(find "$corpus" -type f | wc -l)
    if [[ $seconds -eq 0 ]]; then
        options+=(-runs=0)
        log "$target: replaying $seeds seeds"
    else
        options+=(-max_total_time="$seconds")
        log "$target: fuzzing for ${seconds}s from $seeds seeds"
    fi
    # libFuzzer enforces the time itself; the outer limit only guards against a wedged process.
    status=0
    timeout --kill-after=10 $((seconds + 120)) "build-fuzz/$target" "${options[@]}" "$corpus" \
        >"$output" 2>&1 || status=$?
    printf '%-24s %12s executions %8s exec/s %6s new inputs %6s MiB peak\n' "$target" \
        "$(final_stat number_of_executed_units "$output")" \
        "$(final_stat average_exec_per_sec "$output")" \
        "$(final_stat new_units_added "$output")" "$(final_stat peak_rss_mb "$output")"
    if [[ $status -ne 0 ]]; then
        failed+=("$target")
        # The invariant or sanitizer message and the stack, without libFuzzer's own frames.
        report=$(grep -E -A40 '^==[0-9]+==|invariant broken' "$output" |
            grep -v -E ' in (fuzzer::|__libc_start|_start |__sanitizer_print_stack_trace)' |
            head -n 60 || true)
        if [[ -n $report ]]; then printf '%s\n' "$report" >&2; else tail -n 40 "$output" >&2; fi
        log "$target FAILED (exit status $status); full log: $output"
        for reproducer in "$artifacts"/*; do
            [[ -e $reproducer ]] || continue
            log "reproducer: $reproducer"
            log "replay it with: build-fuzz/$target $reproducer"
        done
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then die "failed: ${failed[*]}"; fi
log "passed: ${targets[*]}"
