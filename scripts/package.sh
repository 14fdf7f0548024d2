#!/usr/bin/env bash
# Builds Fortnox Activator's Linux installers, a .deb and an .rpm, with the Tauri CLI from npm
# (pinned in scripts/packaging/package.json; prebuilt, installs in seconds).
#
#   scripts/package.sh             both packages, into target/release/bundle/{deb,rpm}/
#   scripts/package.sh deb         only the .deb (or: rpm)
#   scripts/package.sh --debug deb a debug build packaged the same way, into
#                                  target/debug/bundle/ (what scripts/test-deb.sh installs:
#                                  it reuses the test build's artifacts, so it takes minutes
#                                  less; the package and its desktop entry are the same)
#
# Offline: the deb and rpm bundlers need nothing from the internet (AppImage would, so it
# is not built). The desktop entry declares the app's own link scheme
# (MimeType=x-scheme-handler/se.fortnoxactivator.app; Exec … %u), from the deep-link
# plugin's configuration in src-tauri/tauri.conf.json, and the activation file's type
# (application/x-fortnox-activation+json, from bundle.fileAssociations), whose globs
# (*.fortnox-activation, and *.fortnox-activation.json as earlier versions wrote) the
# package installs in /usr/share/mime/packages/; this script checks both in the .deb.
# Needs the build prerequisites (scripts/setup.sh) and Node.js with npm
# (scripts/setup.sh --package installs them).
set -euo pipefail
start=$(date +%s)
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

profile=release
build_flags=()
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  build_flags=(--debug)
  shift
fi
bundles="${1:-deb,rpm}"
case "$bundles" in
  deb|rpm|deb,rpm|rpm,deb) ;;
  *) echo "package.sh: bundles are deb, rpm or deb,rpm (got: $bundles)" >&2; exit 2 ;;
esac

bash scripts/setup.sh --package

say() { printf '==> %s\n' "$*"; }

cli="scripts/packaging/node_modules/.bin/tauri"
if [ ! -x "$cli" ] || ! "$cli" --version 2>/dev/null | grep -q "$(node -p "require('./scripts/packaging/package.json').devDependencies['@tauri-apps/cli']")"; then
  say "installing the Tauri CLI from npm (scripts/packaging/package-lock.json)"
  # `npm install`, not `npm ci`: the lock holds only the platform binaries the registry
  # served when it was made, and `npm ci` refuses a lock without every platform's optional
  # package. The exact version in package.json and the lock's integrity hashes still pin it.
  (cd scripts/packaging && npm install --no-audit --no-fund --loglevel=error)
fi
say "$("$cli" --version)"

say "tauri build ${build_flags[*]:-} --bundles $bundles (a $profile build; minutes the first time)"
# --ci: no prompts. The build runs `cargo build [--release] --features tauri/custom-protocol`.
"$cli" build --ci ${build_flags[@]+"${build_flags[@]}"} --bundles "$bundles"

out="target/$profile/bundle"
for kind in deb rpm; do
  [[ "$bundles" == *$kind* ]] || continue
  f="$(ls -t "$out/$kind"/*."$kind" | head -n1)"
  say "built $f ($(du -h "$f" | cut -f1))"
done

# The .deb's desktop entry must declare the scheme and pass the desktop-file spec.
if [[ "$bundles" == *deb* ]]; then
  deb="$(ls -t "$out"/deb/*.deb | head -n1)"
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  dpkg-deb -x "$deb" "$scratch"
  entry="$(find "$scratch/usr/share/applications" -name '*.desktop' | head -n1)"
  [ -n "$entry" ] || { echo "package.sh: no desktop entry in $deb" >&2; exit 1; }
  grep -q '^MimeType=.*x-scheme-handler/se\.fortnoxactivator\.app;' "$entry" \
    || { echo "package.sh: $entry does not declare x-scheme-handler/se.fortnoxactivator.app:" >&2; cat "$entry" >&2; exit 1; }
  grep -q '^MimeType=.*application/x-fortnox-activation+json;' "$entry" \
    || { echo "package.sh: $entry does not declare the activation file's type:" >&2; cat "$entry" >&2; exit 1; }
  [ -f "$scratch/usr/share/mime/packages/se.fortnoxactivator.app.xml" ] \
    || { echo "package.sh: $deb has no shared-mime-info XML for activation files" >&2; exit 1; }
  grep -q '^Exec=.*%u' "$entry" || { echo "package.sh: $entry's Exec has no %u" >&2; cat "$entry" >&2; exit 1; }
  desktop-file-validate "$entry"
  say "desktop entry ok: $(basename "$entry") declares the scheme and the activation file's type, Exec takes %u, desktop-file-validate passes"
fi

elapsed=$(( $(date +%s) - start ))
say "packages built in $((elapsed / 60))m$(printf '%02d' $((elapsed % 60)))s"
