/**
 * `visage pipeline run` hands each clip's frame memory back once its row is written, and the next
 * clips decode into it (core/media/frame-memory.ts, Pipeline.release): the rows stay those of a
 * run without reuse, even when the memory held another video; only clips the pipeline ingested
 * itself are taken back; and a batch runs far fewer full garbage collections.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../core/index.ts';
import { frameMemory } from '../../core/media/frame-memory.ts';
import { LevelCache } from '../../core/pipeline/level-cache.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';
import { runCli } from '../helpers/cli.ts';

const run = promisify(execFile);
const SAMPLE = path.join(REPO_ROOT, 'samples/astronaut.mp4');
const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-frame-reuse-'));
const MIRRORED = path.join(dir, 'mirrored.mp4');

beforeAll(() => {
  // The same size and frame count as the sample, other pixels (and another face position).
  execFileSync('ffmpeg', ['-v', 'error', '-i', SAMPLE, '-vf', 'hflip', '-c:v', 'libx264', '-crf', '30', '-an', MIRRORED]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `pipeline run --jobs 2` over the two videos taking turns, under names of their own; the rows by id. */
async function rows(reuse: boolean): Promise<{ rows: Map<string, unknown>; reused: number }> {
  const inputs = Array.from({ length: 6 }, (_, i) => {
    const p = path.join(dir, `${reuse ? 'on' : 'off'}-${i}.mp4`);
    symlinkSync(i % 2 ? MIRRORED : SAMPLE, p);
    return p;
  });
  const reused0 = frameMemory.stats.reused;
  if (!reuse) process.env.VISAGE_REUSE_FRAMES = '0';
  try {
    const out = path.join(dir, `${reuse ? 'on' : 'off'}.jsonl`);
    const r = await runCli('pipeline', 'run', '--jobs', '2', '--format', 'jsonl', '--out', out, ...inputs);
    expect(r.code, r.err).toBe(0);
    const parsed = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; source: string; timings: unknown });
    // The same clip numbers under both runs' names.
    // Everything but the names and the wall times.
    return { rows: new Map(parsed.map(({ id, source: _, timings: __, ...row }) => [id.replace(/^(on|off)-/, ''), row])), reused: frameMemory.stats.reused - reused0 };
  } finally {
    delete process.env.VISAGE_REUSE_FRAMES;
  }
}

describe('frame memory reuse in pipeline run', () => {
  it('gives the rows of a run without reuse, with memory that held the other video', async () => {
    const off = await rows(false);
    const on = await rows(true);
    expect(off.reused).toBe(0);
    // 6 clips, 2 in flight and up to 2 prefetched: the later ones decode into handed-back memory.
    expect(on.reused).toBeGreaterThanOrEqual(1);
    expect(on.rows.size).toBe(6);
    expect([...on.rows.keys()].sort()).toEqual([...off.rows.keys()].sort());
    for (const [id, row] of on.rows) expect(row, id).toEqual(off.rows.get(id));
    // The two videos differ, so equal rows across them would mean a stale frame was read.
    expect(on.rows.get('0')).not.toEqual(on.rows.get('1'));
  }, 180_000);

  it('takes back only clips the pipeline ingested itself, once', async () => {
    const host = createHost({ logLevel: 'error' });
    try {
      const pipeline = await host.pipeline({});
      const own = await pipeline.run({ path: SAMPLE });
      expect(pipeline.release(own)).toBe(own.clip.frames[0].rgb.buffer.byteLength);
      expect(pipeline.release(own)).toBe(0);
      // From an ingest cache (compare, ablate): other pipelines may read those frames.
      const cached = await pipeline.run({ path: SAMPLE }, { cache: new LevelCache() });
      expect(pipeline.release(cached)).toBe(0);
      // Given by the caller (a window of a long video): the caller's frames.
      const other = await pipeline.levels({ path: MIRRORED });
      const given = await pipeline.run({ path: SAMPLE }, { clip: other.clip });
      expect(pipeline.release(given)).toBe(0);
      expect(pipeline.release(other)).toBeGreaterThan(0);
      await pipeline.dispose();
    } finally {
      await host.dispose();
    }
  }, 120_000);

  it('runs far fewer full garbage collections over a batch', async () => {
    const majorGcs = async (frames: 'release' | 'keep') => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/helpers/gc-count-run.ts'), SAMPLE, '20', frames], { cwd: REPO_ROOT });
      return (JSON.parse(stdout.trim().split('\n').pop()!) as { major: number }).major;
    };
    const keep = await majorGcs('keep');
    const release = await majorGcs('release');
    // Here 5 against 0 (bench:frontend on Megamind.avi: 0.32 against 0.02-0.03 per clip).
    expect(keep).toBeGreaterThanOrEqual(3);
    expect(release).toBeLessThanOrEqual(keep / 3);
  }, 180_000);
});
