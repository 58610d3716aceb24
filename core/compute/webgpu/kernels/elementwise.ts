/**
 * Elementwise kernels: fill, unary ops and their derivatives, affine, binary ops with
 * broadcasting (strides), strided copy, dropout masks. One thread per output element.
 * The math mirrors core/compute/cpu/math.ts so both backends agree to f32 rounding.
 */
import type { BinaryOp, UnaryOp } from '../../backend.ts';
import { entry1d, grid1d, kernel, store, type BufRef, type Field, type Kernel } from './common.ts';

/** WGSL versions of the scalar functions in cpu/math.ts. */
export const MATH_WGSL = /* wgsl */ `
const SQRT_2_OVER_PI = 0.7978845608028654;
const INV_SQRT_2 = 0.7071067811865476;
const INV_SQRT_2PI = 0.3989422804014327;
// tanh from exp, with a series near 0 (where 1 - 2/(e^2x + 1) cancels) and saturation far out,
// so it neither overflows nor depends on the driver's builtin.
fn tanh_(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.0625) { let x2 = x * x; return x * (1.0 - x2 * (0.3333333333 - x2 * 0.1333333333)); }
  if (a > 15.0) { return sign(x); }
  return sign(x) * (1.0 - 2.0 / (exp(2.0 * a) + 1.0));
}
// A&S 7.1.26 as in cpu/math.ts, written as 1 + erf(x) so that the tail x << 0, where
// 1 + erf cancels in f32, is computed directly (poly * exp(-x^2)).
fn one_plus_erf(x: f32) -> f32 {
  let ax = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * ax);
  let tail = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * exp(-ax * ax);
  return select(2.0 - tail, tail, x < 0.0);
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
// 1 + tanh(u) = 2 sigmoid(2u) and 1 - tanh(u)^2 = 4 sigmoid(2u) sigmoid(-2u): no cancellation
// where tanh saturates (x << 0 here), unlike the textbook form.
fn gelu_tanh_(x: f32) -> f32 {
  let u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
  return x * sigmoid_(2.0 * u);
}
fn gelu_tanh_grad(x: f32) -> f32 {
  let u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
  let sp = sigmoid_(2.0 * u);
  let sn = sigmoid_(-2.0 * u);
  let du = SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * x * x);
  return sp + 2.0 * x * sp * sn * du;
}
fn gelu_erf_(x: f32) -> f32 { return 0.5 * x * one_plus_erf(x * INV_SQRT_2); }
fn gelu_erf_grad(x: f32) -> f32 {
  return 0.5 * one_plus_erf(x * INV_SQRT_2) + x * INV_SQRT_2PI * exp(-0.5 * x * x);
}
`;

const UNARY_EXPR: Record<UnaryOp, (x: string) => string> = {
  copy: (x) => x,
  neg: (x) => `-${x}`,
  exp: (x) => `exp(${x})`,
  log: (x) => `log(${x})`,
  sqrt: (x) => `sqrt(${x})`,
  rsqrt: (x) => `(1.0 / sqrt(${x}))`,
  square: (x) => `(${x} * ${x})`,
  abs: (x) => `abs(${x})`,
  tanh: (x) => `tanh_(${x})`,
  relu: (x) => `max(${x}, 0.0)`,
  sigmoid: (x) => `sigmoid_(${x})`,
  gelu_tanh: (x) => `gelu_tanh_(${x})`,
  gelu_erf: (x) => `gelu_erf_(${x})`,
};

/** d op / dx from the input x and the output y, as in the cpu backend's UNARY_GRAD. */
const UNARY_GRAD_EXPR: Record<UnaryOp, (x: string, y: string) => string> = {
  copy: () => '1.0',
  neg: () => '-1.0',
  exp: (_x, y) => y,
  log: (x) => `(1.0 / ${x})`,
  sqrt: (_x, y) => `(0.5 / ${y})`,
  rsqrt: (x, y) => `(-0.5 * ${y} / ${x})`,
  square: (x) => `(2.0 * ${x})`,
  abs: (x) => `sign(${x})`,
  tanh: (_x, y) => `(1.0 - ${y} * ${y})`,
  relu: (x) => `select(0.0, 1.0, ${x} > 0.0)`,
  sigmoid: (_x, y) => `(${y} * (1.0 - ${y}))`,
  gelu_tanh: (x) => `gelu_tanh_grad(${x})`,
  gelu_erf: (x) => `gelu_erf_grad(${x})`,
};

