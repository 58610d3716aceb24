/**
 * Bilinear image sampling under an affine map: the one resampling primitive behind every model
 * input (letterboxed detector input, face crops for the mesh, aligned crops, emotion input).
 *
 * Convention: pixel i covers [i, i+1), so its centre is i + 0.5. An `Affine` maps an output
 * point (u, v) (continuous, same convention) to the source point (x, y):
 *   x = a*u + b*v + c,  y = d*u + e*v + f.
 * Samples outside the source read as `fill` (TF cropAndResize's extrapolation value is 0).
 */
import type { Frame } from '../types.ts';

/** [a, b, c, d, e, f]: x = a*u + b*v + c, y = d*u + e*v + f. */
export type Affine = [number, number, number, number, number, number];

/** The affine that maps an outW x outH output onto the source rectangle [x0,y0,x1,y1]. */
export function rectToAffine(box: readonly [number, number, number, number], outW: number, outH: number): Affine {
  const sx = (box[2] - box[0]) / outW;
  const sy = (box[3] - box[1]) / outH;
  return [sx, 0, box[0], 0, sy, box[1]];
}

/** Applies an affine to a point. */
export function applyAffine(m: Affine, u: number, v: number): [number, number] {
  return [m[0] * u + m[1] * v + m[2], m[3] * u + m[4] * v + m[5]];
}

/** Inverse of an affine (source -> output). */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new RangeError('affine map is singular');
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * Samples `frame` into `target` (interleaved channels) as `value * scale + bias`.
 * `channels` 3 writes RGB; 1 writes ITU-R 601 gray (0.2989 R + 0.5870 G + 0.1140 B), the
 * weights the emotion model's pre-processing uses.
 */
export function warpToFloat(
  frame: Frame,
  m: Affine,
  outW: number,
  outH: number,
  target: Float32Array,
  offset = 0,
  opts: { scale?: number; bias?: number; channels?: 1 | 3; fill?: number } = {},
): void {
  const { scale = 1, bias = 0, channels = 3, fill = 0 } = opts;
  const { width: W, height: H, rgb } = frame;
  const px = [0, 0, 0];
  let o = offset;
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      const cu = u + 0.5, cv = v + 0.5;
      sample(rgb, W, H, m[0] * cu + m[1] * cv + m[2] - 0.5, m[3] * cu + m[4] * cv + m[5] - 0.5, fill, px);
      if (channels === 3) {
        target[o++] = px[0] * scale + bias;
        target[o++] = px[1] * scale + bias;
        target[o++] = px[2] * scale + bias;
      } else {
        target[o++] = (0.2989 * px[0] + 0.587 * px[1] + 0.114 * px[2]) * scale + bias;
      }
    }
  }
}

/** Samples `frame` into a new RGB24 frame of outW x outH. */
export function warpToFrame(frame: Frame, m: Affine, outW: number, outH: number, fill = 0): Frame {
  const out = new Uint8Array(outW * outH * 3);
  const { width: W, height: H, rgb } = frame;
  const px = [0, 0, 0];
  let o = 0;
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      const cu = u + 0.5, cv = v + 0.5;
      sample(rgb, W, H, m[0] * cu + m[1] * cv + m[2] - 0.5, m[3] * cu + m[4] * cv + m[5] - 0.5, fill, px);
      out[o++] = px[0] + 0.5;
      out[o++] = px[1] + 0.5;
      out[o++] = px[2] + 0.5;
    }
  }
  return { width: outW, height: outH, rgb: out, sourceIndex: frame.sourceIndex, time: frame.time };
}

/** Bilinear sample at index-space (x, y); neighbours outside the image read as `fill`. */
function sample(rgb: Uint8Array, W: number, H: number, x: number, y: number, fill: number, out: number[]): void {
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const fx = x - x0, fy = y - y0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
    // Fast path: all four neighbours inside.
    const i00 = (y0 * W + x0) * 3, i10 = i00 + 3, i01 = i00 + W * 3, i11 = i01 + 3;
    const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
    out[0] = rgb[i00] * w00 + rgb[i10] * w10 + rgb[i01] * w01 + rgb[i11] * w11;
    out[1] = rgb[i00 + 1] * w00 + rgb[i10 + 1] * w10 + rgb[i01 + 1] * w01 + rgb[i11 + 1] * w11;
    out[2] = rgb[i00 + 2] * w00 + rgb[i10 + 2] * w10 + rgb[i01 + 2] * w01 + rgb[i11 + 2] * w11;
    return;
  }
  out[0] = out[1] = out[2] = 0;
  const taps: [number, number, number][] = [[x0, y0, (1 - fx) * (1 - fy)], [x0 + 1, y0, fx * (1 - fy)], [x0, y0 + 1, (1 - fx) * fy], [x0 + 1, y0 + 1, fx * fy]];
  for (const [tx, ty, w] of taps) {
    if (tx >= 0 && ty >= 0 && tx < W && ty < H) {
      const i = (ty * W + tx) * 3;
      out[0] += rgb[i] * w;
      out[1] += rgb[i + 1] * w;
      out[2] += rgb[i + 2] * w;
    } else {
      out[0] += fill * w;
      out[1] += fill * w;
      out[2] += fill * w;
    }
  }
}
