/**
 * Shared by the webgpu tests: start a backend or explain why not (skip locally, fail in CI),
 * seeded data, and the parity check against the cpu backend.
 */
import { expect } from 'vitest';
import { createWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from '../webgpu-backend.ts';

export const inCI = process.env.CI === 'true';

/**
 * A started backend, or the reason there is none. Without an adapter the tests fail in CI and
 * are skipped (with the reason printed) elsewhere.
 */
export async function startOrExplain(options: WebGpuBackendOptions = {}): Promise<{ gpu: WebGpuBackend | null; reason: string }> {
  try {
    return { gpu: await createWebGpuBackend(options), reason: '' };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (inCI) throw e;
    console.warn(`webgpu tests skipped: ${reason}`);
    return { gpu: null, reason };
  }
}

/** Deterministic values in [lo, hi) (mulberry32). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/**
 * webgpu equals cpu within `rel` relative error, element by element: |g - c| <= rel * max(|c|, floor),
 * where floor = 1e-3 * max|c| keeps entries that cancel to near zero (a sum of +-1 terms) from
 * demanding more than f32 can give. NaN/Inf must match exactly.
 */
export function expectParity(got: ArrayLike<number>, want: ArrayLike<number>, rel = 1e-4, what = ''): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) maxAbs = Math.max(maxAbs, Math.abs(want[i]));
  const floor = 1e-3 * maxAbs;
  let worst = 0, worstAt = -1;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], c = want[i];
    if (!Number.isFinite(c) || !Number.isFinite(g)) {
      expect(Object.is(g, c) || (Number.isNaN(g) && Number.isNaN(c)), `${what}[${i}]: ${g} vs ${c}`).toBe(true);
      continue;
    }
    const err = Math.abs(g - c) / Math.max(Math.abs(c), floor, 1e-30);
    if (err > worst) { worst = err; worstAt = i; }
  }
  expect(worst, `${what}: worst relative error at [${worstAt}]: ${got[worstAt]} vs ${want[worstAt]}`).toBeLessThanOrEqual(rel);
}
