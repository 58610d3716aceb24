/**
 * A feature set for tests and benchmarks: G's synthetic colour dataset (core/data/synthetic.ts) with
 * held-out classes, encoded frame by frame by a tiny CLIP (clip-adapter's writeTinyClip). The class
 * is the frame colour, which the tiny CLIP exposes; the class-name prompts carry no colour, so
 * zero-shot CLIP is near chance while a trained head separates the known colours.
 */
import { join } from 'node:path';
import { writeSyntheticDataset, type SyntheticDatasetOptions } from '@visage/core/data';
import { loadClip, readImageFrame, TINY_VOCAB_WORDS, writeTinyClip } from '@visage/clip-adapter';
import type { ClipFeatures, FeatureSet } from '../src/features.ts';

export interface SyntheticFeatureOptions extends SyntheticDatasetOptions {
  /** Share of each known class's training clips moved to `val` (default 0.25). */
  valFraction?: number;
  /** Tiny CLIP weight seed (default 0). */
  clipSeed?: number;
}

/** Class prompt and negative prompt texts (HESP's negative template). */
export const classPrompt = (c: string) => `a face with ${c} expression`;
export const negativePrompt = (c: string) => `This video is not ${c}.`;

/**
 * Writes the dataset and the tiny CLIP under `dir` and returns the encoded feature set; its classes
 * are all classes (known and held out), held-out ones appear only in `test`.
 */
export async function buildSyntheticFeatureSet(dir: string, opts: SyntheticFeatureOptions = {}): Promise<FeatureSet & { heldOut: string[] }> {
  const data = await writeSyntheticDataset(join(dir, 'data'), opts);
  await writeTinyClip(join(dir, 'clip'), { seed: opts.clipSeed ?? 0, words: [...TINY_VOCAB_WORDS, 'this', 'video', 'is', 'not', ...data.classes, ...data.heldOutClasses] });
  const clip = await loadClip(join(dir, 'clip'));
  try {
    const classes = [...data.classes, ...data.heldOutClasses];
    const frames = opts.frames ?? 8;
    const items: ClipFeatures[] = [];
    const valEvery = Math.round(1 / (opts.valFraction ?? 0.25));
    const trainSeen = new Map<string, number>();
    for (const c of data.clips) {
      const images = await Promise.all(Array.from({ length: frames }, (_, k) => readImageFrame(join(c.source, `${c.id}_${k + 1}.png`))));
      const emb = await clip.encodeImages(images);
      const flat = new Float32Array(frames * emb[0].length);
      emb.forEach((e, t) => flat.set(e, t * e.length));
      let split: ClipFeatures['split'] = c.split;
      if (split === 'train') {
        const n = (trainSeen.get(c.label) ?? 0) + 1;
        trainSeen.set(c.label, n);
        if (n % valEvery === 0) split = 'val';
      }
      items.push({ id: c.id, label: c.label, split, frames: flat });
    }
    const text = await clip.encodeTexts(classes.map(classPrompt));
    const negative = await clip.encodeTexts(classes.map(negativePrompt));
    return {
      dim: text[0].length, frames, classes, items, heldOut: data.heldOutClasses,
      textEmbeddings: Object.fromEntries(classes.map((c, i) => [c, text[i]])),
      negativeEmbeddings: Object.fromEntries(classes.map((c, i) => [c, negative[i]])),
    };
  } finally {
    await clip.release();
  }
}
