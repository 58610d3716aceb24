/**
 * The cpu backend: kernels run synchronously on Float32Arrays when enqueued; GEMMs above a
 * small size go to onnxruntime's MLAS (./ort-gemm.ts), everything else is plain loops
 * (./kernels/*.ts). This class only unwraps buffers and manages storage.
 * Deterministic: the same calls give the same bits (fixed summation orders, and MLAS computes
 * every output element on one thread with a fixed reduction order).
 */
import type {
  AdamWOptions, Backend, BinaryOp, BinaryOptions, CopyOptions, DType,
  DeviceBuffer, MatmulOptions, ReduceOp, ReduceOptions, SgdOptions, UnaryOp,
} from '../backend.ts';
import { ArrayPool } from './array-pool.ts';
import { CLEAN, CpuBuffer, STALE, UNKNOWN, d, f, written } from './buffer.ts';
import { affine, binary, dropoutMask, stridedCopy, unary, unaryBackward } from './kernels/elementwise.ts';
import { gather, scatterAdd } from './kernels/indexing.ts';
import { CpuGemm } from './kernels/matmul.ts';
import { adamwUpdate, sgdUpdate } from './kernels/optim.ts';
import { layerNorm, layerNormBackward, reduce, reduceMaxBackward, softmax, softmaxBackward } from './kernels/rows.ts';

export { CpuBuffer } from './buffer.ts';

export interface CpuBackendOptions {
  /** onnxruntime intra-op threads (default: VISAGE_CPU_THREADS, else all cores). */
  threads?: number;
  /** Force JS loops for every GEMM (a slow reference, used by tests and the benchmark). */
  naiveGemm?: boolean;
  /**
   * Let onnxruntime's pool threads spin-wait between GEMMs (default false). Spinning helps only
   * when GEMMs run back to back with spare cores; between JS kernels it steals their core.
   */
  spinThreads?: boolean;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  private readonly gemm: CpuGemm;
  private readonly pool = new ArrayPool();

  constructor(options: CpuBackendOptions = {}) {
    this.gemm = new CpuGemm(options.threads, options.spinThreads ?? false, !!options.naiveGemm);
  }

  // ---- storage ------------------------------------------------------------------------------
  alloc(size: number, dtype: DType = 'f32'): CpuBuffer {
    const reused = dtype === 'f32' ? this.pool.take(size) : undefined;
    const buf = new CpuBuffer(reused ?? (dtype === 'f32' ? new Float32Array(size) : new Int32Array(size)), dtype);
    buf.zeros = reused ? STALE : CLEAN;
    return buf;
  }
  upload(data: Float32Array | Int32Array): CpuBuffer {
    return new CpuBuffer(data instanceof Float32Array ? Float32Array.from(data) : Int32Array.from(data),
      data instanceof Float32Array ? 'f32' : 'i32');
  }
  write(buf: DeviceBuffer, data: Float32Array | Int32Array, offset = 0): void {
    d(buf).set(data, offset);
  }
  async read(buf: DeviceBuffer): Promise<Float32Array | Int32Array> {
    return d(buf).slice();
  }
  /** Synchronous read, specific to the cpu backend (no device to wait for). */
  readSync(buf: DeviceBuffer): Float32Array | Int32Array {
    return d(buf).slice();
  }
  dispose(buf: DeviceBuffer): void {
    if (buf instanceof CpuBuffer && buf.data instanceof Float32Array && !buf.released) {
      buf.released = true;
      this.pool.give(buf.data);
    }
  }
  async flush(): Promise<void> {}

