/**
 * WebGPU benchmark: GEMM GFLOP/s for n x n x n f32 (n = 128..1024) per Vulkan driver, GEMM
 * kernel variant and device placement, and the temporal-transformer training step
 * (bench/compute/temporal-step.ts) on webgpu. Medians; GEMM timings include the readback of C
 * (one read per GEMM, as a training loop that waits on its loss would see).
 *
 *   npx tsx bench/compute/webgpu-gemm.ts [--reps 5] [--sizes 128,256,512,1024] [--drivers swiftshader,lavapipe] [--no-step]
 *
 * Drivers that are not installed (scripts/vulkan/install-swiftshader.sh [--lavapipe]) are listed
 * as unavailable. bench/compute/bench.ts shows the same webgpu column next to cpu and onnxruntime.
 */
import { createWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from '../../core/compute/webgpu/index.ts';
import { buildTemporalStep } from './temporal-step.ts';
import { median, timeRuns } from '../lib/table.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const REPS = Number(opt('reps', '5'));
const SIZES = opt('sizes', '128,256,512,1024').split(',').map(Number);
const DRIVERS = opt('drivers', 'swiftshader,lavapipe').split(',');

const timeIt = async (fn: () => Promise<unknown>, reps: number, warmup = 1) => median(await timeRuns(fn, reps, warmup));

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

async function gemmMs(gpu: WebGpuBackend, n: number): Promise<number> {
  const [a, b, c] = [gpu.upload(random(n * n, 1)), gpu.upload(random(n * n, 2)), gpu.alloc(n * n)];
  const ms = await timeIt(async () => {
    gpu.matmul(a, b, c, { batch: 1, m: n, k: n, n });
    await gpu.read(c);
  }, n >= 1024 ? Math.max(2, Math.ceil(REPS / 2)) : REPS);
  for (const x of [a, b, c]) gpu.dispose(x);
  return ms;
}

function printTable(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}`);
}

const configs: { label: string; options: WebGpuBackendOptions }[] = [];
for (const driver of DRIVERS) {
  configs.push({ label: `${driver}, register, child process`, options: { driver, gemm: 'register' } });
  configs.push({ label: `${driver}, tiled, child process`, options: { driver, gemm: 'tiled' } });
  configs.push({ label: `${driver}, register, in process`, options: { driver, gemm: 'register', isolate: 'none' } });
}

const gemmRows: string[][] = [];
const stepRows: string[][] = [];
let inProcessDriver: string | null = null;
for (const { label, options } of configs) {
  // LD_LIBRARY_PATH is fixed at process start: only one driver can be loaded in this process.
  if (options.isolate === 'none') {
    if (inProcessDriver && inProcessDriver !== options.driver) continue;
    inProcessDriver = options.driver as string;
  }
  let gpu: WebGpuBackend;
  try {
    gpu = await createWebGpuBackend(options);
  } catch (e) {
    gemmRows.push([label, ...SIZES.map(() => 'unavailable')]);
    console.log(`${label}: ${(e as Error).message}`);
    continue;
  }
  const cells: string[] = [];
  for (const n of SIZES) {
    const ms = await gemmMs(gpu, n);
    cells.push(`${((2 * n ** 3) / ms / 1e6).toFixed(2)} (${ms.toFixed(1)} ms)`);
  }
  gemmRows.push([`${label} [${gpu.adapter.description}]`, ...cells]);
  if (!args.includes('--no-step') && options.isolate !== 'none') {
    const step = buildTemporalStep(gpu);
    const ms = await timeIt(() => step.step(), Math.max(3, Math.ceil(REPS / 2)), 1);
    stepRows.push([label, ms.toFixed(0)]);
  }
  await gpu.close();
}

printTable('WebGPU GEMM f32 n×n×n, GFLOP/s (median ms, including the readback of C)', ['driver, kernel, device placement', ...SIZES.map(String)], gemmRows);
if (stepRows.length) {
  printTable('Training step on webgpu (forward, backward, SGD): temporal transformer d=512, 8 heads, MLP 1024, 17 tokens, batch 48; median ms',
    ['driver, kernel, device placement', 'ms / step'], stepRows);
}
process.exit(0);
