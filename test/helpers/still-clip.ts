/**
 * Test media: frames made from real stills in ../shared/data/faces with sharp (decode, then a
 * moving, zooming crop per frame), standing in for decoded video where a unit test needs a clip.
 */
import { resolve } from 'node:path';
import sharp from 'sharp';
import type { Frame } from '@visage/core';
import { FACES_DIR, haveShared } from './shared-data.ts';

export { FACES_DIR };

/** True when the shared faces exist; in CI their absence fails the calling test instead. */
export function haveFaces(): boolean {
  return haveShared('faces/astronaut.png');
}

/** Decodes an image from the shared faces folder to an RGB24 frame. */
export async function loadFrame(name: string, sourceIndex = 0): Promise<Frame> {
  const { data, info } = await sharp(resolve(FACES_DIR, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data), sourceIndex };
}

/** Where frame t of a still clip came from: the square [left, top, left+side, top+side] of the still. */
export interface StillCrop { left: number; top: number; side: number; out: number }

/**
 * T frames of a still: frame t is a square crop of the image, shifted sideways by up to `shift`
 * px and zoomed in by up to `zoom`, resized to `out` x `out` (a slow pan-and-zoom).
 */
export async function stillClip(name: string, opts: { frames?: number; shift?: number; zoom?: number; out?: number } = {}): Promise<Frame[]> {
  return (await stillClipWithCrops(name, opts)).frames;
}

/** `stillClip` plus each frame's crop of the still, to map results back to still pixels. */
export async function stillClipWithCrops(
  name: string,
  opts: { frames?: number; shift?: number; zoom?: number; out?: number } = {},
): Promise<{ frames: Frame[]; crops: StillCrop[] }> {
  const { frames = 16, shift = 40, zoom = 0.3, out = 320 } = opts;
  const meta = await sharp(resolve(FACES_DIR, name)).metadata();
  const W = meta.width!, H = meta.height!;
  const result: Frame[] = [];
  const crops: StillCrop[] = [];
  for (let t = 0; t < frames; t++) {
    const z = 1 + (zoom * t) / Math.max(1, frames - 1);
    const side = Math.floor(Math.min(W, H) / z);
    const left = Math.max(0, Math.min(W - side, Math.round((W - side) / 2 + shift * Math.sin(t / 3))));
    const top = Math.max(0, Math.round((H - side) / 2));
    const { data } = await sharp(resolve(FACES_DIR, name)).removeAlpha()
      .extract({ left, top, width: side, height: side }).resize(out, out).raw().toBuffer({ resolveWithObject: true });
    result.push({ width: out, height: out, rgb: new Uint8Array(data), sourceIndex: t, time: t / 25 });
    crops.push({ left, top, side, out });
  }
  return { frames: result, crops };
}

/**
 * Mean distance, in still pixels, between the `points` of a mesh found in a frame cut by `crop`
 * (frame pixels, x/y/z triples) and the same points of `ref` (still pixels).
 */
export function meanPointError(mesh: Float32Array, crop: StillCrop, ref: Float32Array, points: readonly number[]): number {
  const s = crop.side / crop.out;
  let err = 0;
  for (const k of points) err += Math.hypot(mesh[k * 3] * s + crop.left - ref[k * 3], mesh[k * 3 + 1] * s + crop.top - ref[k * 3 + 1]);
  return err / points.length;
}
