/**
 * The level cache on its own: when it serves from memory or disk and when it computes, how it heals
 * a corrupt or failed entry, what it keeps in memory, and what identifies a source and a model.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deserialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/logger.ts';
import type { Clip } from '../../types.ts';
import { cacheKey, defaultLevelCacheDir, LevelCache, modelFingerprint } from '../level-cache.ts';
import type { LevelOutput } from '../stage-types.ts';

const tmp = (name: string) => mkdtempSync(path.join(os.tmpdir(), `visage-${name}-`));
const KEY = 'ab34567890cdef'; // longer than the 12 characters the log shows
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const entryFile = (dir: string, key = KEY) => path.join(dir, key.slice(0, 2), `${key}.bin`);

/** A compute that counts its calls and returns a fresh output each time. */
function counter(summary = 'v') {
  const f = async (): Promise<LevelOutput> => {
    f.calls++;
    return { summary: { value: summary, call: f.calls } };
  };
  f.calls = 0;
  return f;
}

function logged() {
  const lines: string[] = [];
  return { lines, logger: createLogger('debug', '', (l) => lines.push(l)) };
}

const clip = (id: string): Clip => ({ id, source: `${id}.mp4`, kind: 'video', fps: 25, totalFrames: 2, frames: [] } as unknown as Clip);

