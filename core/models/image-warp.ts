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
import { simdFill, warpSimd, warpSimdAxes } from './wasm/warp-simd.ts';

/**
 * Which loops the warps run: 'simd' (the WASM SIMD kernel of wasm/warp.wat, the blend in f32) or
 * 'exact' (the f64 loops below). `VISAGE_WARP=exact` in the environment, read once, or setWarpPath.
 */
export type WarpPath = 'simd' | 'exact';
let warpPath: WarpPath = process.env.VISAGE_WARP === 'exact' ? 'exact' : 'simd';

/** Selects the warp loops for every later warp; returns the previous choice. */
export function setWarpPath(next: WarpPath): WarpPath {
  const previous = warpPath;
  warpPath = next;
  return previous;
}

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
  warpInto(frame, m, outW, outH, fill, target, offset, channels === 1, scale, bias);
}

/** Samples `frame` into a new RGB24 frame of outW x outH. */
export function warpToFrame(frame: Frame, m: Affine, outW: number, outH: number, fill = 0): Frame {
  const out = new Uint8Array(outW * outH * 3);
  // +0.5 then the Uint8Array store's truncation rounds to nearest (values stay below 256).
  warpInto(frame, m, outW, outH, fill, out, 0, false, 1, 0.5);
  return { width: outW, height: outH, rgb: out, sourceIndex: frame.sourceIndex, time: frame.time };
}

/**
 * The sampling loop shared by every warp: writes RGB (or gray) `value * scale + bias` for each
 * output pixel in row-major order. This runs for every pixel of every model input (about 2.6
 * million per clip), so the two loops below hoist everything that depends on one row or one column
 * only; each pixel's arithmetic is the same expressions in the same order as `sample`, so the
 * values are bit-identical to it.
 */
function warpInto(
  frame: Frame, m: Affine, outW: number, outH: number, fill: number,
  out: Float32Array | Uint8Array, offset: number, gray: boolean, scale: number, bias: number,
): void {
  if (warpPath === 'simd' && simdFill(fill) && m.every(Number.isFinite)) warpBySimd(frame, m, outW, outH, fill, out, offset, gray, scale, bias);
  else if (m[1] === 0 && m[3] === 0) warpSeparable(frame, m, outW, outH, fill, out, offset, gray, scale, bias);
  else warpGeneral(frame, m, outW, outH, fill, out, offset, gray, scale, bias);
}

/** The SIMD kernels; the letterbox bands of an axis-aligned map are filled here as warpSeparable does. */
function warpBySimd(
  frame: Frame, m: Affine, outW: number, outH: number, fill: number,
  out: Float32Array | Uint8Array, offset: number, gray: boolean, scale: number, bias: number,
): void {
  if (m[1] !== 0 || m[3] !== 0) {
    warpSimd(frame, m, outW, 0, outH, fill, out, offset, gray, scale, bias);
    return;
  }
  const cx = taps(outW, frame.width, m[0], m[2]), cy = taps(outH, frame.height, m[4], m[5]);
  let v0 = 0, v1 = outH;
  if (fill === 0) {
    const band = (v: number) => cy.i0[v] < 0 && cy.i1[v] < 0;
    while (v0 < outH && band(v0)) v0++;
    while (v1 > v0 && band(v1 - 1)) v1--;
    const perRow = outW * (gray ? 1 : 3), value = 0 * scale + bias;
    out.fill(value, offset, offset + v0 * perRow);
    out.fill(value, offset + v1 * perRow, offset + outH * perRow);
  }
  warpSimdAxes(frame, cx, cy, outW, v0, v1, fill, out, offset, gray, scale, bias);
}

