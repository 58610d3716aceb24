/**
 * What `--device` means for onnxruntime sessions, without starting Dawn (the WebGPU EP itself is
 * exercised in test/e2e/webgpu-ep.test.ts, each run in its own process).
 */
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { autoStaysOnCpu, chooseOrtProvider, describeDeviceRequest, providerSessionOptions } from '../ort-provider.ts';
import { OnnxSessionStore } from '../session-store.ts';
import { runCli } from '../../../test/helpers/cli.ts';

const savedDriver = process.env.VISAGE_VK_DRIVER;
afterEach(() => {
  if (savedDriver === undefined) delete process.env.VISAGE_VK_DRIVER;
  else process.env.VISAGE_VK_DRIVER = savedDriver;
});

describe('--device auto', () => {
  it('never picks a software Vulkan driver from .vk/ on its own, nor a loader without a GPU driver', () => {
    delete process.env.VISAGE_VK_DRIVER;
    expect(autoStaysOnCpu({ name: 'swiftshader', env: { VK_ICD_FILENAMES: '/r/.vk/swiftshader/icd.json' } })).toMatch(/only with --device webgpu/);
    expect(autoStaysOnCpu({ name: 'lavapipe', env: { VK_ICD_FILENAMES: '/r/.vk/lavapipe/icd.json' } })).toMatch(/no GPU Vulkan driver/);
    expect(autoStaysOnCpu({ name: 'system', env: {} })).toMatch(/no GPU Vulkan driver/);
  });

  it('tries a GPU driver, or a driver the user named (software or not)', () => {
    delete process.env.VISAGE_VK_DRIVER;
    expect(autoStaysOnCpu({ name: 'system', env: { VK_ICD_FILENAMES: '/usr/share/vulkan/icd.d/nvidia_icd.json' } })).toBeNull();
    expect(autoStaysOnCpu({ name: 'inherited', env: {} })).toBeNull();
    process.env.VISAGE_VK_DRIVER = 'swiftshader';
    expect(autoStaysOnCpu({ name: 'swiftshader', env: { VK_ICD_FILENAMES: '/r/.vk/swiftshader/icd.json' } })).toBeNull();
    expect(autoStaysOnCpu(null)).toMatch(/VISAGE_VK_DRIVER is not installed/);
  });
});

describe('the installed onnxruntime-node', () => {
  it.runIf(process.platform === 'linux' && process.arch === 'x64')('bundles the WebGPU EP on linux-x64 (what --device webgpu relies on)', () => {
    expect(ort.listSupportedBackends()).toContainEqual({ name: 'webgpu', bundled: true });
  });
});

describe('session options', () => {
  it('cpu keeps every session on the CPU EP; webgpu puts the CPU EP behind it for nodes it lacks', async () => {
    expect(providerSessionOptions('cpu').executionProviders).toEqual(['cpu']);
    expect(providerSessionOptions('webgpu')).toEqual({ executionProviders: ['webgpu', 'cpu'], logSeverityLevel: 3 });
    expect(await chooseOrtProvider('cpu')).toEqual({ provider: 'cpu', detail: '--device cpu', probed: false });
    const seen: string[] = [];
    const store = new OnnxSessionStore({ device: 'cpu', intraOpNumThreads: 1, onProvider: (c) => seen.push(c.provider) });
    expect(store.chosenProvider).toBeUndefined();
    expect(await store.sessionOptions()).toEqual({ executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } });
    await store.sessionOptions();
    expect(seen).toEqual(['cpu']); // decided and reported once
    expect(store.chosenProvider?.provider).toBe('cpu');
  });
});

describe('visage pipeline explain', () => {
  it('says which execution provider --device means here, without loading a model', async () => {
    expect(describeDeviceRequest('cpu')).toBe('cpu (onnxruntime CPU execution provider)');
    const r = await runCli('pipeline', 'explain', '--device', 'cpu');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('model device (--device): cpu (onnxruntime CPU execution provider)');
    const webgpu = await runCli('pipeline', 'explain', '--device', 'webgpu');
    expect(webgpu.out).toMatch(/model device \(--device\): webgpu -> webgpu if an adapter starts on the \S+ Vulkan driver \(checked when models load\)/);
  });
});
