/**
 * `ctx.compute`: the compute engine's backend for the host's `--device`, on the plugin context
 * (architecture.md), instead of plugins setting a process-global default backend.
 */
import type { Backend } from '../compute/backend.ts';
import { createBackend, type Device } from '../compute/create-backend.ts';
import { withDefaultBackend } from '../compute/tensor.ts';
import type { SharedResources } from './shared-resources.ts';

export interface ComputeRunOptions {
  /** Device to run on; default the host's `--device`. */
  device?: Device | string;
  /** Where `--device auto` notes that it fell back to cpu (a command passes its `err`). */
  log?: (line: string) => void;
}

export interface ComputeStore {
  /** The host's `--device`. */
  readonly device: Device;
  /** The backend for `device` (default the host's), created once per host and device. */
  backend(options?: ComputeRunOptions): Promise<Backend>;
  /** Runs `fn` with that backend as the default of every tensor it creates; other work in the process keeps its own. */
  run<T>(fn: () => Promise<T>, options?: ComputeRunOptions): Promise<T>;
}

export function createComputeStore(device: Device, shared: SharedResources): ComputeStore {
  const backend = async ({ device: wanted = device, log = () => {} }: ComputeRunOptions = {}) => {
    // Wrapped so that disposing the host's shared resources does not call Backend.dispose(buffer).
    const held = await shared.get(`visage.core:compute:${wanted}`, async () => ({
      backend: await createBackend(wanted, { onFallback: (why) => log(`--device auto: using cpu (${why})\n`) }),
    }));
    return held.backend;
  };
  return Object.freeze({
    device,
    backend,
    run: async <T>(fn: () => Promise<T>, options?: ComputeRunOptions) => withDefaultBackend(await backend(options), fn),
  });
}
