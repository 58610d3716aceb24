/**
 * Class 6: a cache entry damaged on disk is detected, reported with its file and rebuilt; it never
 * fails every later run. Runs the real CLI on the bundled sample clip (real onnxruntime models,
 * a real loopback description server).
 */
import { appendFileSync, readFileSync, readdirSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion, startFakeLlmServer, type FakeLlmServer } from '../../plugins/mllm/test/helpers/fake-llm-server.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';
import { runVisage, tmpDir } from './support/files.ts';

const SAMPLE = path.join(REPO_ROOT, 'samples/astronaut.mp4');
const rowOf = (out: string) => JSON.parse(out.trim().split('\n')[0]);

describe('converted model cache', () => {
  it('a truncated, a corrupted and an unverified model are each rebuilt with a warning naming the file', async () => {
    const cacheDir = tmpDir('models');
    const first = await runVisage(['pipeline', 'run', SAMPLE, '--cache-dir', cacheDir]);
    expect(first.code).toBe(0);
    const models = path.join(cacheDir, 'models');
    const file = (prefix: string) => path.join(models, readdirSync(models).find((f) => f.startsWith(prefix) && f.endsWith('.onnx'))!);
    const [mesh, emotion, face] = [file('facemesh-'), file('emotion-'), file('blazeface-')];

    truncateSync(mesh, 1000); // a full disk or a crash before the data reached the disk
    const bytes = readFileSync(emotion);
    bytes[bytes.length >> 1] ^= 0xff; // one flipped byte in the middle
    writeFileSync(emotion, bytes);
    unlinkSync(`${face}.sha256`); // a run killed between the model and its checksum

    const second = await runVisage(['pipeline', 'run', SAMPLE, '--cache-dir', cacheDir]);
    expect(second.code).toBe(0);
    expect(rowOf(second.out).label).toBe(rowOf(first.out).label);
    expect(second.err).toContain(`cached model ${mesh} is corrupt (1000 bytes`);
    expect(second.err).toContain(`cached model ${emotion} is corrupt`);
    expect(second.err).toContain(`cached model ${face} has no valid checksum sidecar`);
    for (const m of [mesh, emotion, face]) {
      const side = JSON.parse(readFileSync(`${m}.sha256`, 'utf8'));
      const now = readFileSync(m);
      expect(side).toEqual({ size: now.length, sha256: createHash('sha256').update(now).digest('hex') });
    }
    const third = await runVisage(['pipeline', 'run', SAMPLE, '--cache-dir', cacheDir]);
    expect(third.code).toBe(0);
    expect(third.err).not.toContain('cached model');
  });
});

describe('description cache (JSON Lines)', () => {
  let server: FakeLlmServer;
  beforeAll(async () => { server = await startFakeLlmServer(() => ({ status: 200, body: completion('The brows rise, then the mouth corners pull up.') })); });
  afterAll(() => server.close());

  it('a torn last line never corrupts the next append, and later runs skip it with a warning', async () => {
    const dir = tmpDir('desc');
    const cacheFile = path.join(dir, 'descriptions.jsonl');
    const run = (frames: number) => runVisage(['pipeline', 'run', SAMPLE, '--cache-dir', dir, '--set', `frames=${frames}`,
      '--set', `stages.levels.description.options={"endpoint":{"url":"${server.url}","retries":0},"cache":${JSON.stringify(cacheFile)}}`]);

    expect((await run(16)).code).toBe(0);
    expect(server.requests).toHaveLength(1);
    appendFileSync(cacheFile, '{"key":"torn-by-a-kill","text":"The bro'); // killed mid-append

    const second = await run(8); // another sampling: a miss, so a new record is appended
    expect(second.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    const lines = readFileSync(cacheFile, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe('{"key":"torn-by-a-kill","text":"The bro');
    expect(JSON.parse(lines[2]).text).toBe('The brows rise, then the mouth corners pull up.');

    const third = await run(8); // a hit: the appended record survived whole
    expect(third.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(third.err).toMatch(new RegExp(`description cache ${cacheFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: skipped 1 damaged line\\(s\\): 2 \\(not valid JSON\\)`));
    expect(rowOf(third.out).levels.description.summary.source).toBe('cache');
  });
});
