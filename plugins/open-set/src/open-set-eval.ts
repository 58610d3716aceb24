/**
 * The open-set evaluation: for each known/unknown split, train on the known classes, pick the epoch
 * and the rejection threshold on validation, then score every test clip (known and unknown classes)
 * and compute closed-set accuracy, AUROC and both OSCRs; summarise as mean ± std over the draws.
 */
import { foldMeanStd, openSetReport, type FoldSummary, type OpenSetReport, type PredictionRecord } from '@visage/core/metrics';
import { openSetSplitInvalid } from './errors.ts';
import type { ClipFeatures, FeatureSet } from './features.ts';
import type { HespConfigInput } from './hesp-config.ts';
import { knownnessOf, type KnownnessScore } from './knownness.ts';
import type { OpenSetSplit } from './splits.ts';
import { thresholdForAcceptance } from './threshold.ts';
import { ensembleLogits, trainHesp, type EpochRecord, type TrainedHesp } from './train-hesp.ts';

export interface ScoringOptions {
  score?: KnownnessScore;
  temperature?: number;
}

/** Scores test clips given their [N, K] logits over the known classes: predictions records + report. */
export function scoreOpenSet(items: readonly ClipFeatures[], known: readonly string[], logits: ArrayLike<number>, threshold: number | undefined, opts: ScoringOptions = {}): { report: OpenSetReport; predictions: PredictionRecord[] } {
  const k = known.length;
  const scores = knownnessOf(logits, k, opts.score ?? 'maxLogit', opts.temperature ?? 1);
  const knownScores: number[] = [], correct: boolean[] = [], unknownScores: number[] = [];
  const predictions = items.map((it, i) => {
    let arg = 0;
    for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + arg]) arg = c;
    const isKnown = known.includes(it.label);
    if (isKnown) { knownScores.push(scores[i]); correct.push(known[arg] === it.label); } else unknownScores.push(scores[i]);
    const record: PredictionRecord & { unknown?: boolean } = { id: it.id, label: it.label, predicted: known[arg], knownness: scores[i], known: isKnown };
    if (threshold !== undefined) record.unknown = scores[i] < threshold;
    return record;
  });
  if (knownScores.length === 0 || unknownScores.length === 0) {
    throw openSetSplitInvalid(`the test clips hold ${knownScores.length} known and ${unknownScores.length} unknown clips; both are needed`);
  }
  return { report: openSetReport({ scores: knownScores, correct }, unknownScores), predictions };
}

/** Zero-shot CLIP logits s·cos(mean of frames, E_txt(class)) [N, K]: the baseline of the paper. */
export function zeroShotLogits(set: FeatureSet, known: readonly string[], items: readonly ClipFeatures[], logitScale = 100): Float32Array {
  const { dim, frames } = set, k = known.length;
  const text = known.map((c) => unit(set.textEmbeddings[c]));
  const out = new Float32Array(items.length * k);
  items.forEach((it, i) => {
    const v = new Float32Array(dim);
    for (let t = 0; t < frames; t++) for (let d = 0; d < dim; d++) v[d] += it.frames[t * dim + d] / frames;
    const vu = unit(v);
    text.forEach((tk, c) => {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += vu[d] * tk[d];
      out[i * k + c] = logitScale * dot;
    });
  });
  return out;
}

export interface DrawResult {
  split: OpenSetSplit;
  report: OpenSetReport;
  /** Zero-shot CLIP on the same split, for comparison. */
  zeroShot: OpenSetReport;
  threshold: number;
  bestEpoch: number;
  history: EpochRecord[];
  predictions: PredictionRecord[];
  trained: TrainedHesp;
}

export interface EvaluateOptions extends ScoringOptions {
  config?: HespConfigInput;
  /** Fraction of known validation clips the threshold accepts (default 0.95). */
  accept?: number;
  onEpoch?: (split: OpenSetSplit, r: EpochRecord) => void;
}

/** Trains and evaluates one split: test = the `test` clips of every class (known and unknown). */
export async function evaluateSplit(set: FeatureSet, split: OpenSetSplit, opts: EvaluateOptions = {}): Promise<DrawResult> {
  const trained = await trainHesp(set, split.known, opts.config, { onEpoch: (r) => opts.onEpoch?.(split, r) });
  const scoring = { score: opts.score, temperature: opts.temperature };
  const valLogits = await ensembleLogits(trained.model, trained.validation, set);
  const threshold = thresholdForAcceptance(knownnessOf(valLogits, split.known.length, opts.score ?? 'maxLogit', opts.temperature ?? 1), opts.accept ?? 0.95);
  const test = set.items.filter((it) => it.split === 'test');
  const { report, predictions } = scoreOpenSet(test, split.known, await ensembleLogits(trained.model, test, set), threshold, scoring);
  const zeroShot = scoreOpenSet(test, split.known, zeroShotLogits(set, split.known, test, trained.config.logitScale), undefined, scoring).report;
  return { split, report, zeroShot, threshold, bestEpoch: trained.bestEpoch, history: trained.history, predictions, trained };
}

export type OpenSetSummary = Record<keyof OpenSetReport, FoldSummary>;

/** Mean and (population) standard deviation of every metric over the draws. */
export function summariseDraws(reports: readonly OpenSetReport[]): OpenSetSummary {
  const keys = Object.keys(reports[0]) as Array<keyof OpenSetReport>;
  return Object.fromEntries(keys.map((key) => [key, foldMeanStd(reports.map((r) => r[key]))])) as OpenSetSummary;
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}
