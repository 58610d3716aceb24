#!/usr/bin/env bash
# Makes a small folder of labelled clips, one folder per class, from the real face media in
# ../shared/data/faces (or FACES_DIR), for trying `pipeline run --labels-from-folders`, `compare`
# and `ablate` without a dataset:
#   OUT/happy/<face>-warm.mp4     warm colour cast (red up, blue down)
#   OUT/sad/<face>-cool.mp4       cool colour cast (blue up, red down)
#   OUT/neutral/<face>-plain.mp4  unchanged
# Each clip is 1 s at 8 fps, 320 px wide (a still image looped, or 1 s of Megamind.avi).
# The labels are by construction of the colour cast, not real emotions: use the folder to check the
# machinery and the statistics, not to measure a model's accuracy. Nothing here is committed.
# Usage: bash scripts/make-labelled-clips.sh OUT_DIR
set -euo pipefail
out=${1:?usage: make-labelled-clips.sh OUT_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
faces=${FACES_DIR:-$here/../shared/data/faces}
mkdir -p "$out/happy" "$out/sad" "$out/neutral"

clip() { # clip INPUT_ARGS... -- FILTER OUTPUT
  local filter=$1 output=$2; shift 2
  ffmpeg -loglevel error -y "$@" -t 1 -r 8 -vf "scale=320:-2,${filter}format=yuv420p" -c:v libx264 -preset ultrafast -an "$output"
}

for src in astronaut.png messi5.jpg face_swapped.jpg Megamind.avi; do
  name=$(echo "${src%.*}" | tr 'A-Z' 'a-z')
  if [[ $src == *.avi ]]; then input=(-ss 2 -i "$faces/$src"); else input=(-loop 1 -i "$faces/$src"); fi
  clip "colorchannelmixer=rr=1:gg=0.75:bb=0.45," "$out/happy/$name-warm.mp4" "${input[@]}"
  clip "colorchannelmixer=rr=0.45:gg=0.75:bb=1," "$out/sad/$name-cool.mp4" "${input[@]}"
  clip "" "$out/neutral/$name-plain.mp4" "${input[@]}"
done
echo "made $(find "$out" -name '*.mp4' | wc -l) clips in $out"
