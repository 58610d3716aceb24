/**
 * Open-set detection AUROC (method.md D.4). Positives are KNOWN samples; the score is a
 * known-ness score (higher = more known). Both functions run in O(n log n): two typed-array sorts
 * and one merge walk.
 */
import { assertFiniteScores, assertNonEmpty } from './validate.ts';

function sortedCopy(metric: string, name: string, scores: ArrayLike<number>): Float64Array {
  assertNonEmpty(metric, name, scores);
  assertFiniteScores(metric, name, scores);
  return Float64Array.from(scores).sort();
}

/**
 * AUROC by the Mann-Whitney statistic: P(S(known) > S(unknown)) + 1/2 P(S(known) = S(unknown)).
 * Equals sklearn `roc_auc_score(y = 1 for known, S)`. Returns a fraction in [0, 1].
 */
export function auroc(knownScores: ArrayLike<number>, unknownScores: ArrayLike<number>): number {
  const k = sortedCopy('auroc', 'knownScores', knownScores);
  const u = sortedCopy('auroc', 'unknownScores', unknownScores);
  // For each distinct known value v: count unknowns strictly below v, and unknowns equal to v.
  let below = 0; // unknowns < current known value
  let pairs = 0; // sum over knowns of (#u < k) + 0.5 (#u == k)
  let j = 0;
  for (let i = 0; i < k.length; ) {
    const v = k[i];
    let run = 0;
    while (i < k.length && k[i] === v) { i++; run++; }
    while (j < u.length && u[j] < v) { j++; below++; }
    let equal = 0;
    while (j + equal < u.length && u[j + equal] === v) equal++;
    pairs += run * (below + 0.5 * equal);
  }
  return pairs / (k.length * u.length);
}

/**
 * The ARPL-style AUROC (`iCGY96/ARPL` core/evaluation.py `get_curve_online` + `metric_ood`):
 * the trapezoid area of the curve walked over sorted scores, where a tie between a known and an
 * unknown score moves the known first, i.e. counts the pair as known < unknown.
 * That walk's area is exactly P(S(known) > S(unknown)) with ties scoring 0 (all-tied input: 0,
 * where Mann-Whitney gives 0.5); without ties it equals `auroc`. ARPL prints it x100; this
 * returns a fraction in [0, 1].
 */
export function aurocArpl(knownScores: ArrayLike<number>, unknownScores: ArrayLike<number>): number {
  const k = sortedCopy('aurocArpl', 'knownScores', knownScores);
  const u = sortedCopy('aurocArpl', 'unknownScores', unknownScores);
  let j = 0;
  let pairs = 0;
  for (let i = 0; i < k.length; i++) {
    while (j < u.length && u[j] < k[i]) j++;
    pairs += j;
  }
  return pairs / (k.length * u.length);
}
