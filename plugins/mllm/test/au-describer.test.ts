import { describe, expect, it } from 'vitest';
import { ACTION_UNITS, type ActionUnit, type AuSeries } from '../src/action-units.ts';
import { NO_CHANGE_SENTENCE, curveShape, describeActionUnits } from '../src/au-describer.ts';
import { seededNoise } from './helpers/template-mesh.ts';

/** A series with the given curves and every other AU flat at 0. */
function series(curves: Partial<Record<ActionUnit, number[]>>, extra: Partial<AuSeries> = {}): AuSeries {
  const T = Object.values(curves)[0]?.length ?? extra.frameCount ?? 8;
  const intensity = {} as Record<ActionUnit, number[]>;
  for (const au of ACTION_UNITS) intensity[au] = curves[au] ?? new Array(T).fill(0);
  return {
    aus: ACTION_UNITS, frameCount: T, neutralFrame: 0, present: new Array(T).fill(true), intensity, raw: intensity,
    headRollDeg: new Array(T).fill(0), headTurn: new Array(T).fill(0), ...extra,
  };
}

describe('curveShape', () => {
  it('finds onset, peak and release', () => {
    expect(curveShape([0, 0, 0.1, 0.5, 0.9, 0.6, 0.3, 0.1], 0.25)).toEqual({ start: 1, peak: 4, release: 6 });
    expect(curveShape([0.8, 0.9, 0.9, 0.9], 0.25)).toEqual({ start: null, peak: 1, release: null });
    expect(curveShape([0, 0.1, 0.2, 0.1], 0.25)).toBeNull();
    expect(curveShape([NaN, 0, NaN, 0.6, NaN], 0.25)).toEqual({ start: 1, peak: 3, release: null });
  });
});

describe('describeActionUnits', () => {
  it('writes one sentence per moving AU, ordered by onset, with onset, peak and release frames', () => {
    const s = series({
      AU1: [0, 0, 0, 0.1, 0.4, 0.7, 0.9, 0.8, 0.6, 0.2, 0, 0],
      AU25: [0, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    });
    expect(describeActionUnits(s)).toEqual([
      'The lips part from frame 1 to frame 3.',
      'The inner brows rise from frame 3 to frame 7, then lower again by frame 10.',
    ]);
  });

  it('numbers frames as the caller asks (e.g. source frame indices)', () => {
    const s = series({ AU26: [0, 0.3, 0.6, 0.2] });
    expect(describeActionUnits(s, { frameNumbers: [0, 15, 30, 45] })).toEqual(['The jaw drops from frame 0 to frame 30, then closes by frame 45.']);
  });

  it('describes a clockwise head tilt', () => {
    const s = series({}, { frameCount: 4, headRollDeg: [0, 4, 9, 12] });
    expect(describeActionUnits(s)).toEqual(['The head tilts clockwise by about 12 degrees between frame 1 and frame 4.']);
  });

  it('says nothing changed when no curve reaches the threshold', () => {
    expect(describeActionUnits(series({ AU12: [0, 0.1, 0.2, 0.1] }))).toEqual([NO_CHANGE_SENTENCE]);
    expect(describeActionUnits(series({ AU12: [0, 0.1, 0.2, 0.1] }), { minPeak: 0.15 })).toHaveLength(1);
  });

  it('is deterministic and never names an emotion', () => {
    const emotion = /\b(happ\w*|sad\w*|ang\w*|fear\w*|surpris\w*|disgust\w*|contempt\w*|neutral|joy\w*|smil\w*|frown\w*|anxi\w*|worr\w*|upset|emotion\w*)\b/i;
    const noise = seededNoise(3);
    for (let trial = 0; trial < 200; trial++) {
      const curves: Partial<Record<ActionUnit, number[]>> = {};
      for (const au of ACTION_UNITS) curves[au] = Array.from({ length: 16 }, () => Math.max(0, noise()));
      const roll = Array.from({ length: 16 }, () => noise() * 20);
      const turn = Array.from({ length: 16 }, () => noise() * 0.2);
      const s = series(curves, { headRollDeg: roll, headTurn: turn });
      const a = describeActionUnits(s);
      expect(describeActionUnits(s)).toEqual(a);
      for (const sentence of a) expect(sentence).not.toMatch(emotion);
    }
  });
});