const BINARY_EXPR: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  max: (a, b) => `max(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
};

export function fillKernel(out: BufRef, value: number, n: number): Kernel {
  const type = out.dtype;
  return kernel([{ name: 'out', buf: out, write: true }], [['n', 'u32', n], ['value', type === 'f32' ? 'f32' : 'i32', value]],
    (v) => `${entry1d()}
  if (i >= p.n) { return; }
  ${v.out}[i] = p.value;
}`, grid1d(n));
}

export function unaryKernel(op: UnaryOp, x: BufRef, out: BufRef, n: number, accumulate?: boolean): Kernel {
  return kernel([{ name: 'x', buf: x }, { name: 'out', buf: out, write: true }], [['n', 'u32', n]],
    (v) => `${entry1d()}
  if (i >= p.n) { return; }
  ${store(`${v.out}[i]`, UNARY_EXPR[op](`${v.x}[i]`), accumulate)}
}`, grid1d(n), MATH_WGSL);
}

export function unaryBackwardKernel(op: UnaryOp, x: BufRef, y: BufRef, dy: BufRef, dx: BufRef, n: number, accumulate?: boolean): Kernel {
  return kernel([{ name: 'x', buf: x }, { name: 'y', buf: y }, { name: 'dy', buf: dy }, { name: 'dx', buf: dx, write: true }],
    [['n', 'u32', n]],
    (v) => `${entry1d()}
  if (i >= p.n) { return; }
  let xi = ${v.x}[i];
  let yi = ${v.y}[i];
  ${store(`${v.dx}[i]`, `${v.dy}[i] * ${UNARY_GRAD_EXPR[op]('xi', 'yi')}`, accumulate)}
}`, grid1d(n), MATH_WGSL);
}

export function affineKernel(x: BufRef, out: BufRef, n: number, alpha: number, beta: number, accumulate?: boolean): Kernel {
  return kernel([{ name: 'x', buf: x }, { name: 'out', buf: out, write: true }],
    [['n', 'u32', n], ['alpha', 'f32', alpha], ['beta', 'f32', beta]],
    (v) => `${entry1d()}
  if (i >= p.n) { return; }
  ${store(`${v.out}[i]`, `p.alpha * ${v.x}[i] + p.beta`, accumulate)}
}`, grid1d(n));
}

/** Largest rank a strided kernel handles after coalescing; beyond it the params would not fit. */
export const MAX_RANK = 8;

/**
 * WGSL that turns the linear index `i` into offsets `o0..` for each strided operand, and the
 * params fields (dims then each operand's strides) it reads.
 */
function stridedIndex(shape: readonly number[], strides: (readonly number[])[]): { code: string; fields: Field[] } {
  const rank = shape.length;
  const fields: Field[] = shape.map((d, k) => [`d${k}`, 'u32', d] as Field);
  strides.forEach((s, j) => s.forEach((st, k) => fields.push([`s${j}_${k}`, 'u32', st])));
  const lines = strides.map((_, j) => `var o${j} = 0u;`);
  if (rank > 0) lines.push('var rem = i;');
  for (let k = rank - 1; k >= 0; k--) {
    lines.push(k > 0 ? `{ let c = rem % p.d${k}; rem = rem / p.d${k};` : '{ let c = rem;');
    strides.forEach((_, j) => lines.push(`  o${j} = o${j} + c * p.s${j}_${k};`));
    lines.push('}');
  }
  return { code: lines.join('\n  '), fields };
}

export function binaryKernel(op: BinaryOp, a: BufRef, b: BufRef, out: BufRef,
  shape: readonly number[], aStrides: readonly number[], bStrides: readonly number[], accumulate?: boolean): Kernel {
  const n = shape.reduce((s, d) => s * d, 1);
  const idx = stridedIndex(shape, [aStrides, bStrides]);
  return kernel([{ name: 'a', buf: a }, { name: 'b', buf: b }, { name: 'out', buf: out, write: true }],
    [['n', 'u32', n], ...idx.fields],
    (v) => `${entry1d()}
  if (i >= p.n) { return; }
  ${idx.code}
  ${store(`${v.out}[i]`, BINARY_EXPR[op](`${v.a}[o0]`, `${v.b}[o1]`), accumulate)}
}`, grid1d(n));
}

export function copyKernel(x: BufRef, out: BufRef, shape: readonly number[], srcStrides: readonly number[], srcOffset: number,
  dstStrides: readonly number[], dstOffset: number, accumulate?: boolean): Kernel {
  const n = shape.reduce((s, d) => s * d, 1);
  const idx = stridedIndex(shape, [srcStrides, dstStrides]);
  return kernel([{ name: 'x', buf: x }, { name: 'out', buf: out, write: true }],
    [['n', 'u32', n], ['srcOffset', 'u32', srcOffset], ['dstOffset', 'u32', dstOffset], ...idx.fields],
    (v) => `${entry1d()}
  if (i >= p.n) { return; }
  ${idx.code}
  ${store(`${v.out}[p.dstOffset + o1]`, `${v.x}[p.srcOffset + o0]`, accumulate)}
}`, grid1d(n));
}

/** WGSL of backend.ts's mix32/hashUniform (u32 multiplication wraps, as Math.imul does). */
const HASH_WGSL = /* wgsl */ `
fn mix32(x0: u32) -> u32 {
  var x = x0;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  x = x ^ (x >> 16u);
  return x;
}`;

export function dropoutKernel(out: BufRef, n: number, p: number, seed: number, offset: number): Kernel {
  // hashUniform(...) >= p compares k / 2^24 with p; comparing the integer k with ceil(p * 2^24)
  // is the same test, exactly, without rounding p to f32.
  const threshold = Math.min(Math.ceil(p * 16777216), 16777217);
  return kernel([{ name: 'out', buf: out, write: true }],
    [['n', 'u32', n], ['seed', 'u32', seed >>> 0], ['offset', 'u32', offset >>> 0], ['threshold', 'u32', threshold], ['keep', 'f32', 1 / (1 - p)]],
    (v) => `${entry1d()}
  if (i >= p.n) { return; }
  let k = mix32(p.seed ^ mix32(p.offset + i)) >> 8u;
  ${v.out}[i] = select(0.0, p.keep, k >= p.threshold);
}`, grid1d(n), HASH_WGSL);
}
