import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescriptionCache, clipContentHash, descriptionKey } from '../src/description-cache.ts';
import { describeClip, samplingSignature } from '../src/describe-clip.ts';
import { EndpointClient } from '../src/endpoint-client.ts';
import { resolveEndpointConfig } from '../src/endpoint-config.ts';
import { splitSentences } from '../src/sentences.ts';
import { completion, startFakeLlmServer, type FakeLlmServer } from './helpers/fake-llm-server.ts';
import { syntheticFrames } from './helpers/synthetic-frames.ts';

let dir: string;
let server: FakeLlmServer | undefined;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'visage-mllm-')); });
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('description keys', () => {
  it('change with clip content, model, prompt and sampling, and only with them', () => {
    const frames = syntheticFrames(4);
    const base = { contentHash: clipContentHash(frames), model: 'm', prompt: 'p', sampling: 'uniform8/jpeg85/max448' };
    const key = descriptionKey(base);
    expect(descriptionKey({ ...base })).toBe(key);
    expect(clipContentHash(syntheticFrames(4))).toBe(base.contentHash);
    const flipped = syntheticFrames(4);
    flipped[2].rgb[100] ^= 1;
    expect(clipContentHash(flipped)).not.toBe(base.contentHash);
    expect(descriptionKey({ ...base, model: 'm2' })).not.toBe(key);
    expect(descriptionKey({ ...base, prompt: 'p2' })).not.toBe(key);
    expect(descriptionKey({ ...base, sampling: 'uniform16/jpeg85/max448' })).not.toBe(key);
    const c = resolveEndpointConfig({ url: 'http://x' });
    expect(samplingSignature(c)).toBe('uniform8/jpeg85/max448');
    expect(samplingSignature({ ...c, temperature: 0.9 })).toBe(samplingSignature(c));
  });
});

