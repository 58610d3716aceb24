import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../types.ts';
import { applyAffine, invertAffine, rectToAffine, setWarpPath, warpToFloat, warpToFrame, type WarpPath } from '../image-warp.ts';

// The exact f64 loops; warp-simd.test.ts holds the SIMD kernels to them.
let previousPath: WarpPath;
beforeAll(() => { previousPath = setWarpPath('exact'); });
afterAll(() => { setWarpPath(previousPath); });

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

/**
 * The warp loops as they were before their row and column terms were hoisted (per pixel: taps
 * looked up on axis-aligned maps, `sample` on the others), kept here as the reference the faster
 * loops must match bit for bit: every model input goes through them.
 */
function referenceWarp(frame: Frame, m: number[], outW: number, outH: number, out: Float32Array | Uint8Array, fill: number, gray: boolean, scale: number, bias: number): void {
  const { width: W, height: H, rgb } = frame;
  const taps = (n: number, size: number, s: number, shift: number) => {
    const i0 = new Int32Array(n), i1 = new Int32Array(n), w1 = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      let x = s * (j + 0.5) + shift - 0.5;
      if (x < 0 && x >= -0.5) x = 0;
      else if (x > size - 1 && x <= size - 0.5) x = size - 1;
      const x0 = Math.floor(x);
      w1[j] = x - x0;
      i0[j] = x0 >= 0 && x0 < size ? x0 : -1;
      i1[j] = x0 + 1 >= 0 && x0 + 1 < size ? x0 + 1 : -1;
    }
    return { i0, i1, w1 };
  };
  const at = (xi: number, yi: number, c: number) => (xi < 0 || yi < 0 || xi >= W || yi >= H ? fill : rgb[(yi * W + xi) * 3 + c]);
  const separable = m[1] === 0 && m[3] === 0;
  const cx = taps(outW, W, m[0], m[2]), cy = taps(outH, H, m[4], m[5]);
  let o = 0;
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      const px = [0, 0, 0];
      if (separable) {
        const x0 = cx.i0[u], x1 = cx.i1[u], fx = cx.w1[u], y0 = cy.i0[v], y1 = cy.i1[v], fy = cy.w1[v];
        const w = [(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy];
        for (let c = 0; c < 3; c++) {
          if (x0 >= 0 && x1 >= 0 && y0 >= 0 && y1 >= 0) px[c] = at(x0, y0, c) * w[0] + at(x1, y0, c) * w[1] + at(x0, y1, c) * w[2] + at(x1, y1, c) * w[3];
          else for (let t = 0; t < 4; t++) px[c] += at(t & 1 ? x1 : x0, t & 2 ? y1 : y0, c) * w[t];
        }
      } else {
        const cu = u + 0.5, cv = v + 0.5;
        let x = m[0] * cu + m[1] * cv + m[2] - 0.5, y = m[3] * cu + m[4] * cv + m[5] - 0.5;
        if (x < 0 && x >= -0.5) x = 0;
        else if (x > W - 1 && x <= W - 0.5) x = W - 1;
        if (y < 0 && y >= -0.5) y = 0;
        else if (y > H - 1 && y <= H - 0.5) y = H - 1;
        const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
        const w = [(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy];
        for (let c = 0; c < 3; c++) {
          if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) px[c] = at(x0, y0, c) * w[0] + at(x0 + 1, y0, c) * w[1] + at(x0, y0 + 1, c) * w[2] + at(x0 + 1, y0 + 1, c) * w[3];
          else for (let t = 0; t < 4; t++) px[c] += at(x0 + (t & 1), y0 + (t >> 1), c) * ((t & 1 ? fx : 1 - fx) * (t >> 1 ? fy : 1 - fy));
        }
      }
      if (gray) out[o++] = (0.2989 * px[0] + 0.587 * px[1] + 0.114 * px[2]) * scale + bias;
      else for (let c = 0; c < 3; c++) out[o++] = px[c] * scale + bias;
    }
  }
}

describe('warp loops against the per-pixel reference', () => {
  it('give the same bits for crops, letterboxes, rotations and shears, inside and across every border', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const f: Frame = { width: 41, height: 29, rgb: Uint8Array.from({ length: 41 * 29 * 3 }, () => Math.floor(rand() * 256)), sourceIndex: 0 };
    const maps: [number, number, number, number, number, number][] = [
      rectToAffine([-12, -7.5, 53, 36.5], 23, 17), // letterbox: whole rows (bands) and columns outside
      rectToAffine([3.3, 2.1, 30.9, 27.4], 19, 21),
      rectToAffine([0, 0, 41, 29], 64, 48), // upscaling the whole frame: the edge clamp
    ];
    for (let k = 0; k < 12; k++) {
      const a = (rand() - 0.5) * 1.2, s = 0.4 + rand() * 1.6, shear = k % 3 === 0 ? rand() * 0.3 : 0;
      maps.push([Math.cos(a) * s, -Math.sin(a) * s + shear, rand() * 50 - 15, Math.sin(a) * s, Math.cos(a) * s, rand() * 40 - 10]);
    }
    for (const m of maps) {
      for (const [gray, scale, bias, fill] of [[false, 1 / 127.5, -1, 0], [true, 2 / 255, -1, 0], [true, 2 / 255, -1, 3], [false, 1, 0, 5]] as const) {
        const got = new Float32Array(31 * 27 * 3), want = new Float32Array(31 * 27 * 3);
        warpToFloat(f, m, 31, 27, got, 0, { scale, bias, channels: gray ? 1 : 3, fill });
        referenceWarp(f, m, 31, 27, want, fill, gray, scale, bias);
        expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer)), `map ${m.join(',')} gray ${gray}`).toBe(true);
      }
      const want = new Uint8Array(31 * 27 * 3);
      referenceWarp(f, m, 31, 27, want, 0, false, 1, 0.5);
      expect(Buffer.from(warpToFrame(f, m, 31, 27).rgb).equals(Buffer.from(want)), `frame map ${m.join(',')}`).toBe(true);
    }
  });
});
