import { describe, expect, it } from 'vitest';
import { decideClosedSet } from '../src/closed-set.ts';
import { fuseOverTime } from '../src/temporal-fusion.ts';

describe('fuseOverTime', () => {
  const a = { happy: 0.8, sad: 0.2 };
  const b = { happy: 0.2, sad: 0.8 };

  it('is the confidence-weighted mean over frames with a face', () => {
    const fused = fuseOverTime([a, null, b, a], [1, 0.9, 3, 0]);
    // Frame 1 has no face, frame 3 has weight 0: (1*0.8 + 3*0.2) / 4 = 0.35.
    expect(fused!.happy).toBeCloseTo(0.35, 12);
    expect(fused!.sad).toBeCloseTo(0.65, 12);
  });

  it('geometric mode is the softmax of the weighted mean log-probability', () => {
    const fused = fuseOverTime([a, b], [3, 1], 'geometric')!;
    const lh = (3 * Math.log(0.8) + Math.log(0.2)) / 4, ls = (3 * Math.log(0.2) + Math.log(0.8)) / 4;
    expect(fused.happy).toBeCloseTo(Math.exp(lh) / (Math.exp(lh) + Math.exp(ls)), 12);
    expect(fused.happy + fused.sad).toBeCloseTo(1, 12);
  });

  it('returns null without usable frames and rejects mismatched input', () => {
    expect(fuseOverTime([null, a], [1, 0])).toBeNull();
    expect(() => fuseOverTime([a], [1, 1])).toThrow(/1 frames but 2 weights/);
    expect(() => fuseOverTime([a, { happy: 1, fear: 0 }], [1, 1])).toThrow(/frame 1 has classes/);
  });
});

describe('decideClosedSet', () => {
  it('picks the arg-max and reports max softmax probability as known-ness', () => {
    const d = decideClosedSet({ angry: 0.1, happy: 0.6, sad: 0.3 });
    expect(d).toMatchObject({ label: 'happy', probability: 0.6, knownness: 0.6 });
  });

  it('normalises probabilities and softmaxes logits', () => {
    expect(decideClosedSet({ a: 2, b: 6 }).knownness).toBeCloseTo(0.75, 12);
    const d = decideClosedSet({ a: 0, b: Math.log(3) }, { input: 'logits' });
    expect(d.label).toBe('b');
    expect(d.probabilities.a).toBeCloseTo(0.25, 12);
  });

  it('rejects empty, negative and non-finite scores with codes', () => {
    expect(() => decideClosedSet({})).toThrow(/no classes/);
    expect(() => decideClosedSet({ a: -1, b: 2 })).toThrow(/logits/);
    expect(() => decideClosedSet({ a: NaN })).toThrow(/finite/);
  });
});
