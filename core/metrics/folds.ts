/** Aggregation of per-fold results (method.md D.3: compute per fold, then average; never pool). */
import { metricInputInvalid } from '../errors/messages.ts';
import { assertFiniteScores, assertNonEmpty } from './validate.ts';

export interface FoldSummary {
  mean: number;
  std: number;
  folds: number;
}

/**
 * Mean and standard deviation of one metric over folds. `ddof` 0 (default) is numpy's `np.std`,
 * the population deviation; pass 1 for the sample deviation.
 */
export function foldMeanStd(values: ArrayLike<number>, ddof: 0 | 1 = 0): FoldSummary {
  assertNonEmpty('foldMeanStd', 'values', values);
  assertFiniteScores('foldMeanStd', 'values', values);
  const n = values.length;
  if (n - ddof <= 0) throw metricInputInvalid('foldMeanStd', `ddof ${ddof} needs more than ${ddof} fold(s)`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / (n - ddof)), folds: n };
}
