import { describe, expect, it } from 'vitest';
import type { FaceFrame } from '@visage/core';
import { ACTION_UNITS, DEFAULT_FULL_SCALE, auSeriesToJSON, computeActionUnits, type ActionUnit } from '../src/action-units.ts';
import { NO_CHANGE_SENTENCE, describeActionUnits } from '../src/au-describer.ts';
import { CHEEK, CHIN, INNER_BROW, LIP_CORNER, LIP_MID, NOSE_WING, OUTER_BROW, UPPER_LID } from '../src/mesh-indices.ts';
import { iod, movePoints, seededNoise, templateMesh, transformMesh } from './helpers/template-mesh.ts';

const face = (mesh: Float32Array | null): FaceFrame => ({ box: mesh ? [0, 0, 1, 1] : null, score: mesh ? 1 : 0, mesh });
const base = templateMesh();
const unit = iod(base); // pixels per IOD

function others(au: ActionUnit | ActionUnit[]): ActionUnit[] {
  const skip = Array.isArray(au) ? au : [au];
  return ACTION_UNITS.filter((a) => !skip.includes(a));
}

describe('computeActionUnits', () => {
  it('ignores head translation, in-plane rotation and scale, and reports the roll', () => {
    const frames = [base, transformMesh(base, 10, 1.3, 40, -25), transformMesh(base, -6, 0.8, -30, 10), transformMesh(base, 0, 1.1, 5, 5)];
    const s = computeActionUnits(frames.map(face));
    for (const au of ACTION_UNITS) for (const v of s.raw[au]) expect(Math.abs(v)).toBeLessThan(1e-5);
    expect(s.headRollDeg[1]).toBeCloseTo(10, 4);
    expect(s.headRollDeg[2]).toBeCloseTo(-6, 4);
    expect(s.headTurn.every((v) => Math.abs(v) < 1e-5)).toBe(true);
    const sentences = describeActionUnits(s);
    expect(sentences).toContain('The head tilts counter-clockwise by about 16 degrees between frame 2 and frame 3.');
    expect(describeActionUnits(s, { minRollDeg: 20 })).toEqual([NO_CHANGE_SENTENCE]);
  });

  it('reads lip corners pulled up and outward as a rising AU12, with the exact expected intensity', () => {
    const d = 0.06 * unit; // each corner moves 0.06 IOD out and 0.06 IOD up at full ramp
    const frames = Array.from({ length: 8 }, (_, t) => {
      const a = t / 7;
      return movePoints(base, [[LIP_CORNER.right, -a * d, -a * d], [LIP_CORNER.left, a * d, -a * d]]);
    });
    const s = computeActionUnits(frames.map(face));
    expect(s.neutralFrame).toBe(0);
    s.intensity.AU12.forEach((v, t) => expect(v).toBeCloseTo((0.06 * Math.SQRT2 * (t / 7)) / DEFAULT_FULL_SCALE.AU12, 4));
    for (const au of others('AU12')) expect(Math.max(...s.intensity[au])).toBeLessThan(1e-5);
    expect(describeActionUnits(s)).toEqual(['The lip corners pull up and outward from frame 1 to frame 8.']);
  });

  // One movement per AU: the moved points, the displacement (IOD units), and the AUs expected to move.
  const delta = 0.03;
  const cases: { au: ActionUnit; moves: (d: number) => [number, number, number][]; expect: Partial<Record<ActionUnit, number>> }[] = [
    { au: 'AU1', moves: (d) => [...INNER_BROW.right, ...INNER_BROW.left].map((i) => [i, 0, -d]), expect: { AU1: delta } },
    { au: 'AU2', moves: (d) => [...OUTER_BROW.right, ...OUTER_BROW.left].map((i) => [i, 0, -d]), expect: { AU2: delta } },
    { au: 'AU4', moves: (d) => [...INNER_BROW.right.map((i): [number, number, number] => [i, d, d]), ...INNER_BROW.left.map((i): [number, number, number] => [i, -d, d])],
      expect: { AU4: 3 * delta } }, // down d, and the gap narrows by 2d
    { au: 'AU5', moves: (d) => [[UPPER_LID.right, 0, -d], [UPPER_LID.left, 0, -d]], expect: { AU5: delta } },
    { au: 'AU6', moves: (d) => [...CHEEK.right, ...CHEEK.left].map((i) => [i, 0, -d]), expect: { AU6: delta } },
    { au: 'AU9', moves: (d) => [[NOSE_WING.right, 0, -d], [NOSE_WING.left, 0, -d]], expect: { AU9: delta } },
    { au: 'AU15', moves: (d) => [[LIP_CORNER.right, 0, d], [LIP_CORNER.left, 0, d]], expect: { AU15: delta, AU20: delta / Math.SQRT2 } },
    { au: 'AU17', moves: (d) => [[LIP_MID.lowerOuter, 0, -d], [LIP_MID.lowerInner, 0, -d], [CHIN.boss, 0, -d]], expect: { AU17: delta } },
    { au: 'AU20', moves: (d) => [[LIP_CORNER.right, -d, 0], [LIP_CORNER.left, d, 0]], expect: { AU20: delta / Math.SQRT2, AU12: delta / Math.SQRT2 } },
    { au: 'AU23', moves: (d) => [[LIP_MID.upperOuter, 0, d]], expect: { AU23: delta } },
    { au: 'AU25', moves: (d) => [[LIP_MID.lowerInner, 0, d], [LIP_MID.lowerOuter, 0, d]], expect: { AU25: delta } },
    { au: 'AU26', moves: (d) => [[CHIN.menton, 0, d]], expect: { AU26: delta } },
  ];
  for (const c of cases) {
    it(`measures ${c.au} from its own movement only`, () => {
      const s = computeActionUnits([face(base), face(movePoints(base, c.moves(delta * unit)))], { neutral: 0 });
      for (const au of ACTION_UNITS) {
        const expected = c.expect[au] ?? 0;
        expect(Math.max(0, s.raw[au][1]), au).toBeCloseTo(expected, 5);
        expect(s.intensity[au][1], au).toBeCloseTo(Math.min(1, expected / DEFAULT_FULL_SCALE[au]), 4);
      }
    });
  }

  it('picks the least deformed frame as neutral when the clip starts mid-expression', () => {
    const d = 0.06 * unit;
    const smile = (a: number) => movePoints(base, [[LIP_CORNER.right, -a * d, -a * d], [LIP_CORNER.left, a * d, -a * d]]);
    const frames = [1, 0.8, 0.5, 0.2, 0, 0, 0.1].map(smile);
    const s = computeActionUnits(frames.map(face));
    expect(s.neutralFrame).toBe(4);
    expect(s.intensity.AU12[0]).toBeCloseTo((0.06 * Math.SQRT2) / DEFAULT_FULL_SCALE.AU12, 4);
    expect(describeActionUnits(s)).toEqual(['The lip corners pull up and outward from the first frame, peaking at frame 1, then relax by frame 3.']);
    expect(computeActionUnits(frames.map(face), { neutral: 'first' }).neutralFrame).toBe(0);
  });

  it('reports no change on a static clip with landmark jitter', () => {
    const noise = seededNoise(7);
    const frames = Array.from({ length: 16 }, (_, t) => {
      const jittered = new Float32Array(base);
      for (let i = 0; i < jittered.length; i++) jittered[i] += noise() * 0.004 * unit;
      return transformMesh(jittered, t % 3, 1 + 0.01 * (t % 2), t, -t);
    });
    const s = computeActionUnits(frames.map(face));
    for (const au of ACTION_UNITS) expect(Math.max(...s.intensity[au]), au).toBeLessThan(0.15);
    expect(describeActionUnits(s)).toEqual([NO_CHANGE_SENTENCE]);
  });

  it('leaves frames without a face as NaN (null in JSON) and fails clearly on bad input', () => {
    const s = computeActionUnits([face(null), face(base), face(null)]);
    expect(s.present).toEqual([false, true, false]);
    expect(s.neutralFrame).toBe(1);
    expect(Number.isNaN(s.intensity.AU12[0])).toBe(true);
    expect((auSeriesToJSON(s).intensity as Record<string, unknown[]>).AU12).toEqual([null, 0, null]);
    expect(() => computeActionUnits([face(null)])).toThrow(expect.objectContaining({ code: 'AU_NO_FACE' }));
    expect(() => computeActionUnits([face(new Float32Array(10))])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => computeActionUnits([face(base)], { neutral: 3 })).toThrow(expect.objectContaining({ code: 'MLLM_CONFIG_INVALID' }));
    expect(() => computeActionUnits([face(base)], { fullScale: { AU12: 0 } })).toThrow(expect.objectContaining({ code: 'MLLM_CONFIG_INVALID' }));
  });
});
