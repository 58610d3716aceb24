/** Axis-aligned boxes as [x0, y0, x1, y1] in pixels, and the small geometry the detector needs. */

export type Box = [number, number, number, number];

/** A face box with its roll angle (radians): what a frame's mesh crop is made from. */
export interface BoxRoll { box: Box; roll: number }

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * The box the mesh model sees: enlarged by `scale` around its centre, then made square with the
 * longer side (blazeface's `detector.scale` 1.4 and `squarifyBox`, minus human's rounding to
 * whole pixels, which only adds jitter).
 */
export function enlargeToSquare(box: Box, scale: number): Box {
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  const half = (Math.max(box[2] - box[0], box[3] - box[1]) * scale) / 2;
  return [cx - half, cy - half, cx + half, cy + half];
}

/** Linear interpolation between two boxes (t = 0 gives a, 1 gives b). */
export function lerpBox(a: Box, b: Box, t: number): Box {
  return [0, 1, 2, 3].map((i) => a[i] + (b[i] - a[i]) * t) as Box;
}
