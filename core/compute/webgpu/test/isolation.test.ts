/**
 * The device process turns crashes and hangs of dawn.node/the driver into BACKEND_UNAVAILABLE
 * errors; the executor survives the GC pattern that crashed dawn.node (executor.ts explains the
 * cause); driver lookup and the no-adapter path give clear errors.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findVulkanDriver, repoRoot } from '../driver.ts';
import { createWebGpuBackend } from '../webgpu-backend.ts';
import { inCI, startOrExplain } from './test-support.ts';

const probe = await startOrExplain();
await probe.gpu?.close();
const available = probe.gpu !== null;

it('has a WebGPU adapter (required in CI)', () => {
  if (inCI) expect(available, probe.reason).toBe(true);
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!available)('device process isolation', () => {
  it('a crash of the device process (SIGSEGV) becomes BACKEND_UNAVAILABLE, naming the signal', async () => {
    const gpu = await createWebGpuBackend();
    const x = gpu.upload(new Float32Array([1, 2, 3]));
    expect(Array.from(await gpu.read(x))).toEqual([1, 2, 3]);
    process.kill(gpu.devicePid!, 'SIGSEGV');
    const err = await gpu.read(x).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect((err as Error).message).toMatch(/died \(signal SIGSEGV\)/);
    // Later calls fail the same way instead of hanging.
    await expect(gpu.flush()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await gpu.close();
  });

  it('a hung device is killed after timeoutMs and reported', async () => {
    const gpu = await createWebGpuBackend({ timeoutMs: 1500 });
    const pid = gpu.devicePid!;
    const x = gpu.upload(new Float32Array(16));
    await gpu.flush();
    process.kill(pid, 'SIGSTOP');
    const started = Date.now();
    await expect(gpu.read(x)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/hung/) });
    expect(Date.now() - started).toBeLessThan(10_000);
    await gpu.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid)).toBe(false);
  });

  it('close() ends the device process', async () => {
    const gpu = await createWebGpuBackend();
    const pid = gpu.devicePid!;
    expect(alive(pid)).toBe(true);
    await gpu.close();
    expect(alive(pid)).toBe(false);
  });

  it('keeping the Dawn instance alive survives a forced GC after every submission (the crash cause)', async () => {
    const driver = findVulkanDriver()!;
    const { stdout } = await promisify(execFile)(process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(repoRoot, 'scripts/vulkan/repro-instance-gc.ts')],
      { cwd: repoRoot, env: { ...process.env, ...driver.env }, timeout: 60_000 });
    expect(stdout).toMatch(/round n=512 ok\s+survived/);
  });
});

describe('driver lookup and missing drivers', () => {
  it('finds an installed software driver and builds its environment', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'visage-vk-'));
    expect(findVulkanDriver('swiftshader', root)).toBeNull();
    const dir = path.join(root, '.vk', 'swiftshader');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'icd.json'), '{}');
    expect(findVulkanDriver('swiftshader', root)).toBeNull(); // an interrupted install is not used
    writeFileSync(path.join(dir, '.complete'), '');
    const found = findVulkanDriver('swiftshader', root)!;
    expect(found.name).toBe('swiftshader');
    expect(found.env.VK_ICD_FILENAMES).toBe(path.join(dir, 'icd.json'));
    expect(found.env.LD_LIBRARY_PATH.split(':')[0]).toBe(dir);
    expect(findVulkanDriver('system', root)).toEqual({ name: 'system', env: {} });
  });

  it('auto prefers a GPU that is present over the software drivers in .vk/, and only then', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'visage-vk-'));
    const sw = path.join(root, '.vk', 'swiftshader');
    mkdirSync(sw, { recursive: true });
    writeFileSync(path.join(sw, 'icd.json'), '{}');
    writeFileSync(path.join(sw, '.complete'), '');
    const icdDir = path.join(root, 'icd.d');
    mkdirSync(icdDir);
    for (const f of ['intel_icd.x86_64.json', 'lvp_icd.x86_64.json', 'nvidia_icd.json']) writeFileSync(path.join(icdDir, f), '{}');
    const dev = path.join(root, 'dev');
    mkdirSync(dev);
    const saved = [process.env.VISAGE_VK_DRIVER, process.env.VK_ICD_FILENAMES];
    delete process.env.VISAGE_VK_DRIVER;
    delete process.env.VK_ICD_FILENAMES;
    try {
      // Mesa registers intel/radeon manifests everywhere: without a device node they are not a GPU.
      expect(findVulkanDriver('auto', root, [icdDir], dev)!.name).toBe('swiftshader');
      writeFileSync(path.join(dev, 'nvidia0'), '');
      expect(findVulkanDriver('auto', root, [icdDir], dev)).toMatchObject({ name: 'system', env: { VK_ICD_FILENAMES: path.join(icdDir, 'nvidia_icd.json') } });
    } finally {
      if (saved[0] !== undefined) process.env.VISAGE_VK_DRIVER = saved[0];
      if (saved[1] !== undefined) process.env.VK_ICD_FILENAMES = saved[1];
    }
  });

  it('an uninstalled driver is BACKEND_UNAVAILABLE with the install command', async () => {
    await expect(createWebGpuBackend({ driver: path.join(tmpdir(), 'no-such-icd.json') })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });

  it('a driver that cannot load gives BACKEND_UNAVAILABLE "no WebGPU adapter", not a crash', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'visage-badicd-'));
    const icd = path.join(dir, 'icd.json');
    writeFileSync(icd, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: path.join(dir, 'missing.so'), api_version: '1.0.5' } }));
    await expect(createWebGpuBackend({ driver: icd })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/no WebGPU adapter/),
    });
  });
});
