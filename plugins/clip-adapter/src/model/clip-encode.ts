/**
 * `visage clip encode`: embeds image files and texts with a CLIP models folder. Plain function;
 * the CLI command only parses flags and prints the result.
 */
import { readImageFrame } from '../preprocess/pixel-values.ts';
import { loadClip, type LoadClipOptions } from './clip-model.ts';
import { clipInputInvalid } from '../errors.ts';

export interface ClipEncodeRequest {
  /** Image files (anything sharp decodes). */
  images?: string[];
  texts?: string[];
}

/** One encoded input: what it was and its L2-normalised embedding. */
export interface ClipEncoding {
  kind: 'image' | 'text';
  /** The image path or the text, as given. */
  input: string;
  /** Unit-norm embedding (plain numbers, so it serialises to JSON as an array). */
  vector: number[];
}

/**
 * Encodes images then texts, in the order given. Only the encoders the request needs are loaded.
 * @example
 *   const out = await clipEncode('models/clip-vit-base-patch16', { images: ['face.jpg'], texts: ['a happy face'] });
 */
export async function clipEncode(modelsDir: string, request: ClipEncodeRequest, opts: LoadClipOptions = {}): Promise<ClipEncoding[]> {
  const images = request.images ?? [];
  const texts = request.texts ?? [];
  if (images.length === 0 && texts.length === 0) throw clipInputInvalid('nothing to encode');
  const parts: Array<'vision' | 'text'> = [];
  if (images.length) parts.push('vision');
  if (texts.length) parts.push('text');
  const model = await loadClip(modelsDir, { ...opts, parts });
  try {
    const frames = await Promise.all(images.map(readImageFrame));
    const imageVectors = await model.encodeImages(frames);
    const textVectors = await model.encodeTexts(texts);
    return [
      ...images.map((input, i) => ({ kind: 'image' as const, input, vector: Array.from(imageVectors[i]) })),
      ...texts.map((input, i) => ({ kind: 'text' as const, input, vector: Array.from(textVectors[i]) })),
    ];
  } finally {
    await model.release();
  }
}