/** Axis-aligned maps: bilinear taps per column and per row, computed once. */
function warpSeparable(
  frame: Frame, m: Affine, outW: number, outH: number, fill: number,
  out: Float32Array | Uint8Array, offset: number, gray: boolean, scale: number, bias: number,
): void {
  const { width: W, height: H, rgb } = frame;
  const cx = taps(outW, W, m[0], m[2]);
  const cy = taps(outH, H, m[4], m[5]);
  // Per column: byte offsets of the two taps, and 1 - fx and fx as the doubles the weights multiply.
  const ox0 = new Int32Array(outW), ox1 = new Int32Array(outW);
  const ax = new Float64Array(outW), bx = new Float64Array(outW);
  for (let u = 0; u < outW; u++) {
    ox0[u] = cx.i0[u] * 3;
    ox1[u] = cx.i1[u] * 3;
    bx[u] = cx.w1[u];
    ax[u] = 1 - bx[u];
  }
  // A row wholly outside the frame with fill 0 (a letterbox band) sums zeros: every value is this.
  const band = 0 * scale + bias, perRow = outW * (gray ? 1 : 3);
  let o = offset;
  for (let v = 0; v < outH; v++) {
    const y0 = cy.i0[v], y1 = cy.i1[v], fy = cy.w1[v], gy = 1 - fy;
    if (fill === 0 && y0 < 0 && y1 < 0) {
      out.fill(band, o, o + perRow);
      o += perRow;
      continue;
    }
    const row0 = y0 * W * 3, row1 = y1 * W * 3, rowInside = y0 >= 0 && y1 >= 0;
    for (let u = 0; u < outW; u++) {
      const x0 = ox0[u], x1 = ox1[u];
      const w00 = ax[u] * gy, w10 = bx[u] * gy, w01 = ax[u] * fy, w11 = bx[u] * fy;
      let r: number, g: number, b: number;
      if (rowInside && x0 >= 0 && x1 >= 0) {
        const i00 = row0 + x0, i10 = row0 + x1, i01 = row1 + x0, i11 = row1 + x1;
        r = rgb[i00] * w00 + rgb[i10] * w10 + rgb[i01] * w01 + rgb[i11] * w11;
        g = rgb[i00 + 1] * w00 + rgb[i10 + 1] * w10 + rgb[i01 + 1] * w01 + rgb[i11 + 1] * w11;
        b = rgb[i00 + 2] * w00 + rgb[i10 + 2] * w10 + rgb[i01 + 2] * w01 + rgb[i11 + 2] * w11;
      } else {
        // Some tap outside the frame reads `fill`; summed in the same order as inside.
        const in00 = y0 >= 0 && x0 >= 0, in10 = y0 >= 0 && x1 >= 0, in01 = y1 >= 0 && x0 >= 0, in11 = y1 >= 0 && x1 >= 0;
        const i00 = row0 + x0, i10 = row0 + x1, i01 = row1 + x0, i11 = row1 + x1;
        r = 0 + (in00 ? rgb[i00] : fill) * w00 + (in10 ? rgb[i10] : fill) * w10 + (in01 ? rgb[i01] : fill) * w01 + (in11 ? rgb[i11] : fill) * w11;
        g = 0 + (in00 ? rgb[i00 + 1] : fill) * w00 + (in10 ? rgb[i10 + 1] : fill) * w10 + (in01 ? rgb[i01 + 1] : fill) * w01 + (in11 ? rgb[i11 + 1] : fill) * w11;
        b = 0 + (in00 ? rgb[i00 + 2] : fill) * w00 + (in10 ? rgb[i10 + 2] : fill) * w10 + (in01 ? rgb[i01 + 2] : fill) * w01 + (in11 ? rgb[i11 + 2] : fill) * w11;
      }
      if (gray) {
        out[o++] = (0.2989 * r + 0.587 * g + 0.114 * b) * scale + bias;
      } else {
        out[o++] = r * scale + bias;
        out[o++] = g * scale + bias;
        out[o++] = b * scale + bias;
      }
    }
  }
}

