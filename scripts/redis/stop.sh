#!/usr/bin/env bash
# Stops a server started by start.sh: SHUTDOWN NOSAVE through redis-cli (plain SHUTDOWN when it
# was started with --persist, so the data is saved), or SIGTERM to the pid in DIR/redis.pid if
# it does not answer; SIGKILL after 10 s. Idempotent: a stopped server or a missing directory is
# not an error. --clean also removes the directory.
#
#   scripts/redis/stop.sh [--dir DIR] [--clean]
#
# DIR defaults to the directory of the last start.sh run on this machine.
set -euo pipefail

say() { echo "stop.sh: $*" >&2; }

last="${TMPDIR:-/tmp}/asyncbench-redis.last-dir"
stop_timeout_s=10
dir=""
clean=false
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
        --clean) clean=true; shift ;;
        -h|--help) sed -n '7,7p' "$0" | sed 's/^# *//' >&2; exit 0 ;;
        *) say "unknown argument '$1'"; exit 1 ;;
    esac
done
if [ -z "$dir" ]; then
    if [ ! -f "$last" ]; then
        say "no --dir given and no server started by start.sh recorded; nothing to stop"
        exit 0
    fi
    dir="$(cat "$last")"
fi
if [ ! -d "$dir" ]; then
    say "$dir does not exist; nothing to stop"
    exit 0
fi
dir="$(cd "$dir" && pwd)"
conf="$dir/redis.conf"
pidfile="$dir/redis.pid"

# A pid file is only trusted while that pid is still a redis-server (pids get reused).
server_pid() {
    local pid
    [ -s "$pidfile" ] || return 1
    pid="$(cat "$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'redis-server' || return 1
    echo "$pid"
}

# A daemonized server's parent is init; where init reaps late (as in some containers) the
# exited server lingers as a zombie, which is gone for our purposes.
alive() {
    local state
    state="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
    [ -n "$state" ] && [ "$state" != "Z" ]
}

wait_gone() {
    local pid=$1 i
    for ((i = 0; i < stop_timeout_s * 20; i++)); do
        alive "$pid" || return 0
        sleep 0.05
    done
    return 1
}

if pid="$(server_pid)"; then
    port="$(cat "$dir/port" 2>/dev/null || true)"
    shutdown=(shutdown nosave)
    if grep -q '^appendonly yes' "$conf" 2>/dev/null; then shutdown=(shutdown); fi
    say "stopping redis-server pid $pid in $dir (${shutdown[*]})"
    if [ -n "$port" ]; then
        redis-cli -h 127.0.0.1 -p "$port" "${shutdown[@]}" >/dev/null 2>&1 || true
    fi
    if ! wait_gone "$pid"; then
        say "no exit after ${shutdown[*]}; sending SIGTERM to $pid"
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid"; then
            say "still running ${stop_timeout_s}s after SIGTERM; sending SIGKILL to $pid"
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" || { say "pid $pid survived SIGKILL"; exit 1; }
        fi
    fi
    rm -f -- "$pidfile"
else
    say "no redis-server running for $dir"
fi

if $clean; then
    # Refuse to delete a directory that start.sh did not make.
    if [ ! -f "$conf" ] && [ -n "$(ls -A "$dir")" ]; then
        say "$dir holds no server made by start.sh; not removing it"
        exit 1
    fi
    cd /
    rm -rf -- "$dir"
    if [ -f "$last" ] && [ "$(cat "$last")" = "$dir" ]; then rm -f -- "$last"; fi
    say "removed $dir"
fi
