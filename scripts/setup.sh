#!/usr/bin/env bash
# Installs what a fresh Debian 12 / Ubuntu machine lacks to build and run Fortnox Activator.
#
#   scripts/setup.sh          build + run prerequisites (system libraries, Rust, xvfb-run)
#   scripts/setup.sh --test   also the test-only tools: WebKitWebDriver, tauri-driver, a
#                             session bus, gnome-keyring (and secret-tool, to look in it),
#                             xclip, screenshot tools, glib's
#                             `gio`, axe-core and dotenv (npm, pinned in tests/package-lock.json), and
#                             for Windows: rustup's x86_64-pc-windows-gnu target, MinGW-w64
#                             (its C compiler and linker) and wine64 (scripts/test-windows.sh);
#                             for macOS: rustup's aarch64-apple-darwin target and clang
#                             (scripts/check-macos.sh)
#   scripts/setup.sh --icons  what icons/render.sh takes: librsvg2-bin, ImageMagick, icnsutils
#   scripts/setup.sh --package  also what building the installers takes (scripts/package.sh):
#                             Node.js and npm for the Tauri CLI, dpkg-dev
#   scripts/setup.sh --bench  what the benchmarks take (scripts/bench.sh, bench-page.sh): the
#                             test tools, python3-gi with WebKitGTK's introspection data, and
#                             libsecret's `secret-tool` (the floor `bench.sh saved` compares with)
#
# Idempotent: packages already installed are not asked for again, so a second run takes a
# second. Uses sudo only when not root.
set -euo pipefail

want_test=0
want_package=0
want_bench=0
want_icons=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --package) want_package=1 ;;
    --icons) want_icons=1 ;;
    --bench) want_bench=1; want_test=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

# To build and run the app (WebKitGTK 4.1, tray/appindicator, librsvg, xdo, libsecret) and
# to run it without a display (xvfb-run is cheap, so it is always installed).
packages=(
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libsecret-1-dev
  build-essential file pkg-config curl ca-certificates
  xvfb xauth dbus desktop-file-utils xdg-utils
)
# Only for the tests: WebDriver, a session bus with a Secret Service, a clipboard reader,
# and `import` / `xwd` for screenshots.
if [ "$want_test" -eq 1 ]; then
  packages+=(webkit2gtk-driver dbus-x11 gnome-keyring libsecret-tools imagemagick x11-apps xclip libglib2.0-bin)
  # npm installs axe-core for the accessibility check of the end-to-end tests; Debian's
  # nodejs and npm only when there is no npm at all (a newer one may be installed by hand).
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
  # Windows: MinGW-w64 links the x86_64-pc-windows-gnu target (clippy's build scripts and
  # the .exe files); wine64 runs the Windows suite (its loader is /usr/lib/wine/wine64);
  # xdotool closes the app's message box there (on Xvfb).
  packages+=(gcc-mingw-w64-x86-64 wine64 xdotool)
  # macOS: clang compiles the C of build scripts for aarch64-apple-darwin (any clang is a
  # cross compiler), so that scripts/check-macos.sh can type-check and lint the macOS code.
  packages+=(clang)
fi
# Only for icons/render.sh: SVG to PNG (rsvg-convert), .ico (ImageMagick), .icns (png2icns).
if [ "$want_icons" -eq 1 ]; then
  packages+=(librsvg2-bin imagemagick icnsutils)
fi
# Only for the benchmarks: WebKitGTK from Python, without Tauri (bench/page.py), and
# `secret-tool`, one Secret Service read as a C program does it (bench/saved.py's floor).
if [ "$want_bench" -eq 1 ]; then
  packages+=(python3-gi gir1.2-webkit2-4.1 libsecret-tools)
fi
# Only for the installers: the Tauri CLI comes from npm; the .deb/.rpm bundlers themselves
# are part of it (no rpmbuild needed); dpkg-deb and desktop-file-validate check the result.
if [ "$want_package" -eq 1 ]; then
  packages+=(dpkg-dev desktop-file-utils libglib2.0-bin)
  # NodeSource's nodejs carries npm itself (and conflicts with Debian's npm package).
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

missing=()
for p in "${packages[@]}"; do
  is_installed "$p" || missing+=("$p")
done

