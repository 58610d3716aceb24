/**
 * Large GEMMs of the cpu backend, delegated to onnxruntime's MLAS kernels.
 *
 * Why delegate rather than write kernels: MLAS has hand-tuned AVX2/AVX-512 micro-kernels and a
 * thread pool; plain JavaScript tops out near 1 GFLOP/s and even WASM SIMD single-threaded
 * stays an order of magnitude below MLAS. The training loop of the tunable parts is GEMM-bound,
 * so this one decision sets the cpu backend's speed.
 *
 * Why the native binding directly: the public `InferenceSession.run` wraps the (synchronous)
 * native call in a promise resolved on the next macrotask. The cpu backend executes kernels
 * synchronously when they are enqueued (see ../backend.ts), so it calls the documented
 * "synchronized inference session object wrap" that onnxruntime-node's own `run` uses.
 * The output is written straight into the caller's Float32Array (a pre-allocated fetch).
 *
 * One tiny model per (transA, transB, alpha): a single com.microsoft FusedMatMul node with
 * symbolic rank-3 inputs, which keeps MatMul's batch broadcasting (a batch of 1 broadcasts), and
 * for single matrices a 2-D Gemm node.
 */
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { errors } from '../../errors/index.ts';

const require = createRequire(import.meta.url);

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: ort.InferenceSession.SessionOptions): void;
  run(feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor | null>, options: object): Record<string, ort.Tensor>;
  dispose(): void;
}
interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt: () => void;
}

let native: NativeBinding | undefined;
function loadNative(): NativeBinding {
  if (!native) {
    try {
      const b = require('onnxruntime-node/dist/binding.js') as NativeBinding;
      b.initOrt();
      native = b;
    } catch (e) {
      throw errors.backendUnavailable('cpu', `onnxruntime-node's native binding did not load: ${(e as Error).message}`);
    }
  }
  return native;
}

/**
 * The ONNX bytes of one node C = alpha * op(A) @ op(B) with float inputs of symbolic shape: A and
 * B take `rank` dimensions each.
 */
function matMulNodeModel(opType: 'FusedMatMul' | 'Gemm', rank: 2 | 3, transA: boolean, transB: boolean, alpha: number, withC = false): Uint8Array {
  const { onnx } = onnxProto;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const valueInfo = (name: string, dims: string[]) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.slice(3 - rank).map((dimParam) => ({ dimParam })) } } },
  });
  const INT = onnx.AttributeProto.AttributeType.INT;
  const FLOAT_ATTR = onnx.AttributeProto.AttributeType.FLOAT;
  const contrib = opType === 'FusedMatMul';
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'visage',
    opsetImport: [{ domain: '', version: 17 }, ...(contrib ? [{ domain: 'com.microsoft', version: 1 }] : [])],
    graph: {
      name: 'gemm',
      node: [{
        opType, ...(contrib && { domain: 'com.microsoft' }), input: withC ? ['A', 'B', 'Cin'] : ['A', 'B'], output: ['C'],
        attribute: [
          { name: 'transA', type: INT, i: transA ? 1 : 0 },
          { name: 'transB', type: INT, i: transB ? 1 : 0 },
          { name: 'alpha', type: FLOAT_ATTR, f: alpha },
          ...(withC ? [{ name: 'beta', type: FLOAT_ATTR, f: 1 }] : []),
        ],
      }],
      input: [valueInfo('A', ['ba', 'a1', 'a2']), valueInfo('B', ['bb', 'b1', 'b2']), ...(withC ? [valueInfo('Cin', ['bc', 'm', 'n'])] : [])],
      output: [valueInfo('C', ['bc', 'm', 'n'])],
    },
  }).finish();
}

/** Builds the ONNX bytes of C = alpha * op(A) @ op(B) as one FusedMatMul node (batched). */
export function fusedMatMulModel(transA: boolean, transB: boolean, alpha: number): Uint8Array {
  return matMulNodeModel('FusedMatMul', 3, transA, transB, alpha);
}

