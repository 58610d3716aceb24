/** Job ids, root maps, queue URLs and their redaction: the parts of the queue that need no Redis. */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHost } from '../../core/host/host.ts';
import { contentHash, jobId, presetSpec } from '../../core/queue/job-identity.ts';
import { queueTarget } from '../../core/queue/queue-connection.ts';
import { redactUrl } from '../../core/queue/redact-url.ts';
import { mapRoot, parseRootMaps } from '../../core/queue/root-map.ts';
import { requirementDifferences, requirementsOf } from '../../core/queue/worker-requirements.ts';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';

describe('job identity', () => {
  const host = createHost({ pluginDirs: [FIXTURE_PLUGINS] });
  const work = (set: string[] = []) => ({ kind: 'row', preset: presetSpec(host.resolve({ preset: 'synthetic', set })) });

  it('is the clip content plus the resolved preset: same bytes under another name is the same job', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-id-'));
    writeFileSync(path.join(dir, 'a.mp4'), 'clip bytes');
    copyFileSync(path.join(dir, 'a.mp4'), path.join(dir, 'b.mp4'));
    writeFileSync(path.join(dir, 'c.mp4'), 'other bytes');
    const [a, b, c] = await Promise.all(['a.mp4', 'b.mp4', 'c.mp4'].map((f) => contentHash(path.join(dir, f))));
    expect(jobId(work(), a)).toBe(jobId(work(), b));
    expect(jobId(work(), a)).not.toBe(jobId(work(), c));
    expect(jobId(work(['frames=8']), a)).not.toBe(jobId(work(), a));
    expect(jobId(work(), a)).toMatch(/^[0-9a-f]{24}-[0-9a-f]{40}$/);
  });

  it('does not depend on option order', () => {
    expect(jobId({ x: 1, y: { a: 1, b: 2 } }, 'c')).toBe(jobId({ y: { b: 2, a: 1 }, x: 1 }, 'c'));
  });

  it('names what a worker lacks: a plugin version, or the model files', () => {
    const need = requirementsOf(host.resolve({ preset: 'synthetic' }), 'abc123');
    expect(need.plugins['test.synthetic']).toBe('1.0.0');
    expect(requirementDifferences(need, host.registry, 'abc123')).toEqual([]);
    expect(requirementDifferences({ ...need, plugins: { ...need.plugins, 'test.synthetic': '2.0.0' } }, host.registry, 'abc123'))
      .toEqual(['plugin test.synthetic is 1.0.0 here, job needs 2.0.0']);
    expect(requirementDifferences(need, host.registry, undefined)[0]).toMatch(/this worker has no --models/);
  });
});

describe('root maps', () => {
  it('rewrites paths under FROM to TO and leaves others alone', () => {
    const maps = parseRootMaps(['/mnt/media=/data/media']);
    expect(mapRoot('/mnt/media/dfew/1.mp4', maps)).toBe('/data/media/dfew/1.mp4');
    expect(mapRoot('/mnt/mediax/1.mp4', maps)).toBe('/mnt/mediax/1.mp4');
    expect(() => parseRootMaps(['media=/data'])).toThrow(/QUEUE_ROOT_MAP_INVALID|FROM=TO/);
  });
});

describe('queue URLs', () => {
  it('hide user and password when shown', () => {
    expect(redactUrl('redis://visage:s3cret@db.lab:6380/2')).toBe('redis://***@db.lab:6380/2');
    expect(redactUrl('redis://:s3cret@db.lab/0')).toBe('redis://***@db.lab/0');
    expect(redactUrl('redis://db.lab:6379/0')).toBe('redis://db.lab:6379/0');
  });

  it('become connection options, and a bad one is a coded error without the secret', () => {
    const t = queueTarget('redis://visage:p%40ss@db.lab:6380/2');
    expect(t.connection).toMatchObject({ host: 'db.lab', port: 6380, db: 2, username: 'visage', password: 'p@ss', maxRetriesPerRequest: null });
    expect(t.shown).toBe('redis://***@db.lab:6380/2');
    let err: unknown;
    try {
      queueTarget('http://visage:s3cret@db.lab/0');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'QUEUE_URL_INVALID', exitCode: 2 });
    expect((err as Error).message).not.toContain('s3cret');
  });
});

describe('pipeline run --queue', () => {
  it('refuses options that only an in-process run can honour', async () => {
    const r = await runCli('pipeline', 'run', '--queue', 'redis://127.0.0.1:1/0', '--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic', '--profile', 'solid:1,2,3');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/QUEUE_OPTION_UNSUPPORTED: --profile cannot be combined with --queue/);
  });
});
