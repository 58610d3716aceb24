import { describe, expect, it } from 'vitest';
import type { Affine } from '@visage/core/models';
import { boxCropMap, centreSquare, meshToCrop } from '../src/aligned-crop.ts';

describe('meshToCrop', () => {
  it('maps source pixels to crop pixels by u = (x - x0) * size / (x1 - x0) for the box map', () => {
    const mesh = Float32Array.from([10, 20, 5, 60, 100, -3, 35, 45, 0]);
    const uv = meshToCrop(mesh, boxCropMap([10, 20, 110, 120], 224));
    const expected = [0, 0, 50 * 2.24, 80 * 2.24, 25 * 2.24, 25 * 2.24];
    uv.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 4));
  });

  it('inverts a rotated crop map', () => {
    // Crop of side 100 px rotated by 30 degrees about source point (200, 150), crop size 50.
    const t = Math.PI / 6;
    const s = 100 / 50;
    const c = Math.cos(t) * s;
    const n = Math.sin(t) * s;
    const map: Affine = [c, -n, 200 - c * 25 + n * 25, n, c, 150 - n * 25 - c * 25];
    const centre = meshToCrop(Float32Array.from([200, 150, 0]), map);
    expect(centre[0]).toBeCloseTo(25, 4);
    expect(centre[1]).toBeCloseTo(25, 4);
    // One crop pixel to the right is s px along the rotated x axis in the source.
    const right = meshToCrop(Float32Array.from([200 + c, 150 + n, 0]), map);
    expect(right[0]).toBeCloseTo(26, 4);
    expect(right[1]).toBeCloseTo(25, 4);
  });

  it('writes into a given array large enough, and makes a new one when it is too small', () => {
    const mesh = Float32Array.from([10, 20, 5, 60, 100, -3]);
    const map = boxCropMap([10, 20, 110, 120], 224);
    const fresh = meshToCrop(mesh, map);
    const out = new Float32Array(6).fill(-1);
    expect(meshToCrop(mesh, map, out)).toBe(out);
    expect([...out]).toEqual([...fresh, -1, -1]);
    const small = new Float32Array(3);
    const made = meshToCrop(mesh, map, small);
    expect(made).not.toBe(small);
    expect([...made]).toEqual([...fresh]);
    expect([...small]).toEqual([0, 0, 0]);
  });
});

describe('centreSquare', () => {
  it('is the largest centred square', () => {
    expect(centreSquare(300, 100)).toEqual([100, 0, 200, 100]);
    expect(centreSquare(80, 120)).toEqual([0, 20, 80, 100]);
  });
});
