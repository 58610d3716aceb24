/**
 * The FineCLIPER CLI commands contributed by the clip-adapter plugin:
 *   visage extract  --dataset D --root DIR [--fold k] [--split train|test|all]
 *   visage train    --dataset D --root DIR [--fold k] [--out DIR] [--epochs n] ...
 *   visage predict  --dataset D --root DIR (--checkpoint FILE | --zero-shot) [--out FILE]
 * Each takes the host flags (--models, --cache-dir, ...) and the preset flags (--preset, --set).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CommandInput } from '@visage/core';
import { formatPrediction, readPredictions, type PredictionRecord, evaluatePredictions, formatEvaluation } from '@visage/core/metrics';
import { fineCliperOptionInvalid } from '../errors.ts';
import { Progress } from '@visage/core';
import { datasetTag, readSplit, type DatasetRequest } from './dataset-splits.ts';
import { FeatureSource, type HostCommandFlags } from './feature-source.ts';
import { defaultConfig, FORMULATIONS, type Formulation, type LevelSpec } from './fineclipper-model.ts';
import { loadFineCliper, saveFineCliper } from './checkpoint-io.ts';
import { argmax, carveValidation, predictLogits, trainFineCliper, zeroShotLogits, type ClipFeatures, type EpochLog } from './train.ts';
import type { FeatureKind } from './extract-features.ts';
import { writeHtmlReport, trainReport } from '@visage/core/report';
import { softmax } from '@visage/core/metrics';

type Flags = HostCommandFlags & Record<string, unknown>;

/** `visage extract`: fills the feature cache for a dataset split (resumable). */
export async function extractCommand(input: CommandInput, pluginVersion: string): Promise<number> {
  const flags = input.options as Flags;
  const req = datasetRequest(flags);
  const split = String(flags.split ?? 'all');
  if (!['train', 'test', 'all'].includes(split)) throw fineCliperOptionInvalid('--split', `"${split}" is not one of train, test, all`);
  const items = split === 'all'
    ? [...(await readSplit(req, 'train')).items, ...(await readSplit(req, 'test')).items]
    : (await readSplit(req, split as 'train' | 'test')).items;
  const source = await FeatureSource.open(input, flags, pluginVersion, 'visage extract');
  try {
    const t0 = performance.now();
    // --queue: workers extract what is missing into this machine's cache; the pass below then reads it.
    const onWorkers = flags.queue ? await source.extractOnQueue(items, { url: String(flags.queue), rootMap: flags.rootMap as string[] | undefined, attempts: numberFlag(flags, 'attempts'), log: (line) => input.err(`${line}\n`) }) : 0;
    const r = await source.extract(items);
    const secs = (performance.now() - t0) / 1000;
    const extracted = onWorkers ? `${r.misses + onWorkers} extracted (${onWorkers} on workers)` : `${r.misses} extracted`;
    input.out(`${items.length} clips, levels ${source.levels.map((l) => l.slot).join(', ')}: ${r.hits - onWorkers} cached, ${extracted} in ${secs.toFixed(1)} s\nfeatures in ${source.cache.dir}\n`);
    return 0;
  } finally {
    await source.dispose();
  }
}

