#!/usr/bin/env bash
# Stops a cluster started by start.sh (pg_ctl stop -m fast); idempotent: a stopped cluster or a
# missing directory is not an error. --clean also removes the directory.
#
#   scripts/postgres/stop.sh [--dir DIR] [--clean | --kill]
#
# DIR defaults to the directory of the last start.sh run on this machine. --kill crashes the
# server instead: kill -9 of its whole process group (pg_ctl starts the postmaster as a session
# leader, so its backends and auxiliary processes share its group). Killing the postmaster
# alone would leave backends running and holding its shared memory, and a restart would then
# refuse to start. start.sh --dir DIR starts it again, with crash recovery.
set -euo pipefail

say() { echo "stop.sh: $*" >&2; }

last="${TMPDIR:-/tmp}/asyncbench-postgres.last-dir"
dir=""
clean=false
kill=false
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
    --clean) clean=true; shift ;;
    --kill) kill=true; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) say "unknown argument '$1'"; exit 1 ;;
  esac
done
if $clean && $kill; then
  say "--clean and --kill do not go together: --kill is for a restart"
  exit 1
fi
if [ -z "$dir" ]; then
  if [ ! -f "$last" ]; then
    say "no --dir given and no cluster started by start.sh recorded; nothing to stop"
    exit 0
  fi
  dir="$(cat "$last")"
fi
if [ ! -d "$dir" ]; then
  say "$dir does not exist; nothing to stop"
  exit 0
fi
dir="$(cd "$dir" && pwd)"
data="$dir/data"

as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; fi
cd "$dir"

# The postmaster's pid, from the first line of its lock file; empty when it is not running.
postmaster_pid() {
  local pid
  pid="$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

if $kill; then
  pid="$(postmaster_pid)"
  if [ -z "$pid" ]; then
    say "the cluster in $data is not running"
    exit 0
  fi
  group="$(ps -o pgid= -p "$pid" | tr -d ' ')"
  if [ "$group" = "$pid" ]; then
    kill -9 -- "-$group"
  else  # not a group leader (started some other way): the postmaster and its children
    pkill -9 -P "$pid" || true
    kill -9 "$pid"
  fi
  for _ in $(seq 1 100); do
    if [ "$group" = "$pid" ] && pgrep -g "$group" >/dev/null; then sleep 0.05; continue; fi
    if kill -0 "$pid" 2>/dev/null; then sleep 0.05; continue; fi
    say "killed the cluster in $data (kill -9 of process group $group)"
    exit 0
  done
  say "processes of group $group still run after kill -9"
  exit 1
fi

if [ -f "$data/PG_VERSION" ]; then
  bin="/usr/lib/postgresql/$(cat "$data/PG_VERSION")/bin"
  if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "stopping the cluster in $data"
    as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
  else
    say "the cluster in $data is not running"
  fi
elif $clean; then
  # Refuse to delete a directory that start.sh did not make.
  if [ ! -f "$dir/url.txt" ] && [ -n "$(ls -A "$dir")" ]; then
    say "$dir holds no cluster made by start.sh; not removing it"
    exit 1
  fi
fi

if $clean; then
  cd /
  rm -rf -- "$dir"
  if [ -f "$last" ] && [ "$(cat "$last")" = "$dir" ]; then rm -f -- "$last"; fi
  say "removed $dir"
fi
