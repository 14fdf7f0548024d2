#!/usr/bin/env bash
# Installs the prerequisites, builds Fortnox Activator (release) and starts it.
# Extra arguments go to the app.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd "$root"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "==> No display found (neither DISPLAY nor WAYLAND_DISPLAY is set)."
  echo "==> Running the app on an invisible virtual screen (xvfb-run): you will not see its window."
  exec xvfb-run -a cargo run -p fortnox-activator --release -- "$@"
fi
exec cargo run -p fortnox-activator --release -- "$@"
