/**
 * Frozen features of a dataset's clips, per FineCLIPER level, through the feature cache: a clip
 * whose levels are all cached costs a few file reads; a missing one runs the pipeline's levels
 * once and stores every level's features (atomically, so a killed run resumes where it stopped).
 */
import type { LevelOutput } from '@visage/core';
import type { DatasetItem } from '@visage/core/data';
import { featureKey, sourceFingerprint, type FeatureCache, type FeatureKeyParts, type FeatureTensor } from '@visage/core/features';
import { fineCliperFeaturesMissing } from '../errors.ts';
import type { ClipFeatures } from './train.ts';

/** Runs the levels of one clip (a pipeline run) and returns their outputs by slot. */
export type LevelRunner = (item: DatasetItem) => Promise<Readonly<Record<string, LevelOutput>>>;

/** 'frames': one embedding per frame; 'text': sentence embeddings (or one pooled embedding). */
export type FeatureKind = 'frames' | 'text';

export interface ExtractOptions {
  cache: FeatureCache;
  /** Level slots to extract. */
  levels: string[];
  /** Everything of the key except the clip source and level (plugin version, model hash, level config). */
  keyParts: (level: string) => Omit<FeatureKeyParts, 'source' | 'level'>;
  run: LevelRunner;
  /** Called after each clip (progress bars). */
  onClip?: (item: DatasetItem, hit: boolean) => void;
}

export interface ExtractResult {
  clips: ClipFeatures[];
  /** Kind of each level's features. */
  kinds: Record<string, FeatureKind>;
  hits: number;
  misses: number;
}

/** Features of every item (in order), from the cache or by running the levels. */
export async function extractFeatures(items: DatasetItem[], opts: ExtractOptions): Promise<ExtractResult> {
  const clips: ClipFeatures[] = [];
  const kinds: Record<string, FeatureKind> = {};
  let hits = 0, misses = 0;
  for (const item of items) {
    const source = await sourceFingerprint(item.source);
    const keys = Object.fromEntries(opts.levels.map((level) => [level, featureKey({ source, level, ...opts.keyParts(level) })]));
    const cached = await Promise.all(opts.levels.map((level) => opts.cache.get(keys[level])));
    const levels: Record<string, FeatureTensor> = {};
    const hit = cached.every((e) => e !== undefined);
    if (hit) {
      opts.levels.forEach((level, i) => {
        levels[level] = cached[i]!.tensors.features;
        kinds[level] ??= cached[i]!.meta?.kind as FeatureKind;
      });
      hits++;
    } else {
      const outputs = await opts.run(item);
      for (const level of opts.levels) {
        const { tensor, kind } = featuresOfOutput(outputs[level], level, item.id);
        await opts.cache.put(keys[level], { tensors: { features: tensor }, meta: { kind, id: item.id } });
        levels[level] = tensor;
        kinds[level] ??= kind;
      }
      misses++;
    }
    clips.push({ id: item.id, label: item.label, levels });
    opts.onClip?.(item, hit);
  }
  return { clips, kinds, hits, misses };
}

/** [T, D] from a level's frame embeddings, or [1, D] from its clip embedding. */
export function featuresOfOutput(out: LevelOutput | undefined, level: string, id: string): { tensor: FeatureTensor; kind: FeatureKind } {
  const rows = out?.frameEmbeddings?.length ? out.frameEmbeddings : out?.embedding ? [out.embedding] : null;
  if (!rows) throw fineCliperFeaturesMissing(level, id);
  const d = rows[0].length;
  const data = new Float32Array(rows.length * d);
  rows.forEach((r, i) => data.set(r, i * d));
  return { tensor: { shape: [rows.length, d], data }, kind: out!.frameEmbeddings?.length ? 'frames' : 'text' };
}
