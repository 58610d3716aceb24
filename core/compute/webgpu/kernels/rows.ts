/**
 * Row kernels over a dense [rows, cols] matrix: reductions along the last axis, softmax and
 * log-softmax (forward and backward), layer norm (forward and backward); plus reductions over
 * a middle axis and the max-reduction backward.
 *
 * Two layouts, picked by the adapter (`lanes`):
 * - lanes = 1 (CPU adapters): one thread per row, a plain loop over the columns. No
 *   workgroup memory, no barriers (very expensive on SwiftShader/lavapipe).
 * - lanes = 64 (GPUs): one workgroup per row; lanes stride over the columns and combine
 *   partial results with a tree reduction in workgroup memory.
 */
import type { ReduceOp } from '../../backend.ts';
import { WG, entry1d, grid1d, kernel, store, type BufRef, type Field, type Kernel, type Role } from './common.ts';

export type Lanes = 1 | 64;

interface RowCode {
  /** `for` over this lane's columns, binding `c`. */
  loop(body: string): string;
  /** Combines `name` (a var) across the lanes of a row with `op`; every lane gets the result. */
  reduce(name: string, op: 'sum' | 'max'): string;
  /** Guard for per-row writes (only lane 0 writes them). */
  lane0: string;
}

function rowKernel(lanes: Lanes, rows: number, roles: Role[], fields: Field[],
  body: (v: Record<string, string>, r: RowCode) => string, helpers = ''): Kernel {
  const allFields: Field[] = [['rows', 'u32', rows], ...fields];
  if (lanes === 1) {
    const r: RowCode = {
      loop: (b) => `for (var c = 0u; c < p.cols; c = c + 1u) { ${b} }`,
      reduce: () => '',
      lane0: 'true',
    };
    return kernel(roles, allFields, (v) => `${entry1d()}
  let row = i;
  if (row >= p.rows) { return; }
  ${body(v, r)}
}`, grid1d(rows), helpers);
  }
  const r: RowCode = {
    loop: (b) => `for (var c = lane; c < p.cols; c = c + ${lanes}u) { ${b} }`,
    reduce: (name, op) => `red[lane] = ${name};
  workgroupBarrier();
  for (var s = ${lanes / 2}u; s > 0u; s = s >> 1u) {
    if (lane < s) { red[lane] = ${op === 'sum' ? 'red[lane] + red[lane + s]' : 'max(red[lane], red[lane + s])'}; }
    workgroupBarrier();
  }
  ${name} = red[0];
  workgroupBarrier();`,
    lane0: 'lane == 0u',
  };
  return kernel(roles, allFields, (v) => `var<workgroup> red: array<f32, ${lanes}>;
@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let lane = lid.x;
  ${body(v, r)}
}`, grid1d(rows, 1), helpers);
}

/** Reduction over the middle axis of [outer, axis, inner] into [outer, inner]. */
export function reduceKernel(op: ReduceOp, x: BufRef, out: BufRef, outer: number, axis: number, inner: number,
  accumulate: boolean | undefined, lanes: Lanes): Kernel {
  const scale = op === 'mean' ? 1 / axis : 1;
  const combine = op === 'max' ? 'max' : 'sum';
  const roles: Role[] = [{ name: 'x', buf: x }, { name: 'out', buf: out, write: true }];
  if (inner === 1) {
    return rowKernel(lanes, outer, roles, [['cols', 'u32', axis], ['scale', 'f32', scale]], (v, r) => `
  var acc = ${op === 'max' ? `${v.x}[row * p.cols]` : '0.0'};
  ${r.loop(op === 'max' ? `acc = max(acc, ${v.x}[row * p.cols + c]);` : `acc = acc + ${v.x}[row * p.cols + c];`)}
  ${r.reduce('acc', combine)}
  if (${r.lane0}) { ${store(`${v.out}[row]`, 'acc * p.scale', accumulate)} }`);
  }
  // Many columns: one thread per output, walking the axis (neighbouring threads read
  // neighbouring addresses).
  const n = outer * inner;
  return kernel(roles, [['n', 'u32', n], ['axis', 'u32', axis], ['inner', 'u32', inner], ['scale', 'f32', scale]], (v) => `${entry1d()}
  if (i >= p.n) { return; }
  let o = i / p.inner;
  let j = i % p.inner;
  let base = o * p.axis * p.inner + j;
  var acc = ${op === 'max' ? `${v.x}[base]` : '0.0'};
  for (var a = ${op === 'max' ? 1 : 0}u; a < p.axis; a = a + 1u) {
    ${op === 'max' ? `acc = max(acc, ${v.x}[base + a * p.inner]);` : `acc = acc + ${v.x}[base + a * p.inner];`}
  }
  ${store(`${v.out}[i]`, 'acc * p.scale', accumulate)}
}`, grid1d(n));
}

