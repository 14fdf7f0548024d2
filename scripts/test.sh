#!/usr/bin/env bash
# Runs every check: formatting, clippy (Linux and the Windows target; the macOS target in
# the background of a whole run, scripts/check-macos.sh), then the whole test suite (unit,
# integration and end-to-end) on a virtual X display with its own session bus, an unlocked
# gnome-keyring and a throwaway HOME. Extra arguments go to `cargo test`, e.g.
#   scripts/test.sh -p activation
#   scripts/test.sh -p fortnox-activator -- --nocapture
set -euo pipefail
start=$(date +%s)
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/setup.sh --test

# Keep the real toolchain while HOME moves (computed before HOME changes).
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH"

step() { printf '\n==> %s (%ds)\n' "$*" "$(( $(date +%s) - start ))"; }

step "cargo fmt --all --check"
cargo fmt --all --check

# Lint and build in one compile: clippy's driver compiles the workspace's own crates while
# cargo builds (scripts/clippy-build.sh), so each dependency is compiled once, for the
# binaries the tests run, instead of twice (checked for clippy, then built). The same lints
# with -D warnings as `cargo clippy --workspace --all-targets -- -D warnings`.
source scripts/clippy-build.sh

step "clippy -D warnings while building: cargo build --workspace --all-targets"
cargo build --workspace --all-targets

# Windows: every cfg(windows) line compiles and is clean (MinGW-w64 links the build scripts'
# Windows parts; setup.sh --test installs it and the target). These are the binaries
# scripts/test-windows.sh runs under Wine, so it builds nothing again.
step "clippy -D warnings while building for Windows: cargo build --workspace --all-targets --target x86_64-pc-windows-gnu"
cargo build --workspace --all-targets --target x86_64-pc-windows-gnu

step "actionlint .github/workflows"
target/tools/lint-venv/bin/actionlint .github/workflows/*.yml

# `cargo test --workspace` unless the arguments pick packages themselves (-p/--package).
scope=(--workspace)
for arg in "$@"; do
  case "$arg" in
    --) break ;;
    -p|-p*|--package|--package=*) scope=() ;;
  esac
done

# Fuzzing comes only with a whole run (no arguments).
whole_run=0
[ "${#scope[@]}" -gt 0 ] && [ "$#" -eq 0 ] && whole_run=1

scratch="$(mktemp -d -t fortnox-activator-test.XXXXXX)"
background=
cleanup() {
  # The background builds are their own process group (setsid): stop them with their cargo.
  if [ -n "$background" ]; then kill -- "-$background" 2>/dev/null || true; wait "$background" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch"/{home,config,data,cache,state,runtime}
chmod 700 "$scratch/runtime"

# While the tests run, two compiles that need nothing from them, one after the other: the
# fuzz targets (nightly, their own target folder, cargo-fuzz installed when missing), then
# the macOS check (scripts/check-macos.sh: clippy -D warnings for aarch64-apple-darwin). The
# tests mostly wait on the window and the stand-in, so the compiles overlap them instead of
# following them. At the lowest priority (nice 19), so the window and the stand-in get the
# processor whenever they want it and the tests see the machine as if nothing else ran.
# Their output is shown after the tests.
if [ "$whole_run" = 1 ]; then
  step "in the background (nice 19) while the tests run: scripts/fuzz.sh --build-only, then scripts/check-macos.sh"
  setsid nice -n 19 bash -c '
    bash scripts/fuzz.sh --build-only >"$1/fuzz-build.log" 2>&1; echo $? >"$1/fuzz-build.status"
    bash scripts/check-macos.sh >"$1/macos.log" 2>&1; echo $? >"$1/macos.status"
  ' background "$scratch" &
  background=$!
fi

step "cargo test${scope[*]:+ ${scope[*]}}${*:+ $*} (xvfb-run + dbus-run-session, HOME=$scratch/home)"
status=0
env \
  HOME="$scratch/home" \
  XDG_CONFIG_HOME="$scratch/config" \
  XDG_DATA_HOME="$scratch/data" \
  XDG_CACHE_HOME="$scratch/cache" \
  XDG_STATE_HOME="$scratch/state" \
  XDG_RUNTIME_DIR="$scratch/runtime" \
  WEBKIT_DISABLE_DMABUF_RENDERER=1 \
  NO_AT_BRIDGE=1 \
  xvfb-run -a dbus-run-session --config-file="$root/tests/support/session-bus.conf" -- bash -c '
    set -euo pipefail
    # Unlock a fresh login keyring so the Secret Service works (the daemon prints its
    # environment; nothing else needs it because it registers on this session bus).
    echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec cargo test "$@"
  ' cargo-test ${scope[@]+"${scope[@]}"} "$@" 2>&1 | tee "$scratch/test.log" || status=$?

# A short run of every fuzz target (20 s each unless FUZZ_SECONDS says otherwise) when
# nightly is there; it says so when it is skipped. Only for a whole run, not when the
# arguments pick packages.
if [ -n "$background" ]; then
  wait "$background" || true
  background=
  fuzz_status="$(cat "$scratch/fuzz-build.status" 2>/dev/null || echo 1)"
  step "the fuzz targets' build (exit $fuzz_status)"
  # After failed tests, only its last lines: what failed is repeated last, below.
  if [ "$status" -eq 0 ]; then cat "$scratch/fuzz-build.log"; else tail -n 3 "$scratch/fuzz-build.log"; fi
  macos_status="$(cat "$scratch/macos.status" 2>/dev/null || echo 1)"
  step "scripts/check-macos.sh (exit $macos_status)"
  # Its warnings and errors in full when it failed; otherwise the last lines (cargo's
  # "Checking …" list is long).
  if [ "$macos_status" -eq 0 ]; then tail -n 3 "$scratch/macos.log"; else grep -v '^ *\(Checking\|Compiling\) ' "$scratch/macos.log"; [ "$status" -ne 0 ] || status="$macos_status"; fi
fi
if [ "$status" -eq 0 ] && [ "$whole_run" = 1 ]; then
  step "scripts/fuzz.sh ${FUZZ_SECONDS:-20}"
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}" || status=$?
fi

# A failed test's own words (its panic, what the window said) come last, where a CI log's
# tail shows them, instead of above thousands of lines of later output.
if [ "$status" -ne 0 ] && grep -q '^failures:$' "$scratch/test.log"; then
  step "what failed (repeated from above)"
  awk '/^failures:$/ { on = 1 } on { print } /^test result:/ { on = 0 }' "$scratch/test.log"
fi

elapsed=$(( $(date +%s) - start ))
printf '\n==> %s in %dm%02ds\n' "$([ "$status" -eq 0 ] && echo "all checks passed" || echo "FAILED (exit $status)")" $((elapsed / 60)) $((elapsed % 60))
exit "$status"
