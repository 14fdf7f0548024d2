#!/usr/bin/env bash
# The Linux package, end to end: builds the .deb (scripts/package.sh --debug deb), installs it with
# dpkg -i, checks the installed desktop entry (desktop-file-validate, the scheme and the
# activation file's type in MimeType, %u in Exec) and the activation file's MIME type (its
# shared-mime-info XML, and the database dpkg's trigger rebuilt from it), then runs two
# end-to-end tests against the INSTALLED app on Xvfb with its own session bus:
# - an activation whose redirect to se.fortnoxactivator.app:/callback the fake browser hands
#   to `gio open`, which starts the package's entry, which hands the link to the running
#   window;
# - an activation file: `xdg-mime` names its type and the package's entry, and `gio open` on
#   the file starts the installed app with it, then hands it to an already running window.
# The app's own run-time registration is off, so only the package's entry can deliver either.
# Finally removes the package again (unless KEEP_PACKAGE=1).
#
# .ci/run calls this after scripts/test.sh. Needs root or sudo (dpkg -i).
set -euo pipefail
start=$(date +%s)
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
say() { printf '\n==> %s\n' "$*"; }

export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH"

bash scripts/setup.sh --test --package
# The same compile of the workspace's crates as scripts/test.sh (clippy's driver), so the test
# support built below is already there after test.sh.
source scripts/clippy-build.sh

say "building the .deb (a debug build, packaged as the release one is)"
bash scripts/package.sh --debug deb
deb="$(ls -t target/debug/bundle/deb/*.deb | head -n1)"
built=$(date +%s)

say "dpkg -i $deb"
"${SUDO[@]}" dpkg -i "$deb"
cleanup() {
  if [ "${KEEP_PACKAGE:-0}" != 1 ]; then
    "${SUDO[@]}" dpkg -r fortnox-activator >/dev/null 2>&1 || true
  fi
  [ -n "${scratch:-}" ] && rm -rf "$scratch"
}
trap cleanup EXIT

entry="$(dpkg -L fortnox-activator | grep '^/usr/share/applications/.*\.desktop$' | head -n1)"
[ -n "$entry" ] || { echo "test-deb.sh: the package installs no desktop entry" >&2; exit 1; }
say "checking $entry"
cat "$entry"
desktop-file-validate "$entry"
grep -q '^MimeType=.*x-scheme-handler/se\.fortnoxactivator\.app;' "$entry"
grep -q '^MimeType=.*application/x-fortnox-activation+json;' "$entry"
grep -q '^Exec=.*%u' "$entry"
# The activation file's type: the package's XML, and the database the shared-mime-info
# trigger rebuilt from it (dpkg runs update-mime-database once the package is in).
dpkg -L fortnox-activator | grep -qx /usr/share/mime/packages/se.fortnoxactivator.app.xml
[ -f /usr/share/mime/application/x-fortnox-activation+json.xml ] \
  || { echo "test-deb.sh: the MIME database does not know application/x-fortnox-activation+json" >&2; exit 1; }
grep -q 'application/x-fortnox-activation+json' /usr/share/applications/mimeinfo.cache \
  || { echo "test-deb.sh: the desktop database names no handler of activation files" >&2; exit 1; }
app="$(dpkg -L fortnox-activator | grep '^/usr/bin/' | head -n1)"
[ -x "$app" ] || { echo "test-deb.sh: no binary in /usr/bin" >&2; exit 1; }

# The test binary, the stand-in and the fake browser come from the workspace (debug): the
# whole workspace, as scripts/test.sh built it, so nothing compiles again (with `-p` cargo
# would unify other dependency features and compile those dependencies again).
say "building the test support"
cargo build --workspace --all-targets
cargo test --workspace --test e2e --no-run

scratch="$(mktemp -d -t fortnox-activator-deb.XXXXXX)"
mkdir -p "$scratch"/{home,config,data,cache,state,runtime}
chmod 700 "$scratch/runtime"
say "the installed app receives a link and an activation file through its desktop entry ($app)"
env \
  HOME="$scratch/home" \
  XDG_CONFIG_HOME="$scratch/config" \
  XDG_DATA_HOME="$scratch/data" \
  XDG_CACHE_HOME="$scratch/cache" \
  XDG_STATE_HOME="$scratch/state" \
  XDG_RUNTIME_DIR="$scratch/runtime" \
  WEBKIT_DISABLE_DMABUF_RENDERER=1 \
  NO_AT_BRIDGE=1 \
  FORTNOX_ACTIVATOR_APP="$app" \
  FORTNOX_ACTIVATOR_NO_REGISTER=1 \
  FORTNOX_ACTIVATOR_DESKTOP_ENTRY="$entry" \
  xvfb-run -a dbus-run-session --config-file="$root/tests/support/session-bus.conf" -- \
  cargo test --workspace --test e2e -- --ignored --exact \
    the_installed_package_receives_the_link_through_its_desktop_entry \
    the_installed_package_opens_an_activation_file_through_its_desktop_entry

end=$(date +%s)
say "package checks passed: build $(( (built - start) / 60 ))m$(printf '%02d' $(( (built - start) % 60 )))s, total $(( (end - start) / 60 ))m$(printf '%02d' $(( (end - start) % 60 )))s"
