import { describe, expect, it } from 'vitest';
import { drawOpenSetSplits, knownnessOf, OPEN_SET_PROTOCOLS, openSetDecision, thresholdForAcceptance } from '../src/open-set-api.ts';
import { optionsAsHostPasses } from '@visage/core/testing';
import type { OpenSetOptions } from '../src/options.generated.ts';

/** The decider's options as the host passes them: validated, defaults filled from the manifest. */
const hostOptions = (options: Record<string, unknown>) => optionsAsHostPasses<OpenSetOptions>(new URL('../package.json', import.meta.url), 'deciders', 'open-set', options);

describe('known-ness scores', () => {
  const logits = [2, 0, -1, /* row 2 */ 0.5, 0.5, 0.5];
  it('max logit, max softmax and energy agree with their formulas', () => {
    expect([...knownnessOf(logits, 3, 'maxLogit')]).toEqual([2, 0.5]);
    const z = Math.exp(2) + 1 + Math.exp(-1);
    const soft = knownnessOf(logits, 3, 'maxSoftmax');
    expect(soft[0]).toBeCloseTo(Math.exp(2) / z, 12);
    expect(soft[1]).toBeCloseTo(1 / 3, 12);
    const energy = knownnessOf(logits, 3, 'energy');
    expect(energy[0]).toBeCloseTo(Math.log(z), 12);
    expect(energy[1]).toBeCloseTo(0.5 + Math.log(3), 12);
  });

  it('temperature scales energy and sharpens or flattens the softmax', () => {
    const t = 2;
    expect(knownnessOf(logits, 3, 'energy', t)[0]).toBeCloseTo(t * Math.log(Math.exp(1) + 1 + Math.exp(-0.5)), 12);
    expect(knownnessOf(logits, 3, 'maxSoftmax', t)[0]).toBeLessThan(knownnessOf(logits, 3, 'maxSoftmax', 1)[0]);
  });

  it('is stable for huge logits (100 · cosine scale and beyond)', () => {
    const e = knownnessOf([1000, 999], 2, 'energy');
    expect(e[0]).toBeCloseTo(1000 + Math.log(1 + Math.exp(-1)), 9);
    expect(Number.isFinite(knownnessOf([1e4, -1e4], 2, 'maxSoftmax')[0])).toBe(true);
  });

  it('rejects an unknown rule, a bad temperature and ragged rows', () => {
    expect(() => knownnessOf(logits, 3, 'entropy' as never)).toThrow(/OPEN_SET_CONFIG_INVALID|unknown score/);
    expect(() => knownnessOf(logits, 3, 'energy', 0)).toThrow(/temperature/);
    expect(() => knownnessOf(logits, 4)).toThrow(/rows of 4/);
  });
});

describe('threshold chosen on validation', () => {
  it('accepts exactly the requested share of distinct known scores', () => {
    const scores = Array.from({ length: 100 }, (_, i) => (i * 37) % 100); // a permutation of 0..99
    const th = thresholdForAcceptance(scores, 0.95);
    expect(th).toBe(5);
    expect(scores.filter((s) => s >= th).length).toBe(95);
    expect(thresholdForAcceptance(scores, 1)).toBe(0);
  });

  it('never accepts fewer than asked when scores tie', () => {
    const scores = [1, 2, 2, 2, 3];
    const th = thresholdForAcceptance(scores, 0.7);
    expect(scores.filter((s) => s >= th).length / scores.length).toBeGreaterThanOrEqual(0.7);
  });

  it('explains a bad acceptance rate or an empty validation set', () => {
    expect(() => thresholdForAcceptance([1], 0)).toThrow(/accept/);
    expect(() => thresholdForAcceptance([], 0.9)).toThrow(/no known validation clips/);
  });
});

describe('open-set decider', () => {
  const fusion = { logits: { happy: 30, sad: 20 }, kind: 'logits' as const };
  it('flags unknown below the threshold, keeps the closest known class as label', () => {
    expect(openSetDecision({ fusion }, hostOptions({ threshold: 31 }))).toMatchObject({ label: 'happy', knownness: 30, unknown: true });
    expect(openSetDecision({ fusion }, hostOptions({ threshold: 29 }))).toMatchObject({ label: 'happy', unknown: false });
    expect(openSetDecision({ fusion }, hostOptions({})).unknown).toBe(false);
  });
  it('uses the selected score', () => {
    const d = openSetDecision({ fusion }, hostOptions({ score: 'energy', threshold: 30.00001 }));
    expect(d.knownness).toBeCloseTo(30 + Math.log(1 + Math.exp(-10)), 9);
    expect(d.unknown).toBe(false);
    expect(d.probabilities.happy + d.probabilities.sad).toBeCloseTo(1, 12);
  });
});

describe('open-set splits', () => {
  it('draws 5 distinct seeded known sets per HESP size; unknown is the complement', () => {
    const { classes, knownSizes } = OPEN_SET_PROTOCOLS.mafw;
    const splits = drawOpenSetSplits(classes, knownSizes);
    expect(splits).toHaveLength(20);
    for (const size of knownSizes) {
      const group = splits.filter((s) => s.knownSize === size);
      expect(group.map((s) => s.draw)).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(group.map((s) => s.known.join())).size).toBe(5);
      for (const s of group) {
        expect(s.known).toHaveLength(size);
        expect([...s.known, ...s.unknown].sort()).toEqual([...classes].sort());
      }
    }
    expect(drawOpenSetSplits(classes, knownSizes)).toEqual(splits);
    expect(drawOpenSetSplits(classes, knownSizes, { seed: 1 })).not.toEqual(splits);
  });

  it('openness matches method.md C.3', () => {
    const afew = drawOpenSetSplits(OPEN_SET_PROTOCOLS.afew.classes, [2, 3, 4, 5], { draws: 1 }).map((s) => +s.openness.toFixed(3));
    expect(afew).toEqual([0.333, 0.225, 0.147, 0.087]);
    const mafw = drawOpenSetSplits(OPEN_SET_PROTOCOLS.mafw.classes, [3, 5, 6, 8], { draws: 1 }).map((s) => +s.openness.toFixed(3));
    expect(mafw).toEqual([0.345, 0.209, 0.16, 0.082]);
  });

  it('a size does not change the draws of another size', () => {
    const { classes } = OPEN_SET_PROTOCOLS.dfew;
    const alone = drawOpenSetSplits(classes, [3]);
    expect(drawOpenSetSplits(classes, [2, 3]).filter((s) => s.knownSize === 3)).toEqual(alone);
  });

  it('allows repeats only when there are fewer possible sets than draws', () => {
    const splits = drawOpenSetSplits(['a', 'b', 'c'], [1], { draws: 5 });
    expect(new Set(splits.map((s) => s.known[0])).size).toBe(3);
  });

  it('rejects impossible sizes', () => {
    expect(() => drawOpenSetSplits(['a', 'b'], [2])).toThrow(/OPEN_SET_SPLIT_INVALID|between 1 and 1/);
    expect(() => drawOpenSetSplits(['a', 'a', 'b'], [1])).toThrow(/repeat/);
  });
});
