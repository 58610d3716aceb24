/**
 * bench/gpu/run.sh --quick prints the machine, the Vulkan drivers and the cpu-vs-webgpu table. It
 * runs here on SwiftShader (CI installs it with scripts/install.sh); the full run is for GPU machines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hardwareIcd } from '../../core/compute/webgpu/driver.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

const SCRIPT = path.join(REPO_ROOT, 'bench/gpu/run.sh');
const haveDriver = existsSync(path.join(REPO_ROOT, '.vk/swiftshader/.complete')) || hardwareIcd() !== null || process.env.CI === 'true';

function runScript(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 400_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The table's data rows: [measure, cpu, webgpu, speed-up]. */
const tableRows = (out: string) => out.split('\n').filter((l) => /^\| (CLIP|GEMM|training)/.test(l)).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));

describe('bench/gpu/run.sh', () => {
  it.runIf(haveDriver)('--quick prints the machine, the Vulkan drivers and one cpu-vs-webgpu row per measure', () => {
    const r = runScript(['--quick']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/== machine\nnode v\d+.*CPU cores/);
    expect(r.out).toMatch(/nvidia-smi|NVIDIA|, \d+ MiB/);
    expect(r.out).toContain('== Vulkan drivers (ICD manifests)');
    expect(r.out).toContain('| measure');
    const rows = tableRows(r.out);
    expect(rows.map((row) => row[0])).toEqual([
      expect.stringMatching(/^CLIP tiny vision encoder .*images\/s$/),
      expect.stringMatching(/^GEMM f32 256x256x256, .*GFLOP\/s$/),
      expect.stringMatching(/^training step .*ms\/step$/),
    ]);
    for (const [, cpu, gpu, ratio] of rows) {
      expect(Number(cpu)).toBeGreaterThan(0);
      expect(Number(gpu)).toBeGreaterThan(0);
      expect(ratio).toMatch(/^\d+\.\d\dx$/);
    }
    expect(r.err).toMatch(/onnxruntime WebGPU EP: Vulkan driver /);
  }, 420_000);

  it('without a Vulkan driver still prints the table, says why each webgpu cell failed, and exits 1', () => {
    const r = runScript(['--quick'], { VK_ICD_FILENAMES: '/nonexistent/visage-test-icd.json', VISAGE_VK_DRIVER: '' });
    expect(r.code).toBe(1);
    const rows = tableRows(r.out);
    expect(rows).toHaveLength(3);
    expect(rows[0][2]).toMatch(/ORT_WEBGPU_UNAVAILABLE|no adapter/);
    for (const [, cpu, gpu] of rows) {
      expect(Number(cpu)).toBeGreaterThan(0);
      expect(gpu).not.toMatch(/^\d/);
    }
    expect(r.err).toMatch(/a part of the benchmark failed \(exit 1\)/);
  }, 420_000);

  it('refuses an unknown option with exit 2', () => {
    const r = runScript(['--fast']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--fast'");
  });
});
