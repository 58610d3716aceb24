/**
 * Backend selection for `--device auto|cpu|webgpu`.
 */
import { errors, isVisageError } from '../errors/index.ts';
import type { Backend } from './backend.ts';
import { CpuBackend, type CpuBackendOptions } from './cpu/cpu-backend.ts';

export type Device = 'auto' | 'cpu' | 'webgpu';

export interface CreateBackendOptions {
  cpu?: CpuBackendOptions;
  /** Called when auto falls back to cpu, with the reason (for a log line). */
  onFallback?: (reason: string) => void;
}

interface WebGpuModule {
  createWebGpuBackend(opts: { requireHardware?: boolean }): Promise<Backend>;
}

/**
 * cpu: the cpu backend. webgpu: the WebGPU backend, or BACKEND_UNAVAILABLE. auto: WebGPU on a
 * hardware adapter when one is present, else cpu (software adapters are slower than cpu).
 */
export async function createBackend(device: Device | string = 'auto', opts: CreateBackendOptions = {}): Promise<Backend> {
  switch (device) {
    case 'cpu':
      return new CpuBackend(opts.cpu);
    case 'webgpu':
      return loadWebGpu(false);
    case 'auto':
      try {
        return await loadWebGpu(true);
      } catch (e) {
        opts.onFallback?.(e instanceof Error ? e.message : String(e));
        return new CpuBackend(opts.cpu);
      }
    default:
      throw errors.unknownDevice(device);
  }
}

async function loadWebGpu(requireHardware: boolean): Promise<Backend> {
  let mod: WebGpuModule;
  try {
    // Resolved at run time so the cpu path never loads the WebGPU bindings.
    const path = './webgpu/index.ts';
    mod = (await import(path)) as WebGpuModule;
  } catch (e) {
    throw errors.backendUnavailable('webgpu', `its module failed to load: ${(e as Error).message}`);
  }
  try {
    return await mod.createWebGpuBackend({ requireHardware });
  } catch (e) {
    if (isVisageError(e)) throw e;
    throw errors.backendUnavailable('webgpu', (e as Error).message);
  }
}
