/**
 * Deterministic pseudo-random numbers for test weights: the same seed gives the same model bytes
 * on every machine (Math.random cannot be seeded).
 */

import { seededRandom } from '@visage/core/media';

/** seededRandom (mulberry32, core/random.ts) with a normal sampler, for test weights. */
export class SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** `n` normal samples with standard deviation `std` (Box-Muller). */
  normal(n: number, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u = 1 - this.next(); // (0, 1]: log(u) stays finite
      const r = Math.sqrt(-2 * Math.log(u)) * std;
      const a = 2 * Math.PI * this.next();
      out[i] = r * Math.cos(a);
      if (i + 1 < n) out[i + 1] = r * Math.sin(a);
    }
    return out;
  }
}
