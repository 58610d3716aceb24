import { describe, expect, it } from 'vitest';
import { sampleIndices, seededRandom } from '../sampling.ts';

describe('sampleIndices (method.md F.4)', () => {
  it('test mode: floor(tick/2 + i*tick), uniform and centred', () => {
    // Megamind.avi: n = 270, T = 16, tick = 16.875
    expect(sampleIndices(270, 16, 'test')).toEqual([8, 25, 42, 59, 75, 92, 109, 126, 143, 160, 177, 194, 210, 227, 244, 261]);
    expect(sampleIndices(32, 8, 'test')).toEqual([2, 6, 10, 14, 18, 22, 26, 30]);
  });

  it('n == T takes every frame (DFEW 16f folders), except HESP\'s zero pad at test time', () => {
    const all = Array.from({ length: 16 }, (_, i) => i);
    expect(sampleIndices(16, 16, 'test')).toEqual(all);
    expect(sampleIndices(16, 16, 'train', seededRandom(5))).toEqual(all);
    // HESP's pad ('zero'): training still takes every frame, but its test sampler pads whenever n <= T.
    expect(sampleIndices(16, 16, 'train', seededRandom(5), 'zero')).toEqual(all);
    expect(sampleIndices(8, 8, 'test', undefined, 'zero')).toEqual(Array(8).fill(0));
    expect(sampleIndices(9, 8, 'test', undefined, 'zero')).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
  });

  it('short clips pad with the last frame, or with index 0 (HESP) when asked', () => {
    expect(sampleIndices(5, 8, 'test')).toEqual([0, 1, 2, 3, 4, 4, 4, 4]);
    expect(sampleIndices(5, 8, 'train', seededRandom(1))).toEqual([0, 1, 2, 3, 4, 4, 4, 4]);
    expect(sampleIndices(5, 8, 'test', undefined, 'zero')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(sampleIndices(1, 4, 'test')).toEqual([0, 0, 0, 0]);
  });

  it('train mode draws one frame inside each segment [i*L, (i+1)*L), reproducibly per seed', () => {
    const n = 103, T = 8, L = Math.floor(n / T);
    const a = sampleIndices(n, T, 'train', seededRandom(42));
    expect(a).toEqual(sampleIndices(n, T, 'train', seededRandom(42)));
    a.forEach((idx, i) => {
      expect(idx).toBeGreaterThanOrEqual(i * L);
      expect(idx).toBeLessThan((i + 1) * L);
    });
    // Over many seeds every offset of the segment is drawn (the draw is not stuck).
    const offsets = new Set<number>();
    for (let s = 0; s < 200; s++) offsets.add(sampleIndices(n, T, 'train', seededRandom(s))[0]);
    expect(offsets.size).toBe(L);
  });

  it('rejects bad arguments with INGEST_OPTION_INVALID', () => {
    expect(() => sampleIndices(0, 16, 'test')).toThrow(expect.objectContaining({ code: 'INGEST_OPTION_INVALID' }));
    expect(() => sampleIndices(10, 0, 'test')).toThrow(expect.objectContaining({ code: 'INGEST_OPTION_INVALID' }));
    expect(() => sampleIndices(10, 4, 'eval' as never)).toThrow(/unknown mode/);
    expect(() => sampleIndices(10, 4, 'test', undefined, 'black' as never)).toThrow(/unknown pad/);
  });
});
