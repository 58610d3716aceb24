/**
 * Elementwise ops with broadcasting (add, sub, mul, div) and unary functions, with gradients.
 */
import { contiguousStrides, shapeSize, type UnaryOp } from '../backend.ts';
import { gatherRows, type RowGrad } from '../row-grad.ts';
import { makeResult, sameBackend, type GradAccess, type Tensor } from '../tensor.ts';
import { accumulateReduced, broadcastShapes, broadcastStrides } from './broadcast.ts';

type Operand = Tensor | number;

function binaryOp(op: 'add' | 'sub' | 'mul' | 'div', a: Tensor, b: Tensor): Tensor {
  const be = sameBackend(op, a, b);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const n = shapeSize(shape);
  const out = be.alloc(n);
  const as = broadcastStrides(a.shape, shape), bs = broadcastStrides(b.shape, shape);
  be.binary(op, a.buffer, b.buffer, out, { shape, aStrides: as, bStrides: bs });
  const dense = contiguousStrides(shape);
  const aFull = a.size === n, bFull = b.size === n;
  return makeResult(op, [a, b], out, shape, (dy, grads) => {
    // d/da and d/db: a product with dy, reduced to the operand's shape where it was broadcast.
    const emit = (full: boolean, target: Tensor, kernel: (dst: typeof dy, acc: boolean) => void) => {
      const g = grads.of(target);
      if (!g) return;
      if (full) return kernel(g, true);
      const tmp = be.alloc(n);
      kernel(tmp, false);
      accumulateReduced(be, tmp, shape, target.shape, g);
      be.dispose(tmp);
    };
    switch (op) {
      case 'add': {
        // Reduce into a broadcast operand first: passing dy on may hand the buffer over. dy
        // itself is what is reduced (no copy of it first).
        const reduceInto = (target: Tensor) => {
          const g = grads.of(target);
          if (g) accumulateReduced(be, dy, shape, target.shape, g);
        };
        if (!bFull) reduceInto(b);
        if (!aFull) reduceInto(a);
        if (aFull) grads.pass(a, dy);
        if (bFull) grads.pass(b, dy);
        break;
      }
      case 'sub':
        emit(bFull, b, (dst, acc) => be.affine(dy, dst, n, -1, 0, acc));
        if (aFull) grads.pass(a, dy);
        else emit(aFull, a, (dst, acc) => be.affine(dy, dst, n, 1, 0, acc));
        break;
      case 'mul':
        emit(aFull, a, (dst, acc) => be.binary('mul', dy, b.buffer, dst, { shape, aStrides: dense, bStrides: bs, accumulate: acc }));
        emit(bFull, b, (dst, acc) => be.binary('mul', dy, a.buffer, dst, { shape, aStrides: dense, bStrides: as, accumulate: acc }));
        break;
      case 'div':
        emit(aFull, a, (dst, acc) => be.binary('div', dy, b.buffer, dst, { shape, aStrides: dense, bStrides: bs, accumulate: acc }));
        // d(a/b)/db = -(a/b)/b = -out/b
        emit(bFull, b, (dst, acc) => {
          const t = be.alloc(n);
          be.binary('div', out, b.buffer, t, { shape, aStrides: dense, bStrides: bs });
          be.binary('mul', dy, t, t, { shape, aStrides: dense, bStrides: dense });
          be.affine(t, dst, n, -1, 0, acc);
          be.dispose(t);
        });
        break;
    }
  }, op === 'add' ? (dy, grads) => addRowsBackward(a, b, shape, dy, grads) : undefined);
}

/**
 * add's backward for a row-sparse dy: a full operand takes dy as it is; one broadcast across
 * the rows (a bias of the row width) sums dy's non-zero rows. Other broadcasts: dense.
 */
