/**
 * Reuses stage results across pipelines of one process and across runs: `visage compare` and
 * `visage ablate` push the same clips through several variants, and a level two variants share
 * must run once. Pass one cache to `Pipeline.run` of every variant.
 *
 * - Ingest (decode) results are kept in memory only (frames are large), keyed by the source's
 *   content hash, the ingest provider, its plugin version, its resolved options and the frame count.
 * - Level outputs are kept in memory and, when `dir` is given, on disk (`<dir>/<key[0..2]>/<key>.bin`,
 *   v8 serialisation, written to a temporary file and renamed), keyed by the clip's ingest key, the
 *   provider id, its plugin version, its resolved options as canonical JSON, the model fingerprint
 *   (see `modelFingerprint`), the run's classes, whether renders were asked for, and the keys of
 *   the levels it needs. Any change to these misses; stale outputs are never served.
 *
 * In memory, entries are grouped by clip and only the last `maxClips` clips are kept, so a long
 * batch that visits each clip once holds a bounded amount of frames.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { fileFingerprint, stableJson } from '../features/feature-cache.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clip } from '../types.ts';
import type { LevelOutput } from './stage-types.ts';

export interface LevelCacheOptions {
  /** Folder of the on-disk cache; undefined keeps everything in memory for this process only. */
  dir?: string;
  /** Clips whose ingest and level results stay in memory (default 4). */
  maxClips?: number;
  logger?: Logger;
}

export interface LevelCacheStats {
  ingestRuns: number;
  ingestHits: number;
  levelRuns: number;
  memoryHits: number;
  diskHits: number;
}

/** Default folder under the host's cache dir. */
export function defaultLevelCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'levels');
}

export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(stableJson(parts)).digest('hex');
}

export class LevelCache {
  readonly stats: LevelCacheStats = { ingestRuns: 0, ingestHits: 0, levelRuns: 0, memoryHits: 0, diskHits: 0 };
  private readonly clips = new Map<string, Map<string, Promise<unknown>>>();
  private readonly sourceHashes = new Map<string, Promise<string>>();
  private readonly maxClips: number;

  constructor(private readonly options: LevelCacheOptions = {}) {
    this.maxClips = Math.max(1, options.maxClips ?? 4);
  }

  /**
   * Content hash of a clip source: sha256 of a file's bytes, of a folder's file names and their
   * hashes (a frame folder), or of the string itself for a URI the filesystem does not know.
   */
  sourceHash(source: string): Promise<string> {
    let h = this.sourceHashes.get(source);
    if (!h) {
      h = contentHash(source);
      this.sourceHashes.set(source, h);
    }
    return h;
  }

  /** The ingested clip of `clipKey`, decoded once; each caller gets its own shallow copy. */
  async ingest(clipKey: string, decode: () => Promise<Clip>): Promise<Clip> {
    const entries = this.entriesOf(clipKey);
    let p = entries.get('ingest') as Promise<Clip> | undefined;
    if (p) this.stats.ingestHits++;
    else {
      this.stats.ingestRuns++;
      p = decode();
      entries.set('ingest', p);
      p.catch(() => entries.delete('ingest'));
    }
    return { ...(await p) };
  }

  /** The output of one level for one clip: from memory, else from disk, else computed (and stored). */
  level(clipKey: string, levelKey: string, compute: () => Promise<LevelOutput>): Promise<LevelOutput> {
    const entries = this.entriesOf(clipKey);
    const known = entries.get(levelKey) as Promise<LevelOutput> | undefined;
    if (known) {
      this.stats.memoryHits++;
      this.options.logger?.debug(`level cache: memory hit ${levelKey.slice(0, 12)}`);
      return known;
    }
    const p = (async () => {
      const stored = await this.readDisk(levelKey);
      if (stored) {
        this.stats.diskHits++;
        this.options.logger?.debug(`level cache: disk hit ${levelKey.slice(0, 12)}`);
        return stored;
      }
      this.stats.levelRuns++;
      this.options.logger?.debug(`level cache: miss ${levelKey.slice(0, 12)}`);
      const out = await compute();
      await this.writeDisk(levelKey, out);
      return out;
    })();
    entries.set(levelKey, p);
    p.catch(() => entries.delete(levelKey));
    return p;
  }

