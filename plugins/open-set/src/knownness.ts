/**
 * Known-ness scores of logit rows (higher = more likely a known class), selectable:
 * - maxLogit: max_k e_k of the ensemble logits (HESP, ARPL);
 * - maxSoftmax: max_k softmax(e / T)_k;
 * - energy: T · log Σ_k exp(e_k / T), the negative free energy (Liu et al., NeurIPS 2020).
 */
import { openSetConfigInvalid } from '../../../core/errors/messages.ts';

export type KnownnessScore = 'maxLogit' | 'maxSoftmax' | 'energy';
export const KNOWNNESS_SCORES: readonly KnownnessScore[] = ['maxLogit', 'maxSoftmax', 'energy'];

/** Scores of a row-major [N, C] logit matrix; `temperature` applies to maxSoftmax and energy. */
export function knownnessOf(logits: ArrayLike<number>, numClasses: number, rule: KnownnessScore = 'maxLogit', temperature = 1): Float64Array {
  if (!KNOWNNESS_SCORES.includes(rule)) throw openSetConfigInvalid('score', `unknown score "${rule}" (choose ${KNOWNNESS_SCORES.join(', ')})`);
  if (!(temperature > 0)) throw openSetConfigInvalid('temperature', `must be > 0, got ${temperature}`);
  if (!(numClasses >= 1) || logits.length % numClasses !== 0) throw openSetConfigInvalid('logits', `${logits.length} values are not rows of ${numClasses} classes`);
  const n = logits.length / numClasses;
  const out = new Float64Array(n);
  for (let i = 0, o = 0; i < n; i++, o += numClasses) {
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) if (logits[o + c] > max) max = logits[o + c];
    if (rule === 'maxLogit') { out[i] = max; continue; }
    // Σ exp((l - max)/T), stable; both other rules are closed forms of it.
    let z = 0;
    for (let c = 0; c < numClasses; c++) z += Math.exp((logits[o + c] - max) / temperature);
    out[i] = rule === 'maxSoftmax' ? 1 / z : max + temperature * Math.log(z);
  }
  return out;
}

/** The known-ness of one clip from its class logits keyed by name. */
export function knownnessOfScores(logits: Record<string, number>, rule: KnownnessScore = 'maxLogit', temperature = 1): number {
  const values = Object.values(logits);
  return knownnessOf(values, values.length, rule, temperature)[0];
}
