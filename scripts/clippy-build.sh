# Sourced by scripts/test.sh and scripts/test-windows.sh: from here on, every cargo build
# compiles the workspace's own crates with clippy's driver and denies warnings, exactly as
# `cargo clippy --workspace --all-targets -- -D warnings` does (cargo-clippy sets these same
# two variables and then runs `cargo check`). Running them with `cargo build` instead lints
# and builds in one compile: dependencies are compiled once, for the binaries the tests run,
# not twice (checked for clippy, then built). Dependencies are never linted: cargo uses the
# wrapper for workspace members only.
#
# Keep the two variables the same for every cargo call of a run: they are part of the
# workspace crates' fingerprints, so a call without them rebuilds those crates (only those).
clippy_driver="$(rustup which clippy-driver 2>/dev/null || true)"
if [ -z "$clippy_driver" ] || [ ! -x "$clippy_driver" ]; then
  echo "clippy-build.sh: clippy-driver is missing (rustup component add clippy)" >&2
  exit 1
fi
export RUSTC_WORKSPACE_WRAPPER="$clippy_driver"
# cargo-clippy's own encoding of the arguments after `--`: each followed by this separator.
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
unset clippy_driver