/** `visage train`: extract (when missing), train with validation-based selection, save, predict test, report. Run it in `ctx.compute.run` for `--device`. */
export async function trainCommand(input: CommandInput, pluginVersion: string): Promise<number> {
  const flags = input.options as Flags;
  const req = datasetRequest(flags);
  const trainSplit = await readSplit(req, 'train');
  const testSplit = await readSplit(req, 'test');
  const outDir = resolve(String(flags.out ?? join('runs', `fineclipper-${datasetTag(req)}`)));
  const source = await FeatureSource.open(input, flags, pluginVersion, 'visage train');
  try {
    input.err(`features of ${trainSplit.items.length} train and ${testSplit.items.length} test clips (cache: ${source.cache.dir})\n`);
    const train = await source.extract(trainSplit.items);
    const test = await source.extract(testSplit.items);
    const hits = train.hits + test.hits;
    input.err(`${hits} of ${hits + train.misses + test.misses} clips cached${train.misses + test.misses ? `, ${train.misses + test.misses} extracted` : ''}\n`);
    const classes = trainSplit.classes;
    const fusionOpts = source.fusionOptions();
    const config = defaultConfig(classes, embedWidth(train.clips), source.preset.frames, levelSpecs(source, train.kinds, flags), {
      formulation: formulationOf(flags, fusionOpts.formulation),
      temperature: numberFlag(flags, 'temperature') ?? fusionOpts.temperature ?? 0.01,
      fusion: flags.fixedFusion ? 'fixed' : 'learned',
      seed: numberFlag(flags, 'seed') ?? 0,
    });
    const templates = source.templates();
    const descriptors = await source.descriptors(classes, templates);
    const { train: fit, val } = carveValidation(train.clips, numberFlag(flags, 'valFraction') ?? 0.1, numberFlag(flags, 'seed') ?? 0);
    input.err(`training on ${fit.length} clips, selecting on ${val.length} validation clips carved from train (test is never used for selection)\n`);
    let bar: Progress | undefined; // per epoch, drawn only when stderr is a TTY
    const result = await trainFineCliper(config, descriptors, fit, val, {
      epochs: numberFlag(flags, 'epochs'),
      batchSize: numberFlag(flags, 'batchSize'),
      lrNew: numberFlag(flags, 'lr'),
      lrAdapter: numberFlag(flags, 'lrAdapter'),
      seed: numberFlag(flags, 'seed'),
      onBatch: (n) => {
        bar ??= new Progress(fit.length);
        for (let i = 0; i < n; i++) bar.tick(true);
      },
      onEpoch: (log) => {
        bar?.finish();
        bar = undefined;
        input.err(formatEpoch(log, numberFlag(flags, 'epochs') ?? 30));
      },
    });
    const checkpoint = join(outDir, 'model.safetensors');
    await saveFineCliper(checkpoint, result.model, { templates, metrics: { valUar: result.best.valUar, valWar: result.best.valWar, epoch: result.best.epoch }, dataset: datasetTag(req), history: result.history });
    input.err(`kept epoch ${result.best.epoch} (validation UAR ${(100 * result.best.valUar).toFixed(2)}, WAR ${(100 * result.best.valWar).toFixed(2)}); checkpoint ${checkpoint}\n`);
    const logits = await predictLogits(result.model, descriptors, test.clips);
    const predictions = join(outDir, 'predictions.jsonl');
    await writePredictions(predictions, test.clips, logits, classes);
    input.out(report(predictions, test.clips, logits, classes));
    if (flags.report) writeHtmlReport(String(flags.report), trainReport(`FineCLIPER training on ${datasetTag(req)}`, result.history, result.best, readPredictions(predictions), classes));
    return 0;
  } finally {
    await source.dispose();
  }
}

/** `visage predict`: a checkpoint (or --zero-shot) on a dataset split -> predictions JSONL + report. */
export async function predictCommand(input: CommandInput, pluginVersion: string): Promise<number> {
  const flags = input.options as Flags;
  const req = datasetRequest(flags);
  const checkpointPath = flags.checkpoint ? resolve(String(flags.checkpoint)) : undefined;
  if (!checkpointPath && !flags.zeroShot) throw fineCliperOptionInvalid('--checkpoint', 'give a checkpoint written by `visage train`, or --zero-shot');
  if (checkpointPath && flags.zeroShot) throw fineCliperOptionInvalid('--zero-shot', 'cannot be combined with --checkpoint');
  const split = String(flags.split ?? 'test');
  if (!['train', 'test'].includes(split)) throw fineCliperOptionInvalid('--split', `"${split}" is not one of train, test`);
  const trainClasses = (await readSplit(req, 'train')).classes;
  const data = split === 'train' ? await readSplit(req, 'train') : await readSplit(req, 'test');
  const source = await FeatureSource.open(input, flags, pluginVersion, 'visage predict');
  try {
    const feats = await source.extract(data.items);
    let classes: string[], logits: Float32Array[];
    if (checkpointPath) {
      const { model, templates } = await loadFineCliper(checkpointPath);
      classes = model.config.classes;
      logits = await predictLogits(model, await source.descriptors(classes, templates ?? source.templates()), feats.clips);
    } else {
      classes = trainClasses;
      const fusionOpts = source.fusionOptions();
      const config = defaultConfig(classes, embedWidth(feats.clips), source.preset.frames, levelSpecs(source, feats.kinds, flags), {
        formulation: formulationOf(flags, fusionOpts.formulation), temperature: numberFlag(flags, 'temperature') ?? fusionOpts.temperature ?? 0.01,
      });
      const descriptors = await source.descriptors(classes);
      logits = feats.clips.map((c) => zeroShotLogits(config, descriptors, c));
    }
    const output = resolve(String(flags.out ?? (checkpointPath ? join(dirname(checkpointPath), `predictions-${split}.jsonl`) : `predictions-zero-shot-${datasetTag(req)}-${split}.jsonl`)));
    await writePredictions(output, feats.clips, logits, classes);
    input.out(report(output, feats.clips, logits, classes));
    return 0;
  } finally {
    await source.dispose();
  }
}

