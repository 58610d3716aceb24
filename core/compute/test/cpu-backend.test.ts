import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuBackend, hashUniform, mix32, type MatmulOptions } from '../index.ts';
import { erf, fastTanh, geluErf, geluTanh, geluTanhGrad } from '../cpu/math.ts';
import { Rng } from '../rng.ts';
import { poolAffinities } from '../cpu/ort-gemm.ts';

const rand = (n: number, rng: Rng) => Float32Array.from({ length: n }, () => rng.range(-1, 1));

/** f64 reference of C = alpha op(A) op(B) (+ C0). */
function reference(a: Float32Array, b: Float32Array, c0: Float32Array | null, o: Required<Omit<MatmulOptions, 'accumulate'>>): Float64Array {
  const { batch, m, k, n, transA, transB, aBroadcast, bBroadcast, alpha } = o;
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[(aBroadcast ? 0 : t * m * k) + (transA ? p * m + i : i * k + p)];
          const bv = b[(bBroadcast ? 0 : t * k * n) + (transB ? j * k + p : p * n + j)];
          s += av * bv;
        }
        out[t * m * n + i * n + j] = alpha * s + (c0 ? c0[t * m * n + i * n + j] : 0);
      }
    }
  }
  return out;
}

describe('cpu backend GEMM', () => {
  const be = new CpuBackend();
  const naive = new CpuBackend({ naiveGemm: true });
  const cases: Array<Required<Omit<MatmulOptions, 'accumulate'>>> = [];
  for (const transA of [false, true]) for (const transB of [false, true]) {
    for (const [aBroadcast, bBroadcast] of [[false, false], [false, true], [true, false]]) {
      // 3*40*48*40 = 230k multiply-adds: above the onnxruntime threshold.
      cases.push({ batch: 3, m: 40, k: 48, n: 40, transA, transB, aBroadcast, bBroadcast, alpha: 0.75 });
    }
    // Single matrices go through onnxruntime's 2-D Gemm node rather than FusedMatMul.
    cases.push({ batch: 1, m: 72, k: 48, n: 40, transA, transB, aBroadcast: false, bBroadcast: false, alpha: 0.75 });
  }
  for (const o of cases) {
    const name = `transA=${o.transA} transB=${o.transB} aBroadcast=${o.aBroadcast} bBroadcast=${o.bBroadcast}`;
    it(`onnxruntime and JS paths equal the f64 reference (${name}), with and without accumulate`, () => {
      const rng = new Rng(7);
      const a = rand((o.aBroadcast ? 1 : o.batch) * o.m * o.k, rng), b = rand((o.bBroadcast ? 1 : o.batch) * o.k * o.n, rng);
      const c0 = rand(o.batch * o.m * o.n, rng);
      for (const backend of [be, naive]) {
        for (const accumulate of [false, true]) {
          const out = backend.upload(c0);
          backend.matmul(backend.upload(a), backend.upload(b), out, { ...o, accumulate });
          const got = backend.readSync(out);
          const want = reference(a, b, accumulate ? c0 : null, o);
          let worst = 0;
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
          expect(worst).toBeLessThan(1e-4);
        }
      }
    });
  }
});

describe('cpu backend GEMM on the thread pool', () => {
  it('pins pool thread k to processor k + 1 (1-based), and only on a process that may use every processor', () => {
    expect(poolAffinities(2, 2, 2)).toBe('2');
    expect(poolAffinities(4, 8, 8)).toBe('2;3;4');
    expect(poolAffinities(1, 2, 2)).toBeUndefined(); // no pool thread
    expect(poolAffinities(2, 4, 2)).toBeUndefined(); // a taskset or cgroup subset: numbering unknown
    expect(poolAffinities(3, 2, 2)).toBeUndefined(); // more threads than processors
  });

  it('a GEMM above the pool threshold, on two pinned threads, equals the f64 reference', () => {
    // 256 x 256 x 160 = 10.5M multiply-adds: above PARALLEL_MIN_MACS, so the 2-thread session.
    const o = { batch: 1, m: 256, k: 256, n: 160, transA: false, transB: true, aBroadcast: false, bBroadcast: false, alpha: 1 };
    const rng = new Rng(3);
    const a = rand(o.m * o.k, rng), b = rand(o.k * o.n, rng);
    const two = new CpuBackend({ threads: 2 });
    const out = two.alloc(o.m * o.n);
    two.matmul(two.upload(a), two.upload(b), out, o);
    const got = two.readSync(out), want = reference(a, b, null, o);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-3);
    // The session's pool thread is pinned: one thread of this process may run on logical
    // processor 1 (0-based; onnxruntime's "2") alone.
    if (poolAffinities(2) && existsSync('/proc/self/task')) {
      const allowed = readdirSync('/proc/self/task').map((tid) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'))?.[1]);
      expect(allowed).toContain('1');
    }
    two.close();
  });
});

