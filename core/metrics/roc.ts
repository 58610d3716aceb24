/**
 * ROC curve of known-ness scores: known clips are positives, unknown clips negatives. One point
 * per distinct score (ties move both rates at once, so the trapezoid area under the curve is the
 * Mann-Whitney AUROC with ties counted half), from (0, 0) to (1, 1).
 */
import { metricInputInvalid } from '../errors/messages.ts';

export interface RocPoint {
  /** Unknown clips accepted at this threshold. */
  fpr: number;
  /** Known clips accepted at this threshold. */
  tpr: number;
  threshold: number;
}

export function rocCurve(known: ArrayLike<number>, unknown: ArrayLike<number>): RocPoint[] {
  if (known.length === 0 || unknown.length === 0) throw metricInputInvalid('rocCurve', 'needs known and unknown scores');
  const all = [...Array.from(known, (s) => ({ s, k: true })), ...Array.from(unknown, (s) => ({ s, k: false }))].sort((a, b) => b.s - a.s);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < all.length; i++) {
    if (all[i].k) tp++;
    else fp++;
    if (i + 1 < all.length && all[i + 1].s === all[i].s) continue;
    points.push({ fpr: fp / unknown.length, tpr: tp / known.length, threshold: all[i].s });
  }
  return points;
}

/** Trapezoid area under a ROC curve. */
export function rocArea(points: RocPoint[]): number {
  let a = 0;
  for (let i = 1; i < points.length; i++) a += ((points[i].fpr - points[i - 1].fpr) * (points[i].tpr + points[i - 1].tpr)) / 2;
  return a;
}
