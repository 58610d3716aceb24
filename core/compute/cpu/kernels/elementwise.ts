/**
 * Elementwise kernels: unary ops and their derivatives, affine, binary ops with broadcasting
 * (strides), strided copy, dropout masks. Plain loops over Float32Arrays; each op's loop is
 * compiled on its own (../codegen.ts). GELU (tanh), the costliest op of a transformer's MLP,
 * runs as WASM SIMD (../wasm/simd.ts); the JS loops stay its reference in the tests.
 */
import { hashUniform, type BinaryOp, type BinaryOptions, type CopyOptions, type UnaryOp } from '../../backend.ts';
import { coalesce } from '../../coalesce-dims.ts';
import { compilePerOp } from '../codegen.ts';
import { geluErf, geluErfGrad, geluTanh, geluTanhGrad, sigmoid } from '../math.ts';
import * as simd from '../wasm/simd.ts';

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

const OPS = Object.keys(UNARY) as UnaryOp[];
const UNARY_LOOPS = compilePerOp<UnaryOp, UnaryLoop>(OPS, (op) => `function (x, out, n) { const fn = UNARY.${op}; for (let i = 0; i < n; i++) out[i] = fn(x[i]); }`, { UNARY });
const UNARY_ACC = compilePerOp<UnaryOp, UnaryLoop>(OPS, (op) => `function (x, out, n) { const fn = UNARY.${op}; for (let i = 0; i < n; i++) out[i] += fn(x[i]); }`, { UNARY });
const UNARY_GRAD_LOOPS = compilePerOp<UnaryOp, UnaryGradLoop>(OPS, (op) => `function (x, y, dy, dx, n, acc) { const g = UNARY_GRAD.${op};
  if (acc) for (let i = 0; i < n; i++) dx[i] += dy[i] * g(x[i], y[i]);
  else for (let i = 0; i < n; i++) dx[i] = dy[i] * g(x[i], y[i]); }`, { UNARY_GRAD });

export function unary(op: UnaryOp, x: Float32Array, out: Float32Array, n: number, accumulate: boolean): void {
  if (op === 'copy' && !accumulate) out.set(x.subarray(0, n));
  else if (op === 'gelu_tanh') simd.geluTanh(x, out, n, accumulate);
  else unaryJs(op, x, out, n, accumulate);
}

export function unaryBackward(op: UnaryOp, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, n: number, accumulate: boolean): void {
  if (op === 'gelu_tanh') simd.geluTanhGrad(x, dy, dx, n, accumulate);
  else unaryBackwardJs(op, x, y, dy, dx, n, accumulate);
}

/** The plain JS loop of every unary op (the reference of the SIMD ones). */
export function unaryJs(op: UnaryOp, x: Float32Array, out: Float32Array, n: number, accumulate: boolean): void {
  (accumulate ? UNARY_ACC : UNARY_LOOPS)[op](x, out, n);
}

export function unaryBackwardJs(op: UnaryOp, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, n: number, accumulate: boolean): void {
  UNARY_GRAD_LOOPS[op](x, y, dy, dx, n, accumulate);
}

export function affine(x: Float32Array, out: Float32Array, n: number, alpha: number, beta: number, accumulate: boolean): void {
  // The identity (gradients handed on to a second operand) is a copy: memcpy, 20x a loop.
  if (alpha === 1 && beta === 0 && !accumulate) {
    if (x !== out) out.set(x.subarray(0, n));
    return;
  }
  if (accumulate) for (let i = 0; i < n; i++) out[i] += alpha * x[i] + beta;
  else for (let i = 0; i < n; i++) out[i] = alpha * x[i] + beta;
}

type BinaryLoop = (a: Float32Array, ao: number, as: number, b: Float32Array, bo: number, bs: number,
  out: Float32Array, oo: number, n: number) => void;

const BINARY_EXPR: Record<BinaryOp, string> = {
  add: 'A + B', sub: 'A - B', mul: 'A * B', div: 'A / B', max: 'Math.max(A, B)', min: 'Math.min(A, B)',
};

