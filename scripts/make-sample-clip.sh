#!/usr/bin/env bash
# Makes samples/astronaut.mp4, the clip README's main command runs on: 48 frames (2 s at 24 fps),
# 512x512 H.264, a gentle zoom and pan over the public-domain NASA portrait of Eileen Collins
# (skimage's astronaut.png, from ../shared/data/faces/). Needs ffmpeg with libx264.
# Usage: scripts/make-sample-clip.sh [source.png] [out.mp4]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="${1:-$here/../shared/data/faces/astronaut.png}"
out="${2:-$here/samples/astronaut.mp4}"
ffmpeg_bin="${VISAGE_FFMPEG:-ffmpeg}"

if [ ! -f "$src" ]; then
  echo "make-sample-clip: source image not found: $src" >&2
  exit 2
fi
mkdir -p "$(dirname "$out")"

# zoompan: zoom 1.00 -> 1.15 over the clip, a slow sideways sway of +-12 px around the centre.
# -bitexact and a single thread keep the output byte-stable across runs of the same ffmpeg build.
"$ffmpeg_bin" -hide_banner -loglevel error -y -loop 1 -i "$src" \
  -vf "zoompan=z='1+0.15*on/48':x='iw/2-(iw/zoom/2)+12*sin(on/8)':y='ih/2-(ih/zoom/2)':d=48:s=512x512:fps=24" \
  -frames:v 48 -c:v libx264 -preset slow -crf 23 -pix_fmt yuv420p -threads 1 \
  -movflags +faststart -map_metadata -1 -fflags +bitexact -flags:v +bitexact "$out"

size=$(stat -c %s "$out")
if [ "$size" -gt 307200 ]; then
  echo "make-sample-clip: $out is $size bytes, over the 300 KB budget" >&2
  exit 1
fi
echo "wrote $out ($size bytes, 48 frames)"
