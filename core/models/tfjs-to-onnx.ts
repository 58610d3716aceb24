/**
 * TFJS graph model -> ONNX converter.
 *
 * Design: TF's tensors are NHWC; onnxruntime's Conv and pools are NCHW. The converter tracks the
 * layout of every 4-D value: a Conv, depthwise Conv or pool reads NCHW and writes NCHW, and the ops
 * between convolutions (Add, Sub, Mul, Div, Max, Min, Relu, Relu6, PRelu, Sigmoid, Tanh, Elu, Pad,
 * Concat) stay NCHW, with their constants (PRelu slopes, pads, axes) permuted to match. A Transpose
 * back to NHWC is written only where an op needs TF's axis meaning (Reshape, Mean, Softmax, MatMul)
 * and at the graph outputs; one Transpose to NCHW follows the input.
 *
 * Knowing the layout lets the converter write ops the way onnxruntime's NCHWc transformer (the
 * blocked layout its x64 CPU convs run in) can keep blocked, instead of a reorder pair around each:
 * - PRelu as s*x + (1-s)*Relu(x), two 1x1 depthwise convs and a Relu. onnxruntime's own PRelu took
 *   60% of facemesh's time; this graph runs facemesh in 40% of the CPU.
 * - a Pad that appends zero channels (blazeface's and facemesh's stride-2 residual blocks) as a 1x1
 *   conv with identity weights, so the residual Add fuses into the conv.
 * - with `channelBlock` (16 on AVX-512), conv outputs stored with zero channels up to a whole block
 *   (blazeface's 24 channels), so that the pools reading them stay blocked too. Ops that need the
 *   exact channels (Concat, Sigmoid, Pad of other axes, a transpose back to NHWC) read a Slice.
 * The layout tracking by itself changes nothing at run time: onnxruntime's transpose optimizer
 * cancelled version 1's Transpose pair around every conv to the same optimized graph.
 *
 * Supported TF ops (the union of the @vladmandic/human face models, plus faceres' extras):
 * Placeholder, Const, Identity, _FusedConv2D (BiasAdd [+Relu|Relu6|Prelu|Elu|Sigmoid]), Conv2D,
 * DepthwiseConv2dNative, MaxPool, AvgPool, Add/AddV2, Sub, Mul, RealDiv, Maximum, Minimum, Relu,
 * Relu6, Sigmoid, Tanh, Softmax, Prelu, Pad, Reshape, Mean, ConcatV2, _FusedMatMul, MatMul.
 *
 * The file is over 400 lines because convertTfjsToOnnx is one switch over those ops, whose cases
 * share the conversion's state (the graph being built, each value's layout and channel width);
 * split into files, every case would take that state as arguments. The weight layouts are in
 * tfjs-weights.ts.
 */
import { OnnxGraphBuilder, type OnnxDim } from './onnx-builder.ts';
import type { TfAttr, TfjsGraphModel, TfNode, TfWeight } from './tfjs-graph.ts';
import { depthwiseToGrouped, hwioToOihw, transposeNhwcConst, zeroPadConv } from './tfjs-weights.ts';
import { errors } from '../errors/index.ts';

/** Bumped whenever converter output changes, so cached .onnx files are rebuilt. */
export const CONVERTER_VERSION = 2;

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
  /**
   * 'nchw-between-convs' (default): values stay NCHW from one convolution to the next.
   * 'nhwc': every convolution and pool is wrapped in its own Transpose pair (converter version 1's
   * graph, kept as the reference the layout-tracking graph is tested against).
   */
  layout?: 'nchw-between-convs' | 'nhwc';
  /**
   * The channel block of onnxruntime's NCHWc convs on the CPU that will run the model (16 with
   * AVX-512, `nchwcChannelBlock()`). A conv output whose channels are not a multiple of it is stored
   * with zero channels appended up to one, so that a pool reading it stays blocked: the NCHWc
   * transformer blocks pools only in whole blocks, and its convs compute whole blocks anyway.
   * 0 (default): never; elsewhere the zero channels would cost real work.
   */
  channelBlock?: number;
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

