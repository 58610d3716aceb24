/**
 * `windowRows` (pipeline run --window) on real videos through a real pipeline: the window rows, their
 * place in the video, the faces of a window, the clip-level summary row, and how failures and aborts
 * reach the rows. Videos (window-plugins.ts): `shots` is 2 s red then 1 s blue at 4 fps, so 1 s
 * windows are frames 0-3 and 4-7 (shot 0) and 8-11 (shot 1, after the cut at 2 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputRow } from '../../output/row.ts';
import type { Pipeline } from '../pipeline.ts';
import { windowRows, type WindowRunOptions } from '../run-windows.ts';
import type { SourceRef } from '../stage-types.ts';
import { colourVideo, planWindows, windowHost, type WindowOutcome } from './window-plugins.ts';

const ONE_SECOND = { value: 1, unit: 's' } as const;
/** Window k of a 1 s window at 4 fps starts at frame 4k. */
const windowAt = (first: number) => first / 4;

let dir: string;
let shots: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'visage-run-windows-'));
  shots = colourVideo(dir, 'shots', [['red', 2], ['blue', 1]]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pipeline = (set: string[] = []) => windowHost().pipeline({ preset: 'windows', set });

async function rowsOf(source: SourceRef, opts: Partial<WindowRunOptions> = {}, pl?: Pipeline): Promise<OutputRow[]> {
  const rows: OutputRow[] = [];
  for await (const row of windowRows(pl ?? (await pipeline()), source, { window: ONE_SECOND, ...opts })) rows.push(row);
  return rows;
}

const happy = (p: number, more: Omit<WindowOutcome, 'probabilities'> = {}): WindowOutcome => ({ probabilities: { happy: p, sad: 1 - p }, ...more });
/** The place of each row in the video: window, shot, face, start, end. */
const places = (rows: OutputRow[]) => rows.map((r) => [r.window, r.shot, r.face, r.start, r.end]);

describe('windowRows: the window rows', () => {
  it('gives one row per window in video order, with its shot and times, then the summary spanning the video', async () => {
    const plan = planWindows(({ first }) => happy([0.9, 0.6, 0.3][windowAt(first)]));
    const rows = await rowsOf({ path: shots });
    expect(places(rows)).toEqual([[0, 0, 0, 0, 1], [1, 0, 0, 1, 2], [2, 1, 0, 2, 3], ['summary', undefined, 0, 0, 3]]);
    expect(rows.map((r) => r.label)).toEqual(['happy', 'happy', 'sad', 'happy']);
    for (const row of rows.slice(0, 3)) expect(row).toMatchObject({ id: 'shots', source: shots, error: null, unknown: false });
    // The window columns come right after id and source (the CSV writers keep this order).
    expect(Object.keys(rows[0]).slice(0, 7)).toEqual(['id', 'source', 'window', 'shot', 'face', 'start', 'end']);
    expect(Object.keys(rows[3]).slice(0, 6)).toEqual(['id', 'source', 'window', 'face', 'start', 'end']);
    // Each window is a clip of its own frames, named after the video.
    expect(plan.seen.map((s) => [s.id, s.indices, s.face])).toEqual([
      ['shots', [0, 1, 2, 3], 0], ['shots', [4, 5, 6, 7], 0], ['shots', [8, 9, 10, 11], 0],
    ]);
  });

  it('passes the window, stride and scene threshold on to the video stream', async () => {
    planWindows(() => happy(0.7));
    const rows = await rowsOf({ path: shots }, { window: { value: 4, unit: 'f' }, stride: { value: 2, unit: 'f' }, sceneThreshold: 1 });
    // No cut at threshold 1: one shot, windows every 2 frames, the last one ending at the end.
    expect(places(rows)).toEqual([[0, 0, 0, 0, 1], [1, 0, 0, 0.5, 1.5], [2, 0, 0, 1, 2], [3, 0, 0, 1.5, 2.5], [4, 0, 0, 2, 3], ['summary', undefined, 0, 0, 3]]);
  });

  it('samples and scales each window as the preset ingester would a clip (pad, maxSide)', async () => {
    // 1 s red, then a shot of 2 frames: shorter than the 4 sampled frames, so it is padded.
    const short = colourVideo(dir, 'short-shot', [['red', 1], ['blue', 0.5]]);
    let plan = planWindows(() => happy(0.7));
    await rowsOf({ path: short });
    expect(plan.seen.map((s) => [s.indices, s.width, s.height])).toEqual([[[0, 1, 2, 3], 64, 48], [[4, 5, 5, 5], 64, 48]]);
    plan = planWindows(() => happy(0.7));
    await rowsOf({ path: short }, {}, await pipeline(['stages.ingest.options.pad=zero', 'stages.ingest.options.maxSide=16']));
    expect(plan.seen.map((s) => [s.width, s.height])).toEqual([[16, 12], [16, 12]]);
    expect(plan.seen[1].indices).toEqual([4, 4, 4, 4]);
  });

  it('refuses a video larger than the ingester allows, in the summary row', async () => {
    planWindows(() => happy(0.7));
    const rows = await rowsOf({ path: shots }, {}, await pipeline(['stages.ingest.options.refuseAbove=32']));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 'shots', window: 'summary', face: 0, start: 0, end: 0, windows: 0, label: null, error: { code: 'MEDIA_TOO_LARGE' } });
  });

  it('keeps a failed window as an error row in its place, and the summary averages the others', async () => {
    planWindows(({ first }) => {
      if (windowAt(first) === 1) throw new Error('no face here');
      return happy([0.9, 0, 0.5][windowAt(first)], { knownness: [0.8, 0, 0.4][windowAt(first)] });
    });
    const rows = await rowsOf({ path: shots });
    expect(places(rows)).toEqual([[0, 0, 0, 0, 1], [1, 0, 0, 1, 2], [2, 1, 0, 2, 3], ['summary', undefined, 0, 0, 3]]);
    expect(rows[1]).toMatchObject({ id: 'shots', label: null, probabilities: {}, error: { message: expect.stringContaining('no face here') } });
    expect(rows[3]).toMatchObject({ label: 'happy', probabilities: { happy: 0.7, sad: 0.3 }, knownness: 0.6, windows: 2, error: null });
  });
});

