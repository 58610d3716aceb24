/**
 * Open-Set Classification Rate (Dhamija et al., NeurIPS 2018; method.md D.5).
 *
 * Sweeping a threshold t over the known-ness score S:
 *   CCR(t) = |{known x : prediction correct and S(x) >= t}| / |known|
 *   FPR(t) = |{unknown x : S(x) >= t}| / |unknown|
 * OSCR is the area under CCR versus FPR. Two implementations:
 * - 'reference': Vastlab/vast `tensor_OSRC`: one curve point per distinct score (ties grouped),
 *   trapezoid rule from (0,0) to (1, closed-set accuracy). Use it for new claims.
 * - 'compat': `iCGY96/ARPL` `compute_oscr` (copied into HESP): its k / k+1 asymmetry and its
 *   artificial (0,0) and (1,1) end points included, so numbers compare with HESP's.
 */
import { metricInputInvalid } from '../errors/messages.ts';
import { assertFiniteScores, assertNonEmpty, assertSameLength } from './validate.ts';

export type OscrMode = 'reference' | 'compat';

/** Known test samples: their known-ness scores and whether the closed-set prediction was right. */
export interface KnownSamples {
  scores: ArrayLike<number>;
  correct: ArrayLike<boolean | number>;
}

/** One point of the reference OSCR curve, at a distinct score threshold. */
export interface OscrPoint {
  /** The threshold: samples with score >= it are accepted as known. */
  threshold: number;
  fpr: number;
  ccr: number;
}

function check(metric: string, known: KnownSamples, unknownScores: ArrayLike<number>): void {
  assertNonEmpty(metric, 'known.scores', known.scores);
  assertNonEmpty(metric, 'unknownScores', unknownScores);
  assertSameLength(metric, 'known.scores', known.scores, 'known.correct', known.correct);
  assertFiniteScores(metric, 'known.scores', known.scores);
  assertFiniteScores(metric, 'unknownScores', unknownScores);
}

/** Scores sorted descending, as a fresh Float64Array. */
function descending(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort().reverse();
}

/**
 * Walks the distinct thresholds in descending order (Vastlab tensor_OSRC) and reports the
 * (FPR, CCR) point of each: a three-way merge over the sorted correct-known, wrong-known and
 * unknown scores. Wrong knowns move neither coordinate but still define thresholds.
 */
function walkThresholds(known: KnownSamples, unknownScores: ArrayLike<number>, onPoint: (threshold: number, fpr: number, ccr: number) => void): void {
  const nK = known.scores.length;
  let nRight = 0;
  // Stryker disable next-line EqualityOperator: correct[nK] is undefined, so not counted
  for (let i = 0; i < nK; i++) if (known.correct[i]) nRight++;
  const right = new Float64Array(nRight);
  const wrong = new Float64Array(nK - nRight);
  // Stryker disable next-line EqualityOperator: a step past the end writes outside the typed arrays, which JS ignores
  for (let i = 0, a = 0, b = 0; i < nK; i++) {
    if (known.correct[i]) right[a++] = known.scores[i];
    else wrong[b++] = known.scores[i];
  }
  const r = right.sort().reverse();
  const w = wrong.sort().reverse();
  const u = descending(unknownScores);
  const nU = u.length;
  let ir = 0, iw = 0, iu = 0;
  while (ir < r.length || iw < w.length || iu < u.length) {
    const t = Math.max(ir < r.length ? r[ir] : -Infinity, iw < w.length ? w[iw] : -Infinity, iu < u.length ? u[iu] : -Infinity);
    while (ir < r.length && r[ir] === t) ir++;
    while (iw < w.length && w[iw] === t) iw++;
    while (iu < u.length && u[iu] === t) iu++;
    onPoint(t, iu / nU, ir / nK);
  }
}

/**
 * The reference OSCR curve (Vastlab tensor_OSRC): one point per distinct score, in descending
 * threshold order, ending at (1, accuracy). The implicit start point (0,0) is not listed.
 */
