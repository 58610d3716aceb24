import { describe, expect, it } from 'vitest';
import { fillPolygon } from '../src/rasterize.ts';

const count = (labels: Uint8Array, value: number) => labels.reduce((n, l) => n + (l === value ? 1 : 0), 0);

describe('fillPolygon', () => {
  it('fills exactly the pixels whose centres lie inside an axis-aligned square', () => {
    const size = 10;
    const labels = new Uint8Array(size * size);
    // Square [2, 6) x [2, 6): pixel centres 2.5..5.5 are inside, 6.5 is not.
    fillPolygon(labels, size, [2, 2, 6, 2, 6, 6, 2, 6], [0, 1, 2, 3], 7);
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        const inside = i >= 2 && i < 6 && j >= 2 && j < 6;
        expect(labels[j * size + i], `pixel ${i},${j}`).toBe(inside ? 7 : 0);
      }
    }
  });

  it('covers a triangle with a pixel count close to its area', () => {
    const size = 400;
    const labels = new Uint8Array(size * size);
    fillPolygon(labels, size, [10, 20, 390, 60, 120, 370], [0, 1, 2], 1);
    const area = Math.abs((390 - 10) * (370 - 20) - (120 - 10) * (60 - 20)) / 2;
    expect(Math.abs(count(labels, 1) - area) / area).toBeLessThan(0.005);
  });

  it('gives two polygons sharing an edge disjoint pixel sets that tile their union', () => {
    const size = 64;
    const a = new Uint8Array(size * size);
    const b = new Uint8Array(size * size);
    // A slanted shared edge from (20.3, 3.7) to (41.9, 59.2).
    const pts = [3.1, 3.7, 20.3, 3.7, 41.9, 59.2, 3.1, 59.2, 60.2, 3.7, 60.2, 59.2];
    fillPolygon(a, size, pts, [0, 1, 2, 3], 1);
    fillPolygon(b, size, pts, [1, 4, 5, 2], 1);
    const union = new Uint8Array(size * size);
    fillPolygon(union, size, pts, [0, 4, 5, 3], 1);
    for (let p = 0; p < size * size; p++) {
      expect(a[p] & b[p]).toBe(0);
      expect(a[p] | b[p]).toBe(union[p]);
    }
  });

  it('clips to the raster and ignores polygons with non-finite vertices', () => {
    const size = 8;
    const labels = new Uint8Array(size * size);
    fillPolygon(labels, size, [-50, -50, 50, -50, 50, 50, -50, 50], [0, 1, 2, 3], 3);
    expect(count(labels, 3)).toBe(size * size);
    const untouched = new Uint8Array(size * size);
    fillPolygon(untouched, size, [0, 0, NaN, 0, 8, 8], [0, 1, 2], 3);
    expect(count(untouched, 3)).toBe(0);
  });

  it('fills a concave polygon by the even-odd rule (the notch stays empty)', () => {
    const size = 12;
    const labels = new Uint8Array(size * size);
    // A "U": outer 0..12, notch x in [4, 8) from y = 0 to 8.
    fillPolygon(labels, size, [0, 0, 4, 0, 4, 8, 8, 8, 8, 0, 12, 0, 12, 12, 0, 12], [0, 1, 2, 3, 4, 5, 6, 7], 1);
    expect(labels[2 * size + 5]).toBe(0);
    expect(labels[2 * size + 1]).toBe(1);
    expect(labels[10 * size + 5]).toBe(1);
    expect(count(labels, 1)).toBe(144 - 32);
  });
});