/** dx (+)= dy at the first maximum along the axis, 0 elsewhere. */
export function reduceMaxBackwardKernel(x: BufRef, dy: BufRef, dx: BufRef, outer: number, axis: number, inner: number,
  accumulate: boolean | undefined): Kernel {
  const n = outer * inner;
  return kernel([{ name: 'x', buf: x }, { name: 'dy', buf: dy }, { name: 'dx', buf: dx, write: true }],
    [['n', 'u32', n], ['axis', 'u32', axis], ['inner', 'u32', inner]], (v) => `${entry1d()}
  if (i >= p.n) { return; }
  let o = i / p.inner;
  let j = i % p.inner;
  let base = o * p.axis * p.inner + j;
  var best = 0u;
  var bestV = ${v.x}[base];
  for (var a = 1u; a < p.axis; a = a + 1u) {
    let xv = ${v.x}[base + a * p.inner];
    if (xv > bestV) { bestV = xv; best = a; }
  }
  let g = ${v.dy}[i];
  for (var a = 0u; a < p.axis; a = a + 1u) {
    ${store(`${v.dx}[base + a * p.inner]`, 'select(0.0, g, a == best)', accumulate)}
  }
}`, grid1d(n));
}

export function softmaxKernel(x: BufRef, out: BufRef, rows: number, cols: number, log: boolean, lanes: Lanes): Kernel {
  return rowKernel(lanes, rows, [{ name: 'x', buf: x }, { name: 'out', buf: out, write: true }], [['cols', 'u32', cols]], (v, r) => `
  let o = row * p.cols;
  var mx = ${v.x}[o];
  ${r.loop(`mx = max(mx, ${v.x}[o + c]);`)}
  ${r.reduce('mx', 'max')}
  var s = 0.0;
  ${r.loop(`s = s + exp(${v.x}[o + c] - mx);`)}
  ${r.reduce('s', 'sum')}
  ${log
    ? `let lse = mx + log(s);
  ${r.loop(`${v.out}[o + c] = ${v.x}[o + c] - lse;`)}`
    : `let inv = 1.0 / s;
  ${r.loop(`${v.out}[o + c] = exp(${v.x}[o + c] - mx) * inv;`)}`}`);
}

export function softmaxBackwardKernel(y: BufRef, dy: BufRef, dx: BufRef, rows: number, cols: number, log: boolean,
  accumulate: boolean | undefined, lanes: Lanes): Kernel {
  return rowKernel(lanes, rows, [{ name: 'y', buf: y }, { name: 'dy', buf: dy }, { name: 'dx', buf: dx, write: true }],
    [['cols', 'u32', cols]], (v, r) => `
  let o = row * p.cols;
  var s = 0.0;
  ${r.loop(log ? `s = s + ${v.dy}[o + c];` : `s = s + ${v.dy}[o + c] * ${v.y}[o + c];`)}
  ${r.reduce('s', 'sum')}
  ${r.loop(store(`${v.dx}[o + c]`, log ? `${v.dy}[o + c] - exp(${v.y}[o + c]) * s` : `${v.y}[o + c] * (${v.dy}[o + c] - s)`, accumulate))}`);
}

