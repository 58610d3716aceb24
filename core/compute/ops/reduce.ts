/**
 * Reductions over axes: sum, mean, max (gradient to the first maximum).
 */
import { errors } from '../../errors/index.ts';
import { shapeSize, type ReduceOp } from '../backend.ts';
import { makeResult, type Tensor } from '../tensor.ts';
import { reshape } from './shape.ts';

export interface ReduceFlags {
  keepDims?: boolean;
}

/** Normalises axes (negative counts from the end) and checks them. */
export function normalizeAxes(op: string, rank: number, axes: number | readonly number[] | undefined): number[] {
  const list = axes === undefined ? [...Array(rank).keys()] : typeof axes === 'number' ? [axes] : [...axes];
  const out = list.map((a) => (a < 0 ? a + rank : a));
  for (const a of out) if (a < 0 || a >= rank) throw errors.shapeMismatch(op, `axis ${a} out of range for rank ${rank}`);
  return [...new Set(out)].sort((x, y) => x - y);
}

function reduceOne(op: ReduceOp, x: Tensor, axis: number, keepDims: boolean): Tensor {
  const be = x.backend;
  const outer = shapeSize(x.shape.slice(0, axis)), len = x.shape[axis], inner = shapeSize(x.shape.slice(axis + 1));
  const opts = { outer, axis: len, inner };
  const out = be.alloc(outer * inner);
  be.reduce(op, x.buffer, out, opts);
  const shape = keepDims ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
  return makeResult(op, [x], out, shape, (dy, grads) => {
    const g = grads.of(x);
    if (!g) return;
    if (op === 'max') {
      be.reduceMaxBackward(x.buffer, dy, g, opts, true);
      return;
    }
    // Spread dy back along the reduced axis (stride 0), scaled for mean.
    const scale = op === 'mean' ? 1 / len : 1;
    const ones = be.alloc(1);
    be.fill(ones, scale, 1);
    be.binary('mul', dy, ones, g, {
      shape: [outer, len, inner], aStrides: [inner, 0, 1], bStrides: [0, 0, 0], accumulate: true,
    });
    be.dispose(ones);
  });
}

function reduceAxes(op: ReduceOp, x: Tensor, axes: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const list = normalizeAxes(op, x.rank, axes);
  if (list.length === 0) return x;
  let cur = x;
  // From the last axis down, so the remaining axis numbers stay valid.
  for (let i = list.length - 1; i >= 0; i--) cur = reduceOne(op, cur, list[i], true);
  if (!keepDims) cur = reshape(cur, x.shape.filter((_, i) => !list.includes(i)));
  return cur;
}

/** Sum over the given axes (all when omitted). */
export function sum(x: Tensor, axes?: number | readonly number[], flags: ReduceFlags = {}): Tensor {
  return reduceAxes('sum', x, axes, !!flags.keepDims);
}
/** Mean over the given axes (all when omitted). */
export function mean(x: Tensor, axes?: number | readonly number[], flags: ReduceFlags = {}): Tensor {
  return reduceAxes('mean', x, axes, !!flags.keepDims);
}
/** Maximum over the given axes; the gradient goes to the first maximal element. */
export function max(x: Tensor, axes?: number | readonly number[], flags: ReduceFlags = {}): Tensor {
  return reduceAxes('max', x, axes, !!flags.keepDims);
}
