/**
 * TF weight and constant layouts as ONNX wants them: conv kernels HWIO -> OIHW, depthwise kernels
 * -> grouped convs, kernels widened with zero channels, NHWC-aligned constants -> NCHW. Used by the
 * TFJS converter (tfjs-to-onnx.ts) and face-api's expression net (face-expression-net.ts).
 */
import type { TfWeight } from './tfjs-graph.ts';

/** Transposes a TF HWIO conv kernel to ONNX OIHW. */
export function hwioToOihw(w: TfWeight): { data: Float32Array; dims: number[] } {
  const [kh, kw, ci, co] = w.shape;
  const src = w.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let h = 0; h < kh; h++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    out[((o * ci + i) * kh + h) * kw + x] = src[((h * kw + x) * ci + i) * co + o];
  }
  return { data: out, dims: [co, ci, kh, kw] };
}

/** Depthwise kernel [kh,kw,C,M] -> grouped conv kernel [C*M,1,kh,kw] (group = C). */
export function depthwiseToGrouped(w: TfWeight): { data: Float32Array; dims: number[]; group: number } {
  const [kh, kw, c, m] = w.shape;
  const src = w.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let h = 0; h < kh; h++) for (let x = 0; x < kw; x++) for (let ch = 0; ch < c; ch++) for (let k = 0; k < m; k++) {
    out[((ch * m + k) * kh + h) * kw + x] = src[((h * kw + x) * c + ch) * m + k];
  }
  return { data: out, dims: [c * m, 1, kh, kw], group: c };
}

/** An OIHW kernel with zero filters appended up to `out` and zero input taps up to `inputs`. */
export function zeroPadConv(k: { data: Float32Array; dims: number[] }, out: number, inputs: number): { data: Float32Array; dims: number[] } {
  const [o, i, kh, kw] = k.dims;
  if (out === o && inputs === i) return k;
  const data = new Float32Array(out * inputs * kh * kw);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) data.set(k.data.subarray((a * i + b) * kh * kw, (a * i + b + 1) * kh * kw), (a * inputs + b) * kh * kw);
  return { data, dims: [out, inputs, kh, kw] };
}

/**
 * A constant of NHWC-aligned shape (rank <= 4, broadcast from the right) as the NCHW constant that
 * broadcasts the same way against the transposed tensor: e.g. a per-channel [C] becomes [1,C,1,1].
 */
export function transposeNhwcConst(data: Float32Array, shape: number[]): { data: Float32Array; dims: number[] } {
  const [n, h, w, c] = [...Array(4 - shape.length).fill(1), ...shape] as number[];
  const out = new Float32Array(data.length);
  for (let a = 0; a < n; a++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    out[((a * c + k) * h + y) * w + x] = data[((a * h + y) * w + x) * c + k];
  }
  return { data: out, dims: [n, c, h, w] };
}
