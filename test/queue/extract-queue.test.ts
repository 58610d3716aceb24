/**
 * `visage extract --queue`: a worker extracts the FineCLIPER features (tiny test CLIP), and the
 * submitting machine's feature cache ends up byte-identical to an in-process extract's.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticDataset, type SyntheticDataset } from '../../core/data/synthetic.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanupProcesses, haveRedis, RedisServer, spawnVisage, waitFor } from '../helpers/redis-server.ts';

let work: string, models: string, data: SyntheticDataset;

/** Relative path -> bytes of every feature file under a cache folder. */
function cacheFiles(cacheDir: string): Map<string, Buffer> {
  const root = path.join(cacheDir, 'features');
  const files = new Map<string, Buffer>();
  for (const sub of readdirSync(root)) for (const f of readdirSync(path.join(root, sub))) files.set(`${sub}/${f}`, readFileSync(path.join(root, sub, f)));
  return files;
}

describe.skipIf(!haveRedis())('visage extract --queue', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'visage-extract-queue-'));
    models = path.join(work, 'clip');
    await writeTinyClip(models);
    data = await writeSyntheticDataset(path.join(work, 'data'), { classes: 2, clipsPerClass: 4, frames: 4, trainFraction: 0.5, seed: 5 });
  });
  afterEach(cleanupProcesses);

  it('fills the submitter\'s feature cache with what an in-process extract writes, and reuses it on a rerun', async () => {
    const redis = await RedisServer.start();
    const w = spawnVisage(['worker', '--queue', redis.url(), '--models', models, '--cache-dir', path.join(work, 'worker-cache')]);
    await waitFor(() => /worker serving/.test(w.err()), 'the worker to connect');
    const common = ['extract', '--dataset', 'csv', '--root', data.dir, '--models', models, '--preset', 'fineclipper-synthetic'];
    const queued = await runCli(...common, '--cache-dir', path.join(work, 'queued'), '--queue', redis.url());
    expect(queued.code, queued.err).toBe(0);
    expect(queued.out).toMatch(/8 clips, levels frames: 0 cached, 8 extracted \(8 on workers\)/);
    const local = await runCli(...common, '--cache-dir', path.join(work, 'local'));
    expect(local.code, local.err).toBe(0);
    const [a, b] = [cacheFiles(path.join(work, 'queued')), cacheFiles(path.join(work, 'local'))];
    expect(a.size).toBe(8);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, bytes] of a) expect(bytes.equals(b.get(k)!)).toBe(true);

    const again = await runCli(...common, '--cache-dir', path.join(work, 'queued'), '--queue', redis.url());
    expect(again.out).toMatch(/8 clips, levels frames: 8 cached, 0 extracted/);
    expect(w.err().match(/ started: /g)).toHaveLength(8);
  });
});
