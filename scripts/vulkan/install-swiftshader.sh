#!/usr/bin/env bash
# Installs a software Vulkan driver for the webgpu compute backend into <repo>/.vk/ (git-ignored),
# without installing anything system-wide: the .deb is fetched with `apt-get download` and unpacked
# with `dpkg -x`. Idempotent: a second run with the files present does nothing but print the env.
#
#   scripts/vulkan/install-swiftshader.sh              # SwiftShader from Debian's chromium-common (default)
#   scripts/vulkan/install-swiftshader.sh --lavapipe   # Mesa lavapipe 25 from bookworm-backports (~2.5x faster)
#
# The webgpu backend finds .vk/<driver>/ by itself (core/compute/webgpu/driver.ts) and sets
# VK_ICD_FILENAMES/LD_LIBRARY_PATH for the child process that owns the Dawn device. The printed
# env lines are for running other programs (e.g. vulkaninfo) against the same driver.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
driver="swiftshader"
[[ "${1:-}" == "--lavapipe" ]] && driver="lavapipe"
dest="$repo/.vk/$driver"
icd="$dest/icd.json"

print_env() {
  echo "# $driver Vulkan driver in $dest; to use it from a shell:"
  echo "export VK_ICD_FILENAMES=$icd"
  echo "export LD_LIBRARY_PATH=$dest\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
}

if [[ -f "$icd" && -f "$dest/.complete" ]]; then
  print_env
  exit 0
fi

command -v apt-get >/dev/null || { echo "error: apt-get not found; install a Vulkan driver by hand (see README, WebGPU)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$dest"
mkdir -p "$dest"

if [[ "$driver" == "swiftshader" ]]; then
  # chromium-common (not chromium) carries SwiftShader; it needs only libc/libm/libgcc_s.
  (cd "$tmp" && apt-get download chromium-common >/dev/null 2>"$tmp/apt.err") || {
    # apt's package lists may be missing on a fresh container.
    apt-get update >/dev/null && (cd "$tmp" && apt-get download chromium-common >/dev/null 2>"$tmp/apt.err")
  } || { cat "$tmp/apt.err" >&2; exit 1; }
  dpkg -x "$tmp"/chromium-common_*.deb "$tmp/x"
  src="$tmp/x/usr/lib/chromium"
  cp "$src/libvk_swiftshader.so" "$src/libvulkan.so.1" "$dest/"
  # The shipped json uses a relative library_path; make it absolute so the ICD works from any cwd.
  sed -E "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$dest/libvk_swiftshader.so\"#" \
    "$src/vk_swiftshader_icd.json" > "$icd"
else
  # Mesa 25 lavapipe: bookworm's 22.3 lacks features Dawn requires. A private apt state with a
  # bookworm-backports source resolves the packages missing from this system and downloads them
  # (no install, the system's apt configuration stays untouched).
  state="$tmp/apt"
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/sources"
  echo "deb http://deb.debian.org/debian bookworm main" > "$state/sources/main.list"
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$state/sources/bpo.list"
  opts=(-o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache" -o Dir::Etc::SourceList=/dev/null
        -o Dir::Etc::SourceParts="$state/sources" -o Debug::NoLocking=1)
  apt-get "${opts[@]}" update >/dev/null 2>&1
  apt-get "${opts[@]}" install --download-only -y -t bookworm-backports mesa-vulkan-drivers >/dev/null 2>"$tmp/apt.err" \
    || { cat "$tmp/apt.err" >&2; exit 1; }
  for deb in "$state"/cache/archives/*.deb; do dpkg -x "$deb" "$tmp/x"; done
  cp -a "$tmp"/x/usr/lib/x86_64-linux-gnu/*.so* "$dest/"
  # The Vulkan loader: chromium-common's copy, so the system needs no libvulkan1 either.
  "$repo/scripts/vulkan/install-swiftshader.sh" >/dev/null
  cp "$repo/.vk/swiftshader/libvulkan.so.1" "$dest/"
  sed -E "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$dest/libvulkan_lvp.so\"#" \
    "$tmp"/x/usr/share/vulkan/icd.d/lvp_icd*.json > "$icd"
  missing="$(LD_LIBRARY_PATH="$dest" ldd "$dest/libvulkan_lvp.so" | grep 'not found' || true)"
  [[ -z "$missing" ]] || { echo "error: lavapipe needs libraries this system lacks:" >&2; echo "$missing" >&2; exit 1; }
fi

touch "$dest/.complete"
print_env