function binaryLoops(acc: boolean, unit: boolean): Record<BinaryOp, BinaryLoop> {
  const [ai, bi] = unit ? ['a[ao + i]', 'b[bo + i]'] : ['a[ao + i * as]', 'b[bo + i * bs]'];
  return compilePerOp<BinaryOp, BinaryLoop>(Object.keys(BINARY_EXPR) as BinaryOp[], (op) => {
    const expr = BINARY_EXPR[op].replace('A', ai).replace('B', bi);
    return `function (a, ao, as, b, bo, bs, out, oo, n) { for (let i = 0; i < n; i++) out[oo + i] ${acc ? '+=' : '='} ${expr}; }`;
  });
}
const BINARY = { unit: binaryLoops(false, true), strided: binaryLoops(false, false) };
const BINARY_ACC = { unit: binaryLoops(true, true), strided: binaryLoops(true, false) };

export function binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, opts: BinaryOptions): void {
  const [shape, as, bs] = coalesce(opts.shape, opts.aStrides, opts.bStrides);
  // Sums of dense operands and bias rows (a transformer's residuals and biases) run as SIMD.
  if (op === 'add' && !opts.accumulate && as[as.length - 1] === 1) {
    if (shape.length === 1 && bs[0] === 1) return simd.add(a, b, out, shape[0]);
    if (shape.length === 2 && as[0] === shape[1] && bs[0] === 0 && bs[1] === 1 && simd.columnsFit(shape[1])) {
      return simd.addRow(a, b, out, shape[0], shape[1]);
    }
  }
  binaryJs(op, a, b, out, shape, as, bs, !!opts.accumulate);
}

/** The JS loops of binary ops over coalesced dims (the reference of the SIMD sums). */
export function binaryJs(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array,
  shape: number[], as: number[], bs: number[], accumulate: boolean): void {
  const rank = shape.length;
  const inner = rank === 0 ? 1 : shape[rank - 1];
  const ias = rank === 0 ? 0 : as[rank - 1], ibs = rank === 0 ? 0 : bs[rank - 1];
  const table = accumulate ? BINARY_ACC : BINARY;
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

export function stridedCopy(x: Float32Array, out: Float32Array, opts: CopyOptions): void {
  const [shape, ss, ds] = coalesce(opts.shape, opts.srcStrides, opts.dstStrides);
  // Permutations of short rows (attention's heads) move block by block inside WASM memory.
  if (shape.length > 1 && shape[shape.length - 1] < 256 &&
    simd.blockCopy(x, out, shape, ss, ds, opts.srcOffset ?? 0, opts.dstOffset ?? 0, !!opts.accumulate)) return;
  stridedCopyJs(x, out, shape, ss, ds, opts);
}

/** The JS loops of a strided copy over coalesced dims (the reference of the block copy). */
export function stridedCopyJs(x: Float32Array, out: Float32Array, shape: number[], ss: number[], ds: number[], opts: CopyOptions): void {
  const rank = shape.length;
  const inner = rank === 0 ? 1 : shape[rank - 1];
  const iss = rank === 0 ? 0 : ss[rank - 1], ids = rank === 0 ? 0 : ds[rank - 1];
  let outer = 1;
  for (let k = 0; k < rank - 1; k++) outer *= shape[k];
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let so = opts.srcOffset ?? 0, dof = opts.dstOffset ?? 0;
  const acc = !!opts.accumulate;
  const unit = iss === 1 && ids === 1;
  for (let r = 0; r < outer; r++) {
    // Unit-stride rows: a memcpy (even for attention's rows of 64 a subarray and set beat a
    // loop, 2x), or a loop without index multiplies.
    if (unit && acc) for (let i = 0; i < inner; i++) out[dof + i] += x[so + i];
    else if (unit) out.set(x.subarray(so, so + inner), dof);
    else if (acc) for (let i = 0; i < inner; i++) out[dof + i * ids] += x[so + i * iss];
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

export function dropoutMask(out: Float32Array, n: number, p: number, seed: number, offset: number): void {
  const keep = 1 / (1 - p);
  for (let i = 0; i < n; i++) out[i] = hashUniform(seed, offset + i) >= p ? keep : 0;
}