  // ---- kernels --------------------------------------------------------------------------------
  fill(out: DeviceBuffer, value: number, n = out.size): void {
    // Zeroing a whole buffer (zeroGrad) is deferred: the next kernel may overwrite it anyway.
    if (value === 0 && n >= out.size && out instanceof CpuBuffer && !out.released) {
      if (out.zeros !== CLEAN) out.zeros = STALE;
    } else {
      d(out).fill(value, 0, n);
    }
  }
  unary(op: UnaryOp, x: DeviceBuffer, out: DeviceBuffer, n: number, accumulate = false): void {
    const xs = f(x);
    const [o, zero] = written(out, n);
    unary(op, xs, o, n, accumulate && !zero);
  }
  unaryBackward(op: UnaryOp, x: DeviceBuffer, y: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, n: number, accumulate = false): void {
    const xs = f(x), ys = f(y), dys = f(dy);
    const [dxs, zero] = written(dx, n);
    unaryBackward(op, xs, ys, dys, dxs, n, accumulate && !zero);
  }
  affine(x: DeviceBuffer, out: DeviceBuffer, n: number, alpha: number, beta: number, accumulate = false): void {
    const xs = f(x);
    const [o, zero] = written(out, n);
    affine(xs, o, n, alpha, beta, accumulate && !zero);
  }
  binary(op: BinaryOp, a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, opts: BinaryOptions): void {
    const as = f(a), bs = f(b);
    const [o, zero] = written(out, opts.shape.reduce((s, v) => s * v, 1));
    binary(op, as, bs, o, zero && opts.accumulate ? { ...opts, accumulate: false } : opts);
  }
  matmul(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, o: MatmulOptions): void {
    const as = f(a), bs = f(b);
    const [outs, zero] = written(out, o.batch * o.m * o.n);
    this.gemm.run(as, bs, outs, zero && o.accumulate ? { ...o, accumulate: false } : o);
  }
  reduce(op: ReduceOp, x: DeviceBuffer, out: DeviceBuffer, o: ReduceOptions, accumulate = false): void {
    const xs = f(x);
    const [outs, zero] = written(out, o.outer * o.inner);
    reduce(op, xs, outs, o, accumulate && !zero);
  }
  reduceMaxBackward(x: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, o: ReduceOptions, accumulate = false): void {
    reduceMaxBackward(f(x), f(dy), f(dx), o, accumulate);
  }
  softmax(x: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number, log: boolean): void {
    const xs = f(x);
    softmax(xs, written(out, rows * cols)[0], rows, cols, log);
  }
  softmaxBackward(y: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, rows: number, cols: number, log: boolean, accumulate = false): void {
    const ys = f(y), dys = f(dy);
    const [dxs, zero] = written(dx, rows * cols);
    softmaxBackward(ys, dys, dxs, rows, cols, log, accumulate && !zero);
  }
  layerNorm(x: DeviceBuffer, gamma: DeviceBuffer | null, beta: DeviceBuffer | null, out: DeviceBuffer,
    mean: DeviceBuffer, rstd: DeviceBuffer, rows: number, cols: number, eps: number): void {
    const xs = f(x), g = gamma ? f(gamma) : this.constant(cols, 1), b = beta ? f(beta) : this.constant(cols, 0);
    layerNorm(xs, g, b, written(out, rows * cols)[0], written(mean, rows)[0], written(rstd, rows)[0], rows, cols, eps);
  }
  layerNormBackward(x: DeviceBuffer, gamma: DeviceBuffer | null, mean: DeviceBuffer, rstd: DeviceBuffer,
    dy: DeviceBuffer, dx: DeviceBuffer, dgamma: DeviceBuffer | null, dbeta: DeviceBuffer | null,
    rows: number, cols: number, accumulate = false): void {
    const xs = f(x), g = gamma ? f(gamma) : this.constant(cols, 1), ms = f(mean), rs = f(rstd), dys = f(dy);
    const dg = dgamma ? f(dgamma) : null, db = dbeta ? f(dbeta) : null;
    const [dxs, zero] = written(dx, rows * cols);
    layerNormBackward(xs, g, ms, rs, dys, dxs, dg, db, rows, cols, accumulate && !zero);
  }
  gather(table: DeviceBuffer, indices: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number): void {
    const t = f(table), idx = d(indices);
    gather(t, idx, written(out, rows * cols)[0], rows, cols);
  }
  scatterAdd(src: DeviceBuffer, indices: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number): void {
    scatterAdd(f(src), d(indices), f(out), rows, cols);
  }
  copy(x: DeviceBuffer, out: DeviceBuffer, opts: CopyOptions): void {
    const xs = f(x);
    // Accumulating into a buffer that reads as zeros (a fresh gradient) is a plain copy of the
    // region, once the rest reads as zeros too (f zero-fills a stale array).
    const zero = opts.accumulate && out instanceof CpuBuffer && out.zeros !== UNKNOWN;
    stridedCopy(xs, f(out), zero ? { ...opts, accumulate: false } : opts);
  }
  dropoutMask(out: DeviceBuffer, n: number, p: number, seed: number, offset = 0): void {
    dropoutMask(written(out, n)[0], n, p, seed, offset);
  }

  // ---- optimizer updates ----------------------------------------------------------------------
  sgdUpdate(p: DeviceBuffer, g: DeviceBuffer, buf: DeviceBuffer | null, n: number, o: SgdOptions): void {
    sgdUpdate(f(p), f(g), buf ? f(buf) : null, n, o);
  }
  adamwUpdate(p: DeviceBuffer, g: DeviceBuffer, m: DeviceBuffer, v: DeviceBuffer, n: number, o: AdamWOptions): void {
    adamwUpdate(f(p), f(g), f(m), f(v), n, o);
  }

  /** Frees the onnxruntime sessions. */
  close(): void {
    this.gemm.close();
  }

  private readonly constants = new Map<string, Float32Array>();

  /** A read-only array of `n` copies of `value` (stands in for absent gamma/beta). */
  private constant(n: number, value: number): Float32Array {
    const key = `${n}:${value}`;
    let c = this.constants.get(key);
    if (!c) this.constants.set(key, (c = new Float32Array(n).fill(value)));
    return c;
  }
}
