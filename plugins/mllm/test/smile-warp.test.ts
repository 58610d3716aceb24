import { describe, expect, it } from 'vitest';
import type { Frame } from '@visage/core';
import { pullLipCorners } from './helpers/smile-warp.ts';

/** Intensity-weighted centroid of the pixels in the square window around (cx, cy). */
function centroid(f: Frame, cx: number, cy: number, r: number): [number, number] {
  let sx = 0, sy = 0, sw = 0;
  for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++) {
    const w = f.rgb[(y * f.width + x) * 3];
    sx += w * x; sy += w * y; sw += w;
  }
  return [sx / sw, sy / sw];
}

describe('pullLipCorners (test helper)', () => {
  it('moves the image content at each corner by the requested amount, up and outward', () => {
    const W = 100, H = 100;
    const rgb = new Uint8Array(W * H * 3);
    for (const [cx, cy] of [[30, 50], [70, 50]]) {
      for (let y = cy - 1; y <= cy + 1; y++) for (let x = cx - 1; x <= cx + 1; x++) rgb.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
    const frame: Frame = { width: W, height: H, rgb, sourceIndex: 0 };
    const warped = pullLipCorners(frame, { right: [30, 50], left: [70, 50] }, 6, 10);
    const s = 6 / Math.SQRT2;
    const [rx, ry] = centroid(warped, 26, 46, 6);
    const [lx, ly] = centroid(warped, 74, 46, 6);
    expect(rx).toBeCloseTo(30 - s, 0);
    expect(ry).toBeCloseTo(50 - s, 0);
    expect(lx).toBeCloseTo(70 + s, 0);
    expect(ly).toBeCloseTo(50 - s, 0);
    // A zero amount is the identity.
    expect(pullLipCorners(frame, { right: [30, 50], left: [70, 50] }, 0, 10).rgb).toEqual(rgb);
  });
});
