import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../compute/cpu/cpu-backend.ts';
import { add, getDefaultBackend, tensor } from '../../compute/index.ts';
import { createComputeStore } from '../compute-store.ts';
import { SharedResources } from '../shared-resources.ts';

describe('ctx.compute', () => {
  it('creates one backend per host and device', async () => {
    const store = createComputeStore('cpu', new SharedResources());
    const a = await store.backend();
    expect(a).toBeInstanceOf(CpuBackend);
    expect(await store.backend({ device: 'cpu' })).toBe(a);
    expect(await createComputeStore('cpu', new SharedResources()).backend()).not.toBe(a);
  });

  it('run() gives the tensors created inside it the host backend, and leaves the process default alone', async () => {
    const processDefault = getDefaultBackend();
    const hostA = createComputeStore('cpu', new SharedResources());
    const hostB = createComputeStore('cpu', new SharedResources());
    const [backendA, backendB] = [await hostA.backend(), await hostB.backend()];
    // Two hosts interleave across awaits: each keeps its own backend.
    const work = (delay: number) => async () => {
      await sleep(delay);
      const x = tensor([1, 2], [2]);
      await sleep(delay);
      return [x, add(x, x)];
    };
    const [fromA, fromB] = await Promise.all([hostA.run(work(20)), hostB.run(work(5))]);
    expect(fromA.map((t) => t.backend)).toEqual([backendA, backendA]);
    expect(fromB.map((t) => t.backend)).toEqual([backendB, backendB]);
    expect(backendA).not.toBe(backendB);
    expect(await fromA[1].data()).toEqual(new Float32Array([2, 4]));
    expect(getDefaultBackend()).toBe(processDefault);
    expect(tensor([1], [1]).backend).toBe(processDefault);
  });

  it('an unknown device is a coded error', async () => {
    const store = createComputeStore('cpu', new SharedResources());
    await expect(store.backend({ device: 'tpu' })).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE', exitCode: 2 });
    await expect(store.run(async () => 1, { device: 'tpu' })).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE' });
    expect(store.device).toBe('cpu');
  });
});
