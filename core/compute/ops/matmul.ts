/**
 * Matrix products: C = alpha * op(A) @ op(B), for matrices and batches of them.
 */
import { errors } from '../../errors/index.ts';
import { shapeSize, type Backend, type DeviceBuffer, type MatmulOptions } from '../backend.ts';
import { gatherRows, RowGrad } from '../row-grad.ts';
import { makeResult, sameBackend, type GradAccess, type Tensor } from '../tensor.ts';

export interface MatmulFlags {
  /** Use the transpose of the last two dims of a. */
  transA?: boolean;
  /** Use the transpose of the last two dims of b. */
  transB?: boolean;
  /** Scale of the product (e.g. 1/sqrt(d) in attention). */
  alpha?: number;
}

/**
 * Batched matrix product. a is [...batch, m, k] and b is [...batch, k, n] (or transposed per
 * flags); either operand may be a single matrix (rank 2) shared across the other's batch.
 * Batch dims must otherwise be equal.
 */
export function matmul(a: Tensor, b: Tensor, flags: MatmulFlags = {}): Tensor {
  const be = sameBackend('matmul', a, b);
  if (a.rank < 2 || b.rank < 2) throw errors.shapeMismatch('matmul', `needs rank >= 2, got [${a.shape}] and [${b.shape}]`);
  const transA = !!flags.transA, transB = !!flags.transB, alpha = flags.alpha ?? 1;
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const m = transA ? ac : ar, k = transA ? ar : ac;
  const kb = transB ? bc : br, n = transB ? br : bc;
  if (k !== kb) throw errors.shapeMismatch('matmul', `inner dims differ: [${a.shape}]${transA ? 'ᵀ' : ''} @ [${b.shape}]${transB ? 'ᵀ' : ''}`);
  const aBatch = a.shape.slice(0, -2), bBatch = b.shape.slice(0, -2);
  const aBroadcast = aBatch.length === 0 && bBatch.length > 0;
  const bBroadcast = bBatch.length === 0 && aBatch.length > 0;
  if (!aBroadcast && !bBroadcast && aBatch.join() !== bBatch.join()) {
    throw errors.shapeMismatch('matmul', `batch dims differ: [${a.shape}] and [${b.shape}]`);
  }
  const batchShape = aBroadcast ? bBatch : aBatch;
  const batch = shapeSize(batchShape);
  const out = be.alloc(batch * m * n);
  be.matmul(a.buffer, b.buffer, out, { batch, m, k, n, transA, transB, aBroadcast, bBroadcast, alpha });
  return makeResult('matmul', [a, b], out, [...batchShape, m, n], (dy, grads) => {
    const ga = grads.of(a), gb = grads.of(b);
    if (ga) gradA(be, dy, b.buffer, ga, { batch, m, k, n, transA, transB, aBroadcast, bBroadcast, alpha });
    if (gb) gradB(be, a.buffer, dy, gb, { batch, m, k, n, transA, transB, aBroadcast, bBroadcast, alpha });
  }, (dy, grads) => {
    // Row r of C is row r of A times op(B) when A is not transposed and B is one matrix.
    if (transA || dy.width !== n || !(batch === 1 || bBroadcast)) return false;
    gradsOfRows(be, a, b, dy, grads, { k, n, transB, alpha });
    return true;
  });
}

/**
 * The gradients of C = A op(B) (A as rows of k, B one matrix) for a row-sparse dC: dA has the
 * same non-zero rows, dA = dC op(B)ᵀ on them only; dB = Aᵀ dC needs only those rows of A.
 */
