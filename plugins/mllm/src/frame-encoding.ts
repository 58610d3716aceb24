/**
 * Frame sampling and image encoding for the vision-LLM request.
 */
import sharp from 'sharp';
import type { Frame } from '@visage/core';
import { errors } from '@visage/core';

/**
 * K uniform indices into n frames, floor(k n / K) for k = 0..K-1 (Video-LLaVA's sampling, method.md
 * F.4); all n indices when n <= K, so short clips are not padded with repeats the model must read.
 */
export function uniformIndices(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}

export interface EncodeOptions {
  format: 'jpeg' | 'png';
  jpegQuality: number;
  /** Longest side after downscaling; 0 keeps the frame size. */
  maxSide: number;
}

/** Encodes one RGB24 frame as a `data:image/...;base64,` URL. */
export async function frameToDataUrl(frame: Frame, opts: EncodeOptions): Promise<string> {
  if (frame.rgb.length !== frame.width * frame.height * 3) {
    throw errors.shapeMismatch('frameToDataUrl', `frame ${frame.sourceIndex}: ${frame.rgb.length} bytes for ${frame.width}x${frame.height} RGB24`);
  }
  let img = sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  if (opts.maxSide > 0 && Math.max(frame.width, frame.height) > opts.maxSide) {
    img = img.resize({ width: opts.maxSide, height: opts.maxSide, fit: 'inside' });
  }
  const buf = opts.format === 'png'
    ? await img.png().toBuffer()
    : await img.jpeg({ quality: opts.jpegQuality }).toBuffer();
  return `data:image/${opts.format};base64,${buf.toString('base64')}`;
}
