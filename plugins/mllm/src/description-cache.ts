/**
 * Descriptions keyed by clip content, model, prompt and frame sampling, kept in memory and, when
 * opened on a file, appended to a JSON Lines file so a re-run hits the cache.
 *
 * The same JSONL format is the import/export format. A line is one DescriptionRecord. Lines written by
 * Visage carry `key`; descriptions generated elsewhere may carry only `clipId` (+ optional `model`)
 * and `text`: such "loose" records answer a lookup by clip id when no keyed record matches.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Frame } from '@visage/core';
import { descriptionCacheInvalid } from './errors.ts';

export interface DescriptionRecord {
  /** descriptionKey(...) of the request; absent on loose imported records. */
  key?: string;
  clipId?: string;
  /** clipContentHash of the frames (informative). */
  contentHash?: string;
  model?: string;
  /** sha256 of the prompt text (informative). */
  promptHash?: string;
  /** Frame sampling and encoding signature (informative). */
  sampling?: string;
  /** The description. */
  text: string;
  /** Who wrote it: 'endpoint', 'action-units', or anything an importer put there. */
  source?: string;
  /** ISO time of creation. */
  createdAt?: string;
}

export interface DescriptionKeyParts {
  contentHash: string;
  model: string;
  prompt: string;
  /** Frame sampling and encoding signature, e.g. from samplingSignature(). */
  sampling: string;
}

export interface DescriptionQuery {
  key: string;
  /** Enables the fallback to loose imported records of this clip. */
  clipId?: string;
  /** A loose record with a model only matches this model. */
  model?: string;
}

/** sha256 (hex) over the frames' sizes and pixels, in order: the identity of the clip content. */
export function clipContentHash(frames: readonly Frame[]): string {
  const h = createHash('sha256');
  const header = new Uint32Array(2);
  for (const f of frames) {
    header[0] = f.width;
    header[1] = f.height;
    h.update(new Uint8Array(header.buffer));
    h.update(f.rgb);
  }
  return h.digest('hex');
}