  private entriesOf(clipKey: string): Map<string, Promise<unknown>> {
    let entries = this.clips.get(clipKey);
    if (entries) {
      this.clips.delete(clipKey); // re-insert: most recently used last
    } else {
      entries = new Map();
      while (this.clips.size >= this.maxClips) this.clips.delete(this.clips.keys().next().value!);
    }
    this.clips.set(clipKey, entries);
    return entries;
  }

  private fileOf(key: string): string {
    return path.join(this.options.dir!, key.slice(0, 2), `${key}.bin`);
  }

  private async readDisk(key: string): Promise<LevelOutput | undefined> {
    // Stryker disable next-line ConditionalExpression: without a dir, fileOf throws inside the try below, which also returns undefined
    if (!this.options.dir) return undefined;
    let buf: Buffer;
    try {
      buf = await readFile(this.fileOf(key));
    } catch {
      return undefined;
    }
    try {
      return deserialize(buf) as LevelOutput;
    } catch {
      this.options.logger?.warn(`level cache: unreadable entry ${this.fileOf(key)}, recomputing`);
      return undefined;
    }
  }

  /** Best effort: an output that cannot be serialised (a class instance with methods) stays in memory only. */
  private async writeDisk(key: string, out: LevelOutput): Promise<void> {
    if (!this.options.dir) return;
    const file = this.fileOf(key);
    try {
      const buf = serialize(out);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, buf);
      await rename(tmp, file);
    } catch (e) {
      this.options.logger?.debug(`level cache: not stored on disk (${(e as Error).message})`);
    }
  }
}

async function contentHash(source: string): Promise<string> {
  const st = await stat(source).catch(() => undefined);
  if (!st) return createHash('sha256').update(`uri:${source}`).digest('hex');
  if (!st.isDirectory()) return fileFingerprint(source);
  // Stryker disable next-line MethodExpression: Node's readdir (libuv scandir) already lists names sorted; sort() keeps the hash from relying on that
  const names = (await readdir(source)).filter((n) => !n.startsWith('.')).sort();
  const parts = await Promise.all(names.map(async (n) => `${n}:${await contentHash(path.join(source, n))}`));
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

const modelPrints = new Map<string, Promise<string>>();

/**
 * What identifies the models a provider reads: the content hash of every option value naming an
 * existing file (a model path), and the names, sizes and modification times of the files in the
 * user's models folder (`--models`; hashing every CLIP export's bytes on each run would cost more
 * than it saves). Models shipped inside npm packages are covered by the plugin version.
 */
export function modelFingerprint(options: Record<string, unknown>, modelsDir: string | undefined): Promise<string> {
  const memo = stableJson({ options, modelsDir });
  let p = modelPrints.get(memo);
  if (!p) {
    p = (async () => {
      // Stryker disable next-line MethodExpression,ConditionalExpression,EqualityOperator: a string that long is text, not a path (PATH_MAX 4096): its stat fails and it is skipped anyway; the filter only saves the call
      const files = [...stringsIn(options)].filter((s) => s.length < 4096);
      // Stryker disable next-line ArrayDeclaration: an entry here would shift every fingerprint alike
      const hashes: string[] = [];
      for (const f of files) {
        const candidates = modelsDir ? [path.resolve(f), path.resolve(modelsDir, f)] : [path.resolve(f)];
        for (const c of candidates) {
          const st = await stat(c).catch(() => undefined);
          if (st?.isFile()) {
            hashes.push(`${f}:${await fileFingerprint(c)}`);
            break;
          }
        }
      }
      // Stryker disable next-line ConditionalExpression: readdir(undefined) fails and is caught as an empty folder
      if (modelsDir) {
        const names = await readdir(modelsDir).catch(() => [] as string[]);
        // Stryker disable next-line MethodExpression: as in contentHash, readdir already lists names sorted
        for (const n of names.sort()) {
          const st = await stat(path.join(modelsDir, n)).catch(() => undefined);
          if (st) hashes.push(`models/${n}:${st.size}:${st.mtimeMs}`);
        }
      }
      return cacheKey(hashes);
    })();
    modelPrints.set(memo, p);
  }
  return p;
}

function* stringsIn(v: unknown): Generator<string> {
  if (typeof v === 'string') yield v;
  // An array's values are its items, in order.
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) yield* stringsIn(x);
}
