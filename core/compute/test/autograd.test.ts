import { describe, expect, it } from 'vitest';
import {
  add, binaryCrossEntropyWithLogits, crossEntropy, embedding, indices, matmul, mul, noGrad, reshape, sum, tensor, isGradEnabled,
} from '../index.ts';

describe('autograd engine', () => {
  it('noGrad records nothing and restores the mode, even after a throw', () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const y = noGrad(() => mul(x, x));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(mul(x, x).requiresGrad).toBe(true);
  });

  it('a leaf used on several paths gets the sum of their gradients', async () => {
    const x = tensor([3], [1], { requiresGrad: true });
    // f = x·x + 2x + x  -> f' = 2x + 3 = 9
    sum(add(add(mul(x, x), mul(x, 2)), x)).backward();
    expect((await x.grad!.data())[0]).toBeCloseTo(9, 6);
  });

  it('detach cuts the graph', async () => {
    const x = tensor([3], [1], { requiresGrad: true });
    const y = mul(x, x).detach();
    expect(y.requiresGrad).toBe(false);
    sum(mul(y, x)).backward(); // d/dx (9 x) = 9
    expect((await x.grad!.data())[0]).toBeCloseTo(9, 6);
  });

  it('reports bad input with codes', () => {
    const a = tensor([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
    expect(() => matmul(a, a)).toThrowError(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => add(a, tensor([1, 2], [2]))).toThrowError(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => reshape(a, [4, -1])).toThrowError(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => mul(a, 2).backward()).toThrowError(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => sum(tensor([1, 2])).backward()).toThrowError(expect.objectContaining({ code: 'NO_GRADIENT' }));
    expect(() => embedding(a, indices([0, 2]))).toThrowError(expect.objectContaining({ code: 'INVALID_COMPUTE_ARGUMENT' }));
    expect(() => crossEntropy(a, [0, 3])).toThrowError(expect.objectContaining({ code: 'INVALID_COMPUTE_ARGUMENT' }));
    expect(() => crossEntropy(a, [0, 1], { labelSmoothing: 1 })).toThrowError(expect.objectContaining({ code: 'INVALID_COMPUTE_ARGUMENT' }));
    expect(() => tensor([1, 2, 3], [2, 2])).toThrowError(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  });

  it('binary cross-entropy with logits equals the formula, also for large logits', async () => {
    const x = [50, -50, 0.3, -2], y = [1, 1, 0.25, 0];
    const got = await binaryCrossEntropyWithLogits(tensor(x, [4]), tensor(y, [4])).item();
    // -[y log σ(x) + (1-y) log(1-σ(x))], with log σ(x) = -log(1+e^-x) evaluated stably in f64
    const logSig = (v: number) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));
    const want = x.reduce((s, v, i) => s - (y[i] * logSig(v) + (1 - y[i]) * logSig(-v)), 0) / 4;
    expect(got).toBeCloseTo(want, 4);
  });

  it('cross-entropy with label smoothing equals the formula', async () => {
    const logits = [2, 0, -1, 0.5, 0.5, 3];
    const loss = await crossEntropy(tensor(logits, [2, 3]), [0, 2], { labelSmoothing: 0.3 }).item();
    let want = 0;
    for (const [r, y] of [[0, 0], [1, 2]]) {
      const row = logits.slice(r * 3, r * 3 + 3);
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      row.forEach((v, c) => (want -= ((c === y ? 0.7 : 0) + 0.1) * (v - lse)));
    }
    expect(loss).toBeCloseTo(want / 2, 5);
  });
});
