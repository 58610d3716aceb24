import { describe, expect, it } from 'vitest';
import type { Frame } from '../../types.ts';
import { applyAffine, invertAffine, rectToAffine, warpToFloat, warpToFrame } from '../image-warp.ts';

/** A W x H frame whose pixel (x, y) is (x*10, y*10, x+y) (mod 256). */
function ramp(W: number, H: number): Frame {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgb.set([(x * 10) & 255, (y * 10) & 255, (x + y) & 255], (y * W + x) * 3);
  return { width: W, height: H, rgb, sourceIndex: 0 };
}

describe('image warp', () => {
  it('identity and integer-offset crops copy pixels exactly', () => {
    const f = ramp(12, 9);
    expect(Buffer.from(warpToFrame(f, [1, 0, 0, 0, 1, 0], 12, 9).rgb)).toEqual(Buffer.from(f.rgb));
    const crop = warpToFrame(f, rectToAffine([3, 2, 8, 6], 5, 4), 5, 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) {
      const o = (y * 5 + x) * 3, s = ((y + 2) * 12 + x + 3) * 3;
      expect([...crop.rgb.subarray(o, o + 3)]).toEqual([...f.rgb.subarray(s, s + 3)]);
    }
  });

  it('interpolates bilinearly between pixel centres and fills outside with the fill value', () => {
    const f = ramp(4, 4);
    const out = new Float32Array(3);
    // Output pixel centre (0.5,0.5) -> source (1.5+0.5, 1.0+0.5): halfway between x=1 and x=2 on row 1.
    warpToFloat(f, [1, 0, 1.5, 0, 1, 1], 1, 1, out);
    expect(out[0]).toBeCloseTo(15, 5); // (10 + 20) / 2
    expect(out[1]).toBeCloseTo(10, 5);
    const outside = new Float32Array(3);
    warpToFloat(f, [1, 0, 100, 0, 1, 100], 1, 1, outside, 0, { fill: 7 });
    expect([...outside]).toEqual([7, 7, 7]);
  });

  it('writes gray with the emotion weights, scaled and biased', () => {
    const f: Frame = { width: 1, height: 1, rgb: new Uint8Array([200, 100, 50]), sourceIndex: 0 };
    const out = new Float32Array(1);
    warpToFloat(f, [1, 0, 0, 0, 1, 0], 1, 1, out, 0, { channels: 1, scale: 2 / 255, bias: -1 });
    expect(out[0]).toBeCloseTo(((0.2989 * 200 + 0.587 * 100 + 0.114 * 50) / 255 - 0.5) * 2, 5);
  });

  it('inverts affines', () => {
    const m = [0.8, -0.6, 10, 0.6, 0.8, -4] as [number, number, number, number, number, number];
    const [x, y] = applyAffine(m, 3, 7);
    const [u, v] = applyAffine(invertAffine(m), x, y);
    expect(u).toBeCloseTo(3, 10);
    expect(v).toBeCloseTo(7, 10);
    expect(() => invertAffine([1, 1, 0, 1, 1, 0])).toThrow(/singular/);
  });
});

describe('image warp borders', () => {
  it('edge-clamps the outer half pixel, so upscaling a whole image keeps its border colour', () => {
    const f: Frame = { width: 2, height: 2, rgb: new Uint8Array(12).fill(200), sourceIndex: 0 };
    const out = warpToFrame(f, rectToAffine([0, 0, 2, 2], 16, 16), 16, 16);
    expect(out.rgb.every((v) => v === 200)).toBe(true);
  });
});

describe('separable fast path', () => {
  it('equals the general per-pixel path on axis-aligned maps, inside and across the border', () => {
    const f = ramp(37, 23);
    for (const box of [[3.2, 1.7, 30.4, 20.9], [-10, -5, 45, 30], [0, 0, 37, 23]] as const) {
      const m = rectToAffine(box, 19, 13);
      const general = [m[0], 1e-300, m[2], 0, m[4], m[5]] as typeof m; // non-zero shear: general path
      const a = new Float32Array(19 * 13 * 3), b = new Float32Array(19 * 13 * 3);
      warpToFloat(f, m, 19, 13, a, 0, { fill: 3 });
      warpToFloat(f, general, 19, 13, b, 0, { fill: 3 });
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
    }
  });
});