describe('windowRows: jobs', () => {
  /** The pipeline, with the first frame of every window it was asked to run recorded as the call starts. */
  async function watched() {
    const pl = await pipeline();
    const started: number[] = [];
    const run = pl.run.bind(pl);
    pl.run = (source, opts) => {
      started.push(opts!.clip!.indices[0]);
      return run(source, opts);
    };
    return { pl, started };
  }

  it.each([[undefined, 2], [1, 1], [3, 3]])('with jobs %s, runs %i window(s) before the first row is out', async (jobs, inFlight) => {
    planWindows(() => happy(0.7));
    const { pl, started } = await watched();
    const rows = windowRows(pl, { path: shots }, { window: ONE_SECOND, jobs });
    expect((await rows.next()).value).toMatchObject({ window: 0, error: null });
    expect(started).toEqual([0, 4, 8].slice(0, inFlight));
    const rest: OutputRow[] = [];
    for await (const row of rows) rest.push(row);
    expect(rest.map((r) => r.window)).toEqual([1, 2, 'summary']);
    expect(started).toEqual([0, 4, 8]);
  });

  it('yields rows in window order when a later window finishes first', async () => {
    planWindows(() => happy(0.7));
    const pl = await pipeline();
    const run = pl.run.bind(pl);
    const finished: number[] = [];
    let othersDone!: () => void;
    const others = new Promise<void>((resolve) => (othersDone = resolve));
    pl.run = async (source, opts) => {
      const first = opts!.clip!.indices[0];
      // Window 0 waits for the two after it (all three are in flight with jobs 3).
      if (first === 0) await others;
      const result = await run(source, opts);
      if (finished.push(windowAt(first)) === 2) othersDone();
      return result;
    };
    const rows = await rowsOf({ path: shots }, { jobs: 3 }, pl);
    expect(finished[2]).toBe(0);
    expect(rows.map((r) => r.window)).toEqual([0, 1, 2, 'summary']);
  });
});

