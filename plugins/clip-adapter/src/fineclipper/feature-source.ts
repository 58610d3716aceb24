/**
 * Where the commands get frozen features from: the preset's FineCLIPER levels, run through a host
 * pipeline on a cache miss, read from the feature cache otherwise.
 */
import type { CommandHost, HostSettings, PipelineHandle, ResolvedLevel, ResolvedPreset } from '@visage/core';
import type { DatasetItem } from '@visage/core/data';
import { defaultFeatureDir, FeatureCache, featureKey, fileFingerprint, sourceFingerprint, type FeatureKeyParts } from '@visage/core/features';
import { levelsOnQueue, Progress, type VisageError } from '@visage/core';
import { fineCliperModelsMissing, fineCliperNoLevels } from '../errors.ts';
import { loadClip } from '../model/clip-model.ts';
import { locateClipFiles } from '../model/model-files.ts';
import { DEFAULT_TEMPLATES, descriptorTexts, encodeDescriptors, type DescriptorTemplates } from './descriptors.ts';
import { extractFeatures, featuresOfOutput, type ExtractResult } from './extract-features.ts';
import type { DescriptorEmbeddings, Formulation } from './fineclipper-model.ts';

/** Host and preset flags as the CLI hands them to a plugin command. */
export interface HostCommandFlags {
  pluginDir?: string[];
  models?: string;
  device?: 'auto' | 'cpu' | 'webgpu';
  cacheDir?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  preset?: string;
  config?: string;
  set?: string[];
}

export const PLUGIN_ID = 'visage.clip-adapter';
/** The preset commands use unless --preset says otherwise. */
export const DEFAULT_COMMAND_PRESET = 'fineclipper';

export class FeatureSource {
  private pipelineP: Promise<PipelineHandle> | null = null;

  private constructor(
    private readonly host: CommandHost,
    readonly preset: ResolvedPreset,
    /** The preset's enabled FineCLIPER levels with weight > 0. */
    readonly levels: ResolvedLevel[],
    readonly cache: FeatureCache,
    readonly modelsDir: string,
    private readonly modelHash: string,
    private readonly pluginVersion: string,
  ) {}

  /** Resolves the preset and hashes the CLIP export; loads no model yet. */
  static async open(env: { host: CommandHost; settings: Readonly<HostSettings> }, flags: HostCommandFlags, pluginVersion: string, what: string): Promise<FeatureSource> {
    if (!flags.models) throw fineCliperModelsMissing(what);
    const preset = env.host.resolve({ preset: flags.preset ?? DEFAULT_COMMAND_PRESET, configFile: flags.config, set: flags.set ?? [] });
    const levels = preset.levels.filter((l) => l.plugin === PLUGIN_ID && l.weight > 0);
    if (!levels.length) throw fineCliperNoLevels(preset.levels.map((l) => l.slot));
    const files = locateClipFiles(flags.models);
    const hashes = await Promise.all([files.vision, files.text].filter((f): f is string => !!f).map(fileFingerprint));
    const cache = new FeatureCache(defaultFeatureDir(env.settings.cacheDir));
    return new FeatureSource(env.host, preset, levels, cache, flags.models, hashes.join('+'), pluginVersion);
  }

  /** Features of the items, extracting (and caching) what is missing. Progress on stderr when a TTY. */
  async extract(items: DatasetItem[]): Promise<ExtractResult> {
    const progress = new Progress(items.length);
    try {
      return await extractFeatures(items, {
        cache: this.cache,
        levels: this.levels.map((l) => l.slot),
        keyParts: (slot) => this.keyParts(slot),
        run: async (item) => (await (await this.pipeline()).levels({ path: item.source, id: item.id, label: item.label })).levels,
        onClip: () => progress.tick(true),
      });
    } finally {
      progress.finish();
    }
  }

