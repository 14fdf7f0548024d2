#!/usr/bin/env bash
# Copies the screenshots the end-to-end tests write (target/screenshots/*.png) into
# docs/screenshots/, where README and docs/user-guide.md link them, replacing the old set
# (so a renamed or dropped screenshot does not linger). Run scripts/test.sh first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/target/screenshots"
dst="$root/docs/screenshots"
shopt -s nullglob
shots=("$src"/*.png)
if [ "${#shots[@]}" -eq 0 ]; then
  echo "No screenshots in $src yet: run scripts/test.sh (the end-to-end tests write them)." >&2
  exit 1
fi
mkdir -p "$dst"
rm -f "$dst"/*.png
cp -f "${shots[@]}" "$dst/"
echo "Copied ${#shots[@]} screenshot(s) to docs/screenshots/."
