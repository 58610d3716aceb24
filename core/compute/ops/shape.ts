/**
 * Layout ops: reshape (a view), transpose, slice, concat (strided copies), with gradients.
 */
import { errors } from '../../errors/index.ts';
import { contiguousStrides, shapeSize } from '../backend.ts';
import { RowGrad, RowSet } from '../row-grad.ts';
import { makeResult, makeView, sameBackend, type Tensor } from '../tensor.ts';

/** Same values, new shape; one dim may be -1 (inferred). No copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.length - known.length;
  if (inferred > 1) throw errors.shapeMismatch('reshape', `at most one -1 in [${shape}]`);
  const rest = shapeSize(known);
  const full = inferred ? shape.map((d) => (d === -1 ? x.size / rest : d)) : [...shape];
  if (shapeSize(full) !== x.size || full.some((d) => !Number.isInteger(d) || d < 0)) {
    throw errors.shapeMismatch('reshape', `cannot view [${x.shape}] (${x.size}) as [${shape}]`);
  }
  return makeView(x, full, (dy, grads) => grads.pass(x, dy));
}

/**
 * A dense copy of the elements of x at offset + Σ i_d·strides[d] over `shape` (NumPy's
 * as_strided followed by a copy). The positions must not overlap (a permutation, slice or
 * selection of x); the gradient scatters back through the same positions. Lets a layer pick,
 * say, the k heads out of a fused qkv projection in one copy instead of transpose + slice.
 */
export function gatherStrided(x: Tensor, shape: readonly number[], strides: readonly number[], offset = 0): Tensor {
  if (strides.length !== shape.length) throw errors.shapeMismatch('gatherStrided', `${strides.length} strides for shape [${shape}]`);
  let last = offset;
  shape.forEach((d, i) => (last += (d - 1) * strides[i]));
  if (offset < 0 || last >= x.size || strides.some((s) => s < 0)) throw errors.shapeMismatch('gatherStrided', `view reaches outside [${x.shape}]`);
  const be = x.backend;
  const dense = contiguousStrides(shape);
  const out = be.alloc(shapeSize(shape));
  be.copy(x.buffer, out, { shape, srcStrides: strides, srcOffset: offset, dstStrides: dense });
  return makeResult('gatherStrided', [x], out, shape, (dy, grads) => {
    const g = grads.of(x);
    if (g) be.copy(dy, g, { shape, srcStrides: dense, dstStrides: strides, dstOffset: offset, accumulate: true });
  });
}

/** Permutes dims: out.shape[i] = x.shape[perm[i]]. Default: reverse (matrix transpose for rank 2). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => (a < 0 ? a + x.rank : a)) : [...x.shape.keys()].reverse();
  if (p.length !== x.rank || new Set(p).size !== x.rank || p.some((a) => a < 0 || a >= x.rank)) {
    throw errors.shapeMismatch('transpose', `[${perm}] is not a permutation of ${x.rank} axes`);
  }
  const be = x.backend;
  const shape = p.map((a) => x.shape[a]);
  const xs = contiguousStrides(x.shape);
  const srcStrides = p.map((a) => xs[a]);
  const dense = contiguousStrides(shape);
  const out = be.alloc(x.size);
  be.copy(x.buffer, out, { shape, srcStrides, dstStrides: dense });
  return makeResult('transpose', [x], out, shape, (dy, grads) => {
    const g = grads.of(x);
    // Scatter back through the same index map: out position (dense) -> x position (srcStrides).
    if (g) be.copy(dy, g, { shape, srcStrides: dense, dstStrides: srcStrides, accumulate: true });
  });
}

/** Elements start..end-1 along `axis`. */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const ax = axis < 0 ? axis + x.rank : axis;
  if (ax < 0 || ax >= x.rank || start < 0 || end > x.shape[ax] || start > end) {
    throw errors.shapeMismatch('slice', `[${start}, ${end}) along axis ${axis} of [${x.shape}]`);
  }
  const be = x.backend;
  const shape = x.shape.map((d, i) => (i === ax ? end - start : d));
  const xs = contiguousStrides(x.shape);
  const dense = contiguousStrides(shape);
  const offset = start * xs[ax];
  const out = be.alloc(shapeSize(shape));
  be.copy(x.buffer, out, { shape, srcStrides: xs, srcOffset: offset, dstStrides: dense });
  // Sliced along a leading axis, the gradient of x is dy's rows among zero rows: passed on
  // row-sparse (../row-grad.ts) when they are at most half of x.
  const width = x.shape[x.rank - 1], perIndex = xs[ax] / width;
  const sparse = ax < x.rank - 1 && end > start && 2 * (end - start) <= x.shape[ax];
  return makeResult('slice', [x], out, shape, (dy, grads) => {
    if (sparse) {
      const rows = RowSet.ofBlocks(x.size / width, x.shape[ax] * perIndex, start * perIndex, end * perIndex);
      return grads.passRows(x, new RowGrad(rows, width, dy));
    }
    const g = grads.of(x);
    if (g) be.copy(dy, g, { shape, srcStrides: dense, dstStrides: xs, dstOffset: offset, accumulate: true });
  });
}

/** Joins tensors along `axis`; all other dims must match. */
export function concat(ts: readonly Tensor[], axis: number): Tensor {
  if (ts.length === 0) throw errors.invalidComputeArgument('concat', 'needs at least one tensor');
  const be = sameBackend('concat', ...ts);
  const rank = ts[0].rank;
  const ax = axis < 0 ? axis + rank : axis;
  for (const t of ts) {
    if (t.rank !== rank || t.shape.some((d, i) => i !== ax && d !== ts[0].shape[i])) {
      throw errors.shapeMismatch('concat', `[${t.shape}] does not fit [${ts[0].shape}] along axis ${axis}`);
    }
  }
  const shape = ts[0].shape.map((d, i) => (i === ax ? ts.reduce((s, t) => s + t.shape[ax], 0) : d));
  const dense = contiguousStrides(shape);
  const out = be.alloc(shapeSize(shape));
  const offsets: number[] = [];
  let at = 0;
  for (const t of ts) {
    offsets.push(at * dense[ax]);
    be.copy(t.buffer, out, { shape: t.shape, srcStrides: contiguousStrides(t.shape), dstStrides: dense, dstOffset: at * dense[ax] });
    at += t.shape[ax];
  }
  return makeResult('concat', ts, out, shape, (dy, grads) => {
    ts.forEach((t, i) => {
      const g = grads.of(t);
      if (g) be.copy(dy, g, { shape: t.shape, srcStrides: dense, srcOffset: offsets[i], dstStrides: contiguousStrides(t.shape), accumulate: true });
    });
  });
}
