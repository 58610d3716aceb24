/** Converter details on tiny hand-written TFJS graphs, checked against values computed by hand. */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
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

  it('stores 24-channel conv outputs wide with channelBlock 16, and cuts them back where channels must be exact', async () => {
    // conv 3->24 (Relu) -> depthwise -> conv 24->24 + residual -> max pool -> Relu, read by a Sigmoid,
    // a ConcatV2 and a channel Pad (24 -> 32): the wide values meet every op that keeps or cuts them.
    const conv = (stride: number, fused: string[]) => ({
      strides: { list: { i: ['1', String(stride), String(stride), '1'] } }, padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') },
      fused_ops: { list: { s: fused.map(b64) } }, num_args: { i: '1' },
    });
    const nodes: TfNode[] = [
      placeholder('x', [1, 8, 8, 3]), ...['w1', 'b1', 'dw', 'w2', 'b2', 'pads', 'axis'].map(constNode),
      { name: 'a', op: '_FusedConv2D', input: ['x', 'w1', 'b1'], attr: conv(1, ['BiasAdd', 'Relu']) },
      { name: 'd', op: 'DepthwiseConv2dNative', input: ['a', 'dw'], attr: { strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('SAME') } } },
      { name: 'p', op: '_FusedConv2D', input: ['d', 'w2', 'b2'], attr: conv(1, ['BiasAdd']) },
      { name: 's', op: 'AddV2', input: ['p', 'a'] },
      { name: 'm', op: 'MaxPool', input: ['s'], attr: { ksize: { list: { i: ['1', '2', '2', '1'] } }, strides: { list: { i: ['1', '2', '2', '1'] } }, padding: { s: b64('SAME') } } },
      { name: 'r', op: 'Relu', input: ['m'] },
      { name: 'sig', op: 'Sigmoid', input: ['r'] },
      { name: 'cat', op: 'ConcatV2', input: ['r', 'm', 'axis'] },
      { name: 'padded', op: 'Pad', input: ['m', 'pads'] },
    ];
    const wave = (n: number, phase: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase));
    const weights = [
      f32('w1', [3, 3, 3, 24], wave(648, 0)), f32('b1', [24], wave(24, 1)), f32('dw', [3, 3, 24, 1], wave(216, 2)),
      f32('w2', [1, 1, 24, 24], wave(576, 3)), f32('b2', [24], wave(24, 4)),
      i32('pads', [4, 2], [0, 0, 0, 0, 0, 0, 0, 8]), i32('axis', [], [3]),
    ];
    const m = model(nodes, weights);
    const wide = convertTfjsToOnnx(m, { modelName: 'unit', channelBlock: 16 });
    const reference = convertTfjsToOnnx(m, { modelName: 'unit', layout: 'nhwc' });
    const graph = onnxProto.onnx.ModelProto.decode(wide.bytes).graph!;
    const dims = (name: string) => graph.initializer!.find((t) => t.name === name)?.dims?.map(Number);
    const convWeights = graph.node!.filter((n) => n.opType === 'Conv').map((n) => dims(n.input![1])![0]);
    expect(convWeights.slice(0, 3)).toEqual([32, 32, 32]); // 24 channels stored as 32
    expect(graph.node!.filter((n) => n.opType === 'Slice').length).toBeGreaterThan(0);

    const x = Float32Array.from(wave(192, 5));
    const feeds = (c: typeof wide) => ({ [c.inputs[0].name]: new ort.Tensor('float32', x, [1, 8, 8, 3]) });
    const got = await (await ort.InferenceSession.create(wide.bytes)).run(feeds(wide));
    const want = await (await ort.InferenceSession.create(reference.bytes)).run(feeds(reference));
    expect(wide.outputs).toEqual(['sig', 'cat', 'padded']);
    for (const o of wide.outputs) {
      expect(got[o].dims).toEqual(want[o].dims);
      const a = got[o].data as Float32Array;
      const b = want[o].data as Float32Array;
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i]), `${o}[${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b[i])));
    }
    expect(got.padded.dims).toEqual([1, 4, 4, 32]);
  });
});
