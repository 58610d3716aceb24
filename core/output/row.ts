/** One output row per clip: the JSON Lines record, also flattened for CSV. */
import type { ClipResult, SourceRef } from '../pipeline/stage-types.ts';
import { VisageError, wrapPluginError } from '../errors/visage-error.ts';
import { sourceName } from '../pipeline/normalize-source.ts';

export interface OutputRow {
  id: string;
  source: string;
  /** Ground truth, when the source carried one. */
  groundTruth?: string;
  label: string | null;
  probabilities: Record<string, number>;
  knownness: number;
  unknown: boolean;
  /** Per-level scores and summaries (no heavy payloads). */
  levels: Record<string, { scores?: Record<string, number>; summary?: Record<string, unknown>; text?: string[]; flags?: string[] }>;
  timings: Record<string, number>;
  error: ReturnType<VisageError['toJSON']> | null;
  /** With `--window` (core/pipeline/run-windows.ts): the window's number, or "summary" for the clip-level row. */
  window?: number | 'summary';
  /** With `--window`: the shot (0-based, counted at scene cuts), the face track (0 = the largest), start and end in seconds. */
  shot?: number;
  face?: number;
  start?: number;
  end?: number;
  /** On the summary row: how many windows it averages. */
  windows?: number;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const roundAll = (s: Record<string, number>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]));

export function rowFromResult(r: ClipResult): OutputRow {
  const levels: OutputRow['levels'] = {};
  for (const [slot, out] of Object.entries(r.levels)) {
    levels[slot] = {
      ...(out.scores && { scores: roundAll(out.scores) }),
      ...(out.summary && { summary: out.summary }),
      ...(out.text && { text: out.text }),
      ...(out.flags?.length && { flags: out.flags }),
    };
  }
  return {
    id: r.clip.id,
    source: r.clip.source,
    ...(r.clip.label && { groundTruth: r.clip.label }),
    label: r.decision.label,
    probabilities: roundAll(r.decision.probabilities),
    knownness: round(r.decision.knownness),
    unknown: r.decision.unknown,
    levels,
    timings: r.timings,
    error: null,
  };
}

export function rowFromError(source: SourceRef, e: unknown): OutputRow {
  const err = e instanceof VisageError ? e : wrapPluginError(e, 'visage.core', 'run');
  return {
    id: sourceName(source),
    source: source.path,
    ...(source.label && { groundTruth: source.label }),
    label: null,
    probabilities: {},
    knownness: 0,
    unknown: false,
    levels: {},
    timings: {},
    error: err.toJSON(),
  };
}
