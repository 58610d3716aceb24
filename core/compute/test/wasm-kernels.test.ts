import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleKernels } from '../cpu/wasm/build.ts';
import { KERNELS_WASM_BASE64 } from '../cpu/wasm/kernels-wasm.ts';
import { blockCopy, geluTanh, geluTanhGrad } from '../cpu/wasm/simd.ts';
import { binary, binaryJs, stridedCopy, stridedCopyJs, unaryBackwardJs, unaryJs } from '../cpu/kernels/elementwise.ts';
import { coalesce } from '../coalesce-dims.ts';
import { sgdUpdate, sgdUpdateJs } from '../cpu/kernels/optim.ts';
import { layerNorm, layerNormBackward, layerNormBackwardJs, layerNormJs, reduce, reduceJs, softmax, softmaxJs } from '../cpu/kernels/rows.ts';
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

  /** Relative closeness for sums of many terms (SIMD lanes sum in another order than the JS loop). */
  function expectNear(got: Float32Array, want: Float32Array | Float64Array, rel: number, what: string): void {
    let scale = 0;
    for (const w of want) scale = Math.max(scale, Math.abs(w));
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i] - want[i]) <= rel * scale)) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }

  // Row counts that leave a partial chunk (16384 / cols rows per chunk), widths of 4 and up.
  for (const [rows, cols] of [[1, 4], [7, 12], [45, 512], [817, 512], [3, 8192]]) {
    it(`layer norm forward and backward match the JS reference, [${rows}, ${cols}]`, () => {
      const n = rows * cols;
      const x = sample(n), gamma = sample(cols), beta = sample(cols), dy = sample(n);
      const want = new Float32Array(n), got = new Float32Array(n);
      const wantMean = new Float32Array(rows), wantRstd = new Float32Array(rows), mean = new Float32Array(rows), rstd = new Float32Array(rows);
      layerNormJs(x, gamma, beta, want, wantMean, wantRstd, rows, cols, 1e-5);
      layerNorm(x, gamma, beta, got, mean, rstd, rows, cols, 1e-5);
      expectNear(got, want, 1e-5, 'out');
      expectNear(mean, wantMean, 1e-5, 'mean');
      expectNear(rstd, wantRstd, 1e-5, 'rstd');
      for (const acc of [false, true]) {
        const start = sample(n), dg0 = sample(cols), db0 = sample(cols);
        const wantDx = Float32Array.from(start), dx = Float32Array.from(start);
        const wantDg = Float32Array.from(dg0), dg = Float32Array.from(dg0), wantDb = Float32Array.from(db0), db = Float32Array.from(db0);
        layerNormBackwardJs(x, gamma, wantMean, wantRstd, dy, wantDx, wantDg, wantDb, rows, cols, acc);
        layerNormBackward(x, gamma, wantMean, wantRstd, dy, dx, dg, db, rows, cols, acc);
        expectNear(dx, wantDx, 1e-5, 'dx');
        expectNear(dg, wantDg, 1e-5, 'dgamma');
        expectNear(db, wantDb, 1e-5, 'dbeta');
      }
    });
  }

  for (const [outer, axis, inner] of [[1, 816, 512], [2, 5, 4], [3, 33, 1028], [1, 2, 16384]]) {
    it(`column sums and means match the JS reference, [${outer}, ${axis}, ${inner}]`, () => {
      const x = sample(outer * axis * inner);
      for (const op of ['sum', 'mean'] as const) {
        for (const acc of [false, true]) {
          const start = sample(outer * inner);
          const want = Float32Array.from(start), got = Float32Array.from(start);
          reduceJs(op, x, want, { outer, axis, inner }, acc);
          reduce(op, x, got, { outer, axis, inner }, acc);
          expectNear(got, want, 1e-5, `${op}${acc ? ' (accumulate)' : ''}`);
        }
      }
    });
  }

  for (const n of [3, 16384, 40001]) {
    it(`SGD with momentum matches the JS reference over steps, n = ${n}`, () => {
      const p0 = sample(n), wantP = Float32Array.from(p0), p = Float32Array.from(p0);
      const wantBuf = new Float32Array(n), buf = new Float32Array(n);
      for (let step = 0; step < 3; step++) {
        const g = sample(n);
        const o = { lr: 0.1, momentum: 0.9, dampening: step === 2 ? 0.5 : 0, weightDecay: 1e-2, nesterov: false, firstStep: step === 0 };
        sgdUpdateJs(wantP, g, wantBuf, n, o);
        sgdUpdate(p, g, buf, n, o);
        // f32 arithmetic against the JS loop's f64: a few ulps of the largest term (|buf| <= 40).
        expectNear(buf, wantBuf, 1e-6, 'momentum');
        expectNear(p, wantP, 1e-6, 'param');
      }
    });
  }

  for (const [shape, bShape] of [[[5], [5]], [[40003], [40003]], [[817, 512], [512]], [[48, 17, 512], [17, 512]], [[3, 12], [12]]]) {
    it(`add of [${shape}] and [${bShape}] matches the JS loops, in place too`, () => {
      const n = shape.reduce((p, d) => p * d, 1), bn = bShape.reduce((p, d) => p * d, 1);
      const a = sample(n), b = sample(bn);
      const aStrides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
      const bStrides = aStrides.map((s, i) => (i < shape.length - bShape.length ? 0 : s));
      const want = new Float32Array(n), got = new Float32Array(n);
      binaryJs('add', a, b, want, [n], [1], [1], false);
      if (bn !== n) binaryJs('add', a, b, want, [n / bn, bn], [bn, 1], [0, 1], false);
      binary('add', a, b, got, { shape, aStrides, bStrides });
      expect([...got]).toEqual([...want]);
      binary('add', a, b, a, { shape, aStrides, bStrides });
      expect([...a]).toEqual([...want]);
    });
  }

  // Attention's layouts (qkv split into heads, heads merged, and their gradients scattered back),
  // gaps in the destination, broadcast sources, and layouts the block copy leaves to JS.
  const copies: Array<[string, number, number, { shape: number[]; srcStrides: number[]; dstStrides: number[]; srcOffset?: number; dstOffset?: number }]> = [
    ['split heads', 6 * 5 * 3 * 2 * 8, 6 * 2 * 5 * 8, { shape: [6, 2, 5, 8], srcStrides: [240, 8, 48, 1], srcOffset: 16, dstStrides: [80, 40, 8, 1] }],
    ['merge heads', 6 * 2 * 5 * 8, 6 * 2 * 5 * 8, { shape: [6, 5, 2, 8], srcStrides: [80, 8, 40, 1], dstStrides: [80, 16, 8, 1] }],
    ['scatter into a strided gradient', 6 * 2 * 5 * 8, 6 * 5 * 3 * 2 * 8, { shape: [6, 2, 5, 8], srcStrides: [80, 40, 8, 1], dstStrides: [240, 8, 48, 1], dstOffset: 8 }],
    ['broadcast rows', 12, 7 * 3 * 12, { shape: [7, 3, 12], srcStrides: [0, 0, 1], dstStrides: [36, 12, 1] }],
    ['odd rows (JS)', 5 * 7, 5 * 7, { shape: [5, 7], srcStrides: [1, 5], dstStrides: [7, 1] }],
    ['spans beyond the slots (JS)', 2 * 20000 * 4, 2 * 20000 * 4, { shape: [2, 20000, 4], srcStrides: [4, 8, 1], dstStrides: [80000, 4, 1] }],
  ];
  for (const [name, srcSize, dstSize, o] of copies) {
    it(`strided copy, ${name}: the same as the JS loops, written and accumulated`, () => {
      const x = sample(srcSize);
      const [shape, ss, ds] = coalesce(o.shape, o.srcStrides, o.dstStrides);
      for (const accumulate of [false, true]) {
        const start = sample(dstSize);
        const want = Float32Array.from(start), got = Float32Array.from(start);
        stridedCopyJs(x, want, shape, ss, ds, { ...o, accumulate });
        stridedCopy(x, got, { ...o, accumulate });
        expect([...got]).toEqual([...want]);
        // The WASM path itself, where the layout fits (the JS names say where it does not).
        const blocks = Float32Array.from(start);
        const used = blockCopy(x, blocks, shape, ss, ds, o.srcOffset ?? 0, o.dstOffset ?? 0, accumulate);
        expect(used).toBe(!name.endsWith('(JS)'));
        if (used) expect([...blocks]).toEqual([...want]);
      }
    });
  }

  // Attention's rows of 17, rows shorter than a vector, and rows longer than a chunk of rows.
  for (const [rows, cols] of [[6528, 17], [3, 1], [5, 4], [7, 5], [2, 16379]]) {
    it(`softmax of [${rows}, ${cols}] matches the JS reference, NaN and infinite rows included`, () => {
      const x = sample(rows * cols).map((v) => 3 * v);
      if (rows > 3) {
        x[cols] = NaN; // row 1
        x.fill(-Infinity, 2 * cols, 3 * cols); // row 2
        x[3 * cols] = Infinity; // row 3
      }
      const want = new Float32Array(rows * cols), got = new Float32Array(rows * cols);
      softmaxJs(x, want, rows, cols, false);
      softmax(x, got, rows, cols, false);
      expectClose(got, want);
    });
  }
});
