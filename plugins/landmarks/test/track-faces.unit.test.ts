import { describe, expect, it } from 'vitest';
import { type Box, lerpBox } from '../src/box.ts';
import type { Detection } from '../src/face-models.ts';
import { associate, fillGaps } from '../src/track-faces.ts';

const det = (box: Box, score: number): Detection => ({ box, faceBox: box, score, keypoints: new Float32Array(12) });

describe('tracking (pure parts)', () => {
  it('keeps following the same subject when a second, higher-scoring face appears', () => {
    const a = (x: number) => det([x, 0, x + 50, 50], 0.7);
    const b = det([300, 0, 350, 50], 0.95);
    const picked = associate([[a(0)], [b, a(5)], [b, a(10)], [b]]);
    expect(picked.map((d) => d?.box[0])).toEqual([0, 5, 10, 300]); // switches only when the subject is gone
  });

  it('takes the best score when there is no track yet, and null without detections', () => {
    expect(associate([[], [det([0, 0, 1, 1], 0.9), det([5, 5, 6, 6], 0.8)]]).map((d) => d?.score ?? null)).toEqual([null, 0.9]);
  });

  it('interpolates short gaps, extends at the ends, and leaves long gaps empty', () => {
    const A: Box = [0, 0, 10, 10];
    const B: Box = [30, 0, 40, 10];
    const filled = fillGaps([A, null, null, B, null, null, null, null, null], 3, lerpBox);
    expect(filled[1].value).toEqual([10, 0, 20, 10]);
    expect(filled[2].value).toEqual([20, 0, 30, 10]);
    expect(filled[1].filled).toBe(true);
    expect(filled[3]).toEqual({ value: B, filled: false });
    expect(filled[6].value).toEqual(B); // 3 frames after the last detection
    expect(filled[7]).toEqual({ value: null, filled: false });
  });
});
