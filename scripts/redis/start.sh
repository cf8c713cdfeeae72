#!/usr/bin/env bash
# Starts a throwaway Redis (Debian's redis-server) for AsyncBench runs and tests, without Docker
# or a system service: its config, pid file, log and data live in one directory that
# stop.sh --clean removes.
#
#   scripts/redis/start.sh [--dir DIR] [--port N] [--persist]
#
# DIR defaults to a new mktemp directory; PORT to the first free port from 56379 (a --port in
# use is an error). Re-running with the same --dir reuses that server if it is running and
# starts it again otherwise. The last line on stdout is the URL (redis://127.0.0.1:PORT) to use
# as ASYNCBENCH_TEST_REDIS, also written to DIR/url.txt; progress goes to stderr. On failure it
# prints the server log's last 30 lines and exits 1.
#
# Settings: Redis's defaults except: listens on 127.0.0.1 only with protected-mode yes (no
# password: throwaway use), and no persistence (save "", appendonly no) so that snapshots and
# fsyncs never land in a measured run. --persist keeps Redis's default snapshot points and
# turns on the append-only file (appendfsync everysec) for runs that want to pay for it.
set -Eeuo pipefail  # -E: the ERR trap also fires inside functions

usage() { sed -n '6,6p' "$0" | sed 's/^# *//' >&2; }
say() { echo "start.sh: $*" >&2; }

first_port=56379
start_timeout_s=20
dir=""
port=""
persist=false
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
        --port) port="${2:?--port needs a number}"; shift 2 ;;
        --persist) persist=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) say "unknown argument '$1'"; usage; exit 1 ;;
    esac
done
if [ -n "$port" ] && ! [[ "$port" =~ ^[0-9]+$ && "$port" -ge 1 && "$port" -le 65535 ]]; then
    say "--port must be a number from 1 to 65535, not '$port'"
    exit 1
fi
for tool in redis-server redis-cli; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        say "no $tool on PATH: apt-get install -y redis-server"
        exit 1
    fi
done

made_dir=""
if [ -z "$dir" ]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/asyncbench-redis.XXXXXX")"
    made_dir="$dir"
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/redis.conf"
log="$dir/server.log"
pidfile="$dir/redis.pid"

# A directory this run made but never got a server running in is of no use: remove it.
started=false
remove_unused_dir() {
    if [ -n "$made_dir" ] && ! $started; then rm -rf -- "$made_dir"; fi
}
trap remove_unused_dir EXIT

on_error() {
    say "failed; last 30 lines of the server log:"
    if [ -s "$log" ]; then
        echo "--- $log" >&2
        tail -n 30 "$log" >&2
    else
        echo "(no log at $log)" >&2
    fi
    exit 1
}
trap on_error ERR
fail() { say "$*"; on_error; }

port_in_use() {
    if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; then
        return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A pid file is only trusted while that pid is still a redis-server (pids get reused).
server_pid() {
    local pid
    [ -s "$pidfile" ] || return 1
    pid="$(cat "$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'redis-server' || return 1
    echo "$pid"
}

ping() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ]; }

running=false
if pid="$(server_pid)"; then
    running=true
    recorded="$(cat "$dir/port" 2>/dev/null || true)"
    if [ -n "$port" ] && [ "$port" != "$recorded" ]; then
        say "the server in $dir (pid $pid) already runs on port $recorded, not $port;" \
            "stop it first: scripts/redis/stop.sh --dir $dir"
        exit 1
    fi
    port="$recorded"
else
    if [ -z "$port" ]; then
        port=$first_port
        while port_in_use "$port"; do
            port=$((port + 1))
            if [ "$port" -gt 65535 ]; then say "no free port from $first_port"; exit 1; fi
        done
    elif port_in_use "$port"; then
        say "port $port on 127.0.0.1 is already in use; pick another --port or stop what" \
            "listens there"
        exit 1
    fi
fi

if $running; then
    say "already running in $dir (pid $pid) on 127.0.0.1:$port"
else
    # Rewritten on every start so that --port and --persist can change for a reused directory.
    {
        echo "# Written by scripts/redis/start.sh; everything else keeps Redis's defaults."
        echo "bind 127.0.0.1"
        echo "port $port"
        echo "protected-mode yes"
        echo "daemonize yes"
        echo "pidfile $pidfile"
        echo "logfile $log"
        echo "dir $dir"
        if $persist; then
            echo "appendonly yes"
            echo "appendfsync everysec"
        else
            echo "# No snapshots or append-only file: nothing may fsync during a measured run."
            echo 'save ""'
            echo "appendonly no"
        fi
    } >"$conf"
    rm -f -- "$pidfile"
    version="$(redis-server --version 2>/dev/null | grep -o 'v=[0-9.]*' || true)"
    say "starting redis-server ${version#v=} on 127.0.0.1:$port, log $log"
    # daemonize: the parent returns once the child forked, so readiness is checked below.
    redis-server "$conf" >>"$log" 2>&1 || fail "redis-server refused to start"
fi

deadline=$((SECONDS + start_timeout_s))
until ping "$port"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        fail "no PONG from 127.0.0.1:$port within ${start_timeout_s}s"
    fi
    # Once the pid file exists, a vanished process means the server gave up (see the log).
    if [ -s "$pidfile" ] && ! server_pid >/dev/null; then
        fail "redis-server exited during startup"
    fi
    sleep 0.2
done
started=true

url="redis://127.0.0.1:$port"
echo "$port" >"$dir/port"
echo "$url" >"$dir/url.txt"
echo "$dir" >"${TMPDIR:-/tmp}/asyncbench-redis.last-dir"  # stop.sh's default
say "ready; stop with: scripts/redis/stop.sh --dir $dir [--clean]"
echo "$url"