function datasetRequest(flags: Flags): DatasetRequest {
  if (!flags.dataset) throw fineCliperOptionInvalid('--dataset', 'missing: one of dfew, ferv39k, mafw, csv');
  if (!flags.root) throw fineCliperOptionInvalid('--root', 'missing: the dataset folder');
  for (const name of Object.keys(NUMBER_FLAGS)) numberFlag(flags, name); // every number is checked before any work starts
  const fold = numberFlag(flags, 'fold');
  if (fold !== undefined && !(Number.isInteger(fold) && fold >= 1 && fold <= 5)) throw fineCliperOptionInvalid('--fold', `must be 1..5, got ${flags.fold}`);
  return { dataset: String(flags.dataset), root: resolve(String(flags.root)), fold };
}

/** Allowed range of each numeric flag: a typo like `--epochs 3e9` or `--batch-size 0` fails at once (exit 2). */
const NUMBER_FLAGS: Record<string, { min: number; max: number; integer?: boolean; above?: boolean }> = {
  fold: { min: 1, max: 5, integer: true },
  epochs: { min: 1, max: 100_000, integer: true },
  batchSize: { min: 1, max: 65_536, integer: true },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  lr: { min: 0, max: 100, above: true },
  lrAdapter: { min: 0, max: 100, above: true },
  valFraction: { min: 0, max: 0.9 },
  temperature: { min: 0, max: 1_000, above: true },
};

function numberFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined || v === null || v === '') return undefined;
  const flag = `--${name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
  const n = Number(v);
  if (!Number.isFinite(n)) throw fineCliperOptionInvalid(flag, `"${v}" is not a number`);
  const range = NUMBER_FLAGS[name];
  if (range && ((range.integer && !Number.isInteger(n)) || n > range.max || (range.above ? n <= range.min : n < range.min))) {
    throw fineCliperOptionInvalid(flag, `must be ${range.integer ? 'a whole number' : 'a number'} ${range.above ? `above ${range.min}` : `from ${range.min}`} to ${range.max}, got "${v}"`);
  }
  return n;
}

function formulationOf(flags: Flags, fromPreset?: Formulation): Formulation {
  const f = (flags.formulation as string | undefined) ?? fromPreset ?? 'contrast';
  if (!FORMULATIONS.includes(f as Formulation)) throw fineCliperOptionInvalid('--formulation', `"${f}" is not one of ${FORMULATIONS.join(', ')}`);
  return f as Formulation;
}

/**
 * Level specs from the preset slots: kind from the features, weight from the preset; frame levels
 * use the temporal transformer for the frames level and the per-frame mean for the others, unless
 * --temporal sets one mode for all.
 */
function levelSpecs(source: FeatureSource, kinds: Record<string, FeatureKind>, flags: Flags): LevelSpec[] {
  const temporal = flags.temporal as string | undefined;
  if (temporal && temporal !== 'transformer' && temporal !== 'mean') throw fineCliperOptionInvalid('--temporal', `"${temporal}" is not one of transformer, mean`);
  return source.levels.map((l): LevelSpec => {
    const kind = kinds[l.slot] ?? 'frames';
    const isFrames = /\/clip-frames(-full)?$/.test(l.use);
    return { name: l.slot, kind, weight: l.weight, ...(kind === 'frames' && { temporal: (temporal ?? (isFrames ? 'transformer' : 'mean')) as 'transformer' | 'mean' }) };
  });
}

function embedWidth(clips: ClipFeatures[]): number {
  const first = clips[0];
  if (!first) throw fineCliperOptionInvalid('--dataset', 'the split has no clips');
  return Object.values(first.levels)[0].shape[1];
}

function formatEpoch(log: EpochLog, epochs: number): string {
  const w = Object.entries(log.weights).map(([k, v]) => `${k}=${v.toFixed(2)}`).join(' ');
  return `epoch ${String(log.epoch).padStart(String(epochs).length)}/${epochs}  loss ${log.loss.toFixed(4)}  val UAR ${(100 * log.valUar).toFixed(2)}  WAR ${(100 * log.valWar).toFixed(2)}  lr ${log.lrNew.toExponential(1)}  w ${w}${log.best ? '  *' : ''}\n`;
}

async function writePredictions(file: string, clips: ClipFeatures[], logits: Float32Array[], classes: string[]): Promise<void> {
  const lines = clips.map((c, i) => formatPrediction(predictionOf(c, logits[i], classes)));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, lines.join('\n') + '\n');
}

function predictionOf(clip: ClipFeatures, z: Float32Array, classes: string[]): PredictionRecord {
  const p = softmax(z);
  return {
    id: clip.id,
    label: clip.label ?? '',
    predicted: classes[argmax(z)],
    knownness: Math.max(...p),
    probabilities: Object.fromEntries(classes.map((c, k) => [c, +p[k].toFixed(6)])),
  };
}

function report(file: string, clips: ClipFeatures[], logits: Float32Array[], classes: string[]): string {
  const records = clips.map((c, i) => predictionOf(c, logits[i], classes));
  return formatEvaluation({ folds: [evaluatePredictions(file, records, classes)] });
}

