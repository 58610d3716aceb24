import { describe, expect, it } from 'vitest';
import {
  add, affine, concat, cosineSimilarityMatrix, crossEntropy, div, dropout, embedding, exp, gelu, indices, l2Normalize,
  layerNorm, log, logSoftmax, matmul, max, mean, mul, neg, relu, reshape, scaledDotProductAttention, sigmoid, slice,
  softmax, sqrt, square, sub, sum, tanh, tensor, transpose, MultiHeadAttention, TransformerEncoderLayer, Adapter, Rng,
  abs, binaryCrossEntropyWithLogits,
} from '../index.ts';
import { gradCheck } from './gradcheck.ts';

const positive = (r: Rng) => r.range(0.5, 2);
// Keep inputs away from kinks (relu at 0, max ties) so central differences are valid.
const awayFromZero = (r: Rng) => (r.uniform() < 0.5 ? -1 : 1) * r.range(0.1, 1);

describe('backward equals central finite differences', () => {
  describe('elementwise with broadcasting', () => {
    it('add', () => gradCheck([[2, 3, 4], [3, 1]], add));
    it('add with a leading broadcast', () => gradCheck([[4], [2, 3, 4]], add));
    it('sub', () => gradCheck([[2, 1, 4], [3, 1]], sub));
    it('mul', () => gradCheck([[2, 3, 4], [1, 3, 4]], mul));
    it('div', () => gradCheck([[2, 3], [3]], div, { init: (r, i) => (i === 1 ? positive(r) : r.range(-1, 1)) }));
    it('div, both full', () => gradCheck([[3, 2], [3, 2]], div, { init: positive }));
    it('scalar affine', () => gradCheck([[5]], (x) => affine(x, -2.5, 0.3)));
  });

  describe('unary', () => {
    it('exp', () => gradCheck([[6]], exp));
    it('log', () => gradCheck([[6]], log, { init: positive }));
    it('sqrt', () => gradCheck([[6]], sqrt, { init: positive }));
    it('square', () => gradCheck([[6]], square));
    it('neg', () => gradCheck([[6]], neg));
    it('relu', () => gradCheck([[8]], relu, { init: awayFromZero }));
    it('sigmoid', () => gradCheck([[6]], sigmoid, { init: (r) => r.range(-3, 3) }));
    it('tanh', () => gradCheck([[6]], tanh));
    it('gelu (tanh)', () => gradCheck([[8]], (x) => gelu(x, 'tanh'), { init: (r) => r.range(-3, 3) }));
    it('gelu (erf)', () => gradCheck([[8]], (x) => gelu(x, 'erf'), { init: (r) => r.range(-3, 3) }));
  });

  describe('reductions', () => {
    it('sum over one axis', () => gradCheck([[2, 3, 4]], (x) => sum(x, 1)));
    it('sum over two axes, keepDims', () => gradCheck([[2, 3, 4]], (x) => sum(x, [0, 2], { keepDims: true })));
    it('mean over all', () => gradCheck([[2, 3, 4]], (x) => mean(x)));
    it('mean over the last axis', () => gradCheck([[3, 5]], (x) => mean(x, -1)));
    it('max over an axis', () => gradCheck([[3, 4]], (x) => max(x, 1)));
    it('max over axis 0 of a 3-d tensor', () => gradCheck([[3, 2, 2]], (x) => max(x, 0)));
  });

  describe('matmul', () => {
    it('2-d', () => gradCheck([[3, 4], [4, 5]], (a, b) => matmul(a, b)));
    it('batched', () => gradCheck([[2, 3, 4], [2, 4, 2]], (a, b) => matmul(a, b)));
    it('transA', () => gradCheck([[4, 3], [4, 2]], (a, b) => matmul(a, b, { transA: true })));
    it('transB with alpha', () => gradCheck([[3, 4], [2, 4]], (a, b) => matmul(a, b, { transB: true, alpha: 0.5 })));
    it('transA and transB, batched', () => gradCheck([[2, 4, 3], [2, 5, 4]], (a, b) => matmul(a, b, { transA: true, transB: true })));
    it('shared weight (b broadcast)', () => gradCheck([[2, 3, 4], [4, 2]], (a, b) => matmul(a, b)));
    it('shared weight transposed (b broadcast, transB)', () => gradCheck([[2, 3, 4], [5, 4]], (a, b) => matmul(a, b, { transB: true })));
    it('shared weight with transA', () => gradCheck([[2, 4, 3], [4, 2]], (a, b) => matmul(a, b, { transA: true })));
    it('shared left operand (a broadcast)', () => gradCheck([[3, 4], [2, 4, 2]], (a, b) => matmul(a, b)));
    it('shared left operand with transB', () => gradCheck([[3, 4], [2, 5, 4]], (a, b) => matmul(a, b, { transB: true })));
  });

  describe('layout', () => {
    it('reshape', () => gradCheck([[2, 6]], (x) => mul(reshape(x, [3, -1]), reshape(x, [3, 4]))));
    it('transpose', () => gradCheck([[2, 3, 4]], (x) => transpose(x, [2, 0, 1])));
    it('slice', () => gradCheck([[3, 5]], (x) => slice(x, 1, 1, 4)));
    it('concat', () => gradCheck([[2, 3], [2, 1], [2, 2]], (a, b, c) => concat([a, b, c], 1)));
    it('concat along axis 0 reusing an input', () => gradCheck([[2, 3]], (a) => concat([a, square(a)], 0)));
  });

  describe('nn', () => {
    it('softmax', () => gradCheck([[3, 5]], softmax));
    it('log-softmax', () => gradCheck([[3, 5]], logSoftmax));
    it('layer norm with gamma and beta', () => gradCheck([[4, 6], [6], [6]], (x, g, b) => layerNorm(x, g, b), { init: (r) => r.range(-2, 2) }));
    it('layer norm without parameters', () => gradCheck([[3, 5]], (x) => layerNorm(x, null, null)));
    it('L2 normalise', () => gradCheck([[3, 4]], (x) => l2Normalize(x)));
    it('cosine-similarity matrix', () => gradCheck([[3, 4], [2, 4]], cosineSimilarityMatrix));
    it('attention, multi-head, with a mask', () => {
      const mask = tensor([0, 0, 0, -1e9, 0, 0, -1e9, -1e9, 0, 0], [2, 1, 1, 5]);
      return gradCheck([[2, 2, 3, 4], [2, 2, 5, 4], [2, 2, 5, 3]], (q, k, v) => scaledDotProductAttention(q, k, v, mask));
    });
    it('embedding gather with repeated ids', () => {
      const ids = indices([2, 0, 2, 3]);
      return gradCheck([[4, 3]], (t) => embedding(t, ids, [2, 2]));
    });
    it('cross-entropy', () => gradCheck([[4, 3]], (x) => crossEntropy(x, [0, 2, 1, 2])));
    it('cross-entropy with label smoothing', () => gradCheck([[4, 3]], (x) => crossEntropy(x, [0, 2, 1, 2], { labelSmoothing: 0.1 })));
    it('binary cross-entropy with logits', () => {
      const y = tensor([1, 0, 0.3, 1, 0, 0.5], [2, 3]);
      return gradCheck([[2, 3]], (x) => binaryCrossEntropyWithLogits(x, y), { init: (r) => r.range(-3, 3) });
    });
    it('abs', () => gradCheck([[6]], abs, { init: awayFromZero }));
    it('seeded dropout', () => gradCheck([[4, 5]], (x) => dropout(x, 0.3, 1234)));
  });

  describe('modules (gradient with respect to the input)', () => {
    it('MultiHeadAttention', () => gradCheck([[2, 3, 8]], (x) => new MultiHeadAttention(8, 2, { rng: new Rng(3) }).forward(x)));
    it('TransformerEncoderLayer', () => gradCheck([[2, 3, 8]], (x) => new TransformerEncoderLayer(8, 2, 16, { rng: new Rng(4) }).forward(x)));
    it('Adapter (non-zero up-projection)', () => gradCheck([[3, 8]], (x) => {
      const a = new Adapter(8, { rng: new Rng(5) });
      a.up.weight.backend.fill(a.up.weight.buffer, 0.1);
      return a.forward(x);
    }));
  });
});

