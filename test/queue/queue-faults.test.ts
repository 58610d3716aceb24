/**
 * The queue against a real redis-server on loopback: workers and submitters are real `visage`
 * processes, killed and restarted the way machines fail. Short lock and stalled intervals make the
 * handover of a dead worker's job take a second or two.
 */
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';
import { cleanupProcesses, haveRedis, RedisServer, spawnVisage, waitFor, type VisageChild } from '../helpers/redis-server.ts';

const clips = (n: number) => Array.from({ length: n }, (_, i) => `solid:${i + 1},${(7 * i + 3) % 250},${(13 * i + 5) % 250}`);
const idOf = (clip: string) => clip.replace('solid:', 'solid-').replaceAll(',', '-');
const rowsOf = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
const tmpFile = (name: string) => path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-queue-')), name);

function startWorker(url: string, ...extra: string[]): VisageChild {
  return spawnVisage(['worker', '--queue', url, '--plugin-dir', FIXTURE_PLUGINS, ...extra]);
}
/** Short locks, so a dead worker's job is handed over in about a second (only where that is tested: a busy CI machine may delay lock renewals). */
const FAST_HANDOVER = ['--lock-duration', '1500', '--stalled-interval', '500'];
const ready = (w: VisageChild) => waitFor(() => /worker serving/.test(w.err()), 'the worker to connect');
const started = (w: VisageChild) => [...w.err().matchAll(/job (\S+) started/g)].map((m) => m[1]);
const done = (w: VisageChild) => [...w.err().matchAll(/job (\S+) done/g)].map((m) => m[1]);

function submitArgs(url: string, batch: string[], slowMs: number, ...extra: string[]): string[] {
  return ['pipeline', 'run', '--queue', url, '--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic', '--set', `stages.levels.slow.options.ms=${slowMs}`, ...extra, ...batch];
}

