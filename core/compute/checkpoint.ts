/**
 * Checkpoints: named f32 parameters in a safetensors file, plus a JSON sidecar beside it
 * (`model.safetensors` + `model.json`) with the config, class names, metrics and versions.
 *
 * safetensors layout: u64 little-endian header length N, N bytes of JSON header
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}), then the
 * raw little-endian data. Files are written to a temporary name and renamed, so a killed run
 * never leaves a truncated checkpoint.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errors } from '../errors/index.ts';
import type { ParameterRegistry } from './parameters.ts';
import { noGrad, type Tensor } from './tensor.ts';

export interface CheckpointSidecar {
  /** Model / training configuration needed to rebuild the model. */
  config?: Record<string, unknown>;
  /** Class names in logit order (keyed by name everywhere else). */
  classNames?: string[];
  metrics?: Record<string, number>;
  /** Filled in by saveCheckpoint: format, visage, node, and anything you add. */
  versions?: Record<string, string>;
  [extra: string]: unknown;
}

export interface LoadedCheckpoint {
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  sidecar: CheckpointSidecar;
}

const FORMAT_VERSION = '1';

/** `model.safetensors` -> `model.json`. */
export function sidecarPath(path: string): string {
  return path.replace(/\.safetensors$/, '') + '.json';
}

type Named = ParameterRegistry | Iterable<readonly [string, Tensor]>;

function entriesOf(params: Named): Array<readonly [string, Tensor]> {
  return 'entries' in params && typeof params.entries === 'function' && !(Symbol.iterator in params)
    ? (params as ParameterRegistry).entries()
    : [...(params as Iterable<readonly [string, Tensor]>)];
}

/** Writes the parameters (read back from their backend) and the sidecar. */
export async function saveCheckpoint(path: string, params: Named, sidecar: CheckpointSidecar = {}): Promise<void> {
  const entries = entriesOf(params);
  const header: Record<string, unknown> = { __metadata__: { format: 'visage', version: FORMAT_VERSION } };
  const blobs: Float32Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const data = await t.data();
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + data.byteLength] };
    blobs.push(data);
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (allowed by the format).
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const b of blobs) {
    // f32 arrays are little-endian on every platform Node supports.
    Buffer.from(b.buffer, b.byteOffset, b.byteLength).copy(out, at);
    at += b.byteLength;
  }
  const full: CheckpointSidecar = {
    ...sidecar,
    versions: { format: FORMAT_VERSION, visage: await visageVersion(), node: process.versions.node, ...sidecar.versions },
    parameters: entries.map(([name, t]) => ({ name, shape: [...t.shape] })),
  };
  await mkdir(dirname(path), { recursive: true });
  await atomicWrite(path, out);
  await atomicWrite(sidecarPath(path), Buffer.from(JSON.stringify(full, null, 2) + '\n'));
}

/** Reads a checkpoint and its sidecar (an absent sidecar reads as {}). */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch {
    throw errors.modelNotFound('checkpoint', path);
  }
  if (buf.length < 8) throw errors.checkpointInvalid(path, 'shorter than the 8-byte header length');
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) throw errors.checkpointInvalid(path, `header of ${n} bytes runs past the end of the file`);
  let header: unknown;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch (e) {
    throw errors.checkpointInvalid(path, `header is not JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) throw errors.checkpointInvalid(path, 'header is not a JSON object');
  const base = 8 + n;
  const dataBytes = buf.length - base;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { shape, begin, end } = checkTensorEntry(path, name, info, dataBytes);
    spans.push({ name, begin, end });
    // Copy into an aligned array (the data section need not be 4-byte aligned in foreign files).
    const data = new Float32Array((end - begin) / 4);
    Buffer.from(data.buffer).set(buf.subarray(base + begin, base + end));
    const bad = countNonFinite(data);
    if (bad) throw errors.checkpointInvalid(path, `${name}: ${bad} of its ${data.length} values are NaN or infinite (did training diverge?)`);
    tensors.set(name, { shape, data });
  }
  // Two tensors sharing bytes means the offsets were forged or the writer was broken.
  spans.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].begin < spans[i - 1].end) throw errors.checkpointInvalid(path, `${spans[i - 1].name} and ${spans[i].name} overlap in the data section`);
  }
  let sidecar: CheckpointSidecar = {};
  try {
    sidecar = JSON.parse(await readFile(sidecarPath(path), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw errors.checkpointInvalid(sidecarPath(path), (e as Error).message);
  }
  if (!isPlainObject(sidecar)) throw errors.checkpointInvalid(sidecarPath(path), 'the sidecar is not a JSON object');
  return { tensors, sidecar };
}

/** Total number of stored values: an upper bound for sizes a sidecar may claim before anything is allocated. */
export function storedValueCount(ckpt: LoadedCheckpoint): number {
  let n = 0;
  for (const t of ckpt.tensors.values()) n += t.data.length;
  return n;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one header entry against the safetensors rules, so no forged offset reads header bytes as weights. */
function checkTensorEntry(path: string, name: string, info: unknown, dataBytes: number): { shape: number[]; begin: number; end: number } {
  if (!isPlainObject(info)) throw errors.checkpointInvalid(path, `${name}: the header entry is ${info === null ? 'null' : typeof info}, not {dtype, shape, data_offsets}`);
  if (info.dtype !== 'F32') throw errors.checkpointInvalid(path, `${name} has dtype ${String(info.dtype)}; only F32 is supported`);
  const { shape, data_offsets: offsets } = info;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw errors.checkpointInvalid(path, `${name}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw errors.checkpointInvalid(path, `${name}: data_offsets ${JSON.stringify(offsets)} are not [begin, end] with 0 <= begin <= end`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataBytes) throw errors.checkpointInvalid(path, `${name}: data_offsets [${begin}, ${end}] run past the ${dataBytes}-byte data section`);
  const count = (shape as number[]).reduce((s, d) => s * d, 1);
  if (end - begin !== count * 4) throw errors.checkpointInvalid(path, `${name}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${shape}] of F32 needs ${count * 4}`);
  return { shape: shape as number[], begin, end };
}

function countNonFinite(data: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
  return bad;
}

export interface LoadParametersOptions {
  /** Fail when the checkpoint lacks a parameter or has an extra one (default true). */
  strict?: boolean;
}

/**
 * Copies checkpoint values into the registered parameters (shapes must match). Returns the names
 * that were loaded.
 */
export function loadParameters(registry: Named, ckpt: LoadedCheckpoint, path = 'checkpoint', opts: LoadParametersOptions = {}): string[] {
  const strict = opts.strict ?? true;
  const entries = entriesOf(registry);
  const loaded: string[] = [];
  const missing: string[] = [];
  for (const [name, t] of entries) {
    const src = ckpt.tensors.get(name);
    if (!src) {
      missing.push(name);
      continue;
    }
    if (src.shape.join() !== t.shape.join()) throw errors.checkpointMismatch(path, `${name} is [${src.shape}] in the file, [${t.shape}] in the model`);
    noGrad(() => t.backend.write(t.buffer, src.data));
    loaded.push(name);
  }
  if (strict) {
    const extra = [...ckpt.tensors.keys()].filter((n) => !entries.some(([m]) => m === n));
    if (missing.length) throw errors.checkpointMismatch(path, `missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
    if (extra.length) throw errors.checkpointMismatch(path, `unexpected ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`);
  }
  return loaded;
}

async function atomicWrite(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

let cachedVersion: string | undefined;
async function visageVersion(): Promise<string> {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    cachedVersion = String(pkg.version ?? 'unknown');
  } catch {
    cachedVersion = 'unknown';
  }
  return cachedVersion;
}