function gradsOfRows(be: Backend, a: Tensor, b: Tensor, dC: RowGrad, grads: GradAccess,
  o: { k: number; n: number; transB: boolean; alpha: number }): void {
  const { k, n, transB, alpha } = o, rows = dC.rows.count;
  const gB = grads.of(b);
  if (gB) {
    const aRows = gatherRows(be, a.buffer, dC.rows, k);
    if (!transB) be.matmul(aRows, dC.values, gB, { batch: 1, m: k, k: rows, n, transA: true, alpha, accumulate: true });
    else be.matmul(dC.values, aRows, gB, { batch: 1, m: n, k: rows, n: k, transA: true, alpha, accumulate: true });
    be.dispose(aRows);
  }
  if (!a.requiresGrad) return;
  const dA = be.alloc(rows * k);
  be.matmul(dC.values, b.buffer, dA, { batch: 1, m: rows, k: n, n: k, transB: !transB, alpha });
  grads.passRows(a, new RowGrad(dC.rows, k, dA));
}

/**
 * dA += alpha * dC op(B)ᵀ (or its transpose when transA). When A was shared across the batch,
 * the per-batch gradients are summed: one tall GEMM when the layout allows it, else a reduction.
 */
function gradA(be: Backend, dC: DeviceBuffer, B: DeviceBuffer, gA: DeviceBuffer, o: Omit<Required<MatmulOptions>, 'accumulate'> & { accumulate?: boolean }): void {
  const { batch, m, k, n, transA, transB, alpha } = o;
  if (o.aBroadcast && batch > 1) {
    const tmp = be.alloc(batch * m * k);
    gradA(be, dC, B, tmp, { ...o, aBroadcast: false, accumulate: false });
    be.reduce('sum', tmp, gA, { outer: 1, axis: batch, inner: m * k }, true);
    be.dispose(tmp);
    return;
  }
  const common = { batch, alpha, accumulate: true, bBroadcast: o.bBroadcast };
  if (!transA) {
    // dA[m,k] = dC[m,n] @ op(B)ᵀ[n,k]
    be.matmul(dC, B, gA, { ...common, m, k: n, n: k, transA: false, transB: !transB, aBroadcast: false });
  } else {
    // dA[k,m] = op(B)[k,n] @ dCᵀ[n,m]
    be.matmul(B, dC, gA, { ...common, m: k, k: n, n: m, transA: transB, transB: true, aBroadcast: o.bBroadcast, bBroadcast: false });
  }
}

/** dB += alpha * op(A)ᵀ dC (or its transpose when transB), summed over the batch when B was shared. */
function gradB(be: Backend, A: DeviceBuffer, dC: DeviceBuffer, gB: DeviceBuffer, o: Omit<Required<MatmulOptions>, 'accumulate'> & { accumulate?: boolean }): void {
  const { batch, m, k, n, transA, transB, alpha } = o;
  if (o.bBroadcast && batch > 1) {
    if (!transA) {
      // A and dC stack into tall matrices [batch*m, k] and [batch*m, n]: one GEMM sums the batch.
      const M = batch * m;
      if (!transB) be.matmul(A, dC, gB, { batch: 1, m: k, k: M, n, transA: true, transB: false, alpha, accumulate: true });
      else be.matmul(dC, A, gB, { batch: 1, m: n, k: M, n: k, transA: true, transB: false, alpha, accumulate: true });
      return;
    }
    const tmp = be.alloc(batch * k * n);
    gradB(be, A, dC, tmp, { ...o, bBroadcast: false, accumulate: false });
    be.reduce('sum', tmp, gB, { outer: 1, axis: batch, inner: k * n }, true);
    be.dispose(tmp);
    return;
  }
  const common = { batch, alpha, accumulate: true, aBroadcast: o.aBroadcast };
  if (!transB) {
    // dB[k,n] = op(A)ᵀ[k,m] @ dC[m,n]
    be.matmul(A, dC, gB, { ...common, m: k, k: m, n, transA: !transA, transB: false, bBroadcast: false });
  } else {
    // dB[n,k] = dCᵀ[n,m] @ op(A)[m,k]
    be.matmul(dC, A, gB, { ...common, m: n, k: m, n: k, transA: true, transB: transA, aBroadcast: false, bBroadcast: o.aBroadcast });
  }
}
