/**
 * The kernel-level interface every compute backend implements (cpu here, webgpu in ./webgpu/).
 *
 * Design (stable: the webgpu backend is written against it; extend, do not change):
 *
 * - Storage is backend-owned. A `DeviceBuffer` is an opaque handle to `size` elements of f32
 *   (or i32 for indices). The tensor layer never touches the memory behind it; it only passes
 *   handles to kernels. So a GPU backend keeps every intermediate on the device.
 * - Kernels are *enqueued*: each call returns synchronously, with no result value. The output
 *   buffer is always allocated by the caller and passed in (`out`), which keeps allocation
 *   policy (and buffer reuse) in one place, the tensor layer. A backend may execute a kernel
 *   immediately (cpu does) or record it and submit later (webgpu does), but kernels must take
 *   effect in call order, as if run one after another.
 * - The only asynchronous points are `read` (readback to the host) and `flush` (wait until all
 *   enqueued work is done). So `await t.data()` and `await backend.flush()` are where work is
 *   observed; ops and `loss.backward()` only enqueue.
 * - Shapes are plain numbers in each kernel's options; broadcasting is described by element
 *   strides (a stride of 0 repeats along that dimension). Every kernel reads its inputs at
 *   offset 0 unless an offset is given, and writes `out` from offset 0 unless said otherwise.
 * - `accumulate: true` means out += result instead of out = result; gradients accumulate with it.
 * - Elementwise kernels (unary, unaryBackward, affine, binary with dense strides) may be called
 *   with `out` being one of their inputs (in place); a backend that cannot alias must copy.
 * - Randomness on the device (dropout) uses `hashUniform` below, defined bit-exactly, so the
 *   cpu and webgpu backends draw the same masks for the same seed.
 * - Buffers are freed with `dispose`; the tensor layer calls it when a tensor's storage is
 *   disposed explicitly or garbage-collected (FinalizationRegistry). Disposing twice is a no-op.
 *   `dispose` may come right after enqueuing kernels that still use the buffer (autograd frees
 *   intermediate gradients that way); the backend must keep it alive until those kernels ran.
 * - Loading: `createBackend` (./create-backend.ts) imports `./webgpu/index.ts` lazily and calls its
 *   `createWebGpuBackend(opts: { requireHardware?: boolean }): Promise<Backend>`, which throws
 *   (ideally `errors.backendUnavailable`) when no adapter is found. `--device auto` asks for
 *   `requireHardware: true` (a software adapter such as SwiftShader is slower than cpu) and
 *   falls back to cpu on any failure.
 * - Numerics: gelu_erf uses `erf` from ./cpu/math.ts (A&S 7.1.26, max abs error 1.5e-7); gelu_tanh is the
 *   tanh approximation 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))). Parity tolerance between
 *   backends is about 1e-5 relative, not bitwise (summation order differs).
 */

export type DType = 'f32' | 'i32';

/** Opaque handle to backend-owned storage of `size` elements. */
export interface DeviceBuffer {
  readonly size: number;
  readonly dtype: DType;
  /** Name of the backend that owns it; kernels reject foreign buffers. */
  readonly backend: string;
}

export type UnaryOp =
  | 'copy' | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'square' | 'abs' | 'tanh'
  | 'relu' | 'sigmoid' | 'gelu_tanh' | 'gelu_erf';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';

export type ReduceOp = 'sum' | 'mean' | 'max';

/** out = op(a, b) over `shape`, each operand addressed by its own element strides. */
export interface BinaryOptions {
  /** Output shape; `out` is dense row-major over it. */
  shape: readonly number[];
  aStrides: readonly number[];
  bStrides: readonly number[];
  accumulate?: boolean;
}

/**
 * Batched C = alpha * op(A) @ op(B) (+ C when accumulate).
 * A is [batch, m, k] (or [batch, k, m] with transA), B is [batch, k, n] (or [batch, n, k] with
 * transB), C is [batch, m, n]. `aBroadcast`/`bBroadcast` mean that operand has a single
 * matrix reused for every batch (a weight matrix). All operands are dense row-major.
 */
export interface MatmulOptions {
  batch: number;
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
  aBroadcast?: boolean;
  bBroadcast?: boolean;
  alpha?: number;
  accumulate?: boolean;
}

/** Reduction over the middle axis of a dense [outer, axis, inner] view; out is [outer, inner]. */
export interface ReduceOptions {
  outer: number;
  axis: number;
  inner: number;
}

/** A strided copy: out[dstOffset + sum(i_d * dstStrides[d])] = x[srcOffset + sum(i_d * srcStrides[d])]. */
export interface CopyOptions {
  shape: readonly number[];
  srcStrides: readonly number[];
  srcOffset?: number;
  dstStrides: readonly number[];
  dstOffset?: number;
  accumulate?: boolean;
}

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** True on the first step: the momentum buffer is set to the gradient (PyTorch semantics). */
  firstStep: boolean;
}

export interface AdamWOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count, for bias correction. */
  step: number;
}

export interface Backend {
  readonly name: 'cpu' | 'webgpu';

