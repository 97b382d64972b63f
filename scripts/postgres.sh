#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for tests and the bench: logical decoding on (wal2json), trust auth,
# data under $ENGINEBENCH_PG_DIR (default /tmp/enginebench-pg). Usage: scripts/postgres.sh install|start|stop|status|url
set -euo pipefail
PORT="${ENGINEBENCH_PG_PORT:-54329}"
DIR="${ENGINEBENCH_PG_DIR:-/tmp/enginebench-pg}"
DB=enginebench
URL="postgres://postgres@127.0.0.1:${PORT}/${DB}"

find_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do [ -x "$b/pg_ctl" ] && { echo "$b"; return 0; }; done
  return 1
}

# Runs a command as the unprivileged postgres user (initdb refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if find_bin >/dev/null && ls /usr/lib/postgresql/*/lib/wal2json.so >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" != 0 ]; then echo "postgres: not installed; run as root: apt-get install -y postgresql postgresql-15-wal2json" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql postgresql-15-wal2json >/dev/null
}

start() {
  install
  local bin; bin="$(find_bin)"
  if [ -f "$DIR/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then echo "$URL"; return 0; fi
  if [ ! -f "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"; chown postgres "$DIR" 2>/dev/null || true
    as_pg "$bin/initdb" -D "$DIR" -U postgres --auth=trust >/dev/null
    cat >> "$DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = ${PORT}
unix_socket_directories = '${DIR}'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
  # 9>&-: the server must not inherit the start lock (it would hold it for its whole life).
  as_pg "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null 9>&-
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB}'" | grep -q 1 \
    || as_pg "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE ${DB}"
  echo "$URL"
}

stop() {
  local bin; bin="$(find_bin)" || return 0
  [ -f "$DIR/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
}

case "${1:-}" in
  install) install ;;
  # Serialised: test files running in parallel may all start the server on a fresh machine (initdb must run once).
  start) mkdir -p "$(dirname "$DIR")"; exec 9>"${DIR%/}.lock"; flock -w 120 9 || true; start ;;
  stop) stop ;;
  status) bin="$(find_bin)" && as_pg "$bin/pg_ctl" -D "$DIR" status ;;
  url) echo "$URL" ;;
  *) echo "usage: scripts/postgres.sh install|start|stop|status|url" >&2; exit 2 ;;
esac
