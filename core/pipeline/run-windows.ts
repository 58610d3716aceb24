/**
 * `pipeline run --window`: one video, streamed once, each window pushed through the pipeline as a
 * clip of its own (same levels, fusion and decide as any clip), rows yielded in window order as
 * soon as each window is done, then one clip-level summary row.
 *
 * A window reaches the pipeline through the ordinary `run()` with its already decoded frames
 * (`RunOptions.clip`): ingest is skipped, and the levels, fusion and decide run under the same time
 * limits, aborts and output checks as for any clip.
 *
 * The summary row (`window: "summary"`) is defined as: probabilities = the mean of the scored
 * windows' probabilities (each window counts once), knownness = their mean, `unknown` = more than
 * half of the windows were unknown, label = null when unknown, else the class with the highest mean
 * probability; `start`/`end` span the video's windows; `windows` counts the windows it averages.
 * With `--faces all` it summarises the largest face of each window (face 0).
 */
import { clipAborted, noWindowScored } from '../errors/messages.ts';
import { isVisageError } from '../errors/visage-error.ts';
import { openWindowStream, type StreamWindowsOptions, type VideoWindow } from '../media/stream-windows.ts';
import { rowFromError, rowFromResult, type OutputRow } from '../output/row.ts';
import type { Clip } from '../types.ts';
import { normalizeSource, sourceName } from './normalize-source.ts';
import { reasonText, type Pipeline } from './pipeline.ts';
import type { SourceRef } from './stage-types.ts';

export type FacesMode = 'largest' | 'all';

export interface WindowRunOptions extends Pick<StreamWindowsOptions, 'window' | 'stride' | 'sceneThreshold'> {
  /** 'largest' (default): each window follows its largest face track; 'all': one row per face track. */
  faces?: FacesMode;
  /** Windows in flight at once (decoding goes on meanwhile); default 2. */
  jobs?: number;
  signal?: AbortSignal;
}

/** The ingest options of the built-in media ingester that also shape windows. */
interface MediaIngestOptions {
  pad?: 'last' | 'zero';
  maxSide?: number;
  refuseAbove?: number;
}

/** Rows of one video: one per window (per face track with faces 'all'), then the summary row. */
export async function* windowRows(pl: Pipeline, source: SourceRef, opts: WindowRunOptions): AsyncGenerator<OutputRow> {
  const src = { ...normalizeSource(source), id: sourceName(source) };
  const media = pl.preset.ingest.options as MediaIngestOptions;
  const jobs = opts.jobs ?? 2;
  // Stryker disable next-line StringLiteral: only 'all' is tested for; any other value follows the largest face
  const faces = opts.faces ?? 'largest';
  const scored: OutputRow[] = [];
  let span: [number, number] | undefined;
  let windowCount = 0;

  const runFace = async (w: VideoWindow, face: number): Promise<OutputRow> => {
    try {
      // Object.assign, not `{ ...w.clip, faceTrack }`: in Node 20's V8 a spread followed by a property
      // its source lacks makes a new hidden class per window, and every level reads the clip.
      const result = await pl.run(src, { signal: opts.signal, clip: Object.assign({}, w.clip, { id: src.id, faceTrack: face }) });
      return windowRow(rowFromResult(result), w, face);
    } catch (e) {
      return windowRow(rowFromError(src, e), w, face);
    }
  };
  const runWindow = async (w: VideoWindow): Promise<OutputRow[]> => {
    const rows = [await runFace(w, 0)];
    if (faces === 'all') {
      const tracks = faceTracksOf(rows[0]);
      for (let k = 1; k < tracks; k++) rows.push(await runFace(w, k));
    }
    return rows;
  };

  const pending: Promise<OutputRow[]>[] = [];
  const take = async function* () {
    const rows = await pending.shift()!;
    if (!rows[0].error) scored.push(rows[0]);
    yield* rows;
  };
  let failure: unknown;
  try {
    const { windows } = await openWindowStream(src.path, { ...opts, frames: pl.preset.frames, pad: media.pad, maxSide: media.maxSide, refuseAbove: media.refuseAbove, signal: opts.signal });
    for await (const w of windows) {
      // Stryker disable next-line LogicalOperator: the first window starts at 0 s, as a lost start does (summaryShape)
      span = [span?.[0] ?? w.start, w.endTime];
      windowCount++;
      pending.push(runWindow(w));
      while (pending.length >= jobs) yield* take();
    }
  } catch (e) {
    failure = opts.signal?.aborted && !isVisageError(e) ? clipAborted(reasonText(opts.signal.reason)) : e;
  }
  while (pending.length) yield* take();
  if (failure === undefined && scored.length === 0) failure = noWindowScored(src.path, windowCount);
  const summary = failure === undefined ? summarise(src, scored) : rowFromError(src, failure);
  yield { ...summaryShape(summary, span), windows: scored.length };
}

/** How many face tracks the landmarks level found (its `faceTracks` summary); 1 when no level says. */
function faceTracksOf(row: OutputRow): number {
  for (const level of Object.values(row.levels)) {
    const n = level.summary?.faceTracks;
    if (typeof n === 'number') return n;
  }
  return 1;
}

/** A row with the window's place in front: `window`, `shot`, `face`, `start`, `end` (seconds). */
function windowRow(row: OutputRow, w: VideoWindow, face: number): OutputRow {
  const { id, source, ...rest } = row;
  return { id, source, window: w.index, shot: w.shot, face, start: w.start, end: w.endTime, ...rest };
}

function summaryShape(row: OutputRow, span?: [number, number]): OutputRow {
  const { id, source, ...rest } = row;
  return { id, source, window: 'summary', face: 0, start: span?.[0] ?? 0, end: span?.[1] ?? 0, ...rest };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** The summary's decision from the scored window rows (see the definition at the top). */
function summarise(src: SourceRef & { id: string }, rows: OutputRow[]): OutputRow {
  const classes = [...new Set(rows.flatMap((r) => Object.keys(r.probabilities)))];
  const mean = (f: (r: OutputRow) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  const probabilities = Object.fromEntries(classes.map((c) => [c, round(mean((r) => r.probabilities[c] ?? 0))]));
  const unknown = rows.filter((r) => r.unknown).length * 2 > rows.length;
  const best = classes.reduce<string | null>((a, c) => (a === null || probabilities[c] > probabilities[a] ? c : a), null);
  return {
    id: src.id, source: src.path, ...(src.label && { groundTruth: src.label }),
    label: unknown ? null : best, probabilities, knownness: round(mean((r) => r.knownness)), unknown, levels: {}, timings: {}, error: null,
  };
}
