/**
 * mulberry32: a tiny seeded 32-bit generator, uniform in [0, 1). Used wherever Visage needs
 * reproducible randomness outside the compute engine (frame sampling, test data, test weights);
 * the compute engine has its own xoshiro128** stream (core/compute/rng.ts). Not for cryptography.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
