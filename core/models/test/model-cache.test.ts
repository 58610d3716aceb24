import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCache, defaultModelCacheDir, writeFileAtomic } from '../model-cache.ts';
import { OnnxSessionStore } from '../session-store.ts';
import { OnnxGraphBuilder } from '../onnx-builder.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'visage-cache-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const identityModel = () => {
  const g = new OnnxGraphBuilder('id');
  g.addInput('x', 'float32', [1]);
  g.op('Identity', ['x'], {}, 'y');
  g.addOutput('y', 'float32', [1]);
  return g.serialize();
};

describe('ModelCache', () => {
  it('defaults to ~/.cache/visage/models and follows VISAGE_CACHE_DIR', () => {
    expect(defaultModelCacheDir({})).toBe(join(homedir(), '.cache', 'visage', 'models'));
    expect(defaultModelCacheDir({ VISAGE_CACHE_DIR: '/x/y' })).toBe('/x/y/models');
  });

  it('builds once per (name, source hash, variant) and reads the file afterwards', async () => {
    const cache = new ModelCache(dir);
    let builds = 0;
    const build = () => { builds++; return new Uint8Array([1, 2, builds]); };
    const a = await cache.getOrBuild('m', 'aa'.repeat(32), build, 'c1');
    const b = await cache.getOrBuild('m', 'aa'.repeat(32), build, 'c1');
    const c = await cache.getOrBuild('m', 'bb'.repeat(32), build, 'c1');
    expect([a.hit, b.hit, c.hit, builds]).toEqual([false, true, false, 2]);
    expect([...b.bytes]).toEqual([1, 2, 1]);
    expect(a.path).not.toBe(c.path);
    expect((await readdir(dir)).filter((f) => f.endsWith('.onnx')).sort()).toEqual([`m-${'a'.repeat(16)}-c1.onnx`, `m-${'b'.repeat(16)}-c1.onnx`]);
  });

  it('writes atomically: no temp files left, an existing file replaced whole', async () => {
    const p = join(dir, 'sub', 'f.bin');
    await writeFileAtomic(p, new Uint8Array([1]));
    await writeFileAtomic(p, new Uint8Array([2, 3]));
    expect([...(await readFile(p))]).toEqual([2, 3]);
    expect(await readdir(join(dir, 'sub'))).toEqual(['f.bin']);
  });

  it('reports an unwritable cache as MODEL_CACHE_UNWRITABLE', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'not a folder');
    const err = await new ModelCache(join(blocker, 'models')).getOrBuild('m', 'cc'.repeat(32), () => new Uint8Array(1)).catch((e) => e);
    expect(err.code).toBe('MODEL_CACHE_UNWRITABLE');
  });
});

describe('OnnxSessionStore', () => {
  it('shares one session between concurrent callers and retries after a failed load', async () => {
    const store = new OnnxSessionStore({ cache: new ModelCache(dir) });
    let loads = 0;
    const load = async () => { loads++; return identityModel(); };
    const [s1, s2] = await Promise.all([store.get('id', load), store.get('id', load)]);
    expect(s1).toBe(s2);
    expect(loads).toBe(1);
    await expect(store.get('bad', async () => new Uint8Array([1, 2, 3]))).rejects.toThrow();
    const ok = await store.get('bad', async () => identityModel());
    expect(ok.inputNames).toEqual(['x']);
    await store.dispose();
  });

  it('converts a face model into its cache on first use and records the source hash', async () => {
    const store = new OnnxSessionStore({ cache: new ModelCache(dir) });
    const session = await store.faceModel('emotion');
    expect(session.inputNames).toEqual(['input_1']);
    expect(store.faceModelHash('emotion')).toMatch(/^[0-9a-f]{64}$/);
    expect((await readdir(dir)).filter((f) => f.startsWith('emotion-') && f.endsWith('.onnx'))).toHaveLength(1);
    await store.dispose();
  });
});

describe('ModelCache debug log (--log-level debug)', () => {
  it('says miss (and what it builds) the first time, hit the second', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-cache-log-'));
    const lines: string[] = [];
    const cache = new ModelCache(dir, () => {}, (m) => lines.push(m));
    await cache.getOrBuild('tiny', 'ab'.repeat(32), () => new Uint8Array([1, 2, 3]));
    await cache.getOrBuild('tiny', 'ab'.repeat(32), () => new Uint8Array([1, 2, 3]));
    const file = join(dir, `tiny-${'ab'.repeat(8)}.onnx`);
    expect(lines).toEqual([`model cache: miss ${file} (building tiny)`, `model cache: hit ${file}`]);
    await rm(dir, { recursive: true, force: true });
  });
});
