# Shared settings for start-cluster.sh and stop-cluster.sh (sourced, not run).
#   $1 / MICROSEG_CH_DIR        base dir (default: .microseg/clickhouse under the working dir)
#   MICROSEG_CH_HTTP_PORTS      HTTP ports of shards 1 and 2 (default "18123 28123")
#   MICROSEG_CH_TCP_PORTS       native ports of shards 1 and 2 (default "19000 29000")
#   MICROSEG_CH_CLUSTER         cluster name in remote_servers (default "microseg")
ch_dir="${1:-${MICROSEG_CH_DIR:-$PWD/.microseg/clickhouse}}"
mkdir -p "$ch_dir"
ch_dir="$(cd "$ch_dir" && pwd)"
read -r -a ch_http_ports <<<"${MICROSEG_CH_HTTP_PORTS:-18123 28123}"
read -r -a ch_tcp_ports <<<"${MICROSEG_CH_TCP_PORTS:-19000 29000}"
ch_cluster="${MICROSEG_CH_CLUSTER:-microseg}"
ch_shards=2

# True when process $1 exists and is not a zombie (an exited server whose parent has not reaped it).
ch_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [ ! -r "/proc/$1/stat" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

# Prints the pid recorded for shard $1 when that process is alive and is a clickhouse-server.
ch_live_pid() {
  local pidfile="$ch_dir/shard$1/server.pid" pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [ -n "$pid" ] && ch_alive "$pid" || return 1
  if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "clickhouse-server"; then
    return 1 # the pid was reused by another process
  fi
  echo "$pid"
}

# True when the HTTP port $1 answers SELECT 1.
ch_ready() {
  local url="http://127.0.0.1:$1/?query=SELECT%201"
  if command -v curl >/dev/null 2>&1; then
    [ "$(curl -s --max-time 2 "$url" 2>/dev/null)" = "1" ]
  else
    node -e "fetch(process.argv[1]).then(r=>r.text()).then(t=>process.exit(t.trim()==='1'?0:1),()=>process.exit(1))" "$url"
  fi
}
