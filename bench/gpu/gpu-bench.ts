/**
 * GPU benchmark, cpu vs webgpu, one table (bench/gpu/run.sh runs it after checking the machine):
 *   1. CLIP ViT-B/16 vision encoder, images/s, onnxruntime's CPU EP vs its WebGPU EP. No CLIP
 *      weights exist here: the model is the project's generator with random weights and the real
 *      ViT-B/16 shapes (so the same FLOPs), written once to .cache/bench-clip/vit-b-16 (345 MB).
 *   2. GEMM f32 n×n×n GFLOP/s, the compute engine's cpu backend vs its WebGPU backend (n = 4096).
 *   3. The training step of bench/compute/temporal-step.ts (temporal transformer, d 512, batch 48),
 *      ms per step, cpu backend vs WebGPU backend.
 *
 *   npx tsx bench/gpu/gpu-bench.ts [--quick]
 *
 * --quick (SwiftShader in CI, where WebGPU is 100-500x slower than the CPU): the tiny CLIP,
 * n = 256, one timed run each, no warm-up for the training step. Otherwise every part is timed
 * after one warm-up run (session creation and shader compilation are not counted). A part that fails prints its reason in its row; the exit
 * code is then 1.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClip } from '../../plugins/clip-adapter/src/model/clip-model.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { chooseOrtProvider, providerSessionOptions } from '../../core/models/ort-provider.ts';
import { CpuBackend, type Backend } from '../../core/compute/index.ts';
import { createWebGpuBackend } from '../../core/compute/webgpu/index.ts';
import { buildTemporalStep } from '../compute/temporal-step.ts';
import { median, printTable, timeRuns } from '../lib/table.ts';

const QUICK = process.argv.includes('--quick');
const SETTINGS = QUICK
  ? { clip: 'tiny', clipBatch: 2, clipReps: 1, gemmN: 256, gemmReps: 1, stepReps: 1 }
  : { clip: 'ViT-B/16', clipBatch: 16, clipReps: 3, gemmN: 4096, gemmReps: 3, stepReps: 5 };

const rows: string[][] = [];
let failed = false;
const log = (line: string) => process.stderr.write(`gpu-bench: ${line}\n`);

/** Runs one measure on cpu then webgpu; a failure becomes its cell, so the table is always printed. */
async function part(measure: string, higherIsBetter: boolean, cpu: () => Promise<number>, gpu: () => Promise<number>, digits = 1): Promise<void> {
  const t0 = performance.now();
  const cell = async (fn: () => Promise<number>): Promise<[string, number]> => {
    try {
      const value = await fn();
      return [value.toFixed(digits), value];
    } catch (e) {
      failed = true;
      return [`failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200)}`, NaN];
    }
  };
  const [[cpuText, c], [gpuText, g]] = [await cell(cpu), await cell(gpu)];
  const ratio = higherIsBetter ? g / c : c / g;
  rows.push([measure, cpuText, gpuText, Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-']);
  // Each result is logged as it comes, so a run cut off by run.sh's time limit still shows what it measured.
  log(`${measure}: cpu ${cpuText}, webgpu ${gpuText} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

/** A 224x224 video-like frame (deterministic), so preprocessing is a crop, not a resize. */
function frame(seed: number) {
  const size = 224;
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (128 + 90 * Math.sin(i / 97 + seed) * Math.cos(i / 5000)) | 0;
  return { width: size, height: size, rgb, sourceIndex: seed };
}

async function clipModelDir(): Promise<string> {
  if (QUICK) {
    const dir = mkdtempSync(join(tmpdir(), 'visage-gpu-bench-'));
    await writeTinyClip(dir, { parts: ['vision'], seed: 0 });
    return dir;
  }
  const dir = join(resolve(fileURLToPath(import.meta.url), '../../..'), '.cache', 'bench-clip', 'vit-b-16');
  if (!existsSync(join(dir, 'vision_model.onnx'))) {
    log(`writing the ViT-B/16-shaped random-weight CLIP to ${dir} (once, about 5 s)`);
    await writeTinyClip(dir, { geometry: 'vit-b-16', parts: ['vision'], seed: 0 });
  }
  return dir;
}

/** Images/s of the CLIP vision encoder on one onnxruntime execution provider. */
async function clipImagesPerSecond(dir: string, provider: 'cpu' | 'webgpu'): Promise<number> {
  if (provider === 'webgpu') {
    const choice = await chooseOrtProvider('webgpu');
    log(`onnxruntime WebGPU EP: ${choice.detail}`);
  }
  const { clipBatch, clipReps } = SETTINGS;
  const model = await loadClip(dir, { parts: ['vision'], imageBatchSize: clipBatch, sessionOptions: providerSessionOptions(provider) });
  try {
    const frames = Array.from({ length: clipBatch }, (_, i) => frame(i));
    const ms = median(await timeRuns(() => model.encodeImages(frames), clipReps, 1));
    return (clipBatch * 1000) / ms;
  } finally {
    await model.release();
  }
}

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

/** GFLOP/s of one n×n×n GEMM, including the readback of C (what a loop waiting on its result sees). */
async function gemmGflops(backend: Backend, n: number): Promise<number> {
  const [a, b, c] = [backend.upload(seeded(n * n, 1)), backend.upload(seeded(n * n, 2)), backend.alloc(n * n)];
  const ms = median(await timeRuns(async () => {
    backend.matmul(a, b, c, { batch: 1, m: n, k: n, n });
    await backend.read(c);
  }, SETTINGS.gemmReps, 1));
  for (const x of [a, b, c]) backend.dispose(x);
  return (2 * n ** 3) / ms / 1e6;
}

async function stepMs(backend: Backend): Promise<number> {
  const step = buildTemporalStep(backend);
  // --quick on SwiftShader: one step takes about 25 s, so the smoke test skips the warm-up.
  return median(await timeRuns(() => step.step(), SETTINGS.stepReps, QUICK ? 0 : 1));
}

console.log(`# bench/gpu${QUICK ? ' --quick (small sizes: a smoke test, not a measurement)' : ''}; ${cpus().length} CPU cores visible`);

const clipDir = await clipModelDir();
await part(`CLIP ${SETTINGS.clip} vision encoder (random weights), onnxruntime EP, batch ${SETTINGS.clipBatch}, images/s`, true,
  () => clipImagesPerSecond(clipDir, 'cpu'), () => clipImagesPerSecond(clipDir, 'webgpu'));

// The compute engine's WebGPU backend runs Dawn in a child process (crash isolation), on the
// driver driver.ts picks: a GPU when one is present, else the software driver in .vk/.
let gpu: Awaited<ReturnType<typeof createWebGpuBackend>> | null = null;
let gpuError: unknown = null;
try {
  gpu = await createWebGpuBackend({ driver: 'auto' });
  log(`WebGPU backend adapter: ${gpu.adapter.description || gpu.adapter.architecture} (${gpu.adapter.software ? 'software' : 'hardware'})`);
} catch (e) {
  gpuError = e;
}
const withGpu = <T>(fn: (g: NonNullable<typeof gpu>) => Promise<T>): Promise<T> => (gpu ? fn(gpu) : Promise.reject(gpuError));
const cpu = new CpuBackend();
const n = SETTINGS.gemmN;
await part(`GEMM f32 ${n}x${n}x${n}, compute engine backend, GFLOP/s`, true, () => gemmGflops(cpu, n), () => withGpu((g) => gemmGflops(g, n)));
await part('training step (temporal transformer d 512, batch 48: forward, backward, SGD), ms/step', false,
  () => stepMs(cpu), () => withGpu((g) => stepMs(g)), 0);
await gpu?.close();

console.log('');
printTable(['measure', 'cpu', 'webgpu', 'webgpu speed-up'], rows);
process.exit(failed ? 1 : 0);