  /**
   * Extracts the items missing from the cache on `visage worker`s through the queue at `q.url`, into
   * this machine's cache (so `extract` then finds them all cached). Returns how many were extracted.
   */
  async extractOnQueue(items: DatasetItem[], q: { url: string; rootMap?: string[]; attempts?: number; log: (line: string) => void }): Promise<number> {
    const slots = this.levels.map((l) => l.slot);
    const missing: { item: DatasetItem; keys: Record<string, string> }[] = [];
    for (const item of items) {
      const source = await sourceFingerprint(item.source);
      const keys = Object.fromEntries(slots.map((level) => [level, featureKey({ source, level, ...this.keyParts(level) })]));
      if (!(await Promise.all(slots.map((s) => this.cache.has(keys[s])))).every(Boolean)) missing.push({ item, keys });
    }
    const progress = new Progress(missing.length);
    const failures: VisageError[] = [];
    try {
      await levelsOnQueue({
        url: q.url, rootMap: q.rootMap, attempts: q.attempts, log: q.log, modelsDir: this.modelsDir, preset: this.extractionPreset(), slots,
        items: missing.map(({ item }) => ({ path: item.source, id: item.id, label: item.label })),
        onLevels: async (i, outputs) => {
          const { item, keys } = missing[i];
          for (const slot of slots) {
            const { tensor, kind } = featuresOfOutput(outputs[slot], slot, item.id);
            await this.cache.put(keys[slot], { tensors: { features: tensor }, meta: { kind, id: item.id } });
          }
          progress.tick(true);
        },
        onError: (i, e) => {
          q.log(`${missing[i].item.id}: ${e.format()}`);
          failures.push(e);
          progress.tick(false);
        },
      });
    } finally {
      progress.finish();
    }
    if (failures.length) throw failures[0];
    return missing.length;
  }

  /** Descriptor templates of the preset's prompt builder (its options), else the defaults. */
  templates(): DescriptorTemplates {
    const p = this.preset.prompts;
    return p?.use === `${PLUGIN_ID}/descriptors` ? (p.options as unknown as DescriptorTemplates) : DEFAULT_TEMPLATES;
  }

  /** Options of the preset's fineclipper fusion (formulation, temperature), when it uses it. */
  fusionOptions(): { formulation?: Formulation; temperature?: number } {
    const f = this.preset.fusion;
    return f.use === `${PLUGIN_ID}/fineclipper` ? (f.options as { formulation?: Formulation; temperature?: number }) : {};
  }

  /** Encodes the descriptors of `classes` with the frozen text encoder. */
  async descriptors(classes: string[], templates = this.templates()): Promise<DescriptorEmbeddings> {
    const clip = await loadClip(this.modelsDir, { parts: ['text'] });
    try {
      return await encodeDescriptors(clip, descriptorTexts(classes, templates));
    } finally {
      await clip.release();
    }
  }

  async dispose(): Promise<void> {
    // The host belongs to the command runner, which disposes it after the command.
    if (this.pipelineP) await (await this.pipelineP).dispose().catch(() => undefined);
  }

  /** The preset's pipeline, its fineclipper fusion forced to zero-shot: extraction needs only the levels. */
  private pipeline(): Promise<PipelineHandle> {
    this.pipelineP ??= this.host.pipeline(this.extractionPreset());
    return this.pipelineP;
  }

  private extractionPreset(): ResolvedPreset {
    const f = this.preset.fusion;
    const fusion = f.use === `${PLUGIN_ID}/fineclipper` ? { ...f, options: { ...f.options, zeroShot: true } } : f;
    return { ...this.preset, fusion };
  }

  private keyParts(slot: string): Omit<FeatureKeyParts, 'source' | 'level'> {
    return { pluginVersion: this.pluginVersion, modelHash: this.modelHash, config: this.levelConfig(slot) };
  }

  /**
   * What determines a level's features besides the clip and the model: frame count, ingest options,
   * and the provider and options of the level and of every level it needs, transitively.
   */
  private levelConfig(slot: string): unknown {
    const bySlot = new Map(this.preset.levels.map((l) => [l.slot, l]));
    const chain: Record<string, unknown> = {};
    const visit = (s: string) => {
      const l = bySlot.get(s);
      if (!l || chain[s]) return;
      chain[s] = { use: l.use, options: l.options };
      l.needs.forEach(visit);
    };
    visit(slot);
    return { frames: this.preset.frames, ingest: { use: this.preset.ingest.use, options: this.preset.ingest.options }, levels: chain };
  }
}
