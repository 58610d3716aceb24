import { describe, expect, it } from 'vitest';
import { InputBuffers } from '../input-buffers.ts';

describe('InputBuffers', () => {
  it('hands a returned buffer out again, by length, and never one in use', async () => {
    const pool = new InputBuffers();
    const first = await pool.with(12, async (b) => b);
    expect(first).toHaveLength(12);
    expect(await pool.with(12, async (b) => b)).toBe(first);
    expect(await pool.with(6, async (b) => b)).not.toBe(first);
    // Two users at once (two clips in flight) get two buffers.
    let inner: Float32Array | undefined;
    const outer = await pool.with(12, async (a) => {
      inner = await pool.with(12, async (b) => b);
      return a;
    });
    expect(inner).not.toBe(outer);
  });

  it('takes the buffer back when the call fails', async () => {
    const pool = new InputBuffers();
    let used: Float32Array | undefined;
    await expect(pool.with(8, async (b) => {
      used = b;
      throw new Error('model failed');
    })).rejects.toThrow('model failed');
    expect(await pool.with(8, async (b) => b)).toBe(used);
  });

  it('keeps at most four buffers of a length', async () => {
    const pool = new InputBuffers();
    const held: Float32Array[] = [];
    const nest = async (depth: number): Promise<void> => {
      if (depth === 0) return;
      await pool.with(4, async (b) => {
        held.push(b);
        await nest(depth - 1);
      });
    };
    await nest(6);
    const again = new Set<Float32Array>();
    await pool.with(4, async (a) => pool.with(4, async (b) => pool.with(4, async (c) => pool.with(4, async (d) => pool.with(4, async (e) => {
      [a, b, c, d, e].forEach((x) => again.add(x));
    })))));
    expect([...again].filter((x) => held.includes(x))).toHaveLength(4);
  });
});
