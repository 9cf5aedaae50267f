#!/usr/bin/env bash
# Stops the ClickHouse shards that start-cluster.sh started from DIR (same argument and
# variables), by the pids it recorded: all shards, or only shard N with `stop-cluster.sh DIR N`.
# SIGTERM, then SIGKILL after 20 s (MICROSEG_CH_KILL=1: SIGKILL at once, like a crash; 18.16
# takes several seconds to shut down cleanly). Leaves the data in place.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

stop_shard() { # shard-number
  local n="$1" pid i
  pid="$(ch_live_pid "$n")" || { rm -f "$ch_dir/shard$n/server.pid"; return 0; }
  if [ "${MICROSEG_CH_KILL:-}" = "1" ]; then
    kill -9 "$pid" 2>/dev/null || true
  else
    kill "$pid" 2>/dev/null || true
  fi
  for ((i = 0; i < 200; i++)); do
    ch_alive "$pid" || break
    sleep 0.1
  done
  if ch_alive "$pid"; then
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$ch_dir/shard$n/server.pid"
}

if [ -n "${2:-}" ]; then
  stop_shard "$2"
else
  for ((s = 1; s <= ch_shards; s++)); do stop_shard "$s"; done
fi
