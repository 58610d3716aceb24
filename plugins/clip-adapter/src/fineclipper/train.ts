/**
 * Training and inference of the FineCLIPER head on cached frozen features: SGD with two parameter
 * groups (new modules lr 1e-2, adapters lr 1e-3), momentum 0.9, weight decay 1e-4, MultiStep ×0.1,
 * 30 epochs (method.md A.2 item 7); the checkpoint is selected on a validation split carved from
 * the training clips (never on test).
 */
import {
  binaryCrossEntropyWithLogits, crossEntropy, noGrad, LrSchedule, SGD, tensor, type Tensor,
} from '@visage/core/compute';
import { classificationReportByName } from '@visage/core/metrics';
import { seededRandom } from '@visage/core/media';
import { fineCliperOptionInvalid, fineCliperFeaturesMissing, fineCliperEmptySplit } from '../errors.ts';
import type { FeatureTensor } from '@visage/core/features';
import {
  classLogits, descriptorTensors, FineCliperModel, type DescriptorEmbeddings, type FineCliperConfig, type LevelBatch, type LevelSpec,
} from './fineclipper-model.ts';

/** The cached frozen features of one clip: per level [T, D] frame embeddings or [S, D] sentence embeddings. */
export interface ClipFeatures {
  id: string;
  /** True class name (training and evaluation). */
  label?: string;
  levels: Record<string, FeatureTensor>;
}

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  /** lr of the new modules: temporal transformer, CLS, positions, fusion α (1e-2). */
  lrNew?: number;
  /** lr of the adapters (1e-3). */
  lrAdapter?: number;
  momentum?: number;
  weightDecay?: number;
  /** Epochs at which the lr is multiplied by `gamma` (default [20, 25] for 30 epochs). */
  milestones?: number[];
  gamma?: number;
  /** Seed of the shuffling and of the validation carve-out (the model seed is in the config). */
  seed?: number;
  /** Called after every batch with the clips it held (progress bars). */
  onBatch?: (clips: number) => void;
  /** Called after every epoch (logging). */
  onEpoch?: (log: EpochLog) => void;
}

export interface EpochLog {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Validation UAR and WAR of this epoch's parameters. */
  valUar: number;
  valWar: number;
  /** Validation loss (breaks ties of UAR and WAR). */
  valLoss: number;
  lrNew: number;
  /** Fusion weight per level. */
  weights: Record<string, number>;
  /** True when this epoch is the best so far (the kept checkpoint). */
  best: boolean;
}

export interface TrainResult {
  model: FineCliperModel;
  history: EpochLog[];
  /** The selected epoch (1-based) and its validation metrics. */
  best: { epoch: number; valUar: number; valWar: number; valLoss: number };
}

/** Defaults of method.md A.2 item 7 (milestones are ours: the paper's are not known). */
export const TRAIN_DEFAULTS = { epochs: 30, batchSize: 48, lrNew: 1e-2, lrAdapter: 1e-3, momentum: 0.9, weightDecay: 1e-4, milestones: [20, 25], gamma: 0.1, seed: 1 };

/**
 * Splits clips into train and validation, stratified per class: `fraction` of each class (at least
 * one clip when the class has two or more), chosen with a seeded shuffle.
 */
export function carveValidation<T extends { label?: string }>(clips: T[], fraction = 0.1, seed = 0): { train: T[]; val: T[] } {
  if (!(fraction > 0 && fraction < 1)) throw fineCliperOptionInvalid('val-fraction', `must be in (0, 1), got ${fraction}`);
  const rng = seededRandom(seed);
  const byClass = new Map<string, T[]>();
  for (const c of clips) byClass.set(c.label ?? '', [...(byClass.get(c.label ?? '') ?? []), c]);
  const val = new Set<T>();
  for (const group of byClass.values()) {
    const order = shuffle(group.map((_, i) => i), rng);
    const n = group.length < 2 ? 0 : Math.max(1, Math.round(group.length * fraction));
    for (const i of order.slice(0, n)) val.add(group[i]);
  }
  return { train: clips.filter((c) => !val.has(c)), val: clips.filter((c) => val.has(c)) };
}