describe('LevelCache.level', () => {
  it('computes a level once and serves it from memory after, logging the kind of hit and the key', async () => {
    const { lines, logger } = logged();
    const cache = new LevelCache({ logger });
    const compute = counter();
    const first = await cache.level('clip', KEY, compute);
    const second = await cache.level('clip', KEY, compute);
    expect(compute.calls).toBe(1);
    expect(second).toBe(first);
    expect(cache.stats).toEqual({ ingestRuns: 0, ingestHits: 0, levelRuns: 1, memoryHits: 1, diskHits: 0 });
    expect(lines).toEqual([`debug: level cache: miss ${KEY.slice(0, 12)}`, `debug: level cache: memory hit ${KEY.slice(0, 12)}`]);
  });

  it('runs one compute for callers that ask at the same time', async () => {
    const cache = new LevelCache();
    const compute = counter();
    const [a, b] = await Promise.all([cache.level('clip', KEY, compute), cache.level('clip', KEY, compute)]);
    expect(compute.calls).toBe(1);
    expect(b).toBe(a);
  });

  it('keeps levels of different keys and different clips apart', async () => {
    const cache = new LevelCache();
    const compute = counter();
    const a = await cache.level('clip', 'k1', compute);
    const b = await cache.level('clip', 'k2', compute);
    const c = await cache.level('other', 'k1', compute);
    expect(compute.calls).toBe(3);
    expect([a, b, c].map((o) => o.summary!.call)).toEqual([1, 2, 3]);
  });

  it('forgets a failed compute, so the next call computes again', async () => {
    const cache = new LevelCache();
    await expect(cache.level('clip', KEY, async () => { throw new Error('model crashed'); })).rejects.toThrow('model crashed');
    const compute = counter();
    expect((await cache.level('clip', KEY, compute)).summary).toEqual({ value: 'v', call: 1 });
    expect(cache.stats.levelRuns).toBe(2);
  });

  it('writes an entry to <dir>/<key[0..2]>/<key>.bin by rename, leaving no temporary file', async () => {
    const dir = tmp('levels');
    const out = await new LevelCache({ dir }).level('clip', KEY, counter());
    expect(deserialize(readFileSync(entryFile(dir)))).toEqual(out);
    expect(readdirSync(dir)).toEqual([KEY.slice(0, 2)]);
    expect(readdirSync(path.join(dir, KEY.slice(0, 2)))).toEqual([`${KEY}.bin`]);
  });

  it('serves a new process from disk, logging a disk hit, and computes nothing', async () => {
    const dir = tmp('levels');
    const out = await new LevelCache({ dir }).level('clip', KEY, counter());
    const { lines, logger } = logged();
    const fresh = new LevelCache({ dir, logger });
    const compute = counter();
    expect(await fresh.level('clip', KEY, compute)).toEqual(out);
    expect(compute.calls).toBe(0);
    expect(fresh.stats).toMatchObject({ diskHits: 1, levelRuns: 0, memoryHits: 0 });
    expect(lines).toEqual([`debug: level cache: disk hit ${KEY.slice(0, 12)}`]);
  });

  it('recomputes a corrupt entry on disk with a warning, and heals it for the next process', async () => {
    const dir = tmp('levels');
    mkdirSync(path.dirname(entryFile(dir)), { recursive: true });
    writeFileSync(entryFile(dir), 'not a v8 serialisation');
    const { lines, logger } = logged();
    const cache = new LevelCache({ dir, logger });
    const compute = counter('recomputed');
    expect((await cache.level('clip', KEY, compute)).summary).toEqual({ value: 'recomputed', call: 1 });
    expect(lines).toContain(`warn: level cache: unreadable entry ${entryFile(dir)}, recomputing`);
    const fresh = new LevelCache({ dir });
    expect((await fresh.level('clip', KEY, counter('again'))).summary).toEqual({ value: 'recomputed', call: 1 });
    expect(fresh.stats.diskHits).toBe(1);
  });

  it('logs a plain miss, not an unreadable entry, when the disk has no entry yet', async () => {
    const { lines, logger } = logged();
    await new LevelCache({ dir: tmp('levels'), logger }).level('clip', KEY, counter());
    expect(lines).toEqual([`debug: level cache: miss ${KEY.slice(0, 12)}`]);
  });

  it('heals a corrupt entry and keeps an unserialisable output in memory without a logger too', async () => {
    const dir = tmp('levels');
    mkdirSync(path.dirname(entryFile(dir)), { recursive: true });
    writeFileSync(entryFile(dir), 'not a v8 serialisation');
    expect((await new LevelCache({ dir }).level('clip', KEY, counter('healed'))).summary).toEqual({ value: 'healed', call: 1 });
    const out = { summary: { fn: () => 1 } } as unknown as LevelOutput;
    expect(await new LevelCache({ dir }).level('clip', 'other-key', async () => out)).toBe(out);
  });

  it('keeps an output that cannot be serialised in memory only, without failing', async () => {
    const dir = tmp('levels');
    const { lines, logger } = logged();
    const cache = new LevelCache({ dir, logger });
    const out = { summary: { fn: () => 1 } } as unknown as LevelOutput;
    expect(await cache.level('clip', KEY, async () => out)).toBe(out);
    expect(await cache.level('clip', KEY, async () => { throw new Error('should be a memory hit'); })).toBe(out);
    expect(existsSync(entryFile(dir))).toBe(false);
    expect(lines.some((l) => l.startsWith('debug: level cache: not stored on disk ('))).toBe(true);
  });

  it('without a folder, a new cache computes again', async () => {
    const compute = counter();
    await new LevelCache().level('clip', KEY, compute);
    await new LevelCache().level('clip', KEY, compute);
    expect(compute.calls).toBe(2);
  });
});

describe('LevelCache memory bound', () => {
  it('keeps only the last maxClips clips used, the oldest leaving first', async () => {
    const cache = new LevelCache({ maxClips: 2 });
    const compute = counter();
    await cache.level('a', KEY, compute);
    await cache.level('b', KEY, compute);
    await cache.level('a', KEY, compute); // a is now the most recent
    await cache.level('c', KEY, compute); // evicts b
    expect(compute.calls).toBe(3);
    await cache.level('a', KEY, compute);
    await cache.level('c', KEY, compute);
    expect(compute.calls).toBe(3);
    await cache.level('b', KEY, compute);
    expect(compute.calls).toBe(4);
  });

  it('keeps four clips by default and at least one', async () => {
    const four = new LevelCache();
    const compute = counter();
    for (const c of ['a', 'b', 'c', 'd', 'a']) await four.level(c, KEY, compute);
    expect(compute.calls).toBe(4);
    await four.level('e', KEY, compute); // evicts b
    await four.level('a', KEY, compute);
    expect(compute.calls).toBe(5);
    await four.level('b', KEY, compute);
    expect(compute.calls).toBe(6);

    const one = new LevelCache({ maxClips: 0 });
    const again = counter();
    await one.level('a', KEY, again);
    await one.level('a', KEY, again);
    expect(again.calls).toBe(1);
    await one.level('b', KEY, again);
    await one.level('a', KEY, again);
    expect(again.calls).toBe(3);
  });
});

