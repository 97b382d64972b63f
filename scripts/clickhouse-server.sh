#!/usr/bin/env bash
# Installs, starts and stops a throwaway ClickHouse server on loopback for the clickhouse engine's server tests.
# Usage: scripts/clickhouse-server.sh install|start|stop|status|url
#   ENGINEBENCH_CLICKHOUSE_DIR   state dir (data, logs, pid file); default /tmp/enginebench-clickhouse
#   ENGINEBENCH_CLICKHOUSE_HTTP_PORT  HTTP port on 127.0.0.1 (default 18123); TCP port is HTTP port + 1000
# `start` prints the URL to pass as ENGINEBENCH_CLICKHOUSE_URL (or --clickhouse-url) once the server answers /ping.
# WARNING: Debian bookworm ships clickhouse-server 18.16 (2018); see engines/clickhouse/README.md for what it can serve.
set -euo pipefail

DIR="${ENGINEBENCH_CLICKHOUSE_DIR:-/tmp/enginebench-clickhouse}"
HTTP_PORT="${ENGINEBENCH_CLICKHOUSE_HTTP_PORT:-18123}"
TCP_PORT=$((HTTP_PORT + 1000))
INTERSERVER_PORT=$((HTTP_PORT + 2000))
URL="http://127.0.0.1:${HTTP_PORT}"
PIDFILE="$DIR/clickhouse-server.pid"

find_server() {
  for candidate in clickhouse-server /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
  done
  return 1
}

ping_ok() {
  # node is always present here; curl may not be.
  node -e "fetch('${URL}/ping').then(r=>r.text()).then(t=>process.exit(t.trim()==='Ok.'?0:1),()=>process.exit(1))"
}

case "${1:-}" in
  install)
    if find_server >/dev/null; then echo "clickhouse-server already installed: $(find_server)"; exit 0; fi
    if [ "$(id -u)" != 0 ]; then echo "install needs root (apt-get install clickhouse-server)" >&2; exit 1; fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clickhouse-server clickhouse-client
    ;;
  start)
    SERVER="$(find_server)" || { echo "clickhouse-server not installed; run: $0 install" >&2; exit 1; }
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && ping_ok; then echo "$URL"; exit 0; fi
    mkdir -p "$DIR/data" "$DIR/tmp" "$DIR/user_files" "$DIR/format_schemas" "$DIR/log"
    CONFIG="/etc/clickhouse-server/config.xml"
    [ -f "$CONFIG" ] || { echo "missing $CONFIG (reinstall clickhouse-server)" >&2; exit 1; }
    # Command-line overrides (after --) replace config.xml values: loopback only, private ports and dirs.
    "$SERVER" --config-file="$CONFIG" --pid-file="$PIDFILE" --daemon -- \
      --path="$DIR/data/" --tmp_path="$DIR/tmp/" --user_files_path="$DIR/user_files/" \
      --format_schema_path="$DIR/format_schemas/" \
      --logger.log="$DIR/log/server.log" --logger.errorlog="$DIR/log/server.err.log" --logger.level=information \
      --listen_host=127.0.0.1 --http_port="$HTTP_PORT" --tcp_port="$TCP_PORT" \
      --interserver_http_port="$INTERSERVER_PORT" >"$DIR/log/stdout.log" 2>&1 || true
    for _ in $(seq 1 60); do
      if ping_ok; then echo "$URL"; exit 0; fi
      sleep 0.5
    done
    echo "clickhouse-server did not answer ${URL}/ping within 30 s; see $DIR/log/" >&2
    tail -n 20 "$DIR/log/server.err.log" "$DIR/log/stdout.log" 2>/dev/null >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$PIDFILE" ]; then
      PID="$(cat "$PIDFILE")"
      if kill -0 "$PID" 2>/dev/null; then
        kill "$PID"
        for _ in $(seq 1 40); do kill -0 "$PID" 2>/dev/null || break; sleep 0.25; done
      fi
      rm -f "$PIDFILE"
    fi
    echo "stopped"
    ;;
  status)
    if ping_ok; then echo "running at $URL"; else echo "not running"; exit 1; fi
    ;;
  url)
    echo "$URL"
    ;;
  *)
    echo "usage: $0 install|start|stop|status|url" >&2
    exit 2
    ;;
esac
