/**
 * The cpu backend: kernels run synchronously on Float32Arrays when enqueued; GEMMs above a
 * small size go to onnxruntime's MLAS (./ort-gemm.ts), everything else is plain loops.
 * Deterministic: the same calls give the same bits (fixed summation orders, and MLAS computes
 * every output element on one thread with a fixed reduction order).
 */
import { errors } from '../../errors/index.ts';
import {
  hashUniform,
  type AdamWOptions, type Backend, type BinaryOp, type BinaryOptions, type CopyOptions, type DType,
  type DeviceBuffer, type MatmulOptions, type ReduceOp, type ReduceOptions, type SgdOptions, type UnaryOp,
} from '../backend.ts';
import { geluErf, geluErfGrad, geluTanh, geluTanhGrad, sigmoid } from './math.ts';
import { jsMatmul } from './js-gemm.ts';
import { OrtGemm } from './ort-gemm.ts';
import { coalesce } from '../coalesce-dims.ts';

export class CpuBuffer implements DeviceBuffer {
  readonly backend = 'cpu';
  /** Set by dispose: the array went back to the pool. */
  released = false;
  constructor(readonly data: Float32Array | Int32Array, readonly dtype: DType) {}
  get size(): number {
    return this.data.length;
  }
}

/** Below this many multiply-adds a JS loop beats the cost of an onnxruntime call. */
const ORT_MIN_MACS = 1 << 15;

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
  private readonly gemm: OrtGemm;
  private scratch = new Float32Array(0);
  private readonly pool = new ArrayPool();

  constructor(private readonly options: CpuBackendOptions = {}) {
    this.gemm = new OrtGemm(options.threads, options.spinThreads ?? false);
  }

  // ---- storage ------------------------------------------------------------------------------
  alloc(size: number, dtype: DType = 'f32'): CpuBuffer {
    if (dtype === 'f32') {
      const reused = this.pool.take(size);
      if (reused) return new CpuBuffer(reused.fill(0), 'f32');
      return new CpuBuffer(new Float32Array(size), 'f32');
    }
    return new CpuBuffer(new Int32Array(size), dtype);
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
    d(out).fill(value, 0, n);
  }

  unary(op: UnaryOp, xb: DeviceBuffer, outb: DeviceBuffer, n: number, accumulate = false): void {
    const x = f(xb), out = f(outb);
    if (op === 'copy' && !accumulate) out.set(x.subarray(0, n));
    else (accumulate ? UNARY_ACC : UNARY_LOOPS)[op](x, out, n);
  }

  unaryBackward(op: UnaryOp, xb: DeviceBuffer, yb: DeviceBuffer, dyb: DeviceBuffer, dxb: DeviceBuffer, n: number, accumulate = false): void {
    UNARY_GRAD_LOOPS[op](f(xb), f(yb), f(dyb), f(dxb), n, accumulate);
  }

  affine(xb: DeviceBuffer, outb: DeviceBuffer, n: number, alpha: number, beta: number, accumulate = false): void {
    const x = f(xb), out = f(outb);
    if (accumulate) for (let i = 0; i < n; i++) out[i] += alpha * x[i] + beta;
    else for (let i = 0; i < n; i++) out[i] = alpha * x[i] + beta;
  }

  binary(op: BinaryOp, ab: DeviceBuffer, bb: DeviceBuffer, outb: DeviceBuffer, opts: BinaryOptions): void {
    const a = f(ab), b = f(bb), out = f(outb);
    const [shape, as, bs] = coalesce(opts.shape, opts.aStrides, opts.bStrides);
    const rank = shape.length;
    const inner = rank === 0 ? 1 : shape[rank - 1];
    const ias = rank === 0 ? 0 : as[rank - 1], ibs = rank === 0 ? 0 : bs[rank - 1];
    const table = opts.accumulate ? BINARY_ACC : BINARY;
    // Unit strides are the common case (same-shape operands, bias rows); give them a loop
    // without index multiplies.
    const loop = ias === 1 && ibs === 1 ? table.unit[op] : table.strided[op];
    let outer = 1;
    for (let k = 0; k < rank - 1; k++) outer *= shape[k];
    const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    let ao = 0, bo = 0;
    for (let r = 0; r < outer; r++) {
      loop(a, ao, ias, b, bo, ibs, out, r * inner, inner);
      // odometer increment over the outer dims
      for (let k = rank - 2; k >= 0; k--) {
        idx[k]++;
        ao += as[k];
        bo += bs[k];
        if (idx[k] < shape[k]) break;
        ao -= as[k] * shape[k];
        bo -= bs[k] * shape[k];
        idx[k] = 0;
      }
    }
  }

  matmul(ab: DeviceBuffer, bb: DeviceBuffer, outb: DeviceBuffer, o: MatmulOptions): void {
    const a = f(ab), b = f(bb), out = f(outb);
    const { batch, m, k, n } = o;
    const transA = !!o.transA, transB = !!o.transB, alpha = o.alpha ?? 1;
    const total = batch * m * n;
    if (this.options.naiveGemm || batch * m * k * n < ORT_MIN_MACS) {
      if (!o.accumulate) out.fill(0, 0, total);
      jsMatmul(a, b, out, batch, m, k, n, transA, transB, !!o.aBroadcast, !!o.bBroadcast, alpha);
      return;
    }
    const target = o.accumulate ? this.scratchOf(total) : out.subarray(0, total);
    // A weight matrix shared by a batch of row-major A (no transA) is one tall GEMM.
    if (o.bBroadcast && !o.aBroadcast && !transA) {
      this.gemm.run(a.subarray(0, batch * m * k), [1, batch * m, k], b.subarray(0, k * n), [1, transB ? n : k, transB ? k : n],
        target, [1, batch * m, n], false, transB, alpha);
    } else {
      const aDims: [number, number, number] = [o.aBroadcast ? 1 : batch, transA ? k : m, transA ? m : k];
      const bDims: [number, number, number] = [o.bBroadcast ? 1 : batch, transB ? n : k, transB ? k : n];
      this.gemm.run(a.subarray(0, aDims[0] * m * k), aDims, b.subarray(0, bDims[0] * k * n), bDims,
        target, [batch, m, n], transA, transB, alpha);
    }
    if (o.accumulate) for (let i = 0; i < total; i++) out[i] += target[i];
  }

  reduce(op: ReduceOp, xb: DeviceBuffer, outb: DeviceBuffer, { outer, axis, inner }: ReduceOptions, accumulate = false): void {
    const x = f(xb), out = f(outb);
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

  reduceMaxBackward(xb: DeviceBuffer, dyb: DeviceBuffer, dxb: DeviceBuffer, { outer, axis, inner }: ReduceOptions, accumulate = false): void {
    const x = f(xb), dy = f(dyb), dx = f(dxb);
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

  softmax(xb: DeviceBuffer, outb: DeviceBuffer, rows: number, cols: number, log: boolean): void {
    const x = f(xb), out = f(outb);
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

  softmaxBackward(yb: DeviceBuffer, dyb: DeviceBuffer, dxb: DeviceBuffer, rows: number, cols: number, log: boolean, accumulate = false): void {
    const y = f(yb), dy = f(dyb), dx = f(dxb);
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

  layerNorm(xb: DeviceBuffer, gammab: DeviceBuffer | null, betab: DeviceBuffer | null, outb: DeviceBuffer,
    meanb: DeviceBuffer, rstdb: DeviceBuffer, rows: number, cols: number, eps: number): void {
    const x = f(xb), out = f(outb), mean = f(meanb), rstd = f(rstdb);
    const gamma = gammab ? f(gammab) : this.constant(cols, 1), beta = betab ? f(betab) : this.constant(cols, 0);
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

  layerNormBackward(xb: DeviceBuffer, gammab: DeviceBuffer | null, meanb: DeviceBuffer, rstdb: DeviceBuffer,
    dyb: DeviceBuffer, dxb: DeviceBuffer, dgammab: DeviceBuffer | null, dbetab: DeviceBuffer | null,
    rows: number, cols: number, accumulate = false): void {
    const x = f(xb), mean = f(meanb), rstd = f(rstdb), dy = f(dyb), dx = f(dxb);
    const gamma = gammab ? f(gammab) : this.constant(cols, 1);
    // Parameter gradients reduce over rows: accumulate them in f64 scratch, add once at the end.
    const dgamma = dgammab ? new Float64Array(cols) : null, dbeta = dbetab ? new Float64Array(cols) : null;
    const xhat = new Float64Array(cols), gy = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols, mu = mean[r], rs = rstd[r];
      let sg = 0, sgx = 0;
      for (let c = 0; c < cols; c++) {
        const h = (x[o + c] - mu) * rs, g = dy[o + c] * gamma[c];
        xhat[c] = h;
        gy[c] = g;
        sg += g;
        sgx += g * h;
      }
      sg /= cols;
      sgx /= cols;
      if (accumulate) for (let c = 0; c < cols; c++) dx[o + c] += rs * (gy[c] - sg - xhat[c] * sgx);
      else for (let c = 0; c < cols; c++) dx[o + c] = rs * (gy[c] - sg - xhat[c] * sgx);
      if (dgamma) for (let c = 0; c < cols; c++) dgamma[c] += dy[o + c] * xhat[c];
      if (dbeta) for (let c = 0; c < cols; c++) dbeta[c] += dy[o + c];
    }
    if (dgamma) {
      const t = f(dgammab!);
      for (let c = 0; c < cols; c++) t[c] += dgamma[c];
    }
    if (dbeta) {
      const t = f(dbetab!);
      for (let c = 0; c < cols; c++) t[c] += dbeta[c];
    }
  }

  gather(tableb: DeviceBuffer, indicesb: DeviceBuffer, outb: DeviceBuffer, rows: number, cols: number): void {
    const table = f(tableb), idx = d(indicesb), out = f(outb);
    for (let r = 0; r < rows; r++) out.set(table.subarray(idx[r] * cols, idx[r] * cols + cols), r * cols);
  }

  scatterAdd(srcb: DeviceBuffer, indicesb: DeviceBuffer, outb: DeviceBuffer, rows: number, cols: number): void {
    const src = f(srcb), idx = d(indicesb), out = f(outb);
    for (let r = 0; r < rows; r++) {
      const o = idx[r] * cols, s = r * cols;
      for (let c = 0; c < cols; c++) out[o + c] += src[s + c];
    }
  }

  copy(xb: DeviceBuffer, outb: DeviceBuffer, opts: CopyOptions): void {
    const x = f(xb), out = f(outb);
    const [shape, ss, ds] = coalesce(opts.shape, opts.srcStrides, opts.dstStrides);
    const rank = shape.length;
    const inner = rank === 0 ? 1 : shape[rank - 1];
    const iss = rank === 0 ? 0 : ss[rank - 1], ids = rank === 0 ? 0 : ds[rank - 1];
    let outer = 1;
    for (let k = 0; k < rank - 1; k++) outer *= shape[k];
    const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    let so = opts.srcOffset ?? 0, dof = opts.dstOffset ?? 0;
    const acc = !!opts.accumulate;
    for (let r = 0; r < outer; r++) {
      if (acc) for (let i = 0; i < inner; i++) out[dof + i * ids] += x[so + i * iss];
      else if (iss === 1 && ids === 1) out.set(x.subarray(so, so + inner), dof);
      else for (let i = 0; i < inner; i++) out[dof + i * ids] = x[so + i * iss];
      for (let k = rank - 2; k >= 0; k--) {
        idx[k]++;
        so += ss[k];
        dof += ds[k];
        if (idx[k] < shape[k]) break;
        so -= ss[k] * shape[k];
        dof -= ds[k] * shape[k];
        idx[k] = 0;
      }
    }
  }

  dropoutMask(outb: DeviceBuffer, n: number, p: number, seed: number, offset = 0): void {
    const out = f(outb);
    const keep = 1 / (1 - p);
    for (let i = 0; i < n; i++) out[i] = hashUniform(seed, offset + i) >= p ? keep : 0;
  }

  // ---- optimizer updates ----------------------------------------------------------------------
  sgdUpdate(pb: DeviceBuffer, gb: DeviceBuffer, bufb: DeviceBuffer | null, n: number, o: SgdOptions): void {
    const p = f(pb), g = f(gb);
    const { lr, momentum, dampening, weightDecay: wd } = o;
    // One tight loop per variant: branches inside the loop cost about 3x here.
    if (!bufb || momentum === 0) {
      for (let i = 0; i < n; i++) p[i] = p[i] - lr * (g[i] + wd * p[i]);
      return;
    }
    const buf = f(bufb);
    const keep = 1 - dampening;
    if (o.firstStep) {
      for (let i = 0; i < n; i++) buf[i] = g[i] + wd * p[i];
    } else {
      for (let i = 0; i < n; i++) buf[i] = momentum * buf[i] + keep * (g[i] + wd * p[i]);
    }
    // The update reads back the stored f32 momentum, exactly what the next step will see.
    if (o.nesterov) {
      for (let i = 0; i < n; i++) p[i] = p[i] - lr * (g[i] + wd * p[i] + momentum * buf[i]);
    } else {
      for (let i = 0; i < n; i++) p[i] = p[i] - lr * buf[i];
    }
  }

  adamwUpdate(pb: DeviceBuffer, gb: DeviceBuffer, mb: DeviceBuffer, vb: DeviceBuffer, n: number, o: AdamWOptions): void {
    const p = f(pb), g = f(gb), m = f(mb), v = f(vb);
    const bc1 = 1 - Math.pow(o.beta1, o.step), bc2 = 1 - Math.pow(o.beta2, o.step);
    const stepSize = o.lr / bc1, sqrtBc2 = Math.sqrt(bc2), decay = 1 - o.lr * o.weightDecay;
    for (let i = 0; i < n; i++) {
      p[i] = p[i] * decay;
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
      p[i] = p[i] - stepSize * m[i] / (Math.sqrt(v[i]) / sqrtBc2 + o.eps);
    }
  }

  /** Frees the onnxruntime sessions. */
  close(): void {
    this.gemm.dispose();
  }

  private readonly constants = new Map<string, Float32Array>();

  /** A read-only array of `n` copies of `value` (stands in for absent gamma/beta). */
  private constant(n: number, value: number): Float32Array {
    const key = `${n}:${value}`;
    let c = this.constants.get(key);
    if (!c) this.constants.set(key, (c = new Float32Array(n).fill(value)));
    return c;
  }

  private scratchOf(n: number): Float32Array {
    if (this.scratch.length < n) this.scratch = new Float32Array(n);
    return this.scratch.subarray(0, n);
  }
}

/**
 * Disposed arrays kept for reuse, by exact length. Re-zeroing a warm array is much cheaper than
 * a fresh multi-megabyte allocation (page faults, GC pressure); training steps allocate the
 * same sizes every step. Bounded so an idle backend does not hoard memory.
 */
class ArrayPool {
  private readonly free = new Map<number, Float32Array[]>();
  private held = 0;
  constructor(private readonly maxElements = 64 * 1024 * 1024) {}

  take(size: number): Float32Array | undefined {
    const list = this.free.get(size);
    const a = list?.pop();
    if (a) this.held -= size;
    return a;
  }

  give(a: Float32Array): void {
    // Small arrays are cheap to allocate; only pool the ones that cost.
    if (a.length < 4096 || this.held + a.length > this.maxElements) return;
    let list = this.free.get(a.length);
    if (!list) this.free.set(a.length, (list = []));
    list.push(a);
    this.held += a.length;
  }
}

function d(buf: DeviceBuffer): Float32Array | Int32Array {
  if (!(buf instanceof CpuBuffer)) throw errors.backendMismatch('cpu', buf.backend);
  // Its array may already serve another buffer from the pool.
  if (buf.released) throw errors.invalidComputeArgument('cpu kernel', 'a disposed buffer was used');
  return buf.data;
}
function f(buf: DeviceBuffer): Float32Array {
  const data = d(buf);
  if (!(data instanceof Float32Array)) throw errors.shapeMismatch('cpu kernel', 'expected an f32 buffer, got i32');
  return data;
}


const UNARY: Record<UnaryOp, (x: number) => number> = {
  copy: (x) => x,
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  abs: Math.abs,
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : 0),
  sigmoid,
  gelu_tanh: geluTanh,
  gelu_erf: geluErf,
};

/** Derivative of each unary op, from its input x and output y. */
const UNARY_GRAD: Record<UnaryOp, (x: number, y: number) => number> = {
  copy: () => 1,
  neg: () => -1,
  exp: (_x, y) => y,
  log: (x) => 1 / x,
  sqrt: (_x, y) => 0.5 / y,
  rsqrt: (x, y) => -0.5 * y / x,
  square: (x) => 2 * x,
  abs: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  tanh: (_x, y) => 1 - y * y,
  relu: (x) => (x > 0 ? 1 : 0),
  sigmoid: (_x, y) => y * (1 - y),
  gelu_tanh: geluTanhGrad,
  gelu_erf: geluErfGrad,
};

type UnaryLoop = (x: Float32Array, out: Float32Array, n: number) => void;
type UnaryGradLoop = (x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, n: number, acc: boolean) => void;

/*
 * One loop per op, compiled from its own source text: V8 shares type feedback between closures
 * of one function literal, so a single loop calling fn(x[i]) for every op goes megamorphic and
 * never inlines fn. Separate code per op keeps each call site monomorphic (about 2-3x faster).
 */
function specialise<T>(make: (fn: string) => string, names: readonly UnaryOp[], scope: Record<string, unknown>): Record<UnaryOp, T> {
  const out = {} as Record<UnaryOp, T>;
  const keys = Object.keys(scope);
  for (const op of names) {
    // eslint-disable-next-line no-new-func
    out[op] = new Function(...keys, `return ${make(op)};`)(...keys.map((k) => scope[k])) as T;
  }
  return out;
}
const OPS = Object.keys(UNARY) as UnaryOp[];
const UNARY_LOOPS = specialise<UnaryLoop>((op) => `function (x, out, n) { const fn = UNARY.${op}; for (let i = 0; i < n; i++) out[i] = fn(x[i]); }`, OPS, { UNARY });
const UNARY_ACC = specialise<UnaryLoop>((op) => `function (x, out, n) { const fn = UNARY.${op}; for (let i = 0; i < n; i++) out[i] += fn(x[i]); }`, OPS, { UNARY });
const UNARY_GRAD_LOOPS = specialise<UnaryGradLoop>((op) => `function (x, y, dy, dx, n, acc) { const g = UNARY_GRAD.${op};
  if (acc) for (let i = 0; i < n; i++) dx[i] += dy[i] * g(x[i], y[i]);
  else for (let i = 0; i < n; i++) dx[i] = dy[i] * g(x[i], y[i]); }`, OPS, { UNARY_GRAD });

type BinaryLoop = (a: Float32Array, ao: number, as: number, b: Float32Array, bo: number, bs: number,
  out: Float32Array, oo: number, n: number) => void;

const BINARY_EXPR: Record<BinaryOp, string> = {
  add: 'A + B', sub: 'A - B', mul: 'A * B', div: 'A / B', max: 'Math.max(A, B)', min: 'Math.min(A, B)',
};

/** Per-op binary loops, compiled from source so each op's loop is its own code (see above). */
function binaryLoops(acc: boolean, unit: boolean): Record<BinaryOp, BinaryLoop> {
  const out = {} as Record<BinaryOp, BinaryLoop>;
  const [ai, bi] = unit ? ['a[ao + i]', 'b[bo + i]'] : ['a[ao + i * as]', 'b[bo + i * bs]'];
  for (const op of Object.keys(BINARY_EXPR) as BinaryOp[]) {
    const expr = BINARY_EXPR[op].replace('A', ai).replace('B', bi);
    // eslint-disable-next-line no-new-func
    out[op] = new Function('a', 'ao', 'as', 'b', 'bo', 'bs', 'out', 'oo', 'n',
      `for (let i = 0; i < n; i++) out[oo + i] ${acc ? '+=' : '='} ${expr};`) as BinaryLoop;
  }
  return out;
}
const BINARY = { unit: binaryLoops(false, true), strided: binaryLoops(false, false) };
const BINARY_ACC = { unit: binaryLoops(true, true), strided: binaryLoops(true, false) };