describe('windowRows: faces', () => {
  // Window 0 has three faces, window 1 one, window 2 says nothing about faces; face 0 is happy, the others sad.
  const threeFaces = () => planWindows(({ first, face }) => happy(face === 0 ? 0.8 : 0.2, { faceTracks: [3, 1, undefined][windowAt(first)] }));

  it('follows the largest face (track 0) by default, whatever the window holds', async () => {
    const plan = threeFaces();
    const rows = await rowsOf({ path: shots });
    expect(places(rows)).toEqual([[0, 0, 0, 0, 1], [1, 0, 0, 1, 2], [2, 1, 0, 2, 3], ['summary', undefined, 0, 0, 3]]);
    expect(plan.seen.map((s) => s.face)).toEqual([0, 0, 0]);
  });

  it('with faces "all", gives a row per face track, and the summary averages face 0 only', async () => {
    const plan = threeFaces();
    const rows = await rowsOf({ path: shots }, { faces: 'all' });
    expect(places(rows)).toEqual([
      [0, 0, 0, 0, 1], [0, 0, 1, 0, 1], [0, 0, 2, 0, 1], [1, 0, 0, 1, 2], [2, 1, 0, 2, 3], ['summary', undefined, 0, 0, 3],
    ]);
    expect(plan.seen.filter((s) => s.first === 0).map((s) => s.face)).toEqual([0, 1, 2]);
    // The faces are read from the level that reports them, whichever comes first in the row.
    expect(Object.keys(rows[0].levels)).toEqual(['count', 'look']);
    expect(rows.map((r) => r.label)).toEqual(['happy', 'sad', 'sad', 'happy', 'happy', 'happy']);
    expect(rows[5]).toMatchObject({ probabilities: { happy: 0.8, sad: 0.2 }, windows: 3 });
  });

  it('with faces "all", a window whose face 0 failed gets one row, and a failed face k its own error row', async () => {
    planWindows(({ first, face }) => {
      if (windowAt(first) === 0 || face === 1) throw new Error(`face ${face} failed`);
      return happy(0.8, { faceTracks: 2 });
    });
    const rows = await rowsOf({ path: shots }, { faces: 'all' });
    expect(rows.map((r) => [r.window, r.face, String(r.error?.message).includes(`face ${r.face} failed`)])).toEqual([
      [0, 0, true], [1, 0, false], [1, 1, true], [2, 0, false], [2, 1, true], ['summary', 0, false],
    ]);
    expect(rows[5]).toMatchObject({ windows: 2, error: null });
  });
});

describe('windowRows: the summary row', () => {
  it('is the mean of the scored windows: probabilities, knownness, and the label of the highest mean', async () => {
    planWindows(({ first }) => happy([0.9, 0.6, 0.3][windowAt(first)], { knownness: [1, 0.5, 0.6][windowAt(first)] }));
    const rows = await rowsOf({ path: shots, label: 'sad' });
    // Means rounded to 6 decimals, as every row's numbers are (0.9 + 0.6 + 0.3) / 3 is 0.6000000000000001.
    expect(rows[3]).toEqual({
      id: 'shots', source: shots, window: 'summary', face: 0, start: 0, end: 3, groundTruth: 'sad',
      label: 'happy', probabilities: { happy: 0.6, sad: 0.4 }, knownness: 0.7, unknown: false, levels: {}, timings: {}, error: null, windows: 3,
    });
    expect(rows.slice(0, 3).map((r) => r.groundTruth)).toEqual(['sad', 'sad', 'sad']);
  });

  it('counts a class a window lacks as 0 there, and names the class of the highest mean', async () => {
    const probabilities: Record<string, number>[] = [{ happy: 0.5 }, { sad: 0.9 }, { happy: 0.4, sad: 0.6 }];
    planWindows(({ first }) => ({ probabilities: probabilities[windowAt(first)] }));
    const [, , , summary] = await rowsOf({ path: shots });
    expect(summary.probabilities).toEqual({ happy: 0.3, sad: 0.5 });
    expect(summary.label).toBe('sad');
  });

  it('on a tie, keeps the first class the windows name', async () => {
    planWindows(({ first }) => ({ probabilities: [{ sad: 0.5, happy: 0.5 }, { happy: 0.5, sad: 0.5 }, { sad: 0.5, happy: 0.5 }][windowAt(first)] }));
    expect((await rowsOf({ path: shots }))[3].label).toBe('sad');
  });

  it('is unknown, with no label, when more than half of the windows are unknown', async () => {
    planWindows(({ first }) => happy(0.9, { unknown: windowAt(first) > 0 }));
    expect((await rowsOf({ path: shots }))[3]).toMatchObject({ unknown: true, label: null, probabilities: { happy: 0.9, sad: 0.1 } });
    planWindows(({ first }) => happy(0.9, { unknown: windowAt(first) === 0 }));
    expect((await rowsOf({ path: shots }))[3]).toMatchObject({ unknown: false, label: 'happy' });
  });

  it('is not unknown when exactly half of the windows are', async () => {
    const four = colourVideo(dir, 'four', [['red', 4]]);
    planWindows(({ first }) => happy(0.9, { unknown: windowAt(first) % 2 === 0 }));
    const rows = await rowsOf({ path: four });
    expect(rows.map((r) => r.unknown)).toEqual([true, false, true, false, false]);
    expect(rows[4]).toMatchObject({ label: 'happy', windows: 4 });
  });

  it('is NO_WINDOW_SCORED when every window failed, and still spans the video', async () => {
    planWindows(() => {
      throw new Error('no face');
    });
    const rows = await rowsOf({ path: shots, label: 'happy' });
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatchObject({
      id: 'shots', window: 'summary', face: 0, start: 0, end: 3, windows: 0, label: null, groundTruth: 'happy',
      error: { code: 'NO_WINDOW_SCORED', message: `none of the 3 window(s) of ${shots} was scored, so there is no clip-level summary` },
    });
  });
});

