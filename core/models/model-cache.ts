/**
 * On-disk cache of converted ONNX models, keyed by the hash of their source files.
 *
 * Layout: `<cacheRoot>/models/<name>-<sha256[0:16]>-c<converterVersion>.onnx`. A changed source
 * model or converter gets a new file name, so a stale file is never read. Files are written to a
 * temp name and renamed, so concurrent processes and killed runs never leave a half-written model.
 *
 * Each model has a sidecar `<file>.sha256` ({size, sha256}) written after it. A model is trusted only
 * when it matches its sidecar, so a file truncated or corrupted on disk (a full disk, a crash before
 * the data reached it, a copy gone wrong) is rebuilt with a warning that names it, instead of failing
 * every later run inside onnxruntime.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { errors } from '../errors/index.ts';

/**
 * The model cache folder: `$VISAGE_CACHE_DIR/models` when that env var is set (it names the
 * Visage cache root, shared with other caches), else `~/.cache/visage/models`.
 */
export function defaultModelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.VISAGE_CACHE_DIR || join(homedir(), '.cache', 'visage');
  return join(root, 'models');
}

/** Writes `bytes` to `path` atomically (temp file in the same folder, then rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** A cached model file. */
export interface CachedModel {
  path: string;
  bytes: Uint8Array;
  /** True when the file was already in the cache. */
  hit: boolean;
}

/** Cache of built model files under one folder. */
export class ModelCache {
  /**
   * @param warn where cache repairs are reported (default: stderr).
   * @param debug where hits and misses are reported (`--log-level debug`; default: nowhere).
   */
  constructor(
    readonly dir: string = defaultModelCacheDir(),
    private readonly warn: (message: string) => void = (m) => process.stderr.write(`warn: ${m}\n`),
    private readonly debug: (message: string) => void = () => {},
  ) {}

  /** The file a model with this name and source hash is stored in. */
  pathFor(name: string, sourceSha256: string, variant = ''): string {
    const safe = name.replace(/[^\w.-]+/g, '_');
    return join(this.dir, `${safe}-${sourceSha256.slice(0, 16)}${variant ? `-${variant}` : ''}.onnx`);
  }

  /**
   * Returns the cached file for (name, hash, variant), building and storing it on a miss.
   * A cache that cannot be written is an error (MODEL_CACHE_UNWRITABLE) rather than a silent
   * rebuild on every run.
   */
  async getOrBuild(
    name: string,
    sourceSha256: string,
    build: () => Uint8Array | Promise<Uint8Array>,
    variant = '',
  ): Promise<CachedModel> {
    const path = this.pathFor(name, sourceSha256, variant);
    const cached = await this.readVerified(path);
    if (cached) {
      this.debug(`model cache: hit ${path}`);
      return { path, bytes: cached, hit: true };
    }
    this.debug(`model cache: miss ${path} (building ${name})`);
    const bytes = await build();
    try {
      await writeFileAtomic(path, bytes);
      // The sidecar goes last: a run killed in between leaves a model no later run trusts.
      await writeFileAtomic(checksumPath(path), Buffer.from(JSON.stringify(checksumOf(bytes)) + '\n'));
    } catch (e) {
      throw Object.assign(errors.modelCacheUnwritable(this.dir, (e as Error).message), { cause: e });
    }
    return { path, bytes, hit: false };
  }

  /** The cached bytes when they match their sidecar; a mismatching entry is removed with a warning. */
  private async readVerified(path: string): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch {
      return undefined; // missing or unreadable: rebuild; a cache that cannot be written is reported by the caller
    }
    let expected: { size?: unknown; sha256?: unknown } | undefined;
    try {
      expected = JSON.parse(await readFile(checksumPath(path), 'utf8'));
    } catch {
      expected = undefined;
    }
    const actual = checksumOf(bytes);
    if (expected?.size === actual.size && expected?.sha256 === actual.sha256) return bytes;
    const why = expected === undefined
      ? 'has no valid checksum sidecar (written by an older Visage, or a run killed while storing it)'
      : `is corrupt (${actual.size} bytes, sha256 ${actual.sha256.slice(0, 12)}; expected ${String(expected.size)} bytes, sha256 ${String(expected.sha256).slice(0, 12)})`;
    this.warn(`cached model ${path} ${why}: removed, rebuilding it`);
    await rm(path, { force: true });
    await rm(checksumPath(path), { force: true });
    return undefined;
  }
}

/** `<model>.onnx.sha256`: the size and sha256 a cached model must have to be trusted. */
export function checksumPath(modelPath: string): string {
  return `${modelPath}.sha256`;
}

function checksumOf(bytes: Uint8Array): { size: number; sha256: string } {
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