describe('cpu backend kernels', () => {
  const be = new CpuBackend();
  it('erf and both GELUs match reference values', () => {
    // erf(0.5), erf(1), erf(-2) from tables; GELU(1) exact = Φ(1); tanh form from its formula.
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 6);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 6);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 6);
    expect(geluErf(1)).toBeCloseTo(0.8413447460685429, 6);
    expect(geluTanh(1)).toBeCloseTo(0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715)), 6);
    expect(geluTanh(-3)).toBeCloseTo(-0.0036373920817729943, 6);
  });

  it('the rational tanh stays within 2.5e-7 of Math.tanh', () => {
    let worst = 0;
    for (let x = -12; x <= 12; x += 1e-3) worst = Math.max(worst, Math.abs(fastTanh(x) - Math.tanh(x)));
    expect(worst).toBeLessThan(2.5e-7);
  });

  it('GELU (tanh) and its derivative stay within 1e-7 of the Math.tanh formula, tails included', () => {
    const c = Math.sqrt(2 / Math.PI);
    let worst = 0, worstGrad = 0;
    for (let x = -12; x <= 12; x += 1e-3) {
      const u = c * (x + 0.044715 * x ** 3), th = Math.tanh(u);
      worst = Math.max(worst, Math.abs(geluTanh(x) - 0.5 * x * (1 + th)) / Math.max(1, Math.abs(x)));
      const grad = 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * c * (1 + 3 * 0.044715 * x * x);
      worstGrad = Math.max(worstGrad, Math.abs(geluTanhGrad(x) - grad));
    }
    expect(worst).toBeLessThan(1e-7);
    expect(worstGrad).toBeLessThan(1e-7);
  });

  it('softmax and log-softmax are stable for large logits', () => {
    const x = be.upload(new Float32Array([1000, 1001, 1002, -5, -5, -5]));
    const y = be.alloc(6), ly = be.alloc(6);
    be.softmax(x, y, 2, 3, false);
    be.softmax(x, ly, 2, 3, true);
    const e = [Math.exp(-2), Math.exp(-1), 1], s = e[0] + e[1] + e[2];
    const got = be.readSync(y), lgot = be.readSync(ly);
    for (let i = 0; i < 3; i++) {
      expect(got[i]).toBeCloseTo(e[i] / s, 6);
      expect(lgot[i]).toBeCloseTo(Math.log(e[i] / s), 5);
      expect(got[3 + i]).toBeCloseTo(1 / 3, 6);
    }
  });

  it('layer norm gives zero mean and unit variance rows', () => {
    const rng = new Rng(2);
    const x = be.upload(Float32Array.from({ length: 40 }, () => rng.range(-3, 5)));
    const out = be.alloc(40), mean = be.alloc(4), rstd = be.alloc(4);
    be.layerNorm(x, null, null, out, mean, rstd, 4, 10, 0);
    const y = be.readSync(out);
    for (let r = 0; r < 4; r++) {
      const row = [...y.subarray(r * 10, r * 10 + 10)];
      const mu = row.reduce((a, b) => a + b) / 10;
      const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / 10;
      expect(mu).toBeCloseTo(0, 5);
      expect(v).toBeCloseTo(1, 4);
    }
  });

  it('binary broadcasting follows the given strides', () => {
    const a = be.upload(new Float32Array([1, 2, 3, 4, 5, 6]));
    const b = be.upload(new Float32Array([10, 20]));
    const out = be.alloc(6);
    // a as [3, 2] plus b broadcast along rows: [2] -> strides [0, 1]
    be.binary('add', a, b, out, { shape: [3, 2], aStrides: [2, 1], bStrides: [0, 1] });
    expect([...be.readSync(out)]).toEqual([11, 22, 13, 24, 15, 26]);
    // b as a column [2, 1] against a as [2, 3]
    be.binary('mul', a, b, out, { shape: [2, 3], aStrides: [3, 1], bStrides: [1, 0] });
    expect([...be.readSync(out)]).toEqual([10, 20, 30, 80, 100, 120]);
  });

  it('strided copy transposes and accumulates', () => {
    const x = be.upload(new Float32Array([1, 2, 3, 4, 5, 6]));
    const out = be.alloc(6);
    be.copy(x, out, { shape: [3, 2], srcStrides: [1, 3], dstStrides: [2, 1] });
    expect([...be.readSync(out)]).toEqual([1, 4, 2, 5, 3, 6]);
    be.copy(x, out, { shape: [6], srcStrides: [1], dstStrides: [1], accumulate: true });
    expect([...be.readSync(out)]).toEqual([2, 6, 5, 9, 8, 12]);
  });

  it('hashUniform is a fixed function of (seed, counter) in [0, 1)', () => {
    // lowbias32 maps 0 to 0 (xor-shift and multiply fix zero).
    expect(mix32(0)).toBe(0);
    const draws = Array.from({ length: 20000 }, (_, i) => hashUniform(42, i));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((a, b) => a + b) / draws.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    expect(hashUniform(42, 5)).not.toBe(hashUniform(43, 5));
  });

  it('dropout mask keeps about 1-p of the elements, scaled by 1/(1-p)', () => {
    const out = be.alloc(10000);
    be.dropoutMask(out, 10000, 0.25, 9);
    const m = be.readSync(out);
    const kept = m.filter((v) => v !== 0);
    expect(kept.length / 10000).toBeGreaterThan(0.73);
    expect(kept.length / 10000).toBeLessThan(0.77);
    expect(kept.every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
  });

  it('rejects buffers of another backend', () => {
    const foreign = { size: 4, dtype: 'f32' as const, backend: 'webgpu' };
    expect(() => be.fill(foreign, 1)).toThrowError(/webgpu buffer/);
  });
});

