import { describe, expect, it } from 'vitest';
import { chunkedCalls } from '../chunked-calls.ts';

describe('chunkedCalls', () => {
  it('covers every item once, in chunks of the batch, results in chunk order however the calls finish', async () => {
    const seen: [number, number][] = [];
    const results = await chunkedCalls(10, 4, async (start, end) => {
      seen.push([start, end]);
      // Later chunks finish first.
      await new Promise((r) => setTimeout(r, 30 - start * 3));
      return `${start}-${end}`;
    });
    expect(results).toEqual(['0-4', '4-8', '8-10']);
    expect(seen.sort((a, b) => a[0] - b[0])).toEqual([[0, 4], [4, 8], [8, 10]]);
    expect(await chunkedCalls(0, 4, async () => 'never')).toEqual([]);
  });

  it('keeps at most inFlight calls pending, and that many when there is work', async () => {
    for (const inFlight of [1, 2, 3]) {
      let pending = 0, most = 0;
      await chunkedCalls(20, 2, async () => {
        most = Math.max(most, ++pending);
        await new Promise((r) => setTimeout(r, 2));
        pending--;
      }, inFlight);
      expect(most).toBe(inFlight);
    }
  });

  it('fails with the first failure and starts no chunk after it', async () => {
    const started: number[] = [];
    await expect(chunkedCalls(12, 1, async (start) => {
      started.push(start);
      await new Promise((r) => setTimeout(r, 1));
      if (start === 2) throw new Error('model failed');
    }, 2)).rejects.toThrow('model failed');
    await new Promise((r) => setTimeout(r, 20));
    expect(Math.max(...started)).toBeLessThanOrEqual(3);
  });
});
