/**
 * Turning a [N, C] row-major logit matrix into predictions and known-ness scores.
 * HESP and ARPL score known-ness by the max logit; the max softmax probability is the other
 * common choice.
 */
import { metricInputInvalid } from '../errors/messages.ts';

export type KnownnessRule = 'maxLogit' | 'maxSoftmax';

function rows(logits: ArrayLike<number>, numClasses: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw metricInputInvalid('scores', `numClasses must be a positive integer, got ${numClasses}`);
  if (logits.length % numClasses !== 0) throw metricInputInvalid('scores', `${logits.length} logits is not a multiple of ${numClasses} classes`);
  return logits.length / numClasses;
}

/** Argmax class index of each row (first maximum on ties, like numpy). */
export function argmaxRows(logits: ArrayLike<number>, numClasses: number): Int32Array {
  const n = rows(logits, numClasses);
  const out = new Int32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += numClasses) {
    let best = 0;
    let bestV = logits[o];
    for (let c = 1; c < numClasses; c++) if (logits[o + c] > bestV) { bestV = logits[o + c]; best = c; }
    out[i] = best;
  }
  return out;
}

/** Known-ness score of each row: its max logit, or its max softmax probability. */
export function knownnessScores(logits: ArrayLike<number>, numClasses: number, rule: KnownnessRule = 'maxLogit'): Float64Array {
  const n = rows(logits, numClasses);
  const out = new Float64Array(n);
  for (let i = 0, o = 0; i < n; i++, o += numClasses) {
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) if (logits[o + c] > max) max = logits[o + c];
    if (rule === 'maxLogit') { out[i] = max; continue; }
    // max softmax = 1 / sum(exp(l - max)), computed stably.
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += Math.exp(logits[o + c] - max);
    out[i] = 1 / sum;
  }
  return out;
}
