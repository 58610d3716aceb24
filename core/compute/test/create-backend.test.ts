import { describe, expect, it } from 'vitest';
import { createBackend } from '../index.ts';

describe('createBackend', () => {
  it('cpu gives the cpu backend', async () => {
    expect((await createBackend('cpu')).name).toBe('cpu');
  });
  it('auto gives a working backend', async () => {
    const be = await createBackend('auto');
    expect(['cpu', 'webgpu']).toContain(be.name);
    const buf = be.upload(new Float32Array([1, 2]));
    const out = be.alloc(2);
    be.affine(buf, out, 2, 2, 1);
    expect([...(await be.read(out))]).toEqual([3, 5]);
  });
  it('an unknown device is a usage error', async () => {
    await expect(createBackend('tpu')).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE', exitCode: 2 });
  });
});
