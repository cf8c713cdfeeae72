#!/usr/bin/env bash
# Stops a cluster started by start.sh (pg_ctl stop -m fast); idempotent: a stopped cluster or a
# missing directory is not an error. --clean also removes the directory.
#
#   scripts/postgres/stop.sh [--dir DIR] [--clean]
#
# DIR defaults to the directory of the last start.sh run on this machine.
set -euo pipefail

say() { echo "stop.sh: $*" >&2; }

last="${TMPDIR:-/tmp}/asyncbench-postgres.last-dir"
dir=""
clean=false
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
    --clean) clean=true; shift ;;
    -h|--help) sed -n '5,5p' "$0" | sed 's/^# *//' >&2; exit 0 ;;
    *) say "unknown argument '$1'"; exit 1 ;;
  esac
done
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
