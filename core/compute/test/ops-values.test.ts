// Forward values and argument checks of every op (ops-grad.test.ts checks their gradients).
import { describe, expect, it } from 'vitest';
import {
  abs, add, affine, binaryCrossEntropyWithLogits, concat, cosineSimilarityMatrix, crossEntropy, div, dropout, embedding, exp, gatherStrided,
  gelu, indices, l2Normalize, layerNorm, log, logSoftmax, matmul, max, mean, mul, neg, relu, reshape, scaledDotProductAttention, sigmoid,
  slice, softmax, sqrt, square, sub, sum, tanh, tensor, transpose, type Tensor,
} from '../index.ts';
import { broadcastShapes, broadcastStrides } from '../ops/broadcast.ts';
import { normalizeAxes } from '../ops/reduce.ts';
import { thrown } from '../../testing.ts';

const values = async (t: Tensor) => Array.from(await t.data());
const close = async (t: Tensor, want: number[], digits = 5) => {
  const got = await values(t);
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
};

const refusal = (f: () => unknown, code: string): string => thrown(f, { code }).message;
const shapeError = (f: () => unknown) => refusal(f, 'SHAPE_MISMATCH');
const argError = (f: () => unknown) => refusal(f, 'INVALID_COMPUTE_ARGUMENT');

// Tensors are made inside each test (by these functions): code run while collecting tests is not
// attributed to any test, so a mutant breaking it would go unnoticed.
const a23 = () => tensor([1, 2, 3, 4, 5, 6], [2, 3]);

describe('elementwise', () => {
  const a = a23;
  const row = () => tensor([10, 20, 30], [3]);
  const col = () => tensor([2, 4], [2, 1]);

  it('add, sub, mul, div broadcast a row and a column', async () => {
    expect(await values(add(a(), row()))).toEqual([11, 22, 33, 14, 25, 36]);
    expect(await values(sub(a(), row()))).toEqual([-9, -18, -27, -6, -15, -24]);
    expect(await values(sub(row(), a()))).toEqual([9, 18, 27, 6, 15, 24]);
    expect(await values(mul(a(), col()))).toEqual([2, 4, 6, 16, 20, 24]);
    expect(await values(div(a(), col()))).toEqual([0.5, 1, 1.5, 1, 1.25, 1.5]);
    expect(add(col(), row()).shape).toEqual([2, 3]);
    expect(await values(add(col(), row()))).toEqual([12, 22, 32, 14, 24, 34]);
  });

  it('with a number, through affine', async () => {
    expect(await values(add(a(), 1))).toEqual([2, 3, 4, 5, 6, 7]);
    expect(await values(sub(a(), 1))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await values(mul(a(), 2))).toEqual([2, 4, 6, 8, 10, 12]);
    expect(await values(div(a(), 2))).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    expect(await values(affine(a(), -2, 0.5))).toEqual([-1.5, -3.5, -5.5, -7.5, -9.5, -11.5]);
  });

  it('unary functions', async () => {
    const x = tensor([-2, -0.5, 0.5, 2]);
    expect(await values(neg(x))).toEqual([2, 0.5, -0.5, -2]);
    expect(await values(abs(x))).toEqual([2, 0.5, 0.5, 2]);
    expect(await values(relu(x))).toEqual([0, 0, 0.5, 2]);
    expect(await values(square(x))).toEqual([4, 0.25, 0.25, 4]);
    await close(exp(x), [-2, -0.5, 0.5, 2].map(Math.exp));
    await close(tanh(x), [-2, -0.5, 0.5, 2].map(Math.tanh));
    await close(sigmoid(x), [-2, -0.5, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v))));
    await close(log(tensor([1, Math.E, 4])), [0, 1, Math.log(4)]);
    await close(sqrt(tensor([1, 4, 2])), [1, 2, Math.SQRT2]);
    // GELU: 0.5x(1 + erf(x/√2)) exactly, or with the tanh approximation (they differ by ~1e-3).
    await close(gelu(tensor([1]), 'erf'), [0.8413447], 5);
    await close(gelu(tensor([1]), 'tanh'), [0.8411920], 5);
    await close(gelu(tensor([1])), [0.8411920], 5);
  });
});

