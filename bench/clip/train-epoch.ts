/**
 * FineCLIPER training epoch time on cached features, for a DFEW-sized fold: 9,356 training clips
 * (DFEW fold 1 train, ~10% of them carved out for validation), random unit features of width 512,
 * T = 16, batch 48, SGD as `visage train`. Rows: frames level only (temporal transformer), and all
 * four levels (frames + parsing and landmarks with per-frame mean + description).
 *
 *   npx tsx bench/clip/train-epoch.ts [--clips 9356] [--epochs 2] [--frames 16] [--dim 512]
 *
 * The time of an epoch includes its validation pass; the table shows the median over epochs.
 */
import { cpus } from 'node:os';
import { Rng } from '../../core/compute/index.ts';
import { defaultConfig, type DescriptorEmbeddings, type LevelSpec } from '../../plugins/clip-adapter/src/fineclipper/fineclipper-model.ts';
import { carveValidation, trainFineCliper, type ClipFeatures } from '../../plugins/clip-adapter/src/fineclipper/train.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const CLIPS = Number(opt('clips', '9356'));
const EPOCHS = Number(opt('epochs', '2'));
const T = Number(opt('frames', '16'));
const D = Number(opt('dim', '512'));
const CLASSES = ['happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function unitRows(rng: Rng, rows: number): Float32Array {
  const out = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let j = 0; j < D; j++) { const v = rng.normal(); out[r * D + j] = v; n += v * v; }
    n = Math.sqrt(n);
    for (let j = 0; j < D; j++) out[r * D + j] /= n;
  }
  return out;
}

const ALL: LevelSpec[] = [
  { name: 'frames', kind: 'frames', temporal: 'transformer', weight: 1 },
  { name: 'parsing', kind: 'frames', temporal: 'mean', weight: 0.5 },
  { name: 'landmarks', kind: 'frames', temporal: 'mean', weight: 0.5 },
  { name: 'description', kind: 'text', weight: 0.5 },
];

console.log(`FineCLIPER head training on cached features: ${CLIPS} clips, T=${T}, D=${D}, batch 48, ${cpus().length} cores visible, Node ${process.versions.node}`);
const rows: string[][] = [['levels', 'train clips', 'steps/epoch', 'epoch s (median)', 'ms/step', 'clips/s', 'trainable params']];
for (const levels of [ALL.slice(0, 1), ALL]) {
  const rng = new Rng(1);
  const t0 = performance.now();
  const clips: ClipFeatures[] = Array.from({ length: CLIPS }, (_, i) => ({
    id: String(i),
    label: CLASSES[i % CLASSES.length],
    levels: Object.fromEntries(levels.map((l) => [l.name, { shape: [l.kind === 'text' ? 1 : T, D], data: unitRows(rng, l.kind === 'text' ? 1 : T) }])),
  }));
  const descriptors: DescriptorEmbeddings = { positive: CLASSES.map(() => unitRows(rng, 1)), negative: CLASSES.map(() => unitRows(rng, 1)) };
  const setup = (performance.now() - t0) / 1000;
  const { train, val } = carveValidation(clips, 0.1, 0);
  const config = defaultConfig(CLASSES, D, T, levels);
  const stamps: number[] = [];
  let last = performance.now();
  const result = await trainFineCliper(config, descriptors, train, val, {
    epochs: EPOCHS,
    onEpoch: () => { const now = performance.now(); stamps.push((now - last) / 1000); last = now; },
  });
  const steps = Math.ceil(train.length / 48);
  const epoch = median(stamps);
  const params = result.model.parameters().reduce((s, p) => s + p.size, 0);
  rows.push([levels.map((l) => l.name).join('+'), String(train.length), String(steps), epoch.toFixed(2), (1000 * epoch / steps).toFixed(1), (train.length / epoch).toFixed(0), params.toLocaleString('en-US')]);
  console.log(`  ${levels.length} level(s): features generated in ${setup.toFixed(1)} s; epochs ${stamps.map((s) => s.toFixed(2)).join(', ')} s`);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((v, c) => v.padStart(widths[c])).join('  '));
