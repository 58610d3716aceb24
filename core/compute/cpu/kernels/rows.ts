/**
 * Row kernels: reductions over an axis (and the max-reduction backward), softmax and
 * log-softmax over the last axis (forward and backward), layer norm (forward and backward).
 * Every sum runs in a fixed order, so results are the same bits run after run. Softmax, and
 * layer norm and column sums of rows that are whole SIMD vectors, run as WASM SIMD
 * (../wasm/simd.ts); the JS forms here handle the rest and are their reference in the tests.
 */
import type { ReduceOp, ReduceOptions } from '../../backend.ts';
import * as simd from '../wasm/simd.ts';

export function reduce(op: ReduceOp, x: Float32Array, out: Float32Array, o: ReduceOptions, accumulate: boolean): void {
  if (op !== 'max' && o.inner > 1 && simd.columnsFit(o.inner)) columnReduce(op, x, out, o, accumulate);
  else reduceJs(op, x, out, o, accumulate);
}

/** Sum or mean over the axis as SIMD column sums of [axis, inner] blocks. */
function columnReduce(op: ReduceOp, x: Float32Array, out: Float32Array, { outer, axis, inner }: ReduceOptions, accumulate: boolean): void {
  const scale = op === 'mean' ? 1 / axis : 1;
  for (let o = 0; o < outer; o++) {
    const sums = simd.columnSums(x, o * axis * inner, axis, inner), ob = o * inner;
    if (accumulate) for (let i = 0; i < inner; i++) out[ob + i] += sums[i] * scale;
    else for (let i = 0; i < inner; i++) out[ob + i] = sums[i] * scale;
  }
}

export function reduceJs(op: ReduceOp, x: Float32Array, out: Float32Array, { outer, axis, inner }: ReduceOptions, accumulate: boolean): void {
  const tmp = new Float32Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * axis * inner;
    if (op === 'max') {
      tmp.set(x.subarray(base, base + inner));
      for (let a = 1; a < axis; a++) {
        const row = base + a * inner;
        for (let i = 0; i < inner; i++) if (x[row + i] > tmp[i]) tmp[i] = x[row + i];
      }
    } else if (inner === 1) {
      let s = 0;
      for (let a = 0; a < axis; a++) s += x[base + a];
      tmp[0] = s;
    } else {
      tmp.fill(0);
      for (let a = 0; a < axis; a++) {
        const row = base + a * inner;
        for (let i = 0; i < inner; i++) tmp[i] += x[row + i];
      }
    }
    const scale = op === 'mean' ? 1 / axis : 1;
    const ob = o * inner;
    if (accumulate) for (let i = 0; i < inner; i++) out[ob + i] += tmp[i] * scale;
    else for (let i = 0; i < inner; i++) out[ob + i] = tmp[i] * scale;
  }
}

export function reduceMaxBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, { outer, axis, inner }: ReduceOptions, accumulate: boolean): void {
  if (!accumulate) dx.fill(0, 0, outer * axis * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * axis * inner;
    for (let i = 0; i < inner; i++) {
      let best = 0, bestV = x[base + i];
      for (let a = 1; a < axis; a++) {
        const v = x[base + a * inner + i];
        if (v > bestV) { bestV = v; best = a; }
      }
      dx[base + best * inner + i] += dy[o * inner + i];
    }
  }
}

export function softmax(x: Float32Array, out: Float32Array, rows: number, cols: number, log: boolean): void {
  if (log || !simd.softmax(x, out, rows, cols)) softmaxJs(x, out, rows, cols, log);
}

export function softmaxJs(x: Float32Array, out: Float32Array, rows: number, cols: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) if (x[o + c] > mx) mx = x[o + c];
    let s = 0;
    if (log) {
      for (let c = 0; c < cols; c++) s += Math.exp(x[o + c] - mx);
      const lse = mx + Math.log(s);
      for (let c = 0; c < cols; c++) out[o + c] = x[o + c] - lse;
    } else {
      for (let c = 0; c < cols; c++) { const e = Math.exp(x[o + c] - mx); out[o + c] = e; s += e; }
      const inv = 1 / s;
      for (let c = 0; c < cols; c++) out[o + c] *= inv;
    }
  }
}

export function softmaxBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number, log: boolean, accumulate: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    if (log) {
      for (let c = 0; c < cols; c++) s += dy[o + c];
      for (let c = 0; c < cols; c++) {
        const g = dy[o + c] - Math.exp(y[o + c]) * s;
        dx[o + c] = accumulate ? dx[o + c] + g : g;
      }
    } else {
      for (let c = 0; c < cols; c++) s += dy[o + c] * y[o + c];
      for (let c = 0; c < cols; c++) {
        const g = y[o + c] * (dy[o + c] - s);
        dx[o + c] = accumulate ? dx[o + c] + g : g;
      }
    }
  }
}

/** Also stores each row's mean and 1/std for the backward pass. */
export function layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array,
  mean: Float32Array, rstd: Float32Array, rows: number, cols: number, eps: number): void {
  if (simd.rowsFit(cols)) simd.layerNorm(x, gamma, beta, out, mean, rstd, rows, cols, eps);
  else layerNormJs(x, gamma, beta, out, mean, rstd, rows, cols, eps);
}

export function layerNormJs(x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array,
  mean: Float32Array, rstd: Float32Array, rows: number, cols: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[o + c];
    const mu = s / cols;
    let v = 0;
    for (let c = 0; c < cols; c++) {
      const t = x[o + c] - mu;
      v += t * t;
    }
    const rs = 1 / Math.sqrt(v / cols + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let c = 0; c < cols; c++) out[o + c] = (x[o + c] - mu) * rs * gamma[c] + beta[c];
  }
}

/** dgamma and dbeta (when given) are accumulated into; dx is written or accumulated. */
export function layerNormBackward(x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
  dy: Float32Array, dx: Float32Array, dgamma: Float32Array | null, dbeta: Float32Array | null,
  rows: number, cols: number, accumulate: boolean): void {
  if (simd.rowsFit(cols)) simd.layerNormGrad(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols, accumulate);
  else layerNormBackwardJs(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols, accumulate);
}

export function layerNormBackwardJs(x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
  dy: Float32Array, dx: Float32Array, dgammaOut: Float32Array | null, dbetaOut: Float32Array | null,
  rows: number, cols: number, accumulate: boolean): void {
  // Parameter gradients reduce over rows: accumulate them in f64 scratch, add once at the end.
  const dgamma = dgammaOut ? new Float64Array(cols) : null, dbeta = dbetaOut ? new Float64Array(cols) : null;
  const xhat = new Float64Array(cols), gy = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols, mu = mean[r], rs = rstd[r];
    let sg = 0, sgx = 0;
    // The parameter gradients need only this row's xhat: gather them in the same pass.
    for (let c = 0; c < cols; c++) {
      const d = dy[o + c], h = (x[o + c] - mu) * rs, g = d * gamma[c];
      xhat[c] = h;
      gy[c] = g;
      sg += g;
      sgx += g * h;
      if (dgamma) dgamma[c] += d * h;
      if (dbeta) dbeta[c] += d;
    }
    sg /= cols;
    sgx /= cols;
    if (accumulate) for (let c = 0; c < cols; c++) dx[o + c] += rs * (gy[c] - sg - xhat[c] * sgx);
    else for (let c = 0; c < cols; c++) dx[o + c] = rs * (gy[c] - sg - xhat[c] * sgx);
  }
  if (dgamma) for (let c = 0; c < cols; c++) dgammaOut![c] += dgamma[c];
  if (dbeta) for (let c = 0; c < cols; c++) dbetaOut![c] += dbeta[c];
}
