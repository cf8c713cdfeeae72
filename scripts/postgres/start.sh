#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for AsyncBench runs and tests, without Docker or a system
# service: its data, socket and log live in one directory that stop.sh --clean removes.
#
#   scripts/postgres/start.sh [--dir DIR] [--port N]
#
# DIR defaults to a new mktemp directory; PORT to the first free port from 55432. Re-running with
# the same --dir reuses (and if needed restarts) that cluster. The last line on stdout is the URL
# to pass to asyncbench --db or ASYNCBENCH_TEST_POSTGRES, also written to DIR/url.txt; progress
# goes to stderr. On failure it prints the server log's last 30 lines and exits 1.
#
# Settings: PostgreSQL's defaults (fsync and synchronous_commit stay on, so numbers are honest)
# except max_connections=400 (the sync baseline's pool plus the async consumers' pool) and
# shared_buffers=256MB. Authentication is trust, for TCP from 127.0.0.1 only: throwaway use.
set -Eeuo pipefail  # -E: the ERR trap also fires inside functions (as_pg)

usage() { sed -n '5,6p' "$0" | sed 's/^# *//' >&2; }
say() { echo "start.sh: $*" >&2; }

dir=""
port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) say "unknown argument '$1'"; usage; exit 1 ;;
  esac
done
if [ -n "$port" ] && ! [[ "$port" =~ ^[0-9]+$ && "$port" -ge 1 && "$port" -le 65535 ]]; then
  say "--port must be a number from 1 to 65535, not '$port'"
  exit 1
fi

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  say "no PostgreSQL server under /usr/lib/postgresql/*/bin: apt-get install -y postgresql"
  exit 1
fi

# initdb and postgres refuse to run as root: run them as Debian's `postgres` system user.
as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    say "running as root but there is no 'postgres' user: apt-get install -y postgresql"
    exit 1
  fi
  as_pg() { runuser -u postgres -- "$@"; }
fi

made_dir=""
if [ -z "$dir" ]; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/asyncbench-pg.XXXXXX")"
  made_dir="$dir"
fi
# A directory this run made but never put a cluster in is of no use to anyone: remove it.
remove_unused_dir() {
  if [ -n "$made_dir" ] && [ ! -f "$made_dir/data/PG_VERSION" ]; then rm -rf -- "$made_dir"; fi
}
trap remove_unused_dir EXIT
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
data="$dir/data"
sockets="$dir/socket"
log="$dir/server.log"
mkdir -p "$sockets"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
if ! as_pg test -w "$dir"; then
  say "the postgres user cannot write $dir (are its parent directories traversable?)"
  exit 1
fi
cd "$dir"  # runuser keeps the working directory, which the postgres user must be able to read

on_error() {
  say "failed; last 30 lines of the server log:"
  for file in "$log" "$dir/initdb.log"; do
    if [ -s "$file" ]; then
      echo "--- $file" >&2
      tail -n 30 "$file" >&2
      break
    fi
  done
  exit 1
}
trap on_error ERR

port_in_use() {
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; then
    return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

running=false
if [ -f "$data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  running=true
fi
if [ -z "$port" ] && [ -f "$dir/port" ]; then port="$(cat "$dir/port")"; fi
if ! $running; then
  if [ -z "$port" ]; then
    port=55432
    while port_in_use "$port"; do
      port=$((port + 1))
      if [ "$port" -gt 65535 ]; then say "no free port from 55432"; exit 1; fi
    done
  elif port_in_use "$port"; then
    say "port $port is already in use"
    exit 1
  fi
fi

if [ ! -f "$data/PG_VERSION" ]; then
  say "initdb in $data ($("$bin/postgres" --version))"
  as_pg "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C --auth-local=peer \
    --auth-host=trust >"$dir/initdb.log" 2>&1
  echo "include_if_exists = 'asyncbench.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
fi

# Rewritten on every start so that --port can change for a reused directory.
as_pg tee "$data/asyncbench.conf" >/dev/null <<CONF
# Written by scripts/postgres/start.sh; everything else keeps PostgreSQL's defaults.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockets'
max_connections = 400
shared_buffers = 256MB
CONF
as_pg tee "$data/pg_hba.conf" >/dev/null <<'HBA'
# Throwaway cluster: trust over TCP from this machine only; the socket, in a private
# directory, admits only the postgres OS user as itself.
local all postgres                peer
host  all all      127.0.0.1/32   trust
HBA

if $running; then
  say "already running in $data"
else
  say "starting on 127.0.0.1:$port, log $log"
  as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
fi

for _ in $(seq 1 60); do
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; then break; fi
  sleep 0.5
done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1

exists="$("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'asyncbench'")"
if [ "$exists" != "1" ]; then
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres asyncbench
fi

url="postgres://postgres@127.0.0.1:$port/asyncbench"
echo "$port" >"$dir/port"
echo "$url" >"$dir/url.txt"
echo "$dir" >"${TMPDIR:-/tmp}/asyncbench-postgres.last-dir"  # stop.sh's default
say "ready; stop with: scripts/postgres/stop.sh --dir $dir [--clean]"
echo "$url"
