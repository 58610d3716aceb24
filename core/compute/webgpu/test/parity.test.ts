/**
 * Every kernel of the webgpu backend against the cpu backend (the reference), within 1e-4
 * relative error (test-support.ts defines it), on the same seeded inputs. Both kernel layouts
 * run here: the CPU-adapter one (register GEMM, one thread per row) and the GPU one (tiled
 * GEMM with workgroup memory, 64 lanes per row), so the GPU kernels are verified on the
 * software driver too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contiguousStrides, hashUniform, type Backend, type DeviceBuffer, type UnaryOp } from '../../backend.ts';
import { CpuBackend } from '../../cpu/cpu-backend.ts';
import { expectParity, inCI, seeded, startOrExplain } from './test-support.ts';

const layouts = [
  { gemm: 'register', rowLanes: 1 },
  { gemm: 'tiled', rowLanes: 64 },
] as const;
const started = await Promise.all(layouts.map((l) => startOrExplain(l)));
const cpu = new CpuBackend({ threads: 1 });

afterAll(async () => {
  await Promise.all(started.map((s) => s.gpu?.close()));
  cpu.close();
});

it('has a WebGPU adapter (required in CI)', () => {
  if (inCI) expect(started.every((s) => s.gpu !== null)).toBe(true);
  else if (!started[0].gpu) console.warn(`no adapter: ${started[0].reason}`);
});

type Build = (be: Backend) => DeviceBuffer | DeviceBuffer[];

layouts.forEach((layout, li) => {
  const gpu = started[li].gpu;
  describe.skipIf(!gpu)(`webgpu (${layout.gemm} GEMM, ${layout.rowLanes} lane(s) per row) equals cpu`, () => {
    /** Runs the same construction on both backends and compares every returned buffer. */
    async function same(what: string, build: Build, rel = 1e-4): Promise<void> {
      const want = [build(cpu)].flat();
      const got = [build(gpu!)].flat();
      for (let i = 0; i < want.length; i++) {
        expectParity(await gpu!.read(got[i]), await cpu.read(want[i]), rel, `${what} #${i}`);
      }
    }
    const up = (be: Backend, n: number, seed: number, lo = -1, hi = 1) => be.upload(seeded(n, seed, lo, hi));

    it('matmul: every transpose/broadcast/alpha/accumulate combination, odd and aligned sizes', async () => {
      // Edges of the 4x4 register blocks and 64x64 tiles, k below/above one 16-deep K-step, k = 1.
      const sizes = [[1, 5, 7, 3], [2, 33, 20, 36], [2, 64, 32, 64], [1, 70, 37, 66], [2, 4, 1, 8], [1, 17, 96, 12]];
      let seed = 1;
      for (const [batch, m, k, n] of sizes) {
        for (const transA of [false, true]) for (const transB of [false, true]) {
          for (const [aBroadcast, bBroadcast, alpha, accumulate] of [[false, false, 1, false], [false, true, 0.5, true], [true, false, -2, false]] as const) {
            seed++;
            await same(`matmul b${batch} ${m}x${k}x${n} tA=${transA} tB=${transB} bcA=${aBroadcast} bcB=${bBroadcast} acc=${accumulate}`, (be) => {
              const a = up(be, (aBroadcast ? 1 : batch) * m * k, seed);
              const b = up(be, (bBroadcast ? 1 : batch) * k * n, seed + 1000);
              const out = up(be, batch * m * n, seed + 2000);
              be.matmul(a, b, out, { batch, m, k, n, transA, transB, aBroadcast, bBroadcast, alpha, accumulate });
              return out;
            });
          }
        }
      }
    });

    it('matmul with A and B the same buffer (x @ x^T)', async () => {
      await same('gram', (be) => {
        const x = up(be, 12 * 8, 7);
        const out = be.alloc(12 * 12);
        be.matmul(x, x, out, { batch: 1, m: 12, k: 8, n: 12, transB: true });
        return out;
      });
    });

    const unaryOps: UnaryOp[] = ['copy', 'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'square', 'abs', 'tanh', 'relu', 'sigmoid', 'gelu_tanh', 'gelu_erf'];
    it.each(unaryOps)('unary %s: forward, backward, accumulate', async (op) => {
      const positive = op === 'log' || op === 'sqrt' || op === 'rsqrt';
      const [lo, hi] = positive ? [0.05, 4] : [-6, 6];
      await same(op, (be) => {
        const n = 1000;
        const x = up(be, n, 11, lo, hi);
        const y = be.alloc(n);
        be.unary(op, x, y, n);
        const acc = up(be, n, 12);
        be.unary(op, x, acc, n, true);
        const dy = up(be, n, 13);
        const dx = be.alloc(n);
        be.unaryBackward(op, x, y, dy, dx, n);
        const dxAcc = up(be, n, 14);
        be.unaryBackward(op, x, y, dy, dxAcc, n, true);
        return [y, acc, dx, dxAcc];
      });
    });

    it('unary in place (x and out the same buffer) and affine', async () => {
      await same('in place', (be) => {
        const x = up(be, 300, 21);
        be.unary('tanh', x, x, 300);
        const out = up(be, 300, 22);
        be.affine(x, out, 300, 1.5, -0.25);
        be.affine(x, out, 300, -2, 0.5, true);
        return [x, out];
      });
    });

    it('binary ops with broadcasting, strided operands and accumulate', async () => {
      const cases = [
        { shape: [2, 3, 4], a: [12, 4, 1], b: [0, 1, 0], na: 24, nb: 3 },
        { shape: [4, 5], a: [1, 0], b: [0, 1], na: 4, nb: 5 },
        { shape: [3, 4], a: [1, 3], b: [4, 1], na: 12, nb: 12 }, // a read transposed
        { shape: [2, 1, 3, 2, 2], a: [12, 0, 4, 2, 1], b: [0, 0, 1, 0, 3], na: 24, nb: 6 },
        { shape: [], a: [], b: [], na: 1, nb: 1 },
      ];
      for (const op of ['add', 'sub', 'mul', 'div', 'max', 'min'] as const) {
        for (const [ci, c] of cases.entries()) {
          for (const accumulate of [false, true]) {
            await same(`${op} case ${ci} acc=${accumulate}`, (be) => {
              const a = up(be, c.na, 31 + ci);
              const b = up(be, c.nb, 41 + ci, 0.5, 2); // away from 0 for div
              const out = up(be, c.shape.reduce((s, d) => s * d, 1), 51);
              be.binary(op, a, b, out, { shape: c.shape, aStrides: c.a, bStrides: c.b, accumulate });
              return out;
            });
          }
        }
      }
      await same('x * x', (be) => {
        const x = up(be, 64, 61);
        const out = be.alloc(64);
        be.binary('mul', x, x, out, { shape: [64], aStrides: [1], bStrides: [1] });
        return out;
      });
    });

    it('reductions over the last and a middle axis, and the max backward', async () => {
      for (const [outer, axis, inner] of [[7, 33, 1], [3, 200, 1], [4, 9, 5], [1, 17, 64], [6, 1, 3]]) {
        for (const op of ['sum', 'mean', 'max'] as const) {
          await same(`${op} ${outer}x${axis}x${inner}`, (be) => {
            const x = up(be, outer * axis * inner, 71);
            const out = be.alloc(outer * inner);
            be.reduce(op, x, out, { outer, axis, inner });
            const acc = up(be, outer * inner, 72);
            be.reduce(op, x, acc, { outer, axis, inner }, true);
            return [out, acc];
          });
        }
        await same(`max backward ${outer}x${axis}x${inner}`, (be) => {
          const x = up(be, outer * axis * inner, 73);
          const dy = up(be, outer * inner, 74);
          const dx = up(be, outer * axis * inner, 75);
          be.reduceMaxBackward(x, dy, dx, { outer, axis, inner });
          const dxAcc = up(be, outer * axis * inner, 76);
          be.reduceMaxBackward(x, dy, dxAcc, { outer, axis, inner }, true);
          return [dx, dxAcc];
        });
      }
    });

    it('softmax and log-softmax, forward and backward', async () => {
      for (const [rows, cols] of [[5, 7], [17, 17], [3, 300], [40, 1]]) {
        for (const log of [false, true]) {
          await same(`softmax ${rows}x${cols} log=${log}`, (be) => {
            const x = up(be, rows * cols, 81, -8, 8);
            const y = be.alloc(rows * cols);
            be.softmax(x, y, rows, cols, log);
            const dy = up(be, rows * cols, 82);
            const dx = be.alloc(rows * cols);
            be.softmaxBackward(y, dy, dx, rows, cols, log);
            const dxAcc = up(be, rows * cols, 83);
            be.softmaxBackward(y, dy, dxAcc, rows, cols, log, true);
            return [y, dx, dxAcc];
          });
        }
      }
    });

    it('layer norm forward and backward, with and without gamma/beta', async () => {
      for (const [rows, cols] of [[6, 32], [17, 100], [2, 513]]) {
        for (const affine of [true, false]) {
          await same(`layernorm ${rows}x${cols} affine=${affine}`, (be) => {
            const x = up(be, rows * cols, 91, -3, 5);
            const gamma = affine ? up(be, cols, 92, 0.5, 1.5) : null;
            const beta = affine ? up(be, cols, 93) : null;
            const out = be.alloc(rows * cols), mean = be.alloc(rows), rstd = be.alloc(rows);
            be.layerNorm(x, gamma, beta, out, mean, rstd, rows, cols, 1e-5);
            const dy = up(be, rows * cols, 94);
            const dx = be.alloc(rows * cols);
            const dgamma = affine ? up(be, cols, 95) : null;
            const dbeta = affine ? up(be, cols, 96) : null;
            be.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
            const dxAcc = up(be, rows * cols, 97);
            be.layerNormBackward(x, gamma, mean, rstd, dy, dxAcc, null, null, rows, cols, true);
            return [out, mean, rstd, dx, dxAcc, ...(dgamma && dbeta ? [dgamma, dbeta] : [])];
          });
        }
      }
    });

    it('gather and scatter-add with repeated indices', async () => {
      await same('gather/scatter', (be) => {
        const table = up(be, 10 * 6, 101);
        const idx = be.upload(Int32Array.from([3, 0, 9, 3, 3, 7, 0]));
        const out = be.alloc(7 * 6);
        be.gather(table, idx, out, 7, 6);
        const grad = up(be, 10 * 6, 102);
        be.scatterAdd(out, idx, grad, 7, 6);
        return [out, grad];
      });
      const idx = gpu!.upload(Int32Array.from([4, -0, 2]));
      expect(Array.from(await gpu!.read(idx))).toEqual([4, 0, 2]);
    });

    it('strided copy: transpose, slice with offsets, accumulate', async () => {
      await same('copy', (be) => {
        const x = up(be, 4 * 6, 111);
        const t = be.alloc(24);
        be.copy(x, t, { shape: [4, 6], srcStrides: [6, 1], dstStrides: [1, 4] });
        const slice = up(be, 30, 112);
        be.copy(x, slice, { shape: [2, 3], srcStrides: [6, 1], srcOffset: 7, dstStrides: contiguousStrides([2, 3]), dstOffset: 5 });
        be.copy(x, slice, { shape: [2, 2, 3], srcStrides: [12, 6, 1], dstStrides: [6, 3, 1], dstOffset: 12, accumulate: true });
        return [t, slice];
      });
    });

    it('fill, and dropout masks bit-identical to hashUniform', async () => {
      await same('fill', (be) => {
        const out = up(be, 50, 121);
        be.fill(out, 2.5, 30);
        return out;
      });
      const n = 5000, p = 0.3, seed = 0xdeadbeef, offset = 4242;
      const mask = gpu!.alloc(n);
      gpu!.dropoutMask(mask, n, p, seed, offset);
      const got = await gpu!.read(mask);
      const keep = Math.fround(1 / (1 - p));
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const want = hashUniform(seed, offset + i) >= p ? keep : 0;
        if (got[i] !== want) expect.fail(`mask[${i}] = ${got[i]}, want ${want}`);
        if (want) kept++;
      }
      expect(kept / n).toBeGreaterThan(0.65);
      expect(kept / n).toBeLessThan(0.75);
    });

    it('sgd (momentum, nesterov, weight decay) and adamw updates over several steps', async () => {
      for (const nesterov of [false, true]) {
        await same(`sgd nesterov=${nesterov}`, (be) => {
          const n = 257;
          const param = up(be, n, 131), grad = up(be, n, 132), buf = be.alloc(n);
          for (let step = 0; step < 3; step++) {
            be.sgdUpdate(param, grad, buf, n, { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov, firstStep: step === 0 });
          }
          const plain = up(be, n, 133);
          be.sgdUpdate(plain, grad, null, n, { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: true });
          return [param, buf, plain];
        });
      }
      await same('adamw', (be) => {
        const n = 300;
        const param = up(be, n, 141), grad = up(be, n, 142), m = be.alloc(n), v = be.alloc(n);
        for (let step = 1; step <= 3; step++) {
          be.adamwUpdate(param, grad, m, v, n, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step });
        }
        return [param, m, v];
      });
    });

    it('rejects foreign and disposed buffers with coded errors', async () => {
      const foreign = cpu.alloc(4);
      const mine = gpu!.alloc(4);
      expect(() => gpu!.fill(foreign, 1)).toThrow(expect.objectContaining({ code: 'BACKEND_MISMATCH' }));
      gpu!.dispose(mine);
      gpu!.dispose(mine);
      expect(() => gpu!.fill(mine, 1)).toThrow(expect.objectContaining({ code: 'INVALID_COMPUTE_ARGUMENT' }));
      await gpu!.flush();
    });
  });
});
