import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { OnnxGraphBuilder, attr, ONNX_OPSET } from '../onnx-builder.ts';

/** Deterministic pseudo-random values in [-1, 1). */
function lcg(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

describe('OnnxGraphBuilder', () => {
  it('writes a Gemm + Reshape model that onnxruntime runs with the JS reference result', async () => {
    const [n, k, m] = [3, 4, 5];
    const w = lcg(m * k, 7); // [m, k], used transposed
    const b = lcg(m, 9);
    const g = new OnnxGraphBuilder('gemm');
    g.addInput('x', 'float32', ['batch', k]);
    g.addInitializer('w', w, [m, k]);
    g.addInitializer('b', b, [m]);
    const y = g.op('Gemm', ['x', 'w', 'b'], { transB: 1, alpha: attr.float(2), beta: 0.5 });
    g.addInt64('shape', [-1, 1, m]);
    g.op('Reshape', [y, 'shape'], {}, 'out');
    g.addOutput('out', 'float32', ['batch', 1, m]);
    const bytes = g.serialize({ metadata: { source: 'unit-test' } });

    const session = await ort.InferenceSession.create(bytes);
    const x = lcg(n * k, 3);
    const { out } = await session.run({ x: new ort.Tensor('float32', x, [n, k]) });
    expect(out.dims).toEqual([n, 1, m]);
    const got = out.data as Float32Array;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < m; c++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc += x[r * k + i] * w[c * k + i];
        expect(got[r * m + c]).toBeCloseTo(2 * acc + 0.5 * b[c], 5);
      }
    }
  });

  it('stores IR 8, opset 17 and metadata in the ModelProto', () => {
    const g = new OnnxGraphBuilder('id');
    g.addInput('x', 'float32', [2]);
    g.op('Identity', ['x'], {}, 'y');
    g.addOutput('y', 'float32', [2]);
    const model = onnxProto.onnx.ModelProto.decode(g.serialize({ metadata: { k: 'v' } }));
    expect(Number(model.irVersion)).toBe(8);
    expect(Number(model.opsetImport[0].version)).toBe(ONNX_OPSET);
    expect(model.metadataProps).toEqual([expect.objectContaining({ key: 'k', value: 'v' })]);
  });

  it('rejects duplicate value names and dims that do not match the data', () => {
    const g = new OnnxGraphBuilder('bad');
    g.addInput('x', 'float32', [2]);
    expect(() => g.addInitializer('x', new Float32Array(2), [2])).toThrow(/duplicate value name "x"/);
    expect(() => g.addInitializer('w', new Float32Array(3), [2, 2])).toThrow(/hold 4 values, data has 3/);
    expect(g.uniqueName('x')).toBe('x_1');
  });
});
