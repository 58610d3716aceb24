/**
 * Landmark renders for the middle-level stream (method.md A.3, inferred default): the 68 points
 * as filled dots plus contour polylines on a black size x size canvas, in the aligned-crop frame.
 */
import type { FaceFrame } from '@visage/core';
import { type AlignOptions, alignmentMap, toCropSpace } from './aligned-crop.ts';
import { LANDMARKS_68_CONTOURS, meshTo68 } from './landmarks-68.ts';

/** Options of `renderLandmarks`. */
export interface RenderOptions extends AlignOptions {
  /** Draw the contour polylines: true. */
  lines?: boolean;
  /** Dot radius in pixels: 1 (a 3x3 dot). */
  radius?: number;
  /** Dot colour: white. */
  pointColor?: [number, number, number];
  /** Line colour: mid grey, so dots stay distinguishable on top. */
  lineColor?: [number, number, number];
}

/** Renders the face's 68 landmarks; a face without a mesh gives an all-black canvas. */
export function renderLandmarks(face: FaceFrame, size = 224, opts: RenderOptions = {}): Uint8Array {
  const { lines = true, radius = 1, pointColor = [255, 255, 255], lineColor = [128, 128, 128] } = opts;
  const img = new Uint8Array(size * size * 3);
  const map = alignmentMap(face, size, opts);
  if (!map || !face.mesh) return img;
  const pts = toCropSpace(meshTo68(face.mesh), map);
  const put = (x: number, y: number, c: readonly number[]) => {
    const xi = Math.round(x), yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= size || yi >= size) return;
    const o = (yi * size + xi) * 3;
    img[o] = c[0]; img[o + 1] = c[1]; img[o + 2] = c[2];
  };
  if (lines) {
    const seg = (a: number, b: number) => {
      const [xa, ya, xb, yb] = [pts[a * 3], pts[a * 3 + 1], pts[b * 3], pts[b * 3 + 1]];
      const steps = Math.max(1, Math.ceil(Math.max(Math.abs(xb - xa), Math.abs(yb - ya))));
      for (let i = 0; i <= steps; i++) put(xa + ((xb - xa) * i) / steps, ya + ((yb - ya) * i) / steps, lineColor);
    };
    for (const [first, last, closed] of LANDMARKS_68_CONTOURS) {
      for (let k = first; k < last; k++) seg(k, k + 1);
      if (closed) seg(last, first);
    }
  }
  for (let k = 0; k < 68; k++) {
    for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) {
      if (dx * dx + dy * dy <= radius * radius + radius) put(pts[k * 3] + dx, pts[k * 3 + 1] + dy, pointColor);
    }
  }
  return img;
}
