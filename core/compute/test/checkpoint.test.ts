import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Adapter, ParameterRegistry, Rng, loadCheckpoint, loadParameters, saveCheckpoint, sidecarPath, tensor } from '../index.ts';

const dir = await mkdtemp(join(tmpdir(), 'visage-ckpt-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('checkpoints (safetensors + JSON sidecar)', () => {
  it('round-trips named parameters and the sidecar', async () => {
    const reg = new ParameterRegistry();
    reg.registerAll(new Adapter(8, { rng: new Rng(1) }).namedParameters(), 'adapter');
    reg.register('fusion.alpha', tensor([0.5, -1.25, 3], [3]));
    const path = join(dir, 'run', 'model.safetensors');
    await saveCheckpoint(path, reg, { config: { dim: 8 }, classNames: ['happy', 'sad', 'neutral'], metrics: { uar: 0.61 } });

    const fresh = new ParameterRegistry();
    fresh.registerAll(new Adapter(8, { rng: new Rng(2) }).namedParameters(), 'adapter');
    fresh.register('fusion.alpha', tensor([0, 0, 0], [3]));
    const ckpt = await loadCheckpoint(path);
    expect(loadParameters(fresh, ckpt, path).sort()).toEqual(reg.entries().map(([n]) => n).sort());
    for (const [name, t] of reg.entries()) expect([...(await fresh.get(name)!.data())]).toEqual([...(await t.data())]);
    expect(ckpt.sidecar.classNames).toEqual(['happy', 'sad', 'neutral']);
    expect(ckpt.sidecar.metrics).toEqual({ uar: 0.61 });
    expect(ckpt.sidecar.versions?.format).toBe('1');
    expect(ckpt.sidecar.versions?.node).toBe(process.versions.node);
  });

  it('writes the safetensors layout: u64 header length, JSON header, little-endian f32 data', async () => {
    const path = join(dir, 'layout.safetensors');
    await saveCheckpoint(path, new Map([['w', tensor([1, 2, 3, 4, 5, 6], [2, 3])]]));
    const buf = await readFile(path);
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect((8 + n) % 8).toBe(0);
    const values = [0, 1, 2, 3, 4, 5].map((i) => buf.readFloatLE(8 + n + 4 * i));
    expect(values).toEqual([1, 2, 3, 4, 5, 6]);
    expect(JSON.parse(await readFile(sidecarPath(path), 'utf8')).parameters).toEqual([{ name: 'w', shape: [2, 3] }]);
  });

  it('reports a shape mismatch, a missing parameter and a corrupt file with codes', async () => {
    const path = join(dir, 'small.safetensors');
    await saveCheckpoint(path, new Map([['w', tensor([1, 2], [2])]]));
    const ckpt = await loadCheckpoint(path);
    expect(() => loadParameters(new Map([['w', tensor([1, 2, 3], [3])]]), ckpt, path)).toThrowError(expect.objectContaining({ code: 'CHECKPOINT_MISMATCH' }));
    expect(() => loadParameters(new Map([['v', tensor([1, 2], [2])]]), ckpt, path)).toThrowError(expect.objectContaining({ code: 'CHECKPOINT_MISMATCH' }));
    expect(loadParameters(new Map([['v', tensor([1, 2], [2])]]), ckpt, path, { strict: false })).toEqual([]);
    const bad = join(dir, 'bad.safetensors');
    await writeFile(bad, Buffer.from([255, 255, 0, 0, 0, 0, 0, 0, 1, 2]));
    await expect(loadCheckpoint(bad)).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
    await expect(loadCheckpoint(join(dir, 'nope.safetensors'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