export function layerNormKernel(x: BufRef, gamma: BufRef | null, beta: BufRef | null, out: BufRef, mean: BufRef, rstd: BufRef,
  rows: number, cols: number, eps: number, lanes: Lanes): Kernel {
  const roles: Role[] = [{ name: 'x', buf: x }, { name: 'out', buf: out, write: true },
    { name: 'mean', buf: mean, write: true }, { name: 'rstd', buf: rstd, write: true }];
  if (gamma) roles.push({ name: 'gamma', buf: gamma });
  if (beta) roles.push({ name: 'beta', buf: beta });
  return rowKernel(lanes, rows, roles, [['cols', 'u32', cols], ['eps', 'f32', eps]], (v, r) => `
  let o = row * p.cols;
  var s = 0.0;
  ${r.loop(`s = s + ${v.x}[o + c];`)}
  ${r.reduce('s', 'sum')}
  let mu = s / f32(p.cols);
  var q = 0.0;
  ${r.loop(`let t = ${v.x}[o + c] - mu; q = q + t * t;`)}
  ${r.reduce('q', 'sum')}
  let rs = 1.0 / sqrt(q / f32(p.cols) + p.eps);
  if (${r.lane0}) { ${v.mean}[row] = mu; ${v.rstd}[row] = rs; }
  ${r.loop(`${v.out}[o + c] = (${v.x}[o + c] - mu) * rs${gamma ? ` * ${v.gamma}[c]` : ''}${beta ? ` + ${v.beta}[c]` : ''};`)}`);
}

/** The dx part of the layer-norm backward (per row). */
export function layerNormBackwardKernel(x: BufRef, gamma: BufRef | null, mean: BufRef, rstd: BufRef, dy: BufRef, dx: BufRef,
  rows: number, cols: number, accumulate: boolean | undefined, lanes: Lanes): Kernel {
  const roles: Role[] = [{ name: 'x', buf: x }, { name: 'mean', buf: mean }, { name: 'rstd', buf: rstd },
    { name: 'dy', buf: dy }, { name: 'dx', buf: dx, write: true }];
  if (gamma) roles.push({ name: 'gamma', buf: gamma });
  return rowKernel(lanes, rows, roles, [['cols', 'u32', cols]], (v, r) => {
    const g = gamma ? `${v.dy}[o + c] * ${v.gamma}[c]` : `${v.dy}[o + c]`;
    const xhat = `(${v.x}[o + c] - mu) * rs`;
    return `
  let o = row * p.cols;
  let mu = ${v.mean}[row];
  let rs = ${v.rstd}[row];
  var sg = 0.0;
  var sgx = 0.0;
  ${r.loop(`let g = ${g}; sg = sg + g; sgx = sgx + g * ${xhat};`)}
  ${r.reduce('sg', 'sum')}
  ${r.reduce('sgx', 'sum')}
  sg = sg / f32(p.cols);
  sgx = sgx / f32(p.cols);
  ${r.loop(`let g = ${g}; ${store(`${v.dx}[o + c]`, `rs * (g - sg - ${xhat} * sgx)`, accumulate)}`)}`;
  });
}

/** dgamma[c] += sum_r dy * xhat, dbeta[c] += sum_r dy: one thread per column, rows in order. */
export function layerNormParamGradKernel(x: BufRef, mean: BufRef, rstd: BufRef, dy: BufRef, dgamma: BufRef | null,
  dbeta: BufRef | null, rows: number, cols: number): Kernel {
  const roles: Role[] = [{ name: 'x', buf: x }, { name: 'mean', buf: mean }, { name: 'rstd', buf: rstd }, { name: 'dy', buf: dy }];
  if (dgamma) roles.push({ name: 'dgamma', buf: dgamma, write: true });
  if (dbeta) roles.push({ name: 'dbeta', buf: dbeta, write: true });
  return kernel(roles, [['rows', 'u32', rows], ['cols', 'u32', cols]], (v) => `${entry1d()}
  if (i >= p.cols) { return; }
  ${dgamma ? `var sgm = ${v.dgamma}[i];` : ''}
  ${dbeta ? `var sbt = ${v.dbeta}[i];` : ''}
  for (var r = 0u; r < p.rows; r = r + 1u) {
    let d = ${v.dy}[r * p.cols + i];
    ${dgamma ? `sgm = sgm + d * ((${v.x}[r * p.cols + i] - ${v.mean}[r]) * ${v.rstd}[r]);` : ''}
    ${dbeta ? 'sbt = sbt + d;' : ''}
  }
  ${dgamma ? `${v.dgamma}[i] = sgm;` : ''}
  ${dbeta ? `${v.dbeta}[i] = sbt;` : ''}
}`, grid1d(cols, WG));
}
