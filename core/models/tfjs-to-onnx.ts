/**
 * TFJS graph model -> ONNX converter.
 *
 * Design: tensors stay NHWC, as in TF. Every Conv, depthwise Conv and MaxPool is wrapped as
 * `Transpose(NHWC->NCHW) -> op -> Transpose(NCHW->NHWC)`; onnxruntime's transpose optimizer
 * cancels the adjacent pairs, so the wrapping costs nothing at run time and every other op
 * (Add, PRelu with per-channel slopes, Pad, Reshape, Mean) keeps TF's axis meaning unchanged.
 *
 * Supported TF ops (the union of the @vladmandic/human face models, plus faceres' extras):
 * Placeholder, Const, Identity, _FusedConv2D (BiasAdd [+Relu|Relu6|Prelu|Elu|Sigmoid]), Conv2D,
 * DepthwiseConv2dNative, MaxPool, AvgPool, Add/AddV2, Sub, Mul, RealDiv, Maximum, Minimum, Relu,
 * Relu6, Sigmoid, Tanh, Softmax, Prelu, Pad, Reshape, Mean, ConcatV2, _FusedMatMul, MatMul.
 */
import { OnnxGraphBuilder, type OnnxDim } from './onnx-builder.ts';
import type { TfAttr, TfjsGraphModel, TfNode, TfWeight } from './tfjs-graph.ts';
import { errors } from '../errors/index.ts';

/** Bumped whenever converter output changes, so cached .onnx files are rebuilt. */
export const CONVERTER_VERSION = 1;

/** Options of `convertTfjsToOnnx`. */
export interface ConvertOptions {
  /** Name used in error messages and metadata (default: the model path). */
  modelName?: string;
  /**
   * Make a fixed batch dimension of 1 dynamic (input dim 0 becomes 'batch', and Reshape shape
   * constants that start with that 1 get -1). Deviation from the source graph, on by default so
   * that blazeface (exported with batch 1) can run a whole clip in one call.
   */
  dynamicBatch?: boolean;
  /** Extra graph outputs by TF node name (for values that also feed other nodes). */
  extraOutputs?: string[];
}

/** Result of a conversion. */
export interface ConvertedModel {
  bytes: Uint8Array;
  inputs: { name: string; shape: OnnxDim[] }[];
  /** ONNX output names, in signature order (or in graph order when there is no signature). */
  outputs: string[];
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

const decodeS = (s: string | undefined) => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));
const listI = (a: TfAttr | undefined) => (a?.list?.i ?? []).map(Number);
const stripPort = (name: string) => name.replace(/^\^/, '').replace(/:0$/, '');

/** Transposes a TF HWIO conv kernel to ONNX OIHW. */
export function hwioToOihw(w: TfWeight): { data: Float32Array; dims: number[] } {
  const [kh, kw, ci, co] = w.shape;
  const src = w.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let h = 0; h < kh; h++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    out[((o * ci + i) * kh + h) * kw + x] = src[((h * kw + x) * ci + i) * co + o];
  }
  return { data: out, dims: [co, ci, kh, kw] };
}

/** Depthwise kernel [kh,kw,C,M] -> grouped conv kernel [C*M,1,kh,kw] (group = C). */
export function depthwiseToGrouped(w: TfWeight): { data: Float32Array; dims: number[]; group: number } {
  const [kh, kw, c, m] = w.shape;
  const src = w.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let h = 0; h < kh; h++) for (let x = 0; x < kw; x++) for (let ch = 0; ch < c; ch++) for (let k = 0; k < m; k++) {
    out[((ch * m + k) * kh + h) * kw + x] = src[((h * kw + x) * c + ch) * m + k];
  }
  return { data: out, dims: [c * m, 1, kh, kw], group: c };
}

/**
 * Converts an in-memory TFJS graph model to an ONNX model (IR 8, opset 17).
 * Throws MODEL_OP_UNSUPPORTED for a TF op without a mapping.
 */
