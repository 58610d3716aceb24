#!/usr/bin/env bash
# GPU benchmark: cpu vs webgpu in one table, in under 8 minutes on a GPU machine:
#   - CLIP ViT-B/16 vision encoder images/s through onnxruntime's CPU EP vs its WebGPU EP
#     (random weights with the real ViT-B/16 shapes: no CLIP weights ship with Visage);
#   - the compute engine's GEMM GFLOP/s at 4096^3, cpu backend vs WebGPU backend;
#   - the temporal-transformer training step, cpu vs webgpu.
# First it prints the machine (nvidia-smi when present) and checks the Vulkan drivers, since both
# WebGPU paths (Dawn inside onnxruntime, and dawn.node for the compute engine) run on Vulkan.
#
#   bash bench/gpu/run.sh            # the full run, for a GPU machine
#   bash bench/gpu/run.sh --quick    # small sizes; runs on SwiftShader too (a smoke test of the script)
#
# Needs what scripts/install.sh sets up (node_modules; .vk/ for a software driver).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

quick=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick="--quick" ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/gpu/run.sh: unknown option '$arg' (use --quick or --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*"; }
warn() { echo "bench/gpu/run.sh: warning: $*" >&2; }
die() { echo "bench/gpu/run.sh: error: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed (Node 20 is needed; see scripts/install.sh)"
[[ -d node_modules/onnxruntime-node && -d node_modules/tsx ]] || die "node_modules is missing: run scripts/install.sh (or npm ci)"

say "machine"
echo "node $(node --version), $(nproc) CPU cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory"
gpu_present=""
if command -v nvidia-smi >/dev/null; then
  if nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; then gpu_present=nvidia; else warn "nvidia-smi is installed but failed (driver not loaded?)"; fi
else
  echo "nvidia-smi: not found"
fi
[[ -e /dev/nvidia0 ]] && gpu_present=nvidia

say "Vulkan drivers (ICD manifests)"
icds=()
for dir in /etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d; do
  [[ -d "$dir" ]] || continue
  for f in "$dir"/*.json; do [[ -e "$f" ]] && icds+=("$f"); done
done
if ((${#icds[@]})); then printf '  %s\n' "${icds[@]}"; else echo "  none registered on the system"; fi
for sw in swiftshader lavapipe; do [[ -e ".vk/$sw/.complete" ]] && echo "  .vk/$sw (software, installed by scripts/install.sh)"; done
[[ -n "${VK_ICD_FILENAMES:-}" ]] && echo "  VK_ICD_FILENAMES=$VK_ICD_FILENAMES (set by the caller: used as is)"
[[ -n "${VISAGE_VK_DRIVER:-}" ]] && echo "  VISAGE_VK_DRIVER=$VISAGE_VK_DRIVER (set by the caller: used as is)"

nvidia_icd=""
for f in "${icds[@]}"; do [[ "$(basename "$f")" == *nvidia* ]] && nvidia_icd="$f"; done
if [[ "$gpu_present" == nvidia && -z "$nvidia_icd" ]]; then
  warn "an NVIDIA GPU is present but no NVIDIA Vulkan ICD (nvidia_icd.json) is registered, so WebGPU cannot use it.
  Install the Vulkan part of the driver (Debian: the libnvidia-gl / nvidia-vulkan-icd package matching the driver), or in a
  container start it with NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics so the toolkit mounts the ICD."
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  warn "the Vulkan loader libvulkan.so.1 is not installed system-wide (apt-get install libvulkan1); onnxruntime's WebGPU EP needs it"
fi
if [[ -z "$nvidia_icd" && -z "$quick" ]]; then
  warn "no GPU Vulkan driver found: the webgpu column will be a software adapter (SwiftShader or lavapipe, 100-500x slower than
  the CPU) and this full run may not finish within its 8 minutes. Use --quick on machines without a GPU."
fi
if [[ -z "$nvidia_icd" && ! -e .vk/swiftshader/.complete && ! -e .vk/lavapipe/.complete && -z "${VK_ICD_FILENAMES:-}" ]]; then
  warn "no Vulkan driver at all: install a software one with scripts/vulkan/install-swiftshader.sh; the webgpu column will say why it failed"
fi

say "benchmark${quick:+ (--quick)}, at most 8 minutes"
status=0
timeout --kill-after=10 480 node --import tsx bench/gpu/gpu-bench.ts $quick || status=$?
if ((status == 124 || status == 137)); then die "the benchmark did not finish within 8 minutes (exit $status)"; fi
((status == 0)) || die "a part of the benchmark failed (exit $status): its row in the table above says why"