describe('LevelCache.ingest', () => {
  it('decodes a clip once and gives each caller its own copy', async () => {
    const cache = new LevelCache();
    let decodes = 0;
    const decode = async () => { decodes++; return clip('x'); };
    const a = await cache.ingest('x', decode);
    a.id = 'changed by one caller';
    const b = await cache.ingest('x', decode);
    expect(decodes).toBe(1);
    expect(b.id).toBe('x');
    expect(cache.stats).toMatchObject({ ingestRuns: 1, ingestHits: 1 });
  });

  it('forgets a failed decode, so the next call decodes again', async () => {
    const cache = new LevelCache();
    await expect(cache.ingest('x', async () => { throw new Error('broken file'); })).rejects.toThrow('broken file');
    expect((await cache.ingest('x', async () => clip('x'))).id).toBe('x');
    expect(cache.stats).toMatchObject({ ingestRuns: 2, ingestHits: 0 });
  });
});

describe('LevelCache.sourceHash', () => {
  it('hashes a file by content, a frame folder by its visible files, and a URI by its text', async () => {
    const dir = tmp('sources');
    const f1 = path.join(dir, 'a.mp4');
    const f2 = path.join(dir, 'b.mp4');
    writeFileSync(f1, 'same');
    writeFileSync(f2, 'same');
    const cache = new LevelCache();
    expect(await cache.sourceHash(f1)).toBe(await new LevelCache().sourceHash(f2));

    const frames = (name: string, files: Record<string, string>) => {
      const d = path.join(dir, name);
      mkdirSync(d);
      for (const [n, text] of Object.entries(files)) writeFileSync(path.join(d, n), text);
      return d;
    };
    const base = await cache.sourceHash(frames('f0', { '1.png': 'one', '2.png': 'two' }));
    expect(await cache.sourceHash(frames('f1', { '2.png': 'two', '1.png': 'one', '.DS_Store': 'x' }))).toBe(base);
    expect(await cache.sourceHash(frames('f2', { '1.png': 'one', '2.png': 'TWO' }))).not.toBe(base);
    expect(await cache.sourceHash(frames('f3', { '1.png': 'two', '2.png': 'one' }))).not.toBe(base);
    expect(await cache.sourceHash(frames('f4', { '1.png': 'one', '3.png': 'two' }))).not.toBe(base);

    const uri = await cache.sourceHash('solid:1,2,3');
    expect(uri).toMatch(/^[0-9a-f]{64}$/);
    expect(uri).toBe(sha256('uri:solid:1,2,3'));
    expect(await cache.sourceHash('solid:1,2,4')).not.toBe(uri);
  });

  it('tells apart frame folders whose file names and hashes would run together', async () => {
    const dir = tmp('sources');
    const x = path.join(dir, 'x');
    mkdirSync(x);
    writeFileSync(path.join(x, '1'), 'one');
    writeFileSync(path.join(x, '2'), 'two');
    // One file whose name is "1:<hash of x/1>2", holding x/2's bytes: glued without a separator,
    // its "name:hash" would read exactly like x's two entries.
    const y = path.join(dir, 'y');
    mkdirSync(y);
    writeFileSync(path.join(y, `1:${sha256('one')}2`), 'two');
    const cache = new LevelCache();
    expect(await cache.sourceHash(y)).not.toBe(await cache.sourceHash(x));
  });

  it('hashes a source once per cache', async () => {
    const dir = tmp('sources');
    const f = path.join(dir, 'a.mp4');
    writeFileSync(f, 'before');
    const cache = new LevelCache();
    const before = await cache.sourceHash(f);
    writeFileSync(f, 'after, and longer');
    expect(await cache.sourceHash(f)).toBe(before);
    expect(await new LevelCache().sourceHash(f)).not.toBe(before);
  });
});

