import { describe, expect, it } from 'vitest';
import { createBackend } from '../index.ts';
import { createWebGpuBackend } from '../webgpu/index.ts';

describe('createBackend', () => {
  it('cpu gives the cpu backend', async () => {
    expect((await createBackend('cpu')).name).toBe('cpu');
  });
  it('auto takes webgpu only on a hardware adapter, else cpu with the reason, and the backend works', async () => {
    // What this machine offers, found independently: the webgpu backend without the hardware demand.
    let adapter: { software: boolean } | undefined;
    try {
      const gpu = await createWebGpuBackend();
      adapter = gpu.adapter;
      await gpu.close();
    } catch {
      adapter = undefined;
    }
    const reasons: string[] = [];
    const be = await createBackend('auto', { onFallback: (why) => reasons.push(why) });
    if (adapter && !adapter.software) {
      expect(be.name).toBe('webgpu');
      expect(reasons).toEqual([]);
    } else {
      expect(be.name).toBe('cpu');
      expect(reasons).toHaveLength(1);
      if (adapter) expect(reasons[0]).toMatch(/only a software adapter is present/);
    }
    const buf = be.upload(new Float32Array([1, 2]));
    const out = be.alloc(2);
    be.affine(buf, out, 2, 2, 1);
    expect([...(await be.read(out))]).toEqual([3, 5]);
  });
  it('an unknown device is a usage error', async () => {
    await expect(createBackend('tpu')).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE', exitCode: 2 });
  });
});
