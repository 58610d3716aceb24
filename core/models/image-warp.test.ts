import { describe, expect, it } from 'vitest';
import type { Frame } from '../types.ts';
import { applyAffine, invertAffine, rectToAffine, warpToFloat, warpToFrame } from './image-warp.ts';

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
