/**
 * Per-clip time of FineCLIPER feature extraction with the feature cache missed (decode the frame
 * folder, encode T frames with the CLIP vision encoder, write the entry) and hit (fingerprint the
 * source, read the entry), through `extractFeatures` as `visage extract` runs it.
 *
 *   npx tsx bench/clip/feature-cache.ts [--clips 4] [--frames 16] [--reps 3] [--tiny]
 *
 * Model: ViT-B/16 geometry with random weights (written once to .cache/bench-clip/vit-b-16, as
 * vision-throughput.ts), or --tiny for the 32x32 test CLIP. Clips: synthetic 224x224 PNG frame
 * folders (core/data/synthetic.ts). The level is clip-frames-full (whole frames; the face levels
 * add their own cost on a miss and nothing on a hit). Medians over `reps` passes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSyntheticDataset } from '../../core/data/synthetic.ts';
import { FeatureCache } from '../../core/features/feature-cache.ts';
import { readClip } from '../../core/media/read-clip.ts';
import { loadClip } from '../../plugins/clip-adapter/src/model/clip-model.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { extractFeatures } from '../../plugins/clip-adapter/src/fineclipper/extract-features.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const CLIPS = Number(opt('clips', '4'));
const T = Number(opt('frames', '16'));
const REPS = Number(opt('reps', '3'));
const TINY = args.includes('--tiny');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const modelDir = TINY ? join(tmpdir(), 'visage-bench-tiny-clip') : join(repoRoot, '.cache', 'bench-clip', 'vit-b-16');
if (!existsSync(join(modelDir, 'vision_model.onnx'))) await writeTinyClip(modelDir, TINY ? {} : { geometry: 'vit-b-16', parts: ['vision'], seed: 0 });
const clip = await loadClip(modelDir, { parts: ['vision'], imageBatchSize: T });

const work = mkdtempSync(join(tmpdir(), 'visage-bench-cache-'));
const data = await writeSyntheticDataset(join(work, 'data'), { classes: 2, clipsPerClass: Math.max(2, Math.ceil(CLIPS / 2)), frames: T, imageSize: 224 });
const items = data.clips.slice(0, CLIPS).map((c) => ({ id: c.id, source: c.source, label: c.label }));
const options = (cache: FeatureCache) => ({
  cache,
  levels: ['frames'],
  keyParts: () => ({ pluginVersion: 'bench', modelHash: modelDir, config: { frames: T } }),
  run: async (item: { source: string }) => {
    const c = await readClip(item.source, { frames: T });
    return { frames: { frameEmbeddings: await clip.encodeImages(c.frames) } };
  },
});

await extractFeatures(items.slice(0, 1), options(new FeatureCache(join(work, 'warm')))); // warm-up: sessions, sharp
const miss: number[] = [], hit: number[] = [];
for (let r = 0; r < REPS; r++) {
  const cache = new FeatureCache(join(work, `cache-${r}`));
  let t = performance.now();
  const a = await extractFeatures(items, options(cache));
  miss.push((performance.now() - t) / items.length);
  t = performance.now();
  const b = await extractFeatures(items, options(cache));
  hit.push((performance.now() - t) / items.length);
  if (a.misses !== items.length || b.hits !== items.length) throw new Error('unexpected cache behaviour');
}
rmSync(work, { recursive: true, force: true });

console.log(`feature cache, ${TINY ? 'tiny test CLIP' : 'ViT-B/16 vision encoder (random weights)'}, onnxruntime-node CPU, ${cpus().length} cores visible; ${items.length} clips x ${T} frames 224x224 PNG, median of ${REPS}`);
const rows = [['case', 'ms/clip', 'clips/s'], ['miss (decode + encode + write)', median(miss).toFixed(1), (1000 / median(miss)).toFixed(2)], ['hit (fingerprint + read)', median(hit).toFixed(2), (1000 / median(hit)).toFixed(0)], ['speed-up', (median(miss) / median(hit)).toFixed(0) + 'x', '']];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
await clip.release();