/** TF ops that keep a wide value wide (zero channels appended stay zero through them). */
const WIDE_READERS = new Set(['_FusedConv2D', 'Conv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative', 'MaxPool', 'AvgPool', 'Add', 'AddV2', 'Relu', 'Relu6', 'Elu', 'Prelu', 'Pad']);

/**
 * Converts an in-memory TFJS graph model to an ONNX model (IR 8, opset 17).
 * Throws MODEL_OP_UNSUPPORTED for a TF op without a mapping.
 */
export function convertTfjsToOnnx(model: TfjsGraphModel, options: ConvertOptions = {}): ConvertedModel {
  const modelName = options.modelName ?? model.path;
  const dynamicBatch = options.dynamicBatch ?? true;
  const keepNchw = (options.layout ?? 'nchw-between-convs') === 'nchw-between-convs';
  const block = keepNchw ? options.channelBlock ?? 0 : 0;
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
  /** ONNX values that hold their TF value transposed to NCHW (every other value is in TF's layout). */
  const nchwValues = new Set<string>();
  /** Transposes written so far, by `value|perm`: a value read by several ops is transposed once. */
  const transposes = new Map<string, string>();
  const transposeOnce = (v: string, perm: number[]) => {
    const key = `${v}|${perm.join(',')}`;
    let t = transposes.get(key);
    if (t === undefined) transposes.set(key, (t = g.op('Transpose', [v], { perm })));
    return t;
  };
  /** Channel counts of NCHW values, where known (from the conv weights that made them). */
  const channels = new Map<string, number>();
  /**
   * NCHW values stored with zero channels appended (see `blockWidth`), by their stored channel
   * count. Every op that keeps such a value wide keeps those channels exactly zero.
   */
  const widths = new Map<string, number>();
  const widthOf = (v: string) => widths.get(v) ?? channels.get(v);
  /** TF nodes by the nodes they read, to decide whether a conv's output may be stored wide. */
  const readers = new Map<string, TfNode[]>();
  for (const n of model.nodes) for (const i of n.input ?? []) {
    const from = stripPort(i);
    readers.set(from, [...(readers.get(from) ?? []), n]);
  }
  /**
   * The stored channel count of a conv's output: rounded up to a whole `channelBlock` when every
   * reader keeps it wide (blazeface's 24-channel stage on AVX-512, whose max pools stay blocked).
   */
  const blockWidth = (n: TfNode, c: number) => {
    if (block === 0 || c <= block || c % block === 0) return c;
    return (readers.get(n.name) ?? []).every((r) => WIDE_READERS.has(r.op)) ? Math.ceil(c / block) * block : c;
  };
  /** Slices of wide values back to their channels, by value. */
  const narrowed = new Map<string, string>();
  /** A wide value cut back to its channels, for an op that needs them exact. */
  const narrow = (v: string): string => {
    const c = channels.get(v);
    if (!widths.has(v) || c === undefined) return v;
    let cut = narrowed.get(v);
    if (cut === undefined) {
      cut = g.op('Slice', [v, g.addInt64(g.uniqueName(`${v}/from`), [0]), g.addInt64(g.uniqueName(`${v}/to`), [c]), g.addInt64(g.uniqueName(`${v}/axis`), [1])]);
      narrowed.set(v, cut);
      nchwValues.add(cut);
      channels.set(cut, c);
    }
    return cut;
  };
  /** Records a convolution's or pool's NCHW output; with layout 'nhwc' it goes straight back to NHWC. */
  const fromConv = (nchw: string, outChannels: number | undefined, width?: number) => {
    nchwValues.add(nchw);
    if (outChannels !== undefined) channels.set(nchw, outChannels);
    if (width !== undefined && outChannels !== undefined && width > outChannels) widths.set(nchw, width);
    return keepNchw ? nchw : transposeOnce(nchw, NCHW_TO_NHWC);
  };
  /** `y`, computed elementwise from `x`, is in x's layout (and width). */
  const sameLayout = (x: string, y: string) => {
    if (nchwValues.has(x)) nchwValues.add(y);
    const c = channels.get(x);
    if (c !== undefined) channels.set(y, c);
    const w = widths.get(x);
    if (w !== undefined) widths.set(y, w);
    return y;
  };
  /** Permuted copies of constants read by ops that run in NCHW, by TF name. */
  const nchwConsts = new Map<string, string>();
  const isConst = (ref: string) => nodes.get(stripPort(ref))?.op === 'Const' && model.weights.has(stripPort(ref));
  /**
   * A float constant that broadcasts against an NCHW value as it did against the NHWC one: its shape,
   * right-aligned to rank 4, permuted like the tensor. Undefined for a constant of higher rank.
   */
  const nchwConst = (ref: string): string | undefined => {
    const name = stripPort(ref);
    const w = weightOf(ref);
    if (w.shape.length > 4 || w.dtype !== 'float32') return undefined;
    if (w.shape.every((d) => d === 1)) return valueOf(ref); // a scalar broadcasts the same in any layout
    let known = nchwConsts.get(name);
    if (known === undefined) {
      const t = transposeNhwcConst(w.data as Float32Array, w.shape);
      nchwConsts.set(name, (known = g.addInitializer(g.uniqueName(`${name}/nchw`), t.data, t.dims)));
    }
    return known;
  };
  /** A conv bias with zeros appended up to `width` (the zero channels of a wide output). */
  const paddedBias = (ref: string, width: number) => {
    const b = new Float32Array(width);
    b.set(weightOf(ref).data as Float32Array);
    return g.addInitializer(g.uniqueName(`${stripPort(ref)}/wide`), b, [width]);
  };
  /** Resolves a TF input reference to its ONNX value as stored (NCHW when in `nchwValues`). */
  const stored = (ref: string): string => {
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
  /** Resolves a TF input reference to an ONNX value in TF's layout, materialising constants on first use. */
  const valueOf = (ref: string): string => {
    const v = stored(ref);
    return nchwValues.has(v) ? transposeOnce(narrow(v), NCHW_TO_NHWC) : v;
  };
  /** A 4-D TF input as an NCHW value. */
  const nchwOf = (ref: string): string => {
    const v = stored(ref);
    return nchwValues.has(v) ? v : transposeOnce(v, NHWC_TO_NCHW);
  };
  /**
   * An elementwise op on TF inputs. When every non-constant input is NCHW (and every constant can be
   * permuted) it runs in NCHW, else in TF's layout.
   */
  const elementwise = (opType: string, refs: string[]): string => {
    const vars = refs.filter((r) => !isConst(r));
    if (vars.length > 0 && vars.every((r) => nchwValues.has(stored(r)))) {
      // Wide inputs stay wide only where zero channels give zero: a sum or product of equally wide values.
      const keepWide = ['Add', 'Sub', 'Mul'].includes(opType) && vars.length === refs.length && new Set(vars.map((r) => widthOf(stored(r)))).size === 1;
      const ins = refs.map((r) => (isConst(r) ? nchwConst(r) : keepWide ? stored(r) : narrow(stored(r))));
      if (ins.every((v) => v !== undefined)) {
        return sameLayout(ins[refs.indexOf(vars[0])]!, g.op(opType, ins as string[]));
      }
    }
    return g.op(opType, refs.map(valueOf));
  };
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
  /**
   * PRelu of an NCHW value with per-channel slopes s, as s*x + (1-s)*Relu(x): a Relu and two 1x1
   * depthwise convs whose sum onnxruntime's NCHWc transformer fuses.
   */
  const preluAsConvs = (x: string, slopeRef: string): string | undefined => {
    const w = weightOf(slopeRef);
    if (w.dtype !== 'float32' || (w.data as Float32Array).length !== channels.get(x)) return undefined; // one slope per channel only
    const count = widthOf(x)!;
    const s = new Float32Array(count); // a wide value's zero channels get slope 0: s*0 + 1*Relu(0) = 0
    s.set(w.data as Float32Array);
    const depthwise = (input: string, scale: Float32Array, tag: string) =>
      g.op('Conv', [input, g.addInitializer(g.uniqueName(`${slopeRef}/${tag}`), scale, [count, 1, 1, 1])], { kernel_shape: [1, 1], group: count });
    return sameLayout(x, g.op('Add', [depthwise(x, s, 'slope'), depthwise(g.op('Relu', [x]), s.map((v) => 1 - v), 'one_minus_slope')]));
  };
  /**
   * Zero channels appended to an NCHW value, as a 1x1 conv whose weights copy the input channels
   * (1 on the diagonal, 0 elsewhere: exact). Unlike Pad, onnxruntime's NCHWc transformer keeps a conv
   * in its blocked layout and fuses the residual Add that follows (blazeface's stride-2 blocks).
   */
  const padChannels = (x: string, inChannels: number, extra: number): string => {
    const out = inChannels + extra;
    const inWidth = widthOf(x)!;
    const eye = new Float32Array(out * inWidth);
    for (let c = 0; c < inChannels; c++) eye[c * inWidth + c] = 1;
    const w = g.addInitializer(g.uniqueName(`${x}/pad_channels`), eye, [out, inWidth, 1, 1]);
    const y = g.op('Conv', [x, w], { kernel_shape: [1, 1] });
    nchwValues.add(y);
    channels.set(y, out);
    return y;
  };
  /** A (fused) activation of the ONNX value `x`, in x's layout. */
  const activation = (n: TfNode, x: string, kind: string, extraArgs: string[]): string => {
    if (!['', 'Relu', 'Relu6', 'Elu', 'Prelu'].includes(kind)) x = narrow(x); // f(0) != 0: zero channels would not stay zero
    switch (kind) {
      case '': return x;
      case 'Relu': return sameLayout(x, g.op('Relu', [x]));
      case 'Relu6': return sameLayout(x, g.op('Clip', [x, g.addInitializer(g.uniqueName('relu6_min'), new Float32Array([0]), []), g.addInitializer(g.uniqueName('relu6_max'), new Float32Array([6]), [])]));
      case 'Elu': return sameLayout(x, g.op('Elu', [x]));
      case 'Sigmoid': return sameLayout(x, g.op('Sigmoid', [x]));
      case 'Prelu': {
        const convs = nchwValues.has(x) ? preluAsConvs(x, extraArgs[0]) : undefined;
        if (convs !== undefined) return convs;
        x = narrow(x);
        const slope = nchwValues.has(x) ? nchwConst(extraArgs[0]) : valueOf(extraArgs[0]);
        if (slope === undefined) return g.op('PRelu', [transposeOnce(x, NCHW_TO_NHWC), valueOf(extraArgs[0])]);
        return sameLayout(x, g.op('PRelu', [x, slope]));
      }
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
        return stored(ins[0]);
      case '_FusedConv2D':
      case 'Conv2D': {
        const { bias, act } = n.op === 'Conv2D' ? { bias: false, act: '' } : fusedOps(n);
        const w = weightOf(ins[1]);
        const x = nchwOf(ins[0]);
        const [out, inChannels] = hwioToOihw(w).dims;
        const width = ['', 'Relu', 'Relu6', 'Elu', 'Prelu'].includes(act) ? blockWidth(n, out) : out;
        // Zero filters for zero channels appended to the output, zero taps for those of the input.
        const k = zeroPadConv(hwioToOihw(w), width, widthOf(x) ?? inChannels);
        const wName = g.addInitializer(g.uniqueName(`${ins[1]}/oihw`), k.data, k.dims);
        const convIns = [wName];
        if (bias) convIns.push(width > out ? paddedBias(ins[2], width) : valueOf(ins[2]));
        const y = fromConv(g.op('Conv', [x, ...convIns], convAttrs(n, [k.dims[2], k.dims[3]])), out, width);
        return activation(n, y, act, ins.slice(3));
      }
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        const { bias, act } = n.op === 'DepthwiseConv2dNative' ? { bias: false, act: '' } : fusedOps(n);
        let k = depthwiseToGrouped(weightOf(ins[1]));
        let x = nchwOf(ins[0]);
        const out = k.dims[0];
        // A wide input stays wide through a depthwise conv of one filter per channel (zero filters
        // for the zero channels); with several filters per channel it is cut back first.
        const width = k.group === out ? widthOf(x) ?? out : out;
        if (width > out) k = { ...zeroPadConv(k, width, 1), group: width };
        else x = narrow(x);
        const wName = g.addInitializer(g.uniqueName(`${ins[1]}/grouped`), k.data, k.dims);
        const convIns = [wName];
        if (bias) convIns.push(width > out ? paddedBias(ins[2], width) : valueOf(ins[2]));
        const attrs = { ...convAttrs(n, [k.dims[2], k.dims[3]]), group: k.group };
        const y = fromConv(g.op('Conv', [x, ...convIns], attrs), out, width);
        return activation(n, y, act, ins.slice(3));
      }
      case 'MaxPool':
      case 'AvgPool': {
        const ksize = listI(n.attr?.ksize);
        const attrs = convAttrs(n, [ksize[1], ksize[2]]);
        delete attrs.dilations;
        // TF AvgPool SAME divides by the count of real (unpadded) pixels: count_include_pad = 0.
        const x = nchwOf(ins[0]);
        return fromConv(g.op(n.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [x], attrs), channels.get(x), widths.get(x));
      }
      case 'Add': case 'AddV2': return elementwise('Add', ins.slice(0, 2));
      case 'Sub': return elementwise('Sub', ins.slice(0, 2));
      case 'Mul': return elementwise('Mul', ins.slice(0, 2));
      case 'RealDiv': return elementwise('Div', ins.slice(0, 2));
      case 'Maximum': return elementwise('Max', ins.slice(0, 2));
      case 'Minimum': return elementwise('Min', ins.slice(0, 2));
      case 'Relu': case 'Sigmoid': case 'Tanh': case 'Elu': {
        const x = n.op === 'Sigmoid' ? narrow(stored(ins[0])) : stored(ins[0]); // sigmoid(0) != 0
        return sameLayout(x, g.op(n.op, [x]));
      }
      case 'Relu6': return activation(n, stored(ins[0]), 'Relu6', []);
      case 'Softmax': return g.op('Softmax', [valueOf(ins[0])], { axis: -1 });
      case 'Prelu': return activation(n, stored(ins[0]), 'Prelu', [ins[1]]);
      case 'Pad': {
        const p = intsOf(ins[1]); // [[b0,e0],[b1,e1],...] -> [b0,b1,...,e0,e1,...]
        const rank = p.length / 2;
        const wide = stored(ins[0]);
        const inChannels = channels.get(wide);
        if (inChannels !== undefined && rank === 4 && p.slice(0, 7).every((v) => v === 0) && p[7] > 0) return padChannels(wide, inChannels, p[7]);
        const x = narrow(wide);
        // An NCHW input is padded in place: the TF dims' pairs taken in NCHW order.
        const dims = nchwValues.has(x) && rank === 4 ? NHWC_TO_NCHW : Array.from({ length: rank }, (_, i) => i);
        const pads = [...dims.map((d) => p[2 * d]), ...dims.map((d) => p[2 * d + 1])];
        return sameLayout(x, g.op('Pad', [x, g.addInt64(g.uniqueName(`${n.name}/pads`), pads)]));
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
        const parts = ins.slice(0, -1);
        if (parts.every((r) => nchwValues.has(stored(r)))) {
          // All NCHW (so rank 4): TF's axis is where the permutation put it.
          const y = g.op('Concat', parts.map((r) => narrow(stored(r))), { axis: NHWC_TO_NCHW.indexOf((axis + 4) % 4) });
          nchwValues.add(y);
          return y;
        }
        return g.op('Concat', parts.map(valueOf), { axis });
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
    if (!values.has(o.tfName)) throw fail(`output ${o.tfName} is not produced by the graph`);
    const src = valueOf(o.tfName); // in TF's layout
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
