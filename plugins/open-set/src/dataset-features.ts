/**
 * A FeatureSet from a dataset on disk: the dataset readers give the clips (core/data via clip-adapter's
 * readSplit), clip-adapter's FeatureSource extracts the preset's CLIP frames level through the feature
 * cache, and the frozen text encoder embeds the class and negative prompts. The dataset's train split
 * becomes `train` (trainHesp carves validation from it), its test split `test`.
 *
 * Motion: the feature cache holds CLIP levels only, so clips from here carry no landmark motion and the
 * temporal attention works from frame content alone (the `hesp` fusion does use motion at inference).
 */
import { loadClip, FeatureSource, type HostCommandFlags, readSplit } from '@visage/clip-adapter';
import { openSetConfigInvalid } from './errors.ts';
import type { ClipFeatures, FeatureSet } from './features.ts';
import type { CommandHost, HostSettings } from '@visage/core';

/** The command's host and settings (from CommandInput). */
export type CommandEnv = { host: CommandHost; settings: Readonly<HostSettings> };

export const DEFAULT_FEATURES_PRESET = 'hesp-features';
export const DEFAULT_CLASS_TEMPLATE = '{class}.';
/** HESP's negative prompt (method.md C.2). */
export const NEGATIVE_TEMPLATE = 'This video is not {class}.';

export interface DatasetFeatureOptions extends HostCommandFlags {
  dataset: string;
  root: string;
  fold?: number;
  template?: string;
}

/** Extracts (or reads from the cache) the frame embeddings of both splits and embeds the prompts. */
export async function datasetFeatureSet(env: CommandEnv, opts: DatasetFeatureOptions, pluginVersion: string, log: (s: string) => void = () => {}): Promise<FeatureSet> {
  if (!opts.root) throw openSetConfigInvalid('--root', 'is required with --dataset');
  const req = { dataset: opts.dataset, root: opts.root, fold: opts.fold };
  const trainSplit = await readSplit(req, 'train');
  const testSplit = await readSplit(req, 'test');
  const source = await FeatureSource.open(env, { ...opts, preset: opts.preset ?? DEFAULT_FEATURES_PRESET }, pluginVersion, 'visage open-set eval --dataset');
  try {
    const level = source.levels.find((l) => /\/clip-frames(-full)?$/.test(l.use));
    if (!level) throw openSetConfigInvalid('--preset', `preset "${source.preset.name}" has no clip-frames or clip-frames-full level with weight > 0`);
    log(`extracting ${level.slot} features of ${trainSplit.items.length} train and ${testSplit.items.length} test clips (cache: ${source.cache.dir})\n`);
    const toItems = async (items: typeof trainSplit.items, split: ClipFeatures['split']) => (await source.extract(items)).clips.map((c): ClipFeatures => {
      const f = c.levels[level.slot];
      if (f.shape.length !== 2) throw openSetConfigInvalid('--preset', `level ${level.slot} gave features of shape [${f.shape}], expected [frames, dim]`);
      return { id: c.id, label: c.label!, split, frames: f.data };
    });
    const items = [...await toItems(trainSplit.items, 'train'), ...await toItems(testSplit.items, 'test')];
    const classes = trainSplit.classes;
    const template = opts.template ?? DEFAULT_CLASS_TEMPLATE;
    const clip = await loadClip(source.modelsDir, { parts: ['text'] });
    try {
      const pos = await clip.encodeTexts(classes.map((c) => template.replaceAll('{class}', c)));
      const neg = await clip.encodeTexts(classes.map((c) => NEGATIVE_TEMPLATE.replaceAll('{class}', c)));
      const first = items[0];
      const dim = pos[0].length;
      return {
        dim, frames: first.frames.length / dim, classes, items,
        textEmbeddings: Object.fromEntries(classes.map((c, i) => [c, pos[i]])),
        negativeEmbeddings: Object.fromEntries(classes.map((c, i) => [c, neg[i]])),
      };
    } finally {
      await clip.release();
    }
  } finally {
    await source.dispose();
  }
}
