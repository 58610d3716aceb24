/**
 * `visage pipeline run --window` end to end, through the real CLI, models and ffmpeg, on videos
 * made from the shared media (test/helpers/window-media.ts): windows and their timestamps, the
 * shot cut, the summary row, every output format, `--faces all`, and refused options.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputRow } from '../../core/output/row.ts';
import { runCli } from '../helpers/cli.ts';
import { FACES_DIR, haveShared } from '../helpers/shared-data.ts';
import { makeCutVideo, makeTwoFaceVideo } from '../helpers/window-media.ts';

const rowsOf = (text: string): OutputRow[] => text.trim().split('\n').map((l) => JSON.parse(l));
const csv = (text: string) => text.trim().split('\n').map((l) => l.split(','));
/** 4 frames per window keeps the models' share of the test small; the windowing is the same. */
const FAST = ['--set', 'frames=4'];
let outputs = 0;

describe.runIf(haveShared('faces/Megamind.avi'))('pipeline run --window', () => {
  let dir: string;
  let cut: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'visage-windows-'));
    cut = makeCutVideo(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** The CLI with rows written to a fresh file (in-process runs do not capture stdout); `rows` is its text. */
  const run = async (...args: string[]) => {
    const out = path.join(dir, `rows-${outputs++}.txt`);
    const r = await runCli('pipeline', 'run', ...args, '--out', out);
    return { ...r, rows: readFileSync(out, 'utf8') };
  };

  it('gives one row per window with start and end, split at the cut, then the clip-level summary', async () => {
    const r = await run(cut, '--window', '1s', ...FAST);
    expect(r.err).toContain('1 video(s), 6 row(s): 6 ok');
    expect(r.code).toBe(0);
    const rows = rowsOf(r.rows);
    const windows = rows.filter((row) => row.window !== 'summary');
    expect(windows.map((w) => [w.window, w.shot, w.face, w.start, w.end])).toEqual([
      [0, 0, 0, 0, 1], [1, 0, 0, 1, 2], [2, 0, 0, 2, 3], [3, 1, 0, 3, 4], [4, 1, 0, 4, 5],
    ]);
    for (const w of windows) {
      expect(w.id).toBe('cut');
      expect(w.error).toBeNull();
      expect(Object.keys(w.levels)).toContain('expression');
      expect(w.levels.landmarks.summary!.frames).toBe(4);
    }
    const summary = rows[rows.length - 1];
    expect(summary).toMatchObject({ id: 'cut', window: 'summary', start: 0, end: 5, windows: 5, error: null });
    // The summary is the mean of the window probabilities, decided by its largest class.
    for (const [c, p] of Object.entries(summary.probabilities)) {
      expect(p).toBeCloseTo(windows.reduce((a, w) => a + w.probabilities[c], 0) / windows.length, 5);
    }
    const best = Object.entries(summary.probabilities).sort((a, b) => b[1] - a[1])[0][0];
    expect(summary.label).toBe(best);
    expect(summary.knownness).toBeCloseTo(windows.reduce((a, w) => a + w.knownness, 0) / windows.length, 5);
  });

  it('takes lengths in frames, turns cuts off at threshold 1, and puts window columns in CSV', async () => {
    const r = await run(cut, '--window', '48f', '--stride', '36f', '--scene-threshold', '1', '--format', 'csv', ...FAST);
    expect(r.code).toBe(0);
    const [header, ...cells] = csv(r.rows);
    expect(header.slice(0, 7)).toEqual(['id', 'source', 'window', 'shot', 'face', 'start', 'end']);
    // No cut: windows at 0, 36 and 72 frames, the last ending at the video's end (120 frames = 5 s).
    expect(cells.map((c) => c.slice(2, 7))).toEqual([
      ['0', '0', '0', '0', '2'], ['1', '0', '0', '1.5', '3.5'], ['2', '0', '0', '3', '5'], ['summary', '', '0', '0', '5'],
    ]);
    expect(cells.every((c) => c[header.indexOf('label')] !== '')).toBe(true);
  });

  it('makes a shot shorter than the window one window, in the wide CSV too', async () => {
    const r = await run(cut, '--window', '2.5s', '--format', 'csv-wide', ...FAST);
    expect(r.code).toBe(0);
    const [header, ...cells] = csv(r.rows);
    expect(header.slice(2, 7)).toEqual(['window', 'shot', 'face', 'start', 'end']);
    expect(header).toContain('expression_happy');
    // Shot 0 is 3 s: a 2.5 s window and one ending at the cut; shot 1 (2 s) is one short window.
    expect(cells.map((c) => c.slice(2, 7))).toEqual([
      ['0', '0', '0', '0', '2.5'], ['1', '0', '0', '0.5', '3'], ['2', '1', '0', '3', '5'], ['summary', '', '0', '0', '5'],
    ]);
  });

  it('gives one row per face track with --faces all', async () => {
    const two = makeTwoFaceVideo(dir);
    const r = await run(two, '--window', '2s', '--faces', 'all', ...FAST);
    expect(r.code).toBe(0);
    const rows = rowsOf(r.rows);
    const window0 = rows.filter((row) => row.window === 0);
    expect(window0.map((row) => row.face)).toEqual([...Array(window0.length).keys()]);
    expect(window0.length).toBeGreaterThanOrEqual(2);
    // Megamind is on the left half (x < 698), the astronaut on the right: the two largest tracks are one of each.
    const centreX = (row: OutputRow) => {
      const box = row.levels.landmarks.summary!.faceBox as number[];
      return (box[0] + box[2]) / 2;
    };
    const sides = window0.slice(0, 2).map((row) => (centreX(row) < 698 ? 'left' : 'right')).sort();
    expect(sides).toEqual(['left', 'right']);
    expect(window0[0].levels.landmarks.summary!.faceTracks).toBe(window0.length);
    expect(rows[rows.length - 1]).toMatchObject({ window: 'summary', face: 0, windows: 1 });
  });

  it('gives a non-video input an error row, and the run exit code 1', async () => {
    const r = await run(path.join(FACES_DIR, 'messi5.jpg'), '--window', '1s', ...FAST);
    expect(r.code).toBe(1);
    const [row] = rowsOf(r.rows);
    expect(row).toMatchObject({ id: 'messi5', window: 'summary', error: { code: 'WINDOW_NEEDS_VIDEO' } });
  });

  it.each([
    [['--window', '0s'], /WINDOW_LENGTH_INVALID/],
    [['--window', '2'], /WINDOW_LENGTH_INVALID/],
    [['--window', '1s', '--stride', '1.5f'], /WINDOW_LENGTH_INVALID/],
    [['--stride', '1s'], /--stride needs --window/],
    [['--faces', 'all'], /--faces needs --window/],
    [['--window', '1s', '--scene-threshold', '2'], /CLI_OPTION_INVALID/],
    [['--window', '1s', '--resume', '--out', 'rows.jsonl'], /WINDOW_OPTION_UNSUPPORTED.*--resume|--resume cannot be combined with --window/],
    [['--window', '1s', '--queue', 'redis://127.0.0.1:1/0'], /--queue cannot be combined with --window/],
  ])('refuses %j before anything runs (exit 2)', async (args, message) => {
    const out = path.join(dir, 'refused.jsonl');
    const r = await runCli('pipeline', 'run', cut, ...args.map((a) => (a === 'rows.jsonl' ? out : a)));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});
