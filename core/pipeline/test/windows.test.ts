import { describe, expect, it } from 'vitest';
import { lengthInFrames, WindowPlanner, type WindowBounds } from '../windows.ts';

/** Feeds `frames` frames, with cuts at the given frame numbers, and collects every window in order. */
function plan(length: number, stride: number, frames: number, cuts: number[] = []): [number, number, number][] {
  const p = new WindowPlanner(length, stride);
  const out: WindowBounds[] = [];
  for (let n = 0; n < frames; n++) out.push(...p.push(cuts.includes(n)));
  out.push(...p.finish());
  out.forEach((w, i) => expect(w.index).toBe(i));
  return out.map((w) => [w.shot, w.first, w.end]);
}

describe('WindowPlanner', () => {
  it('places windows every stride frames and covers the tail with one window ending at the end', () => {
    expect(plan(4, 2, 9)).toEqual([[0, 0, 4], [0, 2, 6], [0, 4, 8], [0, 5, 9]]);
    expect(plan(4, 4, 8)).toEqual([[0, 0, 4], [0, 4, 8]]);
    expect(plan(4, 4, 10)).toEqual([[0, 0, 4], [0, 4, 8], [0, 6, 10]]);
  });

  it('never lets a window span a cut, and restarts the windows at the cut', () => {
    expect(plan(4, 2, 12, [6])).toEqual([[0, 0, 4], [0, 2, 6], [1, 6, 10], [1, 8, 12]]);
    expect(plan(4, 4, 12, [5])).toEqual([[0, 0, 4], [0, 1, 5], [1, 5, 9], [1, 8, 12]]);
  });

  it('makes a shot shorter than a window one short window', () => {
    expect(plan(10, 5, 12, [3])).toEqual([[0, 0, 3], [1, 3, 12]]);
    expect(plan(10, 5, 3)).toEqual([[0, 0, 3]]);
  });

  it('ignores a cut on the first frame of a shot', () => {
    expect(plan(4, 4, 8, [0, 4])).toEqual([[0, 0, 4], [1, 4, 8]]);
  });

  it('hands a window out as soon as its last frame arrives', () => {
    const p = new WindowPlanner(3, 3);
    expect(p.push(false)).toEqual([]);
    expect(p.push(false)).toEqual([]);
    expect(p.push(false)).toEqual([{ index: 0, shot: 0, first: 0, end: 3 }]);
  });

  it('skips frames between windows when the stride is longer than the window', () => {
    expect(plan(2, 5, 12)).toEqual([[0, 0, 2], [0, 5, 7], [0, 10, 12]]);
  });

  it('refuses lengths that are not whole positive frame counts', () => {
    expect(() => new WindowPlanner(0, 1)).toThrow(RangeError);
    expect(() => new WindowPlanner(2, 1.5)).toThrow(RangeError);
  });
});

describe('lengthInFrames', () => {
  it('turns seconds into frames at the video rate, and keeps frames', () => {
    expect(lengthInFrames({ value: 2, unit: 's' }, 23.976)).toBe(48);
    expect(lengthInFrames({ value: 0.01, unit: 's' }, 24)).toBe(1);
    expect(lengthInFrames({ value: 48, unit: 'f' }, 0)).toBe(48);
    expect(lengthInFrames({ value: 2, unit: 's' }, 0)).toBeUndefined();
  });
});
