import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleKernels } from '../cpu/wasm/build.ts';
import { KERNELS_WASM_BASE64 } from '../cpu/wasm/kernels-wasm.ts';
import { geluTanh, geluTanhGrad } from '../cpu/wasm/simd.ts';
import { unaryBackwardJs, unaryJs } from '../cpu/kernels/elementwise.ts';
import { Rng } from '../rng.ts';

describe('WASM SIMD kernels', () => {
  it('kernels-wasm.ts is what kernels.wat assembles to (rerun build.ts after editing the .wat)', async () => {
    const bytes = await assembleKernels();
    expect(Buffer.from(KERNELS_WASM_BASE64, 'base64').equals(Buffer.from(bytes))).toBe(true);
    expect(readFileSync(new URL('../cpu/wasm/kernels.wat', import.meta.url), 'utf8')).toContain('f32x4');
  });

  /**
   * |got - want| within a few f32 ulps of the terms summed: |want|, what was accumulated into
   * (`added`), and for a gradient dy times the terms of GELU's derivative (at most 8 on these
   * inputs, they cancel near x = -0.75). Plus the JS reference's own absolute error (its
   * rational tanh: 2.2e-7, times |dy| for a gradient).
   */
  function expectClose(got: Float32Array, want: Float32Array, added: Float32Array | null = null, dy: Float32Array | null = null): void {
    for (let i = 0; i < want.length; i++) {
      const w = want[i], g = got[i];
      if (!Number.isFinite(w)) {
        expect(g, `element ${i}`).toBe(w);
        continue;
      }
      const d = dy ? Math.abs(dy[i]) : 0;
      const scale = Math.abs(w) + (added ? Math.abs(added[i]) : 0) + 8 * d;
      const tol = 4 * 2 ** -23 * scale + 2.5e-7 * Math.max(d, Math.abs(w) < 1 ? 1 : 0);
      if (!(Math.abs(g - w) <= tol)) expect.fail(`element ${i}: got ${g}, want ${w} (tolerance ${tol})`);
    }
  }

  // Lengths below one vector, not a multiple of 4, and across the 16384-element chunks.
  const lengths = [1, 3, 4, 7, 16383, 16384, 16385, 40001];
  const rng = new Rng(5);
  const sample = (n: number) => Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? rng.range(-30, 30) : rng.range(-4, 4)));

  for (const n of lengths) {
    it(`gelu_tanh forward and backward match the JS reference, n = ${n}, with and without accumulate`, () => {
      const x = sample(n), dy = sample(n), start = sample(n);
      for (const acc of [false, true]) {
        const want = Float32Array.from(start), got = Float32Array.from(start);
        unaryJs('gelu_tanh', x, want, n, acc);
        geluTanh(x, got, n, acc);
        expectClose(got, want, acc ? start : null);
        const wantDx = Float32Array.from(start), gotDx = Float32Array.from(start);
        unaryBackwardJs('gelu_tanh', x, want, dy, wantDx, n, acc);
        geluTanhGrad(x, dy, gotDx, n, acc);
        expectClose(gotDx, wantDx, acc ? start : null, dy);
      }
    });
  }

  it('gelu_tanh is accurate to f32 rounding over [-12, 12] and keeps its tails', () => {
    const n = 240001;
    const x = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    const ones = new Float32Array(n).fill(1);
    const want = new Float32Array(n), got = new Float32Array(n), wantDx = new Float32Array(n), gotDx = new Float32Array(n);
    unaryJs('gelu_tanh', x, want, n, false);
    geluTanh(x, got, n, false);
    unaryBackwardJs('gelu_tanh', x, want, ones, wantDx, n, false);
    geluTanhGrad(x, ones, gotDx, n, false);
    expectClose(got, want);
    expectClose(gotDx, wantDx, null, ones);
    // Far in the negative tail GELU is tiny but not zero: relative accuracy holds there too.
    const i = x.findIndex((v) => v >= -8);
    expect(got[i]).toBeLessThan(0);
    expect(Math.abs(got[i] - want[i]) / Math.abs(want[i])).toBeLessThan(1e-5);
  });

  it('NaN and infinities come out as the JS reference gives them', () => {
    const x = Float32Array.from([NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e13, -1e13, 0, -0, 100, -100]);
    const n = x.length;
    const dy = new Float32Array(n).fill(1);
    const want = new Float32Array(n), got = new Float32Array(n), wantDx = new Float32Array(n), gotDx = new Float32Array(n);
    unaryJs('gelu_tanh', x, want, n, false);
    geluTanh(x, got, n, false);
    unaryBackwardJs('gelu_tanh', x, want, dy, wantDx, n, false);
    geluTanhGrad(x, dy, gotDx, n, false);
    expect([...got]).toEqual([...want]);
    expectClose(gotDx, wantDx, null, dy);
    expect(Number.isNaN(gotDx[0]) && Number.isNaN(gotDx[1]) && Number.isNaN(gotDx[2])).toBe(true);
  });
});
