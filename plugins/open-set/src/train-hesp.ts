/**
 * Training the HESP head on the known classes of a feature set, with the checkpoint (epoch) selected
 * on validation clips of the known classes (closed-set accuracy, ties to the lower ensemble CE):
 * never on test, unlike the reference code (method.md C.2).
 */
import {
  AdamW, crossEntropy, LrSchedule, multiStepFactor, noGrad, ParameterRegistry, Rng, SGD, tensor, type Tensor,
} from '@visage/core/compute';
import { openSetSplitInvalid } from './errors.ts';
import { packBatch } from './batches.ts';
import type { ClipFeatures, FeatureSet } from './features.ts';
import { resolveHespConfig, type HespConfig, type HespConfigInput } from './hesp-config.ts';
import { hespLoss } from './hesp-losses.ts';
import { HespModel } from './hesp-model.ts';

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valAccuracy: number;
  valLoss: number;
}

export interface TrainedHesp {
  model: HespModel;
  config: HespConfig;
  /** 1-based epoch whose parameters the model holds. */
  bestEpoch: number;
  history: EpochRecord[];
  /** The validation clips used for selection (and for the threshold). */
  validation: ClipFeatures[];
}

export interface TrainOptions {
  /** Called after every epoch (progress output). */
  onEpoch?: (r: EpochRecord) => void;
}

/** Model for the given known classes, with the text rows taken from the feature set by class name. */
export function createHespModel(set: FeatureSet, known: readonly string[], config: HespConfig): HespModel {
  return new HespModel({
    classes: [...known],
    positive: known.map((c) => set.textEmbeddings[c]),
    negative: known.map((c) => set.negativeEmbeddings[c]),
  }, config);
}

/**
 * Trains on the `train` clips of the known classes. Validation = the `val` clips of the known classes,
 * or, when the set has none, a seeded 20% of each known class's training clips (held out from training).
 */
export async function trainHesp(set: FeatureSet, known: readonly string[], input: HespConfigInput = {}, opts: TrainOptions = {}): Promise<TrainedHesp> {
  const config = resolveHespConfig(input);
  for (const c of known) if (!set.classes.includes(c)) throw openSetSplitInvalid(`known class "${c}" is not in the feature set (${set.classes.join(', ')})`);
  const rng = new Rng(config.seed);
  let train = set.items.filter((it) => it.split === 'train' && known.includes(it.label));
  let validation = set.items.filter((it) => it.split === 'val' && known.includes(it.label));
  if (validation.length === 0) [train, validation] = holdOut(train, known, 0.2, rng);
  if (train.length === 0) throw openSetSplitInvalid(`no training clips for the known classes ${known.join(', ')}`);

  const model = createHespModel(set, known, config);
  const reg = new ParameterRegistry();
  reg.registerAll(model.namedParameters());
  const opt = config.optimizer === 'sgd'
    ? new SGD(reg.trainable(), { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay })
    : new AdamW(reg.trainable(), { lr: config.lr, weightDecay: config.weightDecay });
  const schedule = new LrSchedule(opt, (t) => multiStepFactor(t, config.milestones, config.lrGamma));

  const history: EpochRecord[] = [];
  let best: { epoch: number; acc: number; loss: number; values: Map<string, Float32Array> } | null = null;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const order = rng.shuffle([...train.keys()]);
    let lossSum = 0, batches = 0;
    for (let s = 0; s < order.length; s += config.batchSize) {
      const batch = packBatch(order.slice(s, s + config.batchSize).map((i) => train[i]), known, set.frames, set.dim);
      opt.zeroGrad();
      const terms = hespLoss(model, model.forward(batch.frames, batch.motion), batch.labels, config);
      lossSum += await terms.total.item();
      batches++;
      terms.total.backward({ freeGraph: true });
      opt.step();
    }
    schedule.step();
    const val = await validate(model, validation, known, set);
    const record = { epoch, trainLoss: lossSum / batches, valAccuracy: val.accuracy, valLoss: val.loss };
    history.push(record);
    opts.onEpoch?.(record);
    if (!best || val.accuracy > best.acc || (val.accuracy === best.acc && val.loss < best.loss)) {
      best = { epoch, acc: val.accuracy, loss: val.loss, values: await snapshot(reg) };
    }
  }
  restore(reg, best!.values);
  return { model, config, bestEpoch: best!.epoch, history, validation };
}

/** Ensemble logits [N, K] (row-major) of clips, without gradients. */
export async function ensembleLogits(model: HespModel, items: readonly ClipFeatures[], set: Pick<FeatureSet, 'frames' | 'dim'>, which: 'ensemble' | 'clipLogits' | 'arplLogits' = 'ensemble'): Promise<Float32Array> {
  const k = model.classes.length;
  const out = new Float32Array(items.length * k);
  for (let s = 0; s < items.length; s += 256) {
    const chunk = items.slice(s, s + 256);
    const b = packBatch(chunk, model.classes, set.frames, set.dim);
    const logits: Tensor = noGrad(() => model.forward(b.frames, b.motion)[which]);
    out.set(await logits.data(), s * k);
  }
  return out;
}

async function validate(model: HespModel, items: readonly ClipFeatures[], known: readonly string[], set: FeatureSet) {
  const k = known.length;
  const logits = await ensembleLogits(model, items, set);
  const labels = items.map((it) => known.indexOf(it.label));
  let correct = 0;
  for (let i = 0; i < items.length; i++) {
    let arg = 0;
    for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + arg]) arg = c;
    if (arg === labels[i]) correct++;
  }
  const loss = await noGrad(() => crossEntropy(tensor(logits, [items.length, k]), labels)).item();
  return { accuracy: correct / items.length, loss };
}

function holdOut(items: ClipFeatures[], known: readonly string[], fraction: number, rng: Rng): [ClipFeatures[], ClipFeatures[]] {
  const train: ClipFeatures[] = [], val: ClipFeatures[] = [];
  for (const c of known) {
    const own = rng.shuffle(items.filter((it) => it.label === c));
    const n = own.length >= 2 ? Math.max(1, Math.round(own.length * fraction)) : 0;
    val.push(...own.slice(0, n));
    train.push(...own.slice(n));
  }
  return [train, val];
}

async function snapshot(reg: ParameterRegistry): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of reg.entries()) out.set(name, Float32Array.from(await t.data()));
  return out;
}

function restore(reg: ParameterRegistry, values: Map<string, Float32Array>): void {
  noGrad(() => {
    for (const [name, t] of reg.entries()) t.backend.write(t.buffer, values.get(name)!);
  });
}
