/**
 * Feature extraction on the queue (`visage extract --queue URL`): one job per clip that asks a
 * worker for the embeddings of some level slots; the submitting machine writes them to its own
 * feature cache. Job ids come from the clip content plus the extraction (preset and slots).
 */
import path from 'node:path';
import type { ResolvedPreset } from '../config/resolve-preset.ts';
import type { VisageError } from '../errors/visage-error.ts';
import type { LevelOutput, SourceRef } from '../pipeline/stage-types.ts';
import { decodeLevels, type ClipJobData } from './clip-job.ts';
import { contentHash, jobId, presetSpec } from './job-identity.ts';
import { mapRoot, parseRootMaps } from './root-map.ts';
import { submitAndCollect } from './submitter.ts';
import { modelsHash, requirementsOf } from './worker-requirements.ts';
import { isUri } from '../pipeline/normalize-source.ts';

export interface LevelsOnQueueOptions {
  /** Redis URL (`--queue`). */
  url: string;
  /** `--root-map FROM=TO` values. */
  rootMap?: string[];
  attempts?: number;
  /** The submitter's --models folder: workers must hold the same files. */
  modelsDir?: string;
  preset: ResolvedPreset;
  slots: string[];
  items: SourceRef[];
  /** Each clip's level outputs (embeddings only), as soon as its job ends; awaited. */
  onLevels: (index: number, levels: Record<string, LevelOutput>) => Promise<void>;
  onError: (index: number, error: VisageError) => void;
  log?: (line: string) => void;
}

export async function levelsOnQueue(o: LevelsOnQueueOptions): Promise<void> {
  const rootMaps = parseRootMaps(o.rootMap);
  const requires = requirementsOf(o.preset, await modelsHash(o.modelsDir));
  const work = { kind: 'levels', preset: presetSpec(o.preset), slots: o.slots };
  const jobs = await Promise.all(o.items.map(async (s) => {
    const data: ClipJobData = { v: 1, kind: 'levels', source: { ...s, path: isUri(s.path) ? s.path : mapRoot(path.resolve(s.path), rootMaps) }, preset: o.preset, requires, slots: o.slots };
    return { id: jobId(work, await contentHash(s.path)), data };
  }));
  await submitAndCollect({
    url: o.url,
    jobs,
    attempts: o.attempts ?? 3,
    removeWhenCollected: true, // the submitter's feature cache keeps the result
    log: o.log,
    onOutcome: async (i, outcome) => {
      if (!outcome.ok) return o.onError(i, outcome.error);
      if (outcome.value && 'levels' in outcome.value) await o.onLevels(i, decodeLevels(outcome.value.levels));
    },
  });
}
