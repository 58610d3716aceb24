/**
 * Exact McNemar test of two classifiers' accuracy on the same clips (McNemar 1947; the exact form
 * is a two-sided binomial test on the discordant pairs, as statsmodels' `mcnemar(exact=True)`):
 * b = clips only A got right, c = clips only B got right, n = b + c, and under H0 each discordant
 * clip goes either way with probability 1/2:  p = min(1, 2 * sum_{k <= min(b,c)} C(n,k) / 2^n).
 */
import { metricInputInvalid } from '../errors/messages.ts';

export interface McNemarResult {
  /** A right, B wrong. */
  b: number;
  /** A wrong, B right. */
  c: number;
  pValue: number;
}

export function mcnemarExact(correctA: ArrayLike<boolean>, correctB: ArrayLike<boolean>): McNemarResult {
  if (correctA.length !== correctB.length) throw metricInputInvalid('mcnemarExact', `A has ${correctA.length} clips, B has ${correctB.length}`);
  let b = 0;
  let c = 0;
  for (let i = 0; i < correctA.length; i++) {
    if (correctA[i] && !correctB[i]) b++;
    else if (!correctA[i] && correctB[i]) c++;
  }
  return { b, c, pValue: mcnemarExactP(b, c) };
}

/** The two-sided exact p-value from the discordant counts. */
export function mcnemarExactP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // Sum the binomial pmf in log space: C(n, i) / 2^n underflows for n in the thousands.
  let logC = 0; // log C(n, 0)
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}
