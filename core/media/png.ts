/**
 * PNG output for renders (`--save-renders DIR`): encode/decode RGB24 images with sharp, draw
 * face boxes and meshes onto frames, and write one clip's renders to disk.
 *
 * Every level's render (frames with overlays, parsing maps, landmark renders) goes through here,
 * so the files look the same whichever plugin made them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { imageBufferMismatch, renderWriteFailed } from '../errors/messages.ts';
import type { FaceFrame, Frame } from '../types.ts';

/** A packed RGB24 image: width*height*3 bytes, row-major, no padding. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export type Rgb = readonly [number, number, number];

/** Throws IMAGE_BUFFER_MISMATCH unless `rgb` holds exactly width*height RGB pixels. */
export function checkRgbImage(what: string, rgb: Uint8Array, width: number, height: number): void {
  const ok = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0;
  if (!ok || rgb.length !== width * height * 3) throw imageBufferMismatch(what, width, height, rgb.length);
}

/** Encodes a packed RGB24 buffer as a PNG file's bytes. */
export async function encodePng(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  checkRgbImage('encodePng', rgb, width, height);
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Decodes a PNG (or any image sharp reads) to packed RGB24, dropping alpha. */
export async function decodePng(data: Uint8Array): Promise<RgbImage> {
  const { data: rgb, info } = await sharp(data).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length) };
}

// ---- drawing (in place; coordinates in pixels, clipped to the image) -------------------------

function setPixel(img: RgbImage, x: number, y: number, colour: Rgb): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = (y * img.width + x) * 3;
  img.rgb[o] = colour[0];
  img.rgb[o + 1] = colour[1];
  img.rgb[o + 2] = colour[2];
}

/** Draws a 1-pixel line (Bresenham) between two points, rounded to pixels. */
export function drawLine(img: RgbImage, xa: number, ya: number, xb: number, yb: number, colour: Rgb): void {
  if (![xa, ya, xb, yb].every(Number.isFinite)) return;
  let x = Math.round(xa);
  let y = Math.round(ya);
  const x1 = Math.round(xb);
  const y1 = Math.round(yb);
  // Lines far outside the image would loop for nothing; the caller's geometry is then wrong anyway.
  if (Math.abs(x1 - x) + Math.abs(y1 - y) > 4 * (img.width + img.height)) return;
  const dx = Math.abs(x1 - x);
  const dy = -Math.abs(y1 - y);
  const sx = x < x1 ? 1 : -1;
  const sy = y < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    setPixel(img, x, y, colour);
    if (x === x1 && y === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) { err += dy; x += sx; }
    if (e2 <= dx) { err += dx; y += sy; }
  }
}

/** Draws the outline of the box [x0, y0, x1, y1], `thickness` pixels wide, growing inward. */
export function drawRect(img: RgbImage, box: readonly [number, number, number, number], colour: Rgb, thickness = 1): void {
  const [x0, y0, x1, y1] = box.map(Math.round);
  for (let t = 0; t < thickness; t++) {
    drawLine(img, x0 + t, y0 + t, x1 - 1 - t, y0 + t, colour);
    drawLine(img, x0 + t, y1 - 1 - t, x1 - 1 - t, y1 - 1 - t, colour);
    drawLine(img, x0 + t, y0 + t, x0 + t, y1 - 1 - t, colour);
    drawLine(img, x1 - 1 - t, y0 + t, x1 - 1 - t, y1 - 1 - t, colour);
  }
}

/** Draws a filled disc of `radius` pixels centred on (cx, cy); radius 0 sets one pixel. */
export function drawDot(img: RgbImage, cx: number, cy: number, radius: number, colour: Rgb): void {
  if (!Number.isFinite(cx) || !Number.isFinite(cy)) return;
  const x = Math.round(cx);
  const y = Math.round(cy);
  const r = Math.max(0, Math.round(radius));
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) setPixel(img, x + dx, y + dy, colour);
  }
}

/** Options of `drawFaceOverlay`. */
export interface FaceOverlayOptions {
  boxColour?: Rgb;
  meshColour?: Rgb;
  /** Mesh dot radius in pixels; default scales with the box (box side / 300, rounded: 0 = one pixel). */
  dotRadius?: number;
  /** Polylines over mesh indices to draw as closed contours (e.g. the face oval, eyes, lips). */
  contours?: ReadonlyArray<readonly number[]>;
  contourColour?: Rgb;
}

/**
 * Returns a copy of `frame` with the face box and the mesh points (and optional contours)
 * drawn on it. A frame without a face is returned as an unchanged copy.
 */
export function drawFaceOverlay(frame: Frame, face: FaceFrame, options: FaceOverlayOptions = {}): Frame {
  checkRgbImage('drawFaceOverlay frame', frame.rgb, frame.width, frame.height);
  const out: Frame = { ...frame, rgb: frame.rgb.slice() };
  const { box, mesh } = face;
  if (box) {
    const side = Math.max(box[2] - box[0], box[3] - box[1]);
    drawRect(out, box, options.boxColour ?? [0, 255, 0], Math.max(1, Math.round(side / 150)));
  }
  if (mesh) {
    const point = (k: number): [number, number] => [mesh[3 * k], mesh[3 * k + 1]];
    const side = box ? Math.max(box[2] - box[0], box[3] - box[1]) : Math.max(frame.width, frame.height);
    const radius = options.dotRadius ?? Math.round(side / 300);
    for (let k = 0; k < mesh.length / 3; k++) {
      const [x, y] = point(k);
      drawDot(out, x, y, radius, options.meshColour ?? [255, 64, 64]);
    }
    // Contours last, so the dense mesh does not hide them.
    for (const contour of options.contours ?? []) {
      for (let a = 0; a < contour.length; a++) {
        const [xa, ya] = point(contour[a]);
        const [xb, yb] = point(contour[(a + 1) % contour.length]);
        drawLine(out, xa, ya, xb, yb, options.contourColour ?? [255, 255, 255]);
      }
    }
  }
  return out;
}

// ---- writing a clip's renders ----------------------------------------------------------------

/** One render of one sampled frame. */
export interface RenderItem {
  /** Index of the sampled frame in the clip (0..T-1). */
  index: number;
  /** Which stream: `frame`, `parsing`, `landmarks`, ... (letters, digits, `-`, `_`). */
  kind: string;
  image: RgbImage;
}

/** A clip id made safe as a single folder name (no separators, no `..`). */
export function renderFolderName(clipId: string): string {
  const safe = clipId.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || /^\.+$/.test(safe) ? '_' : safe;
}

/**
 * Writes each item as `DIR/<clipId>/<kind>-<index, 3 digits>.png` (so one stream's files sort
 * together) and returns the written paths in item order. Creates the folders as needed.
 */
export async function writeClipRenders(dir: string, clipId: string, items: readonly RenderItem[]): Promise<string[]> {
  const folder = join(dir, renderFolderName(clipId));
  try {
    await mkdir(folder, { recursive: true });
  } catch (e) {
    throw renderWriteFailed(folder, (e as Error).message);
  }
  const paths: string[] = [];
  for (const item of items) {
    const kind = item.kind.replace(/[^A-Za-z0-9_-]/g, '_') || 'render';
    const path = join(folder, `${kind}-${String(item.index).padStart(3, '0')}.png`);
    const png = await encodePng(item.image.rgb, item.image.width, item.image.height);
    try {
      await writeFile(path, png);
    } catch (e) {
      throw renderWriteFailed(path, (e as Error).message);
    }
    paths.push(path);
  }
  return paths;
}