function addRowsBackward(a: Tensor, b: Tensor, shape: readonly number[], dy: RowGrad, grads: GradAccess): boolean {
  const n = shapeSize(shape);
  const rowBias = (t: Tensor) => t.size === dy.width && sameTrailingDims(t.shape, shape, dy.width);
  if ((a.size !== n && !rowBias(a)) || (b.size !== n && !rowBias(b))) return false;
  // Reduce into a bias first: passing dy on may hand its values over to be accumulated into.
  for (const t of [a, b]) {
    const g = t.size !== n ? grads.of(t) : null;
    if (g) t.backend.reduce('sum', dy.values, g, { outer: 1, axis: dy.rows.count, inner: dy.width }, true);
  }
  if (a.size === n) grads.passRows(a, dy);
  if (b.size === n) grads.passRows(b, dy);
  return true;
}

/** Whether `shape` (size `width`) equals the trailing dims of `outShape` that make up `width` elements. */
function sameTrailingDims(shape: readonly number[], outShape: readonly number[], width: number): boolean {
  let size = 1;
  for (let i = 1; size < width && i <= outShape.length; i++) {
    size *= outShape[outShape.length - i];
    if ((shape[shape.length - i] ?? 1) !== outShape[outShape.length - i]) return false;
  }
  return size === width;
}

/** a + b with broadcasting. */
export function add(a: Tensor, b: Operand): Tensor {
  return typeof b === 'number' ? affine(a, 1, b) : binaryOp('add', a, b);
}
/** a - b with broadcasting. */
export function sub(a: Tensor, b: Operand): Tensor {
  return typeof b === 'number' ? affine(a, 1, -b) : binaryOp('sub', a, b);
}
/** a * b with broadcasting. */
export function mul(a: Tensor, b: Operand): Tensor {
  return typeof b === 'number' ? affine(a, b, 0) : binaryOp('mul', a, b);
}
/** a / b with broadcasting. */
export function div(a: Tensor, b: Operand): Tensor {
  return typeof b === 'number' ? affine(a, 1 / b, 0) : binaryOp('div', a, b);
}

/** alpha * x + beta. */
export function affine(x: Tensor, alpha: number, beta: number): Tensor {
  const be = x.backend;
  const out = be.alloc(x.size);
  be.affine(x.buffer, out, x.size, alpha, beta);
  return makeResult('affine', [x], out, x.shape, (dy, grads) => {
    const g = grads.of(x);
    if (g) be.affine(dy, g, x.size, alpha, 0, true);
  }, (dy, grads) => {
    // In place: dy's values are this node's own (handed over to it, not shared).
    be.affine(dy.values, dy.values, dy.rows.count * dy.width, alpha, 0);
    grads.passRows(x, dy);
    return true;
  });
}

/** Applies a unary function elementwise. */
export function unary(op: UnaryOp, x: Tensor): Tensor {
  const be = x.backend;
  const out = be.alloc(x.size);
  be.unary(op, x.buffer, out, x.size);
  return makeResult(op, [x], out, x.shape, (dy, grads) => {
    const g = grads.of(x);
    if (g) be.unaryBackward(op, x.buffer, out, dy, g, x.size, true);
  }, (dy, grads) => {
    if (!x.requiresGrad) return true;
    const xs = gatherRows(be, x.buffer, dy.rows, dy.width), ys = gatherRows(be, out, dy.rows, dy.width);
    // In place: dy's values are this node's own (handed over to it, not shared).
    be.unaryBackward(op, xs, ys, dy.values, dy.values, dy.rows.count * dy.width);
    be.dispose(xs);
    be.dispose(ys);
    grads.passRows(x, dy);
    return true;
  });
}

export const neg = (x: Tensor) => unary('neg', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const square = (x: Tensor) => unary('square', x);
export const abs = (x: Tensor) => unary('abs', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const relu = (x: Tensor) => unary('relu', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);

/** GELU: 'tanh' approximation (CLIP, DFER-CLIP) or exact 'erf'. */
export function gelu(x: Tensor, approximate: 'tanh' | 'erf' = 'tanh'): Tensor {
  return unary(approximate === 'tanh' ? 'gelu_tanh' : 'gelu_erf', x);
}
