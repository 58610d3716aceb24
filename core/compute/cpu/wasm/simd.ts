/**
 * The WASM SIMD kernels (kernels.wat) on the cpu backend's Float32Arrays.
 *
 * The arrays live in the JS heap (onnxruntime reads and writes them in place), so each call
 * copies its operands through this module's memory in chunks of CHUNK elements: a chunk of
 * every operand fits in L2 together, and a copy costs a small fraction of the kernel it feeds.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.ts';

interface Exports {
  memory: { buffer: ArrayBuffer };
  gelu_tanh(x: number, dy: number, out: number, n: number, acc: number, grad: number): void;
  layer_norm(x: number, gamma: number, beta: number, out: number, mean: number, rstd: number, rows: number, cols: number, eps: number): void;
  layer_norm_grad(x: number, gamma: number, mean: number, rstd: number, dy: number, dx: number, dgamma: number, dbeta: number,
    rows: number, cols: number, acc: number): void;
  add_rows(x: number, sum: number, rows: number, cols: number): void;
  add(a: number, b: number, out: number, rows: number, cols: number, bStep: number): void;
  softmax_rows(x: number, out: number, rows: number, cols: number): void;
  copy_rows(src: number, dst: number, n1: number, n2: number, n3: number, s1: number, s2: number, t1: number, t2: number, acc: number): void;
  sgd_momentum(p: number, g: number, buf: number, n: number, lr: number, momentum: number, keep: number, wd: number, first: number): void;
}

/** Elements per operand per chunk; the module's first 6 pages hold 6 operands of this size. */
const CHUNK = 16384;
const SLOT_BYTES = CHUNK * 4;
/** Byte offset of slot i. */
const at = (i: number) => i * SLOT_BYTES;

/** Node's WebAssembly global; the project's lib (ES2023, no DOM) does not declare it. */
const { WebAssembly: Wasm } = globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: unknown } };
};
const wasm = new Wasm.Instance(new Wasm.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'))).exports as Exports;
/** Slot i of the memory, as an array of CHUNK elements (the memory never grows). */
const slots = [0, 1, 2, 3, 4, 5].map((i) => new Float32Array(wasm.memory.buffer, at(i), CHUNK));

/** Slots 0-3 and 4-5 as two regions, for the spans of a block copy. */
const srcView = new Float32Array(wasm.memory.buffer, at(0), 4 * CHUNK);
const dstView = new Float32Array(wasm.memory.buffer, at(4), 2 * CHUNK);

/** Whether the row kernels take rows of `cols`: whole vectors, and two rows' worth of parameters per slot. */
export const rowsFit = (cols: number) => cols % 4 === 0 && cols > 0 && 2 * cols <= CHUNK;
/** Whether columnSums takes rows of `cols`. */
export const columnsFit = (cols: number) => cols % 4 === 0 && cols > 0 && cols <= CHUNK;

/** out[i] (+)= gelu_tanh(x[i]) for i < n. */
export function geluTanh(x: Float32Array, out: Float32Array, n: number, accumulate: boolean): void {
  const [xs, os] = slots;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    xs.set(x.subarray(i, i + m));
    if (accumulate) os.set(out.subarray(i, i + m));
    wasm.gelu_tanh(at(0), at(2), at(1), m, +accumulate, 0);
    out.set(m === CHUNK ? os : os.subarray(0, m), i);
  }
}

/** dx[i] (+)= dy[i] * gelu_tanh'(x[i]) for i < n. */
export function geluTanhGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, n: number, accumulate: boolean): void {
  const [xs, dys, dxs] = slots;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    xs.set(x.subarray(i, i + m));
    dys.set(dy.subarray(i, i + m));
    if (accumulate) dxs.set(dx.subarray(i, i + m));
    wasm.gelu_tanh(at(0), at(1), at(2), m, +accumulate, 1);
    dx.set(m === CHUNK ? dxs : dxs.subarray(0, m), i);
  }
}

