/** Clip ids (normalizeSource) and the level cache's keys and storage, on the synthetic fixture plugin. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHost } from '../../index.ts';
import { LevelCache, modelFingerprint } from '../level-cache.ts';
import { normalizeSource, normalizeSources } from '../normalize-source.ts';
import { FIXTURE_PLUGINS } from '../../../test/helpers/cli.ts';

describe('normalizeSource', () => {
  it('ids are paths below the common folder, without extension', () => {
    expect(normalizeSources([{ path: 'data/a/x.mp4' }, { path: 'data/b/x.mp4' }, { path: 'data/b/deep/y.avi' }]).map((s) => s.id)).toEqual(['a/x', 'b/x', 'b/deep/y']);
    expect(normalizeSources([{ path: '/clips/one.mp4' }]).map((s) => s.id)).toEqual(['one']);
    expect(normalizeSource({ path: 'frames/00017/' }).id).toBe('00017');
  });

  it('keeps ids a reader gave, leaves URIs to their ingester, and refuses a collision naming both files', () => {
    expect(normalizeSources([{ path: 'a/x.mp4', id: '00017' }, { path: 'solid:1,2,3' }])).toEqual([{ path: 'a/x.mp4', id: '00017' }, { path: 'solid:1,2,3' }]);
    expect(() => normalizeSources([{ path: 'a/x.mp4' }, { path: 'a/x.avi' }])).toThrow(/"x": a\/x\.mp4 and a\/x\.avi/);
  });
});

describe('LevelCache', () => {
  it('reuses a level across pipelines, reruns one whose options changed, and serves a rerun from disk', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-levels-'));
    const host = createHost({ pluginDirs: [FIXTURE_PLUGINS], logLevel: 'error' });
    const levels = ['stages.levels.contrast.weight=1'];
    const a = await host.pipeline({ preset: 'synthetic', set: levels });
    const b = await host.pipeline({ preset: 'synthetic', set: [...levels, 'stages.levels.colour.weight=0.25'] });
    const c = await host.pipeline({ preset: 'synthetic', set: [...levels, 'stages.levels.contrast.options.power=3'] });
    const cache = new LevelCache({ dir });
    const src = { path: 'solid:200,40,10' };
    const ra = await a.run(src, { cache });
    expect(cache.stats).toMatchObject({ ingestRuns: 1, levelRuns: 2 });
    const rb = await b.run(src, { cache });
    expect(cache.stats).toMatchObject({ ingestRuns: 1, ingestHits: 1, levelRuns: 2, memoryHits: 2 });
    expect(rb.levels).toEqual(ra.levels);
    expect(rb.decision.probabilities).not.toEqual(ra.decision.probabilities);
    await c.run(src, { cache });
    expect(cache.stats.levelRuns).toBe(3); // only contrast reran; colour was shared
    const fresh = new LevelCache({ dir });
    const again = await a.run(src, { cache: fresh });
    expect(fresh.stats).toMatchObject({ levelRuns: 0, diskHits: 2 });
    expect(again.decision).toEqual(ra.decision);
    for (const p of [a, b, c]) await p.dispose();
    await host.dispose();
  });

  it('stores typed arrays and nested data on disk as they were', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-levels-'));
    const out = { embedding: Float32Array.from([0.5, -1.25]), data: { frames: [{ mesh: Float32Array.from([1, 2, 3]), box: [1, 2, 3, 4] }] }, summary: { n: 1 } };
    await new LevelCache({ dir }).level('clip', 'key', async () => out);
    const fresh = new LevelCache({ dir });
    const back = await fresh.level('clip', 'key', async () => { throw new Error('should come from disk'); });
    expect(back).toEqual(out);
    expect(back.embedding).toBeInstanceOf(Float32Array);
    expect(fresh.stats.diskHits).toBe(1);
  });

  it('fingerprints the content of files named in options', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-model-'));
    const model = path.join(dir, 'm.onnx');
    writeFileSync(model, 'one');
    const first = await modelFingerprint({ model }, undefined);
    writeFileSync(path.join(dir, 'n.onnx'), 'two');
    expect(await modelFingerprint({ model: path.join(dir, 'n.onnx') }, undefined)).not.toBe(first);
    expect(await modelFingerprint({ model: 'no-such-file.onnx' }, undefined)).toBe(await modelFingerprint({ other: 'no-such-file.onnx' }, undefined));
  });
});
