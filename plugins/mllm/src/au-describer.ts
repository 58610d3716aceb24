/**
 * Turns AU intensity curves into short sentences about onset, peak and offset of each movement,
 * e.g. "The inner brows rise from frame 4 to frame 9, then relax by frame 12."
 * Deterministic, and it names movements only: never an emotion, so the class label cannot leak into
 * the description level.
 */
import { ACTION_UNITS, type ActionUnit, type AuSeries } from './action-units.ts';

/** How each AU reads in a sentence: subject, movement, and the release after the peak. */
const PHRASES: Record<ActionUnit, { subject: string; moves: string; releases: string }> = {
  AU1: { subject: 'the inner brows', moves: 'rise', releases: 'lower again' },
  AU2: { subject: 'the outer brows', moves: 'rise', releases: 'lower again' },
  AU4: { subject: 'the brows', moves: 'lower and draw together', releases: 'relax' },
  AU5: { subject: 'the upper eyelids', moves: 'rise', releases: 'lower again' },
  AU6: { subject: 'the cheeks', moves: 'rise', releases: 'settle' },
  AU9: { subject: 'the nose', moves: 'wrinkles', releases: 'smooths out' },
  AU12: { subject: 'the lip corners', moves: 'pull up and outward', releases: 'relax' },
  AU15: { subject: 'the lip corners', moves: 'pull down', releases: 'relax' },
  AU17: { subject: 'the chin', moves: 'pushes the lower lip up', releases: 'relaxes' },
  AU20: { subject: 'the lips', moves: 'stretch sideways', releases: 'relax' },
  AU23: { subject: 'the lips', moves: 'tighten', releases: 'relax' },
  AU25: { subject: 'the lips', moves: 'part', releases: 'close' },
  AU26: { subject: 'the jaw', moves: 'drops', releases: 'closes' },
};

/** Smallest frame-to-frame increase that still counts as part of a rise (intensity units). */
const FOOT_STEP = 0.02;

/** Sentence used when nothing crosses the thresholds. */
export const NO_CHANGE_SENTENCE = 'The face shows no clear change across the frames.';

export interface DescribeAuOptions {
  /** Smallest peak intensity (0..1) worth a sentence. Default 0.25. */
  minPeak?: number;
  /** Fraction of the peak at or below which the AU counts as at rest before its onset. Default 0.25. */
  restFraction?: number;
  /** Fraction of the peak at or below which the AU counts as released after the peak. Default 0.5. */
  releaseFraction?: number;
  /** Smallest head roll change worth a sentence, degrees. Default 8. */
  minRollDeg?: number;
  /** Smallest head turn (nose shift, IOD units) worth a sentence. Default 0.08. */
  minTurn?: number;
  /** Number printed for frame t (default t + 1, so the first frame is "frame 1"). */
  frameNumbers?: readonly number[];
}

interface Event { onset: number; order: number; sentence: string }

// Module-level, not closures made per call: V8 drops a dead closure's optimized code at a full GC,
// so in a batch these were compiled again every few clips.
const frameLabel = (t: number, frameNumbers?: readonly number[]) => `frame ${frameNumbers?.[t] ?? t + 1}`;
const byOnsetThenOrder = (a: Event, b: Event) => a.onset - b.onset || a.order - b.order;

/**
 * Describes the movements in `series`, one sentence per AU that moves (ordered by onset, then AU
 * number), plus head roll and turn; returns [NO_CHANGE_SENTENCE] when nothing moves.
 */
export function describeActionUnits(series: AuSeries, options: DescribeAuOptions = {}): string[] {
  const minPeak = options.minPeak ?? 0.25;
  const restFraction = options.restFraction ?? 0.25;
  const releaseFraction = options.releaseFraction ?? 0.5;
  const frames = options.frameNumbers;
  const events: Event[] = [];

  series.aus.forEach((au, order) => {
    const v = series.intensity[au];
    const shape = curveShape(v, minPeak, restFraction, releaseFraction);
    if (!shape) return;
    const { subject, moves, releases } = PHRASES[au];
    let s = shape.start === null
      ? `${subject} ${moves} from the first frame, peaking at ${frameLabel(shape.peak, frames)}`
      : `${subject} ${moves} from ${frameLabel(shape.start, frames)} to ${frameLabel(shape.peak, frames)}`;
    if (shape.release !== null) s += `, then ${releases} by ${frameLabel(shape.release, frames)}`;
    events.push({ onset: shape.start ?? -1, order, sentence: capitalise(s) + '.' });
  });

  const roll = poseEvent(series.headRollDeg, options.minRollDeg ?? 8);
  if (roll) {
    const side = roll.delta > 0 ? 'clockwise' : 'counter-clockwise';
    events.push({ onset: roll.from, order: ACTION_UNITS.length, sentence: `The head tilts ${side} by about ${Math.round(Math.abs(roll.delta))} degrees between ${frameLabel(roll.from, frames)} and ${frameLabel(roll.to, frames)}.` });
  }
  const turn = poseEvent(series.headTurn, options.minTurn ?? 0.08);
  if (turn) {
    const side = turn.delta > 0 ? 'image right' : 'image left';
    events.push({ onset: turn.from, order: ACTION_UNITS.length + 1, sentence: `The head turns toward the ${side} between ${frameLabel(turn.from, frames)} and ${frameLabel(turn.to, frames)}.` });
  }

  if (events.length === 0) return [NO_CHANGE_SENTENCE];
  events.sort(byOnsetThenOrder);
  return events.map((e) => e.sentence);
}

/**
 * Onset start (last rest frame before the peak; null when the movement is already under way in the
 * first frame with a face), peak (first maximum) and release (first frame after the peak back at or
 * under releaseFraction of it; null when it holds to the end). Null when the peak is below minPeak.
 */
export function curveShape(v: readonly number[], minPeak: number, restFraction = 0.25, releaseFraction = 0.5):
  { start: number | null; peak: number; release: number | null } | null {
  let peak = -1;
  for (let t = 0; t < v.length; t++) if (Number.isFinite(v[t]) && (peak < 0 || v[t] > v[peak])) peak = t;
  if (peak < 0 || v[peak] < minPeak) return null;
  let start: number | null = null;
  for (let t = peak - 1; t >= 0; t--) {
    if (Number.isFinite(v[t]) && v[t] <= restFraction * v[peak]) { start = t; break; }
  }
  // Walk back over the foot of the rise, so a steady ramp starts where it leaves zero.
  while (start !== null && start > 0 && Number.isFinite(v[start - 1]) && v[start - 1] < v[start] - FOOT_STEP) start--;
  let release: number | null = null;
  for (let t = peak + 1; t < v.length; t++) {
    if (Number.isFinite(v[t]) && v[t] <= releaseFraction * v[peak]) { release = t; break; }
  }
  return { start, peak, release };
}

/** The largest change of a pose curve between two frames, if it exceeds `min`. */
function poseEvent(v: readonly number[], min: number): { from: number; to: number; delta: number } | null {
  let lo = -1, hi = -1;
  for (let t = 0; t < v.length; t++) {
    if (!Number.isFinite(v[t])) continue;
    if (lo < 0 || v[t] < v[lo]) lo = t;
    if (hi < 0 || v[t] > v[hi]) hi = t;
  }
  if (lo < 0 || v[hi] - v[lo] < min) return null;
  const from = Math.min(lo, hi), to = Math.max(lo, hi);
  return { from, to, delta: v[to] - v[from] };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
