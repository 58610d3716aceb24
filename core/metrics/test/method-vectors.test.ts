// The test vectors of method.md D.6 (T1-T4) and the reference OSCR curve of T1.
import { describe, expect, it } from 'vitest';
import { auroc, aurocArpl } from '../auroc.ts';
import { oscr, oscrCurve } from '../oscr.ts';
import { classificationReport, classificationReportByName, perClassRecall, confusionMatrix, uar, war, accuracy } from '../classification.ts';
import { openSetReport } from '../open-set.ts';

const T1 = { known: { scores: [0.9, 0.8, 0.7, 0.4], correct: [1, 1, 0, 1] }, unknown: [0.85, 0.5, 0.3] };
const T2 = { known: { scores: [0.6, 0.5, 0.2], correct: [1, 0, 1] }, unknown: [0.95, 0.4] };

describe('method.md D.6 test vectors', () => {
  it('T1: AUROC 0.6667, OSCR reference 0.5000, ARPL-compat 0.4167', () => {
    expect(auroc(T1.known.scores, T1.unknown)).toBeCloseTo(2 / 3, 12);
    expect(aurocArpl(T1.known.scores, T1.unknown)).toBeCloseTo(2 / 3, 12);
    expect(oscr(T1.known, T1.unknown, 'reference')).toBeCloseTo(0.5, 12);
    expect(oscr(T1.known, T1.unknown, 'compat')).toBeCloseTo(5 / 12, 12);
    expect(Number(oscr(T1.known, T1.unknown, 'compat').toFixed(4))).toBe(0.4167);
  });

  it('T1: reference curve points (0,0) (0,.25) (1/3,.25) (1/3,.5) (2/3,.5) (2/3,.75) (1,.75)', () => {
    const curve = oscrCurve(T1.known, T1.unknown);
    // One point per distinct threshold; thresholds 0.8 and 0.7 give the same point, listed once in method.md.
    const distinct: [number, number][] = [[0, 0]];
    for (const p of curve) {
      const last = distinct[distinct.length - 1];
      if (p.fpr !== last[0] || p.ccr !== last[1]) distinct.push([p.fpr, p.ccr]);
    }
    const expected: [number, number][] = [[0, 0], [0, 0.25], [1 / 3, 0.25], [1 / 3, 0.5], [2 / 3, 0.5], [2 / 3, 0.75], [1, 0.75]];
    expect(distinct).toHaveLength(expected.length);
    distinct.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(expected[i][0], 12);
      expect(y).toBeCloseTo(expected[i][1], 12);
    });
    expect(curve.map((p) => p.threshold)).toEqual([0.9, 0.85, 0.8, 0.7, 0.5, 0.4, 0.3]);
  });

  it('T2: AUROC 0.3333, OSCR reference = compat = 0.1667', () => {
    expect(auroc(T2.known.scores, T2.unknown)).toBeCloseTo(1 / 3, 12);
    expect(oscr(T2.known, T2.unknown, 'reference')).toBeCloseTo(1 / 6, 12);
    expect(oscr(T2.known, T2.unknown, 'compat')).toBeCloseTo(1 / 6, 12);
  });

  it('T3: all tied: Mann-Whitney 0.5, ARPL-style 0.0', () => {
    expect(auroc([0.5, 0.5], [0.5])).toBe(0.5);
    expect(aurocArpl([0.5, 0.5], [0.5])).toBe(0);
  });

  it('T4: recalls [0.75, 0.5, 1.0], UAR 0.7500, WAR 0.7143', () => {
    const y = [0, 0, 0, 0, 1, 1, 2];
    const p = [0, 0, 0, 1, 1, 0, 2];
    const report = classificationReport(y, p, ['a', 'b', 'c']);
    expect(report.recall).toEqual([0.75, 0.5, 1.0]);
    expect(report.uar).toBeCloseTo(0.75, 12);
    expect(report.war).toBeCloseTo(5 / 7, 12);
    expect(Number(report.war.toFixed(4))).toBe(0.7143);
    expect(report.confusion).toEqual([[3, 1, 0], [1, 1, 0], [0, 0, 1]]);
    expect(report.support).toEqual([4, 2, 1]);
    expect(accuracy(y, p)).toBeCloseTo(5 / 7, 12);
    // The same by class name.
    const names = ['a', 'b', 'c'];
    const byName = classificationReportByName(y.map((i) => names[i]), p.map((i) => names[i]), names);
    expect(byName.recall).toEqual([0.75, 0.5, 1.0]);
    expect(() => classificationReportByName(['a'], ['z'], names)).toThrow(/"z"/);
  });
});

describe('edge rules', () => {
  it('a class absent from the test split has recall null and is excluded from UAR', () => {
    const m = confusionMatrix([0, 0, 2], [0, 1, 2], 3);
    expect(perClassRecall(m)).toEqual([0.5, null, 1]);
    expect(uar(m)).toBeCloseTo(0.75, 12);
    expect(war(m)).toBeCloseTo(2 / 3, 12);
    expect(classificationReport([0, 0, 2], [0, 1, 2], ['x', 'y', 'z']).absentClasses).toEqual(['y']);
  });

  it('OSCR reference ends at (1, closed-set accuracy) and never exceeds it', () => {
    const curve = oscrCurve(T1.known, T1.unknown);
    expect(curve[curve.length - 1]).toMatchObject({ fpr: 1, ccr: 0.75 });
    const report = openSetReport(T1.known, T1.unknown);
    expect(report.closedSetAccuracy).toBe(0.75);
    expect(report.oscr).toBeLessThanOrEqual(report.closedSetAccuracy);
  });

  it('rejects bad input with METRIC_INPUT_INVALID', () => {
    expect(() => auroc([0.1, NaN], [0.2])).toThrow(expect.objectContaining({ code: 'METRIC_INPUT_INVALID' }));
    expect(() => auroc([], [0.2])).toThrow(expect.objectContaining({ code: 'METRIC_INPUT_INVALID' }));
    expect(() => oscr({ scores: [1, 2], correct: [1] }, [0.5])).toThrow(expect.objectContaining({ code: 'METRIC_INPUT_INVALID' }));
    expect(() => oscr(T1.known, T1.unknown, 'bogus' as never)).toThrow(/unknown mode/);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/not a class index/);
    expect(() => uar([[0, 0], [0, 0]])).toThrow(/no test samples/);
  });
});