/** Row-wise layer norm of [rows, cols] (cols must pass rowsFit); see rows.ts for the JS form. */
export function layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array,
  mean: Float32Array, rstd: Float32Array, rows: number, cols: number, eps: number): void {
  const [xs, os, params, stats] = slots;
  params.set(gamma.subarray(0, cols));
  params.set(beta.subarray(0, cols), cols);
  const per = Math.floor(CHUNK / cols);
  for (let r = 0; r < rows; r += per) {
    const k = Math.min(per, rows - r), m = k * cols, o = r * cols;
    xs.set(x.subarray(o, o + m));
    wasm.layer_norm(at(0), at(2), at(2) + 4 * cols, at(1), at(3), at(3) + 4 * per, k, cols, eps);
    out.set(os.subarray(0, m), o);
    mean.set(stats.subarray(0, k), r);
    rstd.set(stats.subarray(per, per + k), r);
  }
}

/** Layer norm backward (cols must pass rowsFit): dx written or accumulated, dgamma/dbeta accumulated. */
export function layerNormGrad(x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
  dy: Float32Array, dx: Float32Array, dgamma: Float32Array | null, dbeta: Float32Array | null,
  rows: number, cols: number, accumulate: boolean): void {
  const [xs, dys, dxs, params, sums, stats] = slots;
  params.set(gamma.subarray(0, cols));
  sums.fill(0, 0, 2 * cols);
  const per = Math.floor(CHUNK / cols);
  for (let r = 0; r < rows; r += per) {
    const k = Math.min(per, rows - r), m = k * cols, o = r * cols;
    xs.set(x.subarray(o, o + m));
    dys.set(dy.subarray(o, o + m));
    if (accumulate) dxs.set(dx.subarray(o, o + m));
    stats.set(mean.subarray(r, r + k));
    stats.set(rstd.subarray(r, r + k), per);
    wasm.layer_norm_grad(at(0), at(3), at(5), at(5) + 4 * per, at(1), at(2), at(4), at(4) + 4 * cols, k, cols, +accumulate);
    dx.set(dxs.subarray(0, m), o);
  }
  if (dgamma) for (let c = 0; c < cols; c++) dgamma[c] += sums[c];
  if (dbeta) for (let c = 0; c < cols; c++) dbeta[c] += sums[cols + c];
}

/** sum[i] = sum over r of x[r * cols + i], for rows of `cols` (cols % 4 === 0, cols <= CHUNK); returns the slot holding it. */
export function columnSums(x: Float32Array, offset: number, rows: number, cols: number): Float32Array {
  const [xs, sums] = slots;
  sums.fill(0, 0, cols);
  const per = Math.floor(CHUNK / cols);
  for (let r = 0; r < rows; r += per) {
    const k = Math.min(per, rows - r), o = offset + r * cols;
    xs.set(x.subarray(o, o + k * cols));
    wasm.add_rows(at(0), at(1), k, cols);
  }
  return sums.subarray(0, cols);
}

/** PyTorch's SGD step with momentum, not Nesterov (see ../kernels/optim.ts), in place. */
export function sgdMomentum(p: Float32Array, g: Float32Array, buf: Float32Array, n: number,
  lr: number, momentum: number, dampening: number, weightDecay: number, firstStep: boolean): void {
  const [ps, gs, bs] = slots;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    ps.set(p.subarray(i, i + m));
    gs.set(g.subarray(i, i + m));
    if (!firstStep) bs.set(buf.subarray(i, i + m));
    wasm.sgd_momentum(at(0), at(1), at(2), m, lr, momentum, 1 - dampening, weightDecay, +firstStep);
    p.set(m === CHUNK ? ps : ps.subarray(0, m), i);
    buf.set(m === CHUNK ? bs : bs.subarray(0, m), i);
  }
}

