/**
 * Batched GEMM: C[b] = alpha * op(A[b]) @ op(B[b]) (+ C[b]), every thread owning a 4x4 block
 * of C held in registers (four vec4 accumulators).
 *
 * Two variants, picked by the adapter:
 * - 'register' (CPU adapters: SwiftShader, lavapipe): no shared memory. Each thread streams
 *   its 4 rows of A and 4 columns of B straight from the storage buffers with vec4 loads where
 *   the layout allows (A along k, or along m when transposed; B along n, or along k when
 *   transposed). Workgroup barriers are very expensive on these adapters (environment.md s7:
 *   0.15 vs 1.5 GFLOP/s), so avoiding them wins.
 * - 'tiled' (real GPUs): a 16x16 workgroup computes a 64x64 tile of C; per K-step of 16 it
 *   stages a 64x16 slab of A and a 16x64 slab of B in workgroup memory (coalesced loads, each
 *   element fetched once per workgroup instead of 64 times), then every thread reads vec4s
 *   from shared memory.
 * Both sum over k in increasing order, so they agree with each other and with a sequential
 * reference to f32 rounding.
 */
import type { MatmulOptions } from '../../backend.ts';
import { paramsOf, bindRoles, type BufRef, type Field, type Kernel } from './common.ts';

export type GemmVariant = 'register' | 'tiled';

const COMPONENT = ['x', 'y', 'z', 'w'];

export function matmulKernel(a: BufRef, b: BufRef, out: BufRef, o: MatmulOptions, variant: GemmVariant): Kernel {
  const { batch, m, k, n } = o;
  const transA = !!o.transA, transB = !!o.transB;
  const fields: Field[] = [
    ['m', 'u32', m], ['k', 'u32', k], ['n', 'u32', n], ['alpha', 'f32', o.alpha ?? 1],
    ['aStride', 'u32', o.aBroadcast ? 0 : m * k], ['bStride', 'u32', o.bBroadcast ? 0 : k * n],
  ];
  // The same buffer as A and B must be declared once, with one element type: use scalar loads.
  const shared = a.id === b.id;
  const aMode = shared ? 's' : !transA && k % 4 === 0 ? 'vk' : transA && m % 4 === 0 ? 'vm' : 's';
  const bMode = shared ? 's' : !transB && n % 4 === 0 ? 'vn' : transB && k % 4 === 0 ? 'vk' : 's';
  const vecA = variant === 'register' && aMode !== 's';
  const vecB = variant === 'register' && bMode !== 's';
  const { decls, v, buffers } = bindRoles([
    { name: 'A', buf: a, type: vecA ? 'vec4<f32>' : undefined },
    { name: 'B', buf: b, type: vecB ? 'vec4<f32>' : undefined },
    { name: 'C', buf: out, write: true },
  ]);
  const { decl, words } = paramsOf(buffers.length, fields);
  // Scalar element loads, zero past K (rows/cols are clamped by the caller, never stored).
  const loadA = (row: string, kk: string) =>
    `select(0.0, ${v.A}[aOff + ${transA ? `min(${kk}, p.k - 1u) * p.m + ${row}` : `${row} * p.k + min(${kk}, p.k - 1u)`}], ${kk} < p.k)`;
  const loadB = (kk: string, col: string) =>
    `select(0.0, ${v.B}[bOff + ${transB ? `${col} * p.k + min(${kk}, p.k - 1u)` : `min(${kk}, p.k - 1u) * p.n + ${col}`}], ${kk} < p.k)`;
  const storeC = `
  for (var i = 0u; i < 4u; i = i + 1u) {
    let row = r0 + i;
    if (row >= p.m) { break; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let col = c0 + j;
      if (col >= p.n) { break; }
      let idx = cOff + row * p.n + col;
      ${o.accumulate ? `${v.C}[idx] = ${v.C}[idx] + p.alpha * acc[i][j];` : `${v.C}[idx] = p.alpha * acc[i][j];`}
    }
  }`;
  const header = `${decls}\n${decl}`;
  const code = variant === 'register'
    ? registerGemm(header, aMode, bMode, vecA, vecB, loadA, loadB, storeC)
    : tiledGemm(header, loadA, loadB, storeC);
  const tile = variant === 'register' ? 32 : 64;
  return { code, buffers, params: words, groups: [Math.ceil(n / tile), Math.ceil(m / tile), batch] };
}

