#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS each (default 20), e.g.
#   scripts/fuzz.sh          # the short run scripts/test.sh does
#   scripts/fuzz.sh 600      # ten minutes a target
#   scripts/fuzz.sh --build-only   # install cargo-fuzz and build the targets, run nothing
#                                  # (scripts/test.sh does this while the tests run)
# Long runs to a number of executions: see docs/testing.md ("Fuzzing").
#
# Needs the nightly toolchain and cargo-fuzz; says "skipped" (exit 0) when nightly is
# missing, and installs cargo-fuzz when it can. Exits non-zero when a target finds a crash;
# the input is then in fuzz/artifacts/<target>/ (turn it into a regression test in the core).
#
# The targets build without a sanitizer (-s none) by default: they exercise safe Rust only,
# and AddressSanitizer made them about three times slower. FUZZ_SANITIZER=address restores it.
set -euo pipefail
build_only=0
if [ "${1:-}" = "--build-only" ]; then build_only=1; shift; fi
seconds="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
sanitizer="${FUZZ_SANITIZER:-none}"
# The fuzz targets build with nightly: not with the stable clippy driver scripts/test.sh
# (scripts/clippy-build.sh) puts around the workspace's crates.
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS

say() { printf 'fuzz: %s\n' "$*"; }

if ! cargo +nightly --version >/dev/null 2>&1; then
  say "skipped: no nightly toolchain (rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  say "cargo-fuzz is missing; installing it (cargo install cargo-fuzz --locked)"
  if ! cargo install cargo-fuzz --locked >/dev/null 2>&1; then
    say "skipped: no cargo-fuzz, and installing it failed"
    exit 0
  fi
fi

start=$(date +%s)
say "building the targets (sanitizer: $sanitizer)"
cargo +nightly fuzz build -s "$sanitizer" >/dev/null
if [ "$build_only" = 1 ]; then
  say "targets built in $(( $(date +%s) - start ))s (--build-only)"
  exit 0
fi

status=0
summary=()
for target in $(cargo +nightly fuzz list); do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  seeds=()
  [ -d "fuzz/seeds/$target" ] && seeds=("fuzz/seeds/$target")
  log="$(mktemp)"
  if cargo +nightly fuzz run -s "$sanitizer" "$target" "$corpus" ${seeds[@]+"${seeds[@]}"} -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    summary+=("$target: ${runs:-?} executions in ${seconds}s, no crash")
  else
    status=1
    summary+=("$target: FAILED (see fuzz/artifacts/$target/)")
    tail -40 "$log" >&2
  fi
  rm -f "$log"
done
for line in "${summary[@]}"; do say "$line"; done
say "done in $(( $(date +%s) - start ))s"
exit "$status"