describe('cpu backend deferred zeros', () => {
  // Arrays of 4096 elements or more are pooled on dispose and handed out again stale.
  const N = 4096;
  const garbage = () => Float32Array.from({ length: N }, (_, i) => 1 + i);

  it('a buffer taken back from the pool reads as zeros, and a partial write keeps the rest zero', () => {
    const be = new CpuBackend();
    const old = be.upload(garbage());
    be.dispose(old);
    const fresh = be.alloc(N);
    expect(be.readSync(fresh).every((v) => v === 0)).toBe(true);
    be.dispose(fresh);
    be.dispose(be.upload(garbage()));
    const again = be.alloc(N);
    be.unary('neg', be.upload(new Float32Array(10).fill(2)), again, 10);
    const got = be.readSync(again);
    expect([...got.subarray(0, 10)]).toEqual(new Array(10).fill(-2));
    expect(got.subarray(10).every((v) => v === 0)).toBe(true);
  });

  it('accumulating into a zeroed or pooled buffer gives the plain result (GEMM, elementwise, layer norm backward)', () => {
    const be = new CpuBackend();
    const rng = new Rng(3);
    const m = 64, k = 64, n = 64;
    const a = be.upload(rand(m * k, rng)), b = be.upload(rand(k * n, rng));
    const plain = be.alloc(m * n);
    be.matmul(a, b, plain, { batch: 1, m, k, n });
    const zeroed = be.upload(garbage());
    be.fill(zeroed, 0);
    be.matmul(a, b, zeroed, { batch: 1, m, k, n, accumulate: true });
    expect([...be.readSync(zeroed)]).toEqual([...be.readSync(plain)]);
    // Once written, it accumulates again.
    be.matmul(a, b, zeroed, { batch: 1, m, k, n, accumulate: true });
    const twice = be.readSync(zeroed), once = be.readSync(plain);
    for (let i = 0; i < N; i += 97) expect(twice[i]).toBeCloseTo(2 * once[i], 4);

    be.dispose(be.upload(garbage()));
    const pooled = be.alloc(N);
    be.affine(a, pooled, N, 2, 1, true);
    const av = be.readSync(a), pv = be.readSync(pooled);
    for (let i = 0; i < N; i += 97) expect(pv[i]).toBeCloseTo(2 * av[i] + 1, 5);
  });

  it('strided copies accumulating into a pooled buffer: the first writes its region, the rest stays zero, the next adds', () => {
    const be = new CpuBackend();
    be.dispose(be.upload(garbage()));
    const g = be.alloc(N);
    const src = be.upload(Float32Array.from({ length: 8 }, (_, i) => i + 1));
    // Rows of 4 at offsets 0 and 64, twice into the same region.
    const opts = { shape: [2, 4], srcStrides: [4, 1], dstStrides: [64, 1], accumulate: true };
    be.copy(src, g, opts);
    be.copy(src, g, { ...opts, dstOffset: 1 });
    const got = be.readSync(g);
    expect([...got.subarray(0, 6)]).toEqual([1, 3, 5, 7, 4, 0]);
    expect([...got.subarray(64, 70)]).toEqual([5, 11, 13, 15, 8, 0]);
    expect([...got].reduce((s, v) => s + v, 0)).toBe(2 * 36);
  });

  it('an op reading and writing the same zeroed buffer sees zeros', () => {
    const be = new CpuBackend();
    const x = be.upload(garbage());
    be.fill(x, 0);
    be.unary('exp', x, x, N);
    expect(be.readSync(x).every((v) => v === 1)).toBe(true);
  });
});
