/**
 * Known-ness scores of logit rows (higher = more likely a known class), selectable:
 * - maxLogit: max_k e_k of the ensemble logits (HESP, ARPL);
 * - maxSoftmax: max_k softmax(e / T)_k;
 * - energy: T · log Σ_k exp(e_k / T), the negative free energy (Liu et al., NeurIPS 2020).
 */
import { openSetConfigInvalid } from './errors.ts';
import { KNOWNNESS_RULES, knownnessScores, type KnownnessRule } from '@visage/core/metrics';

export type KnownnessScore = KnownnessRule;
export const KNOWNNESS_SCORES = KNOWNNESS_RULES;

/** Scores of a row-major [N, C] logit matrix (core/metrics), with the open-set plugin's config errors. */
export function knownnessOf(logits: ArrayLike<number>, numClasses: number, rule: KnownnessScore = 'maxLogit', temperature = 1): Float64Array {
  if (!KNOWNNESS_SCORES.includes(rule)) throw openSetConfigInvalid('score', `unknown score "${rule}" (choose ${KNOWNNESS_SCORES.join(', ')})`);
  if (!(temperature > 0)) throw openSetConfigInvalid('temperature', `must be > 0, got ${temperature}`);
  if (!(numClasses >= 1) || logits.length % numClasses !== 0) throw openSetConfigInvalid('logits', `${logits.length} values are not rows of ${numClasses} classes`);
  return knownnessScores(logits, numClasses, rule, temperature);
}

/** The known-ness of one clip from its class logits keyed by name. */
export function knownnessOfScores(logits: Record<string, number>, rule: KnownnessScore = 'maxLogit', temperature = 1): number {
  const values = Object.values(logits);
  return knownnessOf(values, values.length, rule, temperature)[0];
}
