#!/usr/bin/env bash
# The Windows suite, under Wine: builds the command line (fortnox-activate.exe), the app
# (fortnox-activator.exe) and activation's unit tests for x86_64-pc-windows-gnu, a one-
# function bcryptprimitives.dll that Wine 8 lacks (tests/support/wine/), and then runs
# tests/tests/wine.rs against the Fortnox stand-in with a fresh WINEPREFIX:
#   * the command line: loopback activation (127.0.0.1 and ::1), paste mode, --save into
#     the Credential Manager, list, refresh (two processes at once), token, export, revoke,
#     a 2,000-character and a 16 KB access token, Swedish letters, no secret in any file;
#   * the core's unit tests on Windows, with the real Credential Manager: a 16 KB secret read
#     back whole, an entry written the way earlier versions wrote it (activation's ignored
#     `windows_credential_manager` tests, printed with what they checked);
#   * the app without WebView2: its message box opens (on Xvfb; closed with xdotool), exit
#     status 3, the log names the runtime, no panic.
# Extra arguments go to the wine.rs test binary (e.g. --nocapture is always on).
set -euo pipefail
start=$(date +%s)
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/setup.sh --test >/dev/null

export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH"
target=x86_64-pc-windows-gnu
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || { echo "test-windows.sh: $wine is missing (scripts/setup.sh --test installs wine64)" >&2; exit 1; }

step() { printf '\n==> %s (%ds)\n' "$*" "$(( $(date +%s) - start ))"; }

# The same build as scripts/test.sh's Windows lint (clippy's driver, -D warnings, the whole
# workspace with its tests), so after test.sh it compiles nothing.
source scripts/clippy-build.sh
step "cargo build --workspace --all-targets --target $target (clippy -D warnings)"
cargo build --workspace --all-targets --target "$target"

step "activation's unit tests for $target"
# The lib test of the `activation` package, found in cargo's own list of what it built.
activation_tests="$(cargo test --workspace --target "$target" --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    t = m.get("target", {})
    if m.get("executable") and t.get("name") == "activation" and "lib" in t.get("kind", []):
        print(m["executable"])' | tail -n1)"
[ -n "$activation_tests" ] && [ -f "$activation_tests" ] || { echo "test-windows.sh: activation's test .exe was not built" >&2; exit 1; }

scratch="$(mktemp -d -t fortnox-activator-wine.XXXXXX)"
cleanup() {
  WINEPREFIX="$scratch/prefix" /usr/lib/wine/wineserver -k >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

step "bcryptprimitives.dll (ProcessPrng) with MinGW-w64"
exe_dir="$scratch/bin"
mkdir -p "$exe_dir"
x86_64-w64-mingw32-gcc -O2 -shared -s -o "$exe_dir/bcryptprimitives.dll" \
  tests/support/wine/processprng.c tests/support/wine/bcryptprimitives.def -ladvapi32
# The GNU build of the app loads WebView2Loader.dll at start (the MSVC build of the release
# workflow links it statically); webview2-com-sys puts it beside the .exe.
cp "target/$target/debug/fortnox-activate.exe" "target/$target/debug/fortnox-activator.exe" \
  "target/$target/debug/WebView2Loader.dll" "$exe_dir/"
cp "$activation_tests" "$exe_dir/activation-tests.exe"

step "a fresh WINEPREFIX"
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all
# LANG must name a UTF-8 locale the C library has: Wine converts arguments and the
# environment with it (C.UTF-8 always exists).
export LANG=C.UTF-8
unset LC_ALL LC_MESSAGES DISPLAY WAYLAND_DISPLAY
"$wine" wineboot --init >/dev/null 2>&1 || true
/usr/lib/wine/wineserver -w

# The whole workspace, as scripts/test.sh built it (a no-op after it): with `-p` cargo would
# unify other dependency features and compile those dependencies again.
step "Linux side: the stand-in library and the fake browser"
cargo build --workspace --all-targets
status=0

# All of the core's unit tests on Windows (files, locks, paths, the split keychain logic),
# and the ignored ones that need the real Credential Manager.
step "activation's unit tests under Wine, the Credential Manager's included"
"$wine" "$exe_dir/activation-tests.exe" --include-ignored --test-threads=2 --nocapture || status=$?
# The unit tests ran without a display, and Wine's desktop (explorer.exe) with them: stop
# that wineserver, or the app below, started within its few seconds of lingering, shares a
# desktop with no display and its message box opens nowhere (seen on a fresh machine).
/usr/lib/wine/wineserver -k >/dev/null 2>&1 || true
/usr/lib/wine/wineserver -w

# On Xvfb, so that the app's message box really opens (the test closes it with xdotool).
step "tests/tests/wine.rs (xvfb-run)"
WINE_SUITE_EXE_DIR="$exe_dir" WINE_SUITE_LOADER="$wine" \
  xvfb-run -a cargo test --workspace --test wine -- --ignored --test-threads=1 --nocapture "$@" || status=$?

elapsed=$(( $(date +%s) - start ))
printf '\n==> Windows suite %s in %dm%02ds\n' "$([ "$status" -eq 0 ] && echo passed || echo "FAILED (exit $status)")" $((elapsed / 60)) $((elapsed % 60))
exit "$status"
