/**
 * Reads a TensorFlow.js graph model (model.json + binary weight shards) from disk into plain
 * data: the node list, the decoded weights (float16 / uint8 / uint16 quantisation undone), the
 * signature, and a content hash of every byte read. No tfjs needed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errors } from '../errors/index.ts';

/** One attribute value of a TF NodeDef, as tfjs-converter writes it into model.json. */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { i?: (string | number)[]; s?: string[]; f?: number[] };
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
}

/** One TF graph node. Inputs name other nodes, optionally with `:k` for output k. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

/** A decoded weight (a Const node's value). */
export interface TfWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  data: Float32Array | Int32Array | Uint8Array;
}

/** A signature entry: TF tensor name (`node:k`) and its shape (-1 for unknown sizes). */
export interface TfTensorInfo {
  key: string;
  tensorName: string;
  shape: number[] | null;
}

/** A TFJS graph model held in memory. */
export interface TfjsGraphModel {
  /** Path of the model.json this came from. */
  path: string;
  /** sha256 (hex) over model.json followed by every weight shard, in manifest order. */
  sha256: string;
  generatedBy?: string;
  nodes: TfNode[];
  weights: Map<string, TfWeight>;
  /** Signature inputs/outputs when the model has one (top level or userDefinedMetadata). */
  signature: { inputs: TfTensorInfo[]; outputs: TfTensorInfo[] } | null;
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  modelTopology: { node: TfNode[] };
  weightsManifest: { paths: string[]; weights: ManifestWeight[] }[];
  signature?: RawSignature;
  userDefinedMetadata?: { signature?: RawSignature };
}
type RawSignature = Record<'inputs' | 'outputs', Record<string, { name: string; tensorShape?: { dim?: { size: string }[] } }>>;

/** Decodes IEEE 754 half-precision bit patterns to float32. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

function decodeWeight(w: ManifestWeight, bytes: Buffer, offset: number): { weight: TfWeight; size: number } {
  const count = w.shape.reduce((a, b) => a * b, 1);
  const slice = (n: number) => {
    // Copy into a fresh, aligned buffer: shard offsets need not be multiples of 4.
    const copy = new Uint8Array(n);
    copy.set(bytes.subarray(offset, offset + n));
    return copy.buffer;
  };
  const q = w.quantization;
  if (q && w.dtype === 'float32') {
    if (q.dtype === 'float16') {
      return { weight: { name: w.name, shape: w.shape, dtype: 'float32', data: float16ToFloat32(new Uint16Array(slice(count * 2))) }, size: count * 2 };
    }
    const raw = q.dtype === 'uint8' ? new Uint8Array(slice(count)) : new Uint16Array(slice(count * 2));
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = raw[i] * (q.scale ?? 1) + (q.min ?? 0);
    return { weight: { name: w.name, shape: w.shape, dtype: 'float32', data }, size: raw.byteLength };
  }
  if (w.dtype === 'float32') return { weight: { name: w.name, shape: w.shape, dtype: 'float32', data: new Float32Array(slice(count * 4)) }, size: count * 4 };
  if (w.dtype === 'int32') return { weight: { name: w.name, shape: w.shape, dtype: 'int32', data: new Int32Array(slice(count * 4)) }, size: count * 4 };
  if (w.dtype === 'bool') return { weight: { name: w.name, shape: w.shape, dtype: 'bool', data: new Uint8Array(slice(count)) }, size: count };
  throw errors.modelConversionFailed(w.name, `weight dtype ${w.dtype}${q ? ` quantised as ${q.dtype}` : ''} is not supported`);
}

function parseSignature(raw: RawSignature | undefined): TfjsGraphModel['signature'] {
  if (!raw?.inputs || !raw?.outputs) return null;
  const entries = (side: RawSignature['inputs']) => Object.entries(side).map(([key, v]) => ({
    key,
    tensorName: v.name,
    shape: v.tensorShape?.dim ? v.tensorShape.dim.map((d) => Number(d.size)) : null,
  }));
  return { inputs: entries(raw.inputs), outputs: entries(raw.outputs) };
}

/**
 * Loads a TFJS graph model from its model.json path, reading every weight shard listed in the
 * manifest (relative to the json). Throws MODEL_NOT_FOUND when a file is missing.
 */
export async function readTfjsGraphModel(modelJsonPath: string): Promise<TfjsGraphModel> {
  const read = fileReader('TFJS model file');
  const jsonBytes = await read(modelJsonPath);
  const json = JSON.parse(jsonBytes.toString('utf8')) as ModelJson;
  if (!json.modelTopology?.node || !Array.isArray(json.weightsManifest)) {
    throw errors.modelConversionFailed(modelJsonPath, 'not a TFJS graph model (no modelTopology.node or weightsManifest)');
  }
  const { sha256, weights } = await readWeightGroups(modelJsonPath, jsonBytes, json.weightsManifest, read);
  return {
    path: modelJsonPath,
    sha256,
    generatedBy: json.generatedBy,
    nodes: json.modelTopology.node,
    weights,
    signature: parseSignature(json.signature ?? json.userDefinedMetadata?.signature),
  };
}

/** Decoded weights of a bare TFJS weights manifest (no graph), e.g. face-api's `*-weights_manifest.json`. */
export interface TfjsWeights {
  path: string;
  /** sha256 (hex) over the manifest followed by every weight shard, in manifest order. */
  sha256: string;
  weights: Map<string, TfWeight>;
}

/**
 * Loads a weights manifest (a JSON array of `{paths, weights}` groups, shards relative to it).
 * Throws MODEL_NOT_FOUND when a file is missing.
 */
export async function readTfjsWeights(manifestPath: string): Promise<TfjsWeights> {
  const read = fileReader('TFJS weights file');
  const jsonBytes = await read(manifestPath);
  const groups = JSON.parse(jsonBytes.toString('utf8')) as ModelJson['weightsManifest'];
  if (!Array.isArray(groups)) throw errors.modelConversionFailed(manifestPath, 'not a TFJS weights manifest (expected an array of {paths, weights})');
  return { path: manifestPath, ...(await readWeightGroups(manifestPath, jsonBytes, groups, read)) };
}

/** Reads a file, or MODEL_NOT_FOUND naming what it is. */
function fileReader(what: string): (p: string) => Promise<Buffer> {
  return async (p) => {
    try {
      return await readFile(p);
    } catch (e) {
      throw Object.assign(errors.modelNotFound(what, p), { cause: e });
    }
  };
}

/** Reads and decodes every shard of a weights manifest; sha256 over the manifest bytes then the shards, in order. */
async function readWeightGroups(manifestPath: string, manifestBytes: Buffer, groups: ModelJson['weightsManifest'], read: (p: string) => Promise<Buffer>) {
  const hash = createHash('sha256').update(manifestBytes);
  const weights = new Map<string, TfWeight>();
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((p) => read(join(dirname(manifestPath), p))));
    for (const s of shards) hash.update(s);
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const w of group.weights) {
      const { weight, size } = decodeWeight(w, bytes, offset);
      weights.set(w.name, weight);
      offset += size;
    }
  }
  return { sha256: hash.digest('hex'), weights };
}
