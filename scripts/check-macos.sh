#!/usr/bin/env bash
# macOS: the whole workspace type-checked and linted for aarch64-apple-darwin (clippy with
# -D warnings, --all-targets), so every cfg(target_os = "macos") line (the file hand-over of
# RunEvent::Opened, the platform split, keyring's macOS store) compiles and is clean on every
# run. There is no Apple SDK here, so nothing is linked or run: the release workflow builds
# and tests on a real macOS. The C that build scripts compile (ring's, objc2's exception
# helper) is compiled by clang, a cross compiler by nature, against clang's own freestanding
# headers and the four stand-ins in tests/support/macos-check/ for the SDK's.
# scripts/setup.sh --test installs clang and the target; scripts/test.sh runs this in the
# background while its tests run (a whole run only). Extra arguments go to cargo clippy.
set -euo pipefail
start=$(date +%s)
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH"
# cargo clippy drives clippy itself: not the wrapper scripts/clippy-build.sh sets for builds.
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS

target=aarch64-apple-darwin
cc="$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -n1 || true)"
[ -n "$cc" ] || { echo "check-macos.sh: clang is missing (scripts/setup.sh --test installs it)" >&2; exit 1; }
rustup target list --installed 2>/dev/null | grep -qx "$target" \
  || { echo "check-macos.sh: the rust target $target is missing (scripts/setup.sh --test adds it)" >&2; exit 1; }
export CC_aarch64_apple_darwin="$cc"
export CFLAGS_aarch64_apple_darwin="--target=arm64-apple-macos11 -ffreestanding -nostdlibinc -isystem $root/tests/support/macos-check"

echo "==> cargo clippy --workspace --all-targets --target $target -- -D warnings (type-check only: no Apple SDK here)"
status=0
cargo clippy --workspace --all-targets --target "$target" "$@" -- -D warnings || status=$?
printf '==> macOS check %s in %ds\n' "$([ "$status" -eq 0 ] && echo passed || echo "FAILED (exit $status)")" $(( $(date +%s) - start ))
exit "$status"
