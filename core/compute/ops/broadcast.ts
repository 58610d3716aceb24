/**
 * NumPy broadcasting: shapes align on the right; a dim of 1 stretches. Forward kernels read a
 * broadcast operand with stride 0; backward sums the gradient over the stretched dims.
 */
import { errors } from '../../errors/index.ts';
import { contiguousStrides, shapeSize, type Backend, type DeviceBuffer } from '../backend.ts';

export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw errors.shapeMismatch(op, `cannot broadcast [${a}] with [${b}]`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read `shape` (dense) as if it had `outShape`, with 0 on stretched dims. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const dense = contiguousStrides(shape);
  const off = outShape.length - shape.length;
  return outShape.map((d, i) => (i < off || (shape[i - off] === 1 && d !== 1) ? 0 : dense[i - off]));
}

/**
 * grad += dy summed down to `shape` (the inverse of broadcasting). dy is dense over `outShape`.
 * Each maximal run of stretched dims becomes one [outer, axis, inner] reduction.
 */
export function accumulateReduced(be: Backend, dy: DeviceBuffer, outShape: readonly number[],
  shape: readonly number[], grad: DeviceBuffer): void {
  const off = outShape.length - shape.length;
  const cur = [...outShape];
  const stretched = cur.map((d, i) => d !== 1 && (i < off || shape[i - off] === 1));
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < cur.length; i++) {
    if (!stretched[i]) continue;
    let j = i;
    while (j < cur.length && (stretched[j] || cur[j] === 1)) j++;
    runs.push([i, j]);
    i = j - 1;
  }
  if (runs.length === 0) {
    be.affine(dy, grad, shapeSize(outShape), 1, 0, true);
    return;
  }
  let src = dy;
  // Reduce the rightmost run first so earlier indices stay valid.
  for (let r = runs.length - 1; r >= 0; r--) {
    const [i, j] = runs[r];
    const outer = shapeSize(cur.slice(0, i)), axis = shapeSize(cur.slice(i, j)), inner = shapeSize(cur.slice(j));
    const last = r === 0;
    const dst = last ? grad : be.alloc(outer * inner);
    be.reduce('sum', src, dst, { outer, axis, inner }, last);
    if (src !== dy) be.dispose(src);
    src = dst;
    for (let k = i; k < j; k++) cur[k] = 1;
  }
}