# Rust: rustup is not reachable from here (no internet beyond package registries), so when
# cargo is missing fall back to Debian's packages.
cargo_bin="$(command -v cargo || true)"
[ -n "$cargo_bin" ] || { [ -x "$HOME/.cargo/bin/cargo" ] && cargo_bin="$HOME/.cargo/bin/cargo"; } || true
rust_packages=()
if [ -z "$cargo_bin" ]; then
  # Debian 12 ships a current toolchain as rustc-web/cargo-web (bookworm-updates); the plain
  # rustc/cargo packages there are 1.63, too old for Tauri 2 (needs >= 1.85 here).
  if apt-cache policy cargo-web 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    rust_packages=(rustc-web cargo-web rustfmt-web rust-web-clippy)
  else
    rust_packages=(rustc cargo rustfmt rust-clippy)
  fi
  warn "cargo not found and rustup cannot be reached: installing Debian's ${rust_packages[*]}."
  warn "If that toolchain is older than 1.85 the build will fail; install Rust with rustup where the internet is reachable."
  missing+=("${rust_packages[@]}")
fi

if [ "${#missing[@]}" -gt 0 ]; then
  say "installing: ${missing[*]}"
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  say "system packages: all present"
fi

if [ -z "$cargo_bin" ]; then
  cargo_bin="$(command -v cargo || true)"
  [ -n "$cargo_bin" ] || { echo "setup.sh: cargo still missing after installing ${rust_packages[*]}" >&2; exit 1; }
fi
say "rust: $("$cargo_bin" --version)"

if [ "$want_test" -eq 1 ]; then
  cargo_home="${CARGO_HOME:-$HOME/.cargo}"
  if command -v tauri-driver >/dev/null 2>&1 || [ -x "$cargo_home/bin/tauri-driver" ]; then
    say "tauri-driver: present"
  else
    say "installing tauri-driver (cargo install, about half a minute)"
    "$cargo_bin" install tauri-driver --version '^2' --locked
  fi
  root="$(cd "$(dirname "$0")/.." && pwd)"
  # Each test-only npm package at the version tests/package.json pins.
  npm_present() {
    [ -f "$root/tests/node_modules/$1/package.json" ] &&
      grep -q "\"version\": \"$(sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$root/tests/package.json")\"" \
        "$root/tests/node_modules/$1/package.json"
  }
  if npm_present axe-core && npm_present dotenv; then
    say "axe-core, dotenv: present"
  else
    say "installing axe-core and dotenv (npm ci in tests/)"
    (cd "$root/tests" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

if [ "$want_test" -eq 1 ]; then
  # The Windows target's standard library, for clippy and the Wine suite, and the macOS
  # one, for scripts/check-macos.sh. rustup reaches its server from these machines; without
  # rustup (Debian's cargo) there is no way to add them.
  rustup_bin="$(command -v rustup || true)"
  [ -n "$rustup_bin" ] || { [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/rustup" ] && rustup_bin="${CARGO_HOME:-$HOME/.cargo}/bin/rustup"; } || true
  for rust_target in x86_64-pc-windows-gnu aarch64-apple-darwin; do
    if [ -z "$rustup_bin" ]; then
      echo "setup.sh: rustup is missing, so the $rust_target target cannot be added; install Rust with rustup (https://rustup.rs) and run this again" >&2
      exit 1
    elif "$rustup_bin" target list --installed | grep -qx "$rust_target"; then
      say "rust target $rust_target: present"
    else
      say "adding the rust target $rust_target (rustup)"
      "$rustup_bin" target add "$rust_target"
    fi
  done
fi

if [ "$want_test" -eq 1 ]; then
  # actionlint for the release workflow, in a venv of its own under target/ (pinned, hashed).
  root="$(cd "$(dirname "$0")/.." && pwd)"
  venv="$root/target/tools/lint-venv"
  if [ -x "$venv/bin/actionlint" ]; then
    say "actionlint: present"
  else
    command -v python3 >/dev/null 2>&1 && python3 -m venv --help >/dev/null 2>&1 \
      || { "${SUDO[@]}" apt-get install -y --no-install-recommends python3 python3-venv; }
    say "installing actionlint (pip, into target/tools/lint-venv)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
      --require-hashes -r "$root/scripts/lint-requirements.txt"
  fi
fi

say "setup done"
