/**
 * A content-keyed cache of frozen features (e.g. per-frame CLIP embeddings of one clip and level),
 * so training epochs and repeated predictions never run the frozen encoders twice.
 *
 * Key: sha256 over the clip source's fingerprint (path, size and mtime of the file, or of every file
 * of a frame folder), the level, the plugin version, the model hash and the level configuration.
 * Changing any of them misses the cache, so stale features are never served.
 *
 * Value: named f32 tensors in one file `<dir>/<key[0..2]>/<key>.feat`:
 * u32 LE header length N, N bytes of JSON ({tensors: {name: {shape, offset}}, meta}) padded to a
 * multiple of 4, then the raw little-endian f32 data. Writes go to a unique temporary file that is
 * renamed into place, so a killed run leaves either the whole entry or none, and a rerun resumes.
 * The header carries the sha256 of the data, and the file must be exactly as long as the header says:
 * an entry damaged on disk is removed with a warning and recomputed, never served or left to fail
 * every later run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { featureCacheInvalid, inputNotFound } from '../errors/messages.ts';

/** One stored tensor: row-major f32 values and their shape. */
export interface FeatureTensor {
  shape: number[];
  data: Float32Array;
}

/** What one cache entry holds. */
export interface FeatureEntry {
  tensors: Record<string, FeatureTensor>;
  /** Small JSON facts (frames with a face, sentence count...). */
  meta?: Record<string, unknown>;
}

/** The parts of a feature key; every one of them invalidates the entry when it changes. */
export interface FeatureKeyParts {
  /** `sourceFingerprint(path)` of the clip. */
  source: string;
  /** Level slot or name, e.g. "frames". */
  level: string;
  pluginVersion: string;
  /** Hash of the frozen encoder (see `fileFingerprint`). */
  modelHash: string;
  /** Anything else that changes the features: frame count, sampling, crop mode, level options. */
  config?: unknown;
}

/** The default location under the host's cache folder. */
export function defaultFeatureDir(cacheDir: string): string {
  return join(cacheDir, 'features');
}

/** A stable hex key for the parts (object keys are sorted, so option order does not matter). */
export function featureKey(parts: FeatureKeyParts): string {
  return createHash('sha256').update(stableJson(parts)).digest('hex');
}

/**
 * Cheap identity of a clip source: absolute path, size and mtime of a file, or of each file of a
 * folder (frame folders). Throws INPUT_NOT_FOUND when the path does not exist.
 */
export async function sourceFingerprint(path: string): Promise<string> {
  const abs = resolve(path);
  let st;
  try {
    st = await stat(abs);
  } catch {
    throw inputNotFound(path);
  }
  if (!st.isDirectory()) return `${abs}|${st.size}|${st.mtimeMs}`;
  const names = (await readdir(abs)).sort();
  const parts = await Promise.all(names.map(async (n) => {
    const s = await stat(join(abs, n));
    return `${n}|${s.size}|${s.mtimeMs}`;
  }));
  return createHash('sha256').update(`${abs}\n${parts.join('\n')}`).digest('hex');
}

const fileHashes = new Map<string, Promise<string>>();

/** sha256 of a file's bytes (memoised per path, size and mtime for the process: models are large). */
export async function fileFingerprint(path: string): Promise<string> {
  const st = await stat(path).catch(() => { throw inputNotFound(path); });
  const memo = `${resolve(path)}|${st.size}|${st.mtimeMs}`;
  let h = fileHashes.get(memo);
  if (!h) {
    h = readFile(path).then((b) => createHash('sha256').update(b).digest('hex'));
    fileHashes.set(memo, h);
  }
  return h;
}

export class FeatureCache {
  /** @param warn where removed corrupt entries are reported (default: stderr). */
  constructor(readonly dir: string, private readonly warn: (message: string) => void = (m) => process.stderr.write(`warn: ${m}\n`)) {}

