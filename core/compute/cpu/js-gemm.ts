/**
 * GEMM in plain JavaScript, for matrices too small to be worth an onnxruntime call, and as
 * the naive reference of the benchmark. Accumulates into `out` (the caller zeroes it).
 * Every output element is summed over p in order 0..k-1, in f64, then rounded once.
 */
export function jsMatmul(
  a: Float32Array, b: Float32Array, out: Float32Array,
  batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, aBroadcast: boolean, bBroadcast: boolean, alpha: number,
): void {
  // Element strides of op(A)[i, p] and op(B)[p, j].
  const ai = transA ? 1 : k, ap = transA ? m : 1;
  const bp = transB ? 1 : n, bj = transB ? k : 1;
  const aStep = aBroadcast ? 0 : m * k, bStep = bBroadcast ? 0 : k * n;
  for (let t = 0; t < batch; t++) {
    const a0 = t * aStep, b0 = t * bStep, c0 = t * m * n;
    for (let i = 0; i < m; i++) {
      const ar = a0 + i * ai;
      for (let j = 0; j < n; j++) {
        const bc = b0 + j * bj;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ar + p * ap] * b[bc + p * bp];
        out[c0 + i * n + j] += alpha * s;
      }
    }
  }
}