function registerGemm(header: string, aMode: string, bMode: string, vecA: boolean, vecB: boolean,
  loadA: (row: string, kk: string) => string, loadB: (kk: string, col: string) => string, storeC: string): string {
  const lines: string[] = [];
  // A operand: av[i] = A(r0+i, k0..k0+3) (along k), or cv[kk] = A(r0..r0+3, k0+kk) (along m).
  let aElem: (i: number, kk: number) => string;
  if (vecA && aMode === 'vk') {
    for (let i = 0; i < 4; i++) lines.push(`let av${i} = A[(aOff + min(r0 + ${i}u, p.m - 1u) * p.k + k0) / 4u];`);
    aElem = (i, kk) => `av${i}.${COMPONENT[kk]}`;
  } else if (vecA && aMode === 'vm') {
    for (let kk = 0; kk < 4; kk++) {
      lines.push(`let cv${kk} = select(vec4f(), A[(aOff + min(k0 + ${kk}u, p.k - 1u) * p.m + min(r0, p.m - 4u)) / 4u], k0 + ${kk}u < p.k);`);
    }
    aElem = (i, kk) => `cv${kk}.${COMPONENT[i]}`;
  } else {
    for (let i = 0; i < 4; i++) {
      lines.push(`let av${i} = vec4f(${[0, 1, 2, 3].map((kk) => loadA(`min(r0 + ${i}u, p.m - 1u)`, `k0 + ${kk}u`)).join(', ')});`);
    }
    aElem = (i, kk) => `av${i}.${COMPONENT[kk]}`;
  }
  // B operand: bv[kk] = B(k0+kk, c0..c0+3).
  if (vecB && bMode === 'vn') {
    for (let kk = 0; kk < 4; kk++) {
      lines.push(`let bv${kk} = select(vec4f(), B[(bOff + min(k0 + ${kk}u, p.k - 1u) * p.n + min(c0, p.n - 4u)) / 4u], k0 + ${kk}u < p.k);`);
    }
  } else if (vecB && bMode === 'vk') {
    for (let j = 0; j < 4; j++) lines.push(`let rv${j} = B[(bOff + min(c0 + ${j}u, p.n - 1u) * p.k + k0) / 4u];`);
    for (let kk = 0; kk < 4; kk++) lines.push(`let bv${kk} = vec4f(${[0, 1, 2, 3].map((j) => `rv${j}.${COMPONENT[kk]}`).join(', ')});`);
  } else {
    for (let kk = 0; kk < 4; kk++) {
      lines.push(`let bv${kk} = vec4f(${[0, 1, 2, 3].map((j) => loadB(`k0 + ${kk}u`, `min(c0 + ${j}u, p.n - 1u)`)).join(', ')});`);
    }
  }
  for (let kk = 0; kk < 4; kk++) {
    for (let i = 0; i < 4; i++) lines.push(`acc[${i}] = acc[${i}] + ${aElem(i, kk)} * bv${kk};`);
  }
  return `${header}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c0 = gid.x * 4u;
  let r0 = gid.y * 4u;
  if (c0 >= p.n || r0 >= p.m) { return; }
  let aOff = gid.z * p.aStride;
  let bOff = gid.z * p.bStride;
  let cOff = gid.z * p.m * p.n;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < p.k; k0 = k0 + 4u) {
    ${lines.join('\n    ')}
  }
  ${storeC}
}`;
}

function tiledGemm(header: string, loadA: (row: string, kk: string) => string, loadB: (kk: string, col: string) => string,
  storeC: string): string {
  return `${header}
var<workgroup> As: array<f32, 1024>; // [16 k][64 rows]
var<workgroup> Bs: array<f32, 1024>; // [16 k][64 cols]
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tileRow = wid.y * 64u;
  let tileCol = wid.x * 64u;
  let r0 = tileRow + lid.y * 4u;
  let c0 = tileCol + lid.x * 4u;
  let t = lid.y * 16u + lid.x;
  let aOff = wid.z * p.aStride;
  let bOff = wid.z * p.bStride;
  let cOff = wid.z * p.m * p.n;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < p.k; k0 = k0 + 16u) {
    for (var l = 0u; l < 4u; l = l + 1u) {
      let e = t + l * 256u;
      let ar = e / 16u; let ak = e % 16u;
      As[ak * 64u + ar] = ${loadA('min(tileRow + ar, p.m - 1u)', 'k0 + ak')};
      let bk = e / 64u; let bc = e % 64u;
      Bs[bk * 64u + bc] = ${loadB('k0 + bk', 'min(tileCol + bc, p.n - 1u)')};
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) {
      let ai = kk * 64u + lid.y * 4u;
      let bi = kk * 64u + lid.x * 4u;
      let av = vec4f(As[ai], As[ai + 1u], As[ai + 2u], As[ai + 3u]);
      let bv = vec4f(Bs[bi], Bs[bi + 1u], Bs[bi + 2u], Bs[bi + 3u]);
      acc[0] = acc[0] + av.x * bv;
      acc[1] = acc[1] + av.y * bv;
      acc[2] = acc[2] + av.z * bv;
      acc[3] = acc[3] + av.w * bv;
    }
    workgroupBarrier();
  }
  if (c0 >= p.n || r0 >= p.m) { return; }
  ${storeC}
}`;
}
