/** Input checks shared by the metric functions: they fail loudly instead of returning NaN. */
import { metricInputInvalid } from '../errors/messages.ts';

/** Throws unless every score is a finite number (NaN would silently break sorting). */
export function assertFiniteScores(metric: string, name: string, scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw metricInputInvalid(metric, `${name}[${i}] is ${scores[i]}, not a finite number`);
  }
}

/** Throws unless the array is non-empty. */
export function assertNonEmpty(metric: string, name: string, values: ArrayLike<unknown>): void {
  if (values.length === 0) throw metricInputInvalid(metric, `${name} is empty`);
}

/** Throws unless both arrays have the same length. */
export function assertSameLength(metric: string, a: string, av: ArrayLike<unknown>, b: string, bv: ArrayLike<unknown>): void {
  if (av.length !== bv.length) throw metricInputInvalid(metric, `${a} has ${av.length} entries but ${b} has ${bv.length}`);
}