/** The cache key (sha256 hex) of one request. */
export function descriptionKey(parts: DescriptionKeyParts): string {
  return sha256(JSON.stringify(['visage-description-v1', parts.contentHash, parts.model, parts.prompt, parts.sampling]));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class DescriptionCache {
  /** Lookups answered / not answered since creation. */
  readonly stats = { hits: 0, misses: 0 };
  private readonly records = new Map<string, DescriptionRecord>();
  private readonly loose = new Map<string, DescriptionRecord[]>();
  private writes: Promise<void> = Promise.resolve();

  /** @param file backing JSONL file; memory only when absent. */
  constructor(readonly file?: string) {}

  /**
   * Opens (or prepares to create) the JSONL cache at `file` and loads its records. The cache is only
   * ever appended to, so a bad line is a torn write (a killed run, a full disk) or damage: it is
   * skipped with a warning naming the file and line, never a reason to fail every later run.
   */
  static async open(file: string, opts: { warn?: (message: string) => void } = {}): Promise<DescriptionCache> {
    const warn = opts.warn ?? ((m: string) => process.stderr.write(`warn: ${m}\n`));
    const cache = new DescriptionCache(file);
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    const skipped: string[] = [];
    for (const r of parseJsonl(text, file, (line, detail) => skipped.push(`${line} (${detail})`))) cache.remember(r);
    if (skipped.length) warn(`description cache ${file}: skipped ${skipped.length} damaged line(s): ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', ...' : ''}; those clips are described again`);
    return cache;
  }

  get size(): number {
    return this.records.size;
  }

  /** The record for `query.key`, else the newest loose record for `query.clipId` (and model). */
  get(query: DescriptionQuery): DescriptionRecord | undefined {
    const hit = this.records.get(query.key) ?? this.looseMatch(query);
    if (hit) this.stats.hits++;
    else this.stats.misses++;
    return hit;
  }

  /** Stores a keyed record and, for a file-backed cache, appends it to the file. */
  async set(record: DescriptionRecord & { key: string }): Promise<void> {
    checkRecord(record, this.file ?? '(memory)', 0);
    const stored = { createdAt: new Date().toISOString(), ...record };
    this.remember(stored);
    if (this.file) await this.append([stored]);
  }

  /**
   * Adds every record of a JSONL file (keyed or loose); later records win. Persists them to the
   * backing file. Throws DESCRIPTION_CACHE_INVALID on the first bad line.
   * @returns the number of records read.
   */
  async importJsonl(file: string): Promise<number> {
    const records = parseJsonl(await readFile(file, 'utf8'), file);
    for (const r of records) this.remember(r);
    if (this.file && records.length > 0) await this.append(records);
    return records.length;
  }

  /** Writes all records to `file` as JSONL (atomically: temp file, then rename). Returns the count. */
  async exportJsonl(file: string): Promise<number> {
    const all = this.all();
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, all.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');
    await rename(tmp, file);
    return all.length;
  }

  /** Every record, keyed and loose, in insertion order. */
  all(): DescriptionRecord[] {
    return [...this.records.values(), ...[...this.loose.values()].flat()];
  }

  private remember(r: DescriptionRecord): void {
    if (r.key) {
      this.records.delete(r.key); // re-insert so insertion order follows the latest write
      this.records.set(r.key, r);
      return;
    }
    const list = this.loose.get(r.clipId!) ?? [];
    const same = list.findIndex((x) => x.model === r.model);
    if (same >= 0) list.splice(same, 1);
    list.push(r);
    this.loose.set(r.clipId!, list);
  }

  private looseMatch(q: DescriptionQuery): DescriptionRecord | undefined {
    if (q.clipId === undefined) return undefined;
    const list = this.loose.get(q.clipId) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].model === undefined || list[i].model === q.model) return list[i];
    }
    return undefined;
  }

  /**
   * Appends in call order, one write per batch, so concurrent set() calls never interleave lines.
   * Each batch starts on a fresh line: after a torn last line (a run killed mid-write), the new
   * records must not be glued onto it, or the damage would spread to a good record.
   */
  private append(records: DescriptionRecord[]): Promise<void> {
    const file = this.file!;
    const text = records.map((r) => JSON.stringify(r) + '\n').join('');
    this.writes = this.writes.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, (await endsMidLine(file)) ? '\n' + text : text, 'utf8');
    });
    return this.writes;
  }
}

/** Whether the file's last byte is not a newline (a torn last line); false for a missing or empty file. */
async function endsMidLine(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

/** Parses JSONL; with `skip`, a bad line is reported to it and left out, else it throws DESCRIPTION_CACHE_INVALID. */
function parseJsonl(text: string, file: string, skip?: (line: number, detail: string) => void): DescriptionRecord[] {
  const lines = text.split('\n');
  const out: DescriptionRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw descriptionCacheInvalid(file, i + 1, 'not valid JSON');
      }
      out.push(checkRecord(value, file, i + 1));
    } catch (e) {
      if (!skip) throw e;
      skip(i + 1, (e as Error).message.replace(`${file}:${i + 1}: `, ''));
    }
  });
  return out;
}

function checkRecord(value: unknown, file: string, line: number): DescriptionRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw descriptionCacheInvalid(file, line, 'not a JSON object');
  const r = value as Record<string, unknown>;
  if (typeof r.text !== 'string' || r.text.trim() === '') throw descriptionCacheInvalid(file, line, '"text" must be a non-empty string');
  if (r.key !== undefined && (typeof r.key !== 'string' || r.key === '')) throw descriptionCacheInvalid(file, line, '"key" must be a non-empty string');
  if (r.clipId !== undefined && typeof r.clipId !== 'string') throw descriptionCacheInvalid(file, line, '"clipId" must be a string');
  if (r.key === undefined && r.clipId === undefined) throw descriptionCacheInvalid(file, line, 'needs "key" or "clipId"');
  for (const f of ['model', 'contentHash', 'promptHash', 'sampling', 'source', 'createdAt']) {
    if (r[f] !== undefined && typeof r[f] !== 'string') throw descriptionCacheInvalid(file, line, `"${f}" must be a string`);
  }
  return r as unknown as DescriptionRecord;
}
