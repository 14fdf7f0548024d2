#!/usr/bin/env bash
# Speed and size of Fortnox Activator against a bare Tauri 2 window (bench/baseline); with
# `saved`, saved connections at scale (issue 17): the credential helper, the list of 1,000
# and the window's first screen.
#
#   scripts/bench.sh [--runs N] [--no-build] [--no-flow] [--label TEXT]
#   scripts/bench.sh saved [--runs N] [--count N] [--no-build] [--no-window] [--label TEXT]
#
# Builds both with the same release profile (the root Cargo.toml's [profile.release], which
# bench/baseline/Cargo.toml must repeat exactly), and the stand-in and fake browser (debug),
# then runs bench/bench.py under the current display, or xvfb-run when there is none. Prints
# launch -> ready, process-tree PSS, stripped sizes and callback -> result side by side with
# the ratios; writes target/bench/latest.json, a dated copy, and target/bench/latest.md (the
# table docs/performance.md carries). Not part of scripts/test.sh: tests never assert times.
# Builds and runs under `nice -n 10` (the machine may be shared); numbers taken while other
# work runs are noisy: look at the load average the table reports.
#
# `saved` builds the command line and the app (release) and seed-connections (debug), then
# runs bench/saved.py: `token NAME` against `secret-tool lookup` of the same entry, `list`
# with 1,000 saved (and once with no Secret Service at all), and the window's launch ->
# first screen with 1,000 saved against one; it prints the table and whether each target is
# met, and writes target/bench/saved-latest.{json,md}.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

build=1
mode=launch
window=1
args=()
if [ "${1:-}" = saved ]; then
  mode=saved
  shift
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --no-window) window=0; args+=("$1") ;;
    *) args+=("$1") ;;
  esac
  shift
done

bash scripts/setup.sh --bench

profile() { awk '/^\[profile\.release\]/{f=1;next} /^\[/{f=0} f && NF && !/^#/' "$1"; }
if ! diff <(profile Cargo.toml) <(profile bench/baseline/Cargo.toml) >/dev/null; then
  echo "bench: [profile.release] differs between Cargo.toml and bench/baseline/Cargo.toml:" >&2
  diff <(profile Cargo.toml) <(profile bench/baseline/Cargo.toml) >&2 || true
  exit 2
fi

if [ "$mode" = saved ] && [ "$build" = 1 ]; then
  echo "==> release build of the command line"
  nice -n 10 cargo build --release -p fortnox-activate
  if [ "$window" = 1 ]; then
    echo "==> release build of the app"
    nice -n 10 cargo build --release -p fortnox-activator --features tauri/custom-protocol
  fi
  echo "==> seed-connections"
  nice -n 10 cargo build -p activator-tests --bin seed-connections
elif [ "$build" = 1 ]; then
  # As shipped: `tauri build` compiles with tauri/custom-protocol.
  echo "==> release build of the app"
  nice -n 10 cargo build --release -p fortnox-activator --features tauri/custom-protocol
  echo "==> release build of the baseline window (into the same target/)"
  CARGO_TARGET_DIR="$root/target" nice -n 10 cargo build --release \
    --manifest-path bench/baseline/Cargo.toml --features tauri/custom-protocol
  echo "==> stand-in and fake browser"
  nice -n 10 cargo build -p activator-tests --bins
fi
if [ "$mode" = saved ]; then
  run=(nice -n 10 python3 "$root/bench/saved.py" "${args[@]}")
else
  command -v tauri-driver >/dev/null || { echo "bench: tauri-driver is missing (cargo install tauri-driver --locked)" >&2; exit 2; }
  run=(nice -n 10 python3 "$root/bench/bench.py" "${args[@]}")
fi
# A desktop session has a session bus, its services already running, and an unlocked
# keychain. Without a bus, GLib autolaunches one (and the accessibility bus) for each window;
# on a bus that starts services on demand, about one launch in five (of either window) waits
# ~500 ms for one to start. So, as the tests do: our own bus that starts nothing on demand
# (tests/support/session-bus.conf), and gnome-keyring unlocked, its keyring in a scratch
# folder (never the user's own).
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  scratch="$(mktemp -d -t fa-bench.XXXXXX)"
  trap 'rm -rf "$scratch"' EXIT
  mkdir -p "$scratch/data" "$scratch/runtime"
  chmod 700 "$scratch/runtime"
  run=(dbus-run-session --config-file="$root/tests/support/session-bus.conf" -- bash -c '
    echo -n bench | XDG_DATA_HOME="$0/data" XDG_RUNTIME_DIR="$0/runtime" \
      gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"' "$scratch" "${run[@]}")
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  run=(xvfb-run -a -s "-screen 0 1280x1024x24" "${run[@]}")
fi
"${run[@]}"
