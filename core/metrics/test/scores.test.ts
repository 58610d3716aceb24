import { describe, expect, it } from 'vitest';
import { argmax, closedSetChoice, renormalise, softmax } from '../scores.ts';

describe('softmax', () => {
  it('is exp(x/T) normalised, stable for large logits', () => {
    const p = softmax([1, 2, 3]);
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expect(p.map((v) => +v.toFixed(12))).toEqual([Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z].map((v) => +v.toFixed(12)));
    expect(softmax([1000, 1000])).toEqual([0.5, 0.5]);
    expect(softmax(new Float32Array([0, Math.log(3)]))[1]).toBeCloseTo(0.75, 6);
  });

  it('divides by the temperature', () => {
    expect(softmax([0, 2], 2)[1]).toBeCloseTo(Math.exp(1) / (1 + Math.exp(1)), 12);
    expect(() => softmax([1], 0)).toThrow(expect.objectContaining({ code: 'METRIC_INPUT_INVALID' }));
  });
});

describe('renormalise', () => {
  it('scales to sum 1, counting negatives as 0, and leaves all-zero scores at zero', () => {
    expect(renormalise([1, 3])).toEqual([0.25, 0.75]);
    expect(renormalise([-1, 1])).toEqual([0, 1]);
    expect(renormalise([0, 0])).toEqual([0, 0]);
  });
});

describe('argmax', () => {
  it('takes the first maximum, and -1 for nothing', () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
    expect(argmax([-5])).toBe(0);
    expect(argmax([])).toBe(-1);
  });
});

describe('closedSetChoice', () => {
  it('softmaxes logits and takes the arg-max with its probability as known-ness', () => {
    const d = closedSetChoice({ a: 1, b: 3, c: 3, d: 2 }, 'logits');
    expect(d.label).toBe('b');
    const z = Math.exp(1) + 2 * Math.exp(3) + Math.exp(2);
    expect(d.knownness).toBeCloseTo(Math.exp(3) / z, 12);
    expect(d.probabilities.d).toBeCloseTo(Math.exp(2) / z, 12);
    expect(closedSetChoice({ a: 0, b: 2 }, 'logits', 2).knownness).toBeCloseTo(Math.exp(1) / (1 + Math.exp(1)), 12);
  });

  it('renormalises probabilities, and keys them by any class name', () => {
    expect(closedSetChoice({ constructor: 1, toString: 3 }, 'probabilities')).toEqual({ label: 'toString', probabilities: { constructor: 0.25, toString: 0.75 }, knownness: 0.75 });
  });

  it('has no label without classes', () => {
    expect(closedSetChoice({}, 'logits')).toEqual({ label: null, probabilities: {}, knownness: 0 });
  });
});
