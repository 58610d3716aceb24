/**
 * On-disk cache of converted ONNX models, keyed by the hash of their source files.
 *
 * Layout: `<cacheRoot>/models/<name>-<sha256[0:16]>-c<converterVersion>.onnx`. A changed source
 * model or converter gets a new file name, so a stale file is never read. Files are written to a
 * temp name and renamed, so concurrent processes and killed runs never leave a half-written model.
 */
import { randomBytes } from 'node:crypto';
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
  constructor(readonly dir: string = defaultModelCacheDir()) {}

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
    try {
      return { path, bytes: new Uint8Array(await readFile(path)), hit: true };
    } catch {
      // Missing or unreadable: rebuild; a cache that cannot be written is reported below.
    }
    const bytes = await build();
    try {
      await writeFileAtomic(path, bytes);
    } catch (e) {
      throw Object.assign(errors.modelCacheUnwritable(this.dir, (e as Error).message), { cause: e });
    }
    return { path, bytes, hit: false };
  }
}