export function oscrCurve(known: KnownSamples, unknownScores: ArrayLike<number>): OscrPoint[] {
  check('oscrCurve', known, unknownScores);
  const points: OscrPoint[] = [];
  walkThresholds(known, unknownScores, (threshold, fpr, ccr) => points.push({ threshold, fpr, ccr }));
  return points;
}

/** Reference OSCR: trapezoid area under the tensor_OSRC curve, starting from (0,0). */
function oscrReference(known: KnownSamples, unknownScores: ArrayLike<number>): number {
  let area = 0, x = 0, y = 0;
  walkThresholds(known, unknownScores, (_t, fpr, ccr) => {
    area += (fpr - x) * (ccr + y) / 2;
    x = fpr;
    y = ccr;
  });
  return area;
}

/** ARPL `compute_oscr`, ported with its quirks; O(n log n). */
function oscrCompat(known: KnownSamples, unknownScores: ArrayLike<number>): number {
  const nK = known.scores.length;
  const nU = unknownScores.length;
  const n = nK + nU;
  const score = new Float64Array(n);
  const kTarget = new Uint8Array(n);
  const uTarget = new Uint8Array(n);
  // Stryker disable next-line EqualityOperator: index nK is overwritten by the first unknown just below
  for (let i = 0; i < nK; i++) { score[i] = known.scores[i]; kTarget[i] = known.correct[i] ? 1 : 0; }
  // Stryker disable next-line EqualityOperator: index n is outside the typed arrays; the write is ignored
  for (let i = 0; i < nU; i++) { score[nK + i] = unknownScores[i]; uTarget[nK + i] = 1; }
  // Ascending, ties in input order (knowns first, as concatenated by ARPL). numpy's default
  // argsort is stable only for n <= 16; beyond that its tie order is unspecified, and ties between
  // samples of different kinds (correct known, wrong known, unknown) can move the compat value by
  // O(1/n). Stable order is the deterministic choice; the reference mode has no such ambiguity.
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b] || a - b);
  // Suffix sums over sorted positions: sufK[k] = sum of kTarget at positions >= k.
  const sufK = new Float64Array(n + 1);
  const sufU = new Float64Array(n + 1);
  for (let p = n - 1; p >= 0; p--) {
    sufK[p] = sufK[p + 1] + kTarget[order[p]];
    sufU[p] = sufU[p + 1] + uTarget[order[p]];
  }
  // Points k = 0..n-2: CC counts correct knowns strictly above k, FP unknowns at or above k.
  // Both are non-increasing in k, so with (1,1) in front and the two (0,0) points at the end the
  // list is already in ARPL's descending (FPR, CCR) order: no sort needed.
  const fpr: number[] = [1];
  const ccr: number[] = [1];
  // Stryker disable next-line EqualityOperator: the extra point k = n-1 has CCR 0 and adds no area before the closing (0,0)
  for (let k = 0; k < n - 1; k++) {
    fpr.push(sufU[k] / nU);
    ccr.push(sufK[k + 1] / nK);
  }
  fpr.push(0, 0);
  ccr.push(0, 0);
  let area = 0;
  for (let j = 0; j + 1 < fpr.length; j++) area += (fpr[j] - fpr[j + 1]) * (ccr[j] + ccr[j + 1]) / 2;
  return area;
}

/**
 * OSCR as a fraction in [0, 1]. `mode` 'reference' (default) follows Vastlab tensor_OSRC;
 * 'compat' reproduces ARPL/HESP `compute_oscr` including its known quirks.
 */
export function oscr(known: KnownSamples, unknownScores: ArrayLike<number>, mode: OscrMode = 'reference'): number {
  check('oscr', known, unknownScores);
  if (mode === 'reference') return oscrReference(known, unknownScores);
  if (mode === 'compat') return oscrCompat(known, unknownScores);
  throw metricInputInvalid('oscr', `unknown mode "${String(mode)}" (use reference or compat)`);
}
