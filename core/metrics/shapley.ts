/**
 * Exact Shapley values (Shapley 1953) of n players from a value function over every subset:
 * phi_i = sum over S not containing i of |S|! (n-|S|-1)! / n! * (v(S + i) - v(S)).
 * Subsets are bitmasks (bit i = player i), so `value` has 2^n entries; ablation uses n <= 5 levels.
 */
import { metricInputInvalid } from '../errors/messages.ts';

export function shapleyValues(n: number, value: (mask: number) => number): number[] {
  if (!Number.isInteger(n) || n < 1 || n > 16) throw metricInputInvalid('shapleyValues', `players must be 1..16, got ${n}`);
  const v = Array.from({ length: 1 << n }, (_, m) => value(m));
  const fact = [1];
  for (let i = 1; i <= n; i++) fact[i] = fact[i - 1] * i;
  const phi = new Array<number>(n).fill(0);
  for (let mask = 0; mask < 1 << n; mask++) {
    const size = popcount(mask);
    const w = (fact[size] * fact[n - size - 1]) / fact[n];
    for (let i = 0; i < n; i++) if (!(mask & (1 << i))) phi[i] += w * (v[mask | (1 << i)] - v[mask]);
  }
  return phi;
}

function popcount(m: number): number {
  let c = 0;
  for (; m; m &= m - 1) c++;
  return c;
}
