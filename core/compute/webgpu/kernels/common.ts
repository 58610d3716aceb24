/**
 * Shared pieces of the WGSL kernel builders: buffer bindings (with aliasing resolved), the
 * uniform params struct and its packing, and the dispatch grid.
 *
 * A kernel builder returns a `Kernel`: WGSL source, the buffers in binding order, the params
 * words and the workgroup counts. The source depends only on the kernel's *structure* (op,
 * rank, flags); sizes travel in the params, so one compiled pipeline serves every size.
 */
import type { DType } from '../../backend.ts';

/** A buffer as a kernel builder sees it: the executor's id and its element type. */
export interface BufRef {
  readonly id: number;
  readonly dtype: DType;
}

export interface Kernel {
  code: string;
  buffers: number[];
  params: Uint32Array;
  groups: [number, number, number];
}

export interface Role {
  name: string;
  buf: BufRef;
  write?: boolean;
  /** WGSL element type when not the buffer's scalar type, e.g. 'vec4<f32>' for vectorised loads. */
  type?: string;
}

/**
 * Declares one storage binding per distinct buffer. Two roles on the same buffer (an in-place
 * op, or `x * x`) share one binding: WebGPU forbids binding a buffer twice when one binding is
 * writable. Returns the WGSL declarations, the variable name of each role, and the buffer ids.
 */
export function bindRoles(roles: Role[]): { decls: string; v: Record<string, string>; buffers: number[] } {
  const byId = new Map<number, { name: string; write: boolean; type: string }>();
  const v: Record<string, string> = {};
  for (const role of roles) {
    const seen = byId.get(role.buf.id);
    if (seen) {
      seen.write ||= !!role.write;
      if (seen.type !== (role.type ?? role.buf.dtype)) throw new Error(`buffer bound as ${seen.type} and ${role.type ?? role.buf.dtype}`);
      v[role.name] = seen.name;
    } else {
      byId.set(role.buf.id, { name: role.name, write: !!role.write, type: role.type ?? role.buf.dtype });
      v[role.name] = role.name;
    }
  }
  const buffers = [...byId.keys()];
  const decls = [...byId.values()].map((b, i) =>
    `@group(0) @binding(${i}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`).join('\n');
  return { decls, v, buffers };
}

export type Field = [name: string, type: 'u32' | 'i32' | 'f32', value: number];

/** The params struct (bound after the buffers) and its packed words. */
export function paramsOf(binding: number, fields: Field[]): { decl: string; words: Uint32Array } {
  const words = new Uint32Array(Math.max(fields.length, 4));
  const asF32 = new Float32Array(words.buffer);
  const asI32 = new Int32Array(words.buffer);
  fields.forEach(([, type, value], i) => {
    if (type === 'f32') asF32[i] = value;
    else if (type === 'i32') asI32[i] = value;
    else words[i] = value >>> 0;
  });
  const body = fields.length === 0 ? 'unused: u32,' : fields.map(([name, type]) => `${name}: ${type},`).join(' ');
  return { decl: `struct Params { ${body} }\n@group(0) @binding(${binding}) var<uniform> p: Params;`, words };
}

/** Threads per workgroup of the 1-D kernels. */
export const WG = 64;
/** WebGPU's guaranteed maximum workgroups per dimension. */
const MAX_GROUPS = 65535;

/** Workgroup counts for `n` threads of a 1-D kernel, folded into y past the per-dimension limit. */
export function grid1d(n: number, wg = WG): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= MAX_GROUPS) return [groups, 1, 1];
  return [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS), 1];
}

/** WGSL entry point header of a 1-D kernel; `i` is the linear thread index. */
export function entry1d(wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ${wg}u;`;
}

/** Assembles a kernel from its roles, params and body. */
export function kernel(roles: Role[], fields: Field[], body: (v: Record<string, string>) => string,
  groups: [number, number, number], helpers = ''): Kernel {
  const { decls, v, buffers } = bindRoles(roles);
  const { decl, words } = paramsOf(buffers.length, fields);
  return { code: `${decls}\n${decl}\n${helpers}\n${body(v)}`, buffers, params: words, groups };
}

/** `x[...] = value` or `x[...] += value`. */
export function store(target: string, value: string, accumulate: boolean | undefined): string {
  return accumulate ? `${target} = ${target} + ${value};` : `${target} = ${value};`;
}