  // ---- storage ----------------------------------------------------------------------------
  /** A zero-filled buffer. */
  alloc(size: number, dtype?: DType): DeviceBuffer;
  upload(data: Float32Array | Int32Array): DeviceBuffer;
  /** Overwrites `data.length` elements of `buf` from `offset` (enqueued like a kernel). */
  write(buf: DeviceBuffer, data: Float32Array | Int32Array, offset?: number): void;
  /** Copy of the buffer's contents once every enqueued kernel has run. */
  read(buf: DeviceBuffer): Promise<Float32Array | Int32Array>;
  dispose(buf: DeviceBuffer): void;
  /** Resolves when all enqueued work has finished. */
  flush(): Promise<void>;

  // ---- kernels (all enqueued) -------------------------------------------------------------
  fill(out: DeviceBuffer, value: number, n?: number): void;
  /** out[i] = op(x[i]) for i < n. */
  unary(op: UnaryOp, x: DeviceBuffer, out: DeviceBuffer, n: number, accumulate?: boolean): void;
  /**
   * dx (+)= dy * op'(x) for i < n. `y` is the forward output op(x) (some derivatives read it:
   * exp, tanh, sigmoid, sqrt, rsqrt). Defined for every UnaryOp.
   */
  unaryBackward(op: UnaryOp, x: DeviceBuffer, y: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, n: number, accumulate?: boolean): void;
  /** out = alpha * x + beta (elementwise, scalars). */
  affine(x: DeviceBuffer, out: DeviceBuffer, n: number, alpha: number, beta: number, accumulate?: boolean): void;
  binary(op: BinaryOp, a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, opts: BinaryOptions): void;
  matmul(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, opts: MatmulOptions): void;
  reduce(op: ReduceOp, x: DeviceBuffer, out: DeviceBuffer, opts: ReduceOptions, accumulate?: boolean): void;
  /** dx (+)= dy routed to the first position of the maximum along the axis (ties: lowest index). */
  reduceMaxBackward(x: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, opts: ReduceOptions, accumulate?: boolean): void;
  /** Row-wise softmax (or log-softmax) of a dense [rows, cols] matrix. */
  softmax(x: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number, log: boolean): void;
  /** dx (+)= softmax'(y)·dy, given the forward output y (softmax, or log-softmax when log). */
  softmaxBackward(y: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, rows: number, cols: number, log: boolean, accumulate?: boolean): void;
  /**
   * Row-wise layer norm of [rows, cols]: out = (x - mean) * rstd * gamma + beta.
   * gamma/beta may be null (scale 1, shift 0). Writes mean and rstd ([rows]) for the backward.
   */
  layerNorm(x: DeviceBuffer, gamma: DeviceBuffer | null, beta: DeviceBuffer | null, out: DeviceBuffer,
    mean: DeviceBuffer, rstd: DeviceBuffer, rows: number, cols: number, eps: number): void;
  /** dx (+)= ..., dgamma += ..., dbeta += ... (dgamma/dbeta always accumulate; may be null). */
  layerNormBackward(x: DeviceBuffer, gamma: DeviceBuffer | null, mean: DeviceBuffer, rstd: DeviceBuffer,
    dy: DeviceBuffer, dx: DeviceBuffer, dgamma: DeviceBuffer | null, dbeta: DeviceBuffer | null,
    rows: number, cols: number, accumulate?: boolean): void;
  /** out[r, :] = table[indices[r], :] for r < rows; `indices` is i32. */
  gather(table: DeviceBuffer, indices: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number): void;
  /** out[indices[r], :] += src[r, :] (duplicates add up). */
  scatterAdd(src: DeviceBuffer, indices: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number): void;
  copy(x: DeviceBuffer, out: DeviceBuffer, opts: CopyOptions): void;
  /** out[i] = hashUniform(seed, offset + i) >= p ? 1 / (1 - p) : 0, for i < n. */
  dropoutMask(out: DeviceBuffer, n: number, p: number, seed: number, offset?: number): void;

  // ---- optimizer updates (in place, on the device) ----------------------------------------
  /** PyTorch SGD: g = grad + wd*param; buf = momentum*buf + (1-dampening)*g; param -= lr*(nesterov ? g + momentum*buf : buf). */
  sgdUpdate(param: DeviceBuffer, grad: DeviceBuffer, momentumBuf: DeviceBuffer | null, n: number, opts: SgdOptions): void;
  /** PyTorch AdamW (decoupled weight decay). */
  adamwUpdate(param: DeviceBuffer, grad: DeviceBuffer, m: DeviceBuffer, v: DeviceBuffer, n: number, opts: AdamWOptions): void;
}

/**
 * Counter-based uniform draw in [0, 1) with 24 bits, defined on u32 arithmetic so WGSL can
 * reproduce it bit for bit: a "lowbias32" mix of (seed ^ mix(counter)).
 */
export function hashUniform(seed: number, counter: number): number {
  return (mix32((seed ^ mix32(counter >>> 0)) >>> 0) >>> 8) / 16777216;
}

/** Chris Wellons' lowbias32 integer hash (u32 -> u32). */
export function mix32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Dense row-major strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
