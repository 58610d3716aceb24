/**
 * Turning a [N, C] row-major logit matrix into predictions and known-ness scores.
 * HESP and ARPL score known-ness by the max logit; the max softmax probability is the other
 * common choice.
 */
import { metricInputInvalid } from '../errors/messages.ts';

/** maxLogit (HESP, ARPL), maxSoftmax (MSP), energy (T log sum exp(l/T), Liu et al. 2020). */
export type KnownnessRule = 'maxLogit' | 'maxSoftmax' | 'energy';
export const KNOWNNESS_RULES: readonly KnownnessRule[] = ['maxLogit', 'maxSoftmax', 'energy'];

function rows(logits: ArrayLike<number>, numClasses: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw metricInputInvalid('scores', `numClasses must be a positive integer, got ${numClasses}`);
  if (logits.length % numClasses !== 0) throw metricInputInvalid('scores', `${logits.length} logits is not a multiple of ${numClasses} classes`);
  return logits.length / numClasses;
}

/** Argmax class index of each row (first maximum on ties, like numpy). */
export function argmaxRows(logits: ArrayLike<number>, numClasses: number): Int32Array {
  const n = rows(logits, numClasses);
  const out = new Int32Array(n);
  // Stryker disable next-line EqualityOperator: row n would be written outside the typed array, which JS ignores
  for (let i = 0, o = 0; i < n; i++, o += numClasses) {
    let best = 0;
    let bestV = logits[o];
    for (let c = 1; c < numClasses; c++) if (logits[o + c] > bestV) { bestV = logits[o + c]; best = c; }
    out[i] = best;
  }
  return out;
}

/** Known-ness score of each row (higher = more likely known); `temperature` applies to maxSoftmax and energy. */
export function knownnessScores(logits: ArrayLike<number>, numClasses: number, rule: KnownnessRule = 'maxLogit', temperature = 1): Float64Array {
  const n = rows(logits, numClasses);
  if (!(temperature > 0)) throw metricInputInvalid('scores', `temperature must be > 0, got ${temperature}`);
  const out = new Float64Array(n);
  // Stryker disable next-line EqualityOperator: row n would be written outside the typed array, which JS ignores
  for (let i = 0, o = 0; i < n; i++, o += numClasses) {
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) if (logits[o + c] > max) max = logits[o + c];
    if (rule === 'maxLogit') { out[i] = max; continue; }
    // z = sum exp((l - max)/T), stable; max softmax and energy are both closed forms of it.
    let z = 0;
    for (let c = 0; c < numClasses; c++) z += Math.exp((logits[o + c] - max) / temperature);
    out[i] = rule === 'maxSoftmax' ? 1 / z : max + temperature * Math.log(z);
  }
  return out;
}

/** Softmax of `x / temperature`; the maximum is subtracted first, so large logits do not overflow. */
export function softmax(x: ArrayLike<number>, temperature = 1): number[] {
  if (!(temperature > 0)) throw metricInputInvalid('softmax', `temperature must be > 0, got ${temperature}`);
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  const e = Array.from(x, (v) => Math.exp((v - max) / temperature));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Scores scaled to sum 1, negatives counted as 0; all zero stays all zero (no made-up uniform guess). */
export function renormalise(x: ArrayLike<number>): number[] {
  const clamped = Array.from(x, (v) => Math.max(0, v));
  const sum = clamped.reduce((a, b) => a + b, 0);
  return sum > 0 ? clamped.map((v) => v / sum) : clamped;
}

/** Index of the largest value, the first on ties (like numpy); -1 for an empty list. */
export function argmax(x: ArrayLike<number>): number {
  if (x.length === 0) return -1;
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** A closed-set decision over named class scores. */
export interface ClosedSetChoice {
  /** The arg-max class (the first listed on ties); null when there are no classes. */
  label: string | null;
  /** Softmax of logits, or the probabilities renormalised; keyed by class name (own keys, whatever the names). */
  probabilities: Record<string, number>;
  /** Probability of the label: the maximum softmax probability (MSP), the usual known-ness baseline; 0 without classes. */
  knownness: number;
}

/** Arg-max label and probabilities of named scores: `logits` go through a softmax at `temperature`, `probabilities` are renormalised. */
export function closedSetChoice(scores: Record<string, number>, kind: 'logits' | 'probabilities', temperature = 1): ClosedSetChoice {
  const names = Object.keys(scores);
  if (names.length === 0) return { label: null, probabilities: {}, knownness: 0 };
  const values = names.map((n) => scores[n]);
  const probs = kind === 'logits' ? softmax(values, temperature) : renormalise(values);
  const best = argmax(probs);
  // A loop, not a closure made per call: V8 drops a dead closure's optimized code at a full GC, so
  // in a batch it was compiled again every few clips.
  const entries: [string, number][] = [];
  for (let i = 0; i < names.length; i++) entries.push([names[i], probs[i]]);
  return { label: names[best], probabilities: Object.fromEntries(entries), knownness: probs[best] };
}
