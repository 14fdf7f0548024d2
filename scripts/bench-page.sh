#!/usr/bin/env bash
# The page alone (bench/page.py): ui/index.html, or the page given, in a bare WebKitGTK view
# without Tauri, several loads, medians of its own start (HTML parsed, DOMContentLoaded, the
# app's marks, first paint) and the web process's PSS. For trying a CSS or JS change in
# seconds; scripts/bench.sh is the figure of record. Never part of the tests.
#
#   scripts/bench-page.sh [--runs N] [--jit] [PAGE]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --bench >/dev/null
run=(/usr/bin/python3 "$root/bench/page.py" "$@")
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null; then
  run=(dbus-run-session -- "${run[@]}")
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  run=(xvfb-run -a -s "-screen 0 1280x1024x24" "${run[@]}")
fi
"${run[@]}" 2>&1 | grep -v -e dbus-daemon -e SpiRegistry