describe('DescriptionCache', () => {
  it('makes a re-run hit the cache instead of the endpoint', async () => {
    server = await startFakeLlmServer(() => ({ status: 200, body: completion('The inner brows rise. Then the lips part.') }));
    const file = join(dir, 'descriptions.jsonl');
    const frames = syntheticFrames(12);
    const run = async () => {
      const cache = await DescriptionCache.open(file);
      const endpoint = new EndpointClient({ url: server!.url, model: 'vlm-a' });
      return { out: await describeClip({ clipId: 'clip-1', frames }, { endpoint, cache }), cache };
    };
    const first = await run();
    expect(first.out).toMatchObject({ source: 'endpoint', text: 'The inner brows rise. Then the lips part.', model: 'vlm-a', actionUnits: null });
    expect(first.out.sentences).toEqual(['The inner brows rise.', 'Then the lips part.']);
    const second = await run();
    expect(second.out).toMatchObject({ source: 'cache', text: first.out.text, cacheKey: first.out.cacheKey });
    expect(second.cache.stats).toEqual({ hits: 1, misses: 0 });
    expect(server.requests).toHaveLength(1);

    // A different model or prompt is a different question: back to the endpoint.
    const cache = await DescriptionCache.open(file);
    await describeClip({ clipId: 'clip-1', frames }, { endpoint: new EndpointClient({ url: server.url, model: 'vlm-b' }), cache });
    await describeClip({ clipId: 'clip-1', frames }, { endpoint: new EndpointClient({ url: server.url, model: 'vlm-a', prompt: 'Describe the mouth.' }), cache });
    expect(server.requests).toHaveLength(3);
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ key: first.out.cacheKey, clipId: 'clip-1', model: 'vlm-a', source: 'endpoint', sampling: 'uniform8/jpeg85/max448' });
  });

  it('exports and imports JSON Lines, including loose descriptions generated elsewhere', async () => {
    const cache = new DescriptionCache();
    await cache.set({ key: 'k1', clipId: 'a', model: 'm', text: 'The jaw drops.' });
    await cache.set({ key: 'k2', clipId: 'b', model: 'm', text: 'The lips part.' });
    await cache.set({ key: 'k1', clipId: 'a', model: 'm', text: 'The jaw drops, then closes.' });
    const out = join(dir, 'sub', 'export.jsonl');
    expect(await cache.exportJsonl(out)).toBe(2);

    const external = join(dir, 'external.jsonl');
    await writeFile(external, [
      JSON.stringify({ clipId: '00017', text: 'The brows lower and draw together.' }),
      '',
      JSON.stringify({ clipId: '00018', model: 'video-llava', text: 'The cheeks rise.' }),
    ].join('\n') + '\n');

    const target = await DescriptionCache.open(join(dir, 'cache.jsonl'));
    expect(await target.importJsonl(out)).toBe(2);
    expect(await target.importJsonl(external)).toBe(2);
    expect(target.get({ key: 'k1' })?.text).toBe('The jaw drops, then closes.');
    // Loose records answer by clip id (and model, when they name one).
    expect(target.get({ key: 'unknown', clipId: '00017', model: 'anything' })?.text).toBe('The brows lower and draw together.');
    expect(target.get({ key: 'unknown', clipId: '00018', model: 'video-llava' })?.text).toBe('The cheeks rise.');
    expect(target.get({ key: 'unknown', clipId: '00018', model: 'other' })).toBeUndefined();
    expect(target.stats).toEqual({ hits: 3, misses: 1 });
    // Imports are persisted in the backing file.
    const reopened = await DescriptionCache.open(join(dir, 'cache.jsonl'));
    expect(reopened.all()).toHaveLength(4);
  });

  it('feeds imported descriptions to describeClip by clip id, without calling the endpoint', async () => {
    server = await startFakeLlmServer(() => ({ status: 500 }));
    const file = join(dir, 'external.jsonl');
    await writeFile(file, JSON.stringify({ clipId: 'c7', text: 'The lip corners pull up.' }) + '\n');
    const cache = new DescriptionCache();
    await cache.importJsonl(file);
    const out = await describeClip({ clipId: 'c7', frames: syntheticFrames(3) }, { endpoint: new EndpointClient({ url: server.url }), cache });
    expect(out).toMatchObject({ source: 'cache', text: 'The lip corners pull up.' });
    expect(server.requests).toHaveLength(0);
  });

  it('skips torn or bad lines of its own file with a warning, but rejects them on import', async () => {
    const file = join(dir, 'c.jsonl');
    await writeFile(file, JSON.stringify({ key: 'k', text: 'ok' }) + '\n{"key":"k2","te');
    expect((await DescriptionCache.open(file)).size).toBe(1);

    await writeFile(file, JSON.stringify({ key: 'k', text: 'ok' }) + '\n{"key": "k2"}\n');
    const warnings: string[] = [];
    expect((await DescriptionCache.open(file, { warn: (m) => warnings.push(m) })).size).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/c\.jsonl: skipped 1 damaged line\(s\): 2 \("text" must be a non-empty string\)/)]);
    await writeFile(file, '{"text": "no key"}\n');
    await expect(new DescriptionCache().importJsonl(file)).rejects.toMatchObject({ message: expect.stringContaining('needs "key" or "clipId"') });
    await writeFile(file, 'not json\n{"key":"k","text":"x"}\n');
    await expect(new DescriptionCache().importJsonl(file)).rejects.toMatchObject({ message: expect.stringContaining(':1: not valid JSON') });
  });

  it('keeps lines whole when many descriptions are stored at once', async () => {
    const file = join(dir, 'c.jsonl');
    const cache = await DescriptionCache.open(file);
    await Promise.all(Array.from({ length: 50 }, (_, i) => cache.set({ key: `k${i}`, text: 'x'.repeat(5000) + i })));
    expect((await DescriptionCache.open(file)).size).toBe(50);
  });
});

describe('splitSentences', () => {
  it('splits on sentence ends and lines, dropping list markers', () => {
    expect(splitSentences('Frame 1: brows neutral. Frame 2: brows rise!\n- Mouth opens\n2) Head turns left.'))
      .toEqual(['Frame 1: brows neutral.', 'Frame 2: brows rise!', 'Mouth opens', 'Head turns left.']);
    expect(splitSentences('  \n ')).toEqual([]);
  });
});