describe.skipIf(!haveRedis())('pipeline run --queue with a real Redis', () => {
  afterEach(cleanupProcesses);

  it('returns the rows of an in-process run, in input order, and reuses finished jobs when resubmitted', async () => {
    const redis = await RedisServer.start();
    const workers = [startWorker(redis.url()), startWorker(redis.url())];
    await Promise.all(workers.map(ready));
    const batch = clips(6);
    const [queuedOut, localOut, againOut] = [tmpFile('queued.jsonl'), tmpFile('local.jsonl'), tmpFile('again.jsonl')];
    const args = submitArgs(redis.url(), batch, 30);
    expect((await runCli(...args, '--out', queuedOut)).code).toBe(0);
    const local = args.filter((a, i) => a !== '--queue' && args[i - 1] !== '--queue');
    expect((await runCli(...local, '--out', localOut)).code).toBe(0);
    const queued = readFileSync(queuedOut, 'utf8');
    const strip = (r: Record<string, unknown>) => ({ ...r, timings: undefined });
    expect(rowsOf(queued).map(strip)).toEqual(rowsOf(readFileSync(localOut, 'utf8')).map(strip));
    expect(rowsOf(queued).map((r) => r.id)).toEqual(batch.map(idOf));
    expect(workers.flatMap(done).sort()).toHaveLength(6);

    expect((await runCli(...args, '--out', againOut)).code).toBe(0);
    expect(readFileSync(againOut, 'utf8')).toBe(queued); // same rows, timings included: nothing was recomputed
    expect(workers.flatMap(started)).toHaveLength(6);
  });

  it('hands the job of a worker killed with SIGKILL to another worker; every clip appears exactly once', async () => {
    const redis = await RedisServer.start();
    const a = startWorker(redis.url(), ...FAST_HANDOVER);
    await ready(a);
    const out = tmpFile('rows.jsonl');
    const batch = clips(8);
    const submitter = spawnVisage(submitArgs(redis.url(), batch, 600, '--out', out));
    await waitFor(() => started(a).length > 0, 'worker A to start a job');
    const killedJob = started(a)[0];
    a.child.kill('SIGKILL');
    const b = startWorker(redis.url(), ...FAST_HANDOVER);
    expect(await submitter.exited, submitter.err()).toBe(0);
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows.map((r) => r.id)).toEqual(batch.map(idOf));
    expect(rows.every((r) => r.error === null)).toBe(true);
    expect(done(a)).not.toContain(killedJob);
    expect(done(b)).toContain(killedJob);
  });

  it('resumes after the submitter is killed: finished jobs are not recomputed and the output is complete', async () => {
    const redis = await RedisServer.start();
    const w = startWorker(redis.url());
    await ready(w);
    const out = tmpFile('rows.jsonl');
    const batch = clips(10);
    const first = spawnVisage(submitArgs(redis.url(), batch, 150, '--out', out));
    await waitFor(() => lines(out) >= 3, 'three rows from the first submitter');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(lines(out)).toBeLessThan(10);
    const second = spawnVisage(submitArgs(redis.url(), batch, 150, '--out', out));
    expect(await second.exited, second.err()).toBe(0);
    expect(rowsOf(readFileSync(out, 'utf8')).map((r) => r.id)).toEqual(batch.map(idOf));
    const runs = started(w);
    expect(new Set(runs).size).toBe(10);
    expect(runs).toHaveLength(10); // each clip computed once, across both submissions
  });

  it('loses nothing when Redis restarts mid-batch: workers and submitter reconnect', async () => {
    const redis = await RedisServer.start();
    const w = startWorker(redis.url());
    await ready(w);
    const out = tmpFile('rows.jsonl');
    const batch = clips(10);
    const submitter = spawnVisage(submitArgs(redis.url(), batch, 200, '--out', out));
    await waitFor(() => lines(out) >= 3, 'three rows before the restart');
    await redis.restart(700);
    expect(await submitter.exited, submitter.err()).toBe(0);
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows.map((r) => r.id)).toEqual(batch.map(idOf));
    expect(rows.every((r) => r.error === null)).toBe(true);
    expect(w.err()).toMatch(/reconnect/);
  });

  it('ends a poison clip as an error row after N attempts without blocking the batch', async () => {
    const redis = await RedisServer.start();
    const w = startWorker(redis.url());
    await ready(w);
    const batch = [...clips(2), 'solid:0,0,0', ...clips(5).slice(2)];
    const out = tmpFile('rows.jsonl');
    const r = await runCli(...submitArgs(redis.url(), batch, 10, '--attempts', '3', '--out', out));
    expect(r.code).toBe(1);
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows.map((x) => x.source)).toEqual(batch);
    expect(rows[2].error).toMatchObject({ code: 'PLUGIN_ERROR', plugin: 'test.synthetic', stage: 'ingest', message: 'black clips are refused by the fixture' });
    expect(rows.filter((x) => x.error)).toHaveLength(1);
    expect(w.err().match(/failed \(attempt \d\/3\)/g)).toEqual(['failed (attempt 1/3)', 'failed (attempt 2/3)', 'failed (attempt 3/3)']);
    expect(r.err).toMatch(/5 of 6 clips ok, 1 failed/);

    // Resubmitted, the finished clips are collected again and the poison clip gets its attempts anew.
    const again = await runCli(...submitArgs(redis.url(), batch, 10, '--attempts', '3', '--out', out));
    expect(again.code).toBe(1);
    expect(rowsOf(readFileSync(out, 'utf8')).map((x) => x.error?.code ?? null)).toEqual([null, null, 'PLUGIN_ERROR', null, null, null]);
    expect(w.err().match(/failed \(attempt \d\/3\)/g)).toHaveLength(6);
    expect(w.err().match(/ done in /g)).toHaveLength(5);
  });

  it('never prints the password or user of the Redis URL', async () => {
    const secret = 's3cret-Pa55';
    const redis = await RedisServer.start(['--requirepass', secret]);
    const url = redis.url(0, `default:${secret}`);
    const w = startWorker(url);
    await ready(w);
    expect(readFileSync(`/proc/${w.child.pid}/cmdline`, 'utf8')).not.toContain(secret); // nor in `ps`
    const out = tmpFile('rows.jsonl');
    const r = await runCli(...submitArgs(url, clips(2), 10, '--out', out));
    expect(r.code).toBe(0);
    expect(rowsOf(readFileSync(out, 'utf8'))).toHaveLength(2);
    const wrong = await runCli(...submitArgs(redis.url(0, 'default:wrong-Pa55'), clips(1), 10));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/QUEUE_UNREACHABLE/);
    w.child.kill('SIGTERM');
    await w.exited;
    const printed = [readFileSync(out, 'utf8'), r.out, r.err, wrong.out, wrong.err, w.out(), w.err()].join('\n');
    expect(printed).toContain(`redis://***@127.0.0.1:${redis.port}/0`);
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain('wrong-Pa55');
    expect(printed).not.toContain('default:');
  });
});
