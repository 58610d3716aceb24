/**
 * Batched GEMM, C[b] = alpha * op(A[b]) @ op(B[b]) (+ C[b]): small products in JS loops
 * (../js-gemm.ts), the rest on onnxruntime's MLAS (../ort-gemm.ts).
 */
import type { MatmulOptions } from '../../backend.ts';
import { jsMatmul } from '../js-gemm.ts';
import { OrtGemm } from '../ort-gemm.ts';

/** Below this many multiply-adds a JS loop beats the cost of an onnxruntime call. */
const ORT_MIN_MACS = 1 << 15;

export class CpuGemm {
  private readonly ort: OrtGemm;
  private scratch = new Float32Array(0);

  /** `naive`: JS loops for every size (a slow reference). */
  constructor(threads: number | undefined, spinThreads: boolean, private readonly naive: boolean) {
    this.ort = new OrtGemm(threads, spinThreads);
  }

  run(a: Float32Array, b: Float32Array, out: Float32Array, o: MatmulOptions): void {
    const { batch, m, k, n } = o;
    const transA = !!o.transA, transB = !!o.transB, alpha = o.alpha ?? 1;
    const total = batch * m * n;
    if (this.naive || batch * m * k * n < ORT_MIN_MACS) {
      if (!o.accumulate) out.fill(0, 0, total);
      jsMatmul(a, b, out, batch, m, k, n, transA, transB, !!o.aBroadcast, !!o.bBroadcast, alpha);
      return;
    }
    // A weight matrix shared by a batch of row-major A (no transA) is one tall GEMM.
    const tall = o.bBroadcast && !o.aBroadcast && !transA;
    const aDims: [number, number, number] = tall ? [1, batch * m, k] : [o.aBroadcast ? 1 : batch, transA ? k : m, transA ? m : k];
    const bDims: [number, number, number] = [tall || o.bBroadcast ? 1 : batch, transB ? n : k, transB ? k : n];
    const outDims: [number, number, number] = tall ? [1, batch * m, n] : [batch, m, n];
    // Accumulating: into `out` itself where onnxruntime can (Gemm's C input), else through scratch.
    const inPlace = !!o.accumulate && this.ort.accumulatesInPlace(aDims, bDims, outDims, transA);
    const target = o.accumulate && !inPlace ? this.scratchOf(total) : out.subarray(0, total);
    const size = (d: number[]) => d[0] * d[1] * d[2];
    this.ort.run(a.subarray(0, size(aDims)), aDims, b.subarray(0, size(bDims)), bDims, target, outDims, transA, transB, alpha, inPlace);
    if (o.accumulate && !inPlace) for (let i = 0; i < total; i++) out[i] += target[i];
  }

  /** Frees the onnxruntime sessions. */
  close(): void {
    this.ort.dispose();
  }

  private scratchOf(n: number): Float32Array {
    if (this.scratch.length < n) this.scratch = new Float32Array(n);
    return this.scratch.subarray(0, n);
  }
}