/** Rotated or sheared maps: `sample` inlined, with the products of u and of v computed once each. */
function warpGeneral(
  frame: Frame, m: Affine, outW: number, outH: number, fill: number,
  out: Float32Array | Uint8Array, offset: number, gray: boolean, scale: number, bias: number,
): void {
  const { width: W, height: H, rgb } = frame;
  const [m0, m1, m2, m3, m4, m5] = m;
  const xu = new Float64Array(outW), yu = new Float64Array(outW);
  for (let u = 0; u < outW; u++) {
    xu[u] = m0 * (u + 0.5);
    yu[u] = m3 * (u + 0.5);
  }
  const px = [0, 0, 0];
  let o = offset;
  for (let v = 0; v < outH; v++) {
    const cv = v + 0.5, xv = m1 * cv, yv = m4 * cv;
    for (let u = 0; u < outW; u++) {
      // The same expressions as sample()'s callers and sample() itself, in the same order.
      let x = xu[u] + xv + m2 - 0.5, y = yu[u] + yv + m5 - 0.5;
      if (x < 0 && x >= -0.5) x = 0;
      else if (x > W - 1 && x <= W - 0.5) x = W - 1;
      if (y < 0 && y >= -0.5) y = 0;
      else if (y > H - 1 && y <= H - 0.5) y = H - 1;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      let r: number, g: number, b: number;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const fx = x - x0, fy = y - y0;
        const i00 = (y0 * W + x0) * 3, i10 = i00 + 3, i01 = i00 + W * 3, i11 = i01 + 3;
        const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        r = rgb[i00] * w00 + rgb[i10] * w10 + rgb[i01] * w01 + rgb[i11] * w11;
        g = rgb[i00 + 1] * w00 + rgb[i10 + 1] * w10 + rgb[i01 + 1] * w01 + rgb[i11 + 1] * w11;
        b = rgb[i00 + 2] * w00 + rgb[i10 + 2] * w10 + rgb[i01 + 2] * w01 + rgb[i11 + 2] * w11;
      } else {
        sample(rgb, W, H, x, y, fill, px);
        r = px[0]; g = px[1]; b = px[2];
      }
      if (gray) {
        out[o++] = (0.2989 * r + 0.587 * g + 0.114 * b) * scale + bias;
      } else {
        out[o++] = r * scale + bias;
        out[o++] = g * scale + bias;
        out[o++] = b * scale + bias;
      }
    }
  }
}

/** 1-D bilinear taps along one axis: source indices (-1 = outside, reads `fill`) and weights. */
function taps(n: number, size: number, scale: number, shift: number): { i0: Int32Array; i1: Int32Array; w1: Float32Array } {
  const i0 = new Int32Array(n), i1 = new Int32Array(n), w1 = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let x = scale * (j + 0.5) + shift - 0.5;
    if (x < 0 && x >= -0.5) x = 0;
    else if (x > size - 1 && x <= size - 0.5) x = size - 1;
    const x0 = Math.floor(x);
    w1[j] = x - x0;
    i0[j] = x0 >= 0 && x0 < size ? x0 : -1;
    i1[j] = x0 + 1 >= 0 && x0 + 1 < size ? x0 + 1 : -1;
  }
  return { i0, i1, w1 };
}

/**
 * Bilinear sample at index-space (x, y) (pixel i spans [i-0.5, i+0.5]). Inside the image the
 * outermost half pixel is edge-clamped; beyond it, neighbours read as `fill`.
 */
function sample(rgb: Uint8Array, W: number, H: number, x: number, y: number, fill: number, out: number[]): void {
  if (x < 0 && x >= -0.5) x = 0;
  else if (x > W - 1 && x <= W - 0.5) x = W - 1;
  if (y < 0 && y >= -0.5) y = 0;
  else if (y > H - 1 && y <= H - 0.5) y = H - 1;
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
  for (let t = 0; t < 4; t++) {
    const tx = x0 + (t & 1), ty = y0 + (t >> 1);
    const w = (t & 1 ? fx : 1 - fx) * (t >> 1 ? fy : 1 - fy);
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
