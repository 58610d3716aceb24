/** Converter details on tiny hand-written TFJS graphs, checked against values computed by hand. */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { float16ToFloat32, type TfjsGraphModel, type TfNode, type TfWeight } from '../tfjs-graph.ts';
import { convertTfjsToOnnx } from '../tfjs-to-onnx.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const placeholder = (name: string, dims: number[]): TfNode => ({ name, op: 'Placeholder', attr: { shape: { shape: { dim: dims.map((size) => ({ size: String(size) })) } } } });
const constNode = (name: string): TfNode => ({ name, op: 'Const' });
const f32 = (name: string, shape: number[], values: number[]): TfWeight => ({ name, shape, dtype: 'float32', data: Float32Array.from(values) });
const i32 = (name: string, shape: number[], values: number[]): TfWeight => ({ name, shape, dtype: 'int32', data: Int32Array.from(values) });
const model = (nodes: TfNode[], weights: TfWeight[]): TfjsGraphModel => ({
  path: 'unit', sha256: '0'.repeat(64), nodes, weights: new Map(weights.map((w) => [w.name, w])), signature: null,
});

async function run(m: TfjsGraphModel, input: Float32Array, dims: number[]) {
  const c = convertTfjsToOnnx(m, { modelName: 'unit' });
  const s = await ort.InferenceSession.create(c.bytes);
  const out = await s.run({ [c.inputs[0].name]: new ort.Tensor('float32', input, dims) });
  return { c, out: out[c.outputs[0]] };
}

describe('float16 decoding', () => {
  it('decodes normal, subnormal, signed zero and special values', () => {
    const bits = Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7bff]);
    const v = float16ToFloat32(bits);
    expect(v[0]).toBe(1);
    expect(v[1]).toBe(-2);
    expect(v[2]).toBeCloseTo(0.33325, 5);
    expect(v[3]).toBe(2 ** -24);
    expect(Object.is(v[4], -0)).toBe(true);
    expect([v[5], v[6]]).toEqual([Infinity, -Infinity]);
    expect(v[7]).toBe(65504);
  });
});

describe('convertTfjsToOnnx', () => {
  it('maps a fused NHWC conv (HWIO kernel, SAME, stride 2, BiasAdd+Relu) to the hand-computed result', async () => {
    // 1x3x3x1 input, 2x2x1x2 kernel: channel 0 sums the window, channel 1 is minus the top-left tap.
    const nodes = [
      placeholder('x', [1, 3, 3, 1]), constNode('w'), constNode('b'),
      { name: 'y', op: '_FusedConv2D', input: ['x', 'w', 'b'], attr: {
        strides: { list: { i: ['1', '2', '2', '1'] } }, padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') },
        fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, num_args: { i: '1' },
      } },
    ];
    // HWIO [2,2,1,2]: w[h][w][0][o]
    const w = f32('w', [2, 2, 1, 2], [1, -1, 1, 0, 1, 0, 1, 0]);
    const { out, c } = await run(model(nodes, [w, f32('b', [2], [0.5, 0])]), Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 3, 3, 1]);
    expect(c.outputs).toEqual(['y']);
    expect(out.dims).toEqual([1, 2, 2, 2]);
    // TF SAME with stride 2 on 3 pads one at the end: windows at (0,0),(0,2),(2,0),(2,2).
    // sums: 1+2+4+5=12, 3+6=9, 7+8=15, 9 -> +0.5; channel 1: -x[top-left] -> relu -> 0.
    expect([...(out.data as Float32Array)]).toEqual([12.5, 0, 9.5, 0, 15.5, 0, 9.5, 0]);
  });

  it('maps Pad, Reshape (fresh shape initializers), Mean, ConcatV2 and MatMul', async () => {
    const nodes = [
      placeholder('x', [-1, 2, 2]), constNode('pads'), constNode('shape'), constNode('axes'), constNode('axis'), constNode('m'),
      { name: 'p', op: 'Pad', input: ['x', 'pads'] }, // [-1, 2, 3]: one zero column at the end
      { name: 'r', op: 'Reshape', input: ['p', 'shape'] }, // [-1, 6]
      { name: 'mean', op: 'Mean', input: ['x', 'axes'], attr: { keep_dims: { b: false } } }, // [-1, 2]
      { name: 'cat', op: 'ConcatV2', input: ['r', 'mean', 'axis'] }, // [-1, 8]
      { name: 'mm', op: 'MatMul', input: ['cat', 'm'] }, // [-1, 1]
    ];
    const weights = [
      i32('pads', [3, 2], [0, 0, 0, 0, 0, 1]), i32('shape', [2], [-1, 6]), i32('axes', [1], [2]), i32('axis', [], [1]),
      f32('m', [8, 1], [1, 10, 0, 100, 1000, 0, 10000, 100000]),
    ];
    const { out } = await run(model(nodes, weights), Float32Array.from([1, 2, 3, 4]), [1, 2, 2]);
    // r = [1,2,0,3,4,0], mean = [1.5, 3.5] -> 1 + 20 + 300 + 4000 + 15000 + 350000
    expect(out.dims).toEqual([1, 1]);
    expect((out.data as Float32Array)[0]).toBeCloseTo(369321, 1);
  });

  it('names an op it cannot map, with the node, as MODEL_OP_UNSUPPORTED', () => {
    const m = model([placeholder('x', [1, 2]), { name: 'weird/node', op: 'Cumsum', input: ['x'] }], []);
    expect(() => convertTfjsToOnnx(m, { modelName: 'unit' })).toThrow(expect.objectContaining({ code: 'MODEL_OP_UNSUPPORTED', message: expect.stringContaining('weird/node') }));
  });
});