describe('windowRows: a video that cannot be read', () => {
  it('gives only the summary row, with the error, the id from the file name and no span', async () => {
    planWindows(() => happy(0.7));
    const missing = path.join(dir, 'nowhere', 'gone.mp4');
    const rows = await rowsOf({ path: missing, label: 'sad' });
    expect(rows).toEqual([expect.objectContaining({ id: 'gone', source: missing, groundTruth: 'sad', window: 'summary', face: 0, start: 0, end: 0, windows: 0, label: null })]);
    expect(rows[0].error).toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });

  it('ends in the summary row on an error that is not a VisageError, without an abort', async () => {
    planWindows(() => happy(0.7));
    // The CLI refuses a fractional stride; a caller of windowRows that does not gets WindowPlanner's RangeError.
    const rows = await rowsOf({ path: shots }, { stride: { value: 1.5, unit: 'f' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ window: 'summary', windows: 0, error: { message: expect.stringContaining('window length and stride must be positive whole numbers of frames, got 4 and 1.5') } });
    expect(rows[0].error!.code).not.toBe('ABORTED');
  });

  it('keeps the id a source carries', async () => {
    planWindows(() => happy(0.7));
    const rows = await rowsOf({ path: shots, id: 'subject/clip' });
    expect(rows.map((r) => r.id)).toEqual(['subject/clip', 'subject/clip', 'subject/clip', 'subject/clip']);
  });
});

describe('windowRows: abort', () => {
  it('an abort before the video opens is ABORTED with the reason, as a window row would say it', async () => {
    planWindows(() => happy(0.7));
    const stop = new AbortController();
    stop.abort(new Error('interrupted by SIGINT'));
    const rows = await rowsOf({ path: shots }, { signal: stop.signal });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ window: 'summary', windows: 0, error: { code: 'ABORTED', message: 'stopped while running: interrupted by SIGINT' } });
  });

  it('an abort while windows run stops the stream: the windows in flight and the summary are ABORTED', async () => {
    const stop = new AbortController();
    planWindows(({ first }) => {
      if (first === 0) stop.abort(new Error('interrupted by SIGINT'));
      return happy(0.7);
    });
    const rows = await rowsOf({ path: shots }, { signal: stop.signal });
    expect(rows.length).toBeLessThan(4);
    for (const row of rows) expect(row.error).toMatchObject({ code: 'ABORTED', message: 'stopped while running: interrupted by SIGINT' });
    expect(rows.at(-1)).toMatchObject({ window: 'summary', windows: 0 });
  });
});
