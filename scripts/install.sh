#!/usr/bin/env bash
# Installs everything Visage needs on a fresh Debian/Ubuntu machine, from the npm registry and
# Debian's packages only (no model or binary downloads from elsewhere):
#   - ffmpeg (video decoding) and redis-server (the queue of `visage worker`, and its tests), from apt;
#   - python3-av (PyAV: FFmpeg's libraries for the pooled video decoder, no process per clip), from apt;
#   - chromium (headless, for the HTML report tests), from apt;
#   - a software Vulkan driver for the webgpu backend, unpacked into .vk/ (nothing installed system-wide);
#   - the npm dependencies, exactly as pinned in package-lock.json;
#   - with --bench: PyTorch and OpenBLAS from apt, for `npm run bench:compute`'s PyTorch comparison.
# Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null || ! command -v redis-server >/dev/null; then
  echo "install: ffmpeg, redis-server (apt)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends ffmpeg redis-server >/dev/null
fi

if ! /usr/bin/python3 -c 'import av' >/dev/null 2>&1; then
  echo "install: python3-av (apt)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends python3-av >/dev/null
fi

if ! command -v chromium >/dev/null; then
  # Headless browser for the HTML report tests (driven by playwright-core; nothing is downloaded by npm).
  echo "install: chromium (apt)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if [[ " $* " == *" --bench "* ]] && ! dpkg -s python3-torch libopenblas0-pthread >/dev/null 2>&1; then
  # Debian's torch calls whatever libblas.so.3 the alternatives system points at: without
  # OpenBLAS that is the reference BLAS, and the comparison would be against a slow PyTorch.
  echo "install: python3-torch, libopenblas0-pthread (apt, --bench)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends python3-torch libopenblas0-pthread >/dev/null
fi

echo "install: software Vulkan driver for the webgpu backend (.vk/)"
bash scripts/vulkan/install-swiftshader.sh >/dev/null

echo "install: npm dependencies (npm ci)"
# .npmrc skips onnxruntime-node's postinstall, which would fetch CUDA binaries from nuget.org.
npm ci --no-audit --no-fund --loglevel=error
