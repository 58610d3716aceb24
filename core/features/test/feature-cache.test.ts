import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, FeatureCache, featureKey, fileFingerprint, sourceFingerprint, type FeatureKeyParts } from '../feature-cache.ts';

const dirs: string[] = [];
const tempDir = async () => { const d = await mkdtemp(join(tmpdir(), 'visage-feat-')); dirs.push(d); return d; };
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

const entry = () => ({
  tensors: {
    features: { shape: [3, 2], data: Float32Array.from([1, -2, 3.5, 4, 1e-7, -0]) },
    pooled: { shape: [1, 2], data: Float32Array.from([0.25, Number.MAX_VALUE]) },
  },
  meta: { kind: 'frames', id: 'clip_001' },
});

describe('feature cache entries', () => {
  it('round-trip bit-exactly through encode/decode', () => {
    const e = entry();
    const back = decodeEntry('x', encodeEntry(e));
    expect(back.meta).toEqual(e.meta);
    for (const name of Object.keys(e.tensors) as Array<keyof typeof e.tensors>) {
      expect(back.tensors[name].shape).toEqual(e.tensors[name].shape);
      expect(Buffer.from(back.tensors[name].data.buffer).equals(Buffer.from(e.tensors[name].data.buffer))).toBe(true);
    }
  });

  it('refuses a shape that does not match the data, and reports truncated files', () => {
    expect(() => encodeEntry({ tensors: { f: { shape: [2, 2], data: new Float32Array(3) } } })).toThrow(/FEATURE_CACHE_INVALID|holds 4 values/);
    const bytes = encodeEntry(entry());
    expect(() => decodeEntry('cut.feat', bytes.subarray(0, bytes.length - 4))).toThrow(expect.objectContaining({ code: 'FEATURE_CACHE_INVALID' }));
    expect(() => decodeEntry('tiny.feat', Buffer.from([1]))).toThrow(expect.objectContaining({ code: 'FEATURE_CACHE_INVALID' }));
  });
});

describe('feature keys', () => {
  const base: FeatureKeyParts = { source: 's', level: 'frames', pluginVersion: '0.1.0', modelHash: 'm', config: { frames: 16, options: { a: 1, b: 2 } } };
  it('change with every part and ignore object key order', () => {
    const k = featureKey(base);
    expect(featureKey({ ...base, config: { options: { b: 2, a: 1 }, frames: 16 } })).toBe(k);
    for (const change of [{ source: 't' }, { level: 'parsing' }, { pluginVersion: '0.2.0' }, { modelHash: 'n' }, { config: { frames: 8, options: { a: 1, b: 2 } } }]) {
      expect(featureKey({ ...base, ...change })).not.toBe(k);
    }
  });

  it('follow a clip source: a touched or resized frame changes the fingerprint', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a_1.png'), 'one');
    await writeFile(join(dir, 'a_2.png'), 'two');
    const before = await sourceFingerprint(dir);
    expect(await sourceFingerprint(dir)).toBe(before);
    await utimes(join(dir, 'a_2.png'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const touched = await sourceFingerprint(dir);
    expect(touched).not.toBe(before);
    await writeFile(join(dir, 'a_2.png'), 'two!');
    expect(await sourceFingerprint(dir)).not.toBe(touched);
    await expect(sourceFingerprint(join(dir, 'missing'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });

  it('hash model files by content', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.onnx'), 'weights');
    await writeFile(join(dir, 'b.onnx'), 'weights');
    await writeFile(join(dir, 'c.onnx'), 'other');
    expect(await fileFingerprint(join(dir, 'a.onnx'))).toBe(await fileFingerprint(join(dir, 'b.onnx')));
    expect(await fileFingerprint(join(dir, 'a.onnx'))).not.toBe(await fileFingerprint(join(dir, 'c.onnx')));
  });
});

describe('FeatureCache', () => {
  it('misses, stores atomically, hits, and leaves no temporary files (also with concurrent writers)', async () => {
    const cache = new FeatureCache(join(await tempDir(), 'features'));
    const key = featureKey({ source: 'x', level: 'frames', pluginVersion: '1', modelHash: 'h' });
    expect(await cache.get(key)).toBeUndefined();
    expect(await cache.has(key)).toBe(false);
    await Promise.all([cache.put(key, entry()), cache.put(key, entry()), cache.put(key, entry())]);
    expect(await cache.has(key)).toBe(true);
    expect((await cache.get(key))!.tensors.features.data).toEqual(entry().tensors.features.data);
    expect(await readdir(join(cache.dir, key.slice(0, 2)))).toEqual([`${key}.feat`]);
    await cache.delete(key);
    expect(await cache.get(key)).toBeUndefined();
  });

  it('removes a corrupt entry with a warning naming it, and reads it as a miss', async () => {
    const warnings: string[] = [];
    const cache = new FeatureCache(await tempDir(), (m) => warnings.push(m));
    const key = 'ab' + '0'.repeat(62);
    await cache.put(key, entry());
    await writeFile(cache.pathOf(key), Buffer.from([200, 0, 0, 0, 1, 2]));
    expect(await cache.get(key)).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining(`feature cache entry ${cache.pathOf(key)}: header of 200 bytes runs past the end: removed`)]);
    expect(await cache.has(key)).toBe(false);
  });
});