export function convertTfjsToOnnx(model: TfjsGraphModel, options: ConvertOptions = {}): ConvertedModel {
  const modelName = options.modelName ?? model.path;
  const dynamicBatch = options.dynamicBatch ?? true;
  const g = new OnnxGraphBuilder(modelName.replace(/[^\w.-]+/g, '_'));
  const nodes = new Map(model.nodes.map((n) => [n.name, n]));
  /** TF value name -> ONNX value name (Identity nodes alias their input). */
  const values = new Map<string, string>();
  const inputs: ConvertedModel['inputs'] = [];
  let fixedBatch: number | null = null;
  let batchIsDynamic = false;

  const fail = (detail: string) => errors.modelConversionFailed(modelName, detail);
  const weightOf = (ref: string): TfWeight => {
    const name = stripPort(ref);
    const w = model.weights.get(name);
    if (!w || nodes.get(name)?.op !== 'Const') throw fail(`expected a constant for ${name}`);
    return w;
  };
  const intsOf = (ref: string) => Array.from(weightOf(ref).data as Int32Array, Number);
  /** Resolves a TF input reference to an ONNX value, materialising constants on first use. */
  const valueOf = (ref: string): string => {
    const name = stripPort(ref);
    const known = values.get(name);
    if (known !== undefined) return known;
    const w = model.weights.get(name);
    if (w && nodes.get(name)?.op === 'Const') {
      const onnxName = g.uniqueName(name);
      if (w.dtype === 'int32') g.addInt64(onnxName, Array.from(w.data as Int32Array), w.shape);
      else g.addInitializer(onnxName, w.data as Float32Array, w.shape);
      values.set(name, onnxName);
      return onnxName;
    }
    throw fail(`node input ${ref} is not produced by any converted node`);
  };
  const nhwc = (x: string, inner: (nchw: string) => string) =>
    g.op('Transpose', [inner(g.op('Transpose', [x], { perm: NHWC_TO_NCHW }))], { perm: NCHW_TO_NHWC });
  const convAttrs = (n: TfNode, kernel: number[]) => {
    const strides = listI(n.attr?.strides);
    const dilations = listI(n.attr?.dilations);
    const padding = decodeS(n.attr?.padding?.s);
    const attrs: Record<string, number[] | string | number> = {
      kernel_shape: kernel,
      strides: strides.length === 4 ? [strides[1], strides[2]] : [1, 1],
    };
    if (dilations.length === 4) attrs.dilations = [dilations[1], dilations[2]];
    if (padding === 'SAME') attrs.auto_pad = 'SAME_UPPER'; // TF pads the extra pixel at the end
    else if (padding === 'VALID') attrs.auto_pad = 'VALID';
    else if (padding === 'EXPLICIT') {
      const p = listI(n.attr?.explicit_paddings); // [[0,0],[t,b],[l,r],[0,0]]
      attrs.pads = [p[2], p[4], p[3], p[5]];
    } else throw fail(`node ${n.name}: padding ${padding || '(none)'} is not supported`);
    if (decodeS(n.attr?.data_format?.s || '') !== 'NHWC' && n.attr?.data_format) throw fail(`node ${n.name}: only NHWC data_format is supported`);
    return attrs;
  };
  const activation = (n: TfNode, x: string, kind: string, extraArgs: string[]): string => {
    switch (kind) {
      case '': return x;
      case 'Relu': return g.op('Relu', [x]);
      case 'Relu6': return g.op('Clip', [x, g.addInitializer(g.uniqueName('relu6_min'), new Float32Array([0]), []), g.addInitializer(g.uniqueName('relu6_max'), new Float32Array([6]), [])]);
      case 'Elu': return g.op('Elu', [x]);
      case 'Sigmoid': return g.op('Sigmoid', [x]);
      case 'Prelu': return g.op('PRelu', [x, valueOf(extraArgs[0])]);
      default: throw errors.modelOpUnsupported(modelName, `fused ${kind}`, n.name);
    }
  };
  /** Splits `fused_ops` into BiasAdd presence and the activation name. */
  const fusedOps = (n: TfNode) => {
    const ops = (n.attr?.fused_ops?.list?.s ?? []).map(decodeS);
    if (ops.some((o) => o !== 'BiasAdd' && !['Relu', 'Relu6', 'Elu', 'Sigmoid', 'Prelu'].includes(o))) {
      throw errors.modelOpUnsupported(modelName, `fused ${ops.join('+')}`, n.name);
    }
    return { bias: ops.includes('BiasAdd'), act: ops.find((o) => o !== 'BiasAdd') ?? '' };
  };

  const convert = (n: TfNode): string | null => {
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^'));
    switch (n.op) {
      case 'Const':
        return null; // materialised lazily by valueOf, in the layout its consumer needs
      case 'Placeholder': {
        const dims = n.attr?.shape?.shape?.dim?.map((d) => Number(d.size)) ?? [];
        let shape: OnnxDim[] = dims.map((d) => (d < 0 ? null : d));
        if (dims[0] === -1) {
          shape[0] = 'batch';
          batchIsDynamic = true;
        }
        if (dynamicBatch && dims[0] === 1) {
          fixedBatch = 1;
          batchIsDynamic = true;
          shape = ['batch', ...shape.slice(1)];
        }
        g.addInput(n.name, 'float32', shape);
        inputs.push({ name: n.name, shape });
        return n.name;
      }
      case 'Identity':
        return valueOf(ins[0]);
      case '_FusedConv2D':
      case 'Conv2D': {
        const { bias, act } = n.op === 'Conv2D' ? { bias: false, act: '' } : fusedOps(n);
        const w = weightOf(ins[1]);
        const k = hwioToOihw(w);
        const wName = g.addInitializer(g.uniqueName(`${ins[1]}/oihw`), k.data, k.dims);
        const convIns = [wName];
        if (bias) convIns.push(valueOf(ins[2]));
        const y = nhwc(valueOf(ins[0]), (x) => g.op('Conv', [x, ...convIns], convAttrs(n, [k.dims[2], k.dims[3]])));
        return activation(n, y, act, ins.slice(3));
      }
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        const { bias, act } = n.op === 'DepthwiseConv2dNative' ? { bias: false, act: '' } : fusedOps(n);
        const k = depthwiseToGrouped(weightOf(ins[1]));
        const wName = g.addInitializer(g.uniqueName(`${ins[1]}/grouped`), k.data, k.dims);
        const convIns = [wName];
        if (bias) convIns.push(valueOf(ins[2]));
        const attrs = { ...convAttrs(n, [k.dims[2], k.dims[3]]), group: k.group };
        const y = nhwc(valueOf(ins[0]), (x) => g.op('Conv', [x, ...convIns], attrs));
        return activation(n, y, act, ins.slice(3));
      }
      case 'MaxPool':
      case 'AvgPool': {
        const ksize = listI(n.attr?.ksize);
        const attrs = convAttrs(n, [ksize[1], ksize[2]]);
        delete attrs.dilations;
        // TF AvgPool SAME divides by the count of real (unpadded) pixels: count_include_pad = 0.
        return nhwc(valueOf(ins[0]), (x) => g.op(n.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [x], attrs));
      }
      case 'Add': case 'AddV2': return g.op('Add', [valueOf(ins[0]), valueOf(ins[1])]);
      case 'Sub': return g.op('Sub', [valueOf(ins[0]), valueOf(ins[1])]);
      case 'Mul': return g.op('Mul', [valueOf(ins[0]), valueOf(ins[1])]);
      case 'RealDiv': return g.op('Div', [valueOf(ins[0]), valueOf(ins[1])]);
      case 'Maximum': return g.op('Max', [valueOf(ins[0]), valueOf(ins[1])]);
      case 'Minimum': return g.op('Min', [valueOf(ins[0]), valueOf(ins[1])]);
      case 'Relu': case 'Sigmoid': case 'Tanh': case 'Elu':
        return g.op(n.op, [valueOf(ins[0])]);
      case 'Relu6': return activation(n, valueOf(ins[0]), 'Relu6', []);
      case 'Softmax': return g.op('Softmax', [valueOf(ins[0])], { axis: -1 });
      case 'Prelu': return g.op('PRelu', [valueOf(ins[0]), valueOf(ins[1])]);
      case 'Pad': {
        const p = intsOf(ins[1]); // [[b0,e0],[b1,e1],...] -> [b0,b1,...,e0,e1,...]
        const rank = p.length / 2;
        const pads = [...Array.from({ length: rank }, (_, i) => p[2 * i]), ...Array.from({ length: rank }, (_, i) => p[2 * i + 1])];
        return g.op('Pad', [valueOf(ins[0]), g.addInt64(g.uniqueName(`${n.name}/pads`), pads)]);
      }
      case 'Reshape': {
        const shape = intsOf(ins[1]);
        if (fixedBatch !== null && shape[0] === fixedBatch && !shape.includes(-1)) shape[0] = -1;
        // A fresh initializer per use: a shared shape const would be a duplicate initializer.
        return g.op('Reshape', [valueOf(ins[0]), g.addInt64(g.uniqueName(`${n.name}/shape`), shape)]);
      }
      case 'Mean': {
        const axes = intsOf(ins[1]);
        return g.op('ReduceMean', [valueOf(ins[0])], { axes, keepdims: n.attr?.keep_dims?.b ? 1 : 0 });
      }
      case 'ConcatV2': {
        const axis = intsOf(ins[ins.length - 1])[0];
        return g.op('Concat', ins.slice(0, -1).map(valueOf), { axis });
      }
      case 'MatMul':
      case '_FusedMatMul': {
        const ta = n.attr?.transpose_a?.b ? 1 : 0;
        const tb = n.attr?.transpose_b?.b ? 1 : 0;
        let a = valueOf(ins[0]);
        let b = valueOf(ins[1]);
        if (ta) a = g.op('Transpose', [a], { perm: [1, 0] });
        if (tb) b = g.op('Transpose', [b], { perm: [1, 0] });
        let y = g.op('MatMul', [a, b]);
        if (n.op === 'MatMul') return y;
        const { bias, act } = fusedOps(n);
        if (bias) y = g.op('Add', [y, valueOf(ins[2])]);
        return activation(n, y, act, ins.slice(3));
      }
      default:
        throw errors.modelOpUnsupported(modelName, n.op, n.name);
    }
  };

  // Nodes in model.json are topologically sorted by tfjs-converter; convert in that order.
  for (const n of model.nodes) {
    const out = convert(n);
    if (out !== null) values.set(n.name, out);
  }

  // Graph outputs: the signature's outputs, else nodes nobody consumes.
  let outputRefs: { onnxName: string; tfName: string; shape: number[] | null }[];
  if (model.signature) {
    outputRefs = model.signature.outputs.map((o) => ({ onnxName: stripPort(o.key), tfName: stripPort(o.tensorName), shape: o.shape }));
  } else {
    const consumed = new Set(model.nodes.flatMap((n) => (n.input ?? []).map(stripPort)));
    outputRefs = model.nodes
      .filter((n) => n.op !== 'Const' && n.op !== 'Placeholder' && !consumed.has(n.name))
      .map((n) => ({ onnxName: n.name, tfName: n.name, shape: null }));
  }
  for (const extra of options.extraOutputs ?? []) outputRefs.push({ onnxName: extra, tfName: extra, shape: null });

  const outputs: string[] = [];
  for (const o of outputRefs) {
    const src = values.get(o.tfName);
    if (src === undefined) throw fail(`output ${o.tfName} is not produced by the graph`);
    const name = g.has(o.onnxName) ? g.uniqueName(o.onnxName) : o.onnxName;
    g.addNode('Identity', [src], [name]);
    const shape = o.shape?.map((d, i): OnnxDim => (i === 0 && batchIsDynamic ? 'batch' : d < 0 ? null : d));
    g.addOutput(name, 'float32', shape);
    outputs.push(name);
  }
  const bytes = g.serialize({
    producerName: 'visage-tfjs-to-onnx',
    producerVersion: String(CONVERTER_VERSION),
    docString: `converted from ${model.generatedBy ?? 'a TFJS graph model'}`,
    metadata: { source_sha256: model.sha256, converter_version: String(CONVERTER_VERSION) },
  });
  return { bytes, inputs, outputs };
}