describe('broadcasting', () => {
  it('aligns on the right and stretches dims of 1', () => {
    expect(broadcastShapes('op', [2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShapes('op', [3], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes('op', [], [2])).toEqual([2]);
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([2, 3], [2, 3])).toEqual([3, 1]);
    expect(broadcastStrides([1, 1], [1, 5])).toEqual([1, 0]);
  });

  it('refuses shapes that do not broadcast', () => {
    expect(shapeError(() => broadcastShapes('add', [2, 3], [4, 3]))).toBe('add: cannot broadcast [2,3] with [4,3]');
    expect(shapeError(() => add(tensor([1, 2]), tensor([1, 2, 3])))).toBe('add: cannot broadcast [2] with [3]');
  });
});

describe('reductions', () => {
  const x = () => tensor([1, 5, 2, 8, 3, 4], [2, 3]);

  it('sum, mean and max over axes, all axes by default', async () => {
    expect(await values(sum(x()))).toEqual([23]);
    expect(sum(x()).shape).toEqual([]);
    expect(await values(sum(x(), 0))).toEqual([9, 8, 6]);
    expect(await values(sum(x(), -1))).toEqual([8, 15]);
    await close(mean(x(), 1), [8 / 3, 5]);
    expect(await values(max(x(), 1))).toEqual([5, 8]);
    expect(await values(max(x(), 0))).toEqual([8, 5, 4]);
    expect(await values(max(x()))).toEqual([8]);
    await close(mean(x(), [0, 1]), [23 / 6]);
  });

  it('keepDims keeps reduced axes as 1', () => {
    expect(sum(x(), 1, { keepDims: true }).shape).toEqual([2, 1]);
    expect(sum(x(), [0, 1], { keepDims: true }).shape).toEqual([1, 1]);
    expect(sum(x(), 0).shape).toEqual([3]);
    expect(mean(tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), [0, 2]).shape).toEqual([2]);
  });

  it('an empty axis list is the identity', () => {
    const t = x();
    expect(sum(t, [])).toBe(t);
  });

  it('axes are normalised, deduplicated and sorted; out-of-range axes are refused', () => {
    expect(normalizeAxes('sum', 3, undefined)).toEqual([0, 1, 2]);
    expect(normalizeAxes('sum', 3, [-1, 0, 2])).toEqual([0, 2]);
    expect(normalizeAxes('sum', 3, -3)).toEqual([0]);
    expect(shapeError(() => normalizeAxes('sum', 2, 2))).toBe('sum: axis 2 out of range for rank 2');
    expect(shapeError(() => normalizeAxes('max', 2, -3))).toBe('max: axis -1 out of range for rank 2');
  });

  it('mean gradient is spread evenly, max gradient goes to the first maximum', async () => {
    const m = tensor([1, 3, 3, 2], [2, 2], { requiresGrad: true });
    sum(max(m, 1)).backward();
    expect(await values(m.grad!)).toEqual([0, 1, 1, 0]);
    const t = tensor([4, 4, 1], [3], { requiresGrad: true });
    max(t).backward();
    expect(await values(t.grad!)).toEqual([1, 0, 0]);
    const n = tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
    mean(n).backward();
    expect(await values(n.grad!)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('layout', () => {
  const x = a23;

  it('reshape is a view with one inferred dim', async () => {
    expect(reshape(x(), [3, -1]).shape).toEqual([3, 2]);
    expect(reshape(x(), [-1]).shape).toEqual([6]);
    expect(await values(reshape(x(), [3, 2]))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(shapeError(() => reshape(x(), [-1, -1]))).toBe('reshape: at most one -1 in [-1,-1]');
    expect(shapeError(() => reshape(x(), [4, -1]))).toBe('reshape: cannot view [2,3] (6) as [4,-1]');
    expect(shapeError(() => reshape(x(), [5]))).toBe('reshape: cannot view [2,3] (6) as [5]');
    expect(shapeError(() => reshape(x(), [-2, -3]))).toBe('reshape: cannot view [2,3] (6) as [-2,-3]');
  });

  it('transpose reverses dims by default, or permutes them', async () => {
    expect(transpose(x()).shape).toEqual([3, 2]);
    expect(await values(transpose(x()))).toEqual([1, 4, 2, 5, 3, 6]);
    const y = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [2, 3, 2]);
    expect(transpose(y, [1, 0, 2]).shape).toEqual([3, 2, 2]);
    expect(await values(transpose(y, [1, 0, 2]))).toEqual([0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]);
    expect(await values(transpose(y, [0, -1, 1]))).toEqual([0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11]);
    expect(shapeError(() => transpose(y, [0, 1]))).toBe('transpose: [0,1] is not a permutation of 3 axes');
    expect(shapeError(() => transpose(y, [0, 1, 1]))).toBe('transpose: [0,1,1] is not a permutation of 3 axes');
    expect(shapeError(() => transpose(y, [0, 1, 3]))).toBe('transpose: [0,1,3] is not a permutation of 3 axes');
    expect(shapeError(() => transpose(y, [0, 1, -4]))).toBe('transpose: [0,1,-4] is not a permutation of 3 axes');
  });

  it('slice takes [start, end) along an axis', async () => {
    expect(await values(slice(x(), 1, 1, 3))).toEqual([2, 3, 5, 6]);
    expect(slice(x(), 1, 1, 3).shape).toEqual([2, 2]);
    expect(await values(slice(x(), 0, 1, 2))).toEqual([4, 5, 6]);
    expect(await values(slice(x(), -1, 0, 1))).toEqual([1, 4]);
    expect(slice(x(), 1, 2, 2).shape).toEqual([2, 0]);
    expect(await values(slice(x(), 1, 0, 3))).toEqual([1, 2, 3, 4, 5, 6]);
    for (const [axis, s, e] of [[2, 0, 1], [-3, 0, 1], [1, -1, 2], [1, 0, 4], [1, 2, 1]]) {
      expect(shapeError(() => slice(x(), axis, s, e))).toBe(`slice: [${s}, ${e}) along axis ${axis} of [2,3]`);
    }
  });

  it('concat joins along an axis', async () => {
    const y = tensor([7, 8], [2, 1]);
    expect(concat([x(), y], 1).shape).toEqual([2, 4]);
    expect(await values(concat([x(), y], 1))).toEqual([1, 2, 3, 7, 4, 5, 6, 8]);
    expect(await values(concat([x(), y], -1))).toEqual([1, 2, 3, 7, 4, 5, 6, 8]);
    expect(await values(concat([x(), tensor([0, 0, 0], [1, 3])], 0))).toEqual([1, 2, 3, 4, 5, 6, 0, 0, 0]);
    expect(argError(() => concat([], 0))).toBe('concat: needs at least one tensor');
    expect(shapeError(() => concat([x(), tensor([1, 2, 3], [3, 1])], 1))).toBe('concat: [3,1] does not fit [2,3] along axis 1');
    expect(shapeError(() => concat([x(), tensor([1, 2], [2])], 1))).toBe('concat: [2] does not fit [2,3] along axis 1');
  });

  it('concat sends each part its slice of the gradient', async () => {
    const p = tensor([1, 2], [2, 1], { requiresGrad: true });
    const q = tensor([3, 4, 5, 6], [2, 2], { requiresGrad: true });
    sum(mul(concat([p, q], 1), tensor([1, 2, 3, 4, 5, 6], [2, 3]))).backward();
    expect(await values(p.grad!)).toEqual([1, 4]);
    expect(await values(q.grad!)).toEqual([2, 3, 5, 6]);
  });

  it('gatherStrided copies a strided view and refuses one reaching outside', async () => {
    expect(await values(gatherStrided(x(), [3], [1], 3))).toEqual([4, 5, 6]);
    expect(await values(gatherStrided(x(), [3, 2], [1, 3]))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(await values(gatherStrided(x(), [2], [3], 2))).toEqual([3, 6]);
    expect(shapeError(() => gatherStrided(x(), [2], [1, 1]))).toBe('gatherStrided: 2 strides for shape [2]');
    expect(shapeError(() => gatherStrided(x(), [3], [1], 4))).toBe('gatherStrided: view reaches outside [2,3]');
    expect(shapeError(() => gatherStrided(x(), [2], [1], -1))).toBe('gatherStrided: view reaches outside [2,3]');
    expect(shapeError(() => gatherStrided(x(), [2], [-1], 3))).toBe('gatherStrided: view reaches outside [2,3]');
    const g = tensor([1, 2, 3, 4], [4], { requiresGrad: true });
    sum(mul(gatherStrided(g, [2], [2], 1), tensor([10, 20]))).backward();
    expect(await values(g.grad!)).toEqual([0, 10, 0, 20]);
  });
});

describe('matmul', () => {
  const a = a23;
  const b = () => tensor([1, 0, 0, 1, 1, 1], [3, 2]);

  it('multiplies, with transposes, a scale, and a batch on either side', async () => {
    expect(await values(matmul(a(), b()))).toEqual([4, 5, 10, 11]);
    expect(await values(matmul(a(), a(), { transB: true }))).toEqual([14, 32, 32, 77]);
    expect(await values(matmul(a(), a(), { transA: true }))).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    expect(await values(matmul(b(), a(), { transA: true, transB: true }))).toEqual([4, 10, 5, 11]);
    expect(await values(matmul(a(), b(), { alpha: 0.5 }))).toEqual([2, 2.5, 5, 5.5]);
    const batched = tensor([1, 2, 3, 4, 5, 6, 0, 0, 0, 1, 1, 1], [2, 2, 3]);
    expect(matmul(batched, b()).shape).toEqual([2, 2, 2]);
    expect(await values(matmul(batched, b()))).toEqual([4, 5, 10, 11, 0, 0, 2, 2]);
    const bb = tensor([1, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2], [2, 3, 2]);
    expect(matmul(a(), bb).shape).toEqual([2, 2, 2]);
    expect(await values(matmul(a(), bb))).toEqual([4, 5, 10, 11, 12, 12, 30, 30]);
    expect(await values(matmul(batched, bb))).toEqual([4, 5, 10, 11, 0, 0, 6, 6]);
  });

  it('refuses ranks under 2, mismatched inner dims and batch dims', () => {
    expect(shapeError(() => matmul(tensor([1, 2]), b()))).toBe('matmul: needs rank >= 2, got [2] and [3,2]');
    expect(shapeError(() => matmul(a(), tensor([1, 2])))).toBe('matmul: needs rank >= 2, got [2,3] and [2]');
    expect(shapeError(() => matmul(a(), a()))).toBe('matmul: inner dims differ: [2,3] @ [2,3]');
    expect(shapeError(() => matmul(a(), b(), { transA: true }))).toBe('matmul: inner dims differ: [2,3]ᵀ @ [3,2]');
    expect(shapeError(() => matmul(a(), b(), { transB: true }))).toBe('matmul: inner dims differ: [2,3] @ [3,2]ᵀ');
    expect(shapeError(() => matmul(tensor(new Float32Array(12), [2, 2, 3]), tensor(new Float32Array(18), [3, 3, 2])))).toBe('matmul: batch dims differ: [2,2,3] and [3,3,2]');
  });
});

describe('nn ops', () => {
  it('softmax and logSoftmax over the last axis', async () => {
    const x = tensor([1, 2, 3, 0, 0, 0], [2, 3]);
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    await close(softmax(x), [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z, 1 / 3, 1 / 3, 1 / 3]);
    await close(logSoftmax(x), [1 - Math.log(z), 2 - Math.log(z), 3 - Math.log(z), -Math.log(3), -Math.log(3), -Math.log(3)]);
    await close(softmax(tensor([5])), [1]);
  });

  it('layerNorm normalises each row, then scales and shifts', async () => {
    const x = tensor([1, 2, 3, 2, 4, 6], [2, 3]);
    const sd1 = Math.sqrt(2 / 3 + 1e-5), sd2 = Math.sqrt(8 / 3 + 1e-5);
    await close(layerNorm(x, null, null), [-1 / sd1, 0, 1 / sd1, -2 / sd2, 0, 2 / sd2], 4);
    await close(layerNorm(x, tensor([1, 2, 3]), tensor([0, 1, 0])), [-1 / sd1, 1, 3 / sd1, -2 / sd2, 1, 6 / sd2], 4);
    await close(layerNorm(tensor([1, 3], [1, 2]), null, null, 1), [-1 / Math.sqrt(2), 1 / Math.sqrt(2)], 5);
    expect(shapeError(() => layerNorm(x, tensor([1, 2]), null))).toBe('layerNorm: parameter of 2 for 3 features');
    expect(shapeError(() => layerNorm(x, null, tensor([1, 2, 3, 4])))).toBe('layerNorm: parameter of 4 for 3 features');
  });

  it('layerNorm gives gradients to x, gamma and beta, or only those that need them', async () => {
    const x = tensor([1, 2, 4], [1, 3], { requiresGrad: true });
    const gamma = tensor([1, 1, 1], [3]);
    const beta = tensor([0, 0, 0], [3], { requiresGrad: true });
    sum(mul(layerNorm(x, gamma, beta), tensor([1, 2, 3], [1, 3]))).backward();
    expect(await values(beta.grad!)).toEqual([1, 2, 3]);
    expect((await values(x.grad!)).some((v) => Math.abs(v) > 1e-3)).toBe(true);
    expect(gamma.grad).toBeNull();
    const onlyBeta = tensor([0, 0, 0], [3], { requiresGrad: true });
    sum(layerNorm(tensor([1, 2, 4], [1, 3]), null, onlyBeta)).backward();
    expect(await values(onlyBeta.grad!)).toEqual([1, 1, 1]);
  });

  it('l2Normalize and cosine similarity', async () => {
    await close(l2Normalize(tensor([3, 4, 0, 0], [2, 2])), [0.6, 0.8, 0, 0]);
    await close(l2Normalize(tensor([3, 0, 4, 0], [2, 2]), 0), [0.6, 0, 0.8, 0]);
    await close(cosineSimilarityMatrix(tensor([1, 0, 1, 1], [2, 2]), tensor([2, 0, 0, 3, -1, -1], [3, 2])), [1, 0, -Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, -1]);
    expect(shapeError(() => cosineSimilarityMatrix(tensor([1, 2]), tensor([1, 2], [1, 2])))).toBe('cosineSimilarityMatrix: needs [n, d] and [m, d], got [2] and [1,2]');
    expect(shapeError(() => cosineSimilarityMatrix(tensor([1, 2], [1, 2]), tensor([1, 2, 3], [1, 3])))).toBe('cosineSimilarityMatrix: needs [n, d] and [m, d], got [1,2] and [1,3]');
    expect(shapeError(() => cosineSimilarityMatrix(tensor([1, 2], [1, 2]), tensor([1, 2], [2])))).toBe('cosineSimilarityMatrix: needs [n, d] and [m, d], got [1,2] and [2]');
  });

  it('attention: softmax(q kᵀ / √d + mask) v', async () => {
    const q = tensor([1, 0, 0, 1], [2, 2]);
    const k = tensor([1, 0, 0, 1], [2, 2]);
    const v = tensor([10, 0, 0, 10], [2, 2]);
    const w = 1 / (1 + Math.exp(-1 / Math.SQRT2));
    await close(scaledDotProductAttention(q, k, v), [10 * w, 10 * (1 - w), 10 * (1 - w), 10 * w], 4);
    const mask = tensor([0, -1e9, 0, 0], [2, 2]);
    await close(scaledDotProductAttention(q, k, v, mask), [10, 0, 10 * (1 - w), 10 * w], 4);
  });

  it('embedding looks rows up, shaped as asked, and scatters gradients back', async () => {
    const table = tensor([1, 2, 3, 4, 5, 6], [3, 2], { requiresGrad: true });
    const e = embedding(table, indices([2, 0, 2]));
    expect(e.shape).toEqual([3, 2]);
    expect(await values(e)).toEqual([5, 6, 1, 2, 5, 6]);
    expect(embedding(table, indices([1, 2, 0, 1]), [2, 2]).shape).toEqual([2, 2, 2]);
    sum(e).backward();
    expect(await values(table.grad!)).toEqual([1, 1, 0, 0, 2, 2]);
    expect(argError(() => embedding(table, indices([3])))).toBe('embedding: index 3 outside [0, 3)');
    expect(argError(() => embedding(table, indices([-1])))).toBe('embedding: index -1 outside [0, 3)');
    expect(shapeError(() => embedding(tensor([1, 2]), indices([0])))).toBe('embedding: table must be [vocab, dim], got [2]');
  });

  it('cross-entropy, with label smoothing, and its refusals', async () => {
    const logits = tensor([2, 0, 0, 0, 1, 3], [2, 3]);
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const l0 = lse([2, 0, 0]) - 2, l1 = lse([0, 1, 3]) - 1;
    expect(await crossEntropy(logits, [0, 1]).item()).toBeCloseTo((l0 + l1) / 2, 5);
    const eps = 0.3;
    const smooth = (row: number[], y: number) => row.reduce((s, v, c) => s + (c === y ? 1 - eps + eps / 3 : eps / 3) * (lse(row) - v), 0);
    expect(await crossEntropy(logits, [0, 1], { labelSmoothing: eps }).item()).toBeCloseTo((smooth([2, 0, 0], 0) + smooth([0, 1, 3], 1)) / 2, 5);
    expect(shapeError(() => crossEntropy(tensor([1, 2]), [0]))).toBe('crossEntropy: logits must be [n, classes], got [2]');
    expect(shapeError(() => crossEntropy(logits, [0]))).toBe('crossEntropy: 1 targets for 2 rows');
    expect(argError(() => crossEntropy(logits, [0, 3]))).toBe('crossEntropy: target 3 outside [0, 3)');
    expect(argError(() => crossEntropy(logits, [-1, 0]))).toBe('crossEntropy: target -1 outside [0, 3)');
    expect(argError(() => crossEntropy(logits, [0.5, 0]))).toBe('crossEntropy: target 0.5 outside [0, 3)');
    expect(argError(() => crossEntropy(logits, [0, 1], { labelSmoothing: 1 }))).toBe('crossEntropy: labelSmoothing 1 outside [0, 1)');
    expect(argError(() => crossEntropy(logits, [0, 1], { labelSmoothing: -0.1 }))).toBe('crossEntropy: labelSmoothing -0.1 outside [0, 1)');
    expect(await crossEntropy(logits, [0, 1], { labelSmoothing: 0 }).item()).toBeCloseTo((l0 + l1) / 2, 5);
  });

  it('binary cross-entropy with logits is stable and checks shapes', async () => {
    const z = [-30, -1, 0, 2, 40], y = [0, 1, 1, 0, 1];
    const want = z.reduce((s, v, i) => s + Math.max(v, 0) - v * y[i] + Math.log1p(Math.exp(-Math.abs(v))), 0) / z.length;
    expect(await binaryCrossEntropyWithLogits(tensor(z), tensor(y)).item()).toBeCloseTo(want, 4);
    expect(shapeError(() => binaryCrossEntropyWithLogits(tensor([1, 2]), tensor([1, 2], [1, 2])))).toBe('binaryCrossEntropyWithLogits: logits [2] vs targets [1,2]');
  });

  it('dropout zeroes about p of the values and scales the rest; identity when off', async () => {
    const x = tensor(new Float32Array(4000).fill(1));
    const out = await values(dropout(x, 0.25, 7));
    const kept = out.filter((v) => v !== 0);
    expect(kept.length / out.length).toBeGreaterThan(0.7);
    expect(kept.length / out.length).toBeLessThan(0.8);
    for (const v of kept) expect(v).toBeCloseTo(1 / 0.75, 5);
    expect(dropout(x, 0.25, 7, false)).toBe(x);
    expect(dropout(x, 0, 7)).toBe(x);
    expect(argError(() => dropout(x, 1, 7))).toBe('dropout: p = 1 outside [0, 1)');
    expect(argError(() => dropout(x, -0.1, 7))).toBe('dropout: p = -0.1 outside [0, 1)');
    const g = tensor([1, 1, 1, 1, 1, 1, 1, 1], [8], { requiresGrad: true });
    const d = dropout(g, 0.5, 3);
    sum(d).backward();
    expect(await values(g.grad!)).toEqual(await values(d));
  });
});
