#!/usr/bin/env bash
# Renders icons/icon.svg into every icon the app and its installers use (src-tauri/icons/):
#   icon.png (512), 32x32.png, 128x128.png, 128x128@2x.png (256): the window and Linux
#   icon.ico: Windows (exe resource, installers), 16, 24, 32, 48, 64, 128 and 256 px
#   icon.icns: macOS (.app, .dmg), 16 to 1024 px
# Needs librsvg (`rsvg-convert`), ImageMagick (`convert`) and icnsutils (`png2icns`):
# `scripts/setup.sh --icons`. ImageMagick's `PNG32:` forces RGBA output, which
# tauri::generate_context! requires.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../src-tauri/icons"
convert_bin=/usr/bin/convert
[ -x "$convert_bin" ] || convert_bin="$(command -v convert)"
for tool in rsvg-convert png2icns; do
  command -v "$tool" >/dev/null 2>&1 || { echo "render.sh: $tool is missing (scripts/setup.sh --icons installs it)" >&2; exit 1; }
done
mkdir -p "$out"
render() { # size file
  rsvg-convert --width "$1" --height "$1" --keep-aspect-ratio --format png "$here/icon.svg" \
    | "$convert_bin" png:- -strip "PNG32:$2"
}
render 512 "$out/icon.png"
render 32 "$out/32x32.png"
render 128 "$out/128x128.png"
render 256 "$out/128x128@2x.png"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Windows: one .ico holding every size Explorer and the installers ask for (256 is stored
# as PNG inside the .ico, as Windows expects).
ico_sizes=(16 24 32 48 64 128 256)
for s in "${ico_sizes[@]}"; do render "$s" "$tmp/ico-$s.png"; done
"$convert_bin" $(for s in "${ico_sizes[@]}"; do printf '%s ' "$tmp/ico-$s.png"; done) "$out/icon.ico"
# macOS: png2icns takes the PNGs and files each under its size's type (16..1024).
icns_sizes=(16 32 48 128 256 512 1024)
for s in "${icns_sizes[@]}"; do render "$s" "$tmp/icns-$s.png"; done
png2icns "$out/icon.icns" $(for s in "${icns_sizes[@]}"; do printf '%s ' "$tmp/icns-$s.png"; done) >/dev/null
file "$out"/*.png "$out/icon.ico" "$out/icon.icns"
identify "$out/icon.ico" | awk '{print $3}' | tr '\n' ' '; echo
