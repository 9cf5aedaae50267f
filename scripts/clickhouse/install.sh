#!/usr/bin/env bash
# Installs Debian's clickhouse-server (18.16 on bookworm) when it is missing; does nothing when
# it is present. Idempotent, non-interactive and quiet (apt output goes to a log file, printed
# only on failure). Used by .ci/run and by `npm test` (the `pretest` script).
#
#   MICROSEG_SKIP_CLICKHOUSE=1  do nothing (local runs without ClickHouse; its tests then skip)
#
# Needs root (CI runs as root) or password-less sudo; otherwise it says what to run and fails.
set -euo pipefail

if [ "${MICROSEG_SKIP_CLICKHOUSE:-}" = "1" ]; then
  echo "clickhouse: MICROSEG_SKIP_CLICKHOUSE=1, not installing"
  exit 0
fi
if command -v clickhouse-server >/dev/null 2>&1; then
  exit 0
fi

packages=(clickhouse-server)
sudo_cmd=()
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "clickhouse: clickhouse-server is not installed and this user cannot install it." >&2
    echo "  run: sudo apt-get update && sudo apt-get install -y clickhouse-server" >&2
    echo "  or set MICROSEG_SKIP_CLICKHOUSE=1 to skip the ClickHouse tests" >&2
    exit 1
  fi
fi

log="$(mktemp -t microseg-clickhouse-install.XXXXXX)"
echo "clickhouse: installing Debian package ${packages[*]} (log: $log)"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 ||
  ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${packages[@]}" >>"$log" 2>&1 </dev/null; then
  echo "clickhouse: installation failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
echo "clickhouse: installed clickhouse-server $(dpkg-query -W -f='${Version}' clickhouse-server 2>/dev/null || true)"
