#!/usr/bin/env bash
# Renders icons/icon.svg into the PNGs the app and its bundle use (src-tauri/icons/).
# Needs ImageMagick (`convert`, Debian package imagemagick). PNG32 forces RGBA output,
# which tauri::generate_context! requires.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../src-tauri/icons"
convert_bin=/usr/bin/convert
[ -x "$convert_bin" ] || convert_bin="$(command -v convert)"
mkdir -p "$out"
render() { # size file
  "$convert_bin" -background none -density 384 "$here/icon.svg" -resize "$1x$1" -strip "PNG32:$out/$2"
}
render 512 icon.png
render 32 32x32.png
render 128 128x128.png
render 256 128x128@2x.png
file "$out"/*.png