describe('gradient routing through shared intermediates', () => {
  it('a non-leaf used twice by one add gets both contributions', () => gradCheck([[5]], (x) => {
    const h = square(x);
    return add(h, h);
  }));
  it('residual chains over reshapes', () => gradCheck([[2, 3]], (x) => {
    const h = exp(x);
    const r = reshape(add(reshape(h, [6]), reshape(mul(h, h), [6])), [3, 2]);
    return sub(add(r, reshape(h, [3, 2])), reshape(x, [3, 2]));
  }));
});

describe('strided gather', () => {
  it('picks heads out of a fused projection', async () => {
    const { gatherStrided } = await import('../index.ts');
    // x as [b=2, t=3, (3 parts, d=4)]; part 1 as [b, h=2, t, hd=2]
    return gradCheck([[2, 3, 12]], (x) => gatherStrided(x, [2, 2, 3, 2], [36, 2, 12, 1], 4));
  });
});

describe('freeGraph', () => {
  it('frees intermediates after backward, keeps leaves and the loss, and refuses to read freed tensors', async () => {
    const { tensor: t, exp: e, sum: s } = await import('../index.ts');
    const x = t([1, 2], [2], { requiresGrad: true });
    const h = e(x);
    const loss = s(h);
    loss.backward({ freeGraph: true });
    expect(await loss.item()).toBeCloseTo(Math.E + Math.E ** 2, 5);
    expect([...(await x.grad!.data())].map((v) => +v.toFixed(4))).toEqual([+Math.E.toFixed(4), +(Math.E ** 2).toFixed(4)]);
    await expect(h.data()).rejects.toMatchObject({ code: 'INVALID_COMPUTE_ARGUMENT' });
  });
});
