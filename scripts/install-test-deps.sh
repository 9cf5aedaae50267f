#!/usr/bin/env bash
# Installs the Debian packages the tests need, when missing: clickhouse-server (through
# scripts/clickhouse/install.sh, which keeps its own switches) and chromium (the HTML report
# tests drive it through playwright-core at /usr/bin/chromium). Idempotent, non-interactive and
# quiet (apt output goes to a log file, printed only on failure). Used by .ci/run and by
# `npm test` (the `pretest` script).
#
# Needs root (CI runs as root) or password-less sudo; otherwise it says what to run and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/clickhouse/install.sh

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

packages=(chromium)
sudo_cmd=()
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "test deps: chromium is not installed and this user cannot install it." >&2
    echo "  run: sudo apt-get update && sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

log="$(mktemp -t microseg-test-deps.XXXXXX)"
echo "test deps: installing Debian package ${packages[*]} (log: $log)"
if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 ||
  ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${packages[@]}" >>"$log" 2>&1 </dev/null; then
  echo "test deps: installation failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
echo "test deps: installed chromium $(dpkg-query -W -f='${Version}' chromium 2>/dev/null || true)"
