/**
 * Aligned face crops: the face box, rotated so the eyes are level (in-plane roll removed),
 * centred on the mesh, resampled to size x size. Renders use the same map, so a landmark render
 * overlays its crop exactly.
 */
import { type Affine, invertAffine, warpToFrame } from '@visage/core/models';
import type { FaceFrame, Frame } from '@visage/core';
import { EYE_CORNERS } from './landmarks-68.ts';

/** Options of the alignment. */
export interface AlignOptions {
  /** Remove in-plane rotation using the eye line: true. */
  rotate?: boolean;
  /** Crop side relative to the face box side (the box is already 1.4x the detector box): 1. */
  scale?: number;
  /** What a frame without a face gives: 'center' (centre square of the frame) or 'black'. Default 'center'. */
  fallback?: 'center' | 'black';
}

const mean2 = (mesh: Float32Array, a: number, b: number): [number, number] =>
  [(mesh[a * 3] + mesh[b * 3]) / 2, (mesh[a * 3 + 1] + mesh[b * 3 + 1]) / 2];

/** Roll angle (radians) of the eye line, from the subject's right eye to the left eye. */
export function eyeAngle(mesh: Float32Array): number {
  const r = mean2(mesh, EYE_CORNERS.right[0], EYE_CORNERS.right[1]);
  const l = mean2(mesh, EYE_CORNERS.left[0], EYE_CORNERS.left[1]);
  return Math.atan2(l[1] - r[1], l[0] - r[0]);
}

/**
 * The affine map from crop pixels (size x size) to source-frame pixels for `face`, or null when
 * the face has no box.
 */
export function alignmentMap(face: FaceFrame, size: number, opts: AlignOptions = {}): Affine | null {
  if (!face.box) return null;
  const { rotate = true, scale = 1 } = opts;
  const [x0, y0, x1, y1] = face.box;
  let cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, theta = 0;
  if (face.mesh) {
    // Centre on the mesh's bounds: the detector box centre drifts with pose and expression.
    let mnx = Infinity, mny = Infinity, mxx = -Infinity, mxy = -Infinity;
    for (let p = 0; p < face.mesh.length; p += 3) {
      mnx = Math.min(mnx, face.mesh[p]); mxx = Math.max(mxx, face.mesh[p]);
      mny = Math.min(mny, face.mesh[p + 1]); mxy = Math.max(mxy, face.mesh[p + 1]);
    }
    cx = (mnx + mxx) / 2;
    cy = (mny + mxy) / 2;
    if (rotate) theta = eyeAngle(face.mesh);
  }
  const s = (Math.max(x1 - x0, y1 - y0) * scale) / size;
  const cos = Math.cos(theta) * s, sin = Math.sin(theta) * s, h = size / 2;
  return [cos, -sin, cx - cos * h + sin * h, sin, cos, cy - sin * h - cos * h];
}

/**
 * A size x size RGB crop of the face, aligned (see file comment). Frames without a face give the
 * centre square of the frame, or black with `fallback: 'black'`. `m` is the face's
 * `alignmentMap(face, size, opts)`, for a caller that has it already.
 */
export function alignedCrop(frame: Frame, face: FaceFrame, size = 224, opts: AlignOptions = {}, m = alignmentMap(face, size, opts)): Frame {
  if (m) return warpToFrame(frame, m, size, size);
  if (opts.fallback === 'black') return { width: size, height: size, rgb: new Uint8Array(size * size * 3), sourceIndex: frame.sourceIndex, time: frame.time };
  const side = Math.min(frame.width, frame.height);
  const s = side / size;
  return warpToFrame(frame, [s, 0, (frame.width - side) / 2, 0, s, (frame.height - side) / 2], size, size);
}

/** Maps source-frame points (x, y, z triples) into the crop's pixel space. */
export function toCropSpace(points: Float32Array, map: Affine): Float32Array {
  const inv = invertAffine(map);
  const out = new Float32Array(points.length);
  const zScale = Math.hypot(inv[0], inv[3]); // once, not per point: Math.hypot is a slow builtin call
  for (let p = 0; p < points.length; p += 3) {
    out[p] = inv[0] * points[p] + inv[1] * points[p + 1] + inv[2];
    out[p + 1] = inv[3] * points[p] + inv[4] * points[p + 1] + inv[5];
    out[p + 2] = points[p + 2] * zScale;
  }
  return out;
}