/**
 * The ONNX bytes of C = alpha * op(A) @ op(B) for single matrices, as one Gemm node. MLAS runs
 * the same kernels as for FusedMatMul, but Gemm hands it a transposed A directly: 3-10% faster on
 * the weight gradients (dW = dYᵀ X) of a training step.
 */
export function gemmModel(transA: boolean, transB: boolean, alpha: number, accumulate = false): Uint8Array {
  return matMulNodeModel('Gemm', 2, transA, transB, alpha, accumulate);
}

/** Threads for onnxruntime's intra-op pool: VISAGE_CPU_THREADS, else all available cores. */
export function cpuThreads(): number {
  const fromEnv = Number(process.env.VISAGE_CPU_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism();
}

/**
 * onnxruntime's `intra_op_thread_affinities` for a pool of `threads` (the caller plus threads - 1
 * pool threads): pool thread k on logical processor k + 1 (1-based), so that no pool thread starts
 * on the processor the caller's JS thread ran on last. Unpinned, the scheduler often wakes the
 * sleeping pool thread onto the waking (busy) caller's processor, where it waits until the caller
 * has finished both halves of a 1.4 ms GEMM alone: 512³ took the one-thread 2.3-2.9 ms in half the
 * bench's rounds (60-73% of onnxruntime's spinning pool), pinned 1.4 (100-101%). Only when this
 * process may run on every processor (no taskset or cgroup subset, whose numbering would not be
 * 1..n) and there are at least `threads` of them; undefined otherwise.
 */
export function poolAffinities(threads: number, processors = cpus().length, allowed = availableParallelism()): string | undefined {
  if (threads < 2 || allowed !== processors || threads > processors) return undefined;
  return Array.from({ length: threads - 1 }, (_, k) => String(k + 2)).join(';');
}

/**
 * Below this many multiply-adds a GEMM runs on one thread: waking the pool costs more than it
 * saves, and on a busy machine a descheduled pool thread stalls the whole call.
 */
const PARALLEL_MIN_MACS = 1 << 23;

/**
 * onnxruntime-node returns a fresh copy of every output, preallocated or not: one new
 * ArrayBuffer the size of C per GEMM, garbage at once. glibc serves a malloc above its mmap
 * threshold with a fresh mmap, so each such copy page-faults its way in (3.7 ms CPU for a
 * 5 MB output against 0.9 ms from the heap; about 10 ms of a training step). The threshold is
 * dynamic (mallopt(3)): freeing an mmapped chunk raises it to that chunk's size, up to 32 MiB.
 * structuredClone of a 24 MiB array frees its 24 MiB serialisation buffer before it returns, so
 * larger GEMM outputs come from the heap from then on. Process-wide and once, at the first GEMM
 * with an output that large; elsewhere than on glibc it only costs that one copy.
 */
let mallocThresholdRaised = false;
/** Outputs from this many elements (1 MiB) on are copied from fresh pages at the default threshold. */
const LARGE_OUTPUT = 1 << 18;
function raiseMallocMmapThreshold(): void {
  if (mallocThresholdRaised) return;
  mallocThresholdRaised = true;
  structuredClone(new Float32Array(6 * 1024 * 1024));
}

export class OrtGemm {
  private readonly sessions = new Map<string, NativeSession>();

  constructor(private readonly threads = cpuThreads(), private readonly spin = false) {}

  private session(single: boolean, transA: boolean, transB: boolean, alpha: number, threads: number, accumulate = false): NativeSession {
    const key = `${single ? 'gemm' : 'fused'}:${+transA}${+transB}:${alpha}:${threads}:${+accumulate}`;
    let s = this.sessions.get(key);
    if (!s) {
      const bytes = single ? gemmModel(transA, transB, alpha, accumulate) : fusedMatMulModel(transA, transB, alpha);
      const affinities = poolAffinities(threads);
      s = new (loadNative().binding.InferenceSession)();
      s.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // Pool threads sleep as soon as a GEMM ends. onnxruntime's default spins 2^20 pauses
        // (about 40 ms here) after every call, in each session's own pool (a training step has
        // four), and those threads take the JS kernels' core: 2-thread step 105 -> 174 ms. A
        // bounded spin (onnxruntime 1.30's session.intra_op.spin_duration_us) was measured too:
        // the 2-thread step 2-7% slower at 0.5 ms, 6-11% at 1 ms, 12-14% at 2 ms, and 512³ still
        // under 80% of onnxruntime in lightly loaded runs (README, "GEMM pool policy"). What
        // made the sleeping pool thread join a 512³ GEMM in time is pinning it (poolAffinities),
        // as onnxruntime's own default pool does.
        extra: { session: {
          ...(!this.spin && { intra_op: { allow_spinning: '0' } }),
          ...(affinities && { intra_op_thread_affinities: affinities }),
        } },
      } as ort.InferenceSession.SessionOptions);
      this.sessions.set(key, s);
    }
    return s;
  }

  /**
   * out = alpha * op(a) @ op(b), with a as [batchA, ...] and b as [batchB, ...] (batch 1
   * broadcasts). `out` must hold max(batchA, batchB) * m * n elements.
   */
  private threadsFor(aDims: readonly number[], outDims: readonly number[], transA: boolean): number {
    const macs = outDims[0] * outDims[1] * outDims[2] * (transA ? aDims[1] : aDims[2]);
    return macs >= PARALLEL_MIN_MACS ? this.threads : 1;
  }

  /** Whether `run(..., accumulate = true)` can add into `out` itself: one matrix each, one thread. */
  accumulatesInPlace(aDims: readonly number[], bDims: readonly number[], outDims: readonly number[], transA: boolean): boolean {
    return aDims[0] === 1 && bDims[0] === 1 && this.threadsFor(aDims, outDims, transA) === 1;
  }

  run(
    a: Float32Array, aDims: [number, number, number],
    b: Float32Array, bDims: [number, number, number],
    out: Float32Array, outDims: [number, number, number],
    transA: boolean, transB: boolean, alpha: number, accumulate = false,
  ): void {
    const outSize = outDims[0] * outDims[1] * outDims[2];
    // Only a process that runs GEMMs with MB-sized outputs (training) changes malloc's behaviour.
    if (outSize >= LARGE_OUTPUT) raiseMallocMmapThreshold();
    const threads = this.threadsFor(aDims, outDims, transA);
    if (accumulate && !this.accumulatesInPlace(aDims, bDims, outDims, transA)) throw new Error('OrtGemm: accumulate needs one matrix each on one thread');
    // One matrix each on one thread: a 2-D Gemm node; the rest: FusedMatMul, which broadcasts a
    // batch of 1 (and on a pool measured no slower than Gemm, which the 80% target was set on).
    if (aDims[0] === 1 && bDims[0] === 1 && threads === 1) {
      const C = new ort.Tensor('float32', out, outDims.slice(1));
      // Accumulating, C is also Gemm's third input with beta 1: MLAS adds the product into it in
      // place (Gemm's copy of C into the output is a copy onto itself), with no scratch and no
      // second pass over the output.
      this.session(true, transA, transB, alpha, threads, accumulate).run(
        { A: new ort.Tensor('float32', a, aDims.slice(1)), B: new ort.Tensor('float32', b, bDims.slice(1)), ...(accumulate && { Cin: C }) },
        { C },
        {},
      );
      return;
    }
    this.session(false, transA, transB, alpha, threads).run(
      { A: new ort.Tensor('float32', a, aDims), B: new ort.Tensor('float32', b, bDims) },
      { C: new ort.Tensor('float32', out, outDims) },
      {},
    );
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }
}
