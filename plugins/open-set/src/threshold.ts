/** Choosing the unknown-rejection threshold on validation data (never on test). */
import { openSetConfigInvalid } from './errors.ts';

/**
 * The largest threshold θ such that at least `accept` of the known validation clips have score ≥ θ
 * (e.g. 0.95: 95% of known clips are accepted as known). Clips scoring below θ are flagged unknown.
 */
export function thresholdForAcceptance(knownScores: ArrayLike<number>, accept = 0.95): number {
  if (!(accept > 0 && accept <= 1)) throw openSetConfigInvalid('accept', `must be in (0, 1], got ${accept}`);
  if (knownScores.length === 0) throw openSetConfigInvalid('accept', 'no known validation clips to choose a threshold on');
  const sorted = Float64Array.from(knownScores).sort();
  // Rejecting the `reject` lowest scores; the epsilon keeps 0.95·100 from rounding to 4.999.
  const reject = Math.floor((1 - accept) * sorted.length + 1e-9);
  return sorted[reject];
}
