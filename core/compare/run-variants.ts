/**
 * Runs each clip through every variant, clip by clip, with one level cache shared by all, so a
 * clip is decoded once and a level two variants share runs once. A simple sequential loop for now;
 * the batch runner of `pipeline run` (timeouts, signals, jobs) will take this over.
 */
import type { Host } from '../host/host.ts';
import type { LevelCache } from '../pipeline/level-cache.ts';
import type { ClipResult, Pipeline } from '../pipeline/pipeline.ts';
import type { SourceRef } from '../pipeline/stage-types.ts';
import { rowFromError, rowFromResult, type OutputRow } from '../output/row.ts';
import type { Variant } from './variants.ts';
import * as errors from '../errors/messages.ts';

export interface VariantPipelines {
  names: string[];
  pipelines: Pipeline[];
  dispose(): Promise<void>;
}

/** One pipeline per variant; every variant must predict the same classes. */
export async function variantPipelines(host: Host, variants: Variant[]): Promise<VariantPipelines> {
  const presets = variants.map((v) => host.resolve(v.request));
  const classes = JSON.stringify(presets[0].classes ?? []);
  presets.forEach((p, i) => {
    if (JSON.stringify(p.classes ?? []) !== classes) throw errors.variantClassesDiffer(variants[0].name, variants[i].name);
  });
  const pipelines: Pipeline[] = [];
  for (const p of presets) {
    const pl = await host.pipeline(p);
    await pl.prepare();
    pipelines.push(pl);
  }
  return { names: variants.map((v) => v.name), pipelines, dispose: async () => { for (const pl of pipelines) await pl.dispose(); } };
}

export interface RunVariantsOptions {
  cache: LevelCache;
  signal?: AbortSignal;
  /** Called once per clip with each variant's result (undefined where it failed), e.g. for thumbnails. */
  onClip?: (source: SourceRef, results: (ClipResult | undefined)[], rows: OutputRow[]) => Promise<void> | void;
}

/** Rows per variant, in source order. */
export async function runVariants(pipelines: Pipeline[], sources: SourceRef[], opts: RunVariantsOptions): Promise<OutputRow[][]> {
  const rows: OutputRow[][] = pipelines.map(() => []);
  for (const source of sources) {
    if (opts.signal?.aborted) break;
    const results: (ClipResult | undefined)[] = [];
    const clipRows: OutputRow[] = [];
    for (const pl of pipelines) {
      try {
        const r = await pl.run(source, { cache: opts.cache, signal: opts.signal });
        results.push(r);
        clipRows.push(rowFromResult(r));
      } catch (e) {
        results.push(undefined);
        clipRows.push(rowFromError(source, e));
      }
    }
    clipRows.forEach((row, v) => rows[v].push(row));
    await opts.onClip?.(source, results, clipRows);
  }
  return rows;
}