describe('cache keys and the model fingerprint', () => {
  it('cacheKey ignores key order and undefined fields, and sees every value', () => {
    expect(cacheKey({ a: 1, b: [1, 2], c: undefined })).toBe(cacheKey({ b: [1, 2], a: 1 }));
    expect(cacheKey({ a: 1, b: [1, 2] })).not.toBe(cacheKey({ a: 1, b: [2, 1] }));
    expect(defaultLevelCacheDir('/c')).toBe(path.join('/c', 'levels'));
  });

  it('finds a model file named in nested options, or relative to the models folder', async () => {
    const dir = tmp('models');
    writeFileSync(path.join(dir, 'm.onnx'), 'one');
    writeFileSync(path.join(dir, 'n.onnx'), 'two');
    const nested = (f: string) => ({ heads: [{ model: path.join(dir, f) }] });
    expect(await modelFingerprint(nested('m.onnx'), undefined)).not.toBe(await modelFingerprint(nested('n.onnx'), undefined));
    const models = tmp('models-dir');
    writeFileSync(path.join(models, 'face.onnx'), 'v1');
    const other = tmp('models-dir');
    writeFileSync(path.join(other, 'face.onnx'), 'v2');
    // Same listing (name, size, mtime) in both folders: only the named file's content tells them apart.
    utimesSync(path.join(other, 'face.onnx'), 1_000_000, 1_000_000);
    utimesSync(path.join(models, 'face.onnx'), 1_000_000, 1_000_000);
    expect(await modelFingerprint({ model: 'face.onnx' }, models)).not.toBe(await modelFingerprint({ model: 'face.onnx' }, other));
    expect(await modelFingerprint({}, models)).toBe(await modelFingerprint({}, other));
  });

  it('fingerprints the same options once per process, so every variant of a run gets the same key', async () => {
    const models = tmp('models-dir');
    writeFileSync(path.join(models, 'clip.onnx'), 'weights');
    const first = await modelFingerprint({ model: 'clip.onnx' }, models);
    writeFileSync(path.join(models, 'clip.onnx'), 'new weights, longer');
    expect(await modelFingerprint({ model: 'clip.onnx' }, models)).toBe(first);
  });

  it('copes with a missing models folder, a dangling link in it, and null or numeric options', async () => {
    const none = await modelFingerprint({}, undefined);
    expect(await modelFingerprint({}, path.join(tmp('models-dir'), 'missing'))).toBe(none);
    const models = tmp('models-dir');
    symlinkSync(path.join(models, 'gone.onnx'), path.join(models, 'link.onnx'));
    expect(await modelFingerprint({}, models)).toBe(none);
    expect(await modelFingerprint({ model: null, threshold: 0.5, heads: [null, 2, { on: true, off: undefined }] }, undefined)).toBe(none);
  });

  it('changes when a file in the models folder is added, grows or is touched', async () => {
    const models = tmp('models-dir');
    writeFileSync(path.join(models, 'clip.onnx'), 'weights');
    // Fingerprints are kept per process for the same options; new options make it look again.
    let n = 0;
    const print = () => modelFingerprint({ unrelated: `x${n++}` }, models);
    const first = await print();
    writeFileSync(path.join(models, 'extra.onnx'), 'more');
    const added = await print();
    expect(added).not.toBe(first);
    writeFileSync(path.join(models, 'extra.onnx'), 'more weights');
    const grown = await print();
    expect(grown).not.toBe(added);
    utimesSync(path.join(models, 'extra.onnx'), 2_000_000, 2_000_000);
    expect(await print()).not.toBe(grown);
  });
});
