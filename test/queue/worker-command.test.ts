/**
 * `visage worker` as users start it: the --help examples, a worker whose plugins differ from the
 * submitter's (it refuses, never computes), and media read through --root-map on both sides.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';
import { cleanupProcesses, haveRedis, RedisServer, spawnVisage, waitFor } from '../helpers/redis-server.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'visage-worker-'));
const rowsOf = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe.skipIf(!haveRedis())('visage worker', () => {
  afterEach(cleanupProcesses);

  it('runs the examples of its --help, and stops cleanly on SIGTERM', async () => {
    const redis = await RedisServer.start();
    const help = await runCli('worker', '--help');
    const examples = help.out.split('Examples:')[1].trim().split('\n').map((l) => l.trim());
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const args = example.replace(/^visage /, '').replace('redis://127.0.0.1:6379/0', redis.url()).split(/\s+/);
      const w = spawnVisage(args);
      await waitFor(() => /worker serving/.test(w.err()), `"${example}" to connect`);
      w.child.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    }
  });

  it('refuses jobs when its plugin versions differ, with a coded error and no result', async () => {
    const redis = await RedisServer.start();
    const other = path.join(tmp(), 'synthetic');
    cpSync(path.join(FIXTURE_PLUGINS, 'synthetic'), other, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(other, 'package.json'), 'utf8'));
    writeFileSync(path.join(other, 'package.json'), JSON.stringify({ ...manifest, version: '1.0.1' }));
    const w = spawnVisage(['worker', '--queue', redis.url(), '--plugin-dir', other]);
    await waitFor(() => /worker serving/.test(w.err()), 'the worker to connect');
    const out = path.join(tmp(), 'rows.jsonl');
    const r = await runCli('pipeline', 'run', '--queue', redis.url(), '--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic', '--attempts', '1', '--out', out, 'solid:9,9,200');
    expect(r.code).toBe(1);
    const [row] = rowsOf(out);
    expect(row.label).toBeNull();
    expect(row.error.code).toBe('QUEUE_WORKER_MISMATCH');
    expect(row.error.message).toContain('plugin test.synthetic is 1.0.1 here, job needs 1.0.0');
    expect(w.err()).not.toMatch(/done in/);
  });

  it('reads media under another mount with --root-map, and rows name the submitter\'s paths', async () => {
    const redis = await RedisServer.start();
    const root = tmp();
    const submitterMount = path.join(root, 'submitter', 'media');
    mkdirSync(path.dirname(submitterMount), { recursive: true });
    mkdirSync(path.join(root, 'worker'));
    const workerMount = path.join(root, 'worker', 'media');
    mkdirSync(workerMount);
    symlinkSync(workerMount, submitterMount); // one folder, two mount points
    const images = await Promise.all([[220, 10, 10], [10, 10, 220]].map(async ([r, g, b], i) => {
      const file = path.join(workerMount, `face${i}.png`);
      await sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g, b } } }).png().toFile(file);
      return path.join(submitterMount, `face${i}.png`);
    }));
    const mapped = path.join(root, 'shared');
    const w = spawnVisage(['worker', '--queue', redis.url(), '--plugin-dir', FIXTURE_PLUGINS, '--root-map', `${mapped}=${workerMount}`]);
    await waitFor(() => /worker serving/.test(w.err()), 'the worker to connect');
    const out = path.join(root, 'rows.jsonl');
    const r = await runCli('pipeline', 'run', '--queue', redis.url(), '--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic',
      '--set', 'stages.ingest.use=visage.core/media', '--root-map', `${submitterMount}=${mapped}`, '--out', out, ...images);
    expect(r.code).toBe(0);
    const rows = rowsOf(out);
    expect(rows.map((x) => [x.id, x.source, x.label])).toEqual([['face0', images[0], 'happy'], ['face1', images[1], 'sad']]);
    expect(w.err()).toContain(path.join(mapped, 'face0.png')); // the job carried the shared-root path
  });
});
