/**
 * `--device webgpu` runs the models on onnxruntime's WebGPU execution provider and gives what the
 * CPU provider gives. In CI the adapter is SwiftShader (`.vk/swiftshader`, scripts/install.sh),
 * 100-500x slower than the CPU EP, so inputs are tiny: a tiny CLIP, and 2 frames per clip.
 * Every run is its own process (the Vulkan driver is chosen per process, and Dawn stays out of the
 * test runner).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { hardwareIcd } from '../../core/compute/webgpu/driver.ts';
import { FACES_DIR, REPO_ROOT, haveShared } from '../helpers/shared-data.ts';
import { runCliProcess, type Finished } from '../reliability/support/spawn-cli.ts';

/** A WebGPU adapter is expected here: SwiftShader installed by scripts/install.sh, or a GPU. Required in CI. */
function haveAdapter(): boolean {
  const found = existsSync(path.join(REPO_ROOT, '.vk/swiftshader/.complete')) || existsSync(path.join(REPO_ROOT, '.vk/lavapipe/.complete')) || hardwareIcd() !== null;
  if (!found && process.env.CI === 'true') throw new Error('no Vulkan driver for the WebGPU EP tests (run scripts/install.sh)');
  return found;
}

// Solo, the face-model pair of runs takes about 85 s here; beside another SwiftShader suite, 225 s.
const SLOW = 480_000;
const run = (args: string[], env: Record<string, string> = {}) => runCliProcess(args, { env, deadlineMs: SLOW / 2 - 5_000 }); // two runs per test
const ok = (r: Finished) => expect(r.code, `exit ${r.code} ${r.signal ?? ''}\n${r.stderr}`).toBe(0);

function cosine(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
}

describe.runIf(haveAdapter())('onnxruntime WebGPU execution provider (--device webgpu)', () => {
  let models: string;
  beforeAll(async () => {
    models = mkdtempSync(path.join(os.tmpdir(), 'visage-webgpu-clip-'));
    await writeTinyClip(models, { seed: 11 });
  });

  it.runIf(haveShared('faces/messi5.jpg', 'faces/astronaut.png'))('CLIP image and text embeddings match the CPU provider (cosine >= 0.9999 each)', async () => {
    const args = ['clip', 'encode', '--models', models, '--image', path.join(FACES_DIR, 'messi5.jpg'), path.join(FACES_DIR, 'astronaut.png'),
      '--text', 'a red face', 'a photo of a happy face', '--log-level', 'debug'];
    const [cpu, gpu] = [await run([...args, '--device', 'cpu']), await run([...args, '--device', 'webgpu'])];
    ok(cpu);
    ok(gpu);
    expect(gpu.stderr).toMatch(/onnxruntime execution provider: webgpu \(Vulkan driver /);
    expect(cpu.stderr).toMatch(/onnxruntime execution provider: cpu/);
    const vectors = (r: Finished) => r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { vector: number[] }).vector);
    const [a, b] = [vectors(cpu), vectors(gpu)];
    expect(b).toHaveLength(4);
    for (let i = 0; i < 4; i++) expect(cosine(a[i], b[i])).toBeGreaterThanOrEqual(0.9999);
    // Not trivially equal: the two images and the two texts embed differently.
    expect(cosine(b[0], b[1])).toBeLessThan(0.9999);
  }, SLOW);

  it.runIf(haveShared('faces/Megamind.avi'))('the face models give the same labels on real clips through pipeline run', async () => {
    const args = ['pipeline', 'run', path.join(FACES_DIR, 'Megamind.avi'), path.join(REPO_ROOT, 'samples/astronaut.mp4'), '--set', 'frames=2', '--order', 'input'];
    const [cpu, gpu] = [await run([...args, '--device', 'cpu']), await run([...args, '--device', 'webgpu'])];
    ok(cpu);
    ok(gpu);
    expect(gpu.stderr).toMatch(/2 of 2 clips ok; models on webgpu \(Vulkan driver /);
    expect(cpu.stderr).toMatch(/2 of 2 clips ok; models on cpu\n/);
    type Row = { id: string; label: string; probabilities: Record<string, number>; levels: { landmarks: { summary: { framesWithFace: number } } } };
    const rows = (r: Finished) => r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Row);
    const [a, b] = [rows(cpu), rows(gpu)];
    expect(b.map((r) => r.id)).toEqual(a.map((r) => r.id));
    expect(b.map((r) => r.id.split('/').pop())).toEqual(['Megamind', 'astronaut']);
    expect(b.map((r) => r.label)).toEqual(a.map((r) => r.label));
    for (let i = 0; i < a.length; i++) {
      expect(b[i].levels.landmarks.summary.framesWithFace).toBe(a[i].levels.landmarks.summary.framesWithFace);
      for (const [k, p] of Object.entries(a[i].probabilities)) expect(Math.abs(b[i].probabilities[k] - p), `${a[i].id} ${k}`).toBeLessThan(1e-3);
    }
  }, SLOW);
});

describe('--device webgpu without an adapter', () => {
  // The Vulkan loader then finds no driver at all, whatever the machine has.
  const nowhere = { VK_ICD_FILENAMES: '/nonexistent/visage-test-icd.json', VISAGE_VK_DRIVER: '' };

  it('is refused before any clip runs, with a coded error and a hint (no silent fallback)', async () => {
    const r = await run(['pipeline', 'run', path.join(REPO_ROOT, 'samples/astronaut.mp4'), '--device', 'webgpu'], nowhere);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ORT_WEBGPU_UNAVAILABLE: .*no adapter with the Vulkan driver of VK_ICD_FILENAMES=\/nonexistent\/visage-test-icd.json/);
    expect(r.stderr).toMatch(/hint: use --device cpu/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/); // no JavaScript stack (Dawn prints its own native warnings)
  }, SLOW);

  it('--device auto runs on the CPU provider and says why', async () => {
    const r = await run(['pipeline', 'run', path.join(REPO_ROOT, 'samples/astronaut.mp4'), '--set', 'frames=2', '--device', 'auto'], nowhere);
    ok(r);
    expect(r.stderr).toMatch(/1 of 1 clips ok; models on cpu \(--device auto: the WebGPU EP did not start/);
  }, SLOW);
});
