/**
 * Frames -> CLIP `pixel_values` [B, 3, H, W] float32: resize with sharp (bicubic by default), then
 * centre crop, rescale, normalise and HWC -> CHW in one pass over the pixels.
 */
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { errors } from '@visage/core';
import type { Frame } from '@visage/core';
import { outputSize, resizedSize, type ImagePreprocessing } from './preprocessor-config.ts';
import { clipInputInvalid } from '../errors.ts';

/** RGB24 pixels of a known size. */
export interface RgbImage { width: number; height: number; rgb: Uint8Array }

function checkFrame(frame: RgbImage): void {
  const { width, height, rgb } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw errors.badFrame(`size ${width}x${height} is not a positive integer size`);
  }
  if (rgb.length !== width * height * 3) {
    throw errors.badFrame(`${width}x${height} needs ${width * height * 3} bytes, got ${rgb.length}`);
  }
}

/**
 * The resize step (sharp); returns the frame itself when it already has the target size.
 * Downscaling uses sharp's resize (antialiased, like PIL). libvips upsamples with a corner-aligned
 * grid, a quarter of a source pixel away from PIL's centre-aligned one at 2x, so upscaling goes
 * through `upscaleCentreAligned` instead.
 */
export async function resizeForClip(frame: RgbImage, p: ImagePreprocessing): Promise<RgbImage> {
  checkFrame(frame);
  const target = resizedSize(p, frame.width, frame.height);
  if (target.width === frame.width && target.height === frame.height) return frame;
  const upscaling = target.width >= frame.width && target.height >= frame.height;
  if (upscaling && p.kernel !== 'lanczos3') return upscaleCentreAligned(frame, target, p.kernel);
  const { data, info } = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(target.width, target.height, { kernel: p.kernel, fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

const INTERPOLATORS = { nearest: 'nearest', linear: 'bilinear', cubic: 'bicubic' } as const;

/**
 * Upscales with PIL's sampling grid: output pixel x reads source (x + 0.5) / scale - 0.5.
 * The source gets a 2-pixel copied border first so the cubic kernel sees edge pixels, not black.
 */
async function upscaleCentreAligned(
  frame: RgbImage, target: { width: number; height: number }, kernel: keyof typeof INTERPOLATORS,
): Promise<RgbImage> {
  const pad = 2;
  const sx = target.width / frame.width;
  const sy = target.height / frame.height;
  const padded = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .extend({ left: pad, right: pad, top: pad, bottom: pad, extendWith: 'copy' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { data, info } = await sharp(padded.data, { raw: { width: padded.info.width, height: padded.info.height, channels: 3 } })
    .affine([sx, 0, 0, sy], {
      interpolator: sharp.interpolators[INTERPOLATORS[kernel]],
      idx: -pad, idy: -pad, odx: (sx - 1) / 2, ody: (sy - 1) / 2,
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw errors.badFrame(`upscaling produced ${info.channels} channels, expected 3`);
  // The transformed image starts at output (0, 0); anything past the target size is the border.
  const rgb = new Uint8Array(target.width * target.height * 3);
  const rowBytes = target.width * 3;
  for (let y = 0; y < target.height; y++) {
    rgb.set(data.subarray(y * info.width * 3, y * info.width * 3 + rowBytes), y * rowBytes);
  }
  return { width: target.width, height: target.height, rgb };
}

/**
 * Hugging Face centre crop offset: floor((size - crop) / 2); when the image is smaller than the crop
 * it is padded with black, centred, so the offset is negative.
 */
function cropOffset(size: number, crop: number): number {
  return size >= crop ? Math.floor((size - crop) / 2) : -Math.floor((crop - size) / 2);
}

/**
 * Centre crop + rescale + normalise one resized image into `out` at `offset` (CHW, float32).
 * Pixels outside the source (padding) are black before normalisation, as in Hugging Face.
 */
export function writePixelValues(image: RgbImage, p: ImagePreprocessing, out: Float32Array, offset = 0): void {
  const { width: W, height: H } = p.crop ?? image;
  const top = cropOffset(image.height, H);
  const left = cropOffset(image.width, W);
  const mean = p.normalize?.mean ?? [0, 0, 0];
  const std = p.normalize?.std ?? [1, 1, 1];
  const plane = W * H;
  for (let c = 0; c < 3; c++) {
    // value = (byte * rescale - mean) / std, folded into one multiply-add per pixel.
    const scale = p.rescale / std[c];
    const shift = -mean[c] / std[c];
    const base = offset + c * plane;
    for (let y = 0; y < H; y++) {
      const sy = y + top;
      const rowOut = base + y * W;
      if (sy < 0 || sy >= image.height) { out.fill(shift, rowOut, rowOut + W); continue; }
      const rowIn = sy * image.width;
      for (let x = 0; x < W; x++) {
        const sx = x + left;
        out[rowOut + x] = sx < 0 || sx >= image.width ? shift : image.rgb[(rowIn + sx) * 3 + c] * scale + shift;
      }
    }
  }
}

/** Preprocesses frames into one [B, 3, H, W] float32 tensor body. */
export async function packPixelValues(frames: RgbImage[], p: ImagePreprocessing): Promise<{ data: Float32Array; dims: [number, 3, number, number] }> {
  if (frames.length === 0) throw clipInputInvalid('no images to encode');
  const sizes = frames.map((f) => { checkFrame(f); return outputSize(p, f.width, f.height); });
  const { width, height } = sizes[0];
  const odd = sizes.findIndex((s) => s.width !== width || s.height !== height);
  if (odd >= 0) {
    throw errors.badFrame(`image ${odd} preprocesses to ${sizes[odd].width}x${sizes[odd].height}, image 0 to ${width}x${height}; a batch needs one size (set crop_size in preprocessor_config.json)`);
  }
  const data = new Float32Array(frames.length * 3 * width * height);
  const resized = await Promise.all(frames.map((f) => resizeForClip(f, p)));
  resized.forEach((img, i) => writePixelValues(img, p, data, i * 3 * width * height));
  return { data, dims: [frames.length, 3, height, width] };
}

/** Decodes an image file (anything sharp reads) to an RGB24 frame; alpha is dropped. */
export async function readImageFrame(path: string): Promise<Frame> {
  if (!existsSync(path)) throw errors.inputNotFound(path);
  try {
    const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion to RGB`);
    return { width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), sourceIndex: 0 };
  } catch (e) {
    throw errors.mediaDecodeFailed(path, (e as Error).message);
  }
}
