#!/usr/bin/env bash
# Stability check of the webgpu backend: runs its tests (core/compute/webgpu/) N times in a row
# under CI conditions (CI=true, so a missing adapter fails instead of skipping) and reports how
# many runs passed. Logs of failed runs are kept in $STRESS_LOGS (default /tmp/visage-stress).
#
#   scripts/vulkan/stress.sh [runs=20]
#   VISAGE_VK_DRIVER=lavapipe scripts/vulkan/stress.sh 20   # default driver: swiftshader, as CI
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-20}"
export CI=true
export VISAGE_VK_DRIVER="${VISAGE_VK_DRIVER:-swiftshader}"
logs="${STRESS_LOGS:-/tmp/visage-stress}"
mkdir -p "$logs"
cd "$repo"

case "$VISAGE_VK_DRIVER" in
  swiftshader) scripts/vulkan/install-swiftshader.sh >/dev/null ;;
  lavapipe) scripts/vulkan/install-swiftshader.sh --lavapipe >/dev/null ;;
esac

pass=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if npx vitest run core/compute/webgpu/ >"$logs/run-$i.log" 2>&1; then
    pass=$((pass + 1)); verdict=PASS; rm -f "$logs/run-$i.log"
  else
    verdict="FAIL (log: $logs/run-$i.log)"
  fi
  echo "run $i/$runs: $verdict in $(( $(date +%s) - start )) s"
done
echo "webgpu tests ($VISAGE_VK_DRIVER): $pass/$runs runs passed"
[[ "$pass" -eq "$runs" ]]
