/**
 * README's "Running on several machines" example, run as written (queue-host is this machine, on the
 * test's Redis port): Redis, two workers, and the submitted sample clip through the embedded preset.
 * The row that comes back equals an in-process run's.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { cleanupProcesses, haveRedis, RedisServer, spawnVisage, waitFor, type VisageChild } from '../helpers/redis-server.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'visage-readme-queue-'));
const localRows = path.join(work, 'local.jsonl');

function readmeExample(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Running on several machines')[1];
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  return block.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

describe.skipIf(!haveRedis())('README: running on several machines', () => {
  beforeAll(async () => {
    // The in-process reference run also converts the embedded models into the cache the workers share.
    const r = await runCli('pipeline', 'run', 'samples/astronaut.mp4', '--out', localRows);
    expect(r.code, r.err).toBe(0);
  });
  afterEach(cleanupProcesses);

  it('runs as written with two workers, and the row equals an in-process run\'s', async () => {
    const lines = readmeExample();
    expect(lines[0]).toMatch(/^redis-server --port 6379 --appendonly yes$/);
    const redis = await RedisServer.start(); // the helper's server runs with --appendonly yes too
    const url = (line: string) => line.replaceAll('redis://queue-host:6379/0', redis.url());
    const workers: VisageChild[] = [];
    let submitted = false;
    for (const line of lines.slice(1)) {
      const args = url(line).replace(/^visage /, '').split(/\s+/);
      if (args[0] === 'worker') {
        const w = spawnVisage(args);
        workers.push(w);
        await waitFor(() => /worker serving/.test(w.err()), 'a worker to connect');
      } else {
        expect(args.slice(0, 2)).toEqual(['pipeline', 'run']);
        const out = path.join(work, 'rows.jsonl');
        const r = await runCli(...args.map((a) => (a === 'rows.jsonl' ? out : a)));
        expect(r.code, r.err).toBe(0);
        const strip = (text: string) => text.trim().split('\n').map((l) => ({ ...JSON.parse(l), timings: undefined }));
        expect(strip(readFileSync(out, 'utf8'))).toEqual(strip(readFileSync(localRows, 'utf8')));
        submitted = true;
      }
    }
    expect(workers).toHaveLength(2);
    expect(submitted).toBe(true);
    expect(workers.map((w) => (w.err().match(/ done in /g) ?? []).length).reduce((a, b) => a + b)).toBe(1);
  });
});