  /** Path of the entry file of a key. */
  pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.feat`);
  }

  /** The entry, or undefined on a miss. A corrupt entry is removed with a warning and reads as a miss. */
  async get(key: string): Promise<FeatureEntry | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      return decodeEntry(this.pathOf(key), buf);
    } catch (e) {
      this.warn(`${(e as Error).message}: removed, the features are computed again`);
      await rm(this.pathOf(key), { force: true });
      return undefined;
    }
  }

  async has(key: string): Promise<boolean> {
    return stat(this.pathOf(key)).then(() => true, () => false);
  }

  /** Stores an entry atomically (temporary file + rename); concurrent writers of one key are safe. */
  async put(key: string, entry: FeatureEntry): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, encodeEntry(entry));
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Removes one entry (no error when absent). */
  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** Serialises an entry (see the file comment for the layout). */
export function encodeEntry(entry: FeatureEntry): Buffer {
  const header: { tensors: Record<string, { shape: number[]; offset: number }>; meta: Record<string, unknown>; sha256?: string } = { tensors: {}, meta: entry.meta ?? {} };
  let offset = 0;
  for (const [name, t] of Object.entries(entry.tensors)) {
    const count = t.shape.reduce((s, d) => s * d, 1);
    if (count !== t.data.length) throw featureCacheInvalid(name, `shape [${t.shape}] holds ${count} values, data has ${t.data.length}`);
    header.tensors[name] = { shape: [...t.shape], offset };
    offset += t.data.byteLength;
  }
  const dataHash = createHash('sha256');
  for (const t of Object.values(entry.tensors)) dataHash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  header.sha256 = dataHash.digest('hex');
  let json = JSON.stringify(header);
  json += ' '.repeat((4 - (Buffer.byteLength(json) % 4)) % 4);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(4 + head.length + offset);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let at = 4 + head.length;
  for (const t of Object.values(entry.tensors)) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, at);
    at += t.data.byteLength;
  }
  return out;
}

/** Parses an entry written by `encodeEntry`; `file` names it in errors. */
export function decodeEntry(file: string, buf: Buffer): FeatureEntry {
  if (buf.length < 4) throw featureCacheInvalid(file, 'shorter than its 4-byte header length');
  const n = buf.readUInt32LE(0);
  if (4 + n > buf.length) throw featureCacheInvalid(file, `header of ${n} bytes runs past the end`);
  let header: { tensors?: unknown; meta?: unknown; sha256?: unknown };
  try {
    header = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
  } catch (e) {
    throw featureCacheInvalid(file, `header is not JSON (${(e as Error).message})`);
  }
  if (!isObject(header) || !isObject(header.tensors)) throw featureCacheInvalid(file, 'header has no "tensors" object');
  const base = 4 + n;
  const tensors: Array<[string, FeatureTensor]> = [];
  let expectedEnd = 0;
  for (const [name, info] of Object.entries(header.tensors)) {
    const { shape, offset } = (isObject(info) ? info : {}) as { shape?: unknown; offset?: unknown };
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw featureCacheInvalid(file, `${name}: shape is not a list of non-negative integers`);
    // Tensors are written back to back in header order: any other offset is damage.
    if (offset !== expectedEnd) throw featureCacheInvalid(file, `${name}: offset ${String(offset)} where ${expectedEnd} was written`);
    const count = (shape as number[]).reduce((s, d) => s * d, 1);
    expectedEnd += count * 4;
    if (base + expectedEnd > buf.length) throw featureCacheInvalid(file, `${name} [${shape}] runs past the end`);
    const data = new Float32Array(count);
    Buffer.from(data.buffer).set(buf.subarray(base + offset, base + expectedEnd));
    tensors.push([name, { shape: shape as number[], data }]);
  }
  if (base + expectedEnd !== buf.length) throw featureCacheInvalid(file, `${buf.length - base - expectedEnd} bytes after the last tensor`);
  if (typeof header.sha256 === 'string' && createHash('sha256').update(buf.subarray(base)).digest('hex') !== header.sha256) {
    throw featureCacheInvalid(file, 'the data does not match its sha256 (damaged on disk)');
  }
  // fromEntries keeps a tensor named like an Object.prototype key as an own entry.
  return { tensors: Object.fromEntries(tensors), meta: isObject(header.meta) ? header.meta : {} };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}
