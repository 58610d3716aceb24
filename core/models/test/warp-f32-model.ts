/**
 * A scalar model of the SIMD kernels' arithmetic (core/models/wasm/warp.wat), written from their
 * definition rather than from their code: the taps and fractions of image-warp.ts's exact loops in
 * f64, every blend step rounded to f32 (Math.fround), taps outside the frame reading `fill`. The
 * kernels must give its bytes exactly, whatever way they stage the frame or order their loops.
 */
import type { Frame } from '../../types.ts';
import type { Affine } from '../image-warp.ts';

const f32 = Math.fround;
const GRAY = [f32(0.2989), f32(0.587), f32(0.114)];

/** The edge clamp of image-warp.ts: the outer half pixel reads the edge pixel. */
function clampEdge(x: number, size: number): number {
  if (x < 0 && x >= -0.5) return 0;
  if (x > size - 1 && x <= size - 0.5) return size - 1;
  return x;
}

/** image-warp.ts's 1-D taps of an axis-aligned map: source indices (-1 outside) and f32 fractions. */
function taps(n: number, size: number, scale: number, shift: number) {
  const i0: number[] = [], i1: number[] = [], w1: number[] = [];
  for (let j = 0; j < n; j++) {
    const x = clampEdge(scale * (j + 0.5) + shift - 0.5, size), x0 = Math.floor(x);
    w1.push(f32(x - x0));
    i0.push(x0 >= 0 && x0 < size ? x0 : -1);
    i1.push(x0 + 1 >= 0 && x0 + 1 < size ? x0 + 1 : -1);
  }
  return { i0, i1, w1 };
}

/**
 * The warp's output as the kernels write it: RGB or gray f32 `value * scale + bias`, or with
 * `bytes` RGB bytes (that value truncated, saturated to 0..255).
 */
export function warpF32Model(
  frame: Frame, m: Affine, outW: number, outH: number, fill: number, gray: boolean, scale: number, bias: number, bytes: boolean,
): Float32Array | Uint8Array {
  const { width: W, height: H, rgb } = frame;
  const at = (x: number, y: number, c: number) => (x >= 0 && y >= 0 && x < W && y < H ? rgb[(y * W + x) * 3 + c] : fill);
  const lerp = (a: number, b: number, t: number) => f32(a + f32(f32(b - a) * t));
  const per = bytes || !gray ? 3 : 1, out = bytes ? new Uint8Array(outW * outH * 3) : new Float32Array(outW * outH * per);
  const axes = m[1] === 0 && m[3] === 0, cx = taps(outW, W, m[0], m[2]), cy = taps(outH, H, m[4], m[5]);
  const sc = f32(scale), bi = f32(bias);
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      // The two columns, the two rows and their fractions.
      let xs: number[], ys: number[], fx: number, fy: number;
      if (axes) {
        xs = [cx.i0[u], cx.i1[u]]; ys = [cy.i0[v], cy.i1[v]]; fx = cx.w1[u]; fy = cy.w1[v];
      } else {
        const x = clampEdge(m[0] * (u + 0.5) + m[1] * (v + 0.5) + m[2] - 0.5, W);
        const y = clampEdge(m[3] * (u + 0.5) + m[4] * (v + 0.5) + m[5] - 0.5, H);
        const x0 = Math.floor(x), y0 = Math.floor(y);
        xs = [x0, x0 + 1]; ys = [y0, y0 + 1]; fx = f32(x - x0); fy = f32(y - y0);
      }
      const value = [0, 1, 2].map((c) => lerp(lerp(at(xs[0], ys[0], c), at(xs[1], ys[0], c), fx), lerp(at(xs[0], ys[1], c), at(xs[1], ys[1], c), fx), fy));
      const o = (v * outW + u) * per;
      if (bytes) {
        for (let c = 0; c < 3; c++) out[o + c] = Math.min(255, Math.max(0, Math.trunc(f32(f32(value[c] * sc) + bi))));
      } else if (gray) {
        const t = value.map((x, c) => f32(x * GRAY[c]));
        out[o] = f32(f32(f32(f32(t[0] + t[1]) + t[2]) * sc) + bi);
      } else {
        for (let c = 0; c < 3; c++) out[o + c] = f32(f32(value[c] * sc) + bi);
      }
    }
  }
  return out;
}
