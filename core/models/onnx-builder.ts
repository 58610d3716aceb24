/**
 * A small ONNX graph builder on top of `onnx-proto` (ONNX 1.10 protobuf classes).
 *
 * Used by the TFJS->ONNX converter and by anything else in Visage that writes ONNX models
 * (tiny CLIP-shaped test models, exported heads). Models are written with IR version 8 and
 * default-domain opset 17, which onnxruntime-node 1.30 loads directly from a Buffer.
 *
 * Keep this API stable: other modules build on it.
 *
 * @example
 *   const g = new OnnxGraphBuilder('affine');
 *   g.addInput('x', 'float32', ['batch', 4]);
 *   g.addInitializer('w', new Float32Array(8), [4, 2]);
 *   g.addNode('MatMul', ['x', 'w'], ['y']);
 *   g.addOutput('y', 'float32', ['batch', 2]);
 *   const bytes = g.serialize(); // Uint8Array, give to InferenceSession.create(bytes)
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** Opset of the default ONNX domain used for every model Visage writes. */
export const ONNX_OPSET = 17;
/** IR version written into ModelProto (the newest onnx-proto 8 knows). */
export const ONNX_IR_VERSION = 8;

/** Element types the builder can declare and store. */
export type OnnxElementType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';

/** A dimension: a fixed size, a symbolic name (e.g. 'batch'), or null for unknown. */
export type OnnxDim = number | string | null;

/** Typed arrays accepted as initializer data; the element type follows from the array class. */
export type InitializerData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

const ELEMENT_TYPE_CODE: Record<OnnxElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

function elementTypeOf(data: InitializerData): OnnxElementType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  return 'uint8';
}

/**
 * Attribute values. Plain numbers and number arrays are stored as INT/INTS when every value is an
 * integer, else as FLOAT/FLOATS; wrap with `attr.float()`/`attr.floats()` to force floats
 * (e.g. `alpha: attr.float(1)`). Strings become STRING; a `TensorAttr` becomes TENSOR.
 */
export type AttrValue = number | number[] | string | FloatAttr | FloatsAttr | TensorAttr;
interface FloatAttr { kind: 'float'; value: number }
interface FloatsAttr { kind: 'floats'; value: number[] }
interface TensorAttr { kind: 'tensor'; data: InitializerData; dims: number[] }

/** Explicit attribute wrappers for the cases plain numbers cannot express. */
export const attr = {
  float: (value: number): FloatAttr => ({ kind: 'float', value }),
  floats: (value: number[]): FloatsAttr => ({ kind: 'floats', value }),
  tensor: (data: InitializerData, dims: number[]): TensorAttr => ({ kind: 'tensor', data, dims }),
};

function tensorProto(name: string, data: InitializerData, dims: number[]): ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new RangeError(`initializer ${name}: dims [${dims.join(',')}] hold ${count} values, data has ${data.length}`);
  }
  // rawData is little-endian, which is the byte order of typed arrays on every platform Node supports.
  const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, dims, dataType: ELEMENT_TYPE_CODE[elementTypeOf(data)], rawData };
}

function attributeProto(name: string, value: AttrValue): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
  }
  if (Array.isArray(value)) {
    return value.every(Number.isInteger) ? { name, type: T.INTS, ints: value } : { name, type: T.FLOATS, floats: value };
  }
  switch (value.kind) {
    case 'float': return { name, type: T.FLOAT, f: value.value };
    case 'floats': return { name, type: T.FLOATS, floats: value.value };
    case 'tensor': return { name, type: T.TENSOR, t: tensorProto('', value.data, value.dims) };
  }
}

function valueInfo(name: string, type: OnnxElementType, shape?: OnnxDim[]): IValueInfoProto {
  const dim = shape?.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {}));
  return {
    name,
    type: { tensorType: { elemType: ELEMENT_TYPE_CODE[type], ...(dim && { shape: { dim } }) } },
  };
}

/** Options of `OnnxGraphBuilder.serialize`. */
export interface SerializeOptions {
  producerName?: string;
  producerVersion?: string;
  /** Free text stored in ModelProto.doc_string (e.g. the source model and its hash). */
  docString?: string;
  /** Key/value pairs stored in ModelProto.metadata_props. */
  metadata?: Record<string, string>;
}

/** Builds one ONNX graph node by node, then serializes it as a ModelProto. */
export class OnnxGraphBuilder {
  private readonly nodes: INodeProto[] = [];
  private readonly initializers: ITensorProto[] = [];
  private readonly inputs: IValueInfoProto[] = [];
  private readonly outputs: IValueInfoProto[] = [];
  /** Names of defined values (inputs, initializers, node outputs). */
  private readonly names = new Set<string>();
  /** Names handed out by `uniqueName` and not defined yet. */
  private readonly reserved = new Set<string>();
  private nodeCounter = 0;

  constructor(readonly graphName = 'graph') {}

  /** Declares a graph input. Returns its name. */
  addInput(name: string, type: OnnxElementType, shape: OnnxDim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares a graph output (an existing value). Shape may be omitted when unknown. */
  addOutput(name: string, type: OnnxElementType, shape?: OnnxDim[]): string {
    this.outputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Adds a constant tensor stored in the model. The element type follows the array class. */
  addInitializer(name: string, data: InitializerData, dims: number[]): string {
    this.claim(name);
    this.initializers.push(tensorProto(name, data, dims));
    return name;
  }

  /** Convenience: an int64 initializer from plain numbers (shapes, axes, pads). */
  addInt64(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.addInitializer(name, BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  }

  /**
   * Adds a node. `outputs` may be given as names, or as a count to get fresh unique names.
   * Returns the output names. Empty strings in `inputs` mark omitted optional inputs.
   */
  addNode(
    opType: string,
    inputs: string[],
    outputs: string[] | number = 1,
    attributes: Record<string, AttrValue> = {},
    name?: string,
  ): string[] {
    const nodeName = name ?? `${opType}_${this.nodeCounter}`;
    this.nodeCounter++;
    const outs = typeof outputs === 'number'
      ? Array.from({ length: outputs }, (_, i) => this.uniqueName(`${nodeName}:${i}`))
      : outputs;
    for (const o of outs) this.claim(o);
    const attribute = Object.entries(attributes).map(([k, v]) => attributeProto(k, v));
    this.nodes.push({ opType, input: inputs, output: outs, name: nodeName, attribute });
    return outs;
  }

  /** Like `addNode` with one output: returns that output's name. */
  op(opType: string, inputs: string[], attributes: Record<string, AttrValue> = {}, output?: string): string {
    return this.addNode(opType, inputs, output === undefined ? 1 : [output], attributes)[0];
  }

  /** A name not used or handed out yet in this graph, derived from `base`; reserved for the caller. */
  uniqueName(base: string): string {
    let candidate = base;
    for (let i = 1; this.names.has(candidate) || this.reserved.has(candidate); i++) candidate = `${base}_${i}`;
    this.reserved.add(candidate);
    return candidate;
  }

  /** Whether a value name is already used (input, initializer or node output). */
  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Number of nodes added so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Serializes the graph as an ONNX ModelProto (IR 8, opset 17). */
  serialize(options: SerializeOptions = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      producerName: options.producerName ?? 'visage',
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX graph ${this.graphName}: duplicate value name "${name}"`);
    this.reserved.delete(name);
    this.names.add(name);
  }
}
