import { afterAll, describe, expect, it } from 'vitest';
import {
  add, affine, CpuBackend, gatherStrided, gelu, layerNorm, matmul, mean, reshape, Rng, slice, sum, tanh, tensor, transpose,
  TransformerEncoderLayer, type Backend, type MatmulOptions, type Tensor,
} from '../index.ts';
import { startOrExplain } from '../webgpu/test/test-support.ts';
import { gradCheck } from './gradcheck.ts';

const { gpu } = await startOrExplain();
afterAll(() => gpu?.close());

// A loss that reads some rows of an activation gives it a row-sparse gradient (../row-grad.ts):
// the ops below run their backward on those rows only, or make it dense when they cannot.
describe('row-sparse gradients equal central finite differences', () => {
  const smooth = { init: (r: Rng) => r.range(-2, 2) };
  it('through a shared-weight matmul, its bias and GELU', () =>
    gradCheck([[2, 4, 3], [3, 5], [5]], (x, w, b) => slice(gelu(add(matmul(x, w), b)), 1, 0, 1), smooth));
  it('through a transposed weight (Linear) and an affine', () =>
    gradCheck([[3, 4, 3], [5, 3]], (x, w) => slice(affine(matmul(reshape(x, [12, 3]), w, { transB: true, alpha: 0.5 }), -2, 1), 0, 1, 3)));
  it('through layer norm with gamma and beta', () =>
    gradCheck([[2, 4, 5], [5], [5]], (x, g, b) => slice(layerNorm(x, g, b), 1, 3, 4), smooth));
  it('through a residual add whose two sides both stay sparse', () =>
    gradCheck([[2, 5, 4], [4], [4]], (x, g, b) => slice(add(x, tanh(layerNorm(x, g, b))), 1, 0, 2), smooth));
  it('into a tensor that also gets a dense gradient', () =>
    gradCheck([[2, 4, 3]], (x) => {
      const h = gelu(x);
      return add(slice(h, 1, 1, 2), mean(h, 1, { keepDims: true }));
    }));
  it('from two slices with different rows', () => gradCheck([[3, 4, 2]], (x) => {
    const h = tanh(x);
    return add(slice(h, 1, 0, 1), slice(h, 1, 3, 4));
  }));
  it('rows that span several rows of the last dim, and an op without a sparse backward (transpose)', () =>
    gradCheck([[2, 4, 3, 2]], (x) => slice(transpose(tanh(x), [0, 1, 3, 2]), 1, 2, 3)));
  it('through matmuls it cannot take row by row (transA, batched)', () =>
    gradCheck([[2, 3, 4], [2, 3, 2], [2, 2, 5]], (a, b, c) => slice(matmul(matmul(a, b, { transA: true }), c), 1, 0, 1)));
  it('two intermediates on the two sides of an add (each gets its own copy)', () =>
    gradCheck([[2, 4, 3]], (x) => slice(add(gelu(x), tanh(x)), 1, 0, 1)));
  it('one intermediate on both sides of an add', () => gradCheck([[2, 4, 3]], (x) => {
    const h = gelu(x);
    return slice(add(h, h), 1, 0, 1);
  }));
});

describe('a transformer layer trained on its CLS output', () => {
  // The benchmark's step in small: the loss reads token 0 of each sequence.
  async function gradients(pick: (out: Tensor) => Tensor, backend: Backend): Promise<Map<string, Float32Array>> {
    const layer = new TransformerEncoderLayer(16, 2, 32, { rng: new Rng(7), backend });
    const rng = new Rng(8);
    const x = tensor(Float32Array.from({ length: 3 * 5 * 16 }, () => rng.normal()), [3, 5, 16], { backend, requiresGrad: true });
    const w = tensor(Float32Array.from({ length: 3 * 16 }, () => rng.normal()), [3, 1, 16], { backend });
    sum(tanh(add(pick(layer.forward(x)), w))).backward({ freeGraph: true });
    const grads = new Map([['x', await x.grad!.data()]]);
    for (const [name, p] of layer.namedParameters()) grads.set(name, await p.grad!.data());
    return grads;
  }

  it('gets the dense path\'s gradients while its MLP and output projection multiply only the CLS rows', async () => {
    const backend = new CpuBackend({ threads: 1 });
    const gemmRows: number[] = [];
    const gemm = backend.matmul.bind(backend);
    backend.matmul = (a, b, out, o: MatmulOptions) => (gemmRows.push(o.transA ? o.k : o.m), gemm(a, b, out, o));
    const sparse = await gradients((out) => slice(out, 1, 0, 1), backend);
    const sparseRows = gemmRows.splice(0);
    // The same rows picked by a strided copy, whose backward is dense.
    const dense = await gradients((out) => gatherStrided(out, [3, 1, 16], [80, 16, 1]), backend);
    expect([...sparse.keys()].sort()).toEqual([...dense.keys()].sort());
    expectClose(sparse, dense, 1e-5);
    // Backward: fc2, fc1 and the output projection (dX and dW each) on the 3 CLS rows, not all 15.
    expect(sparseRows.filter((r) => r === 3).length).toBe(6);
    expect(gemmRows.filter((r) => r === 3).length).toBe(0);
  });

  // gather and scatterAdd of the row indices, and the sparse kernels, on the other backend.
  it.skipIf(!gpu)('gets the same gradients on webgpu as on cpu', async () => {
    const pickCls = (out: Tensor) => slice(out, 1, 0, 1);
    expectClose(await gradients(pickCls, gpu!), await gradients(pickCls, new CpuBackend()), 1e-4);
  });
});

/** Every gradient within `tol` of the reference's largest magnitude (per tensor). */
function expectClose(got: Map<string, Float32Array>, want: Map<string, Float32Array>, tol: number): void {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [name, w] of want) {
    const g = got.get(name)!;
    const scale = Math.max(...w.map(Math.abs));
    expect(scale, name).toBeGreaterThan(0);
    for (let i = 0; i < w.length; i++) expect(Math.abs(g[i] - w[i]), `${name}[${i}]`).toBeLessThanOrEqual(tol * scale);
  }
}
