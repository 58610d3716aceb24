/**
 * Agreement between two raters (two variants' labels on the same clips): the observed agreement
 * p_o and Cohen's kappa (Cohen 1960), kappa = (p_o - p_e) / (1 - p_e), where p_e is the agreement
 * expected from the two label marginals. Matches sklearn's `cohen_kappa_score` (unweighted), except
 * when p_e = 1 (both raters always give one and the same label), where sklearn yields NaN and this
 * returns 1 (the raters agree on every clip).
 */
import { metricInputInvalid } from '../errors/messages.ts';

export function agreement(a: ArrayLike<string>, b: ArrayLike<string>): number {
  check(a, b);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

export function cohenKappa(a: ArrayLike<string>, b: ArrayLike<string>): number {
  check(a, b);
  const n = a.length;
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    countA.set(a[i], (countA.get(a[i]) ?? 0) + 1);
    countB.set(b[i], (countB.get(b[i]) ?? 0) + 1);
  }
  let pe = 0;
  for (const [label, na] of countA) pe += (na / n) * ((countB.get(label) ?? 0) / n);
  const po = agreement(a, b);
  if (pe >= 1 - 1e-12) return po === 1 ? 1 : 0;
  return (po - pe) / (1 - pe);
}

function check(a: ArrayLike<string>, b: ArrayLike<string>): void {
  if (a.length !== b.length) throw metricInputInvalid('cohenKappa', `rater A has ${a.length} labels, rater B ${b.length}`);
  if (a.length === 0) throw metricInputInvalid('cohenKappa', 'no labels');
}
