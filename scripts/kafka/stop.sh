#!/usr/bin/env bash
# Stop the Kafka node(s) that start.sh started.
#
#   scripts/kafka/stop.sh [--dir DIR] [--clean] [--timeout S]   # every node of the cluster
#   scripts/kafka/stop.sh [--dir DIR] --node ID [--kill]        # one node (fault injection)
#
# DIR defaults to the cluster start.sh started last. Each node gets SIGTERM (a controlled
# shutdown: partition leadership moves away first) and up to --timeout seconds (default 30)
# to exit, then SIGKILL. --kill sends SIGKILL at once (a crash, no controlled shutdown).
# --clean then deletes DIR (whole-cluster stop only). Stopping what is already stopped is
# not an error. Restart a single node with: scripts/kafka/start.sh --dir DIR --node ID
set -euo pipefail

src=${BASH_SOURCE[0]}
[[ $src == */* ]] || src=./$src
here="$(cd "${src%/*}" && pwd)"

# shellcheck source=SCRIPTDIR/common.sh
source "$here/common.sh"


dir="" node="" kill_now=0 clean=0 timeout_s=$KAFKA_STOP_TIMEOUT_S
while (($#)); do
    case $1 in
        --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
        --node) node=${2:?--node needs a node id}; shift 2 ;;
        --kill) kill_now=1; shift ;;
        --clean) clean=1; shift ;;
        --timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
        -h | --help) usage 0 ;;
        *) log "unknown argument: $1"; usage 1 ;;
    esac
done
[[ -z $node || $node =~ ^[1-9]$ ]] || die "--node must be a node id (1..3), not '$node'"
[[ $timeout_s =~ ^[0-9]+$ ]] || die "--timeout must be whole seconds, not '$timeout_s'"
[[ $clean == 0 || -z $node ]] || die "--clean deletes the whole cluster's data; it cannot go with --node"

last_dir_file="${ASYNCBENCH_CACHE:-$HOME/.cache/asyncbench}/kafka-last-dir"
if [[ -z $dir ]]; then
    [[ -s $last_dir_file ]] || { log "no --dir given and no cluster recorded: nothing to stop"; exit 0; }
    dir=$(<"$last_dir_file")
fi
if [[ ! -d $dir ]]; then
    log "$dir does not exist: nothing to stop"
    exit 0
fi
dir=$(cd "$dir" && pwd)

# A pid file is only trusted if that pid is still this node's JVM (pids get reused, and a
# stale pid file must never make us kill an unrelated process).
node_pid() {
    local pidf="$dir/node-$1.pid" pid
    [[ -s $pidf ]] || return 1
    pid=$(<"$pidf")
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/node-$1/server.properties" || return 1
    echo "$pid"
}

if [[ -n $node ]]; then
    nodes=("$node")
else
    nodes=()
    for f in "$dir"/node-*/server.properties; do
        [[ -f $f ]] || continue
        f=${f%/server.properties}
        nodes+=("${f##*/node-}")
    done
fi

# Signal every node first and wait afterwards, so a 3-node cluster shuts down in parallel
# (and the controller quorum is not lost halfway through a sequential stop).
declare -A pids=()
for i in "${nodes[@]}"; do
    if pid=$(node_pid "$i"); then
        pids[$i]=$pid
        if ((kill_now)); then
            log "node $i (pid $pid): SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        else
            log "node $i (pid $pid): SIGTERM"
            kill -TERM "$pid" 2>/dev/null || true
        fi
    else
        log "node $i: not running"
        rm -f "$dir/node-$i.pid"
    fi
done

deadline=$((SECONDS + timeout_s))
for i in "${!pids[@]}"; do
    pid=${pids[$i]}
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        log "node $i (pid $pid) still running after ${timeout_s}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    log "node $i stopped"
    rm -f "$dir/node-$i.pid"
done

if ((clean)); then
    # Only delete a folder start.sh made (it has cluster.env), never an arbitrary --dir.
    if [[ -f $dir/cluster.env ]]; then
        rm -rf "$dir"
        log "removed $dir"
        if [[ -s $last_dir_file && $(<"$last_dir_file") == "$dir" ]]; then rm -f "$last_dir_file"; fi
    else
        die "$dir holds no cluster.env: not a start.sh folder, not deleting it"
    fi
fi
