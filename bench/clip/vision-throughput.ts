/**
 * CLIP vision throughput: images/s through a ViT-B/16-geometry vision encoder (random weights,
 * same graph size as the real one) on onnxruntime-node CPU, at several batch sizes, with the share
 * of time spent outside onnxruntime (sharp resize, crop/normalise, tensor packing, L2 norm).
 *
 *   npx tsx bench/clip/vision-throughput.ts [--batches 1,16,48] [--reps 7,3,2] [--width 640 --height 360] [--threads N]
 *
 * The model is written once to .cache/bench-clip/vit-b-16 (345 MB, about 5 s). Frames are synthetic
 * 640x360 RGB (video-like), so every image goes through a real downscale to 224. Each batch size
 * gets one warm-up run, then `reps` timed runs; the table shows medians.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { loadClip, type EncodeTimings } from '../../plugins/clip-adapter/src/model/clip-model.ts';
import { SeededRandom } from '../../plugins/clip-adapter/src/demo/tiny-clip/seeded-random.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const BATCHES = opt('batches', '1,16,48').split(',').map(Number);
const REPS = opt('reps', '7,3,2').split(',').map(Number);
const WIDTH = Number(opt('width', '640'));
const HEIGHT = Number(opt('height', '360'));
const THREADS = args.includes('--threads') ? Number(opt('threads', '0')) : undefined;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A smooth, noisy synthetic frame (deterministic). */
function frame(seed: number) {
  const rng = new SeededRandom(seed);
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) for (let c = 0; c < 3; c++) {
    rgb[(y * WIDTH + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(128 + 90 * Math.sin(x / 40 + c + seed) * Math.cos(y / 30) + (rng.next() - 0.5) * 20)));
  }
  return { width: WIDTH, height: HEIGHT, rgb, sourceIndex: seed };
}

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const modelDir = join(repoRoot, '.cache', 'bench-clip', 'vit-b-16');
if (!existsSync(join(modelDir, 'vision_model.onnx'))) {
  const t0 = performance.now();
  await writeTinyClip(modelDir, { geometry: 'vit-b-16', parts: ['vision'], seed: 0 });
  console.log(`wrote ${modelDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
const model = await loadClip(modelDir, {
  parts: ['vision'],
  imageBatchSize: Math.max(...BATCHES),
  sessionOptions: THREADS ? { intraOpNumThreads: THREADS } : {},
});
const frames = Array.from({ length: Math.max(...BATCHES) }, (_, i) => frame(i));

console.log(`ViT-B/16 vision encoder (random weights), onnxruntime-node CPU, ${cpus().length} cores visible, intra-op threads ${THREADS ?? 'default'}; frames ${WIDTH}x${HEIGHT} -> 224x224`);
const rows: string[][] = [['batch', 'reps', 'ms/batch', 'images/s', 'prepare ms', 'ort ms', 'finish ms', 'outside ort']];
for (const [i, batch] of BATCHES.entries()) {
  const reps = REPS[i] ?? REPS[REPS.length - 1];
  const input = frames.slice(0, batch);
  await model.encodeImages(input); // warm-up: first-run allocations and thread pool start
  const totals: number[] = [];
  const phases: EncodeTimings[] = [];
  for (let r = 0; r < reps; r++) {
    const timings: EncodeTimings = { prepareMs: 0, runMs: 0, finishMs: 0 };
    const t0 = performance.now();
    await model.encodeImages(input, { timings });
    totals.push(performance.now() - t0);
    phases.push(timings);
  }
  const total = median(totals);
  const prepare = median(phases.map((p) => p.prepareMs));
  const run = median(phases.map((p) => p.runMs));
  const finish = median(phases.map((p) => p.finishMs));
  rows.push([
    String(batch), String(reps), total.toFixed(0), ((batch * 1000) / total).toFixed(2),
    prepare.toFixed(1), run.toFixed(0), finish.toFixed(2), `${((100 * (total - run)) / total).toFixed(1)} %`,
  ]);
}
await model.release();

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((cell, c) => cell.padStart(widths[c])).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
