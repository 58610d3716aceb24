/**
 * What a worker must have to run a job exactly as the submitting machine would: the same host
 * version, the same version of every plugin the preset uses, and the same model files. A worker
 * that differs refuses the job (QUEUE_WORKER_MISMATCH): it never returns mismatched results.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { selectedProviders, type ResolvedPreset } from '../config/resolve-preset.ts';
import { fileFingerprint } from '../features/feature-cache.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';
import { HOST_VERSION } from '../version.ts';

export interface WorkerRequirements {
  host: string;
  /** Plugin id -> version, for every plugin the preset uses. */
  plugins: Record<string, string>;
  /** Hash of the submitter's --models folder, when it had one. */
  models?: string;
}

export function requirementsOf(preset: ResolvedPreset, modelsHash?: string): WorkerRequirements {
  const plugins: Record<string, string> = {};
  for (const { provider } of selectedProviders(preset)) plugins[provider.plugin] = provider.pluginVersion;
  return { host: HOST_VERSION, plugins, ...(modelsHash && { models: modelsHash }) };
}

/** Human-readable differences between what the job needs and what this worker has (empty: compatible). */
export function requirementDifferences(required: WorkerRequirements, registry: PluginRegistry, workerModelsHash: string | undefined): string[] {
  const out: string[] = [];
  if (required.host !== HOST_VERSION) out.push(`host ${HOST_VERSION}, job needs ${required.host}`);
  for (const [id, version] of Object.entries(required.plugins)) {
    const have = registry.plugin(id)?.version;
    if (have === undefined) out.push(`plugin ${id} ${version} is not loaded on this worker`);
    else if (have !== version) out.push(`plugin ${id} is ${have} here, job needs ${version}`);
  }
  if (required.models && required.models !== workerModelsHash) {
    out.push(workerModelsHash ? `model files differ (--models hash ${workerModelsHash.slice(0, 12)}, job needs ${required.models.slice(0, 12)})` : `job needs model files (--models hash ${required.models.slice(0, 12)}) and this worker has no --models`);
  }
  return out;
}

/** sha256 over the name and content hash of every file in a --models folder (top level). */
export async function modelsHash(dir: string | undefined): Promise<string | undefined> {
  if (!dir) return undefined;
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  const h = createHash('sha256');
  for (const name of entries) h.update(`${name}\n${await fileFingerprint(path.join(dir, name))}\n`);
  return h.digest('hex');
}
