import { describe, expect, it } from 'vitest';
import { agreement, auroc, bootstrapInterval, classificationReportByName, cohenKappa, mcnemarExact, mcnemarExactP, quantile, rocArea, rocCurve, shapleyValues } from '../index.ts';

/** C(n, k) by the multiplicative formula, for hand-computed exact McNemar p-values. */
const choose = (n: number, k: number) => {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
};

describe('exact McNemar test', () => {
  it('matches the two-sided binomial formula (statsmodels mcnemar(exact=True))', () => {
    // b=1, c=5: p = 2 * (C(6,0) + C(6,1)) / 2^6 = 14/64.
    expect(mcnemarExactP(1, 5)).toBeCloseTo(14 / 64, 12);
    expect(mcnemarExactP(5, 1)).toBeCloseTo(14 / 64, 12);
    expect(mcnemarExactP(0, 10)).toBeCloseTo(2 / 1024, 12);
    // b=7, c=20: statsmodels gives 0.01916...; by hand:
    let tail = 0;
    for (let k = 0; k <= 7; k++) tail += choose(27, k);
    expect(mcnemarExactP(7, 20)).toBeCloseTo((2 * tail) / 2 ** 27, 12);
    expect(mcnemarExactP(7, 20)).toBeCloseTo(0.019157, 5);
    expect(mcnemarExactP(3, 3)).toBe(1);
    expect(mcnemarExactP(0, 0)).toBe(1);
  });

  it('stays finite for thousands of discordant clips', () => {
    const p = mcnemarExactP(1000, 1100);
    expect(p).toBeGreaterThan(0.01);
    expect(p).toBeLessThan(0.05);
  });

  it('counts discordant pairs from per-clip correctness', () => {
    const a = [true, true, false, false, true, false];
    const b = [true, false, true, true, true, true];
    expect(mcnemarExact(a, b)).toEqual({ b: 1, c: 3, pValue: mcnemarExactP(1, 3) });
    expect(mcnemarExactP(1, 3)).toBeCloseTo((2 * (1 + 4)) / 16, 12);
  });
});

describe("Cohen's kappa and agreement", () => {
  it('reproduces the 2x2 textbook table [[20,5],[10,15]]: p_o 0.7, p_e 0.5, kappa 0.4', () => {
    const a = [...Array(25).fill('yes'), ...Array(25).fill('no')];
    const b = [...Array(20).fill('yes'), ...Array(5).fill('no'), ...Array(10).fill('yes'), ...Array(15).fill('no')];
    expect(agreement(a, b)).toBeCloseTo(0.7, 12);
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
  });

  it('is 1 for identical labels, 0 at chance, negative below it', () => {
    expect(cohenKappa(['a', 'b', 'c'], ['a', 'b', 'c'])).toBe(1);
    // sklearn: cohen_kappa_score(['a','a','b','b'], ['a','b','a','b']) = 0
    expect(cohenKappa(['a', 'a', 'b', 'b'], ['a', 'b', 'a', 'b'])).toBeCloseTo(0, 12);
    // sklearn: cohen_kappa_score(['a','b'], ['b','a']) = -1
    expect(cohenKappa(['a', 'b'], ['b', 'a'])).toBeCloseTo(-1, 12);
    expect(cohenKappa(['a', 'a'], ['a', 'a'])).toBe(1);
  });
});

describe('bootstrap intervals', () => {
  it('interpolates quantiles as numpy does', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
  });

  it('is reproducible from its seed and brackets the estimate', () => {
    const correct = Array.from({ length: 200 }, (_, i) => i % 2 === 0);
    const acc = (idx: Int32Array) => idx.reduce((s, i) => s + (correct[i] ? 1 : 0), 0) / idx.length;
    const a = bootstrapInterval(200, acc, { seed: 7 });
    expect(bootstrapInterval(200, acc, { seed: 7 })).toEqual(a);
    expect(a.estimate).toBe(0.5);
    // Normal approximation: 0.5 +- 1.96 * sqrt(0.25/200) = 0.5 +- 0.0693.
    expect(a.low).toBeGreaterThan(0.42);
    expect(a.low).toBeLessThan(0.45);
    expect(a.high).toBeGreaterThan(0.55);
    expect(a.high).toBeLessThan(0.58);
    expect(bootstrapInterval(200, acc, { seed: 8 })).not.toEqual(a);
  });

  it('collapses to the estimate when every resample is the same', () => {
    const one = bootstrapInterval(1, () => 0.3);
    expect([one.low, one.high]).toEqual([0.3, 0.3]);
  });

  it('pairs the clips of two systems: a constant UAR difference has a zero-width interval', () => {
    const truth = ['a', 'a', 'b', 'b', 'c', 'c'];
    const predA = ['a', 'b', 'b', 'a', 'c', 'a'];
    const uarOf = (pred: string[], idx: Int32Array) => classificationReportByName([...idx].map((i) => truth[i]), [...idx].map((i) => pred[i]), ['a', 'b', 'c']).uar;
    const diff = bootstrapInterval(6, (idx) => uarOf(predA, idx) - uarOf(predA, idx));
    expect([diff.estimate, diff.low, diff.high]).toEqual([0, 0, 0]);
  });
});

describe('exact Shapley values', () => {
  it('gives each player its own worth in an additive game', () => {
    const worth = [0.1, 0.25, -0.05];
    const phi = shapleyValues(3, (m) => worth.reduce((s, w, i) => s + (m & (1 << i) ? w : 0), 0));
    phi.forEach((p, i) => expect(p).toBeCloseTo(worth[i], 12));
  });

  it('splits a symmetric majority game equally, and a glove game 1/6, 1/6, 2/3', () => {
    const bits = (m: number) => [0, 1, 2].filter((i) => m & (1 << i)).length;
    shapleyValues(3, (m) => (bits(m) >= 2 ? 1 : 0)).forEach((p) => expect(p).toBeCloseTo(1 / 3, 12));
    // Players 0 and 1 hold left gloves, player 2 the right one: a pair is worth 1.
    const glove = shapleyValues(3, (m) => ((m & 3) && (m & 4) ? 1 : 0));
    expect(glove[0]).toBeCloseTo(1 / 6, 12);
    expect(glove[1]).toBeCloseTo(1 / 6, 12);
    expect(glove[2]).toBeCloseTo(2 / 3, 12);
  });
});

describe('ROC curve', () => {
  it('steps through distinct scores, ties moving both rates (method.md T1)', () => {
    // Known S = [0.9, 0.8, 0.7, 0.4]; unknown S = [0.85, 0.5, 0.3]: AUROC 2/3 (test vector T1).
    const pts = rocCurve([0.9, 0.8, 0.7, 0.4], [0.85, 0.5, 0.3]);
    expect(pts.map((p) => [p.fpr, p.tpr])).toEqual([[0, 0], [0, 0.25], [1 / 3, 0.25], [1 / 3, 0.5], [1 / 3, 0.75], [2 / 3, 0.75], [2 / 3, 1], [1, 1]]);
    expect(rocArea(pts)).toBeCloseTo(2 / 3, 12);
    const tied = rocCurve([0.5, 0.5], [0.5]);
    expect(tied.map((p) => [p.fpr, p.tpr])).toEqual([[0, 0], [1, 1]]);
    expect(rocArea(tied)).toBeCloseTo(auroc([0.5, 0.5], [0.5]), 12);
  });
});
