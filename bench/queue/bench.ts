/**
 * `npm run bench:queue [-- --clips N]`: the same N clips (default 100; copies of a 1 s cut of
 * samples/astronaut.mp4, each with its own bytes so each is its own job) through the embedded preset
 *   - in-process: `visage pipeline run --jobs 2`,
 *   - on the queue with 1 worker (--concurrency 2) and with 2 workers (--concurrency 1 each),
 * and the bare queue round trip per clip (no-op clips of the test fixture plugin, queue vs in-process).
 * Every run is a fresh `visage` process, timed from start to exit; workers are started (and connected)
 * before the clock starts and load their models on their first job, inside the timing. A fresh
 * redis-server on a random loopback port per run, so no job is reused.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from '../lib/table.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VISAGE = path.join(ROOT, 'bin/visage.js');
const FIXTURES = path.join(ROOT, 'test/fixtures/plugins');
const argClips = process.argv.indexOf('--clips');
const N = argClips > 0 ? Number(process.argv[argClips + 1]) : 100;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'visage-bench-queue-'));
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function makeClips(n: number): string[] {
  const base = path.join(tmp, 'base.mp4');
  ffmpeg(['-ss', '0.5', '-i', path.join(ROOT, 'samples/astronaut.mp4'), '-t', '1', '-an', '-c:v', 'libx264', '-preset', 'veryfast', base]);
  return Array.from({ length: n }, (_, i) => {
    const out = path.join(tmp, `clip${String(i).padStart(3, '0')}.mp4`);
    ffmpeg(['-i', base, '-c', 'copy', '-metadata', `comment=bench clip ${i}`, out]);
    return out;
  });
}

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

function start(args: string[], cmd = process.execPath): { child: ChildProcess; err: () => string; exit: Promise<number | null> } {
  const child = spawn(cmd, cmd === process.execPath ? [VISAGE, ...args] : args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.once('exit', (c) => (children.delete(child), r(c))));
  return { child, err: () => err, exit };
}

async function timed(args: string[]): Promise<number> {
  const t0 = performance.now();
  const p = start(args);
  const code = await p.exit;
  if (code !== 0) throw new Error(`visage ${args.slice(0, 4).join(' ')} ... exited ${code}:\n${p.err()}`);
  return (performance.now() - t0) / 1000;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs `submit` against a fresh Redis with `workers` workers (each with `concurrency`). */
async function onQueue(workers: number, concurrency: number, submit: (url: string) => string[], workerArgs: string[] = []): Promise<number> {
  const port = await freePort();
  const redis = start(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp], 'redis-server');
  await waitFor(() => /Ready to accept/.test(redis.err()) || redis.child.exitCode !== null, 10_000).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  const url = `redis://127.0.0.1:${port}/0`;
  const ws = Array.from({ length: workers }, () => start(['worker', '--queue', url, '--concurrency', String(concurrency), ...workerArgs]));
  await waitFor(() => ws.every((w) => /worker serving/.test(w.err())), 60_000);
  try {
    return await timed(submit(url));
  } finally {
    for (const w of ws) {
      w.child.kill('SIGTERM');
      await w.exit;
    }
    redis.child.kill('SIGTERM');
    await redis.exit;
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server is missing: bash scripts/install.sh (or apt-get install redis-server)');
const clips = makeClips(N);
const out = (name: string) => ['--out', path.join(tmp, `${name}.jsonl`)];
console.error(`bench:queue: ${N} clips in ${tmp}; warming the model cache`);
await timed(['pipeline', 'run', clips[0], ...out('warm')]);

const results: [string, number][] = [];
const plain = await timed(['pipeline', 'run', '--jobs', '2', ...out('plain'), ...clips]);
results.push(['in-process, pipeline run --jobs 2', plain]);
console.error(`  in-process: ${plain.toFixed(1)} s`);
const one = await onQueue(1, 2, (url) => ['pipeline', 'run', '--queue', url, ...out('queue1'), ...clips]);
results.push(['queue, 1 worker (--concurrency 2)', one]);
console.error(`  1 worker: ${one.toFixed(1)} s`);
const two = await onQueue(2, 1, (url) => ['pipeline', 'run', '--queue', url, ...out('queue2'), ...clips]);
results.push(['queue, 2 workers (--concurrency 1 each)', two]);
console.error(`  2 workers: ${two.toFixed(1)} s`);
for (const f of ['plain', 'queue1', 'queue2']) {
  const rows = readFileSync(path.join(tmp, `${f}.jsonl`), 'utf8').trim().split('\n');
  if (rows.length !== N || rows.some((r) => JSON.parse(r).error)) throw new Error(`${f}: expected ${N} rows without errors`);
}

// The queue's own cost per clip: no-op clips, so only enqueueing, handing over and collecting are left.
const noop = Array.from({ length: N }, (_, i) => `solid:${(i % 250) + 1},${(i * 7) % 256},${(i * 13) % 256}`);
const fx = ['--plugin-dir', FIXTURES, '--preset', 'synthetic'];
const noopLocal = await timed(['pipeline', 'run', '--jobs', '2', ...fx, ...out('noop-local'), ...noop]);
const noopQueue = await onQueue(1, 2, (url) => ['pipeline', 'run', '--queue', url, ...fx, ...out('noop-queue'), ...noop], ['--plugin-dir', FIXTURES]);

const rate = (s: number) => (N / s).toFixed(2);
const overheadMs = (s: number) => (((s - plain) / N) * 1000).toFixed(0);
const pct = (s: number) => `${(((s - plain) / plain) * 100).toFixed(1)}%`;
printTable(['run', 'clips', 'wall s', 'clips/s', 'vs in-process', 'overhead/clip ms'], [
  ...results.map(([name, s]) => [name, String(N), s.toFixed(1), rate(s), name.startsWith('in-process') ? '-' : pct(s), name.startsWith('in-process') ? '-' : overheadMs(s)]),
  ['no-op clips: queue round trip (1 worker) vs in-process', String(N), noopQueue.toFixed(1), rate(noopQueue), `${noopQueue >= noopLocal ? '+' : ''}${(noopQueue - noopLocal).toFixed(1)} s`, (((noopQueue - noopLocal) / N) * 1000).toFixed(1)],
]);
console.log(`\n${os.cpus().length} CPU cores; each run is a fresh process (start-up included); workers connect before the clock starts.`);
