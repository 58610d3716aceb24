/**
 * FineCLIPER's levels as pipeline level providers (issue 5 item 4): each encodes its input with the
 * frozen CLIP encoders and returns embeddings; the trainable adapters live in the fusion.
 *
 * - clip-frames: the landmarks level's aligned face crops, one embedding per frame;
 * - clip-frames-full: the whole frames (data without faces, e.g. the synthetic test set);
 * - clip-parsing: the parsing maps rendered as colour images (optionally over the crop);
 * - clip-landmarks: the landmark renders;
 * - clip-description: the description level's sentences, encoded and mean-pooled (one embedding).
 */
import type { LevelInput, LevelOutput, LevelProvider } from '@visage/core';
import type { RgbImage } from '../preprocess/pixel-values.ts';
import type { ClipModel } from '../model/clip-model.ts';
import { l2Normalize } from '../model/clip-model.ts';
import type { LandmarksData } from '@visage/landmarks';
import type { ParsingMap } from '@visage/parsing';
import { renderParsing } from '@visage/parsing';

/** Gives the (shared, lazily loaded) CLIP model. */
export type ClipSource = () => Promise<ClipModel>;

/** The providers by their manifest id. */
export function fineCliperLevelProviders(clip: ClipSource): Record<string, LevelProvider> {
  const frames = (images: (input: LevelInput, options: Record<string, unknown>) => RgbImage[]): LevelProvider => async (input, call) => {
    const model = await clip();
    const embeddings = await model.encodeImages(images(input, call.options));
    const weights = input.deps.landmarks?.frameWeights;
    return { frameEmbeddings: embeddings, ...(weights && { frameWeights: weights }), summary: { frames: embeddings.length, width: embeddings[0]?.length ?? 0 } };
  };
  const landmarksOf = (input: LevelInput) => input.deps.landmarks.data as LandmarksData;
  return {
    'clip-frames': frames((input) => landmarksOf(input).frames.map((f) => f.crop)),
    'clip-frames-full': frames((input) => input.clip.frames),
    'clip-parsing': frames((input, options) => {
      const lm = landmarksOf(input);
      const maps = input.deps.parsing.data as ParsingMap[];
      return maps.map((m, t) => renderParsing(m, options.overlay ? { over: lm.frames[t].crop } : {}));
    }),
    'clip-landmarks': frames((input) => {
      const lm = landmarksOf(input);
      return lm.frames.map((f) => ({ width: lm.size, height: lm.size, rgb: f.render }));
    }),
    'clip-description': async (input): Promise<LevelOutput> => {
      const sentences = (input.deps.description?.text ?? []).filter((s) => s.trim());
      if (!sentences.length) return { flags: ['no description text: the level is left out of the fusion for this clip'] };
      const embeddings = await (await clip()).encodeTexts(sentences);
      return { embedding: meanPooled(embeddings), summary: { sentences: sentences.length } };
    },
  };
}

/** The unit-length mean of unit vectors (method.md A.2 item 4: sentences encoded, mean-pooled). */
export function meanPooled(rows: Float32Array[]): Float32Array {
  const m = new Float32Array(rows[0].length);
  for (const r of rows) for (let i = 0; i < m.length; i++) m[i] += r[i] / rows.length;
  return l2Normalize(m);
}