/** Trains a fresh model on `train`, selecting the epoch with the best validation UAR (then WAR). */
export async function trainFineCliper(config: FineCliperConfig, descriptors: DescriptorEmbeddings, train: ClipFeatures[], val: ClipFeatures[], opts: TrainOptions = {}): Promise<TrainResult> {
  const o = { ...TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof TRAIN_DEFAULTS & TrainOptions;
  if (!train.length) throw fineCliperEmptySplit('the training split');
  if (!val.length) throw fineCliperEmptySplit('the validation split (carved from train)');
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw fineCliperOptionInvalid('epochs', `must be a positive integer, got ${o.epochs}`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw fineCliperOptionInvalid('batch-size', `must be a positive integer, got ${o.batchSize}`);
  const model = new FineCliperModel(config);
  const text = descriptorTensors(descriptors);
  const classIndex = new Map(config.classes.map((c, i) => [c, i]));
  const targets = train.map((c) => {
    const y = classIndex.get(c.label ?? '');
    if (y === undefined) throw fineCliperOptionInvalid('dataset', `clip ${c.id} has label "${c.label}", not one of ${config.classes.join(', ')}`);
    return y;
  });
  const opt = new SGD([
    { name: 'new', params: model.newModuleParameters(), lr: o.lrNew },
    { name: 'adapters', params: model.adapterParameters(), lr: o.lrAdapter },
  ], { lr: o.lrNew, momentum: o.momentum, weightDecay: o.weightDecay });
  const schedule = LrSchedule.multiStep(opt, o.milestones, o.gamma);
  const rng = seededRandom(o.seed);
  const history: EpochLog[] = [];
  let best = { epoch: 0, valUar: -1, valWar: -1, valLoss: Infinity };
  let bestParams: Float32Array[] = [];
  const params = model.parameters();

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    model.train();
    const order = shuffle(train.map((_, i) => i), rng);
    let lossSum = 0, batches = 0;
    for (let start = 0; start < order.length; start += o.batchSize) {
      const idx = order.slice(start, start + o.batchSize);
      opt.zeroGrad();
      const scores = model.forward(batchOf(idx.map((i) => train[i]), config.levels, config.frames), text);
      const loss = lossOf(scores, idx.map((i) => targets[i]), config);
      lossSum += await loss.item();
      batches++;
      loss.backward({ freeGraph: true });
      opt.step();
      o.onBatch?.(idx.length);
    }
    const metrics = await evaluate(model, text, val);
    const isBest = metrics.uar > best.valUar || (metrics.uar === best.valUar && (metrics.war > best.valWar || (metrics.war === best.valWar && metrics.loss < best.valLoss)));
    if (isBest) {
      best = { epoch, valUar: metrics.uar, valWar: metrics.war, valLoss: metrics.loss };
      bestParams = await Promise.all(params.map(async (p) => (await p.data()).slice()));
    }
    const log: EpochLog = { epoch, loss: lossSum / batches, valUar: metrics.uar, valWar: metrics.war, valLoss: metrics.loss, lrNew: opt.groups[0].settings.lr, weights: await model.fusionWeightValues(), best: isBest };
    history.push(log);
    o.onEpoch?.(log);
    schedule.step();
  }
  // Restore the selected epoch's parameters.
  params.forEach((p, i) => p.backend.write(p.buffer, bestParams[i]));
  model.eval();
  return { model, history, best };
}

/** Class logits (C per clip, in config.classes order) of clips through a trained model. */
export async function predictLogits(model: FineCliperModel, descriptors: DescriptorEmbeddings | { positive: Tensor; negative: Tensor }, clips: ClipFeatures[], batchSize = 64): Promise<Float32Array[]> {
  const text = 'positive' in descriptors && Array.isArray(descriptors.positive) ? descriptorTensors(descriptors as DescriptorEmbeddings) : descriptors as { positive: Tensor; negative: Tensor };
  const cfg = model.config;
  const out: Float32Array[] = [];
  model.eval();
  for (let start = 0; start < clips.length; start += batchSize) {
    const chunk = clips.slice(start, start + batchSize);
    const scores = noGrad(() => model.forward(batchOf(chunk, cfg.levels, cfg.frames), text));
    out.push(...classLogits(await scores.data(), chunk.length, cfg.formulation, cfg.classes.length));
    scores.dispose();
  }
  return out;
}

/**
 * Zero-shot class logits: no trained part. Per level, the video embedding is the normalised mean of
 * the frozen embeddings; scores per the formulation; z = Σ_m w_m z_m with the levels' fixed weights.
 * A fresh model (identity adapters, 'mean' temporal mode, fixed fusion) computes the same logits.
 */
export function zeroShotLogits(config: FineCliperConfig, descriptors: DescriptorEmbeddings, clip: ClipFeatures): Float32Array {
  const c = config.classes.length;
  const z = new Float32Array(c);
  for (const level of config.levels) {
    const v = meanRow(featuresOf(clip, level.name));
    for (let k = 0; k < c; k++) {
      const pos = dot(v, descriptors.positive[k]);
      const score = config.formulation === 'softmax-2c' ? pos : pos - dot(v, descriptors.negative[k]);
      z[k] += (level.weight ?? 1) * (score / config.temperature);
    }
  }
  return z;
}

export function argmax(z: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
  return best;
}

/** Validation UAR, WAR and mean loss (selection: UAR, then WAR, then the lower loss). */
async function evaluate(model: FineCliperModel, text: { positive: Tensor; negative: Tensor }, clips: ClipFeatures[]): Promise<{ uar: number; war: number; loss: number }> {
  const cfg = model.config;
  const y = clips.map((c) => cfg.classes.indexOf(c.label!));
  const scores = noGrad(() => model.forward(batchOf(clips, cfg.levels, cfg.frames), text));
  const loss = await noGrad(() => lossOf(scores, y, cfg)).item();
  const logits = classLogits(await scores.data(), clips.length, cfg.formulation, cfg.classes.length);
  const r = classificationReportByName(clips.map((c) => c.label!), logits.map((z) => cfg.classes[argmax(z)]), cfg.classes);
  return { uar: r.uar, war: r.war, loss };
}

function lossOf(scores: Tensor, y: number[], cfg: FineCliperConfig): Tensor {
  if (cfg.formulation !== 'binary') return crossEntropy(scores, y);
  const c = cfg.classes.length;
  const onehot = new Float32Array(y.length * c);
  y.forEach((k, i) => { onehot[i * c + k] = 1; });
  return binaryCrossEntropyWithLogits(scores, tensor(onehot, [y.length, c], { backend: scores.backend }));
}

/** Stacks clips' features into [B, T, D] tensors ([B, 1, D] for text levels). */
export function batchOf(clips: ClipFeatures[], levels: LevelSpec[], frames: number): LevelBatch {
  const batch: LevelBatch = {};
  for (const level of levels) {
    const rows = clips.map((c) => featuresOf(c, level.name));
    const d = rows[0].shape[1];
    const t = level.kind === 'text' ? 1 : frames;
    const out = new Float32Array(clips.length * t * d);
    rows.forEach((f, i) => {
      if (f.shape[1] !== d) throw fineCliperOptionInvalid('features', `clip ${clips[i].id} level ${level.name} has width ${f.shape[1]}, expected ${d}`);
      if (level.kind === 'text') out.set(meanRow(f), i * d);
      else if (f.shape[0] !== t) throw fineCliperOptionInvalid('frames', `clip ${clips[i].id} level ${level.name} has ${f.shape[0]} frames, the model expects ${t} (extract with the same --frames)`);
      else out.set(f.data, i * t * d);
    });
    batch[level.name] = tensor(out, [clips.length, t, d]);
  }
  return batch;
}

function featuresOf(clip: ClipFeatures, level: string): FeatureTensor {
  const f = clip.levels[level];
  if (!f || f.shape[0] === 0) throw fineCliperFeaturesMissing(level, clip.id);
  return f;
}

/** The unit-length mean of the rows of [N, D]. */
function meanRow(f: FeatureTensor): Float32Array {
  const [n, d] = f.shape;
  const m = new Float32Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) m[j] += f.data[r * d + j] / n;
  const norm = Math.hypot(...m);
  if (norm > 0) for (let j = 0; j < d; j++) m[j] /= norm;
  return m;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function shuffle(xs: number[], rng: () => number): number[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
