/**
 * The crop frame that parsing maps live in, as an affine map from crop pixels to source pixels
 * (`Affine` of core/models/image-warp.ts: x = a*u + b*v + c, y = d*u + e*v + f; crop pixel (i, j)
 * covers [i, i+1) x [j, j+1), centre (i + 0.5, j + 0.5)).
 *
 * Default: the square face box `[x0, y0, x1, y1]` resized to `size` x `size`, i.e.
 *   u = (x - x0) * size / (x1 - x0),   v = (y - y0) * size / (y1 - y0).
 * Callers that align crops differently (the landmarks level's `alignmentMap`, which also levels
 * the eyes) pass their own map, so the parsing map overlays exactly the crop they render.
 */
import { type Affine, invertAffine, rectToAffine } from '@visage/core/models';

export type FaceBox = readonly [number, number, number, number];

/** The default crop map: the face box resized to `size` x `size`. */
export function boxCropMap(box: FaceBox, size: number): Affine {
  return rectToAffine(box, size, size);
}

/** The largest square centred in the frame: the crop used when no face box is known. */
export function centreSquare(width: number, height: number): FaceBox {
  const side = Math.min(width, height);
  const x0 = (width - side) / 2;
  const y0 = (height - side) / 2;
  return [x0, y0, x0 + side, y0 + side];
}

/**
 * Maps a flattened N x (x, y, z) mesh from source pixels into crop coordinates through the
 * inverse of `cropMap`. Returns N x (u, v), flattened: in `out` when it is given and large
 * enough (its first 2N values), else in a new array.
 */
export function meshToCrop(mesh: Float32Array, cropMap: Affine, out?: Float32Array): Float32Array {
  const [a, b, c, d, e, f] = invertAffine(cropMap);
  const points = Math.floor(mesh.length / 3);
  if (!out || out.length < points * 2) out = new Float32Array(points * 2);
  for (let p = 0; p < points; p++) {
    const x = mesh[3 * p];
    const y = mesh[3 * p + 1];
    out[2 * p] = a * x + b * y + c;
    out[2 * p + 1] = d * x + e * y + f;
  }
  return out;
}
