/** Decodes one still image (a photo, or one frame of a frame folder) to RGB24 with sharp. */
import sharp from 'sharp';
import { mediaDecodeFailed, mediaTooLarge } from '../errors/messages.ts';

export interface DecodedImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface ImageDecodeOptions {
  /** Shrink so neither side exceeds this (aspect kept, never enlarged). */
  maxSide?: number;
  /** Refuse sources whose larger side exceeds this. */
  refuseAbove: number;
}

/** Expands 1, 2 or 4 channel pixels to RGB (grey is replicated, alpha dropped). */
function toRgb(data: Buffer, channels: number, pixels: number): Uint8Array {
  if (channels === 3) return new Uint8Array(data.buffer, data.byteOffset, pixels * 3);
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const s = i * channels;
    const grey = channels < 3;
    rgb[i * 3] = data[s];
    rgb[i * 3 + 1] = grey ? data[s] : data[s + 1];
    rgb[i * 3 + 2] = grey ? data[s] : data[s + 2];
  }
  return rgb;
}

/** Reads an image file; EXIF orientation is applied, so the pixels are upright. */
export async function decodeImage(path: string, opts: ImageDecodeOptions): Promise<DecodedImage> {
  let meta;
  try {
    meta = await sharp(path).metadata();
  } catch (e) {
    throw mediaDecodeFailed(path, (e as Error).message);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (Math.max(w, h) > opts.refuseAbove) throw mediaTooLarge(path, w, h, opts.refuseAbove);
  try {
    let img = sharp(path, { limitInputPixels: false }).rotate();
    if (opts.maxSide) img = img.resize({ width: opts.maxSide, height: opts.maxSide, fit: 'inside', withoutEnlargement: true });
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, rgb: toRgb(data, info.channels, info.width * info.height) };
  } catch (e) {
    throw mediaDecodeFailed(path, (e as Error).message);
  }
}
