import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CpuBackend, getDefaultBackend, tensor, withDefaultBackend } from '../index.ts';

describe('withDefaultBackend', () => {
  it('is the default inside its call tree, across awaits, and only there', async () => {
    const outside = getDefaultBackend();
    const scoped = new CpuBackend();
    const inside = await withDefaultBackend(scoped, async () => {
      const before = tensor([1], [1]).backend;
      await sleep(1);
      return [before, tensor([2], [1]).backend, getDefaultBackend()];
    });
    expect(inside).toEqual([scoped, scoped, scoped]);
    expect(getDefaultBackend()).toBe(outside);
    expect(tensor([3], [1]).backend).toBe(outside);
  });

  it('an explicit backend still wins inside the scope', () => {
    const scoped = new CpuBackend();
    const mine = new CpuBackend();
    expect(withDefaultBackend(scoped, () => tensor([1], [1], { backend: mine }).backend)).toBe(mine);
  });
});