/** out[i] = a[i] + b[i] for i < n (dense operands). */
export function add(a: Float32Array, b: Float32Array, out: Float32Array, n: number): void {
  const [as, bs, os] = slots;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    as.set(a.subarray(i, i + m));
    bs.set(b.subarray(i, i + m));
    wasm.add(at(0), at(1), at(2), 1, (m + 3) & ~3, 0);
    out.set(m === CHUNK ? os : os.subarray(0, m), i);
  }
}

/** out[r, :] = a[r, :] + bias for r < rows (cols must pass columnsFit): a bias under every row. */
export function addRow(a: Float32Array, bias: Float32Array, out: Float32Array, rows: number, cols: number): void {
  const [as, bs, os] = slots;
  bs.set(bias.subarray(0, cols));
  const per = Math.floor(CHUNK / cols);
  for (let r = 0; r < rows; r += per) {
    const k = Math.min(per, rows - r), m = k * cols, o = r * cols;
    as.set(a.subarray(o, o + m));
    wasm.add(at(0), at(1), at(2), k, cols, 0);
    out.set(os.subarray(0, m), o);
  }
}

/**
 * A strided copy (coalesced dims, see ../kernels/elementwise.ts) block by block along its first
 * dim: the span of x one block reads and the span of out it writes are copied in whole, the
 * rows are moved inside the module, and the written span copied back (read first when it has
 * gaps or the copy accumulates). Replaces a per-row subarray and set (attention heads are rows
 * of 64). Returns false, doing nothing, when the layout does not fit: up to 3 dims after the
 * first, unit innermost strides, rows a multiple of 4, spans within the slots.
 */
export function blockCopy(x: Float32Array, out: Float32Array, shape: readonly number[], ss: readonly number[], ds: readonly number[],
  srcOffset: number, dstOffset: number, accumulate: boolean): boolean {
  const rank = shape.length;
  if (rank < 2 || rank > 4 || ss[rank - 1] !== 1 || ds[rank - 1] !== 1 || shape[rank - 1] % 4 !== 0) return false;
  // Inner dims (after the first) padded to three: [n1, n2, n3].
  const pad = 4 - rank;
  const dim = (d: number) => (d < pad ? 1 : shape[d - pad + 1]);
  const sStride = (d: number) => (d < pad ? 0 : ss[d - pad + 1]);
  const dStride = (d: number) => (d < pad ? 0 : ds[d - pad + 1]);
  let srcSpan = 1, dstSpan = 1, count = 1;
  for (let d = 0; d < 3; d++) {
    srcSpan += (dim(d) - 1) * sStride(d);
    dstSpan += (dim(d) - 1) * dStride(d);
    count *= dim(d);
  }
  if (srcSpan > 4 * CHUNK || dstSpan > 2 * CHUNK) return false;
  const src = srcView, dst = dstView;
  const readDst = accumulate || dstSpan !== count;
  for (let b = 0; b < shape[0]; b++) {
    const so = srcOffset + b * ss[0], dof = dstOffset + b * ds[0];
    src.set(x.subarray(so, so + srcSpan));
    if (readDst) dst.set(out.subarray(dof, dof + dstSpan));
    wasm.copy_rows(at(0), at(4), dim(0), dim(1), dim(2), sStride(0), sStride(1), dStride(0), dStride(1), +accumulate);
    out.set(dst.subarray(0, dstSpan), dof);
  }
  return true;
}

/** Row-wise softmax of [rows, cols] for any cols up to CHUNK - 4 (see rows.ts for the JS form). */
export function softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): boolean {
  if (cols > CHUNK - 4) return false;
  const [xs, os] = slots;
  // Three elements of room after the last row of a chunk (its last vector reaches past it).
  const per = Math.floor((CHUNK - 4) / cols);
  for (let r = 0; r < rows; r += per) {
    const k = Math.min(per, rows - r), m = k * cols, o = r * cols;
    xs.set(x.subarray(o, o + m));
    wasm.softmax_rows(at(0), at(1), k, cols);
    out.set(os.subarray(0, m), o);
  }
  return true;
}
